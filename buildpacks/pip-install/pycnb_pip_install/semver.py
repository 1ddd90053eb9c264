"""pipper's version rules: semantic versions, their key-safe form, and constraints.

A pipper package version is a semantic version stored in its S3 key in a "safe" form:
`v` + the version with `.` -> `-`, the pre-release as `__pre_<pre>` and build metadata as
`__build_<build>` (dots inside those become `_`): 1.2.3-rc.1 -> v1-2-3__pre_rc_1.

A constraint is an optional operator (<, <=, =, ==, >=, >; none means equal) and a
version or partial version with wildcards (1, 1.2, 1.2.*). Parts compare in order
(major, minor, patch, pre-release, build); an empty or `*` part of the constraint
matches anything. The highest stable version that satisfies the constraint wins;
pre-releases are candidates only for an exact pin that names one (which pipper itself
cannot install).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering
from typing import Iterable, Optional, TypeVar

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                     r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$")
_OPERATORS = ("<=", ">=", "==", "<", ">", "=")


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    pre: str = ""
    build: str = ""

    @classmethod
    def parse(cls, text: str) -> "Version":
        m = _SEMVER.match(text.strip())
        if not m:
            raise ValueError(f"{text!r} is not a semantic version")
        return cls(int(m[1]), int(m[2]), int(m[3]), m[4] or "", m[5] or "")

    @classmethod
    def from_safe(cls, safe: str) -> "Version":
        """v1-2-3__pre_rc_1__build_7 -> 1.2.3-rc.1+7"""
        if not safe.startswith("v"):
            raise ValueError(f"{safe!r} is not a pipper safe version")
        rest, _, build = safe[1:].partition("__build_")
        rest, _, pre = rest.partition("__pre_")
        return cls.parse(rest.replace("-", ".") + (f"-{pre.replace('_', '.')}" if pre else "")
                         + (f"+{build.replace('_', '.')}" if build else ""))

    @property
    def safe(self) -> str:
        text = f"v{self.major}-{self.minor}-{self.patch}"
        if self.pre:
            text += "__pre_" + self.pre.replace(".", "_")
        if self.build:
            text += "__build_" + self.build.replace(".", "_")
        return text

    @property
    def prerelease(self) -> bool:
        return bool(self.pre)

    def parts(self) -> tuple[str, str, str, str, str]:
        return (str(self.major), str(self.minor), str(self.patch), self.pre, self.build)

    def _key(self):
        # Semantic versioning precedence: a pre-release sorts before its release; build
        # metadata does not count.
        pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.pre.split(".")) if self.pre else ()
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre)

    def __lt__(self, other: "Version") -> bool:
        return self._key() < other._key()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return (f"{self.major}.{self.minor}.{self.patch}" + (f"-{self.pre}" if self.pre else "")
                + (f"+{self.build}" if self.build else ""))


def _explode(text: str) -> tuple[str, str, str, str, str]:
    """A (partial) version as its five parts, missing ones empty: 1.2-rc.1 -> (1, 2, '', rc.1, '')."""
    rest, _, build = text.rstrip(".").partition("+")
    rest, _, pre = rest.partition("-")
    numbers = (rest.split(".") + ["", ""])[:3]
    return (numbers[0], numbers[1], numbers[2], pre, build)


def _compare_part(v: str, c: str) -> int:
    if v == c or "*" in (v, c) or c == "":
        return 0
    if v == "":
        return -1
    for a, b in zip(v.split("."), c.split(".")):
        if a != b:
            if a.isdigit() and b.isdigit():
                return -1 if int(a) < int(b) else 1
            return -1 if a < b else 1
    return -1 if len(v.split(".")) < len(c.split(".")) else 1


@dataclass(frozen=True)
class Constraint:
    operator: str  # one of _OPERATORS, "=" when none was given
    version: str  # the (partial) version compared against, "" for any version

    @classmethod
    def parse(cls, text: str) -> "Constraint":
        text = text.strip()
        operator = next((op for op in _OPERATORS if text.startswith(op)), "=")
        version = text[len(operator):].strip() if text.startswith(operator) else text
        parts = _explode(version)
        if version and not all(re.match(r"^(\*|\d+)?$", p) for p in parts[:3]):
            raise ValueError(f"{text!r} is not a version constraint")
        return cls("==" if operator == "=" else operator, version)

    def compare(self, version: Version) -> int:
        """-1, 0 or 1: how `version` stands to the constraint's version, part by part."""
        return next((c for c in map(_compare_part, version.parts(), _explode(self.version)) if c), 0)

    def matches(self, version: Version) -> bool:
        if not self.version:
            return True
        c = self.compare(version)
        return {"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0, "==": c == 0}[self.operator]

    @property
    def pins_prerelease(self) -> bool:
        """An exact pin of a pre-release (name:1.0.0-rc.1): the only way to get one."""
        parts = _explode(self.version)
        return self.operator == "==" and bool(parts[3]) and "*" not in self.version and all(parts[:3])

    def __str__(self) -> str:
        return f"{self.operator}{self.version}" if self.version else "any version"


T = TypeVar("T")


def best(candidates: Iterable[tuple[Version, T]], constraint: Constraint) -> Optional[tuple[Version, T]]:
    """The highest candidate that satisfies the constraint; stable versions only, unless
    the constraint pins a pre-release exactly."""
    allowed = [(v, item) for v, item in candidates
               if constraint.matches(v) and (not v.prerelease or constraint.pins_prerelease)]
    return max(allowed, key=lambda pair: pair[0], default=None)
