"""R apps end to end: R from the mirror's prebuilt, packages from the mirror's miniCRAN
repositories (the binary one for speed, the source one where compiling is the point), a
vendored repository with no network, an renv.lock pin from Archive/, reuse, a missing package,
and a `cran` binding whose credentials never reach the log or the image."""
from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import re
import secrets
import shutil
import subprocess
import threading
from pathlib import Path

from conftest import MIRROR, _run, app, launcher_run, pack_build


BINARY_REPO_DIR = MIRROR / "cran-bin" / "4.5" / "debian-12"
SOURCE_REPO_DIR = MIRROR / "cran"


def binary_repo(mirror_env) -> str:
    """The binary repository (contract item 6), served by the mirror beside the source one."""
    assert (BINARY_REPO_DIR / "src" / "contrib" / "PACKAGES").is_file(), f"{BINARY_REPO_DIR} missing: run `make mirror`"
    return mirror_env["BP_R_REPOS"].rstrip("/").rsplit("/", 1)[0] + "/cran-bin/4.5/debian-12"


def serve_and_get(image: str, path: str, timeout: float = 90) -> dict:
    """conftest's serve_and_get with a port plumber accepts: httpuv and plumber refuse ports outside
    1024-49151, where the kernel's ephemeral ports (free_port()) mostly lie."""
    import socket
    import time
    import urllib.request
    for port in range(20000 + secrets.randbelow(9000), 30000):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                break
    cid = _run(["docker", "run", "-d", "--network", "host", "-e", f"PORT={port}", image]).stdout.strip()
    try:
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
                    return json.loads(resp.read().decode())
            except OSError as exc:
                last = exc
                time.sleep(0.5)
        raise AssertionError(f"no HTTP answer on port {port} ({last}); logs:\n{_run(['docker', 'logs', cid]).stdout}")
    finally:
        _run(["docker", "rm", "-f", cid])


def repo_versions(repo_dir: Path) -> dict[str, str]:
    """package -> version of a repository's PACKAGES."""
    text = (repo_dir / "src" / "contrib" / "PACKAGES").read_text()
    return dict(re.findall(r"^Package: (\S+)\nVersion: (\S+)$", text, re.M))


def test_plumber_api_answers_and_rebuild_reuses_everything(tmp_path, images, mirror_env):
    src = app(tmp_path, "r-plumber")
    image = images("r-plumber")
    env = {**mirror_env, "BP_R_REPOS": binary_repo(mirror_env)}
    build = pack_build(image, src, env)
    assert build.code == 0
    assert "Installing R 4.5.0 (prebuilt)" in build.output and "Installing R packages from BP_R_REPOS" in build.output
    doc = serve_and_get(image, "/hello")
    assert doc["message"] == "hello from R" and doc["r"] == "4.5.0"

    # Code-only changes: the package list, settings and R are unchanged, so R stays off the build
    # and both layers are kept by metadata. The first rebuild still restores R, cached by the
    # first build, once; the next restores no layer contents at all (the lifecycle's own lines).
    (src / "api.R").write_text((src / "api.R").read_text() + "\n# code-only change\n")
    again = pack_build(image, src, env)
    assert again.code == 0
    assert "R is not needed at build" in again.output
    assert "Reusing layer 'r'" in again.output and "Reusing layer 'r-library'" in again.output
    assert "Installing R" not in again.output and "Installing" not in again.output.split("pycnb R packages")[-1]
    assert 'Restoring data for "pycnb/r-minicran:r-library"' not in again.output
    (src / "api.R").write_text((src / "api.R").read_text() + "\n# another code-only change\n")
    third = pack_build(image, src, env)
    assert third.code == 0
    assert "R is not needed at build" in third.output and "Reading the repository index" not in third.output
    assert 'Restoring data for "' not in third.output  # no layer's contents (the SBOM line is the analyzer's)
    for layer in ("pycnb/r:r", "pycnb/r-minicran:r-library"):
        assert f'Restoring metadata for "{layer}" from app image' in third.output
        assert f"Reusing layer '{layer}'" in third.output
    assert serve_and_get(image, "/hello")["message"] == "hello from R"
    sbom = tmp_path / "sbom"  # the library's SBOM came back with the previous image's
    got = _run(["pack", "sbom", "download", image, "--output-dir", str(sbom)])
    assert got.returncode == 0, got.stdout
    cdx = json.loads(next(sbom.rglob("pycnb_r-minicran/r-library/sbom.cdx.json")).read_text())
    assert "plumber" in {c["name"] for c in cdx["components"]}


def offline_r(tmp_path: Path) -> tuple[dict[str, str], list[str]]:
    """--network none: the mirror mounted at /mirror, the R catalog read from there, and its
    prebuilt mapped (by checksum) to the mounted file."""
    binding = tmp_path / "offline-r"
    binding.mkdir()
    (binding / "type").write_text("dependency-mapping")
    catalog = (MIRROR / "catalog" / "r.toml").read_text()
    mapped = 0
    for uri, checksum in re.findall(r'^uri = "([^"]+)"\nchecksum = "sha256:([0-9a-f]{64})"', catalog, re.M):
        (binding / checksum).write_text("file:///mirror/" + uri.split("://", 1)[1].split("/", 1)[1])
        mapped += 1
    assert mapped, f"no prebuilt R in the mirror catalog:\n{catalog}"
    return ({"BP_DEPENDENCY_CATALOG": "file:///mirror/catalog/r.toml"},
            [f"{MIRROR}:/mirror:ro", f"{binding}:/platform/bindings/offline-r:ro"])


def test_air_gapped_from_a_vendored_repository(tmp_path, images):
    src = app(tmp_path, "r-plumber")
    # The part of the binary repository the app needs: its index and package files.
    contrib = src / "minicran" / "src" / "contrib"
    shutil.copytree(BINARY_REPO_DIR / "src" / "contrib", contrib,
                    ignore=shutil.ignore_patterns("Archive", "Meta", "*.provenance*"))
    env, volumes = offline_r(tmp_path)
    image = images("r-offline")
    build = pack_build(image, src, env, network="none", volumes=volumes)
    assert build.code == 0
    assert "Repositories from the repository vendored in minicran/ (offline)" in build.output
    assert serve_and_get(image, "/hello")["message"] == "hello from R"


def test_renv_lock_pins_an_older_version_from_the_archive(tmp_path, images, mirror_env):
    """From the source repository: R6 at its archived version (pure R) and magrittr, which has C code
    compiled here."""
    archived = sorted(p.name for p in (SOURCE_REPO_DIR / "src" / "contrib" / "Archive" / "R6").glob("R6_*.tar.gz"))
    assert archived, "the source repository has no archived R6"
    old = archived[0].removeprefix("R6_").removesuffix(".tar.gz")
    current = repo_versions(SOURCE_REPO_DIR)
    assert current["R6"] != old
    src = tmp_path / "renv-app"
    src.mkdir()
    lock = {"R": {"Version": "4.5.0", "Repositories": [{"Name": "CRAN", "URL": "https://cloud.r-project.org"}]},
            "Packages": {name: {"Package": name, "Version": version, "Source": "Repository", "Repository": "CRAN"}
                         for name, version in (("R6", old), ("magrittr", current["magrittr"]))}}
    (src / "renv.lock").write_text(json.dumps(lock, indent=2))
    image = images("r-renv")
    build = pack_build(image, src, mirror_env)
    assert build.code == 0
    assert "2 packages from renv.lock (2 at exact versions)" in build.output
    # magrittr's compiled code is there and runs (its pipe is implemented in C)
    run = launcher_run(image, "--", "Rscript", "-e",
                       'library(magrittr); cat(as.character(packageVersion("R6")), as.character(packageVersion("magrittr")), '
                       'nzchar(system.file("libs", "magrittr.so", package = "magrittr")) && identical(c(1, 4) %>% sum, 5))')
    assert run.returncode == 0, run.stdout
    assert run.stdout.split()[-3:] == [old, current["magrittr"], "TRUE"]


def test_missing_package_fails_with_one_message(tmp_path, images, mirror_env):
    src = tmp_path / "missing"
    src.mkdir()
    (src / "r-packages.txt").write_text("R6\nnot.in.the.repo\n")
    repo = mirror_env["BP_R_REPOS"]
    build = pack_build(images("r-missing"), src, mirror_env)
    assert build.code != 0
    errors = [line for line in build.output.splitlines() if "ERROR:" in line and "not.in.the.repo" in line]
    assert len(errors) == 1 and f"R package not.in.the.repo is not in the repository {repo}" in errors[0]
    assert "Traceback" not in build.output


class _AuthRepo(http.server.SimpleHTTPRequestHandler):
    """A private repository: the mirror's source repository behind HTTP basic authentication."""
    expected = ""
    served: list[str] = []

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") == f"Basic {self.expected}":
            self.served.append(self.path)
            return True
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="cran"')
        self.end_headers()
        return False

    def do_GET(self):
        if self._authorized():
            super().do_GET()

    def do_HEAD(self):
        if self._authorized():
            super().do_HEAD()

    def log_message(self, *args):
        pass


def test_cran_binding_credentials_stay_secret(tmp_path, images, mirror_env):
    user, password = "ci-reader", "pw-" + secrets.token_hex(12)
    _AuthRepo.expected = base64.b64encode(f"{user}:{password}".encode()).decode()
    _AuthRepo.served = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_AuthRepo, directory=str(SOURCE_REPO_DIR)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        binding = tmp_path / "corp-cran"
        binding.mkdir()
        (binding / "type").write_text("cran")
        (binding / "repos").write_text(f"http://{user}:{password}@127.0.0.1:{server.server_address[1]}\n")
        src = tmp_path / "private"
        src.mkdir()
        (src / "r-packages.txt").write_text("R6\n")
        image = images("r-private")
        build = pack_build(image, src, mirror_env, volumes=[f"{binding}:/platform/bindings/corp-cran:ro"])
        assert build.code == 0
        assert "Repositories from the cran binding (corp-cran)" in build.output
        assert any(p.startswith("/src/contrib/R6_") for p in _AuthRepo.served), _AuthRepo.served
        assert password not in build.output
        saved = tmp_path / "image.tar"
        assert subprocess.run(["docker", "save", "-o", str(saved), image]).returncode == 0
        blob = saved.read_bytes()
        assert password.encode() not in blob and f"{user}:".encode() not in blob
        assert launcher_run(image, "--", "Rscript", "-e", "library(R6); cat('ok')").stdout.strip().endswith("ok")
    finally:
        server.shutdown()


def test_python_and_r_in_one_image(tmp_path, images, mirror_env, index):
    """requirements.txt and r-packages.txt: the Python+R group installs both."""
    src = tmp_path / "both"
    src.mkdir()
    (src / "requirements.txt").write_text("six==1.17.0\n")
    (src / "r-packages.txt").write_text("R6\n")
    (src / ".python-version").write_text("3.11.2\n")
    image = images("r-python")
    build = pack_build(image, src, {**mirror_env, "PIP_INDEX_URL": index.url()})
    assert build.code == 0
    assert "pycnb pip install" in build.output and "pycnb R packages from miniCRAN" in build.output
    run = launcher_run(image, "--", "bash", "-c", "python -c 'import six; print(six.__version__)' && "
                                            "Rscript -e 'cat(as.character(packageVersion(\"R6\")))'")
    assert run.returncode == 0, run.stdout
    assert run.stdout.split()[-2:] == ["1.17.0", repo_versions(SOURCE_REPO_DIR)["R6"]]


def _source_package(name: str, files: dict[str, str]) -> bytes:
    """A source package tarball as R CMD build lays it out (<name>/DESCRIPTION, R/, src/)."""
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for rel, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}/{rel}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_compile_failure_quotes_the_compiler(tmp_path, images, mirror_env):
    """A vendored repository with a package whose C code does not compile, and one that imports it:
    one message, naming the package that failed and quoting the compiler's error."""
    src = tmp_path / "broken"
    contrib = src / "minicran" / "src" / "contrib"
    contrib.mkdir(parents=True)
    meta = "Version: 0.1\nTitle: T\nDescription: D.\nLicense: MIT\nAuthor: a\nMaintainer: a <a@example.org>\n"
    (contrib / "brokenc_0.1.tar.gz").write_bytes(_source_package("brokenc", {
        "DESCRIPTION": f"Package: brokenc\n{meta}NeedsCompilation: yes\n", "NAMESPACE": "export(f)\n",
        "R/f.R": "f <- function() 1\n",
        "src/brokenc.c": "int f(void) { return undeclared_here + 1; }\n"}))
    (contrib / "usesit_0.1.tar.gz").write_bytes(_source_package("usesit", {
        "DESCRIPTION": f"Package: usesit\n{meta}Imports: brokenc\n", "NAMESPACE": "export(g)\n",
        "R/g.R": "g <- function() 2\n"}))
    (contrib / "PACKAGES").write_text("Package: brokenc\nVersion: 0.1\nLicense: MIT\nNeedsCompilation: yes\n\n"
                                      "Package: usesit\nVersion: 0.1\nImports: brokenc\nLicense: MIT\n")
    (src / "r-packages.txt").write_text("usesit\n")
    build = pack_build(images("r-broken"), src, mirror_env)
    assert build.code != 0
    errors = [line for line in build.output.splitlines() if "ERROR: R package" in line]
    assert len(errors) == 1 and "R package brokenc failed to install; its last lines:" in errors[0]
    message = build.output.split(errors[0], 1)[1]
    assert "undeclared_here" in message and "error:" in message
    assert "Traceback" not in build.output


# `make test-full` also compiles R from CRAN's source tarball inside pack build (about 7 minutes);
# `make test` uses the mirror's prebuilt. Only test-full sets the variable: an empty
# parametrization would count as skipped.
if os.environ.get("PYCNB_R_SOURCE_COMPILE"):
    def test_full_r_source_compile_inside_pack_build(tmp_path, images, mirror_env):
        src = tmp_path / "r-source"
        src.mkdir()
        (src / "r-packages.txt").write_text("R6\n")
        # No platform catalog: the r-source entry of buildpack.toml, through the mirror.
        env = {"BP_DEPENDENCY_MIRROR": mirror_env["BP_DEPENDENCY_MIRROR"], "BP_R_REPOS": mirror_env["BP_R_REPOS"]}
        image = images("r-source")
        build = pack_build(image, src, env)
        assert build.code == 0, build.output[-3000:]
        assert "Installing R 4.5.0 (source)" in build.output
        run = launcher_run(image, "--", "Rscript", "-e", 'cat(R.version.string, as.character(packageVersion("R6")))')
        assert run.returncode == 0, run.stdout
        assert "R version 4.5.0" in run.stdout
