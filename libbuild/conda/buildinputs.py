"""Build inputs (libbuild/buildinputs.py) as the conda buildpacks use them: what a conda
environment depends on besides the conda tools, and whether pycnb/miniconda put conda on the
build.

conda-env-update puts its digest in its `conda` requirement; pycnb/miniconda records the
digests in a small launch-only layer, and while they and the tools are unchanged it installs no
conda at all and conda-env-update keeps its launch-only environment by metadata.
The detect path imports nothing heavy: YAML is parsed only when a `conda` binding is mounted.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

# Set at build by pycnb/miniconda's layer when the conda command is on PATH for later buildpacks.
AT_BUILD_ENV = "PYCNB_CONDA_DISTRIBUTION"
# Bindings that decide how tools are fetched or which certificates are trusted, never which
# packages an environment gets (the tools' own identity is in miniconda's record).
NEUTRAL_TYPES = frozenset({"ca-certificates", "dependency-mapping", "dependency-mirror", "dependency-catalog"})
# The .condarc keys libbuild/conda/channels.py reads (its KEYS), without importing it at detect.
CHANNEL_KEYS = ("channel_alias", "custom_channels", "default_channels", "channels")


def conda_at_build(environ) -> bool:
    return bool(environ.get(AT_BUILD_ENV))


def describe_bindings(bindings: list) -> "Optional[bytes]":
    """The bindings as far as they decide an environment's contents, with no secret in it: the
    channel settings of each `conda` binding with credentials taken out of every URL (what the
    build log shows anyway), the type of each neutral binding; None for any other binding (a
    `pip` binding's index, an unknown kind) or an unreadable one: conda is then on every build."""
    import json

    from libbuild.errors import UserError

    out = []
    for b in sorted(bindings, key=lambda b: b.name):
        if b.type in NEUTRAL_TYPES:
            out.append([b.type])
            continue
        if b.type != "conda":
            return None
        entry = b.entries.get(".condarc") or b.entries.get("condarc")
        if entry is None:
            out.append(["conda"])
            continue
        from .channels import parse_condarc
        try:
            settings = parse_condarc(entry.read_text(), f"binding {b.name}/{entry.name}")
        except (OSError, UnicodeDecodeError, UserError):
            return None  # build reports it
        out.append(["conda", {key: _redacted(settings[key]) for key in CHANNEL_KEYS if key in settings}])
    return json.dumps(out, sort_keys=True).encode()


def _redacted(value):
    from .channels import redact
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact(v) for v in value]
    return {k: redact(v) for k, v in sorted(value.items())}
