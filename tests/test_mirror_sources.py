"""mirror/cpython_sources.py: Debian's .orig tarballs reach the mirror only with the catalog's
checksum. A real HTTP server on 127.0.0.1 plays the archive."""
from __future__ import annotations

import functools
import hashlib
import http.server
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "mirror"))
import cpython_sources as cs  # noqa: E402

SOURCES = """Package: python3.99
Binary: python3.99
Version: 3.99.1-2
Checksums-Sha256:
 {dsc_sha} 100 python3.99_3.99.1-2.dsc
 {sha} {size} python3.99_3.99.1.orig.tar.xz
 {deb_sha} 200 python3.99_3.99.1-2.debian.tar.xz
Directory: pool/main/p/python3.99

Package: python3-foo
Version: 1.0-1
Checksums-Sha256:
 {sha} {size} python3.99_3.99.1.orig.tar.xz
Directory: pool/main/p/python3-foo
"""


@pytest.fixture
def archive(tmp_path):
    root = tmp_path / "archive"
    pool = root / "pool/main/p/python3.99"
    pool.mkdir(parents=True)
    body = b"pretend this is Python-3.99.1.tar.xz\n" * 100
    (pool / "python3.99_3.99.1.orig.tar.xz").write_bytes(body)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sha = hashlib.sha256(body).hexdigest()
    text = SOURCES.format(sha=sha, size=len(body), dsc_sha="1" * 64, deb_sha="2" * 64)
    yield f"http://127.0.0.1:{server.server_address[1]}", text, sha
    server.shutdown()


def test_index_parsing_finds_only_cpython_orig_tarballs(archive):
    _, text, sha = archive
    assert cs.parse_sources(text, "sid") == [
        cs.DebianTarball("3.99.1", "sid", "pool/main/p/python3.99/python3.99_3.99.1.orig.tar.xz", sha, 3700)]


def test_a_tarball_with_the_catalog_checksum_is_stored(archive, tmp_path):
    url, text, sha = archive
    want = cs.CatalogSource("3.99.1", "https://www.python.org/ftp/python/3.99.1/Python-3.99.1.tar.xz", sha)
    dest = cs.mirror_path(tmp_path / "mirror", want.uri)
    assert dest == tmp_path / "mirror/www.python.org/ftp/python/3.99.1/Python-3.99.1.tar.xz"
    assert cs.fetch_one(url, cs.parse_sources(text, "sid"), want, dest)
    assert cs.sha256_of(dest) == sha


def test_a_tarball_whose_checksum_differs_from_the_catalog_is_refused(archive, tmp_path):
    url, text, sha = archive
    want = cs.CatalogSource("3.99.1", "https://www.python.org/ftp/python/3.99.1/Python-3.99.1.tar.xz", "f" * 64)
    dest = cs.mirror_path(tmp_path / "mirror", want.uri)
    with pytest.raises(cs.MirrorError, match=f"refusing {url}/pool/main/p/python3.99/python3.99_3.99.1.orig.tar.xz: "
                                             f"sha256 {sha} is not the catalog's sha256 of CPython 3.99.1"):
        cs.fetch_one(url, cs.parse_sources(text, "sid"), want, dest)
    assert not dest.exists() and not dest.parent.exists()  # nothing half-stored


def test_a_tarball_that_differs_from_the_index_is_refused(archive, tmp_path):
    url, text, sha = archive
    want = cs.CatalogSource("3.99.1", "https://www.python.org/ftp/python/3.99.1/Python-3.99.1.tar.xz", sha)
    tampered = cs.parse_sources(text.replace(sha, "e" * 64), "sid")
    with pytest.raises(cs.MirrorError, match="does not match the sid Sources index"):
        cs.fetch_one(url, tampered, want, cs.mirror_path(tmp_path / "mirror", want.uri))


def test_listed_but_absent_from_the_pool_is_not_served(archive, tmp_path):
    url, text, sha = archive
    want = cs.CatalogSource("3.99.1", "https://www.python.org/ftp/python/3.99.1/Python-3.99.1.tar.xz", sha)
    moved = [cs.DebianTarball(t.version, t.suite, t.path.replace("python3.99/", "python3.98/"), t.sha256, t.size)
             for t in cs.parse_sources(text, "sid")]
    dest = cs.mirror_path(tmp_path / "mirror", want.uri)
    assert cs.fetch_one(url, moved, want, dest) is False
    assert not dest.parent.exists()


def test_the_catalog_it_reads_is_the_buildpacks():
    catalog = cs.read_catalog(Path(__file__).resolve().parent.parent / "buildpacks/cpython/buildpack.toml")
    assert {c.version for c in catalog} >= {"3.9.2", "3.11.2", "3.13.5", "3.13.15", "3.14.8", "3.15.0"}
