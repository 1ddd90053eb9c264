"""Build inputs: a digest, taken at detect, of everything an install step's result depends on
besides the runtime (CPython, the conda tools, R) it runs.

An installer puts it in its requirement of the runtime as `build-inputs`. The runtime's
buildpack records the digests it saw; while every build-time requirer's digest and the runtime
are unchanged, nobody runs the runtime at build, so its layer stays launch-only (or is not
contributed at all) and is reused by metadata — no restore, no re-tar — and the installer
reuses its launch-only layer the same way. Any change, or an input this digest cannot see,
puts the runtime on the build as before (README: "Layer flags and why").

`None` means "cannot tell at detect": the requirer then needs the runtime at build every time.
The detect path imports nothing heavy: this module is imported by detect scripts.
"""
from __future__ import annotations

from . import appfiles

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterable, Optional

    from .context import BuildContext, DetectContext

PLAN_KEY = "build-inputs"
# Bindings that decide how tools and runtimes are fetched or which certificates are trusted,
# never which packages an install gets: a digest may name their types and go on.
NEUTRAL_TYPES = frozenset({"ca-certificates", "dependency-mapping", "dependency-mirror", "dependency-catalog"})
_MAX_FILES = 64
_LIMIT = 1024 * 1024


def digest(ctx: "DetectContext", files: "Iterable[str]", absent: "Iterable[str]" = (),
           includes: "Optional[Callable[[bytes, str], Optional[list[str]]]]" = None,
           bindings: "Optional[Callable[[list], Optional[bytes]]]" = None) -> "Optional[str]":
    """sha256 over the buildpack's own descriptor, the platform's settings and the bytes of
    `files` (and of the files `includes(data, name)` says each one includes), or None when
    something they depend on lies outside what is hashed: a binding, an unreadable file, one of
    `absent` present in the app, or `includes` returning None.

    `bindings(ctx.bindings)` describes the mounted bindings with no secret in the description
    (None: it cannot); by default `neutral_bindings`, which accepts only NEUTRAL_TYPES."""
    # Bindings (pip.conf, CA certificates, credentials) stay out of a digest written into image
    # metadata; only a caller's secret-free description of them may enter it.
    if any(appfiles.exists(ctx.app_dir, name) for name in absent):
        return None
    described = b""
    if ctx.has_bindings():
        described = (bindings or neutral_bindings)(ctx.bindings)
        if described is None:
            return None
    h = _sha256()
    if described:
        h.update(b"\0bindings\0" + described)
    try:
        h.update((ctx.buildpack_dir / "buildpack.toml").read_bytes())
    except OSError:
        return None
    for key in sorted(ctx.platform_env):
        h.update(f"\0env\0{key}\0{ctx.platform_env[key]}".encode("utf-8", "surrogateescape"))
    pending, seen = list(files), set()
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.add(name)
        if len(seen) > _MAX_FILES:
            return None
        try:
            data = appfiles.read_bytes(ctx.app_dir, name, name, limit=_LIMIT)
        except Exception:  # unreadable or outside the app: build reports it, and needs the runtime to
            return None
        h.update(f"\0file\0{name}\0".encode("utf-8", "surrogateescape") + data)
        if includes is not None:
            included = includes(data, name)
            if included is None:
                return None
            pending.extend(included)
    return h.hexdigest()


def neutral_bindings(bindings: list) -> "Optional[bytes]":
    """Their types, when every binding is of a neutral type; None otherwise (a `pip` binding's
    index or credentials, an S3 source, anything unknown: the requirer then gives no digest)."""
    if any(b.type not in NEUTRAL_TYPES for b in bindings):
        return None
    return "\0".join(sorted(b.type for b in bindings)).encode()


def _sha256():
    """hashlib's sha256 without hashlib: importing it loads OpenSSL (~3 ms of every detect)."""
    try:
        from _sha2 import sha256  # Python >= 3.12
    except ImportError:
        try:
            from _sha256 import sha256
        except ImportError:
            from hashlib import sha256
    return sha256()


def planned(entries: "Iterable") -> "Optional[list[str]]":
    """The build-inputs digests of the plan's build-time requirers, sorted; None when any of
    them gave none (it needs the runtime at build every time). Build-time only: it reads the
    plan with descriptors' rules."""
    from .descriptors import truthy
    found = []
    for e in entries:
        if not truthy(e.metadata.get("build")):
            continue
        value = e.metadata.get(PLAN_KEY)
        if not isinstance(value, str) or not value:
            return None
        found.append(value)
    return sorted(found)


def needed_at_build(ctx: "BuildContext", name: str, layer: str, metadata: dict, runtime: str) -> bool:
    """Whether a later buildpack runs the runtime `name` (its layer `layer`) in this build;
    `metadata` (the layer's) gains the requirers' digests.

    Nobody requires it at build: no. Somebody does: yes, unless every such requirer stated
    digests of its build inputs and those and the runtime are what the previous build recorded
    in the layer's metadata; then nobody runs it, and the layer can be launch-only. (The first
    build after a change still restores the cached contents once.)"""
    if not ctx.plan.wants(name, "build"):
        return False
    inputs = planned(ctx.plan.named(name))
    if inputs is None or not ctx.plan.wants(name, "launch"):
        return True
    metadata[PLAN_KEY] = inputs
    previous = ctx.layers.previous(layer)
    if previous is not None and previous.metadata == metadata:
        ctx.log.info(f"{runtime} is not needed at build: the build inputs of every buildpack that runs it are "
                     "unchanged")
        return False
    ctx.log.info(f"{runtime} is needed at build: " + ("first build" if previous is None else
                                                      "the runtime or a buildpack's build inputs changed"))
    return True


def reuse_unchanged(ctx: "BuildContext", inputs: "Optional[str]", buildpack: str, runtime: str,
                    layer: str = "packages", provides: str = "site-packages") -> None:
    """The runtime is not available at build: its buildpack saw `buildpack`'s build inputs
    unchanged, so the previous image's launch-only `layer` is kept by metadata (its SBOM comes
    back with the previous image's)."""
    from . import errors
    previous = ctx.layers.previous(layer)
    if (not inputs or previous is None or previous.metadata.get(PLAN_KEY) != inputs
            or not ctx.plan.wants(provides, "launch") or ctx.plan.wants(provides, "build")):
        raise errors.build_inputs_disagree(buildpack, runtime)
    ctx.log.info("Build inputs (lock or requirements, settings) and runtime unchanged since the previous build")
    if not ctx.layers.cached(layer, previous.metadata, launch=True).reused:
        raise errors.build_inputs_disagree(buildpack, runtime)
