"""Processes of the sim: who runs (which jail, which directory, which
environment) and where their standard streams go; execvp(3) over the
machine's file system."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, TypedDict

from .octets import joined, normalized
from .errno import EACCES, ENOENT, EPERM, ESRCH, OSErr
# SIGINT is delivered where time passes, in the kernel; programs see it here.
from .kernel import SIGINT_STATUS, Interrupted
from .socket import close_all
from .vfs import Device, Dir, File, Resolved, Where
from ..getopt import GetoptError, Options, getopt

if TYPE_CHECKING:
    from typing_extensions import Unpack    # typing's own from Python 3.11

    from .kernel import Kernel, Prison
    from .vnet import Vnet

DEFAULT_PATH = "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin"


def root_env() -> dict[str, str]:
    """root's environment, as a process the system starts has it."""
    return {"PATH": DEFAULT_PATH, "HOME": "/root", "USER": "root", "LOGNAME": "root",
            "SHELL": "/bin/sh", "TERM": "xterm", "BLOCKSIZE": "K", "PAGER": "less"}


class Output:
    """A file descriptor open for writing."""

    def write(self, text: str) -> None:
        raise NotImplementedError


class Buffer(Output):
    def __init__(self) -> None:
        self.chunks: list[str] = []

    def write(self, text: str) -> None:
        self.chunks.append(text)

    def getvalue(self) -> str:
        # the bytes of one character may have come in two writes
        return normalized("".join(self.chunks))


class Stream(Output):
    """A terminal, or whoever reads the output as it comes."""

    def __init__(self, sink: Callable[[str], None]) -> None:
        self.sink = sink

    def write(self, text: str) -> None:
        self.sink(text)


class Sink(Output):
    """/dev/null."""

    def write(self, text: str) -> None:
        pass


class FileOutput(Output):
    def __init__(self, node: File) -> None:
        self.node = node

    def write(self, text: str) -> None:
        self.node.data = joined(self.node.data, text)


class Input:
    """A file descriptor open for reading; shared by the commands of a shell
    so that ``read`` consumes lines one at a time."""

    def __init__(self, data: str = "") -> None:
        self.data = data
        self.pos = 0

    def read(self) -> str:
        rest = self.data[self.pos:]
        self.pos = len(self.data)
        return rest

    def readline(self) -> str | None:
        if self.pos >= len(self.data):
            return None
        end = self.data.find("\n", self.pos)
        end = len(self.data) if end < 0 else end + 1
        line = self.data[self.pos:end]
        self.pos = end
        return line


class Changes(TypedDict, total=False):
    """What a child process may have other than its parent's."""
    prison: Prison
    cwd: str
    env: dict[str, str]
    stdin: Input
    stdout: Output
    stderr: Output
    argv0: str
    user: str


def ctype_locale(env: dict[str, str]) -> str:
    """The locale setlocale(LC_CTYPE, "") picks from ``env``: LC_ALL, then
    LC_CTYPE, then LANG, the first set and not empty; else "C"."""
    return next((env[n] for n in ("LC_ALL", "LC_CTYPE", "LANG") if env.get(n)), "C")


@dataclass
class Proc:
    kernel: "Kernel"
    prison: "Prison"
    cwd: str
    env: dict[str, str]
    stdin: Input = field(default_factory=Input)
    stdout: Output = field(default_factory=Buffer)
    stderr: Output = field(default_factory=Buffer)
    argv0: str = "sh"
    user: str = "root"
    # umask(2): what a new file's mode loses; a child inherits it (root's
    # login class sets 022, login.conf(5)), sh's umask built-in changes it
    umask: int = 0o022

    @property
    def vnet(self) -> "Vnet":
        return self.prison.vnet

    @property
    def root(self) -> str:
        return self.prison.path

    @property
    def progname(self) -> str:
        return self.argv0.rsplit("/", 1)[-1]

    def where(self) -> Where:
        return {"root": self.root, "cwd": self.cwd}

    def resolve(self, path: str, follow: bool = True) -> Resolved:
        return self.kernel.vfs.resolve(path, root=self.root, cwd=self.cwd, follow=follow)

    def abspath(self, path: str) -> str:
        """``path`` as the host sees it (jail root prefixed, links resolved)."""
        return self.resolve(path).path

    def read_file(self, path: str) -> str:
        """A file's text as this process sees it, "-" being standard input
        (the convention of pfctl -f, ipf -f, ipnat -f). Raises OSErr."""
        if path == "-":
            return self.stdin.read()
        return self.kernel.vfs.read(path, **self.where())

    def has_device(self, name: str) -> bool:
        """open("/dev/NAME") would find the node: this process's /dev (a
        devfs mount, filtered by its ruleset) shows it."""
        try:
            node = self.kernel.vfs.lookup(f"/dev/{name}", **self.where())
        except OSErr:
            return False
        return isinstance(node, Device)

    def created(self, mode: int = 0o666) -> int:
        """The mode open(2) with O_CREAT and mkdir(2) give a new file or
        directory asked for with ``mode``: the umask's bits taken out."""
        return mode & ~self.umask & 0o7777

    def write(self, text: str) -> None:
        self.stdout.write(text)

    def error(self, text: str) -> None:
        self.stderr.write(text)

    def options(self, argv: list[str], optstring: str, usage: str) -> tuple[Options, list[str]] | None:
        """getopt(3) over argv[1:]: the options and the operands; on an
        option getopt refuses, its warning and then ``usage`` on standard
        error, and None (each program exits with its own usage status)."""
        try:
            return getopt(argv[1:], optstring)
        except GetoptError as exc:
            self.warnx(str(exc))
            self.error(usage)
            return None

    def warnx(self, message: str) -> None:
        """warnx(3): "prog: message" on standard error."""
        self.stderr.write(f"{self.progname}: {message}\n")

    def refuses(self, options: Iterable[str]) -> bool:
        """Whether any of ``options`` was given: options FreeBSD's program
        has and the sim does not model are refused, never taken and
        ignored; the first in letter order is named."""
        refused = sorted(options)
        if refused:
            self.warnx(f"option -{refused[0]} is not modelled by the jailkit sim")
        return bool(refused)

    def warn(self, message: str, err: OSErr) -> None:
        """warn(3): the message followed by strerror(errno)."""
        self.stderr.write(f"{self.progname}: {message}: {err.strerror}\n")

    def child(self, **changes: Unpack[Changes]) -> Proc:
        """A process this one starts: the same but for ``changes``; its
        environment is a copy unless one is given."""
        if "env" not in changes:       # (setdefault would copy the env every time)
            changes["env"] = dict(self.env)
        # dataclasses.replace() without its per-field checks: every command
        # and pipeline stage is a child, and Proc has no __post_init__.
        child = object.__new__(type(self))
        child.__dict__.update(self.__dict__)
        child.__dict__.update(changes)
        return child

    # -- execution ------------------------------------------------------------
    def find_executable(self, name: str) -> tuple[str, File]:
        """execvp(3)'s search: a name with a slash is used as is, otherwise
        each PATH directory is tried in turn."""
        candidates = [name] if "/" in name else (
            f"{d.rstrip('/') or '.'}/{name}" for d in self.env.get("PATH", DEFAULT_PATH).split(":"))
        denied = False
        find, root, cwd = self.kernel.vfs.find, self.root, self.cwd
        for candidate in candidates:
            node = find(candidate, root=root, cwd=cwd)
            if node is None:
                continue
            if isinstance(node, Dir) or not isinstance(node, File) or not node.mode & 0o111:
                denied = denied or not isinstance(node, Device)
                continue
            return candidate, node
        raise OSErr(EACCES if denied else ENOENT)

    def execvp(self, argv: list[str], *, stdin: Input | None = None,
               stdout: Output | None = None, stderr: Output | None = None) -> int:
        """Run ``argv`` as a child process and wait for it. Raises OSErr when
        the program cannot be found or started, as execvp(3) fails."""
        path, node = self.find_executable(argv[0])
        child = self.child(argv0=argv[0], stdin=stdin or self.stdin,
                           stdout=stdout or self.stdout, stderr=stderr or self.stderr)
        return child.exec_file(path, node, argv)

    def exec_file(self, path: str, node: File, argv: list[str]) -> int:
        """execve(2) of a file as this process: a modelled program runs its
        model; a text file runs under its #! interpreter, or under /bin/sh
        when it has none (execvp(3)'s ENOEXEC fallback)."""
        if node.program is not None:
            return PROGRAMS[node.program](self, argv)
        first = node.data.split("\n", 1)[0]
        if first.startswith("#!"):
            interpreter = first[2:].split()
            return self.execvp(interpreter + [path] + argv[1:])
        return self.execvp(["/bin/sh", path] + argv[1:])

    def sh(self, source: str) -> int:
        """``/bin/sh -c source``, as system(3) and jail(8) run command lines."""
        return self.execvp(["/bin/sh", "-c", source])

    def script_line(self, argv: list[str], *, stdout: Output | None = None,
                    quiet: bool = False) -> int:
        """One command line of a shell script this program models (jib,
        jng), found through PATH as sh finds it, with sh's status and
        message when it cannot run; ``quiet`` is ``> /dev/null 2>&1``."""
        try:
            return self.execvp(argv, stdout=Sink() if quiet else stdout,
                               stderr=Sink() if quiet else None)
        except OSErr as exc:
            if not quiet:
                reason = "not found" if exc.errno == ENOENT else exc.strerror
                self.error(f"{self.argv0}: {argv[0]}: {reason}\n")
            return 127 if exc.errno == ENOENT else 126

    def script_capture(self, argv: list[str]) -> tuple[int, str]:
        """``$( argv )`` in such a script: the status and standard output
        less its trailing newlines; standard error still reaches the user."""
        captured = Buffer()
        status = self.script_line(argv, stdout=captured)
        return status, captured.getvalue().rstrip("\n")


Program = Callable[[Proc, list[str]], int]


@dataclass(frozen=True)
class Image:
    """What execve(2) finds at a path of the installed world. ``name`` is
    what the file's ``program`` holds; ``kind`` is "binary" (an ELF
    program), "script" (a boot script run with sh), "library" (an sh
    library read with ".") or "unmodelled" (a base program the sim does not
    model: it exists, and says so)."""

    path: str
    name: str
    kind: str


# The one declaration of a modelled program is its path: the decorators
# below fill IMAGES (the world installs exactly these) and the tables the
# programs run from. Filled in by jailkit.sim.commands and rcconf.
IMAGES: dict[str, Image] = {}
# Modelled programs by name (a path's last component).
PROGRAMS: dict[str, Program] = {}
# Modelled sh libraries (read with ".") by name, e.g. rc.subr.
SOURCED: dict[str, Callable[..., int]] = {}
UNMODELLED = "unmodelled"


def program(*paths: str, kind: str = "binary") -> Callable[[Program], Program]:
    """Install the decorated program at ``paths`` (hard links, as
    /bin/test and /bin/[); it runs as the paths' last component."""
    def register(func: Program) -> Program:
        for path in paths:
            image = Image(path, path.rsplit("/", 1)[-1], kind)
            IMAGES[path] = image
            PROGRAMS[image.name] = func
        return func
    return register


def sourced(path: str) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Install the decorated function as the sh library at ``path``; it is
    called with the Shell that reads the library (sh is above this layer)."""
    def register(func: Callable[..., int]) -> Callable[..., int]:
        image = Image(path, path.rsplit("/", 1)[-1], "library")
        IMAGES[path] = image
        SOURCED[image.name] = func
        return func
    return register


def unmodelled(*paths: str) -> Callable[[Program], Program]:
    """Install the decorated stand-in at ``paths``: programs of the base
    system that exist and say that the sim does not model them."""
    def register(func: Program) -> Program:
        for path in paths:
            IMAGES[path] = Image(path, UNMODELLED, UNMODELLED)
        PROGRAMS[UNMODELLED] = func
        return func
    return register


# -- signals -----------------------------------------------------------------------
# sys/sys/signal.h: the signals kill(1) names, by number.
SIGNALS = {1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "EMT", 8: "FPE",
           9: "KILL", 10: "BUS", 11: "SEGV", 12: "SYS", 13: "PIPE", 14: "ALRM", 15: "TERM",
           16: "URG", 17: "STOP", 18: "TSTP", 19: "CONT", 20: "CHLD", 21: "TTIN", 22: "TTOU",
           23: "IO", 24: "XCPU", 25: "XFSZ", 26: "VTALRM", 27: "PROF", 28: "WINCH", 29: "INFO",
           30: "USR1", 31: "USR2"}
SIGTERM = 15


def signal_number(name: str) -> int | None:
    """A signal given as kill(1) takes it: a number, or a name with or
    without SIG, in any case; None when it names no signal."""
    if name.isdigit():
        number = int(name)
        return number if number == 0 or number in SIGNALS else None
    wanted = name.upper().removeprefix("SIG")
    return next((n for n, signame in SIGNALS.items() if signame == wanted), None)


def kill(proc: Proc, pid: int, signo: int) -> bool:
    """kill(2) from ``proc``: a process it may see (its jail or one below:
    prison_check) gets the signal; its handler ends it as the program does,
    else it goes. Signal 0 only checks. True when a handler took it. Raises
    OSErr ESRCH, or EPERM for another user's process when not root."""
    kernel = proc.kernel
    target = next((p for p in kernel.processes if p.pid == pid
                   and proc.prison.sees(kernel.prisons.get(p.jid, kernel.prison0))), None)
    if target is None:
        raise OSErr(ESRCH)
    if proc.user != "root" and target.user != proc.user:
        raise OSErr(EPERM)
    if signo == 0:
        return False
    if target.on_signal is not None:
        target.on_signal(signo)
        return True
    # the default action: the process exits, and its sockets close
    kernel.processes[:] = [p for p in kernel.processes if p is not target]
    prison = kernel.prisons.get(target.jid, kernel.prison0)
    close_all(prison.vnet, target.pid)
    if not prison.is_host:
        kernel.reap_if_empty(prison)
    return False


def running(kernel: "Kernel", pid: int) -> bool:
    return any(p.pid == pid for p in kernel.processes)
