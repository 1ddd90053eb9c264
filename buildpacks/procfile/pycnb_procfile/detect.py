"""pycnb/procfile: detect."""
from __future__ import annotations

from libbuild import DetectContext, DetectResult, opt_in, opt_out


def detect(ctx: DetectContext) -> DetectResult:
    if (ctx.app_dir / "Procfile").is_file():
        return opt_in("found Procfile")
    return opt_out("no Procfile")
