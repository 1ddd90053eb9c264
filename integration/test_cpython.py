"""The builder end to end: CPython versions, defaults, errors, reuse, air-gapped, launch."""
from __future__ import annotations

import subprocess

from conftest import CACHE, app, offline_cpython, pack_build, serve_and_get


def test_python_311_app_answers_and_rebuild_reuses_cpython(tmp_path, images, mirror_env):
    src = app(tmp_path, "web")
    image = images("web311")
    first = pack_build(image, src, mirror_env)
    assert first.code == 0
    assert "Selected CPython 3.11.2 (prebuilt" in first.output
    data, _ = serve_and_get(image)
    assert data["python"].startswith("3.11.")
    assert data["uid"] != 0 and data["gid"] != 0  # the non-root CNB user
    assert data["executable"].startswith("/layers/pycnb_cpython/cpython/")

    (src / "server.py").write_text((src / "server.py").read_text() + "\n# code-only change\n")
    second = pack_build(image, src, mirror_env)
    assert second.code == 0
    assert "Reusing layer 'cpython'" in second.output
    assert "Installing CPython" not in second.output and "Downloading" not in second.output

    # pack also asks the (unreachable) registry; the LOCAL section is what we built.
    inspect = subprocess.run(["pack", "inspect", image], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    local = inspect.stdout.split("LOCAL:", 1)[1]
    assert "Processes:" in local
    web = next(line for line in local.splitlines() if line.strip().startswith("web (default)"))
    assert "bash" in web and "-c python server.py" in web and "/workspace" in web
    assert "pycnb/cpython" in local and "pycnb/procfile" in local


def test_python_313_is_compiled_from_source_with_no_network(tmp_path, images, mirror_env):
    """Air-gapped: --network none, and the mirror is a file:// directory on a mounted volume."""
    src = app(tmp_path, "web")
    (src / ".python-version").write_text("3.13\n")
    image = images("web313")
    build = pack_build(image, src, {"BP_DEPENDENCY_MIRROR": "file:///mirror/{originalHost}"}, network="none",
                       volumes=[f"{CACHE / 'mirror'}:/mirror:ro"])
    assert build.code == 0
    assert "Selected CPython 3.13.5 (source" in build.output
    assert "Using file:///mirror/www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz (from BP_DEPENDENCY_MIRROR)" in build.output
    assert "Compiling CPython 3.13.5 from source" in build.output
    data, _ = serve_and_get(image)
    assert data["python"] == "3.13.5"


def test_default_version_is_used_and_logged(tmp_path, images, mirror_env):
    src = app(tmp_path, "web")
    (src / ".python-version").unlink()
    image = images("default")
    build = pack_build(image, src, mirror_env)
    assert build.code == 0
    assert "No version requested by the app; using the default '3.11' from buildpack.toml" in build.output
    data, _ = serve_and_get(image)
    assert data["python"].startswith("3.11.")


def test_unavailable_version_fails_in_build_with_one_message(tmp_path, images, mirror_env):
    src = app(tmp_path, "web")
    (src / ".python-version").write_text("2.7\n")
    build = pack_build(images("py27"), src, mirror_env)
    assert build.code != 0
    assert "status code: 51" in build.output  # the build phase, not detect
    assert "no CPython version matching '2.7' (requested by .python-version)" in build.output
    assert "available versions: 3.11.2, 3.13.5" in build.output
    assert "Traceback" not in build.output
    assert build.output.count("ERROR: no CPython version") == 1


def test_air_gapped_build_from_file_mirror(tmp_path, images, mirror_env):
    """--network none: the catalog and the prebuilt come from a mounted directory."""
    env, volumes = offline_cpython(tmp_path)
    image = images("airgap")
    build = pack_build(image, app(tmp_path, "web"), env, network="none", volumes=volumes)
    assert build.code == 0
    assert "from dependency-mapping binding" in build.output
    data, _ = serve_and_get(image)
    assert data["python"].startswith("3.11.")
