#!/usr/bin/env python3
"""make bench: pip-install through the real builder, against a loopback index of 24 wheels.

Prints, for integration/testdata/bench (24 pinned distributions):
  cold `pack build` (no image, no cache), warm rebuild after a code-only change, rebuild
  after one requirement changes — each with the pip-install step's own time — the image
  size, and as the baseline the same install with plain `python -m venv` + `pip install`
  on the host from the same index (no pip cache).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from wheels import Index  # noqa: E402

CACHE = Path(os.environ.get("PYCNB_CACHE", Path.home() / ".cache" / "pycnb"))
IMAGE = "pycnb-bench/app"
BUILDER = os.environ.get("PYCNB_BUILDER", "pycnb/builder:bookworm")
_STEP = re.compile(r"pycnb pip install [\d.]+\n(?:.*\n)*?.*Done in (?P<s>[\d.]+)s")
_CONDA_STEP = re.compile(r"pycnb conda env update [\d.]+\n(?:.*\n)*?.*Done in (?P<s>[\d.]+)s")


def sh(argv, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def mirror_output() -> list[str]:
    out = subprocess.run(["bash", str(REPO / "mirror" / "setup.sh")], stdout=subprocess.PIPE, text=True, check=True)
    return out.stdout.splitlines()


def mirror_settings() -> list[str]:
    return [line for line in mirror_output() if "=" in line and not line.startswith("--")]


def mirror_args() -> list[str]:
    """Pack arguments `make -s mirror` prints (the conda binding's --volume, ...)."""
    return [a for line in mirror_output() if line.startswith("--") for a in line.split(None, 1)]


def build(app: Path, env: list[str], args: list[str] = (), step_re: re.Pattern = _STEP) -> tuple[float, float, str]:
    argv = ["pack", "build", IMAGE, "--builder", BUILDER, "--path", str(app), "--network", "host",
            "--pull-policy", "never", "--trust-builder", *args]
    for e in env:
        argv += ["--env", e]
    start = time.monotonic()
    proc = sh(argv)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"pack build failed:\n{proc.stdout}")
    step = step_re.search(proc.stdout)
    return wall, float(step["s"]) if step else float("nan"), proc.stdout


def clean() -> None:
    sh(["docker", "image", "rm", "-f", IMAGE])
    vols = sh(["docker", "volume", "ls", "-q"]).stdout.split()
    for v in vols:
        if "pycnb-bench_app" in v:
            sh(["docker", "volume", "rm", "-f", v])


def baseline(app: Path, index_url: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        env.update(PIP_INDEX_URL=index_url, PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
        start = time.monotonic()
        subprocess.run(["python3", "-m", "venv", f"{tmp}/venv"], check=True, env=env)
        subprocess.run([f"{tmp}/venv/bin/pip", "install", "--quiet", "-r", str(app / "requirements.txt")],
                       check=True, env=env)
        return time.monotonic() - start


def main() -> int:
    wheels = CACHE / "wheels" / "apps"
    if not (wheels / ".stamp").exists():
        sys.exit("wheel cache missing: run `make bench` (it fetches the wheels)")
    settings = mirror_settings()
    index = Index(wheels)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = Path(tmp) / "bench"
            shutil.copytree(REPO / "integration" / "testdata" / "bench", app)
            env = settings + [f"PIP_INDEX_URL={index.url()}"]
            count = sum(1 for line in (app / "requirements.txt").read_text().splitlines() if line and not line.startswith("#"))
            clean()
            cold = build(app, env)
            (app / "app.py").write_text((app / "app.py").read_text() + "\n# code-only change\n")
            warm = build(app, env)
            if "Reusing layer 'packages'" not in warm[2]:
                sys.exit("the warm rebuild did not reuse the packages layer:\n" + warm[2])
            reqs = (app / "requirements.txt").read_text()
            (app / "requirements.txt").write_text(reqs.replace("tabulate==0.10.0\n", ""))
            changed = build(app, env)
            size = int(sh(["docker", "image", "inspect", "--format", "{{.Size}}", IMAGE]).stdout.strip())
            base = baseline(app, index.url())
    finally:
        index.close()
        clean()
    print(f"pip-install benchmark: {count} pinned requirements from a loopback index")
    print(f"  {'':<36} {'pack build':>10} {'pip-install step':>17}")
    for label, (wall, step, _) in (("cold (no image, no cache)", cold), ("warm, code-only change", warm),
                                    ("one requirement removed", changed)):
        print(f"  {label:<36} {wall:9.1f}s {step:16.2f}s")
    print(f"  image size: {size / 1e6:.1f} MB")
    print(f"  baseline, host python -m venv + pip install (no cache): {base:.2f}s")
    print(f"  cold pip-install step / baseline: {cold[1] / base:.2f}x (target <= 1.2x); warm step: {warm[1]:.2f}s (target < 1 s)")
    conda_road(settings)
    return 0


def conda_road(settings: list[str]) -> None:
    """integration/testdata/conda-flask (environment.yml, Flask) from the mirror's conda channel."""
    args = mirror_args()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = Path(tmp) / "conda-flask"
            shutil.copytree(REPO / "integration" / "testdata" / "conda-flask", app)
            clean()
            cold = build(app, settings, args, _CONDA_STEP)
            (app / "app.py").write_text((app / "app.py").read_text() + "\n# code-only change\n")
            warm = build(app, settings, args, _CONDA_STEP)
            if "Reusing layer 'conda-env'" not in warm[2] or "Solving" in warm[2]:
                sys.exit("the warm conda rebuild did not reuse the conda-env layer without a solve:\n" + warm[2])
            size = int(sh(["docker", "image", "inspect", "--format", "{{.Size}}", IMAGE]).stdout.strip())
    finally:
        clean()
    print("conda road: environment.yml (python 3.11, flask 3.1.3) from the mirror's conda channel")
    print(f"  {'':<36} {'pack build':>10} {'conda-env-update step':>22}")
    for label, (wall, step, _) in (("cold (no image, no cache)", cold), ("warm, code-only change", warm)):
        print(f"  {label:<36} {wall:9.1f}s {step:21.2f}s")
    print(f"  image size: {size / 1e6:.1f} MB; warm conda-env-update step: {warm[1]:.2f}s, no solve (target < 1 s)")


if __name__ == "__main__":
    sys.exit(main())
