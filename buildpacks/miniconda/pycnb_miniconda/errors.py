"""User-facing errors of pycnb/miniconda."""
from __future__ import annotations

from libbuild.errors import UserError

DISTRIBUTIONS = ("rattler", "miniconda3")


def unknown_distribution(value: str) -> UserError:
    return UserError("conda-distribution", f"BP_CONDA_DISTRIBUTION={value!r} is not a conda distribution this buildpack knows",
                     f"Set BP_CONDA_DISTRIBUTION to one of {', '.join(DISTRIBUTIONS)}, or unset it for rattler.")


def no_installer(dependency: str, target: str) -> UserError:
    return UserError("conda-unavailable", f"the catalog has no {dependency} for {target}",
                     "Add one through a dependency-catalog binding or BP_DEPENDENCY_CATALOG, or use the default "
                     "distribution (unset BP_CONDA_DISTRIBUTION).")
