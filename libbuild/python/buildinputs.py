"""Build inputs: a digest, taken at detect, of everything an install step's result depends on
besides the interpreter.

An installer puts it in its `cpython` (and `pip`) requirement as `build-inputs`. pycnb/cpython
records the digests it saw; while every build-time requirer's digest and the interpreter are
unchanged, nobody needs python3 at build, so the interpreter stays a launch-only layer reused
by metadata (no restore, no re-tar), and the installer reuses its launch-only layer the same
way. Any change, or an input this digest cannot see, makes the interpreter available at build
as before (README: "Layer flags and why").

`None` means "cannot tell at detect": the requirer then needs python3 at build every time.
"""
from __future__ import annotations

import os

from .. import appfiles

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Optional

    from ..context import DetectContext

PLAN_KEY = "build-inputs"
# Set at build by pycnb/cpython's layer when the interpreter is on PATH for later buildpacks.
AT_BUILD_ENV = "PYCNB_CPYTHON_VERSION"
# Requirement-file lines that name something outside the files themselves (local paths,
# other indexes' directories): their contents are not hashed here, so they disable the digest.
_LOCAL_PREFIXES = ("-e", "--editable", ".", "/", "~", "file:", "-f", "--find-links", "--src")
_INCLUDES = ("-r", "--requirement", "-c", "--constraint")
_MAX_FILES = 64
_LIMIT = 1024 * 1024


def digest(ctx: "DetectContext", files: "Iterable[str]", follow_includes: bool = False,
           absent: "Iterable[str]" = ()) -> "Optional[str]":
    """sha256 over the buildpack's own descriptor, the platform's settings, the bytes of
    `files` (and, with `follow_includes`, the requirement files they include), or None when
    something they depend on lies outside what is hashed: a binding, a local path, one of
    `absent` present in the app."""
    import hashlib

    # Bindings (pip.conf, CA certificates, credentials) stay out of a digest written into image metadata.
    if ctx.has_bindings() or any(appfiles.exists(ctx.app_dir, name) for name in absent):
        return None
    h = hashlib.sha256()
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
        except Exception:  # unreadable or outside the app: build reports it, and needs python3 to
            return None
        h.update(f"\0file\0{name}\0".encode("utf-8", "surrogateescape") + data)
        if follow_includes:
            included = _includes(data, name)
            if included is None:
                return None
            pending.extend(included)
    return h.hexdigest()


def _includes(data: bytes, name: str) -> "Optional[list[str]]":
    """Files a requirements file includes (relative to it), or None when a line names a local
    path or a directory of archives."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    out = []
    base = os.path.dirname(name)
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        word = line.split(None, 1)[0]
        if word in _INCLUDES:
            target = line[len(word):].strip()
        elif word.startswith(("--requirement=", "--constraint=")):
            target = word.split("=", 1)[1]
        elif word.startswith(("-r", "-c")):
            target = word[2:]
        else:
            target = None
        if target is not None:
            if not target or "://" in target:
                return None
            out.append(os.path.normpath(os.path.join(base, target)))
        elif (line.startswith(_LOCAL_PREFIXES) or "file:" in line
              or ("/" in word and "://" not in word and not word.startswith("-"))):  # a local path
            return None
    return out


def planned(entries: "Iterable") -> "Optional[list[str]]":
    """The build-inputs digests of the plan's build-time requirers, sorted; None when any of
    them gave none (it needs python3 at build every time)."""
    found = []
    for e in entries:
        build = e.metadata.get("build")
        if not (build is True or str(build).strip().lower() in ("true", "1", "yes")):
            continue
        value = e.metadata.get(PLAN_KEY)
        if not isinstance(value, str) or not value:
            return None
        found.append(value)
    return sorted(found)


def python_at_build(settings) -> bool:
    """Whether pycnb/cpython put the interpreter on PATH for this build (the stack's own
    python3 never counts)."""
    return bool((settings.get(AT_BUILD_ENV) or "").strip())


def reuse_unchanged(ctx, inputs: "Optional[str]", buildpack: str) -> None:
    """python3 is not on PATH at build: pycnb/cpython saw `buildpack`'s build inputs unchanged,
    so the previous image's launch-only `packages` layer is kept by metadata (its SBOM comes
    back with the previous image's)."""
    from .. import errors
    previous = ctx.layers.previous("packages")
    if (not inputs or previous is None or previous.metadata.get(PLAN_KEY) != inputs
            or not ctx.plan.wants("site-packages", "launch") or ctx.plan.wants("site-packages", "build")):
        raise errors.build_inputs_disagree(buildpack)
    ctx.log.info("Lock or requirements, settings and interpreter unchanged since the previous build")
    if not ctx.layers.cached("packages", previous.metadata, launch=True).reused:
        raise errors.build_inputs_disagree(buildpack)
