"""bstp(4): the Rapid Spanning Tree of the bridges whose members have ``stp``
on (sys/net/bridgestp.c), as what it converges to rather than as BPDUs.

A bridge's id is its priority and the lowest MAC of its Ethernet members,
once it has an STP port (bstp_reinit; zero before). Bridges whose STP ports
face each other across a wire (an epair, the vlans of one tag on it) form
one tree: the lowest id is the root, each other bridge's root port is the
one with the best priority vector towards it (root path cost, the sending
bridge's id, its port id, our port id), the best port on each link is
designated, and every other port is an alternate (or a backup, when the
better one is the same bridge's) and discards. RSTP's proposal/agreement on
point-to-point links makes root and designated ports forward at once; a
designated port that hears no BPDU becomes an edge port after the migrate
delay (3 s, bstp_edge_delay_expiry) when autoedge is on and forwards, else
it learns after the forward delay and forwards after twice it. A port whose
interface is down or has no link is disabled; a bridge that is not running
discards on every port (bstp_stop)."""

from __future__ import annotations

from dataclasses import dataclass

from .errno import EINVAL, OSErr
from .ifnet import (IFBIF_BSTP_ADMCOST, IFBIF_BSTP_ADMEDGE, IFBIF_BSTP_AUTOEDGE, IFBIF_BSTP_AUTOPTP,
                    IFBIF_BSTP_EDGE, IFBIF_BSTP_PTP, IFBIF_PRIVATE, IFBIF_SPAN, IFBIF_STP, IFBIFMASK,
                    Bridge, BridgeMember, Ifnet)

PROTO = "rstp"                  # bs_protover: BSTP_PROTO_RSTP unless set otherwise
HELLO_TIME, FWD_DELAY, MAX_AGE, HOLD_COUNT = 2, 15, 20, 6   # bridgestp.h defaults
MIGRATE_DELAY = 3
ZERO_MAC = "00:00:00:00:00:00"

BridgeId = tuple[int, str]      # priority, MAC: compared as bstp_same_bridgeid() orders them


@dataclass(frozen=True)
class PortStatus:
    """What BRDGGIFS reports for an STP port."""
    role: str
    state: str
    flags: int


@dataclass(frozen=True)
class TreeStatus:
    """What BRDGPARAM reports for the bridge: its id, the root's, the root
    path cost and the root port's number (0 on the root)."""
    bridge_id: BridgeId
    root_id: BridgeId
    root_cost: int
    root_port: int


def bridge_id(bridge: Bridge) -> BridgeId:
    if not any(m.stp_since is not None for m in bridge.members):
        return bridge.stp_priority, ZERO_MAC
    macs = [m.ifnet.mac for m in bridge.members
            if m.ifnet.ether and m.ifnet.mac and m.ifnet.mac != ZERO_MAC]
    return bridge.stp_priority, min(macs) if macs else ZERO_MAC


def port_id(member: BridgeMember) -> int:
    return (member.priority << 8) | (member.ifnet.index & 0xfff)


def _enabled(member: BridgeMember) -> bool:
    """bstp_ifupdstatus(): an STP port runs while its interface is up with
    its link up."""
    return member.stp_since is not None and member.ifnet.up and member.ifnet.link_up


def _peers(bridge: Bridge, member: BridgeMember) -> list[tuple[Bridge, BridgeMember]]:
    """The STP ports of running bridges on ``member``'s wire: the ones it
    exchanges BPDUs with."""
    if not bridge.running or not _enabled(member):
        return []
    found = []
    for peer in member.ifnet.neighbours():
        other = peer.bridge
        if other is None or not other.running:
            continue
        port = other.member(peer)
        if port is not None and _enabled(port):
            found.append((other, port))
    return found


def _domain(bridge: Bridge) -> list[Bridge]:
    """The bridges of ``bridge``'s tree."""
    seen, queue = [bridge], [bridge]
    while queue:
        current = queue.pop(0)
        for member in current.members:
            for other, _ in _peers(current, member):
                if other not in seen:
                    seen.append(other)
                    queue.append(other)
    return seen


def _root_costs(bridges: list[Bridge], root: Bridge) -> dict[int, int]:
    """Each bridge's root path cost: the cheapest sum of the path costs of
    the ports the root's BPDUs come in by (Bellman-Ford over the tree)."""
    cost = {id(root): 0}
    changed = True
    while changed:
        changed = False
        for bridge in bridges:
            for member in bridge.members:
                for other, _ in _peers(bridge, member):
                    if id(other) in cost:
                        offer = cost[id(other)] + member.path_cost
                        if offer < cost.get(id(bridge), offer + 1):
                            cost[id(bridge)] = offer
                            changed = True
    return cost


def _vector(bridge: Bridge, member: BridgeMember, cost: dict[int, int]) -> tuple:
    """The priority vector a port sends: root path cost, bridge id, port id."""
    return cost.get(id(bridge), 0), bridge_id(bridge), port_id(member)


def _root_port(bridge: Bridge, cost: dict[int, int], is_root: bool) -> BridgeMember | None:
    best: tuple | None = None
    chosen = None
    for member in bridge.members:
        for other, port in _peers(bridge, member):
            their = _vector(other, port, cost)
            candidate = (their[0] + member.path_cost, their[1], their[2], port_id(member))
            if best is None or candidate < best:
                best, chosen = candidate, member
    return None if is_root else chosen


def tree(bridge: Bridge) -> tuple[TreeStatus, dict[int, str]]:
    """The bridge's tree parameters and each STP port's role (by id)."""
    if not any(m.stp_since is not None for m in bridge.members):
        # no STP port: the bridge is its own root, alone (what the search
        # below finds, without asking each member's wire)
        alone = bridge_id(bridge)
        return TreeStatus(alone, alone, 0, 0), {}
    bridges = _domain(bridge)
    root = min(bridges, key=bridge_id)
    cost = _root_costs(bridges, root)
    root_member = _root_port(bridge, cost, bridge is root)
    roles: dict[int, str] = {}
    for member in bridge.members:
        if member.stp_since is None:
            continue
        if not _enabled(member):
            roles[id(member)] = "disabled"
        elif member is root_member:
            roles[id(member)] = "root"
        else:
            roles[id(member)] = _non_root_role(bridge, member, cost)
    status = TreeStatus(bridge_id(bridge), bridge_id(root), cost.get(id(bridge), 0),
                        root_member.ifnet.index & 0xfff if root_member is not None else 0)
    return status, roles


def _non_root_role(bridge: Bridge, member: BridgeMember, cost: dict[int, int]) -> str:
    """Designated when no port on the link offers a better vector; else an
    alternate, or a backup when the better port is this bridge's own."""
    ours = _vector(bridge, member, cost)
    for other, port in _peers(bridge, member):
        if _vector(other, port, cost) < ours:
            return "backup" if other is bridge else "alternate"
    return "designated"


def port_status(bridge: Bridge, member: BridgeMember, role: str, now: float) -> PortStatus:
    """The port's state at ``now`` and its flags as BRDGGIFFLGS shows them."""
    since = member.stp_since if member.stp_since is not None else now
    alone = not _peers(bridge, member)
    admin_edge = bool(member.flags & IFBIF_BSTP_ADMEDGE)
    operedge = admin_edge or (member.stp_since is not None and alone and role == "designated"
                              and bool(member.flags & IFBIF_BSTP_AUTOEDGE)
                              and now - since >= MIGRATE_DELAY)
    state = "discarding"
    if bridge.running and role in ("root", "designated"):
        if not alone or operedge or now - since >= 2 * FWD_DELAY:
            state = "forwarding"
        elif now - since >= FWD_DELAY:
            state = "learning"
    return PortStatus(role, state, shown_flags(member, operedge))


def shown_flags(member: BridgeMember, operedge: bool = False) -> int:
    """bridge_ioctl_gifflags(): the member's flags with bstp's: EDGE when
    the port is an operational edge, PTP when its link is point to point
    (with autoptp, an STP port on a full-duplex link: bstp_ifupdstatus)."""
    flags = member.flags & ~(IFBIF_BSTP_EDGE | IFBIF_BSTP_PTP)
    ptp = bool(member.flags & IFBIF_BSTP_PTP)
    if member.flags & IFBIF_BSTP_AUTOPTP and member.stp_since is not None:
        ptp = "full-duplex" in (member.ifnet.media or "")
    if ptp:
        flags |= IFBIF_BSTP_PTP
    if operedge or member.flags & IFBIF_BSTP_ADMEDGE:
        flags |= IFBIF_BSTP_EDGE
    return flags


def set_flags(member: BridgeMember, requested: int, now: float) -> None:
    """bridge_ioctl_sifflags(): SPAN cannot be set this way (EINVAL); STP
    turned on starts bstp on the port (bstp_enable: Ethernet and vlan
    interfaces only, EINVAL), turned off stops it; EDGE sets the admin edge
    (bstp_set_edge), the other bstp bits are taken as given."""
    if requested & IFBIF_SPAN:
        raise OSErr(EINVAL)
    if requested & IFBIF_STP:
        if member.stp_since is None:
            if not member.ifnet.ether:
                raise OSErr(EINVAL)
            member.stp_since = now
    else:
        member.stp_since = None
    kept = member.flags & IFBIF_BSTP_ADMCOST
    bstp = requested & (IFBIF_BSTP_AUTOEDGE | IFBIF_BSTP_PTP | IFBIF_BSTP_AUTOPTP)
    if requested & IFBIF_BSTP_EDGE:
        bstp |= IFBIF_BSTP_ADMEDGE
    member.flags = (requested & IFBIFMASK) | kept | bstp


def discards(bridge: Bridge, ifnet: Ifnet) -> bool:
    """bridge_input(): a frame that comes in by an STP port that discards
    (taken as its converged role: alternate, backup or disabled) is not
    bridged; bridge_forward() sends none out by one."""
    return member_discards(bridge, bridge.member(ifnet))


def member_discards(bridge: Bridge, member: BridgeMember | None) -> bool:
    """discards() for a member already at hand (no search of the members)."""
    if member is None or member.stp_since is None:
        return False
    return tree(bridge)[1].get(id(member)) in ("alternate", "backup", "disabled")


def may_forward(bridge: Bridge, source: BridgeMember | None, destination: BridgeMember) -> bool:
    """bridge_forward(): not to a port that discards, nor between two
    private members ("Private segments can not talk to each other"). The
    members are the caller's, so a frame flooded to n ports costs n."""
    if source is not None and source.flags & destination.flags & IFBIF_PRIVATE:
        return False
    return not member_discards(bridge, destination)


def flush_discarding(bridge: Bridge) -> None:
    """A port that stops forwarding loses the addresses learnt on it: its
    topology change state machine goes INACTIVE and bstp_notify_rtage()
    has the bridge flush its dynamic entries (bridge_rtable_expire with
    an age of 0 under RSTP). The tree here is what it converges to, so a
    port that discards now has lost them by the time anyone looks."""
    if not bridge.routes or not any(m.stp_since is not None for m in bridge.members):
        return
    roles = tree(bridge)[1]
    for member in bridge.members:
        if roles.get(id(member)) in ("alternate", "backup", "disabled"):
            bridge.flush_member(member)
