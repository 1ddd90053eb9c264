"""Helpers the conda buildpacks (miniconda, conda-env-update) share: channel configuration
from .condarc files, bindings and environment files, and vendored channels."""
