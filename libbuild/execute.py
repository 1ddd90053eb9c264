"""Run a tool with its output streamed into the build log."""
from __future__ import annotations

import collections
import os
import shutil
import subprocess
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Mapping, Optional, Sequence

from . import errors
from .log import Logger

TAIL_LINES = 20
_TRACEBACK = "Traceback (most recent call last):"


class _FrameFilter:
    """Keeps a tool's Python traceback frames out of the log at INFO: users get the exception
    line (and the buildpack's own message), not the tool's internals. DEBUG shows them."""

    def __init__(self) -> None:
        self.hidden = 0

    def note(self) -> list[str]:
        hidden, self.hidden = self.hidden, 0
        return [f"(a Python traceback of {hidden} lines is hidden; BP_LOG_LEVEL=DEBUG shows it)"] if hidden else []

    def feed(self, line: str) -> list[str]:
        """The lines to show for one line of output."""
        if line.startswith(_TRACEBACK) or (self.hidden and (not line or line[:1].isspace())):
            self.hidden += 1
            return []
        return self.note() + [line]  # the exception line ends the frames


def run(argv: Sequence[str], log: Logger, *, cwd: Optional[str | os.PathLike] = None,
        env: Optional[Mapping[str, str]] = None, quiet: bool = False,
        explain: Optional[Callable[[list[str]], Optional[errors.UserError]]] = None) -> list[str]:
    """Run argv with an explicit environment, indenting its output under the current section.

    Returns the output lines. A non-zero exit becomes a user error naming the command and
    quoting its last lines; a missing executable becomes a user error naming the tool.
    `quiet` keeps output out of the log unless the command fails or DEBUG is on.
    `explain` may turn a failure's output into a more specific user error.
    """
    argv = [str(a) for a in argv]
    run_env = dict(env if env is not None else os.environ)
    exe = argv[0]
    if os.sep not in exe and shutil.which(exe, path=run_env.get("PATH")) is None:
        raise errors.command_missing(exe)
    log.debug(f"running {' '.join(argv)} in {cwd or os.getcwd()}")
    output: list[str] = []
    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=run_env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    except FileNotFoundError as exc:
        raise errors.command_missing(exe) from exc
    assert proc.stdout is not None
    frames = _FrameFilter()
    for raw in proc.stdout:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        output.append(line)
        for shown in [line] if log.debug_enabled else frames.feed(line):
            tail.append(shown)
            if not quiet or log.debug_enabled:
                log.detail(shown)
    for shown in frames.note():
        tail.append(shown)
        if not quiet:
            log.detail(shown)
    code = proc.wait()
    if code != 0:
        specific = explain(output) if explain else None
        if specific is not None:
            raise specific
        raise errors.command_failed(argv, code, [log.redact(t) for t in tail])
    return output
