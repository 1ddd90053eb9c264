"""environment.yml: channels, conda dependencies and a `pip:` section, validated."""
from __future__ import annotations

from dataclasses import dataclass, field

from libbuild import yamlfile

from . import errors


@dataclass
class EnvFile:
    name: str = ""
    channels: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    pip: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)

    def for_conda(self, channels: list[str]) -> dict:
        """What the conda command gets: resolved channels, no pip section (installed after)."""
        return {"name": self.name or "app", "channels": channels + ["nodefaults"], "dependencies": self.dependencies}


def parse(text: str, origin: str) -> EnvFile:
    data = yamlfile.loads(text, origin)
    if not isinstance(data, dict):
        raise errors.env_invalid(origin, "expected a mapping with `dependencies:`")
    for key in data:
        if key not in errors.KEYS:
            raise errors.env_unknown_key(origin, str(key))
    env = EnvFile(name=str(data.get("name") or ""))
    env.channels = _strings(data.get("channels"), "channels", origin)
    deps = data.get("dependencies")
    if not isinstance(deps, list) or not deps:
        raise errors.env_invalid(origin, "`dependencies:` must be a non-empty list")
    for dep in deps:
        if isinstance(dep, dict):
            if set(dep) != {"pip"}:
                raise errors.env_invalid(origin, f"a dependency mapping may only be `pip:`, got {sorted(map(str, dep))}")
            env.pip += _strings(dep["pip"], "pip", origin)
        elif isinstance(dep, (str, int, float)) and str(dep).strip():
            env.dependencies.append(str(dep).strip())
        else:
            raise errors.env_invalid(origin, f"dependency {dep!r} is not a package spec")
    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        raise errors.env_invalid(origin, "`variables:` must map names to values")
    env.variables = {str(k): str(v) for k, v in variables.items()}
    return env


def _strings(value, key: str, origin: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise errors.env_invalid(origin, f"`{key}:` must be a list of strings")
    return [str(v).strip() for v in value]
