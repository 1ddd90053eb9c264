"""pycnb/procfile: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult

from .procfile import parse


def build(ctx: BuildContext) -> BuildResult:
    with ctx.log.section("Reading Procfile"):
        processes = parse((ctx.app_dir / "Procfile").read_text(encoding="utf-8", errors="replace"))
    return BuildResult(processes=processes)
