"""poetry and poetry-install: real Poetry (from the wheel cache) locks against a loopback
index of tiny wheels; pip installs the export."""
import os
import re
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
    plan = run.plan()
    inputs = plan["requires"][0]["metadata"].pop("build-inputs")
    assert re.fullmatch(r"[0-9a-f]{64}", inputs) and plan["requires"][1]["metadata"].pop("build-inputs") == inputs
    assert plan == {"provides": [{"name": "site-packages"}], "requires": [
        {"name": "cpython", "metadata": {"build": True, "version": ">=3.9", "version-source": "pyproject.toml"}},
        {"name": "poetry", "metadata": {"build": True}}]}
    tree.write("pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.11"\n')
    cpython = tree.detect("poetry-install").plan()["requires"][0]
    assert cpython["metadata"].pop("build-inputs") != inputs  # pyproject.toml is an input
    assert cpython == {
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
    # Stated build inputs: launch-only, reused by metadata, nothing cached.
    assert run.layer_toml("packages")["types"] == {"build": False, "launch": True, "cache": False}

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


def _inputs(tree, buildpack="poetry-install"):
    run = tree.detect(buildpack)
    assert run.code == 0, run.output
    found = {r["name"]: r["metadata"].get("build-inputs") for r in run.plan()["requires"]}
    assert len(set(found.values())) == 1, found  # the same digest on every build-time requirement
    return next(iter(found.values()))


def test_build_inputs_cover_lock_pyproject_and_settings_and_leave_out_local_sources(tree, index):
    pyproject(tree, index)
    tree.write("poetry.lock", '[[package]]\nname = "alpha"\nversion = "1.0.0"\n')
    first = _inputs(tree)
    assert first and _inputs(tree) == first
    tool = _inputs(tree, "poetry")
    assert tool and tool != first  # pycnb/poetry states its own (its buildpack.toml, the settings)
    tree.write("poetry.lock", '[[package]]\nname = "alpha"\nversion = "1.0.1"\n')
    second = _inputs(tree)
    assert second != first  # the lock
    tree.set_env("BP_POETRY_RUN_TARGET", "demo-web")
    assert _inputs(tree) not in (first, second)  # every setting
    assert _inputs(tree, "poetry") != tool
    tree.write("poetry.lock", '[[package]]\nname = "lib"\nversion = "1.0"\n\n[package.source]\n'
                              'type = "directory"\nurl = "lib"\n')
    assert _inputs(tree) is None  # a path dependency: its contents are not hashed
    tree.write("poetry.lock", '[[package]]\nname = "alpha"\nversion = "1.0.0"\n')
    assert _inputs(tree)
    tree.write("wheelhouse/alpha-1.0.0-py3-none-any.whl", "")
    assert _inputs(tree) is None  # a vendored wheelhouse
    (tree.app / "wheelhouse" / "alpha-1.0.0-py3-none-any.whl").unlink()
    (tree.app / "wheelhouse").rmdir()
    tree.set_env("BP_PIP_FIND_LINKS", "/somewhere")
    assert _inputs(tree) is None  # a directory of archives named by a setting
    (tree.platform / "env" / "BP_PIP_FIND_LINKS").unlink()
    assert _inputs(tree)
    tree.binding("corp", "pip", {"pip.conf": "[global]\ntimeout = 5\n"})
    assert _inputs(tree) is None and _inputs(tree, "poetry") is None  # bindings stay out of digests


def test_unchanged_build_inputs_reuse_the_packages_layer_and_a_changed_lock_rebuilds_from_empty(
        tree, index, with_poetry):
    """pycnb/cpython kept python3 off the build: pycnb/poetry does nothing and poetry-install
    keeps its launch-only layer by metadata, running no Poetry and no pip; a changed lock puts
    python3 back and installs from empty, so a package gone from the lock leaves the image."""
    pyproject(tree, index, extra="package-mode = false\n")
    lock(tree, with_poetry)
    inputs = _inputs(tree)
    first = tree.build("poetry-install", [("site-packages", LAUNCH)])
    assert first.code == 0, first.output
    assert first.layer_toml("packages")["types"] == {"build": False, "launch": True, "cache": False}
    assert first.layer_toml("packages")["metadata"]["build-inputs"] == inputs
    assert first.layer_toml("pip-cache")["types"]["cache"] is False
    tree.restore("poetry-install")
    assert not (tree.layers_dir("poetry-install") / "packages").exists()

    tree.python_at_build = False
    tool = tree.build("poetry", [("poetry", {"build": True, "build-inputs": inputs})])
    assert tool.code == 0 and "Nothing to do" in tool.output
    assert not list(tool.layers.glob("poetry*"))  # no layer at all: nothing to restore next time
    requests = index.requests
    again = tree.build("poetry-install", [("site-packages", LAUNCH)])
    assert again.code == 0, again.output
    assert "Reusing layer 'packages'" in again.output and index.requests == requests
    assert "poetry.lock is in sync" not in again.output  # no Poetry run
    assert again.layer_toml("packages")["metadata"]["build-inputs"] == inputs
    assert tree.build("poetry", [("poetry", {"build": True})]).code == 1  # a requirer without a digest

    pyproject(tree, index, deps='"gamma==0.3.0"', extra="package-mode = false\n")  # alpha (and beta) removed
    tree.python_at_build = True
    lock(tree, with_poetry)
    tree.restore("poetry-install")
    changed = tree.build("poetry-install", [("site-packages", LAUNCH)])
    assert changed.code == 0, changed.output
    assert "Rebuilding layer 'packages' since: build-inputs changed" in changed.output
    assert sorted(p.name for p in site(changed).glob("*.dist-info")) == ["gamma-0.3.0.dist-info"]


def test_poetry_layer_is_not_cached_when_every_requirer_states_build_inputs(poetry_build):
    tree = poetry_build.tree
    tree.restore("poetry")
    stated = tree.build("poetry", [("poetry", {"build": True, "build-inputs": "0" * 64})])
    assert stated.code == 0 and "Reusing layer 'poetry'" in stated.output
    assert stated.layer_toml("poetry")["types"] == {"build": True, "launch": False, "cache": False}
    unstated = tree.build("poetry", [("poetry", {"build": True})])  # as the fixture left it, for other tests
    assert unstated.code == 0 and unstated.layer_toml("poetry")["types"]["cache"] is True
