"""Where conda channels are: `.condarc` settings merged from the app and a `conda` binding,
channel names turned into URLs, and URLs shown without their credentials.

The keys honoured are conda's own: `channel_alias` (a name `x` is `<alias>/x`),
`custom_channels` (`{name: base URL}`, the channel is `<base>/<name>`), `default_channels`
(what `defaults` means) and `channels`. A binding's `.condarc` wins over the app's for
every key it sets: the platform decides where names lead (its mirror), the app only
which channels it wants. A name no setting maps is left to the engine's own default.

Credentials (`user:password@` in a URL, or a conda token path `/t/<token>/`) may be in
any of these URLs; `redact()` removes them for logs, layer metadata and conda-meta.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping, Optional

from .. import errors
from ..bindings import Binding, of_type
from .buildinputs import CHANNEL_KEYS as KEYS

CONDARC = ".condarc"
_USERINFO = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@")
_TOKEN = re.compile(r"/t/[^/]+(?=/|$)")


def redact(url: str) -> str:
    """The URL with no user, password or token left in it."""
    return _TOKEN.sub("/t/***", _USERINFO.sub(lambda m: m["scheme"], url))


def secrets_of(url: str) -> list[str]:
    """The credential parts of a URL, for the logger to mask."""
    found = []
    m = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://(?P<info>[^/@\s]*)@", url)
    if m:
        found += [part for part in m["info"].split(":") if part]
    found += [t[3:] for t in _TOKEN.findall(url)]
    return found


def is_url(channel: str) -> bool:
    return "://" in channel


def parse_condarc(text: str, origin: str) -> dict[str, Any]:
    """The channel keys of a .condarc (YAML); anything else in it is ignored."""
    from .. import yamlfile
    data = yamlfile.loads(text, origin)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise errors.conda_condarc_invalid(origin, "expected a mapping of settings")
    out: dict[str, Any] = {}
    for key in KEYS:
        if key not in data or data[key] is None:
            continue
        value = data[key]
        if key == "channel_alias" and not isinstance(value, str):
            raise errors.conda_condarc_invalid(origin, "channel_alias must be a URL")
        if key == "custom_channels" and not (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
            raise errors.conda_condarc_invalid(origin, "custom_channels must map channel names to URLs")
        if key in ("default_channels", "channels") and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise errors.conda_condarc_invalid(origin, f"{key} must be a list of channel names or URLs")
        out[key] = value
    return out


@dataclass
class ChannelConfig:
    """Merged channel settings and where they came from."""
    channel_alias: Optional[str] = None
    custom_channels: dict[str, str] = field(default_factory=dict)
    default_channels: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def merge(self, settings: Mapping[str, Any], origin: str) -> "ChannelConfig":
        if not settings:
            return self
        self.sources.append(origin)
        if "channel_alias" in settings:
            self.channel_alias = settings["channel_alias"]
        if "custom_channels" in settings:
            self.custom_channels.update(settings["custom_channels"])
        if "default_channels" in settings:
            self.default_channels = list(settings["default_channels"])
        if "channels" in settings:
            self.channels = list(settings["channels"])
        return self

    @classmethod
    def load(cls, app_condarc: Optional[str], bindings: list[Binding]) -> "ChannelConfig":
        """The app's .condarc text (if any), then every `conda` binding's .condarc."""
        config = cls()
        if app_condarc is not None:
            config.merge(parse_condarc(app_condarc, f"the app's {CONDARC}"), f"the app's {CONDARC}")
        for b in of_type(bindings, "conda"):
            entry = b.entries.get(CONDARC) or b.entries.get("condarc")
            if entry is not None:
                config.merge(parse_condarc(entry.read_text(), f"binding {b.name}/{entry.name}"), f"binding {b.name}")
        return config

    def resolve(self, wanted: list[str]) -> list[str]:
        """Channel URLs (or names left to the engine) for `wanted`, or for .condarc's
        `channels`, or `defaults`; `nodefaults` drops the defaults."""
        names = [c for c in wanted if c != "nodefaults"] or self.channels or ["defaults"]
        out: list[str] = []
        for name in names:
            for url in self._expand(name):
                if url not in out:
                    out.append(url)
        return out

    def _expand(self, name: str) -> list[str]:
        if name == "defaults":
            if not self.default_channels:
                return ["defaults"]
            return [u for d in self.default_channels if d != "defaults" for u in self._expand(d)]
        if is_url(name):
            return [name.rstrip("/")]
        if name.startswith("/"):
            return [Path(name).as_uri()]
        if name in self.custom_channels:
            return [f"{self.custom_channels[name].rstrip('/')}/{name}"]
        if self.channel_alias:
            return [f"{self.channel_alias.rstrip('/')}/{name}"]
        return [name]

    def mirrored(self, url: str) -> str:
        """A locked package URL (<base>/<channel>/<subdir>/<file>) moved onto the configured
        location of its channel name (custom_channels, then channel_alias); the lock's hash
        still decides whether the file is the one locked."""
        head, _, file_name = url.rpartition("/")
        base, _, subdir = head.rpartition("/")
        name = base.rpartition("/")[2]
        if not (name and subdir and file_name):
            return url
        target = self.custom_channels.get(name) and f"{self.custom_channels[name].rstrip('/')}/{name}"
        if not target and self.channel_alias:
            target = f"{self.channel_alias.rstrip('/')}/{name}"
        return f"{target}/{subdir}/{file_name}" if target else url

    def to_condarc(self, channels: list[str]) -> str:
        """A .condarc for the conda command: the channels already resolved to URLs."""
        import yaml
        data: dict[str, Any] = {"channels": channels, "channel_priority": "strict"}
        if self.channel_alias:
            data["channel_alias"] = self.channel_alias
        if self.custom_channels:
            data["custom_channels"] = dict(self.custom_channels)
        if self.default_channels:
            data["default_channels"] = list(self.default_channels)
        return yaml.safe_dump(data, sort_keys=True)

    def secrets(self) -> list[str]:
        urls = [self.channel_alias or ""] + list(self.custom_channels.values()) + self.default_channels + self.channels
        return [s for u in urls for s in secrets_of(u)]
