"""pycnb/pipenv: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult
from libbuild.python import tools


def build(ctx: BuildContext) -> BuildResult:
    if tools.unneeded(ctx, "pipenv"):
        return BuildResult()
    version = tools.version_setting(ctx, "BP_PIPENV_VERSION", "pipenv")
    tools.tool_layer(ctx, "pipenv", version, [f"pipenv=={version}"])
    return BuildResult()
