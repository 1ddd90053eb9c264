#!/usr/bin/env python3
"""make bench-s3: libbuild's S3 sync against a real server (versitygw on 127.0.0.1).

Uploads the 24 cached app wheels (tools/fetch-wheels.sh apps) under python/<commit>/ as CI
would, then times, median of 5: a cold sync (empty layer), an unchanged sync (list only),
and a sync after one object changed. Prints requests made per case (from the server's
access log) next to the times.
"""
from __future__ import annotations

import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "build" / "vendor"), str(REPO / "tests")]
from libbuild.bindings import discover  # noqa: E402
from libbuild.log import Logger  # noqa: E402
from libbuild.s3source import Bucket, mirror, s3_bindings  # noqa: E402
from s3server import S3Server, versitygw  # noqa: E402

WHEELS = Path(os.environ.get("PYCNB_CACHE", Path.home() / ".cache" / "pycnb")) / "wheels" / "apps"
RUNS = 5


def main() -> int:
    if not (WHEELS / ".stamp").exists():
        print(f"{WHEELS} missing: run tools/fetch-wheels.sh apps -r integration/testdata/bench/requirements.txt")
        return 1
    work = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    server = S3Server(work / "server", versitygw())
    try:
        bucket = server.bucket("bench")
        dist = work / "dist"  # `pip wheel -w dist/`: the wheels alone
        dist.mkdir()
        for wheel in WHEELS.glob("*.whl"):
            (dist / wheel.name).symlink_to(wheel)
        keys = server.sync_dir(dist, bucket, "python/abc123")
        size = sum(p.stat().st_size for p in WHEELS.glob("*.whl"))
        server.binding(work / "bindings" / "wh", bucket, "python/abc123/", "wheelhouse")
        binding = s3_bindings(discover({"SERVICE_BINDING_ROOT": str(work / "bindings")}, None))[0]
        log = Logger(io.StringIO())

        def timed(prepare) -> tuple[float, list[str]]:
            times, ops = [], []
            for _ in range(RUNS):
                prepare()
                seen = len(server.operations())
                start = time.monotonic()
                mirror(Bucket(binding, {}, log), work / "layer")
                times.append(time.monotonic() - start)
                ops = server.operations()[seen:]
            return statistics.median(times), ops

        cold = timed(lambda: shutil.rmtree(work / "layer", ignore_errors=True))
        warm = timed(lambda: None)
        counter = iter(range(10**6))
        changed = timed(lambda: server.put(bucket, "python/abc123/changing.txt", str(next(counter)).encode()))
        print(f"S3 sync of {len(keys)} objects ({size / 1e6:.1f} MB) from versitygw on 127.0.0.1, median of {RUNS}:")
        for label, (seconds, ops) in (("cold (empty layer)", cold), ("unchanged prefix", warm),
                                      ("one object changed", changed)):
            counts = {op: ops.count(op) for op in sorted(set(ops))}
            print(f"  {label:<20} {seconds:6.2f}s  requests: {counts}")
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
