"""pycnb/pipenv-install: detect."""
from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

from libbuild import BuildPlan, DetectContext, DetectResult, Require, appfiles, buildinputs, opt_in, opt_out
from libbuild.python import buildinputs as pyinputs
from libbuild.python import manager

from .pipfile import locked_python

# A package pipenv installs from the app's disk: `path = ...` or `file = ...` in the Pipfile,
# "path" or "file" in Pipfile.lock. Their contents are not in the digest; matching a remote
# `file` URL as well only costs the reuse.
_LOCAL = re.compile(rb'(?m)^[^#\n]*\b(?:path|file)\s*=|"(?:path|file)"\s*:')


def build_inputs(ctx) -> "Optional[str]":
    """What the packages layer depends on besides the interpreter (libbuild/buildinputs.py):
    Pipfile and Pipfile.lock, the settings and this buildpack. None (python3 at every build)
    without a Pipfile.lock (it is locked afresh against the index), for local path or file
    packages, a vendored wheelhouse, find-links directories and bindings."""
    if not appfiles.exists(ctx.app_dir, "Pipfile.lock"):
        return None
    return pyinputs.lock_digest(ctx, ("Pipfile", "Pipfile.lock"), lambda data: bool(_LOCAL.search(data)))


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
    pipenv = {"build": True}
    inputs = build_inputs(ctx)
    if inputs:
        cpython[buildinputs.PLAN_KEY] = pipenv[buildinputs.PLAN_KEY] = inputs
    reason = "found Pipfile"
    if appfiles.exists(ctx.app_dir, "requirements.txt"):
        reason += "; requirements.txt is ignored because Pipfile takes precedence"
    return opt_in(reason, BuildPlan(provides=["site-packages"],
                                    requires=[Require("cpython", cpython), Require("pipenv", pipenv)]))
