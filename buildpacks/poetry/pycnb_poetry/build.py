"""pycnb/poetry: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult
from libbuild.python import buildinputs as pyinputs


def build(ctx: BuildContext) -> BuildResult:
    if pyinputs.tool_unneeded(ctx, "poetry"):
        return BuildResult()
    # Imported only now: pip and venvs cost a code-only rebuild ~0.1 s for nothing.
    from libbuild.python import tools
    version = tools.version_setting(ctx, "BP_POETRY_VERSION", "poetry")
    # poetry-install exports the lock with the export plugin (not bundled since Poetry 2).
    plugin = ctx.buildpack.metadata["default-versions"]["poetry-plugin-export"]
    tools.tool_layer(ctx, "poetry", version, [f"poetry=={version}", f"poetry-plugin-export=={plugin}"])
    return BuildResult()
