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

Versions that no suite carries are reported as not available here. The archive handling is
debian_sources.py's. Standard library only.
Prints "<sha256>  <path>" for every catalog version the mirror holds.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Optional

from debian_sources import (CatalogSource, DebianTarball, MirrorError, NotServed,  # noqa: F401 (this module's API)
                            fetch_catalog_tarball, mirror_path, run_catalog_fetcher, sha256_of, source_packages)
import debian_sources

SUITES = ("bullseye", "bookworm", "trixie", "forky", "sid")
_ORIG = re.compile(r"^python(\d+\.\d+)_(\d+\.\d+\.\d+)\.orig\.tar\.(xz|gz)$")


def read_catalog(path: Path) -> list[CatalogSource]:
    return debian_sources.read_catalog(path, "cpython-source")


def parse_sources(text: str, suite: str) -> list[DebianTarball]:
    """The CPython .orig tarballs of a Sources index (deb822 stanzas)."""
    found = []
    for pkg in source_packages(text, suite, lambda name: re.fullmatch(r"python\d+\.\d+", name) is not None):
        for f in pkg.files:
            match = _ORIG.match(f.name)
            if match and f"python{match.group(1)}" == pkg.package:
                found.append(DebianTarball(match.group(2), suite, f"{pkg.directory}/{f.name}", f.sha256, f.size))
    return found


def fetch_one(archive: str, candidates: list[DebianTarball], want: CatalogSource, dest: Path) -> bool:
    """Try each suite that lists the version; False when none serves it."""
    return fetch_catalog_tarball(archive, candidates, want, dest, "CPython")


def main(argv: Optional[list[str]] = None) -> int:
    return run_catalog_fetcher(argv, description=__doc__.splitlines()[0], dependency_id="cpython-source",
                               label="CPython", suites=SUITES, parse=parse_sources, apt_dir_name="apt-cpython")


if __name__ == "__main__":
    sys.exit(main())
