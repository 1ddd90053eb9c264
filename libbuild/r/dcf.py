"""Debian control format as R writes it: DESCRIPTION files and repository PACKAGES indexes.

A record is a run of `Field: value` lines; a line starting with whitespace continues the
previous field; blank lines separate records. Dependency fields (Depends, Imports,
LinkingTo) are comma-separated `name (op version)` items.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from .. import errors

_FIELD = re.compile(r"^([A-Za-z0-9][A-Za-z0-9@._/-]*):[ \t]*(.*)$")
# R's rule for package names (Writing R Extensions 1.1.1): letters, digits and dots,
# starting with a letter, not ending in a dot.
PACKAGE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]$")
_DEPENDENCY = re.compile(r"^([A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]|R)\s*(?:\(\s*([<>=!]=?)\s*([^)\s]+)\s*\))?$")
DEPENDENCY_FIELDS = ("Depends", "Imports", "LinkingTo")
# Packages that come with R itself: never installed from a repository.
BASE_PACKAGES = frozenset({"base", "compiler", "datasets", "graphics", "grDevices", "grid", "methods", "parallel",
                           "splines", "stats", "stats4", "tcltk", "tools", "utils"})


@dataclass(frozen=True)
class Dependency:
    """One item of a Depends/Imports/LinkingTo field."""
    name: str
    operator: str = ""
    version: str = ""


def parse(text: str, origin: str) -> list[dict[str, str]]:
    """Every record of a DCF file, fields in file order; continuation lines joined by a newline."""
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last: Optional[str] = None
    for n, raw in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not raw.strip():
            if current:
                records.append(current)
            current, last = {}, None
            continue
        if raw[:1] in (" ", "\t"):
            if last is None:
                raise errors.r_dcf_invalid(origin, n, raw)
            current[last] += "\n" + raw.strip()
            continue
        match = _FIELD.match(raw)
        if not match:
            raise errors.r_dcf_invalid(origin, n, raw)
        last = match.group(1)
        current[last] = match.group(2).strip()
    if current:
        records.append(current)
    return records


def dependencies(value: str, origin: str, field: str) -> list[Dependency]:
    """`R (>= 4.1), R6, jsonlite (>= 1.8.0)` as Dependency items (empty items are skipped)."""
    out = []
    for item in (i.strip() for i in value.replace("\n", " ").split(",")):
        if not item:
            continue
        match = _DEPENDENCY.match(item)
        if not match:
            raise errors.r_dependency_invalid(origin, field, item)
        out.append(Dependency(match.group(1), match.group(2) or "", match.group(3) or ""))
    return out


def package_dependencies(record: dict[str, str], origin: str) -> list[str]:
    """The packages a DESCRIPTION needs from a repository: Depends, Imports and LinkingTo, without
    R itself and R's base packages, in order, each once."""
    names: list[str] = []
    for field in DEPENDENCY_FIELDS:
        for dep in dependencies(record.get(field, ""), origin, field):
            if dep.name != "R" and dep.name not in BASE_PACKAGES and dep.name not in names:
                names.append(dep.name)
    return names


def r_constraint(record: dict[str, str], origin: str) -> Optional[str]:
    """`Depends: R (>= 4.1.0)` as the constraint `>=4.1.0`; None when R is not constrained."""
    for dep in dependencies(record.get("Depends", ""), origin, "Depends"):
        if dep.name == "R" and dep.version:
            return f"{dep.operator}{dep.version}"
    return None
