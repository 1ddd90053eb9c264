"""pycnb/r-minicran: detect."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from libbuild import BuildPlan, DetectContext, DetectResult, Require, buildinputs, opt_in, opt_out

from .manifest import FILES, manifest, vendored_index


def build_inputs(ctx) -> "Optional[str]":
    """What the library depends on besides R (libbuild/buildinputs.py): the package list, a
    vendored repository's index, every setting (BP_R_REPOS among them) and this buildpack's
    descriptor, and the kinds of CA-certificate and dependency bindings. None with any other
    binding (a `cran` one holds credentials) or a vendored repository without a readable index:
    R is then on every build. A remote repository's index is not
    read here (no network at detect): it is read and recorded whenever R is on the build."""
    name = manifest(ctx.app_dir)
    index = vendored_index(ctx.app_dir)
    if name is None or index is None:
        return None
    return buildinputs.digest(ctx, [name, *index])


def detect(ctx: DetectContext) -> DetectResult:
    found = manifest(ctx.app_dir)
    if found is None:
        return opt_out(f"no {', '.join(FILES)}")
    r = {"build": True, "launch": True}
    digest = build_inputs(ctx)
    if digest:
        r[buildinputs.PLAN_KEY] = digest
    # r-packages is required by this buildpack itself: nothing later in an R group asks for it,
    # and a provision nobody requires would fail the group.
    return opt_in(f"found {found}", BuildPlan(
        provides=["r-packages"], requires=[Require("r", r), Require("r-packages", {"launch": True})]))
