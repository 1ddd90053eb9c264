"""Requirement files as pip reads them: decoded, joined and split the way pip does, every
path they name (includes, local packages, find-links) confined to the app, includes
followed, and filtered copies written when packages must be dropped before install."""
from __future__ import annotations

import hashlib
import os
import re
import shlex
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Mapping, Optional, Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from libbuild import appfiles, errors

# pip's own patterns (pip/_internal/req/req_file.py), so the buildpack splits lines as pip does.
_COMMENT = re.compile(r"(^|\s+)#.*$")
_ENV_VAR = re.compile(r"(?P<var>\$\{(?P<name>[A-Z0-9_]+)\})")
_ARCHIVE = (".whl", ".tar.gz", ".tgz", ".tar", ".zip", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz",
            ".tar.lzma")
_EXTRAS = re.compile(r"^(?P<path>.*?)(?P<extras>\[[^\]]*\])?$")
_NAMED_URL = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@")
_VCS = ("git+", "hg+", "svn+", "bzr+")
# Options whose value is a file or a location: the value is checked, the option kept for pip.
_INCLUDES = {"-r": "-r", "--requirement": "-r", "-c": "-c", "--constraint": "-c"}
_VALUED = {"-e": "-e", "--editable": "-e", "-f": "-f", "--find-links": "-f", "-i": "-i", "--index-url": "-i",
           "--extra-index-url": "-i", **_INCLUDES}


@dataclass
class Line:
    """One logical line of a requirements file (as written, comments removed)."""
    path: Path
    number: int
    text: str
    requirement: Optional[Requirement] = None
    include: Optional[Path] = None    # -r/-c: the real path of the included file
    local: Optional[Path] = None      # a local directory or archive it installs (real path)
    installs: bool = False            # a line that installs something (counted for the log)
    copy_text: Optional[str] = None   # the line for a copy elsewhere, when `text` depends on where it is
    constrains: bool = False          # -c: the included file only constrains versions

    @property
    def name(self) -> Optional[str]:
        return canonicalize_name(self.requirement.name) if self.requirement else None

    def where(self, app: Path) -> str:
        return f"{_rel(self.path, app)} line {self.number}"


def _rel(path: Path, app: Path) -> str:
    try:
        return str(path.relative_to(_real(app)))
    except ValueError:
        return str(path)


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def logical_lines(text: str):
    """(first line number, line) as pip joins continuation lines: a trailing backslash
    joins the next line directly; a comment line never continues."""
    start, parts = 1, []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.endswith("\\") or _COMMENT.match(raw):
            if _COMMENT.match(raw):
                raw = " " + raw
            if parts:
                yield start, "".join(parts) + raw
                parts = []
            else:
                yield number, raw
        else:
            if not parts:
                start = number
            parts.append(raw.strip("\\"))
    if parts:
        yield start, "".join(parts)


def _expand(text: str, environ: Mapping[str, str]) -> str:
    """${NAME} as pip expands it (upper-case names only; unknown ones stay as written)."""
    for var, name in _ENV_VAR.findall(text):
        value = environ.get(name)
        if value is not None:
            text = text.replace(var, value)
    return text


def _file_url_path(url: str) -> Optional[str]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "file":
        return None
    if parts.netloc not in ("", "localhost"):
        return f"//{parts.netloc}{urllib.parse.unquote(parts.path)}"
    return urllib.parse.unquote(parts.path)


class _Reader:
    """Checks the lines of one file; knows where it is and what pip would resolve against."""

    def __init__(self, path: Path, app: Path, environ: Mapping[str, str]):
        self.path, self.app, self.environ = path, _real(app), environ
        self.rel = _rel(path, app)

    def where(self, number: int) -> str:
        return f"{self.rel} line {number}"

    def invalid(self, number: int, raw: str, detail: str) -> errors.UserError:
        return errors.requirement_invalid(self.rel, number, raw.strip(), detail)

    def confined(self, number: int, name: str, kind: str, must_exist: bool = True,
                 relative_to: Optional[Path] = None, shown: Optional[str] = None) -> Path:
        """The real path of a location a line names, which must stay inside the app."""
        what = f"{self.where(number)} ({kind})"
        if "\0" in name:
            raise errors.requirement_invalid(self.rel, number, name, "a path cannot contain a NUL byte")
        expanded = os.path.expanduser(name) if name.startswith("~") else name
        base = relative_to if relative_to is not None else self.app
        candidate = expanded if os.path.isabs(expanded) else base / expanded
        real = appfiles.confine(self.app, candidate, what, shown=shown or name)
        if must_exist and not real.exists():
            raise errors.app_file_missing(what, shown or name)
        return real

    def location(self, number: int, value: str, kind: str, relative_to: Optional[Path] = None) -> Optional[Path]:
        """A path or file: URL is confined; any other URL is pip's to fetch."""
        file_path = _file_url_path(value) if value.lower().startswith("file:") else None
        if file_path is not None:
            return self.confined(number, file_path, kind, shown=value)
        if "://" in value:
            return None
        return self.confined(number, value, kind, relative_to=relative_to)

    def options(self, number: int, raw: str, text: str) -> Line:
        try:
            tokens = shlex.split(text)
        except ValueError as exc:
            raise self.invalid(number, raw, f"unbalanced quoting: {exc}") from None
        line = Line(self.path, number, text)
        i = 0
        moved = [[t] for t in tokens]  # file-relative locations made absolute, for copies
        while i < len(tokens):
            option, value, at = tokens[i], None, i
            if "=" in option and option.startswith("--") and option.split("=", 1)[0] in _VALUED:
                option, value = option.split("=", 1)
            elif option[:2] in _VALUED and len(option) > 2 and not option.startswith("--"):
                option, value = option[:2], option[2:]
            elif option in _VALUED:
                if i + 1 >= len(tokens):
                    raise self.invalid(number, raw, f"{option} needs a value")
                value = tokens[i + 1]
                i += 1
            i += 1
            if value is None:
                continue  # a flag such as --no-index or --pre: pip's to judge
            kind = _VALUED.get(option)
            if kind in ("-r", "-c"):
                if line.include is None:  # pip follows the first include of a line
                    line.include = self.location(number, value, f"{option} include", relative_to=self.path.parent)
                    line.constrains = kind == "-c"
            elif kind == "-e":
                line.installs = True
                line.local = self._editable(number, value)
            elif kind == "-f":
                # pip looks next to the requirements file first, then in the working directory.
                beside = self.path.parent / value
                line_base = self.path.parent if "://" not in value and beside.exists() else None
                real = self.location(number, value, "--find-links", relative_to=line_base)
                if real is not None:
                    moved[at] = ["--find-links", str(real)]
                    if tokens[at] == option:
                        moved[at + 1] = []
                    line.copy_text = shlex.join(t for ts in moved for t in ts)
            elif kind == "-i" and value.lower().startswith("file:"):
                self.location(number, value, option)
        return line

    def _editable(self, number: int, value: str) -> Optional[Path]:
        if value.startswith(_VCS) or ("://" in value and not value.lower().startswith("file:")):
            return None
        target = value.split("#", 1)[0]
        if target.lower().startswith("file:"):
            return self.location(number, target, "-e")
        return self.confined(number, _EXTRAS.match(target)["path"], "-e")

    def requirement(self, number: int, raw: str, text: str) -> Line:
        # pip: arguments up to the first token starting with "-", then per-requirement options (--hash=...).
        tokens = text.split(" ")
        args = []
        for token in tokens:
            if token.startswith("-"):
                break
            args.append(token)
        spec = " ".join(args).strip()
        line = Line(self.path, number, text, installs=True)
        named_url = _NAMED_URL.match(spec)  # name @ url: PEP 508, whatever the url looks like
        is_url = "://" in spec and not named_url
        if is_url or spec.lower().startswith("file:"):
            target = spec.split("; ", 1)[0].split("#", 1)[0].strip()
            if target.lower().startswith("file:"):
                line.local = self.location(number, target, "a local package")
            return line
        path_part = _EXTRAS.match(spec.split(";", 1)[0].strip())["path"]
        if not named_url and "/" in path_part or path_part.startswith((".", "~")) or path_part.lower().endswith(_ARCHIVE):
            line.local = self.confined(number, path_part, "a local package")
            return line
        try:
            line.requirement = Requirement(spec)
        except InvalidRequirement as exc:
            raise self.invalid(number, raw, str(exc).splitlines()[0] if str(exc) else "not a requirement") from None
        if line.requirement.url and line.requirement.url.lower().startswith("file:"):
            line.local = self.location(number, line.requirement.url, "a local package")
        return line


def parse(text: str, path: Path, app: Path, environ: Mapping[str, str] = {}) -> list[Line]:
    """The lines of one requirements file (already decoded) at the real path `path`."""
    reader = _Reader(path, app, environ)
    lines = []
    for number, raw in logical_lines(text):
        stripped = _COMMENT.sub("", raw).strip()
        if not stripped:
            continue
        expanded = _expand(stripped, environ)
        if expanded.startswith("-"):
            line = reader.options(number, raw, expanded)
        else:
            line = reader.requirement(number, raw, expanded)
        line.text = stripped  # pip expands ${VAR} itself: copies keep the line as written
        lines.append(line)
    return lines


@dataclass
class RequirementFiles:
    """Every file reachable from the top-level ones, in reading order (real paths)."""
    top: list[Path]
    files: dict[Path, list[Line]]
    declared: list[Path]  # files with a BOM or coding line: pip gets UTF-8 copies of those (see build)
    constraints: set[Path]  # files read only as constraints (-c, PIP_CONSTRAINT)

    def install_lines(self) -> int:
        return sum(1 for path, lines in self.files.items() if path not in self.constraints
                   for line in lines if line.installs)


def read_all(top: list[str], app: Path, origin: str = "the build", environ: Mapping[str, str] = {},
             named: Sequence[tuple[str, str]] = ()) -> RequirementFiles:
    """Read and check the top-level files (app-relative names) and all they include.

    `named` adds (file, setting) pairs, such as constraint files from PIP_CONSTRAINT.
    A top-level file that cannot be used is blamed on `origin` or its setting (what named
    it), an included one on its -r/-c line.
    """
    files: dict[Path, list[Line]] = {}
    declared: list[Path] = []
    top_real = []
    constraining, requiring = set(), set()
    for name, what in [(name, origin) for name in top] + list(named):
        real = appfiles.confine(app, name, what)
        _check_file(app, real, what, name)
        top_real.append(real)
        (constraining if what == "PIP_CONSTRAINT" else requiring).add(real)
    pending = list(top_real)
    while pending:
        path = pending.pop(0)
        if path in files:
            continue
        data = appfiles.read_bytes(app, path, _rel(path, app))
        if appfiles.encoding_of(data)[1]:
            declared.append(path)
        files[path] = parse(appfiles.decode(data, _rel(path, app)), path, app, environ)
        for line in files[path]:
            if line.include is not None:
                _check_file(app, line.include, line.where(app), _rel(line.include, app))
                pending.append(line.include)
                (constraining if line.constrains or path in constraining else requiring).add(line.include)
    return RequirementFiles(top_real, files, declared, constraining - requiring)


def _check_file(app: Path, real: Path, what: str, name: str) -> None:
    if not real.exists():
        raise errors.app_file_missing(what, name)
    if not real.is_file():
        raise errors.app_file_not_regular(what, name)


def digest(reqs: RequirementFiles, app: Path) -> str:
    h = hashlib.sha256()
    for path, lines in reqs.files.items():
        h.update(_rel(path, app).encode() + b"\0")
        for line in lines:
            h.update(line.text.encode() + b"\n")
    return h.hexdigest()


def write_filtered(reqs: RequirementFiles, app: Path, dest: Path,
                   drop: Callable[[Line], Optional[str]]) -> tuple[list[tuple[Line, str]], dict[Path, Path]]:
    """UTF-8 copies of every file without the lines `drop` gives a reason for.

    Copies keep their paths relative to the app, so -r/-c includes still resolve.
    Returns the dropped lines with reasons and the mapping original -> copy.
    """
    dropped, copies = [], {}
    for path, lines in reqs.files.items():
        copy = dest / _rel(path, app).lstrip("/")
        copy.parent.mkdir(parents=True, exist_ok=True)
        kept = []
        for line in lines:
            reason = drop(line)
            if reason:
                dropped.append((line, reason))
                kept.append(f"# dropped by pycnb ({reason}): {line.text}")
            elif line.include is not None and line.include in reqs.files:
                option = line.text.split()[0].split("=")[0]
                option = _INCLUDES.get(option, option[:2])
                kept.append(f"{option} {shlex.quote(str(dest / _rel(line.include, app).lstrip('/')))}")
            else:
                kept.append(line.copy_text or line.text)
        # Written as UTF-8 without a coding line, which is how pip reads it back.
        copy.write_text("\n".join(kept) + "\n", encoding="utf-8")
        copies[path] = copy
    return dropped, copies
