"""Validation of the names and addresses that end up in FreeBSD commands and
in files FreeBSD later parses or sources (qjail records, jail.conf, rc.conf).

Everything a user or a feature hands to jailkit is checked here, against the
grammar FreeBSD gives it, before any command runs, so a bad value gets a
clear error and the host stays as it was. Every check matches the whole
text (``fullmatch``): a trailing newline is not part of a name."""

from __future__ import annotations

import ipaddress
import re

IFNAMSIZ = 16  # sys/net/if.h: an interface name has at most 15 characters
_IFNAME = re.compile(r"[A-Za-z][A-Za-z0-9_.]*")
# RFC 1123 host names, as fetch(1) and the resolver take them.
_HOSTNAME = re.compile(r"(?=.{1,253}\Z)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)"
                       r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?")
# Characters that stay inert in a double-quoted sh string and in a jail.conf
# string: what a value written to a sourced file may hold.
_INERT = re.compile(r"[^\"$`\\\x00-\x1f\x7f]*")


class InvalidName(ValueError):
    pass


def is_ifname(name: str) -> bool:
    return _IFNAME.fullmatch(name) is not None and len(name) < IFNAMSIZ


def validate_ifname(name: str) -> str:
    if not is_ifname(name):
        raise InvalidName(
            f"{name!r} is not a FreeBSD interface name (a letter, then letters, digits, "
            f"'_' or '.', at most {IFNAMSIZ - 1} characters)")
    return name


def validate_ipv4(text: str) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        raise InvalidName(f"{text!r} is not an IPv4 address") from None


def validate_ipv6(text: str) -> ipaddress.IPv6Address:
    """An IPv6 address; a scope id (``%zone``) must name an interface
    (inet6(4): the zone of a link-local address is its interface)."""
    address, percent, zone = text.partition("%")
    if percent and not is_ifname(zone):
        raise InvalidName(f"{text!r}: the scope id {zone!r} is not an interface name")
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        raise InvalidName(f"{text!r} is not an IPv6 address") from None


def is_hostname(text: str) -> bool:
    return _HOSTNAME.fullmatch(text) is not None


def is_inert(text: str) -> bool:
    """True when ``text`` can stand inside double quotes in a file that sh
    sources or jail(8) parses without being read as syntax: no quote,
    dollar, backquote, backslash or control character (newlines included)."""
    return _INERT.fullmatch(text) is not None
