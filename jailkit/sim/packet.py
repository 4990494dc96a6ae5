"""An IPv4 packet as the sim's firewalls and NAT see it: protocol, the two
addresses and, for TCP and UDP, the two ports (for ICMP echo the query id
stands in for both ports, as pf and libalias key ICMP queries)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace

IPv4 = ipaddress.IPv4Address

# protocol numbers (/etc/protocols)
PROTOCOLS = {"icmp": 1, "tcp": 6, "udp": 17}
PROTOCOL_NAMES = {number: name for name, number in PROTOCOLS.items()}


@dataclass
class Packet:
    proto: str                  # "icmp", "tcp" or "udp"
    src: IPv4
    dst: IPv4
    sport: int = 0
    dport: int = 0
    syn: bool = False           # a TCP connection's first segment (flags S/SA)
    reply: bool = False         # an answer (echo reply, SYN-ACK, RST, DNS answer)
    rst: bool = False
    size: int = 84              # bytes on the wire (an echo request with 56 data bytes)
    rcvif: str = ""             # the interface it came in on, once received

    def tuple(self) -> tuple:
        return (self.proto, self.src, self.sport, self.dst, self.dport)

    def answer(self, **changes) -> "Packet":
        """The packet that answers this one: addresses and ports swapped."""
        return replace(self, src=self.dst, dst=self.src, sport=self.dport, dport=self.sport,
                       syn=False, reply=True, **changes)

    def copy(self) -> "Packet":
        return replace(self)


def reverse(key: tuple) -> tuple:
    proto, src, sport, dst, dport = key
    return (proto, dst, dport, src, sport)


def service_port(name: str, proto: str = "tcp") -> int | None:
    """A port number or an /etc/services name (the names the howtos use)."""
    if name.isdigit():
        number = int(name)
        return number if 0 <= number <= 65535 else None
    for number, names in SERVICES.items():
        if name in names:
            return number
    return None


def port_name(number: int) -> str:
    """getservbyport(3): the first name /etc/services gives a port."""
    names = SERVICES.get(number)
    return names[0] if names else str(number)


# The /etc/services entries the sim's programs look up (FreeBSD's file lists
# port 43 as "nicname", with "whois" as its alias).
SERVICES = {7: ["echo"], 9: ["discard", "sink", "null"], 13: ["daytime"],
            19: ["chargen", "ttytst", "source"],
            21: ["ftp"], 22: ["ssh"], 23: ["telnet"], 25: ["smtp"], 43: ["nicname", "whois"],
            53: ["domain"], 80: ["http", "www"], 110: ["pop3"], 123: ["ntp"], 143: ["imap"],
            443: ["https"], 8668: ["natd"]}
