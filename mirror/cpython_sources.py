#!/usr/bin/env python3
"""Put the CPython release tarballs of the catalog into the local mirror, from Debian.

Debian's python3.X source packages carry python.org's release tarballs, byte for byte, as
their `.orig` tarballs. This script:

1. reads the cpython-source entries of the catalog (buildpacks/cpython/buildpack.toml);
2. runs `apt-get update` with a private configuration (own sources.list with deb-src lines
   for the suites below, own lists and cache under --apt-dir), so the system's apt state is
   never touched and the Sources indexes are verified against the archive's signed Release;
3. finds, in each suite's Sources index, the python3.X packages whose .orig tarball is a
   catalog version (Directory + Checksums-Sha256), and downloads it from pool/ directly
   (some .dsc files are gone from a suite long before their tarballs are);
4. checks the download against the index AND against the catalog's sha256, refusing any
   mismatch, and stores it at <mirror>/<host>/<path of the catalog URI>.

Versions that no suite carries are reported as not available here. Standard library only.
Prints "<sha256>  <path>" for every catalog version the mirror holds.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

SUITES = ("bullseye", "bookworm", "trixie", "forky", "sid")
_ORIG = re.compile(r"^python(\d+\.\d+)_(\d+\.\d+\.\d+)\.orig\.tar\.(xz|gz)$")


class MirrorError(Exception):
    """Something the mirror cannot do; printed as one line."""


class NotServed(MirrorError):
    """The index lists the file but the archive does not serve it (HTTP 404)."""


@dataclass(frozen=True)
class CatalogSource:
    version: str
    uri: str
    sha256: str


@dataclass(frozen=True)
class DebianTarball:
    version: str
    suite: str
    path: str  # relative to the archive root: pool/main/p/python3.X/<file>
    sha256: str
    size: int


def read_catalog(path: Path) -> list[CatalogSource]:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    out = []
    for d in data.get("metadata", {}).get("dependencies", []):
        if d.get("id") == "cpython-source":
            out.append(CatalogSource(d["version"], d["uri"], d["checksum"].split(":", 1)[1]))
    return out


def mirror_path(root: Path, uri: str) -> Path:
    """Where BP_DEPENDENCY_MIRROR=<mirror>/{originalHost} finds a URI."""
    parsed = urllib.parse.urlparse(uri)
    return root / parsed.netloc / parsed.path.lstrip("/")


def parse_sources(text: str, suite: str) -> list[DebianTarball]:
    """The CPython .orig tarballs of a Sources index (deb822 stanzas)."""
    found = []
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = None
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                fields[key] = value.strip()
        package = fields.get("package", "")
        if not re.fullmatch(r"python\d+\.\d+", package) or "directory" not in fields:
            continue
        for entry in fields.get("checksums-sha256", "").split("\n"):
            parts = entry.split()
            if len(parts) != 3:
                continue
            sha, size, name = parts
            match = _ORIG.match(name)
            if match and f"python{match.group(1)}" == package:
                found.append(DebianTarball(match.group(2), suite, f"{fields['directory']}/{name}", sha, int(size)))
    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def store(archive: str, tarball: DebianTarball, want: CatalogSource, dest: Path) -> Path:
    """Download one .orig tarball, check it against the index and the catalog, then (and only
    then) put it at dest."""
    url = f"{archive.rstrip('/')}/{tarball.path}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.part-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=120) as resp:
            for chunk in iter(lambda: resp.read(1 << 20), b""):
                out.write(chunk)
        got = sha256_of(tmp)
        if got != tarball.sha256:
            raise MirrorError(f"{url}: sha256 {got} does not match the {tarball.suite} Sources index ({tarball.sha256})")
        if got != want.sha256:
            raise MirrorError(f"refusing {url}: sha256 {got} is not the catalog's sha256 of CPython {want.version} "
                              f"({want.sha256}, {want.uri})")
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from the build user of a mounted mirror
        os.replace(tmp, dest)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise NotServed(f"{url}: HTTP 404 (listed in the {tarball.suite} Sources index, absent from the pool)") from None
        raise MirrorError(f"downloading {url} failed: {exc}") from None
    except OSError as exc:
        raise MirrorError(f"downloading {url} failed: {exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
        if not any(dest.parent.iterdir()):
            dest.parent.rmdir()
    return dest


def fetch_one(archive: str, candidates: list[DebianTarball], want: CatalogSource, dest: Path) -> bool:
    """Try each suite that lists the version; False when none serves it."""
    for t in candidates:
        print(f"[mirror] CPython {want.version}: {t.path} ({t.suite})", file=sys.stderr)
        try:
            store(archive, t, want, dest)
            return True
        except NotServed as exc:
            print(f"[mirror] {exc}", file=sys.stderr)
    return False


def apt_update(apt_dir: Path, archive: str, suites: Iterable[str]) -> list[tuple[str, str]]:
    """Refresh the private Sources indexes; returns (suite, index text) pairs."""
    lists = apt_dir / "lists"
    (lists / "partial").mkdir(parents=True, exist_ok=True)
    (apt_dir / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    (apt_dir / "sources.list.d").mkdir(parents=True, exist_ok=True)
    keyring = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
    opts = f"[signed-by={keyring}] " if keyring.is_file() else ""
    sources = apt_dir / "sources.list"
    sources.write_text("".join(f"deb-src {opts}{archive} {s} main\n" for s in suites))
    cmd = ["apt-get", "-q",
           "-o", f"Dir::Etc::sourcelist={sources}", "-o", f"Dir::Etc::sourceparts={apt_dir / 'sources.list.d'}",
           "-o", f"Dir::State::Lists={lists}", "-o", f"Dir::Cache={apt_dir / 'cache'}",
           "-o", "APT::Sandbox::User=" + (os.environ.get("USER") or "root"), "update"]
    print(f"[mirror] apt-get update (deb-src {archive}: {' '.join(suites)})", file=sys.stderr)
    proc = subprocess.run(cmd, stdout=sys.stderr, stderr=sys.stderr)
    if proc.returncode != 0:
        raise MirrorError(f"apt-get update failed for deb-src {archive}")
    out = []
    for suite in suites:
        files = sorted(p for p in lists.iterdir() if re.search(rf"_dists_{re.escape(suite)}_main_source_Sources", p.name))
        if not files:
            raise MirrorError(f"no Sources index for {suite} after apt-get update (in {lists})")
        out.append((suite, read_index(files[0])))
    return out


def read_index(path: Path) -> str:
    """apt may keep indexes compressed; apt-helper reads every format apt writes."""
    helper = Path("/usr/lib/apt/apt-helper")
    if helper.exists():
        proc = subprocess.run([str(helper), "cat-file", str(path)], stdout=subprocess.PIPE, check=True)
        return proc.stdout.decode("utf-8", "replace")
    return path.read_text(encoding="utf-8", errors="replace")


def main(argv: Optional[list[str]] = None) -> int:
    cache = Path(os.environ.get("PYCNB_CACHE") or Path.home() / ".cache" / "pycnb")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--mirror", type=Path, default=cache / "mirror")
    parser.add_argument("--apt-dir", type=Path, default=cache / "apt-cpython")
    parser.add_argument("--archive", required=True, help="Debian archive URI (from the machine's apt configuration)")
    parser.add_argument("versions", nargs="*", help="only these catalog versions; each must be obtainable")
    args = parser.parse_args(argv)
    try:
        catalog = {c.version: c for c in read_catalog(args.catalog)}
        unknown = [v for v in args.versions if v not in catalog]
        if unknown:
            raise MirrorError(f"not in the catalog: {', '.join(unknown)} (known: {', '.join(catalog)})")
        wanted = [catalog[v] for v in (args.versions or catalog)]
        missing = [c for c in wanted if not (mirror_path(args.mirror, c.uri).is_file()
                                             and sha256_of(mirror_path(args.mirror, c.uri)) == c.sha256)]
        # Versions found not served are asked again after a day, not on every run.
        record = args.apt_dir / "not-served.txt"
        known_absent = set()
        if record.is_file() and time.time() - record.stat().st_mtime < 86400:
            known_absent = set(record.read_text().split())
        unavailable = [c.version for c in missing if c.version in known_absent]
        missing = [c for c in missing if c.version not in known_absent]
        if missing:
            carried: dict[str, list[DebianTarball]] = {}
            for suite, text in apt_update(args.apt_dir, args.archive, SUITES):
                for t in parse_sources(text, suite):
                    carried.setdefault(t.version, []).append(t)
            for c in missing:
                if not fetch_one(args.archive, carried.get(c.version, []), c, mirror_path(args.mirror, c.uri)):
                    unavailable.append(c.version)
            args.apt_dir.mkdir(parents=True, exist_ok=True)
            record.write_text("\n".join(unavailable) + "\n")
        if unavailable:
            print(f"[mirror] not served by any Debian suite ({' '.join(SUITES)}), so not testable here: "
                  f"{', '.join(unavailable)}", file=sys.stderr)
            if args.versions:
                raise MirrorError(f"CPython {', '.join(unavailable)} cannot be fetched from Debian")
        for c in wanted:
            path = mirror_path(args.mirror, c.uri)
            if path.is_file():
                print(f"{c.sha256}  {path}")
    except MirrorError as exc:
        print(f"[mirror] ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
