"""pycnb/python-start: build."""
from __future__ import annotations

from libbuild import BuildContext, BuildResult, Process


def build(ctx: BuildContext) -> BuildResult:
    return BuildResult(processes=[Process("web", ["python"], default=True)])
