"""What a project's pyproject.toml says (PEP 621 and Poetry's tables): its Python, its
scripts, whether it is a package, and which script starts it.

Poetry writes Python constraints in its own syntax (`^3.11`, `~3.11`, `>=3.11 <4`,
`3.11 || 3.12`); PEP 621 projects use `requires-python`. Both are turned into PEP 440
here, once, for the plan and for the build's check.
"""
from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:  # packaging is imported where a constraint is checked, not by every detect
    from pathlib import Path
    from typing import Optional

    from packaging.specifiers import SpecifierSet

from .. import appfiles, tomlfile

_SPACE_AFTER_OPERATOR = re.compile(r"(\^|~=|~|===|==|!=|<=|>=|<|>)\s+")


class Project:
    """A plain class, not a dataclass: Poetry's detects read it, and `dataclasses` costs a
    detect ~7 ms (libbuild/detection.py says why)."""

    def __init__(self, python: "Optional[str]" = None, python_source: str = "",
                 scripts: "Optional[dict[str, str]]" = None, package_mode: bool = True):
        self.python = python                # the constraint as written
        self.python_source = python_source  # where it was written
        self.scripts = dict(scripts or {})
        self.package_mode = package_mode

    def __repr__(self) -> str:
        return (f"Project(python={self.python!r}, python_source={self.python_source!r}, "
                f"scripts={self.scripts!r}, package_mode={self.package_mode!r})")

    @classmethod
    def read(cls, app: Path) -> "Project":
        data = tomlfile.loads(appfiles.read_text(app, "pyproject.toml", "pyproject.toml"), "pyproject.toml")
        pep621 = data.get("project", {}) if isinstance(data.get("project"), dict) else {}
        poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
        project = cls(package_mode=poetry.get("package-mode", True) is not False)
        if pep621.get("requires-python"):
            project.python, project.python_source = str(pep621["requires-python"]), "[project] requires-python"
        elif isinstance(poetry.get("dependencies"), dict) and poetry["dependencies"].get("python"):
            project.python, project.python_source = str(poetry["dependencies"]["python"]), "[tool.poetry.dependencies] python"
        for table in (pep621.get("scripts"), poetry.get("scripts")):
            if isinstance(table, dict):
                project.scripts.update({str(k): str(v) for k, v in table.items()})
        return project

    def python_specifiers(self) -> list[SpecifierSet]:
        """The Python constraint as PEP 440 alternatives (any of them may hold); [] if unreadable."""
        if not self.python:
            return []
        if self.python_source.startswith("[project]"):
            return _specifier(self.python)
        return [s for alt in self.python.split("||") for s in _specifier(_poetry_to_pep440(alt))]

    def plan_version(self) -> Optional[str]:
        """The constraint for `requires cpython` (one PEP 440 set: only when there is no `||`)."""
        specs = self.python_specifiers()
        return str(specs[0]) if len(specs) == 1 and str(specs[0]) else None

    def start_script(self, target: Optional[str]) -> Optional[str]:
        """The script that starts the app: `target` (BP_POETRY_RUN_TARGET), else the only
        one — if the project is installed at all."""
        if not self.package_mode:
            return None
        if target:
            return target
        return next(iter(self.scripts)) if len(self.scripts) == 1 else None

    def allows(self, version: str) -> bool:
        from packaging.version import Version
        specs = self.python_specifiers()
        return not specs or any(s.contains(Version(version), prereleases=True) for s in specs)


def _specifier(text: str) -> list[SpecifierSet]:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    try:
        return [SpecifierSet(text)]
    except InvalidSpecifier:
        return []


def _poetry_to_pep440(constraint: str) -> str:
    parts = [p for p in re.split(r"[,\s]+", _SPACE_AFTER_OPERATOR.sub(r"\1", constraint.strip())) if p]
    return ",".join(filter(None, (_one(p) for p in parts)))


def _one(part: str) -> str:
    if part == "*":
        return ""
    if part.startswith("^"):
        return _caret(part[1:])
    if part.startswith("~") and not part.startswith("~="):
        return _tilde(part[1:])
    if part[0].isdigit():  # a bare version: that release line, as .python-version reads it
        return f"=={part}" if part.endswith(".*") or part.count(".") >= 2 else f"=={part}.*"
    return part


def _release(text: str) -> list[int]:
    from packaging.version import InvalidVersion, Version
    try:
        return list(Version(text.rstrip(".*")).release)
    except InvalidVersion:
        return []


def _caret(text: str) -> str:
    release = _release(text)
    if not release:
        return "^" + text  # left invalid on purpose: reported as unreadable
    upper = next((i for i, n in enumerate(release) if n != 0), len(release) - 1)
    bound = release[:upper] + [release[upper] + 1]
    return f">={text},<{'.'.join(map(str, bound))}"


def _tilde(text: str) -> str:
    release = _release(text)
    if not release:
        return "~" + text
    bound = [release[0] + 1] if len(release) == 1 else [release[0], release[1] + 1]
    return f">={text},<{'.'.join(map(str, bound))}"
