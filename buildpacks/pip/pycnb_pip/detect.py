"""pycnb/pip: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, opt_in


def detect(ctx: DetectContext) -> DetectResult:
    return opt_in("pip is always available", BuildPlan(provides=["pip"], requires=[Require("cpython", {"build": True})]))
