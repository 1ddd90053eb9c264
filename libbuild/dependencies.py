"""Dependencies from a catalog: resolve by version constraint and target, download
(through mirrors and mappings), verify sha256 always, cache by checksum, extract safely.

Catalog sources, in priority order for equal versions:
  1. extra catalogs a platform supplies: bindings of type `dependency-catalog` (each
     *.toml entry) and BP_DEPENDENCY_CATALOG (comma-separated paths or URLs);
  2. the buildpack's own [[metadata.dependencies]].
URI rewrites, first match wins:
  1. a `dependency-mapping` binding entry named by the dependency's sha256;
  2. BP_DEPENDENCY_MIRROR_<HOST> then BP_DEPENDENCY_MIRROR (env), then a
     `dependency-mirror` binding's <host> then `default` entry. A mirror is a URL prefix;
     `{originalHost}` in it is replaced by the original host.
"""
from __future__ import annotations

import datetime
import hashlib
import os
import re
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping, Optional

from . import errors, tomlfile, versions
from .bindings import Binding, of_type
from .descriptors import Target
from .log import Logger, redact_urls
from .sbom import Component

CONNECT_TIMEOUT = 10
READ_TIMEOUT = 120
RETRIES = 3
_SHA256 = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Dependency:
    """One [[metadata.dependencies]] entry of a catalog."""
    id: str
    version: str
    uri: str
    checksum: str
    name: str = ""
    source: str = ""
    source_checksum: str = ""
    targets: tuple[Target, ...] = ()
    stacks: tuple[str, ...] = ()
    cpe: str = ""
    purl: str = ""
    licenses: tuple[str, ...] = ()
    deprecation_date: str = ""
    strip_components: int = 0
    origin: str = "buildpack.toml"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], origin: str) -> "Dependency":
        for key in ("id", "version", "uri", "checksum"):
            if not d.get(key):
                raise errors.invalid_catalog(origin, f"an entry has no {key}: {dict(d)}")
        checksum = str(d["checksum"]).lower()
        if not _SHA256.match(checksum):
            raise errors.invalid_catalog(origin, f"{d['id']} {d['version']}: checksum must be sha256:<64 hex>, got {d['checksum']!r}")
        return cls(id=str(d["id"]), version=str(d["version"]), uri=str(d["uri"]), checksum=checksum,
                   name=str(d.get("name", "")), source=str(d.get("source", "")),
                   source_checksum=str(d.get("source-checksum", "")),
                   targets=tuple(Target.from_dict(t) for t in d.get("targets", [])),
                   stacks=tuple(d.get("stacks", [])), cpe=str(d.get("cpe", "")), purl=str(d.get("purl", "")),
                   licenses=tuple(d.get("licenses", [])), deprecation_date=str(d.get("deprecation_date", "")),
                   strip_components=int(d.get("strip-components", 0)), origin=origin)

    @property
    def sha256(self) -> str:
        return self.checksum.split(":", 1)[1]

    @property
    def display(self) -> str:
        return f"{self.name or self.id} {self.version}"

    def supports(self, target: Target) -> bool:
        return not self.targets or any(t.accepts(target) for t in self.targets)

    def deprecated(self, today: Optional[datetime.date] = None) -> bool:
        if not self.deprecation_date:
            return False
        try:
            when = datetime.date.fromisoformat(self.deprecation_date[:10])
        except ValueError:
            return False
        return (today or datetime.date.today()) >= when

    def component(self) -> Component:
        return Component(self.name or self.id, self.version, purl=self.purl, cpe=self.cpe,
                         licenses=self.licenses, sha256=self.sha256, kind="application")


class Catalog:
    def __init__(self, entries: Iterable[Dependency]):
        self.entries = list(entries)

    @classmethod
    def load(cls, metadata: Mapping[str, Any], environ: Mapping[str, str], bindings: list[Binding],
             log: Logger) -> "Catalog":
        extra: list[Dependency] = []
        for b in of_type(bindings, "dependency-catalog"):
            for key, path in sorted(b.entries.items()):
                if key.endswith(".toml"):
                    origin = f"binding {b.name}/{key}"
                    extra += _entries(tomlfile.read(path), origin)
        for ref in filter(None, (r.strip() for r in environ.get("BP_DEPENDENCY_CATALOG", "").split(","))):
            extra += _entries(tomlfile.loads(_read_ref(ref), ref), f"BP_DEPENDENCY_CATALOG {log.redact(ref)}")
        if extra:
            log.debug(f"{len(extra)} extra catalog entries from the platform")
        own = [Dependency.from_dict(d, "buildpack.toml") for d in metadata.get("dependencies", [])]
        return cls(extra + own)

    def candidates(self, dep_id: str, target: Target) -> list[Dependency]:
        return [d for d in self.entries if d.id == dep_id and d.supports(target)]

    def versions(self, dep_id: str, target: Target) -> list[str]:
        return versions.sort_versions(d.version for d in self.candidates(dep_id, target))

    def find(self, dep_id: str, constraint: str, target: Target, source: str = "the buildpack") -> Optional[Dependency]:
        spec = versions.parse_constraint(constraint, source)
        pool = self.candidates(dep_id, target)
        chosen = versions.best([d.version for d in pool], spec)
        # Entries keep catalog order, so a platform's own entry wins over ours for a version.
        return next((d for d in pool if d.version == chosen), None) if chosen else None


def _entries(data: Mapping[str, Any], origin: str) -> list[Dependency]:
    raw = data.get("dependencies", data.get("metadata", {}).get("dependencies", []))
    if not isinstance(raw, list):
        raise errors.invalid_catalog(origin, "expected an array of [[dependencies]] tables")
    return [Dependency.from_dict(d, origin) for d in raw]


# A catalog lists a few hundred dependencies at most.
CATALOG_LIMIT = 4 * 1024 * 1024


def _read_ref(ref: str) -> str:
    parsed = urllib.parse.urlparse(ref)
    if parsed.scheme in ("http", "https"):
        return _get_catalog(ref, parsed)
    path = urllib.parse.unquote(parsed.path) if parsed.scheme == "file" else ref
    try:
        if not Path(path).is_file():  # a directory, a FIFO or /dev/zero is no catalog
            raise errors.download_failed("the dependency catalog", ref, "not a regular file")
        with open(path, "rb") as fh:
            data = fh.read(CATALOG_LIMIT + 1)
        if len(data) > CATALOG_LIMIT:
            raise errors.download_failed("the dependency catalog", ref, f"larger than {CATALOG_LIMIT // 1024} KiB")
        return data.decode("utf-8")
    except (OSError, ValueError) as exc:  # unreadable, not UTF-8, or a NUL in the path
        raise errors.download_failed("the dependency catalog", ref, getattr(exc, "strerror", None) or str(exc)) from None


def _get_catalog(ref: str, parsed: urllib.parse.ParseResult) -> str:
    """GET a catalog with the standard library. Every build that names a catalog reads it, even
    when nothing is downloaded, and importing requests would cost it ~35 ms; the downloads keep
    requests. The trust is the downloader's: REQUESTS_CA_BUNDLE (pycnb/ca-certificates sets it),
    CURL_CA_BUNDLE, else certifi's bundle; proxies come from the same *_proxy variables."""
    import base64
    import ssl
    import urllib.error
    import urllib.request
    shown = redact_urls(ref)
    url, headers = ref, {}
    if parsed.username is not None:  # user:password@ in the URL is basic auth, as requests sends it
        netloc = parsed.hostname or ""
        netloc = f"[{netloc}]" if ":" in netloc else netloc
        url = parsed._replace(netloc=netloc + (f":{parsed.port}" if parsed.port else "")).geturl()
        user = urllib.parse.unquote(parsed.username)
        password = urllib.parse.unquote(parsed.password or "")
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    context = None
    if parsed.scheme == "https":
        cafile = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if not cafile:
            import certifi
            cafile = certifi.where()
        context = ssl.create_default_context(cafile=cafile)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=READ_TIMEOUT,
                                    context=context) as resp:
            data = resp.read(CATALOG_LIMIT + 1)
    except urllib.error.HTTPError as exc:
        raise errors.download_failed("the dependency catalog", shown, f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, ssl.SSLCertVerificationError):
            raise _certificate_error(ref, reason) from None
        raise errors.download_failed("the dependency catalog", shown, str(reason)) from None
    if len(data) > CATALOG_LIMIT:
        raise errors.download_failed("the dependency catalog", shown, f"larger than {CATALOG_LIMIT // 1024} KiB")
    try:
        return data.decode("utf-8")
    except ValueError:
        raise errors.download_failed("the dependency catalog", shown, "not UTF-8 text") from None


def _certificate_error(uri: str, exc: Exception) -> errors.UserError:
    """TLS verification failed: a certificate problem, which a ca-certificates binding fixes (the
    downloader's requests reads REQUESTS_CA_BUNDLE, which pycnb/ca-certificates sets for the build)."""
    from .certificates import tls_reason
    return errors.certificate_untrusted("the dependency download", urllib.parse.urlparse(uri).hostname or uri,
                                        tls_reason(str(exc)))


def _host_key(host: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", host.upper())


class DependencyFetcher:
    """Downloads and verifies catalog entries; files are cached by checksum in `cache_dir`."""

    def __init__(self, environ: Mapping[str, str], bindings: list[Binding], log: Logger,
                 cache_dir: Optional[str | Path] = None):
        self.environ = environ
        self.log = log
        # Without a cache dir, downloads live only as long as this fetcher.
        self._scratch = None if cache_dir else tempfile.TemporaryDirectory(prefix="pycnb-downloads-")
        self.cache_dir = Path(cache_dir) if cache_dir else Path(self._scratch.name)
        self.mappings: dict[str, str] = {}
        for b in of_type(bindings, "dependency-mapping"):
            for key in b.entries:
                self.mappings.setdefault(key.lower().removeprefix("sha256:"), b.get(key) or "")
        self.binding_mirrors: dict[str, str] = {}
        for b in of_type(bindings, "dependency-mirror"):
            for key in b.entries:
                self.binding_mirrors.setdefault(key.lower(), b.get(key) or "")

    def effective_uri(self, dep: Dependency) -> tuple[str, str]:
        """The URI to fetch and why it was chosen."""
        if dep.sha256 in self.mappings:
            return self.mappings[dep.sha256], "dependency-mapping binding"
        parsed = urllib.parse.urlparse(dep.uri)
        host = parsed.hostname or ""
        candidates = [(self.environ.get(f"BP_DEPENDENCY_MIRROR_{_host_key(host)}"), f"BP_DEPENDENCY_MIRROR_{_host_key(host)}"),
                      (self.environ.get("BP_DEPENDENCY_MIRROR"), "BP_DEPENDENCY_MIRROR"),
                      (self.binding_mirrors.get(host.lower()), "dependency-mirror binding"),
                      (self.binding_mirrors.get("default"), "dependency-mirror binding")]
        for mirror, how in candidates:
            if mirror and parsed.scheme in ("http", "https"):
                if urllib.parse.urlparse(mirror).netloc == parsed.netloc:
                    return dep.uri, "catalog"  # already served by the mirror
                prefix = mirror.replace("{originalHost}", parsed.netloc.rpartition("@")[2]).rstrip("/")
                return prefix + parsed.path + (f"?{parsed.query}" if parsed.query else ""), how
        return dep.uri, "catalog"

    def fetch(self, dep: Dependency) -> Path:
        """A local file with the dependency's verified content."""
        uri, how = self.effective_uri(dep)
        if how != "catalog":
            self.log.detail(f"Using {self.log.redact(uri)} (from {how})")
        name = Path(urllib.parse.urlparse(uri).path).name or dep.id
        cached = self.cache_dir / dep.sha256 / name
        if cached.is_file() and _sha256_file(cached) == dep.sha256:
            self.log.debug(f"download cache hit for {dep.display}")
            return cached
        parsed = urllib.parse.urlparse(uri)
        if parsed.scheme in ("file", ""):
            local = Path(urllib.parse.unquote(parsed.path))
            if not local.is_file():
                raise errors.download_failed(dep.display, uri, "no such file")
            actual = _sha256_file(local)
            if actual != dep.sha256:
                raise errors.checksum_mismatch(dep.display, self.log.redact(uri), dep.checksum, actual)
            return local
        self.log.detail(f"Downloading {self.log.redact(uri)}")
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=cached.parent, prefix=".part-")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            actual = self._download(uri, tmp, dep.display)
            if actual != dep.sha256:
                raise errors.checksum_mismatch(dep.display, self.log.redact(uri), dep.checksum, actual)
            os.replace(tmp, cached)
        finally:
            tmp.unlink(missing_ok=True)
        return cached

    def _download(self, uri: str, dest: Path, label: str) -> str:
        import requests  # lazily: detect never pays for it
        last = ""
        for attempt in range(1, RETRIES + 1):
            digest = hashlib.sha256()
            try:
                with requests.get(uri, stream=True, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)) as resp:
                    if resp.status_code >= 500:
                        raise requests.HTTPError(f"HTTP {resp.status_code}")
                    if resp.status_code >= 400:  # not worth retrying
                        raise errors.download_failed(label, self.log.redact(uri), f"HTTP {resp.status_code}")
                    with open(dest, "wb") as out:
                        for chunk in resp.iter_content(1 << 20):
                            digest.update(chunk)
                            out.write(chunk)
                return digest.hexdigest()
            except requests.exceptions.SSLError as exc:  # retrying cannot help: the CA is not trusted
                raise _certificate_error(uri, exc) from exc
            except requests.RequestException as exc:
                last = self.log.redact(str(exc))
                if attempt < RETRIES:
                    self.log.detail(f"Download failed ({last}); retrying ({attempt}/{RETRIES - 1})")
                    time.sleep(min(2 ** attempt, 10) * 0.5)
        raise errors.download_failed(label, self.log.redact(uri), last)

    def install(self, dep: Dependency, dest: str | Path) -> None:
        """Fetch, verify and extract into dest (left empty if anything fails)."""
        archive = self.fetch(dep)
        from . import archives  # tarfile and zipfile: only when something is installed
        archives.extract(archive, dest, dep.strip_components, label=dep.display)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
