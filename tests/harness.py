"""A CNB directory tree and runners for bin/detect and bin/build as real subprocesses.

The environment is filtered the way the lifecycle filters it: only CNB_*, HOME,
HOSTNAME, proxies and PATH-like variables pass; user settings are files in
<platform>/env/, loaded into the process env unless the buildpack sets clear-env.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from libbuild import tomlfile
from libbuild.descriptors import BuildpackDescriptor, BuildpackPlan, PlanEntry
from libbuild.env import EnvDelta, apply_layer

REPO = Path(__file__).resolve().parent.parent
BUILDPACKS = REPO / "buildpacks"
_PASSED = {"HOME", "HOSTNAME", "PATH", "LD_LIBRARY_PATH", "LIBRARY_PATH", "CPATH", "PKG_CONFIG_PATH",
           "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"}
TARGET = {"CNB_TARGET_OS": "linux", "CNB_TARGET_ARCH": "amd64",
          "CNB_TARGET_DISTRO_NAME": "debian", "CNB_TARGET_DISTRO_VERSION": "12"}


def bp_path(buildpack: str) -> Path:
    """A buildpack of this repo by name, or any buildpack directory by path."""
    return Path(buildpack) if os.sep in str(buildpack) else BUILDPACKS / buildpack


def lifecycle_env(base: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in base.items() if k in _PASSED or k.startswith("CNB_")}


@dataclass
class Run:
    code: int
    output: str
    seconds: float
    tree: "CNBTree"
    buildpack: str

    @property
    def layers(self) -> Path:
        return self.tree.layers_dir(self.buildpack)

    def plan(self) -> dict[str, Any]:
        return tomlfile.read(self.tree.root / "plan.toml", missing_ok=True)

    def launch(self) -> dict[str, Any]:
        return tomlfile.read(self.layers / "launch.toml", missing_ok=True)

    def layer_toml(self, name: str) -> dict[str, Any]:
        return tomlfile.read(self.layers / f"{name}.toml")

    def env_files(self, layer: str) -> dict[str, str]:
        """{"env.launch/NAME.default": value, ...} for one layer."""
        root = self.layers / layer
        return {str(p.relative_to(root)): p.read_text() for p in sorted(root.glob("env*/**/*")) if p.is_file()}

    def sbom(self, layer: str, fmt: str) -> dict[str, Any]:
        return json.loads((self.layers / f"{layer}.sbom.{fmt}.json").read_text())


@dataclass
class CNBTree:
    root: Path
    env: dict[str, str] = field(default_factory=dict)  # the lifecycle's own process env (before filtering)
    earlier: list[Path] = field(default_factory=list)  # build layers of earlier buildpacks, in order
    # The python3 on PATH stands in for pycnb/cpython's layer at build, so its signal is set;
    # False plays a build where cpython kept the interpreter launch-only.
    python_at_build: bool = True
    # The same for pycnb/r's layer (libbuild/r/buildinputs.py): False plays a build where R was kept off.
    r_at_build: bool = True

    def __post_init__(self) -> None:
        for d in ("app", "platform/env", "platform/bindings", "layers"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ) if not self.env else self.env

    @property
    def app(self) -> Path:
        return self.root / "app"

    @property
    def platform(self) -> Path:
        return self.root / "platform"

    def layers_dir(self, buildpack: str) -> Path:
        d = self.root / "layers" / f"pycnb_{Path(buildpack).name}"
        d.mkdir(parents=True, exist_ok=True)
        return d

    def write(self, rel: str, text: str) -> Path:
        p = self.app / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return p

    def set_env(self, name: str, value: str) -> None:
        """A user setting, as `pack build --env` delivers it: a platform env file."""
        (self.platform / "env" / name).write_text(value)

    def binding(self, name: str, kind: str, entries: dict[str, str]) -> Path:
        d = self.platform / "bindings" / name
        d.mkdir(parents=True, exist_ok=True)
        (d / "type").write_text(kind)
        for k, v in entries.items():
            (d / k).write_text(v)
        return d

    def _env(self, buildpack: str, extra: dict[str, str]) -> dict[str, str]:
        bp_dir = bp_path(buildpack)
        env = lifecycle_env(self.env)
        descriptor = BuildpackDescriptor.read(bp_dir / "buildpack.toml")
        if not descriptor.clear_env:
            env.update({f.name: f.read_text() for f in (self.platform / "env").iterdir() if f.is_file()})
        if self.python_at_build:
            env.setdefault("PYCNB_CPYTHON_VERSION", platform.python_version())
        if self.r_at_build:
            env.setdefault("PYCNB_R_VERSION", "4.5.0")
        for layer in self.earlier:
            apply_layer(env, layer, "build")
        env.update(TARGET)
        env.update(CNB_BUILDPACK_DIR=str(bp_dir), CNB_PLATFORM_DIR=str(self.platform))
        env.update(extra)
        return env

    def _exec(self, buildpack: str, phase: str, env: dict[str, str]) -> Run:
        start = time.monotonic()
        proc = subprocess.run([str(bp_path(buildpack) / "bin" / phase)], cwd=self.app, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1800)
        return Run(proc.returncode, proc.stdout, time.monotonic() - start, self, buildpack)

    def detect(self, buildpack: str, **extra: str) -> Run:
        (self.root / "plan.toml").unlink(missing_ok=True)
        env = self._env(buildpack, {"CNB_BUILD_PLAN_PATH": str(self.root / "plan.toml"), **extra})
        return self._exec(buildpack, "detect", env)

    def build(self, buildpack: str, plan: Optional[list[tuple[str, dict[str, Any]]]] = None, **extra: str) -> Run:
        plan_path = self.root / f"bpplan-{buildpack}.toml"
        BuildpackPlan([PlanEntry(n, m) for n, m in (plan or [])]).write(plan_path)
        layers = self.layers_dir(buildpack)
        env = self._env(buildpack, {"CNB_LAYERS_DIR": str(layers), "CNB_BP_PLAN_PATH": str(plan_path), **extra})
        return self._exec(buildpack, "build", env)

    def restore(self, buildpack: str) -> None:
        """Between builds the lifecycle strips [types] from restored layer TOML and drops
        launch-only contents (only their metadata comes back)."""
        layers = self.layers_dir(buildpack)
        for toml in layers.glob("*.toml"):
            if toml.name in ("launch.toml", "build.toml", "store.toml"):
                toml.unlink()
                continue
            data = tomlfile.read(toml)
            types = data.pop("types", {})
            tomlfile.write(toml, data)
            if not types.get("cache"):
                shutil.rmtree(layers / toml.stem, ignore_errors=True)
                if not types.get("launch"):
                    toml.unlink()

    def use_build_layers(self, buildpack: str) -> None:
        """Make the build=true layers of `buildpack` visible to later buildpacks, as the lifecycle does."""
        layers = self.layers_dir(buildpack)
        for toml in sorted(layers.glob("*.toml")):
            if toml.stem in ("launch", "build", "store"):
                continue
            if tomlfile.read(toml).get("types", {}).get("build"):
                self.earlier.append(layers / toml.stem)


__all__ = ["CNBTree", "Run", "EnvDelta", "lifecycle_env"]
