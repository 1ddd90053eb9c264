"""pycnb/cpython: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult

from . import runtime, version_sources
from .version_sources import VersionRequest


# Bumped whenever what this buildpack puts into the layer changes, so old layers rebuild.
LAYOUT = 2


def build(ctx: BuildContext) -> BuildResult:
    with ctx.log.section("Resolving CPython version"):
        request = choose_version(ctx)
        dep = runtime.resolve(ctx, request.constraint, request.source)
        kind = "prebuilt" if dep.id == runtime.PREBUILT else "source"
        ctx.log.info(f"Selected CPython {dep.version} ({kind}, from {dep.origin})")
        if dep.deprecated():
            ctx.log.warn(f"CPython {dep.version} reached end of life on {dep.deprecation_date[:10]}; plan an upgrade.")

    flags = runtime.configure_flags(ctx) if kind == "source" else []
    layer = ctx.layers.cached(
        "cpython",
        {"version": dep.version, "checksum": dep.checksum, "kind": kind, "configure-flags": " ".join(flags),
         "target": ctx.target.describe(), "layout": LAYOUT},
        build=ctx.plan.wants("cpython", "build"), launch=ctx.plan.wants("cpython", "launch"), cache=True)
    if not layer.reused:
        with ctx.log.section(f"Installing CPython {dep.version} ({kind})"):
            if kind == "prebuilt":
                runtime.install_prebuilt(ctx, dep, layer.path)
            else:
                runtime.compile_from_source(ctx, dep, layer.path, flags)
            runtime.add_unversioned_commands(layer.path)
        runtime.set_environment(layer, dep.version)
    layer.sbom = [dep.component()]
    return BuildResult()


def choose_version(ctx: BuildContext) -> VersionRequest:
    requests = [VersionRequest(str(e.metadata["version"]), str(e.metadata.get("version-source", "buildpack plan")))
                for e in ctx.plan.named("cpython") if e.metadata.get("version")]
    for r in sorted(requests, key=lambda r: r.rank):
        ctx.log.detail(f"{r.source} asks for {r.constraint!r}")
    chosen = version_sources.choose(requests)
    if chosen is not None:
        ctx.log.info(f"Using version {chosen.constraint!r} from {chosen.source}")
        if chosen.source == "runtime.txt":
            ctx.log.warn("runtime.txt is a legacy version source; move the version to .python-version.")
        return chosen
    default = str(ctx.buildpack.metadata.get("default-versions", {}).get("cpython", ""))
    ctx.log.info(f"No version requested by the app; using the default {default!r} from buildpack.toml")
    return VersionRequest(default, "the buildpack default")
