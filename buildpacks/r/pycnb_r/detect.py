"""pycnb/r: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, opt_in


def detect(ctx: DetectContext) -> DetectResult:
    # Version sources are read at build, where a broken renv.lock or DESCRIPTION fails with its
    # own message instead of "no buildpack group passed detection".
    return opt_in("R is always available", BuildPlan(provides=["r"]))
