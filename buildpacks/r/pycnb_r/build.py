"""pycnb/r: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult

from . import runtime, version_sources
from .version_sources import VersionRequest

# Bumped whenever what this buildpack puts into the layer changes, so old layers rebuild.
LAYOUT = 1


def build(ctx: BuildContext) -> BuildResult:
    with ctx.log.section("Resolving R version"):
        request = choose_version(ctx)
        dep = runtime.resolve(ctx, request.constraint, request.source)
        kind = "prebuilt" if dep.id == runtime.PREBUILT else "source"
        ctx.log.info(f"Selected R {dep.version} ({kind}, from {dep.origin})")

    flags = runtime.configure_flags(ctx) if kind == "source" else []
    # Launch: the app runs R. Build: pycnb/r-minicran installs packages with it. Cache: a
    # rebuild reuses R without downloading or compiling it again.
    layer = ctx.layers.cached(
        "r", {"version": dep.version, "checksum": dep.checksum, "kind": kind, "configure-flags": " ".join(flags),
              "target": ctx.target.describe(), "layout": LAYOUT},
        build=ctx.plan.wants("r", "build"), launch=ctx.plan.wants("r", "launch"), cache=True)
    if not layer.reused:
        with ctx.log.section(f"Installing R {dep.version} ({kind})"):
            if kind == "prebuilt":
                runtime.install_prebuilt(ctx, dep, layer.path)
            else:
                ctx.log.info(f"No prebuilt R {dep.version} for {ctx.target.describe()} in any catalog: compiling "
                             "from CRAN's source, which takes several minutes (cached in the layer afterwards)")
                runtime.compile_from_source(ctx, dep, layer.path, flags)
            ctx.log.info(f"Rscript reports R {runtime.check_runs(ctx, layer.path)}")
        runtime.set_environment(layer)
    layer.sbom = [dep.component()]
    return BuildResult()


def choose_version(ctx: BuildContext) -> VersionRequest:
    requests = version_sources.from_app(ctx.app_dir, ctx.setting("BP_R_VERSION"))
    for r in requests:
        ctx.log.detail(f"{r.source} asks for {r.constraint!r}")
    if requests:
        ctx.log.info(f"Using version {requests[0].constraint!r} from {requests[0].source}")
        return requests[0]
    default = str(ctx.buildpack.metadata.get("default-versions", {}).get("r", ""))
    ctx.log.info(f"No version requested by the app; using the default {default!r} from buildpack.toml")
    return VersionRequest(default, "the buildpack default")
