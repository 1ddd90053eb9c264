"""cpython: version choice, prebuilt install, reuse, env, SBOM — with a small fake prebuilt."""
import hashlib
import io
import shutil
import tarfile

import pytest

from libbuild import tomlfile

BOTH = {"build": True, "launch": True}
BUILT_AT = b"/layers/pycnb_cpython/cpython/bin/python3"


def fake_prebuilt(path, version):
    files = {
        "bin/python3": (f"#!/bin/sh\necho Python {version}\n".encode(), 0o755),
        "bin/pip3": (b"#!" + BUILT_AT + b"\nimport pip\n", 0o755),
        "bin/pydoc3": (b"#!" + BUILT_AT + b"\nimport pydoc\n", 0o755),
        f"lib/python{version[:4]}/site-packages/pip/__init__.py": (b"", 0o644),
        f"lib/python{version[:4]}/site-packages/pip-25.1.dist-info/METADATA": (b"", 0o644),
        f"lib/python{version[:4]}/idlelib/__init__.py": (b"", 0o644),
        f"lib/python{version[:4]}/ensurepip/_bundled/pip-25.1-py3-none-any.whl": (b"", 0o644),
        f"include/python{version[:4]}/Python.h": (b"", 0o644),
        "lib/pkgconfig/python3.pc": (b"", 0o644),
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, (data, mode) in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def catalog(tree, tmp_path):
    """An extra catalog with prebuilt 3.11.2, 3.13.5 and 3.14.8 for debian 12 (as the mirror publishes)."""
    entries = []
    for version in ("3.11.2", "3.13.5", "3.14.8"):
        archive = tmp_path / f"cpython-{version}.tgz"
        entries.append({"id": "cpython", "name": "CPython", "version": version, "uri": f"file://{archive}",
                        "checksum": fake_prebuilt(archive, version), "purl": f"pkg:generic/cpython@{version}",
                        "licenses": ["PSF-2.0"],
                        "targets": [{"os": "linux", "arch": "amd64", "distros": [{"name": "debian", "version": "12"}]}]})
    path = tmp_path / "catalog.toml"
    tomlfile.write(path, {"dependencies": entries})
    tree.set_env("BP_DEPENDENCY_CATALOG", str(path))
    return path


def test_detect_provides_and_forwards_version_sources(tree):
    run = tree.detect("cpython")
    assert run.code == 0 and run.plan() == {"provides": [{"name": "cpython"}]}
    tree.write(".python-version", "# pinned\n3.13\n")
    tree.write("runtime.txt", "python-3.13.5\n")
    tree.write("pyproject.toml", "[project]\nname='x'\nrequires-python='>=3.11'\n")
    tree.set_env("BP_CPYTHON_VERSION", "3.11.*")
    assert tree.detect("cpython").plan()["requires"] == [
        {"name": "cpython", "metadata": {"version": "3.11.*", "version-source": "BP_CPYTHON_VERSION"}},
        {"name": "cpython", "metadata": {"version": "3.13", "version-source": ".python-version"}},
        {"name": "cpython", "metadata": {"version": ">=3.11", "version-source": "pyproject.toml"}},
        {"name": "cpython", "metadata": {"version": "3.13.5", "version-source": "runtime.txt"}},
    ]


def test_unusable_python_version_file_passes_detect_and_fails_build(tree, catalog):
    tree.write(".python-version", "pypy3.10\n")
    detect = tree.detect("cpython")
    assert detect.code == 0 and "requires" not in detect.plan()
    run = tree.build("cpython", [("cpython", BOTH)])
    assert run.code == 1 and "Traceback" not in run.output
    assert "ERROR: .python-version line 1 asks for 'pypy3.10', which is not a CPython version" in run.output


def test_priority_decides_and_prebuilt_is_installed(tree, catalog):
    tree.write(".python-version", "3.13.5\n")
    plan = [("cpython", {"version": "3.11", "version-source": "Pipfile.lock", **BOTH}),
            ("cpython", {"version": "3.13.5", "version-source": ".python-version"}),
            ("cpython", {"version": "3.11.2", "version-source": "runtime.txt"})]
    run = tree.build("cpython", plan)
    assert run.code == 0, run.output
    assert "Using version '3.13.5' from .python-version" in run.output
    assert "Selected CPython 3.13.5 (prebuilt" in run.output
    layer = run.layers / "cpython"
    assert (layer / "bin/python3").read_text().endswith("Python 3.13.5\n")
    assert (layer / "bin/python").resolve() == (layer / "bin/python3").resolve()
    # scripts point at this layer's interpreter, not at the path the prebuilt was made in
    assert (layer / "bin/pydoc3").read_text().splitlines()[0] == f"#!{layer}/bin/python3"
    # pip is a build tool (pycnb/pip unpacks ensurepip's wheel at build); IDLE needs Tk
    lib = layer / "lib/python3.13"
    assert not any((layer / p).exists() for p in ("bin/pip", "bin/pip3", "lib/python3.13/site-packages/pip"))
    assert not (lib / "site-packages/pip-25.1.dist-info").exists() and not (lib / "idlelib").exists()
    # headers and ensurepip's wheel serve builds only: a build-only layer, linked from the interpreter
    build_files = run.layers / "cpython-build"
    assert (layer / "include/python3.13").resolve() == build_files / "include/python3.13"
    assert (layer / "include/python3.13/Python.h").is_file()
    assert (lib / "ensurepip/_bundled").resolve() == build_files / "lib/python3.13/ensurepip/_bundled"
    assert (lib / "ensurepip/_bundled/pip-25.1-py3-none-any.whl").is_file()
    assert run.layer_toml("cpython-build")["types"] == {"build": True, "launch": False, "cache": True}
    assert run.layer_toml("cpython")["types"] == {"build": True, "launch": True, "cache": True}
    meta = run.layer_toml("cpython")["metadata"]
    assert meta["version"] == "3.13.5" and meta["kind"] == "prebuilt" and meta["checksum"].startswith("sha256:")
    env = run.env_files("cpython")
    assert env["env.build/CPATH.prepend"] == f"{layer}/include/python3.13"
    assert env["env.build/PKG_CONFIG_PATH.prepend"] == f"{layer}/lib/pkgconfig"
    assert env["env.launch/PYTHONUNBUFFERED.default"] == "1"
    assert not any("PYTHONHOME" in k for k in env)
    cdx = run.sbom("cpython", "cdx")
    assert [(c["name"], c["version"], c["purl"]) for c in cdx["components"]] == [("CPython", "3.13.5", "pkg:generic/cpython@3.13.5")]


def test_default_version_is_logged(tree, catalog):
    run = tree.build("cpython", [("cpython", {"launch": True})])
    assert run.code == 0, run.output
    assert "No version requested by the app; using the default '3.14' from buildpack.toml" in run.output
    assert "Selected CPython 3.14.8 (prebuilt" in run.output
    assert run.layer_toml("cpython")["types"] == {"build": False, "launch": True, "cache": False}
    # nothing builds with it: no build-only layer, and the image gets no headers or pip wheel
    assert not (run.layers / "cpython-build").exists() and not (run.layers / "cpython-build.toml").exists()
    include = run.layers / "cpython" / "include/python3.14"
    assert include.is_symlink() and not include.exists()


def test_build_files_not_restored_with_the_interpreter_rebuild_it(tree, catalog):
    plan = [("cpython", {"version": "3.11.2", "version-source": ".python-version", **BOTH})]
    assert tree.build("cpython", plan).code == 0
    tree.restore("cpython")
    shutil.rmtree(tree.layers_dir("cpython") / "cpython-build")
    (tree.layers_dir("cpython") / "cpython-build.toml").unlink()
    run = tree.build("cpython", plan)
    assert run.code == 0, run.output
    assert "Rebuilding layer 'cpython' since: layer 'cpython-build' was not restored with it" in run.output
    assert (run.layers / "cpython" / "include/python3.11/Python.h").is_file()


def test_launch_only_interpreter_is_reused_by_metadata(tree, catalog):
    """Nobody needs python3 at build: the rebuild restores no contents and writes none, so the
    lifecycle keeps the previous image's layer; a changed version still rebuilds it."""
    plan = [("cpython", {"version": "3.11.2", "version-source": ".python-version", "launch": True})]
    assert tree.build("cpython", plan).code == 0
    tree.restore("cpython")
    assert not (tree.layers_dir("cpython") / "cpython").exists()
    again = tree.build("cpython", plan)
    assert again.code == 0, again.output
    assert "Reusing layer 'cpython'" in again.output and "Installing CPython" not in again.output
    assert again.layer_toml("cpython")["types"] == {"build": False, "launch": True, "cache": False}
    assert not (again.layers / "cpython").exists()
    assert again.sbom("cpython", "cdx")["components"][0]["version"] == "3.11.2"
    tree.restore("cpython")
    other = tree.build("cpython", [("cpython", {"version": "3.13.5", "version-source": ".python-version",
                                                "launch": True})])
    assert other.code == 0, other.output
    assert "Rebuilding layer 'cpython' since: checksum changed" in other.output
    assert (other.layers / "cpython" / "bin" / "python3").exists()


def test_unsatisfiable_version_lists_available(tree, catalog):
    run = tree.build("cpython", [("cpython", {"version": "2.7", "version-source": ".python-version", **BOTH})])
    assert run.code == 1 and "Traceback" not in run.output
    assert "no CPython version matching '2.7' (requested by .python-version)" in run.output
    assert ("available versions: 3.9.2, 3.10.21, 3.10.22, 3.11.2, 3.11.16, 3.11.17, 3.12.14, 3.12.15, 3.13.5, "
            "3.13.15, 3.13.16, 3.14.7, 3.14.8, 3.15.0") in run.output
    assert not (run.layers / "cpython.toml").exists()


def test_unchanged_rebuild_reuses_and_changed_artifact_rebuilds(tree, catalog, tmp_path):
    plan = [("cpython", {"version": "3.11.2", "version-source": ".python-version", **BOTH})]
    assert tree.build("cpython", plan).code == 0
    tree.restore("cpython")
    again = tree.build("cpython", plan)
    assert again.code == 0, again.output
    assert "Reusing layer 'cpython'" in again.output and "Installing CPython" not in again.output
    assert "Reusing layer 'cpython-build'" in again.output
    assert (again.layers / "cpython" / "include/python3.11/Python.h").is_file()
    # a platform publishes a rebuilt 3.11.2: same version, new checksum
    fake_prebuilt(tmp_path / "cpython-3.11.2.tgz", "3.11.2")
    data = tomlfile.read(catalog)
    with open(tmp_path / "cpython-3.11.2.tgz", "ab") as fh:
        fh.write(b"\0" * 1024)  # different bytes, still a valid gzip stream for tar
    data["dependencies"][0]["checksum"] = "sha256:" + hashlib.sha256((tmp_path / "cpython-3.11.2.tgz").read_bytes()).hexdigest()
    tomlfile.write(catalog, data)
    tree.restore("cpython")
    third = tree.build("cpython", plan)
    assert third.code == 0, third.output
    assert "Rebuilding layer 'cpython' since: checksum changed from sha256:" in third.output


def test_checksum_mismatch_fails_and_leaves_no_layer(tree, catalog):
    data = tomlfile.read(catalog)
    data["dependencies"][0]["checksum"] = "sha256:" + "0" * 64
    tomlfile.write(catalog, data)
    run = tree.build("cpython", [("cpython", {"version": "3.11.2", "version-source": ".python-version", **BOTH})])
    assert run.code == 1 and "checksum" in run.output and "Traceback" not in run.output
    assert list((run.layers / "cpython").iterdir()) == []
    assert not (run.layers / "cpython.toml").exists()


def test_other_distro_falls_back_to_source(tree, catalog):
    # No prebuilt for this distro: the source entry is chosen, and its configure flags are read.
    tree.set_env("BP_CPYTHON_CONFIGURE_FLAGS", "--with-lto 'unterminated")
    run = tree.build("cpython", [("cpython", {"version": "3.11.2", **BOTH})], CNB_TARGET_DISTRO_NAME="ubuntu",
                     CNB_TARGET_DISTRO_VERSION="24.04")
    assert run.code == 1
    assert "Selected CPython 3.11.2 (source, from buildpack.toml)" in run.output
    assert "BP_CPYTHON_CONFIGURE_FLAGS" in run.output and "Traceback" not in run.output


def test_hostile_environment(tree, catalog):
    tree.set_env("PYTHONPATH", "/invalid")
    tree.set_env("PYTHONHOME", "/invalid")
    tree.set_env("PIP_REQUIRE_VIRTUALENV", "1")
    assert tree.detect("cpython").code == 0
    run = tree.build("cpython", [("cpython", BOTH)])
    assert run.code == 0, run.output


def test_interpreter_stays_off_the_build_while_every_requirers_build_inputs_are_unchanged(tree, catalog):
    """pip-install and pip state digests of their build inputs: the first build puts python3 on
    the build (and caches it, so the next build can tell); unchanged digests keep it launch-only
    with no build env; a changed digest, or a requirer without one, puts it back."""
    def plan(pip_install="aaaa", pip="bbbb"):
        entries = [("cpython", {"version": "3.11.2", "version-source": ".python-version"}),
                   ("cpython", {"launch": True})]
        for digest in (pip_install, pip):
            entries.append(("cpython", {"build": True, **({"build-inputs": digest} if digest else {})}))
        return entries

    first = tree.build("cpython", plan())
    assert first.code == 0, first.output
    assert "python3 is needed at build: first build" in first.output
    assert first.layer_toml("cpython")["types"] == {"build": True, "launch": True, "cache": True}
    assert first.layer_toml("cpython")["metadata"]["build-inputs"] == ["aaaa", "bbbb"]
    assert first.env_files("cpython")["env.build/PYCNB_CPYTHON_VERSION.override"] == "3.11.2"

    tree.restore("cpython")
    same = tree.build("cpython", plan())
    assert same.code == 0, same.output
    assert "python3 is not needed at build" in same.output and "Reusing layer 'cpython'" in same.output
    assert same.layer_toml("cpython")["types"] == {"build": False, "launch": True, "cache": False}

    tree.restore("cpython")  # launch-only now: only its metadata comes back
    changed = tree.build("cpython", plan(pip_install="cccc"))
    assert changed.code == 0, changed.output
    assert "python3 is needed at build: the runtime or a buildpack's build inputs changed" in changed.output
    assert "Rebuilding layer 'cpython' since: build-inputs changed" in changed.output
    assert changed.layer_toml("cpython")["types"] == {"build": True, "launch": True, "cache": True}
    assert (changed.layers / "cpython" / "bin" / "python3").exists()

    tree.restore("cpython")
    undigested = tree.build("cpython", plan(pip=None))  # a requirer that needs python3 every time
    assert undigested.code == 0, undigested.output
    assert "python3 is not needed at build" not in undigested.output
    assert undigested.layer_toml("cpython")["types"] == {"build": True, "launch": True, "cache": True}
    assert "build-inputs" not in undigested.layer_toml("cpython")["metadata"]
