"""Requirement files as pip reads them: validated line by line, with includes followed,
and filtered copies written when packages must be dropped before install."""
from __future__ import annotations

import hashlib
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from libbuild import errors

_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(?P<path>\S+)$")
_COMMENT = re.compile(r"(^|\s+)#.*$")
_LOCAL = re.compile(r"^(\.|/|~|file:)|(\.whl|\.tar\.gz|\.zip)$")


@dataclass
class Line:
    """One logical line of a requirements file."""
    path: Path
    number: int
    text: str
    requirement: Optional[Requirement] = None
    include: Optional[Path] = None
    local: bool = False

    @property
    def name(self) -> Optional[str]:
        return canonicalize_name(self.requirement.name) if self.requirement else None

    def where(self, app: Path) -> str:
        return f"{_rel(self.path, app)} line {self.number}"


def _rel(path: Path, app: Path) -> str:
    try:
        return str(path.relative_to(app))
    except ValueError:
        return str(path)


def _logical_lines(text: str):
    start, buf = 1, ""
    for number, raw in enumerate(text.splitlines(), 1):
        if not buf:
            start = number
        if raw.endswith("\\"):
            buf += raw[:-1] + " "
            continue
        yield start, buf + raw
        buf = ""
    if buf:
        yield start, buf


def parse(path: Path, app: Path) -> list[Line]:
    lines = []
    for number, raw in _logical_lines(path.read_text(encoding="utf-8", errors="replace")):
        text = _COMMENT.sub("", raw).strip()
        if not text:
            continue
        include = _INCLUDE.match(text)
        if include:
            target = Path(include["path"])
            lines.append(Line(path, number, text, include=target if target.is_absolute() else path.parent / target))
            continue
        if text.startswith("-e ") or text.startswith("--editable"):
            lines.append(Line(path, number, text, local=True))
            continue
        if text.startswith("-"):  # a global option such as --index-url: pip's to judge
            lines.append(Line(path, number, text))
            continue
        spec = re.split(r"\s+--?[a-z]", text, maxsplit=1)[0].strip()  # drop per-requirement options (--hash=...)
        if "${" in spec or "://" in spec and "@" not in spec or _LOCAL.search(spec):
            lines.append(Line(path, number, text, local=not "://" in spec))
            continue
        try:
            req = Requirement(spec)
        except InvalidRequirement as exc:
            raise errors.requirement_invalid(_rel(path, app), number, raw.strip(), str(exc).splitlines()[0]) from exc
        lines.append(Line(path, number, text, requirement=req, local=bool(req.url and req.url.startswith("file:"))))
    return lines


def read_all(top: list[Path], app: Path, origin: str = "the build") -> dict[Path, list[Line]]:
    """Every file reachable from the top-level files through -r/-c, in reading order.

    A missing top-level file is blamed on `origin` (what named it), an included one on its -r/-c line.
    """
    files: dict[Path, list[Line]] = {}
    pending = list(top)
    while pending:
        path = pending.pop(0)
        if path in files:
            continue
        if not path.is_file():
            raise errors.requirement_file_missing(_rel(path, app), origin if path in top else "a -r/-c line")
        files[path] = parse(path, app)
        pending += [line.include for line in files[path] if line.include]
    return files


def digest(files: dict[Path, list[Line]], app: Path) -> str:
    h = hashlib.sha256()
    for path, lines in files.items():
        h.update(_rel(path, app).encode() + b"\0")
        for line in lines:
            h.update(line.text.encode() + b"\n")
    return h.hexdigest()


def write_filtered(files: dict[Path, list[Line]], app: Path, dest: Path,
                   drop: Callable[[Line], Optional[str]]) -> tuple[list[tuple[Line, str]], dict[Path, Path]]:
    """Copies of every file without the lines `drop` gives a reason for.

    Copies keep their paths relative to the app, so -r/-c includes still resolve.
    Returns the dropped lines with reasons and the mapping original -> copy.
    """
    dropped, copies = [], {}
    for path, lines in files.items():
        copy = dest / _rel(path, app).lstrip("/")
        copy.parent.mkdir(parents=True, exist_ok=True)
        kept = []
        for line in lines:
            reason = drop(line)
            if reason:
                dropped.append((line, reason))
                kept.append(f"# dropped by pycnb ({reason}): {line.text}")
            elif line.include and line.include in files:
                option = line.text.split()[0].split("=")[0]
                kept.append(f"{option} {shlex.quote(str(dest / _rel(line.include, app).lstrip('/')))}")
            else:
                kept.append(line.text)
        copy.write_text("\n".join(kept) + "\n")
        copies[path] = copy
    return dropped, copies
