"""pycnb/r-minicran: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, opt_in, opt_out

from . import inputs


def detect(ctx: DetectContext) -> DetectResult:
    found = inputs.manifest(ctx.app_dir)
    if found is None:
        return opt_out(f"no {', '.join(inputs.FILES)}")
    # r-packages is required by this buildpack itself: nothing later in an R group asks for it,
    # and a provision nobody requires would fail the group.
    return opt_in(f"found {found}", BuildPlan(
        provides=["r-packages"],
        requires=[Require("r", {"build": True, "launch": True}), Require("r-packages", {"launch": True})]))
