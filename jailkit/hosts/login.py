"""An ssh login over an already open byte stream (a socket, or a
direct-tcpip channel through a box), with paramiko: the way jailkit logs in
to a jail's sshd as the jail's user, the howto's "ssh -p 22 -l test".

A jail's host key is new with every jail, so it is accepted: the hop is
inside the lab, and the stream reaches it through a connection whose own
host key was verified. FreeBSD's sshd takes passwords through
keyboard-interactive (PAM), so that is tried when plain password
authentication is not offered."""

from __future__ import annotations

import socket
import time

import paramiko

from ..host import HostTimeout, LoginError, Result, text_of

READ_CHUNK = 65536


def login(stream: socket.socket | paramiko.Channel, address: str, user: str, password: str, command: str,
          timeout: float | None) -> Result:
    transport = paramiko.Transport(stream)
    try:
        try:
            transport.start_client(timeout=timeout or 30)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise LoginError(f"ssh: connect to host {address}: {exc}") from None
        _authenticate(transport, address, user, password)
        channel = transport.open_session(timeout=timeout or 30)
        if timeout is not None:
            channel.settimeout(timeout)
        channel.exec_command(command)
        channel.shutdown_write()
        out, err = bytearray(), bytearray()
        started = time.monotonic()
        while True:
            if channel.recv_ready():
                out += channel.recv(READ_CHUNK)
            elif channel.recv_stderr_ready():
                err += channel.recv_stderr(READ_CHUNK)
            elif channel.exit_status_ready() and channel.eof_received:
                break
            elif timeout is not None and time.monotonic() > started + timeout:
                raise HostTimeout(command, timeout)
            else:
                channel.status_event.wait(0.01)
        while channel.recv_ready():
            out += channel.recv(READ_CHUNK)
        while channel.recv_stderr_ready():
            err += channel.recv_stderr(READ_CHUNK)
        status = channel.recv_exit_status()
        return Result(command, status, text_of(out), text_of(err))
    finally:
        transport.close()


def _authenticate(transport: paramiko.Transport, address: str, user: str, password: str) -> None:
    denied = LoginError(f"{user}@{address}: Permission denied")
    try:
        transport.auth_password(user, password)
        return
    except paramiko.BadAuthenticationType as exc:
        allowed = exc.allowed_types
    except paramiko.AuthenticationException:
        raise denied from None
    if "keyboard-interactive" not in allowed:
        raise LoginError(f"{user}@{address}: Permission denied ({','.join(allowed)}).")
    try:
        transport.auth_interactive(user, lambda title, instructions, prompts: [password] * len(prompts))
    except paramiko.AuthenticationException:
        raise LoginError(f"{user}@{address}: Permission denied ({','.join(allowed)}).") from None
