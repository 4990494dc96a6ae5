"""A sim behind a real sshd: one long-lived FreeBSD machine that answers
every command sshd's forced command hands it over a Unix socket.

    python3 -m jailkit.sim.serve SOCKET [--tunnel SOCKET] [--owner USER] [--lab NAME]
        [--bare] [--seed N] [--client on-link|routed]

The sshd's ForceCommand is the small client beside this file
(serve_client.c, built by whoever starts the sshd), which connects to
SOCKET, sends the command and its standard input, and gives back stdout,
stderr and the exit status. The machine lives in this process for as long
as it runs, so state persists across commands and connections, and a
command costs what the sim takes to run it, not a Python start.

Commands run one at a time, in the order they connect: the machine is one
FreeBSD host. A client that goes away mid-command (its ssh channel closed)
costs only its own answer. The socket is created mode 0600, for the user
this runs as, or for --owner (the user sshd runs the forced command as).
The process ends, removing the socket, on SIGTERM, SIGINT or when its
standard input reaches end of file: whoever started it holds the other end
of that pipe, so its death ends this too. A bare box's harness session (--client, see
jailkit.sim.harness) is the one its commands see in $SSH_CONNECTION.

--tunnel: the box's network for the sshd itself, which connects through
this socket (serve_connect.c, preloaded into it) for the direct-tcpip
channels its clients open ("ssh -J", jailkit's Host.login): the sim's host
stack makes the TCP connection, and what listens there answers: a jail's
sshd speaks SSH (paramiko's server side, authenticating through the sim's
sshd and PAM, running the command in the jail), any other service gets the
bytes sent before end of file and answers once, as the sim's services do.

The protocol (integers big-endian): the client sends a byte (1: a command
follows, 0: none, standard input is the script, as sshd runs a shell
without SSH_ORIGINAL_COMMAND), the command (u32 length, bytes), standard
input (u64 length, bytes); the server answers the exit status (i32; -1
when the box went down under the command), stdout and stderr (u64 length,
bytes each). Bytes that are not UTF-8 pass through the sim unchanged
(jailkit/sim/octets.py)."""

from __future__ import annotations

import argparse
import errno
import gc
import ipaddress
import os
import pwd
import queue
import selectors
import signal
import socket
import struct
import sys
import threading
import time
from pathlib import Path
from types import FrameType

import paramiko
from paramiko.common import (AUTH_FAILED, AUTH_SUCCESSFUL, OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED,
                             OPEN_SUCCEEDED)

from ..lab import load_lab
from . import errno as sim_errno
from .daemons import AuthFailed, Login, SshRefused, Sshd
from .harness import CLIENTS
from .machine import LONGEST, Deadline, Machine
from .octets import decode, encode
from .services import SSH_BANNER
from .socket import Connection, ConnectError, connect

BACKLOG = 64          # clients waiting their turn (SshHost sends up to 8 at once)
REQUEST_WAIT = 30.0   # seconds a connected client may take to send its request


class Stop(Exception):
    """SIGTERM or SIGINT: close the socket and exit."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m jailkit.sim.serve")
    parser.add_argument("socket", type=Path)
    parser.add_argument("--tunnel", type=Path)
    parser.add_argument("--owner")
    parser.add_argument("--lab", default="qjail-vnet")
    parser.add_argument("--bare", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--client", choices=CLIENTS, default="on-link")
    args = parser.parse_args(argv)
    machine = Machine(load_lab(args.lab), args.seed, args.bare, args.client)
    # The booted machine lives as long as this process: out of the
    # collector's sight, a full collection does not walk it again and again
    # (tens of ms each, in the middle of a command).
    gc.collect()
    gc.freeze()
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    paths = [args.socket] + ([args.tunnel] if args.tunnel else [])
    listeners = []
    try:
        for path in paths:
            listeners.append(_listen(path, args.owner))
        print("ready", flush=True)     # the starter waits for this line
        _serve(listeners, machine)
    except Stop:
        pass
    finally:
        for listener in listeners:
            listener.close()
        for path in paths[:len(listeners)]:      # only the sockets this made
            path.unlink(missing_ok=True)
    return 0


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stop()


def _listen(path: Path, owner: str | None) -> socket.socket:
    """The socket, 0600 from the start (created under a umask that leaves
    no window in which another user could connect), then the owner's."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mask = os.umask(0o177)
    try:
        listener.bind(str(path))
    finally:
        os.umask(mask)
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    listener.listen(BACKLOG)
    return listener


def _serve(listeners: list[socket.socket], machine: Machine) -> None:
    """Answer clients one at a time until standard input closes: the
    commands on the first socket, the tunnels on the second."""
    watch = selectors.DefaultSelector()
    for listener, handle in zip(listeners, (_answer, _tunnel)):
        watch.register(listener, selectors.EVENT_READ, handle)
    watch.register(sys.stdin, selectors.EVENT_READ)
    while True:
        for key, _ in watch.select():
            if key.data is None:
                if not os.read(sys.stdin.fileno(), 4096):
                    return      # the starter is gone, or closed the pipe to stop us
                continue
            assert isinstance(key.fileobj, socket.socket)
            client, _ = key.fileobj.accept()
            with client:
                key.data(client, machine)


def _answer(client: socket.socket, machine: Machine) -> None:
    """One command: a request cut short runs nothing; an answer nobody is
    left to read is dropped."""
    client.settimeout(REQUEST_WAIT)
    try:
        command, stdin = _request(client)
    except (OSError, EOFError):
        return
    status, out, err = _run(machine, command, stdin)
    try:
        client.sendall(struct.pack(">iQ", status, len(out)) + out
                       + struct.pack(">Q", len(err)) + err)
    except OSError:
        pass


def _request(client: socket.socket) -> tuple[str | None, str]:
    given, = struct.unpack(">B", _exactly(client, 1))
    length, = struct.unpack(">I", _exactly(client, 4))
    command = decode(_exactly(client, length))
    length, = struct.unpack(">Q", _exactly(client, 8))
    stdin = decode(_exactly(client, length))
    return (command if given else None), stdin


def _exactly(client: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = client.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the client went away mid-request")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _run(machine: Machine, command: str | None, stdin: str) -> tuple[int, bytes, bytes]:
    """Without a command, standard input is the script (sshd runs the
    user's shell reading it)."""
    if command is None:
        command, stdin = stdin, ""
    try:
        status, out, err = machine.run(command, stdin)
    except Deadline:
        status, out, err = 124, "", "jailkit sim: the command ran for a virtual day; stopped\n"
    return status, encode(out), encode(err)



# -- tunnels: the sshd's own connections, through the sim's host stack ----------------------------
TUNNEL_WAIT = 120.0   # seconds a tunnel may take, all of it (the sim waits for nobody else)
# the sim's errno numbers (FreeBSD's) by name, for the host's numbers
ERRNO_NAMES = {value: name for name, value in vars(sim_errno).items()
               if name.startswith("E") and isinstance(value, int)}


def _tunnel(client: socket.socket, machine: Machine) -> None:
    """One connection the sshd makes: the sim's host stack connects to the
    address and port asked for; the verdict goes back (0, or the errno
    connect(2) fails with), then the connection's bytes."""
    client.settimeout(TUNNEL_WAIT)
    try:
        family, raw, port = struct.unpack(">B16sH", _exactly(client, 19))
        kernel = machine.kernel
        with kernel.deadline(LONGEST):
            connection = _connect(machine, family, raw, port)
            client.sendall(b"\0")
            if isinstance(connection.listener.handler, Sshd):
                _ssh(client, machine, connection.listener.handler, connection,
                     str(ipaddress.IPv4Address(raw[:4])))
            else:
                client.sendall(encode(connection.exchange(_until_eof(client))))
    except ConnectError as exc:
        _quietly(client.sendall, bytes([_host_errno(exc.errno)]))
    except (OSError, EOFError, Deadline, paramiko.SSHException):
        pass    # the sshd's side went away, or the sim's day ended: the connection ends


def _connect(machine: Machine, family: int, raw: bytes, port: int) -> Connection:
    """The sim's TCP is IPv4 (its sockets are family 4): an IPv6 address
    is on no network the box has."""
    if family != 4:
        raise ConnectError(sim_errno.ENETUNREACH)
    kernel = machine.kernel
    return connect(kernel, kernel.host_vnet, ipaddress.IPv4Address(raw[:4]), port)


def _host_errno(number: int) -> int:
    return getattr(errno, ERRNO_NAMES.get(number, "EIO"), errno.EIO)


def _until_eof(client: socket.socket) -> str:
    chunks = []
    while chunk := client.recv(65536):
        chunks.append(chunk)
    return decode(b"".join(chunks))


def _quietly(send, data: bytes) -> None:
    try:
        send(data)
    except OSError:
        pass


def _ssh(client: socket.socket, machine: Machine, sshd: Sshd, connection: Connection,
         target: str) -> None:
    """An SSH server on the connection for the jail's sshd: paramiko
    speaks the protocol, the sim's sshd authenticates and runs the one
    command of the session. The host key is new with each connection, as a
    new jail's would be."""
    transport = paramiko.Transport(client)
    transport.local_version = SSH_BANNER      # FreeBSD's sshd, not paramiko, greets the client
    transport.add_server_key(paramiko.ECDSAKey.generate())
    server = _JailSshd(machine, sshd, str(connection.peer[0]))
    try:
        transport.start_server(server=server)
        channel = transport.accept(TUNNEL_WAIT)   # None once the client is gone
        if channel is None or not _asked(server, transport) or server.login is None:
            return
        channel.settimeout(TUNNEL_WAIT)
        stdin = _until_eof_channel(channel)
        status, out, err = sshd.run(machine.kernel, server.login, server.command, target, stdin)
        channel.sendall(encode(out))
        channel.sendall_stderr(encode(err))
        channel.send_exit_status(status)
        channel.close()
    finally:
        server.end_conversation()
        transport.close()


def _asked(server: "_JailSshd", transport: paramiko.Transport) -> bool:
    """Whether the session asked for its command before the client went
    away or the tunnel's time ran out."""
    ends = time.monotonic() + TUNNEL_WAIT
    while not server.asked.wait(0.05):
        if not transport.is_active() or time.monotonic() > ends:
            return False
    return True


def _until_eof_channel(channel: paramiko.Channel) -> str:
    chunks = []
    while chunk := channel.recv(65536):
        chunks.append(chunk)
    return decode(b"".join(chunks))


class _JailSshd(paramiko.ServerInterface):
    """paramiko's questions, answered by the sim's sshd: the methods its
    sshd_config offers, a password attempt, a keyboard-interactive
    conversation (PAM's prompts, asked one by one as sshd relays them), one
    exec request."""

    def __init__(self, machine: Machine, sshd: Sshd, rhost: str) -> None:
        self.machine, self.sshd, self.rhost = machine, sshd, rhost
        self.login: Login | None = None
        self.command = ""
        self.asked = threading.Event()
        self._prompts: queue.Queue[tuple[str, object]] = queue.Queue()
        self._answers: queue.Queue[str | None] = queue.Queue()
        self._pam: threading.Thread | None = None

    def get_allowed_auths(self, username: str) -> str:
        return self.sshd.config(self.machine.kernel).methods()

    def check_auth_password(self, username: str, password: str) -> int:
        try:
            self.login = self.sshd.password(self.machine.kernel, username, password)
        except (AuthFailed, SshRefused):
            return AUTH_FAILED
        return AUTH_SUCCESSFUL

    def check_auth_interactive(self, username: str, submethods: str):
        if "keyboard-interactive" not in self.get_allowed_auths(username).split(","):
            return AUTH_FAILED
        self._pam = threading.Thread(target=self._converse, args=(username,), daemon=True)
        self._pam.start()
        return self._next()

    def check_auth_interactive_response(self, responses):
        self._answers.put(responses[0] if responses else None)
        return self._next()

    def _converse(self, username: str) -> None:
        """sshd's PAM thread (auth-pam.c): each prompt waits for its answer."""
        def ask(prompt: str) -> str | None:
            self._prompts.put(("ask", prompt))
            return self._answers.get()
        try:
            login: Login | None = self.sshd.keyboard_interactive(self.machine.kernel, username, ask,
                                                                 self.rhost)
        except (AuthFailed, SshRefused):
            login = None
        self._prompts.put(("done", login))

    def _next(self):
        kind, value = self._prompts.get()
        if kind == "ask":
            assert isinstance(value, str)
            return paramiko.InteractiveQuery("", "", (value, False))
        if value is None:
            return AUTH_FAILED
        assert isinstance(value, Login)
        self.login = value
        return AUTH_SUCCESSFUL

    def end_conversation(self) -> None:
        """A client gone mid-conversation: PAM gets no more answers and ends
        before the sim goes on."""
        while self._pam is not None and self._pam.is_alive():
            self._answers.put(None)
            self._pam.join(0.1)

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session" and self.login is not None:
            return OPEN_SUCCEEDED
        return OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        self.command = decode(command)
        self.asked.set()
        return True


if __name__ == "__main__":
    sys.exit(main())
