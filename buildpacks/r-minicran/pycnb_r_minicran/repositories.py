"""Which CRAN-like repositories a build installs from, and what their indexes say.

Precedence (the first that is set wins, the others are not used):
  1. a repository vendored in the app: minicran/ or vendor/r/ with src/contrib/PACKAGES;
  2. bindings of type `cran`, entry `repos` (one or more URLs, credentials allowed);
  3. BP_R_REPOS (URLs separated by spaces, commas or newlines).
A URL's credentials (user:password@) reach R only through a private request file; logs,
layer metadata and the SBOM see `shown` URLs, without them.
"""
from __future__ import annotations

import gzip
import hashlib
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from libbuild import appfiles, bindings as _bindings, errors as lib_errors
from libbuild.log import Logger
from libbuild.r import dcf

from . import errors
from .manifest import INDEX_FILES, VENDOR_DIRS
INDEX_LIMIT = 64 * 1024 * 1024
CONNECT_TIMEOUT, READ_TIMEOUT = 10, 120
_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Repository:
    url: str            # what R gets (may hold credentials)
    origin: str         # where it was configured

    @property
    def shown(self) -> str:
        return without_credentials(self.url)

    @property
    def contrib(self) -> str:
        return self.url.rstrip("/") + "/src/contrib"


def without_credentials(url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    if "@" not in parsed.netloc:
        return url
    return urllib.parse.urlunsplit(parsed._replace(netloc=parsed.netloc.rpartition("@")[2]))


def credentials(url: str) -> list[str]:
    """The secret parts of a URL (password, user:password), for the logger to mask."""
    parsed = urllib.parse.urlsplit(url)
    userinfo = parsed.netloc.rpartition("@")[0] if "@" in parsed.netloc else ""
    return [s for s in {userinfo, userinfo.partition(":")[2], urllib.parse.unquote(userinfo.partition(":")[2])} if s]


def parse_urls(text: str, origin: str) -> list[Repository]:
    repos = []
    for url in (u for u in _SPLIT.split(text.strip()) if u):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("file", "http", "https") or (parsed.scheme != "file" and not parsed.hostname):
            raise errors.repository_url_invalid(origin, without_credentials(url))
        repos.append(Repository(url.rstrip("/"), origin))
    return repos


def vendored(app: Path) -> Optional[Path]:
    """The app's vendored repository, confined to the app (every file in it too)."""
    for name in VENDOR_DIRS:
        if not appfiles.exists(app, name):
            continue
        root = appfiles.confine(app, name, f"the vendored R repository {name}/")
        if not root.is_dir():
            continue
        if not any((root / "src" / "contrib" / f).exists() for f in INDEX_FILES):
            raise errors.vendored_without_index(name)
        for path in sorted(root.rglob("*")):  # R follows links: none may lead out of the app
            appfiles.confine(app, path, f"the vendored R repository {name}/", shown=str(path.relative_to(app)))
        return root
    return None


def configured(app: Path, settings, bindings: list[_bindings.Binding], log: Logger) -> tuple[list[Repository], str]:
    """The repositories to use and a sentence saying where they came from."""
    root = vendored(app)
    if root is not None:
        name = str(root.relative_to(Path(app).resolve()))
        return [Repository(root.as_uri(), f"{name}/")], f"the repository vendored in {name}/ (offline)"
    found: list[Repository] = []
    for b in _bindings.of_type(bindings, "cran"):
        text = b.get("repos")
        if text:
            found += parse_urls(text, f"binding {b.name}")
    if found:
        where = f"the cran binding ({', '.join(sorted({r.origin.split(' ', 1)[1] for r in found}))})"
    else:
        found = parse_urls(settings.get("BP_R_REPOS", "") or "", "BP_R_REPOS")
        where = "BP_R_REPOS"
    if not found:
        raise errors.no_repository()
    for repo in found:
        for secret in credentials(repo.url):
            log.add_secret(secret)
    return found, where


@dataclass
class Index:
    """A repository's src/contrib/PACKAGES, parsed: package -> record."""
    repo: Repository
    text: str
    records: dict[str, dict[str, str]]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def read_index(repo: Repository, app: Path) -> Index:
    text = None
    for name, unpack in (("PACKAGES.gz", True), ("PACKAGES", False)):
        data = _get(repo, f"{repo.contrib}/{name}", app)
        if data is not None:
            try:
                text = (gzip.decompress(data) if unpack else data).decode("utf-8", "replace")
            except (OSError, EOFError) as exc:
                raise errors.index_unreachable(repo.shown, f"{name} is not gzip data ({exc})") from None
            break
    if text is None:
        raise errors.index_unreachable(repo.shown, "it has neither src/contrib/PACKAGES.gz nor src/contrib/PACKAGES")
    records: dict[str, dict[str, str]] = {}
    for record in dcf.parse(text, f"{repo.shown}/src/contrib/PACKAGES"):
        if "Package" in record and "Version" in record:
            records.setdefault(record["Package"], record)  # R keeps the first of duplicates too
    return Index(repo, text, records)


def has_file(repo: Repository, path: str, app: Path) -> bool:
    """Whether the repository serves `path` (relative to src/contrib)."""
    return _get(repo, f"{repo.contrib}/{path}", app, head=True) is not None


def _get(repo: Repository, url: str, app: Path, head: bool = False) -> Optional[bytes]:
    """A file's bytes (b"" for a HEAD that succeeded), None when it does not exist."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "file":
        path = Path(urllib.parse.unquote(parsed.path))
        if not path.is_file():
            return None
        if head:
            return b""
        # A file:// repository the platform mounted may lie outside the app; the vendored one does not.
        return appfiles.read_bytes(app, path, "the R repository index", INDEX_LIMIT, allowed=[path.parent])
    import requests  # lazily: detect never pays for it
    try:
        resp = (requests.head if head else requests.get)(url, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), allow_redirects=True)
    except requests.RequestException as exc:
        raise errors.index_unreachable(repo.shown, _clean(str(exc), repo)) from None
    if resp.status_code == 404:
        return None
    if resp.status_code in (401, 403):
        raise errors.index_unreachable(repo.shown, f"HTTP {resp.status_code}: the credentials are missing or refused")
    if resp.status_code >= 400:
        raise errors.index_unreachable(repo.shown, f"HTTP {resp.status_code} for {without_credentials(url)}")
    return b"" if head else resp.content[:INDEX_LIMIT + 1]


def _clean(text: str, repo: Repository) -> str:
    for secret in credentials(repo.url):
        text = text.replace(secret, "***")
    return lib_errors.excerpt(text, 200)


def check_requested(wanted, indexes: list[Index], app: Path) -> dict[str, str]:
    """Every requested package is in some repository, at the pinned version when one is pinned
    (the current one, or an older one in src/contrib/Archive/<pkg>/). Returns, for each pinned
    package that comes from an Archive, the Archive directory's URL. Dependencies are R's to
    resolve (install.R reports the ones missing)."""
    shown = [i.repo.shown for i in indexes]
    archives: dict[str, str] = {}
    for w in wanted:
        holders = [i for i in indexes if w.name in i.records]
        if not holders:
            raise errors.package_missing(w.name, "", shown)
        if not w.version or any(i.records[w.name]["Version"] == w.version for i in holders):
            continue
        archived = f"Archive/{w.name}/{w.name}_{w.version}.tar.gz"
        holder = next((i for i in holders if has_file(i.repo, archived, app)), None)
        if holder is None:
            raise errors.version_unavailable(w.name, w.version, shown, holders[0].records[w.name]["Version"])
        archives[w.name] = f"{holder.repo.contrib}/Archive/{w.name}"
    return archives
