"""A virtual network stack (VIMAGE vnet): its interfaces, addresses, routes
and the sysctls VIMAGE virtualises."""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass, field
from typing import Protocol

from .errno import EADDRNOTAVAIL, EEXIST, ENETUNREACH, ESRCH, OSErr
from .ifnet import Ifnet, Inet6Addr, InetAddr, Loopback, drops_address, holds_address
from .packet import Packet

IPv4 = ipaddress.IPv4Address
Net4 = ipaddress.IPv4Network


class Verdict(enum.Enum):
    """What a pfil(9) hook decides (see pfil.py)."""
    PASS = "pass"
    DROP = "drop"
    REFUSE = "refuse"


@dataclass
class Hook:
    """Where a packet meets the firewalls: a vnet, a direction and the
    interface it arrives on ("in") or leaves by ("out")."""

    vnet: "Vnet"
    direction: str
    ifnet: Ifnet
    now: float = 0.0


class Firewall(Protocol):
    """A firewall's per-vnet instance (ipfw, pf, ipfilter) as pfil runs it."""

    name: str

    def check(self, hook: Hook, packet: Packet) -> Verdict:
        ...


@dataclass(eq=False)
class Route:
    dest: Net4
    gateway: IPv4 | None      # None: directly connected ("link#N")
    ifnet: Ifnet
    static: bool = False
    host: bool = False        # RTF_HOST (a /32 route such as a local address)

    @property
    def flag_letters(self) -> str:
        """netstat -r's Flags column (U, G, H, S)."""
        return "U" + ("G" if self.gateway else "") + ("H" if self.host else "") + (
            "S" if self.static or (self.host and self.gateway is None) else "")

    @property
    def flag_names(self) -> list[str]:
        """route get's flags (sys/net/route.h RTF_* names)."""
        names = ["UP"]
        if self.gateway:
            names.append("GATEWAY")
        if self.host:
            names.append("HOST")
        names.append("DONE")
        if self.static:
            names.append("STATIC")
        elif not self.gateway and not self.host:
            names.append("PINNED")
        return names


@dataclass(eq=False)
class Vnet:
    name: str
    ifnets: list[Ifnet] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    # VIMAGE-virtualised sysctls (each vnet has its own value).
    sysctl: dict[str, int] = field(default_factory=lambda: {
        "net.inet.ip.forwarding": 0,
        "net.inet.ip.ttl": 64,
        "net.inet6.ip6.forwarding": 0,
        # nd6_nbr.c: the neighbor solicitations DAD sends for a new address
        "net.inet6.ip6.dad_count": 1,
        "net.link.bridge.inherit_mac": 0,
        # if_bridge.c: which pfil hooks a bridged packet meets (bridge_pfil)
        "net.link.bridge.pfil_member": 1,
        "net.link.bridge.pfil_bridge": 0,
        "net.link.bridge.pfil_onlyip": 1,
        "net.link.bridge.pfil_local_phys": 0,
    })
    units: dict[str, set[int]] = field(default_factory=dict)   # cloner unit numbers in use
    # Firewalls of this stack by name ("pf", "ipfw", "ipf"), and the names
    # whose pfil hooks are linked, in linking order (see pfil.py).
    firewalls: dict[str, Firewall] = field(default_factory=dict)
    hooks: list[str] = field(default_factory=list)
    # Listening sockets (the inpcb tables), see socket.py.
    listeners: list = field(default_factory=list)
    # When each TCP connection of this stack in TIME_WAIT ends (virtual
    # seconds, socket.time_wait): until then its inpcb, and the credential
    # it holds, live on.
    time_wait: list[float] = field(default_factory=list)
    # ifunit()'s index: the interfaces by name (not part of the vnet's state)
    named: dict[str, Ifnet] = field(default_factory=dict, compare=False, repr=False)
    indexed: int = field(default=0, compare=False, repr=False)   # len(ifnets) it indexes

    # -- interfaces ---------------------------------------------------------
    def ifunit(self, name: str) -> Ifnet | None:
        """ifunit(9): the interface of that name here, from the vnet's
        index by name (the kernel keeps its interfaces in a list and
        hashes their names too). The kernel tells the index of each
        interface that comes (added), leaves (purge) or is renamed
        (renamed); a list that changed without it (a lab machine's own
        interfaces) is indexed again."""
        if self.indexed != len(self.ifnets):
            self.named = {}
            for ifnet in self.ifnets:
                self.named.setdefault(ifnet.name, ifnet)
            self.indexed = len(self.ifnets)
        found = self.named.get(name)
        if found is not None and found.name != name:    # renamed behind renamed()
            self.indexed = -1
            return self.ifunit(name)
        return found

    def added(self, ifnet: Ifnet) -> None:
        """``ifnet`` was appended to this vnet's list."""
        if self.indexed == len(self.ifnets) - 1:
            self.named.setdefault(ifnet.name, ifnet)
            self.indexed += 1

    def renamed(self, ifnet: Ifnet, old: str) -> None:
        if self.named.get(old) is ifnet:
            del self.named[old]
        self.named.setdefault(ifnet.name, ifnet)

    @property
    def loopback(self) -> Ifnet | None:
        return next((i for i in self.ifnets if isinstance(i, Loopback)), None)

    def alloc_unit(self, cloner: str, wanted: int | None = None) -> int:
        used = self.units.setdefault(cloner, set())
        if wanted is None:
            wanted = 0
            while wanted in used:
                wanted += 1
        elif wanted in used:
            raise OSErr(EEXIST)
        used.add(wanted)
        return wanted

    def free_unit(self, cloner: str, unit: int) -> None:
        self.units.get(cloner, set()).discard(unit)

    # -- addresses and routes -----------------------------------------------
    def local_addresses(self) -> list[IPv4]:
        return [a.address for i in self.ifnets for a in i.inet]

    def first_address(self, ifname: str) -> IPv4 | None:
        """The first IPv4 address of interface ``ifname`` here, as NAT's
        "(if)", "if IF" and "0/32" targets take it at packet time."""
        ifnet = self.ifunit(ifname)
        return ifnet.inet[0].address if ifnet is not None and ifnet.inet else None

    def owner_of(self, address: IPv4) -> Ifnet | None:
        return next((i for i in self.ifnets for a in i.inet if a.address == address), None)

    def inet6_addr(self, address: ipaddress.IPv6Address) -> Inet6Addr | None:
        """ifa_ifwithaddr() for IPv6: the address as an interface here has it."""
        return next((a for i in self.ifnets for a in i.inet6 if a.address == address), None)

    def add_inet(self, ifnet: Ifnet, iface: ipaddress.IPv4Interface, broadcast: IPv4 | None,
                 replace_first: bool) -> None:
        """SIOCAIFADDR: add an address with its prefix route and the host
        route to it through the loopback interface (lo0). An address on a
        loopback interface (lo1) needs no such route: its own host route
        goes through that interface (in.c ia_need_loopback_route)."""
        if replace_first and ifnet.inet:
            self.delete_inet(ifnet, ifnet.inet[0].address)
        existing = next((a for a in ifnet.inet if a.address == iface.ip), None)
        if existing:
            self.delete_inet(ifnet, iface.ip)
        ifnet.inet.append(InetAddr(iface, broadcast))
        holds_address(ifnet, int(iface.ip))
        loop = ifnet if isinstance(ifnet, Loopback) else (self.loopback or ifnet)
        if iface.network.prefixlen < 32 and not self._has_prefix(iface.network):
            self.routes.append(Route(iface.network, None, ifnet))
        if iface.ip not in {r.dest.network_address for r in self.routes if r.host}:
            self.routes.append(Route(Net4(f"{iface.ip}/32"), None, loop, host=True))

    def delete_inet(self, ifnet: Ifnet, address: IPv4) -> None:
        found = next((a for a in ifnet.inet if a.address == address), None)
        if found is None:
            raise OSErr(EADDRNOTAVAIL)
        ifnet.inet.remove(found)
        drops_address(ifnet, int(address))
        self.routes = [r for r in self.routes
                       if not (r.host and r.dest.network_address == address and r.gateway is None)
                       and not (r.ifnet is ifnet and not r.static and r.dest == found.interface.network
                                and not any(a.interface.network == r.dest for a in ifnet.inet))]

    def _has_prefix(self, network: Net4) -> bool:
        return any(r.dest == network and not r.host for r in self.routes)

    def purge(self, ifnet: Ifnet) -> None:
        """Forget an interface's addresses and every route through it (it
        is leaving: destroyed or moved to another vnet)."""
        if self.named.get(ifnet.name) is ifnet and self.indexed == len(self.ifnets):
            del self.named[ifnet.name]
            self.indexed -= 1       # its removal from the list follows
        for addr in list(ifnet.inet):
            self.delete_inet(ifnet, addr.address)
        ifnet.inet6.clear()
        self.routes = [r for r in self.routes if r.ifnet is not ifnet]

    def lookup(self, dest: IPv4) -> Route | None:
        """Longest-prefix match over the routing table (FIB 0)."""
        best: Route | None = None
        for route in self.routes:
            if dest in route.dest and (best is None or route.dest.prefixlen > best.dest.prefixlen):
                best = route
        return best

    def add_route(self, dest: Net4, gateway: IPv4, *, host: bool) -> Route:
        """RTM_ADD of a static route through a gateway, which must be on a
        directly connected network (else ENETUNREACH, as route(8) reports)."""
        via = self.lookup(gateway)
        if via is None or via.gateway is not None:
            raise OSErr(ENETUNREACH)
        if any(r.dest == dest for r in self.routes):
            raise OSErr(EEXIST)
        ifnet = via.ifnet if not via.host else (self.owner_of(gateway) or via.ifnet)
        route = Route(dest, gateway, ifnet, static=True, host=host)
        self.routes.append(route)
        return route

    def change_route(self, dest: Net4, gateway: IPv4, *, host: bool) -> Route:
        """RTM_CHANGE: the static route to ``dest`` gets a new gateway
        (ESRCH without one); when the new gateway is unreachable, the route
        stays as it was."""
        existing = self.delete_route(dest)
        try:
            return self.add_route(dest, gateway, host=host)
        except OSErr:
            self.routes.append(existing)
            raise

    def flush_static(self) -> list[Route]:
        """route flush: every static route is deleted (RTM_DELETE each);
        the routes the addresses made stay. Returns the deleted routes."""
        flushed = [r for r in self.routes if r.static]
        self.routes = [r for r in self.routes if not r.static]
        return flushed

    def delete_route(self, dest: Net4) -> Route:
        route = next((r for r in self.routes if r.dest == dest and r.static), None)
        if route is None:
            raise OSErr(ESRCH)
        self.routes.remove(route)
        return route
