"""Prints the versions of what the S3 wheelhouse and the pipper packages installed."""
import json
from importlib.metadata import distributions

print(json.dumps({d.metadata["Name"].lower(): d.version for d in distributions()}, sort_keys=True))
