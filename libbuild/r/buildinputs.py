"""Build inputs (libbuild/buildinputs.py) as the R buildpacks use them: whether pycnb/r put R on
the build.

pycnb/r-minicran puts its digest in its `r` requirement; pycnb/r records it, and while it and R
are unchanged R stays off the build (its layer launch-only) and the library is kept as it is.
"""
from __future__ import annotations

# Set at build by pycnb/r's layer when R is on PATH for later buildpacks.
AT_BUILD_ENV = "PYCNB_R_VERSION"


def r_at_build(settings) -> bool:
    """Whether pycnb/r put R on PATH for this build (an R the stack may carry never counts)."""
    return bool((settings.get(AT_BUILD_ENV) or "").strip())
