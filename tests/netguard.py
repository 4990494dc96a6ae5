"""Keeps the test suite on the loopback: nothing a test does may send a
packet outside 127.0.0.0/8 (or ::1).

In this process, an audit hook (PEP 578) sees every socket connect, sendto
and sendmsg, every name lookup (getaddrinfo, gethostbyname, ...) and every
subprocess, and refuses before the system call what would leave the
machine: an address outside the loopback, a name other than localhost (its
lookup could ask a DNS server), a socket family that reaches a wire
(AF_PACKET ...). The refusal is an exception at the call, and the attempt
is recorded, so that a test whose code swallows the exception still fails.

Subprocesses get no audit hook: they get an environment in which the
programs the suite runs cannot reach out (ENVIRONMENT): every HTTP, HTTPS
and FTP client that honours the proxy variables (curl, Ruby's Net::HTTP,
hence vagrant) is sent to a closed port on 127.0.0.1 and so never looks a
name up; vagrant's version check and box update check are off, its Vagrant
Cloud is that closed port, and its home (boxes, caches) is a directory of
the session's own. A subprocess.Popen given an environment of its own that
drops these settings is refused like a connect. os.exec* is not watched:
it runs in a forked child, where a refusal would only kill the child (the
suite's one use, in test_cli.py, builds its environment from os.environ)."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import sys
from collections.abc import Iterator

# A TCP port on the loopback where nothing listens (9 is discard, not run here).
NOWHERE = "http://127.0.0.1:9"

ENVIRONMENT = {
    "http_proxy": NOWHERE, "https_proxy": NOWHERE, "ftp_proxy": NOWHERE, "all_proxy": NOWHERE,
    "HTTP_PROXY": NOWHERE, "HTTPS_PROXY": NOWHERE, "FTP_PROXY": NOWHERE, "ALL_PROXY": NOWHERE,
    "VAGRANT_SERVER_URL": NOWHERE,              # Vagrant Cloud, for box names like freebsd/...
    "VAGRANT_CHECKPOINT_DISABLE": "1",          # the version check at every vagrant command
    "VAGRANT_BOX_UPDATE_CHECK_DISABLE": "1",    # the box update check at vagrant up
}
# Variables that would let a client bypass the proxies above.
UNSET = ("no_proxy", "NO_PROXY")

LOCAL_NAMES = {"localhost", "localhost.", "", None}
LOCAL_FAMILIES = {socket.AF_UNIX, socket.AF_NETLINK} if hasattr(socket, "AF_NETLINK") else {socket.AF_UNIX}
IP_FAMILIES = {socket.AF_INET, socket.AF_INET6}


class LeftTheLoopback(Exception):
    """A test tried to send something outside 127.0.0.0/8. Not an OSError,
    so that code retrying on network errors does not take it for one."""


attempts: list[str] = []


def _loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _numeric(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True


def _refuse(what: str) -> None:
    attempts.append(what)
    raise LeftTheLoopback(f"the test suite stays on 127.0.0.0/8: {what} refused")


def _check_destination(event: str, sock: socket.socket, address: object) -> None:
    if address is None or sock.family in LOCAL_FAMILIES:
        return
    if sock.family not in IP_FAMILIES:
        _refuse(f"{event} on a {socket.AddressFamily(sock.family).name} socket to {address!r}")
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not (_loopback(host) or host in LOCAL_NAMES):
        _refuse(f"{event} to {address!r}")


def _check_lookup(event: str, host: object, reverse: bool) -> None:
    """A name lookup: localhost, and numeric addresses looked up forward
    (they ask no DNS server; a connect to them is checked on its own). A
    reverse lookup of any other address asks DNS for its PTR record."""
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host in LOCAL_NAMES or (isinstance(host, str) and (_loopback(host) or
                                                          (_numeric(host) and not reverse))):
        return
    _refuse(f"{event} of {host!r} (a DNS query could leave the machine)")


def _check_environment(argv: object, env: object) -> None:
    if env is None:
        return      # inherits os.environ, which the session set
    values = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
              for k, v in dict(env).items()}
    if any(values.get(k) != v for k, v in ENVIRONMENT.items()) or any(k in values for k in UNSET):
        _refuse(f"starting {argv!r} with an environment that lets it reach the network "
                "(build it from os.environ)")


def _audit(event: str, args: tuple) -> None:
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        _check_destination(event, args[0], args[1])
    elif event in ("socket.getaddrinfo", "socket.gethostbyname"):
        _check_lookup(event, args[0], reverse=False)
    elif event == "socket.gethostbyaddr":
        _check_lookup(event, args[0], reverse=True)
    elif event == "socket.getnameinfo":
        _check_lookup(event, args[0][0], reverse=True)
    elif event == "subprocess.Popen":
        _check_environment(args[1], args[3])


_installed = False


def install() -> None:
    """Once per process: an audit hook cannot be removed."""
    global _installed
    if not _installed:
        sys.addaudithook(_audit)
        _installed = True


@contextlib.contextmanager
def expecting_refusals() -> Iterator[list[str]]:
    """For the guard's own tests: the attempts made inside, which then do
    not count against the test."""
    before = len(attempts)
    made: list[str] = []
    try:
        yield made
    finally:
        made.extend(attempts[before:])
        del attempts[before:]
