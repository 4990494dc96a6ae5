"""The resolver the sim's programs use (getaddrinfo(3), gethostbyaddr(3)):
/etc/hosts first, then DNS ("hosts: files dns" in nsswitch.conf), both
inside the process's root, so a jail uses its own files.

DNS goes to the nameservers of /etc/resolv.conf over UDP port 53 through
the network, firewalls and NAT like any other packet; each server gets
RES_DFLRETRY (2) tries of RES_TIMEOUT (5 s). The errors are getaddrinfo's
(lib/libc/net/getaddrinfo.c ai_errlist): EAI_NONAME "Name does not
resolve" when a server answered that the name does not exist, EAI_AGAIN
"Name could not be resolved at this time" when no server answered."""

from __future__ import annotations

import ipaddress
import re

from .errno import OSErr
from .octets import lines as text_lines
from .proc import Proc
from .socket import ConnectError, datagram

IPv4 = ipaddress.IPv4Address
DNS_PORT = 53
RES_TIMEOUT = 5.0
RES_DFLRETRY = 2
MAXNS = 3

EAI_AGAIN = "Name could not be resolved at this time"
EAI_NONAME = "Name does not resolve"


class ResolveError(Exception):
    pass


def _read(proc: Proc, path: str) -> str:
    try:
        return proc.kernel.vfs.read(path, **proc.where())
    except OSErr:
        return ""


def _fields(line: str) -> list[str]:
    """A hosts or resolv.conf line's words, split at spaces and tabs only
    (gethostbyht.c and res_init() look for " \t"): a carriage return is
    part of the last word."""
    return [field for field in re.split(r"[ \t]+", line) if field]


def hosts_file(proc: Proc) -> list[tuple[IPv4, list[str]]]:
    entries: list[tuple[IPv4, list[str]]] = []
    for line in text_lines(_read(proc, "/etc/hosts")):
        fields = _fields(line.split("#", 1)[0])
        if len(fields) < 2:
            continue
        try:
            entries.append((IPv4(fields[0]), fields[1:]))
        except ValueError:
            continue
    return entries


def nameservers(proc: Proc) -> list[IPv4]:
    found: list[IPv4] = []
    for line in text_lines(_read(proc, "/etc/resolv.conf")):
        fields = _fields(line)
        if len(fields) >= 2 and fields[0] == "nameserver":
            try:
                found.append(IPv4(fields[1]))
            except ValueError:
                continue
    return found[:MAXNS]


def resolve(proc: Proc, name: str) -> tuple[IPv4, str]:
    """(address, canonical name) of ``name``; raises ResolveError with
    gai_strerror's text."""
    try:
        return IPv4(name), name
    except ValueError:
        pass
    for address, names in hosts_file(proc):
        if name in names:
            return address, names[0]
    answer = _ask(proc, f"A {name.rstrip('.').lower()}")
    try:
        return IPv4(answer), name
    except ValueError:
        raise ResolveError(EAI_NONAME) from None


def reverse(proc: Proc, address: IPv4) -> str | None:
    """gethostbyaddr(): the name of ``address``, or None."""
    for known, names in hosts_file(proc):
        if known == address:
            return names[0]
    try:
        answer = _ask(proc, f"PTR {address}")
    except ResolveError:
        return None
    return answer if answer and answer != "NXDOMAIN" else None


def _ask(proc: Proc, question: str) -> str:
    # with no nameserver line the resolver asks the local host (res_init)
    servers = nameservers(proc) or [IPv4("127.0.0.1")]
    for server in servers:
        for _ in range(RES_DFLRETRY):
            try:
                answer = datagram(proc.kernel, proc.vnet, server, DNS_PORT, question, RES_TIMEOUT,
                                  proc.prison)
            except ConnectError:
                continue
            if answer == "NXDOMAIN":
                raise ResolveError(EAI_NONAME)
            return answer
    raise ResolveError(EAI_AGAIN)


def hosts_addresses(proc: Proc, name: str) -> list[IPv4 | ipaddress.IPv6Address]:
    """Every address /etc/hosts gives ``name``, of either family, in the
    file's order (files.c _gethtent as getaddrinfo(3) reads it with
    AF_UNSPEC)."""
    found: list[IPv4 | ipaddress.IPv6Address] = []
    for line in text_lines(_read(proc, "/etc/hosts")):
        fields = _fields(line.split("#", 1)[0])
        if len(fields) < 2 or name.lower() not in (n.lower() for n in fields[1:]):
            continue
        try:
            found.append(ipaddress.ip_address(fields[0]))
        except ValueError:
            continue
    return found
