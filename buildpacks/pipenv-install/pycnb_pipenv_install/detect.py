"""pycnb/pipenv-install: detect."""
from __future__ import annotations

from libbuild import BuildPlan, DetectContext, DetectResult, Require, appfiles, opt_in, opt_out
from libbuild.python import manager

from .pipfile import locked_python


def detect(ctx: DetectContext) -> DetectResult:
    # Anything named Pipfile counts: build says what is wrong with a directory or an escaping link.
    if not appfiles.exists(ctx.app_dir, "Pipfile"):
        return opt_out("no Pipfile")
    why_not = manager.opt_out_reason(ctx.app_dir, ctx.settings, "pipenv")
    if why_not:
        return opt_out(why_not)
    cpython = {"build": True}
    version = locked_python(ctx.app_dir)
    if version:
        cpython.update(version=version[0], **{"version-source": version[1]})
    reason = "found Pipfile"
    if appfiles.exists(ctx.app_dir, "requirements.txt"):
        reason += "; requirements.txt is ignored because Pipfile takes precedence"
    return opt_in(reason, BuildPlan(provides=["site-packages"],
                                    requires=[Require("cpython", cpython), Require("pipenv", {"build": True})]))
