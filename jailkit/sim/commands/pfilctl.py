"""pfilctl(8) (sbin/pfilctl/pfilctl.c): the pfil(9) heads of the vnet and
the hooks linked on them, the hooks registered, and linking or unlinking a
hook (module:ruleset) on a head, through /dev/pfil.

The sim's packets are IPv4 and meet one set of hooks, the inet head's:
taking a firewall's hook off it there (unlink) stops it filtering in that
direction. Links on the other heads (inet-local, inet6, inet6-local,
ethernet) are kept and listed; the sim's packet path has no IPv6 or
Ethernet filtering of its own and no separate local-delivery head, so they
change what the listing shows, not what the packets meet."""

from __future__ import annotations

from .. import pfil
from ..errno import OSErr
from ...getopt import GetoptError, getopt
from ..proc import Proc, program

COMMANDS = ("heads", "hooks", "link", "unlink")


class Help(Exception):
    """help(): the usage, and exit 0."""


@program("/sbin/pfilctl")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        return _main(proc, argv)
    except Help:
        proc.error("usage: pfilctl (heads|hooks|link|unlink)\n")
        return 0


def _main(proc: Proc, argv: list[str]) -> int:
    if len(argv) < 2:
        raise Help()
    word = argv[1]
    matches = [name for name in COMMANDS if name.startswith(word)]   # strncmp on its length
    if len(matches) > 1:
        proc.warnx(f"ambiguous command: {word}")
        return 1
    if not matches:
        proc.warnx(f"unknown command: {word}")
        return 1
    if proc.user != "root" or not proc.has_device("pfil"):
        error = "Permission denied" if proc.has_device("pfil") else "No such file or directory"
        proc.warnx(f"open(/dev/pfil): {error}")
        return 1
    command = matches[0]
    if command == "heads":
        _heads(proc)
    elif command == "hooks":
        _hooks(proc)
    else:
        return _link(proc, argv[1:], unlink=command == "unlink")
    return 0


def _heads(proc: Proc) -> None:
    proc.write("%16s %8s %3s %16s\n" % ("Intercept point", "Type", "Dir", "Hook"))
    for head, kind in pfil.HEADS:
        proc.write("%16s %8s\n" % (head, kind))
        for direction, label in (("in", "In"), ("out", "Out")):
            for hook in pfil.links(proc.vnet, head, direction):
                module, ruleset = hook.split(":", 1)
                proc.write("%29s %16s:%s\n" % (label, module, ruleset))


def _hooks(proc: Proc) -> None:
    proc.write("%16s %16s %8s\n" % ("Hook", "", "Type"))
    for spec in pfil.registered(proc.vnet):
        proc.write("%16s:%-16s %8s\n" % (spec.module, spec.ruleset, spec.type))


def _link(proc: Proc, argv: list[str], unlink: bool) -> int:
    """hook(): -i, -o (at least one), -a; then module:ruleset and the head."""
    try:
        opts, args = getopt(argv[1:], "ioa")
    except GetoptError:
        raise Help() from None
    flags = {flag for flag, _ in opts}
    directions = tuple(d for d, flag in (("in", "i"), ("out", "o")) if flag in flags)
    if not directions or len(args) != 2 or ":" not in args[0]:
        raise Help()
    try:
        pfil.pfilctl_link(proc.vnet, args[0], args[1], directions, unlink)
    except OSErr as exc:
        proc.warnx(f"ioctl(PFILIOC_LINK): {exc.strerror}")
        return 1
    return 0
