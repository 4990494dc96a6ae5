"""Sockets, as far as the howtos need them: listening sockets (what
sockstat(1) shows and what a connection finds), TCP connection set-up and
UDP request/answer exchanges, each decided by jailkit.sim.network.

A socket has the credential (the prison) of the process that made it. In a
jail without a vnet of its own the jail's address rules apply
(sys/netinet/in_pcb.c with in_jail.c): bind() turns a wildcard into the
jail's one address and refuses an address that is not the jail's or is on
no interface; a connection leaves from one of the jail's addresses, and
127.0.0.1 means the jail's first address; a connection finds a jailed
listener before the host's (in_pcblookup_hash_wild_locked).

Timing follows FreeBSD's defaults: a SYN that is never answered gives up
after net.inet.tcp.keepinit (75 s); a refused connection fails after one
round trip."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .errno import EADDRINUSE, EADDRNOTAVAIL, ECONNREFUSED, ETIMEDOUT, OSErr
from .network import Path, Unreachable, converse, follow, send, source_address
from .packet import Packet, ipv4_ends
from .vnet import Hook

if TYPE_CHECKING:
    from .kernel import Kernel, Prison
    from .vnet import Vnet

IPv4 = ipaddress.IPv4Address
IPv6 = ipaddress.IPv6Address
KEEPINIT = 75.0          # net.inet.tcp.keepinit, in seconds
MSL = 30.0               # net.inet.tcp.msl (30000 ms): TIME_WAIT lasts 2 * MSL
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
    cred: "Prison | None" = None  # the prison of its maker (None: a lab machine's)
    address6: IPv6 | None = None  # an inet6 socket's address (None: ::, shown as *)

    @property
    def jailed(self) -> bool:
        """prison_flag(inp_cred, PR_IP4): restricted to its jail's addresses."""
        return self.cred is not None and self.cred.ip4_restricted

    def local(self) -> str:
        if self.family == "unix":
            return self.path
        if self.family == "6":
            return f"{'*' if self.address6 is None else self.address6}:{self.port}"
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
            # the modelled services answer and close first: their side of
            # the connection is the one that goes to TIME_WAIT
            time_wait(self.server, self.peer[0], kernel.clock)
        return reply


def time_wait(vnet: "Vnet", peer: IPv4, now: float) -> None:
    """tcp_timewait.c tcp_twstart(): the side that closes first keeps the
    connection (its whole tcpcb and inpcb since FreeBSD 14 retired the
    compressed tcptw) until the 2MSL timer fires; none for a peer that is
    one of the stack's own addresses (net.inet.tcp.nolocaltimewait, on by
    default). Ended ones are forgotten here."""
    if vnet.owner_of(peer) is not None:
        return
    vnet.time_wait[:] = [end for end in vnet.time_wait if end > now] + [now + 2 * MSL]


class ConnectError(Exception):
    def __init__(self, errno: int) -> None:
        super().__init__(errno)
        self.errno = errno


def answer(listener: Listener, request: str, peer: tuple[IPv4, int]) -> str:
    handler = listener.handler
    return handler.exchange(request, peer) if isinstance(handler, Service) else ""


def listen(vnet: "Vnet", listener: Listener) -> Listener:
    """A socket listening as made, outside any jail's rules: the lab
    machines' services and sockets that are no jail's business (natd's
    divert socket, a VNET jail's resolver)."""
    vnet.listeners.append(listener)
    return listener


def bind(cred: "Prison", listener: Listener) -> Listener:
    """socket(2), bind(2) and listen(2) by a process of prison ``cred``, in
    its stack; raises OSErr as FreeBSD does: EAFNOSUPPORT for a family the
    jail has no address of (socreate's prison_check_af), EADDRNOTAVAIL for
    an address that is not the jail's or on no interface, EADDRINUSE for
    an address and port taken by a socket of the same IPv4 restrictions
    (in_pcbbind_setup, with SO_REUSEADDR as the daemons set it)."""
    cred.check_af(listener.family)
    vnet = cred.vnet
    if listener.family == "4":
        address = cred.local_ip4(listener.address)
        if address is not None and vnet.owner_of(address) is None:
            raise OSErr(EADDRNOTAVAIL)       # ifa_ifwithaddr_check
        if any(l.proto == listener.proto and l.family == "4" and l.port == listener.port
               and l.address == address and l.cred is not None and l.cred.equal_ip4(cred)
               for l in vnet.listeners):
            raise OSErr(EADDRINUSE)
        listener.address = address
    if listener.family == "6":
        listener.address6 = _bind6(cred, listener.address6)
    listener.cred = cred
    vnet.listeners.append(listener)
    return listener


def _bind6(cred: "Prison", address: IPv6 | None) -> IPv6 | None:
    """in6_pcbbind() of a v6only socket: the jail's rules first
    (prison_local_ip6), then a specific address must be on an interface
    (ifa_ifwithaddr) and ready: a tentative one, still under duplicate
    address detection, is EADDRNOTAVAIL (IN6_IFF_NOTREADY)."""
    address = cred.local_ip6(address)
    if address is None:
        return None
    found = cred.vnet.inet6_addr(address)
    if found is None or found.tentative:
        raise OSErr(EADDRNOTAVAIL)
    return address


def close_all(vnet: "Vnet", pid: int) -> None:
    vnet.listeners[:] = [l for l in vnet.listeners if l.pid != pid]


def find(vnet: "Vnet", proto: str, address: IPv4, port: int) -> Listener | None:
    """in_pcblookup_hash_wild_locked(): a jailed socket takes only its jail's
    addresses, and wins: jailed on the address, jailed on *, then
    not jailed on the address, not jailed on *."""
    local_exact = local_wild = jail_wild = None
    for listener in vnet.listeners:
        if listener.proto != proto or listener.port != port or listener.family != "4":
            continue
        if listener.address not in (None, address):
            continue
        if listener.jailed:
            assert listener.cred is not None
            if not listener.cred.owns_ip4(address):
                continue
            if listener.address == address:
                return listener
            jail_wild = jail_wild or listener
        elif listener.address == address:
            local_exact = local_exact or listener
        else:
            local_wild = local_wild or listener
    return jail_wild or local_exact or local_wild


def ephemeral_port(kernel: "Kernel") -> int:
    return kernel.rng.randint(*PORTRANGE)


def connect(kernel: "Kernel", vnet: "Vnet", address: IPv4, port: int,
            cred: "Prison | None" = None, sport: int | None = None) -> Connection:
    """A TCP connection from ``vnet`` to address:port by a process of
    prison ``cred`` (None: not jailed), from port ``sport`` when the socket
    was bound to one (else an ephemeral one); raises ConnectError with what
    connect(2) reports, after the time it takes."""
    address, src = _endpoints(vnet, address, cred)
    sport = ephemeral_port(kernel) if sport is None else sport
    syn = Packet("tcp", src, address, sport, port, syn=True, size=60)
    original = syn.tuple()
    try:
        there = send(vnet, syn, kernel.clock)
    except Unreachable as exc:
        if exc.errno and not exc.refused:
            raise ConnectError(exc.errno) from None
        return _fail(kernel, ECONNREFUSED if exc.refused else ETIMEDOUT)
    arrived_from, arrived_at = ipv4_ends(there.packet)
    listener = find(there.destination, "tcp", arrived_at, there.packet.dport)
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
    return Connection(listener, there.destination, (arrived_from, there.packet.sport), rtt,
                      (there, back, ack, kernel))


def datagram(kernel: "Kernel", vnet: "Vnet", address: IPv4, port: int, request: str,
             timeout: float, cred: "Prison | None" = None, sport: int | None = None) -> str:
    """Send one UDP datagram (from port ``sport`` when the socket was bound
    to one) and wait up to ``timeout`` seconds for the answer; raises
    ConnectError (ECONNREFUSED when an ICMP port unreachable came back,
    ETIMEDOUT when nothing did)."""
    address, src = _endpoints(vnet, address, cred)
    sport = ephemeral_port(kernel) if sport is None else sport
    query = Packet("udp", src, address, sport, port, size=60)
    original = query.tuple()
    try:
        there = send(vnet, query, kernel.clock)
    except Unreachable as exc:
        if exc.errno and not exc.refused:
            raise ConnectError(exc.errno) from None
        kernel.advance(timeout)
        raise ConnectError(ETIMEDOUT) from None
    arrived_from, arrived_at = ipv4_ends(there.packet)
    listener = find(there.destination, "udp", arrived_at, there.packet.dport)
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
    return listener.handler.exchange(request, (arrived_from, there.packet.sport))


def _endpoints(vnet: "Vnet", address: IPv4, cred: "Prison | None") -> tuple[IPv4, IPv4]:
    """The destination (prison_remote_ip4) and the source address
    (in_pcbladdr) of a connection; a jail without IPv4 has no socket
    for it (EAFNOSUPPORT)."""
    try:
        if cred is not None:
            cred.check_af("4")
            address = cred.remote_ip4(address)
        return address, source_address(vnet, address, cred)
    except OSErr as exc:
        raise ConnectError(exc.errno) from None
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
