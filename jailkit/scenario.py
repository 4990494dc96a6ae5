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
from .getopt import GetoptError, getopt
from .host import Host, LoginError
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

    def enter(self, line: str, stdin: str | None = None) -> Typed:
        """Type one command line (with ``stdin`` as its input, if given)."""
        command = self.substitute(line).strip()
        stdin = self.substitute(stdin) if stdin is not None else None
        where = self.console or "host"
        if self.console is not None:
            if command in ("exit", "logout"):
                typed = Typed(command, where, 0, "", "")
                self.console = None
            else:
                result = self.qjail.console_run(self.console, command, stdin=stdin)
                typed = Typed(command, where, result.exit_status, result.stdout, result.stderr)
        elif command.split()[:1] == ["qjail"]:
            words = shlex.split(command)
            outcome = self.qjail.command(words)
            typed = Typed(command, where, outcome.exit_status, outcome.output, "")
            if words[1:2] == ["console"] and "-c" not in words and outcome.exit_status == 0:
                self.console = words[-1]
        else:
            result = self.host.run(command, stdin=stdin)
            typed = Typed(command, where, result.exit_status, result.stdout, result.stderr)
        return self._record(typed)

    def _record(self, typed: Typed) -> Typed:
        self.last = typed
        self.transcript.append(typed)
        if self.echo is not None:
            self.echo(typed)
        return typed

    def build_howto_jail(self, name: str, firewall: str) -> None:
        """Steps 2 to 5 of qjail-vnet-howto(8) for jail ``name``, typed as the
        howto types them; each must succeed."""
        for line in ("qjail install", f"qjail create -4 <jail_ip> {name}",
                     f"qjail config -w <lan_nic> -v {firewall} {name}", f"qjail start {name}"):
            typed = self.enter(line)
            if typed.exit_status != 0:
                raise AssertionError(f"`{typed.command}` failed:\n{typed.output}")

    def login(self, line: str, password: str) -> Typed:
        """`ssh [-p PORT] [-l USER] ADDRESS [COMMAND]` typed on the host and
        answered with ``password``: the host logs in for the learner
        (through its own network, as Host.login does)."""
        command = self.substitute(line).strip()
        if self.console is not None:
            raise ScenarioError("log in from the host: leave the jail's console with exit first")
        words = shlex.split(command)
        try:
            opts, args = getopt(words[1:], "l:o:p:")
        except GetoptError as exc:
            raise ScenarioError(f"{command}: {exc}") from None
        if words[:1] != ["ssh"] or not args:
            raise ScenarioError(f"not an ssh command line: {command}")
        values = dict(opts)
        user, address = values.get("l", "root"), args[0]
        if "@" in address:
            user, address = address.rsplit("@", 1)
        # ssh(1) joins its command words with spaces for the remote shell
        remote = " ".join(args[1:]) if args[1:] else "echo logged in"
        try:
            result = self.host.login(address, user, password, remote, port=int(values.get("p", 22)))
            typed = Typed(command, "host", result.exit_status, result.stdout, result.stderr)
        except LoginError as exc:
            typed = Typed(command, "host", 255, "", f"{exc}\n")
        return self._record(typed)

    def expect_output(self, expected: str) -> None:
        typed = self._last()
        mismatch = expect.match(self.substitute(expected), typed.output, expect.kind_of(typed.command))
        if mismatch is not None:
            raise AssertionError(f"after `{typed.command}`:\n{mismatch}")

    def expect_exit_status(self, status: int) -> None:
        typed = self._last()
        if typed.exit_status != status:
            raise AssertionError(f"`{typed.command}` exited {typed.exit_status}, not {status}; "
                                 f"output:\n{typed.output}")

    def expect_status(self, succeeded: bool) -> None:
        typed = self._last()
        if (typed.exit_status == 0) != succeeded:
            state = "succeeded" if typed.exit_status == 0 else f"failed (exit status {typed.exit_status})"
            raise AssertionError(f"`{typed.command}` {state}; output:\n{typed.output}")

    def _last(self) -> Typed:
        if self.last is None:
            raise ScenarioError("no command has been entered yet")
        return self.last
