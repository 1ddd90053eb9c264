"""pip and pip-install, with a real python3 from PATH, real pip, tiny real wheels."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import REPO
from libbuild import tomlfile
from libbuild.versions import parse_version

from wheels import Index, make_wheel

CACHE = Path(os.environ.get("PYCNB_CACHE", Path.home() / ".cache" / "pycnb"))

BOTH = {"build": False, "launch": True}


@pytest.fixture(autouse=True)
def python_on_path():
    assert shutil.which("python3"), "the unit tests need a python3 with venv and pip on PATH"


@pytest.fixture
def wheelhouse(tree):
    d = tree.app / "wheelhouse"
    make_wheel(d, "alpha", "1.0.0", requires=("beta>=2",), license="MIT")
    make_wheel(d, "beta", "2.1.0", license="Apache-2.0")
    make_wheel(d, "gamma", "0.3.0")
    make_wheel(d, "pywin32", "306")
    return d


def pip_install(tree, **extra):
    return tree.build("pip-install", [("site-packages", BOTH)], **extra)


def site_packages(run):
    return next((run.layers / "packages" / "lib").glob("python3.*/site-packages"))


MIRROR = Path(os.environ.get("PYCNB_MIRROR_ROOT") or CACHE / "mirror")


def catalog_wheel(version: str) -> Path:
    """A pip wheel of the pip buildpack's catalog, as mirror/fetch-pip-wheels.sh stores it."""
    entry = next(d for d in tomlfile.read(REPO / "buildpacks/pip/buildpack.toml")["metadata"]["dependencies"]
                 if d["id"] == "pip" and d["version"] == version)
    path = MIRROR / entry["uri"].split("://", 1)[1]
    assert path.is_file(), f"{path} missing: run `make test-unit` (mirror/fetch-pip-wheels.sh)"
    return path


@pytest.fixture(scope="module")
def current_python(tmp_path_factory):
    """A Python whose bundled pip is current: a venv with the catalog's pip in it."""
    venv = tmp_path_factory.mktemp("current-pip") / "venv"
    subprocess.run(["python3", "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([str(venv / "bin/python3"), "-m", "ensurepip", "--default-pip"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([str(venv / "bin/python3"), "-m", "pip", "install", "-q", "--no-index", str(catalog_wheel("26.3"))],
                   check=True)
    return venv


def build_offline_with_bundled_pip(tree, python_bin: Path):
    """pip for a build with nothing reachable: the bundled pip (26.3) must do."""
    tree.env["PATH"] = f"{python_bin}:{os.environ['PATH']}"
    tree.set_env("PIP_INDEX_URL", "http://127.0.0.1:9/unreachable")
    tree.set_env("BP_DEPENDENCY_MIRROR", "file:///nonexistent/{originalHost}")
    run = tree.build("pip", [("pip", {"build": True})])
    assert run.code == 0, run.output
    assert "Using pip 26.3 bundled with CPython" in run.output and "(no download)" in run.output
    assert run.layer_toml("pip")["types"] == {"build": True, "launch": False, "cache": True}
    return run


def test_pip_uses_a_current_bundled_pip_without_download(tree, current_python):
    run = build_offline_with_bundled_pip(tree, current_python / "bin")
    assert run.env_files("pip") == {"env.build/PYCNB_PIP_VERSION.override": "26.3"}


def test_an_old_bundled_pip_is_replaced_by_the_catalogs(tree):
    """The host's python3 bundles a pip older than the floor: the catalog's wheel is installed,
    offline, from the mirror; then reused."""
    catalog_wheel("26.3")
    bundled = subprocess.run(["python3", "-m", "pip", "--version"], stdout=subprocess.PIPE, text=True).stdout.split()[1]
    assert parse_version(bundled) < parse_version("25.3"), "this test needs a python3 with an older pip"
    tree.set_env("BP_DEPENDENCY_MIRROR", f"file://{MIRROR}/{{originalHost}}")
    tree.set_env("PIP_INDEX_URL", "http://127.0.0.1:9/unreachable")
    run = tree.build("pip", [("pip", {"build": True})])
    assert run.code == 0, run.output
    assert (f"({bundled}) is older than 25.3, the oldest this buildpack uses; installing pip 26.3 from the catalog"
            in run.output)
    env_files = run.env_files("pip")
    assert env_files["env.build/PYCNB_PIP_VERSION.override"] == "26.3"
    from harness import lifecycle_env
    from libbuild.env import apply_layer
    env = apply_layer(lifecycle_env(dict(os.environ)), run.layers / "pip", "build")
    version = subprocess.run(["python3", "-m", "pip", "--version"], env=env, stdout=subprocess.PIPE, text=True).stdout
    assert version.startswith("pip 26.3 from " + str(run.layers / "pip")), version
    assert [c["name"] + " " + c["version"] for c in run.sbom("pip", "cdx")["components"]] == ["pip 26.3"]
    tree.restore("pip")
    again = tree.build("pip", [("pip", {"build": True})])
    assert again.code == 0 and "Reusing layer 'pip'" in again.output and "Installing pip" not in again.output


@pytest.mark.parametrize("pip_installed", [True, False], ids=["interpreter-pip", "no-installed-pip"])
def test_pip_version_is_installed_and_used_at_build(tree, tmp_path, pip_installed):
    """BP_PIP_VERSION: the interpreter's pip installs it or, with none installed (pycnb/cpython's
    layer), the bundled wheel runs pip (as ensurepip does)."""
    wheels = CACHE / "wheels" / "pip"
    assert (wheels / ".stamp").exists(), "pip wheel missing: run `make test-unit` (tools/fetch-wheels.sh)"
    if not pip_installed:
        tree.env["PATH"] = f"{python_without_pip(tmp_path / 'py')}:{os.environ['PATH']}"
    tree.set_env("BP_PIP_VERSION", "24.3.1")
    tree.set_env("PIP_NO_INDEX", "1")
    tree.set_env("PIP_FIND_LINKS", str(wheels))
    run = tree.build("pip", [("pip", {"build": True})])
    assert run.code == 0, run.output
    assert "Installing pip 24.3.1" in run.output
    env_files = run.env_files("pip")
    assert env_files["env.build/PYCNB_PIP_VERSION.override"] == "24.3.1"
    assert env_files["env.build/PYTHONUSERBASE.override"] == str(run.layers / "pip")
    # What a later buildpack gets: python3 -m pip is the installed version.
    assert pip_in_layer(run).startswith("pip 24.3.1 from " + str(run.layers / "pip")), pip_in_layer(run)
    tree.restore("pip")
    assert "Reusing layer 'pip'" in tree.build("pip", [("pip", {"build": True})]).output


def python_without_pip(root: Path, bundled_wheel: Path = None) -> Path:
    """An interpreter laid out as pycnb/cpython's layer is: no pip installed, ensurepip's wheel
    kept (the host's, or `bundled_wheel`). The host's python3 binary, copied, with its stdlib
    linked in and an empty site-packages. Returns its bin directory."""
    import sys
    import sysconfig
    stdlib = Path(sysconfig.get_path("stdlib"))
    lib = root / "lib" / stdlib.name
    (lib / "site-packages").mkdir(parents=True)
    for entry in stdlib.iterdir():
        if entry.name not in ("site-packages", "ensurepip"):
            (lib / entry.name).symlink_to(entry)
    shutil.copytree(stdlib / "ensurepip", lib / "ensurepip", symlinks=True)
    if bundled_wheel is not None:
        for old in (lib / "ensurepip" / "_bundled").glob("pip-*.whl"):
            old.unlink()
        shutil.copy(bundled_wheel, lib / "ensurepip" / "_bundled" / bundled_wheel.name)
    (root / "bin").mkdir()
    shutil.copy(os.path.realpath(sys.executable), root / "bin" / "python3")
    count = "import importlib.metadata as m; print(len(list(m.distributions())))"
    probe = subprocess.run([str(root / "bin" / "python3"), "-c", count], stdout=subprocess.PIPE, text=True, check=True)
    assert probe.stdout.strip() == "0", "the copied interpreter still sees installed distributions"
    return root / "bin"


def pip_in_layer(run) -> str:
    from harness import lifecycle_env
    from libbuild.env import apply_layer
    env = apply_layer(lifecycle_env(dict(os.environ)), run.layers / "pip", "build")
    return subprocess.run(["python3", "-m", "pip", "--version"], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True).stdout


def test_a_current_bundled_wheel_is_unpacked_when_no_pip_is_installed(tree, tmp_path):
    """pycnb/cpython's layer has no pip installed: the wheel ensurepip keeps is unpacked into the
    pip layer (no pip runs, nothing is downloaded), and `python3 -m pip` at build is that pip."""
    run = build_offline_with_bundled_pip(tree, python_without_pip(tmp_path / "py", catalog_wheel("26.3")))
    assert run.env_files("pip") == {"env.build/PYCNB_PIP_VERSION.override": "26.3",
                                    "env.build/PYTHONUSERBASE.override": str(run.layers / "pip")}
    assert pip_in_layer(run).startswith("pip 26.3 from " + str(run.layers / "pip")), pip_in_layer(run)
    assert os.access(run.layers / "pip" / "bin" / "pip", os.X_OK)
    tree.restore("pip")
    again = tree.build("pip", [("pip", {"build": True})])
    assert again.code == 0 and "Reusing layer 'pip'" in again.output


def test_without_an_installed_pip_an_old_bundled_wheel_gives_way_to_the_catalogs(tree, tmp_path):
    """The host's ensurepip bundles a pip older than the floor, and none is installed: the
    catalog's wheel is unpacked (no pip needed to install pip)."""
    bin_dir = python_without_pip(tmp_path / "py")
    tree.env["PATH"] = f"{bin_dir}:{os.environ['PATH']}"
    catalog_wheel("26.3")
    tree.set_env("BP_DEPENDENCY_MIRROR", f"file://{MIRROR}/{{originalHost}}")
    tree.set_env("PIP_INDEX_URL", "http://127.0.0.1:9/unreachable")
    run = tree.build("pip", [("pip", {"build": True})])
    assert run.code == 0, run.output
    assert "is older than 25.3, the oldest this buildpack uses; installing pip 26.3 from the catalog" in run.output
    assert pip_in_layer(run).startswith("pip 26.3 from " + str(run.layers / "pip")), pip_in_layer(run)
    assert [c["name"] + " " + c["version"] for c in run.sbom("pip", "cdx")["components"]] == ["pip 26.3"]


def test_pip_version_setting_is_validated(tree):
    tree.set_env("BP_PIP_VERSION", "latest please")
    run = tree.build("pip", [("pip", {"build": True})])
    assert run.code == 1 and "BP_PIP_VERSION='latest please' is not valid" in run.output


def test_detect(tree):
    assert tree.detect("pip-install").code == 100
    tree.write("requirements.txt", "flask\n")
    run = tree.detect("pip-install")
    assert run.code == 0
    plan = run.plan()
    inputs = plan["requires"][0]["metadata"].pop("build-inputs")
    assert re.fullmatch(r"[0-9a-f]{64}", inputs)
    assert plan["requires"][1]["metadata"].pop("build-inputs") == inputs
    assert plan == {"provides": [{"name": "site-packages"}],
                    "requires": [{"name": "cpython", "metadata": {"build": True}},
                                 {"name": "pip", "metadata": {"build": True}}]}
    (tree.app / "requirements.txt").unlink()
    tree.set_env("BP_PIP_REQUIREMENT", "reqs/prod.txt")
    assert tree.detect("pip-install").code == 0


def test_vendored_wheelhouse_installs_offline_into_a_venv_layer(tree, wheelhouse):
    tree.set_env("PIP_INDEX_URL", "http://127.0.0.1:9/must-not-be-used")
    tree.write("requirements.txt", "alpha==1.0.0  # the app\n")
    run = pip_install(tree)
    assert run.code == 0, run.output
    assert "installing from the vendored wheelhouse wheelhouse/" in run.output
    site = site_packages(run)
    assert {p.name for p in site.glob("*.dist-info")} == {"alpha-1.0.0.dist-info", "beta-2.1.0.dist-info"}
    assert (run.layers / "packages" / "pyvenv.cfg").is_file()
    assert not list(site.glob("pip*"))  # pip stays out of the app's environment
    assert run.env_files("packages") == {"env/VIRTUAL_ENV.default": str(run.layers / "packages")}
    assert run.layer_toml("packages")["types"] == {"build": False, "launch": True, "cache": True}
    cdx = run.sbom("packages", "cdx")
    assert [(c["name"], c["version"], c["licenses"]) for c in cdx["components"]] == [
        ("alpha", "1.0.0", [{"license": {"id": "MIT"}}]), ("beta", "2.1.0", [{"license": {"id": "Apache-2.0"}}])]
    spdx = run.sbom("packages", "spdx")
    assert sorted(p["name"] for p in spdx["packages"]) == ["alpha", "beta"]
    # hash-based bytecode (SOURCE_DATE_EPOCH), so layers are reproducible
    pyc = next(site.glob("alpha/__pycache__/*.pyc")).read_bytes()
    assert int.from_bytes(pyc[4:8], "little") & 0b1


def test_unchanged_rebuild_runs_no_pip_and_change_rebuilds_clean(tree, wheelhouse):
    tree.write("requirements.txt", "alpha==1.0.0\ngamma\n")
    assert pip_install(tree).code == 0
    tree.restore("pip-install")
    again = pip_install(tree)
    assert again.code == 0, again.output
    assert "Reusing layer 'packages'" in again.output and "Installing requirements" not in again.output
    assert "Reusing layer 'pip-cache'" in again.output
    tree.write("requirements.txt", "alpha==1.0.0\n")  # gamma removed
    tree.restore("pip-install")
    third = pip_install(tree)
    assert "Rebuilding layer 'packages' since: requirements changed from" in third.output
    assert not list(site_packages(third).glob("gamma*"))


def test_prohibited_packages_are_dropped_and_logged(tree, wheelhouse):
    tree.write("requirements.txt", "alpha==1.0.0\npywin32==306 ; sys_platform == 'linux'\n")
    tree.write("requirements-dev.txt", "-r requirements.txt\ngamma\n")
    tree.set_env("BP_PIP_REQUIREMENT", "requirements-dev.txt")
    tree.set_env("BP_PIP_PROHIBITED_PACKAGES", "PyWin32, other")
    run = pip_install(tree)
    assert run.code == 0, run.output
    assert "Dropping \"pywin32==306 ; sys_platform == 'linux'\" (requirements.txt line 2): listed in BP_PIP_PROHIBITED_PACKAGES" in run.output
    names = {p.name.split("-")[0] for p in site_packages(run).glob("*.dist-info")}
    assert names == {"alpha", "beta", "gamma"}


def test_external_packages_with_version_matching(tree, wheelhouse):
    import importlib.metadata
    pip_version = importlib.metadata.version("pip")  # pip is "provided" by the base interpreter
    tree.write("requirements.txt", f"alpha==1.0.0\npip=={pip_version}\ngamma>=99\n")
    tree.set_env("BP_PIP_EXTERNAL_PACKAGES", "pip,gamma")
    tree.set_env("BP_PIP_EXTERNAL_VERSION_MATCHING", "true")
    run = pip_install(tree)
    assert f"Dropping 'pip=={pip_version}' (requirements.txt line 2): the base image provides pip {pip_version}" in run.output
    assert "Installing 'gamma>=99': listed in BP_PIP_EXTERNAL_PACKAGES but not provided" in run.output
    assert run.code == 1  # gamma>=99 is not in the wheelhouse
    assert "pip found no distribution matching 'gamma>=99' in the vendored wheelhouse wheelhouse/" in run.output


def test_malformed_requirement_names_file_and_line(tree):
    tree.write("requirements.txt", "flask==3.0.3\n\nrequests>=>2\n")
    run = pip_install(tree)
    assert run.code == 1 and "Traceback" not in run.output
    assert "requirements.txt line 3 is not a valid requirement: 'requests>=>2'" in run.output


def test_missing_named_file(tree):
    tree.set_env("BP_PIP_REQUIREMENT", "prod.txt")
    run = pip_install(tree)
    assert run.code == 1 and "BP_PIP_REQUIREMENT names 'prod.txt', which does not exist in the app" in run.output


def test_private_index_through_pip_binding_keeps_secrets_out(tree, tmp_path):
    wheels = tmp_path / "index"
    make_wheel(wheels, "private-lib", "4.2.0")
    index = Index(wheels, "deploy", "s3cr3t-pa55")
    try:
        tree.binding("corp-index", "pip", {"pip.conf": f"[global]\nindex-url = {index.url('deploy', 's3cr3t-pa55')}\ntimeout = 20\n"})
        tree.write("requirements.txt", "private-lib==4.2.0\n")
        run = pip_install(tree)
        assert run.code == 0, run.output
        assert index.requests >= 2
        assert (site_packages(run) / "private_lib-4.2.0.dist-info").is_dir()
        assert "s3cr3t-pa55" not in run.output
        everything = [p for p in tree.root.joinpath("layers").rglob("*") if p.is_file()]
        for p in everything:
            assert b"s3cr3t-pa55" not in p.read_bytes(), p
        # Unchanged apart from the password: the layer is kept.
        tree.binding("corp-index", "pip", {"pip.conf": f"[global]\nindex-url = {index.url('deploy', 'rotated-pa55')}\ntimeout = 20\n"})
        tree.restore("pip-install")
        again = pip_install(tree)
        assert "Reusing layer 'packages'" in again.output
    finally:
        index.close()


def test_unresolvable_requirement_names_the_package(tree, tmp_path):
    index = Index(tmp_path / "empty")
    (tmp_path / "empty").mkdir()
    try:
        tree.set_env("PIP_INDEX_URL", index.url())
        tree.write("requirements.txt", "no-such-package==9.9\n")
        run = pip_install(tree)
        assert run.code == 1 and "Traceback" not in run.output
        assert f"pip found no distribution matching 'no-such-package==9.9' in the index http://127.0.0.1:{index.port}/simple" in run.output
    finally:
        index.close()


def _inputs_app(tree, tmp_path):
    wheels = tmp_path / "index"
    make_wheel(wheels, "alpha", "1.0.0")
    make_wheel(wheels, "beta", "2.1.0")
    index = Index(wheels)
    tree.set_env("PIP_INDEX_URL", index.url())
    tree.write("requirements.txt", "alpha==1.0.0\n-r more.txt\n")
    tree.write("more.txt", "beta==2.1.0\n")
    return index


def _inputs(tree) -> str:
    run = tree.detect("pip-install")
    assert run.code == 0, run.output
    return run.plan()["requires"][0]["metadata"].get("build-inputs")


def test_build_inputs_cover_included_files_and_settings_and_leave_out_what_they_cannot_see(tree, tmp_path):
    index = _inputs_app(tree, tmp_path)
    try:
        first = _inputs(tree)
        assert first and _inputs(tree) == first
        tree.write("more.txt", "beta==2.1.0\n# edited\n")
        second = _inputs(tree)
        assert second != first  # an included file is an input
        tree.set_env("PIP_PRE", "1")
        assert _inputs(tree) not in (first, second)  # so is every setting
        tree.write("requirements.txt", "alpha==1.0.0\n-e ./local\n")
        assert _inputs(tree) is None  # a local path: its contents are not hashed
        tree.write("requirements.txt", "alpha==1.0.0\n")
        plain = _inputs(tree)
        assert plain
        # Trusting a CA decides no package: the digest names the binding's type, never its contents.
        tree.binding("proxy-ca", "ca-certificates", {"ca.crt": "-----BEGIN CERTIFICATE-----\nsecret\n"})
        with_ca = _inputs(tree)
        assert with_ca and with_ca != plain
        (tree.platform / "bindings" / "proxy-ca" / "ca.crt").write_text("-----BEGIN CERTIFICATE-----\nother\n")
        assert _inputs(tree) == with_ca
        tree.binding("corp", "pip", {"pip.conf": "[global]\ntimeout = 5\n"})
        assert _inputs(tree) is None  # a pip binding (index, credentials) stays out of the digest altogether
    finally:
        index.close()


def test_unchanged_build_inputs_reuse_the_packages_layer_without_python(tree, tmp_path):
    """pycnb/cpython kept python3 off the build: pip does nothing and pip-install keeps its
    launch-only layer by metadata; a change puts python3 back and reinstalls from empty."""
    index = _inputs_app(tree, tmp_path)
    try:
        inputs = _inputs(tree)
        plan_pip = [("pip", {"build": True, "build-inputs": inputs})]
        first = pip_install(tree)
        assert first.code == 0, first.output
        assert first.layer_toml("packages")["types"] == {"build": False, "launch": True, "cache": False}
        assert first.layer_toml("packages")["metadata"]["build-inputs"] == inputs
        assert first.layer_toml("pip-cache")["types"]["cache"] is False
        tree.restore("pip-install")
        assert not (tree.layers_dir("pip-install") / "packages").exists()

        tree.python_at_build = False
        pip = tree.build("pip", plan_pip)
        assert pip.code == 0 and "Nothing to do" in pip.output
        requests = index.requests
        again = pip_install(tree)
        assert again.code == 0, again.output
        assert "Reusing layer 'packages'" in again.output and index.requests == requests
        assert again.layer_toml("packages")["metadata"]["build-inputs"] == inputs

        tree.write("more.txt", "beta==2.1.0\n# edited\n")  # cpython would not have kept python3 off now
        tree.restore("pip-install")
        broken = pip_install(tree)
        assert broken.code == 1 and "does not match its build inputs" in broken.output
        assert "Traceback" not in broken.output
        assert tree.build("pip", [("pip", {"build": True})]).code == 1  # a requirer without a digest

        tree.python_at_build = True
        tree.write("requirements.txt", "beta==2.1.0\n")  # alpha removed
        changed = pip_install(tree)
        assert changed.code == 0, changed.output
        assert "Rebuilding layer 'packages' since: build-inputs changed" in changed.output
        assert not list(site_packages(changed).glob("alpha-*"))
        assert list(site_packages(changed).glob("beta-2.1.0.dist-info"))
    finally:
        index.close()
