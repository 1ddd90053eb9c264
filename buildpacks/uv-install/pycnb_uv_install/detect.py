"""pycnb/uv-install: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, appfiles, opt_in, opt_out
from libbuild.errors import UserError
from libbuild import buildinputs
from libbuild.python import buildinputs as pyinputs
from libbuild.python import manager

from .project import python_request


def detect(ctx: DetectContext) -> DetectResult:
    if not (ctx.app_dir / "uv.lock").is_file():
        return opt_out("no uv.lock")
    why_not = manager.opt_out_reason(ctx.app_dir, ctx.settings, "uv")
    if why_not:
        return opt_out(why_not)
    build = {"build": True}
    inputs = build_inputs(ctx)
    if inputs:
        build[buildinputs.PLAN_KEY] = inputs
    cpython = dict(build)
    version = python_request(ctx.app_dir)
    if version:
        cpython.update(version=version[0], **{"version-source": version[1]})
    return opt_in(manager.chosen(ctx.app_dir, ctx.settings).note(), BuildPlan(
        provides=["site-packages"], requires=[Require("cpython", cpython), Require("uv", dict(build))]))


# uv.lock sources that are the project itself; any other local source is outside the digest.
_OWN_SOURCES = ('{ editable = "." }', '{ virtual = "." }')
_LOCAL_SOURCES = ("{ editable =", "{ virtual =", "{ path =", "{ directory =")


def build_inputs(ctx):
    """What the packages layer depends on besides the interpreter (libbuild/python/buildinputs.py):
    uv.lock and pyproject.toml, the settings and this buildpack's descriptor; none when the lock
    names local sources other than the project itself, or a setting names a directory."""
    try:
        lock = appfiles.read_text(ctx.app_dir, "uv.lock", "uv.lock")
    except UserError:  # build says what is wrong with it
        return None
    for line in lock.splitlines():
        if "source = " in line and any(s in line for s in _LOCAL_SOURCES) and not any(s in line for s in _OWN_SOURCES):
            return None
    if ctx.setting("BP_PIP_FIND_LINKS") or ctx.setting("UV_FIND_LINKS"):
        return None
    return buildinputs.digest(ctx, ["uv.lock", "pyproject.toml"], absent=pyinputs.WHEELHOUSE_DIRS)
