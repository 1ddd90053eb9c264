"""pip's failures named by their true cause (libbuild/python/failures.py): real pip runs through
pip-install against a closed port, a silent server, a TLS index signed by a CA made here, and
a missing package; pipenv's output through the same classifier."""
import shutil
import socket
import threading

import pytest

from libbuild.python import failures
from tlsca import make_ca
from test_pipenv import index, pipenv_build, with_pipenv  # noqa: F401 (fixtures: pipenv's build layer)
from wheels import Index, make_wheel

BOTH = {"build": False, "launch": True}
NOT_FOUND_TEXT = "found no distribution matching"


@pytest.fixture(autouse=True)
def python_on_path():
    assert shutil.which("python3"), "the unit tests need a python3 with venv and pip on PATH"


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def tls_index(ca, tmp_path_factory):
    wheels = tmp_path_factory.mktemp("wheels")
    make_wheel(wheels, "six", "1.16.0")
    idx = Index(wheels, tls=(ca.server_pem, ca.server_key))
    yield idx
    idx.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install(tree, requirements="six==1.16.0\n", **settings):
    tree.write("requirements.txt", requirements)
    # One retry: quicker than pip's default five, and pip shows the cause only when it retries.
    tree.set_env("PIP_RETRIES", "1")
    tree.set_env("PIP_TIMEOUT", "3")
    for k, v in settings.items():
        tree.set_env(k, v)
    return tree.build("pip-install", [("site-packages", BOTH)])


def error_of(run) -> str:
    assert run.code == 1, run.output
    assert "Traceback" not in run.output
    return run.output[run.output.rindex("\nERROR: ") + 1:]  # the buildpack's message (pip's lines are indented)


def test_index_url_in_requirements_to_a_closed_port_names_that_index_and_the_refusal(tree):
    port = closed_port()
    run = install(tree, f"--index-url http://deploy:s3cr3t-pw@127.0.0.1:{port}/simple\nsix==1.16.0\n")
    error = error_of(run)
    assert f"pip could not reach the index http://deploy:***@127.0.0.1:{port}/simple: Connection refused" in error
    assert NOT_FOUND_TEXT not in error and "s3cr3t-pw" not in run.output


def test_pip_index_url_to_a_closed_port(tree):
    port = closed_port()
    error = error_of(install(tree, PIP_INDEX_URL=f"http://127.0.0.1:{port}/simple"))
    assert f"could not reach the index http://127.0.0.1:{port}/simple: Connection refused" in error
    assert NOT_FOUND_TEXT not in error


def test_a_server_that_never_answers_is_a_timeout(tree):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        error = error_of(install(tree, PIP_INDEX_URL=f"http://127.0.0.1:{port}/simple", PIP_TIMEOUT="1"))
    assert f"could not reach the index http://127.0.0.1:{port}/simple" in error and "read timed out" in error


def test_untrusted_certificate_is_a_certificate_problem_and_the_binding_fixes_it(tree, ca, tls_index):
    error = error_of(install(tree, PIP_INDEX_URL=tls_index.url()))
    assert "pip could not verify the TLS certificate of localhost (unable to get local issuer certificate)" in error
    assert "How to fix:" in error and "ca-certificates binding" in error and "echo ca-certificates > bindings/ca/type" in error
    assert NOT_FOUND_TEXT not in error

    tree.binding("corp-ca", "ca-certificates", {"corp.pem": ca.ca_pem.read_text()})
    certs = tree.build("ca-certificates")
    assert certs.code == 0, certs.output
    tree.use_build_layers("ca-certificates")
    fixed = tree.build("pip-install", [("site-packages", BOTH)])
    assert fixed.code == 0, fixed.output
    assert next((fixed.layers / "packages" / "lib").glob("python3.*/site-packages/six/__init__.py"))


def test_missing_package_names_the_index_pip_really_used(tree, ca, tls_index):
    tree.binding("corp-ca", "ca-certificates", {"corp.pem": ca.ca_pem.read_text()})
    assert tree.build("ca-certificates").code == 0
    tree.use_build_layers("ca-certificates")
    error = error_of(install(tree, f"--index-url {tls_index.url()}\nnosuchpackage==1.0\n"))
    assert f"pip found no distribution matching 'nosuchpackage==1.0' in the index {tls_index.url()}" in error


def test_pip_without_retries_hides_the_cause_and_the_probe_finds_it(tree):
    port = closed_port()
    error = error_of(install(tree, PIP_INDEX_URL=f"http://127.0.0.1:{port}/simple", PIP_RETRIES="0"))
    assert f"could not reach the index http://127.0.0.1:{port}/simple: Connection refused" in error


def test_pipenv_lock_against_a_closed_port_names_the_pipfile_source(tree, with_pipenv):
    """pipenv's resolver prints only "No matching distribution": the Pipfile's source is probed."""
    port = closed_port()
    tree.write("Pipfile", f'[[source]]\nurl = "http://127.0.0.1:{port}/simple"\nverify_ssl = false\nname = "down"\n\n'
                          '[packages]\nalpha = "==1.0.0"\n\n[requires]\npython_version = "3.11"\n')
    run = tree.build("pipenv-install", [("site-packages", BOTH)])
    assert run.code == 1, run.output
    error = run.output[run.output.rindex("\nERROR: ") + 1:]  # pipenv's own output above it is streamed as is
    assert error.startswith(f"ERROR: pipenv could not reach the index http://127.0.0.1:{port}/simple: Connection refused")


def test_classifier_leaves_other_failures_alone():
    assert failures.explain(["error: subprocess-exited-with-error", "  × Building wheel for x did not run successfully."],
                            "the default package index") is None


def test_classifier_plain_http_index_pip_ignores():
    out = ["Looking in indexes: http://mirror.internal/simple",
           "WARNING: The repository located at mirror.internal is not a trusted or secure host and is being ignored.",
           "ERROR: No matching distribution found for six"]
    error = failures.explain(out, "the default package index")
    assert error.code == "index-insecure" and "PIP_TRUSTED_HOST=mirror.internal" in error.remedy
