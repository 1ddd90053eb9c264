"""pycnb/cpython: build."""
from __future__ import annotations

import datetime

from libbuild import BuildContext, BuildResult

from libbuild import buildinputs

from . import errors, runtime, version_sources
from .version_sources import VersionRequest


# Bumped whenever what this buildpack puts into the layer changes, so old layers rebuild.
LAYOUT = 4
# The build-only layer holding what runtime.BUILD_ONLY names.
BUILD_FILES = "cpython-build"
# How long before a line's end of life the build starts warning about it.
EOL_WARNING_DAYS = 365


def build(ctx: BuildContext) -> BuildResult:
    with ctx.log.section("Resolving CPython version"):
        request = choose_version(ctx)
        dep = runtime.resolve(ctx, request.constraint, request.source)
        kind = "prebuilt" if dep.id == runtime.PREBUILT else "source"
        ctx.log.info(f"Selected CPython {dep.version} ({kind}, from {dep.origin})")
        check_end_of_life(ctx, dep.version, dep.deprecation_date or runtime.line_eol(ctx, dep.version))

    flags = runtime.configure_flags(ctx) if kind == "source" else []
    metadata = {"version": dep.version, "checksum": dep.checksum, "kind": kind, "configure-flags": " ".join(flags),
                "target": ctx.target.describe(), "layout": LAYOUT}
    # Cached whenever it is on the build: the lifecycle restores no metadata of a build layer
    # that is not cached, so the next build could not tell it is unchanged.
    at_build = needed_at_build(ctx, metadata)
    layer = ctx.layers.cached("cpython", metadata, build=at_build, launch=ctx.plan.wants("cpython", "launch"),
                              cache=at_build)
    # Headers and ensurepip's pip wheel, for builds only (runtime.BUILD_ONLY): not in the image.
    build_files = ctx.layers.cached(BUILD_FILES, metadata, build=True, cache=True) if at_build else None
    if build_files is not None and layer.reused and not build_files.reused:
        ctx.log.info(f"Rebuilding layer 'cpython' since: layer '{BUILD_FILES}' was not restored with it")
        layer.reset()
    if not layer.reused:
        if build_files is not None:
            build_files.reset()
        with ctx.log.section(f"Installing CPython {dep.version} ({kind})"):
            if kind == "prebuilt":
                runtime.install_prebuilt(ctx, dep, layer.path)
            else:
                ctx.log.info(f"No prebuilt CPython {dep.version} for {ctx.target.describe()} in any catalog: "
                             "compiling from source, which takes several minutes (cached in the layer afterwards)")
                runtime.compile_from_source(ctx, dep, layer.path, flags)
            removed = runtime.prune(layer.path)
            if removed:
                ctx.log.detail("Left out of the layer (build tools, and modules that need Tk): " + ", ".join(removed))
            runtime.split_build_files(layer.path, ctx.layers.root / BUILD_FILES, keep=build_files is not None)
            runtime.add_unversioned_commands(layer.path)
        runtime.set_environment(layer, dep.version)
    layer.sbom = [dep.component()]
    return BuildResult()


def needed_at_build(ctx: BuildContext, metadata: dict) -> bool:
    """Whether a later buildpack runs python3 in this build; `metadata` gains the requirers'
    build-inputs digests (libbuild/buildinputs.py). Nobody needs it (a stdlib app), or every
    requirer stated unchanged build inputs: launch-only, reused by metadata with no restore and
    no re-tar."""
    return buildinputs.needed_at_build(ctx, "cpython", "cpython", metadata, "python3")


def choose_version(ctx: BuildContext) -> VersionRequest:
    # The app's own files are read (and validated) again here, so a broken version file
    # fails the build with its message rather than passing detect silently.
    own = version_sources.from_app(ctx.app_dir, ctx.setting("BP_CPYTHON_VERSION"))
    planned = []
    for e in ctx.plan.named("cpython"):
        if e.metadata.get("version"):  # from other buildpacks' files (Pipfile.lock, ...): checked the same way
            source = str(e.metadata.get("version-source", "buildpack plan"))
            planned.append(VersionRequest(version_sources.check_constraint(str(e.metadata["version"]), source), source))
    requests = list(dict.fromkeys(own + planned))
    for r in sorted(requests, key=lambda r: r.rank):
        ctx.log.detail(f"{r.source} asks for {r.constraint!r}")
    chosen = version_sources.choose(requests)
    if chosen is not None:
        ctx.log.info(f"Using version {chosen.constraint!r} from {chosen.source}")
        if chosen.source == "runtime.txt":
            ctx.log.warn("runtime.txt is deprecated as a version source; write the version in .python-version "
                         "instead and delete runtime.txt.")
        return chosen
    default = str(ctx.buildpack.metadata.get("default-versions", {}).get("cpython", ""))
    platform = ctx.setting("BP_CPYTHON_DEFAULT_VERSION")
    if platform:
        platform = version_sources.check_constraint(platform, "BP_CPYTHON_DEFAULT_VERSION")
        ctx.log.info(f"No version requested by the app; using the platform's default {platform!r} from "
                     f"BP_CPYTHON_DEFAULT_VERSION (the buildpack's own default is {default!r})")
        return VersionRequest(platform, "BP_CPYTHON_DEFAULT_VERSION")
    ctx.log.info(f"No version requested by the app; using the default {default!r} from buildpack.toml")
    return VersionRequest(default, "the buildpack default")


def check_end_of_life(ctx: BuildContext, version: str, eol: str, today: datetime.date | None = None) -> None:
    """A line past its end of life fails unless BP_CPYTHON_ALLOW_EOL=true; one close to it warns."""
    if not eol:
        return
    try:
        date = datetime.date.fromisoformat(eol[:10])
    except ValueError:
        return
    today = today or datetime.date.today()
    if today >= date:
        if not ctx.flag("BP_CPYTHON_ALLOW_EOL"):
            raise errors.end_of_life(version, date.isoformat())
        ctx.log.warn(f"CPython {version} reached end of life on {date.isoformat()} and gets no security fixes; "
                     "building anyway because BP_CPYTHON_ALLOW_EOL=true.")
    elif (date - today).days <= EOL_WARNING_DAYS:
        ctx.log.warn(f"CPython {version} reaches end of life on {date.isoformat()}; plan the move to a newer line.")
