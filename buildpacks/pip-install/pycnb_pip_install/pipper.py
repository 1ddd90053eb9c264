"""pipper packages, resolved natively from a `kind = pipper` s3 binding.

An app declares them in pipper.json or pipper.yaml: `dependencies` (pipper package ids:
`name` or `name:<constraint>`) and `pypi` (ordinary requirements from the configured
index). pipper stores each version as `<root>/<name>/<safe version>.pipper`, a zip of
`package.whl` (the wheel, renamed) and `package.meta` (JSON: name, wheel_name, version,
safe_version, timestamp, and the package's own pipper `dependencies`).

Resolution follows `pipper install`: list `<root>/<name>/v`, take the highest version
that satisfies the constraint (semver.py), and recurse into the bundle's dependencies;
the first resolution of a name wins. pipper itself is never run (it prints part of the
secret key and cannot install pre-releases). The bundles are kept in a cache-only layer
(an unchanged resolution lists and downloads nothing), and their wheels are extracted
into a build-only directory that pip installs from in the same run as the requirements.
"""
from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from libbuild import appfiles, errors
from libbuild.log import Logger
from libbuild.s3source import Bucket, ObjectStore, S3Object, fetch, safe_relative

from .semver import Constraint, Version, best

CONFIG_FILES = ("pipper.json", "pipper.yaml")  # pipper's own order
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_META_LIMIT = 1024 * 1024


@dataclass
class PipperConfig:
    source: str  # the file it came from
    dependencies: list[str] = field(default_factory=list)
    pypi: list[str] = field(default_factory=list)


def read_config(app_dir: Path) -> Optional[PipperConfig]:
    for name in CONFIG_FILES:
        text = appfiles.read_optional_text(app_dir, name)
        if text is None:
            continue
        data = _parse(name, text)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise errors.pipper_config_invalid(name, "the top level must be a mapping")
        lists = {}
        for key in ("dependencies", "pypi"):
            value = data.get(key) or []
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise errors.pipper_config_invalid(name, f"{key!r} must be a list of strings")
            lists[key] = [v.strip() for v in value]
        return PipperConfig(name, lists["dependencies"], lists["pypi"])
    return None


def _parse(name: str, text: str):
    if name.endswith(".json"):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise errors.pipper_config_invalid(name, str(exc)) from None
    import yaml
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise errors.pipper_config_invalid(name, " ".join(str(exc).split())[:200]) from None


def parse_id(package_id: str, origin: str) -> tuple[str, Constraint]:
    """`name` or `name:<constraint>` (pipper's package ids)."""
    name, _, constraint = package_id.partition(":")
    name = name.strip()
    if not _NAME.match(name) or "://" in package_id:
        raise errors.pipper_id_invalid(package_id, origin)
    try:
        return name, Constraint.parse(constraint)
    except ValueError:
        raise errors.pipper_id_invalid(package_id, origin) from None


@dataclass(frozen=True)
class Resolved:
    name: str
    version: Version
    key: str
    etag: str
    wheel: Path
    requested_by: str


class Resolver:
    """Resolves package ids against one bucket root, caching bundles in `store`."""

    def __init__(self, bucket: Bucket, store: ObjectStore, wheels: Path, log: Logger):
        self.bucket = bucket
        self.root = bucket.binding.prefix
        self.store = store
        self.wheels = wheels
        self.log = log
        self.downloaded = 0

    def versions(self, name: str) -> list[tuple[Version, S3Object]]:
        found = []
        for obj in self.bucket.list(f"{self.root}{name}/v"):
            stem = obj.key.rsplit("/", 1)[-1]
            if not stem.endswith(".pipper") or obj.key.count("/") != self.root.count("/") + 1:
                continue
            try:
                found.append((Version.from_safe(stem[:-len(".pipper")]), obj))
            except ValueError:
                self.log.debug(f"ignoring {obj.key}: not a pipper version")
        return found

    def resolve(self, package_ids: list[str], origin: str) -> list[Resolved]:
        chosen: dict[str, Resolved] = {}
        queue = [(pid, origin) for pid in package_ids]
        while queue:
            package_id, requested_by = queue.pop(0)
            name, constraint = parse_id(package_id, requested_by)
            if name in chosen:
                have = chosen[name]
                if not constraint.matches(have.version):
                    self.log.warn(f"{requested_by} asks for {name} {constraint}; keeping {have.version} "
                                  f"(requested first by {have.requested_by}), as pipper does")
                continue
            available = self.versions(name)
            pick = best(available, constraint)
            if pick is None:
                raise errors.pipper_no_match(name, str(constraint), requested_by,
                                             [str(v) for v, _ in sorted(available)], self.bucket.binding.location)
            version, obj = pick
            meta, wheel = self._unpack(name, obj)
            chosen[name] = Resolved(name, version, obj.key, obj.etag, wheel, requested_by)
            self.log.info(f"{name} {version} ({constraint}, from {requested_by})")
            deps = meta.get("dependencies") or []
            if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
                raise errors.pipper_bundle_invalid(obj.key, "its package.meta dependencies are not a list of strings")
            queue += [(d, f"{name} {version}") for d in deps]
        return list(chosen.values())

    def _unpack(self, name: str, obj: S3Object) -> tuple[dict, Path]:
        rel = safe_relative(obj.key, self.root, self.bucket.binding.location)
        self.downloaded += fetch(self.bucket, self.store, {rel: obj})
        bundle = self.store.path(rel)
        try:
            with zipfile.ZipFile(bundle) as zf:
                missing = [m for m in ("package.meta", "package.whl") if m not in zf.namelist()]
                if missing:
                    raise errors.pipper_bundle_invalid(obj.key, f"it has no {' and no '.join(missing)}")
                info = zf.getinfo("package.meta")
                if info.file_size > _META_LIMIT:
                    raise errors.pipper_bundle_invalid(obj.key, "its package.meta is too large")
                meta = json.loads(zf.read(info))
                if not isinstance(meta, dict):
                    raise ValueError("package.meta is not a JSON object")
                wheel_name = str(meta.get("wheel_name") or "")
                try:
                    wheel_project = parse_wheel_filename(wheel_name)[0]
                except InvalidWheelFilename:
                    raise errors.pipper_bundle_invalid(obj.key, f"its wheel_name {wheel_name!r} is not a wheel "
                                                       "file name") from None
                if "/" in wheel_name or "\\" in wheel_name:
                    raise errors.pipper_bundle_invalid(obj.key, f"its wheel_name {wheel_name!r} is a path")
                self.wheels.mkdir(parents=True, exist_ok=True)
                wheel = self.wheels / wheel_name
                with zf.open("package.whl") as src, open(wheel, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
        except (zipfile.BadZipFile, ValueError) as exc:
            raise errors.pipper_bundle_invalid(obj.key, str(exc).splitlines()[0][:200]) from None
        self.log.debug(f"{name}: {obj.key} -> {wheel.name} (project {wheel_project})")
        return meta, wheel


def fingerprint(resolved: list[Resolved], pypi: list[str]) -> dict[str, str]:
    """What the resolution decided, for the packages layer's metadata."""
    pinned = sorted(f"{r.name}=={r.version}" for r in resolved)
    bundles = hashlib.sha256(json.dumps(sorted((r.key, r.etag) for r in resolved)).encode()).hexdigest()
    return {"packages": ", ".join(pinned), "bundles": bundles[:16], "pypi": ", ".join(pypi)}
