"""What a uv project's files say: pyproject.toml's requires-python, .python-version, the lock."""
from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs a detect ~2 ms
    from typing import Optional

from libbuild import appfiles, errors, tomlfile

from . import errors as uv_errors


def python_version_file(app: Path) -> Optional[str]:
    """The first version in .python-version (pyenv's format: one per line, # comments)."""
    text = appfiles.read_optional_text(app, ".python-version")
    for line in (text or "").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            return line
    return None


def pyproject(app: Path) -> dict:
    text = appfiles.read_optional_text(app, "pyproject.toml")
    if text is None:
        raise uv_errors.no_pyproject()
    return tomlfile.loads(text, "pyproject.toml")


def requires_python(data: dict) -> Optional[str]:
    value = data.get("project", {}).get("requires-python")
    return str(value).strip() if value else None


def python_request(app: Path) -> Optional[tuple[str, str]]:
    """(version, source) for the cpython requirement: .python-version, else requires-python.

    Unreadable files give no version here; the build reports them with a clear message.
    """
    try:
        version = python_version_file(app)
        if version:
            return version, ".python-version"
        requires = requires_python(pyproject(app))
    except errors.UserError:
        return None
    return (requires, "pyproject.toml") if requires else None


def allows(requires: str, version: str) -> bool:
    """Whether requires-python admits `version`; a release line (3.11) passes if any of its
    patch releases would."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # build only: detect stays light
    from packaging.version import InvalidVersion, Version
    try:
        spec = SpecifierSet(requires)
    except InvalidSpecifier:
        return True  # uv itself reports an invalid requires-python
    base = version.rstrip(".*")
    try:
        parsed = Version(base)
    except InvalidVersion:
        return True  # cpython reports a version it cannot read
    if len(parsed.release) >= 3:
        return spec.contains(parsed, prereleases=True)
    return any(spec.contains(Version(f"{base}.{patch}"), prereleases=True) for patch in range(0, 40))
