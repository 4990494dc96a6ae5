"""A sim behind a real sshd: one long-lived FreeBSD machine that answers
every command sshd's forced command hands it over a Unix socket.

    python3 -m jailkit.sim.serve SOCKET [--lab NAME] [--bare] [--seed N]
        [--client on-link|routed]

The sshd's ForceCommand is the small client beside this file
(serve_client.c, built by whoever starts the sshd), which connects to
SOCKET, sends the command and its standard input, and gives back stdout,
stderr and the exit status. The machine lives in this process for as long
as it runs, so state persists across commands and connections, and a
command costs what the sim takes to run it, not a Python start.

Commands run one at a time, in the order they connect: the machine is one
FreeBSD host. A client that goes away mid-command (its ssh channel closed)
costs only its own answer. The socket is created mode 0600, for the user
this runs as (the one sshd runs the forced command as). The process ends,
removing the socket, on SIGTERM, SIGINT or when its standard input reaches
end of file: whoever started it holds the other end of that pipe, so its
death ends this too. A bare box's harness session (--client, see
jailkit.sim.harness) is the one its commands see in $SSH_CONNECTION.

The protocol (integers big-endian): the client sends a byte (1: a command
follows, 0: none, standard input is the script, as sshd runs a shell
without SSH_ORIGINAL_COMMAND), the command (u32 length, bytes), standard
input (u64 length, bytes); the server answers the exit status (i32; -1
when the box went down under the command), stdout and stderr (u64 length,
bytes each). Bytes that are not UTF-8 pass through the sim unchanged
(surrogateescape)."""

from __future__ import annotations

import argparse
import gc
import os
import selectors
import signal
import socket
import struct
import sys
from pathlib import Path
from types import FrameType

from ..lab import load_lab
from .harness import CLIENTS
from .machine import Deadline, Machine

BACKLOG = 64          # clients waiting their turn (SshHost sends up to 8 at once)
REQUEST_WAIT = 30.0   # seconds a connected client may take to send its request
ENCODING = "utf-8"


class Stop(Exception):
    """SIGTERM or SIGINT: close the socket and exit."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m jailkit.sim.serve")
    parser.add_argument("socket", type=Path)
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
    listener = _listen(args.socket)
    try:
        print("ready", flush=True)     # the starter waits for this line
        _serve(listener, machine)
    except Stop:
        pass
    finally:
        listener.close()
        args.socket.unlink(missing_ok=True)
    return 0


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stop()


def _listen(path: Path) -> socket.socket:
    """The socket, 0600 from the start: created under a umask that leaves
    no window in which another user could connect."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mask = os.umask(0o177)
    try:
        listener.bind(str(path))
    finally:
        os.umask(mask)
    listener.listen(BACKLOG)
    return listener


def _serve(listener: socket.socket, machine: Machine) -> None:
    """Answer clients one at a time until standard input closes."""
    watch = selectors.DefaultSelector()
    watch.register(listener, selectors.EVENT_READ)
    watch.register(sys.stdin, selectors.EVENT_READ)
    while True:
        for key, _ in watch.select():
            if key.fileobj is not listener:
                if not os.read(sys.stdin.fileno(), 4096):
                    return      # the starter is gone, or closed the pipe to stop us
                continue
            client, _ = listener.accept()
            with client:
                _answer(client, machine)


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
    command = _exactly(client, length).decode(ENCODING, "surrogateescape")
    length, = struct.unpack(">Q", _exactly(client, 8))
    stdin = _exactly(client, length).decode(ENCODING, "surrogateescape")
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
    return status, out.encode(ENCODING, "surrogateescape"), err.encode(ENCODING, "surrogateescape")


if __name__ == "__main__":
    sys.exit(main())
