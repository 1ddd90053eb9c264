"""Pipfile apps end to end. Pipfile and Pipfile.lock are written here, against the loopback
index, with pipenv from the wheel cache."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import CACHE, app, default_line, launcher_run, offline_cpython, pack_build, serve_and_get, vendor_wheels


@pytest.fixture(scope="session")
def host_pipenv(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("pipenv-venv")
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-index", "--find-links",
                    str(CACHE / "wheels" / "pipenv"), "pipenv"], check=True)
    return venv / "bin" / "pipenv"


def pipenv_app(tmp_path: Path, index, host_pipenv: Path, packages: str, python: str = "") -> Path:
    python = python or default_line()
    key = "python_full_version" if python.count(".") == 2 else "python_version"
    src = app(tmp_path, "pipenv")
    (src / "Pipfile").write_text(f'[[source]]\nurl = "{index.url()}"\nverify_ssl = false\nname = "local"\n\n'
                                 f"[packages]\n{packages}\n\n[requires]\n{key} = \"{python}\"\n")
    env = {**os.environ, "PIPENV_VERBOSITY": "-1", "PIPENV_YES": "1", "PIPENV_IGNORE_VIRTUALENVS": "1",
           "WORKON_HOME": str(tmp_path / "venvs"), "PIPENV_PIPFILE": str(src / "Pipfile")}
    lock = subprocess.run([str(host_pipenv), "lock", "--python", "python3"], cwd=src, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert lock.returncode == 0, lock.stdout
    return src


FLASK = 'flask = "==3.1.3"\ngunicorn = "==27.0.1"'


def test_pipfile_app_answers_on_the_locked_python_and_rebuild_installs_nothing(tmp_path, images, mirror_env, index, host_pipenv):
    src = pipenv_app(tmp_path, index, host_pipenv, FLASK)
    (src / "requirements.txt").write_text("six\n")  # ignored: Pipfile takes precedence
    image = images("pipenv")
    env = {**mirror_env, "PIP_INDEX_URL": index.url()}
    build = pack_build(image, src, env)
    assert build.code == 0
    assert f"Using version '{default_line()}' from Pipfile.lock" in build.output
    assert "requirements.txt is ignored" in build.output
    data, _ = serve_and_get(image)
    assert data["python"].startswith(default_line()) and data["flask"] == "3.1.3"
    assert "six" not in data["packages"]

    (src / "app.py").write_text((src / "app.py").read_text() + "\n# code-only change\n")
    again = pack_build(image, src, env)
    assert again.code == 0
    assert "Reusing layer 'packages'" in again.output and "Installing locked packages" not in again.output
    # Pipfile, Pipfile.lock and settings unchanged: nobody runs python3, pipenv or pip at build.
    # By the lifecycle's own log lines, the only contents restored are the interpreter's and its
    # build files', cached by the first build (once, as in test_pip.py); pipenv's, pip's and the
    # packages' are neither restored nor cached, and the packages layer comes back by metadata.
    assert "python3 is not needed at build" in again.output
    assert "Nothing to do: no buildpack runs pipenv" in again.output
    assert re.findall(r'Restoring data for "([^"]+)"', again.output) == ["pycnb/cpython:cpython",
                                                                        "pycnb/cpython:cpython-build"]
    assert 'Restoring metadata for "pycnb/pipenv-install:packages" from app image' in again.output

    # A changed lock rebuilds from empty: gunicorn leaves the image. Nothing was cached by the
    # code-only rebuild, so nothing is restored.
    pipenv_app(tmp_path / "changed", index, host_pipenv, 'flask = "==3.1.3"')
    for name in ("Pipfile", "Pipfile.lock"):
        (src / name).write_text((tmp_path / "changed" / "pipenv" / name).read_text())
    changed = pack_build(image, src, env)
    assert changed.code == 0
    assert "python3 is needed at build" in changed.output
    assert "Rebuilding layer 'packages' since: build-inputs changed" in changed.output
    assert 'Restoring data for "pycnb/' not in changed.output
    gone = launcher_run(image, "python", "-c", "import gunicorn")
    assert gone.returncode != 0 and "No module named 'gunicorn'" in gone.stdout
    assert launcher_run(image, "python", "-c", "import flask").returncode == 0


def test_stale_lock_fails_in_build(tmp_path, images, mirror_env, index, host_pipenv):
    src = pipenv_app(tmp_path, index, host_pipenv, FLASK)
    (src / "Pipfile").write_text((src / "Pipfile").read_text().replace('[packages]\n', '[packages]\nsix = "*"\n'))
    build = pack_build(images("stale"), src, {**mirror_env, "PIP_INDEX_URL": index.url()})
    assert build.code != 0 and "status code: 51" in build.output
    assert "ERROR: Pipfile.lock is out of date with Pipfile" in build.output
    assert "Traceback" not in build.output


def test_vendored_pipfile_app_builds_with_no_network(tmp_path, images, mirror_env, index, host_pipenv, wheel_dir):
    src = pipenv_app(tmp_path, index, host_pipenv, FLASK)
    vendor_wheels(src, wheel_dir)
    env, volumes = offline_cpython(tmp_path)
    image = images("pipenv-offline")
    build = pack_build(image, src, env, network="none", volumes=volumes)
    assert build.code == 0
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3"


PLETTE_HASH = ("import sys; from pipenv.vendor import plette; "
               "print(plette.Pipfile.load(open(sys.argv[1])).get_hash().value)")


def test_lock_carrying_the_pipfile_spec_hash_builds(tmp_path, images, mirror_env, index, host_pipenv):
    """A lock as pipenv releases before name canonicalisation wrote it (plette's hash), for
    a Pipfile with no [requires] and no [[source]]: the pinned pipenv's `verify` calls it
    out of date; the build accepts it because its hash is the spec's."""
    src = app(tmp_path, "pipenv")
    (src / ".python-version").write_text("3.11.2\n")
    (src / "Pipfile").write_text('[packages]\nFlask = "==3.1.3"\ngunicorn = "==27.0.1"\n')
    env = {**os.environ, "PIPENV_VERBOSITY": "-1", "PIPENV_YES": "1", "PIPENV_IGNORE_VIRTUALENVS": "1",
           "WORKON_HOME": str(tmp_path / "venvs"), "PIPENV_PIPFILE": str(src / "Pipfile"), "PIPENV_PYPI_MIRROR": index.url()}
    lock = subprocess.run([str(host_pipenv), "lock"], cwd=src, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert lock.returncode == 0, lock.stdout
    spec = subprocess.run([str(host_pipenv.parent / "python"), "-c", PLETTE_HASH, str(src / "Pipfile")], check=True,
                          stdout=subprocess.PIPE, text=True).stdout.strip()
    locked = json.loads((src / "Pipfile.lock").read_text())
    locked["_meta"]["hash"]["sha256"] = spec
    (src / "Pipfile.lock").write_text(json.dumps(locked, indent=4))
    verify = subprocess.run([str(host_pipenv), "verify"], cwd=src, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert verify.returncode != 0 and "out-of-date" in verify.stdout

    image = images("pipenv-spec-hash")
    build = pack_build(image, src, {**mirror_env, "PIP_INDEX_URL": index.url()})
    assert build.code == 0
    assert "Pipfile.lock is up to date with Pipfile" in build.output
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3"
