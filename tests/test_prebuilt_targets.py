"""Prebuilt CPythons per distro: mirror/catalog.py writes one entry per tarball with the target
its name states, and the dependency catalog never offers a bookworm (Debian 12) prebuilt to a
trixie (Debian 13) build, nor the other way round. The catalog under test is the one the real
generator writes; the targets are built from CNB_TARGET_* as the lifecycle sets them."""
from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

from libbuild import tomlfile
from libbuild.context import build_target
from libbuild.dependencies import Catalog
from libbuild.log import Logger

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "mirror"))
import catalog as mirror_catalog  # noqa: E402


def lifecycle_target(debian: str, arch: str = "amd64"):
    return build_target({"CNB_TARGET_OS": "linux", "CNB_TARGET_ARCH": arch,
                         "CNB_TARGET_DISTRO_NAME": "debian", "CNB_TARGET_DISTRO_VERSION": debian})


BOOKWORM, TRIXIE = lifecycle_target("12"), lifecycle_target("13")


def _mirror(tmp_path: Path, prebuilts: dict[str, list[str]]) -> Path:
    """A mirror tree with a source tarball per version and prebuilt tarballs named as
    mirror/common.sh names them (distinct contents, so distinct checksums)."""
    root = tmp_path / "mirror"
    for version, names in prebuilts.items():
        src = root / "www.python.org" / "ftp" / "python" / version / f"Python-{version}.tar.xz"
        src.parent.mkdir(parents=True)
        src.write_bytes(f"source {version}".encode())
        out = root / "prebuilt" / "cpython" / version
        out.mkdir(parents=True)
        for name in names:
            (out / name).write_bytes(f"prebuilt {name}".encode())
    return root


def _generated(root: Path) -> Path:
    proc = subprocess.run([sys.executable, str(REPO / "mirror" / "catalog.py"), "--mirror", str(root), "--port", "8642",
                           "--cpython-buildpack", str(REPO / "buildpacks" / "cpython" / "buildpack.toml")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout
    return root / "catalog" / "cpython.toml"


def _catalog(path: Path) -> Catalog:
    """The cpython buildpack's own catalog plus the mirror's, as its build loads them."""
    own = tomlfile.read(REPO / "buildpacks" / "cpython" / "buildpack.toml")["metadata"]
    return Catalog.load(own, {"BP_DEPENDENCY_CATALOG": f"file://{path}"}, [], Logger(io.StringIO()))


@pytest.fixture
def two_distros(tmp_path):
    root = _mirror(tmp_path, {
        "3.11.2": ["cpython_3.11.2_linux_amd64_debian_12.tgz"],
        "3.13.15": ["cpython_3.13.15_linux_amd64_debian_12.tgz", "cpython_3.13.15_linux_amd64_debian_13.tgz"],
    })
    return root, _generated(root)


def test_each_tarball_gets_the_target_its_name_states(two_distros):
    root, path = two_distros
    entries = tomlfile.read(path)["dependencies"]
    by_uri = {e["uri"].rsplit("/", 1)[1]: e for e in entries}
    assert sorted(by_uri) == ["cpython_3.11.2_linux_amd64_debian_12.tgz", "cpython_3.13.15_linux_amd64_debian_12.tgz",
                              "cpython_3.13.15_linux_amd64_debian_13.tgz"]
    for name, entry in by_uri.items():
        distro = name.rsplit("_", 1)[1].removesuffix(".tgz")
        assert entry["targets"] == [{"os": "linux", "arch": "amd64", "distros": [{"name": "debian", "version": distro}]}]
        tarball = root / "prebuilt" / "cpython" / entry["version"] / name
        assert entry["checksum"] == "sha256:" + hashlib.sha256(tarball.read_bytes()).hexdigest()


def test_a_trixie_build_gets_the_debian_13_prebuilt_and_a_bookworm_build_the_debian_12_one(two_distros):
    cat = _catalog(two_distros[1])
    assert cat.find("cpython", "==3.13.15", TRIXIE).uri.endswith("/cpython_3.13.15_linux_amd64_debian_13.tgz")
    assert cat.find("cpython", "==3.13.15", BOOKWORM).uri.endswith("/cpython_3.13.15_linux_amd64_debian_12.tgz")


def test_a_bookworm_prebuilt_is_never_offered_to_a_trixie_build(two_distros):
    cat = _catalog(two_distros[1])
    assert cat.versions("cpython", TRIXIE) == ["3.13.15"]
    assert cat.find("cpython", "3.11", TRIXIE) is None
    # The line is still buildable there, from source (compiled against Debian 13's libraries).
    assert cat.find("cpython-source", "==3.11.2", TRIXIE).uri.endswith("/Python-3.11.2.tgz")
    assert cat.find("cpython", "3.11", BOOKWORM).uri.endswith("/cpython_3.11.2_linux_amd64_debian_12.tgz")


def test_no_amd64_prebuilt_is_offered_to_another_architecture_or_distro(two_distros):
    cat = _catalog(two_distros[1])
    assert cat.versions("cpython", lifecycle_target("13", "arm64")) == []
    assert cat.versions("cpython", build_target({"CNB_TARGET_OS": "linux", "CNB_TARGET_ARCH": "amd64",
                                                 "CNB_TARGET_DISTRO_NAME": "ubuntu",
                                                 "CNB_TARGET_DISTRO_VERSION": "24.04"})) == []


def test_the_default_stand_in_is_a_release_prebuilt_for_every_distro(tmp_path):
    # 3.15.0 has a bookworm prebuilt only, so the platform default stays on 3.13.15, which
    # both releases have (the buildpack's default line, 3.14, has no source in this mirror).
    root = _mirror(tmp_path, {
        "3.13.15": ["cpython_3.13.15_linux_amd64_debian_12.tgz", "cpython_3.13.15_linux_amd64_debian_13.tgz"],
        "3.15.0": ["cpython_3.15.0_linux_amd64_debian_12.tgz"],
    })
    assert mirror_catalog.platform_defaults(root, REPO / "buildpacks" / "cpython" / "buildpack.toml") == \
        ["BP_CPYTHON_DEFAULT_VERSION=3.13.15"]


def test_files_not_named_as_a_prebuilt_are_not_listed(tmp_path):
    root = _mirror(tmp_path, {"3.13.15": ["cpython_3.13.15_linux_amd64_debian_13.tgz",
                                          ".cpython_3.13.15_linux_amd64_debian_13.tgz.tmp42",
                                          "cpython_3.13.15_linux_amd64_debian_13.tgz.key"]})
    entries = tomlfile.read(_generated(root))["dependencies"]
    assert [e["uri"].rsplit("/", 1)[1] for e in entries] == ["cpython_3.13.15_linux_amd64_debian_13.tgz"]


def test_every_buildpack_with_a_build_declares_debian_12_and_13_per_architecture():
    for toml in sorted((REPO / "buildpacks").glob("*/buildpack.toml")):
        data = tomlfile.read(toml)
        if "order" in data:  # composite: the lifecycle matches its members' targets
            continue
        declared = {(t["os"], t["arch"], d["name"], d["version"]) for t in data["targets"] for d in t.get("distros", [])}
        assert declared == {("linux", a, "debian", v) for a in ("amd64", "arm64") for v in ("12", "13")}, toml
