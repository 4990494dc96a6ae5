"""lagg(4), the link aggregation interface (sys/net/if_lagg.c, if_lagg.h,
ieee8023ad_lacp.c): its ports, their flags as SIOCGLAGG reports them
(lagg_port2req), which port sends (each protocol's pr_start) and which
port's frames are taken in (pr_input), and the lagg's link state
(lagg_linkstate, lagg_media_status).

The sim's wires carry no LACPDU: no port has an LACP partner, so a port
stays in the state the partner's administrative defaults give it
(lacp_sm_rx_record_default): in strict mode (net.link.lagg.lacp.
default_strict_mode=1, the default) the partner is never in sync, the
ports join the active aggregator (ACTIVE) but neither collect nor
distribute and no frame passes; without strict mode the optimistic
default partner lets every port with link collect and distribute."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from weakref import WeakSet

from .ifnet import IFF_BROADCAST, IFF_MULTICAST, IFF_SIMPLEX, Ifnet

if TYPE_CHECKING:
    from .vnet import Vnet

# if_lagg.h: protocols as ifconfig names them (LAGG_PROTOS, "default" is failover).
PROTOS = ["failover", "lacp", "loadbalance", "roundrobin", "broadcast", "none"]
PROTO_ALIASES = {"default": "failover"}
# Port flags (LAGG_PORT_*) and their names (LAGG_PORT_BITS).
LAGG_PORT_MASTER = 0x1
LAGG_PORT_ACTIVE = 0x4
LAGG_PORT_COLLECTING = 0x8
LAGG_PORT_DISTRIBUTING = 0x10
PORT_BITS = {0x1: "MASTER", 0x2: "STACK", 0x4: "ACTIVE", 0x8: "COLLECTING",
             0x10: "DISTRIBUTING", 0x20: "DISABLED"}
# lagg_clone_create(): every hash layer (LAGG_F_HASHL2|L3|L4).
HASH_LAYERS = ("l2", "l3", "l4")
ZERO_MAC = "00:00:00:00:00:00"
LAGG_MAX_PORTS = 32
# The sysctls the protocols read (each vnet's own).
FAILOVER_RX_ALL = "net.link.lagg.failover_rx_all"
LACP_STRICT = "net.link.lagg.lacp.default_strict_mode"


@dataclass(eq=False)
class LaggPort:
    """struct lagg_port: the interface and what the lagg keeps to give it
    back as it was (its own MAC: lp_lladdr)."""

    ifnet: Ifnet
    lladdr: str | None


def port_active(ifnet: Ifnet) -> bool:
    """LAGG_PORTACTIVE(): link up and IFF_UP."""
    return ifnet.link_up and ifnet.up


class Lagg(Ifnet):
    """laggN. Ports are kept sorted by interface index (lagg_port_create
    inserts them so); the first port added is the primary (sc_primary)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ports: list[LaggPort] = []
        self.primary: LaggPort | None = None
        self.proto = "failover"          # LAGG_PROTO_DEFAULT
        self.hash: tuple[str, ...] = HASH_LAYERS
        self.lacp_strict = True          # lsc_strict_mode, from the sysctl at attach

    def _register(self) -> None:
        super()._register()
        _laggs.add(self)

    @property
    def cloned(self) -> bool:
        return True

    def set_lladdr(self, mac: str) -> None:
        """SIOCSIFLLADDR: if_setlladdr() re-inits an interface that is up
        (SIOCSIFFLAGS down then up), and lagg_init() gives every port the
        lagg's address; a lagg that is down keeps it to itself until then."""
        self.mac = mac
        if self.up:
            self._sync_lladdr()

    @property
    def link_up(self) -> bool:
        """lagg_linkstate(): up while a port's link is (what
        lagg_media_status reports as the status too)."""
        return any(p.ifnet.link_up for p in self.ports)

    @link_up.setter
    def link_up(self, value: bool) -> None:
        """The link state is the ports', never set on the lagg itself."""

    def _driver_state(self) -> None:
        if self.up and not self.running:
            self._sync_lladdr()          # lagg_init(): the ports take its address
        self.running = self.up           # lagg_init() / lagg_stop()

    def _sync_lladdr(self) -> None:
        for port in self.ports:
            port.ifnet.mac = self.mac

    def port(self, ifnet: Ifnet) -> LaggPort | None:
        return next((p for p in self.ports if p.ifnet is ifnet), None)

    def link_active(self, start: LaggPort | None) -> LaggPort | None:
        """lagg_link_active(): ``start`` when active, else the port after
        it, else the first active port."""
        if start is not None and start in self.ports:
            if port_active(start.ifnet):
                return start
            following = self.ports[self.ports.index(start) + 1:][:1]
            if following and port_active(following[0].ifnet):
                return following[0]
        return next((p for p in self.ports if port_active(p.ifnet)), None)

    def port_flags(self, port: LaggPort) -> int:
        """lagg_port2req(): the protocol's flags for one port."""
        flags = 0
        if self.proto == "failover":
            if port is self.primary:
                flags |= LAGG_PORT_MASTER
            if port is self.link_active(self.primary):
                flags |= LAGG_PORT_ACTIVE
        elif self.proto in ("roundrobin", "loadbalance", "broadcast"):
            if port_active(port.ifnet):
                flags |= LAGG_PORT_ACTIVE
        elif self.proto == "lacp" and port_active(port.ifnet):
            # lacp_isactive(): in the active aggregator; collecting and
            # distributing only with a partner in sync (see the docstring)
            flags |= LAGG_PORT_ACTIVE
            if not self.lacp_strict:
                flags |= LAGG_PORT_COLLECTING | LAGG_PORT_DISTRIBUTING
        return flags

    def transmit_ports(self) -> list[LaggPort]:
        """lagg_transmit() and the protocol's pr_start: the ports a frame
        leaves by (none: ENXIO/ENETDOWN, the frame is dropped)."""
        if self.proto == "none" or not self.ports:
            return []
        if self.proto == "failover":
            chosen = self.link_active(self.primary)
        elif self.proto == "broadcast":
            return [p for p in self.ports if port_active(p.ifnet)]
        elif self.proto == "lacp":
            chosen = next((p for p in self.ports
                           if self.port_flags(p) & LAGG_PORT_DISTRIBUTING), None)
        else:
            # lagg_rr_start() takes the ports in turn, lagg_lb_start() the
            # one a hash of the flow picks; the sim decides the way of a
            # connection by its first packet, which leaves by the first
            # active port
            chosen = self.link_active(self.ports[0])
        return [chosen] if chosen is not None else []

    def accepts(self, port: LaggPort, rx_all: bool) -> bool:
        """lagg_input() and the protocol's pr_input: is a frame that came
        in by ``port`` handed to the lagg? Failover takes the primary's,
        or the active port's while the primary is down, or any port's with
        net.link.lagg.failover_rx_all=1 (lagg_fail_input); LACP only a
        collecting port's (lacp_input)."""
        if not self.running or self.proto == "none":
            return False
        if self.proto == "failover":
            if port is self.primary or rx_all:
                return True
            if self.primary is not None and not port_active(self.primary.ifnet):
                active = self.link_active(self.primary)
                return active is None or active is port
            return False
        if self.proto == "lacp":
            return bool(self.port_flags(port) & LAGG_PORT_COLLECTING)
        return True


def new_lagg(vnet: "Vnet", unit: int) -> Lagg:
    """lagg_clone_create(): an Ethernet interface with a zero address until
    its first port gives it one, in group "lagg"."""
    return Lagg(f"lagg{unit}", "lagg", unit, ZERO_MAC, vnet, vnet,
                admin_flags=IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST, groups=["lagg"],
                media="Ethernet autoselect")


# Every lagg there is, for any_ports(): a frame's way need not ask each
# interface it reaches which lagg it is a port of while no lagg has one.
_laggs: "WeakSet[Lagg]" = WeakSet()


def any_ports() -> bool:
    """Has any lagg a port?"""
    return any(lagg.ports for lagg in list(_laggs))


def lagg_of(ifnet: Ifnet) -> Lagg | None:
    """ifp->if_lagg: the lagg of ``ifnet``'s vnet that ``ifnet`` is a port
    of, asked of the laggs alone, not of each interface there (a start
    asks it of a host with hundreds of epairs); a destroyed lagg has no
    ports left (lagg_clone_destroy)."""
    vnet = ifnet.vnet
    return next((lagg for lagg in list(_laggs)
                 if lagg.vnet is vnet and lagg.port(ifnet) is not None), None)


def lagg_input(port: Ifnet) -> Ifnet | None:
    """The interface that takes a frame ``port`` received: ether_input() on
    a lagg port hands it to lagg_input(), so the lagg when its protocol
    takes frames from that port, None when it drops them (failover's
    wrong port, see net.link.lagg.failover_rx_all); an interface in no
    lagg takes its own."""
    lagg = lagg_of(port)
    member = lagg.port(port) if lagg is not None else None
    if lagg is None or member is None:
        return port
    return lagg if lagg.accepts(member, bool(lagg.vnet.sysctl.get(FAILOVER_RX_ALL, 0))) else None
