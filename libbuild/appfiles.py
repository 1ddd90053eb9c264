"""The confinement rule: every path an app names is read only if it stays inside the app.

On a build service the app author is not the platform: a requirements include, a
symlinked Procfile or a BP_* path must not reach /platform/bindings or /etc. Every
buildpack reads app-named files through this module:

- symlinks are resolved first, then the real path must lie under the app directory or
  under a root the platform configured (a binding, a documented setting);
- only regular files are read, and at most `limit` bytes;
- a refused file's contents are never read, so they can never be echoed.

Text is decoded as pip decodes requirement files: a BOM selects UTF-8/16/32, else a
`# -*- coding: ... -*-` line in the first two lines, otherwise UTF-8; a byte that is not
valid is reported with its line and offset.
"""
from __future__ import annotations

import codecs
import os
import re
from pathlib import Path
TYPE_CHECKING = False  # typing is not imported on the detect path
if TYPE_CHECKING:
    from typing import Iterable, Optional

from . import errors

# Generous for every manifest people write; small enough that a hostile file cannot
# flood memory or the log.
DEFAULT_LIMIT = 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16: same prefix
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


# pip honours a PEP 263 coding line (pip/_internal/utils/encoding.py); so does the check.
_CODING = re.compile(rb"coding[:=]\s*([-\w.]+)")


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def confine(app_dir: Path, name: str | os.PathLike, what: str, allowed: Iterable[Path] = (),
            shown: Optional[str] = None) -> Path:
    """The real path of `name` (relative to the app, or absolute), if it stays inside the
    app or an allowed root; otherwise a UserError naming the path (as `shown`, when the
    user wrote it differently) and the rule."""
    app_real = Path(os.path.realpath(app_dir))
    candidate = Path(name)
    if not candidate.is_absolute():
        candidate = app_real / candidate
    try:
        real = Path(os.path.realpath(candidate))
        os.fsencode(real)
    except (ValueError, OSError):  # a NUL byte or an unencodable name: no file has it
        raise errors.app_file_missing(what, shown or str(name)) from None
    roots = [app_real] + [Path(os.path.realpath(r)) for r in allowed]
    if not any(_within(real, root) for root in roots):
        raise errors.path_outside_app(what, shown or str(name), _shown(candidate, app_real, real))
    return real


def _shown(candidate: Path, app: Path, real: Path) -> str:
    """Where a refused path leads, said without reading it."""
    return str(real) if real != candidate else ""


def exists(app_dir: Path, name: str | os.PathLike) -> bool:
    """Whether the app has something at `name` (a dangling or escaping link counts: reading
    it then reports why it cannot be used)."""
    path = Path(app_dir) / name
    return path.exists() or path.is_symlink()


def read_bytes(app_dir: Path, name: str | os.PathLike, what: str, limit: int = DEFAULT_LIMIT,
               allowed: Iterable[Path] = ()) -> bytes:
    real = confine(app_dir, name, what, allowed)
    if not real.exists():
        raise errors.app_file_missing(what, str(name))
    if not real.is_file():
        raise errors.app_file_not_regular(what, str(name))
    try:
        with open(real, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise errors.app_file_unreadable(what, str(name), exc.strerror or str(exc)) from None
    if len(data) > limit:
        raise errors.app_file_too_large(what, str(name), limit)
    return data


def encoding_of(data: bytes) -> tuple[str, bool]:
    """(encoding, declared): the encoding pip would pick — a BOM, else a PEP 263 coding
    line in the first two lines, else UTF-8 — and whether the file itself declared it."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, True
    for line in data.split(b"\n")[:2]:
        match = _CODING.search(line) if line[:1] == b"#" else None
        if match:
            return match.group(1).decode("ascii"), True
    return "utf-8", False


def decode(data: bytes, what: str) -> str:
    """Bytes to text as pip reads requirement files (BOM, else a coding line, else UTF-8)."""
    encoding, _ = encoding_of(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise errors.app_file_undecodable(what, encoding, line, column, data[exc.start:exc.start + 1]) from None
    except (LookupError, UnicodeError, ValueError):  # an unknown or non-text codec in a coding line
        raise errors.app_file_unknown_encoding(what, encoding) from None
    if not isinstance(text, str):
        raise errors.app_file_unknown_encoding(what, encoding)
    return text


def read_text(app_dir: Path, name: str | os.PathLike, what: str, limit: int = DEFAULT_LIMIT,
              allowed: Iterable[Path] = ()) -> str:
    return decode(read_bytes(app_dir, name, what, limit, allowed), what)


def read_optional_text(app_dir: Path, name: str | os.PathLike, what: Optional[str] = None,
                       limit: int = DEFAULT_LIMIT) -> Optional[str]:
    """The text of an optional manifest, or None when the app has none."""
    if not exists(app_dir, name):
        return None
    return read_text(app_dir, name, what or str(name), limit)
