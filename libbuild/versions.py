"""Version constraints as users write them: 3.11, 3.11.*, ~=3.11, >=3.10,<3.13."""
from __future__ import annotations

import re
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from . import errors

_BARE = re.compile(r"^\d+(\.\d+)*(\.\*)?$")


def parse_constraint(text: Optional[str], source: str = "the constraint") -> SpecifierSet:
    """A bare version means that release line: "3.11" matches 3.11.x, "3.11.4" only itself."""
    raw = (text or "").strip()
    if raw in ("", "*", "latest", "default"):
        return SpecifierSet()
    if raw.startswith("v"):
        raw = raw[1:]
    if _BARE.match(raw):
        parts = raw.split(".")
        if raw.endswith(".*") or len(parts) < 3:
            raw = "==" + raw.rstrip(".*").rstrip(".") + ".*"
        else:
            raw = "==" + raw
    try:
        return SpecifierSet(raw.replace(" ", ""))
    except InvalidSpecifier as exc:
        raise errors.invalid_version_constraint(text or "", source) from exc


def parse_version(text: str) -> Optional[Version]:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def matches(version: str, constraint: SpecifierSet) -> bool:
    v = parse_version(version)
    return v is not None and constraint.contains(v, prereleases=True)


def best(versions: Iterable[str], constraint: SpecifierSet) -> Optional[str]:
    """The highest version satisfying the constraint, or None."""
    ok = [v for v in versions if matches(v, constraint)]
    return max(ok, key=Version) if ok else None


def minor(version: str) -> str:
    """The release line: 3.11.2 -> 3.11."""
    return ".".join(version.split(".")[:2])


def sort_versions(versions: Iterable[str]) -> list[str]:
    return sorted(set(versions), key=lambda v: parse_version(v) or Version("0"))
