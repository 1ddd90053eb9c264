"""Which file decides an R app's packages, and a vendored repository's index: what detect
needs, apart from inputs.py, whose parsers import dataclasses and typing (~15 ms a detect)."""
from __future__ import annotations

from pathlib import Path

from libbuild import appfiles

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

FILES = ("renv.lock", "r-packages.txt", "DESCRIPTION")
# A repository vendored in the app, first found wins (repositories.vendored reads it at build).
VENDOR_DIRS = ("minicran", "vendor/r")
INDEX_FILES = ("PACKAGES.gz", "PACKAGES")


def manifest(app: Path) -> Optional[str]:
    """The file that decides the packages, or None."""
    return next((name for name in FILES if appfiles.exists(app, name)), None)


def vendored_index(app: Path) -> Optional[list[str]]:
    """The index files of the app's vendored repository ([] when there is none), or None when
    a vendored directory has no index (build says so)."""
    for name in VENDOR_DIRS:
        path = Path(app) / name
        if path.is_symlink():
            return None  # build checks where it leads
        if path.is_dir():
            found = [f"{name}/src/contrib/{f}" for f in INDEX_FILES if appfiles.exists(app, f"{name}/src/contrib/{f}")]
            return found or None
    return []
