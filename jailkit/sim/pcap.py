"""The pcap savefile (libpcap's sf-pcap.c, pcap-savefile(5)) for the sim's
packets, and the bytes a packet is on the wire.

A savefile is a 24-byte file header (magic 0xa1b2c3d4 in the writer's byte
order, little-endian on amd64; version 2.4; the snapshot length; the link
type: DLT_EN10MB for Ethernet, DLT_NULL for lo(4)) and, per packet, a
16-byte record header (seconds, microseconds, captured and original length)
and the frame. The sim's packets are decisions, not bytes, so a frame is
built from what a packet carries: the Ethernet header (an address the sim
does not know is zero), the IPv4 header with its checksum, and the TCP
(with FreeBSD's options), UDP or ICMP echo header with theirs, then the
data (its text where the sim knows it, else zeros); an ICMPv6 echo is an
IPv6 header and the echo with its checksum over the IPv6 pseudo-header. Reading a file back
gives the same packets. Files are the sim's text files (UTF-8 read with
surrogateescape, as every file: jailkit/sim/octets.py)."""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from .octets import decode, encode
from .packet import ICMP6_ECHO_REPLY, ICMP6_ECHO_REQUEST, PROTOCOLS, Packet

MAGIC = 0xA1B2C3D4
DLT_NULL, DLT_EN10MB = 0, 1
LINKTYPES = {DLT_NULL: "NULL (BSD loopback)", DLT_EN10MB: "EN10MB (Ethernet)"}
AF_INET, AF_INET6 = 2, 28           # sys/socket.h (FreeBSD's AF_INET6)
ETHERTYPE_IP, ETHERTYPE_IPV6 = 0x0800, 0x86DD
IPPROTO_ICMPV6 = 58
# A FreeBSD TCP end's window after the handshake: a 65536-byte receive
# buffer rounded up by tcp_mss(), scaled by 2^6 (wscale 6).
WINDOW = 1027
SYN_WINDOW = 65535
TCP_FLAGS = (("F", 0x01), ("S", 0x02), ("R", 0x04), ("P", 0x08), (".", 0x10))


class SavefileError(Exception):
    """pcap_open_offline() failed: the message follows "tcpdump: "."""


@dataclass(frozen=True)
class Record:
    time: float                 # seconds since the epoch
    packet: Packet | None       # None: a frame the sim's packets are not


def file_header(linktype: int, snaplen: int) -> bytes:
    return struct.pack("<IHHiIII", MAGIC, 2, 4, 0, 0, snaplen, linktype)


def record(time: float, frame: bytes, snaplen: int) -> bytes:
    seconds = int(time)
    micro = int(round((time - seconds) * 1_000_000))
    captured = frame[:snaplen]
    return struct.pack("<IIII", seconds, micro, len(captured), len(frame)) + captured


def to_text(data: bytes) -> str:
    """A savefile's bytes as the sim keeps every file (jailkit/sim/octets.py)."""
    return decode(data)


def from_text(text: str) -> bytes:
    return encode(text)


# -- writing --------------------------------------------------------------------------------
def frame(packet: Packet, linktype: int, src_mac: str, dst_mac: str, mss: int) -> bytes:
    """The packet as it is on a link of ``linktype``."""
    if packet.inet6:
        datagram, family, ethertype = _ip6_bytes(packet), AF_INET6, ETHERTYPE_IPV6
    else:
        datagram, family, ethertype = ip_bytes(packet, mss), AF_INET, ETHERTYPE_IP
    if linktype == DLT_NULL:
        return struct.pack("<I", family) + datagram
    return _mac(dst_mac) + _mac(src_mac) + struct.pack(">H", ethertype) + datagram


def _mac(text: str) -> bytes:
    return bytes(int(part, 16) for part in text.split(":"))


def ip_bytes(packet: Packet, mss: int) -> bytes:
    if packet.proto == "tcp":
        payload = tcp_header(packet, mss, tcp_checksum(packet, mss)) + _data(packet, packet.data)
    elif packet.proto == "udp":
        payload = _udp(packet)
    else:
        payload = _icmp(packet)
    df = 0x4000 if packet.proto == "tcp" else 0      # TCP sets DF (path MTU discovery)
    header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), packet.ip_id & 0xffff, df,
                         packet.ttl, PROTOCOLS[packet.proto], 0, packet.src.packed, packet.dst.packed)
    header = header[:10] + struct.pack(">H", checksum(header)) + header[12:]
    return header + payload


def _ip6_bytes(packet: Packet) -> bytes:
    """An ICMPv6 echo in its IPv6 header (no flow label), its checksum
    over the pseudo-header of RFC 8200 8.1."""
    kind = ICMP6_ECHO_REPLY if packet.reply else ICMP6_ECHO_REQUEST
    data = bytes(max(packet.size - 48, 0))
    echo = struct.pack(">BBHHH", kind, 0, 0, packet.sport & 0xffff, packet.seq & 0xffff) + data
    ends = packet.src.packed + packet.dst.packed
    total = checksum(ends + struct.pack(">I3xB", len(echo), IPPROTO_ICMPV6) + echo)
    echo = echo[:2] + struct.pack(">H", total) + echo[4:]
    return struct.pack(">IHBB", 0x60000000, len(echo), IPPROTO_ICMPV6, packet.ttl) + ends + echo


def _data(packet: Packet, length: int) -> bytes:
    text = encode(packet.text)[:length]
    return text + bytes(length - len(text))


def _udp(packet: Packet) -> bytes:
    length = packet.data or max(packet.size - 28, 0)
    data = _data(packet, length)
    header = struct.pack(">HHHH", packet.sport, packet.dport, 8 + length, 0)
    total = checksum(_pseudo(packet, 17, 8 + length) + header + data) or 0xffff
    return header[:6] + struct.pack(">H", total) + data


def _icmp(packet: Packet) -> bytes:
    kind = 0 if packet.reply else 8                  # echo reply, echo request
    data = bytes(max(packet.size - 28, 0))
    header = struct.pack(">BBHHH", kind, 0, 0, packet.sport & 0xffff, packet.seq & 0xffff)
    total = checksum(header + data)
    return header[:2] + struct.pack(">H", total) + header[4:] + data


def _pseudo(packet: Packet, proto: int, length: int) -> bytes:
    return packet.src.packed + packet.dst.packed + bytes([0, proto]) + length.to_bytes(2, "big")


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total > 0xffff:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def window(packet: Packet) -> int:
    if "R" in packet.flags:
        return 0
    return SYN_WINDOW if "S" in packet.flags else WINDOW


def option_bytes(packet: Packet, mss: int) -> bytes:
    """tcp_addoptions() as FreeBSD sends them: MSS, window scale, SACK
    permitted and timestamps on a SYN; timestamps (after two NOPs) on the
    rest; none on a reset."""
    if "R" in packet.flags:
        return b""
    stamps = bytes([8, 10]) + packet.tsval.to_bytes(4, "big") + packet.tsecr.to_bytes(4, "big")
    if "S" in packet.flags:
        return bytes([2, 4]) + mss.to_bytes(2, "big") + bytes([1, 3, 3, 6, 4, 2]) + stamps
    return bytes([1, 1]) + stamps


def tcp_header(packet: Packet, mss: int, sum_: int = 0) -> bytes:
    options = option_bytes(packet, mss)
    flags = sum(bit for flag, bit in TCP_FLAGS if flag in packet.flags)
    return (struct.pack(">HHIIBBHHH", packet.sport, packet.dport, packet.seq & 0xffffffff,
                        packet.ack & 0xffffffff, ((20 + len(options)) // 4) << 4, flags,
                        window(packet), sum_, 0) + options)


def tcp_checksum(packet: Packet, mss: int) -> int:
    """The checksum of the segment: the pseudo-header, the header with its
    options, and the data."""
    header = tcp_header(packet, mss)
    data = _data(packet, packet.data)
    return checksum(_pseudo(packet, 6, len(header) + len(data)) + header + data)


# -- reading --------------------------------------------------------------------------------
def read(data: bytes) -> tuple[int, int, list[Record]]:
    """The link type, the snapshot length and the records of a savefile."""
    if len(data) < 4:
        raise SavefileError(f"truncated dump file; tried to read 4 file header bytes, "
                            f"only got {len(data)}")
    if struct.unpack("<I", data[:4])[0] != MAGIC:
        raise SavefileError("unknown file format")
    if len(data) < 24:
        raise SavefileError(f"truncated dump file; tried to read 24 file header bytes, "
                            f"only got {len(data)}")
    _, _, _, _, _, snaplen, linktype = struct.unpack("<IHHiIII", data[:24])
    records = []
    offset = 24
    while offset + 16 <= len(data):
        seconds, micro, captured, _ = struct.unpack("<IIII", data[offset:offset + 16])
        body = data[offset + 16:offset + 16 + captured]
        offset += 16 + captured
        records.append(Record(seconds + micro / 1_000_000, _packet(body, linktype)))
    return linktype, snaplen, records


def _packet(body: bytes, linktype: int) -> Packet | None:
    if linktype == DLT_NULL:
        family = struct.unpack("<I", body[:4])[0]
        datagram = body[4:] if family in (AF_INET, AF_INET6) else b""
    else:
        ethertype = struct.unpack(">H", body[12:14])[0]
        datagram = body[14:] if ethertype in (ETHERTYPE_IP, ETHERTYPE_IPV6) else b""
    if len(datagram) >= 48 and datagram[0] >> 4 == 6:
        return _icmp6_packet(datagram)
    if len(datagram) < 20 or datagram[0] >> 4 != 4:
        return None
    ihl = (datagram[0] & 0xf) * 4
    total, ip_id, _, ttl, proto = struct.unpack(">HHHBB", datagram[2:10])
    src = ipaddress.IPv4Address(datagram[12:16])
    dst = ipaddress.IPv4Address(datagram[16:20])
    payload = datagram[ihl:total]
    common = {"src": src, "dst": dst, "size": total, "ttl": ttl, "ip_id": ip_id}
    if proto == 6 and len(payload) >= 20:
        return _tcp_packet(payload, common)
    if proto == 17 and len(payload) >= 8:
        sport, dport, length = struct.unpack(">HHH", payload[:6])
        return Packet("udp", sport=sport, dport=dport, data=length - 8,
                      text=_text(payload[8:length]), **common)
    if proto == 1 and len(payload) >= 8:
        kind, _, _, ident, seq = struct.unpack(">BBHHH", payload[:8])
        return Packet("icmp", sport=ident, dport=ident, seq=seq, reply=kind == 0, **common)
    return None


def _icmp6_packet(datagram: bytes) -> Packet | None:
    """An ICMPv6 echo request or reply; None for anything else."""
    length, next_header, hlim = struct.unpack(">HBB", datagram[4:8])
    kind, _, _, ident, seq = struct.unpack(">BBHHH", datagram[40:48])
    if next_header != IPPROTO_ICMPV6 or kind not in (ICMP6_ECHO_REQUEST, ICMP6_ECHO_REPLY):
        return None
    return Packet("icmp6", ipaddress.IPv6Address(datagram[8:24]), ipaddress.IPv6Address(datagram[24:40]),
                  ident, ident, seq=seq, reply=kind == ICMP6_ECHO_REPLY, size=40 + length, ttl=hlim)


def _tcp_packet(payload: bytes, common: dict) -> Packet:
    sport, dport, seq, ack, offset, bits = struct.unpack(">HHIIBB", payload[:14])
    header = (offset >> 4) * 4
    flags = "".join(flag for flag, bit in TCP_FLAGS if bits & bit)
    tsval = tsecr = 0
    options = payload[20:header]
    at = options.find(bytes([8, 10]))
    if at >= 0 and len(options) >= at + 10:
        tsval, tsecr = struct.unpack(">II", options[at + 2:at + 10])
    data = payload[header:]
    return Packet("tcp", sport=sport, dport=dport, seq=seq, ack=ack, flags=flags,
                  syn="S" in flags, reply="S" in flags and "." in flags, rst="R" in flags,
                  data=len(data), text=_text(data), tsval=tsval, tsecr=tsecr, **common)


def _text(data: bytes) -> str:
    """The data as text, where it is not the zeros the sim writes for data
    it does not know."""
    return "" if not data.strip(b"\0") else data.decode("utf-8", "replace")
