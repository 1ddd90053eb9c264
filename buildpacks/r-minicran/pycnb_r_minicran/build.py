"""pycnb/r-minicran: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, buildinputs
from libbuild.r.buildinputs import r_at_build

from .detect import build_inputs


def build(ctx: BuildContext) -> BuildResult:
    stated = build_inputs(ctx)
    if not r_at_build(ctx.environ):
        # pycnb/r saw these build inputs unchanged and kept R off the build: the library stays as
        # the previous build installed it. A repository changed in place is read again at the
        # next build that puts R on the build (README: "A repository changed in place").
        buildinputs.reuse_unchanged(ctx, stated, "pycnb/r-minicran", "R", layer="r-library", provides="r-packages")
        ctx.log.info("The repository's index is read again when the package list, a setting or R changes")
        return BuildResult()
    from .install import install  # a code-only rebuild imports none of the install path
    return install(ctx, stated)
