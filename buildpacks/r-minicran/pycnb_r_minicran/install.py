"""pycnb/r-minicran: the install path, imported only when R is on the build (a code-only
rebuild whose build inputs are unchanged reuses the library without it)."""
from __future__ import annotations

import hashlib
import json

from libbuild import BuildContext, BuildResult, buildinputs, sbom

from . import inputs, installer, repositories

# Bumped whenever what this buildpack puts into the layer changes, so old layers rebuild.
LAYOUT = 1


def install(ctx: BuildContext, stated) -> BuildResult:
    """Resolve the app's R packages against the repositories and install them into the
    r-library layer; `stated` is detect's build-inputs digest (None: the layer is cached)."""
    with ctx.log.section("Reading the app's R packages"):
        request = inputs.read(ctx.app_dir)
        pinned = len(request.pinned)
        ctx.log.info(f"{_count(len(request.packages), 'package')} from {request.origin}"
                     + (f" ({pinned} at exact versions)" if pinned else ""))
    with ctx.log.section("Reading the repository index"):
        repos, where = repositories.configured(ctx.app_dir, ctx.settings, ctx.bindings, ctx.log)
        ctx.log.info(f"Repositories from {where}: {', '.join(r.shown for r in repos)}")
        indexes = [repositories.read_index(r, ctx.app_dir) for r in repos]
        ctx.log.info(f"{_count(sum(len(i.records) for i in indexes), 'package')} in the index")
        archives = repositories.check_requested(request.packages, indexes, ctx.app_dir)
        r_version = installer.r_version(ctx)

    # Everything that decides the library's contents; repository URLs without credentials.
    metadata = {
        "packages": request.digest()[:16],
        "index": _digest([[i.repo.shown, i.digest] for i in indexes])[:16],
        "r": r_version,
        "target": ctx.target.describe(),
        "layout": LAYOUT,
    }
    # Stated build inputs: launch-only and uncached, reused by metadata while they and R are
    # unchanged (pycnb/r then keeps R off the build). Otherwise cached, as R runs every build.
    transient = bool(stated) and not ctx.plan.wants("r-packages", "build")
    if transient:
        metadata[buildinputs.PLAN_KEY] = stated
    layer = ctx.layers.cached("r-library", metadata, launch=True, cache=not transient)
    if not layer.reused:
        with ctx.log.section(f"Installing R packages from {where}"):
            outcome = installer.install(ctx, request, repos, archives, layer.path)
            stripped = installer.strip_libraries(layer.path)
            ctx.log.info(f"Installed {_count(len(outcome.installed), 'package')}"
                         + (f"; stripped {stripped} shared libraries" if stripped else ""))
        layer.env.prepend("R_LIBS_SITE", str(layer.path), delim=":")
    if layer.path.is_dir():  # else reused by metadata: the previous image's SBOM comes back with it
        layer.sbom = sbom.r_packages(layer.path)
        ctx.log.info(f"{_count(len(layer.sbom), 'package')} in the r-library layer")
    return BuildResult()


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
