"""``local://[?sudo=1]``: the machine jailkit runs on, for running directly
on FreeBSD (CI on FreeBSD, a real server). Commands run with /bin/sh."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
from urllib.parse import SplitResult

from ..host import Host, HostTimeout, LoginError, Result, bytes_of, text_of
from ..lab import Lab
from ..session import Session
from . import HostURLError
from .lasting import LastingSession
from .login import login

OPTIONS = {"sudo"}


class LocalHost(Host):
    def __init__(self, url: str = "local://", sudo: bool = False, lab: Lab | None = None) -> None:
        self.url = url
        self.sudo = sudo
        self.lab = lab

    @classmethod
    def from_url(cls, url: str, parts: SplitResult, options: dict[str, str],
                 lab: Lab | None = None, **_settings) -> "LocalHost":
        if set(options) - OPTIONS or parts.netloc or parts.path not in ("", "/"):
            raise HostURLError(f"{url!r}: local:// takes only ?sudo=1")
        return cls(url, sudo=options.get("sudo") == "1", lab=lab)

    def _run(self, line: str, stdin: str | None, timeout: float | None) -> tuple[int, str, str]:
        argv = ["/bin/sh", "-c", line]
        if self.sudo:
            argv = ["sudo", "-n"] + argv
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = process.communicate(bytes_of(stdin or ""), timeout=timeout)
        except subprocess.TimeoutExpired:
            # The command and everything it started: its own process group.
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise HostTimeout(line, timeout or 0) from None
        return process.returncode, text_of(out), text_of(err)

    def session(self, jail: str | None = None, *, terminal: bool = False,
                limit: float | None = None) -> Session:
        """A lasting /bin/sh (jailkit.hosts.lasting), in ``jail`` through
        jexec -l; ``limit`` in real seconds, none by default."""
        argv = ["/bin/sh"] if jail is None else ["jexec", "-l", "-U", "root", jail, "/bin/sh"]
        return LastingSession(LocalPipes(["sudo", "-n"] + argv if self.sudo else argv),
                              terminal=terminal, limit=limit)

    def login(self, address: str, user: str, password: str, command: str, *,
              port: int = 22, timeout: float | None = None) -> Result:
        """This machine is the box: connect to the jail directly."""
        try:
            stream = socket.create_connection((address, port), timeout=timeout or 30)
        except OSError as exc:
            raise LoginError(f"ssh: connect to host {address} port {port}: "
                             f"{exc.strerror or exc}") from None
        return login(stream, address, user, password, command, timeout)


class LocalPipes:
    """A shell process of this machine, in a process group of its own."""

    def __init__(self, argv: list[str]) -> None:
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, start_new_session=True,
                                        preexec_fn=_default_sigint if signal.getsignal(
                                            signal.SIGINT) is signal.SIG_IGN else None)
        stdin, stdout, stderr = self.process.stdin, self.process.stdout, self.process.stderr
        assert stdin is not None and stdout is not None and stderr is not None   # all pipes
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.selector = selectors.DefaultSelector()
        self.selector.register(stdout, selectors.EVENT_READ, "out")
        self.selector.register(stderr, selectors.EVENT_READ, "err")

    def send(self, data: bytes) -> None:
        self.stdin.write(data)
        self.stdin.flush()

    def receive(self, timeout: float) -> tuple[str, bytes]:
        if not self.selector.get_map():
            return "eof", b""
        for key, _ in self.selector.select(timeout):
            data = os.read(key.fd, 65536)
            if data:
                return key.data, data
            self.selector.unregister(key.fileobj)
        return "", b""

    def interrupt(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGINT)
        except ProcessLookupError:
            pass

    def close(self) -> int:
        try:
            self.stdin.close()
        except BrokenPipeError:
            pass
        try:
            status = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            status = self.process.wait()
        for stream in (self.stdout, self.stderr):
            stream.close()
        self.selector.close()
        return status


def _default_sigint() -> None:
    """A terminal's shell takes ^C; one started from a job of a shell without
    job control (`make test &` in a script) would inherit SIGINT ignored,
    and a non-interactive sh can then neither trap nor reset it (POSIX,
    2.11 Signals and Error Handling): nothing the session runs would stop.
    (Only then: a preexec_fn costs the spawn its vfork.)"""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
