"""Cloned pseudo-interfaces besides epair, bridge and lo: vlan(4)
(sys/net/if_vlan.c), gif(4) (sys/net/if_gif.c) and tap(4)
(sys/net/if_tuntap.c), as their drivers set them up.

Of them vlan and gif carry the sim's frames: the sim's wires have no 802.1Q
tags (a vlan reaches the vlans of its tag on its parent's wire, nothing
else), and a gif reaches the gif at its tunnel's other end (network.py
follows the encapsulating packet's way, which is not a packet of its own);
no process reads a tap's /dev node (so its link stays down, as a tap
nobody opened is)."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from weakref import WeakSet

from .ifnet import IFF_BROADCAST, IFF_MULTICAST, IFF_SIMPLEX, Ifnet
from .lagg import Lagg, lagg_input

if TYPE_CHECKING:
    from .vnet import Vnet

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IFF_POINTOPOINT = 0x10
IFCAP_VLAN_MTU = 0x8
IFCAP_LINKSTATE = 0x80000
ZERO_MAC = "00:00:00:00:00:00"
VLAN_ENCAP_LEN = 4        # if_vlan_var.h: the 802.1Q header
EVL_VLID_MASK = 0x0FFF
GIF_MTU, GIF_MTU_MIN, GIF_MTU_MAX = 1280, 1280, 8192   # if_gif.h
TAP_MEDIA = "Ethernet 1000baseT <full-duplex>"        # tunmedia: IFM_1000_T | IFM_FDX


class Vlan(Ifnet):
    """vlanN or PARENT.TAG. Until it has a parent (vlan_config) it has a
    zero MAC, no media and does not run; with one it takes the parent's
    MAC, media and link state, and an MTU 4 bytes short of the parent's
    unless the parent has VLAN_MTU (ifv_mtufudge)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.parent: Ifnet | None = None
        self.tag = 0
        self.pcp = 0
        self.proto = "802.1q"

    def _register(self) -> None:
        super()._register()
        _vlans.add(self)

    @property
    def link_up(self) -> bool:
        return self.parent is not None and self.parent.link_up   # vlan_link_state()

    @link_up.setter
    def link_up(self, value: bool) -> None:
        """The link state is the parent's."""

    @property
    def media(self) -> str | None:
        # vlan_ioctl passes SIOCGIFMEDIA to the parent
        return self.parent.media if self.parent is not None else None

    @media.setter
    def media(self, value: str | None) -> None:
        """The media is the parent's."""

    def _driver_state(self) -> None:
        pass    # vlan_config()/vlan_unconfig() start and stop it, not IFF_UP

    def neighbours(self) -> list[Ifnet]:
        """A tagged frame crosses the parent's wire (vlan_transmit; a lagg
        parent sends by the port its protocol picks) to the vlans of the
        same tag and protocol on the interfaces there (vlan_input), or on
        the lagg that takes the frame from such a port (lagg_input before
        vlan_input); nothing while the parent is down."""
        parent = self.parent
        if parent is None or not (parent.up and parent.running):
            return []
        wires = [p.ifnet for p in parent.transmit_ports()] if isinstance(parent, Lagg) else [parent]
        peers = [peer for wire in wires for peer in wire.neighbours() if peer.up and peer.running]
        receivers = [lagg_input(peer) for peer in peers]
        return [vlan for receiver in receivers if receiver is not None
                for vlan in vlans_of(receiver) if vlan.tag == self.tag and vlan.proto == self.proto]

    @property
    def mtu_fudge(self) -> int:
        if self.parent is not None and self.parent.options & IFCAP_VLAN_MTU:
            return 0
        return VLAN_ENCAP_LEN

    @property
    def max_mtu(self) -> int:
        """vlan_ioctl SIOCSIFMTU: up to the parent's MTU less the fudge;
        nothing without a parent (EINVAL)."""
        return self.parent.mtu - self.mtu_fudge if self.parent is not None else 0


# Every vlan there is: a parent's vlans are asked of them, not of every
# interface of its vnet (if_vlan keeps them in the parent's trunk).
_vlans: "WeakSet[Vlan]" = WeakSet()


def vlans_of(parent: Ifnet) -> list[Vlan]:
    """The vlans of ``parent``'s vnet whose parent it is, in no order."""
    vnet = parent.vnet
    return [vlan for vlan in list(_vlans) if vlan.parent is parent and vlan.vnet is vnet]


class Gif(Ifnet):
    """gifN: point-to-point, MTU 1280, running with its link up once it has
    a tunnel (gif_set_tunnel), whether or not it is up."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tunnel: tuple[IPAddress, IPAddress] | None = None
        self.tunnel_fib = 0      # gif_fibnum: the FIB its encapsulated packets are routed in

    @property
    def link_up(self) -> bool:
        return self.tunnel is not None

    @link_up.setter
    def link_up(self, value: bool) -> None:
        """The link state is the tunnel's."""

    def _driver_state(self) -> None:
        pass

    @property
    def max_mtu(self) -> int:
        return GIF_MTU_MAX


class Tap(Ifnet):
    """tapN: an Ethernet whose other end is /dev/tapN. Nobody opens it in
    the sim, so it never runs and has no carrier (tunopen sets both)."""

    def _driver_state(self) -> None:
        pass


def new_vlan(vnet: "Vnet", name: str, unit: int | None) -> Vlan:
    """vlan_clone_create(): Ethernet flags, no parent yet."""
    return Vlan(name, "vlan", unit if unit is not None else -1, ZERO_MAC, vnet, vnet,
                admin_flags=IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST, groups=["vlan"])


def new_gif(vnet: "Vnet", unit: int) -> Gif:
    """gif_clone_create()."""
    return Gif(f"gif{unit}", "gif", unit, None, vnet, vnet, admin_flags=IFF_POINTOPOINT | IFF_MULTICAST,
               mtu=GIF_MTU, options=IFCAP_LINKSTATE, groups=["gif"])


def new_tap(vnet: "Vnet", unit: int, mac: str) -> Tap:
    """tun_clone_create() for a tap: an Ethernet with a generated MAC."""
    return Tap(f"tap{unit}", "tap", unit, mac, vnet, vnet,
               admin_flags=IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST, options=IFCAP_LINKSTATE,
               media=TAP_MEDIA, groups=["tap"])
