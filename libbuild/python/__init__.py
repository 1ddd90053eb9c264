"""Helpers several Python buildpacks share (the Python ecosystem tier of libbuild)."""
