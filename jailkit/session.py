"""A shell session on a host: what a learner's terminal types into.

``host.session()`` gives root's login shell on the host, ``host.session(jail=
NAME)`` the one `jexec -l -U root NAME /bin/sh` gives; each kind of host
says which Session it gives. A host that can keep a shell running between
lines gives one whose working directory, variables, functions and $? carry
from one line to the next: sim:// (jailkit.hosts.sim), and local:// with a
real sh (jailkit.hosts.lasting). The others (ssh:// and vagrant:// for now)
give a LineSession (jailkit.hosts.line), which runs each line in a new sh,
as `ssh host LINE` does.

This module is the interface only, below the hosts: it knows no host."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable

Write = Callable[[str], None]


class Session(ABC):
    limit: float | None     # how long a line may run without a terminal (None: the host's deadline)
    ended = False           # the shell ran exit
    abandoned = False       # the last line stopped before its end (SIGINT, or refused)

    @abstractmethod
    def run(self, line: str, *, stdin: str | None = None, out: Write, err: Write) -> int:
        """Run one command line; its output goes to ``out`` and ``err``
        (as it comes, where the host can); its exit status."""

    @abstractmethod
    def set_status(self, status: int) -> None:
        """$? for the next line, after a line the terminal ran itself."""

    def interrupt(self) -> None:
        """^C for the line running now. Only a host that runs lines at a
        terminal can take it; the others finish the line."""

    @property
    def cwd(self) -> str | None:
        """The shell's working directory, where the host knows it."""
        return None

    def close(self) -> None:
        """End the shell."""

    def expand(self, words: str) -> tuple[list[str] | None, int, str]:
        """The fields ``words`` (sh source text) expand to in this shell, as
        the words of a command would (parameters, $( ), field splitting,
        globs, quote removal): (fields or None, status, error output). Each
        field comes back as LENGTH:TEXT, so any character survives."""
        out: list[str] = []
        err: list[str] = []
        status = self.run(f'(for _w in {words}; do printf "%s:%s" "${{#_w}}" "$_w"; done)',
                          out=out.append, err=err.append)
        if status != 0:
            return None, status, "".join(err)
        return _fields("".join(out)), status, "".join(err)


def _fields(text: str) -> list[str] | None:
    fields = []
    while text:
        length, colon, rest = text.partition(":")
        if not colon or not length.isdigit() or len(rest) < int(length):
            return None
        fields.append(rest[:int(length)])
        text = rest[int(length):]
    return fields
