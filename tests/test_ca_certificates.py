"""pycnb/ca-certificates: detect, the trust store layer, its launch helper, and the libbuild
downloader using it — against real TLS servers with a CA made at test time."""
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tlsca import make_ca
from wheels import Index

BP = "ca-certificates"
BUNDLE_VARIABLES = ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "AWS_CA_BUNDLE",
                    "CONDA_SSL_VERIFY")
PRIVATE_KEY_LINE = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory):
    return make_ca(tmp_path_factory.mktemp("ca2"), "pycnb runtime CA")


@pytest.fixture(scope="module")
def tls_index(ca, tmp_path_factory):
    files = tmp_path_factory.mktemp("files")
    (files / "hello.txt").write_text("hello over TLS\n")
    idx = Index(files, tls=(ca.server_pem, ca.server_key))
    yield idx
    idx.close()


def built(tree, ca, **settings):
    tree.binding("corp-ca", "ca-certificates", {"corp.pem": ca.ca_pem.read_text()})
    for k, v in settings.items():
        tree.set_env(k, v)
    run = tree.build(BP)
    assert run.code == 0, run.output
    return run


def fetch(url: str, env: dict) -> subprocess.CompletedProcess:
    """A TLS request by a fresh python3 that sees only `env` (OpenSSL reads SSL_CERT_FILE/DIR)."""
    code = "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())"
    return subprocess.run([sys.executable, "-I", "-c", code, url], env={"PATH": os.environ["PATH"], **env},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_detects_only_a_binding_with_entries(tree, ca):
    assert tree.detect(BP).code == 100
    tree.binding("empty", "ca-certificates", {})
    run = tree.detect(BP)
    assert run.code == 100 and "hold no certificates" in run.output
    tree.binding("corp", "CA-Certificates", {"corp.pem": ca.ca_pem.read_text()})
    assert tree.detect(BP).code == 0


def test_layer_holds_bundle_hashed_dir_env_and_launch_helper(tree, ca):
    run = built(tree, ca)
    layer = run.layers / "ca-certificates"
    assert run.layer_toml("ca-certificates")["types"] == {"build": True, "launch": True, "cache": True}
    bundle = (layer / "ca-certificates.crt").read_text()
    ca_body = "".join(ca.ca_pem.read_text().split("-----")[2].split())
    assert ca_body in "".join(bundle.split())
    assert bundle.startswith(Path("/etc/ssl/certs/ca-certificates.crt").read_text()[:200])
    subject_hash = subprocess.run(["openssl", "x509", "-noout", "-subject_hash", "-in", str(ca.ca_pem)],
                                  stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    link = layer / "certs" / f"{subject_hash}.0"
    assert link.is_symlink() and "".join(link.read_text().split()) == "".join(ca.ca_pem.read_text().split())
    env = run.env_files("ca-certificates")
    for name in BUNDLE_VARIABLES:
        assert env[f"env/{name}.override"] == str(layer / "ca-certificates.crt")
    assert env["env/SSL_CERT_DIR.override"] == f"{layer / 'certs'}:/etc/ssl/certs"
    assert os.access(layer / "exec.d" / "trust-bindings", os.X_OK)
    assert "Certificate corp-ca/corp.pem" in run.output and ca_body[:40] not in run.output


def test_the_layer_env_makes_tls_to_the_private_ca_work(tree, ca, tls_index):
    url = tls_index.url().replace("/simple", "/files/hello.txt")
    assert "CERTIFICATE_VERIFY_FAILED" in fetch(url, {"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt"}).stdout
    layer = built(tree, ca).layers / "ca-certificates"
    via_bundle = fetch(url, {"SSL_CERT_FILE": str(layer / "ca-certificates.crt")})
    assert via_bundle.stdout == "hello over TLS\n", via_bundle.stdout
    via_dir = fetch(url, {"SSL_CERT_FILE": "/nonexistent", "SSL_CERT_DIR": f"{layer / 'certs'}:/etc/ssl/certs"})
    assert via_dir.stdout == "hello over TLS\n", via_dir.stdout


def test_rebuild_with_the_same_certificates_reuses_the_layer(tree, ca):
    built(tree, ca)
    tree.restore(BP)
    again = tree.build(BP)
    assert again.code == 0 and "Reusing layer 'ca-certificates'" in again.output, again.output


def test_runtime_binding_disabled_keeps_certificates_out_of_the_image(tree, ca):
    run = built(tree, ca, BP_RUNTIME_CERT_BINDING_DISABLED="true")
    assert run.layer_toml("ca-certificates")["types"] == {"build": True, "launch": False, "cache": True}
    assert not (run.layers / "ca-certificates" / "exec.d").exists()
    assert "trusted at build only" in run.output


@pytest.mark.parametrize("content, why", [
    ("just some text\n", "holds no PEM certificate"),
    (f"-----BEGIN PRIVATE KEY-----\n{PRIVATE_KEY_LINE}\n-----END PRIVATE KEY-----\n", "holds a private key"),
    (f"-----BEGIN CERTIFICATE-----\n{PRIVATE_KEY_LINE}\n-----END CERTIFICATE-----\n", "not a DER-encoded certificate"),
    ("-----BEGIN CERTIFICATE-----\n!!notbase64!!\n-----END CERTIFICATE-----\n", "not valid base64"),
])
def test_an_entry_that_is_not_a_certificate_fails_without_showing_it(tree, ca, content, why):
    tree.binding("corp-ca", "ca-certificates", {"good.pem": ca.ca_pem.read_text(), "zz-bad.pem": content})
    run = tree.build(BP)
    assert run.code == 1
    assert "ERROR: the ca-certificates binding entry corp-ca/zz-bad.pem is not usable" in run.output, run.output
    assert why in run.output and "Traceback" not in run.output
    assert PRIVATE_KEY_LINE not in run.output and "notbase64" not in run.output and "some text" not in run.output


def helper(layer: Path, env: dict) -> dict:
    """Run the exec.d helper as the launcher does (TOML on fd 3) and parse what it exports."""
    r, w = os.pipe()
    proc = subprocess.Popen(["bash", "-c", f'exec "$0" 3>&{w} {w}>&-', str(layer / "exec.d" / "trust-bindings")],
                            env={"PATH": os.environ["PATH"], **env}, pass_fds=(w,), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    os.close(w)
    with os.fdopen(r) as fd3:
        exported = fd3.read()
    out = proc.communicate()[0].decode()
    assert proc.returncode == 0, out
    import tomllib
    return tomllib.loads(exported)


def test_launch_helper_adds_runtime_bindings_unless_disabled(tree, ca, other_ca, tls_index, tmp_path):
    layer = built(tree, ca).layers / "ca-certificates"
    runtime = tmp_path / "runtime-bindings"
    (runtime / "k8s-ca").mkdir(parents=True)
    (runtime / "k8s-ca" / "type").write_text("ca-certificates\n")
    (runtime / "k8s-ca" / "runtime.pem").write_text(other_ca.ca_pem.read_text())
    (runtime / "k8s-ca" / "junk").write_text("not a certificate")
    (runtime / "other").mkdir()
    (runtime / "other" / "type").write_text("mysql")
    (runtime / "other" / "password").write_text("-----BEGIN CERTIFICATE-----")
    exported = helper(layer, {"SERVICE_BINDING_ROOT": str(runtime), "TMPDIR": str(tmp_path)})
    assert set(exported) == {*BUNDLE_VARIABLES, "SSL_CERT_DIR"}
    bundle = Path(exported["SSL_CERT_FILE"]).read_text()
    assert bundle.count("BEGIN CERTIFICATE") == Path("/etc/ssl/certs/ca-certificates.crt").read_text().count(
        "BEGIN CERTIFICATE") + 2  # the system's, the build-time one, the runtime one
    assert "".join(other_ca.ca_pem.read_text().split()) in "".join(bundle.split())
    # The runtime CA signs nothing served here; the build-time CA's server must still verify.
    url = tls_index.url().replace("/simple", "/files/hello.txt")
    assert fetch(url, {k: exported[k] for k in ("SSL_CERT_FILE",)}).stdout == "hello over TLS\n"
    runtime_dir = Path(exported["SSL_CERT_DIR"].split(":")[0])
    assert sorted(p.name for p in runtime_dir.iterdir() if p.is_symlink())[0].endswith(".0")

    disabled = helper(layer, {"SERVICE_BINDING_ROOT": str(runtime), "TMPDIR": str(tmp_path),
                              "BP_RUNTIME_CERT_BINDING_DISABLED": "true"})
    assert "".join(other_ca.ca_pem.read_text().split()) not in "".join(Path(disabled["SSL_CERT_FILE"]).read_text().split())


def test_dependency_downloader_trusts_the_layer_bundle(tree, ca, tls_index, tmp_path, monkeypatch):
    from libbuild.dependencies import Dependency, DependencyFetcher
    from libbuild.errors import UserError
    from libbuild.log import Logger
    payload = tls_index.url().replace("/simple", "/files/hello.txt")
    dep = Dependency("hello", "1.0", payload, "sha256:" + hashlib.sha256(b"hello over TLS\n").hexdigest())
    for name in BUNDLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(UserError) as exc:
        DependencyFetcher({}, [], Logger(io.StringIO()), tmp_path / "c1").fetch(dep)
    assert exc.value.code == "certificate-untrusted"
    assert "could not verify the TLS certificate of localhost" in exc.value.message
    assert "ca-certificates binding" in exc.value.remedy
    # The lifecycle gives later buildpacks the layer's env; requests reads REQUESTS_CA_BUNDLE from it.
    layer = built(tree, ca).layers / "ca-certificates"
    from libbuild.env import apply_layer
    env = apply_layer({}, layer, "build")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", env["REQUESTS_CA_BUNDLE"])
    got = DependencyFetcher({}, [], Logger(io.StringIO()), tmp_path / "c2").fetch(dep)
    assert got.read_text() == "hello over TLS\n"


def test_mirror_prepares_the_binding_from_the_host_extra_cas(tmp_path, ca, other_ca):
    """mirror/ca-binding.sh (run by `make -s mirror`): the host's extra CAs, exactly, as a binding."""
    host = tmp_path / "host-cas"
    (host / "corp").mkdir(parents=True)
    (host / "proxy.crt").write_text(ca.ca_pem.read_text())
    (host / "corp" / "root.crt").write_text(other_ca.ca_pem.read_text())
    (host / "notes.crt").write_text("not a certificate\n")
    (host / "readme.txt").write_text("ignored: not *.crt\n")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYCNB_CACHE": str(tmp_path / "cache"),
           "PYCNB_HOST_CA_DIR": str(host)}
    script = Path(__file__).resolve().parent.parent / "mirror" / "ca-binding.sh"
    (tmp_path / "cache" / "ca-certificates").mkdir(parents=True)
    (tmp_path / "cache" / "ca-certificates" / "stale.crt").write_text("from an earlier run")
    proc = subprocess.run(["bash", str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 0, proc.stderr
    binding = Path(proc.stdout.strip())
    assert proc.stdout == f"{tmp_path / 'cache' / 'ca-certificates'}\n"  # one line: the path
    assert sorted(p.name for p in binding.iterdir()) == ["corp_root.crt", "proxy.crt", "type"]
    assert (binding / "type").read_text().strip() == "ca-certificates"
    assert "skipping" in proc.stderr and "notes.crt" in proc.stderr

    empty = subprocess.run(["bash", str(script)], env={**env, "PYCNB_HOST_CA_DIR": str(tmp_path / "none")},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert empty.returncode == 0 and sorted(p.name for p in binding.iterdir()) == ["type"]


@pytest.fixture(scope="module")
def catalog_server(ca, tmp_path_factory):
    """A catalog over HTTPS (the private CA) behind basic auth, as an air-gapped platform serves one."""
    files = tmp_path_factory.mktemp("catalog")
    (files / "extra.toml").write_text('[[dependencies]]\nid = "hello"\nversion = "9.9.9"\n'
                                      'uri = "https://example.invalid/hello.tgz"\n'
                                      f'checksum = "sha256:{"a" * 64}"\n')
    idx = Index(files, user="reader", password="s3cret-catalog-pw", tls=(ca.server_pem, ca.server_key))
    yield idx
    idx.close()


def test_catalog_over_https_has_the_downloaders_trust_and_credentials(ca, catalog_server, monkeypatch):
    """Catalogs are read with the standard library (every build reads them), with the trust and the
    URL credentials the requests-based downloader uses; a secret never shows in an error."""
    from libbuild.dependencies import Catalog
    from libbuild.errors import UserError
    from libbuild.log import Logger
    base = catalog_server.url().replace("/simple", "/files/extra.toml").replace("https://", "https://reader:{}@")
    for name in BUNDLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    good = {"BP_DEPENDENCY_CATALOG": base.format("s3cret-catalog-pw")}
    with pytest.raises(UserError) as exc:  # certifi's bundle does not hold the test CA
        Catalog.load({}, good, [], Logger(io.StringIO()))
    assert exc.value.code == "certificate-untrusted" and "ca-certificates binding" in exc.value.remedy
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca.ca_pem))
    catalog = Catalog.load({}, good, [], Logger(io.StringIO()))
    assert [(d.id, d.version) for d in catalog.entries] == [("hello", "9.9.9")]
    with pytest.raises(UserError) as exc:
        Catalog.load({}, {"BP_DEPENDENCY_CATALOG": base.format("wrong-pw-value")}, [], Logger(io.StringIO()))
    assert exc.value.code == "download-failed" and "HTTP 401" in exc.value.message
    assert "wrong-pw-value" not in exc.value.render() and "reader:***@" in exc.value.message
