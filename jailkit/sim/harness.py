"""The harness's own ssh session to a bare box: the TCP connection jailkit's
ssh client holds to the box's sshd, as the box's network sees it.

Where the harness is (``CLIENTS``):

- ``on-link``: as with Vagrant on VirtualBox, whose NAT makes every
  connection from the host appear to come from the uplink router, 10.0.2.2,
  on the box's own network;
- ``routed``: as with a cloud VM, an address on another network
  (198.51.100.20, TEST-NET-2) behind the uplink router, reached by the box's
  default route.

The connection is made when the box is up (a SYN and its answer through the
packet path, so a firewall already loaded then makes its states) and after
that it is a stream of segments without SYN. alive() sends one segment of
it each way through the same path every packet takes (jailkit.sim.network:
routes, the NIC, every firewall's pfil hooks): a firewall loaded later
without a state for it and a rule that passes it, a flushed state table
under a ruleset that blocks by default, ipfw's default rule denying, or a
default route moved away from a routed client stop one direction, and the
session is lost for good, as a TCP connection whose segments are dropped
is (the harness gives up after its keepalives; nothing on the box can
bring the session back, since nothing the harness sends arrives)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from . import labnet
from .ifnet import Segment
from .network import Unreachable, send
from .packet import Packet
from .vnet import Vnet

IPv4 = ipaddress.IPv4Address
CLIENTS = ("on-link", "routed")
SSH_PORT = 22
# The harness's end of the connection: a fixed port keeps the seeded
# generator's sequence as it is without a harness (a NAT picks any).
CLIENT_PORT = 50022
ROUTED_NET = ipaddress.IPv4Interface("198.51.100.1/24")   # the router's far side
ROUTED_CLIENT = ipaddress.IPv4Interface("198.51.100.20/24")
DEFAULT = ipaddress.IPv4Network("0.0.0.0/0")


@dataclass(eq=False)
class Harness:
    """One TCP connection from ``vnet`` (the harness's stack) at
    ``address``:CLIENT_PORT to the box's sshd at ``server``:22."""

    vnet: Vnet
    address: IPv4
    server: IPv4
    established: bool = False
    lost: bool = False

    @property
    def ssh_connection(self) -> str:
        """$SSH_CONNECTION, as sshd sets it for the session's commands."""
        return f"{self.address} {CLIENT_PORT} {self.server} {SSH_PORT}"

    def connect(self, box: Vnet, now: float) -> None:
        """The harness logs in: a SYN to sshd and its answer. Refused or
        lost, there is no session (lost)."""
        self.established = self._round_trip(box, now, syn=True)
        self.lost = not self.established

    def alive(self, box: Vnet, now: float) -> bool:
        """Does a segment of the session still get through, each way?
        Once one does not, the session stays lost."""
        if not self.lost and not self._round_trip(box, now, syn=False):
            self.lost = True
        return not self.lost

    def _round_trip(self, box: Vnet, now: float, syn: bool) -> bool:
        segment = Packet("tcp", self.address, self.server, CLIENT_PORT, SSH_PORT, syn=syn,
                         size=52)
        sent = segment.tuple()
        try:
            there = send(self.vnet, segment, now)
            if there.destination is not box or there.packet.dport != SSH_PORT:
                return False
            back = send(box, there.packet.answer(size=52), now)
        except Unreachable:
            return False
        proto, src, sport, dst, dport = sent
        return back.destination is self.vnet and back.packet.tuple() == (proto, dst, dport, src, sport)


def attach(kind: str, router: Vnet, server: IPv4) -> Harness:
    """The harness's stack for ``kind``: the uplink router itself (on-link,
    VirtualBox NAT), or a machine on a network behind it (routed)."""
    if kind == "on-link":
        address = next(a.address for i in router.ifnets for a in i.inet
                       if not a.address.is_loopback)
        return Harness(router, address, server)
    far = Segment("harness")
    labnet.port(router, f"em{len(router.ifnets) - 1}", "52:54:00:12:35:63", ROUTED_NET, far)
    router.sysctl["net.inet.ip.forwarding"] = 1
    client = labnet.machine("harness")
    labnet.port(client, "em0", "02:00:c6:33:64:14", ROUTED_CLIENT, far)
    client.add_route(DEFAULT, ROUTED_NET.ip, host=False)
    return Harness(client, ROUTED_CLIENT.ip, server)
