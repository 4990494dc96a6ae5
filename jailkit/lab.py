"""The lab: the world around the FreeBSD host that a howto assumes (its LAN,
the LAN's gateway with its NAT and name service, and an internet of a few
named hosts with their services), described in YAML. The sim models it; on
a real box jailkit builds it out of FreeBSD itself. Scenarios name its
values as ``<lan_nic>``, ``<gateway>`` ... so one feature runs on both.

A lab file is checked whole before anything uses it: every key to its type
and to the grammar FreeBSD gives the value (interface names, unicast MACs,
addresses and networks, host names, the release), unknown keys and keys
given twice refused; an error reads ``FILE: host.nic: what is wrong``."""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TypeVar

from .names import InvalidName, validate_ifname

DEFAULT_LAB = "qjail-vnet"
# Where a real box keeps the lab's machines (jailkit.labbuild builds them):
# the gateway, and the internet hosts in the lab file's order.
GATEWAY_JAIL = "jk_gateway"


class LabError(ValueError):
    pass


@dataclass(frozen=True)
class LabNic:
    """One more NIC of the host: no address, cabled to the same LAN switch
    as the LAN NIC, of the same model (its media, speed and options)."""
    nic: str
    mac: str


@dataclass(frozen=True)
class LabHost:
    hostname: str
    nic: str
    mac: str
    address: ipaddress.IPv4Interface
    media: str          # ifconfig's media line, e.g. "autoselect (100baseTX <full-duplex>)"
    speed_mbps: int
    options: int        # the NIC's enabled capabilities (ifconfig "options=")
    other_nics: tuple[LabNic, ...] = ()     # more NICs on the LAN, without an address

    def nics(self) -> tuple[LabNic, ...]:
        """Every NIC of the host, the LAN NIC first."""
        return (LabNic(self.nic, self.mac),) + self.other_nics


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

    def machines(self) -> tuple[str, ...]:
        """The lab's other machines by name: the gateway, then the internet
        hosts in the lab file's order."""
        hosts = self.internet.hosts if self.internet is not None else ()
        return (self.gateway_name,) + tuple(h.name for h in hosts)

    def machine_jail(self, machine: str) -> str:
        """The jail a box built by jailkit.labbuild runs ``machine`` in;
        raises LabError listing the lab's machines for an unknown name."""
        machines = self.machines()
        if machine not in machines:
            raise LabError(f"{machine!r} is not a machine of the lab {self.name}; its machines "
                           f"are {', '.join(machines)}")
        index = machines.index(machine)
        return GATEWAY_JAIL if index == 0 else internet_host_jail(index)

    def jail_addresses(self, count: int) -> list[ipaddress.IPv4Address]:
        """``count`` addresses on the LAN for jails bridged onto it (as
        qjail-vnet-howto's), in order, skipping the host's and the gateway's;
        LabError naming the lab when its LAN has no room for them."""
        taken = {self.host.address.ip, self.gateway}
        free = (a for a in self.lan if _usable(self.lan, a) and a not in taken)
        addresses = [address for address, _ in zip(free, range(count))]
        if len(addresses) < count:
            raise LabError(f"the lab {self.name}: its LAN {self.lan} has room for "
                           f"{len(addresses)} jail addresses besides the host and the gateway, "
                           f"not {count}")
        return addresses

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
        macs = {host.nic: host.mac}
        for other in host.other_nics:
            names[f"{other.nic}_mac"] = macs[other.nic] = other.mac
        if self.internet is not None:
            names["internet_network"] = str(self.internet.network)
            names["gateway_wan"] = str(self.internet.gateway_address)
            for machine in self.internet.hosts:
                if machine.whois is not None:
                    names.setdefault("whois_server", machine.name)
        names.update(self.values)
        # a value naming one of the host's NICs (<jail_nic>) brings its MAC
        # (<jail_nic_mac>), so a feature never spells a NIC's name twice
        names.update({f"{key}_mac": macs[value] for key, value in self.values.items()
                      if value in macs and f"{key}_mac" not in names})
        return names


def internet_host_jail(index: int) -> str:
    """The jail of the lab's ``index``-th internet host (from 1) on a real box."""
    return f"jk_net{index}"


def lab_path(name: str) -> Path:
    if name.endswith((".yaml", ".yml")) or "/" in name:
        return Path(name)
    return Path(str(resources.files("jailkit") / "labs" / f"{name}.yaml"))


def load_lab(name: str = DEFAULT_LAB) -> Lab:
    path = lab_path(name)
    if not path.is_file():
        known = sorted(p.stem for p in lab_path("x").parent.glob("*.yaml"))
        raise LabError(f"no lab named {name!r} (known labs: {', '.join(known)})")
    return parse_lab(_read_yaml(path), source=str(path))


def _read_yaml(path: Path) -> object:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LabError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise LabError(f"{path}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
    import yaml  # here, so that unpickling a lab needs no YAML library
    try:
        return yaml.load(text, Loader=_unique_keys_loader(yaml))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise LabError(f"{path}: {where}not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise LabError(f"{path}: not valid YAML: {exc}") from None


def _unique_keys_loader(yaml):
    """PyYAML's safe loader, refusing a key given twice in one mapping (PyYAML
    would keep the last one silently)."""
    class UniqueKeysLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if isinstance(key, (str, int, float, bool)) and key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping", node.start_mark,
                        f"the key {key!r} is given twice", key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep)
    return UniqueKeysLoader


# -- checking a lab file ---------------------------------------------------------
# Every key is read through one checker that turns the YAML value into its
# Python type or says what is wrong with it; the reader adds the file and the
# key's path (host.nic, internet.hosts[1].services) to every error. Every
# value ends up in FreeBSD commands, rc.conf or the sim's output, so each
# is held to the grammar FreeBSD gives it.

class _Invalid(ValueError):
    """What is wrong with one value (the caller names the file and key)."""


T = TypeVar("T")
Check = Callable[[object], T]
_REQUIRED = object()


def _kind(value: object) -> str:
    """What a YAML value is, in a lab author's words."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{value!r}"


def _text(value: object, what: str = "one line of text") -> str:
    if not isinstance(value, str):
        hint = " (quote it in the YAML file)" if isinstance(value, (int, float)) else ""
        raise _Invalid(f"must be {what}, not {_kind(value)}{hint}")
    return value


def _line(value: object) -> str:
    """Printable text on one line: no newline, tab or other control
    character (it is printed by commands and banners)."""
    text = _text(value)
    if not text.strip() or not text.isprintable():
        raise _Invalid(f"must be one line of printable text, not {text!r}")
    return text


def _page(value: object) -> str:
    """Printable text over several lines (a whois reply, a web page)."""
    text = _text(value, "text")
    if not all(line.isprintable() for line in text.replace("\t", " ").split("\n")):
        raise _Invalid(f"must be printable text (lines, tabs), not {text!r}")
    return text


def _matching(pattern: str, what: str) -> Check[str]:
    grammar = re.compile(pattern)

    def check(value: object) -> str:
        text = _text(value, what)
        if not grammar.fullmatch(text):
            raise _Invalid(f"{text!r} is not {what}")
        return text
    return check


# A FreeBSD release as uname -r prints it (sys/conf/newvers.sh: REVISION-BRANCH).
_release = _matching(r"[1-9][0-9]*\.[0-9]+-(CURRENT|STABLE|PRERELEASE|ALPHA[0-9]+|BETA[0-9]+|RC[0-9]+|"
                     r"RELEASE(-p[0-9]+)?)", "a FreeBSD release like 14.3-RELEASE")
# A host name as hostname(1) and DNS take it (RFC 1123): dot-separated labels
# of letters, digits and '-', no label starting or ending with '-'.
_HOST_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_host_name = _matching(rf"(?=.{{1,253}}$){_HOST_LABEL}(\.{_HOST_LABEL})*",
                       "a host name (lower-case letters, digits, '-' and '.')")
# How ifconfig shows a NIC's media (ifconfig/ifmedia.c): words, a (subtype
# <options>) part; nothing a shell or a parser of ifconfig output would trip on.
_media = _matching(r"[A-Za-z0-9][A-Za-z0-9_.+/-]*( [A-Za-z0-9_.+/(),<>-]+)*",
                   "an ifconfig media line like 'autoselect (100baseTX <full-duplex>)'")
# A lab's name, as --lab and `jailkit labs` show it.
_lab_name = _matching(r"[a-z0-9][a-z0-9._-]*", "a lab name (a-z, 0-9, '.', '_' and '-')")
# A lab value is typed into command lines: one word, nothing the shell reads.
_VALUE = re.compile(r"[A-Za-z0-9_.:/@%+,-]+")
_VALUE_NAME = re.compile(r"[a-z_][a-z0-9_]*")     # as a feature writes it: <name>


def _ifname(value: object) -> str:
    name = _text(value, "an interface name")
    try:
        return validate_ifname(name)
    except InvalidName as exc:
        raise _Invalid(str(exc)) from None


def _mac(value: object) -> str:
    """Six hex octets; a NIC's own address is unicast (IEEE 802: the low bit
    of the first octet marks a group address). Written as ifconfig prints it."""
    text = _text(value, "a MAC address like 00:0c:f1:cd:55:ea")
    if not re.fullmatch(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}", text):
        raise _Invalid(f"{text!r} is not a MAC address like 00:0c:f1:cd:55:ea")
    if int(text[:2], 16) & 1:
        raise _Invalid(f"{text} is a multicast address; a NIC's address is unicast")
    return text.lower()


def _ipv4(value: object) -> ipaddress.IPv4Address:
    return _address(value, ipaddress.IPv4Address, "an IPv4 address like 10.0.10.1", False)


def _ipv4_interface(value: object) -> ipaddress.IPv4Interface:
    return _address(value, ipaddress.IPv4Interface,
                    "an IPv4 address with its prefix length, like 10.0.10.2/28", True)


def _ipv4_network(value: object) -> ipaddress.IPv4Network:
    return _address(value, ipaddress.IPv4Network, "an IPv4 network like 10.0.10.0/28", True)


def _address(value: object, kind: Callable[[str], T], what: str, with_prefix: bool) -> T:
    """An address (or network) as ``kind`` reads it; ``with_prefix``: the
    prefix length must be written, never taken as /32 by default."""
    text = _text(value, what)
    if with_prefix and "/" not in text:
        raise _Invalid(f"{text!r} needs its prefix length, like {what.rsplit(' ', 1)[-1]}")
    try:
        return kind(text)
    except ValueError as exc:
        raise _Invalid(str(exc)) from None


def _count(low: int, high: int, what: str) -> Check[int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(f"must be {what}, not {_kind(value)}")
        if not low <= value <= high:
            raise _Invalid(f"{value} is out of range ({low} to {high})")
        return value
    return check


# ifconfig's speed comes from if_baudrate; 400 Gbit/s is today's fastest NIC.
_speed = _count(1, 400_000, "the NIC's speed in Mbit/s, a whole number like 100")


def _capabilities(value: object) -> int:
    """The NIC's enabled capabilities, if_capenable (an int in sys/net/if_var.h),
    as a number (YAML reads 0x2009 as one) or as text in C notation."""
    if isinstance(value, str):
        try:
            value = int(value, 0)
        except ValueError:
            raise _Invalid(f"{value!r} is not a number like 0x2009") from None
    return _count(0, 0xFFFFFFFF, "a number like 0x2009 (the bits of ifconfig's options=)")(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"must be true or false, not {_kind(value)}")
    return value


def _one_of(choices: tuple[str, ...]) -> Check[str]:
    def check(value: object) -> str:
        text = _text(value, f"one of {', '.join(choices)}")
        if text not in choices:
            raise _Invalid(f"must be one of {', '.join(choices)}, not {text!r}")
        return text
    return check


def _no_settings(value: object) -> bool:
    if value != {}:
        raise _Invalid(f"takes no settings: write {{}}, not {_kind(value)}")
    return True


def _value(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Invalid(f"must be one word or a whole number, not {_kind(value)}")
    text = str(value)
    if not _VALUE.fullmatch(text):
        raise _Invalid(f"{text!r} is not one word of letters, digits and . : / @ % + , - _ "
                       "(it is typed into command lines)")
    return text


class _Reader:
    """Reads the sections of one lab file; every error names the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, path: str, problem: str) -> LabError:
        return LabError(f"{self.source}: {path}: {problem}")

    def part(self, parent: dict, path: str, key: str, keys: tuple[str, ...],
             required: bool = True) -> dict:
        """The section ``key`` of ``parent`` (empty when it is optional and absent)."""
        if key not in parent and not required:
            return {}
        return self.section(self.get(parent, path, key, _any), _join(path, key), keys)

    def section(self, value: object, path: str, keys: tuple[str, ...]) -> dict:
        """A mapping with only the known ``keys`` (a misspelt key is not ignored)."""
        if not isinstance(value, dict):
            raise self.error(path, f"must be a mapping of {', '.join(keys)}, not {_kind(value)}")
        for key in value:
            if key not in keys:
                close = difflib.get_close_matches(str(key), keys, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise self.error(_join(path, str(key)),
                                 f"is not a key here ({hint}known: {', '.join(keys)})")
        return value

    def get(self, section: dict, path: str, key: str, check: Check[T], default: object = _REQUIRED) -> T:
        where = _join(path, key)
        if key not in section:
            if default is _REQUIRED:
                raise self.error(where, "is missing")
            return default      # type: ignore[return-value]
        try:
            return check(section[key])
        except _Invalid as exc:
            raise self.error(where, str(exc)) from None


def _any(value: object) -> object:
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


LAB_KEYS = ("name", "description", "release", "host", "lan", "gateway", "internet", "values")
HOST_KEYS = ("hostname", "nic", "mac", "address", "media", "speed_mbps", "options", "other_nics")
OTHER_NIC_KEYS = ("nic", "mac")
LAN_KEYS = ("network", "gateway", "gateway_mac")
GATEWAY_KEYS = ("name", "wan", "nat", "dns")
INTERNET_KEYS = ("network", "hosts")
INTERNET_HOST_KEYS = ("name", "address", "services")


def parse_lab(data: object, source: str = "lab") -> Lab:
    read = _Reader(source)
    if not isinstance(data, dict):
        raise LabError(f"{source}: a lab is a mapping of {', '.join(LAB_KEYS)}, not {_kind(data)}")
    read.section(data, "", LAB_KEYS)
    host = _lab_host(read, read.part(data, "", "host", HOST_KEYS))
    lan = read.part(data, "", "lan", LAN_KEYS)
    network = read.get(lan, "lan", "network", _ipv4_network)
    gateway = read.get(lan, "lan", "gateway", _ipv4)
    gateway_mac = read.get(lan, "lan", "gateway_mac", _mac)
    _check_lan(read, host, network, gateway, gateway_mac)
    section = read.part(data, "", "gateway", GATEWAY_KEYS, required=False)
    nat = read.get(section, "gateway", "nat", _one_of(NAT_KINDS), "none")
    internet = None
    if "internet" in data:
        wan = read.get(section, "gateway", "wan", _ipv4)
        internet = _internet(read, data["internet"], wan, network)
    if nat != "none" and internet is None:
        raise read.error("gateway.nat", f"{nat} needs an internet to translate to (no 'internet' section)")
    lab = Lab(
        name=read.get(data, "", "name", _lab_name),
        description=read.get(data, "", "description", _line, ""),
        release=read.get(data, "", "release", _release),
        host=host,
        lan=network,
        gateway=gateway,
        gateway_mac=gateway_mac,
        gateway_name=read.get(section, "gateway", "name", _host_name, "gateway"),
        nat=nat,
        dns=read.get(section, "gateway", "dns", _flag, False),
        internet=internet,
    )
    _check_names(read, lab)
    return _with_values(read, lab, read.get(data, "", "values", _any, {}))


def _lab_host(read: _Reader, section: dict) -> LabHost:
    def get(key: str, check: Check[T], default: object = _REQUIRED) -> T:
        return read.get(section, "host", key, check, default)
    host = LabHost(hostname=get("hostname", _host_name), nic=get("nic", _ifname), mac=get("mac", _mac),
                   address=get("address", _ipv4_interface), media=get("media", _media),
                   speed_mbps=get("speed_mbps", _speed), options=get("options", _capabilities, 0))
    return replace(host, other_nics=_other_nics(read, host, get("other_nics", _list, [])))


def _other_nics(read: _Reader, host: LabHost, entries: list) -> tuple[LabNic, ...]:
    """host.other_nics: each a name and a MAC of its own (no two NICs of
    the host share either: ifconfig names them, the LAN switch tells them
    apart by their MAC)."""
    nics = [LabNic(host.nic, host.mac)]
    for number, entry in enumerate(entries):
        path = f"host.other_nics[{number}]"
        section = read.section(entry, path, OTHER_NIC_KEYS)
        nic = LabNic(read.get(section, path, "nic", _ifname), read.get(section, path, "mac", _mac))
        for key, value in (("nic", nic.nic), ("mac", nic.mac)):
            owner = next((n.nic for n in nics if getattr(n, key) == value), None)
            if owner is not None:
                raise read.error(f"{path}.{key}", f"{value} is already {owner}'s")
        nics.append(nic)
    return tuple(nics[1:])


def _usable(network: ipaddress.IPv4Network, address: ipaddress.IPv4Address) -> bool:
    """An address a machine can have on ``network``: not its network or
    broadcast address (a /31 or /32 has neither)."""
    return address in network and (network.prefixlen >= 31
                                   or address not in (network.network_address, network.broadcast_address))


def _check_lan(read: _Reader, host: LabHost, network: ipaddress.IPv4Network,
               gateway: ipaddress.IPv4Address, gateway_mac: str) -> None:
    if host.address.network != network:
        raise read.error("host.address", f"{host.address} does not match lan.network {network}")
    if not _usable(network, host.address.ip):
        raise read.error("host.address", f"{host.address.ip} is not a usable address on {network}")
    if not _usable(network, gateway):
        raise read.error("lan.gateway", f"{gateway} must be a usable address on {network}")
    if gateway == host.address.ip:
        raise read.error("lan.gateway", f"{gateway} is the host's own address")
    for nic in host.nics():
        if gateway_mac == nic.mac:
            raise read.error("lan.gateway_mac", f"{gateway_mac} is the host's own MAC ({nic.nic})")


def _internet(read: _Reader, value: object, wan: ipaddress.IPv4Address,
              lan: ipaddress.IPv4Network) -> Internet:
    section = read.section(value, "internet", INTERNET_KEYS)
    network = read.get(section, "internet", "network", _ipv4_network)
    if network.overlaps(lan):
        raise read.error("internet.network", f"the internet {network} overlaps the LAN {lan}")
    if not _usable(network, wan):
        raise read.error("gateway.wan", f"{wan} is not on the internet {network}")
    entries = read.get(section, "internet", "hosts", _list, [])
    hosts: list[InternetHost] = []
    for number, entry in enumerate(entries):
        path = f"internet.hosts[{number}]"
        host = _internet_host(read, read.section(entry, path, INTERNET_HOST_KEYS), path)
        taken = {wan} | {h.address for h in hosts}
        if not _usable(network, host.address) or host.address in taken:
            raise read.error(f"{path}.address", f"{host.address} must be a free address on {network}")
        hosts.append(host)
    return Internet(network, wan, tuple(hosts))


def _list(value: object) -> list:
    if not isinstance(value, list):
        raise _Invalid(f"must be a list, not {_kind(value)}")
    return value


def _internet_host(read: _Reader, section: dict, path: str) -> InternetHost:
    name = read.get(section, path, "name", _host_name)
    address = read.get(section, path, "address", _ipv4)
    services = read.part(section, path, "services", SERVICES, required=False)
    where = f"{path}.services"
    return InternetHost(name=name, address=address,
                        whois=read.get(services, where, "whois", _page, None),
                        http=read.get(services, where, "http", _page, None),
                        ssh=read.get(services, where, "ssh", _no_settings, False))


def _check_names(read: _Reader, lab: Lab) -> None:
    """Each name the lab's DNS answers for belongs to one machine."""
    seen = {lab.gateway_name: "gateway.name"}
    for number, host in enumerate(lab.internet.hosts if lab.internet else ()):
        if host.name in seen:
            raise read.error(f"internet.hosts[{number}].name", f"{host.name} is already {seen[host.name]}")
        seen[host.name] = f"internet.hosts[{number}].name"


def _with_values(read: _Reader, lab: Lab, value: object) -> Lab:
    """The lab with its extra ``values``, which may not redefine what the
    lab's other keys define (``<lan_nic>`` is host.nic, nothing else)."""
    if not isinstance(value, dict):
        raise read.error("values", f"must be a mapping of name to value, not {_kind(value)}")
    own = lab.variables()
    values: dict[str, str] = {}
    for key in value:
        if not isinstance(key, str) or not _VALUE_NAME.fullmatch(key):
            raise read.error(f"values.{key}", "is not a value name (a-z, 0-9 and _, as in <jail_ip>)")
        if key in own:
            raise read.error(f"values.{key}", f"is the lab's own value ({own[key]}); choose another name")
        values[key] = read.get(value, "values", key, _value)
    return replace(lab, values=values)
