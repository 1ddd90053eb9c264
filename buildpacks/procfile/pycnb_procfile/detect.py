"""pycnb/procfile: detect."""
from __future__ import annotations

from libbuild import DetectContext, DetectResult, appfiles, opt_in, opt_out


def detect(ctx: DetectContext) -> DetectResult:
    # Anything named Procfile counts (a directory, a link out of the app): build then says
    # why it cannot be used instead of the image silently getting no processes.
    if appfiles.exists(ctx.app_dir, "Procfile"):
        return opt_in("found Procfile")
    return opt_out("no Procfile")
