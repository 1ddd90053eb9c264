"""Environment deltas: what a layer adds to the build or launch environment.

A delta is written as the spec's env files (<layer>/env, env.build, env.launch,
env.launch/<process>) and can be applied in-process, with the same semantics the
lifecycle uses, so a build step can use the layer it just installed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, MutableMapping, Optional

ACTIONS = ("override", "default", "append", "prepend")
SCOPES = ("all", "build", "launch", "process")
_SCOPE_DIRS = {"all": "env", "build": "env.build", "launch": "env.launch"}


@dataclass(frozen=True)
class EnvChange:
    """One env file: a variable, its action and where it applies."""
    name: str
    value: str
    action: str = "override"
    delim: Optional[str] = None
    scope: str = "all"
    process: Optional[str] = None

    def directory(self) -> str:
        if self.scope == "process":
            return f"env.launch/{self.process}"
        return _SCOPE_DIRS[self.scope]

    def applies_to(self, phase: str, process: Optional[str] = None) -> bool:
        if self.scope == "all":
            return True
        if self.scope == "process":
            return phase == "launch" and process == self.process
        return self.scope == phase


class EnvDelta:
    def __init__(self, changes: Iterable[EnvChange] = ()):
        self.changes: list[EnvChange] = list(changes)

    def _add(self, name: str, value: str, action: str, delim: Optional[str], scope: str,
             process: Optional[str]) -> "EnvDelta":
        if scope not in SCOPES:
            raise ValueError(f"unknown env scope {scope!r}")
        if (scope == "process") != bool(process):
            raise ValueError("a process scope needs a process type, and only it")
        # One change per (name, scope, process): setting it again replaces it, as a file would.
        self.changes = [c for c in self.changes
                        if not (c.name == name and c.scope == scope and c.process == process)]
        self.changes.append(EnvChange(name, str(value), action, delim, scope, process))
        return self

    def override(self, name: str, value: str, scope: str = "all", process: Optional[str] = None) -> "EnvDelta":
        return self._add(name, value, "override", None, scope, process)

    def default(self, name: str, value: str, scope: str = "all", process: Optional[str] = None) -> "EnvDelta":
        return self._add(name, value, "default", None, scope, process)

    def append(self, name: str, value: str, delim: Optional[str] = os.pathsep, scope: str = "all",
               process: Optional[str] = None) -> "EnvDelta":
        return self._add(name, value, "append", delim, scope, process)

    def prepend(self, name: str, value: str, delim: Optional[str] = os.pathsep, scope: str = "all",
                process: Optional[str] = None) -> "EnvDelta":
        return self._add(name, value, "prepend", delim, scope, process)

    def __len__(self) -> int:
        return len(self.changes)

    # -- files ---------------------------------------------------------------
    def write(self, layer_dir: str | Path) -> None:
        for change in self.changes:
            d = Path(layer_dir) / change.directory()
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{change.name}.{change.action}").write_text(change.value)
            if change.delim is not None and change.action in ("append", "prepend"):
                (d / f"{change.name}.delim").write_text(change.delim)

    @classmethod
    def read(cls, layer_dir: str | Path) -> "EnvDelta":
        changes: list[EnvChange] = []
        root = Path(layer_dir)
        dirs = [(scope, None, root / sub) for scope, sub in _SCOPE_DIRS.items()]
        launch = root / "env.launch"
        if launch.is_dir():
            dirs += [("process", p.name, p) for p in sorted(launch.iterdir()) if p.is_dir()]
        for scope, process, d in dirs:
            if not d.is_dir():
                continue
            for f in sorted(d.iterdir()):
                if not f.is_file() or f.suffix == ".delim":
                    continue
                name, _, action = f.name.partition(".")
                action = action or "override"  # no suffix means override (API >= 0.5)
                if action not in ACTIONS:
                    continue
                delim_file = d / f"{name}.delim"
                delim = delim_file.read_text() if delim_file.exists() else None
                changes.append(EnvChange(name, f.read_text(), action, delim, scope, process))
        return cls(changes)

    # -- in-process ------------------------------------------------------------
    def apply(self, environ: MutableMapping[str, str], phase: str = "build",
              process: Optional[str] = None) -> MutableMapping[str, str]:
        """Apply like the lifecycle: general scopes first, then the process's own."""
        ordered = [c for c in self.changes if c.applies_to(phase, process) and c.scope != "process"]
        ordered += [c for c in self.changes if c.applies_to(phase, process) and c.scope == "process"]
        for c in ordered:
            apply_change(environ, c.name, c.value, c.action, c.delim)
        return environ


def apply_change(environ: MutableMapping[str, str], name: str, value: str, action: str,
                 delim: Optional[str]) -> None:
    current = environ.get(name)
    if action == "override":
        environ[name] = value
    elif action == "default":
        if current is None:
            environ[name] = value
    elif action in ("append", "prepend"):
        if not current:
            environ[name] = value
        elif action == "append":
            environ[name] = current + (delim or "") + value
        else:
            environ[name] = value + (delim or "") + current
    else:
        raise ValueError(f"unknown env action {action!r}")


# Directories of a layer the lifecycle adds to the environment on its own.
_BUILD_DIRS = (("bin", "PATH"), ("lib", "LD_LIBRARY_PATH"), ("lib", "LIBRARY_PATH"),
               ("include", "CPATH"), ("pkgconfig", "PKG_CONFIG_PATH"))
_LAUNCH_DIRS = (("bin", "PATH"), ("lib", "LD_LIBRARY_PATH"))


def apply_layer(environ: MutableMapping[str, str], layer_dir: str | Path, phase: str,
                process: Optional[str] = None, delta: Optional[EnvDelta] = None) -> MutableMapping[str, str]:
    """What the lifecycle does with one layer: dir conventions, then its env files (or `delta`)."""
    layer = Path(layer_dir)
    for sub, var in (_BUILD_DIRS if phase == "build" else _LAUNCH_DIRS):
        if (layer / sub).is_dir():
            apply_change(environ, var, str(layer / sub), "prepend", os.pathsep)
    return (delta if delta is not None else EnvDelta.read(layer)).apply(environ, phase, process)
