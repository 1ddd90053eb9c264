"""Poetry apps and pyproject-only apps end to end. pyproject.toml and poetry.lock of the
Poetry apps are written here, locked by real Poetry (from the wheel cache) against the
loopback index."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import CACHE, app, launcher_run, pack_build, serve_and_get


@pytest.fixture(scope="session")
def host_poetry(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("poetry-venv")
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-index", "--find-links",
                    str(CACHE / "wheels" / "poetry"), "poetry"], check=True)
    return venv / "bin" / "poetry"


def poetry_app(tmp_path: Path, tools_index, host_poetry: Path, python: str = ">=3.11", extra: str = "") -> Path:
    src = app(tmp_path, "poetry")
    (src / "pyproject.toml").write_text(f'''[project]
name = "poetry-demo"
version = "0.1.0"
requires-python = "{python}"
dependencies = ["flask==3.1.3", "gunicorn==27.0.1"]

[project.scripts]
serve = "app:main"

[tool.poetry]
packages = [{{include = "app.py"}}]
{extra}
[tool.poetry.group.dev.dependencies]
six = "*"

[[tool.poetry.source]]
name = "local"
url = "{tools_index.url()}"
priority = "primary"

[build-system]
requires = ["poetry-core>=2.0"]
build-backend = "poetry.core.masonry.api"
''')
    poetry_lock(src, tmp_path, host_poetry)
    return src


def poetry_lock(src: Path, tmp_path: Path, host_poetry: Path) -> None:
    env = {**os.environ, "POETRY_CACHE_DIR": str(tmp_path / "poetry-cache"), "POETRY_CONFIG_DIR": str(tmp_path / "poetry-config"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "POETRY_NO_INTERACTION": "1"}
    lock = subprocess.run([str(host_poetry), "lock"], cwd=src, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert lock.returncode == 0, lock.stdout


def test_poetry_app_started_by_its_script_and_rebuilt_without_installs(tmp_path, images, mirror_env, tools_index, host_poetry):
    src = poetry_app(tmp_path, tools_index, host_poetry)
    image = images("poetry-script")
    env = {**mirror_env, "PIP_INDEX_URL": tools_index.url()}
    build = pack_build(image, src, env)
    assert build.code == 0
    assert "poetry.lock is in sync with pyproject.toml" in build.output
    assert "Process 'web' (default): serve" in build.output
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3" and data["uid"] != 0
    assert "poetry-demo" in data["packages"] and "six" not in data["packages"]  # main group only
    assert "poetry" not in data["packages"] and "pip" not in data["packages"]

    (src / "app.py").write_text((src / "app.py").read_text() + "\n# code-only change\n")
    again = pack_build(image, src, env)
    assert again.code == 0
    assert "Reusing layer 'packages'" in again.output and "Installing locked packages" not in again.output
    # poetry.lock, pyproject.toml and settings unchanged: nobody runs python3, Poetry or pip at
    # build. By the lifecycle's own log lines, the only contents restored are the interpreter's
    # and its build files', cached by the first build (once, as in test_pip.py); Poetry's, pip's
    # and the packages' are neither restored nor cached, and the packages layer comes back by metadata.
    assert "python3 is not needed at build" in again.output
    assert "Nothing to do: no buildpack runs poetry" in again.output
    assert re.findall(r'Restoring data for "([^"]+)"', again.output) == ["pycnb/cpython:cpython",
                                                                        "pycnb/cpython:cpython-build"]
    assert 'Restoring metadata for "pycnb/poetry-install:packages" from app image' in again.output

    # A changed lock rebuilds from empty: gunicorn leaves the image. Nothing was cached by the
    # code-only rebuild, so nothing is restored.
    pyproject = src / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(', "gunicorn==27.0.1"]', "]"))
    poetry_lock(src, tmp_path, host_poetry)
    changed = pack_build(image, src, env)
    assert changed.code == 0
    assert "python3 is needed at build" in changed.output
    assert "Rebuilding layer 'packages' since: build-inputs changed" in changed.output
    assert 'Restoring data for "pycnb/' not in changed.output
    gone = launcher_run(image, "python", "-c", "import gunicorn")
    assert gone.returncode != 0 and "No module named 'gunicorn'" in gone.stdout
    assert launcher_run(image, "python", "-c", "import flask").returncode == 0


def test_poetry_app_with_procfile_and_package_mode_false(tmp_path, images, mirror_env, tools_index, host_poetry):
    src = poetry_app(tmp_path, tools_index, host_poetry, extra="package-mode = false\n")
    (src / "Procfile").write_text("web: gunicorn --bind 127.0.0.1:$PORT --workers 1 app:app\n")
    image = images("poetry")
    build = pack_build(image, src, {**mirror_env, "PIP_INDEX_URL": tools_index.url()})
    assert build.code == 0
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3" and "gunicorn" in data["packages"]
    assert "poetry-demo" not in data["packages"]  # not a package: only its dependencies


def test_out_of_sync_poetry_lock_fails(tmp_path, images, mirror_env, tools_index, host_poetry):
    src = poetry_app(tmp_path, tools_index, host_poetry)
    pyproject = src / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"gunicorn==27.0.1"]', '"gunicorn==27.0.1", "six"]'))
    build = pack_build(images("poetry-stale"), src, {**mirror_env, "PIP_INDEX_URL": tools_index.url()})
    assert build.code != 0 and "status code: 51" in build.output
    assert "ERROR: poetry.lock is out of sync with pyproject.toml" in build.output
    assert "Traceback" not in build.output


def test_python_outside_requires_python_fails(tmp_path, images, mirror_env, tools_index, host_poetry):
    src = poetry_app(tmp_path, tools_index, host_poetry)
    pyproject = src / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('requires-python = ">=3.11"', 'requires-python = ">=3.99"'))
    build = pack_build(images("poetry-python"), src, {**mirror_env, "PIP_INDEX_URL": tools_index.url()})
    assert build.code != 0 and "status code: 51" in build.output
    assert "but pyproject.toml ([project] requires-python) asks for Python '>=3.99'" in build.output
    assert "Traceback" not in build.output


def test_pyproject_only_app_is_installed_as_a_project(tmp_path, images, mirror_env, tools_index):
    src = app(tmp_path, "pyproject")
    image = images("pyproject")
    build = pack_build(image, src, {**mirror_env, "PIP_INDEX_URL": tools_index.url()})
    assert build.code == 0
    assert "WARNING: pyproject.toml has no lock file" in build.output
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3" and "pyproject-demo" in data["packages"]
    assert "setuptools" not in data["packages"]  # the build backend stays out of the image
    assert launcher_run(image, "python", "-c", "import app").returncode == 0
