"""IPv6 neighbour discovery (sys/netinet6/nd6.c, nd6_nbr.c): who on a link
holds an IPv6 address, and each interface's neighbour cache.

A stack that has no entry for a neighbour sends a neighbour solicitation
(nd6_ns_output()) to the target's solicited-node multicast group, from its
address on the outgoing interface; the interface that holds the address
answers with a neighbour advertisement (nd6_ns_input(), nd6_na_output())
and keeps the asker in its own cache (an NS with a source link-layer
option makes a STALE entry). The link-layer search itself (epairs,
bridges flooding the multicast frame) is jailkit.sim.network's, as for
ARP.

An entry stands while its neighbour still holds the address on a running
interface: neighbour unreachability detection (nd6_timer()'s DELAY and
PROBE states) would confirm it, or drop it and ask again. A tentative
address (DAD not done, nd6_nbr.c) answers nobody. Unused entries are
collected after net.inet6.ip6.nd6_gctimer (86400 s)."""

from __future__ import annotations

import ipaddress
from typing import Callable
from weakref import WeakKeyDictionary, ref

from .ifnet import Ifnet

IPv6 = ipaddress.IPv6Address
ND6_GCTIMER = 86400

_cache: "WeakKeyDictionary[Ifnet, dict[IPv6, tuple[ref[Ifnet], float]]]" = WeakKeyDictionary()


def owns(ifnet: Ifnet, address: IPv6) -> bool:
    """The interface holds ``address`` and may answer for it: not tentative."""
    return any(a.address == address and not a.tentative for a in ifnet.inet6)


def lookup(out: Ifnet, address: IPv6, now: float, usable: Callable[[Ifnet], bool]) -> Ifnet | None:
    """nd6_resolve(): the cached neighbour, while it stands."""
    entry = _cache.get(out, {}).get(address)
    if entry is None:
        return None
    held, expire = entry
    owner = held()
    if owner is None or now >= expire or not usable(owner) or not owns(owner, address):
        return None
    return owner


def store(ifnet: Ifnet, address: IPv6, neighbour: Ifnet, now: float) -> None:
    """nd6_cache_lladdr(): ``ifnet`` learns which interface holds ``address``."""
    if ifnet.mac is not None:
        _cache.setdefault(ifnet, {})[address] = (ref(neighbour), now + ND6_GCTIMER)


def select_source(ifnet: Ifnet, destination: IPv6,
                  allowed: "list[IPv6] | None" = None) -> IPv6 | None:
    """in6_selectsrc() on the outgoing interface, for an on-link
    destination (RFC 6724; nd6_ns_output() picks its solicitation's
    source so too): an address of the destination's zone (a
    link-local destination takes a link-local source, any other a
    source that is not link-local), not tentative, the longest prefix
    in common with the destination first; only ``allowed`` ones when
    given (a jail's)."""
    candidates = [a for a in ifnet.inet6 if not a.tentative
                  and a.address.is_link_local == destination.is_link_local
                  and (allowed is None or a.address in allowed)]
    if not candidates:
        return None
    best = max(candidates, key=lambda a: _common_prefix(a.address, destination))
    return best.address


def _common_prefix(a: IPv6, b: IPv6) -> int:
    """The leading bits two addresses share (RFC 6724 rule 8)."""
    return 128 - (int(a) ^ int(b)).bit_length()
