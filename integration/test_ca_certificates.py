"""CA certificates end to end: apps from the real default package index through the machine's
network (a TLS-intercepting proxy here) with the binding `make -s mirror` prepares, and a
loopback HTTPS index whose CA is made at test time: refused without the binding, trusted with
it, and trusted by the launched app (a request from inside the container)."""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from conftest import _run, app, pack_build, serve_and_get
from tlsca import make_ca
from wheels import Index

CERT_ERROR = "could not verify the TLS certificate of localhost"
FETCH = ("import sys, urllib.request\n"
         "for url in sys.argv[1:]:\n"
         "    try:\n"
         "        print(url, urllib.request.urlopen(url, timeout=10).status)\n"
         "    except Exception as exc:\n"
         "        print(url, type(exc).__name__, exc)\n")


def host_cas(mirror) -> int:
    return sum(1 for p in mirror.ca_binding.iterdir() if p.name != "type")


def check_binding_use(build, mirror) -> None:
    """With extra CAs on the host the buildpack trusts each; without any it does not run."""
    if host_cas(mirror):
        assert "pycnb CA certificates" in build.output
        assert build.output.count("Certificate ca-certificates/") == host_cas(mirror)
    else:
        assert "pycnb CA certificates" not in build.output


def test_requirements_app_from_the_default_index(tmp_path, images, mirror):
    image = images("default-index-pip")
    start = time.monotonic()
    build = pack_build(image, app(tmp_path, "flask"), mirror.settings, volumes=mirror.volumes)
    print(f"default-index requirements.txt build: {time.monotonic() - start:.1f}s")
    assert build.code == 0
    assert "installing from the default package index" in build.output
    check_binding_use(build, mirror)
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3" and "gunicorn" in data["packages"]


def test_pipfile_app_from_the_default_index_with_pipenv_from_it_too(tmp_path, images, mirror):
    src = app(tmp_path, "pipenv")
    # No [[source]]: pipenv's default index; no Pipfile.lock: the build locks against it.
    (src / "Pipfile").write_text('[packages]\nflask = "==3.1.3"\ngunicorn = "==27.0.1"\n\n'
                                 '[requires]\npython_full_version = "3.11.2"\n')  # a line the mirror serves
    image = images("default-index-pipenv")
    start = time.monotonic()
    build = pack_build(image, src, mirror.settings, volumes=mirror.volumes)
    print(f"default-index Pipfile build: {time.monotonic() - start:.1f}s")
    assert build.code == 0
    assert "Installing pipenv" in build.output and "from the default package index" in build.output
    assert "No Pipfile.lock: locking now" in build.output
    check_binding_use(build, mirror)
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3" and "gunicorn" in data["packages"]


@pytest.fixture
def private_ca_index(tmp_path, wheel_dir):
    ca = make_ca(tmp_path / "ca", "pycnb integration CA")
    idx = Index(wheel_dir, tls=(ca.server_pem, ca.server_key))
    yield ca, idx
    idx.close()


def binding_dir(tmp_path, name: str, pem: str):
    d = tmp_path / name
    d.mkdir()
    (d / "type").write_text("ca-certificates")
    (d / "ca.pem").write_text(pem)
    return d


def in_container(image: str, *urls: str, env: dict[str, str] = {}, volumes: list[str] = ()) -> dict[str, str]:
    """GET each URL from inside the image (its launch environment); url -> status or error."""
    script = Path(tempfile.mkdtemp(prefix="pycnb-fetch-")) / "fetch.py"
    script.write_text(FETCH)  # a file: the launcher does not keep newlines of a `python -c` argument
    script.parent.chmod(0o755)
    script.chmod(0o644)
    argv = ["docker", "run", "--rm", "--network", "host", "--entrypoint", "launcher", "-v", f"{script}:/tmp/fetch.py:ro"]
    for k, v in env.items():
        argv += ["-e", f"{k}={v}"]
    for v in volumes:
        argv += ["-v", v]
    try:
        proc = _run(argv + [image, "python", "/tmp/fetch.py", *urls])
    finally:
        shutil.rmtree(script.parent)
    assert proc.returncode == 0, proc.stdout
    answers = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if line.startswith(urls))
    assert set(answers) == set(urls), proc.stdout
    return answers


def test_loopback_https_index_needs_the_binding_and_the_app_trusts_it(tmp_path, images, mirror, private_ca_index,
                                                                     wheel_dir):
    ca, idx = private_ca_index
    env = {**mirror.settings, "PIP_INDEX_URL": idx.url()}
    image = images("private-ca")

    refused = pack_build(image, app(tmp_path, "flask"), env)
    assert refused.code != 0
    error = refused.output[refused.output.rindex("ERROR: pip"):]
    assert f"ERROR: pip {CERT_ERROR} (unable to get local issuer certificate)" in error
    assert "How to fix:" in error and "with a ca-certificates binding: mkdir -p bindings/ca" in error
    assert "found no distribution" not in refused.output

    ca_binding = binding_dir(tmp_path, "private-ca", ca.ca_pem.read_text())
    built = pack_build(image, app(tmp_path / "again", "flask"), env,
                       volumes=[f"{ca_binding}:/platform/bindings/private-ca:ro"])
    assert built.code == 0
    assert "Certificate private-ca/ca.pem" in built.output
    data, _ = serve_and_get(image)
    assert data["flask"] == "3.1.3"

    # At launch: the build-time CA is trusted; a CA bound only at run time is added by the
    # exec.d helper (servicebinding.io), unless BP_RUNTIME_CERT_BINDING_DISABLED=true.
    other = make_ca(tmp_path / "runtime-ca", "pycnb runtime CA")
    runtime_idx = Index(wheel_dir, tls=(other.server_pem, other.server_key))
    try:
        runtime_binding = binding_dir(tmp_path, "runtime-binding", other.ca_pem.read_text())
        urls = (idx.url() + "/flask/", runtime_idx.url() + "/flask/")
        plain = in_container(image, *urls)
        assert plain[urls[0]] == "200" and "CERTIFICATE_VERIFY_FAILED" in plain[urls[1]]
        mount = {"SERVICE_BINDING_ROOT": "/bindings"}
        vols = [f"{runtime_binding}:/bindings/runtime-ca:ro"]
        assert in_container(image, *urls, env=mount, volumes=vols) == {urls[0]: "200", urls[1]: "200"}
        disabled = in_container(image, *urls, env={**mount, "BP_RUNTIME_CERT_BINDING_DISABLED": "true"}, volumes=vols)
        assert disabled[urls[0]] == "200" and "CERTIFICATE_VERIFY_FAILED" in disabled[urls[1]]
    finally:
        runtime_idx.close()



def test_unreachable_index_named_in_requirements_is_reported_as_such(tmp_path, images, mirror_env):
    """Issue 16 case 5: an --index-url in requirements.txt to a closed port (9, discard)."""
    src = app(tmp_path, "flask")
    (src / "requirements.txt").write_text("--index-url http://127.0.0.1:9/simple\nsix==1.16.0\n")
    build = pack_build(images("unreachable"), src, mirror_env)
    assert build.code != 0
    assert "ERROR: pip could not reach the index http://127.0.0.1:9/simple: Connection refused" in build.output
    assert "found no distribution" not in build.output
