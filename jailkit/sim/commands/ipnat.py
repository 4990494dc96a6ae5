"""ipnat(8): IPFilter's NAT rules and sessions (sbin/ipf/ipnat/ipnat.c).

-F flushes the active sessions, -C the rules (each says how many), then -f
loads rules (stopping at the first syntax error, the rules before it stay)
or with -r removes them; without -f, -s prints the statistics and -l the
rules and sessions (-h with each rule's hits, -d with the kernel's debug
fields). -n does all of that without /dev/ipnat: it parses and prints."""

from __future__ import annotations

from ..errno import OSErr
from ..ipfilter import Ipfilter, IpfSyntaxError, IpfUnmodelled, NatRule, Session, nat_rules, ticks
from ..proc import Proc, program
from ...getopt import getopt

NAT_TABLE_SIZE = 2047           # NAT_TABLE_SZ: ipnat -s's buckets
IFNET_BASE = 0xFFFFF80003200000  # where the sim places struct ifnet


class Options:
    def __init__(self, flags: set[str]) -> None:
        self.flags = flags

    def __contains__(self, flag: str) -> bool:
        return flag in self.flags


@program("/sbin/ipnat")
def main(proc: Proc, argv: list[str]) -> int:
    usage = f"Usage: {argv[0]} [-CFhlnrRsv] [-f filename]\n"
    parsed = proc.options(argv, "CdFf:hlm:M:N:nO:prRsv", usage)
    if parsed is None:
        return 1
    opts, args = parsed
    flags = Options({f for f, _ in opts})
    values = {f: v or "" for f, v in opts}
    if "p" in flags and "r" not in flags:
        proc.error(f"{argv[0]}: -p must be used with -r\n")
        return 1
    unmodelled = sorted(flags.flags & set("mMNOp"))
    if "f" in flags and "d" in flags:
        unmodelled.append("d with -f (binprint's dump of each rule)")
    if "f" not in flags and "v" in flags and flags.flags & {"l", "s"}:
        unmodelled.append("v with -l or -s (the sessions' counters and the host mappings)")
    if unmodelled:
        proc.warnx(f"-{unmodelled[0]} is not modelled by the jailkit sim")
        return 1
    ipf = None
    if "n" not in flags:
        ipf = _open(proc)
        if ipf is None:
            return 1
    if "F" in flags or "C" in flags:
        _flush(proc, ipf, flags)
    if "f" in flags:
        return _load(proc, ipf, values["f"], flags)
    if "s" in flags:
        _stats(proc, ipf or Ipfilter())
    if "l" in flags:
        _list(proc, ipf or Ipfilter(), flags)
    return 0


def _open(proc: Proc) -> Ipfilter | None:
    ipf = proc.kernel.firewall(proc.vnet, "ipf")
    if not isinstance(ipf, Ipfilter) or not proc.has_device("ipnat"):
        proc.error("/dev/ipnat: open: No such file or directory\n")
        return None
    return ipf


def _flush(proc: Proc, ipf: Ipfilter | None, flags: Options) -> None:
    """flushtable(): under -n nothing is flushed and -C's count stays at
    the 1 the ioctl argument starts with."""
    if "F" in flags:
        proc.write(f"{ipf.flush_sessions() if ipf else 0} entries flushed from NAT table\n")
    if "C" in flags:
        proc.write(f"{ipf.flush_nat_rules() if ipf else 1} entries flushed from NAT list\n")


def _load(proc: Proc, ipf: Ipfilter | None, path: str, flags: Options) -> int:
    try:
        text = proc.read_file(path)
    except OSErr as exc:
        # ipnat_parsefile() returns -1, and main() returns it: exit status 255
        proc.error(f"fopen({path}) failed: {exc.strerror}\n")
        return 255
    status = 0
    try:
        for number, rule in nat_rules(text):
            if "v" in flags:
                proc.write(rule.render() + "\n")
            if ipf is not None:
                status = _apply(proc, ipf, number, rule, remove="r" in flags) or status
    except IpfSyntaxError as exc:
        proc.error(f"{exc}\n")
        return 1
    except IpfUnmodelled as exc:
        proc.warnx(str(exc))
        return 1
    return status


def _apply(proc: Proc, ipf: Ipfilter, number: int, rule: NatRule, remove: bool) -> int:
    if not remove:
        ipf.add_nat(rule)
        return 0
    if ipf.remove_nat(rule):
        return 0
    # ipnat_y.y ipnat_addrule(): SIOCRMNAT fails with ESRCH
    proc.error(f"{number}:ioctl(delete nat rule): No such process\n")
    return 1


# -- ipnat -l -----------------------------------------------------------------

def _list(proc: Proc, ipf: Ipfilter, flags: Options) -> None:
    """dostats_live(): the rules, then the sessions, newest first."""
    debug = "d" in flags
    proc.write("List of active MAP/Redirect filters:\n")
    for rule in ipf.nat:
        proc.write((f"{rule.hits} " if "h" in flags else "") + rule.render() + "\n")
        if debug:
            proc.write(_rule_debug(proc, ipf, rule))
    proc.write("\nList of active sessions:\n")
    now = proc.kernel.clock
    for index, session in enumerate(ipf.sessions):
        proc.write(session.render())
        if debug:
            following = ipf.sessions[index + 1] if index + 1 < len(ipf.sessions) else None
            previous = ipf.sessions[index - 1] if index else None
            proc.write(_session_debug(proc, session, following, previous, now))
        proc.write("\n")


def _hex(value: int) -> str:
    """printf(3)'s %#x: no 0x before a zero."""
    return f"{value:#x}" if value else "0"


def _pointer(address: int) -> str:
    """printf(3)'s %p: 0x and the address in hex, "0x0" for NULL."""
    return f"{address:#x}"


def _ifnet_address(proc: Proc, name: str) -> int:
    ifnet = proc.vnet.ifunit(name)
    return IFNET_BASE + ifnet.index * 0x800 if ifnet is not None else 0


def _rule_debug(proc: Proc, ipf: Ipfilter, rule: NatRule) -> str:
    """printnat() with OPT_DEBUG: the rule's kernel fields."""
    lines = ""
    if rule.kind == "rdr":
        lines += f"\tpmax {rule.target_port or 0}\n"
    else:
        low = rule.portmap[0] if rule.portmap else 0
        lines += f"\tnextip {rule.target.network_address} pnext {low}\n"
    use = 1 + sum(1 for s in ipf.sessions if s.rule is rule)
    ifp = _pointer(_ifnet_address(proc, rule.ifname))
    lines += (f"\tspace {rule.space()} use {use} hits {rule.hits} flags {_hex(rule.flags())} "
              f"proto {rule.protocol_numbers()} hv 0/0\n")
    lines += f"\tifp[0] {ifp} ifp[1] {ifp} apr 0x0\n"
    lines += "\ttqehead 0x0/0x0 comment 0x0\n"
    return lines


def _session_debug(proc: Proc, session: Session, following: Session | None,
                   previous: Session | None, now: float) -> str:
    """printactivenat() with OPT_DEBUG: the session's links and timeout
    queue entry (its expiry and last use in IPF ticks)."""
    me = session.address
    ifp = _pointer(_ifnet_address(proc, session.ifname))
    tcp_state = "4/4" if session.proto == "tcp" else "0/0"
    return (f"\n\tnat_next {_pointer(following.address if following else 0)} "
            f"_pnext {_pointer((previous.address if previous else Ipfilter.KERNEL_BASE) + 8)} _hm 0x0\n"
            f"\t_hnext 0x0/0x0 _phnext {_pointer(me + 0x10)}/{_pointer(me + 0x18)}\n"
            f"\t_data 0x0 _me 0x0 _state 0x0 _aps 0x0\n"
            f"\tfr {_pointer(0)} ptr {_pointer(session.rule.address)} ifps {ifp}/{ifp} sync 0x0\n"
            f"\ttqe:pnext {_pointer(me + 0x40)} next 0x0 ifq 0x0 parent {_pointer(me)}/{_pointer(me)}\n"
            f"\ttqe:die {ticks(session.expires)} touched {ticks(session.touched)} flags 0 "
            f"state {tcp_state}\n")


# -- ipnat -s -----------------------------------------------------------------

SIDE_COUNTERS = ["proxy create fail", "proxy fail", "bad nat", "bad nat new", "bad next addr",
                 "bucket max", "clone nomem", "decap bad", "decap fail", "decap pullup",
                 "divert dup", "divert exist", "drop", "exhausted", "icmp address", "icmp basic",
                 "inuse", "icmp mbuf wrong size", "icmp header unmatched", "icmp rebuild failures",
                 "icmp short", "icmp packet size wrong", "IFP address fetch failures",
                 "packets untranslated", "NAT insert failures", "NAT lookup misses",
                 "NAT lookup nowild", "new ifpaddr failed", "memory requests failed",
                 "table max reached", "packets translated", "finalised failed", "search wraps",
                 "null translations", "translation exists", "no memory"]


def _stats(proc: Proc, ipf: Ipfilter) -> None:
    """dostats() with OPT_STAT: each side's counters (printnatside.c) and
    hash table (dotable()), then the totals."""
    active = len(ipf.sessions)
    for side in ("in", "out"):
        values = {"inuse": active, "packets translated": ipf.counters.nat_translated[side]}
        for name in SIDE_COUNTERS:
            proc.write(f"{values.get(name, 0)}\t{name} {side}\n")
        proc.write(_table(active, side))
    c = ipf.counters
    maps = sum(1 for r in ipf.nat if r.kind == "map")
    lines = [("0", "log successes"), ("0", "log failures"), (c.nat_added["in"], "added in"),
             (c.nat_added["out"], "added out"), (active, "active"), (0, "transparent adds"),
             (0, "divert build"), (c.nat_expired, "expired"), (c.nat_flushed, "flush all"),
             (0, "flush closing"), (0, "flush queue"), (0, "flush state"), (0, "flush timeout"),
             (0, "hostmap new"), (0, "hostmap fails"), (0, "hostmap add"), (0, "hostmap NULL rule"),
             (0, "log ok"), (0, "log fail"), (0, "orphan count"), (len(ipf.nat), "rule count"),
             (maps, "map rules"), (len(ipf.nat) - maps, "rdr rules"), (0, "wilds")]
    for value, name in lines:
        proc.write(f"{value}\t{name}\n")


def _table(sessions: int, side: str) -> str:
    """dotable(): each session in its own bucket, as the sim hashes them."""
    used = sessions
    efficiency = used * 100 // sessions if sessions else 0
    usage = used / NAT_TABLE_SIZE * 100.0
    average = sessions / used if used else 0.0
    return (f"{efficiency}%\thash efficiency {side}\n{usage:2.2f}%\tbucket usage {side}\n"
            f"0\tminimal length {side}\n{1 if used else 0}\tmaximal length {side}\n"
            f"{average:.3f}\taverage length {side}\n")

