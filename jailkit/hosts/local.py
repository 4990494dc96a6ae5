"""``local://[?sudo=1]``: the machine jailkit runs on, for running directly
on FreeBSD (CI on FreeBSD, a real server). Commands run with /bin/sh."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from urllib.parse import SplitResult

from ..host import HostTimeout, LoginError, Result
from ..lab import Lab
from . import HostURLError
from .login import login
from .real import BoxHost

OPTIONS = {"sudo"}


class LocalHost(BoxHost):
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
            out, err = process.communicate((stdin or "").encode(), timeout=timeout)
        except subprocess.TimeoutExpired:
            # The command and everything it started: its own process group.
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise HostTimeout(line, timeout or 0) from None
        return process.returncode, out.decode(errors="replace"), err.decode(errors="replace")

    def login(self, address: str, user: str, password: str, command: str, *,
              port: int = 22, timeout: float | None = None) -> Result:
        """This machine is the box: connect to the jail directly."""
        try:
            stream = socket.create_connection((address, port), timeout=timeout or 30)
        except OSError as exc:
            raise LoginError(f"ssh: connect to host {address} port {port}: "
                             f"{exc.strerror or exc}") from None
        return login(stream, address, user, password, command, timeout)
