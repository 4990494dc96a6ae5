"""``ssh://[user[:password]@]host[:port][?key=PATH&sudo=1&deadline=S&...]``:
any FreeBSD machine, over one paramiko connection reused for every command.

Options: ``key`` a private key file; ``password`` (or in the URL);
``known_hosts`` the file host keys are checked against (default
~/.ssh/known_hosts); ``accept_new_key=1`` records an unknown key there on
first connection (never done silently otherwise); ``sudo=1`` runs every
command as root through ``sudo -n sh -c``; ``timeout`` the connect timeout
in seconds (default 10); ``keepalive`` seconds between keepalives (default
15); ``deadline`` the seconds a command may take when run() is given no
``timeout`` (default 600).

Deadlines. Every command has one: run()'s ``timeout`` when given, which
timeout(1) enforces on the box itself (jailkit waits 10 s more for its
report), else the host's ``deadline``, which also bounds each SFTP read and
a login() through the box. When a command's deadline passes, jailkit asks
sshd to send TERM to the command's process group (OpenSSH does so, except
for a forced command; with sudo=1 the command runs as root, out of the
login user's reach), closes the command's channel and raises HostTimeout.
A box that stops answering (frozen, or its network gone) is noticed
sooner: every ``keepalive`` seconds jailkit asks sshd for an answer, as
ssh's ServerAliveInterval does, and after three intervals without one the
connection is given up and every command running on it raises
ConnectionLost.

Threads. One SshHost may be shared by any number of threads. They share
its one connection; at most 8 commands run at once (SESSIONS: OpenSSH's
MaxSessions is 10 by default, and SFTP takes one more), the others wait
for a free one. A session sshd refuses (its MaxSessions reached) is asked for
again, the connection kept; a connection found dead before a command
starts is reopened once, for every thread."""

from __future__ import annotations

import ipaddress
import math
import os
import select
import shlex
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict
from urllib.parse import SplitResult, unquote

import paramiko
from paramiko.common import cMSG_CHANNEL_DATA, cMSG_CHANNEL_REQUEST

from ..host import (ConnectionLost, Host, HostError, HostTimeout, LoginError, Result,
                    bytes_of, text_of)
from ..lab import Lab
from ..session import Session
from . import HostURLError
from .line import LineSession
from .login import login

OPTIONS = {"key", "password", "known_hosts", "accept_new_key", "sudo", "timeout", "keepalive",
           "deadline"}
DEFAULT_DEADLINE = 600.0   # seconds a command may run when run() is given no timeout
SESSIONS = 8            # commands at once over one connection: below OpenSSH's MaxSessions (10)
KEEPALIVE_COUNT = 3     # keepalive intervals without an answer before the box counts as gone
# env(1) rather than echo: the login user's shell may be csh, where an unset
# variable is an error.
PRINT_CLIENT = "env"
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


def _seconds(url: str, options: dict[str, str], name: str, default: float) -> float:
    """A URL option that is a number of seconds: finite and above 0."""
    text = options.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise HostURLError(f"{url!r}: {name} must be a number of seconds above 0, not {text!r}")
    return value


class _Connection:
    """One paramiko connection, shared by the threads of an SshHost, and the
    keepalive that notices a box that stopped answering."""

    def __init__(self, client: paramiko.SSHClient, where: str, keepalive: float) -> None:
        transport = client.get_transport()
        if transport is None:       # connect() returned without one: gone at once
            client.close()
            raise ConnectionLost(f"{where}: the connection dropped as it opened")
        self.client = client
        self.transport = transport
        self.where = where
        self.silent: str | None = None   # why it was given up, if the box stopped answering
        self.sftp: paramiko.SFTPClient | None = None
        self.sftp_lock = threading.Lock()   # one transfer at a time: SFTPClient is not thread-safe
        self._closed = threading.Event()
        threading.Thread(target=self._keepalive, args=(keepalive,), daemon=True,
                         name=f"jailkit keepalive {where}").start()

    @property
    def active(self) -> bool:
        return self.transport.is_active()

    def dead(self) -> bool:
        """Whether the connection is gone, asked when a channel failed.
        paramiko's thread, finding the connection broken, closes its channels
        a moment before it marks it inactive: let it finish first."""
        if self.active:
            self.transport.join(0.5)
        return not self.active

    def lost(self, when: str) -> ConnectionLost:
        return ConnectionLost(f"{self.where}: {self.silent or 'the connection dropped'} {when}")

    def _keepalive(self, interval: float) -> None:
        # paramiko's own keepalive asks for no answer, and a frozen box still
        # acknowledges TCP: it would look alive for ever. OpenSSH answers a
        # request it does not know with a failure, and any answer will do.
        silence = interval * KEEPALIVE_COUNT
        while not self._closed.wait(interval) and self.active:
            alarm = threading.Timer(silence, self._give_up, args=(silence,))
            alarm.daemon = True
            alarm.start()
            try:
                self.transport.global_request("keepalive@openssh.com", wait=True)
            except (paramiko.SSHException, EOFError, OSError):
                return
            finally:
                alarm.cancel()

    def _give_up(self, silence: float) -> None:
        self.silent = f"the box stopped answering (no reply to keepalives for {silence:g} s)"
        self.transport.close()   # wakes every thread waiting on it

    def close(self) -> None:
        self._closed.set()
        self.client.close()


class SshHost(Host):
    def __init__(self, url: str, hostname: str, port: int, username: str, *,
                 password: str | None = None, key: str | None = None,
                 known_hosts: str | None = None, accept_new_key: bool = False,
                 sudo: bool = False, connect_timeout: float = 10.0, keepalive: float = 15.0,
                 deadline: float = DEFAULT_DEADLINE, lab: Lab | None = None) -> None:
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
        self.deadline = deadline
        self.lab = lab
        self._lock = threading.Lock()   # guards _connection: opening, replacing, closing it
        self._connection: _Connection | None = None
        self._sessions = threading.BoundedSemaphore(SESSIONS)

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
        except ValueError as exc:
            raise HostURLError(f"{url!r}: {exc}") from None
        username = unquote(parts.username) if parts.username else os.environ.get("USER", "root")
        password = unquote(parts.password) if parts.password else options.get("password")
        return cls(url, parts.hostname, port, username, password=password, key=options.get("key"),
                   known_hosts=options.get("known_hosts"),
                   accept_new_key=options.get("accept_new_key") == "1",
                   sudo=options.get("sudo") == "1", lab=lab, **timings(url, options))

    # -- the connection -------------------------------------------------------
    @property
    def where(self) -> str:
        return f"{self.username}@{self.hostname}:{self.port}"

    def _connect(self, wait: float) -> paramiko.SSHClient:
        client = paramiko.SSHClient()
        if self.known_hosts.is_file():
            client.load_host_keys(str(self.known_hosts))
        client.set_missing_host_key_policy(
            _RecordNewKey(self.known_hosts) if self.accept_new_key else paramiko.RejectPolicy())
        try:
            sock = socket.create_connection((self.hostname, self.port), timeout=wait)
        except OSError as exc:
            raise HostError(f"cannot reach {self.hostname}:{self.port}: {exc}") from None
        # paramiko does not set TCP_NODELAY; without it every command waits
        # for Nagle's algorithm (40 ms and more per command).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            client.connect(self.hostname, self.port, self.username, password=self.password,
                           key_filename=self.key, sock=sock, timeout=wait, banner_timeout=wait,
                           auth_timeout=wait, allow_agent=False,
                           look_for_keys=not (self.key or self.password))
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
            transport = client.get_transport()
            greeted = transport is not None and transport.remote_version
            client.close()
            sock.close()
            if not greeted:   # a frozen or swamped sshd accepts, then says nothing
                raise HostError(f"{self.where}: sshd did not answer within {round(wait, 1):g} s") from None
            if "not found in known_hosts" in str(exc):
                raise HostKeyError(
                    f"{self.hostname}:{self.port} has a host key that is not in {self.known_hosts}; "
                    "check it and add it there, or connect once with ?accept_new_key=1 to record "
                    "it") from None
            raise HostError(f"{self.where}: {exc}") from None
        except OSError as exc:
            sock.close()
            raise HostError(f"{self.where}: {exc}") from None
        return client

    def _current(self, ends: float) -> _Connection:
        """The shared connection; opened when there is none or it died."""
        with self._lock:
            if self._connection is None or not self._connection.active:
                if self._connection is not None:
                    self._connection.close()
                self._connection = None
                wait = min(self.connect_timeout, max(ends - time.monotonic(), 0.1))
                self._connection = _Connection(self._connect(wait), self.where, self.keepalive)
            return self._connection

    def _discard(self, connection: _Connection) -> None:
        """Close a dead connection; forget it unless another thread has
        already put a new one in its place."""
        connection.close()
        with self._lock:
            if self._connection is connection:
                self._connection = None

    def _session(self, line: str, limit: float, ends: float) -> tuple[_Connection, paramiko.Channel]:
        """A channel for one command. A connection that died before the
        command started is reopened once: nothing has run yet, so retrying is
        safe. One given up because the box stopped answering is not."""
        connection = self._current(ends)
        try:
            return connection, self._open(connection, line, limit, ends)
        except ConnectionLost:
            if connection.silent:
                raise
        connection = self._current(ends)
        return connection, self._open(connection, line, limit, ends)

    def _open(self, connection: _Connection, what: str, limit: float,
              ends: float) -> paramiko.Channel:
        """A session channel on ``connection``. One that sshd refuses (its
        MaxSessions reached) or is slow to open is asked for again until the
        deadline; the connection is kept for the other threads."""
        pause = 0.01
        while True:
            wait = ends - time.monotonic()
            if wait <= 0:
                raise HostTimeout(what, limit)
            try:
                return connection.transport.open_session(timeout=min(wait, self.connect_timeout))
            except paramiko.ChannelException:
                pass    # refused: sshd is there and answering
            except (paramiko.SSHException, EOFError, OSError) as exc:
                # (paramiko marks the connection inactive before it wakes
                # the threads opening channels on it)
                if not connection.active:
                    self._discard(connection)
                    raise connection.lost(f"and no session could be opened ({exc})") from None
            time.sleep(min(pause, max(ends - time.monotonic(), 0)))
            pause = min(pause * 2, 0.5)

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
        return self._command(line, stdin, timeout, self._wrap(line, timeout))

    def session(self, jail: str | None = None, *, terminal: bool = False,
                limit: float | None = None) -> Session:
        """One sh per line (jailkit.hosts.line), in ``jail`` through jexec -l."""
        return LineSession(self, jail, limit)

    def client_address(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        """This connection's client as the box sees it, after any NAT on the
        way (Vagrant's shows 10.0.2.2): the first word of $SSH_CONNECTION,
        which the box's sshd sets for every session of the connection.
        paramiko knows only this side's addresses, and the box's sockets
        list every ssh connection without saying which is this one, so the
        box is asked in a session of the login user's own, never through
        sudo, which removes the variable (env_reset)."""
        status, out, _ = self._command(PRINT_CLIENT, None, None, PRINT_CLIENT)
        given = [line.partition("=")[2] for line in out.splitlines()
                 if line.startswith("SSH_CONNECTION=")]
        words = given[0].split() if status == 0 and given else []
        if not words:
            raise HostError(f"{self.where}: the box's sshd does not say where this session "
                            "comes from ($SSH_CONNECTION is not set for it: a forced command, "
                            "or a shell that clears it?), so jailkit cannot tell whether "
                            "changing the box's routes or firewalls would cut it")
        try:
            return ipaddress.ip_address(words[0])
        except ValueError:
            raise HostError(f"{self.where}: $SSH_CONNECTION on the box is {given[0]!r}, "
                            "which does not start with an address") from None

    def _command(self, line: str, stdin: str | None, timeout: float | None,
                 sent: str) -> tuple[int, str, str]:
        """Run ``sent`` (``line`` as the box is to run it) on a channel of
        its own."""
        limit = self.deadline if timeout is None else timeout
        # timeout(1) on the box needs a moment past its limit to stop the
        # command and report it.
        ends = time.monotonic() + limit + (0 if timeout is None else KILL_GRACE + 5)
        if not self._sessions.acquire(timeout=limit):
            raise HostTimeout(line, limit)
        try:
            connection, channel = self._session(line, limit, ends)
            try:
                self._start(connection, channel, line, sent)
                status, out, err = self._exchange(connection, channel, line, stdin, limit, ends)
            finally:
                _quietly(channel.close)
        finally:
            self._sessions.release()
        # timeout(1) exits 124 when it stopped the command (137 after KILL);
        # a host in virtual time (the sim) gets there at once.
        if timeout is not None and status in (124, 137):
            raise HostTimeout(line, timeout)
        return status, out, err

    def _start(self, connection: _Connection, channel: paramiko.Channel, line: str,
               sent: str) -> None:
        try:
            channel.exec_command(bytes_of(sent))
        except (paramiko.SSHException, EOFError, OSError) as exc:
            if isinstance(exc, paramiko.SSHException) and not connection.dead():
                raise HostError(f"{self.where}: sshd would not run {line!r} ({exc})") from None
            self._discard(connection)
            raise connection.lost(f"as {line!r} was sent; it may have run ({exc})") from None

    def _exchange(self, connection: _Connection, channel: paramiko.Channel, line: str,
                  stdin: str | None, limit: float, ends: float) -> tuple[int, str, str]:
        """Feed stdin, read both streams until the command exits, the
        connection is lost, or the deadline passes."""
        if stdin:
            # Written beside the reading, so that neither side can block; the
            # channel's timeout ends the writing if the box stops reading.
            channel.settimeout(limit)
            threading.Thread(target=_feed, args=(channel, stdin), daemon=True).start()
        else:
            _quietly(_close_stdin, channel)   # a connection gone is found below
        out, err = bytearray(), bytearray()
        while True:
            if channel.recv_ready():
                out += channel.recv(READ_CHUNK)
                continue
            if channel.recv_stderr_ready():
                err += channel.recv_stderr(READ_CHUNK)
                continue
            # Done once the command has exited and both streams are closed:
            # the exit status may arrive before the last of the output.
            if channel.exit_status != -1 and channel.eof_received:
                return channel.exit_status, text_of(out), text_of(err)
            if channel.closed:
                if connection.dead():
                    self._discard(connection)
                    raise connection.lost(f"while {line!r} was running; it may or may not have "
                                          "finished")
                # sshd ended it with no exit status (killed by a signal):
                # paramiko's -1, as ever
                return channel.exit_status, text_of(out), text_of(err)
            wait = ends - time.monotonic()
            if wait <= 0:
                _signal(channel, "TERM")
                raise HostTimeout(line, limit)
            if channel.eof_received:
                # Both streams are done, the exit status is still on its way
                # (sshd sends it once it has reaped the command). The
                # channel's pipe stays readable from EOF on, so select()
                # would return at once, again and again: wait for the
                # event paramiko sets on the exit status or the close.
                channel.status_event.wait(min(wait, 1.0))
            else:
                select.select([channel], [], [], min(wait, 1.0))

    # -- files and tunnels ----------------------------------------------------
    def _transfer(self, what: str, move: Callable[[paramiko.SFTPClient], object]) -> None:
        """One SFTP transfer over the shared connection, one at a time."""
        ends = time.monotonic() + self.deadline
        connection = self._current(ends)
        with connection.sftp_lock:
            try:
                if connection.sftp is None:
                    channel = self._open(connection, what, self.deadline, ends)
                    channel.settimeout(self.deadline)   # for each read: a box gone quiet
                    channel.invoke_subsystem("sftp")
                    connection.sftp = paramiko.SFTPClient(channel)
                move(connection.sftp)
            except TimeoutError:
                raise HostTimeout(what, self.deadline) from None
            except (paramiko.SSHException, EOFError, OSError):
                if connection.active:
                    raise
                self._discard(connection)
                raise connection.lost(f"during {what}") from None

    def put_file(self, local: str | Path, remote: str) -> None:
        self._transfer(f"sftp put {remote}", lambda sftp: sftp.put(str(local), remote))

    def get_file(self, remote: str, local: str | Path) -> None:
        self._transfer(f"sftp get {remote}", lambda sftp: sftp.get(remote, str(local)))

    def _direct(self, address: str, port: int) -> paramiko.Channel:
        """A direct-tcpip channel through the box to address:port (no
        session: it does not count against MaxSessions)."""
        connection = self._current(time.monotonic() + self.connect_timeout)
        return connection.transport.open_channel(
            "direct-tcpip", (address, port), ("127.0.0.1", 0), timeout=self.connect_timeout)

    def open_tunnel(self, address: str, port: int) -> paramiko.Channel:
        """A direct-tcpip channel through this host to address:port, e.g. to
        reach a jail's sshd from outside: pass it as ``sock`` to paramiko."""
        try:
            return self._direct(address, port)
        except (paramiko.SSHException, EOFError) as exc:
            raise HostError(f"{self.where}: no tunnel to {address}:{port} ({exc})") from None

    def login(self, address: str, user: str, password: str, command: str, *,
              port: int = 22, timeout: float | None = None) -> Result:
        """Through the box: a direct-tcpip channel to address:port, and an
        ssh login over it."""
        try:
            channel = self._direct(address, port)
        except paramiko.ChannelException as exc:
            # the box could not connect: what ssh run on the box would say
            reason = "Connection refused" if exc.code == 2 else exc.text
            raise LoginError(f"ssh: connect to host {address} port {port}: {reason}") from None
        except (paramiko.SSHException, EOFError) as exc:
            raise HostError(f"{self.where}: no tunnel to {address}:{port} ({exc})") from None
        return login(channel, address, user, password, command,
                     self.deadline if timeout is None else timeout)

    def close(self, passed: bool = True) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
            self._connection = None


class Timings(TypedDict):
    """SshHost's keywords for its waits, in seconds."""
    connect_timeout: float
    keepalive: float
    deadline: float


def timings(url: str, options: dict[str, str]) -> Timings:
    """The URL's connect timeout, keepalive interval and command deadline."""
    return {"connect_timeout": _seconds(url, options, "timeout", 10.0),
            "keepalive": _seconds(url, options, "keepalive", 15.0),
            "deadline": _seconds(url, options, "deadline", DEFAULT_DEADLINE)}


def _quietly(action: Callable, *args) -> None:
    """Do ``action`` on a channel whose connection may be gone already."""
    try:
        action(*args)
    except (paramiko.SSHException, EOFError, OSError):
        pass


def _signal(channel: paramiko.Channel, name: str) -> None:
    """Ask sshd to send a signal to the command (RFC 4254, 6.9): OpenSSH
    sends it to the command's process group (a forced command excepted).
    paramiko has no call for this request."""
    message = paramiko.Message()
    message.add_byte(cMSG_CHANNEL_REQUEST)
    message.add_int(channel.remote_chanid)
    message.add_string("signal")
    message.add_boolean(False)
    message.add_string(name)
    _quietly(_send_user_message, channel, message)


# paramiko answers sshd's CLOSE from its own thread, and sends that answer
# once it holds the channel's lock; yet it sends our data and EOF after
# letting go of that lock. When sshd closes first (the command exited) our
# packet may then follow our CLOSE, and sshd drops the whole connection
# ("ieof packet referred to nonexistent channel"): every thread loses its
# command. So stdin and its EOF are sent with the lock held.
def _close_stdin(channel: paramiko.Channel) -> None:
    with channel.lock:
        message = _send_eof(channel)
        if message is not None:
            _send_user_message(channel, message)


def _write(channel: paramiko.Channel, data: bytes) -> None:
    while data:
        with channel.lock:
            if channel.closed:
                raise EOFError("the command's channel is closed")
            size = _wait_for_send_window(channel, len(data))   # the channel's timeout bounds it
            if size == 0:
                raise EOFError("the command's channel is closed")
            message = paramiko.Message()
            message.add_byte(cMSG_CHANNEL_DATA)
            message.add_int(channel.remote_chanid)
            message.add_string(data[:size])
            _send_user_message(channel, message)
        data = data[size:]


# paramiko's private calls the above relies on, typed here once: its stubs
# declare none of them (they are the ones its own Channel.send uses).
def _send_user_message(channel: paramiko.Channel, message: paramiko.Message) -> None:
    """Transport._send_user_message: send a message of the channel's, once
    a key exchange under way allows."""
    send: Callable[[paramiko.Message], None] = getattr(channel.transport, "_send_user_message")
    send(message)


def _send_eof(channel: paramiko.Channel) -> paramiko.Message | None:
    """Channel._send_eof: mark the channel's EOF sent; the message to send,
    or None when it was sent already."""
    make: Callable[[], paramiko.Message | None] = getattr(channel, "_send_eof")
    return make()


def _wait_for_send_window(channel: paramiko.Channel, size: int) -> int:
    """Channel._wait_for_send_window: how much of ``size`` bytes the peer's
    window takes now (0: the channel closed)."""
    wait: Callable[[int], int] = getattr(channel, "_wait_for_send_window")
    return wait(size)


def _feed(channel: paramiko.Channel, data: str) -> None:
    try:
        _write(channel, bytes_of(data))
        _close_stdin(channel)
    except (OSError, EOFError, paramiko.SSHException):
        pass   # the command ended or the connection is gone: the reader reports it
