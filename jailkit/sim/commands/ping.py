"""ping(8) (sbin/ping/main.c, ping.c, ping6.c), also as ping6.

Each echo request is a decision of jailkit.sim.network: a reply needs the
way there and the way back, past every firewall and translation. Times come
from the machine's seeded generator, so a run repeats exactly. Exit status:
0 if any reply came, 2 if none, 64 (EX_USAGE) for a bad option value, 68
(EX_NOHOST) for a name that does not resolve (main.c: "cannot resolve").
Replies are printed with numeric addresses unless -H asks for names.

IPv6 (-6, ping6, an IPv6 target or -S source): the stack's own addresses
answer over the loopback, a neighbour on one of the vnet's links (a
link-local one named with its %interface) over the link, through
jailkit.sim.network and past the firewalls' IPv6 hooks. ping6.c finds its
source by connecting a UDP socket first, so a target with no route fails
there ("ping: UDP connect: No route to host", exit 1); a request the
sender's own firewall drops is a failed sendmsg ("ping: sendmsg: ...",
and "ping: wrote ..." on stdout), and when every one failed ping6.c exits
71 (EX_OSERR) rather than 2.

Without -c it pings until SIGINT (^C): ping.c's handler sets finish_up, the
loop ends and finish() prints the statistics and exits 0 if any reply came,
else 2, as at the end of -c.

-o stops at the first reply, -W waits that many milliseconds for a reply
(later ones are counted, not printed), -p fills the payload with a hex
pattern (IPv4). -Q hides ICMP errors, which the sim never prints anyway;
-d (SO_DEBUG) changes nothing printed. The options that need what the sim
does not model (flood, sweeps, TTL, TOS, record route, multicast, the
bell, ICMP errors) are refused rather than taken and ignored."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address
from typing import Callable

from ..errno import EADDRNOTAVAIL, EPERM, strerror
from ...getopt import getopt, option_flags, option_values
from ..network import Unreachable, send, source_address, source_address6
from ..packet import Packet, reverse
from ..proc import Interrupted, Proc, program
from ..resolver import ResolveError, hosts_addresses, resolve, reverse as reverse_lookup
from ..vnet import Vnet

EX_USAGE = 64
EX_NOHOST = 68
EX_OSERR = 71
MAXWAIT = 10  # seconds ping waits for the last reply (ping.c MAXWAIT)
MAXALARM = 60 * 60 * 24 * 7

USAGE = """\
usage:
\tping [-4AaDdfHnoQqRrv] [-C pcp] [-c count] [-G sweepmaxsize]
\t    [-g sweepminsize] [-h sweepincrsize] [-i wait] [-l preload]
\t    [-M mask | time] [-m ttl] [-P policy] [-p pattern] [-S src_addr] 
\t    [-s packetsize] [-t timeout] [-W waittime] [-z tos] IPv4-host
\tping [-4AaDdfHLnoQqRrv] [-C pcp] [-c count] [-I iface] [-i wait]
\t    [-l preload] [-M mask | time] [-m ttl] [-P policy] [-p pattern]
\t    [-S src_addr] [-s packetsize] [-T ttl] [-t timeout] [-W waittime]
            [-z tos] IPv4-mcast-group
\tping [-6aADdEfHnNoOquvyYZ] [-b bufsiz] [-c count] [-e gateway]
            [-I interface] [-i wait] [-k addrtype] [-l preload] [-m hoplimit]
            [-p pattern] [-P policy] [-S sourceaddr] [-s packetsize] [-t timeout]
\t    [-W waittime] [-z tclass] [IPv6-hops ...] IPv6-host
"""


# Options that ask for what the sim does not model (ping.8): flood and
# preload, sweeps, a TTL or TOS, DF, record route, SO_DONTROUTE, mask and
# timestamp requests, multicast, the audible bells, -v's other ICMP packets.
UNMODELLED = "ADGILMRTafghlmrvz"


class UsageError(Exception):
    pass


@dataclass(frozen=True)
class _Stop:
    """When the loop stops and what it prints: -o (F_ONCE) ends it at the
    first reply; -W (F_WAITTIME) is waittime in ms, MAXWAIT s without it."""
    once: bool = False
    waittime: float | None = None


@program("/sbin/ping", "/sbin/ping6")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "46AaC:c:DdfG:g:Hh:I:i:Ll:M:m:nop:QqRrS:s:T:t:vW:z:", USAGE)
    if parsed is None:
        return EX_USAGE
    opts, args = parsed
    if len(args) != 1:
        proc.error(USAGE)
        return EX_USAGE
    flags = option_flags(opts)
    values = option_values(opts)
    if proc.refuses(flags & set(UNMODELLED)):
        return EX_USAGE
    if proc.progname == "ping6":
        flags.add("6")
    if "4" in flags and "6" in flags:
        proc.warnx("-4 and -6 cannot be used simultaneously")
        return 1
    family = _family(flags, args[0], values.get("S"))
    if isinstance(family, str):
        proc.warnx(family)
        return 1
    if "C" in values and not _pcp_valid(values["C"]):
        proc.warnx(f"invalid PCP: `{values['C']}'")
        return EX_USAGE
    try:
        count = _number(values, "c", "invalid count of packets to transmit", 0, minimum=1)
        # ping.c's DEFDATALEN 56; ping6.c's is ICMP6ECHOTMLEN, 8
        datalen = _number(values, "s", "invalid packet size", 8 if family == 6 else 56, minimum=0)
        timeout = _number(values, "t", "invalid timeout", 0, minimum=1)
        interval = float(values.get("i", "1"))
        stop = _Stop(once="o" in flags, waittime=_waittime(values.get("W")))
    except UsageError as exc:
        proc.warnx(str(exc))
        return EX_USAGE
    except ValueError:
        proc.warnx(f"invalid timing interval: `{values['i']}'")
        return EX_USAGE
    if timeout > MAXALARM:
        proc.warnx(f"invalid timeout: `{values['t']}' > {MAXALARM}")
        return EX_USAGE
    target = args[0]
    if family == 6:
        if "p" in flags:
            proc.warnx("option -p is not modelled by the jailkit sim")
            return EX_USAGE
        return _ping6(proc, target, flags, values, count, datalen, timeout, stop)
    if "p" in values and not _fill(proc, values["p"], "q" in flags):
        return EX_USAGE
    try:
        destination, hostname = resolve(proc, target)
    except ResolveError as exc:
        proc.warnx(f"cannot resolve {target}: {exc}")
        return EX_NOHOST
    if not _raw_sockets_allowed(proc):
        proc.error(f"ping: socket: {strerror(EPERM)}\n")
        return EX_OSERR
    return _run(proc, hostname, destination, count, datalen, timeout, interval,
                quiet="q" in flags, source=values.get("S"),
                names="H" in flags and "n" not in flags, stop=stop)


def _waittime(value: str | None) -> float | None:
    """ping.c -W: strtod(3) of the whole argument, in milliseconds."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise UsageError(f"invalid timing interval: `{value}'") from None


def _fill(proc: Proc, pattern: str, quiet: bool) -> bool:
    """ping.c fill(): hex digits only, read as up to 16 bytes of two digits
    each; the bytes are echoed as "PATTERN: 0x..." unless -q. An empty
    pattern (sscanf(3) returns EOF there) is refused, not guessed at."""
    if not pattern:
        proc.warnx("option -p is not modelled by the jailkit sim")
        return False
    if any(c not in "0123456789abcdefABCDEF" for c in pattern):
        proc.warnx("patterns must be specified as hex digits")
        return False
    octets = [int(pattern[i:i + 2], 16) for i in range(0, len(pattern), 2)][:16]
    if not quiet:
        proc.write("PATTERN: 0x" + "".join(f"{octet:02x}" for octet in octets) + "\n")
    return True


def _family(flags: set[str], target: str, source: str | None) -> int | str:
    """main.c: a literal target decides (and must agree with -4/-6), then
    -4/-6, then a literal -S source; a name is looked up as IPv4 first
    (the sim's resolver has no AAAA records). A str is main.c's errx."""
    literal = _literal(target)
    if isinstance(literal, IPv4Address):
        return "IPv6 requested but IPv4 target address provided" if "6" in flags else 4
    if isinstance(literal, IPv6Address):
        return "IPv4 requested but IPv6 target address provided" if "4" in flags else 6
    if "6" in flags:
        return 6
    if "4" in flags:
        return 4
    return 6 if isinstance(_literal(source or ""), IPv6Address) else 4


def _literal(text: str) -> IPv4Address | IPv6Address | None:
    """inet_pton(3) of either family (an IPv6 one may carry its %zone)."""
    try:
        return IPv4Address(text)
    except ValueError:
        pass
    try:
        return IPv6Address(text.split("%", 1)[0])
    except ValueError:
        return None


def _pcp_valid(value: str) -> bool:
    """ping.c -C: strtol(3) over the whole string, -1 (the default) to 7."""
    try:
        return -1 <= int(value, 0) <= 7
    except ValueError:
        return False


def _number(values: dict[str, str], flag: str, message: str, default: int, minimum: int) -> int:
    value = values.get(flag)
    if value is None:
        return default
    try:
        number = int(value, 0)
    except ValueError:
        raise UsageError(f"{message}: `{value}'") from None
    if number < minimum:
        raise UsageError(f"{message}: `{value}'")
    return number


def _raw_sockets_allowed(proc: Proc) -> bool:
    # prison_priv_check(): a VNET jail has every network privilege; other
    # jails need allow.raw_sockets for ICMP.
    prison = proc.prison
    return prison.is_host or prison.own_vnet or prison.params.get("allow.raw_sockets") == "1"


def _pr_addr(proc: Proc, address: IPv4Address, names: bool) -> str:
    """ping.c pr_addr(): the address, or with -H "name (address)" when the
    address has a name."""
    name = reverse_lookup(proc, address) if names else None
    return f"{name} ({address})" if name else str(address)


def _run(proc: Proc, hostname: str, destination: IPv4Address, count: int, datalen: int, timeout: int,
         interval: float, quiet: bool, source: str | None, names: bool, stop: _Stop) -> int:
    try:
        src = IPv4Address(source) if source else None
    except ValueError:
        proc.warnx(f"cannot resolve {source}: Unknown host")
        return 68
    proc.write(f"PING {hostname} ({destination})" + (f" from {src}" if src else "")
               + f": {datalen} data bytes\n")
    tally = _Tally()
    pinger = _pinger4(proc, destination, src, datalen, quiet, names, tally, stop)
    try:
        _loop(proc, count, timeout, interval, tally, stop, pinger)
    except Interrupted:
        pass    # ping.c stopit(): finish_up, then finish()
    return _finish(proc, hostname, tally)


@dataclass
class _Tally:
    transmitted: int = 0
    times: list[float] = field(default_factory=list)
    late: int = 0       # replies after -W's waittime (ping.c nrcvtimeout)
    failures: int = 0   # requests sendmsg(2) refused (ping6.c ntransmitfailures)

    def shown(self, rtt: float, quiet: bool, stop: _Stop) -> bool:
        """Count a reply; whether its line is printed. ping.c pr_pack():
        -q returns before the -W check, so a quiet run counts none late."""
        self.times.append(rtt)
        if quiet:
            return False
        if stop.waittime is not None and rtt > stop.waittime:
            self.late += 1
            return False
        return True


# One echo request by its icmp_seq: it prints what came back and says
# whether a reply came.
Pinger = Callable[[int], bool]


def _pinger4(proc: Proc, destination: IPv4Address, src: IPv4Address | None, datalen: int,
             quiet: bool, names: bool, tally: _Tally, stop: _Stop) -> Pinger:
    """ping.c pinger() and pr_pack() for IPv4."""
    ident = proc.kernel.rng.randint(1, 0xffff)     # ping.c: getpid() & 0xffff

    def ping(seq: int) -> bool:
        reply = _echo(proc, proc.vnet, destination, src, ident, seq, datalen)
        if isinstance(reply, int):
            proc.error(f"ping: sendto: {strerror(reply)}\n")
            return False
        if reply is None:
            return False
        ttl, rtt = reply
        if tally.shown(rtt, quiet, stop):
            proc.write(f"{datalen + 8} bytes from {_pr_addr(proc, destination, names)}: "
                       f"icmp_seq={seq} ttl={ttl} time={rtt:.3f} ms\n")
        return True
    return ping


def _loop(proc: Proc, count: int, timeout: int, interval: float, tally: _Tally, stop: _Stop,
          pinger: Pinger) -> None:
    """Send echo requests until -c or -t says stop (or SIGINT comes)."""
    kernel = proc.kernel
    times = tally.times
    deadline = kernel.clock + timeout if timeout else None
    seq = 0
    while not count or tally.transmitted < count:
        if deadline is not None and kernel.clock >= deadline:
            break
        tally.transmitted += 1
        if pinger(seq) and stop.once:
            break   # ping.c: F_ONCE and a reply ends the loop at once
        seq += 1
        remaining = (deadline - kernel.clock) if deadline is not None else math.inf
        if count and tally.transmitted >= count:
            # ping.c: after the last request, stop as soon as every reply is
            # in, else wait 2 x the longest round trip (at least 1 s), or
            # -W's waittime (MAXWAIT without it) when nothing came back.
            if len(times) < tally.transmitted:
                silent = MAXWAIT if stop.waittime is None else stop.waittime / 1000
                kernel.advance(min(remaining, max(1.0, 2 * max(times) / 1000) if times else silent))
            break
        kernel.advance(min(remaining, interval))


def _finish(proc: Proc, hostname: str, tally: _Tally) -> int:
    """ping.c finish(): the statistics; 0 if any reply came, else 2."""
    transmitted, times = tally.transmitted, tally.times
    received = len(times)
    proc.write(f"\n--- {hostname} ping statistics ---\n")
    loss = 0.0 if not transmitted else 100.0 * (transmitted - received) / transmitted
    late = f", {tally.late} packets out of wait time" if tally.late else ""
    proc.write(f"{transmitted} packets transmitted, {received} packets received, "
               f"{loss:.1f}% packet loss{late}\n")
    if times:
        avg = sum(times) / len(times)
        stddev = math.sqrt(max(0.0, sum(t * t for t in times) / len(times) - avg * avg))
        proc.write(f"round-trip min/avg/max/stddev = {min(times):.3f}/{avg:.3f}/"
                   f"{max(times):.3f}/{stddev:.3f} ms\n")
    if received:
        return 0
    return 2 if transmitted > tally.failures else EX_OSERR


def _echo(proc: Proc, vnet: Vnet, destination: IPv4Address, source: IPv4Address | None,
          ident: int, seq: int, datalen: int) -> tuple[int, float] | int | None:
    """One echo request: (ttl, rtt) of the reply, an errno when sendto fails,
    or None when nothing comes back (a firewall's ICMP unreachable is not
    modelled as a message: the request just goes unanswered)."""
    now = proc.kernel.clock
    try:
        src = source or source_address(vnet, destination, proc.prison)
        # the echo request carries its icmp_seq (ping.c pinger()), as bpf shows it
        request = Packet("icmp", src, destination, ident, ident, size=datalen + 28, seq=seq)
        asked = request.tuple()
        there = send(vnet, request, now)
    except Unreachable as exc:
        return None if exc.refused else (exc.errno or None)
    try:
        back = send(there.destination, there.packet.answer(), now)
    except Unreachable:
        # the answering stack's own failure (no route back): not our sendto's
        return None
    if back.destination is not vnet or back.packet.tuple() != reverse(asked):
        return None
    rng = proc.kernel.rng
    rtt = 0.020 + 0.045 * (there.segments + back.segments) + 0.030 * (there.routers + back.routers)
    rtt += there.latency + back.latency + rng.uniform(0.0, 0.025)
    return there.destination.sysctl.get("net.inet.ip.ttl", 64) - back.routers, rtt


# -- IPv6 (ping6.c) -------------------------------------------------------------
def _ping6(proc: Proc, target: str, flags: set[str], values: dict[str, str], count: int,
           datalen: int, timeout: int, stop: _Stop) -> int:
    """ping6.c: "PING(total=40+8+data bytes) src --> dst", then per reply
    "N bytes from ADDR, icmp_seq=S hlim=H time=T ms" (numeric unless -H;
    a link-local address with its %interface)."""
    literal = _literal(target)
    if isinstance(literal, IPv6Address) and literal.is_multicast:
        proc.warnx("multicast destinations are not modelled by the jailkit sim")
        return 1
    resolved = _resolve6(proc, target)
    if resolved is None:
        proc.warnx(f"cannot resolve {target}: {_gai_noname()}")
        return EX_NOHOST
    destination, zone = resolved
    if not _raw_sockets_allowed(proc):
        proc.error(f"ping: socket: {strerror(EPERM)}\n")
        return EX_OSERR
    if "S" in values:
        source = _literal(values["S"])
        if not isinstance(source, IPv6Address) or not _own_address6(proc, source):
            proc.error(f"ping: bind: {strerror(EADDRNOTAVAIL)}\n")
            return 1
    else:
        try:
            source = source_address6(proc.vnet, destination, zone, proc.prison)
        except Unreachable as exc:
            proc.error(f"ping: UDP connect: {strerror(exc.errno)}\n")
            return 1
    proc.write(f"PING({datalen + 48}=40+8+{datalen} bytes) {_scoped(source, zone)} --> "
               f"{_scoped(destination, zone)}\n")
    tally = _Tally()
    quiet = "q" in flags
    pinger = _pinger6(proc, target, destination, zone, source, datalen, quiet, tally, stop)
    interval = float(values.get("i", "1"))
    try:
        _loop(proc, count, timeout, interval, tally, stop, pinger)
    except Interrupted:
        pass
    return _finish(proc, target, tally)


def _scoped(address: IPv6Address, zone: str) -> str:
    """getnameinfo(3) of a link-local address: with its %interface."""
    return f"{address}%{zone}" if address.is_link_local and zone else str(address)


def _pinger6(proc: Proc, hostname: str, destination: IPv6Address, zone: str, source: IPv6Address,
             datalen: int, quiet: bool, tally: _Tally, stop: _Stop) -> Pinger:
    """ping6.c pinger() and pr_pack()."""
    ident = proc.kernel.rng.randint(1, 0xffff)     # ping6.c: getpid() & 0xffff

    def ping(seq: int) -> bool:
        reply = _echo6(proc, destination, zone, source, ident, seq, datalen)
        if isinstance(reply, int):
            tally.failures += 1
            proc.error(f"ping: sendmsg: {strerror(reply)}\n")
            proc.write(f"ping: wrote {hostname} {datalen + 8} chars, ret=-1\n")
            return False
        if reply is None:
            return False
        peer, hlim, rtt = reply
        if tally.shown(rtt, quiet, stop):
            proc.write(f"{datalen + 8} bytes from {peer}, icmp_seq={seq} hlim={hlim} "
                       f"time={rtt:.3f} ms\n")
        return True
    return ping


def _echo6(proc: Proc, destination: IPv6Address, zone: str, source: IPv6Address, ident: int,
           seq: int, datalen: int) -> tuple[str, int, float] | int | None:
    """One ICMPv6 echo request and icmp6_reflect()'s reply, out by the
    interface the request came in on: (the replier as pr_addr() prints
    it, its hop limit, rtt), an errno when sendmsg fails, or None when
    nothing comes back."""
    vnet = proc.vnet
    now = proc.kernel.clock
    request = Packet("icmp6", source, destination, ident, ident, size=datalen + 48, seq=seq)
    asked = request.tuple()
    try:
        there = send(vnet, request, now, zone)
    except Unreachable as exc:
        return None if exc.refused else (exc.errno or None)
    # the reply goes back in the zone the request came from: the
    # interface it came in by, or for our own address the request's own
    back_zone = zone if there.destination is vnet else there.packet.rcvif
    try:
        back = send(there.destination, there.packet.answer(), now, back_zone)
    except Unreachable:
        return None
    if back.destination is not vnet or back.packet.tuple() != reverse(asked):
        return None
    rtt = 0.020 + 0.045 * (there.segments + back.segments) + there.latency + back.latency
    rtt += proc.kernel.rng.uniform(0.0, 0.025)
    replier = back.packet.src
    assert isinstance(replier, IPv6Address)
    hlim = there.destination.sysctl.get("net.inet6.ip6.hlim", 64)
    return _scoped(replier, zone), hlim, rtt


def _own_address6(proc: Proc, address: IPv6Address) -> bool:
    """An address of this vnet that the process's jail may use (prison_if)
    and that is ready: rip6_bind() refuses a tentative one (IN6_IFF_NOTREADY)."""
    return any(any(a.address == address and not a.tentative for a in proc.prison.if_inet6(ifnet))
               for ifnet in proc.vnet.ifnets)


def _resolve6(proc: Proc, target: str) -> tuple[IPv6Address, str] | None:
    """getaddrinfo(3) with AF_INET6: a literal (a link-local one may name
    its zone, an interface by name or index: explore_numeric_scope()),
    else /etc/hosts; the address and its zone's interface."""
    literal = _literal(target)
    if isinstance(literal, IPv6Address):
        _, percent, scope = target.partition("%")
        if not percent:
            return literal, ""
        zone = _zone(proc, scope) if literal.is_link_local else None
        return None if zone is None else (literal, zone)
    found = [a for a in hosts_addresses(proc, target) if isinstance(a, IPv6Address)]
    return (found[0], "") if found else None


def _zone(proc: Proc, scope: str) -> str | None:
    """ip6_str2scopeid(): an interface of the vnet by name
    (if_nametoindex()) or by index; its name."""
    for ifnet in proc.vnet.ifnets:
        if scope in (ifnet.name, str(ifnet.index)):
            return ifnet.name
    return None


def _gai_noname() -> str:
    return "Name does not resolve"
