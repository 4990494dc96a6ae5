"""Packets as decisions, not bytes: can an IPv4 packet from one vnet reach an
address, which way does it go, and what do the firewalls on its way say?

A packet leaves by the route the longest-prefix match picks, crosses the
Ethernet segment of that interface (an epair's other end, the members of a
bridge, a lab wire) to whichever interface answers ARP for the next hop,
and either arrives or, in a vnet with net.inet.ip.forwarding=1, is routed
on. An interface passes frames only while it is up and running (if_epair.c
epair_transmit, if_bridge.c bridge_enqueue, ether_input).

Firewalls: every vnet's pfil hooks see the packet leave (ip_output) and
arrive (ip_input). A bridge also runs its own vnet's hooks on the member a
forwarded frame comes in by and on the member it leaves by
(net.link.bridge.pfil_member=1, the default; if_bridge.c bridge_pfil), so a
host firewall sees what its bridges carry between jails and the LAN.
Frames a member's own stack sends are not filtered again by the bridge."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import pfil
from .errno import EACCES, ECONNREFUSED, ENETDOWN, ENETUNREACH, OSErr
from .ifnet import Bridge, Ethernet, Ifnet
from .packet import Packet
from .pfil import Hook, Verdict
from .vnet import Vnet

if TYPE_CHECKING:
    from .kernel import Prison

IPv4 = ipaddress.IPv4Address
MAX_HOPS = 64


class Unreachable(Exception):
    """The packet cannot go out (``errno`` is what sendto(2) returns) or is
    lost on the way (``errno`` is 0: nothing is reported, nothing comes back),
    or was refused on the way (``refused``: a firewall answered for the
    destination with an RST or an ICMP unreachable)."""

    def __init__(self, errno: int = 0, refused: bool = False) -> None:
        super().__init__(errno)
        self.errno = errno
        self.refused = refused


@dataclass
class Path:
    packet: Packet                   # as it arrived (after any translation)
    destination: Vnet
    routers: int = 0                 # IP forwarding hops (each lowers the TTL)
    segments: int = 0                # Ethernet segments crossed
    latency: float = 0.0             # milliseconds of wire delay on the way
    trail: list[str] = field(default_factory=list)


def source_address(vnet: Vnet, destination: IPv4, cred: "Prison | None" = None) -> IPv4:
    """in_pcbladdr(): the first address of the outgoing interface (to a
    local address, that address). A jail restricted to its addresses
    (``cred``) takes one of its own on that interface, else its primary
    address (prison_get_ip4), or always the primary one with
    ip4.saddrsel off (prison_saddrsel_ip4)."""
    primary = cred.saddrsel_ip4() if cred is not None else None
    if primary is not None:
        return primary
    owner = vnet.owner_of(destination)
    if owner is not None:
        candidates = [destination] + [a.address for a in owner.inet]
    else:
        route = vnet.lookup(destination)
        if route is None or not route.ifnet.inet:
            raise Unreachable(ENETUNREACH)
        candidates = [a.address for a in route.ifnet.inet]
    if cred is None or not cred.ip4_restricted:
        return candidates[0]
    mine = next((a for a in candidates if cred.owns_ip4(a)), None)
    if mine is not None:
        return mine
    try:
        jail_address = cred.get_ip4()
    except OSErr as exc:
        raise Unreachable(exc.errno) from None
    assert jail_address is not None
    return jail_address


def send(vnet: Vnet, packet: Packet, now: float = 0.0) -> Path:
    """Follow ``packet`` from ``vnet``'s stack to the stack that takes it."""
    path = Path(packet, vnet)
    current = vnet
    for _ in range(MAX_HOPS):
        origin = path.routers == 0         # still in the sender's own stack
        loop = current.loopback
        if packet.dst in current.local_addresses() and loop is not None:
            _filter(Hook(current, "out", loop, now), packet, origin)
            packet.rcvif = loop.name
            _filter(Hook(current, "in", loop, now), packet, False)
            path.destination = current
            return path
        route = current.lookup(packet.dst)
        if route is None:
            raise Unreachable(ENETUNREACH if origin else 0)
        out = route.ifnet
        if not out.up:
            raise Unreachable(ENETDOWN if origin else 0)
        _filter(Hook(current, "out", out, now), packet, origin)
        next_hop = route.gateway or packet.dst
        frames = _l2_path(out, next_hop)
        if frames is None:
            raise Unreachable()      # nobody answers ARP: the packet is lost
        receiver, crossings = frames
        for bridge_vnet, ingress, egress in crossings:
            _filter(Hook(bridge_vnet, "in", ingress, now), packet, False)
            _filter(Hook(bridge_vnet, "out", egress, now), packet, False)
        path.segments += 1
        if isinstance(receiver, Ethernet) and receiver.segment is not None:
            path.latency += receiver.segment.latency
        path.trail.append(f"{out.name} -> {receiver.name}")
        arrived = receiver.vnet
        packet.rcvif = receiver.name
        _filter(Hook(arrived, "in", receiver, now), packet, False)
        if packet.dst in arrived.local_addresses():
            path.destination = arrived
            return path
        if not arrived.sysctl.get("net.inet.ip.forwarding"):
            raise Unreachable()      # not a router: ip_input drops it
        path.routers += 1
        current = arrived
    raise Unreachable()


def _filter(hook: Hook, packet: Packet, origin: bool) -> None:
    verdict = pfil.run(hook, packet)
    if verdict is Verdict.PASS:
        return
    if origin:
        # ip_output() returns EACCES when a hook drops a packet the stack sent
        raise Unreachable(EACCES)
    raise Unreachable(ECONNREFUSED if verdict is Verdict.REFUSE else 0,
                      refused=verdict is Verdict.REFUSE)


def _l2_path(out: Ifnet, address: IPv4) -> tuple[Ifnet, list[tuple[Vnet, Ifnet, Ifnet]]] | None:
    """The interface on ``out``'s segment that owns ``address``, and the
    bridge crossings on the way: (bridge's vnet, member in, member out)."""
    # Each search node is an interface that has just received a frame from
    # its wire, with the crossings made to get there.
    start: list[tuple[Ifnet, list]] = []
    sender = out if isinstance(out, Bridge) else out.bridge
    if sender is not None and sender.running:
        # the bridge's stack, or a member's, sends through the bridge
        # (bridge_output): no filtering there
        owner = _bridge_owner(sender, address, exclude=out)
        if owner is not None:
            return owner, []
        for member in sender.members:
            if member.ifnet is not out and _usable(member.ifnet):
                start += [(peer, []) for peer in _wire(member.ifnet)]
    start += [(peer, []) for peer in _wire(out)]
    seen: set[int] = {id(out)}
    queue = list(start)
    while queue:
        ifnet, crossings = queue.pop(0)
        if id(ifnet) in seen or not _usable(ifnet):
            continue
        seen.add(id(ifnet))
        if any(a.address == address for a in ifnet.inet):
            return ifnet, crossings
        bridge = ifnet.bridge
        if bridge is None or not bridge.running:
            continue
        owner = _bridge_owner(bridge, address, exclude=ifnet)
        if owner is not None:
            return owner, crossings
        for member in bridge.members:
            egress = member.ifnet
            if egress is ifnet or not _usable(egress):
                continue
            crossing = crossings + [(bridge.vnet, ifnet, egress)]
            queue += [(peer, crossing) for peer in _wire(egress)]
    return None


def _bridge_owner(bridge: Bridge, address: IPv4, exclude: Ifnet | None) -> Ifnet | None:
    """if_bridge hands frames for the bridge's own address, or a member's,
    to that interface's stack (bridge_input GRAB_OUR_PACKETS)."""
    if any(a.address == address for a in bridge.inet):
        return bridge
    for member in bridge.members:
        if member.ifnet is not exclude and any(a.address == address for a in member.ifnet.inet):
            return member.ifnet
    return None


def _wire(ifnet: Ifnet) -> list[Ifnet]:
    """Interfaces that hear what ``ifnet`` puts on its wire."""
    if isinstance(ifnet, Bridge):
        return []
    return [peer for peer in ifnet.neighbours() if _usable(peer)]


def _usable(ifnet: Ifnet) -> bool:
    return ifnet.up and ifnet.running
