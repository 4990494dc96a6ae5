"""getaddrinfo(1): resolve a name to socket addresses with getaddrinfo(3) and
print one line per address, "socktype family protocol address port"
(usr.bin/getaddrinfo/getaddrinfo.c, printaddrinfo()). The list is libc's
(lib/libc/net/getaddrinfo.c): each address once per entry of its explore[]
table that the hints allow (dgram/udp, stream/tcp, seqpacket/sctp when no
socket type or protocol is given), a name's addresses from /etc/hosts (then
DNS, IPv4 only in the sim) sorted by the RFC 6724 rules libc applies
(usable destination first, then the default policy table's precedence),
numeric addresses as given."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ...getopt import GetoptError, getopt
from ..proc import Proc, program
from ..resolver import ResolveError, hosts_addresses, resolve

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# sys/sys/socket.h's AF_ and SOCK_ numbers, named as tables.awk names them
FAMILIES = {"unspec": 0, "unix": 1, "inet": 2, "inet6": 28}
SOCKTYPES = {"stream": 1, "dgram": 2, "raw": 3, "rdm": 4, "seqpacket": 5}
# /etc/protocols, for getprotobyname(3) and getprotobynumber(3)
PROTOCOLS = {"ip": 0, "icmp": 1, "tcp": 6, "udp": 17, "ipv6": 41, "ipv6-icmp": 58, "sctp": 132,
             "udplite": 136}
AF_INET, AF_INET6 = 2, 28
SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET = 1, 2, 3, 5
IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_UDPLITE = 6, 17, 132, 136

# getaddrinfo.c explore[] for inet6 and inet: (socktype, protocol, the hint
# may leave the socket type out, the hint may leave the protocol out)
EXPLORE = [(SOCK_DGRAM, IPPROTO_UDP, True, True), (SOCK_STREAM, IPPROTO_TCP, True, True),
           (SOCK_STREAM, IPPROTO_SCTP, True, False), (SOCK_SEQPACKET, IPPROTO_SCTP, True, True),
           (SOCK_DGRAM, IPPROTO_UDPLITE, True, False), (SOCK_RAW, 0, False, True)]
# RFC 6724's default policy table (in6_src.c), prefix -> precedence
POLICY = [(ipaddress.ip_network("::1/128"), 50), (ipaddress.ip_network("::/0"), 40),
          (ipaddress.ip_network("::ffff:0:0/96"), 35), (ipaddress.ip_network("2002::/16"), 30),
          (ipaddress.ip_network("2001::/32"), 5), (ipaddress.ip_network("fc00::/7"), 3),
          (ipaddress.ip_network("::/96"), 1), (ipaddress.ip_network("fec0::/10"), 1),
          (ipaddress.ip_network("3ffe::/16"), 1)]
# gai_strerror(3)
EAI_FAMILY = "Address family not recognized"
EAI_NONAME = "Name does not resolve"
EAI_SERVICE = "Service was not recognized for socket type"
EAI_BADHINTS = "Invalid value for hints"
USAGE = ("Usage: getaddrinfo [-f <family>] [-p <protocol>] [-t <socktype>] [-s <service>]\n"
         "   [-cnNP] [<hostname>]\n")


@dataclass
class Hints:
    family: int = 0
    socktype: int = 0
    protocol: int = 0
    canonname: bool = False
    numerichost: bool = False
    numericserv: bool = False
    passive: bool = False


class Usage(Exception):
    pass


class GaiError(Exception):
    pass


@program("/usr/bin/getaddrinfo")
def getaddrinfo(proc: Proc, argv: list[str]) -> int:
    try:
        hints, hostname, service = _parse(proc, argv[1:])
    except Usage:
        proc.error(USAGE)
        return 1
    try:
        addresses, canonical = _lookup(proc, hints, hostname)
        port = _port(hints, service)
        results = _results(hints, addresses)
    except GaiError as exc:
        proc.warnx(str(exc))
        return 1
    if hints.canonname and results:
        proc.write(f"canonname {canonical}\n")
    for socktype, family, protocol, address in results:
        proc.write(f"{_name(SOCKTYPES, socktype)} {_name(FAMILIES, family)} "
                   f"{_name(PROTOCOLS, protocol)} {address} {port}\n")
    return 0


def _parse(proc: Proc, args: list[str]) -> tuple[Hints, str | None, str | None]:
    try:
        opts, operands = getopt(args, "cf:nNp:Ps:t:")
    except GetoptError as exc:
        proc.warnx(str(exc))
        raise Usage() from None
    hints, service = Hints(), None
    for flag, value in opts:
        if flag == "c":
            hints.canonname = True
        elif flag == "n":
            hints.numerichost = True
        elif flag == "N":
            hints.numericserv = True
        elif flag == "P":
            hints.passive = True
        elif flag == "s":
            service = value
        elif flag == "f":
            hints.family = _table(proc, value or "", FAMILIES, "invalid address family")
        elif flag == "t":
            hints.socktype = _table(proc, value or "", SOCKTYPES, "invalid socket type")
        elif flag == "p":
            hints.protocol = _table(proc, value or "", PROTOCOLS, "invalid protocol")
    if not (len(operands) == 1 or not operands and hints.passive):
        raise Usage()
    if service is not None and "/" in service:
        if hints.protocol:
            proc.warnx("protocol already specified")
            raise Usage()
        service, _, protocol = service.partition("/")
        hints.protocol = _table(proc, protocol, PROTOCOLS, "invalid protocol")
    return hints, (operands[0] if operands else None), service


def _table(proc: Proc, text: str, table: dict[str, int], message: str) -> int:
    """parse_numeric_tabular(): a number (strtol base 0), else a name."""
    try:
        return int(text, 0)
    except ValueError:
        pass
    if text in table:
        return table[text]
    proc.warnx(f"{message}: {text}")
    raise Usage()


def _name(table: dict[str, int], number: int) -> str:
    return next((name for name, value in table.items() if value == number), str(number))


def _lookup(proc: Proc, hints: Hints, hostname: str | None) -> tuple[list[Address], str]:
    if hints.family not in (0, AF_INET, AF_INET6, 1):
        raise GaiError(EAI_FAMILY)
    if hostname is None:
        # explore_null(): the loopback, or the wildcard for bind(2)
        wildcard: list[Address] = [ipaddress.IPv6Address("::"), ipaddress.IPv4Address("0.0.0.0")]
        loopback: list[Address] = [ipaddress.IPv6Address("::1"), ipaddress.IPv4Address("127.0.0.1")]
        return _of_family(hints, wildcard if hints.passive else loopback), ""
    numeric = _numeric(hostname)
    if numeric is not None:
        found = _of_family(hints, [numeric])
        if not found:
            raise GaiError(EAI_NONAME)
        return found, hostname
    if hints.numerichost:
        raise GaiError(EAI_NONAME)
    addresses = hosts_addresses(proc, hostname)
    if not addresses:
        try:
            addresses = [resolve(proc, hostname)[0]]
        except ResolveError as exc:
            raise GaiError(str(exc)) from None
    found = _of_family(hints, addresses)
    if not found:
        raise GaiError(EAI_NONAME)
    return (found if hints.passive else _reorder(proc, found)), hostname


def _numeric(hostname: str) -> Address | None:
    try:
        return ipaddress.ip_address(hostname.split("%", 1)[0])
    except ValueError:
        return None


def _of_family(hints: Hints, addresses: list[Address]) -> list[Address]:
    wanted = {AF_INET: 4, AF_INET6: 6}.get(hints.family)
    return [a for a in addresses if wanted is None or a.version == wanted]


def _reorder(proc: Proc, addresses: list[Address]) -> list[Address]:
    """reorder(): usable destinations first (rule 1), then higher
    precedence (rule 6); otherwise the order is kept."""
    def key(address: Address) -> tuple[int, int]:
        mapped = (ipaddress.IPv6Address(f"::ffff:{address}") if address.version == 4
                  else address)
        precedence = max(((net.prefixlen, prec) for net, prec in POLICY if mapped in net),
                         default=(0, 0))[1]
        return (0 if _usable(proc, address) else 1, -precedence)
    return sorted(addresses, key=key)


def _usable(proc: Proc, address: Address) -> bool:
    """A source address of the family exists in the process's stack."""
    if address.version == 4:
        return bool(proc.vnet.local_addresses())
    return any(i.inet6 for i in proc.vnet.ifnets)


def _port(hints: Hints, service: str | None) -> int:
    if service is None:
        return 0
    try:
        port = int(service)
    except ValueError:
        # services(5) in the sim: the well-known names the howtos use
        known = {"ssh": 22, "http": 80, "https": 443, "domain": 53, "whois": 43, "echo": 7,
                 "discard": 9, "ftp": 21, "smtp": 25, "ntp": 123}
        if hints.numericserv or service not in known:
            raise GaiError(EAI_NONAME if hints.numericserv else EAI_SERVICE) from None
        port = known[service]
    if hints.socktype == SOCK_RAW:
        raise GaiError(EAI_SERVICE)
    return port


def _results(hints: Hints, addresses: list[Address]) -> list[tuple[int, int, int, Address]]:
    """globcopy: for each explore[] entry the hints allow, a copy of each
    address of that entry's family; the families inet6 first."""
    if hints.socktype and hints.protocol and not any(
            (s == hints.socktype) and (p == hints.protocol or p == 0) for s, p, _, _ in EXPLORE):
        raise GaiError(EAI_BADHINTS)
    out: list[tuple[int, int, int, Address]] = []
    for family, version in ((AF_INET6, 6), (AF_INET, 4)):
        for socktype, protocol, wild_socktype, wild_protocol in EXPLORE:
            if hints.socktype and socktype != hints.socktype or not hints.socktype and not wild_socktype:
                continue
            if hints.protocol and protocol not in (hints.protocol, 0) or \
                    not hints.protocol and not wild_protocol:
                continue
            chosen_protocol = hints.protocol if hints.protocol and protocol == 0 else protocol
            out.extend((socktype, family, chosen_protocol, a) for a in addresses if a.version == version)
    if not out:
        raise GaiError(EAI_NONAME)
    return sorted(out, key=lambda entry: addresses.index(entry[3]))
