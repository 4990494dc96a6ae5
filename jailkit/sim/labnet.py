"""The lab's other machines, modelled: the LAN's gateway and the hosts of
its internet. They are separate machines, so none of their interfaces is
in the host's interface index and the host's commands cannot see them; the
host reaches them over its LAN NIC's wire only.

The gateway routes between its LAN port (em0) and its internet port (em1),
translates the LAN as the lab says (an ipnat "map" rule by default, as the
howto's ipfilter gateway does, or a pf "nat" rule), and answers DNS for the
lab's names on its LAN address. Each internet host has one port on the
internet, a default route back through the gateway, and its services."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from . import pfil
from .ifnet import Ethernet, Segment, new_loopback
from .kernel import Kernel
from .ipfilter import Ipfilter, parse_nat
from .pf import Pf, parse as parse_pf
from .services import NameServer, SshGreeting, WebServer, WhoisServer
from .socket import Listener, Service, listen
from .vnet import Vnet

if TYPE_CHECKING:
    from ..lab import Lab

IPv4Interface = ipaddress.IPv4Interface
DEFAULT = ipaddress.IPv4Network("0.0.0.0/0")
INTERNET_LATENCY = 17.5     # ms each way: the howto's pings took about 36 ms


def build(lab: "Lab", lan: Segment) -> list[Vnet]:
    """The gateway and the internet hosts, wired to ``lan``."""
    gateway = machine(lab.gateway_name)
    port(gateway, "em0", lab.gateway_mac, IPv4Interface(f"{lab.gateway}/{lab.lan.prefixlen}"), lan)
    machines = [gateway]
    if lab.dns:
        serve(gateway, "udp", 53, "unbound", NameServer(lab.names()))
    if lab.internet is None:
        return machines
    internet = Segment("internet", latency=INTERNET_LATENCY)
    wan = IPv4Interface(f"{lab.internet.gateway_address}/{lab.internet.network.prefixlen}")
    port(gateway, "em1", _mac(lab.internet.gateway_address), wan, internet)
    gateway.sysctl["net.inet.ip.forwarding"] = 1
    _translate(gateway, lab)
    for host in lab.internet.hosts:
        vnet = machine(host.name)
        port(vnet, "em0", _mac(host.address),
             IPv4Interface(f"{host.address}/{lab.internet.network.prefixlen}"), internet)
        vnet.add_route(DEFAULT, lab.internet.gateway_address, host=False)
        if host.whois is not None:
            serve(vnet, "tcp", 43, "inetd", WhoisServer(host.whois))
        if host.http is not None:
            serve(vnet, "tcp", 80, "inetd", WebServer(host.http))
        if host.ssh:
            serve(vnet, "tcp", 22, "sshd", SshGreeting())
        machines.append(vnet)
    return machines


def other_nics(kernel: Kernel, lab: "Lab", lan: Segment) -> list[Ethernet]:
    """The host's NICs besides its LAN NIC (host.other_nics), cabled to the
    same LAN segment: attached as the driver attaches them at boot, down,
    with no address (netif configures only what rc.conf names), and the
    same model as the LAN NIC (its media, speed and capabilities)."""
    host = lab.host
    return [kernel.add_physical(kernel.host_vnet, nic.nic, nic.mac, media=host.media,
                                baudrate=host.speed_mbps * 1_000_000, options=host.options,
                                segment=lan)
            for nic in host.other_nics]


def _translate(gateway: Vnet, lab: "Lab") -> None:
    if lab.nat == "ipnat":
        ipf = Ipfilter()
        ipf.enabled = True
        parse_nat(f"map em1 {lab.lan} -> 0/32\n", ipf.nat.append)
        gateway.firewalls["ipf"] = ipf
        pfil.link(gateway, "ipf")
    elif lab.nat == "pf":
        pf = Pf()
        pf.enabled = True
        pf.rules = parse_pf(f"nat on em1 from {lab.lan} to any -> (em1)\n", gateway)
        gateway.firewalls["pf"] = pf
        pfil.link(gateway, "pf")


def machines(lab: "Lab", host: Vnet) -> dict[str, Vnet]:
    """The lab's machines by name, found along the wires from ``host``'s
    NICs (build() leaves them in the segments' ports, nowhere else)."""
    wanted = set(lab.machines())
    found: dict[str, Vnet] = {}
    wires = [i.segment for i in host.ifnets if isinstance(i, Ethernet) and i.segment is not None]
    seen: list[Segment] = []
    while wires:
        wire = wires.pop()
        if any(wire is s for s in seen):
            continue
        seen.append(wire)
        for nic in wire.ports:
            vnet = nic.vnet
            if vnet is host or vnet.name not in wanted or vnet.name in found:
                continue
            found[vnet.name] = vnet
            wires += [i.segment for i in vnet.ifnets
                      if isinstance(i, Ethernet) and i.segment is not None]
    return found


def machine(name: str) -> Vnet:
    vnet = Vnet(name)
    lo0 = new_loopback(vnet, 0, index=1)
    vnet.ifnets.append(lo0)
    lo0.set_up(True)
    vnet.add_inet(lo0, IPv4Interface("127.0.0.1/8"), None, replace_first=True)
    return vnet


def port(vnet: Vnet, name: str, mac: str, address: IPv4Interface, wire: Segment) -> Ethernet:
    nic = Ethernet(name, "em", int(name[2:]), mac, vnet, vnet, index=len(vnet.ifnets) + 1,
                   media="Ethernet autoselect (1000baseT <full-duplex>)",
                   baudrate=1_000_000_000, segment=wire)
    vnet.ifnets.append(nic)
    wire.ports.append(nic)
    nic.set_up(True)
    vnet.add_inet(nic, address, address.network.broadcast_address, replace_first=False)
    return nic


def serve(vnet: Vnet, proto: str, port_number: int, command: str, handler: Service) -> None:
    listen(vnet, Listener(proto, "4", None, port_number, 0, 3, "root", command, handler))


def _mac(address: ipaddress.IPv4Address) -> str:
    """A made-up but stable MAC for a lab machine's port (locally administered)."""
    return "02:00:" + ":".join(f"{b:02x}" for b in address.packed)
