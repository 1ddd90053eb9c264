"""Where an app says which CPython it wants, and which of those sources wins.

Priority (first wins): BP_CPYTHON_VERSION > .python-version > Pipfile.lock > Pipfile >
pyproject.toml requires-python > runtime.txt (legacy) > the buildpack's default.
Other buildpacks put their sources in the plan as `requires cpython` with
metadata.version and metadata.version-source; cpython reads the app's own files itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from libbuild import errors, tomlfile

PRIORITY = ("BP_CPYTHON_VERSION", ".python-version", "Pipfile.lock", "Pipfile", "pyproject.toml", "runtime.txt")


@dataclass(frozen=True)
class VersionRequest:
    """A version constraint and the file or setting it came from."""
    constraint: str
    source: str

    @property
    def rank(self) -> int:
        # Sources we do not know sort after the known ones, before the default.
        return PRIORITY.index(self.source) if self.source in PRIORITY else len(PRIORITY)


def python_version_file(app: Path) -> Optional[str]:
    """The first version in .python-version (pyenv's format: one per line, # comments)."""
    path = app / ".python-version"
    if not path.is_file():
        return None
    for line in path.read_text(errors="replace").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            if not re.match(r"^\d", line):
                raise errors.UserError(
                    "unsupported-python-version", f".python-version asks for {line!r}, which is not a CPython version",
                    "Write a CPython version such as 3.11 or 3.11.4 in .python-version.")
            return line
    return None


def runtime_txt(app: Path) -> Optional[str]:
    path = app / "runtime.txt"
    if not path.is_file():
        return None
    text = path.read_text(errors="replace").strip()
    match = re.match(r"^python-(\S+)$", text)
    if not match:
        raise errors.UserError("invalid-runtime-txt", f"runtime.txt says {text!r}, expected python-<version>",
                               "Write for example python-3.11.4 in runtime.txt, or better use .python-version.")
    return match.group(1)


def requires_python(app: Path) -> Optional[str]:
    path = app / "pyproject.toml"
    if not path.is_file():
        return None
    value = tomlfile.read(path).get("project", {}).get("requires-python")
    return str(value).strip() if value else None


def from_app(app: Path, setting: Optional[str]) -> list[VersionRequest]:
    found = [VersionRequest(setting, "BP_CPYTHON_VERSION")] if setting else []
    for source, reader in ((".python-version", python_version_file), ("pyproject.toml", requires_python),
                           ("runtime.txt", runtime_txt)):
        value = reader(app)
        if value:
            found.append(VersionRequest(value, source))
    return found


def choose(requests: list[VersionRequest]) -> Optional[VersionRequest]:
    return min(requests, key=lambda r: r.rank) if requests else None
