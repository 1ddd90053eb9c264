"""pycnb/cpython: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, opt_in

from . import version_sources


def detect(ctx: DetectContext) -> DetectResult:
    requires = [Require("cpython", {"version": r.constraint, "version-source": r.source})
                for r in version_sources.from_app(ctx.app_dir, ctx.setting("BP_CPYTHON_VERSION"))]
    return opt_in("CPython is always available", BuildPlan(provides=["cpython"], requires=requires))
