"""An IP packet as the sim's firewalls and NAT see it: protocol, the two
addresses and, for TCP and UDP, the two ports (for ICMP echo the query id
stands in for both ports, as pf and libalias key ICMP queries). IPv6
packets are ICMPv6 echo requests and replies ("icmp6") between neighbours
on one link; NAT and the services see IPv4 only.

For bpf(4) readers (tcpdump) a packet also carries what its headers would
show: the TTL, the IP id, and a TCP segment's flags, sequence and
acknowledgement numbers and data length. A connection's initial sequence
number is a keyed hash of its 4-tuple (RFC 6528, as tcp_new_isn() in
sys/netinet/tcp_subr.c), fixed here so a run repeats; NAT does not change
sequence numbers."""

from __future__ import annotations

import ipaddress
import zlib
from dataclasses import dataclass, replace

from . import icmp
from .octets import encode

IPv4 = ipaddress.IPv4Address
IPv6 = ipaddress.IPv6Address
IPAddress = IPv4 | IPv6

# protocol numbers (/etc/protocols) of the IPv4 packets
PROTOCOLS = {"icmp": 1, "tcp": 6, "udp": 17}
PROTOCOL_NAMES = {number: name for name, number in PROTOCOLS.items()}
# ICMPv6, a packet's "icmp6": /etc/protocols names it "ipv6-icmp", as
# pfctl, ipfw and ipfstat print it
ICMP6_NAME = "ipv6-icmp"

# ICMPv6 echo (netinet/icmp6.h)
ICMP6_ECHO_REQUEST = 128
ICMP6_ECHO_REPLY = 129


@dataclass
class Packet:
    proto: str                  # "icmp", "tcp", "udp" or "icmp6"
    src: IPAddress
    dst: IPAddress
    sport: int = 0
    dport: int = 0
    syn: bool = False           # a TCP connection's first segment (flags S/SA)
    reply: bool = False         # an answer (echo reply, SYN-ACK, RST, DNS answer)
    rst: bool = False
    size: int = 84              # bytes on the wire (an echo request with 56 data bytes)
    rcvif: str = ""             # the interface it came in on, once received
    ttl: int = 64               # net.inet.ip.ttl (IPv6: the hop limit); each router lowers it
    ip_id: int = 0              # 0 for TCP (DF set, RFC 6864; ip_fillid())
    flags: str = ""             # TCP flags as tcpdump prints them ("S", "S.", "P.", "F.")
    seq: int = -1               # TCP sequence number (-1: the 4-tuple's own, see tcp_seq)
    ack: int = 0                # TCP acknowledgement number
    data: int = 0               # bytes of TCP or UDP data
    text: str = ""              # those bytes, where the sim knows them (a request, an answer)
    tsval: int = 0              # TCP timestamps option (RFC 7323): the sender's clock
    tsecr: int = 0              # and the last one it got from the other end

    @property
    def icmp_type(self) -> int:
        """An ICMP or ICMPv6 packet's type: the sim's are echo requests and
        replies."""
        if self.proto == "icmp6":
            return ICMP6_ECHO_REPLY if self.reply else ICMP6_ECHO_REQUEST
        return icmp.ECHOREPLY if self.reply else icmp.ECHO

    @property
    def inet6(self) -> bool:
        return isinstance(self.dst, IPv6)

    @property
    def proto_name(self) -> str:
        """The protocol's /etc/protocols name, as firewall rules give it."""
        return ICMP6_NAME if self.proto == "icmp6" else self.proto

    def __post_init__(self) -> None:
        if self.proto == "tcp" and self.seq < 0:
            self._number_segment()
        elif self.seq < 0:
            self.seq = 0                    # an ICMP echo's sequence number
        if not self.flags and self.proto == "tcp":
            self.flags = "S" if self.syn and not self.reply else ("R." if self.rst else ".")

    def _number_segment(self) -> None:
        """A segment made without numbers: a connection's SYN starts at its
        ISN; a segment of an established connection (the harness's) is
        numbered as the first after the handshake."""
        if self.syn and not self.reply:
            self.seq = isn(self.tuple())
            self.tsval = ts_offset(self.seq)
        else:
            self.seq = isn(self.tuple()) + 1
            self.ack = isn(reverse(self.tuple())) + 1
            self.tsval, self.tsecr = ts_offset(self.seq - 1), ts_offset(self.ack - 1)

    def tuple(self) -> tuple:
        return (self.proto, self.src, self.sport, self.dst, self.dport)

    def answer(self, **changes) -> "Packet":
        """The packet that answers this one: addresses and ports swapped; for
        TCP, the SYN-ACK of a SYN, the RST that refuses it, or the ACK of a
        segment (tcp_input: ack = what arrived, plus one for SYN and FIN)."""
        changes.setdefault("flags", "")
        changes.setdefault("data", 0)
        changes.setdefault("text", "")
        if self.proto == "tcp":
            changes.update(self._tcp_answer(changes))
        return replace(self, src=self.dst, dst=self.src, sport=self.dport, dport=self.sport,
                       syn=False, reply=True, ttl=64, **changes)

    def _tcp_answer(self, changes: dict) -> dict:
        acked = self.seq + self.data + (1 if "S" in self.flags or "F" in self.flags else 0)
        if changes.get("rst"):
            # tcp_dropwithreset(): a refused SYN gets seq 0 and its ACK
            flags = "R."
            answer = {"seq": 0, "ack": acked, "tsval": 0, "tsecr": 0}
        elif self.syn and not self.reply:
            flags = "S."
            start = isn(reverse(self.tuple()))
            answer = {"seq": start, "ack": acked, "tsval": ts_offset(start), "tsecr": self.tsval}
        else:
            flags = changes["flags"] or "."
            answer = {"seq": self.ack, "ack": acked, "tsval": self.tsecr, "tsecr": self.tsval}
        return {**answer, "flags": flags, "size": tcp_size(flags, changes["data"])}

    def copy(self) -> "Packet":
        return replace(self)


def ipv4_ends(packet: Packet) -> tuple[IPv4, IPv4]:
    """The addresses of a packet that only IPv4 reaches: NAT (libalias,
    ipnat) and the sockets of the sim's services see no IPv6 packet (their
    callers hand them none)."""
    src, dst = packet.src, packet.dst
    assert isinstance(src, IPv4) and isinstance(dst, IPv4)
    return src, dst


def segment(packet: Packet, flags: str, text: str = "", *, forward: bool = True) -> Packet:
    """The next segment of ``packet``'s connection, carrying ``text``: from
    the same end (``forward``) after it, or from the other end answering it."""
    data = len(encode(text))
    if not forward:
        return packet.answer(flags=flags, data=data, text=text)
    advance = packet.data + (1 if "S" in packet.flags or "F" in packet.flags else 0)
    return replace(packet, flags=flags, seq=packet.seq + advance, data=data, text=text,
                   syn=False, ttl=64, size=tcp_size(flags, data))


def tcp_size(flags: str, data: int) -> int:
    """IP length of a FreeBSD TCP segment: 20 + 20 header bytes, plus the
    options tcp_addoptions() adds (MSS, window scale, SACK permitted and
    timestamps on SYNs: 20 bytes; timestamps padded to 12 on the rest; none
    on a reset)."""
    options = 0 if "R" in flags else (20 if "S" in flags else 12)
    return 40 + options + data


def isn(key: tuple) -> int:
    """The initial sequence number of the end that sends ``key``."""
    return zlib.crc32(repr(key).encode()) & 0xffffffff


def ts_offset(start: int) -> int:
    """The timestamps option's value of a connection's end: FreeBSD adds a
    random offset per connection (tcp_new_ts_offset()); the sim's clock
    does not tick within an exchange, so the value stays."""
    return zlib.crc32(start.to_bytes(4, "big")) & 0xffffffff


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
            21: ["ftp"], 22: ["ssh"], 23: ["telnet"], 25: ["smtp"], 37: ["time", "timserver"],
            43: ["nicname", "whois"],
            53: ["domain"], 80: ["http", "www"], 110: ["pop3"], 123: ["ntp"], 143: ["imap"],
            443: ["https"], 8668: ["natd"]}
