"""pycnb/uv-install: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, opt_in, opt_out
from libbuild.python import manager

from .project import python_request


def detect(ctx: DetectContext) -> DetectResult:
    if not (ctx.app_dir / "uv.lock").is_file():
        return opt_out("no uv.lock")
    why_not = manager.opt_out_reason(ctx.app_dir, ctx.settings, "uv")
    if why_not:
        return opt_out(why_not)
    cpython = {"build": True}
    version = python_request(ctx.app_dir)
    if version:
        cpython.update(version=version[0], **{"version-source": version[1]})
    return opt_in(manager.chosen(ctx.app_dir, ctx.settings).note(), BuildPlan(
        provides=["site-packages"], requires=[Require("cpython", cpython), Require("uv", {"build": True})]))
