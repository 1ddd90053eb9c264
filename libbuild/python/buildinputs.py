"""Build inputs (libbuild/buildinputs.py) as the Python buildpacks use them: requirement-file
includes, and whether pycnb/cpython put python3 on the build.

An installer puts its digest in its `cpython` (and `pip`/`uv`) requirement; pycnb/cpython
records them, and while they and the interpreter are unchanged python3 stays off the build.
"""
from __future__ import annotations

import os

from .. import buildinputs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterable, Optional

    from ..context import BuildContext, DetectContext

# Set at build by pycnb/cpython's layer when the interpreter is on PATH for later buildpacks.
AT_BUILD_ENV = "PYCNB_CPYTHON_VERSION"
# Requirement-file lines that name something outside the files themselves (local paths,
# other indexes' directories): their contents are not hashed here, so they disable the digest.
_LOCAL_PREFIXES = ("-e", "--editable", ".", "/", "~", "file:", "-f", "--find-links", "--src")
_INCLUDES = ("-r", "--requirement", "-c", "--constraint")
# Vendored wheel directories an app may carry (pipconfig uses them at build; detect reads them
# here so it does not import pipconfig).
WHEELHOUSE_DIRS = ("wheelhouse", "vendor")
# Settings naming directories of archives pip reads: their contents are not hashed.
FIND_LINKS_SETTINGS = ("BP_PIP_FIND_LINKS", "PIP_FIND_LINKS")


def requirement_includes(data: bytes, name: str) -> "Optional[list[str]]":
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


def python_at_build(settings) -> bool:
    """Whether pycnb/cpython put the interpreter on PATH for this build (the stack's own
    python3 never counts)."""
    return bool((settings.get(AT_BUILD_ENV) or "").strip())


def lock_digest(ctx: "DetectContext", files: "Iterable[str]", local: "Callable[[bytes], bool]") -> "Optional[str]":
    """The build inputs of an install from a lock and its manifest (poetry.lock and
    pyproject.toml, Pipfile.lock and Pipfile), or None when what gets installed also depends on
    files the digest cannot see: directories of archives named by settings, a vendored
    wheelhouse, or a package on the app's disk (`local(data)` is true for one of `files`)."""
    if any(ctx.setting(name) for name in FIND_LINKS_SETTINGS):
        return None
    return buildinputs.digest(ctx, files, absent=WHEELHOUSE_DIRS,
                              includes=lambda data, name: None if local(data) else [])


def tool_unneeded(ctx: "BuildContext", tool: str, use: str = "") -> bool:
    """Whether nothing runs `tool` (pip, Poetry, pipenv) in this build: every requirer stated
    its build inputs and pycnb/cpython kept python3 off the build, so they are all unchanged
    (and reuse their layers). A requirer without a digest needs python3 on the build. `use`
    words the log line ("installs with pip"; default "runs <tool>")."""
    if python_at_build(ctx.environ):
        return False
    if buildinputs.planned(ctx.plan.named(tool)) is None:
        from .. import errors
        raise errors.python_missing_at_build(f"pycnb/{tool}")
    ctx.log.info(f"Nothing to do: no buildpack {use or 'runs ' + tool} in this build (their build inputs are unchanged)")
    return True
