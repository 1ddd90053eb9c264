"""libbuild: the Cloud Native Buildpack API in Python, shared by every pycnb buildpack."""
from .context import BuildContext, BuildResult, DetectContext, DetectResult, opt_in, opt_out
from .descriptors import BuildPlan, Process, Require
from .errors import UserError

__all__ = ["BuildContext", "BuildResult", "DetectContext", "DetectResult", "opt_in", "opt_out",
           "BuildPlan", "Process", "Require", "UserError"]
