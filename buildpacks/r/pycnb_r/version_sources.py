"""Where an app says which R it wants, and which of those sources wins.

Priority (first wins): BP_R_VERSION > renv.lock `R.Version` > DESCRIPTION `Depends: R (>= ...)`
> the buildpack's default. renv.lock records the R the lock was made with: the request is
that release's line (4.5.1 -> the newest 4.5.x), because packages built for one x.y line run
on every patch of it, and a lock made on a patch the platform does not offer must still build.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from libbuild import appfiles, errors as lib_errors, versions
from libbuild.r import dcf, renvlock

from . import errors

PRIORITY = ("BP_R_VERSION", "renv.lock", "DESCRIPTION")
# renv.lock and DESCRIPTION are small; a lock of a few hundred packages stays far below this.
LOCK_LIMIT = 4 * 1024 * 1024
DESCRIPTION_LIMIT = 256 * 1024
_CONSTRAINT_LIMIT = 100
_SAFE = re.compile(r"^[0-9.*<>=!~, ]+$")


@dataclass(frozen=True)
class VersionRequest:
    constraint: str
    source: str

    @property
    def rank(self) -> int:
        return PRIORITY.index(self.source) if self.source in PRIORITY else len(PRIORITY)


def check_constraint(value: str, source: str) -> str:
    text = value.strip()
    if not text or len(text) > _CONSTRAINT_LIMIT or not _SAFE.match(text):
        raise errors.not_a_version(source, value)
    try:
        versions.parse_constraint(text, source)
    except lib_errors.UserError:
        raise errors.not_a_version(source, value) from None
    return text


def from_lock(app: Path) -> Optional[str]:
    text = appfiles.read_optional_text(app, "renv.lock", limit=LOCK_LIMIT)
    version = renvlock.r_version(text) if text is not None else None
    return versions.minor(version) if version else None


def from_description(app: Path) -> Optional[str]:
    text = appfiles.read_optional_text(app, "DESCRIPTION", limit=DESCRIPTION_LIMIT)
    if text is None:
        return None
    records = dcf.parse(text, "DESCRIPTION")
    constraint = dcf.r_constraint(records[0], "DESCRIPTION") if records else None
    return check_constraint(constraint, "DESCRIPTION Depends") if constraint else None


def from_app(app: Path, setting: Optional[str]) -> list[VersionRequest]:
    """The app's version sources, validated, best first; raises the first UserError found."""
    found = [VersionRequest(check_constraint(setting, "BP_R_VERSION"), "BP_R_VERSION")] if setting else []
    for source, value in (("renv.lock", from_lock(app)), ("DESCRIPTION", from_description(app))):
        if value:
            found.append(VersionRequest(value, source))
    return sorted(found, key=lambda r: r.rank)
