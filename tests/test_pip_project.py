"""pip-install for a pyproject.toml project without a lock: installed as the project,
its build backend (setuptools, from the wheel cache) served by a loopback index."""
import os
import subprocess
from pathlib import Path

import pytest

from wheels import Index, make_wheel

CACHE = Path(os.environ.get("PYCNB_CACHE", Path.home() / ".cache" / "pycnb"))
BOTH = {"build": False, "launch": True}
PYPROJECT = '''[project]
name = "shop"
version = "1.0"
dependencies = ["alpha>=1"]

[project.scripts]
shop = "app:main"

[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"
'''


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    wheels = tmp_path_factory.mktemp("index")
    make_wheel(wheels, "alpha", "1.0.0", requires=("beta>=2",))
    make_wheel(wheels, "beta", "2.1.0")
    setuptools = sorted((CACHE / "wheels" / "pipenv").glob("setuptools-*.whl"))
    assert setuptools, "setuptools wheel missing: run `make test-unit` (tools/fetch-wheels.sh pipenv)"
    (wheels / setuptools[-1].name).symlink_to(setuptools[-1])
    idx = Index(wheels)
    yield idx
    idx.close()


def test_detects_a_project_but_not_another_managers_app(tree):
    tree.write("pyproject.toml", "[tool.black]\nline-length = 100\n")
    assert tree.detect("pip-install").code == 100  # not a project
    tree.write("pyproject.toml", PYPROJECT)
    run = tree.detect("pip-install")
    assert run.code == 0, run.output
    assert run.plan()["provides"] == [{"name": "site-packages"}]
    tree.write("poetry.lock", "")
    assert tree.detect("pip-install").code == 100


def test_installs_the_project_and_its_dependencies_with_a_warning(tree, index):
    tree.write("pyproject.toml", PYPROJECT)
    tree.write("app.py", "def main():\n    print('shop')\n")
    tree.set_env("PIP_INDEX_URL", index.url())
    run = tree.build("pip-install", [("site-packages", BOTH)])
    assert run.code == 0, run.output
    assert "WARNING: pyproject.toml has no lock file" in run.output
    site = next((run.layers / "packages" / "lib").glob("python3.*/site-packages"))
    assert sorted(p.name for p in site.glob("*.dist-info")) == [
        "alpha-1.0.0.dist-info", "beta-2.1.0.dist-info", "shop-1.0.dist-info"]
    shop = subprocess.run([str(run.layers / "packages" / "bin" / "shop")], stdout=subprocess.PIPE, text=True, cwd="/")
    assert shop.stdout == "shop\n"
    assert "setuptools" not in {c["name"] for c in run.sbom("packages", "cdx")["components"]}

    tree.write("app.py", "def main():\n    print('shop v2')\n")  # code only: reused, and the new code runs
    tree.restore("pip-install")
    again = tree.build("pip-install", [("site-packages", BOTH)])
    assert again.code == 0 and "Reusing layer 'packages'" in again.output, again.output
    shop = subprocess.run([str(run.layers / "packages" / "bin" / "shop")], stdout=subprocess.PIPE, text=True, cwd="/")
    assert shop.stdout == "shop v2\n"

    tree.write("pyproject.toml", PYPROJECT.replace('["alpha>=1"]', '["beta"]'))
    tree.restore("pip-install")
    changed = tree.build("pip-install", [("site-packages", BOTH)])
    assert changed.code == 0 and "Rebuilding layer 'packages' since: pyproject changed" in changed.output


def test_invalid_pyproject_fails_with_its_line(tree):
    tree.write("pyproject.toml", "[project\nname = 1\n")
    assert tree.detect("pip-install").code == 0  # detected, so the build can say what is wrong
    run = tree.build("pip-install", [("site-packages", BOTH)])
    assert run.code == 1 and "pyproject.toml is not valid TOML" in run.output and "Traceback" not in run.output
