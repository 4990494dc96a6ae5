"""Host name lookup as the resolver does it for the sim's programs:
/etc/hosts inside the process's root (a jail sees its own file)."""

from __future__ import annotations

import ipaddress

from ..errno import OSErr
from ..proc import Proc


def resolve_host(proc: Proc, name: str) -> tuple[ipaddress.IPv4Address, str] | None:
    """(address, canonical name) for ``name``, or None when it is unknown."""
    try:
        hosts = proc.kernel.vfs.read("/etc/hosts", **proc.where())
    except OSErr:
        hosts = ""
    for line in hosts.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2 or name not in fields[1:]:
            continue
        try:
            return ipaddress.IPv4Address(fields[0]), fields[1]
        except ValueError:
            continue
    return None
