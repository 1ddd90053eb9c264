"""pycnb/poetry: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, buildinputs, opt_in


def detect(ctx: DetectContext) -> DetectResult:
    # The tool's layer depends on this buildpack's default versions and the settings
    # (BP_POETRY_VERSION, the index): while they are unchanged, it need not be installed.
    build = {"build": True}
    inputs = buildinputs.digest(ctx, ())
    if inputs:
        build[buildinputs.PLAN_KEY] = inputs
    return opt_in("Poetry is always available", BuildPlan(
        provides=["poetry"], requires=[Require("pip", dict(build)), Require("cpython", dict(build))]))
