"""Build inputs (libbuild/buildinputs.py) as the R buildpacks use them: whether pycnb/r put R on
the build.

pycnb/r-minicran puts its digest in its `r` requirement; pycnb/r records it, and while it and R
are unchanged R stays off the build (its layer launch-only) and the library is kept as it is.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

# Set at build by pycnb/r's layer when R is on PATH for later buildpacks.
AT_BUILD_ENV = "PYCNB_R_VERSION"
# Bindings that decide how R is fetched or which certificates are trusted, never which packages
# the library gets (R's own identity is in pycnb/r's layer metadata); libbuild/conda has the same.
NEUTRAL_TYPES = frozenset({"ca-certificates", "dependency-mapping", "dependency-mirror", "dependency-catalog"})


def r_at_build(settings) -> bool:
    """Whether pycnb/r put R on PATH for this build (an R the stack may carry never counts)."""
    return bool((settings.get(AT_BUILD_ENV) or "").strip())


def describe_bindings(bindings: list) -> "Optional[bytes]":
    """The bindings as far as they decide the library, with no secret in it: the type of each
    neutral binding; None for any other (a `cran` binding's repositories and credentials, an
    unknown kind): R is then on every build."""
    if any(b.type not in NEUTRAL_TYPES for b in bindings):
        return None
    return "\0".join(sorted(b.type for b in bindings)).encode()
