"""Procfile: every `<type>: <command>` line becomes a process run through bash.

Detect lives in detect.py and build in build.py, so detect never imports what only
build needs.
"""
