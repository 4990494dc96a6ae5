"""The one interface every command goes through: ``host.run(...) -> Result``.

A command is a shell string, run by the host's /bin/sh, or an argv list,
which is quoted word by word (shlex) and run the same way, so both forms
behave alike on every kind of host."""

from __future__ import annotations

import ipaddress
import shlex
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .lab import LabError

if TYPE_CHECKING:
    from .lab import Lab
    from .session import Session


@dataclass(frozen=True)
class Result:
    command: str | tuple[str, ...]
    exit_status: int
    stdout: str
    stderr: str

    @property
    def succeeded(self) -> bool:
        return self.exit_status == 0

    def check(self) -> "Result":
        """This result, or CommandFailed when the command failed."""
        if self.exit_status != 0:
            raise CommandFailed(self)
        return self


class CommandFailed(Exception):
    def __init__(self, result: Result) -> None:
        self.result = result
        command = result.command if isinstance(result.command, str) else shlex.join(result.command)
        detail = (result.stderr or result.stdout).strip()
        super().__init__(f"{command!r} exited {result.exit_status}" + (f": {detail}" if detail else ""))


class HostError(Exception):
    """A host could not be reached or used; the message says what to do."""


class ConnectionLost(HostError):
    """The connection dropped while a command ran: it may or may not have
    finished, so it is not run again."""


class LoginError(HostError):
    """An ssh login through the host failed; the message is what ssh says."""


class HostTimeout(TimeoutError):
    def __init__(self, command: str, timeout: float) -> None:
        super().__init__(f"{command!r} did not finish within {timeout:g} s and was stopped")
        self.command = command
        self.timeout = timeout


# A command's output is bytes; every host reads them as UTF-8 and keeps a
# byte that is no UTF-8 as a lone surrogate (Python's surrogateescape), as
# the sim keeps its text (jailkit.sim.octets), so that such a byte reads
# the same on every host and goes back out as itself.
TEXT = "utf-8"
BYTES_KEPT = "surrogateescape"


def text_of(data: bytes | bytearray) -> str:
    """A host's output as text, each byte that is no UTF-8 kept."""
    return data.decode(TEXT, BYTES_KEPT)


def bytes_of(text: str) -> bytes:
    """Text (a command's input) as the bytes it came from."""
    return text.encode(TEXT, BYTES_KEPT)


def command_line(command: str | Sequence[str]) -> str:
    """The shell text for ``command``: strings as they are, argv quoted."""
    if isinstance(command, str):
        return command
    words = list(command)
    if not words:
        raise ValueError("an empty argv list is not a command")
    return shlex.join(words)


class Host(ABC):
    """A FreeBSD machine jailkit talks to, chosen by URL (see connect()),
    with the lab (the world around it) its scenarios assume, if it was
    given one. Where the host does not model the lab, it is built around
    it from above (jailkit.labbuild, by the pytest plugin)."""

    url: str
    lab: Lab | None
    models_lab = False      # the lab is part of the host (the sim), not built on it

    def run(self, command: str | Sequence[str], *, stdin: str | None = None,
            timeout: float | None = None) -> Result:
        line = command_line(command)
        status, stdout, stderr = self._run(line, stdin, timeout)
        shown = command if isinstance(command, str) else tuple(command)
        return Result(shown, status, stdout, stderr)

    @abstractmethod
    def _run(self, line: str, stdin: str | None, timeout: float | None) -> tuple[int, str, str]:
        """Run one command line; raise HostTimeout when ``timeout`` passes."""

    def run_on(self, machine: str, command: str | Sequence[str], *, stdin: str | None = None,
               timeout: float | None = None) -> Result:
        """Run a command line with /bin/sh as root on one of the lab's other
        machines (its gateway, an internet host: ``machine`` is its name in
        the lab), in that machine's own network stack, as if typed there.
        Raises HostError when the host has no lab or the lab no such machine."""
        line = command_line(command)
        if self.lab is None:
            raise HostError(f"{self.url}: this host has no lab, so no machine {machine!r}")
        try:
            jail = self.lab.machine_jail(machine)
        except LabError as exc:
            raise HostError(f"{self.url}: {exc}") from None
        status, stdout, stderr = self._run_on(machine, jail, line, stdin, timeout)
        shown = command if isinstance(command, str) else tuple(command)
        return Result(shown, status, stdout, stderr)

    def _run_on(self, machine: str, jail: str, line: str, stdin: str | None,
                timeout: float | None) -> tuple[int, str, str]:
        """Where the lab is built on the box (jailkit.labbuild), each of its
        machines is a VNET jail: the line runs there through jexec(8)."""
        return self._run(command_line(["jexec", jail, "/bin/sh", "-c", line]), stdin, timeout)

    def generation(self) -> int | None:
        """A number that stays the same for as long as nothing can have
        changed on the host and moves on whenever something may have (a
        command, a session's line, a login through it), so that a look at
        the host taken at one generation still holds while the generation
        does. None where the host cannot tell: a real box, on which its own
        daemons and other people act too, must be looked at again."""
        return None

    def before_next_change(self, callback: Callable[[], None]) -> bool:
        """Have ``callback`` called once, just before the next thing that may
        change the host (a command, a session's line, a login) starts, while
        the host is still as it was; True when it will be. A host whose
        generation() is None cannot tell when that is: False, and the caller
        must do now what it would have waited for."""
        return False

    def client_address(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        """Where the harness's own session to this host comes from, as the
        host sees it (what $SSH_CONNECTION shows there, after any NAT on the
        way); None when there is no such session to cut (local://)."""
        return None

    def login(self, address: str, user: str, password: str, command: str, *,
              port: int = 22, timeout: float | None = None) -> Result:
        """Log in over ssh to address:port (a jail's sshd, say) from the
        host's side of the network, as ``user`` with ``password``, and run
        ``command`` there, as `ssh -p PORT -l USER ADDRESS COMMAND` typed on
        the host would. Raises LoginError with ssh's reason when the login
        fails."""
        raise HostError(f"{self.url}: this host cannot log in to its jails")

    @abstractmethod
    def session(self, jail: str | None = None, *, terminal: bool = False,
                limit: float | None = None) -> Session:
        """A shell session: root's login shell on the host, or in ``jail``
        (see jailkit.session): one that lasts where the host can keep a
        shell running, else one sh per line (jailkit.hosts.line).
        ``terminal``: a learner types at a terminal (^C stops the running
        line); ``limit``: seconds a line may run without one."""

    def close(self, passed: bool = True) -> None:
        """Release the host; ``passed`` says whether the session's tests
        passed (a Vagrant box may be destroyed accordingly)."""

    def __enter__(self) -> "Host":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(passed=exc_type is None)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"
