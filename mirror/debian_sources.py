"""Debian's source archive as the mirror uses it: signed Sources indexes, .orig tarballs
downloaded from pool/ and checked against the index's sha256.

Shared by the fetchers of upstream tarballs that Debian carries unchanged (CPython, R:
cpython_sources.py, r_sources.py) and by the miniCRAN builder (minicran.py). The archive
is the one the machine's apt configuration names; `apt-get update` runs with a private
configuration so the system's apt state is never touched. Standard library only.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]


class MirrorError(Exception):
    """Something the mirror cannot do; printed as one line."""


class NotServed(MirrorError):
    """The index lists the file but the archive does not serve it (HTTP 404)."""


@dataclass(frozen=True)
class CatalogSource:
    """A catalog entry of an upstream source tarball (id `<x>-source` in a buildpack.toml)."""
    version: str
    uri: str
    sha256: str


@dataclass(frozen=True)
class SourceFile:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class SourcePackage:
    """One stanza of a Sources index."""
    package: str
    version: str
    directory: str
    files: tuple[SourceFile, ...]
    suite: str
    binaries: tuple[str, ...] = ()  # the binary packages it builds (Binary:)

    def orig(self) -> Optional[SourceFile]:
        """The upstream tarball (`<pkg>_<upstream>.orig.tar.<ext>`), if the package has one."""
        for f in self.files:
            if re.fullmatch(rf"{re.escape(self.package)}_[^_/]+\.orig\.tar\.(gz|xz|bz2)", f.name):
                return f
        return None


@dataclass(frozen=True)
class DebianTarball:
    version: str
    suite: str
    path: str  # relative to the archive root: pool/main/<x>/<package>/<file>
    sha256: str
    size: int


def stanzas(text: str) -> Iterator[dict[str, str]]:
    """The deb822 stanzas of an index: lower-case field names; continuation lines joined
    with newlines."""
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                fields[key] = value.strip()
        if fields:
            yield fields


def source_packages(text: str, suite: str, wanted: Optional[Callable[[str], bool]] = None) -> list[SourcePackage]:
    """The stanzas of a Sources index (only packages `wanted` accepts, when given)."""
    out = []
    for fields in stanzas(text):
        package = fields.get("package", "")
        if not package or "directory" not in fields or (wanted and not wanted(package)):
            continue
        files = []
        for entry in fields.get("checksums-sha256", "").split("\n"):
            parts = entry.split()
            if len(parts) == 3 and parts[1].isdigit():
                files.append(SourceFile(parts[2], parts[0], int(parts[1])))
        binaries = tuple(b.strip() for b in fields.get("binary", "").replace("\n", " ").split(",") if b.strip())
        out.append(SourcePackage(package, fields.get("version", ""), fields["directory"], tuple(files), suite, binaries))
    return out


def read_catalog(path: Path, dependency_id: str) -> list[CatalogSource]:
    """The `dependency_id` entries of a buildpack.toml's [[metadata.dependencies]]."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    out = []
    for d in data.get("metadata", {}).get("dependencies", []):
        if d.get("id") == dependency_id:
            out.append(CatalogSource(d["version"], d["uri"], d["checksum"].split(":", 1)[1]))
    return out


def mirror_path(root: Path, uri: str) -> Path:
    """Where BP_DEPENDENCY_MIRROR=<mirror>/{originalHost} finds a URI."""
    parsed = urllib.parse.urlparse(uri)
    return root / parsed.netloc / parsed.path.lstrip("/")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(archive: str, path: str, sha256: str, suite: str, dest: Path,
             check: Optional[Callable[[str, str], None]] = None) -> Path:
    """Download <archive>/<path>, check it against the index's sha256 (and `check(url, sha)`,
    which raises to refuse it), then (and only then) put it at dest."""
    url = f"{archive.rstrip('/')}/{path}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.part-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=120) as resp:
            for chunk in iter(lambda: resp.read(1 << 20), b""):
                out.write(chunk)
        got = sha256_of(tmp)
        if got != sha256:
            raise MirrorError(f"{url}: sha256 {got} does not match the {suite} Sources index ({sha256})")
        if check:
            check(url, got)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from the build user of a mounted mirror
        os.replace(tmp, dest)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise NotServed(f"{url}: HTTP 404 (listed in the {suite} Sources index, absent from the pool)") from None
        raise MirrorError(f"downloading {url} failed: {exc}") from None
    except OSError as exc:
        raise MirrorError(f"downloading {url} failed: {exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
        if dest.parent.is_dir() and not any(dest.parent.iterdir()):
            dest.parent.rmdir()
    return dest


def fetch_catalog_tarball(archive: str, candidates: list[DebianTarball], want: CatalogSource, dest: Path,
                          label: str) -> bool:
    """Store the first candidate the pool serves, refusing any whose sha256 is not the
    catalog's; False when none is served."""
    def is_catalogs(url: str, got: str) -> None:
        if got != want.sha256:
            raise MirrorError(f"refusing {url}: sha256 {got} is not the catalog's sha256 of {label} {want.version} "
                              f"({want.sha256}, {want.uri})")

    for t in candidates:
        print(f"[mirror] {label} {want.version}: {t.path} ({t.suite})", file=sys.stderr)
        try:
            download(archive, t.path, t.sha256, t.suite, dest, is_catalogs)
            return True
        except NotServed as exc:
            print(f"[mirror] {exc}", file=sys.stderr)
    return False


def apt_update(apt_dir: Path, archive: str, suites: Iterable[str]) -> list[tuple[str, str]]:
    """Refresh the private Sources indexes; returns (suite, index text) pairs."""
    suites = list(suites)
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


def run_catalog_fetcher(argv: Optional[list[str]], *, description: str, dependency_id: str, label: str,
                        suites: Iterable[str], parse: Callable[[str, str], list[DebianTarball]],
                        apt_dir_name: str) -> int:
    """The command line of a fetcher of a catalog's upstream tarballs from Debian: every
    `dependency_id` version of the catalog (or those named) that a suite's Sources index
    lists (`parse`) and the pool serves, with the catalog's sha256, stored where
    BP_DEPENDENCY_MIRROR finds its URI. Prints "<sha256>  <path>" per stored tarball."""
    import argparse
    import time

    suites = tuple(suites)
    cache = Path(os.environ.get("PYCNB_CACHE") or Path.home() / ".cache" / "pycnb")
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--mirror", type=Path, default=cache / "mirror")
    parser.add_argument("--apt-dir", type=Path, default=cache / apt_dir_name)
    parser.add_argument("--archive", required=True, help="Debian archive URI (from the machine's apt configuration)")
    parser.add_argument("versions", nargs="*", help="only these catalog versions; each must be obtainable")
    args = parser.parse_args(argv)
    try:
        catalog = {c.version: c for c in read_catalog(args.catalog, dependency_id)}
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
            for suite, text in apt_update(args.apt_dir, args.archive, suites):
                for t in parse(text, suite):
                    carried.setdefault(t.version, []).append(t)
            for c in missing:
                if not fetch_catalog_tarball(args.archive, carried.get(c.version, []), c,
                                             mirror_path(args.mirror, c.uri), label):
                    unavailable.append(c.version)
            args.apt_dir.mkdir(parents=True, exist_ok=True)
            record.write_text("\n".join(unavailable) + "\n")
        if unavailable:
            print(f"[mirror] not served by any Debian suite ({' '.join(suites)}), so not testable here: "
                  f"{label} {', '.join(unavailable)}", file=sys.stderr)
            if args.versions:
                raise MirrorError(f"{label} {', '.join(unavailable)} cannot be fetched from Debian")
        for c in wanted:
            path = mirror_path(args.mirror, c.uri)
            if path.is_file():
                print(f"{c.sha256}  {path}")
    except MirrorError as exc:
        print(f"[mirror] ERROR: {exc}", file=sys.stderr)
        return 1
    return 0
