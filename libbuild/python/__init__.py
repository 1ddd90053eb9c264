"""Helpers shared by the Python ecosystem's buildpacks (package managers, their configuration)."""
