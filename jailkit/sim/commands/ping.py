"""ping(8) for IPv4 (sbin/ping/main.c, ping.c).

Each echo request is a decision of jailkit.sim.network: a reply needs the
way there and the way back, past every firewall and translation. Times come
from the machine's seeded generator, so a run repeats exactly. Exit status:
0 if any reply came, 2 if none, 64 (EX_USAGE) for a bad option value, 68
(EX_NOHOST) for a name that does not resolve (main.c: "cannot resolve").
Replies are printed with numeric addresses unless -H asks for names.

Without -c it pings until SIGINT (^C): ping.c's handler sets finish_up, the
loop ends and finish() prints the statistics and exits 0 if any reply came,
else 2, as at the end of -c."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from ipaddress import IPv4Address

from ..errno import EPERM, strerror
from ...getopt import GetoptError, getopt, option_flags, option_values
from ..network import Unreachable, send, source_address
from ..packet import Packet, reverse
from ..proc import Interrupted, Proc, program
from ..resolver import ResolveError, resolve, reverse as reverse_lookup
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


class UsageError(Exception):
    pass


@program("/sbin/ping")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "46AaC:c:DdfG:g:Hh:I:i:Ll:M:m:nop:QqRrS:s:T:t:vW:z:")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(USAGE)
        return EX_USAGE
    if len(args) != 1:
        proc.error(USAGE)
        return EX_USAGE
    flags = option_flags(opts)
    values = option_values(opts)
    if "4" in flags and "6" in flags:
        proc.warnx("-4 and -6 cannot be used simultaneously")
        return 1
    try:
        count = _number(values, "c", "invalid count of packets to transmit", 0, minimum=1)
        datalen = _number(values, "s", "invalid packet size", 56, minimum=0)
        timeout = _number(values, "t", "invalid timeout", 0, minimum=1)
        interval = float(values.get("i", "1"))
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
                names="H" in flags and "n" not in flags)


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
         interval: float, quiet: bool, source: str | None, names: bool) -> int:
    try:
        src = IPv4Address(source) if source else None
    except ValueError:
        proc.warnx(f"cannot resolve {source}: Unknown host")
        return 68
    proc.write(f"PING {hostname} ({destination})" + (f" from {src}" if src else "")
               + f": {datalen} data bytes\n")
    tally = _Tally()
    try:
        _loop(proc, destination, src, count, datalen, timeout, interval, quiet, names, tally)
    except Interrupted:
        pass    # ping.c stopit(): finish_up, then finish()
    return _finish(proc, hostname, tally.transmitted, tally.times)


@dataclass
class _Tally:
    transmitted: int = 0
    times: list[float] = field(default_factory=list)


def _loop(proc: Proc, destination: IPv4Address, src: IPv4Address | None, count: int, datalen: int, timeout: int,
          interval: float, quiet: bool, names: bool, tally: _Tally) -> None:
    """Send echo requests until -c or -t says stop (or SIGINT comes)."""
    kernel = proc.kernel
    vnet = proc.vnet
    times = tally.times
    deadline = kernel.clock + timeout if timeout else None
    seq = 0
    ident = kernel.rng.randint(1, 0xffff)     # ping.c: getpid() & 0xffff
    while not count or tally.transmitted < count:
        if deadline is not None and kernel.clock >= deadline:
            break
        tally.transmitted += 1
        reply = _echo(proc, vnet, destination, src, ident, seq, datalen)
        if isinstance(reply, int):
            proc.error(f"ping: sendto: {strerror(reply)}\n")
        elif reply is not None:
            ttl, rtt = reply
            times.append(rtt)
            if not quiet:
                proc.write(f"{datalen + 8} bytes from {_pr_addr(proc, destination, names)}: "
                           f"icmp_seq={seq} ttl={ttl} time={rtt:.3f} ms\n")
        seq += 1
        remaining = (deadline - kernel.clock) if deadline is not None else math.inf
        if count and tally.transmitted >= count:
            # ping.c: after the last request, stop as soon as every reply is
            # in, else wait 2 x the longest round trip (at least 1 s), or
            # MAXWAIT when nothing came back at all.
            if len(times) < tally.transmitted:
                kernel.advance(min(remaining, max(1.0, 2 * max(times) / 1000) if times else MAXWAIT))
            break
        kernel.advance(min(remaining, interval))


def _finish(proc: Proc, hostname: str, transmitted: int, times: list[float]) -> int:
    """ping.c finish(): the statistics; 0 if any reply came, else 2."""
    received = len(times)
    proc.write(f"\n--- {hostname} ping statistics ---\n")
    loss = 0.0 if not transmitted else 100.0 * (transmitted - received) / transmitted
    proc.write(f"{transmitted} packets transmitted, {received} packets received, "
               f"{loss:.1f}% packet loss\n")
    if times:
        avg = sum(times) / len(times)
        stddev = math.sqrt(max(0.0, sum(t * t for t in times) / len(times) - avg * avg))
        proc.write(f"round-trip min/avg/max/stddev = {min(times):.3f}/{avg:.3f}/"
                   f"{max(times):.3f}/{stddev:.3f} ms\n")
    return 0 if received else 2


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
        back = send(there.destination, there.packet.answer(), now)
    except Unreachable as exc:
        return None if exc.refused else (exc.errno or None)
    if back.destination is not vnet or back.packet.tuple() != reverse(asked):
        return None
    rng = proc.kernel.rng
    rtt = 0.020 + 0.045 * (there.segments + back.segments) + 0.030 * (there.routers + back.routers)
    rtt += there.latency + back.latency + rng.uniform(0.0, 0.025)
    return there.destination.sysctl.get("net.inet.ip.ttl", 64) - back.routers, rtt
