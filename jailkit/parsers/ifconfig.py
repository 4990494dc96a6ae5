"""FreeBSD ifconfig(8) output, parsed to data.

Tolerant of how the output was copied: continuation lines may start with a
tab, spaces, or nothing (transcripts pasted through Markdown lose tabs).
A line is an interface header when it reads ``NAME: flags=HEX<...>``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADER = re.compile(r"^(?P<name>[A-Za-z][\w.]*): flags=(?P<flags>[0-9a-fA-F]+)(?:<(?P<names>[^>]*)>)?"
                    r"(?: metric (?P<metric>\d+))?(?: mtu (?P<mtu>\d+))?\s*$")
BITS = re.compile(r"^(?P<value>[0-9a-fA-F]+)(?:<(?P<names>[^>]*)>)?$")


@dataclass
class Inet:
    address: str
    netmask: str              # as printed (0xffffff00, or dotted with -f inet:dotted)
    broadcast: str | None = None

    @property
    def prefixlen(self) -> int:
        if self.netmask.startswith("0x"):
            return bin(int(self.netmask, 16)).count("1")
        return sum(bin(int(octet)).count("1") for octet in self.netmask.split("."))


@dataclass
class Inet6:
    address: str
    prefixlen: int
    scopeid: int | None = None
    flags: list[str] = field(default_factory=list)


@dataclass
class Member:
    name: str
    flags: int
    flag_names: list[str]
    ifmaxaddr: int | None = None
    port: int | None = None
    priority: int | None = None
    path_cost: int | None = None
    extra: list[str] = field(default_factory=list)   # STP role/state lines


@dataclass
class Interface:
    name: str
    flags: int
    flag_names: list[str]
    metric: int | None = None
    mtu: int | None = None
    description: str | None = None
    options: int | None = None
    option_names: list[str] = field(default_factory=list)
    ether: str | None = None
    inet: list[Inet] = field(default_factory=list)
    inet6: list[Inet6] = field(default_factory=list)
    media: str | None = None
    status: str | None = None
    groups: list[str] = field(default_factory=list)
    nd6: int | None = None
    nd6_names: list[str] = field(default_factory=list)
    bridge: dict[str, str] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)
    header: str = ""
    lines: list[str] = field(default_factory=list)   # continuation lines, a member with its own

    @property
    def up(self) -> bool:
        return "UP" in self.flag_names

    def member(self, name: str) -> Member | None:
        return next((m for m in self.members if m.name == name), None)


@dataclass
class Block:
    """One interface's lines as text: its header and its continuation
    lines, a bridge member's detail line (ifmaxaddr, role) joined to it."""

    header: str
    entries: list[str]


# Header of a block; unlike HEADER it also takes a header with wildcards in
# it (a howto's expected text), so it only needs "NAME: flags=".
BLOCK_HEADER = re.compile(r"^([A-Za-z][\w.]*): flags=")


def blocks(text: str) -> dict[str, Block]:
    """The interface blocks of ifconfig output, by name, each line with its
    runs of blanks made one space (copied transcripts lose their tabs)."""
    found: dict[str, Block] = {}
    current: Block | None = None
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        header = BLOCK_HEADER.match(line)
        if header:
            current = found[header.group(1)] = Block(line, [])
        elif current is not None:
            _add_entry(current.entries, line)
    return found


def _add_entry(entries: list[str], line: str) -> None:
    word = line.split(" ", 1)[0]
    if word in ("ifmaxaddr", "role") and entries and entries[-1].startswith("member:"):
        entries[-1] += " " + line
    else:
        entries.append(line)


def parse_list(text: str) -> list[str]:
    """``ifconfig -l``: the interface names, on one line."""
    return text.split()


def _bits(text: str) -> tuple[int, list[str]]:
    match = BITS.match(text)
    if not match:
        return 0, []
    names = match.group("names")
    return int(match.group("value"), 16), names.split(",") if names else []


def parse_ifconfig(text: str) -> dict[str, Interface]:
    """Interfaces by name, in the order ifconfig printed them."""
    interfaces: dict[str, Interface] = {}
    current: Interface | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = HEADER.match(line)
        if match:
            names = match.group("names")
            current = Interface(match.group("name"), int(match.group("flags"), 16),
                                names.split(",") if names else [],
                                int(match.group("metric")) if match.group("metric") else None,
                                int(match.group("mtu")) if match.group("mtu") else None,
                                header=line)
            interfaces[current.name] = current
            continue
        if current is None:
            continue
        _continuation(current, line)
    return interfaces


def _continuation(iface: Interface, line: str) -> None:
    word, _, rest = line.partition(" ")
    if word in ("ifmaxaddr", "role") and iface.members:
        member = iface.members[-1]
        if word == "ifmaxaddr":
            fields = re.findall(r"(ifmaxaddr|port|priority|path cost) (\d+)", line)
            for key, value in fields:
                setattr(member, key.replace(" ", "_"), int(value))
        else:
            member.extra.append(line)
        iface.lines[-1] += " " + line
        return
    iface.lines.append(line)
    if word.startswith("options="):
        iface.options, iface.option_names = _bits(word[len("options="):])
    elif word == "description:":
        iface.description = rest
    elif word in ("ether", "lladdr"):
        iface.ether = rest.split()[0] if rest else None
    elif word == "inet":
        parts = rest.split()
        address = parts[0].split("/")[0] if parts else ""
        netmask = _value(parts, "netmask") or (
            f"0x{(0xffffffff << (32 - int(parts[0].split('/')[1]))) & 0xffffffff:08x}"
            if parts and "/" in parts[0] else "")
        iface.inet.append(Inet(address, netmask, _value(parts, "broadcast")))
    elif word == "inet6":
        parts = rest.split()
        address = parts[0] if parts else ""
        prefixlen = _value(parts, "prefixlen")
        scopeid = _value(parts, "scopeid")
        known = {"prefixlen", "scopeid"}
        flags = [p for i, p in enumerate(parts[1:], 1)
                 if p not in known and parts[i - 1] not in known]
        iface.inet6.append(Inet6(address, int(prefixlen) if prefixlen else 0,
                                 int(scopeid, 16) if scopeid else None, flags))
    elif word == "media:":
        iface.media = rest
    elif word == "status:":
        iface.status = rest
    elif word == "groups:":
        iface.groups = rest.split()
    elif word == "nd6" and rest.startswith("options="):
        iface.nd6, iface.nd6_names = _bits(rest[len("options="):])
    elif word == "member:":
        name, _, flag_text = rest.partition(" ")
        bits, names = _bits(flag_text.partition("=")[2])
        iface.members.append(Member(name, bits, names))
    elif word in ("id", "maxage", "root"):
        key = "root id" if word == "root" else word
        iface.bridge[key] = line


def _value(parts: list[str], key: str) -> str | None:
    for i, part in enumerate(parts[:-1]):
        if part == key:
            return parts[i + 1]
    return None
