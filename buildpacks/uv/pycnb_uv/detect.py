"""pycnb/uv: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, opt_in


def detect(ctx: DetectContext) -> DetectResult:
    return opt_in("uv is always available", BuildPlan(provides=["uv"]))
