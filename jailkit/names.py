"""Validation of the names and addresses that end up in FreeBSD commands.

Everything a user or a feature hands to jailkit is checked here before any
command runs, so a bad value gets a clear error and the host stays as it was."""

from __future__ import annotations

import ipaddress
import re

IFNAMSIZ = 16  # sys/net/if.h: an interface name has at most 15 characters
_IFNAME = re.compile(r"[A-Za-z][A-Za-z0-9_.]*")


class InvalidName(ValueError):
    pass


def validate_ifname(name: str) -> str:
    if not _IFNAME.fullmatch(name) or len(name) >= IFNAMSIZ:
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
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        raise InvalidName(f"{text!r} is not an IPv6 address") from None
