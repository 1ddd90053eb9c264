"""pycnb/pip: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, buildinputs, errors
from libbuild.python import buildinputs as pyinputs


def build(ctx: BuildContext) -> BuildResult:
    if not pyinputs.python_at_build(ctx.environ):
        if buildinputs.planned(ctx.plan.named("pip")) is None:
            raise errors.python_missing_at_build("pycnb/pip")
        ctx.log.info("Nothing to do: no buildpack installs with pip in this build (their build inputs are unchanged)")
        return BuildResult()
    from .install import install  # a code-only rebuild imports none of the install path
    return install(ctx)
