"""A shell session on a host: what a learner's terminal types into.

``host.session()`` gives root's login shell on the host, ``host.session(jail=
NAME)`` the one `jexec -l -U root NAME /bin/sh` gives. A host that can keep a
shell running between lines gives a session whose working directory,
variables, functions and $? carry from one line to the next: sim://, and
local:// with a real sh (jailkit.hosts.lasting). The others (ssh:// and
vagrant:// for now) give a LineSession, which runs each line in a new sh, as
`ssh host LINE` does, and refuses, with a message that says why, a line that
would only change the state of a shell that ends with it (cd, export, a
variable, a function)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Callable

from .host import HostTimeout

if TYPE_CHECKING:
    from .host import Host

Write = Callable[[str], None]

# sh builtins that, given arguments, only change the shell running them
# (without arguments most of them print something).
STATE_ONLY = {"export", "unset", "set", "readonly", "alias", "unalias", "umask", "shift",
              "local", "trap"}


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


class LineSession(Session):
    """Each line in a new /bin/sh on the host (or in the jail)."""

    def __init__(self, host: "Host", jail: str | None = None, limit: float | None = None) -> None:
        self.host = host
        self.jail = jail
        self.limit = limit

    def run(self, line: str, *, stdin: str | None = None, out: Write, err: Write) -> int:
        refusal = _state_only(line)
        self.abandoned = refusal is not None
        if refusal is not None:
            err(f"jailkit: {self.host.url} runs each command line in a new sh, so {refusal} "
                "would be lost with it; join the lines with ; or && instead\n")
            return 2
        command: str | list[str] = line if self.jail is None else [
            "jexec", "-l", "-U", "root", self.jail, "/bin/sh", "-c", line]
        try:
            result = self.host.run(command, stdin=stdin, timeout=self.limit)
        except HostTimeout as exc:
            err(f"jailkit: {exc}\n")
            return 124
        out(result.stdout)
        err(result.stderr)
        self.ended = line.split()[:1] == ["exit"]
        return result.exit_status

    def set_status(self, status: int) -> None:
        """Nothing carries to the next sh, $? neither."""


def _state_only(line: str) -> str | None:
    """What a line would only do to its own shell (`cd /tmp`, a function
    definition, a variable), or None when it does something else too."""
    from .sim.sh import syntax      # FreeBSD sh's grammar, as the sim reads it
    try:
        tree = syntax.parse(line)
    except syntax.ShellSyntaxError:
        return None         # the host's sh says what is wrong with it
    effects = []
    for and_or, _ in tree.items:
        for _, pipeline in [("", and_or.first)] + and_or.rest:
            if len(pipeline.commands) != 1:
                return None
            command = pipeline.commands[0]
            if isinstance(command, syntax.FuncDef):
                effects.append(f"the function {command.name}")
            elif isinstance(command, syntax.Simple) and not command.words and command.assigns:
                effects.append("the variable " + ", ".join(name for name, _ in command.assigns))
            elif isinstance(command, syntax.Simple) and _changes_state(command.words):
                effects.append(f"`{command.words[0].literal()}`")
            else:
                return None
    return " and ".join(effects) if effects else None


def _changes_state(words: list) -> bool:
    name = words[0].literal() if words else None
    return name == "cd" or (name in STATE_ONLY and len(words) > 1)
