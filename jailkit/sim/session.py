"""A login shell that lasts: root's /bin/sh on the host, or in a jail as
`jexec -l -U root NAME /bin/sh` gives it, reading one command line after
another. Its working directory, variables, functions and $? carry from one
line to the next, as at a terminal.

A line runs in the foreground: at a terminal its virtual time passes at the
pace of real time (a virtual second takes a second) and ^C (interrupt())
sends it SIGINT; without one, a line still running after ``limit`` virtual
seconds gets SIGINT there, as if ^C had been typed, and the session says so.
As FreeBSD's interactive sh does (bin/sh/jobs.c waitforjob()), a program
that catches SIGINT (ping) ends as it would and the line goes on; one that
dies of it (sleep) abandons the rest of the line with status 130."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from .kernel import SPIN_LIMIT, Rebooted
from .machine import Machine
from .proc import SIGINT_STATUS, Input, Interrupted, Proc, Stream
from .sh import syntax
from .sh.shell import ExitShell, ReturnFromFunction, Shell, ShellError

Write = Callable[[str], None]
TICK = 0.05     # real seconds between two looks for ^C while time passes


class LoginShell:
    def __init__(self, machine: Machine, jail: str | None = None, *, terminal: bool = False,
                 limit: float = 60.0) -> None:
        self.machine = machine
        self.terminal = terminal
        self.limit = limit
        self.shell = Shell(_login(machine, jail), name="sh", command_name="sh")
        # The session's terminal: a background job keeps writing to it, and
        # what it writes shows up with whichever line runs then.
        self.out = Stream(_nowhere)
        self.err = Stream(_nowhere)
        self.ended = False
        self.interrupted = False

    @property
    def cwd(self) -> str:
        return self.shell.proc.cwd

    def run(self, line: str, stdin: str | None, out: Write, err: Write) -> int:
        """Run one command line; its output goes to ``out`` and ``err`` as it
        is written. Sets ``ended`` when the line ran exit."""
        self.out.sink, self.err.sink = out, err
        self.shell.proc = replace(self.shell.proc, stdin=Input(stdin or ""), stdout=self.out,
                                  stderr=self.err)
        self.interrupted = False
        try:
            tree = syntax.parse(line)
        except syntax.ShellSyntaxError as exc:
            err(f"sh: Syntax error: {exc}\n")
            return self.set_status(2)
        if not tree.items:          # an empty line or a comment leaves $? as it was
            return self.shell.status
        return self.set_status(self._foreground(tree, line, err))

    def _foreground(self, tree: syntax.CommandList, line: str, err: Write) -> int:
        kernel = self.machine.kernel
        kernel.foreground, kernel.sigint, kernel.spins = True, False, 0
        kernel.pace = self._pace if self.terminal else None
        kernel.sigint_at = None if self.terminal else kernel.clock + self.limit
        signals = kernel.sigints
        try:
            return self.shell.run_list(tree)
        except ExitShell as done:
            self.ended = True
            return done.status
        except ReturnFromFunction as ret:
            return ret.status       # return outside a function ends the line
        except ShellError:
            return 2
        except Rebooted as down:
            # the machine went down under the line, and the session with it
            self.machine.went_down_under(down)
            self.ended = True
            return -1
        except Interrupted:
            self.interrupted = True
            if self.terminal:
                err("\n")       # after the terminal's ^C, the prompt on a line of its own
            return SIGINT_STATUS
        finally:
            if not self.terminal and kernel.sigints != signals:
                err(f"jailkit sim: `{line}` ran past its limit ({self.limit:g} virtual seconds, or "
                    f"{SPIN_LIMIT} turns of a loop while no time passes) with no terminal to "
                    "type ^C at: it got SIGINT, as ^C would send\n")
            kernel.foreground, kernel.sigint, kernel.pace, kernel.sigint_at = (
                False, False, None, None)

    def set_status(self, status: int) -> int:
        """$? for the next line (after a line the terminal ran itself)."""
        self.shell.status = status
        return status

    def interrupt(self) -> None:
        """^C: SIGINT for the line running now (called from a signal
        handler, so it only raises a flag the kernel looks at)."""
        if self.machine.kernel.foreground:
            self.machine.kernel.sigint = True

    def _pace(self, seconds: float) -> float:
        """Wait ``seconds`` of real time, less if ^C comes; the real seconds
        waited."""
        started = time.monotonic()
        while not self.machine.kernel.sigint:
            left = seconds - (time.monotonic() - started)
            if left <= 0:
                return seconds
            time.sleep(min(TICK, left))
        return min(seconds, time.monotonic() - started)


def _nowhere(text: str) -> None:
    """Before the first line, nothing is written."""


def _login(machine: Machine, jail: str | None) -> Proc:
    """root's login process on the host, or in ``jail`` as jexec -l makes
    it (usr.sbin/jexec/jexec.c: the login class's environment, $HOME)."""
    kernel = machine.kernel
    if jail is None:
        return Proc(kernel, kernel.prison0, "/root", machine.login_env())
    prison = kernel.find_prison(jail, kernel.prison0)
    if prison is None:
        raise LookupError(f'jail "{jail}" not found')
    env = {"HOME": "/root", "SHELL": "/bin/sh", "USER": "root", "TERM": "xterm",
           "PATH": "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:/root/bin"}
    return Proc(kernel, prison, "/root", env)
