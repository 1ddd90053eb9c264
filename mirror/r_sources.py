#!/usr/bin/env python3
"""Put R's release tarballs of the catalog into the local mirror, from Debian.

Debian's r-base source package carries CRAN's `R-<ver>.tar.gz` as its `.orig` tarball, byte
for byte, in the releases whose sha256 equals the catalog's (trixie's 4.5.0; bookworm's
4.2.2 `.orig` is an R-patched snapshot, and the catalog's checksum refuses it). Reads the
`r-source` entries of the r buildpack's catalog; the archive handling (private apt update,
Sources index, pool/ download, sha256 checks against index and catalog) is
debian_sources.py's, shared with cpython_sources.py. Stores each at
<mirror>/cran.r-project.org/src/base/R-<major>/R-<ver>.tar.gz. Standard library only.
Prints "<sha256>  <path>" for every catalog version the mirror holds.
"""
from __future__ import annotations

import re
import sys
from typing import Optional

from debian_sources import DebianTarball, run_catalog_fetcher, source_packages

# bookworm too: minicran.py shares this apt directory (bookworm carries an older R6).
SUITES = ("bookworm", "trixie", "forky", "sid")
_ORIG = re.compile(r"^r-base_(\d+\.\d+\.\d+)\.orig\.tar\.gz$")


def parse_sources(text: str, suite: str) -> list[DebianTarball]:
    """The r-base .orig tarballs of a Sources index."""
    found = []
    for pkg in source_packages(text, suite, lambda name: name == "r-base"):
        for f in pkg.files:
            match = _ORIG.match(f.name)
            if match:
                found.append(DebianTarball(match.group(1), suite, f"{pkg.directory}/{f.name}", f.sha256, f.size))
    return found


def main(argv: Optional[list[str]] = None) -> int:
    return run_catalog_fetcher(argv, description=__doc__.splitlines()[0], dependency_id="r-source", label="R",
                               suites=SUITES, parse=parse_sources, apt_dir_name="apt-r")


if __name__ == "__main__":
    sys.exit(main())
