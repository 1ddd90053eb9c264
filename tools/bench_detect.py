#!/usr/bin/env python3
"""Median wall time of bin/detect for each packaged buildpack, on the build image's python3.

Runs each detect as the lifecycle would (filtered env, platform dir, plan path) against a
small Python app, several times, and prints the median and the spread per buildpack.
`--image IMAGE` runs this script in that image (`make bench-detect` passes the build image),
since that python3 is the one the lifecycle runs detect on. Runs are interleaved, one of each
case per round, so a burst of load on the machine slows every case alike instead of one.
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


class Case:
    """One detect to time: its argv, app and environment, and what it measured."""

    def __init__(self, argv: list[str], cwd: Path, env: dict):
        self.argv, self.cwd, self.env = argv, cwd, env
        self.times: list[float] = []
        self.cpu: list[float] = []

    def run_once(self) -> None:
        plan = Path(self.env["CNB_PLATFORM_DIR"]).parent / f"plan-{len(self.times)}.toml"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(self.argv, cwd=self.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**self.env, "CNB_BUILD_PLAN_PATH": str(plan)})
        self.times.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
        if proc.returncode not in (0, 100):
            raise SystemExit(f"{self.argv[0]}: detect exited {proc.returncode}")

    def figures(self) -> str:
        return (f"{statistics.median(self.times):6.1f}  {min(self.times):6.1f}  {max(self.times):6.1f}   cpu "
                f"{statistics.median(self.cpu):6.1f}")


def measure_all(cases: list[Case]) -> None:
    for _ in range(RUNS):
        for case in cases:
            case.run_once()


def in_image(image: str) -> int:
    """This script, run on `image`'s own python3 with the checkout mounted read-only."""
    argv = ["docker", "run", "--rm", "--network", "none", "-u", "0", "-e", f"BENCH_RUNS={RUNS}", "-e", f"PYCNB_DETECT_IMAGE={image}",
            "-v", f"{REPO}:/repo:ro", image, "/usr/bin/python3", "/repo/tools/bench_detect.py"]
    return subprocess.call(argv)


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


def main(argv: list[str]) -> int:
    if argv[:1] == ["--image"] and len(argv) == 2:
        return in_image(argv[1])
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
        where = os.environ.get("PYCNB_DETECT_IMAGE", "this machine")
        print(f"detect on {where}'s /usr/bin/python3, {RUNS} runs each, interleaved, ms: on a pip app "
              "(requirements.txt, Procfile, app.py) wall median / min / max and CPU median; then, for a buildpack "
              "with a detect-needs.txt, the wall median on an app holding the first thing it lists (its Python "
              "detect runs)")
        print("  (the machine may be loaded: compare with the bare interpreter, measured in the same rounds)")
        bare = Case(["/usr/bin/python3", "-I", "-S", "-B", "-c", "pass"], app, env)
        rows = []
        for name in names:
            bp = packaged / name
            bp_env = {**env, "CNB_BUILDPACK_DIR": str(bp)}
            own = own_app(bp, root)
            rows.append((name, Case([str(bp / "bin" / "detect")], app, bp_env),
                         None if own is None else Case([str(bp / "bin" / "detect")], own, bp_env)))
        measure_all([bare] + [c for _, on_pip, own in rows for c in (on_pip, own) if c is not None])
        print(f"  {'bare python3 -I -S':<20} {bare.figures()}")
        worst = 0.0
        for name, on_pip, own in rows:
            line = f"  {name:<20} {on_pip.figures()}"
            worst = max(worst, statistics.median(on_pip.times))
            if own is not None:
                worst = max(worst, statistics.median(own.times))
                line += f"   own app {statistics.median(own.times):6.1f}  cpu {statistics.median(own.cpu):6.1f}"
            print(line)
        print(f"slowest median: {worst:.1f} ms (target < 30 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
