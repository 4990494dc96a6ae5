"""Packets as decisions, not bytes: can an IP packet from one vnet reach an
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
Frames a member's own stack sends are not filtered again by the bridge.

bpf(4) taps: every interface a packet crosses hands it to its readers
(jailkit.sim.bpf): the interface it leaves by after the outbound hooks
(the driver's transmit routine), lo(4) once for what it loops back
(if_simloop()), a bridge member on the way in and on the way out, the bridge
itself for what it forwards (bridge_forward()) or sends (bridge_transmit()),
and the interface it arrives on before the inbound hooks (ether_input()),
so a capture shows a packet as it was on that wire, before or after NAT.
A lagg(4) sends by the port its protocol picks (lagg.py) and takes in
only what its protocol accepts from a port (failover: the active port's).
The later segments of a TCP connection follow the interfaces its first
packet crossed (follow(), converse()): the firewalls decided on the
connection with that packet, and its states translate the rest alike.

Bridges learn (if_bridge.c bridge_rtupdate): a next hop a stack has not
in its ARP cache is asked for by a broadcast that every bridge it reaches
floods, learning the asker on the member it came in by, and the answer
teaches them the owner. The packet then crosses each bridge by the member
its address cache names (bridge_rtlookup), or, for an address the bridge
has not learnt (-learn, a full cache, an entry deleted or aged out), is
flooded to its DISCOVER members, whose taps see the copies. So a packet
between a jail and its gateway costs the same on a bridge of two members
or of 255 once the ARP caches hold both ends.

IPv6 (send() of a packet to an IPv6 address) reaches a neighbour on one of
the sender's links only, as ip6_output() does by the interface route of an
address's prefix, or by the zone (the %interface) of a link-local
destination; the sim's routing tables hold no other IPv6 route, so any
other destination has none (EHOSTUNREACH), and a stack does not forward
IPv6 (ip6_forward() is not modelled: what is not its own is lost there).
The neighbour is found by neighbour discovery (jailkit.sim.nd6): the
solicitation is a multicast frame that bridges flood as they do an ARP
broadcast, and the stack that holds the address answers. The solicitation
and advertisement themselves do not meet the firewalls' hooks here (they
are ICMPv6 to pfil, but the sim does not model them as packets), so a
rule that blocks them does not keep a neighbour from being found. The
echo that follows crosses the same taps and hooks as an IPv4 packet, on
the inet6 head."""

from __future__ import annotations

import ipaddress
import zlib
from collections import deque
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary, WeakSet, ref

from . import bpf, bstp, nd6, netgraph, pfil
from .errno import (EACCES, EADDRNOTAVAIL, ECONNREFUSED, EHOSTUNREACH, ENETDOWN, ENETUNREACH,
                    OSErr)
from .ifnet import (IFBIF_DISCOVER, Bridge, BridgeMember, Epair, Ethernet, Ifnet, Loopback,
                    interfaces_with)
from .ifpseudo import Gif
from .lagg import Lagg, any_ports, lagg_input
from .packet import IPAddress, IPv6, Packet, segment
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
    # every bpf tap on the way, with the packet as it was there
    taps: list[tuple[Ifnet, Packet]] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """A point of a frame's way on the link layer: a bpf tap on ``ifnet``
    (``hook`` empty), or a bridge's pfil hook run in ``vnet`` on member
    ``ifnet`` in direction ``hook``."""

    ifnet: Ifnet
    hook: str = ""
    vnet: Vnet | None = None


@dataclass(frozen=True)
class Branch:
    """A copy of the frame that a bridge floods to a member that does not
    lead to its destination (bridge_broadcast(), for a unicast address it
    has not learnt): that member's outbound hook, its tap, and the taps of
    the interfaces on its wire. A hook that drops the copy ends the branch,
    not the frame."""

    steps: tuple[Step, ...]


Way = list["Step | Branch"]


# ip_fillid(): the IP id counter of each stack (V_ip_id)
_ip_ids: "WeakKeyDictionary[Vnet, int]" = WeakKeyDictionary()

# The ARP cache of each interface (its lltable, if_ether.c): a next hop's
# address -> the interface that answered for it and when the entry expires
# (net.link.ether.inet.max_age, 1200 s). The sim sends no gratuitous ARP of
# its own, so an entry stands only while that interface still holds the
# address and the frame still reaches it; else the stack asks again, as it
# would once the owner announced the change (arp_ifinit()). The answering
# interface is held weakly: it leads back through its vnet and kernel to
# the key, and a strong hold would keep every machine that ever sent an
# ARP alive.
_arp: "WeakKeyDictionary[Ifnet, dict[IPv4, tuple[ref[Ifnet], float]]]" = WeakKeyDictionary()
ARP_MAX_AGE = 1200


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


def source_address6(vnet: Vnet, destination: IPv6, zone: str = "",
                    cred: "Prison | None" = None) -> IPv6:
    """in6_selectsrc(): one of the stack's own addresses itself; for a
    neighbour an address of the outgoing interface (nd6.select_source()),
    one of the jail's own when it is restricted to its addresses
    (prison_check_ip6()); EHOSTUNREACH with no way there, EADDRNOTAVAIL
    with no address to send from."""
    allowed = cred.ip6 if cred is not None and cred.ip6_restricted else None
    if _local6(vnet, destination, vnet.ifunit(zone)) and (allowed is None or destination in allowed):
        return destination
    out = _onlink6(vnet, destination, zone)
    source = nd6.select_source(out, destination, allowed)
    if source is None:
        raise Unreachable(EADDRNOTAVAIL)
    return source


def send(vnet: Vnet, packet: Packet, now: float = 0.0, zone: str = "") -> Path:
    """Follow ``packet`` from ``vnet``'s stack to the stack that takes it
    (``zone``: the interface of a link-local IPv6 destination)."""
    if isinstance(packet.dst, IPv6):
        return _send6(vnet, packet, packet.dst, now, zone)
    path = Path(packet, vnet)
    packet.ip_id = _ip_id(vnet, packet)
    current = vnet
    for _ in range(MAX_HOPS):
        origin = path.routers == 0         # still in the sender's own stack
        loop = _loopback_for(current, packet.dst)
        if packet.dst in current.local_addresses() and loop is not None:
            _filter(Hook(current, "out", loop, now), packet, origin)
            _tap(path, loop, packet, now)      # if_simloop()
            packet.rcvif = loop.name
            _filter(Hook(current, "in", loop, now), packet, False)
            if packet.dst in current.local_addresses():
                return _ours(path, current, packet, now)
            # a hook redirected it elsewhere: ip_input() forwards it (dchg)
            _forwarding(path, current, packet)
            continue
        route = current.lookup(packet.dst)
        if route is None:
            raise Unreachable(ENETUNREACH if origin else 0)
        out = route.ifnet
        if not out.up:
            raise Unreachable(ENETDOWN if origin else 0)
        receiver = _link(path, current, out, route.gateway or packet.dst, packet, now, origin)
        arrived = receiver.vnet
        if packet.dst in arrived.local_addresses():
            return _ours(path, arrived, packet, now)
        _forwarding(path, arrived, packet)
        current = arrived
    raise Unreachable()


def _link(path: Path, vnet: Vnet, out: Ifnet, next_hop: IPv4 | IPv6, packet: Packet, now: float,
          origin: bool) -> Ifnet:
    """The packet's way from ``vnet`` out of ``out`` to the next hop's
    stack: the hooks as it leaves (ip_output()/ip6_output()), the next
    hop's frame (ARP or neighbour discovery: nobody answers, the packet is
    lost), the link, and the hooks as it arrives (ip_input()/ip6_input()).
    The interface it arrived on."""
    _filter(Hook(vnet, "out", out, now), packet, origin)
    frames = _l2_path(out, next_hop, now)
    if frames is None:
        raise Unreachable()
    receiver, steps = frames
    _cross(path, out, receiver, steps, packet, now)
    packet.rcvif = receiver.name
    _filter(Hook(receiver.vnet, "in", receiver, now), packet, False)
    return receiver


def _cross(path: Path, out: Ifnet, receiver: Ifnet, steps: Way, packet: Packet, now: float) -> None:
    """The frame's way on the link from ``out`` to ``receiver``: the
    taps and the bridges' hooks on it."""
    _tap(path, out, packet, now)           # the driver's transmit routine
    for step in steps:
        if isinstance(step, Branch):
            _flooded(path, step, packet, now)
        elif step.vnet is None:
            _tap(path, step.ifnet, packet, now)
        else:
            _filter(Hook(step.vnet, step.hook, step.ifnet, now), packet, False)
    path.segments += 1
    if isinstance(receiver, Ethernet) and receiver.segment is not None:
        path.latency += receiver.segment.latency
    path.trail.append(f"{out.name} -> {receiver.name}")


def _send6(vnet: Vnet, packet: Packet, dst: IPv6, now: float, zone: str) -> Path:
    """ip6_output() to one of the stack's own addresses (through lo0, as
    for IPv4) or to a neighbour on one of ``vnet``'s links, then
    ip6_input() there; a hook that drops the packet as it leaves makes
    sendmsg(2) fail with EACCES, as for IPv4."""
    path = Path(packet, vnet)
    loop = vnet.loopback
    if loop is not None and _local6(vnet, dst, vnet.ifunit(zone)):
        _filter(Hook(vnet, "out", loop, now), packet, True)
        _tap(path, loop, packet, now)      # if_simloop(): lo0's bpf sees it
        # nd6_output_ifp() hands looutput() the address's own interface
        # (nh_aifp), which if_simloop() makes the packet's rcvif: ip6_input()'s
        # hooks see that interface, not lo0 ("even in case of IPv6, where
        # ifp!=lo0", net/if_loop.c)
        owner = _owner6(vnet, dst, vnet.ifunit(zone)) or loop
        packet.rcvif = owner.name
        _filter(Hook(vnet, "in", owner, now), packet, False)
        return _ours(path, vnet, packet, now)
    out = _onlink6(vnet, dst, zone)
    if not out.up:
        raise Unreachable(ENETDOWN)
    receiver = _link(path, vnet, out, dst, packet, now, True)
    if not _local6(receiver.vnet, dst, receiver):
        raise Unreachable()      # not for this stack, and ip6_forward() is not modelled
    return _ours(path, receiver.vnet, packet, now)


def _onlink6(vnet: Vnet, dst: IPv6, zone: str) -> Ifnet:
    """in6_selectroute() with only interface routes: a link-local
    destination goes out by its zone's interface (none given: no route,
    as sa6_embedscope() leaves the scope unset), any other by the
    interface with an address whose prefix holds it (nd6_prefix_onlink()
    made that route). Else EHOSTUNREACH."""
    if dst.is_link_local:
        ifnet = vnet.ifunit(zone) if zone else None
    else:
        ifnet = next((i for i in vnet.ifnets if not isinstance(i, Loopback)
                      and any(not a.address.is_link_local and _prefix_holds(a.address, a.prefixlen, dst)
                              for a in i.inet6)), None)
    if ifnet is None:
        raise Unreachable(EHOSTUNREACH)
    return ifnet


def _prefix_holds(address: IPv6, prefixlen: int, dst: IPv6) -> bool:
    return (int(address) ^ int(dst)) >> (128 - prefixlen) == 0


def _owner6(vnet: Vnet, dst: IPv6, scope: Ifnet | None) -> Ifnet | None:
    """The interface that holds the stack's own address ``dst`` (a
    link-local one on its zone's)."""
    if dst.is_link_local:
        return scope if scope is not None and nd6.owns(scope, dst) else None
    return next((ifnet for ifnet in vnet.ifnets if nd6.owns(ifnet, dst)), None)


def _local6(vnet: Vnet, dst: IPv6, scope: Ifnet | None) -> bool:
    """One of the stack's addresses that is not tentative; a link-local
    one on ``scope``, its zone's interface (ip6_input(): the one it came
    in by). in6_ifaddloop() routes them all through lo0."""
    return _owner6(vnet, dst, scope) is not None


def _ours(path: Path, vnet: Vnet, packet: Packet, now: float) -> Path:
    """ip_input()'s "ours:": the inet-local head's hooks (ip6_input()'s:
    inet6-local's), then the stack."""
    loop = vnet.loopback
    if loop is not None:
        verdict = pfil.run_local(Hook(vnet, "out", loop, now), packet)
        if verdict is not Verdict.PASS:
            raise Unreachable(ECONNREFUSED if verdict is Verdict.REFUSE else 0,
                              refused=verdict is Verdict.REFUSE)
    path.destination = vnet
    return path


def _forwarding(path: Path, vnet: Vnet, packet: Packet) -> None:
    """ip_input() hands a packet that is not for this stack to ip_forward(),
    or drops it when the stack is not a router."""
    if not vnet.sysctl.get("net.inet.ip.forwarding"):
        raise Unreachable()
    path.routers += 1
    packet.ttl -= 1


def follow(path: Path, later: Packet, now: float) -> None:
    """A later segment of the connection whose packet took ``path`` crosses
    the same taps, with that packet's addresses and ports as each tap saw
    them (its NAT states translate the segment alike)."""
    for ifnet, seen in path.taps:
        bpf.tap(ifnet, replace(later, src=seen.src, dst=seen.dst, sport=seen.sport,
                               dport=seen.dport, ttl=seen.ttl, rcvif=seen.rcvif), now)


def converse(there: Path, back: Path, ack: Packet, request: str, answer: str,
             now: float) -> None:
    """The segments of one request and its answer on an established
    connection whose client sent ``ack`` last (``there`` is the client's way
    to the server, ``back`` the server's way back): the request, the
    answer, and the close the server starts (a service that answers and
    closes, as inetd's and HTTP/1.0 ones do)."""
    asked = segment(ack, "P.", request)
    follow(there, asked, now)
    answered = segment(asked, "P.", answer, forward=False)
    follow(back, answered, now)
    server_fin = segment(answered, "F.")
    follow(back, server_fin, now)
    client_ack = segment(server_fin, ".", forward=False)
    follow(there, client_ack, now)
    client_fin = segment(client_ack, "F.")
    follow(there, client_fin, now)
    follow(back, segment(client_fin, ".", forward=False), now)


def _loopback_for(vnet: Vnet, address: IPv4) -> Ifnet | None:
    """The interface a packet to a local address loops through: the route
    to it says (ip_output() then the interface's if_output, looutput(),
    and if_simloop()): lo0 for an address on any other interface (the
    loopback route ifa_add_loopback_route() makes through V_loif), the
    loopback interface itself for one of its own (lo1's jail addresses).
    So traffic between jails and the host on a NIC's addresses crosses
    lo0, and on lo1's addresses lo1: tcpdump -i and pf rules ("set skip
    on lo0") see it there."""
    route = vnet.lookup(address)
    if route is not None and isinstance(route.ifnet, Loopback):
        return route.ifnet
    return vnet.loopback


def _tap(path: Path, ifnet: Ifnet, packet: Packet, now: float) -> None:
    path.taps.append((ifnet, replace(packet)))
    bpf.tap(ifnet, packet, now)


def _flooded(path: Path, branch: Branch, packet: Packet, now: float) -> None:
    """A flooded copy of ``packet``: its member's outbound hook may drop
    it (bridge_broadcast() then skips that member), else the taps see it."""
    copy = replace(packet)
    for step in branch.steps:
        if step.vnet is None:
            _tap(path, step.ifnet, copy, now)
        elif pfil.run(Hook(step.vnet, step.hook, step.ifnet, now), copy) is not Verdict.PASS:
            return


def _ip_id(vnet: Vnet, packet: Packet) -> int:
    """ip_fillid(): 0 for TCP, which sets DF (net.inet.ip.rfc6864=1);
    otherwise the stack's counter, from a start of its own."""
    if packet.proto == "tcp":
        return 0
    number = _ip_ids.get(vnet, zlib.crc32(vnet.name.encode()))
    _ip_ids[vnet] = number + 1
    return number & 0xffff


def _filter(hook: Hook, packet: Packet, origin: bool) -> None:
    verdict = pfil.run(hook, packet)
    if verdict is Verdict.PASS:
        return
    if origin:
        # ip_output() returns EACCES when a hook drops a packet the stack sent
        raise Unreachable(EACCES)
    raise Unreachable(ECONNREFUSED if verdict is Verdict.REFUSE else 0,
                      refused=verdict is Verdict.REFUSE)


def _l2_path(out: Ifnet, address: IPAddress, now: float) -> tuple[Ifnet, Way] | None:
    """The interface on ``out``'s segment that owns ``address``, and the
    steps of the frame's way there after it leaves ``out``: the taps it
    passes and the bridge hooks it meets. The stack finds the owner in its
    ARP cache, or asks by a broadcast that bridges flood (arpresolve(),
    arprequest()); for an IPv6 address its neighbour cache, or a
    solicitation that bridges flood alike (nd6_resolve(),
    nd6_ns_output()); the frame itself then goes to that owner's MAC address,
    which the bridges on the way have learnt from the answer."""
    cached = _arp_lookup(out, address, now)
    if cached is not None:
        found = _unicast(out, cached, now)
        if found is not None:
            return found
    receiver = _arp_request(out, address, now)
    if receiver is None:
        return None
    return _unicast(out, receiver, now)


def _arp_lookup(out: Ifnet, address: IPAddress, now: float) -> Ifnet | None:
    """arpresolve(): the cached answer, while it stands (see _arp); for
    IPv6 the neighbour cache's (nd6.lookup())."""
    if isinstance(address, IPv6):
        return nd6.lookup(out, address, now, _usable)
    entry = _arp.get(out, {}).get(address)
    if entry is None:
        return None
    held, expire = entry
    owner = held()
    if owner is None or now >= expire or not _usable(owner) or not _owns(owner, address):
        return None
    return owner


# Which interfaces have an entry for an address in _arp (entries are
# overwritten, never removed): a gratuitous request changes only theirs,
# so its flood finds them without asking each member's cache.
_arp_holders: "dict[IPAddress, WeakSet[Ifnet]]" = {}


def _arp_cache(ifnet: Ifnet, address: IPAddress, owner: Ifnet, now: float) -> None:
    if isinstance(address, IPv6):
        nd6.store(ifnet, address, owner, now)
    elif ifnet.mac is not None:
        _arp.setdefault(ifnet, {})[address] = (ref(owner), now + ARP_MAX_AGE)
        _arp_holders.setdefault(address, WeakSet()).add(ifnet)


def _owns(ifnet: Ifnet, address: IPAddress) -> bool:
    if isinstance(address, IPv6):
        return nd6.owns(ifnet, address)
    target = int(address)        # compared as numbers: an IPv4Interface's .ip is built anew each time
    for inet in ifnet.inet:
        if int(inet.interface) == target:
            return True
    return False


# A node of the ARP broadcast's search: an interface that has just heard
# it, the node it came from (-1: the sender's), and the bridge and member
# it crossed to get there (the way the answer comes back).
_Heard = tuple[Ifnet, int, "tuple[Bridge, BridgeMember] | None"]


def announce(out: Ifnet, address: IPv4, now: float) -> None:
    """arp_ifinit(): an IPv4 address set on an Ethernet interface is
    announced by a gratuitous ARP request (sender and target both the
    address, arp_announce_ifaddr()), so every bridge it crosses learns the
    interface's MAC, and a stack that already has an entry for the address
    takes the announcer in its place (in_arpinput() only updates an
    existing entry for a request that is not for one of its addresses:
    "moved from"). Nobody answers it here; the logs of a duplicate address
    are not modelled."""
    if out.mac is not None and _usable(out):
        _arp_request(out, address, now, gratuitous=True)


def _arp_request(out: Ifnet, address: IPAddress, now: float,
                 gratuitous: bool = False) -> Ifnet | None:
    """arprequest(): a broadcast from ``out``'s MAC address that every
    bridge it reaches floods to all its members (bridge_broadcast(), no
    pfil: pfil passes ARP) and learns the sender on the member it came in
    by. The owner answers (in_arpinput(), learning the asker in its own
    cache), and its unicast answer teaches each bridge on the way back on
    which member the owner is. The first owner the broadcast reaches
    answers, in the order the members are flooded. A ``gratuitous`` one
    (announce()) reaches everything the flood reaches and is answered by
    nobody. An IPv6 neighbour solicitation goes the same way (a multicast
    frame, which bridges flood), and the answer is the advertisement."""
    heard: list[_Heard] = []
    upper: set[int] = set()      # interfaces a frame reaches through ng_ether's upper hook
    plain = _plain_links()
    sender = out if isinstance(out, Bridge) else out.bridge
    if sender is not None and sender.running:
        # the bridge's stack, or a member's, sends through the bridge
        # (bridge_output): to every member, its own hooks not run
        owner = None if gratuitous else _bridge_owner(sender, address, exclude=out)
        if owner is not None:
            return _answered(out, address, owner, [], now)
        # the answer comes back in by a member, which learns the owner
        # there (GRAB_OUR_PACKETS)
        for member in sender.members:
            if member.ifnet is not out and _usable(member.ifnet) \
                    and not bstp.member_discards(sender, member):
                _hear(heard, member.ifnet, -1, (sender, member), upper, now)
    own = sender.member(out) if sender is not None and sender.running else None
    back = (sender, own) if sender is not None and own is not None else None
    _hear(heard, out, -1, back, upper, now)
    seen: set[int] = {id(out)}
    index = -1
    while index + 1 < len(heard):
        index += 1
        ifnet = heard[index][0]
        if id(ifnet) in seen or not _usable(ifnet):
            continue
        seen.add(id(ifnet))
        if not plain:
            taker = lagg_input(ifnet)
            if taker is None:
                continue
            ifnet = taker
            diverted = None if id(ifnet) in upper else _ng_input(ifnet, [], upper)
            if diverted is not None:               # ng_ether's lower hook has it
                seen.discard(id(ifnet))            # it may come back up through upper
                heard += [(peer, index, None) for peer, _ in diverted]
                continue
        if gratuitous:
            _arp_moved(ifnet, address, out, now)
        elif _owns(ifnet, address):
            return _answered(out, address, ifnet, _crossings(heard, index), now)
        entered = _bridge_ingress(ifnet)
        if entered is None:
            continue
        bridge, source = entered
        learnt = bridge.learn(out.mac, source, now)        # bridge_forward()
        # the bridge's stack, or a member's, takes the broadcast too
        if gratuitous:
            _arp_moved(bridge, address, out, now)
        owner = None if gratuitous else _bridge_owner(bridge, address, exclude=source.ifnet)
        if owner is not None:           # nothing floods then
            return _answered(out, address, owner, _crossings(heard, index), now)
        if learnt:
            _flood(heard, bridge, source, index, address, plain, upper, now, gratuitous)
    return None


def _flood(heard: list[_Heard], bridge: Bridge, source: BridgeMember, index: int, address: IPAddress,
           plain: bool, upper: set[int], now: float, gratuitous: bool = False) -> None:
    """bridge_broadcast() of the ARP request that came in by ``source``,
    owned by no member (_bridge_owner()) and forwarded: every other
    running member that may forward hears it. With plain links the pass
    is over the members that matter alone (_arp_visits()): a bridge of 255
    members pays for the few whose far ends can take the request."""
    ingress = source.ifnet
    for member in _arp_visits(bridge, address, gratuitous) if plain else bridge.members:
        egress = member.ifnet
        if egress is ingress or not _floods_to(bridge, source, member):
            continue
        if plain and type(egress) is Epair:
            heard.append((egress.peer, index, (bridge, member)))
        else:
            _hear(heard, egress, index, (bridge, member), upper, now)


def _arp_visits(bridge: Bridge, address: IPAddress, gratuitous: bool) -> list[BridgeMember]:
    """The members a flood of an ARP request for ``address`` must visit
    when links are plain, in the order they are flooded: those it goes on
    through (Bridge.through()), and one whose epair peer owns the address,
    or, for a ``gratuitous`` request, has an entry for it (_arp_holders:
    nobody owns that one). Any other member is an epair whose peer is in no
    bridge and ignores the request (in_arpinput(): not for one of its
    addresses, no entry to update), so the flood need not visit it."""
    found = {id(member): member for member in bridge.through()}
    takers = list(_arp_holders.get(address, ())) if gratuitous else _holders(bridge, address)
    for taker in takers:
        if type(taker) is Epair and taker.peer.bridge is bridge:
            peer = bridge.member(taker.peer)
            if peer is not None:
                found[id(peer)] = peer
    # the members are newest first (Bridge.add)
    return sorted(found.values(), key=_member_order, reverse=True)


_member_order = attrgetter("order")


def _holders(bridge: Bridge, address: IPAddress) -> list[Ifnet]:
    """The interfaces that hold ``address``: any vnet's for IPv4 (the
    index), the far ends of the bridge's epairs for IPv6."""
    if isinstance(address, IPv6):
        return [m.ifnet.peer for m in bridge.members
                if type(m.ifnet) is Epair and nd6.owns(m.ifnet.peer, address)]
    return interfaces_with(int(address))


def _floods_to(bridge: Bridge, source: BridgeMember, member: BridgeMember) -> bool:
    """bridge_broadcast() sends a copy by ``member``: it runs and may forward."""
    return _usable(member.ifnet) and bstp.may_forward(bridge, source, member)


def _hear(heard: list[_Heard], ifnet: Ifnet, parent: int,
          crossing: "tuple[Bridge, BridgeMember] | None", upper: set[int], now: float) -> None:
    """What ``ifnet`` puts on its wire reaches: its wire's other ends, a
    lagg's port's, a gif's tunnel's far end."""
    heard += [(peer, parent, crossing) for peer in _wire(ifnet, upper)]
    heard += [(peer, parent, crossing) for peer, _ in _lagg_output(ifnet)]
    heard += [(peer, parent, crossing) for peer in _gif_output(ifnet, now)]


def _crossings(heard: list[_Heard], index: int) -> list[tuple[Bridge, BridgeMember]]:
    """The bridges the broadcast crossed to reach node ``index``, and the
    member each sent it out by."""
    way = []
    while index >= 0:
        _, parent, crossing = heard[index]
        if crossing is not None:
            way.append(crossing)
        index = parent
    return way


def _answered(out: Ifnet, address: IPAddress, owner: Ifnet,
              crossings: list[tuple[Bridge, BridgeMember]], now: float) -> Ifnet | None:
    """The owner's ARP reply, from its MAC address back the way the request
    came: each bridge learns the owner on the member the reply comes in by
    (None when one drops it for a full address limit). Both ends keep the
    other in their caches (in_arpinput() creates the asker's entry)."""
    for bridge, member in crossings:
        if not bridge.learn(owner.mac, member, now):
            return None
    _arp_cache(out, address, owner, now)
    asker = _arp_source(out, address)
    if asker is not None:
        _arp_cache(owner, asker, out, now)
    return owner


def _plain_links() -> bool:
    """With no ng_ether node and no lagg port anywhere, an interface takes
    what it hears itself, and an epair's wire is its peer: the searches
    need not ask lagg_input() or ng_ether at each hop."""
    return not netgraph.any_ether_nodes() and not any_ports()


def _bridge_ingress(ifnet: Ifnet) -> "tuple[Bridge, BridgeMember] | None":
    """The running bridge a frame heard on ``ifnet`` enters, and ``ifnet``'s
    member entry there; None when it is in no running bridge or its STP
    port discards (bridge_input())."""
    bridge = ifnet.bridge
    if bridge is None or not bridge.running:
        return None
    source = bridge.member(ifnet)
    if source is None or bstp.member_discards(bridge, source):
        return None
    return bridge, source


def _arp_moved(ifnet: Ifnet, address: IPAddress, announcer: Ifnet, now: float) -> None:
    """in_arpinput() of a gratuitous request on ``ifnet``: an entry it has
    for the address now names the announcer (arp_check_update_lle());
    only IPv4 addresses are announced so."""
    entries = _arp.get(ifnet)
    if isinstance(address, IPv4) and entries is not None and address in entries and ifnet is not announcer:
        entries[address] = (ref(announcer), now + ARP_MAX_AGE)


def _arp_source(out: Ifnet, address: IPAddress) -> IPAddress | None:
    """arprequest() without a source: the sender's address on the target's
    subnet, else its first; nd6_ns_output(): the source in6_selectsrc()
    picks on the interface."""
    if isinstance(address, IPv6):
        return nd6.select_source(out, address)
    for inet in out.inet:
        if address in inet.interface.network:
            return inet.address
    return out.inet[0].address if out.inet else None


def _unicast(out: Ifnet, receiver: Ifnet, now: float) -> tuple[Ifnet, Way] | None:
    """The way of a frame from ``out`` to ``receiver``'s MAC address: each
    bridge on the way learns ``out`` on the member it comes in by, and sends
    it by the member its cache has for the destination (bridge_rtlookup()),
    or, not knowing it, floods it to its members with DISCOVER
    (bridge_broadcast()): those copies are Branches of the way."""
    start: list[tuple[Ifnet, Way]] = []
    upper: set[int] = set()      # interfaces a frame reaches through ng_ether's upper hook
    sender = out if isinstance(out, Bridge) else out.bridge
    if sender is not None and sender.running:
        # the bridge's stack, or a member's, sends through the bridge
        # (bridge_output): no filtering there
        if receiver is sender or (receiver is not out and receiver.bridge is sender):
            return receiver, []
        known = _lookup(sender, receiver, now)
        if known is not None:
            if not _usable(known.ifnet):
                return None
            return _search(_sent(known.ifnet, [] if known.ifnet is out else [Step(known.ifnet)], upper, now),
                           out, receiver, upper, now)
        for member in sender.members:
            if member.ifnet is not out and _usable(member.ifnet) \
                    and not bstp.member_discards(sender, member):
                start += _sent(member.ifnet, [Step(member.ifnet)], upper, now)
    start += _sent(out, [], upper, now)
    return _search(start, out, receiver, upper, now)


def _lookup(bridge: Bridge, receiver: Ifnet, now: float) -> BridgeMember | None:
    """bridge_rtlookup() for ``receiver``'s MAC address. An STP port that
    discards has had its learnt entries flushed (bstp.flush_discarding()),
    so an entry found on one is gone: the destination is unknown."""
    known = bridge.lookup(receiver.mac, now)
    if known is not None and known.stp_since is not None and bstp.member_discards(bridge, known):
        bstp.flush_discarding(bridge)
        return bridge.lookup(receiver.mac, now)
    return known


def _sent(egress: Ifnet, steps: Way, upper: set[int], now: float) -> list[tuple[Ifnet, Way]]:
    """The interfaces that hear what ``egress`` transmits, each with the
    frame's way there (``steps`` up to ``egress``'s transmit routine)."""
    found: list[tuple[Ifnet, Way]] = [(peer, steps) for peer in _wire(egress, upper)]
    found += [(peer, steps + way) for peer, way in _lagg_output(egress)]
    found += [(peer, steps) for peer in _gif_output(egress, now)]
    return found


def _search(start: list[tuple[Ifnet, Way]], out: Ifnet, receiver: Ifnet, upper: set[int],
            now: float) -> tuple[Ifnet, Way] | None:
    """Follow the frame from the interfaces that first hear it until it
    reaches ``receiver`` (breadth first, so the way of the fewest hops)."""
    seen: set[int] = {id(out)}
    queue = deque(start)
    plain = _plain_links()
    while queue:
        ifnet, steps = queue.popleft()
        if id(ifnet) in seen or not _usable(ifnet):
            continue
        seen.add(id(ifnet))
        here = steps + [Step(ifnet)]               # ether_input()
        if not plain:
            taker = lagg_input(ifnet)              # lagg_input(), for a lagg port
            if taker is None:
                continue
            if taker is not ifnet:
                ifnet, here = taker, here + [Step(taker)]
            diverted = None if id(ifnet) in upper else _ng_input(ifnet, here, upper)
            if diverted is not None:               # ng_ether's lower hook has it
                seen.discard(id(ifnet))            # it may come back up through upper
                queue += diverted
                continue
        if ifnet is receiver:
            return ifnet, here
        entered = _bridge_ingress(ifnet)
        if entered is None:
            continue
        bridge, source = entered
        if receiver is bridge or (receiver.bridge is bridge and receiver is not ifnet):
            # bridge_input()'s GRAB_OUR_PACKETS, for the bridge's stack or a member's
            if not bridge.learn(out.mac, source, now):
                continue
            if receiver is bridge:
                return receiver, here + [Step(bridge)] + _local_phys(bridge, ifnet)
            return receiver, here + _local_phys(bridge, ifnet)
        queue += _forward(bridge, source, out.mac, receiver, here, upper, now)
    return None


def _forward(bridge: Bridge, source: BridgeMember, mac: str | None, receiver: Ifnet, here: Way,
             upper: set[int], now: float) -> list[tuple[Ifnet, Way]]:
    """bridge_forward(): learn the sender, then send the frame by the member
    the cache has for its destination (not back the way it came), or flood
    it to every member with DISCOVER. Each egress crossing is the bridge's
    tap, bridge_pfil() in and out, then the member's transmit routine; the
    copies a flood sends by the other members go out before the member's
    own outbound hook runs."""
    ingress = source.ifnet
    if not bridge.learn(mac, source, now):
        return []
    known = _lookup(bridge, receiver, now)
    if known is not None:
        egress = known.ifnet
        if egress is ingress or not _usable(egress) or not bstp.may_forward(bridge, source, known):
            return []
        crossing = here + [Step(bridge)] + _bridge_pfil(bridge, ingress, egress) + [Step(egress)]
        return _sent(egress, crossing, upper, now)
    flooded = [m for m in bridge.members if m.ifnet is not ingress and m.flags & IFBIF_DISCOVER
               and _usable(m.ifnet) and bstp.may_forward(bridge, source, m)]
    found: list[tuple[Ifnet, Way]] = []
    for member in flooded:
        egress = member.ifnet
        others: Way = [Branch(_copy_steps(bridge, m.ifnet)) for m in flooded if m is not member]
        hooks: Way = list(_bridge_pfil(bridge, ingress, egress))
        split = len(hooks) - 1 if bridge.vnet.sysctl["net.link.bridge.pfil_member"] else len(hooks)
        crossing = here + [Step(bridge)] + hooks[:split] + others + hooks[split:] + [Step(egress)]
        found += _sent(egress, crossing, upper, now)
    return found


def _copy_steps(bridge: Bridge, egress: Ifnet) -> tuple[Step, ...]:
    """A flooded copy's way: the member's outbound hook
    (net.link.bridge.pfil_member), its transmit tap, and the ether_input()
    taps of the interfaces on its wire."""
    vnet = bridge.vnet
    hook = (Step(egress, "out", vnet),) if vnet.sysctl["net.link.bridge.pfil_member"] else ()
    return hook + (Step(egress),) + tuple(Step(peer) for peer in egress.neighbours() if _usable(peer))


def _bridge_owner(bridge: Bridge, address: IPAddress, exclude: Ifnet | None) -> Ifnet | None:
    """if_bridge hands frames for the bridge's own address, or a member's,
    to that interface's stack (bridge_input GRAB_OUR_PACKETS)."""
    if _owns(bridge, address):
        return bridge
    # the first member in the bridge's order (newest first) that owns it
    holders = ([m.ifnet for m in bridge.members if nd6.owns(m.ifnet, address)]
               if isinstance(address, IPv6) else interfaces_with(int(address)))
    owners = [member for member in map(bridge.member, holders)
              if member is not None and member.ifnet is not exclude]
    return max(owners, key=_member_order).ifnet if owners else None


def _bridge_pfil(bridge: Bridge, src: Ifnet, dst: Ifnet) -> list[Step]:
    """bridge_pfil(), called by bridge_forward() for PFIL_IN on the member a
    frame came in by and by bridge_enqueue() for PFIL_OUT on the one it
    leaves by: the members' hooks with net.link.bridge.pfil_member, the
    bridge interface's with pfil_bridge (after the member's going in,
    before it going out). The sim's frames are all IP, so pfil_onlyip
    changes nothing here."""
    vnet = bridge.vnet
    member = bool(vnet.sysctl["net.link.bridge.pfil_member"])
    itself = bool(vnet.sysctl["net.link.bridge.pfil_bridge"])
    steps = [Step(src, "in", vnet)] if member else []
    steps += [Step(bridge, "in", vnet), Step(bridge, "out", vnet)] if itself else []
    steps += [Step(dst, "out", vnet)] if member else []
    return steps


def _local_phys(bridge: Bridge, src: Ifnet) -> list[Step]:
    """bridge_input()'s GRAB_OUR_PACKETS: a frame for the host's own
    address (the bridge's or another member's) meets the inbound hooks of
    the member it came in by only with net.link.bridge.pfil_local_phys=1,
    through bridge_pfil() with no bridge interface (so pfil_member rules
    it too); ip_input() then filters it on the interface that owns the
    address, as always."""
    vnet = bridge.vnet
    if vnet.sysctl["net.link.bridge.pfil_local_phys"] and vnet.sysctl["net.link.bridge.pfil_member"]:
        return [Step(src, "in", vnet)]
    return []


def _wire(ifnet: Ifnet, upper: set[int] | None = None) -> list[Ifnet]:
    """Interfaces that hear what ``ifnet`` puts on its wire (``upper``
    collects those the graph hands a frame through ng_ether's upper)."""
    if isinstance(ifnet, Bridge):
        return []
    graph = netgraph.transmit(ifnet)
    if graph is not None:
        # the graph takes what the stack sends (ng_eiface, ng_ether's upper)
        return [peer for peer, _ in _ng_ends(graph, [], upper)]
    return [peer for peer in ifnet.neighbours() if _usable(peer)]


def _ng_input(ifnet: Ifnet, steps: Way, upper: set[int]) -> list[tuple[Ifnet, Way]] | None:
    """ng_ether_input(): with its lower hook connected, what ``ifnet``
    hears on its wire goes into the graph instead of its stack; the ends it
    reaches there (``ifnet`` itself again when it comes back up through
    the upper hook). None when netgraph leaves the frame alone."""
    graph = netgraph.divert_input(ifnet)
    if graph is None:
        return None
    return _ng_ends(graph, steps, upper)


def _ng_ends(deliveries: list[netgraph.Delivery], steps: Way,
             upper: set[int] | None) -> list[tuple[Ifnet, Way]]:
    """The interfaces whose stack gets a frame the graph delivers: an
    ng_eiface's or, through upper, the NIC's own (ether_demux), or each
    interface on the wire of a NIC the frame leaves by through lower
    (the NIC's transmit routine and its bpf tap first)."""
    ends: list[tuple[Ifnet, Way]] = []
    for delivery in deliveries:
        ifnet = delivery.ifnet
        if not _usable(ifnet):
            continue
        if delivery.kind == "stack":
            ends.append((ifnet, steps))
            if upper is not None and netgraph.is_ether(ifnet):
                upper.add(id(ifnet))
        else:
            ends += [(peer, steps + [Step(ifnet)]) for peer in ifnet.neighbours()
                     if _usable(peer)]
    return ends


def _gif_output(ifnet: Ifnet, now: float) -> list[Ifnet]:
    """gif_transmit(): what a gif sends goes inside an IPv4 packet from its
    tunnel's source to its destination (in_gif_output(); EtherIP when the
    gif is a bridge member), and in_gif_input() at the far end hands the
    inner packet or frame to the gif whose tunnel mirrors this one. The
    outer packet is not modelled as a packet of its own: its way is
    followed for where it ends, but no tap or firewall hook sees it."""
    if not isinstance(ifnet, Gif) or ifnet.tunnel is None or not _usable(ifnet):
        return []
    src, dst = ifnet.tunnel
    if not isinstance(src, IPv4) or not isinstance(dst, IPv4):
        return []
    end = _tunnel_end(ifnet.vnet, dst, now)
    if end is None:
        return []
    return [far for far in end.ifnets if isinstance(far, Gif) and far.tunnel == (dst, src)
            and _usable(far)]


def _tunnel_end(vnet: Vnet, dst: IPv4, now: float) -> Vnet | None:
    """The stack an encapsulated packet to ``dst`` ends in, following the
    routes and wires as send() does. A way through another gif is a nested
    tunnel: gif_check_nesting() drops it past net.link.gif.max_nesting
    (1 by default), and the sim does not nest."""
    current = vnet
    for _ in range(MAX_HOPS):
        if dst in current.local_addresses():
            return current
        if current is not vnet and not current.sysctl.get("net.inet.ip.forwarding"):
            return None
        route = current.lookup(dst)
        if route is None or not route.ifnet.up or isinstance(route.ifnet, Gif):
            return None
        frames = _l2_path(route.ifnet, route.gateway or dst, now)
        if frames is None:
            return None
        current = frames[0].vnet
    return None


def _usable(ifnet: Ifnet) -> bool:
    return ifnet.up and ifnet.running


def _lagg_output(ifnet: Ifnet) -> list[tuple[Ifnet, Way]]:
    """A frame a lagg sends (lagg_transmit(): the lagg's tap, then its
    protocol's pr_start) leaves by the port the protocol picks, which
    taps it (lagg_enqueue() to the port's transmit routine), onto that
    port's wire. Nothing for any other interface, or a lagg that is not
    running or has no port to send by (ENXIO, ENETDOWN: dropped)."""
    if not isinstance(ifnet, Lagg) or not _usable(ifnet):
        return []
    return [(peer, [Step(port.ifnet)]) for port in ifnet.transmit_ports()
            for peer in _wire(port.ifnet)]
