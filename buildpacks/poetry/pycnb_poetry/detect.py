"""pycnb/poetry: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, opt_in


def detect(ctx: DetectContext) -> DetectResult:
    return opt_in("Poetry is always available", BuildPlan(
        provides=["poetry"], requires=[Require("pip", {"build": True}), Require("cpython", {"build": True})]))
