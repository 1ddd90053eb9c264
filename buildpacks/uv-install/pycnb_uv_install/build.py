"""pycnb/uv-install: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, buildinputs
from libbuild.python import buildinputs as pyinputs
from libbuild.python import manager

from .detect import build_inputs


def build(ctx: BuildContext) -> BuildResult:
    ctx.log.info(manager.chosen(ctx.app_dir, ctx.settings).note())
    inputs = build_inputs(ctx)
    if not pyinputs.python_at_build(ctx.environ):
        buildinputs.reuse_unchanged(ctx, inputs, "pycnb/uv-install", "python3")
        return BuildResult()
    from .install import install  # a code-only rebuild imports none of the install path
    return install(ctx, inputs)
