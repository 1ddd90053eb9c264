"""A certificate authority made at test time (openssl CLI), and a server certificate it signs
for 127.0.0.1 — what a private CA or a TLS-intercepting proxy looks like to a build."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass
class TestCA:
    ca_pem: Path       # the CA certificate: what a ca-certificates binding carries
    server_pem: Path   # leaf certificate for 127.0.0.1 / localhost, signed by the CA
    server_key: Path
    subject: str


def _openssl(*args: str, cwd: Path) -> None:
    proc = subprocess.run(["openssl", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, f"openssl {' '.join(args)} failed:\n{proc.stdout}"


def make_ca(dest: Path, name: str = "pycnb test CA") -> TestCA:
    assert shutil.which("openssl"), "the tests need the openssl command (make test-unit installs it)"
    dest.mkdir(parents=True, exist_ok=True)
    subject = f"/CN={name}/O=pycnb tests"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", subject,
             "-keyout", "ca.key", "-out", "ca.pem",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             cwd=dest)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
             "-out", "server.csr", cwd=dest)
    (dest / "server.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                     "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", "server.ext", "-out", "server.pem", cwd=dest)
    return TestCA(dest / "ca.pem", dest / "server.pem", dest / "server.key", subject)
