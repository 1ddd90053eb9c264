"""pycnb/pip: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult
from libbuild.python import buildinputs as pyinputs


def build(ctx: BuildContext) -> BuildResult:
    if pyinputs.tool_unneeded(ctx, "pip", "installs with pip"):
        return BuildResult()
    from .install import install  # a code-only rebuild imports none of the install path
    return install(ctx)
