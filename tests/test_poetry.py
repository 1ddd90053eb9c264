"""poetry and poetry-install: real Poetry (from the wheel cache) locks against a loopback
index of tiny wheels; pip installs the export."""
import os
import subprocess
from pathlib import Path

import pytest

from wheels import Index, make_wheel

CACHE = Path(os.environ.get("PYCNB_CACHE", Path.home() / ".cache" / "pycnb"))
POETRY_WHEELS = CACHE / "wheels" / "poetry"
LAUNCH = {"launch": True}
from libbuild.python.pyproject import Project  # noqa: E402


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    wheels = tmp_path_factory.mktemp("index")
    make_wheel(wheels, "alpha", "1.0.0", requires=("beta>=2",))
    make_wheel(wheels, "beta", "2.1.0")
    make_wheel(wheels, "gamma", "0.3.0")
    for core in POETRY_WHEELS.glob("poetry_core-*.whl"):  # the projects' build backend
        (wheels / core.name).symlink_to(core)
    idx = Index(wheels)
    yield idx
    idx.close()


@pytest.fixture(scope="module")
def poetry_build(index, tmp_path_factory):
    from harness import CNBTree
    assert (POETRY_WHEELS / ".stamp").exists(), "poetry wheels missing: run `make test-unit` (make wheels-poetry)"
    tree = CNBTree(tmp_path_factory.mktemp("poetry-bp"))
    tree.set_env("BP_PIP_FIND_LINKS", str(POETRY_WHEELS))
    tree.set_env("PIP_INDEX_URL", index.url())
    run = tree.build("poetry", [("poetry", {"build": True})])
    assert run.code == 0, run.output
    return run


@pytest.fixture
def with_poetry(tree, index, poetry_build):
    tree.set_env("PIP_INDEX_URL", index.url())
    tree.earlier.append(poetry_build.layers / "poetry")
    return poetry_build


def pyproject(tree, index, deps='"alpha==1.0.0"', python=">=3.9", extra=""):
    tree.write("demo.py", "def main():\n    print('demo')\n")
    tree.write("pyproject.toml", f'''[project]
name = "demo"
version = "0.1.0"
requires-python = "{python}"
dependencies = [{deps}]

[project.scripts]
demo-web = "demo:main"

[tool.poetry]
packages = [{{include = "demo.py"}}]
{extra}
[tool.poetry.group.dev.dependencies]
gamma = "*"

[[tool.poetry.source]]
name = "local"
url = "{index.url()}"
priority = "primary"

[build-system]
requires = ["poetry-core>=2.0"]
build-backend = "poetry.core.masonry.api"
''')


def lock(tree, with_poetry):
    env = {**os.environ, "POETRY_CACHE_DIR": str(tree.root / "poetry-cache"), "POETRY_CONFIG_DIR": str(tree.root / "poetry-config"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "POETRY_NO_INTERACTION": "1"}
    proc = subprocess.run([str(with_poetry.layers / "poetry" / "bin" / "poetry"), "lock"], cwd=tree.app, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout


def site(run):
    return next((run.layers / "packages" / "lib").glob("python3.*/site-packages"))


def test_poetry_layer_exposes_only_poetry_and_is_reused(poetry_build):
    layer = poetry_build.layers / "poetry"
    assert sorted(p.name for p in (layer / "bin").iterdir()) == ["poetry"]
    assert poetry_build.layer_toml("poetry")["types"] == {"build": True, "launch": False, "cache": True}
    assert "Installing poetry 2.5.1" in poetry_build.output
    tree = poetry_build.tree
    tree.restore("poetry")
    again = tree.build("poetry", [("poetry", {"build": True})])
    assert again.code == 0 and "Reusing layer 'poetry'" in again.output


def test_poetry_version_setting_is_validated(tree):
    tree.set_env("BP_POETRY_VERSION", "latest!")
    run = tree.build("poetry", [("poetry", {"build": True})])
    assert run.code == 1 and "BP_POETRY_VERSION='latest!' is not valid" in run.output and "Traceback" not in run.output


@pytest.mark.parametrize("written,pep440", [("^3.11", ">=3.11,<4"), ("~3.11", ">=3.11,<3.12"), ("3.11", "==3.11.*"),
                                            (">= 3.10, < 3.13", ">=3.10,<3.13"), (">=3.10 <3.13", ">=3.10,<3.13"),
                                            ("^0.2.3", ">=0.2.3,<0.3"), ("*", None), ("3.10 || 3.11", None)])
def test_poetry_python_constraints_become_pep440(tmp_path, written, pep440):
    (tmp_path / "pyproject.toml").write_text(f'[tool.poetry.dependencies]\npython = "{written}"\n')
    project = Project.read(tmp_path)
    assert project.plan_version() == (str(__import__("packaging.specifiers").specifiers.SpecifierSet(pep440))
                                      if pep440 else None)


def test_or_constraints_allow_either(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.poetry.dependencies]\npython = "~3.10 || ^3.12"\n')
    project = Project.read(tmp_path)
    assert project.allows("3.10.4") and project.allows("3.13.1") and not project.allows("3.11.2")


def test_detect_needs_poetry_lock_and_plans_python(tree, index):
    pyproject(tree, index)
    assert tree.detect("poetry-install").code == 100
    tree.write("poetry.lock", "")
    run = tree.detect("poetry-install")
    assert run.code == 0, run.output
    assert run.plan() == {"provides": [{"name": "site-packages"}], "requires": [
        {"name": "cpython", "metadata": {"build": True, "version": ">=3.9", "version-source": "pyproject.toml"}},
        {"name": "poetry", "metadata": {"build": True}}]}
    tree.write("pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.11"\n')
    assert tree.detect("poetry-install").plan()["requires"][0] == {
        "name": "cpython", "metadata": {"build": True, "version": "<4,>=3.11", "version-source": "pyproject.toml"}}


def test_poetry_run_makes_the_only_script_the_web_process(tree, index):
    pyproject(tree, index)
    assert tree.detect("poetry-run").code == 100  # no poetry.lock
    tree.write("poetry.lock", "")
    run = tree.detect("poetry-run")
    assert run.code == 0, run.output
    assert run.plan() == {"requires": [{"name": "cpython", "metadata": LAUNCH}, {"name": "site-packages", "metadata": LAUNCH}]}
    run = tree.build("poetry-run", [])
    assert run.code == 0, run.output
    assert run.launch() == {"processes": [{"type": "web", "command": ["demo-web"], "default": True}]}


def test_poetry_run_needs_one_installed_script_or_the_setting(tree, index):
    tree.write("poetry.lock", "")
    tree.write("pyproject.toml", '[tool.poetry]\npackage-mode = false\n[tool.poetry.scripts]\nweb = "demo:main"\n')
    assert tree.detect("poetry-run").code == 100  # not a package: its scripts are not installed
    tree.write("pyproject.toml", '[project.scripts]\na = "demo:a"\nb = "demo:b"\n')
    assert tree.detect("poetry-run").code == 100
    tree.set_env("BP_POETRY_RUN_TARGET", "b")
    assert tree.detect("poetry-run").code == 0
    assert tree.build("poetry-run", []).launch()["processes"][0]["command"] == ["b"]


def test_installs_the_main_group_and_the_project_and_reuses(tree, index, with_poetry):
    pyproject(tree, index)
    lock(tree, with_poetry)
    run = tree.build("poetry-install", [("site-packages", LAUNCH)])
    assert run.code == 0, run.output
    assert "poetry.lock is in sync with pyproject.toml" in run.output
    assert "2 locked packages in the main group" in run.output
    assert sorted(p.name for p in site(run).glob("*.dist-info")) == [
        "alpha-1.0.0.dist-info", "beta-2.1.0.dist-info", "demo-0.1.0.dist-info"]  # no dev group (gamma)
    venv = run.layers / "packages"
    assert (venv / "bin" / "demo-web").exists() and not (venv / "bin" / "pip").exists()
    out = subprocess.run([str(venv / "bin" / "demo-web")], stdout=subprocess.PIPE, text=True, cwd="/")
    assert out.stdout == "demo\n"  # the project is installed editable: it runs the app's own code
    assert [c["name"] for c in run.sbom("packages", "cdx")["components"]] == ["alpha", "beta", "demo"]
    assert run.layer_toml("packages")["types"] == {"build": False, "launch": True, "cache": True}

    tree.write("demo.py", "def main():\n    print('changed')\n")  # code only: the layer stays
    tree.restore("poetry-install")
    again = tree.build("poetry-install", [("site-packages", LAUNCH)])
    assert again.code == 0, again.output
    assert "Reusing layer 'packages'" in again.output and "Installing locked packages" not in again.output
    assert "poetry.lock and pyproject.toml are unchanged since the last build" in again.output  # no Poetry run


def test_package_mode_false_installs_dependencies_only(tree, index, with_poetry):
    pyproject(tree, index, extra="package-mode = false\n")
    lock(tree, with_poetry)
    run = tree.build("poetry-install", [("site-packages", LAUNCH)])
    assert run.code == 0, run.output
    assert "package-mode = false" in run.output
    assert sorted(p.name for p in site(run).glob("*.dist-info")) == ["alpha-1.0.0.dist-info", "beta-2.1.0.dist-info"]


def test_out_of_sync_lock_fails_with_one_message(tree, index, with_poetry):
    pyproject(tree, index)
    lock(tree, with_poetry)
    pyproject(tree, index, deps='"alpha==1.0.0", "gamma"')
    run = tree.build("poetry-install", [("site-packages", LAUNCH)])
    assert run.code == 1 and "Traceback" not in run.output
    assert "ERROR: poetry.lock is out of sync with pyproject.toml" in run.output and "Run `poetry lock`" in run.output
    assert not (run.layers / "packages.toml").exists()


def test_python_outside_the_project_constraint_fails(tree, index, with_poetry):
    pyproject(tree, index)
    lock(tree, with_poetry)
    pyproject(tree, index, python=">=3.99")
    run = tree.build("poetry-install", [("site-packages", LAUNCH)])
    assert run.code == 1 and "Traceback" not in run.output
    assert "but pyproject.toml ([project] requires-python) asks for Python '>=3.99'" in run.output


def test_unknown_run_target_fails(tree, index, with_poetry):
    pyproject(tree, index)
    lock(tree, with_poetry)
    tree.set_env("BP_POETRY_RUN_TARGET", "nope")
    run = tree.build("poetry-install", [("site-packages", LAUNCH)])
    assert run.code == 1 and "BP_POETRY_RUN_TARGET='nope' is not a script of pyproject.toml" in run.output
    assert "(demo-web)" in run.output
