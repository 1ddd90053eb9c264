"""Which requirement lines are not installed: prohibited packages, and packages the base
image already provides (BP_PIP_EXTERNAL_PACKAGES)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .requirements import Line


class Selection:
    def __init__(self, prohibited: list[str], externals: list[str], version_matching: bool,
                 provided: dict[str, str]):
        self.prohibited = {canonicalize_name(n) for n in prohibited}
        self.externals = {canonicalize_name(n) for n in externals}
        self.version_matching = version_matching
        self.provided = {canonicalize_name(k): v for k, v in provided.items()}
        self.notes: list[str] = []

    @property
    def active(self) -> bool:
        return bool(self.prohibited or self.externals)

    def reason_to_drop(self, line: Line) -> Optional[str]:
        name = line.name
        if name is None:
            return None
        if name in self.prohibited:
            return "listed in BP_PIP_PROHIBITED_PACKAGES"
        if name not in self.externals:
            return None
        if not self.version_matching:
            return "provided by the base image (BP_PIP_EXTERNAL_PACKAGES)"
        have = self.provided.get(name)
        if have is None:
            self.notes.append(f"Installing {line.text!r}: listed in BP_PIP_EXTERNAL_PACKAGES but not provided")
            return None
        try:
            ok = line.requirement.specifier.contains(Version(have), prereleases=True)
        except InvalidVersion:
            ok = False
        if ok:
            return f"the base image provides {name} {have}, which satisfies it"
        self.notes.append(f"Installing {line.text!r}: the base image provides {name} {have}, which does not satisfy it")
        return None
