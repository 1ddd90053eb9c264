"""What an R app asks for, from the first of: renv.lock (exact versions of the whole closure),
r-packages.txt (names, optionally `name==version`), DESCRIPTION (Depends/Imports/LinkingTo)."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from libbuild import appfiles
from libbuild.r import dcf, renvlock

from . import errors
from .manifest import manifest

LIMITS = {"renv.lock": 4 * 1024 * 1024, "r-packages.txt": 256 * 1024, "DESCRIPTION": 256 * 1024}
_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9.]*[A-Za-z0-9])\s*(?:==\s*(\d+(?:[.-]\d+)+))?$")


@dataclass(frozen=True)
class Wanted:
    """One package to install; `version` is exact when set."""
    name: str
    version: str = ""


@dataclass(frozen=True)
class Request:
    origin: str
    packages: tuple[Wanted, ...]

    def digest(self) -> str:
        listing = [[p.name, p.version] for p in self.packages]
        return hashlib.sha256(json.dumps([self.origin, listing]).encode()).hexdigest()

    @property
    def pinned(self) -> list[Wanted]:
        return [p for p in self.packages if p.version]


def parse_packages_txt(text: str, origin: str = "r-packages.txt") -> tuple[Wanted, ...]:
    found: dict[str, Wanted] = {}
    for n, raw in enumerate(text.split("\n"), 1):
        line = raw.split("#", 1)[0].strip(" \t\r\ufeff")
        if not line:
            continue
        match = _LINE.match(line)
        if not match:
            raise errors.packages_line_invalid(origin, n, raw)
        name, version = match.group(1), match.group(2) or ""
        if name in dcf.BASE_PACKAGES:
            continue  # part of R itself
        if name in found and found[name].version != version:
            raise errors.packages_line_invalid(origin, n, raw)
        found[name] = Wanted(name, version)
    if not found:
        raise errors.packages_empty(origin)
    return tuple(found.values())


def parse_description(text: str, origin: str = "DESCRIPTION") -> tuple[Wanted, ...]:
    records = dcf.parse(text, origin)
    names = dcf.package_dependencies(records[0], origin) if records else []
    if not names:
        raise errors.packages_empty(f"{origin} (Depends, Imports, LinkingTo)")
    return tuple(Wanted(n) for n in names)


def parse_lock(text: str, origin: str = "renv.lock") -> tuple[Wanted, ...]:
    lock = renvlock.parse(text, origin)
    if not lock.packages:
        raise errors.packages_empty(f"{origin} (Packages)")
    return tuple(Wanted(p.name, p.version) for p in lock.packages)


_PARSERS = {"renv.lock": parse_lock, "r-packages.txt": parse_packages_txt, "DESCRIPTION": parse_description}


def read(app: Path) -> Request:
    name = manifest(app)
    assert name is not None, "detect passed without a manifest"
    text = appfiles.read_text(app, name, name, limit=LIMITS[name])
    return Request(name, _PARSERS[name](text, name))
