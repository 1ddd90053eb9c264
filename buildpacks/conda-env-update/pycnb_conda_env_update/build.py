"""pycnb/conda-env-update: build. The reuse path imports only what it needs; install.py (YAML,
channels, pip settings, the SBOM) is imported when the environment may have to be installed."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, buildinputs
from libbuild.conda import buildinputs as condainputs

from . import inputs


def build(ctx: BuildContext) -> BuildResult:
    found = inputs.find(ctx.app_dir)
    digest = inputs.build_inputs(ctx)
    at_build = ctx.plan.wants("conda-environment", "build")
    if not condainputs.conda_at_build(ctx.environ) and not at_build:
        # pycnb/miniconda saw this digest unchanged: the previous image's environment stays.
        buildinputs.reuse_unchanged(ctx, digest, "pycnb/conda-env-update", "conda", layer="conda-env",
                                    provides="conda-environment")
        return BuildResult()
    from . import install
    return install.install(ctx, found, digest, at_build)
