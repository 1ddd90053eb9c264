#!/usr/bin/env python3
"""make bench: pip-install through the real builder, against a loopback index of 24 wheels.

Prints, for integration/testdata/bench (24 pinned distributions):
  cold `pack build` (no image, no cache), warm rebuild after a code-only change, rebuild
  after one requirement changes — each with the pip-install step's own time — the image
  size, and as the baseline the same install with plain `python -m venv` + `pip install`
  on the host from the same index (no pip cache). Then the same requirements with
  BP_PIP_INSTALLER=uv (cold, warm), and as a uv project locked against the same index
  (uv-install, cold and warm), each against that baseline.
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
_UV_STEP = re.compile(r"pycnb uv install [\d.]+\n(?:.*\n)*?.*Done in (?P<s>[\d.]+)s")


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


def build(app: Path, env: list[str], args: list[str] = (), step_re: re.Pattern = _STEP,
          cold: bool = False) -> tuple[float, float, str]:
    argv = ["pack", "build", IMAGE, "--builder", BUILDER, "--path", str(app), "--network", "host",
            "--pull-policy", "never", "--trust-builder", *args]
    for e in env:
        argv += ["--env", e]
    for attempt in (1, 2):
        start = time.monotonic()
        proc = sh(argv)
        wall = time.monotonic() - start
        # A busy shared engine sometimes drops the exporter's connection: measure that build again.
        if proc.returncode == 0 or "error during connect" not in proc.stdout or attempt == 2:
            break
        print("bench: the Docker engine dropped the connection during export; building again", file=sys.stderr)
        if cold:
            clean()  # a cold figure again, not one from the half-exported first attempt
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


def host_uv() -> Path:
    """The uv binary of the catalog's default wheel (tools/fetch-uv.py caches it)."""
    import zipfile
    wheel = Path(subprocess.run([sys.executable, str(REPO / "tools" / "fetch-uv.py")], stdout=subprocess.PIPE,
                                text=True, check=True).stdout.strip())
    dest = Path(tempfile.mkdtemp(prefix="bench-uv-")) / "uv"
    with zipfile.ZipFile(wheel) as zf:
        dest.write_bytes(zf.read(next(n for n in zf.namelist() if n.endswith(".data/scripts/uv"))))
    dest.chmod(0o755)
    return dest


def uv_project(src: Path, dest: Path, uv: Path, index_url: str) -> None:
    """The bench requirements as a uv project, locked against the loopback index."""
    shutil.copytree(src, dest)
    reqs = [line for line in (dest / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    (dest / "requirements.txt").unlink()
    (dest / "pyproject.toml").write_text('[project]\nname = "bench"\nversion = "0"\nrequires-python = ">=3.11,<3.12"\n'
                                         "dependencies = [" + ", ".join(f'"{r}"' for r in reqs) + "]\n")
    (dest / ".python-version").write_text("3.11\n")
    env = {**os.environ, "UV_DEFAULT_INDEX": index_url, "UV_NO_CACHE": "1", "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run([str(uv), "lock", "--quiet"], cwd=dest, env=env, check=True)


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
            cold = build(app, env, cold=True)
            (app / "app.py").write_text((app / "app.py").read_text() + "\n# code-only change\n")
            warm = build(app, env)
            if "Reusing layer 'packages'" not in warm[2]:
                sys.exit("the warm rebuild did not reuse the packages layer:\n" + warm[2])
            reqs = (app / "requirements.txt").read_text()
            (app / "requirements.txt").write_text(reqs.replace("tabulate==0.10.0\n", ""))
            changed = build(app, env)
            size = int(sh(["docker", "image", "inspect", "--format", "{{.Size}}", IMAGE]).stdout.strip())
            base = baseline(app, index.url())
            # The same requirements with BP_PIP_INSTALLER=uv, then as a uv project (uv-install).
            (app / "requirements.txt").write_text(reqs)
            clean()
            uv_env = env + ["BP_PIP_INSTALLER=uv"]
            uv_cold = build(app, uv_env, cold=True)
            (app / "app.py").write_text((app / "app.py").read_text() + "\n# another code-only change\n")
            uv_warm = build(app, uv_env)
            if "Reusing layer 'packages'" not in uv_warm[2]:
                sys.exit("the warm BP_PIP_INSTALLER=uv rebuild did not reuse the packages layer:\n" + uv_warm[2])
            uv = host_uv()
            project = Path(tmp) / "bench-uv"
            uv_project(REPO / "integration" / "testdata" / "bench", project, uv, index.url())
            clean()
            lock_cold = build(project, settings, step_re=_UV_STEP, cold=True)
            (project / "app.py").write_text((project / "app.py").read_text() + "\n# code-only change\n")
            lock_warm = build(project, settings, step_re=_UV_STEP)
            if "Reusing layer 'packages'" not in lock_warm[2]:
                sys.exit("the warm uv-install rebuild did not reuse the packages layer:\n" + lock_warm[2])
            shutil.rmtree(uv.parent, ignore_errors=True)
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
    print(f"pip and uv side by side: the same {count} requirements, same loopback index")
    print(f"  {'':<44} {'pack build':>10} {'install step':>13}")
    for label, (wall, step, _) in (("pip-install, pip, cold", cold), ("pip-install, pip, warm", warm),
                                    ("pip-install, BP_PIP_INSTALLER=uv, cold", uv_cold),
                                    ("pip-install, BP_PIP_INSTALLER=uv, warm", uv_warm),
                                    ("uv-install (uv.lock of the same set), cold", lock_cold),
                                    ("uv-install (uv.lock of the same set), warm", lock_warm)):
        print(f"  {label:<44} {wall:9.1f}s {step:12.2f}s")
    print(f"  cold BP_PIP_INSTALLER=uv step / plain pip baseline: {uv_cold[1] / base:.2f}x (target <= 0.3x); "
          f"/ cold pip-install step: {uv_cold[1] / cold[1] if cold[1] else float('nan'):.2f}x")
    print(f"  cold uv-install step / plain pip baseline: {lock_cold[1] / base:.2f}x")
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
