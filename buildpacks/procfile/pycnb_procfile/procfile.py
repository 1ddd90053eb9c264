"""Procfile syntax: `<type>: <command>` per line; blank lines and # comments ignored."""
from __future__ import annotations

import re

from libbuild import Process, errors

_LINE = re.compile(r"^(?P<type>[A-Za-z0-9._-]+)[ \t]*:[ \t]*(?P<command>\S.*)$")


def parse(text: str) -> list[Process]:
    processes: list[Process] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match or "\0" in line:  # a NUL cannot reach a process's arguments
            raise errors.procfile_malformed(number, raw)
        kind = match["type"]
        if kind in seen:
            raise errors.procfile_duplicate(number, kind)
        seen.add(kind)
        # bash -c so that $PORT and other variables expand as in a shell.
        processes.append(Process(kind, ["bash", "-c", match["command"].strip()]))
    if not processes:
        raise errors.procfile_empty()
    # `web` is the default; a Procfile with a single process makes that one the default.
    default = "web" if "web" in seen else (processes[0].type if len(processes) == 1 else None)
    for p in processes:
        p.default = p.type == default
    return processes
