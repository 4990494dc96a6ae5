"""A howto being followed: the learner's terminal. Commands are typed as the
howto says them; ``qjail ...`` lines go to jailkit's qjail, a qjail console
makes the following lines run inside the jail until ``exit``, and the howto's
``<names>`` come from the lab."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Callable

from . import expect
from .host import Host
from .qjail import Qjail

# Lab values are lower-case names; FreeBSD's own <FLAGS> are upper case.
VARIABLE = re.compile(r"<([a-z_][a-z0-9_]*)>")


class ScenarioError(Exception):
    pass


@dataclass
class Typed:
    """One command line typed at the terminal and what came back."""

    command: str
    where: str                # "host" or the jail whose console it was typed at
    exit_status: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Scenario:
    def __init__(self, host: Host, variables: dict[str, str],
                 echo: Callable[[Typed], None] | None = None) -> None:
        self.host = host
        self.variables = variables
        self.qjail = Qjail(host)
        self.console: str | None = None
        self.last: Typed | None = None
        self.transcript: list[Typed] = []
        self.echo = echo

    def substitute(self, text: str) -> str:
        """Replace ``<name>`` with the lab's value; ``<...>`` stays a wildcard."""
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.variables:
                raise ScenarioError(f"<{name}> is not a lab value; known: "
                                    + ", ".join(f"<{k}>" for k in sorted(self.variables)))
            return self.variables[name]
        return VARIABLE.sub(value, text)

    def enter(self, line: str) -> Typed:
        command = self.substitute(line).strip()
        where = self.console or "host"
        if self.console is not None:
            if command in ("exit", "logout"):
                typed = Typed(command, where, 0, "", "")
                self.console = None
            else:
                result = self.qjail.console_run(self.console, command)
                typed = Typed(command, where, result.exit_status, result.stdout, result.stderr)
        elif command.split()[:1] == ["qjail"]:
            words = shlex.split(command)
            outcome = self.qjail.command(words)
            typed = Typed(command, where, outcome.exit_status, outcome.output, "")
            if words[1:2] == ["console"] and "-c" not in words and outcome.exit_status == 0:
                self.console = words[-1]
        else:
            result = self.host.run(command)
            typed = Typed(command, where, result.exit_status, result.stdout, result.stderr)
        self.last = typed
        self.transcript.append(typed)
        if self.echo is not None:
            self.echo(typed)
        return typed

    def expect_output(self, expected: str) -> None:
        typed = self._last()
        mismatch = expect.match(self.substitute(expected), typed.output, expect.kind_of(typed.command))
        if mismatch is not None:
            raise AssertionError(f"after `{typed.command}`:\n{mismatch}")

    def expect_status(self, succeeded: bool) -> None:
        typed = self._last()
        if (typed.exit_status == 0) != succeeded:
            state = "succeeded" if typed.exit_status == 0 else f"failed (exit status {typed.exit_status})"
            raise AssertionError(f"`{typed.command}` {state}; output:\n{typed.output}")

    def _last(self) -> Typed:
        if self.last is None:
            raise ScenarioError("no command has been entered yet")
        return self.last
