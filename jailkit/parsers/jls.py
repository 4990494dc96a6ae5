"""jls(8) with named parameters (``jls jid name``): one jail a line, the
values separated by a space, in the order asked (usr.sbin/jls/jls.c)."""

from __future__ import annotations


def parse_jid_name(text: str) -> dict[str, str]:
    """``jls jid name``: each jail's jid by its name."""
    jails = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 2:
            jails[fields[1]] = fields[0]
    return jails


def parse_names(text: str) -> list[str]:
    """``jls name``: the jails' names."""
    return text.split()
