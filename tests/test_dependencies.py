"""Dependencies: catalog resolution, mirrors, mappings, verified downloads, extra catalogs."""
import hashlib
import http.server
import io
import tarfile
import threading
from pathlib import Path

import pytest

from libbuild import tomlfile
from libbuild.bindings import Binding, discover
from libbuild.dependencies import Catalog, Dependency, DependencyFetcher
from libbuild.descriptors import Distro, Target
from libbuild.errors import UserError
from libbuild.log import Logger

BOOKWORM = Target("linux", "amd64", "", (Distro("debian", "12"),))
JAMMY = Target("linux", "amd64", "", (Distro("ubuntu", "22.04"),))


def entry(version, uri="https://www.python.org/ftp/python/{v}/Python-{v}.tgz", targets=None, checksum=None, **kw):
    d = {"id": "cpython", "version": version, "uri": uri.format(v=version),
         "checksum": checksum or "sha256:" + hashlib.sha256(version.encode()).hexdigest()}
    if targets is not None:
        d["targets"] = targets
    d.update(kw)
    return d


def catalog(entries, environ=None, bindings=()):
    return Catalog.load({"dependencies": entries}, environ or {}, list(bindings), Logger(io.StringIO()))


DEBIAN12 = [{"os": "linux", "arch": "amd64", "distros": [{"name": "debian", "version": "12"}]}]


def test_resolves_highest_matching_version():
    cat = catalog([entry("3.11.2"), entry("3.11.9"), entry("3.12.1"), entry("3.13.5")])
    assert cat.find("cpython", "3.11", BOOKWORM).version == "3.11.9"
    assert cat.find("cpython", ">=3.12,<3.13", BOOKWORM).version == "3.12.1"
    assert cat.find("cpython", "", BOOKWORM).version == "3.13.5"
    assert cat.find("cpython", "2.7", BOOKWORM) is None


def test_target_filters_entries():
    cat = catalog([entry("3.11.2", targets=DEBIAN12), entry("3.11.1")])
    assert cat.find("cpython", "3.11", BOOKWORM).version == "3.11.2"
    assert cat.find("cpython", "3.11", JAMMY).version == "3.11.1"
    assert cat.versions("cpython", JAMMY) == ["3.11.1"]
    assert cat.find("cpython", "3.11", Target("linux", "arm64")).version == "3.11.1"


def test_invalid_constraint_is_a_user_error():
    with pytest.raises(UserError, match="not a version constraint"):
        catalog([entry("3.11.2")]).find("cpython", "three", BOOKWORM, ".python-version")


def test_bad_checksum_format_is_refused():
    with pytest.raises(UserError, match="sha256"):
        catalog([entry("3.11.2", checksum="md5:abc")])


def test_extra_catalog_from_binding_wins_for_same_version(tmp_path):
    b = tmp_path / "bindings" / "builds"
    b.mkdir(parents=True)
    (b / "type").write_text("dependency-catalog")
    tomlfile.write(b / "catalog.toml", {"dependencies": [entry("3.11.2", uri="https://builds.internal/py-{v}.tgz")]})
    cat = catalog([entry("3.11.2")], bindings=discover({}, tmp_path))
    chosen = cat.find("cpython", "3.11", BOOKWORM)
    assert chosen.uri == "https://builds.internal/py-3.11.2.tgz" and chosen.origin.startswith("binding builds")


def test_extra_catalog_from_env_file(tmp_path):
    f = tmp_path / "extra.toml"
    tomlfile.write(f, {"dependencies": [entry("3.14.0")]})
    cat = catalog([entry("3.11.2")], environ={"BP_DEPENDENCY_CATALOG": f"file://{f}"})
    assert cat.versions("cpython", BOOKWORM) == ["3.11.2", "3.14.0"]


def fetcher(environ=None, bindings=(), tmp=None):
    return DependencyFetcher(environ or {}, list(bindings), Logger(io.StringIO()), tmp)


def dep(uri, checksum="sha256:" + "0" * 64):
    return Dependency("cpython", "3.11.2", uri, checksum)


def test_mirror_with_original_host_placeholder():
    f = fetcher({"BP_DEPENDENCY_MIRROR": "http://127.0.0.1:8642/{originalHost}"})
    uri, how = f.effective_uri(dep("https://www.python.org/ftp/python/3.11.2/Python-3.11.2.tgz"))
    assert uri == "http://127.0.0.1:8642/www.python.org/ftp/python/3.11.2/Python-3.11.2.tgz"
    assert how == "BP_DEPENDENCY_MIRROR"


def test_uri_already_on_the_mirror_is_left_alone():
    f = fetcher({"BP_DEPENDENCY_MIRROR": "http://127.0.0.1:8642/{originalHost}"})
    uri = "http://127.0.0.1:8642/prebuilt/cpython.tgz"
    assert f.effective_uri(dep(uri)) == (uri, "catalog")


def test_mirror_prefix_without_placeholder_and_per_host_override():
    env = {"BP_DEPENDENCY_MIRROR": "https://mirror.internal/all/",
           "BP_DEPENDENCY_MIRROR_WWW_PYTHON_ORG": "https://mirror.internal/python"}
    f = fetcher(env)
    assert f.effective_uri(dep("https://www.python.org/ftp/x.tgz"))[0] == "https://mirror.internal/python/ftp/x.tgz"
    assert f.effective_uri(dep("https://other.org/y.tgz"))[0] == "https://mirror.internal/all/y.tgz"


def test_mirror_binding_default_and_host_entries():
    b = [Binding("m", Path("/x"), "dependency-mirror")]
    f = fetcher(bindings=b)
    f.binding_mirrors = {"default": "http://127.0.0.1:1/{originalHost}", "other.org": "http://127.0.0.1:2"}
    assert f.effective_uri(dep("https://www.python.org/a.tgz"))[0] == "http://127.0.0.1:1/www.python.org/a.tgz"
    assert f.effective_uri(dep("https://other.org/b.tgz"))[0] == "http://127.0.0.1:2/b.tgz"


def test_mapping_binding_rewrites_by_checksum(tmp_path):
    checksum = "ab" * 32
    root = tmp_path / "bindings" / "map"
    root.mkdir(parents=True)
    (root / "type").write_text("dependency-mapping")
    (root / checksum).write_text("file:///srv/python.tgz\n")
    (tmp_path / "bindings" / "mirror").mkdir()
    (tmp_path / "bindings" / "mirror" / "type").write_text("dependency-mirror")
    (tmp_path / "bindings" / "mirror" / "default").write_text("http://127.0.0.1:9/{originalHost}")
    f = fetcher({"BP_DEPENDENCY_MIRROR": "http://127.0.0.1:8/"}, discover({}, tmp_path))
    assert f.effective_uri(dep("https://www.python.org/a.tgz", "sha256:" + checksum)) == (
        "file:///srv/python.tgz", "dependency-mapping binding")
    assert f.effective_uri(dep("https://www.python.org/a.tgz"))[1] == "BP_DEPENDENCY_MIRROR"


def make_tgz(path, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


class Server:
    """A loopback HTTP server serving one directory, failing the first `fail` requests with 503."""

    def __init__(self, root, fail=0):
        self.hits = 0
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(root), **kw)

            def do_GET(self):
                outer.hits += 1
                if outer.hits <= fail:
                    self.send_error(503)
                    return
                super().do_GET()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "srv" / "www.python.org" / "ftp"
    root.mkdir(parents=True)
    checksum = make_tgz(root / "py.tgz", {"py/bin/python3": b"#!/bin/sh\n", "py/README": b"hi"})
    servers = []

    def start(fail=0):
        s = Server(tmp_path / "srv", fail)
        servers.append(s)
        return s
    yield start, checksum
    for s in servers:
        s.close()


def test_download_through_mirror_verifies_extracts_and_caches(tmp_path, served):
    start, checksum = served
    server = start()
    d = dep("https://www.python.org/ftp/py.tgz", checksum)
    d = Dependency(d.id, d.version, d.uri, checksum, strip_components=1)
    f = fetcher({"BP_DEPENDENCY_MIRROR": server.url + "/{originalHost}"}, tmp=tmp_path / "cache")
    f.install(d, tmp_path / "layer")
    assert (tmp_path / "layer" / "bin" / "python3").read_bytes() == b"#!/bin/sh\n"
    f.fetch(d)
    assert server.hits == 1  # the second fetch came from the checksum-keyed cache


def test_transient_server_errors_are_retried(tmp_path, served, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    start, checksum = served
    server = start(fail=2)
    f = fetcher({"BP_DEPENDENCY_MIRROR": server.url + "/{originalHost}"}, tmp=tmp_path / "cache")
    assert f.fetch(dep("https://www.python.org/ftp/py.tgz", checksum)).is_file()
    assert server.hits == 3


def test_checksum_mismatch_is_refused_and_leaves_nothing(tmp_path, served):
    start, _ = served
    server = start()
    f = fetcher({"BP_DEPENDENCY_MIRROR": server.url + "/{originalHost}"}, tmp=tmp_path / "cache")
    layer = tmp_path / "layer"
    layer.mkdir()
    with pytest.raises(UserError, match="checksum") as exc:
        f.install(dep("https://www.python.org/ftp/py.tgz", "sha256:" + "1" * 64), layer)
    assert "1" * 64 in exc.value.message
    assert list(layer.iterdir()) == []
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]  # no partial download kept


def test_unreachable_server_is_a_user_error(tmp_path, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    f = fetcher({"BP_DEPENDENCY_MIRROR": "http://user:hunter22@127.0.0.1:9/{originalHost}"}, tmp=tmp_path)
    with pytest.raises(UserError) as exc:
        f.fetch(dep("https://www.python.org/ftp/py.tgz"))
    assert exc.value.code == "download-failed"
    assert "hunter22" not in exc.value.message


def test_not_found_is_not_retried(tmp_path, served):
    start, checksum = served
    server = start()
    f = fetcher({"BP_DEPENDENCY_MIRROR": server.url + "/{originalHost}"}, tmp=tmp_path / "cache")
    with pytest.raises(UserError, match="HTTP 404"):
        f.fetch(dep("https://www.python.org/ftp/missing.tgz", checksum))
    assert server.hits == 1


def test_file_uri_is_verified_in_place(tmp_path):
    archive = tmp_path / "py.tgz"
    checksum = make_tgz(archive, {"x": b"1"})
    f = fetcher(tmp=tmp_path / "cache")
    assert f.fetch(dep(f"file://{archive}", checksum)) == archive
    with pytest.raises(UserError, match="checksum"):
        f.fetch(dep(f"file://{archive}", "sha256:" + "2" * 64))


def test_deprecation_and_sbom_component():
    d = Dependency.from_dict(entry("3.8.0", deprecation_date="2024-10-07T00:00:00Z", purl="pkg:generic/cpython@3.8.0",
                                   licenses=["PSF-2.0"]), "test")
    assert d.deprecated()
    c = d.component()
    assert (c.name, c.version, c.purl, c.licenses) == ("cpython", "3.8.0", "pkg:generic/cpython@3.8.0", ("PSF-2.0",))
