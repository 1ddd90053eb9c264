"""pycnb/pipenv-install: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, appfiles, buildinputs
from libbuild.python import buildinputs as pyinputs
from libbuild.python import manager

from .detect import build_inputs


def build(ctx: BuildContext) -> BuildResult:
    ctx.log.info(manager.chosen(ctx.app_dir, ctx.settings).note())
    if appfiles.exists(ctx.app_dir, "requirements.txt"):
        ctx.log.info("Both Pipfile and requirements.txt are present: installing from Pipfile.lock with pipenv; "
                     "requirements.txt is ignored")
    inputs = build_inputs(ctx)
    if not pyinputs.python_at_build(ctx.environ):
        # pycnb/cpython saw these inputs unchanged: the verified lock and the installed venv
        # are the previous build's.
        buildinputs.reuse_unchanged(ctx, inputs, "pycnb/pipenv-install", "python3")
        return BuildResult()
    # Imported only now: pip, venvs and SBOMs cost a code-only rebuild ~0.1 s for nothing.
    from .install import install
    install(ctx, inputs)
    return BuildResult()
