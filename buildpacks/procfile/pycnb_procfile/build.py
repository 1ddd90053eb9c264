"""pycnb/procfile: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, appfiles

from .procfile import parse

# Far more than any Procfile needs; a bigger one is not a Procfile.
LIMIT = 64 * 1024


def build(ctx: BuildContext) -> BuildResult:
    with ctx.log.section("Reading Procfile"):
        # Through the confinement rule: a Procfile linked to /etc/passwd is refused unread.
        processes = parse(appfiles.read_text(ctx.app_dir, "Procfile", "Procfile", limit=LIMIT))
    return BuildResult(processes=processes)
