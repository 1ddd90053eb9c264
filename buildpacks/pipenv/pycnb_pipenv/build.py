"""pycnb/pipenv: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult
from libbuild.python import buildinputs as pyinputs


def build(ctx: BuildContext) -> BuildResult:
    if pyinputs.tool_unneeded(ctx, "pipenv"):
        return BuildResult()
    # Imported only now: pip and venvs cost a code-only rebuild ~0.1 s for nothing.
    from libbuild.python import tools
    version = tools.version_setting(ctx, "BP_PIPENV_VERSION", "pipenv")
    tools.tool_layer(ctx, "pipenv", version, [f"pipenv=={version}"])
    return BuildResult()
