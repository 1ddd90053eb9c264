"""uv apps end to end: pyproject.toml and uv.lock are written here, locked against the
loopback index with the real uv from the wheel buildpacks/uv catalogs (tools/fetch-uv.py)."""
from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import CACHE, app, pack_build, serve_and_get



@pytest.fixture(scope="session")
def host_uv(tmp_path_factory) -> Path:
    """The uv binary of the catalog's default wheel, for locking on the host."""
    wheels = sorted((CACHE / "uv").glob("*/uv-*x86_64*.whl"))
    assert wheels, "uv wheel missing: run `make integration` (tools/fetch-uv.py fetches it)"
    dest = tmp_path_factory.mktemp("uv-host")
    with zipfile.ZipFile(wheels[-1]) as zf:
        member = next(n for n in zf.namelist() if n.endswith(".data/scripts/uv"))
        binary = dest / "uv"
        binary.write_bytes(zf.read(member))
    binary.chmod(0o755)
    return binary


def prebuilt_release() -> str:
    """A CPython the mirror has prebuilt, so the test does not compile one (and asserts no default)."""
    catalog = (CACHE / "mirror" / "catalog" / "cpython.toml").read_text()
    found = [tuple(map(int, v)) for v in re.findall(r'^version = "(\d+)\.(\d+)\.(\d+)"', catalog, re.M)]
    assert found, f"no prebuilt CPython in the mirror catalog:\n{catalog}"
    # The newest, as a full release: its line's newest patch may be a source-only catalog entry.
    return "%d.%d.%d" % max(found)  # the project asks for >=3.11


def uv_app(tmp_path: Path, index, host_uv: Path, deps=("gunicorn==27.0.1", "tabulate==0.10.0")) -> Path:
    src = app(tmp_path, "uv")
    listed = ", ".join(f'"{d}"' for d in deps)
    (src / "pyproject.toml").write_text(
        f'[project]\nname = "uv-app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = [{listed}]\n\n'
        '[dependency-groups]\ndev = ["six==1.17.0"]\n')
    (src / ".python-version").write_text(prebuilt_release() + "\n")
    env = {**os.environ, "UV_DEFAULT_INDEX": index.url(), "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
           "UV_PYTHON_DOWNLOADS": "never"}
    lock = subprocess.run([str(host_uv), "lock", "--python", "python3"], cwd=src, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    assert lock.returncode == 0, lock.stdout
    return src


def test_uv_app_answers_and_an_unchanged_lock_reuses_the_layer(tmp_path, images, mirror_env, index, host_uv):
    src = uv_app(tmp_path, index, host_uv)
    image = images("uv")
    build = pack_build(image, src, mirror_env)
    assert build.code == 0
    assert "pycnb/uv-install" in build.output and "Package manager: uv (found uv.lock)" in build.output
    assert "uv.lock is up to date with pyproject.toml" in build.output
    data, _ = serve_and_get(image)
    assert data["python"] == prebuilt_release() and data["uid"] != 0
    assert {"gunicorn", "tabulate"} <= set(data["packages"])
    assert "six" not in data["packages"] and "uv" not in data["packages"] and "pip" not in data["packages"]

    (src / "app.py").write_text((src / "app.py").read_text() + "\n# code-only change\n")
    requests_before = index.requests
    again = pack_build(image, src, mirror_env)
    assert again.code == 0
    assert "Reusing layer 'packages'" in again.output and "Installing locked packages" not in again.output
    # uv.lock, pyproject.toml, settings and interpreter unchanged: neither python3 nor uv is on
    # the build, and uv's layer is neither installed nor restored.
    assert "python3 is not needed at build" in again.output
    assert "Nothing to do: no buildpack installs with uv in this build" in again.output
    assert 'Restoring data for "pycnb/uv:uv"' not in again.output
    assert index.requests == requests_before  # no install at all
    data, _ = serve_and_get(image)
    assert "tabulate" in data["packages"]


def test_lock_out_of_sync_fails_with_its_message(tmp_path, images, mirror_env, index, host_uv):
    src = uv_app(tmp_path, index, host_uv)
    pyproject = (src / "pyproject.toml").read_text()
    (src / "pyproject.toml").write_text(pyproject.replace('"tabulate==0.10.0"', '"tabulate==0.10.0", "six"'))
    build = pack_build(images("uv-stale"), src, mirror_env)
    assert build.code != 0 and "status code: 51" in build.output
    assert "ERROR: uv.lock is out of date with pyproject.toml" in build.output
    assert "Traceback" not in build.output


def test_locks_of_several_managers_fail_detection_with_one_message(tmp_path, images, mirror_env, index, host_uv):
    src = uv_app(tmp_path, index, host_uv)
    (src / "requirements.txt").write_text("tabulate==0.10.0\n")
    (src / "poetry.lock").write_text("# written by a Poetry project\n")
    build = pack_build(images("uv-conflict"), src, mirror_env)
    assert build.code != 0 and "status code: 21" in build.output  # a detect errored; no group ran
    assert ("ERROR: the app has the files of more than one package manager: uv.lock, poetry.lock, "
            "requirements.txt") in build.output
    assert "BP_PYTHON_PACKAGE_MANAGER=pip|pipenv|poetry|uv|conda" in build.output
    assert "Traceback" not in build.output
    assert "===> BUILDING" not in build.output
