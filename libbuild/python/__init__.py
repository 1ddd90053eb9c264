"""Helpers shared by the Python-ecosystem buildpacks (pip, pipenv, and the ones after them)."""
