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
    metadata = run.plan()["requires"][0]["metadata"]
    assert metadata.pop("build-inputs") == run.plan()["requires"][1]["metadata"]["build-inputs"]  # a lock: inputs
    assert metadata == {"build": True, "version": "3.11.2", "version-source": "Pipfile.lock"}
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
    # Stated build inputs: launch-only, reused by metadata, nothing cached.
    assert run.layer_toml("packages")["types"] == {"build": False, "launch": True, "cache": False}
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


def _inputs(tree, buildpack="pipenv-install"):
    run = tree.detect(buildpack)
    assert run.code == 0, run.output
    found = {r["name"]: r["metadata"].get("build-inputs") for r in run.plan()["requires"]}
    assert len(set(found.values())) == 1, found  # the same digest on every build-time requirement
    return next(iter(found.values()))


def test_build_inputs_cover_pipfile_lock_and_settings_and_leave_out_what_they_cannot_see(tree, index):
    pipfile(tree, index)
    assert _inputs(tree) is None  # no lock: it is locked afresh against the index at every build
    tree.write("Pipfile.lock", json.dumps({"default": {"alpha": {"version": "==1.0.0"}}}))
    first = _inputs(tree)
    assert first and _inputs(tree) == first
    tool = _inputs(tree, "pipenv")
    assert tool and tool != first  # pycnb/pipenv states its own (its buildpack.toml, the settings)
    pipfile(tree, index, packages='alpha = "==1.0.0"\ngamma = "*"')
    second = _inputs(tree)
    assert second != first  # the Pipfile
    tree.write("Pipfile.lock", json.dumps({"default": {"alpha": {"version": "==1.0.1"}}}))
    third = _inputs(tree)
    assert third not in (first, second)  # the lock
    tree.set_env("PIP_PRE", "1")
    assert _inputs(tree) not in (first, second, third)  # every setting
    assert _inputs(tree, "pipenv") != tool
    pipfile(tree, index, packages='alpha = "==1.0.0"\nlib = {path = "./lib", editable = true}')
    assert _inputs(tree) is None  # a local package: its contents are not hashed
    pipfile(tree, index)
    tree.write("Pipfile.lock", json.dumps({"default": {"lib": {"file": "file:///app/lib-1.0.tar.gz"}}}))
    assert _inputs(tree) is None
    tree.write("Pipfile.lock", json.dumps({"default": {"alpha": {"version": "==1.0.0"}}}))
    assert _inputs(tree)
    tree.write("vendor/alpha-1.0.0-py3-none-any.whl", "")
    assert _inputs(tree) is None  # a vendored wheelhouse
    (tree.app / "vendor" / "alpha-1.0.0-py3-none-any.whl").unlink()
    (tree.app / "vendor").rmdir()
    tree.set_env("PIP_FIND_LINKS", "/somewhere")
    assert _inputs(tree) is None  # a directory of archives named by a setting
    (tree.platform / "env" / "PIP_FIND_LINKS").unlink()
    assert _inputs(tree)
    tree.binding("corp", "pip", {"pip.conf": "[global]\ntimeout = 5\n"})
    assert _inputs(tree) is None and _inputs(tree, "pipenv") is None  # bindings stay out of digests


def test_unchanged_build_inputs_reuse_the_packages_layer_and_a_changed_lock_rebuilds_from_empty(
        tree, index, with_pipenv):
    """pycnb/cpython kept python3 off the build: pycnb/pipenv does nothing and pipenv-install
    keeps its launch-only layer by metadata, running no pipenv and no pip; a changed lock puts
    python3 back and installs from empty, so a package gone from the lock leaves the image."""
    pipfile(tree, index)
    lock(tree, with_pipenv)
    inputs = _inputs(tree)
    first = tree.build("pipenv-install", [("site-packages", LAUNCH)])
    assert first.code == 0, first.output
    assert first.layer_toml("packages")["metadata"]["build-inputs"] == inputs
    assert first.layer_toml("pip-cache")["types"]["cache"] is False
    tree.restore("pipenv-install")
    assert not (tree.layers_dir("pipenv-install") / "packages").exists()

    tree.python_at_build = False
    tool = tree.build("pipenv", [("pipenv", {"build": True, "build-inputs": inputs})])
    assert tool.code == 0 and "Nothing to do" in tool.output
    assert not list(tool.layers.glob("pipenv*"))  # no layer at all: nothing to restore next time
    requests = index.requests
    again = tree.build("pipenv-install", [("site-packages", LAUNCH)])
    assert again.code == 0, again.output
    assert "Reusing layer 'packages'" in again.output and index.requests == requests
    assert "up to date with Pipfile" not in again.output  # no pipenv run
    assert again.layer_toml("packages")["metadata"]["build-inputs"] == inputs
    assert tree.build("pipenv", [("pipenv", {"build": True})]).code == 1  # a requirer without a digest
    tree.write("Pipfile.lock", (tree.app / "Pipfile.lock").read_text() + "\n")  # cpython would not keep python3 off now
    tree.restore("pipenv-install")
    broken = tree.build("pipenv-install", [("site-packages", LAUNCH)])
    assert broken.code == 1 and "does not match its build inputs" in broken.output
    assert "Traceback" not in broken.output

    pipfile(tree, index, packages='gamma = "==0.3.0"')  # alpha (and beta) removed
    tree.python_at_build = True
    lock(tree, with_pipenv)
    changed = tree.build("pipenv-install", [("site-packages", LAUNCH)])
    assert changed.code == 0, changed.output
    assert "Rebuilding layer 'packages' since: build-inputs changed" in changed.output
    site = next((changed.layers / "packages" / "lib").glob("python3.*/site-packages"))
    assert sorted(p.name for p in site.glob("*.dist-info")) == ["gamma-0.3.0.dist-info"]


def test_pipenv_layer_is_not_cached_when_every_requirer_states_build_inputs(pipenv_build):
    tree = pipenv_build.tree
    tree.restore("pipenv")
    stated = tree.build("pipenv", [("pipenv", {"build": True, "build-inputs": "0" * 64})])
    assert stated.code == 0 and "Reusing layer 'pipenv'" in stated.output
    assert stated.layer_toml("pipenv")["types"] == {"build": True, "launch": False, "cache": False}
    unstated = tree.build("pipenv", [("pipenv", {"build": True})])  # as the fixture left it, for other tests
    assert unstated.code == 0 and unstated.layer_toml("pipenv")["types"]["cache"] is True
