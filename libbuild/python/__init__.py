"""Helpers shared by the Python-ecosystem buildpacks: package managers, their configuration, their failures."""
