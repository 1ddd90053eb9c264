"""pipenv and pipenv-install: real pipenv (from a local wheel cache), locks against a
loopback index of tiny wheels."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wheels import Index, make_wheel

CACHE = Path(os.environ.get("PYCNB_CACHE", Path.home() / ".cache" / "pycnb"))
PIPENV_WHEELS = CACHE / "wheels" / "pipenv"
LAUNCH = {"launch": True}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    wheels = tmp_path_factory.mktemp("index")
    make_wheel(wheels, "alpha", "1.0.0", requires=("beta>=2",))
    make_wheel(wheels, "beta", "2.1.0")
    make_wheel(wheels, "beta", "1.0.0")
    make_wheel(wheels, "gamma", "0.3.0")
    idx = Index(wheels)
    yield idx
    idx.close()


@pytest.fixture(scope="module")
def pipenv_build(index, tmp_path_factory):
    """The pipenv buildpack, run once for the module."""
    from harness import CNBTree
    assert (PIPENV_WHEELS / ".stamp").exists(), "pipenv wheels missing: run `make test-unit` (tools/fetch-wheels.sh)"
    tree = CNBTree(tmp_path_factory.mktemp("pipenv-bp"))
    tree.set_env("BP_PIP_FIND_LINKS", str(PIPENV_WHEELS))
    tree.set_env("PIP_INDEX_URL", index.url())
    run = tree.build("pipenv", [("pipenv", {"build": True})])
    assert run.code == 0, run.output
    return run


@pytest.fixture
def with_pipenv(tree, index, pipenv_build):
    """pipenv's build layer visible to this test's later buildpacks, as the lifecycle does."""
    tree.set_env("PIP_INDEX_URL", index.url())
    tree.earlier.append(pipenv_build.layers / "pipenv")
    return pipenv_build


def pipfile(tree, index, packages='alpha = "==1.0.0"', python="3.11"):
    tree.write("Pipfile", f'[[source]]\nurl = "{index.url()}"\nverify_ssl = false\nname = "local"\n\n'
                          f'[packages]\n{packages}\n\n[requires]\npython_version = "{python}"\n')


def lock(tree, with_pipenv):
    env = {**os.environ, "PIPENV_VERBOSITY": "-1", "PIPENV_YES": "1", "PIPENV_IGNORE_VIRTUALENVS": "1",
           "WORKON_HOME": str(tree.root / "venvs"), "PIPENV_PIPFILE": str(tree.app / "Pipfile")}
    pipenv = with_pipenv.layers / "pipenv" / "bin" / "pipenv"
    proc = subprocess.run([str(pipenv), "lock", "--python", "python3"], cwd=tree.app, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout


def test_pipenv_layer_exposes_only_pipenv(pipenv_build):
    layer = pipenv_build.layers / "pipenv"
    assert sorted(p.name for p in (layer / "bin").iterdir()) == ["pipenv"]
    assert pipenv_build.layer_toml("pipenv")["types"] == {"build": True, "launch": False, "cache": True}
    assert "Installing pipenv 2026.10.3" in pipenv_build.output
    tree = pipenv_build.tree
    tree.restore("pipenv")
    again = tree.build("pipenv", [("pipenv", {"build": True})])
    assert again.code == 0 and "Reusing layer 'pipenv'" in again.output


def test_detect_takes_python_from_lock_then_pipfile(tree, index):
    assert tree.detect("pipenv-install").code == 100
    pipfile(tree, index, python="3.13")
    run = tree.detect("pipenv-install")
    assert run.plan()["requires"][0] == {"name": "cpython", "metadata": {"build": True, "version": "3.13", "version-source": "Pipfile"}}
    tree.write("Pipfile.lock", json.dumps({"_meta": {"requires": {"python_full_version": "3.11.2"}}}))
    tree.write("requirements.txt", "flask\n")
    run = tree.detect("pipenv-install")
    assert run.plan()["requires"][0]["metadata"] == {"build": True, "version": "3.11.2", "version-source": "Pipfile.lock"}
    assert run.plan()["provides"] == [{"name": "site-packages"}]
    assert run.code == 0


def test_installs_exactly_the_lock_and_reuses(tree, index, with_pipenv):
    pipfile(tree, index)
    lock(tree, with_pipenv)
    tree.write("requirements.txt", "gamma\n")
    run = tree.build("pipenv-install", [("site-packages", LAUNCH)])
    assert run.code == 0, run.output
    assert "requirements.txt is ignored" in run.output
    assert "Pipfile.lock is up to date with Pipfile" in run.output
    site = next((run.layers / "packages" / "lib").glob("python3.*/site-packages"))
    assert sorted(p.name for p in site.glob("*.dist-info")) == ["alpha-1.0.0.dist-info", "beta-2.1.0.dist-info"]
    assert [c["name"] for c in run.sbom("packages", "cdx")["components"]] == ["alpha", "beta"]
    tree.restore("pipenv-install")
    again = tree.build("pipenv-install", [("site-packages", LAUNCH)])
    assert again.code == 0, again.output
    assert "Reusing layer 'packages'" in again.output and "Installing locked packages" not in again.output


def test_stale_lock_fails_with_one_message(tree, index, with_pipenv):
    pipfile(tree, index)
    lock(tree, with_pipenv)
    pipfile(tree, index, packages='alpha = "==1.0.0"\ngamma = "*"')
    run = tree.build("pipenv-install", [("site-packages", LAUNCH)])
    assert run.code == 1 and "Traceback" not in run.output
    assert "ERROR: Pipfile.lock is out of date with Pipfile" in run.output
    assert "Run `pipenv lock`" in run.output
    assert not (run.layers / "packages.toml").exists()


def test_missing_lock_is_locked_with_a_warning(tree, index, with_pipenv):
    pipfile(tree, index, packages='gamma = "*"')
    run = tree.build("pipenv-install", [("site-packages", LAUNCH)])
    assert run.code == 0, run.output
    assert "WARNING: No Pipfile.lock: locking now" in run.output
    assert not (tree.app / "Pipfile.lock").exists()  # the app's files are left alone
    site = next((run.layers / "packages" / "lib").glob("python3.*/site-packages"))
    assert [p.name for p in site.glob("*.dist-info")] == ["gamma-0.3.0.dist-info"]


def test_invalid_lock_json(tree, index, with_pipenv):
    pipfile(tree, index)
    tree.write("Pipfile.lock", "{not json")
    run = tree.build("pipenv-install", [("site-packages", LAUNCH)])
    assert run.code == 1 and "Pipfile.lock is not valid JSON" in run.output and "Traceback" not in run.output


# -- Pipfile.lock hashes (lockhash.py: the spec's algorithm) ------------------------------

PLETTE_HASH = ("import sys; from pipenv.vendor import plette; "
               "print(plette.Pipfile.load(open(sys.argv[1])).get_hash().value)")


def plette_hash(pipenv_build, pipfile_path) -> str:
    """The hash the pinned pipenv's own plette computes (the reference implementation)."""
    python = pipenv_build.layers / "pipenv" / "venv" / "bin" / "python"
    return subprocess.run([str(python), "-c", PLETTE_HASH, str(pipfile_path)], check=True,
                          stdout=subprocess.PIPE, text=True).stdout.strip()


def spec_lock(tree, digest, packages):
    tree.write("Pipfile.lock", json.dumps({
        "_meta": {"hash": {"sha256": digest}, "pipfile-spec": 6, "requires": {}, "sources": []},
        "default": {name: {"version": f"=={version}"} for name, version in packages.items()}, "develop": {}}))


@pytest.mark.parametrize("text", [
    '[packages]\nAlpha_Pkg = "==1.0.0"\n',
    '[[source]]\nurl = "http://127.0.0.1:9/simple"\nverify_ssl = false\nname = "x"\n\n[packages]\nalpha = {version = "*", extras = ["b"]}\n'
    '[dev-packages]\nZeta = "*"\n[requires]\npython_version = "3.11"\n[docs]\nSphinx = "*"\n[scripts]\nweb = "python app.py"\n',
])
def test_lockhash_is_plettes_algorithm(tmp_path, pipenv_build, text):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "buildpacks" / "pipenv-install"))
    from pycnb_pipenv_install import lockhash
    from libbuild import tomlfile
    (tmp_path / "Pipfile").write_text(text)
    python = pipenv_build.layers / "pipenv" / "venv" / "bin" / "python"
    defaults = json.loads(subprocess.run([str(python), "-c", "import json; from pipenv.vendor import tomlkit; "
                                          "from pipenv.vendor.plette.pipfiles import DEFAULT_SOURCE_TOML as d; "
                                          "print(json.dumps(tomlkit.loads(d).unwrap()['source']))"],
                                         check=True, stdout=subprocess.PIPE, text=True).stdout)
    assert plette_hash(pipenv_build, tmp_path / "Pipfile") in lockhash.spec_hashes(tomlfile.read(tmp_path / "Pipfile"), defaults)


def test_lock_with_the_spec_hash_is_accepted_where_pipenv_verify_refuses_it(tree, index, with_pipenv):
    """No [requires], no [[source]], a name not in canonical form: the pinned pipenv hashes
    canonical names and calls this lock out of date, but its hash is the spec's."""
    tree.write("Pipfile", '[packages]\nGAMMA = "==0.3.0"\n')
    spec_lock(tree, plette_hash(with_pipenv, tree.app / "Pipfile"), {"gamma": "0.3.0"})
    env = {**os.environ, "PIPENV_VERBOSITY": "-1", "PIPENV_IGNORE_VIRTUALENVS": "1", "WORKON_HOME": str(tree.root / "venvs")}
    verify = subprocess.run([str(with_pipenv.layers / "pipenv" / "bin" / "pipenv"), "verify"], cwd=tree.app, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert verify.returncode == 1 and "out-of-date" in verify.stdout  # the case this guards against
    run = tree.build("pipenv-install", [("site-packages", LAUNCH)])
    assert run.code == 0, run.output
    assert "Pipfile.lock is up to date with Pipfile" in run.output
    site = next((run.layers / "packages" / "lib").glob("python3.*/site-packages"))
    assert [p.name for p in site.glob("*.dist-info")] == ["gamma-0.3.0.dist-info"]


def test_lock_whose_hash_is_not_the_specs_is_refused(tree, index, with_pipenv):
    tree.write("Pipfile", '[packages]\nGamma_Pkg = "==0.3.0"\n')
    spec_lock(tree, "0" * 64, {"gamma-pkg": "0.3.0"})
    run = tree.build("pipenv-install", [("site-packages", LAUNCH)])
    assert run.code == 1 and "ERROR: Pipfile.lock is out of date with Pipfile" in run.output
    assert "Traceback" not in run.output
