"""Build inputs on the R road (libbuild/buildinputs.py, libbuild/r/buildinputs.py): what
pycnb/r-minicran digests at detect, how pycnb/r keeps R off the build while the digest and R are
unchanged, and how the library layer is then kept by metadata — detect and build as real
subprocesses (tests/harness.py)."""
from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from libbuild import tomlfile

PACKAGES = "Package: R6\nVersion: 2.6.1\nNeedsCompilation: no\n\nPackage: jsonlite\nVersion: 2.0.0\n"
BOTH = {"build": True, "launch": True}


def _archive(path: Path, files: dict[str, tuple[bytes, int]]) -> str:
    with tarfile.open(path, "w:gz") as tar:
        for name, (data, mode) in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def r_catalog(tree, tmp_path):
    """A platform catalog with a prebuilt R 4.5.0 for debian 12 (a tree whose Rscript reports its
    version, as the real one does) and an R 4.4.3 source tarball whose configure and Makefile
    install that Rscript under --prefix."""
    prebuilt = tmp_path / "r_4.5.0.tgz"
    rscript = (b"#!/bin/sh\necho 4.5.0\n", 0o755)
    configure = (b"#!/bin/sh\nprefix=${1#--prefix=}\n"
                 b"printf 'all:\\n\\ttrue\\ninstall:\\n\\tmkdir -p %s/bin && cp Rscript %s/bin/\\n' \"$prefix\" \"$prefix\""
                 b" > Makefile\n", 0o755)
    source = tmp_path / "R-4.4.3.tar.gz"
    entries = [
        {"id": "r", "name": "R", "version": "4.5.0", "uri": f"file://{prebuilt}", "strip-components": 0,
         "checksum": _archive(prebuilt, {"bin/Rscript": rscript, "lib/R/site-library/.keep": (b"", 0o644)}),
         "licenses": ["GPL-2.0-or-later"],
         "targets": [{"os": "linux", "arch": "amd64", "distros": [{"name": "debian", "version": "12"}]}]},
        {"id": "r-source", "name": "R", "version": "4.4.3", "uri": f"file://{source}", "strip-components": 1,
         "checksum": _archive(source, {"R-4.4.3/configure": configure,
                                       "R-4.4.3/Rscript": (b"#!/bin/sh\necho 4.4.3\n", 0o755)}),
         "licenses": ["GPL-2.0-or-later"]},
    ]
    path = tmp_path / "r-catalog.toml"
    tomlfile.write(path, {"dependencies": entries})
    tree.set_env("BP_DEPENDENCY_CATALOG", str(path))
    return path


def _plan(digest="aaaa"):
    """pycnb/r-minicran's requirement of r, with or without a digest."""
    return [("r", {**BOTH, **({"build-inputs": digest} if digest else {})})]


# -- pycnb/r ---------------------------------------------------------------------------------

def test_r_stays_off_the_build_while_the_library_inputs_are_unchanged(tree, r_catalog):
    first = tree.build("r", _plan())
    assert first.code == 0, first.output
    assert "R is needed at build: first build" in first.output and "Installing R 4.5.0 (prebuilt)" in first.output
    assert first.layer_toml("r")["types"] == {"build": True, "launch": True, "cache": True}
    assert first.layer_toml("r")["metadata"]["build-inputs"] == ["aaaa"]
    assert first.env_files("r")["env.build/PYCNB_R_VERSION.override"] == "4.5.0"

    tree.restore("r")
    same = tree.build("r", _plan())
    assert same.code == 0, same.output
    assert "R is not needed at build" in same.output and "Reusing layer 'r'" in same.output
    assert same.layer_toml("r")["types"] == {"build": False, "launch": True, "cache": False}
    assert "Installing R" not in same.output

    tree.restore("r")  # launch-only now: only its metadata comes back
    assert not (tree.layers_dir("r") / "r").exists()
    changed = tree.build("r", _plan("cccc"))
    assert changed.code == 0, changed.output
    assert "R is needed at build: the runtime or a buildpack's build inputs changed" in changed.output
    assert "Rebuilding layer 'r' since: build-inputs changed" in changed.output
    assert changed.layer_toml("r")["types"] == {"build": True, "launch": True, "cache": True}
    assert (changed.layers / "r" / "bin" / "Rscript").exists()

    tree.restore("r")
    undigested = tree.build("r", _plan(None))  # a requirer that needs R every time
    assert undigested.code == 0, undigested.output
    assert "R is not needed at build" not in undigested.output
    assert undigested.layer_toml("r")["types"] == {"build": True, "launch": True, "cache": True}
    assert "build-inputs" not in undigested.layer_toml("r")["metadata"]

    tree.restore("r")
    launch_only = tree.build("r", [("r", {"launch": True})])  # nobody runs R at build
    assert launch_only.code == 0, launch_only.output
    assert launch_only.layer_toml("r")["types"] == {"build": False, "launch": True, "cache": False}


def test_r_compiled_from_source_stays_on_the_build_and_in_the_cache(tree, r_catalog):
    """Without a launch-only layer's contents, a package change would compile R again: a
    compiled R keeps its old flags and its metadata never holds the library's inputs."""
    tree.set_env("BP_R_VERSION", "4.4.3")
    first = tree.build("r", _plan())
    assert first.code == 0, first.output
    assert "Installing R 4.4.3 (source)" in first.output and "Rscript reports R 4.4.3" in first.output
    assert first.layer_toml("r")["types"] == {"build": True, "launch": True, "cache": True}
    assert "build-inputs" not in first.layer_toml("r")["metadata"]

    tree.restore("r")
    changed = tree.build("r", _plan("cccc"))
    assert changed.code == 0, changed.output
    assert "Reusing layer 'r'" in changed.output and "Installing R" not in changed.output
    assert changed.layer_toml("r")["types"] == {"build": True, "launch": True, "cache": True}


# -- pycnb/r-minicran: the digest ------------------------------------------------------------

def _inputs(tree):
    run = tree.detect("r-minicran")
    assert run.code == 0, run.output
    return run.plan()["requires"][0]["metadata"].get("build-inputs")


def _vendor(tree, where="minicran", text=PACKAGES) -> Path:
    return tree.write(f"{where}/src/contrib/PACKAGES", text).parent


def test_minicran_build_inputs_cover_the_package_list_settings_and_a_vendored_index(tree, tmp_path):
    tree.write("r-packages.txt", "R6\n")
    tree.write("api.R", "# code\n")
    first = _inputs(tree)
    assert first and len(first) == 64 and _inputs(tree) == first
    tree.write("api.R", "# code-only change\n")
    assert _inputs(tree) == first
    tree.write("r-packages.txt", "R6\njsonlite\n")
    listed = _inputs(tree)
    assert listed != first
    tree.set_env("BP_R_REPOS", "http://127.0.0.1:9/cran")
    with_repos = _inputs(tree)
    assert with_repos not in (first, listed)  # every setting is an input

    tree.write("renv.lock", '{"R": {"Version": "4.5.0"}, "Packages": {}}')
    locked = _inputs(tree)
    assert locked != with_repos
    tree.write("r-packages.txt", "R6\n")
    assert _inputs(tree) == locked  # renv.lock decides the packages: r-packages.txt is not read

    contrib = _vendor(tree)
    vendored = _inputs(tree)
    assert vendored != locked
    (contrib / "PACKAGES").write_text(PACKAGES + "\nPackage: mime\nVersion: 0.13\n")
    assert _inputs(tree) not in (vendored, locked)  # the vendored index is an input
    (contrib / "PACKAGES").unlink()
    assert _inputs(tree) is None  # no index: build reports it
    (contrib / "PACKAGES").write_text(PACKAGES)
    assert _inputs(tree) == vendored

    # CA certificates and dependency downloads do not decide the library: a digest, naming their kinds
    tree.binding("corp-ca", "ca-certificates", {"corp.pem": "-----BEGIN CERTIFICATE-----\n"})
    with_ca = _inputs(tree)
    assert with_ca and with_ca != vendored


@pytest.mark.parametrize("case", ["binding", "vendor link", "manifest link", "index link"])
def test_minicran_build_inputs_none_when_something_is_out_of_sight(tree, tmp_path, case):
    tree.write("r-packages.txt", "R6\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "PACKAGES").write_text(PACKAGES)
    if case == "binding":
        tree.binding("corp-cran", "cran", {"repos": "http://user:secret@127.0.0.1:9/cran"})
    elif case == "vendor link":
        (tree.app / "minicran").symlink_to(outside)
    elif case == "manifest link":
        (tree.app / "r-packages.txt").unlink()
        (outside / "r-packages.txt").write_text("R6\n")
        (tree.app / "r-packages.txt").symlink_to(outside / "r-packages.txt")
    else:
        contrib = tree.app / "vendor" / "r" / "src" / "contrib"
        contrib.mkdir(parents=True)
        (contrib / "PACKAGES").symlink_to(outside / "PACKAGES")
    assert _inputs(tree) is None


# -- pycnb/r-minicran: keeping the library without R -----------------------------------------

def _previous_library(tree, metadata: dict) -> None:
    """The r-library layer's TOML as the lifecycle restores a launch-only layer: metadata only."""
    tomlfile.write(tree.layers_dir("r-minicran") / "r-library.toml", {"metadata": metadata})


def test_minicran_keeps_its_library_by_metadata_while_r_is_off_the_build(tree):
    tree.write("r-packages.txt", "R6\n")
    _vendor(tree)
    inputs = _inputs(tree)
    recorded = {"packages": "0123456789abcdef", "index": "fedcba9876543210", "r": "4.5.0 x86_64-pc-linux-gnu",
                "target": "linux/amd64 debian 12", "layout": 1, "build-inputs": inputs}
    _previous_library(tree, recorded)
    tree.r_at_build = False
    plan = [("r-packages", {"launch": True})]
    kept = tree.build("r-minicran", plan)
    assert kept.code == 0, kept.output
    assert "Reusing layer 'r-library'" in kept.output and "R is not available" not in kept.output
    assert "Reading the repository index" not in kept.output  # nothing but the decision ran
    assert kept.layer_toml("r-library") == {"types": {"build": False, "launch": True, "cache": False},
                                            "metadata": recorded}
    assert not (kept.layers / "r-library").exists() and not list(kept.layers.glob("r-library.sbom.*"))

    # pycnb/r would have put R on the build for a changed list: without it, one message and no layer
    tree.restore("r-minicran")
    tree.write("r-packages.txt", "jsonlite\n")
    broken = tree.build("r-minicran", plan)
    assert broken.code == 1 and "ERROR: pycnb/r-minicran: R is not available at build" in broken.output
    assert broken.output.count("ERROR:") == 1 and "Traceback" not in broken.output

