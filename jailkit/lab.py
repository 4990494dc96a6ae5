"""The lab: the world around the FreeBSD host that a howto assumes (its LAN,
the LAN's gateway), described in YAML. The sim models it; on a real box
jailkit builds it out of FreeBSD itself. Scenarios name its values as
``<lan_nic>``, ``<gateway>`` ... so one feature runs on both."""

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


@dataclass(frozen=True)
class Lab:
    name: str
    description: str
    release: str
    host: LabHost
    lan: ipaddress.IPv4Network
    gateway: ipaddress.IPv4Address
    gateway_mac: str
    values: dict[str, str] = field(default_factory=dict)

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
        values=values,
    )
