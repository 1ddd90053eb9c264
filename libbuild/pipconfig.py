"""How pip is configured for a build: PIP_* settings, the `pip` binding, find-links,
a vendored wheelhouse — and a fingerprint of all that without secrets, for layer digests.

A `pip` binding carries a `pip.conf` (index-url with credentials, extra-index-url,
trusted-host, timeout...). pip reads it through PIP_CONFIG_FILE, pointing into the
platform's bindings, so the file and its credentials never enter a layer.
"""
from __future__ import annotations

import configparser
import functools
import hashlib
import json
import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping, Optional

from . import appfiles, errors
from .bindings import Binding, of_type
from .log import redact_urls
from .python.buildinputs import WHEELHOUSE_DIRS  # one list, kept where detect can read it
_ARCHIVES = ("*.whl", "*.tar.gz", "*.zip", "*.tar.bz2")
# Settings that would send an install somewhere other than the layer.
_REDIRECTING = ("PIP_USER", "PIP_TARGET", "PIP_PREFIX", "PIP_ROOT", "PIP_EDITABLE")
# Files pip would read on its own, unchecked: kept from pip; pip-install reads them as the
# app's own requirement files, through the confinement rule.
APP_FILE_SETTINGS = ("PIP_REQUIREMENT", "PIP_CONSTRAINT")

_INDEX_OPTIONS = ("-i ", "--index-url", "--extra-index-url")
_QUIET = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1", "PIP_PROGRESS_BAR": "off"}
# py_compile writes hash-based .pyc files when this is set: layers stay reproducible.
SOURCE_DATE_EPOCH = "315532800"


def find_link(app_dir: Path, link: str) -> str:
    """One BP_PIP_FIND_LINKS entry, checked: a URL is pip's to fetch; a relative path is
    confined to the app; an absolute path is a location the platform mounted (the setting
    is documented for that) and may lie outside the app. Either must exist: pip itself
    would only warn and go on without it."""
    if link.lower().startswith("file:"):
        path = urllib.parse.unquote(urllib.parse.urlsplit(link).path)
        if not os.path.exists(path):
            raise errors.location_missing("BP_PIP_FIND_LINKS", link)
        return link
    if "://" in link:
        return link
    if os.path.isabs(link):
        if not os.path.exists(link):
            raise errors.location_missing("BP_PIP_FIND_LINKS", link)
        return link
    real = appfiles.confine(app_dir, link, "BP_PIP_FIND_LINKS")
    if not real.exists():
        raise errors.location_missing("BP_PIP_FIND_LINKS", link)
    return str(real)


@dataclass
class PipConfig:
    """Everything that decides what pip installs, except the requirements themselves."""
    environ: dict[str, str]
    config_file: Optional[Path] = None
    find_links: list[str] = field(default_factory=list)
    no_index: bool = False
    wheelhouse: Optional[Path] = None
    # Wheelhouses from elsewhere (s3 bindings), by what messages call them.
    extra_wheelhouses: list[str] = field(default_factory=list)

    @classmethod
    def for_build(cls, settings: Mapping[str, str], bindings: list[Binding], app_dir: Path,
                  extra_find_links: list[str]) -> "PipConfig":
        env = {k: v for k, v in settings.items()
               if k != "PYTHONHOME" and k not in _REDIRECTING and k not in APP_FILE_SETTINGS}
        env.update(_QUIET)
        env["SOURCE_DATE_EPOCH"] = settings.get("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        config_file = None
        for b in of_type(bindings, "pip"):
            if "pip.conf" in b.entries:
                config_file = b.entries["pip.conf"]
                env["PIP_CONFIG_FILE"] = str(config_file)
                break
        wheelhouse = next((appfiles.confine(app_dir, d, f"the vendored {d}/ directory") for d in WHEELHOUSE_DIRS
                           if (app_dir / d).is_dir() and any(any((app_dir / d).glob(p)) for p in _ARCHIVES)), None)
        links = [find_link(app_dir, link) for link in extra_find_links]
        if wheelhouse:
            links.insert(0, str(wheelhouse))
        return cls(env, config_file, links, no_index=wheelhouse is not None, wheelhouse=wheelhouse)

    def install_args(self) -> list[str]:
        args = ["--no-index"] if self.no_index else []
        for link in self.find_links:
            args += ["--find-links", link]
        return args

    def use_wheelhouse(self, path: Path, label: str, exclusive: bool) -> None:
        """A wheelhouse synced from elsewhere: --find-links, and --no-index when it is to be
        the only source."""
        self.find_links.insert(0, str(path))
        self.extra_wheelhouses.append(label)
        self.no_index = self.no_index or exclusive

    def describe_index(self) -> str:
        """Where packages come from, for messages (no secrets)."""
        if self.no_index:
            vendored = [f"the vendored wheelhouse {self.wheelhouse.name}/"] if self.wheelhouse else []
            return " and ".join(vendored + self.extra_wheelhouses)
        index = self.index_url()
        where = f"the index {redact_urls(index)}" if index else "the default package index"
        if self.extra_wheelhouses:
            return where + " and " + " and ".join(self.extra_wheelhouses)
        return where + (f" and {', '.join(map(redact_urls, self.find_links))}" if self.find_links else "")

    def index_url(self) -> Optional[str]:
        """The index the platform chose (PIP_INDEX_URL, else a pip binding's index-url), if any."""
        if self.environ.get("PIP_INDEX_URL"):
            return self.environ["PIP_INDEX_URL"]
        for section in ("install", "global"):
            if self._conf.has_option(section, "index-url"):
                return self._conf.get(section, "index-url")
        return None

    def has_platform_index(self) -> bool:
        return self.index_url() is not None

    def without_lock_sources(self, lines: list[str]) -> list[str]:
        """A lock export names the lock's index (`-i ...`); an index the platform configured
        wins over it, so those lines go when there is one."""
        if not self.has_platform_index():
            return lines
        return [line for line in lines if not line.startswith(_INDEX_OPTIONS)]

    @functools.cached_property
    def _conf(self) -> configparser.ConfigParser:
        parser = configparser.ConfigParser()
        if self.config_file:
            parser.read(self.config_file)
        return parser

    def fingerprint(self) -> str:
        """A digest of the index configuration with credentials masked: a password change
        does not change what gets installed, so it does not rebuild the layer."""
        parts: dict[str, object] = {k: redact_urls(v) for k, v in sorted(self.environ.items())
                                    if k.startswith("PIP_") and k != "PIP_CONFIG_FILE"}
        if self.config_file:
            parts["pip.conf"] = {s: {k: redact_urls(v) for k, v in sorted(self._conf.items(s))}
                                 for s in sorted(self._conf.sections())}
        parts["find-links"] = [redact_urls(link) for link in self.find_links]
        parts["no-index"] = self.no_index
        if self.wheelhouse:
            parts["wheelhouse"] = sorted((p.name, p.stat().st_size) for p in self.wheelhouse.iterdir() if p.is_file())
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
