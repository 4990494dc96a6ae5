"""Packets as decisions, not bytes: can an IPv4 packet from one vnet reach an
address, and which way does it go?

A packet leaves by the route the longest-prefix match picks, crosses the
Ethernet segment of that interface (an epair's other end, the members of a
bridge, a lab wire) to whichever interface answers ARP for the next hop, and
either arrives or, in a vnet with net.inet.ip.forwarding=1, is routed on.
An interface passes frames only while it is up and running (if_epair.c
epair_transmit, if_bridge.c bridge_enqueue, ether_input)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from .errno import ENETDOWN, ENETUNREACH
from .ifnet import Bridge, Ifnet
from .vnet import Vnet

IPv4 = ipaddress.IPv4Address
MAX_HOPS = 64


class Unreachable(Exception):
    """The packet cannot go out (``errno`` is what sendto(2) returns) or is
    lost on the way (``errno`` is 0: nothing is reported, nothing comes back)."""

    def __init__(self, errno: int = 0) -> None:
        super().__init__(errno)
        self.errno = errno


@dataclass
class Path:
    source: IPv4
    destination: Vnet
    routers: int = 0                 # IP forwarding hops (each lowers the TTL)
    segments: int = 0                # Ethernet segments crossed
    trail: list[str] = field(default_factory=list)


def segment(start: Ifnet) -> list[Ifnet]:
    """Every interface that hears a frame ``start`` sends."""
    seen = [start]
    queue = [start]
    while queue:
        current = queue.pop(0)
        reached: list[Ifnet] = list(current.neighbours())
        if current.bridge is not None and current.bridge.running:
            reached.append(current.bridge)
            reached.extend(m.ifnet for m in current.bridge.members)
        for ifnet in reached:
            if ifnet in seen or not (ifnet.up and ifnet.running):
                continue
            if isinstance(ifnet, Bridge) and not ifnet.running:
                continue
            seen.append(ifnet)
            queue.append(ifnet)
    return seen


def source_address(vnet: Vnet, destination: IPv4) -> IPv4:
    """in_pcbladdr(): the first address of the outgoing interface."""
    if destination in vnet.local_addresses():
        return destination
    route = vnet.lookup(destination)
    if route is None:
        raise Unreachable(ENETUNREACH)
    if not route.ifnet.inet:
        raise Unreachable(ENETUNREACH)
    return route.ifnet.inet[0].address


def send(vnet: Vnet, destination: IPv4, source: IPv4 | None = None) -> Path:
    """Follow a packet from ``vnet`` to ``destination``."""
    path = Path(source or source_address(vnet, destination), vnet)
    current = vnet
    for _ in range(MAX_HOPS):
        if destination in current.local_addresses():
            path.destination = current
            return path
        route = current.lookup(destination)
        if route is None:
            if current is vnet:
                raise Unreachable(ENETUNREACH)
            raise Unreachable()      # a router without a route drops it
        out = route.ifnet
        if not out.up:
            if current is vnet:
                raise Unreachable(ENETDOWN)
            raise Unreachable()
        next_hop = route.gateway or destination
        receiver = _arp(out, next_hop)
        if receiver is None:
            raise Unreachable()      # nobody answers ARP: the packet is lost
        path.segments += 1
        path.trail.append(f"{out.name} -> {receiver.name}")
        arrived = receiver.vnet
        if destination in arrived.local_addresses():
            path.destination = arrived
            return path
        if not arrived.sysctl.get("net.inet.ip.forwarding"):
            raise Unreachable()      # not a router: ip_input drops it
        path.routers += 1
        current = arrived
    raise Unreachable()


def _arp(out: Ifnet, address: IPv4) -> Ifnet | None:
    """The interface on ``out``'s segment that owns ``address``."""
    for ifnet in segment(out):
        if ifnet is out:
            continue
        if any(a.address == address for a in ifnet.inet):
            return ifnet
        # if_bridge hands ARP to the bridge's stack, which answers for the
        # addresses of every member in that vnet.
        if isinstance(ifnet, Bridge):
            for member in ifnet.members:
                if member.ifnet is not out and any(a.address == address for a in member.ifnet.inet):
                    return member.ifnet
    return None
