"""Where an app says which CPython it wants, and which of those sources wins.

Priority (first wins): BP_CPYTHON_VERSION > .python-version > Pipfile.lock > Pipfile >
pyproject.toml requires-python > runtime.txt (legacy) > the buildpack's default.
Other buildpacks put their sources in the plan as `requires cpython` with
metadata.version and metadata.version-source; cpython reads the app's own files itself,
through the confinement rule (libbuild/appfiles.py) and with small size limits.

Every reader returns a constraint `libbuild.versions` accepts, or raises one UserError;
nothing else escapes (tests/test_cpython_versions_property.py checks that with hypothesis).
"""
from __future__ import annotations

import re
import unicodedata
from collections import namedtuple
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from libbuild import appfiles, errors as lib_errors

from . import errors

PRIORITY = ("BP_CPYTHON_VERSION", ".python-version", "Pipfile.lock", "Pipfile", "pyproject.toml", "runtime.txt")

# A version file holds a few bytes; anything bigger is not one.
VERSION_FILE_LIMIT = 4 * 1024
# pyproject.toml carries a whole project description.
PYPROJECT_LIMIT = 256 * 1024
# X, X.Y or X.Y.Z, each part short enough that no interpreter limit is ever near.
_VERSION_FORM = re.compile(r"^\d{1,4}(\.\d{1,4}){0,2}$")
_RUNTIME_TXT = re.compile(r"^python-(\d{1,4}\.\d{1,4}(\.\d{1,4})?)$")
# Constraints (settings, requires-python): short, and no absurdly long numbers.
_CONSTRAINT_LIMIT = 200
_LONG_NUMBER = re.compile(r"\d{5,}")
_WORDS = ("latest", "default", "newest", "stable", "current")


class VersionRequest(namedtuple("VersionRequest", "constraint source")):
    """A version constraint and the file or setting it came from (a named tuple: detect
    imports neither dataclasses nor typing)."""
    __slots__ = ()

    @property
    def rank(self) -> int:
        # Sources we do not know sort after the known ones, before the default.
        return PRIORITY.index(self.source) if self.source in PRIORITY else len(PRIORITY)


def _invisible(text: str) -> bool:
    """Control characters (other than tab and CR) and invisible format characters
    (zero-width spaces and joiners, direction marks, a BOM in the middle)."""
    return any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") and c not in "\t\r" for c in text)


def check_constraint(value: str, source: str) -> str:
    """A constraint from a setting or a manifest, validated; returns it stripped."""
    text = value.strip()
    if (not text or len(text) > _CONSTRAINT_LIMIT or _invisible(text) or _LONG_NUMBER.search(text)
            or text.lower() in _WORDS):
        raise errors.not_a_version(source, value)
    from libbuild import versions  # packaging: only when there is a constraint to check
    try:
        versions.parse_constraint(text, source)
    except lib_errors.UserError:
        raise errors.not_a_version(source, value) from None
    return text


def parse_python_version(text: str, source: str = ".python-version") -> Optional[str]:
    """pyenv's format: one version a line, `#` comments, blank lines ignored. Exactly one
    version, in a form we read; None for a file with only comments."""
    found: list[tuple[int, str]] = []
    for n, raw in enumerate(text.split("\n"), 1):
        if _invisible(raw):
            raise errors.invisible_characters(source, n, raw)
        line = raw.split("#", 1)[0].strip(" \t\r")
        if line:
            found.append((n, line))
    if not found:
        return None
    distinct = list(dict.fromkeys(value for _, value in found))
    if len(distinct) > 1:
        raise errors.several_versions(source, distinct)
    n, value = found[0]
    if not _VERSION_FORM.match(value):
        raise errors.unsupported_form(source, n, value)
    return value


def parse_runtime_txt(text: str) -> str:
    value = text.strip(" \t\r\n")
    if _invisible(value):
        raise errors.invisible_characters("runtime.txt", 1, value)
    match = _RUNTIME_TXT.match(value)
    if not match:
        raise errors.invalid_runtime_txt(value)
    return match.group(1)


def parse_requires_python(text: str, path: Path) -> Optional[str]:
    try:
        from libbuild import tomlfile
        data = tomlfile.loads(text, str(path))
    except (ValueError, RecursionError) as exc:  # huge integers, absurd nesting
        raise lib_errors.invalid_toml(path, lib_errors.excerpt(str(exc))) from None
    project = data.get("project", {})
    if not isinstance(project, dict) or "requires-python" not in project:
        return None
    value = project["requires-python"]
    if not isinstance(value, str):
        raise errors.not_a_version("pyproject.toml requires-python", repr(value))
    return check_constraint(value, "pyproject.toml requires-python") if value.strip() else None


def python_version_file(app: Path) -> Optional[str]:
    text = appfiles.read_optional_text(app, ".python-version", limit=VERSION_FILE_LIMIT)
    return None if text is None else parse_python_version(text)


def runtime_txt(app: Path) -> Optional[str]:
    text = appfiles.read_optional_text(app, "runtime.txt", limit=VERSION_FILE_LIMIT)
    return None if text is None else parse_runtime_txt(text)


def requires_python(app: Path) -> Optional[str]:
    text = appfiles.read_optional_text(app, "pyproject.toml", limit=PYPROJECT_LIMIT)
    return None if text is None else parse_requires_python(text, app / "pyproject.toml")


def same_release(a: str, b: str) -> bool:
    """Whether two bare versions can name the same release: one is a prefix of the other."""
    pa, pb = a.split("."), b.split(".")
    n = min(len(pa), len(pb))
    return [int(p) for p in pa[:n]] == [int(p) for p in pb[:n]]


def from_app(app: Path, setting: Optional[str]) -> list[VersionRequest]:
    """The app's own version sources, validated; raises the first UserError found."""
    found = [VersionRequest(check_constraint(setting, "BP_CPYTHON_VERSION"), "BP_CPYTHON_VERSION")] if setting else []
    python_version = python_version_file(app)
    runtime = runtime_txt(app)
    if python_version and runtime and not same_release(python_version, runtime):
        raise errors.sources_disagree(python_version, runtime)
    for source, value in ((".python-version", python_version), ("pyproject.toml", requires_python(app)),
                          ("runtime.txt", runtime)):
        if value:
            found.append(VersionRequest(value, source))
    return found


def choose(requests: list[VersionRequest]) -> Optional[VersionRequest]:
    return min(requests, key=lambda r: r.rank) if requests else None
