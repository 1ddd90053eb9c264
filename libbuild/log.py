"""One log style for every buildpack: a title, timed sections, indented details.

    pycnb/cpython 0.1.0
      Resolving CPython version
        Selected 3.11.2 (from .python-version)
        Completed in 0.01s
      Reusing layer 'cpython'

Secrets (binding values, URL passwords) are masked on every line.
"""
from __future__ import annotations

import contextlib
import os
import re
import sys
import time
TYPE_CHECKING = False  # typing is not imported on the detect path
if TYPE_CHECKING:
    from typing import Iterator, TextIO

_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]+):(?P<pw>[^@/\s]+)@")


def redact_urls(text: str) -> str:
    """Mask the password in user:password@ URLs."""
    return _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)


class Logger:
    def __init__(self, stream: TextIO | None = None, debug: bool | None = None):
        self.stream = stream or sys.stdout
        if debug is None:
            debug = os.environ.get("BP_LOG_LEVEL", "").upper() == "DEBUG"
        self.debug_enabled = debug
        self._depth = 0
        self._secrets: set[str] = set()

    # -- secrets ---------------------------------------------------------
    def add_secret(self, value: str) -> None:
        # Very short values would mask ordinary words; they are not credentials anyway.
        if value and len(value.strip()) >= 4:
            self._secrets.add(value.strip())

    def redact(self, text: str) -> str:
        text = redact_urls(text)
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    # -- output ------------------------------------------------------------
    def _emit(self, text: str, indent: int) -> None:
        pad = "  " * indent
        for line in self.redact(text).splitlines() or [""]:
            self.stream.write(f"{pad}{line}\n" if line else "\n")
        self.stream.flush()

    def title(self, text: str) -> None:
        self._emit(text, 0)

    def info(self, text: str) -> None:
        self._emit(text, self._depth + 1)

    def detail(self, text: str) -> None:
        self._emit(text, self._depth + 2)

    def warn(self, text: str) -> None:
        self._emit(f"WARNING: {text}", self._depth + 1)

    def debug(self, text: str) -> None:
        if self.debug_enabled:
            self._emit(f"DEBUG: {text}", self._depth + 1)

    def raw(self, text: str) -> None:
        """Unindented, redacted output (errors)."""
        self._emit(text, 0)

    @contextlib.contextmanager
    def section(self, text: str) -> Iterator[None]:
        """A heading whose nested lines are indented, closed by its duration."""
        self.info(text)
        self._depth += 1
        start = time.monotonic()
        try:
            yield
        finally:
            self.info(f"Completed in {format_duration(time.monotonic() - start)}")
            self._depth -= 1


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{rest:04.1f}s"
