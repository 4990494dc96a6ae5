"""A whole simulated FreeBSD machine: its kernel, its installed world, and a
way to run commands as root on it, the way a login over ssh would."""

from __future__ import annotations

from ..lab import Lab
from .kernel import Kernel
from .proc import DEFAULT_PATH, PROGRAMS, SOURCED, Buffer, Input, Proc
from .vfs import File
from . import commands  # noqa: F401  (registers the modelled programs)
from . import world


class Deadline(Exception):
    """A command ran past the virtual-time deadline its caller set."""


class Machine:
    def __init__(self, lab: Lab, seed: int = 0) -> None:
        self.lab = lab
        self.kernel = Kernel(seed=seed, hostname=lab.host.hostname, release=lab.release)
        self.kernel.on_advance = self._check_deadline
        self.deadline: float | None = None
        world.install(self)

    def login_env(self) -> dict[str, str]:
        return {"PATH": DEFAULT_PATH, "HOME": "/root", "USER": "root", "LOGNAME": "root",
                "SHELL": "/bin/sh", "TERM": "xterm", "BLOCKSIZE": "K", "PAGER": "less"}

    def run(self, command: str, stdin: str | None = None,
            timeout: float | None = None) -> tuple[int, str, str]:
        """Run a command line with /bin/sh as root on the host, as sshd runs a
        remote command; returns (exit status, stdout, stderr). Raises
        Deadline when it runs longer than ``timeout`` virtual seconds."""
        out, err = Buffer(), Buffer()
        proc = Proc(self, self.kernel.prison0, "/root", self.login_env(), Input(stdin or ""),
                    out, err)
        self.deadline = None if timeout is None else self.kernel.clock + timeout
        try:
            status = proc.sh(command)
        finally:
            self.deadline = None
        return status, out.getvalue(), err.getvalue()

    def _check_deadline(self) -> None:
        if self.deadline is not None and self.kernel.clock > self.deadline:
            self.kernel.clock = self.deadline
            raise Deadline()

    def exec_file(self, proc: Proc, path: str, node: File, argv: list[str]) -> int:
        """execve(2) of a file: a modelled program runs its model; a text file
        runs under its #! interpreter, or under /bin/sh when it has none
        (execvp(3)'s ENOEXEC fallback)."""
        if node.program is not None:
            return PROGRAMS[node.program](proc, argv)
        first = node.data.split("\n", 1)[0]
        if first.startswith("#!"):
            interpreter = first[2:].split()
            return proc.execvp(interpreter + [path] + argv[1:])
        return proc.execvp(["/bin/sh", path] + argv[1:])

    def source_file(self, shell, path: str, node: File) -> int:
        """The sh ``.`` command: read a file into the running shell. Modelled
        libraries (rc.subr) define their functions directly."""
        if node.program is not None and node.program in SOURCED:
            return SOURCED[node.program](shell)
        from .sh import syntax
        try:
            tree = syntax.parse(node.data)
        except syntax.ShellSyntaxError as exc:
            shell.proc.error(f"{path}: {exc.line}: Syntax error: {exc}\n")
            return 2
        return shell.run_list(tree)
