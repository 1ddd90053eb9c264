"""Layers: directories under CNB_LAYERS_DIR, kept or rebuilt by comparing metadata.

`Layers.cached(name, metadata, ...)` reuses a restored layer only when its metadata is
equal to what this build would write, and otherwise logs every key that changed.
Layer TOML is written only by `commit()` at the end of a successful build, so a failed
build never leaves a layer that looks complete.
"""
from __future__ import annotations

import shutil
from pathlib import Path
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional

from . import descriptors, sbom
from .descriptors import LayerDescriptor, LayerTypes
from .env import EnvDelta, apply_layer
from .log import Logger


class Layer:
    def __init__(self, root: Path, name: str, types: LayerTypes, metadata: dict[str, Any],
                 previous: Optional[LayerDescriptor]):
        self.name = descriptors.validate_layer_name(name)
        self.path = root / name
        self.types = types
        self.metadata = metadata
        self.previous = previous
        self.reused = False
        self.env = EnvDelta()
        self.sbom: Optional[list[sbom.Component]] = None

    @property
    def toml_path(self) -> Path:
        return self.path.parent / f"{self.name}.toml"

    def reset(self) -> "Layer":
        """Empty the layer: no contents, no env, no leftover TOML from an earlier build."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.toml_path.unlink(missing_ok=True)
        self.path.mkdir(parents=True)
        self.env = EnvDelta()
        self.reused = False
        return self

    def env_for_build(self, environ: dict[str, str]) -> dict[str, str]:
        """The environment with this layer applied, for commands run later in this build."""
        # A reused layer's env files are on disk already; a new one's are still in memory.
        return dict(apply_layer(dict(environ), self.path, "build", delta=None if self.reused else self.env))


def describe_changes(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """Human-readable reasons, one per changed key, in key order."""
    reasons = []
    for key in sorted(set(old) | set(new)):
        label = f"{prefix}{key}"
        if key not in old:
            reasons.append(f"{label} is new ({_short(new[key])})")
        elif key not in new:
            reasons.append(f"{label} was removed")
        elif isinstance(old[key], dict) and isinstance(new[key], dict):
            reasons.extend(describe_changes(old[key], new[key], label + "."))
        elif old[key] != new[key]:
            reasons.append(f"{label} changed from {_short(old[key])} to {_short(new[key])}")
    return reasons


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Layers:
    def __init__(self, root: str | Path, log: Logger):
        self.root = Path(root)
        self.log = log
        self._layers: dict[str, Layer] = {}

    def _make(self, name: str, metadata: dict[str, Any], build: bool, launch: bool, cache: bool) -> Layer:
        previous = LayerDescriptor.read(self.root / f"{name}.toml")
        layer = Layer(self.root, name, LayerTypes(build, launch, cache), dict(metadata), previous)
        self._layers[name] = layer
        return layer

    def fresh(self, name: str, *, build: bool = False, launch: bool = False, cache: bool = False,
              metadata: Optional[dict[str, Any]] = None) -> Layer:
        """A layer built anew every time."""
        return self._make(name, metadata or {}, build, launch, cache).reset()

    def cached(self, name: str, metadata: dict[str, Any], *, build: bool = False, launch: bool = False,
               cache: bool = False) -> Layer:
        """Reuse the restored layer when its metadata equals `metadata`, else reset it.

        Only metadata is restored for a launch-only layer (neither build nor cache); reusing
        it means writing its TOML again without contents, and the lifecycle keeps the
        previous image's layer.
        """
        layer = self._make(name, metadata, build, launch, cache)
        prev = layer.previous
        if prev is None:
            self.log.info(f"Creating layer '{name}'")
            return layer.reset()
        reasons = describe_changes(prev.metadata, layer.metadata)
        metadata_only = launch and not build and not cache
        if not reasons and not metadata_only and not layer.path.is_dir():
            reasons = ["its contents were not restored"]
        if reasons:
            self.log.info(f"Rebuilding layer '{name}' since: " + "; ".join(reasons))
            return layer.reset()
        self.log.info(f"Reusing layer '{name}'")
        layer.reused = True
        return layer

    def previous(self, name: str) -> Optional[LayerDescriptor]:
        """The layer's TOML as restored from the previous build (None: there was none)."""
        return LayerDescriptor.read(self.root / f"{name}.toml")

    def get(self, name: str) -> Layer:
        return self._layers[name]

    def commit(self) -> None:
        """Write every layer's TOML (types are always set again), env files and SBOM."""
        for layer in self._layers.values():
            if not layer.reused:
                layer.env.write(layer.path)
            LayerDescriptor(layer.types, layer.metadata).write(layer.toml_path)
            if layer.sbom is not None:
                sbom.write_layer_sboms(self.root, layer.name, layer.sbom)
