"""One /bin/sh per command line, on the host or in a jail, as `ssh host LINE`
runs it: the session of a host that cannot keep a shell running between
lines (ssh:// and vagrant:// for now). A line that would only change the
state of a shell that ends with it (cd, export, a variable, a function) is
refused, with a message that says why, rather than lost."""

from __future__ import annotations

from ..host import Host, HostTimeout
from ..session import Session, Write
from ..sim.sh import syntax      # FreeBSD sh's grammar (a parser, no host in it)

# sh builtins that, given arguments, only change the shell running them
# (without arguments most of them print something).
STATE_ONLY = {"export", "unset", "set", "readonly", "alias", "unalias", "umask", "shift",
              "local", "trap"}


class LineSession(Session):
    """Each line in a new /bin/sh on the host (or in the jail)."""

    def __init__(self, host: Host, jail: str | None = None, limit: float | None = None) -> None:
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


def _changes_state(words: list[syntax.Word]) -> bool:
    name = words[0].literal() if words else None
    return name == "cd" or (name in STATE_ONLY and len(words) > 1)
