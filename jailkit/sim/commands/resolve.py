"""Host name lookup as the resolver does it for the sim's programs:
/etc/hosts inside the process's root (a jail sees its own file)."""

from __future__ import annotations

import ipaddress

from ..errno import OSErr
from ..proc import Proc


def _hosts(proc: Proc) -> list[tuple[ipaddress.IPv4Address, list[str]]]:
    try:
        text = proc.kernel.vfs.read("/etc/hosts", **proc.where())
    except OSErr:
        return []
    entries = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        try:
            entries.append((ipaddress.IPv4Address(fields[0]), fields[1:]))
        except ValueError:
            continue
    return entries


def resolve_host(proc: Proc, name: str) -> tuple[ipaddress.IPv4Address, str] | None:
    """(address, canonical name) for ``name``, or None when it is unknown."""
    return next(((address, names[0]) for address, names in _hosts(proc) if name in names), None)


def reverse_host(proc: Proc, address: ipaddress.IPv4Address) -> str | None:
    """The name of ``address`` (gethostbyaddr), or None."""
    return next((names[0] for a, names in _hosts(proc) if a == address), None)
