"""The CNB files a buildpack reads and writes, as dataclasses with one read/write path.

buildpack.toml, the detect-time build plan, the build-time buildpack plan, <layer>.toml,
launch.toml, build.toml and store.toml. Validation follows what the lifecycle enforces
(see shared/CNB-API.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional

from . import errors, tomlfile

BUILDPACK_API = "0.11"
_ID = re.compile(r"^[A-Za-z0-9./-]+$")
_RESERVED_IDS = {"app", "config", "generated", "sbom"}
_PROCESS_TYPE = re.compile(r"^[A-Za-z0-9._-]+$")
_LAYER_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
_RESERVED_LAYERS = {"build", "launch", "store"}
SBOM_MEDIA_TYPES = {
    "cdx": "application/vnd.cyclonedx+json",
    "spdx": "application/spdx+json",
    "syft": "application/vnd.syft+json",
}


def validate_buildpack_id(value: str) -> str:
    if not _ID.match(value or "") or value in _RESERVED_IDS:
        raise errors.invalid_descriptor("buildpack id", f"{value!r} (letters, digits, '.', '/', '-'; not {sorted(_RESERVED_IDS)})")
    return value


def validate_layer_name(value: str) -> str:
    if not _LAYER_NAME.match(value or "") or value in _RESERVED_LAYERS:
        raise errors.invalid_descriptor("layer name", f"{value!r} (letters, digits, '.', '_', '-'; not build, launch or store)")
    return value


def validate_process_type(value: str) -> str:
    if not _PROCESS_TYPE.match(value or ""):
        raise errors.invalid_descriptor("process type", f"{value!r} (letters, digits, '.', '_', '-')")
    return value


# -- targets -------------------------------------------------------------------

@dataclass(frozen=True)
class Distro:
    """A distribution name and version."""
    name: str
    version: str = ""


@dataclass(frozen=True)
class Target:
    """A [[targets]] entry, or the build's own target from CNB_TARGET_*. Empty fields match anything."""
    os: str = ""
    arch: str = ""
    variant: str = ""
    distros: tuple[Distro, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Target":
        return cls(os=data.get("os", ""), arch=data.get("arch", ""), variant=data.get("variant", ""),
                   distros=tuple(Distro(d.get("name", ""), str(d.get("version", ""))) for d in data.get("distros", [])))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k, v in (("os", self.os), ("arch", self.arch), ("variant", self.variant)) if v}
        if self.distros:
            out["distros"] = [{"name": d.name, **({"version": d.version} if d.version else {})} for d in self.distros]
        return out

    def accepts(self, actual: "Target") -> bool:
        """Whether this (declared) target admits the actual build target."""
        for want, have in ((self.os, actual.os), (self.arch, actual.arch), (self.variant, actual.variant)):
            if want and have and want != have:
                return False
        if self.distros and actual.distros:
            have = actual.distros[0]
            return any(d.name == have.name and (not d.version or not have.version or d.version == have.version)
                       for d in self.distros)
        return True

    def describe(self) -> str:
        parts = [p for p in (self.os, self.arch, self.variant) if p]
        text = "/".join(parts) or "any platform"
        if self.distros:
            text += " " + ", ".join(f"{d.name} {d.version}".strip() for d in self.distros)
        return text


# -- buildpack.toml ---------------------------------------------------------------

@dataclass
class OrderEntry:
    """One buildpack of an order group."""
    id: str
    version: str = ""
    optional: bool = False


@dataclass
class BuildpackDescriptor:
    """buildpack.toml."""
    id: str
    version: str
    api: str = BUILDPACK_API
    name: str = ""
    homepage: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    licenses: list[dict[str, str]] = field(default_factory=list)
    clear_env: bool = False
    sbom_formats: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    order: list[list[OrderEntry]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, path: str | Path) -> "BuildpackDescriptor":
        return cls.from_dict(tomlfile.read(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "BuildpackDescriptor":
        bp = data.get("buildpack")
        if not isinstance(bp, dict) or "id" not in bp or "version" not in bp:
            raise errors.invalid_descriptor("buildpack.toml", "[buildpack] needs id and version")
        return cls(
            id=validate_buildpack_id(bp["id"]), version=str(bp["version"]), api=str(data.get("api", "")),
            name=bp.get("name", ""), homepage=bp.get("homepage", ""), description=bp.get("description", ""),
            keywords=list(bp.get("keywords", [])), licenses=list(bp.get("licenses", [])),
            clear_env=bool(bp.get("clear-env", False)), sbom_formats=list(bp.get("sbom-formats", [])),
            targets=[Target.from_dict(t) for t in data.get("targets", [])],
            order=[[OrderEntry(e["id"], str(e.get("version", "")), bool(e.get("optional", False)))
                    for e in o.get("group", [])] for o in data.get("order", [])],
            metadata=dict(data.get("metadata", {})),
        )

    def to_dict(self) -> dict[str, Any]:
        bp: dict[str, Any] = {"id": self.id, "version": self.version}
        for key, value in (("name", self.name), ("homepage", self.homepage), ("description", self.description),
                           ("keywords", self.keywords), ("licenses", self.licenses),
                           ("sbom-formats", self.sbom_formats)):
            if value:
                bp[key] = value
        if self.clear_env:
            bp["clear-env"] = True
        out: dict[str, Any] = {"api": self.api, "buildpack": bp}
        if self.targets:
            out["targets"] = [t.to_dict() for t in self.targets]
        if self.order:
            out["order"] = [{"group": [{"id": e.id, **({"version": e.version} if e.version else {}),
                                        **({"optional": True} if e.optional else {})} for e in g]}
                            for g in self.order]
        if self.metadata:
            out["metadata"] = self.metadata
        return out

    @property
    def module_name(self) -> str:
        """The Python package holding this buildpack's logic: pycnb/pip-install -> pycnb_pip_install."""
        return re.sub(r"[^A-Za-z0-9]", "_", self.id)


# -- detect: the build plan (libbuild/detection.py, kept light for detect) ---------

from .detection import BuildPlan, Require  # noqa: E402,F401


# -- build: the buildpack plan ------------------------------------------------------

@dataclass
class PlanEntry:
    """One entry of the buildpack plan handed to build."""
    name: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class BuildpackPlan:
    """The entries this buildpack was given to provide (CNB_BP_PLAN_PATH)."""
    entries: list[PlanEntry] = field(default_factory=list)

    @classmethod
    def read(cls, path: str | Path) -> "BuildpackPlan":
        data = tomlfile.read(path, missing_ok=True)
        return cls([PlanEntry(e["name"], dict(e.get("metadata", {}))) for e in data.get("entries", [])])

    def write(self, path: str | Path) -> None:
        tomlfile.write(path, {"entries": [{"name": e.name, **({"metadata": e.metadata} if e.metadata else {})}
                                          for e in self.entries]})

    def named(self, name: str) -> list[PlanEntry]:
        return [e for e in self.entries if e.name == name]

    def wants(self, name: str, flag: str) -> bool:
        """Whether any requirer of `name` asked for it at `flag` ("build" or "launch")."""
        return any(truthy(e.metadata.get(flag)) for e in self.named(name))


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


# -- layers ---------------------------------------------------------------------------

@dataclass
class LayerTypes:
    """[types] of <layer>.toml."""
    build: bool = False
    launch: bool = False
    cache: bool = False


@dataclass
class LayerDescriptor:
    """<layer>.toml: types and free-form metadata."""
    types: LayerTypes = field(default_factory=LayerTypes)
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, path: str | Path) -> Optional["LayerDescriptor"]:
        """A restored <layer>.toml has no [types] (the lifecycle strips them): they read as all-false."""
        if not Path(path).exists():
            return None
        data = tomlfile.read(path)
        t = data.get("types", {})
        return cls(LayerTypes(bool(t.get("build")), bool(t.get("launch")), bool(t.get("cache"))),
                   dict(data.get("metadata", {})))

    def write(self, path: str | Path) -> None:
        tomlfile.write(path, {"types": {"build": self.types.build, "launch": self.types.launch,
                                        "cache": self.types.cache}, "metadata": self.metadata})


# -- launch.toml / build.toml / store.toml ----------------------------------------------

@dataclass
class Process:
    """A [[processes]] entry of launch.toml."""
    type: str
    command: list[str]
    args: list[str] = field(default_factory=list)
    default: bool = False
    working_dir: str = ""

    def __post_init__(self) -> None:
        validate_process_type(self.type)
        if not self.command or not all(isinstance(c, str) for c in self.command):
            raise errors.invalid_descriptor("process", f"{self.type!r} needs a non-empty command list")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "command": list(self.command)}
        if self.args:
            out["args"] = list(self.args)
        if self.default:
            out["default"] = True
        if self.working_dir:
            out["working-dir"] = self.working_dir
        return out


@dataclass
class LaunchDescriptor:
    """launch.toml: processes, labels, slices."""
    processes: list[Process] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    slices: list[list[str]] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.processes or self.labels or self.slices)

    def to_dict(self) -> dict[str, Any]:
        defaults = [p.type for p in self.processes if p.default]
        if len(defaults) > 1:
            raise errors.invalid_descriptor("launch.toml", f"more than one default process: {defaults}")
        out: dict[str, Any] = {}
        if self.processes:
            out["processes"] = [p.to_dict() for p in self.processes]
        if self.labels:
            out["labels"] = [{"key": k, "value": v} for k, v in sorted(self.labels.items())]
        if self.slices:
            out["slices"] = [{"paths": list(s)} for s in self.slices]
        return out

    @classmethod
    def read(cls, path: str | Path) -> "LaunchDescriptor":
        data = tomlfile.read(path, missing_ok=True)
        return cls(
            processes=[Process(p["type"], list(p["command"]), list(p.get("args", [])), bool(p.get("default")),
                               p.get("working-dir", "")) for p in data.get("processes", [])],
            labels={lb["key"]: lb["value"] for lb in data.get("labels", [])},
            slices=[list(s.get("paths", [])) for s in data.get("slices", [])])

    def write(self, path: str | Path) -> None:
        tomlfile.write(path, self.to_dict())


@dataclass
class BuildDescriptor:
    """build.toml: plan entries this buildpack did not meet."""
    unmet: list[str] = field(default_factory=list)

    def write(self, path: str | Path) -> None:
        tomlfile.write(path, {"unmet": [{"name": n} for n in self.unmet]})

    @classmethod
    def read(cls, path: str | Path) -> "BuildDescriptor":
        return cls([u["name"] for u in tomlfile.read(path, missing_ok=True).get("unmet", [])])


@dataclass
class Store:
    """store.toml: metadata kept across builds."""
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, path: str | Path) -> "Store":
        return cls(dict(tomlfile.read(path, missing_ok=True).get("metadata", {})))

    def write(self, path: str | Path) -> None:
        tomlfile.write(path, {"metadata": self.metadata})


# -- build: what build returns --------------------------------------------------------

@dataclass
class BuildResult:
    """What build hands back to the lifecycle besides its layers."""
    processes: list[Process] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    slices: list[list[str]] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    store: Optional[dict[str, Any]] = None
