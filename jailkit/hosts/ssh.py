"""``ssh://[user[:password]@]host[:port][?key=PATH&sudo=1&timeout=S&...]``:
any FreeBSD machine, over one paramiko connection reused for every command.

Options: ``key`` a private key file; ``password`` (or in the URL);
``known_hosts`` the file host keys are checked against (default
~/.ssh/known_hosts); ``accept_new_key=1`` records an unknown key there on
first connection (never done silently otherwise); ``sudo=1`` runs every
command as root through ``sudo -n sh -c``; ``timeout`` the connect timeout
in seconds (default 10); ``keepalive`` seconds between keepalives (15)."""

from __future__ import annotations

import math
import os
import select
import shlex
import socket
import threading
import time
from pathlib import Path
from urllib.parse import SplitResult, unquote

import paramiko

from ..host import ConnectionLost, HostError, HostTimeout, LoginError, Result
from ..lab import Lab
from . import HostURLError
from .login import login
from .real import BoxHost

OPTIONS = {"key", "password", "known_hosts", "accept_new_key", "sudo", "timeout", "keepalive"}
KILL_GRACE = 5          # seconds between TERM and KILL when a deadline passes
READ_CHUNK = 65536


class HostKeyError(HostError):
    pass


class HostAuthError(HostError):
    pass


class _RecordNewKey(paramiko.MissingHostKeyPolicy):
    """accept_new_key=1: trust a host seen for the first time and write its
    key to the known_hosts file; a changed key is still refused."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def missing_host_key(self, client, hostname, key) -> None:
        client.get_host_keys().add(hostname, key.get_name(), key)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as handle:
            handle.write(f"{hostname} {key.get_name()} {key.get_base64()}\n")


class SshHost(BoxHost):
    def __init__(self, url: str, hostname: str, port: int, username: str, *,
                 password: str | None = None, key: str | None = None,
                 known_hosts: str | None = None, accept_new_key: bool = False,
                 sudo: bool = False, connect_timeout: float = 10.0, keepalive: int = 15,
                 lab: Lab | None = None) -> None:
        self.url = url
        self.hostname = hostname
        self.port = port
        self.username = username
        self.password = password
        self.key = key
        self.known_hosts = Path(known_hosts).expanduser() if known_hosts else \
            Path("~/.ssh/known_hosts").expanduser()
        self.accept_new_key = accept_new_key
        self.sudo = sudo
        self.connect_timeout = connect_timeout
        self.keepalive = keepalive
        self.lab = lab
        self._client: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None

    @classmethod
    def from_url(cls, url: str, parts: SplitResult, options: dict[str, str],
                 lab: Lab | None = None, **_settings) -> "SshHost":
        unknown = set(options) - OPTIONS
        if unknown:
            raise HostURLError(f"{url!r}: unknown option(s) {', '.join(sorted(unknown))}; "
                               f"ssh:// takes {', '.join(sorted(OPTIONS))}")
        if not parts.hostname:
            raise HostURLError(f"{url!r}: no host name")
        try:
            port = parts.port or 22
            connect_timeout = float(options.get("timeout", "10"))
            keepalive = int(options.get("keepalive", "15"))
        except ValueError as exc:
            raise HostURLError(f"{url!r}: {exc}") from None
        username = unquote(parts.username) if parts.username else os.environ.get("USER", "root")
        password = unquote(parts.password) if parts.password else options.get("password")
        return cls(url, parts.hostname, port, username, password=password, key=options.get("key"),
                   known_hosts=options.get("known_hosts"),
                   accept_new_key=options.get("accept_new_key") == "1",
                   sudo=options.get("sudo") == "1", connect_timeout=connect_timeout,
                   keepalive=keepalive, lab=lab)

    # -- the connection -------------------------------------------------------
    @property
    def where(self) -> str:
        return f"{self.username}@{self.hostname}:{self.port}"

    def _connect(self) -> paramiko.SSHClient:
        client = paramiko.SSHClient()
        if self.known_hosts.is_file():
            client.load_host_keys(str(self.known_hosts))
        client.set_missing_host_key_policy(
            _RecordNewKey(self.known_hosts) if self.accept_new_key else paramiko.RejectPolicy())
        try:
            sock = socket.create_connection((self.hostname, self.port), timeout=self.connect_timeout)
        except OSError as exc:
            raise HostError(f"cannot reach {self.hostname}:{self.port}: {exc}") from None
        # paramiko does not set TCP_NODELAY; without it every command waits
        # for Nagle's algorithm (40 ms and more per command).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            client.connect(self.hostname, self.port, self.username, password=self.password,
                           key_filename=self.key, sock=sock, timeout=self.connect_timeout,
                           banner_timeout=self.connect_timeout, auth_timeout=self.connect_timeout,
                           allow_agent=False, look_for_keys=not (self.key or self.password))
        except paramiko.BadHostKeyException as exc:
            sock.close()
            raise HostKeyError(
                f"the host key of {exc.hostname} is not the one in {self.known_hosts}: it changed, "
                "or this is not the machine you think; refusing to connect") from None
        except paramiko.AuthenticationException as exc:
            sock.close()
            how = "password" if self.password else f"key {self.key}" if self.key else "your keys"
            raise HostAuthError(f"{self.where}: authentication with {how} failed ({exc})") from None
        except paramiko.SSHException as exc:
            sock.close()
            if "not found in known_hosts" in str(exc):
                raise HostKeyError(
                    f"{self.hostname}:{self.port} has a host key that is not in {self.known_hosts}; "
                    "check it and add it there, or connect once with ?accept_new_key=1 to record "
                    "it") from None
            raise HostError(f"{self.where}: {exc}") from None
        except OSError as exc:
            sock.close()
            raise HostError(f"{self.where}: {exc}") from None
        transport = client.get_transport()
        if self.keepalive:
            transport.set_keepalive(self.keepalive)
        return client

    def _session(self) -> paramiko.Channel:
        """A channel for one command: on a dead connection, reconnect once.
        Nothing has run yet when this fails, so retrying is safe."""
        for attempt in (1, 2):
            if self._client is None or not self._client.get_transport() or \
                    not self._client.get_transport().is_active():
                self._drop()
                self._client = self._connect()
            try:
                return self._client.get_transport().open_session(timeout=self.connect_timeout)
            except (paramiko.SSHException, EOFError, OSError) as exc:
                self._drop()
                if attempt == 2:
                    raise ConnectionLost(f"{self.where}: cannot open a session ({exc})") from None
        raise AssertionError("unreachable")

    def _drop(self) -> None:
        if self._sftp is not None:
            self._sftp.close()
            self._sftp = None
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- commands -------------------------------------------------------------
    def _wrap(self, line: str, timeout: float | None) -> str:
        command = line
        if timeout is not None:
            # timeout(1) ends the command on the host itself, even if this
            # side is gone; TERM first, KILL a little later.
            command = f"timeout -k {KILL_GRACE} {math.ceil(timeout)} sh -c {shlex.quote(command)}"
        if self.sudo:
            command = f"sudo -n sh -c {shlex.quote(command)}"
        return command

    def _run(self, line: str, stdin: str | None, timeout: float | None) -> tuple[int, str, str]:
        channel = self._session()
        started = time.monotonic()
        try:
            channel.exec_command(self._wrap(line, timeout))
        except (paramiko.SSHException, EOFError, OSError) as exc:
            self._drop()
            raise ConnectionLost(f"{self.where}: the connection dropped as {line!r} was sent; "
                                 f"it may have run ({exc})") from None
        if stdin:
            # Written beside the reading, so that neither side can block.
            threading.Thread(target=_feed, args=(channel, stdin), daemon=True).start()
        else:
            channel.shutdown_write()
        out, err = bytearray(), bytearray()
        hard_deadline = started + timeout + KILL_GRACE + 5 if timeout is not None else None
        while True:
            if channel.recv_ready():
                out += channel.recv(READ_CHUNK)
                continue
            if channel.recv_stderr_ready():
                err += channel.recv_stderr(READ_CHUNK)
                continue
            # Done once the command has exited and both streams are closed:
            # the exit status may arrive before the last of the output.
            if channel.exit_status_ready() and channel.eof_received:
                break
            if channel.closed or not self._client.get_transport().is_active():
                self._drop()
                raise ConnectionLost(f"{self.where}: the connection dropped while {line!r} was "
                                     "running; it may or may not have finished")
            wait = 1.0
            if hard_deadline is not None:
                wait = hard_deadline - time.monotonic()
                if wait <= 0:
                    channel.close()
                    raise HostTimeout(line, timeout)
            select.select([channel], [], [], min(wait, 1.0))
        status = channel.recv_exit_status()
        channel.close()
        # timeout(1) exits 124 when it stopped the command (137 after KILL);
        # a host in virtual time (the sim) gets there at once.
        if timeout is not None and status in (124, 137):
            raise HostTimeout(line, timeout)
        return status, out.decode(errors="replace"), err.decode(errors="replace")

    # -- files and tunnels ----------------------------------------------------
    def _sftp_client(self) -> paramiko.SFTPClient:
        if self._sftp is None:
            self._session().close()   # (re)connects when needed
            self._sftp = self._client.open_sftp()
        return self._sftp

    def put_file(self, local: str | Path, remote: str) -> None:
        self._sftp_client().put(str(local), remote)

    def get_file(self, remote: str, local: str | Path) -> None:
        self._sftp_client().get(remote, str(local))

    def open_tunnel(self, address: str, port: int) -> paramiko.Channel:
        """A direct-tcpip channel through this host to address:port, e.g. to
        reach a jail's sshd from outside: pass it as ``sock`` to paramiko."""
        self._session().close()
        try:
            return self._client.get_transport().open_channel(
                "direct-tcpip", (address, port), ("127.0.0.1", 0), timeout=self.connect_timeout)
        except (paramiko.SSHException, EOFError) as exc:
            raise HostError(f"{self.where}: no tunnel to {address}:{port} ({exc})") from None

    def login(self, address: str, user: str, password: str, command: str, *,
              port: int = 22, timeout: float | None = None) -> Result:
        """Through the box: a direct-tcpip channel to address:port, and an
        ssh login over it."""
        self._session().close()   # (re)connects when needed
        try:
            channel = self._client.get_transport().open_channel(
                "direct-tcpip", (address, port), ("127.0.0.1", 0), timeout=self.connect_timeout)
        except paramiko.ChannelException as exc:
            # the box could not connect: what ssh run on the box would say
            reason = "Connection refused" if exc.code == 2 else exc.text
            raise LoginError(f"ssh: connect to host {address} port {port}: {reason}") from None
        except (paramiko.SSHException, EOFError) as exc:
            raise HostError(f"{self.where}: no tunnel to {address}:{port} ({exc})") from None
        return login(channel, address, user, password, command, timeout)

    def close(self, passed: bool = True) -> None:
        self._drop()


def _feed(channel: paramiko.Channel, data: str) -> None:
    try:
        channel.sendall(data.encode())
        channel.shutdown_write()
    except (OSError, EOFError, paramiko.SSHException):
        pass
