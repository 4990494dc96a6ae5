"""libalias(3): the address translation engine behind ipfw's in-kernel nat
and natd(8), and the session table ipnat(8) keeps in the same way.

Outgoing packets get the alias address as their source and a link is
remembered; an incoming packet to the alias address is translated back
when a link (or a static redirect_port) matches it, and left alone
otherwise (it is then for the aliasing host itself)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from .packet import Packet

IPv4 = ipaddress.IPv4Address

FIRST_ALIAS_PORT = 0x1000   # ALIAS_PORT_BASE in alias_db.c


@dataclass
class Redirect:
    """redirect_port PROTO LOCAL_ADDR:LOCAL_PORT PUBLIC_PORT."""

    proto: str
    local: IPv4
    local_port: int
    public_port: int

    def render(self) -> str:
        return f"redirect_port {self.proto} {self.local}:{self.local_port} {self.public_port}"


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
    redirects: list[Redirect] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

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
        for link in self.links:
            if (link.proto, link.local, link.local_port, link.remote, link.remote_port) == (
                    packet.proto, packet.src, packet.sport, packet.dst, packet.dport):
                packet.src, packet.sport = link.alias, link.alias_port
                return
        for redirect in self.redirects:
            if (redirect.proto, redirect.local, redirect.local_port) == (packet.proto, packet.src, packet.sport):
                packet.src, packet.sport = alias, redirect.public_port
                return
        port = self._alias_port(packet, alias)
        self.links.append(Link(packet.proto, packet.src, packet.sport, packet.dst, packet.dport,
                               alias, port))
        packet.src, packet.sport = alias, port

    def incoming(self, packet: Packet, alias: IPv4) -> bool:
        """Translate an incoming packet back; False when it should be dropped
        (deny_incoming and nothing matched)."""
        if packet.dst != alias:
            return True
        for link in self.links:
            if (link.proto, link.alias, link.alias_port, link.remote, link.remote_port) == (
                    packet.proto, packet.dst, packet.dport, packet.src, packet.sport):
                packet.dst, packet.dport = link.local, link.local_port
                return True
        for redirect in self.redirects:
            if (redirect.proto, redirect.public_port) == (packet.proto, packet.dport):
                packet.dst, packet.dport = redirect.local, redirect.local_port
                return True
        return not self.deny_incoming

    def _alias_port(self, packet: Packet, alias: IPv4) -> int:
        taken = {(l.proto, l.alias_port) for l in self.links if l.alias == alias}
        if self.same_ports and (packet.proto, packet.sport) not in taken:
            return packet.sport
        port = FIRST_ALIAS_PORT
        while (packet.proto, port) in taken:
            port += 1
        return port

    def reset(self) -> None:
        self.links = []
