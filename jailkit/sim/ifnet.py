"""Network interfaces (struct ifnet) as the sim models them.

Flag values and names follow sys/net/if.h and sbin/ifconfig/ifconfig_netlink.c
(IFFBITS, LOWER_UP = IFF_NETLINK_1). Capability names follow sys/net/if.h IFCAP_*."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from weakref import WeakSet

from .errno import EBUSY, EINVAL, ENOENT, ENOSPC, OSErr

if TYPE_CHECKING:
    from .vnet import Vnet

IFF_UP = 0x1
IFF_BROADCAST = 0x2
IFF_LOOPBACK = 0x8
IFF_RUNNING = 0x40
IFF_PROMISC = 0x100
IFF_SIMPLEX = 0x800
IFF_MULTICAST = 0x8000
IFF_LOWER_UP = 0x1000000

IFF_NAMES = ["UP", "BROADCAST", "DEBUG", "LOOPBACK", "POINTOPOINT", "NEEDSEPOCH", "RUNNING",
             "NOARP", "PROMISC", "ALLMULTI", "DRV_OACTIVE", "SIMPLEX", "LINK0", "LINK1",
             "LINK2", "MULTICAST", "CANTCONFIG", "PPROMISC", "MONITOR", "STATICARP",
             "STICKYARP", "DYING", "RENAMING", "NOGROUP", "LOWER_UP"]

IFCAP_NAMES = ["RXCSUM", "TXCSUM", "NETCONS", "VLAN_MTU", "VLAN_HWTAGGING", "JUMBO_MTU",
               "POLLING", "VLAN_HWCSUM", "TSO4", "TSO6", "LRO", "WOL_UCAST", "WOL_MCAST",
               "WOL_MAGIC", "TOE4", "TOE6", "VLAN_HWFILTER", "NV", "VLAN_HWTSO", "LINKSTATE",
               "NETMAP", "RXCSUM_IPV6", "TXCSUM_IPV6", "HWSTATS", "TXRTLMT", "HWRXTSTMP",
               "MEXTPG", "TXTLS4", "TXTLS6", "VXLAN_HWCSUM", "VXLAN_HWTSO", "TXTLS_RTLMT"]
IFCAP_JUMBO_MTU = 0x20
LO_OPTIONS = 0x680003  # RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6
LOMTU = 16384          # sys/net/if_loop.c

# nd6 per-interface flags (sys/netinet6/nd6.h) and their ifconfig names (af_nd6.c).
ND6_PERFORMNUD = 0x1
ND6_ACCEPT_RTADV = 0x2
ND6_IFDISABLED = 0x8
ND6_AUTO_LINKLOCAL = 0x20
ND6_NO_DAD = 0x100
ND6_NAMES = {0x1: "PERFORMNUD", 0x2: "ACCEPT_RTADV", 0x4: "PREFER_SOURCE", 0x8: "IFDISABLED",
             0x10: "DONT_SET_IFROUTE", 0x20: "AUTO_LINKLOCAL", 0x40: "NO_RADR",
             0x80: "NO_PREFER_IFACE", 0x100: "NO_DAD"}

# Bridge member flags (sys/net/if_bridgevar.h IFBIF_*), named as ifconfig
# prints them: IFBIFBITS lists PRIVATE after STICKY and leaves ADMEDGE and
# ADMCOST unnamed (printb shows them in the number only).
IFBIF_LEARNING = 0x1
IFBIF_DISCOVER = 0x2
IFBIF_STP = 0x4
IFBIF_SPAN = 0x8
IFBIF_STICKY = 0x10
IFBIF_BSTP_EDGE = 0x20
IFBIF_BSTP_AUTOEDGE = 0x40
IFBIF_BSTP_PTP = 0x80
IFBIF_BSTP_AUTOPTP = 0x100
IFBIF_BSTP_ADMEDGE = 0x200
IFBIF_BSTP_ADMCOST = 0x400
IFBIF_PRIVATE = 0x800
IFBIF_NAMES = {0x1: "LEARNING", 0x2: "DISCOVER", 0x4: "STP", 0x8: "SPAN", 0x10: "STICKY",
               0x800: "PRIVATE", 0x20: "EDGE", 0x40: "AUTOEDGE", 0x80: "PTP", 0x100: "AUTOPTP"}
# What BRDGSIFFLGS keeps as the member's own flags (IFBIFMASK); the STP
# ones go to bstp(4).
IFBIFMASK = ~(IFBIF_BSTP_EDGE | IFBIF_BSTP_AUTOEDGE | IFBIF_BSTP_PTP | IFBIF_BSTP_AUTOPTP
              | IFBIF_BSTP_ADMEDGE | IFBIF_BSTP_ADMCOST)
# A bridge address cache entry's flags (if_bridgevar.h IFBAF_*, IFBAFBITS).
IFBAF_DYNAMIC = 0x0
IFBAF_STATIC = 0x1
IFBAF_STICKY = 0x2
IFBAF_TYPEMASK = 0x3
IFBAF_NAMES = {IFBAF_STATIC: "STATIC", IFBAF_STICKY: "STICKY"}
BRIDGE_RTABLE_MAX = 2000          # if_bridge.c: maxaddr's default
BRIDGE_RTABLE_TIMEOUT = 20 * 60   # timeout's default, "same as ARP"
BRIDGE_RTABLE_PRUNE_PERIOD = 5 * 60   # bridge_timer(): how often bridge_rtage() runs
DEFAULT_VLAN = 1                  # VLANTAGOF(): an untagged frame is in vlan 1


def bits(value: int, names: list[str] | dict[int, str]) -> str:
    """printb(3)-style "<A,B>" rendering of the set bits of ``value``, in
    the order the bit string names them (a dict's order)."""
    table = names if isinstance(names, dict) else {1 << i: n for i, n in enumerate(names)}
    set_names = [name for bit, name in table.items() if value & bit]
    return f"<{','.join(set_names)}>" if set_names else ""


def classful_prefix(address: ipaddress.IPv4Address) -> int:
    """The historical class A/B/C mask ifconfig uses when none is given
    (sbin/ifconfig/af_inet.c in_setdefaultmask_nl)."""
    first = int(address) >> 24
    if first < 128:
        return 8
    if first < 192:
        return 16
    return 24


@dataclass
class InetAddr:
    interface: ipaddress.IPv4Interface
    broadcast: ipaddress.IPv4Address | None

    @property
    def address(self) -> ipaddress.IPv4Address:
        return self.interface.ip


@dataclass
class Inet6Addr:
    address: ipaddress.IPv6Address
    prefixlen: int
    scoped: bool = False  # link-local: printed with %ifname and a scopeid
    # IN6_IFF_TENTATIVE: duplicate address detection has not cleared it
    # yet (the kernel's DAD, nd6_nbr.c): unusable, ifconfig says "tentative"
    tentative: bool = False


@dataclass
class BridgeMember:
    """A bridge member (struct bridge_iflist) with its bstp_port's settings:
    ``flags`` holds the member's own flags and bstp's admin ones (ADMEDGE,
    AUTOEDGE, PTP as set, AUTOPTP); bstp.py works out what is shown."""
    ifnet: "Ifnet"
    flags: int = IFBIF_LEARNING | IFBIF_DISCOVER | IFBIF_BSTP_AUTOEDGE | IFBIF_BSTP_AUTOPTP
    priority: int = 128
    ifmaxaddr: int = 0
    stp_since: float | None = None   # when bstp_enable() took the port (None: STP off)
    order: int = 0                   # a newer member's is higher (Bridge.add)

    @property
    def path_cost(self) -> int:
        # bstp_calc_path_cost(): 20 Tbit/s divided by the link speed in kbit/s.
        return 20_000_000_000 // max(self.ifnet.baudrate // 1000, 1)


@dataclass
class BridgeRoute:
    """An entry of a bridge's address cache (struct bridge_rtnode): the
    member a MAC address was last seen on, and when a dynamic entry
    expires (time_uptime plus the bridge's timeout at its last sighting)."""
    mac: str
    member: BridgeMember
    flags: int
    vlan: int = DEFAULT_VLAN
    expire: int = 0

    @property
    def ifnet(self) -> "Ifnet":
        return self.member.ifnet

    @property
    def dynamic(self) -> bool:
        return self.flags & IFBAF_TYPEMASK == IFBAF_DYNAMIC


@dataclass(eq=False)
class Ifnet:
    name: str
    dname: str               # driver or cloner name ("epair", "bridge", "lo", "fxp")
    dunit: int
    mac: str | None
    vnet: "Vnet"
    home: "Vnet"             # where it was created; a moved interface returns here
    index: int = 0
    admin_flags: int = IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST
    running: bool = False    # IFF_DRV_RUNNING
    link_up: bool = False    # LINK_STATE_UP, shown as LOWER_UP
    promisc: int = 0         # promiscuous references (if_bridge takes one per member)
    mtu: int = 1500
    metric: int = 0
    options: int = 0
    media: str | None = None  # the "media:" line without its prefix
    baudrate: int = 10_000_000_000
    nd6: int = ND6_PERFORMNUD | ND6_IFDISABLED | ND6_AUTO_LINKLOCAL
    groups: list[str] = field(default_factory=list)
    description: str | None = None
    inet: list[InetAddr] = field(default_factory=list)
    inet6: list[Inet6Addr] = field(default_factory=list)
    bridge: "Bridge | None" = None
    bpf: list = field(default_factory=list)   # bpf(4) descriptors bound to it (if_bpf; jailkit.sim.bpf)
    pcp: int | None = None   # if_pcp, the 802.1p priority of what it sends (None: IFNET_PCP_NONE)
    fib: int = 0             # if_fib, the routing table of what arrives on it

    def __post_init__(self) -> None:
        self._register()

    def __setstate__(self, state: dict[str, object]) -> None:
        """An unpickled interface (a copy of a machine) is listed where one
        made here is (_register())."""
        self.__dict__.update(state)
        self._register()

    def _register(self) -> None:
        """Enter the interface in the process's lists of interfaces (its
        addresses, and for some drivers the driver's own list)."""
        for inet in self.inet:
            holds_address(self, int(inet.address))

    @property
    def flags(self) -> int:
        value = self.admin_flags
        if self.running:
            value |= IFF_RUNNING
        if self.promisc:
            value |= IFF_PROMISC
        if self.link_up:
            value |= IFF_LOWER_UP
        return value

    @property
    def up(self) -> bool:
        return bool(self.admin_flags & IFF_UP)

    @property
    def ether(self) -> bool:
        """if_type IFT_ETHER or IFT_L2VLAN: what bstp(4) can run on."""
        return self.mac is not None and not isinstance(self, (Bridge, Loopback))

    @property
    def span_capable(self) -> bool:
        """IFT_ETHER, IFT_L2VLAN or IFT_GIF (bridge_ioctl_addspan)."""
        return self.ether or self.dname == "gif"

    @property
    def cloned(self) -> bool:
        return self.dname in ("epair", "bridge", "lo", "vlan", "gif", "tap", "tun")

    def set_up(self, up: bool) -> None:
        if up:
            self.admin_flags |= IFF_UP
        else:
            self.admin_flags &= ~IFF_UP
        self._driver_state()

    def _driver_state(self) -> None:
        """Drivers start (IFF_DRV_RUNNING) when brought up; epair is the exception."""
        self.running = self.up
        self.link_up = self.up

    def neighbours(self) -> list["Ifnet"]:
        """Interfaces this one hands Ethernet frames to directly."""
        return []

    @property
    def max_mtu(self) -> int:
        """The largest MTU the driver's SIOCSIFMTU takes (the sim's limit
        for the cloned ones: epair(4) itself takes any)."""
        return 9216


class Loopback(Ifnet):
    @property
    def max_mtu(self) -> int:
        return 16384    # if_loop.c LOMTU_MAX

    def _driver_state(self) -> None:
        self.running = self.up
        self.link_up = self.up


def new_loopback(vnet: "Vnet", unit: int, index: int = 0) -> Loopback:
    """loN as if_loop.c lo_clone_create() makes it, down and without
    address: every vnet's lo0 and each cloned one. ``index`` is left 0 for
    the kernel to allocate; a lab machine outside the index gives its own."""
    return Loopback(f"lo{unit}", "lo", unit, None, vnet, vnet, index=index,
                    admin_flags=IFF_LOOPBACK | IFF_MULTICAST, mtu=LOMTU, options=LO_OPTIONS,
                    nd6=ND6_PERFORMNUD | ND6_AUTO_LINKLOCAL, groups=["lo"])


class Ethernet(Ifnet):
    """A physical NIC (fxp, em, vtnet ...). Its wire is a lab segment."""

    def __init__(self, *args, segment: "Segment | None" = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.segment = segment

    def _driver_state(self) -> None:
        self.running = self.up
        self.link_up = self.up and self.segment is not None

    def neighbours(self) -> list[Ifnet]:
        return [i for i in self.segment.ports if i is not self] if self.segment else []

    @property
    def max_mtu(self) -> int:
        """Jumbo frames only on a NIC with the JUMBO_MTU capability (fxp has
        none: ETHERMTU)."""
        return 9216 if self.options & IFCAP_JUMBO_MTU else 1500


class Epair(Ifnet):
    """One end of an epair(4). Both ends run from creation and their link is
    up (epair_set_state() in sys/net/if_epair.c); only IFF_UP is the user's."""

    peer: "Epair"

    def _driver_state(self) -> None:
        pass

    def neighbours(self) -> list[Ifnet]:
        return [self.peer]


class Bridge(Ifnet):
    """if_bridge(4). Members are kept newest first, as the kernel's list is
    (CK_LIST_INSERT_HEAD in bridge_ioctl_add), which is how ifconfig prints them.

    The address cache (the bridge's forwarding table) maps a MAC address to
    the member it was last seen on: bridge_input()/bridge_forward() learn
    the source of each frame that comes in by a member with LEARNING
    (bridge_rtupdate), and a frame whose destination is in it goes to that
    member alone (bridge_rtlookup); the others are flooded. It is kept in
    insertion order and listed newest first (bridge_rtnode_insert puts a
    node at the head of sc_rtlist)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.members: list[BridgeMember] = []
        self.spans: list[Ifnet] = []        # sc_spanlist, newest first too
        self.routes: dict[str, BridgeRoute] = {}   # sc_rtlist, oldest first
        self.cache_size = BRIDGE_RTABLE_MAX
        self.cache_lifetime = BRIDGE_RTABLE_TIMEOUT
        self.stp_priority = 32768           # bstp's defaults (bstp_attach)
        self.timer_since: float | None = None   # when bridge_init() started bridge_timer
        self.aged_at = 0                    # the last bridge_timer() run accounted for
        self._index: dict[Ifnet, BridgeMember] = {}     # the members by interface
        self._through: dict[Ifnet, BridgeMember] = {}   # see through()
        self._added = 0                              # members ever added: the next one's order

    def _register(self) -> None:
        super()._register()
        _bridges.add(self)

    def _driver_state(self) -> None:
        was = self.running
        self.running = self.up
        self.link_check()
        if was and not self.running:
            # bridge_stop(): the timer stops and the learnt addresses go
            self.flush(everything=False)
            self.timer_since = None

    def start_timer(self, now: float) -> None:
        """bridge_init(): bridge_timer() runs every prune period from now."""
        self.timer_since = now
        self.aged_at = int(now)

    def link_check(self) -> None:
        # bridge_linkcheck(): the bridge's link is up when a member's link is.
        self.link_up = any(m.ifnet.link_up for m in self.members)

    def add(self, ifnet: Ifnet) -> None:
        """A new member, put first (bridge_ioctl_add: CK_LIST_INSERT_HEAD).
        It is in through() unless it is an epair end whose peer is in no
        bridge; and when its peer is a member of a bridge (this one too),
        that member now leads to a bridge, so it is in that bridge's
        through()."""
        self._added += 1
        member = BridgeMember(ifnet, order=self._added)
        self.members.insert(0, member)
        self._index[ifnet] = member
        peer = ifnet.peer if type(ifnet) is Epair else None
        if peer is None or peer.bridge is not None:
            self._through[ifnet] = member
        if peer is not None and peer.bridge is not None:
            far = peer.bridge.member(peer)
            if far is not None:
                peer.bridge._through[peer] = far

    def through(self) -> list[BridgeMember]:
        """The members a broadcast goes on from, in no order, the one it
        came in by too: all but the epair ends whose peer is in no bridge,
        which take a broadcast to one stack and no further (the ARP flood
        asks that stack alone when the broadcast is for it)."""
        return list(self._through.values())

    def member(self, ifnet: Ifnet) -> BridgeMember | None:
        """bridge_lookup_member_if(): ``ifnet``'s entry when it is a member
        (the packet path asks on every frame: an index, kept by add and
        forget)."""
        return self._index.get(ifnet)

    def lookup_member(self, name: str) -> BridgeMember:
        """bridge_lookup_member(): ENOENT for a name that is no member."""
        found = next((m for m in self.members if m.ifnet.name == name), None)
        if found is None:
            raise OSErr(ENOENT)
        return found

    def forget(self, ifnet: Ifnet) -> None:
        """bridge_delete_member(): the member goes, and every address the
        cache has on it, static ones too (bridge_rtdelete IFBF_FLUSHALL).
        An epair end leaving leaves its peer's member leading nowhere."""
        self.members = [m for m in self.members if m.ifnet is not ifnet]
        self._index.pop(ifnet, None)
        self._through.pop(ifnet, None)
        if type(ifnet) is Epair and ifnet.peer.bridge is not None:
            ifnet.peer.bridge._through.pop(ifnet.peer, None)
        self.routes = {mac: r for mac, r in self.routes.items() if r.ifnet is not ifnet}

    # -- span ports (bridge_ioctl_addspan, bridge_ioctl_delspan)
    def add_span(self, ifnet: Ifnet) -> None:
        """A span port is in no bridge, and is Ethernet, a vlan or a gif."""
        if ifnet in self.spans or ifnet.bridge is not None:
            raise OSErr(EBUSY)
        if not ifnet.span_capable:
            raise OSErr(EINVAL)
        self.spans.insert(0, ifnet)

    def delete_span(self, ifnet: Ifnet | None) -> None:
        if ifnet is None or ifnet not in self.spans:
            raise OSErr(ENOENT)
        self.spans.remove(ifnet)

    def drop_span(self, ifnet: Ifnet) -> None:
        """bridge_ifdetach(): a span port that leaves its vnet or goes."""
        if ifnet in self.spans:
            self.spans.remove(ifnet)

    # -- the address cache (bridge_rtupdate, bridge_rtlookup, bridge_rtage and the ioctls)
    def update(self, mac: str, member: BridgeMember, now: float, flags: int | None = None) -> None:
        """bridge_rtupdate(): no multicast or zero address (EINVAL); a new
        entry only while the cache, and the member's own limit (ifmaxaddr),
        has room (ENOSPC). A known dynamic entry moves to ``member``; a
        dynamic sighting (``flags`` None) pushes its expiry on; a static
        one (BRDGSADDR) sets the flags but moves nothing else."""
        if int(mac[:2], 16) & 1 or mac == "00:00:00:00:00:00":
            raise OSErr(EINVAL)
        self.age(now)
        route = self.routes.get(mac)
        if route is None:
            if len(self.routes) >= self.cache_size:
                raise OSErr(ENOSPC)
            if member.ifmaxaddr and self.count(member) >= member.ifmaxaddr:
                raise OSErr(ENOSPC)
            sticky = member.flags & IFBIF_STICKY
            route = BridgeRoute(mac, member, IFBAF_STICKY if sticky else IFBAF_DYNAMIC)
            self.routes[mac] = route
        if route.dynamic:
            route.member = member
        if flags is None:
            route.expire = int(now) + self.cache_lifetime
        else:
            route.flags = flags

    def learn(self, mac: str | None, member: BridgeMember, now: float) -> bool:
        """The learning a frame from ``mac`` coming in by ``member`` does
        (bridge_forward, GRAB_OUR_PACKETS): only on a LEARNING member; False
        when the frame is dropped for it, which only a member with an
        address limit does ("deny any source that is not in the cache")."""
        if mac is None or not member.flags & IFBIF_LEARNING:
            return True
        try:
            self.update(mac, member, now)
        except OSErr:
            return not member.ifmaxaddr
        return True

    def lookup(self, mac: str | None, now: float) -> BridgeMember | None:
        """bridge_rtlookup(): the member an address was learnt on."""
        if mac is None or not self.routes:
            return None
        self.age(now)
        route = self.routes.get(mac)
        return route.member if route is not None else None

    def count(self, member: BridgeMember) -> int:
        """bif_addrcnt: the entries on one member."""
        return sum(1 for r in self.routes.values() if r.member is member)

    def age(self, now: float) -> None:
        """bridge_timer(): every prune period since the bridge started,
        bridge_rtage() drops the dynamic entries that had expired by then
        (an entry past its time lives on until that run). Run lazily: the
        runs since the last one are done before the cache is next used."""
        if self.timer_since is None:
            if not self.running:
                return
            self.start_timer(now)
        assert self.timer_since is not None
        runs = int((now - self.timer_since) // BRIDGE_RTABLE_PRUNE_PERIOD)
        last = int(self.timer_since) + runs * BRIDGE_RTABLE_PRUNE_PERIOD
        if last > self.aged_at:
            self.aged_at = last
            self._expire(last)

    def _expire(self, uptime: int) -> None:
        """bridge_rtage() at ``uptime``."""
        self.routes = {mac: r for mac, r in self.routes.items()
                       if not (r.dynamic and uptime >= r.expire)}

    def listing(self, now: float) -> list[BridgeRoute]:
        """BRDGRTS: the entries, newest first."""
        self.age(now)
        return list(reversed(self.routes.values()))

    def add_static(self, mac: str, member: BridgeMember, now: float) -> None:
        """BRDGSADDR (bridge_ioctl_saddr): bridge_rtupdate() with the
        STATIC flag set."""
        self.update(mac, member, now, flags=IFBAF_STATIC)

    def delete_address(self, mac: str) -> None:
        """BRDGDADDR (bridge_rtdaddr)."""
        if mac not in self.routes:
            raise OSErr(ENOENT)
        del self.routes[mac]

    def flush(self, everything: bool) -> None:
        """BRDGFLUSH (bridge_rtflush): IFBF_FLUSHDYN takes the dynamic
        entries, IFBF_FLUSHALL the static and sticky ones too."""
        self.routes = {mac: r for mac, r in self.routes.items() if not (everything or r.dynamic)}

    def flush_member(self, member: BridgeMember) -> None:
        """bridge_rtdelete(IFBF_FLUSHDYN) for one member: bstp(4) flushes a
        port's dynamic entries when it stops forwarding (bridge_rtable_expire
        with an age of 0)."""
        self.routes = {mac: r for mac, r in self.routes.items()
                       if not (r.member is member and r.dynamic)}

    def set_cache_size(self, size: int, now: float) -> None:
        """BRDGSCACHE: then bridge_rttrim(), which ages the cache at once
        and, still over the limit, drops dynamic entries newest first."""
        self.cache_size = size
        if len(self.routes) <= size:
            return
        self._expire(int(now))
        for mac, route in reversed(list(self.routes.items())):
            if len(self.routes) <= size:
                return
            if route.dynamic:
                del self.routes[mac]

    @property
    def max_mtu(self) -> int:
        return 65535    # IF_MAXMTU: if_bridge.c asks its members instead

    def neighbours(self) -> list[Ifnet]:
        return [m.ifnet for m in self.members] if self.running else []


@dataclass(eq=False)
class Segment:
    """A lab wire: every port on it hears every other (a hub, or a switch that
    has learnt every address)."""

    name: str
    ports: list[Ifnet] = field(default_factory=list)
    latency: float = 0.0     # one-way delay in milliseconds (an internet is far away)


# Every bridge there is: bridge_ifdetach() walks the bridges (V_bridge_list),
# not every interface, for the span ports of one that goes.
_bridges: "WeakSet[Bridge]" = WeakSet()


def bridges_in(vnet: "Vnet") -> list[Bridge]:
    """The bridges of ``vnet``, in no order."""
    return [bridge for bridge in list(_bridges) if bridge.vnet is vnet]


# Every interface with an IPv4 address, by the address as a number, in any
# vnet (Vnet.add_inet and delete_inet keep it): in_ifaddrhashtbl is one
# vnet's, but the ARP flood asks which of a bridge's far ends own an
# address, and asking them one by one grows with the jails.
_with_address: "dict[int, WeakSet[Ifnet]]" = {}


def interfaces_with(address: int) -> list[Ifnet]:
    """The interfaces, in any vnet, that have IPv4 address ``address``."""
    return list(_with_address.get(address, ()))


def holds_address(ifnet: Ifnet, address: int) -> None:
    _with_address.setdefault(address, WeakSet()).add(ifnet)


def drops_address(ifnet: Ifnet, address: int) -> None:
    holding = _with_address.get(address)
    if holding is not None:
        holding.discard(ifnet)
        if not holding:
            del _with_address[address]
