"""mirror/minicran.py, r_sources.py and catalog.py's R entries: DESCRIPTION and Sources parsing,
the dependency closure with its version constraints, serving Debian's .orig tarballs (byte for
byte, or recompressed when repacked) with their provenance. Real tarballs written by tarfile."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "mirror"))
import catalog  # noqa: E402
import debian_sources as ds  # noqa: E402
import minicran as mc  # noqa: E402
import r_sources  # noqa: E402

PLUMBER_DESCRIPTION = """Encoding: UTF-8
Package: plumber
Type: Package
Title: An API Generator for R
Version: 1.3.0
Depends: R (>= 3.0.0)
Imports: R6 (>= 2.0.0), stringi (>= 0.3.0), jsonlite (>= 0.9.16), webutils
        (>= 1.1), httpuv (>= 1.5.5), crayon, promises (>= 1.1.0), sodium,
        swagger (>= 3.33.0), magrittr, mime, lifecycle (>= 0.2.0), rlang
        (>= 1.0.0)
Suggests: testthat (>= 0.11.0), yaml, visNetwork
LinkingTo: Rcpp, later
"""

SOURCES = """Package: rcpp
Binary: r-cran-rcpp
Version: 1.0.14-1
Checksums-Sha256:
 {a} 3013288 rcpp_1.0.14.orig.tar.gz
 {b} 1900 rcpp_1.0.14-1.dsc
 {c} 8000 rcpp_1.0.14-1.debian.tar.xz
Directory: pool/main/r/rcpp

Package: r-base
Binary: r-base, r-base-core, r-mathlib, r-base-html,
 r-base-dev, r-doc-html
Version: 4.5.0-3
Checksums-Sha256:
 {a} 40097010 r-base_4.5.0.orig.tar.gz
 {b} 3201 r-base_4.5.0-3.dsc
Directory: pool/main/r/r-base

Package: r-cran-plumber
Binary: r-cran-plumber
Version: 1.3.0+ds-1
Checksums-Sha256:
 {c} 600000 r-cran-plumber_1.3.0+ds.orig.tar.xz
 {b} 2000 r-cran-plumber_1.3.0+ds-1.dsc
Directory: pool/main/r/r-cran-plumber
"""


def test_description_fields_continue_over_lines():
    fields = mc.parse_dcf(PLUMBER_DESCRIPTION)
    assert fields["Version"] == "1.3.0"
    assert fields["LinkingTo"] == "Rcpp, later"
    assert "lifecycle (>= 0.2.0), rlang (>= 1.0.0)" in fields["Imports"]


def test_requirements_are_depends_imports_linkingto_without_r_base_or_recommended():
    fields = mc.parse_dcf(PLUMBER_DESCRIPTION + "")
    fields["Depends"] += ", methods, Matrix (>= 1.5)"
    names = [str(r) for r in mc.requirements(fields)]
    assert names == ["R6 (>= 2.0.0)", "stringi (>= 0.3.0)", "jsonlite (>= 0.9.16)", "webutils (>= 1.1)",
                     "httpuv (>= 1.5.5)", "crayon", "promises (>= 1.1.0)", "sodium", "swagger (>= 3.33.0)",
                     "magrittr", "mime", "lifecycle (>= 0.2.0)", "rlang (>= 1.0.0)", "Rcpp", "later"]


def test_a_malformed_dependency_is_an_error():
    with pytest.raises(mc.MirrorError, match="cannot read the dependency 'jsonlite >= 1'"):
        mc.parse_requirements("R6, jsonlite >= 1")


@pytest.mark.parametrize("have, op, want, ok", [
    ("1.0-10", ">=", "1.0-9", True),     # numeric, not lexical
    ("1.8.4", ">=", "1.9", False),
    ("2.0.3", "==", "2.0-3", True),      # '.' and '-' separate the same way
    ("0.12", "<", "0.12.1", True),
    ("1.3.0", ">", "1.3.0", False),
])
def test_version_constraints_follow_r_ordering(have, op, want, ok):
    assert mc.Requirement("x", op, want).allows(have) is ok


def test_sources_index_gives_orig_tarballs_and_binary_names():
    text = SOURCES.format(a="a" * 64, b="b" * 64, c="c" * 64)
    pkgs = ds.source_packages(text, "trixie")
    assert [(p.package, p.version, p.binaries) for p in pkgs] == [
        ("rcpp", "1.0.14-1", ("r-cran-rcpp",)),
        ("r-base", "4.5.0-3", ("r-base", "r-base-core", "r-mathlib", "r-base-html", "r-base-dev", "r-doc-html")),
        ("r-cran-plumber", "1.3.0+ds-1", ("r-cran-plumber",))]
    assert pkgs[0].orig() == ds.SourceFile("rcpp_1.0.14.orig.tar.gz", "a" * 64, 3013288)
    assert pkgs[2].orig().name == "r-cran-plumber_1.3.0+ds.orig.tar.xz"
    assert mc.debian_name("Rcpp") == "r-cran-rcpp" and mc.debian_name("data.table") == "r-cran-data.table"


def test_r_sources_finds_only_r_base_orig_tarballs():
    text = SOURCES.format(a="a" * 64, b="b" * 64, c="c" * 64)
    assert r_sources.parse_sources(text, "trixie") == [
        ds.DebianTarball("4.5.0", "trixie", "pool/main/r/r-base/r-base_4.5.0.orig.tar.gz", "a" * 64, 40097010)]


def desc(name, version, **fields):
    return {"Package": name, "Version": version, **fields}


def test_closure_is_dependencies_first_and_cycles_end():
    universe = {
        "plumber": desc("plumber", "1.3.0", Imports="R6 (>= 2.0.0), httpuv", LinkingTo="Rcpp"),
        "httpuv": desc("httpuv", "1.6.15", Imports="later, promises", LinkingTo="Rcpp, later"),
        "later": desc("later", "1.4.1", Imports="Rcpp, rlang", LinkingTo="Rcpp"),
        "promises": desc("promises", "1.3.2", Imports="later, R6, Rcpp, rlang, stats"),
        "Rcpp": desc("Rcpp", "1.0.14", Imports="methods, utils"),
        "R6": desc("R6", "2.6.1", Depends="R (>= 3.6)"),
        "rlang": desc("rlang", "1.1.5", Imports="utils, plumber"),  # a cycle, for the test's sake
    }
    order = [n for n, _ in mc.resolve(["plumber"], lambda n: (universe[n], n))]
    assert sorted(order) == sorted(universe)
    pos = {n: i for i, n in enumerate(order)}
    for n in ("R6", "httpuv", "Rcpp"):
        assert pos[n] < pos["plumber"]
    assert pos["Rcpp"] < pos["later"] < pos["httpuv"]


def test_a_version_the_suite_lacks_names_who_needs_it():
    universe = {"app": desc("app", "1.0", Imports="jsonlite (>= 2.0)"), "jsonlite": desc("jsonlite", "1.9.1")}
    with pytest.raises(mc.MirrorError, match=r"app needs jsonlite \(>= 2.0\), but the Debian suite carries jsonlite 1.9.1"):
        mc.resolve(["app"], lambda n: (universe[n], n))


def make_tarball(path: Path, top: str, description: str, compression: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=f"w:{compression}") as tar:
        for name, body in ((f"{top}/DESCRIPTION", description), (f"{top}/R/zzz.R", "f <- function() 1\n")):
            data = body.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1700000000, 0o644
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def source_package(name, version, orig: Path):
    sha = hashlib.sha256(orig.read_bytes()).hexdigest()
    return ds.SourcePackage(name, version, f"pool/main/r/{name}", (ds.SourceFile(orig.name, sha, orig.stat().st_size),),
                            "trixie", (name,))


def test_cran_tarball_is_served_byte_for_byte(tmp_path):
    orig = tmp_path / "r-cran-r6_2.6.1.orig.tar.gz"
    body = make_tarball(orig, "R6", "Package: R6\nVersion: 2.6.1\n", "gz")
    repo = mc.Repository(tmp_path / "cran")
    rec = repo.add(source_package("r-cran-r6", "2.6.1-1", orig), orig, archived=False)
    served = tmp_path / "cran/src/contrib/R6_2.6.1.tar.gz"
    assert served.read_bytes() == body
    assert rec == mc.Provenance("R6", "2.6.1", "src/contrib/R6_2.6.1.tar.gz", hashlib.sha256(body).hexdigest(),
                                "r-cran-r6", "2.6.1-1", "trixie", "pool/main/r/r-cran-r6/r-cran-r6_2.6.1.orig.tar.gz",
                                hashlib.sha256(body).hexdigest(), repack=False, recompressed=False)
    assert json.loads((tmp_path / "cran/provenance/R6_2.6.1.json").read_text())["orig_sha256"] == rec.orig_sha256
    assert repo.records() == {"R6": rec}


def test_a_dfsg_repack_is_recompressed_with_both_checksums(tmp_path):
    orig = tmp_path / "r-cran-httpuv_1.6.15+dfsg.orig.tar.xz"
    make_tarball(orig, "httpuv-1.6.15", "Package: httpuv\nVersion: 1.6.15\n", "xz")
    repo = mc.Repository(tmp_path / "cran")
    rec = repo.add(source_package("r-cran-httpuv", "1.6.15+dfsg-1", orig), orig, archived=False)
    served = tmp_path / "cran/src/contrib/httpuv_1.6.15.tar.gz"
    assert rec.repack and rec.recompressed
    assert rec.sha256 == hashlib.sha256(served.read_bytes()).hexdigest() != rec.orig_sha256
    with tarfile.open(served, "r:gz") as tar:
        assert sorted(tar.getnames()) == ["httpuv/DESCRIPTION", "httpuv/R/zzz.R"]
        assert tar.getmember("httpuv/R/zzz.R").mtime == 1700000000
    assert gzip.open(served).read()  # a plain gzip stream R's untar reads
    # Reproducible: the same .orig gives the same bytes.
    again = repo.add(source_package("r-cran-httpuv", "1.6.15+dfsg-1", orig), orig, archived=False)
    assert again.sha256 == rec.sha256


def test_an_older_version_goes_to_the_archive_and_a_newer_current_replaces_the_old(tmp_path):
    repo = mc.Repository(tmp_path / "cran")
    for version, archived in (("2.5.1", True), ("2.6.0", False), ("2.6.1", False)):
        orig = tmp_path / f"r-cran-r6_{version}.orig.tar.gz"
        make_tarball(orig, "R6", f"Package: R6\nVersion: {version}\n", "gz")
        repo.add(source_package("r-cran-r6", f"{version}-1", orig), orig, archived=archived)
    contrib = tmp_path / "cran/src/contrib"
    assert sorted(p.name for p in contrib.glob("*.tar.gz")) == ["R6_2.6.1.tar.gz"]
    assert (contrib / "Archive/R6/R6_2.5.1.tar.gz").is_file()
    assert repo.records()["R6"].version == "2.6.1"


def test_the_r_catalog_lists_each_prebuilt_with_crans_source(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "prebuilt/r/4.5.0").mkdir(parents=True)
    (mirror / "prebuilt/r/4.5.0/r_4.5.0_linux_amd64_debian_12.tgz").write_bytes(b"prebuilt 12")
    (mirror / "prebuilt/r/4.5.0/r_4.5.0_linux_amd64_debian_13.tgz").write_bytes(b"prebuilt 13")
    (mirror / "cran.r-project.org/src/base/R-4").mkdir(parents=True)
    (mirror / "cran.r-project.org/src/base/R-4/R-4.5.0.tar.gz").write_bytes(b"source")
    out = tmp_path / "r.toml"
    catalog.write_catalog(out, "R", catalog.r_entries(mirror, "http://127.0.0.1:8642"))
    deps = tomllib.loads(out.read_text())["dependencies"]
    assert [(d["id"], d["version"], d["targets"][0]["distros"][0]["version"]) for d in deps] == [
        ("r", "4.5.0", "12"), ("r", "4.5.0", "13")]
    d = deps[0]
    assert d["uri"] == "http://127.0.0.1:8642/prebuilt/r/4.5.0/r_4.5.0_linux_amd64_debian_12.tgz"
    assert d["checksum"] == "sha256:" + hashlib.sha256(b"prebuilt 12").hexdigest()
    assert d["source"] == "https://cran.r-project.org/src/base/R-4/R-4.5.0.tar.gz"
    assert d["source-checksum"] == "sha256:" + hashlib.sha256(b"source").hexdigest()
    assert d["licenses"] == ["GPL-2.0-or-later"] and d["strip-components"] == 0 and d["name"] == "R"
    assert d["purl"].startswith("pkg:generic/r@4.5.0?checksum=sha256:")
    assert d["targets"][0]["os"] == "linux" and d["targets"][0]["arch"] == "amd64"
