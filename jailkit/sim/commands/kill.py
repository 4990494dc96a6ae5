"""kill(1) (bin/kill/kill.c): send a signal to processes by ID; sh's
built-in kill is the same program, which also takes %job (sh/builtins)."""

from __future__ import annotations

from ..proc import Proc, program
from ..sh.builtins import kill_main


@program("/bin/kill")
def main(proc: Proc, argv: list[str]) -> int:
    return kill_main(proc, argv)
