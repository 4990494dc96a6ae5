"""Waiting for a command's processes to be gone on this machine: a test that
checks that a deadline ended a command (its last act, a file, never made)
looks as soon as nothing of the command is left, instead of sleeping for as
long as the command would have run."""

from __future__ import annotations

import os
import time
from pathlib import Path


def holding(text: str) -> list[int]:
    """The processes whose command line holds ``text`` (a zombie's is empty:
    it runs nothing any more)."""
    found = []
    needle = os.fsencode(text)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:      # gone meanwhile
            continue
    return found


def wait_until_gone(text: str, within: float = 10.0) -> None:
    """Return once no process's command line holds ``text``; fail when some
    still does after ``within`` seconds (a bound, so that a command that was
    not ended fails the test instead of hanging it)."""
    deadline = time.monotonic() + within
    while pids := holding(text):
        assert time.monotonic() < deadline, f"still running after {within} s: {pids} ({text})"
        time.sleep(0.05)
