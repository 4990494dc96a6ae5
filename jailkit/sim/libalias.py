"""libalias(3): the address translation engine behind ipfw's in-kernel nat
and natd(8), and the session table ipnat(8) keeps in the same way.

Outgoing packets get the alias address as their source and a link is
remembered; an incoming packet to the alias address is translated back
when a link (or a static redirect_port) matches it, and left alone
otherwise (it is then for the aliasing host itself).

A new link keeps its source port when same_ports is on (LibAliasInit() turns
it on; ipfw nat config replaces the whole mode, so there it is on only when
asked) and that port is free towards the same destination; otherwise the
port is drawn from the alias port range, 32768-65535 unless set
(alias_db.c GetNewPort(), _RandomPort()). The kernel draws with
arc4random(); the sim draws from a hash of the link, so a run repeats."""

from __future__ import annotations

import ipaddress
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from .packet import Packet, ipv4_ends

IPv4 = ipaddress.IPv4Address

ALIAS_PORT_LOWER, ALIAS_PORT_LENGTH = 0x8000, 0x8000   # LibAliasSetAliasPortRange() defaults
NEW_PORT_ATTEMPTS = 20                                 # GET_NEW_PORT_MAX_ATTEMPTS
# PKT_ALIAS_UNREGISTERED_ONLY: the private networks whose packets are aliased
UNREGISTERED = [ipaddress.IPv4Network(n) for n in
                ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


@dataclass
class Redirect:
    """redirect_port PROTO LOCAL_ADDR:LOCAL_PORT [PUBLIC_ADDR:]PUBLIC_PORT
    [REMOTE_ADDR[:REMOTE_PORT]]: one port of it (LibAliasRedirectPort())."""

    proto: str
    local: IPv4
    local_port: int
    public_port: int
    public: IPv4 | None = None        # None: the alias address
    remote: IPv4 | None = None        # None: any remote host
    remote_port: int = 0              # 0: any remote port

    def render(self) -> str:
        public = f"{self.public}:{self.public_port}" if self.public else str(self.public_port)
        words = ["redirect_port", self.proto, f"{self.local}:{self.local_port}", public]
        if self.remote is not None:
            words.append(f"{self.remote}:{self.remote_port}" if self.remote_port else str(self.remote))
        return " ".join(words)

    def takes(self, packet: Packet, alias: IPv4) -> bool:
        """An incoming packet this redirect translates."""
        return (self.proto == packet.proto and packet.dst == (self.public or alias)
                and packet.dport == self.public_port
                and (self.remote is None or packet.src == self.remote)
                and (not self.remote_port or packet.sport == self.remote_port))

    def answers(self, packet: Packet) -> bool:
        """An outgoing packet from the redirect's local end."""
        return ((self.proto, self.local, self.local_port) == (packet.proto, packet.src, packet.sport)
                and (self.remote is None or packet.dst == self.remote)
                and (not self.remote_port or packet.dport == self.remote_port))


@dataclass
class Link:
    proto: str
    local: IPv4
    local_port: int
    remote: IPv4
    remote_port: int
    alias: IPv4
    alias_port: int


@dataclass
class Alias:
    same_ports: bool = True
    deny_incoming: bool = False
    unregistered_only: bool = False
    redirects: list[Redirect] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    # PKT_ALIAS_LOG: told the link counts after each new link (ShowAliasStats())
    log: Callable[[str], None] | None = None

    def translate(self, direction: str, packet: Packet, alias: IPv4 | None) -> bool:
        """Alias an outgoing packet or de-alias an incoming one; False when
        the packet must be dropped (no alias address, or deny_incoming)."""
        if alias is None:
            return False
        if direction == "out":
            self.outgoing(packet, alias)
            return True
        return self.incoming(packet, alias)

    def outgoing(self, packet: Packet, alias: IPv4) -> None:
        if packet.src == alias:
            return
        if self.unregistered_only and not any(packet.src in net for net in UNREGISTERED):
            return
        for link in self.links:
            if (link.proto, link.local, link.local_port, link.remote, link.remote_port) == (
                    packet.proto, packet.src, packet.sport, packet.dst, packet.dport):
                packet.src, packet.sport = link.alias, link.alias_port
                return
        for redirect in self.redirects:
            if redirect.answers(packet):
                packet.src, packet.sport = redirect.public or alias, redirect.public_port
                return
        port = self._alias_port(packet, alias)
        if port is None:
            return                  # no free port: the packet goes out unaliased
        src, dst = ipv4_ends(packet)
        self.links.append(Link(packet.proto, src, packet.sport, dst, packet.dport, alias, port))
        packet.src, packet.sport = alias, port
        if self.log is not None:
            self.log(self.stats())

    def incoming(self, packet: Packet, alias: IPv4) -> bool:
        """Translate an incoming packet back; False when it should be dropped
        (deny_incoming and nothing matched)."""
        for link in self.links:
            if (link.proto, link.alias, link.alias_port, link.remote, link.remote_port) == (
                    packet.proto, packet.dst, packet.dport, packet.src, packet.sport):
                packet.dst, packet.dport = link.local, link.local_port
                return True
        for redirect in self.redirects:
            if redirect.takes(packet, alias):
                packet.dst, packet.dport = redirect.local, redirect.local_port
                return True
        if self.deny_incoming:
            return packet.dst != alias
        self._incoming_link(packet)
        return True

    def _incoming_link(self, packet: Packet) -> None:
        """An incoming packet no link knows makes one, unless incoming
        connections are denied (alias_db.c FindUdpTcpIn(), FindIcmpIn() with
        create set, as TcpAliasIn(), UdpAliasIn() and IcmpAliasIn1() call
        them): its destination stands for itself (FindOriginalAddress()
        with no target address set), so the answers it gets leave through
        this link unchanged. That is what lets a nat that sees both
        directions of a forwarded connection (ipfw's "nat N all from any to
        any") hand a host on the far side its answers as they were sent."""
        if any((l.proto, l.local, l.local_port, l.remote, l.remote_port) ==
               (packet.proto, packet.dst, packet.dport, packet.src, packet.sport) for l in self.links):
            return
        src, dst = ipv4_ends(packet)
        self.links.append(Link(packet.proto, dst, packet.dport, src, packet.sport, dst, packet.dport))

    def _alias_port(self, packet: Packet, alias: IPv4) -> int | None:
        """GetNewPort(): the source port itself first with same_ports, then
        drawn ports; a port is taken only by a link of the same protocol
        from that alias port to the same destination address and port."""
        def taken(port: int) -> bool:
            return any((l.proto, l.alias, l.alias_port, l.remote, l.remote_port) ==
                       (packet.proto, alias, port, packet.dst, packet.dport) for l in self.links)

        first = packet.sport if self.same_ports else self._draw(packet, 0)
        for attempt in range(NEW_PORT_ATTEMPTS):
            port = first if attempt == 0 else self._draw(packet, attempt)
            if not taken(port):
                return port
        return None

    def _draw(self, packet: Packet, attempt: int) -> int:
        seed = f"{packet.tuple()}{len(self.links)}/{attempt}".encode()
        return ALIAS_PORT_LOWER + zlib.crc32(seed) % ALIAS_PORT_LENGTH

    def stats(self) -> str:
        """ShowAliasStats()'s line, as natd writes it to /var/log/alias.log
        (no SCTP, PPTP, other-protocol or fragment links in the sim, and no
        sockets: use_sockets binds one only for a partly known link)."""
        counts = {proto: sum(1 for l in self.links if l.proto == proto)
                  for proto in ("icmp", "udp", "tcp")}
        total = sum(counts.values())
        return (f"icmp={counts['icmp']}, udp={counts['udp']}, tcp={counts['tcp']}, sctp=0, pptp=0, "
                f"proto=0, frag_id=0 frag_ptr=0 / tot={total} (sock=0)")

    def reset(self) -> None:
        self.links = []
