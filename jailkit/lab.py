"""The lab: the world around the FreeBSD host that a howto assumes (its LAN,
the LAN's gateway with its NAT and name service, and an internet of a few
named hosts with their services), described in YAML. The sim models it; on
a real box jailkit builds it out of FreeBSD itself. Scenarios name its
values as ``<lan_nic>``, ``<gateway>`` ... so one feature runs on both."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .names import InvalidName, validate_ifname

DEFAULT_LAB = "qjail-vnet"
MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


class LabError(ValueError):
    pass


@dataclass(frozen=True)
class LabHost:
    hostname: str
    nic: str
    mac: str
    address: ipaddress.IPv4Interface
    media: str          # ifconfig's media line, e.g. "autoselect (100baseTX <full-duplex>)"
    speed_mbps: int
    options: int        # the NIC's enabled capabilities (ifconfig "options=")


SERVICES = ("whois", "http", "ssh")
NAT_KINDS = ("ipnat", "pf", "none")


@dataclass(frozen=True)
class InternetHost:
    """A host on the lab's internet: its name, address and what answers
    there besides ICMP echo (whois on 43 with a reply, http on 80, ssh on 22)."""

    name: str
    address: ipaddress.IPv4Address
    whois: str | None = None        # the reply; {query} is replaced by the query
    http: str | None = None         # the body of the page
    ssh: bool = False


@dataclass(frozen=True)
class Internet:
    network: ipaddress.IPv4Network
    gateway_address: ipaddress.IPv4Address      # the LAN gateway's address out there
    hosts: tuple[InternetHost, ...] = ()

    def names(self) -> dict[str, ipaddress.IPv4Address]:
        return {h.name: h.address for h in self.hosts}


@dataclass(frozen=True)
class Lab:
    name: str
    description: str
    release: str
    host: LabHost
    lan: ipaddress.IPv4Network
    gateway: ipaddress.IPv4Address
    gateway_mac: str
    gateway_name: str = "gateway"
    nat: str = "none"               # how the gateway translates the LAN: ipnat, pf, none
    dns: bool = False               # the gateway answers DNS for the lab's names
    internet: Internet | None = None
    values: dict[str, str] = field(default_factory=dict)

    def names(self) -> dict[str, ipaddress.IPv4Address]:
        """Every name the lab's DNS answers for."""
        names = {self.gateway_name: self.gateway}
        if self.internet is not None:
            names.update(self.internet.names())
        return names

    def variables(self) -> dict[str, str]:
        """The names a feature may write as ``<name>``."""
        host = self.host
        names = {
            "hostname": host.hostname,
            "release": self.release,
            "lan_nic": host.nic,
            "host_ip": str(host.address.ip),
            "host_mac": host.mac,
            "lan_network": str(self.lan),
            "lan_netmask": f"0x{int(host.address.netmask):08x}",
            "lan_broadcast": str(self.lan.broadcast_address),
            "gateway": str(self.gateway),
        }
        if self.internet is not None:
            names["internet_network"] = str(self.internet.network)
            names["gateway_wan"] = str(self.internet.gateway_address)
            for host in self.internet.hosts:
                if host.whois is not None:
                    names.setdefault("whois_server", host.name)
        names.update(self.values)
        return names


def lab_path(name: str) -> Path:
    if name.endswith((".yaml", ".yml")) or "/" in name:
        return Path(name)
    return Path(str(resources.files("jailkit") / "labs" / f"{name}.yaml"))


def load_lab(name: str = DEFAULT_LAB) -> Lab:
    path = lab_path(name)
    if not path.is_file():
        known = sorted(p.stem for p in lab_path("x").parent.glob("*.yaml"))
        raise LabError(f"no lab named {name!r} (known labs: {', '.join(known)})")
    import yaml  # here, so that unpickling a lab needs no YAML library
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise LabError(f"{path}: not valid YAML: {exc}") from exc
    return parse_lab(data, source=str(path))


def parse_lab(data: object, source: str = "lab") -> Lab:
    if not isinstance(data, dict):
        raise LabError(f"{source}: a lab is a mapping")

    def need(mapping: dict, key: str, where: str):
        if key not in mapping:
            raise LabError(f"{source}: {where} needs '{key}'")
        return mapping[key]

    host = need(data, "host", "the lab")
    lan = need(data, "lan", "the lab")
    try:
        address = ipaddress.IPv4Interface(need(host, "address", "host"))
        network = ipaddress.IPv4Network(need(lan, "network", "lan"))
        gateway = ipaddress.IPv4Address(need(lan, "gateway", "lan"))
    except ValueError as exc:
        raise LabError(f"{source}: {exc}") from exc
    nic = str(need(host, "nic", "host"))
    try:
        validate_ifname(nic)
    except InvalidName as exc:
        raise LabError(f"{source}: host.nic: {exc}") from None
    for label, mac in (("host.mac", host.get("mac", "")), ("lan.gateway_mac", lan.get("gateway_mac", ""))):
        if not MAC.match(str(mac)):
            raise LabError(f"{source}: {label} must be a MAC address like 00:0c:f1:cd:55:ea")
    if address.ip not in network or gateway not in network:
        raise LabError(f"{source}: the host address and the gateway must be on {network}")
    if address.network != network:
        raise LabError(f"{source}: host.address {address} does not match lan.network {network}")
    values = {str(k): str(v) for k, v in (data.get("values") or {}).items()}
    gateway_section = data.get("gateway") or {}
    if not isinstance(gateway_section, dict):
        raise LabError(f"{source}: gateway must be a mapping")
    nat = str(gateway_section.get("nat", "none"))
    if nat not in NAT_KINDS:
        raise LabError(f"{source}: gateway.nat must be one of {', '.join(NAT_KINDS)}, not {nat!r}")
    internet = _internet(data.get("internet"), gateway_section, source, network)
    if nat != "none" and internet is None:
        raise LabError(f"{source}: gateway.nat {nat} needs an internet to translate to")
    return Lab(
        name=str(need(data, "name", "the lab")),
        description=str(data.get("description", "")),
        release=str(need(data, "release", "the lab")),
        host=LabHost(
            hostname=str(need(host, "hostname", "host")),
            nic=nic,
            mac=str(host["mac"]),
            address=address,
            media=str(need(host, "media", "host")),
            speed_mbps=int(need(host, "speed_mbps", "host")),
            options=int(str(host.get("options", "0")), 0),
        ),
        lan=network,
        gateway=gateway,
        gateway_mac=str(lan["gateway_mac"]),
        gateway_name=str(gateway_section.get("name", "gateway")),
        nat=nat,
        dns=bool(gateway_section.get("dns", False)),
        internet=internet,
        values=values,
    )


def _internet(section: object, gateway: dict, source: str,
              lan: ipaddress.IPv4Network) -> Internet | None:
    if section is None:
        return None
    if not isinstance(section, dict):
        raise LabError(f"{source}: internet must be a mapping")
    try:
        network = ipaddress.IPv4Network(section["network"])
        wan = ipaddress.IPv4Address(gateway["wan"])
    except KeyError as exc:
        where = "internet" if exc.args[0] == "network" else "gateway"
        raise LabError(f"{source}: {where} needs '{exc.args[0]}'") from None
    except ValueError as exc:
        raise LabError(f"{source}: {exc}") from None
    if network.overlaps(lan):
        raise LabError(f"{source}: the internet {network} overlaps the LAN {lan}")
    if wan not in network:
        raise LabError(f"{source}: gateway.wan {wan} is not on the internet {network}")
    hosts = []
    for entry in section.get("hosts") or []:
        if not isinstance(entry, dict) or "name" not in entry or "address" not in entry:
            raise LabError(f"{source}: each internet host needs 'name' and 'address'")
        try:
            address = ipaddress.IPv4Address(entry["address"])
        except ValueError as exc:
            raise LabError(f"{source}: {exc}") from None
        if address not in network or address == wan:
            raise LabError(f"{source}: {entry['name']} ({address}) must be a free address on {network}")
        services = entry.get("services") or {}
        unknown = set(services) - set(SERVICES)
        if unknown:
            raise LabError(f"{source}: {entry['name']}: unknown service {sorted(unknown)[0]!r} "
                           f"(known: {', '.join(SERVICES)})")
        if not re.fullmatch(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?", str(entry["name"])):
            raise LabError(f"{source}: {entry['name']!r} is not a host name")
        hosts.append(InternetHost(
            name=str(entry["name"]), address=address,
            whois=str(services["whois"]) if "whois" in services else None,
            http=str(services["http"]) if "http" in services else None,
            ssh="ssh" in services))
    return Internet(network, wan, tuple(hosts))
