"""pycnb/pip: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, opt_in
from libbuild import buildinputs


def detect(ctx: DetectContext) -> DetectResult:
    # pip's layer depends on this buildpack's catalog and the settings (BP_PIP_VERSION, ...).
    cpython = {"build": True}
    inputs = buildinputs.digest(ctx, ())
    if inputs:
        cpython[buildinputs.PLAN_KEY] = inputs
    return opt_in("pip is always available", BuildPlan(provides=["pip"], requires=[Require("cpython", cpython)]))
