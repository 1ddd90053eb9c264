"""pycnb/r: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, buildinputs

from . import runtime, version_sources
from .version_sources import VersionRequest

# Bumped whenever what this buildpack puts into the layer changes, so old layers rebuild.
# 2: the layer sets PYCNB_R_VERSION at build (libbuild/r/buildinputs.py).
LAYOUT = 2


def build(ctx: BuildContext) -> BuildResult:
    with ctx.log.section("Resolving R version"):
        request = choose_version(ctx)
        dep = runtime.resolve(ctx, request.constraint, request.source)
        kind = "prebuilt" if dep.id == runtime.PREBUILT else "source"
        ctx.log.info(f"Selected R {dep.version} ({kind}, from {dep.origin})")

    flags = runtime.configure_flags(ctx) if kind == "source" else []
    metadata = {"version": dep.version, "checksum": dep.checksum, "kind": kind, "configure-flags": " ".join(flags),
                "target": ctx.target.describe(), "layout": LAYOUT}
    at_build, cache = needed_at_build(ctx, metadata, kind)
    layer = ctx.layers.cached("r", metadata, build=at_build, launch=ctx.plan.wants("r", "launch"), cache=cache)
    if not layer.reused:
        with ctx.log.section(f"Installing R {dep.version} ({kind})"):
            if kind == "prebuilt":
                runtime.install_prebuilt(ctx, dep, layer.path)
            else:
                ctx.log.info(f"No prebuilt R {dep.version} for {ctx.target.describe()} in any catalog: compiling "
                             "from CRAN's source, which takes several minutes (cached in the layer afterwards)")
                runtime.compile_from_source(ctx, dep, layer.path, flags)
            ctx.log.info(f"Rscript reports R {runtime.check_runs(ctx, layer.path)}")
        runtime.set_environment(layer, dep.version)
    layer.sbom = [dep.component()]
    return BuildResult()


def needed_at_build(ctx: BuildContext, metadata: dict, kind: str) -> tuple[bool, bool]:
    """Whether the layer is on the build and whether it is cached. Launch: the app runs R.
    Build: pycnb/r-minicran installs packages with it, unless its build inputs are what the
    previous build recorded (libbuild/buildinputs.py; `metadata` gains them): then the layer is
    launch-only and reused by metadata, with no restore and no re-tar. Cached whenever it is on
    the build: the lifecycle restores no metadata of an uncached build layer, so the next build
    could not compare.

    R compiled here keeps the old flags (on the build when required there, always cached): a
    launch-only layer has no contents to restore, so the first build after a package change
    would compile R again, for minutes, where a prebuilt is a download."""
    if kind == "source":
        return ctx.plan.wants("r", "build"), True
    at_build = buildinputs.needed_at_build(ctx, "r", "r", metadata, "R")
    return at_build, at_build


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
