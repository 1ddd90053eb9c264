"""libbuild: the Cloud Native Buildpack API in Python, shared by every pycnb buildpack.

Names are resolved on first use (PEP 562), so a detect imports only what it touches.
"""
from .context import BuildContext, DetectContext
from .detection import BuildPlan, DetectResult, Require, opt_in, opt_out

__all__ = ["BuildContext", "BuildResult", "DetectContext", "DetectResult", "opt_in", "opt_out",
           "BuildPlan", "Process", "Require", "UserError"]


def __getattr__(name: str):
    if name in ("BuildResult", "Process"):
        from . import descriptors
        return getattr(descriptors, name)
    if name == "UserError":
        from .errors import UserError
        return UserError
    raise AttributeError(name)
