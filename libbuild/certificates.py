"""CA certificates: PEM entries of `ca-certificates` bindings, validated without printing them,
and a trust store (bundle file plus an OpenSSL-hashed directory) built from them.

A certificate is public, but a binding directory may hold anything; so messages name the
binding and the entry, never quote what is inside.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Optional

from . import errors
from .bindings import Binding, of_type

BINDING_TYPE = "ca-certificates"
# Debian's bundle (the stack images are Debian); the directory holds its hashed links.
SYSTEM_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SYSTEM_DIR = Path("/etc/ssl/certs")
MAX_ENTRY_BYTES = 1 << 20  # a PEM file of hundreds of certificates is still far below this

_TLS_REASON = re.compile(r"certificate verify failed: (?P<why>[^(')\"]+?)\s*(?:\(_ssl|['\")]|$)")
_BLOCK = re.compile(rb"-----BEGIN (?P<label>[A-Z0-9 ]+)-----(?P<body>.*?)-----END (?P=label)-----", re.S)


@dataclass(frozen=True)
class Certificate:
    """One certificate from a binding entry, as canonical PEM text."""
    origin: str  # "<binding>/<entry>" (#n when an entry holds several)
    pem: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pem.encode()).hexdigest()

    @property
    def file_name(self) -> str:
        return re.sub(r"[^A-Za-z0-9._-]", "_", self.origin) + ".pem"


def parse_entry(data: bytes, origin: str) -> list[Certificate]:
    """Every certificate in one PEM entry; anything else there is refused."""
    if len(data) > MAX_ENTRY_BYTES:
        raise errors.certificate_entry_invalid(origin, f"larger than {MAX_ENTRY_BYTES // 1024} KiB")
    blocks = list(_BLOCK.finditer(data))
    labels = {b["label"].decode() for b in blocks}
    if any("PRIVATE KEY" in label for label in labels):
        raise errors.certificate_entry_invalid(origin, "it holds a private key, which never belongs in this binding")
    found = []
    for n, block in enumerate(blocks, 1):
        if block["label"] != b"CERTIFICATE":
            raise errors.certificate_entry_invalid(origin, f"it holds a PEM block of type {block['label'].decode()!r}, "
                                                           "not CERTIFICATE")
        try:
            der = base64.b64decode(re.sub(rb"\s+", b"", block["body"]), validate=True)
        except (binascii.Error, ValueError):
            raise errors.certificate_entry_invalid(origin, f"certificate {n} is not valid base64") from None
        if not _is_der_sequence(der):
            raise errors.certificate_entry_invalid(origin, f"certificate {n} is not a DER-encoded certificate")
        body = base64.b64encode(der).decode()
        pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
        found.append(Certificate(origin if len(blocks) == 1 else f"{origin}#{n}", pem + "\n-----END CERTIFICATE-----\n"))
    if not found:
        raise errors.certificate_entry_invalid(origin, "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
    return found


def _is_der_sequence(der: bytes) -> bool:
    """A certificate is one ASN.1 SEQUENCE whose length covers the whole blob."""
    if len(der) < 4 or der[0] != 0x30:
        return False
    first = der[1]
    if first < 0x80:
        return 2 + first == len(der)
    count = first & 0x7F
    if count == 0 or count > 4 or len(der) < 2 + count:
        return False
    return 2 + count + int.from_bytes(der[2:2 + count], "big") == len(der)


def from_bindings(bindings: Iterable[Binding]) -> list[Certificate]:
    """The certificates of every ca-certificates binding, in binding and entry order, without duplicates."""
    seen: set[str] = set()
    out = []
    for b in of_type(list(bindings), BINDING_TYPE):
        for entry, path in sorted(b.entries.items()):
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise errors.certificate_entry_invalid(f"{b.name}/{entry}", exc.strerror or "unreadable") from exc
            for cert in parse_entry(data, f"{b.name}/{entry}"):
                if cert.sha256 not in seen:
                    seen.add(cert.sha256)
                    out.append(cert)
    return out


def bindings_with_entries(bindings: Iterable[Binding]) -> list[Binding]:
    return [b for b in of_type(list(bindings), BINDING_TYPE) if b.entries]


def subject_hash(pem_file: Path) -> Optional[str]:
    """OpenSSL's subject hash (the `<hash>.0` link name in a certificate directory), or None
    without an openssl command. The canonical name encoding it hashes is OpenSSL's own, so
    the command computes it."""
    exe = shutil.which("openssl")
    if exe is None:
        return None
    proc = subprocess.run([exe, "x509", "-noout", "-subject_hash", "-in", str(pem_file)],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    value = proc.stdout.strip()
    return value if proc.returncode == 0 and re.fullmatch(r"[0-9a-f]{8}", value) else None


@dataclass
class TrustStore:
    """What a trust store layer holds: `bundle` (system + added) and `directory` (added, hashed)."""
    bundle: Path
    directory: Path
    hashed: bool


def write_store(dest: Path, certs: list[Certificate], system_bundle: Path = SYSTEM_BUNDLE) -> TrustStore:
    """dest/ca-certificates.crt and dest/certs/{<name>.pem, <hash>.N -> <name>.pem}."""
    certs_dir = dest / "certs"
    certs_dir.mkdir(parents=True, exist_ok=True)
    system = system_bundle.read_text() if system_bundle.is_file() else ""
    if system and not system.endswith("\n"):
        system += "\n"
    bundle = dest / "ca-certificates.crt"
    bundle.write_text(system + "".join(f"# {c.origin}\n{c.pem}" for c in certs))
    hashed = True
    for cert in certs:
        pem_file = certs_dir / cert.file_name
        pem_file.write_text(cert.pem)
        value = subject_hash(pem_file)
        if value is None:
            hashed = False
            continue
        n = 0
        while (certs_dir / f"{value}.{n}").exists():
            n += 1
        (certs_dir / f"{value}.{n}").symlink_to(cert.file_name)
    return TrustStore(bundle, certs_dir, hashed)


def tls_reason(text: str) -> str:
    """OpenSSL's reason in a verification failure message ("self-signed certificate in certificate chain")."""
    match = _TLS_REASON.search(text)
    return match["why"].strip() if match else ""


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
