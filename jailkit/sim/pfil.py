"""pfil(9): the packet filter hooks of a vnet's IPv4 stack.

Each firewall (ipfw, pf, ipfilter) keeps its own state per vnet, as VIMAGE
virtualises them, and links its hook into that vnet's chain when it is
enabled. Inbound packets meet the hooks in the order they were linked,
outbound packets in the reverse order (sys/net/pfil.c pfil_link()).

A verdict is PASS, DROP (silently) or REFUSE (dropped, and the firewall
answers: a TCP RST or an ICMP unreachable, pf's "block return", ipfw's
"reset"/"unreach", ipf's "return-rst"). A firewall may rewrite the packet
(NAT) before it passes."""

from __future__ import annotations

from typing import TYPE_CHECKING

# The hook, the verdicts and what a firewall is live with the vnet, whose
# firewalls they type; here they are re-exported for the firewalls.
from .vnet import Firewall, Hook, Verdict

if TYPE_CHECKING:
    from .packet import Packet
    from .vnet import Vnet

__all__ = ["Firewall", "Hook", "Verdict", "link", "run", "unlink"]


def link(vnet: "Vnet", name: str) -> None:
    if name not in vnet.hooks:
        vnet.hooks.append(name)


def unlink(vnet: "Vnet", name: str) -> None:
    if name in vnet.hooks:
        vnet.hooks.remove(name)


def run(hook: Hook, packet: "Packet") -> Verdict:
    """Run ``packet`` through the hooks linked in ``hook.vnet``."""
    names = list(hook.vnet.hooks)
    if hook.direction == "out":
        names.reverse()
    for name in names:
        verdict = hook.vnet.firewalls[name].check(hook, packet)
        if verdict is not Verdict.PASS:
            return verdict
    return Verdict.PASS
