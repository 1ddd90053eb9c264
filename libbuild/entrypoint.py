"""The one main() behind every bin/detect and bin/build.

detect: exit 0 (pass, plan written), 100 (fail), 1 (error).
build: exit 0, or 1 with one user-facing message; a traceback only with BP_LOG_LEVEL=DEBUG.
"""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from .context import BuildContext, DetectContext
from .log import Logger

TYPE_CHECKING = False  # detect imports as little as it can (make bench-detect)
if TYPE_CHECKING:
    from typing import Callable, Optional, Sequence

    from .descriptors import BuildResult
    from .detection import DetectResult

DETECT_PASS, DETECT_FAIL, ERROR = 0, 100, 1


def main(argv: Sequence[str]) -> None:
    """argv: phase, buildpack dir (as the launcher passes them)."""
    phase, bp_dir = argv[0], Path(argv[1])
    sys.exit(run(phase, bp_dir))


def run(phase: str, bp_dir: Path, module_name: Optional[str] = None) -> int:
    log = Logger(debug=_debug_requested())
    try:
        if phase == "detect":
            ctx = DetectContext(bp_dir, log=log)
            detect = _load(f"{module_name or ctx.module_name}.detect", "detect")
            return _detect(ctx, detect)
        if phase == "build":
            ctx = BuildContext(bp_dir, log=log)
            build = _load(f"{module_name or ctx.buildpack.module_name}.build", "build")
            return _build(ctx, build)
        log.raw(f"ERROR: unknown phase {phase!r} (expected detect or build)")
        return ERROR
    except Exception as exc:
        from . import errors
        if isinstance(exc, errors.UserError):
            log.raw(exc.render())
            if log.debug_enabled:
                log.raw(_traceback())
            return ERROR
        # a bug in a buildpack: say so plainly
        log.raw(f"ERROR: internal error in {bp_dir.name} ({type(exc).__name__}: {exc})")
        if log.debug_enabled:
            log.raw(_traceback())
        else:
            log.raw("  How to fix: this is a bug in the buildpack; rerun with BP_LOG_LEVEL=DEBUG and report the output.")
        return ERROR


def _traceback() -> str:
    import traceback  # only on the error path
    return traceback.format_exc()


def _debug_requested() -> bool:
    if os.environ.get("BP_LOG_LEVEL", "").upper() == "DEBUG":
        return True
    # Under clear-env the setting only exists as a platform file.
    env_file = Path(os.environ.get("CNB_PLATFORM_DIR", "/platform")) / "env" / "BP_LOG_LEVEL"
    try:
        return env_file.read_text().strip().upper() == "DEBUG"
    except OSError:
        return False


def _load(module_name: str, attr: str) -> Callable:
    return getattr(importlib.import_module(module_name), attr)


def _detect(ctx: DetectContext, detect: Callable[[DetectContext], DetectResult]) -> int:
    result = detect(ctx)
    if not result.passed:
        ctx.log.title(f"{ctx.buildpack_id}: {result.reason or 'not applicable'}")
        return DETECT_FAIL
    if result.plan is not None:
        result.plan.write(ctx.plan_path)
    ctx.log.debug(f"{ctx.buildpack_id}: {result.reason}")
    return DETECT_PASS


def _build(ctx: BuildContext, build: Callable[[BuildContext], Optional[BuildResult]]) -> int:
    import time

    from .descriptors import BuildDescriptor, BuildResult, LaunchDescriptor, Store
    from .log import format_duration
    start = time.monotonic()
    ctx.log.title(f"{ctx.buildpack.name or ctx.buildpack.id} {ctx.buildpack.version}")
    result = build(ctx) or BuildResult()
    ctx.layers.commit()
    launch = LaunchDescriptor(result.processes, result.labels, result.slices)
    if not launch.is_empty():
        launch.write(ctx.layers_dir / "launch.toml")
    if result.unmet:
        BuildDescriptor(result.unmet).write(ctx.layers_dir / "build.toml")
    if result.store is not None:
        Store(result.store).write(ctx.layers_dir / "store.toml")
    for p in result.processes:
        ctx.log.info(f"Process '{p.type}'{' (default)' if p.default else ''}: {' '.join(p.command + p.args)}")
    ctx.log.info(f"Done in {format_duration(time.monotonic() - start)}")
    return 0
