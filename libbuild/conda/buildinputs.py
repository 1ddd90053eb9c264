"""Build inputs (libbuild/buildinputs.py) as the conda buildpacks use them: what a conda
environment depends on besides the conda tools, and whether pycnb/miniconda put conda on the
build.

conda-env-update puts its digest in its `conda` requirement; pycnb/miniconda records the
digests in a small launch-only layer, and while they and the tools are unchanged it installs no
conda at all and conda-env-update keeps its launch-only environment by metadata.
The detect path imports nothing heavy: YAML is parsed only when a `conda` binding is mounted.
"""
from __future__ import annotations

from ..buildinputs import NEUTRAL_TYPES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

# Set at build by pycnb/miniconda's layer when the conda command is on PATH for later buildpacks.
AT_BUILD_ENV = "PYCNB_CONDA_DISTRIBUTION"
# The .condarc keys conda honours for channels (channels.py reads them as KEYS); here so detect
# need not import channels.py.
CHANNEL_KEYS = ("channel_alias", "custom_channels", "default_channels", "channels")
# The app directory of a vendored channel (vendor.py reads it at build).
VENDOR_DIR = "vendor"


def conda_at_build(environ) -> bool:
    return bool(environ.get(AT_BUILD_ENV))


def describe_bindings(bindings: list) -> "Optional[bytes]":
    """The bindings as far as they decide an environment's contents, with no secret in it: the
    channel settings of each `conda` binding with credentials taken out of every URL (what the
    build log shows anyway), the type of each neutral binding; None for any other binding (a
    `pip` binding's index, an unknown kind) or an unreadable one: conda is then on every build."""
    out = []
    for b in sorted(bindings, key=lambda b: b.name):
        if b.type in NEUTRAL_TYPES:
            out.append(b.type)
            continue
        if b.type != "conda":
            return None
        entry = b.entries.get(".condarc") or b.entries.get("condarc")
        try:
            text = entry.read_text(encoding="utf-8") if entry is not None else ""
        except (OSError, UnicodeDecodeError):
            return None  # build reports it
        channels = channel_settings(text)
        if channels is None:
            return None
        out.append(f"conda\0{channels}")
    return "\0\0".join(out).encode("utf-8", "surrogateescape")


def channel_settings(text: str) -> "Optional[str]":
    """The channel keys of a .condarc, credentials removed: their lines, when the file is plain
    block YAML (top-level `key:` lines, indented or list lines under them); otherwise as parsed
    (YAML costs detect tens of milliseconds). Other keys, which may hold secrets of their own,
    are left out either way. None: not a valid .condarc."""
    import re

    kept, keep = [], False
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t-":
            if keep:
                kept.append(line.rstrip())
            continue
        key = re.match(r"([A-Za-z_][A-Za-z0-9_]*):(\s|$)", line)
        if key is None or "&" in line or "*" in line:
            return _parsed_channel_settings(text)  # quoted keys, flow style, anchors, documents
        keep = key[1] in CHANNEL_KEYS
        if keep:
            kept.append(line.rstrip())
    return _without_credentials("\n".join(kept))


def _parsed_channel_settings(text: str) -> "Optional[str]":
    import json

    from libbuild.errors import UserError

    from .channels import parse_condarc
    try:
        settings = parse_condarc(text, "a conda binding's .condarc")
    except UserError:
        return None
    return _without_credentials(json.dumps({k: settings[k] for k in CHANNEL_KEYS if k in settings}, sort_keys=True))


def _without_credentials(text: str) -> str:
    """Every URL's user, password and /t/<token>/ removed (libbuild/conda/channels.py redact(),
    applied anywhere in the text rather than to one URL)."""
    import re
    text = re.sub(r"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s'\"]*@", r"\1", text)
    return re.sub(r"/t/[^/\s'\"]+(?=/|\s|$|['\"])", "/t/***", text)
