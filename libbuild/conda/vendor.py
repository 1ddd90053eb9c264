"""A conda channel vendored in the app (`vendor/`): the build then uses it and nothing else.

A channel directory has subdirectories (`noarch`, `linux-64`, ...) of packages, each with a
`repodata.json`. When that is missing, `indexed()` writes one beside links to the packages
in a scratch directory (the app stays untouched); this reads `.tar.bz2` packages only.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from .buildinputs import VENDOR_DIR

SUBDIRS = ("noarch", "linux-64", "linux-aarch64")


def find(app: Path) -> Optional[Path]:
    root = app / VENDOR_DIR
    for sub in SUBDIRS:
        d = root / sub
        if d.is_dir() and ((d / "repodata.json").is_file() or any(d.glob("*.tar.bz2")) or any(d.glob("*.conda"))):
            return root
    return None


def needs_index(channel: Path) -> bool:
    return any((channel / s).is_dir() and not (channel / s / "repodata.json").is_file() for s in SUBDIRS)


def has_conda_format(channel: Path) -> bool:
    return any(any((channel / s).glob("*.conda")) for s in SUBDIRS if (channel / s).is_dir())


def indexed(channel: Path, scratch: Path) -> Path:
    """A copy of the channel (links to its packages) with a repodata.json in every subdir."""
    out = scratch / "vendor-channel"
    for sub in SUBDIRS:
        src = channel / sub
        dest = out / sub
        dest.mkdir(parents=True, exist_ok=True)
        packages = {}
        for pkg in sorted(src.glob("*.tar.bz2")) if src.is_dir() else []:
            shutil.copyfile(pkg, dest / pkg.name)  # file:// channels are read as they are, links or not
            packages[pkg.name] = _record(pkg)
        (dest / "repodata.json").write_text(json.dumps({"info": {"subdir": sub}, "packages": packages,
                                                        "packages.conda": {}, "repodata_version": 1}, indent=1))
    return out


def _record(pkg: Path) -> dict:
    data = pkg.read_bytes()
    with tarfile.open(pkg, "r:bz2") as tar:
        member = tar.extractfile("info/index.json")
        record = json.loads(member.read()) if member else {}
    record.update(md5=hashlib.md5(data).hexdigest(), sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    return record
