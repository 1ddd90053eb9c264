"""What detect returns: pass or fail with a reason, and the build plan it offers.

Plain classes rather than dataclasses: every detect of every group imports this module,
and `dataclasses` alone (it imports `inspect`) costs about half of the detect budget
(`make bench-detect`).
"""
from __future__ import annotations


class Require:
    """A [[requires]] entry of a build plan."""
    __slots__ = ("name", "metadata")

    def __init__(self, name: str, metadata: dict | None = None):
        self.name = name
        self.metadata = dict(metadata or {})

    def to_dict(self) -> dict:
        out: dict = {"name": self.name}
        if self.metadata:
            out["metadata"] = self.metadata
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Require) and (self.name, self.metadata) == (other.name, other.metadata)

    def __repr__(self) -> str:
        return f"Require(name={self.name!r}, metadata={self.metadata!r})"


class BuildPlan:
    """What detect offers; `alternatives` become the [[or]] plans the lifecycle tries in turn."""
    __slots__ = ("provides", "requires", "alternatives")

    def __init__(self, provides: list[str] | None = None, requires: list[Require] | None = None,
                 alternatives: list[BuildPlan] | None = None):
        self.provides = list(provides or [])
        self.requires = list(requires or [])
        self.alternatives = list(alternatives or [])

    def _flat(self) -> dict:
        out: dict = {}
        if self.provides:
            out["provides"] = [{"name": n} for n in self.provides]
        if self.requires:
            out["requires"] = [r.to_dict() for r in self.requires]
        return out

    def to_dict(self) -> dict:
        out = self._flat()
        if self.alternatives:
            out["or"] = [alt._flat() for alt in self.alternatives]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> BuildPlan:
        def one(d: dict) -> BuildPlan:
            return cls(provides=[p["name"] for p in d.get("provides", [])],
                       requires=[Require(r["name"], dict(r.get("metadata", {}))) for r in d.get("requires", [])])
        plan = one(data)
        plan.alternatives = [one(d) for d in data.get("or", [])]
        return plan

    def write(self, path) -> None:
        from . import tomlfile  # only a passing detect with a plan writes TOML
        tomlfile.write(path, self.to_dict())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BuildPlan) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"BuildPlan(provides={self.provides!r}, requires={self.requires!r}, alternatives={self.alternatives!r})"


class DetectResult:
    """What detect decided, and why."""
    __slots__ = ("passed", "reason", "plan")

    def __init__(self, passed: bool, reason: str = "", plan: BuildPlan | None = None):
        self.passed = passed
        self.reason = reason
        self.plan = plan

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DetectResult) and (self.passed, self.reason, self.plan) == (
            other.passed, other.reason, other.plan)

    def __repr__(self) -> str:
        return f"DetectResult(passed={self.passed!r}, reason={self.reason!r}, plan={self.plan!r})"


def opt_in(reason: str, plan: BuildPlan | None = None) -> DetectResult:
    return DetectResult(True, reason, plan)


def opt_out(reason: str) -> DetectResult:
    return DetectResult(False, reason)
