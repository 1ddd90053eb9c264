"""Why pip (or pipenv, which runs pip) failed, read from its output: the true cause first.

pip ends every failed lookup with "No matching distribution found", even when the index
was never reached; the cause is in its earlier lines. In order of precedence:
  - a TLS verification failure   -> a certificate problem naming the host (fix: a binding)
  - a refused / timed-out / unresolvable connection -> the index (credentials masked) and cause
  - a plain-HTTP index pip ignored -> the host and how to trust it
  - otherwise "No matching distribution" -> the package, in the index pip really used
When the output hides the cause (pipenv's resolver shows no network warnings; pip shows none
with PIP_RETRIES=0) and no version at all was found, the index is probed (TCP, then the TLS
handshake with the CA bundle pip was given) before the package is blamed.
"""
from __future__ import annotations

import re
import socket
import ssl
import urllib.parse
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping, Optional, Sequence

from .. import errors
from ..certificates import tls_reason
from ..log import redact_urls

_TLS = re.compile(r"CERTIFICATE_VERIFY_FAILED|problem confirming the ssl certificate|SSLCertVerificationError", re.I)
_HOST = re.compile(r"host='(?P<host>[^']+)'")
_URL = re.compile(r"(?P<url>[a-z][a-z0-9+.-]*://[^\s'\")]+)", re.I)
_NETWORK = re.compile(r"NewConnectionError|ConnectTimeoutError|ReadTimeoutError|ProxyError|"
                      r"Failed to establish a new connection|Max retries exceeded|connection error:")
_ERRNO = re.compile(r"\[Errno -?\d+\] (?P<cause>[^'\")\]]+)")
_INSECURE = re.compile(r"repository located at (?P<host>\S+) is not a trusted or secure host")
_INDEXES = re.compile(r"Looking in indexes: (?P<urls>.+)$")
_NOT_FOUND = re.compile(r"No matching distribution found for (?P<req>\S+)")
_NO_VERSIONS = re.compile(r"\(from versions: none\)|No matching distribution found")
PROBE_TIMEOUT = 5.0
# Failures that mean "nothing could be fetched": only then do earlier network warnings explain them.
_FETCH_FAILED = re.compile(r"No matching distribution found|Could not find a version that satisfies|"
                           r"due to an OSError|Max retries exceeded|ResolutionFailure|Could not fetch URL")


def explain(output: list[str], default_index: str, tool: str = "pip", index_urls: Sequence[str] = (),
            environ: Optional[Mapping[str, str]] = None) -> Optional[errors.UserError]:
    """A user error for a failed pip/pipenv run, or None when the output shows no known cause.

    `default_index` describes where packages come from when pip did not say (PipConfig.describe_index());
    `index_urls` are indexes to probe when the output hides the cause (besides those pip names);
    `environ` is the tool's environment (which CA bundle it used).
    """
    if not any(_FETCH_FAILED.search(line) for line in output):
        return None
    index = _index_from_output(output) or default_index
    for line in output:
        if _TLS.search(line):
            return errors.certificate_untrusted(tool, _host(line) or _host_of(index) or index, _tls_reason(output))
    network = [line for line in output if _NETWORK.search(line)]
    if network:
        return errors.index_unreachable(tool, index, _network_cause(network))
    for line in output:
        match = _INSECURE.search(line)
        if match:
            return errors.index_insecure(tool, match["host"])
    if any(_NO_VERSIONS.search(line) for line in output):
        urls = [*_urls_from_output(output), *index_urls]
        for url in dict.fromkeys(urls):
            found = _probe(url, environ or {}, tool)
            if found is not None:
                return found
    for line in reversed(output):
        match = _NOT_FOUND.search(line)
        if match:
            return errors.package_not_found(match["req"], index)
    return None


def _urls_from_output(output: list[str]) -> list[str]:
    for line in output:
        match = _INDEXES.search(line)
        if match:
            return [u.strip() for u in match["urls"].split(",") if u.strip()]
    return []


def _probe(url: str, environ: Mapping[str, str], tool: str) -> Optional[errors.UserError]:
    """Connect to the index as pip would (no request is sent, so no credential either)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    shown = f"the index {redact_urls(url)}"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=PROBE_TIMEOUT) as sock:
            if parts.scheme == "https":
                cafile = next((environ[k] for k in ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
                               if environ.get(k)), None)
                context = ssl.create_default_context(cafile=cafile)
                with context.wrap_socket(sock, server_hostname=parts.hostname):
                    pass
    except ssl.SSLCertVerificationError as exc:
        return errors.certificate_untrusted(tool, parts.hostname, exc.verify_message or "")
    except socket.gaierror as exc:
        return errors.index_unreachable(tool, shown, f"cannot resolve {parts.hostname} ({exc.strerror})")
    except (socket.timeout, TimeoutError):
        return errors.index_unreachable(tool, shown, "the connection timed out")
    except ConnectionRefusedError:
        return errors.index_unreachable(tool, shown, "Connection refused")
    except (OSError, ssl.SSLError):
        return None  # some other failure: leave the verdict to pip's own words
    return None


def _index_from_output(output: list[str]) -> str:
    """pip prints "Looking in indexes: <urls>" (passwords as ****) whenever the index is not its default."""
    for line in output:
        match = _INDEXES.search(line)
        if match:
            urls = [redact_urls(u.strip()) for u in match["urls"].split(",") if u.strip()]
            return ("the index " if len(urls) == 1 else "the indexes ") + ", ".join(urls)
    return ""


def _host(line: str) -> str:
    match = _HOST.search(line)
    if match:
        return match["host"]
    url = _URL.search(line)
    return urllib.parse.urlsplit(url["url"]).hostname or "" if url else ""


def _host_of(index: str) -> str:
    url = _URL.search(index)
    return urllib.parse.urlsplit(url["url"]).hostname or "" if url else ""


def _tls_reason(output: list[str]) -> str:
    return next((reason for reason in map(tls_reason, output) if reason), "")


def _network_cause(lines: list[str]) -> str:
    for line in reversed(lines):
        match = _ERRNO.search(line)
        if match:
            return match["cause"].strip()
        if "Read timed out" in line:
            return "the server accepted the connection but did not answer (read timed out)"
        if "ConnectTimeoutError" in line or "timed out" in line:
            return "the connection timed out"
        if "ProxyError" in line:
            return "the proxy refused or failed the connection"
    return "the connection failed"
