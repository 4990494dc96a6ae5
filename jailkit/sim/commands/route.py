"""route(8): add, delete, change and get routes of a vnet's FIB 0
(sbin/route/route.c newroute(), print_getmsg()).

Changes print "add net default: gateway 10.0.10.1" on success; on failure
route warns "writing to routing socket: ..." and the summary line ends with
" fib 0: " and the reason, exit status 1.

The sim's routing tables are IPv4 only, so -4 changes nothing and -6 is
refused; so are -d and -t (route.c rtmsg(): the message goes nowhere, the
table stays, and what is printed then is not modelled) and -v (the
routing messages themselves, print_rtmsg())."""

from __future__ import annotations

import ipaddress

from ..errno import EEXIST, ESRCH, OSErr, strerror
from ...getopt import getopt
from ..proc import Proc, program
from ..vnet import Route, Vnet

USAGE = "usage: route [-j jail] [-46dnqtv] command [[modifiers] args]\n"
REASONS = {ESRCH: "not in table", EEXIST: "already in table"}
UNMODELLED = "6dtv"


@program("/sbin/route")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "46dnqtvj:", USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    flags = {f for f, _ in opts}
    if proc.refuses(flags & set(UNMODELLED)):
        return 1
    vnet = proc.vnet
    jail = dict(opts).get("j")
    if jail is not None:
        prison = proc.kernel.find_prison(jail, proc.prison)
        if prison is None:
            proc.warnx(f'jail "{jail}" not found')
            return 1
        vnet = prison.vnet
    if not args:
        proc.error(USAGE)
        return 1
    command, rest = args[0], args[1:]
    if command in ("add", "delete", "change"):
        return _change(proc, vnet, command, rest, quiet="q" in flags)
    if command in ("get", "show"):
        return _get(proc, vnet, rest, numeric="n" in flags)
    if command == "flush":
        vnet.flush_static()
        return 0
    proc.warnx(f"{command}: invalid command")
    proc.error(USAGE)
    return 1


def _parse_destination(words: list[str]) -> tuple[str, ipaddress.IPv4Network, bool, list[str]] | None:
    """(printed target, network, is host, remaining words)."""
    forced = None
    words = list(words)
    while words and words[0] in ("-net", "-host", "-inet", "-4"):
        flag = words.pop(0)
        if flag in ("-net", "-host"):
            forced = flag
    if not words:
        return None
    target = words.pop(0)
    if target == "default":
        return "default", ipaddress.IPv4Network("0.0.0.0/0"), False, words
    if words[:1] == ["-netmask"] and len(words) >= 2:
        mask = words[1]
        words = words[2:]
        target = f"{target}/{mask}"
    try:
        if "/" in target:
            network = ipaddress.IPv4Network(target, strict=False)
            return str(network.network_address), network, network.prefixlen == 32 and forced != "-net", words
        address = ipaddress.IPv4Address(target)
    except ValueError:
        return None
    if forced == "-net":
        network = ipaddress.IPv4Network(f"{address}/{_classful(address)}", strict=False)
        return str(address), network, False, words
    return str(address), ipaddress.IPv4Network(f"{address}/32"), True, words


def _classful(address: ipaddress.IPv4Address) -> int:
    first = int(address) >> 24
    return 8 if first < 128 else 16 if first < 192 else 24


def _ipv6(words: list[str]) -> bool:
    """A route of the inet6 family (-inet6, -6, or an IPv6 destination or
    gateway): the sim's IPv6 is one link, with no routing table."""
    return any(word in ("-inet6", "-6") or ":" in word for word in words)


def _change(proc: Proc, vnet: Vnet, command: str, words: list[str], quiet: bool) -> int:
    if _ipv6(words):
        proc.warnx("IPv6 routes are not modelled by the jailkit sim")
        return 1
    parsed = _parse_destination(words)
    if parsed is None:
        proc.warnx(f"{' '.join(words) or command}: bad address")
        return 1
    printed, network, host, rest = parsed
    kind = "host" if host else "net"
    gateway_text = rest[0] if rest else None
    if command in ("add", "change") and gateway_text is None:
        proc.error(USAGE)
        return 1
    summary = f"{command} {kind} {printed}" + (f": gateway {gateway_text}" if gateway_text else "")
    try:
        if command == "delete":
            route = vnet.delete_route(network)
            if gateway_text is None:
                summary += f": gateway {route.gateway}"
        else:
            gateway = ipaddress.IPv4Address(gateway_text)
            if command == "change":
                vnet.change_route(network, gateway, host=host)
            else:
                vnet.add_route(network, gateway, host=host)
    except ValueError:
        proc.warnx(f"{gateway_text}: bad address")
        return 1
    except OSErr as exc:
        proc.error(f"route: writing to routing socket: {strerror(exc.errno)}\n")
        reason = REASONS.get(exc.errno, strerror(exc.errno))
        proc.write(f"{summary} fib 0: {reason}\n")
        return 1
    if not quiet:
        proc.write(summary + "\n")
    return 0


def _get(proc: Proc, vnet: Vnet, words: list[str], numeric: bool) -> int:
    if _ipv6(words):
        proc.warnx("IPv6 routes are not modelled by the jailkit sim")
        return 1
    parsed = _parse_destination(words)
    if parsed is None:
        proc.warnx(f"{' '.join(words)}: bad address")
        return 1
    printed, network, host, _ = parsed
    target = network.network_address
    route: Route | None
    if printed == "default":
        route = next((r for r in vnet.routes if r.dest.prefixlen == 0), None)
    else:
        route = vnet.lookup(target)
    if route is None:
        proc.warnx("route has not been found")
        return 1

    def name(address) -> str:
        text = str(address)
        return "default" if text == "0.0.0.0" and not numeric else text
    lines = [("route to", name(target) if printed == "default" else printed),
             ("destination", name(route.dest.network_address)),
             ("mask", name(route.dest.netmask) if route.dest.prefixlen else name("0.0.0.0"))]
    if route.gateway is not None:
        lines.append(("gateway", str(route.gateway)))
    lines += [("fib", "0"), ("interface", route.ifnet.name),
              ("flags", "<" + ",".join(route.flag_names) + ">")]
    for label, value in lines:
        proc.write(f"{label:>11}: {value}\n")
    proc.write(" recvpipe  sendpipe  ssthresh  rtt,msec    mtu        weight    expire\n")
    proc.write(f"{0:>8}{0:>10}{0:>10}{0:>10}{route.ifnet.mtu:>10}{1:>10}{0:>10}\n")
    return 0

