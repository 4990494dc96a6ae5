"""pfil(9): the packet filter hooks of a vnet's IPv4 and IPv6 stacks.

Each firewall (ipfw, pf, ipfilter) keeps its own state per vnet, as VIMAGE
virtualises them, and links its hook into that vnet's chain when it is
enabled. Inbound packets meet the hooks in the order they were linked,
outbound packets in the reverse order (sys/net/pfil.c pfil_link()).

A verdict is PASS, DROP (silently) or REFUSE (dropped, and the firewall
answers: a TCP RST or an ICMP unreachable, pf's "block return", ipfw's
"reset"/"unreach", ipf's "return-rst"). A firewall may rewrite the packet
(NAT) before it passes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from .errno import EEXIST, EINVAL, ENOENT, OSErr

# The hook, the verdicts and what a firewall is live with the vnet, whose
# firewalls they type; here they are re-exported for the firewalls.
from .vnet import Firewall, Hook, Verdict

if TYPE_CHECKING:
    from .packet import Packet
    from .vnet import Vnet

__all__ = ["FIREWALL_HOOKS", "PF_FILTER_LOCAL", "HEADS", "Firewall", "Hook", "HookSpec", "Verdict", "link", "links",
           "pfilctl_link", "registered", "run", "run_local", "unlink", "unlinked"]


def link(vnet: "Vnet", name: str) -> None:
    if name not in vnet.hooks:
        vnet.hooks.append(name)


def unlink(vnet: "Vnet", name: str) -> None:
    if name in vnet.hooks:
        vnet.hooks.remove(name)


def run(hook: Hook, packet: "Packet") -> Verdict:
    """Run ``packet`` through the hooks linked in ``hook.vnet``: an IPv6
    packet through those on the inet6 head (ip6_input(), ip6_output())."""
    names = list(hook.vnet.hooks)
    if hook.direction == "out":
        names.reverse()
    head = "inet6" if packet.inet6 else "inet"
    for name in names:
        if unlinked(hook.vnet, name, hook.direction, head):
            continue
        verdict = hook.vnet.firewalls[name].check(hook, packet)
        if verdict is not Verdict.PASS:
            return verdict
    return Verdict.PASS


def run_local(hook: Hook, packet: "Packet") -> Verdict:
    """The inet-local head: ip_input() runs its out hooks on a packet it
    delivers to this stack ("ours:"), with lo0 as the interface, so a
    redirect's replies can be translated back (netinet/ip_input.c); for
    an IPv6 packet ip6_input() runs inet6-local's."""
    head = "inet6-local" if packet.inet6 else "inet-local"
    for name in links(hook.vnet, head, "out"):
        firewall = next((f for f, specs in FIREWALL_HOOKS.items()
                         if any(spec.name == name for spec in specs)), None)
        if firewall is None or firewall not in hook.vnet.firewalls:
            continue
        verdict = hook.vnet.firewalls[firewall].check(hook, packet)
        if verdict is not Verdict.PASS:
            return verdict
    return Verdict.PASS


# net.pf.filter_local: pf links its IPv4 out hook on inet-local too.
PF_FILTER_LOCAL = "net.pf.filter_local"


# -- pfilctl(8)'s view (sys/net/pfil.c: PFILIOC_LISTHEADS, PFILIOC_LINK) ----------------------
# The heads every vnet registers, as its head list keeps them (newest
# first): ether's at SI_SUB_PROTO_IF, then ip_input's and ip6_input's.
HEADS = (("inet6-local", "IPv6"), ("inet6", "IPv6"), ("inet-local", "IPv4"), ("inet", "IPv4"),
         ("ethernet", "Ethernet"))


@dataclass(frozen=True)
class HookSpec:
    """A hook a firewall registers: module:ruleset, its type, and where it
    links itself when it is enabled (its head, in and/or out)."""
    module: str
    ruleset: str
    type: str
    head: str
    directions: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.module}:{self.ruleset}"


# pf's (pf_ioctl.c hook_pf), ipfw's (ip_fw_pfil.c; its Ethernet hook links
# only with net.link.ether.ipfw) and ipfilter's (ip_fil_freebsd.c).
FIREWALL_HOOKS = {
    "pf": (HookSpec("pf", "default-in", "IPv4", "inet", ("in",)),
           HookSpec("pf", "default-out", "IPv4", "inet", ("out",)),
           HookSpec("pf", "default-in6", "IPv6", "inet6", ("in",)),
           HookSpec("pf", "default-out6", "IPv6", "inet6", ("out",))),
    "ipfw": (HookSpec("ipfw", "default", "IPv4", "inet", ("in", "out")),
             HookSpec("ipfw", "default6", "IPv6", "inet6", ("in", "out")),
             HookSpec("ipfw", "default-link", "Ethernet", "ethernet", ())),
    "ipf": (HookSpec("ipfilter", "default-ip4", "IPv4", "inet", ("in", "out")),
            HookSpec("ipfilter", "default-ip6", "IPv6", "inet6", ("in", "out"))),
}

# What pfilctl changed in a vnet: links it made (head, direction, hook)
# besides the firewalls' own, and firewall links it took away.
_ADDED: "WeakKeyDictionary[Vnet, list[tuple[str, str, str]]]" = WeakKeyDictionary()
_REMOVED: "WeakKeyDictionary[Vnet, set[tuple[str, str, str]]]" = WeakKeyDictionary()


def registered(vnet: "Vnet") -> list[HookSpec]:
    """The hooks registered in the vnet, newest first: pf's and ipfilter's
    while they are enabled, ipfw's while it has an instance."""
    names = list(vnet.hooks)
    if "ipfw" in vnet.firewalls and "ipfw" not in names:
        names.append("ipfw")
    return [spec for name in reversed(names) for spec in FIREWALL_HOOKS[name]]


def links(vnet: "Vnet", head: str, direction: str) -> list[str]:
    """The hooks linked on a head in one direction, in the order a packet
    meets them."""
    removed = _REMOVED.get(vnet, set())
    names = vnet.hooks if direction == "in" else list(reversed(vnet.hooks))
    found = [spec.name for name in names for spec in FIREWALL_HOOKS[name]
             if spec.head == head and direction in spec.directions
             and (head, direction, spec.name) not in removed]
    if (head, direction) == ("inet-local", "out") and "pf" in vnet.hooks \
            and vnet.sysctl.get(PF_FILTER_LOCAL):
        found.append("pf:default-out")
    found += [hook for h, d, hook in _ADDED.get(vnet, []) if (h, d) == (head, direction)]
    return found


def pfilctl_link(vnet: "Vnet", hook_name: str, head: str, directions: tuple[str, ...],
                 unlink: bool) -> None:
    """pfil_link(): ENOENT for an unknown head or hook (or nothing to
    unlink), EINVAL when their types differ, EEXIST for a link there is."""
    heads = dict(HEADS)
    spec = next((s for s in registered(vnet) if s.name == hook_name), None)
    if head not in heads or spec is None:
        raise OSErr(ENOENT)
    if spec.type != heads[head]:
        raise OSErr(EINVAL)
    added = _ADDED.setdefault(vnet, [])
    removed = _REMOVED.setdefault(vnet, set())
    present = [d for d in directions if hook_name in links(vnet, head, d)]
    if unlink:
        if not present:
            raise OSErr(ENOENT)
        for direction in present:
            key = (head, direction, hook_name)
            if key in added:
                added.remove(key)
            else:
                removed.add(key)
        return
    if present:
        raise OSErr(EEXIST)
    for direction in directions:
        key = (head, direction, hook_name)
        if key in removed:
            removed.discard(key)
        else:
            added.append(key)


def unlinked(vnet: "Vnet", firewall: str, direction: str, head: str = "inet") -> bool:
    """pfilctl took the firewall's hook off ``head`` (inet or inet6) in
    this direction: the packet path does not run it there."""
    removed = _REMOVED.get(vnet, set())
    return any((head, direction, spec.name) in removed
               for spec in FIREWALL_HOOKS.get(firewall, ()) if spec.head == head)
