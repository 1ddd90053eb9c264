#!/usr/bin/env python3
"""Median wall time of bin/detect for each packaged buildpack, on the system python3.

Runs each detect as the lifecycle would (filtered env, platform dir, plan path) against a
small Python app, several times, and prints the median and the spread per buildpack.
"""
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "25"))
APP_FILES = {"app.py": "print('hi')\n", "requirements.txt": "flask==3.0.3\n", "Procfile": "web: python app.py\n",
             ".python-version": "3.11\n"}


def measure(argv: list[str], cwd: Path, env: dict) -> tuple[list[float], list[float]]:
    times, cpu = [], []
    for i in range(RUNS):
        plan = Path(env["CNB_PLATFORM_DIR"]).parent / f"plan-{i}.toml"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**env, "CNB_BUILD_PLAN_PATH": str(plan)})
        times.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
        if proc.returncode not in (0, 100):
            raise SystemExit(f"{argv[0]}: detect exited {proc.returncode}")
    return times, cpu


def own_app(bp: Path, root: Path) -> Path | None:
    """An app holding the first thing the buildpack's detect-needs.txt names, so its Python
    detect runs (None without a list: it runs on every app)."""
    listing = bp / "detect-needs.txt"
    if not listing.is_file():
        return None
    kind, value = next(line.split(None, 1) + [""] for line in listing.read_text().splitlines()
                       if line.strip() and not line.startswith("#"))[:2]
    app = root / f"own-{bp.name}"
    app.mkdir()
    (app / "app.py").write_text(APP_FILES["app.py"])
    if kind == "file":
        (app / value.strip()).write_text(APP_FILES.get(value.strip(), "\n"))
    return app


def main() -> int:
    packaged = REPO / "build" / "buildpacks"
    names = sorted(p.name for p in packaged.iterdir() if (p / "bin" / "detect").exists())
    if not names:
        print("no packaged buildpacks: run `make package-dirs`", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        app = root / "app"
        app.mkdir()
        for name, text in APP_FILES.items():
            (app / name).write_text(text)
        (root / "platform" / "env").mkdir(parents=True)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": tmp, "CNB_PLATFORM_DIR": str(root / "platform"),
               "CNB_TARGET_OS": "linux", "CNB_TARGET_ARCH": "amd64", "CNB_TARGET_DISTRO_NAME": "debian",
               "CNB_TARGET_DISTRO_VERSION": "12"}
        print(f"detect on /usr/bin/python3, {RUNS} runs each, ms: on a pip app (requirements.txt, Procfile, app.py) "
              "wall median / min / max and CPU median; then, for a buildpack with a detect-needs.txt, the wall "
              "median on an app holding the first thing it lists (its Python detect runs)")
        print("  (the machine may be loaded: compare with the bare interpreter, measured in the same run)")
        times, cpu = measure(["/usr/bin/python3", "-I", "-S", "-B", "-c", "pass"], app, env)
        print(f"  {'bare python3 -I -S':<20} {statistics.median(times):6.1f}  {min(times):6.1f}  {max(times):6.1f}"
              f"   cpu {statistics.median(cpu):6.1f}")
        worst = 0.0
        for name in names:
            bp = packaged / name
            bp_env = {**env, "CNB_BUILDPACK_DIR": str(bp)}
            times, cpu = measure([str(bp / "bin" / "detect")], app, bp_env)
            median = statistics.median(times)
            worst = max(worst, median)
            line = (f"  {name:<20} {median:6.1f}  {min(times):6.1f}  {max(times):6.1f}   cpu "
                    f"{statistics.median(cpu):6.1f}")
            own = own_app(bp, root)
            if own is not None:
                own_times, own_cpu = measure([str(bp / "bin" / "detect")], own, bp_env)
                worst = max(worst, statistics.median(own_times))
                line += f"   own app {statistics.median(own_times):6.1f}  cpu {statistics.median(own_cpu):6.1f}"
            print(line)
        print(f"slowest median: {worst:.1f} ms (target < 30 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
