#!/usr/bin/env python3
"""Add CRAN packages and their dependency closure to the mirror's miniCRAN repository, from
Debian's r-cran-* source packages.

For each CRAN package name: the Debian source package of the suite's Sources index that
builds `r-cran-<lower-case name>`, its `.orig` tarball downloaded from pool/ (kept only when its sha256 is
the index's), the DESCRIPTION inside it read for Depends/Imports/LinkingTo (R itself, base and
recommended packages excluded), and so on for the whole closure; version constraints are
checked against what the suite carries. An `.orig` that is CRAN's tarball (not a `+dfsg`/`+ds`
repack, gzip, top directory = package name) is served byte for byte; any other is rewritten
as `<pkg>_<ver>.tar.gz` with the package name as top directory. Each served tarball gets a
provenance record (`provenance/<pkg>_<ver>.json`: Debian source package and version, suite,
.orig name and sha256, served sha256, whether repacked/recompressed).

Older versions (`--archive R6=bookworm`: R6 as another suite carries it) go to
`src/contrib/Archive/<pkg>/`. Indexing (PACKAGES*, Meta/archive.rds) is left to
`tools::write_PACKAGES` in R (minicran.sh). Prints the served tarballs' paths.
Standard library only.
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import re
import sys
import tarfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

from debian_sources import MirrorError, SourcePackage, apt_update, download, sha256_of, source_packages

# R's base packages (shipped with R) and its recommended ones (not in the prebuilt R, which
# is built --without-recommended-packages; an app's repository provides them if it needs them).
BASE = frozenset("""base compiler datasets graphics grDevices grid methods parallel splines stats stats4
tcltk tools utils""".split())
RECOMMENDED = frozenset("""boot class cluster codetools foreign KernSmooth lattice MASS Matrix mgcv nlme nnet
rpart spatial survival""".split())
DEPENDENCY_FIELDS = ("Depends", "Imports", "LinkingTo")
_DEP = re.compile(r"^([A-Za-z][A-Za-z0-9.]*)\s*(?:\(\s*(>=|<=|==|>|<|!=)\s*([^)\s]+)\s*\))?$")


@dataclass(frozen=True)
class Requirement:
    name: str
    op: Optional[str] = None
    version: Optional[str] = None

    def allows(self, version: str) -> bool:
        if self.op is None or self.version is None:
            return True
        a, b = version_key(version), version_key(self.version)
        return {">=": a >= b, "<=": a <= b, "==": a == b, ">": a > b, "<": a < b, "!=": a != b}[self.op]

    def __str__(self) -> str:
        return self.name if self.op is None else f"{self.name} ({self.op} {self.version})"


@dataclass(frozen=True)
class Provenance:
    package: str
    version: str
    tarball: str            # path under the repository root
    sha256: str             # of the served tarball
    debian_source: str
    debian_version: str
    suite: str
    orig: str               # pool/ path of the .orig tarball
    orig_sha256: str
    repack: bool            # Debian removed files (+dfsg/+ds): not CRAN's tarball
    recompressed: bool      # rewritten as <pkg>_<ver>.tar.gz (repack, .tar.xz, other top directory)


def version_key(version: str) -> tuple[int, ...]:
    """R's package version order: numbers separated by '.' or '-'."""
    return tuple(int(p) for p in re.split(r"[.-]", version.strip()) if p.isdigit())


def parse_dcf(text: str) -> dict[str, str]:
    """The fields of a DESCRIPTION file (continuation lines joined with spaces)."""
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t"):
            if key:
                fields[key] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip()
            fields[key] = value.strip()
    return fields


def parse_requirements(value: str) -> list[Requirement]:
    out = []
    for item in value.split(","):
        item = " ".join(item.split())
        if not item:
            continue
        m = _DEP.match(item)
        if not m:
            raise MirrorError(f"cannot read the dependency {item!r}")
        out.append(Requirement(m.group(1), m.group(2), m.group(3)))
    return out


def requirements(description: dict[str, str]) -> list[Requirement]:
    """Depends + Imports + LinkingTo that a repository must provide (not R, base or recommended)."""
    out = []
    for field in DEPENDENCY_FIELDS:
        for r in parse_requirements(description.get(field, "")):
            if r.name != "R" and r.name not in BASE and r.name not in RECOMMENDED:
                out.append(r)
    return out


def debian_name(cran_name: str) -> str:
    return f"r-cran-{cran_name.lower()}"


def _description_member(tar: tarfile.TarFile) -> tarfile.TarInfo:
    members = [m for m in tar.getmembers() if m.isfile() and re.fullmatch(r"[^/]+/DESCRIPTION", m.name)]
    if len(members) != 1:
        raise MirrorError(f"{tar.name}: expected one <dir>/DESCRIPTION, found {len(members)}")
    return members[0]


def read_description(orig: Path) -> tuple[dict[str, str], str]:
    """DESCRIPTION of an R source tarball (any compression) and its top directory."""
    with tarfile.open(orig) as tar:
        member = _description_member(tar)
        fh = tar.extractfile(member)
        assert fh is not None
        return parse_dcf(fh.read().decode("utf-8", "replace")), member.name.split("/", 1)[0]


def is_repack(debian_version: str) -> bool:
    return re.search(r"\+(dfsg|ds)", debian_version) is not None


def recompress(orig: Path, package: str, dest: Path) -> None:
    """Rewrite an R source tarball as a reproducible .tar.gz whose top directory is the package."""
    buf = io.BytesIO()
    with tarfile.open(orig) as src, tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as out:
        for m in sorted(src.getmembers(), key=lambda m: m.name):
            top, _, rest = m.name.partition("/")
            if m.name in (".", "./") or not (m.isfile() or m.isdir() or m.issym()):
                continue
            info = tarfile.TarInfo(package + ("/" + rest if rest else ""))
            info.type, info.mode, info.mtime, info.linkname = m.type, m.mode, m.mtime, m.linkname
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if m.isfile():
                info.size = m.size
                out.addfile(info, src.extractfile(m))
            else:
                out.addfile(info)
    tmp = dest.with_name(f".{dest.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, filename="") as gz:
        gz.write(buf.getvalue())
    os.chmod(tmp, 0o644)
    os.replace(tmp, dest)


class Repository:
    """The miniCRAN tree: <root>/src/contrib (+ Archive/), <root>/provenance, <root>/debian
    (the verified .orig tarballs)."""

    def __init__(self, root: Path):
        self.root = root
        self.contrib = root / "src" / "contrib"
        self.provenance_dir = root / "provenance"
        self.orig_dir = root / "debian"

    def records(self) -> dict[str, Provenance]:
        """Current (not archived) packages by name."""
        out = {}
        if self.provenance_dir.is_dir():
            for p in sorted(self.provenance_dir.glob("*.json")):
                rec = Provenance(**json.loads(p.read_text()))
                if "/Archive/" not in rec.tarball and (self.root / rec.tarball).is_file():
                    out[rec.package] = rec
        return out

    def add(self, pkg: SourcePackage, orig_path: Path, archived: bool) -> Provenance:
        """Serve one verified .orig tarball (as is, or recompressed) and record where it came from."""
        orig = pkg.orig()
        assert orig is not None
        desc, top = read_description(orig_path)
        name, version = desc["Package"], desc["Version"]
        target_dir = self.contrib / "Archive" / name if archived else self.contrib
        target = target_dir / f"{name}_{version}.tar.gz"
        target_dir.mkdir(parents=True, exist_ok=True)
        repack = is_repack(pkg.version)
        recompressed = repack or not orig.name.endswith(".tar.gz") or top != name
        if recompressed:
            recompress(orig_path, name, target)
        else:
            tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
            tmp.write_bytes(orig_path.read_bytes())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        if not archived:  # one current version per package: older served tarballs go
            for old in self.contrib.glob(f"{name}_*.tar.gz"):
                if old != target:
                    old.unlink()
        rec = Provenance(name, version, str(target.relative_to(self.root)), sha256_of(target), pkg.package,
                         pkg.version, pkg.suite, f"{pkg.directory}/{orig.name}", orig.sha256, repack, recompressed)
        self.provenance_dir.mkdir(parents=True, exist_ok=True)
        (self.provenance_dir / f"{name}_{version}.json").write_text(json.dumps(asdict(rec), indent=1) + "\n")
        return rec


def resolve(names: Iterable[str], lookup: Callable[[str], tuple[dict[str, str], object]]) -> list[tuple[str, object]]:
    """The closure of `names` over Depends/Imports/LinkingTo, dependencies first. `lookup(name)`
    gives a package's DESCRIPTION fields and a handle; every constraint on it must allow its
    Version."""
    order: list[tuple[str, object]] = []
    seen: dict[str, dict[str, str]] = {}
    constraints: dict[str, list[tuple[str, Requirement]]] = {}
    state: dict[str, str] = {}

    def visit(name: str) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "active":
            return  # a cycle (LinkingTo/Imports loops exist on CRAN): the order inside it does not matter
        state[name] = "active"
        desc, handle = lookup(name)
        seen[name] = desc
        for req in requirements(desc):
            constraints.setdefault(req.name, []).append((name, req))
            visit(req.name)
        state[name] = "done"
        order.append((name, handle))

    for n in names:
        visit(n)
    for name, reqs in constraints.items():
        have = seen[name].get("Version", "")
        for who, req in reqs:
            if not req.allows(have):
                raise MirrorError(f"{who} needs {req}, but the Debian suite carries {name} {have}")
    return order


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True, help="the repository root (<mirror>/cran)")
    parser.add_argument("--apt-dir", type=Path, required=True, help="private apt state (shared with r_sources.py)")
    parser.add_argument("--archive", required=True, help="Debian archive URI (from the machine's apt configuration)")
    parser.add_argument("--suite", default="trixie")
    parser.add_argument("--suites", default="bookworm trixie forky sid",
                        help="every suite of the apt directory's sources.list (r_sources.py's)")
    parser.add_argument("--older", action="append", default=[], metavar="PKG=SUITE",
                        help="also serve PKG as SUITE carries it under src/contrib/Archive/ (an older version)")
    parser.add_argument("packages", nargs="+", help="CRAN package names")
    args = parser.parse_args(argv)
    repo = Repository(args.repo)
    try:
        indexes: dict[str, dict[str, SourcePackage]] = {}

        def index(suite: str) -> dict[str, SourcePackage]:
            if not indexes:
                for s, text in apt_update(args.apt_dir, args.archive, args.suites.split()):
                    # By binary name: most r-cran-<x> binaries come from a source of that name,
                    # some not (Rcpp's r-cran-rcpp is built by the source package rcpp).
                    indexes[s] = {b: p for p in source_packages(text, s) for b in p.binaries if b.startswith("r-cran-")}
            if suite not in indexes:
                raise MirrorError(f"suite {suite} is not one of {args.suites}")
            return indexes[suite]

        def fetch(cran_name: str, suite: str) -> tuple[SourcePackage, Path]:
            pkg = index(suite).get(debian_name(cran_name))
            orig = pkg.orig() if pkg else None
            if pkg is None or orig is None:
                raise MirrorError(f"Debian {suite} has no source package that builds {debian_name(cran_name)} "
                                  f"(CRAN package {cran_name}) with an .orig tarball")
            dest = repo.orig_dir / orig.name
            if not (dest.is_file() and sha256_of(dest) == orig.sha256):
                print(f"[minicran] {cran_name}: {pkg.directory}/{orig.name} ({suite})", file=sys.stderr)
                download(args.archive, f"{pkg.directory}/{orig.name}", orig.sha256, suite, dest)
            return pkg, dest

        served = repo.records()
        descriptions: dict[str, dict[str, str]] = {}

        def lookup(name: str) -> tuple[dict[str, str], object]:
            rec = served.get(name)
            if rec is not None:  # already served: its DESCRIPTION is in the served tarball
                desc, handle = read_description(repo.root / rec.tarball)[0], rec
            else:
                pkg, path = fetch(name, args.suite)
                desc, handle = read_description(path)[0], (pkg, path)
            descriptions[name] = desc
            return desc, handle

        closure = resolve(args.packages, lookup)
        for name, handle in closure:
            if isinstance(handle, Provenance):
                continue
            pkg, path = handle  # type: ignore[misc]
            rec = repo.add(pkg, path, archived=False)
            print(f"[minicran] {rec.package} {rec.version} from {rec.debian_source} {rec.debian_version} ({rec.suite})"
                  f"{', recompressed' if rec.recompressed else ''}", file=sys.stderr)
        for spec in args.older:
            name, _, suite = spec.partition("=")
            current = repo.records().get(name)
            rec_dir = repo.contrib / "Archive" / name
            if rec_dir.is_dir() and any(rec_dir.glob("*.tar.gz")):
                continue
            pkg, path = fetch(name, suite)
            version = read_description(path)[0]["Version"]
            if current and version_key(version) >= version_key(current.version):
                raise MirrorError(f"{suite} carries {name} {version}, not older than the served {current.version}")
            rec = repo.add(pkg, path, archived=True)
            print(f"[minicran] {rec.package} {rec.version} from {suite} into {rec.tarball}", file=sys.stderr)
        needs_recommended = sorted({r.name for desc in descriptions.values() for f in DEPENDENCY_FIELDS
                                    for r in parse_requirements(desc.get(f, "")) if r.name in RECOMMENDED})
        if needs_recommended:
            print(f"[minicran] WARNING: the closure needs R's recommended packages {', '.join(needs_recommended)}, "
                  "which the prebuilt R lacks; add them by name", file=sys.stderr)
        for name, _ in closure:
            print(repo.root / repo.records()[name].tarball)
    except MirrorError as exc:
        print(f"[minicran] ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
