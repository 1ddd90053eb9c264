"""pycnb/poetry-install: detect."""
from __future__ import annotations

from typing import Optional

from libbuild import BuildPlan, DetectContext, DetectResult, Require, UserError, appfiles, opt_in, opt_out
from libbuild.python import manager
from libbuild.python.pyproject import Project


def not_chosen(ctx: DetectContext) -> Optional[str]:
    """Why Poetry does not install this app (None: it does), by the package-manager rule."""
    if not appfiles.exists(ctx.app_dir, "poetry.lock"):
        return "no poetry.lock"
    return manager.opt_out_reason(ctx.app_dir, ctx.settings, "poetry")


def detect(ctx: DetectContext) -> DetectResult:
    reason = not_chosen(ctx)
    if reason:
        return opt_out(reason)
    cpython = {"build": True}
    try:
        version = Project.read(ctx.app_dir).plan_version()
    except UserError:
        version = None  # the build reports an unreadable or missing pyproject.toml with its fix
    if version:
        cpython.update(version=version, **{"version-source": "pyproject.toml"})
    return opt_in("found poetry.lock", BuildPlan(provides=["site-packages"],
                                                 requires=[Require("cpython", cpython), Require("poetry", {"build": True})]))
