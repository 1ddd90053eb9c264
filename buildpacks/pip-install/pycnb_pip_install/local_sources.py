"""A digest of the local directories and archives requirements install from (-e ., ./pkg,
file: URLs), so that editing them rebuilds the layer.

Their paths were confined to the app when the requirements were read; the walk stays
there too: symlinks are hashed by their target text, never followed or read, and the
walk is bounded, so a huge tree cannot stall the build.
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from libbuild.log import Logger

from .requirements import RequirementFiles

_SKIPPED = {".git", "__pycache__", ".venv", "node_modules", ".tox", ".nox"}
# Beyond these the sources are not fingerprinted: the layer is rebuilt every time instead
# (never reused stale), and the log says so.
MAX_FILES = 20_000
MAX_BYTES = 256 * 1024 * 1024


class _TooLarge(Exception):
    pass


def digest(reqs: RequirementFiles, app: Path, log: Logger,
           max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES) -> str:
    h = hashlib.sha256()
    budget = {"files": max_files, "bytes": max_bytes}
    roots = sorted({line.local for lines in reqs.files.values() for line in lines if line.local is not None})
    try:
        for root in roots:
            h.update(os.fsencode(str(root)) + b"\0")
            _hash_tree(h, root, budget)
    except _TooLarge:
        log.warn(f"The local sources requirements install from ({', '.join(_rel(r, app) for r in roots)}) hold more "
                 f"than {max_files} files or {max_bytes // (1024 * 1024)} MiB: the packages layer is rebuilt on every "
                 "build. Exclude build output from them, or install them as wheels.")
        return hashlib.sha256(os.urandom(32)).hexdigest()
    return h.hexdigest()


def _rel(path: Path, app: Path) -> str:
    try:
        return str(path.relative_to(os.path.realpath(app))) or "."
    except ValueError:
        return str(path)


def _hash_tree(h, root: Path, budget: dict) -> None:
    if root.is_file():
        _hash_file(h, root, root.name, budget)
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=None):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED)
        for d in list(dirnames):
            full = os.path.join(dirpath, d)
            if os.path.islink(full):  # a linked directory is not entered: its target is hashed instead
                dirnames.remove(d)
                h.update(os.fsencode(os.path.relpath(full, root)) + b"\0->" + os.fsencode(os.readlink(full)) + b"\0")
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            _hash_file(h, Path(full), os.path.relpath(full, root), budget)


def _hash_file(h, path: Path, rel: str, budget: dict) -> None:
    budget["files"] -= 1
    if budget["files"] < 0:
        raise _TooLarge()
    h.update(os.fsencode(rel) + b"\0")
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            h.update(b"->" + os.fsencode(os.readlink(path)))
            return
        if not stat.S_ISREG(info.st_mode):
            h.update(b"special")
            return
        budget["bytes"] -= info.st_size
        if budget["bytes"] < 0:
            raise _TooLarge()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:  # unreadable for the build user: pip reports it if it matters
        h.update(f"unreadable:{exc.errno}".encode())
