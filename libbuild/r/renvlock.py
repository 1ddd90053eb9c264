"""renv.lock: the R version and the exact package versions an renv project was locked with.

    {"R": {"Version": "4.5.0", "Repositories": [...]},
     "Packages": {"R6": {"Package": "R6", "Version": "2.5.1", "Source": "Repository", ...}}}
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional

from .. import errors
from .dcf import BASE_PACKAGES, PACKAGE_NAME

VERSION = re.compile(r"^\d+([.-]\d+)+$")


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str


@dataclass(frozen=True)
class Lock:
    r_version: Optional[str]
    packages: tuple[LockedPackage, ...]


def parse(text: str, origin: str = "renv.lock") -> Lock:
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise errors.r_lock_invalid(origin, f"not valid JSON ({errors.excerpt(str(exc), 120)})") from None
    if not isinstance(data, dict):
        raise errors.r_lock_invalid(origin, "the top level is not an object")
    r_section = data.get("R", {})
    if not isinstance(r_section, dict):
        raise errors.r_lock_invalid(origin, '"R" is not an object')
    r_version = r_section.get("Version")
    if r_version is not None and (not isinstance(r_version, str) or not VERSION.match(r_version)):
        raise errors.r_lock_invalid(origin, f'"R.Version" is {errors.excerpt(str(r_version), 40)}, not a version')
    packages = data.get("Packages", {})
    if not isinstance(packages, dict):
        raise errors.r_lock_invalid(origin, '"Packages" is not an object')
    locked = []
    for key, entry in sorted(packages.items()):
        if not isinstance(entry, dict):
            raise errors.r_lock_invalid(origin, f"package {errors.excerpt(key, 60)} is not an object")
        name, version = entry.get("Package", key), entry.get("Version")
        if not isinstance(name, str) or not PACKAGE_NAME.match(name):
            raise errors.r_lock_invalid(origin, f"package {errors.excerpt(str(name), 60)} is not an R package name")
        if not isinstance(version, str) or not VERSION.match(version):
            raise errors.r_lock_invalid(origin, f"package {name} has no version (Version: {errors.excerpt(str(version), 40)})")
        source = entry.get("Source", "Repository")
        if source != "Repository" and name not in BASE_PACKAGES:
            raise errors.r_lock_source_unsupported(origin, name, str(source))
        if name not in BASE_PACKAGES:
            locked.append(LockedPackage(name, version))
    return Lock(r_version, tuple(locked))


def r_version(text: str, origin: str = "renv.lock") -> Optional[str]:
    return parse(text, origin).r_version
