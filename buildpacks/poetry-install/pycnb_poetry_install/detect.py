"""pycnb/poetry-install: detect."""
from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs a detect ~2 ms
    from typing import Optional

from libbuild import BuildPlan, DetectContext, DetectResult, Require, UserError, appfiles, buildinputs, opt_in, opt_out
from libbuild.python import buildinputs as pyinputs
from libbuild.python import manager
from libbuild.python.pyproject import Project

# A poetry.lock package whose source is a directory or an archive on the app's disk (path
# dependencies, `name @ file:...`): its contents are not in the digest. Matching a line of
# any other table as well only costs the reuse.
_LOCAL_SOURCE = re.compile(rb'^\s*type\s*=\s*"(?:directory|file)"', re.M)


def not_chosen(ctx: DetectContext) -> Optional[str]:
    """Why Poetry does not install this app (None: it does), by the package-manager rule."""
    if not appfiles.exists(ctx.app_dir, "poetry.lock"):
        return "no poetry.lock"
    return manager.opt_out_reason(ctx.app_dir, ctx.settings, "poetry")


def build_inputs(ctx) -> Optional[str]:
    """What the packages layer depends on besides the interpreter (libbuild/buildinputs.py):
    poetry.lock and pyproject.toml (the main group, the project's scripts, the python
    constraint), the settings and this buildpack. None (python3 at every build) for local path
    or file dependencies, a vendored wheelhouse, find-links directories and bindings."""
    return pyinputs.lock_digest(ctx, ("poetry.lock", "pyproject.toml"), lambda data: bool(_LOCAL_SOURCE.search(data)))


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
    poetry = {"build": True}
    inputs = build_inputs(ctx)
    if inputs:
        cpython[buildinputs.PLAN_KEY] = poetry[buildinputs.PLAN_KEY] = inputs
    return opt_in("found poetry.lock", BuildPlan(provides=["site-packages"],
                                                 requires=[Require("cpython", cpython), Require("poetry", poetry)]))
