"""Conda lock files as one shape: an explicit list of package URLs with their hashes.

- explicit files (`conda list --explicit [--md5|--sha256]`, `package-list.txt`, `*.lock`):
  `# platform: <subdir>`, `@EXPLICIT`, then one URL per line with `#<md5>` or `#sha256:<hex>`;
- a package list (`conda list --export`): `name=version=build` lines, solved exactly;
- `conda-lock.yml` (version 1): `package:` entries with `platform`, `url`, `hash.{md5,sha256}`;
- `pixi.lock` (version 5/6): the default environment's `packages.<subdir>` URLs, hashes from
  the top-level `packages:` list.
Each becomes a `Lock`; `to_explicit()` writes what `conda create --file` installs exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from .. import errors

EXPLICIT = "@EXPLICIT"
_MD5 = re.compile(r"^[0-9a-f]{32}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class LockedPackage:
    url: str
    md5: Optional[str] = None
    sha256: Optional[str] = None

    @property
    def file_name(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    @property
    def name(self) -> str:
        stem = re.sub(r"(\.tar\.bz2|\.conda)$", "", self.file_name)
        return stem.rsplit("-", 2)[0]


@dataclass
class Lock:
    kind: str                      # explicit, package-list, conda-lock, pixi
    platforms: list[str] = field(default_factory=list)
    packages: list[LockedPackage] = field(default_factory=list)
    specs: list[str] = field(default_factory=list)   # package-list only
    pip: list[str] = field(default_factory=list)     # pip packages a lock names (URLs or name==version)

    def to_explicit(self, subdir: str, where=None) -> str:
        """The explicit file; `where(url)` may give each package another URL (a mirror)."""
        lines = [f"# platform: {subdir}", EXPLICIT]
        for p in self.packages:
            url = where(p.url) if where else p.url
            lines.append(url + (f"#sha256:{p.sha256}" if p.sha256 else f"#{p.md5}" if p.md5 else ""))
        return "\n".join(lines) + "\n"


def is_explicit(text: str) -> bool:
    return any(line.strip() == EXPLICIT for line in text.splitlines())


def parse_text(text: str, origin: str) -> Lock:
    """An explicit file, or a `name=version=build` package list."""
    if is_explicit(text):
        return _explicit(text, origin)
    lock = Lock("package-list")
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("# platform:"):
            lock.platforms.append(line.split(":", 1)[1].strip())
        if not line or line.startswith("#"):
            continue
        parts = line.split("=")
        if len(parts) not in (2, 3) or not all(re.match(r"^[A-Za-z0-9_.+*!-]+$", p) for p in parts):
            raise errors.conda_lock_invalid(origin, f"line {n} {errors.excerpt(line)} is neither a URL after "
                                            f"{EXPLICIT} nor name=version=build")
        lock.specs.append(f"{parts[0]} =={parts[1]}" + (f" {parts[2]}" if len(parts) == 3 else ""))
    if not lock.specs:
        raise errors.conda_lock_invalid(origin, "it lists no packages")
    return lock


def _explicit(text: str, origin: str) -> Lock:
    lock = Lock("explicit")
    seen_marker = False
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("# platform:"):
            lock.platforms.append(line.split(":", 1)[1].strip())
            continue
        if not line or line.startswith("#"):
            continue
        if line == EXPLICIT:
            seen_marker = True
            continue
        if not seen_marker or "://" not in line:
            raise errors.conda_lock_invalid(origin, f"line {n} {errors.excerpt(line)} is not a package URL")
        url, _, digest = line.partition("#")
        digest = digest.strip().lower()
        md5 = sha = None
        if digest.startswith("sha256:") and _SHA256.match(digest[7:]):
            sha = digest[7:]
        elif _MD5.match(digest):
            md5 = digest
        elif digest:
            raise errors.conda_lock_invalid(origin, f"line {n}: {errors.excerpt(digest)} is neither an md5 nor sha256:<hex>")
        if not re.search(r"\.(tar\.bz2|conda)$", url):
            raise errors.conda_lock_invalid(origin, f"line {n}: {errors.excerpt(url)} is not a .conda or .tar.bz2 package")
        lock.packages.append(LockedPackage(url.strip(), md5, sha))
    if not lock.packages:
        raise errors.conda_lock_invalid(origin, f"it lists no package URLs after {EXPLICIT}")
    return lock


def parse_conda_lock(data, origin: str, subdir: str) -> Lock:
    if not isinstance(data, dict) or not isinstance(data.get("package"), list):
        raise errors.conda_lock_invalid(origin, "expected conda-lock's format (version 1) with a `package:` list")
    meta = data.get("metadata") or {}
    lock = Lock("conda-lock", platforms=[str(p) for p in meta.get("platforms") or []])
    for entry in data["package"]:
        if not isinstance(entry, dict) or entry.get("platform") != subdir:
            continue
        hashes = entry.get("hash") or {}
        if entry.get("manager", "conda") == "pip":
            lock.pip.append(f"{entry.get('name')}=={entry.get('version')}")
            continue
        lock.packages.append(LockedPackage(str(entry.get("url")), hashes.get("md5"), hashes.get("sha256")))
    return lock


def parse_pixi_lock(data, origin: str, subdir: str) -> Lock:
    if not isinstance(data, dict) or not isinstance(data.get("environments"), dict):
        raise errors.conda_lock_invalid(origin, "expected pixi's lock format with `environments:`")
    env = data["environments"].get("default")
    if not isinstance(env, dict):
        raise errors.conda_lock_invalid(origin, "it has no `default` environment")
    by_platform = env.get("packages") or {}
    lock = Lock("pixi", platforms=sorted(by_platform))
    info = {}
    for p in data.get("packages") or []:
        if isinstance(p, dict):
            key = p.get("conda") or p.get("pypi")
            info[key] = p
    for item in by_platform.get(subdir) or []:
        if not isinstance(item, dict):
            continue
        if "conda" in item:
            p = info.get(item["conda"], {})
            lock.packages.append(LockedPackage(item["conda"], p.get("md5"), p.get("sha256")))
        elif "pypi" in item:
            lock.pip.append(item["pypi"])
    return lock


def check_platform(lock: Lock, subdir: str, origin: str) -> None:
    """A lock made for other platforms cannot be installed here."""
    wrong = lock.platforms and subdir not in lock.platforms
    if wrong or (lock.kind in ("conda-lock", "pixi") and not lock.packages):
        raise errors.conda_lock_wrong_platform(origin, lock.platforms, subdir)
