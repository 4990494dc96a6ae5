"""bpf(4): the Berkeley Packet Filter's taps on interfaces (sys/net/bpf.c).

A reader opens /dev/bpf, binds the descriptor to one interface (BIOCSETIF)
and sets a filter program (BIOCSETF). Every packet that crosses that
interface, in either direction, passes the interface's tap: a driver taps
what it transmits (ETHER_BPF_MTAP in its start/transmit routine, epair_transmit,
bridge_transmit), ether_input() taps what arrives, if_simloop() taps what
lo(4) loops back, and bridge_forward() taps what a bridge forwards. At the
tap (bpf_mtap()) each descriptor counts the packet as received (bd_rcount,
what BIOCGSTATS reports as bs_recv) and, when its filter accepts it, as
captured (bd_fcount) and hands a copy to its reader.

Binding a descriptor puts the interface in promiscuous mode unless the
reader asks not to (BIOCPROMISC; ifpromisc()), and closing it takes that
back, so ifconfig shows PROMISC while a capture runs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from .ifnet import Ifnet
from .packet import Packet


@dataclass(frozen=True)
class Capture:
    """One packet as a reader gets it: when it crossed, and where."""

    time: float                 # the kernel's clock, in seconds
    ifnet: str
    packet: Packet


@dataclass(eq=False)
class Descriptor:
    """An open /dev/bpf bound to ``ifnet``: ``accept`` is its filter
    program, ``deliver`` its reader. A reader that is stopped at a time
    (``until``) is told so (``expire``) by the first packet after it, which
    it never sees."""

    ifnet: Ifnet
    accept: Callable[[Packet], bool]
    deliver: Callable[[Capture], None]
    promisc: bool = True
    until: float | None = None
    expire: Callable[[], None] = lambda: None
    received: int = 0           # bd_rcount
    captured: int = 0           # bd_fcount
    dropped: int = 0            # bd_dcount: the sim's buffer never overflows

    @property
    def attached(self) -> bool:
        return self in self.ifnet.bpf


def attach(descriptor: Descriptor) -> Descriptor:
    """BIOCSETIF (bpf_attachd()), and BIOCPROMISC unless the reader said -p."""
    descriptor.ifnet.bpf.append(descriptor)
    if descriptor.promisc:
        descriptor.ifnet.promisc += 1
    return descriptor


def detach(descriptor: Descriptor) -> None:
    """close(2) of the descriptor (bpf_detachd()): the tap and the
    promiscuous reference go."""
    if not descriptor.attached:
        return
    descriptor.ifnet.bpf.remove(descriptor)
    if descriptor.promisc:
        descriptor.ifnet.promisc -= 1


def tap(ifnet: Ifnet, packet: Packet, now: float) -> None:
    """bpf_mtap(): ``packet`` crosses ``ifnet`` now. A reader may close its
    descriptor while it reads (tcpdump -c), so the list is copied first."""
    for descriptor in list(ifnet.bpf):
        if descriptor.until is not None and now > descriptor.until:
            descriptor.expire()
            detach(descriptor)
            continue
        descriptor.received += 1
        if descriptor.accept(packet):
            descriptor.captured += 1
            descriptor.deliver(Capture(now, ifnet.name, replace(packet)))
