"""pycnb/cpython: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, opt_in
from libbuild.errors import UserError

from . import version_sources


def detect(ctx: DetectContext) -> DetectResult:
    try:
        requests = version_sources.from_app(ctx.app_dir, ctx.setting("BP_CPYTHON_VERSION"))
    except UserError as exc:
        # Build reads the same sources again and fails with this message; failing detect
        # would hide it behind "no buildpack group passed detection".
        ctx.log.debug(f"version sources deferred to build: {exc.message}")
        requests = []
    requires = [Require("cpython", {"version": r.constraint, "version-source": r.source}) for r in requests]
    return opt_in("CPython is always available", BuildPlan(provides=["cpython"], requires=requires))
