"""Sockets, as far as the howtos need them: listening sockets (what
sockstat(1) shows and what a connection finds), TCP connection set-up and
UDP request/answer exchanges, each decided by jailkit.sim.network.

Timing follows FreeBSD's defaults: a SYN that is never answered gives up
after net.inet.tcp.keepinit (75 s); a refused connection fails after one
round trip."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .errno import ECONNREFUSED, ETIMEDOUT
from .network import Path, Unreachable, converse, follow, send, source_address
from .packet import Packet
from .vnet import Hook

if TYPE_CHECKING:
    from .kernel import Kernel
    from .vnet import Vnet

IPv4 = ipaddress.IPv4Address
KEEPINIT = 75.0          # net.inet.tcp.keepinit, in seconds
PORTRANGE = (10000, 65535)   # net.inet.ip.portrange.first/last


@runtime_checkable
class Service(Protocol):
    """What answers on a listening socket."""

    def exchange(self, request: str, peer: tuple[IPv4, int]) -> str:
        ...


class Divert(Protocol):
    """What reads a divert(4) socket (natd): it takes the packet ipfw
    diverted and says whether it goes on (see ipfw.divert)."""

    def divert(self, hook: Hook, packet: Packet) -> bool:
        ...


@dataclass(eq=False)
class Listener:
    proto: str                   # tcp, udp, divert
    family: str                  # "4" or "6" (sockstat's tcp4 / tcp6)
    address: IPv4 | None         # None: every address (*)
    port: int
    pid: int
    fd: int
    user: str
    command: str
    handler: Service | Divert | None = None   # None: nothing ever answers
    path: str = ""               # a unix socket's file (family "unix")

    def local(self) -> str:
        if self.family == "unix":
            return self.path
        return f"{'*' if self.address is None else self.address}:{self.port}"


@dataclass
class Connection:
    listener: Listener
    server: "Vnet"
    peer: tuple[IPv4, int]       # the client as the server sees it (after NAT)
    rtt: float                   # milliseconds
    # the handshake's ways and the client's last segment, for the segments
    # that follow (jailkit.sim.network.converse: what bpf readers see)
    ways: tuple[Path, Path, Packet, "Kernel"] | None = None

    def exchange(self, request: str) -> str:
        """The service's answer; a socket nothing serves closes silently. The
        segments carrying it cross the handshake's ways (what bpf readers see)."""
        reply = answer(self.listener, request, self.peer)
        if self.ways is not None:
            there, back, ack, kernel = self.ways
            converse(there, back, ack, request, reply, kernel.clock)
        return reply


class ConnectError(Exception):
    def __init__(self, errno: int) -> None:
        super().__init__(errno)
        self.errno = errno


def answer(listener: Listener, request: str, peer: tuple[IPv4, int]) -> str:
    handler = listener.handler
    return handler.exchange(request, peer) if isinstance(handler, Service) else ""


def listen(vnet: "Vnet", listener: Listener) -> Listener:
    vnet.listeners.append(listener)
    return listener


def close_all(vnet: "Vnet", pid: int) -> None:
    vnet.listeners[:] = [l for l in vnet.listeners if l.pid != pid]


def find(vnet: "Vnet", proto: str, address: IPv4, port: int) -> Listener | None:
    """in_pcblookup(): a socket bound to the address beats one bound to *."""
    candidates = [l for l in vnet.listeners if l.proto == proto and l.port == port and l.family == "4"]
    exact = [l for l in candidates if l.address == address]
    return (exact or [l for l in candidates if l.address is None] or [None])[0]


def ephemeral_port(kernel: "Kernel") -> int:
    return kernel.rng.randint(*PORTRANGE)


def connect(kernel: "Kernel", vnet: "Vnet", address: IPv4, port: int) -> Connection:
    """A TCP connection from ``vnet`` to address:port; raises ConnectError
    with what connect(2) reports, after the time it takes."""
    src = _source(vnet, address)
    syn = Packet("tcp", src, address, ephemeral_port(kernel), port, syn=True, size=60)
    original = syn.tuple()
    try:
        there = send(vnet, syn, kernel.clock)
    except Unreachable as exc:
        if exc.errno and not exc.refused:
            raise ConnectError(exc.errno) from None
        return _fail(kernel, ECONNREFUSED if exc.refused else ETIMEDOUT)
    listener = find(there.destination, "tcp", there.packet.dst, there.packet.dport)
    answer = there.packet.answer(size=60, rst=listener is None)
    back = _back(kernel, there, answer, original)
    if back is None:
        return _fail(kernel, ETIMEDOUT)
    rtt = _rtt(kernel, there, back)
    kernel.advance(rtt / 1000)
    if listener is None:
        raise ConnectError(ECONNREFUSED)
    ack = back.packet.answer()          # the handshake's last segment
    follow(there, ack, kernel.clock)
    return Connection(listener, there.destination, (there.packet.src, there.packet.sport), rtt,
                      (there, back, ack, kernel))


def datagram(kernel: "Kernel", vnet: "Vnet", address: IPv4, port: int, request: str,
             timeout: float) -> str:
    """Send one UDP datagram and wait up to ``timeout`` seconds for the
    answer; raises ConnectError (ECONNREFUSED when an ICMP port unreachable
    came back, ETIMEDOUT when nothing did)."""
    src = _source(vnet, address)
    query = Packet("udp", src, address, ephemeral_port(kernel), port, size=60)
    original = query.tuple()
    try:
        there = send(vnet, query, kernel.clock)
    except Unreachable as exc:
        if exc.errno and not exc.refused:
            raise ConnectError(exc.errno) from None
        kernel.advance(timeout)
        raise ConnectError(ETIMEDOUT) from None
    listener = find(there.destination, "udp", there.packet.dst, there.packet.dport)
    reply = there.packet.answer(size=120)
    back = _back(kernel, there, reply, original)
    if back is None:
        kernel.advance(timeout)
        raise ConnectError(ETIMEDOUT)
    kernel.advance(_rtt(kernel, there, back) / 1000)
    if listener is None:
        raise ConnectError(ECONNREFUSED)
    if not isinstance(listener.handler, Service):
        kernel.advance(timeout)        # bound, but nobody answers (syslogd's 514)
        raise ConnectError(ETIMEDOUT)
    return listener.handler.exchange(request, (there.packet.src, there.packet.sport))


def _source(vnet: "Vnet", address: IPv4) -> IPv4:
    try:
        return source_address(vnet, address)
    except Unreachable as exc:
        raise ConnectError(exc.errno) from None


def _back(kernel: "Kernel", there: Path, answer: Packet, original: tuple) -> Path | None:
    """The answer's way home; None when it is lost or does not come back to
    the socket that asked (a translation that was not undone)."""
    try:
        back = send(there.destination, answer, kernel.clock)
    except Unreachable:
        return None
    proto, src, sport, dst, dport = original
    if back.packet.tuple() != (proto, dst, dport, src, sport):
        return None
    return back


def _fail(kernel: "Kernel", errno: int) -> Connection:
    kernel.advance(KEEPINIT if errno == ETIMEDOUT else 0.001)
    raise ConnectError(errno)


def _rtt(kernel: "Kernel", there: Path, back: Path) -> float:
    """Round trip in milliseconds: a little per segment and per router."""
    rtt = 0.020 + 0.045 * (there.segments + back.segments) + 0.030 * (there.routers + back.routers)
    return rtt + there.latency + back.latency + kernel.rng.uniform(0.0, 0.025)
