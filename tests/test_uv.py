"""uv, uv-install, pip-install with BP_PIP_INSTALLER=uv, and the package-manager rule.

uv is the real binary from the wheel the uv catalog names (fetched by tools/fetch-uv.py);
locks are made with it at test time against loopback indexes of tiny wheels.
"""
import functools
import hashlib
import http.server
import os
import shutil
import subprocess
import threading
import urllib.parse
from pathlib import Path

import pytest

from libbuild import tomlfile
from wheels import Index, make_wheel

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("PYCNB_CACHE", Path.home() / ".cache" / "pycnb"))
CATALOG = tomlfile.read(REPO / "buildpacks" / "uv" / "buildpack.toml")["metadata"]
DEFAULT = CATALOG["default-versions"]["uv"]
LAUNCH = {"launch": True}


def default_entry() -> dict:
    return next(d for d in CATALOG["dependencies"] if d["version"] == DEFAULT
                and any(t["arch"] == "amd64" for t in d["targets"]))


@pytest.fixture(scope="module")
def uv_wheel() -> Path:
    dep = default_entry()
    sha = dep["checksum"].split(":", 1)[1]
    wheel = CACHE / "uv" / sha / Path(urllib.parse.urlparse(dep["uri"]).path).name
    assert wheel.is_file(), f"{wheel} missing: run `make test-unit` (tools/fetch-uv.py fetches it)"
    return wheel


def map_uv(tree, wheel: Path) -> None:
    """A dependency-mapping binding: the catalog's checksum -> the cached wheel."""
    sha = default_entry()["checksum"].split(":", 1)[1]
    tree.binding("uv-offline", "dependency-mapping", {sha: wheel.as_uri()})


@pytest.fixture(scope="module")
def uv_build(uv_wheel, tmp_path_factory):
    """The uv buildpack, run once for the module."""
    from harness import CNBTree
    tree = CNBTree(tmp_path_factory.mktemp("uv-bp"))
    map_uv(tree, uv_wheel)
    run = tree.build("uv", [("uv", {"build": True})])
    assert run.code == 0, run.output
    return run


@pytest.fixture(scope="module")
def uv_bin(uv_build) -> Path:
    return uv_build.layers / "uv" / "bin" / "uv"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    wheels = tmp_path_factory.mktemp("uv-index")
    make_wheel(wheels, "alpha", "1.0.0", requires=("beta>=2",))
    make_wheel(wheels, "beta", "2.1.0")
    make_wheel(wheels, "beta", "1.0.0")
    make_wheel(wheels, "gamma", "0.3.0")
    make_wheel(wheels, "devtool", "1.0.0")
    idx = Index(wheels)
    idx.dir = wheels
    yield idx
    idx.close()


@pytest.fixture
def with_uv(tree, uv_build):
    tree.earlier.append(uv_build.layers / "uv")
    return uv_build


def project(tree, deps=('alpha',), requires=">=3.9", extra=""):
    listed = ", ".join(f'"{d}"' for d in deps)
    tree.write("pyproject.toml", f'[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = "{requires}"\n'
                                 f'dependencies = [{listed}]\n\n[dependency-groups]\ndev = ["devtool"]\n{extra}')


def lock(tree, uv_bin, index, *extra):
    env = {**os.environ, "UV_DEFAULT_INDEX": index.url(), "UV_CACHE_DIR": str(tree.root / "uv-host-cache"),
           "UV_PYTHON_DOWNLOADS": "never"}
    proc = subprocess.run([str(uv_bin), "lock", "--python", "python3", *extra], cwd=tree.app, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout


def installed(run) -> list[str]:
    site = next((run.layers / "packages" / "lib").glob("python3.*/site-packages"))
    return sorted(p.name for p in site.glob("*.dist-info"))


# -- pycnb/uv -------------------------------------------------------------------

def test_uv_layer_holds_the_checksummed_binary_and_is_reused(uv_build, uv_bin):
    assert uv_build.layer_toml("uv")["types"] == {"build": True, "launch": False, "cache": True}
    assert uv_build.layer_toml("uv")["metadata"]["version"] == DEFAULT
    assert "Using " in uv_build.output and "dependency-mapping binding" in uv_build.output
    version = subprocess.run([str(uv_bin), "--version"], stdout=subprocess.PIPE, text=True, check=True).stdout
    assert version.split()[:2] == ["uv", DEFAULT]
    assert sorted(p.name for p in uv_bin.parent.iterdir()) == ["uv"]  # nothing else on PATH
    tree = uv_build.tree
    tree.restore("uv")
    again = tree.build("uv", [("uv", {"build": True})])
    assert again.code == 0 and "Reusing layer 'uv'" in again.output and "Installing uv" not in again.output


def test_uv_is_fetched_through_the_dependency_mirror(tree, uv_wheel):
    """BP_DEPENDENCY_MIRROR with {originalHost}: the wheel is served from a loopback mirror."""
    dep = default_entry()
    parsed = urllib.parse.urlparse(dep["uri"])
    root = tree.root / "mirror"
    dest = root / parsed.netloc / parsed.path.lstrip("/")
    dest.parent.mkdir(parents=True)
    shutil.copyfile(uv_wheel, dest)
    seen = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, fmt, *args):
            seen.append(self.path)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        tree.set_env("BP_DEPENDENCY_MIRROR", f"http://127.0.0.1:{httpd.server_address[1]}/{{originalHost}}")
        run = tree.build("uv", [("uv", {"build": True})])
    finally:
        httpd.shutdown()
    assert run.code == 0, run.output
    assert seen == ["/" + parsed.netloc + parsed.path]
    assert (run.layers / "uv" / "bin" / "uv").is_file()


def test_uv_version_not_in_catalog_fails_with_the_versions_offered(tree):
    tree.set_env("BP_UV_VERSION", "0.0.1")
    run = tree.build("uv", [("uv", {"build": True})])
    assert run.code == 1 and "Traceback" not in run.output
    assert "no uv version matching '0.0.1' (requested by BP_UV_VERSION)" in run.output
    assert DEFAULT in run.output


def test_uv_checksum_mismatch_is_refused(tree, tmp_path):
    fake = tmp_path / "fake.whl"
    fake.write_bytes(b"not uv")
    sha = default_entry()["checksum"].split(":", 1)[1]
    tree.binding("uv-bad", "dependency-mapping", {sha: fake.as_uri()})
    run = tree.build("uv", [("uv", {"build": True})])
    assert run.code == 1 and "catalog expects" in run.output and "Traceback" not in run.output
    assert not (run.layers / "uv.toml").exists()


# -- the package-manager rule -------------------------------------------------------

def test_one_manager_passes_and_the_others_opt_out(tree):
    tree.write("uv.lock", "version = 1\n")
    tree.write("pyproject.toml", '[project]\nname = "app"\nversion = "0"\nrequires-python = ">=3.10"\n')
    tree.write("requirements.txt", "flask\n")  # an export beside the lock: conventional
    run = tree.detect("uv-install")
    assert run.code == 0, run.output
    requires = run.plan()["requires"]
    inputs = requires[0]["metadata"].pop("build-inputs")  # uv.lock, pyproject.toml, settings
    assert len(inputs) == 64 and requires[1]["metadata"].pop("build-inputs") == inputs
    assert requires == [
        {"name": "cpython", "metadata": {"build": True, "version": ">=3.10", "version-source": "pyproject.toml"}},
        {"name": "uv", "metadata": {"build": True}}]
    tree.write(".python-version", "3.11\n")
    assert tree.detect("uv-install").plan()["requires"][0]["metadata"]["version-source"] == ".python-version"
    pip = tree.detect("pip-install")
    assert pip.code == 100 and "the package manager is uv" in pip.output
    assert tree.detect("python-start").code == 0


def test_locks_of_two_managers_fail_once_with_the_files_and_the_setting(tree):
    for name in ("requirements.txt", "poetry.lock", "uv.lock", "pyproject.toml"):
        tree.write(name, "")
    tree.write("Pipfile", "")
    uv = tree.detect("uv-install")
    assert uv.code == 1 and "Traceback" not in uv.output
    assert ("ERROR: the app has the files of more than one package manager: uv.lock, poetry.lock, Pipfile, "
            "requirements.txt") in uv.output
    assert "BP_PYTHON_PACKAGE_MANAGER=pip|pipenv|poetry|uv|conda" in uv.output
    assert tree.detect("pipenv-install").code == 1  # an involved manager reports it too
    # Not involved (pip's file is conventional): opt out, so the message is not repeated by every group.
    assert tree.detect("pip-install").code == 100
    assert tree.detect("python-start").code == 100  # no fall-through to a build without packages

    tree.set_env("BP_PYTHON_PACKAGE_MANAGER", "pipenv")
    assert tree.detect("uv-install").code == 100
    assert tree.detect("pipenv-install").code == 0
    assert tree.detect("python-start").code == 0


def test_chosen_manager_needs_its_files(tree):
    tree.write("requirements.txt", "six\n")
    tree.set_env("BP_PYTHON_PACKAGE_MANAGER", "uv")
    run = tree.detect("uv-install")
    assert run.code == 100  # no uv.lock: uv-install is not a candidate at all
    pip = tree.detect("pip-install")
    assert pip.code == 100 and "BP_PYTHON_PACKAGE_MANAGER=uv, but the app has none of uv.lock" in pip.output
    tree.set_env("BP_PYTHON_PACKAGE_MANAGER", "npm")
    bad = tree.detect("pip-install")
    assert bad.code == 1 and "BP_PYTHON_PACKAGE_MANAGER='npm' is not valid" in bad.output


# -- pycnb/uv-install ---------------------------------------------------------------

def test_installs_the_locked_main_dependencies_and_reuses(tree, index, with_uv, uv_bin):
    project(tree)
    lock(tree, uv_bin, index)
    requests = index.requests
    run = tree.build("uv-install", [("site-packages", LAUNCH)])
    assert run.code == 0, run.output
    assert "uv.lock is up to date with pyproject.toml" in run.output
    assert "Package manager: uv (found uv.lock)" in run.output
    assert installed(run) == ["alpha-1.0.0.dist-info", "beta-2.1.0.dist-info"]  # no dev group, no virtual project
    assert index.requests > requests
    assert list((run.layers / "packages").rglob("alpha/__pycache__/*.pyc"))  # bytecode compiled
    assert [c["name"] for c in run.sbom("packages", "cdx")["components"]] == ["alpha", "beta"]
    # uv.lock and pyproject.toml are the build inputs: launch-only, reused by metadata
    assert run.layer_toml("packages")["types"] == {"build": False, "launch": True, "cache": False}
    assert run.layer_toml("packages")["metadata"]["build-inputs"]
    assert run.env_files("packages") == {"env/VIRTUAL_ENV.default": str(run.layers / "packages")}
    tree.restore("uv-install")
    again = tree.build("uv-install", [("site-packages", LAUNCH)])
    assert again.code == 0, again.output
    assert "Reusing layer 'packages'" in again.output and "Installing locked packages" not in again.output

    project(tree, deps=("alpha", "gamma"))
    lock(tree, uv_bin, index)
    tree.restore("uv-install")
    changed = tree.build("uv-install", [("site-packages", LAUNCH)])
    assert changed.code == 0, changed.output
    assert "Rebuilding layer 'packages' since: build-inputs changed" in changed.output
    assert "lock changed" in changed.output
    assert installed(changed) == ["alpha-1.0.0.dist-info", "beta-2.1.0.dist-info", "gamma-0.3.0.dist-info"]


def test_project_with_a_build_system_is_installed_unless_package_false(tree, index, with_uv, uv_bin):
    project(tree, deps=("gamma",), extra='\n[build-system]\nrequires = []\nbuild-backend = "backend"\n'
                                          'backend-path = ["."]\n')
    tree.write("backend.py", BACKEND)
    lock(tree, uv_bin, index)
    run = tree.build("uv-install", [("site-packages", LAUNCH)])
    assert run.code == 0, run.output
    assert installed(run) == ["app-0.1.0.dist-info", "gamma-0.3.0.dist-info"]
    tree.write("pyproject.toml", tree.app.joinpath("pyproject.toml").read_text() + "\n[tool.uv]\npackage = false\n")
    lock(tree, uv_bin, index)
    tree.restore("uv-install")
    run = tree.build("uv-install", [("site-packages", LAUNCH)])
    assert run.code == 0, run.output
    assert installed(run) == ["gamma-0.3.0.dist-info"]


# A PEP 517 in-tree backend with no dependencies: builds the project's (editable) wheel offline.
BACKEND = '''
import base64, hashlib, os, zipfile

def _wheel(directory, files):
    name = "app-0.1.0-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(directory, name), "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
            digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(text.encode())}")
        record.append("app-0.1.0.dist-info/RECORD,,")
        zf.writestr("app-0.1.0.dist-info/RECORD", "\\n".join(record) + "\\n")
    return name

def _meta():
    return {"app-0.1.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: app\\nVersion: 0.1.0\\nRequires-Dist: gamma\\n",
            "app-0.1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: t\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}

def build_wheel(directory, config_settings=None, metadata_directory=None):
    return _wheel(directory, {"app_module.py": "X = 1\\n", **_meta()})

def build_editable(directory, config_settings=None, metadata_directory=None):
    return _wheel(directory, {"app.pth": os.getcwd() + "\\n", **_meta()})

def build_sdist(directory, config_settings=None):
    raise NotImplementedError
'''


def test_stale_lock_fails_with_one_message(tree, index, with_uv, uv_bin):
    project(tree)
    lock(tree, uv_bin, index)
    project(tree, deps=("alpha", "gamma"))
    run = tree.build("uv-install", [("site-packages", LAUNCH)])
    assert run.code == 1 and "Traceback" not in run.output
    assert "ERROR: uv.lock is out of date with pyproject.toml" in run.output
    assert "Run `uv lock`" in run.output
    assert not (run.layers / "packages.toml").exists()


def test_python_version_outside_requires_python_fails(tree, index, with_uv, uv_bin):
    project(tree, requires=">=3.9")
    lock(tree, uv_bin, index)
    tree.write(".python-version", "3.8\n")
    run = tree.build("uv-install", [("site-packages", LAUNCH)])
    assert run.code == 1 and "Traceback" not in run.output
    assert "ERROR: .python-version asks for Python 3.8, which is outside requires-python '>=3.9'" in run.output


def test_platform_index_is_used_instead_of_the_lock_sources(tree, index, with_uv, uv_bin):
    project(tree)
    lock(tree, uv_bin, index)
    mirror = Index(index.dir)
    try:
        tree.set_env("PIP_INDEX_URL", mirror.url())
        before = index.requests
        run = tree.build("uv-install", [("site-packages", LAUNCH)])
    finally:
        mirror.close()
    assert run.code == 0, run.output
    assert f"installing with uv {DEFAULT} from the index {mirror.url()}" in run.output
    assert index.requests == before and mirror.requests > 0
    assert installed(run) == ["alpha-1.0.0.dist-info", "beta-2.1.0.dist-info"]


def test_vendored_wheelhouse_is_installed_with_no_index(tree, index, with_uv, uv_bin):
    project(tree)
    lock(tree, uv_bin, index)
    (tree.app / "wheelhouse").mkdir()
    for whl in index.dir.glob("*.whl"):
        shutil.copy(whl, tree.app / "wheelhouse")
    before = index.requests
    run = tree.build("uv-install", [("site-packages", LAUNCH)])
    assert run.code == 0, run.output
    assert "the vendored wheelhouse wheelhouse/" in run.output
    assert index.requests == before
    assert installed(run) == ["alpha-1.0.0.dist-info", "beta-2.1.0.dist-info"]


# -- pip-install with BP_PIP_INSTALLER=uv ----------------------------------------------

def test_pip_install_requires_uv_only_when_asked(tree):
    tree.write("requirements.txt", "alpha\n")
    assert [r["name"] for r in tree.detect("pip-install").plan()["requires"]] == ["cpython", "pip"]
    tree.set_env("BP_PIP_INSTALLER", "uv")
    assert [r["name"] for r in tree.detect("pip-install").plan()["requires"]] == ["cpython", "pip", "uv"]


def test_pip_install_with_uv_honours_index_and_prohibited_packages(tree, index, with_uv):
    tree.write("requirements.txt", "alpha==1.0.0\ngamma\n")
    tree.set_env("BP_PIP_INSTALLER", "uv")
    tree.set_env("PIP_INDEX_URL", index.url())
    tree.set_env("BP_PIP_PROHIBITED_PACKAGES", "gamma")
    run = tree.build("pip-install", [("site-packages", LAUNCH)])
    assert run.code == 0, run.output
    assert "Installing requirements with uv" in run.output
    assert "Dropping 'gamma'" in run.output
    assert installed(run) == ["alpha-1.0.0.dist-info", "beta-2.1.0.dist-info"]
    assert run.layer_toml("packages")["metadata"]["installer"] == f"uv {DEFAULT}"
    assert list((run.layers / "packages").rglob("alpha/__pycache__/*.pyc"))
    assert (run.layers / "uv-cache.toml").exists() and not (run.layers / "pip-cache.toml").exists()
    tree.restore("pip-install")
    again = tree.build("pip-install", [("site-packages", LAUNCH)])
    assert again.code == 0 and "Reusing layer 'packages'" in again.output


def test_pip_install_with_uv_names_a_missing_package(tree, index, with_uv):
    tree.write("requirements.txt", "nosuchthing==1.0\n")
    tree.set_env("BP_PIP_INSTALLER", "uv")
    tree.set_env("PIP_INDEX_URL", index.url())
    run = tree.build("pip-install", [("site-packages", LAUNCH)])
    assert run.code == 1 and "Traceback" not in run.output
    assert "found no distribution matching 'nosuchthing'" in run.output


def test_pip_install_rejects_an_unknown_installer(tree):
    tree.write("requirements.txt", "alpha\n")
    tree.set_env("BP_PIP_INSTALLER", "conda")
    run = tree.build("pip-install", [("site-packages", LAUNCH)])
    assert run.code == 1 and "BP_PIP_INSTALLER='conda' is not valid: expected pip or uv" in run.output


def test_pip_install_with_uv_reads_a_private_index_from_the_pip_binding_and_keeps_secrets_out(tree, index, with_uv):
    user, password = "deploy-uv", "pw-uv-3b1f5c2e9d"
    private = Index(index.dir, user, password)
    try:
        tree.binding("corp-pip", "pip", {"pip.conf": f"[global]\nindex-url = {private.url(user, password)}\ntimeout = 30\n"})
        tree.write("requirements.txt", "alpha==1.0.0\n")
        tree.set_env("BP_PIP_INSTALLER", "uv")
        run = tree.build("pip-install", [("site-packages", LAUNCH)])
    finally:
        private.close()
    assert run.code == 0, run.output
    assert private.requests > 0 and installed(run) == ["alpha-1.0.0.dist-info", "beta-2.1.0.dist-info"]
    assert password not in run.output
    for path in run.layers.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert password.encode() not in path.read_bytes(), path
