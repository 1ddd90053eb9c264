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
        print(f"detect on /usr/bin/python3, {RUNS} runs each: wall median / min / max, CPU (user+sys) median, ms")
        print("  (the machine may be loaded: compare with the bare interpreter, measured in the same run)")
        bare = ["/usr/bin/python3", "-I", "-S", "-B", "-c", "pass"]
        worst = 0.0
        rows = [("bare python3 -I -S", bare, {})]
        for name in names:
            bp = packaged / name
            rows.append((name, [str(bp / "bin" / "detect")], {"CNB_BUILDPACK_DIR": str(bp)}))
        for name, argv, extra in rows:
            times, cpu = [], []
            for i in range(RUNS):
                plan = root / f"plan-{name}-{i}.toml"
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                proc = subprocess.run(argv, cwd=app, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      env={**env, **extra, "CNB_BUILD_PLAN_PATH": str(plan)})
                times.append((time.perf_counter() - start) * 1000)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
                if proc.returncode not in (0, 100):
                    print(f"{name}: detect exited {proc.returncode}", file=sys.stderr)
                    return 1
            median = statistics.median(times)
            if extra:
                worst = max(worst, median)
            print(f"  {name:<18} {median:6.1f}  {min(times):6.1f}  {max(times):6.1f}   cpu {statistics.median(cpu):6.1f}")
        print(f"slowest median: {worst:.1f} ms (target < 30 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
