"""pycnb/poetry: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult
from libbuild.python import tools


def build(ctx: BuildContext) -> BuildResult:
    if tools.unneeded(ctx, "poetry"):
        return BuildResult()
    version = tools.version_setting(ctx, "BP_POETRY_VERSION", "poetry")
    # poetry-install exports the lock with the export plugin (not bundled since Poetry 2).
    plugin = ctx.buildpack.metadata["default-versions"]["poetry-plugin-export"]
    tools.tool_layer(ctx, "poetry", version, [f"poetry=={version}", f"poetry-plugin-export=={plugin}"])
    return BuildResult()
