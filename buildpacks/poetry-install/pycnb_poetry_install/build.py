"""pycnb/poetry-install: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, buildinputs
from libbuild.python import buildinputs as pyinputs

from .detect import build_inputs


def build(ctx: BuildContext) -> BuildResult:
    inputs = build_inputs(ctx)
    if not pyinputs.python_at_build(ctx.environ):
        # pycnb/cpython saw these inputs unchanged: the checked lock, the exported set and the
        # installed venv are the previous build's.
        buildinputs.reuse_unchanged(ctx, inputs, "pycnb/poetry-install", "python3")
        return BuildResult()
    # Imported only now: pip, venvs and SBOMs cost a code-only rebuild ~0.1 s for nothing.
    from .install import install
    install(ctx, inputs)
    return BuildResult()
