"""pycnb/r and pycnb/r-minicran: the R files they read (DESCRIPTION, PACKAGES, renv.lock,
r-packages.txt), repositories and their precedence, version choice, and every failure that
happens before R runs — detect and build as real subprocesses (tests/harness.py)."""
from __future__ import annotations

import base64
import gzip
import http.server
import json
import sys
import threading
from pathlib import Path

import pytest

from libbuild import sbom
from libbuild.errors import UserError
from libbuild.r import dcf, renvlock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "buildpacks" / "r-minicran"))
from pycnb_r_minicran import inputs, installer, repositories  # noqa: E402

# Records as tools::write_PACKAGES writes them (fields, continuation lines), from CRAN's index.
PACKAGES = """Package: R6
Version: 2.6.1
Depends: R (>= 3.6)
Suggests: lobstr, testthat (>= 3.0.0)
License: MIT + file LICENSE
MD5sum: 4b6d39e6ea6ac2f3a9ac1e8c2d8c28ef
NeedsCompilation: no

Package: jsonlite
Version: 2.0.0
Depends: methods
Suggests: httr, vctrs, testthat, knitr, rmarkdown, R.rsp, sf
License: MIT + file LICENSE
NeedsCompilation: yes

Package: plumber
Version: 1.3.0
Depends: R (>= 3.0.0)
Imports: R6 (>= 2.0.0), stringi (>= 0.3.0), jsonlite (>= 0.9.16),
        webutils (>= 1.1), httpuv (>= 1.5.5), crayon, promises (>=
        1.1.0), sodium, swagger (>= 3.33.0), magrittr, mime, lifecycle
        (>= 0.2.0), rlang (>= 1.0.0)
LinkingTo: later
License: MIT + file LICENSE
NeedsCompilation: no
"""

RENV_LOCK = {
    "R": {"Version": "4.5.0", "Repositories": [{"Name": "CRAN", "URL": "https://cloud.r-project.org"}]},
    "Packages": {
        "R6": {"Package": "R6", "Version": "2.5.1", "Source": "Repository", "Repository": "CRAN",
               "Requirements": ["R"], "Hash": "470851b6d5d0ac559e9d01bb352b4021"},
        "jsonlite": {"Package": "jsonlite", "Version": "2.0.0", "Source": "Repository", "Repository": "CRAN",
                     "Requirements": ["methods"], "Hash": "a3f8b41c6b1ef2c1b09ec4aa1f2e4b0f"},
    },
}


# -- DCF, renv.lock, r-packages.txt ----------------------------------------------------

def test_packages_index_records_and_continuations():
    records = dcf.parse(PACKAGES, "PACKAGES")
    assert [r["Package"] for r in records] == ["R6", "jsonlite", "plumber"]
    plumber = records[2]
    assert "webutils (>= 1.1)" in plumber["Imports"] and plumber["Imports"].count("\n") == 3
    assert dcf.package_dependencies(plumber, "PACKAGES") == [
        "R6", "stringi", "jsonlite", "webutils", "httpuv", "crayon", "promises", "sodium", "swagger", "magrittr",
        "mime", "lifecycle", "rlang", "later"]
    # R itself and base packages come with R
    assert dcf.package_dependencies(records[1], "PACKAGES") == []


def test_description_r_constraint():
    text = "Package: myapi\nVersion: 0.1\nDepends: R (>= 4.1.0), methods\nImports: plumber\n"
    record = dcf.parse(text, "DESCRIPTION")[0]
    assert dcf.r_constraint(record, "DESCRIPTION") == ">=4.1.0"
    assert dcf.r_constraint({"Depends": "R6"}, "DESCRIPTION") is None


@pytest.mark.parametrize("text,fragment", [
    ("Package: x\nthis is not a field\n", "line 2 is not a `Field: value` line"),
    ("  leading continuation\n", "line 1"),
])
def test_dcf_errors(text, fragment):
    with pytest.raises(UserError) as exc:
        dcf.parse(text, "DESCRIPTION")
    assert fragment in exc.value.message


def test_dependency_item_error():
    with pytest.raises(UserError) as exc:
        dcf.dependencies("R6, jsonlite >= 1.0", "DESCRIPTION", "Imports")
    assert "'jsonlite >= 1.0'" in exc.value.message


def test_renv_lock():
    lock = renvlock.parse(json.dumps(RENV_LOCK))
    assert lock.r_version == "4.5.0"
    assert [(p.name, p.version) for p in lock.packages] == [("R6", "2.5.1"), ("jsonlite", "2.0.0")]


@pytest.mark.parametrize("data,fragment", [
    ("{not json", "not valid JSON"),
    (json.dumps({"R": {"Version": "four"}}), '"R.Version"'),
    (json.dumps({"Packages": {"x": {"Package": "x", "Version": "1.0"}}}), "not an R package name"),
    (json.dumps({"Packages": {"glue": {"Package": "glue"}}}), "glue has no version"),
])
def test_renv_lock_errors(data, fragment):
    with pytest.raises(UserError) as exc:
        renvlock.parse(data)
    assert fragment in exc.value.message


def test_renv_lock_github_source_refused():
    data = json.dumps({"Packages": {"mypkg": {"Package": "mypkg", "Version": "0.1.0", "Source": "GitHub"}}})
    with pytest.raises(UserError) as exc:
        renvlock.parse(data)
    assert exc.value.code == "r-lock-source" and "mypkg" in exc.value.message


def test_packages_txt():
    text = "# API\nplumber\nR6==2.5.1  # pinned\n\nmethods\njsonlite == 2.0.0\n"
    assert inputs.parse_packages_txt(text) == (inputs.Wanted("plumber"), inputs.Wanted("R6", "2.5.1"),
                                               inputs.Wanted("jsonlite", "2.0.0"))


@pytest.mark.parametrize("text,code", [
    ("plumber\nR6>=2.5\n", "r-packages-invalid"),
    ("1abc\n", "r-packages-invalid"),
    ("R6==2.5.1\nR6==2.6.1\n", "r-packages-invalid"),
    ("# nothing\n", "r-packages-empty"),
])
def test_packages_txt_errors(text, code):
    with pytest.raises(UserError) as exc:
        inputs.parse_packages_txt(text)
    assert exc.value.code == code


def test_request_digest_follows_versions():
    a = inputs.Request("r-packages.txt", (inputs.Wanted("R6", "2.5.1"),))
    b = inputs.Request("r-packages.txt", (inputs.Wanted("R6", "2.6.1"),))
    assert a.digest() != b.digest() and a.digest() == inputs.Request(a.origin, a.packages).digest()


# -- SBOM and install results ------------------------------------------------------------

def test_sbom_from_installed_descriptions(tmp_path):
    for name, version, lic in (("R6", "2.6.1", "MIT + file LICENSE"), ("stringi", "1.8.7", "file LICENSE"),
                               ("httpuv", "1.6.16", "GPL (>= 2) | file LICENSE")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "DESCRIPTION").write_text(
            f"Package: {name}\nType: Package\nVersion: {version}\nLicense: {lic}\nBuilt: R 4.5.0; ; 2026-11-22; unix\n")
    comps = sbom.r_packages(tmp_path)
    assert [(c.name, c.version, c.purl) for c in comps] == [
        ("httpuv", "1.6.16", "pkg:cran/httpuv@1.6.16"), ("R6", "2.6.1", "pkg:cran/R6@2.6.1"),
        ("stringi", "1.8.7", "pkg:cran/stringi@1.8.7")]
    assert comps[0].licenses == ("GPL-2.0-or-later",) and comps[1].licenses == ("MIT",)
    doc = sbom.cyclonedx(comps, "r-library")
    assert {c["purl"] for c in doc["components"]} == {c.purl for c in comps}


def test_install_result_names_the_root_failure(tmp_path):
    (tmp_path / "httpuv.out").write_text("* installing *source* package 'httpuv' ...\n"
                                         "uv.h:1:10: fatal error: uv.h: No such file or directory\n"
                                         "compilation terminated.\nERROR: compilation failed for package 'httpuv'\n")
    (tmp_path / "plumber.out").write_text("ERROR: dependency 'httpuv' is not available for package 'plumber'\n")
    outcome = installer.parse_result(f"installed\tR6\t2.6.1\nfailed\tplumber\t{tmp_path}/plumber.out\n"
                                     f"failed\thttpuv\t{tmp_path}/httpuv.out\n")
    assert outcome.installed == {"R6": "2.6.1"}
    with pytest.raises(UserError) as exc:
        installer._explain(outcome, ["http://127.0.0.1/cran"])
    assert exc.value.code == "r-install-failed" and "R package httpuv failed" in exc.value.message
    assert "fatal error: uv.h" in exc.value.message


def test_install_result_missing_dependency():
    outcome = installer.parse_result("missing\tswagger\tplumber\n")
    with pytest.raises(UserError) as exc:
        installer._explain(outcome, ["http://127.0.0.1:8642/cran"])
    assert exc.value.message == "R package swagger (needed by plumber) is not in the repository http://127.0.0.1:8642/cran"


# -- repositories ------------------------------------------------------------------------

def test_urls_and_credentials():
    repos = repositories.parse_urls("https://ci:s3cr%40t@pkgs.example/cran, file:///srv/cran\n", "binding b")
    assert [r.shown for r in repos] == ["https://pkgs.example/cran", "file:///srv/cran"]
    assert "s3cr%40t" in repositories.credentials(repos[0].url) and "s3cr@t" in repositories.credentials(repos[0].url)
    with pytest.raises(UserError) as exc:
        repositories.parse_urls("ftp://x/cran", "BP_R_REPOS")
    assert exc.value.code == "r-repository-invalid"


def _vendor(app: Path, packages: str = PACKAGES, where: str = "minicran", gz: bool = False) -> Path:
    contrib = app / where / "src" / "contrib"
    contrib.mkdir(parents=True)
    if gz:
        (contrib / "PACKAGES.gz").write_bytes(gzip.compress(packages.encode()))
    else:
        (contrib / "PACKAGES").write_text(packages)
    return contrib


# -- pycnb/r ---------------------------------------------------------------------------------

def test_r_detect_always_provides_r(tree):
    run = tree.detect("r")
    assert run.code == 0 and run.plan() == {"provides": [{"name": "r"}]}


def _r_build(tree, **extra):
    # No network here: the mirror setting makes the download fail fast, after the choice is logged.
    tree.set_env("BP_DEPENDENCY_MIRROR", f"file://{tree.root}/nowhere")
    return tree.build("r", [("r", {"build": True, "launch": True})], **extra)


@pytest.mark.parametrize("files,setting,expected", [
    ({}, None, "using the default '4.5.0' from buildpack.toml"),
    ({"renv.lock": json.dumps(RENV_LOCK)}, None, "Using version '4.5' from renv.lock"),
    ({"DESCRIPTION": "Package: a\nVersion: 1\nDepends: R (>= 4.1.0)\n"}, None, "Using version '>=4.1.0' from DESCRIPTION"),
    ({"renv.lock": json.dumps(RENV_LOCK)}, "4.5.0", "Using version '4.5.0' from BP_R_VERSION"),
])
def test_r_version_sources(tree, files, setting, expected):
    for name, text in files.items():
        tree.write(name, text)
    if setting:
        tree.set_env("BP_R_VERSION", setting)
    run = _r_build(tree)
    assert expected in run.output
    assert "Selected R 4.5.0 (source, from buildpack.toml)" in run.output
    assert run.code == 1 and "could not download R 4.5.0" in run.output and "Traceback" not in run.output
    assert not (run.layers / "r.toml").exists()  # nothing half-built looks complete


def test_r_unknown_version_lists_the_available(tree):
    tree.set_env("BP_R_VERSION", "3.6")
    run = _r_build(tree)
    assert run.code == 1 and "no R version matching '3.6' (requested by BP_R_VERSION)" in run.output
    assert "available versions: 4.5.0" in run.output
    tree.set_env("BP_R_VERSION", "latest; rm -rf /")
    assert "is not a version constraint" in _r_build(tree).output


def test_r_prebuilt_only_for_its_target(tree):
    catalog = tree.root / "r.toml"
    catalog.write_text(
        '[[dependencies]]\nid = "r"\nname = "R"\nversion = "4.5.0"\n'
        f'uri = "file://{tree.root}/r_4.5.0_linux_amd64_debian_12.tgz"\n'
        'checksum = "sha256:' + "0" * 64 + '"\nstrip-components = 0\nlicenses = ["GPL-2.0-or-later"]\n'
        '[[dependencies.targets]]\nos = "linux"\narch = "amd64"\n'
        '[[dependencies.targets.distros]]\nname = "debian"\nversion = "12"\n')
    tree.set_env("BP_DEPENDENCY_CATALOG", str(catalog))
    run = _r_build(tree)
    assert "Selected R 4.5.0 (prebuilt, from BP_DEPENDENCY_CATALOG" in run.output
    trixie = _r_build(tree, CNB_TARGET_DISTRO_VERSION="13")
    assert "Selected R 4.5.0 (source, from buildpack.toml)" in trixie.output


def test_r_source_catalog_is_cran():
    from libbuild import tomlfile
    deps = tomlfile.read(Path(__file__).resolve().parent.parent / "buildpacks/r/buildpack.toml")["metadata"]["dependencies"]
    assert {(d["id"], d["version"], d["uri"], d["checksum"]) for d in deps} == {
        ("r-source", "4.5.0", "https://cran.r-project.org/src/base/R-4/R-4.5.0.tar.gz",
         "sha256:3b33ea113e0d1ddc9793874d5949cec2c7386f66e4abfb1cef9aec22846c3ce1")}


# -- pycnb/r-minicran ------------------------------------------------------------------------

@pytest.mark.parametrize("name,text", [("r-packages.txt", "plumber\n"), ("renv.lock", json.dumps(RENV_LOCK)),
                                       ("DESCRIPTION", "Package: a\nVersion: 1\nImports: plumber\n")])
def test_minicran_detect(tree, name, text):
    assert tree.detect("r-minicran").code == 100
    tree.write(name, text)
    run = tree.detect("r-minicran")
    assert run.code == 0, run.output
    plan = run.plan()
    assert len(plan["requires"][0]["metadata"].pop("build-inputs")) == 64
    assert plan == {"provides": [{"name": "r-packages"}],
                    "requires": [{"name": "r", "metadata": {"build": True, "launch": True}},
                                 {"name": "r-packages", "metadata": {"launch": True}}]}


def _minicran(tree, **extra):
    return tree.build("r-minicran", [("r-packages", {"launch": True})], **extra)


def test_minicran_package_missing_from_vendored_repository(tree):
    _vendor(tree.app)
    tree.write("r-packages.txt", "plumber\nshiny\n")
    run = _minicran(tree)
    assert run.code == 1 and "Traceback" not in run.output
    assert f"ERROR: R package shiny is not in the repository {(tree.app / 'minicran').resolve().as_uri()}" in run.output
    assert run.output.count("ERROR:") == 1
    assert not (run.layers / "r-library.toml").exists()


def test_minicran_lock_version_from_archive_or_error(tree):
    contrib = _vendor(tree.app, where="vendor/r", gz=True)
    tree.write("renv.lock", json.dumps(RENV_LOCK))
    run = _minicran(tree)
    assert "R package R6 2.5.1 is not available from" in run.output
    assert "it has R6 2.6.1 and no 2.5.1 in src/contrib/Archive/R6/" in run.output
    (contrib / "Archive" / "R6").mkdir(parents=True)
    (contrib / "Archive" / "R6" / "R6_2.5.1.tar.gz").write_bytes(b"")
    run = _minicran(tree)
    # past the repository checks (what follows needs R, which a unit-test machine may not have)
    assert "2 packages from renv.lock (2 at exact versions)" in run.output
    assert "3 packages in the index" in run.output and "is not available from" not in run.output


def test_minicran_without_repository(tree):
    tree.write("r-packages.txt", "plumber\n")
    run = _minicran(tree)
    assert run.code == 1 and "no R package repository is configured" in run.output
    assert "BP_R_REPOS" in run.output


def test_minicran_vendored_link_leaving_the_app(tree, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.tar.gz").write_text("x")
    contrib = _vendor(tree.app)
    (contrib / "R6_2.6.1.tar.gz").symlink_to(outside / "secret.tar.gz")
    tree.write("r-packages.txt", "R6\n")
    run = _minicran(tree)
    assert run.code == 1 and "outside the app directory" in run.output


class _Repo(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    auth = ""

    def do_GET(self):
        self._answer(True)

    def do_HEAD(self):
        self._answer(False)

    def _answer(self, body: bool):
        if self.headers.get("Authorization") != "Basic " + base64.b64encode(self.auth.encode()).decode():
            self.send_response(401)
            self.end_headers()
            return
        data = self.files.get(self.path)
        self.send_response(200 if data is not None else 404)
        self.end_headers()
        if body and data is not None:
            self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def private_repo():
    _Repo.files = {"/cran/src/contrib/PACKAGES": PACKAGES.encode()}
    _Repo.auth = "ci-user:Pa55-w0rd-xyz"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Repo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_minicran_binding_with_credentials(tree, private_repo):
    tree.binding("corp-cran", "cran", {"repos": f"http://ci-user:Pa55-w0rd-xyz@{private_repo}/cran\n"})
    tree.set_env("BP_R_REPOS", "http://127.0.0.1:9/ignored")  # the binding wins
    tree.write("r-packages.txt", "plumber\nnot.there\n")
    run = _minicran(tree)
    assert f"Repositories from the cran binding (corp-cran): http://{private_repo}/cran" in run.output
    assert f"ERROR: R package not.there is not in the repository http://{private_repo}/cran" in run.output
    assert "Pa55-w0rd-xyz" not in run.output and "ignored" not in run.output


def test_minicran_refused_credentials(tree, private_repo):
    tree.set_env("BP_R_REPOS", f"http://ci-user:wrong-password@{private_repo}/cran")
    tree.write("r-packages.txt", "plumber\n")
    run = _minicran(tree)
    assert run.code == 1 and "HTTP 401: the credentials are missing or refused" in run.output
    assert "wrong-password" not in run.output


def test_minicran_vendored_beats_binding(tree, private_repo):
    _vendor(tree.app)
    tree.binding("corp-cran", "cran", {"repos": f"http://ci-user:Pa55-w0rd-xyz@{private_repo}/cran"})
    tree.write("DESCRIPTION", "Package: api\nVersion: 0.1\nImports: R6, nothere\n")
    run = _minicran(tree)
    assert "the repository vendored in minicran/ (offline)" in run.output
    assert "R package nothere is not in the repository file://" in run.output
