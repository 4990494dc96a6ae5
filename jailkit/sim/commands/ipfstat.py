"""ipfstat(8): IPFilter's active rules (-i inbound, -o outbound; -h puts
each rule's hits first, -n its number "@N", -v a keep-state rule's state
count, -R ports as numbers, -a the accounting ("count") rules instead)
and its state table statistics (-s)
(sbin/ipf/ipfstat/ipfstat.c).
An empty list is reported on standard error as "# empty list for
ipfilter(in)". Other reports are not modelled."""

from __future__ import annotations

from ..ipfilter import STATE_TABLE_SIZE, TCP_NSTATES, TCPS_ESTABLISHED, Ipfilter
from ..proc import Proc, program
from ...getopt import getopt

OPTIONS = "46aACdfghIilnostvD:m:M:N:O:P:RS:T:"
MODELLED = set("ahinosvR")


def usage(name: str) -> str:
    return (f"Usage: {name} [-46aAdfghIilnoRsv]\n       {name} [-M corefile] [-N symbol-list]\n"
            f"       {name} -t [-46C] [-D destination address] [-P protocol] [-S source address] "
            "[-T refresh time]\n")


@program("/sbin/ipfstat")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, OPTIONS, usage(argv[0]))
    if parsed is None:
        return 1
    opts, _ = parsed
    flags = {f for f, _ in opts}
    ipf = proc.kernel.firewall(proc.vnet, "ipf")
    if not isinstance(ipf, Ipfilter) or not proc.has_device("ipstate"):
        proc.error("open(IPSTATE_NAME): No such file or directory\n")
        return 255                  # exit(-1)
    unmodelled = sorted(flags - MODELLED)
    if unmodelled or not flags & {"i", "o", "s"}:
        which = f"-{unmodelled[0]}" if unmodelled else "ipfstat without -i, -o or -s"
        proc.warnx(f"{which} is not modelled by the jailkit sim")
        return 1
    if "s" in flags:
        proc.write(_state_stats(ipf))
        return 0
    interfaces = {i.name for i in proc.vnet.ifnets}
    for direction, flag in (("out", "o"), ("in", "i")):
        if flag in flags:
            _list(proc, ipf, direction, flags, interfaces)
    return 0


def _list(proc: Proc, ipf: Ipfilter, direction: str, flags: set[str], interfaces: set[str]) -> None:
    """printlivelist(): hits, bytes (with -a), then @N, then the rule
    (printfr()). "count" rules live in the accounting list, which -a
    shows instead."""
    accounting = "a" in flags
    rules = [r for r in ipf.rules if r.direction == direction and (r.action == "count") == accounting]
    if not rules:
        proc.error(f"# empty list for {'ipacct' if accounting else 'ipfilter'}({direction})\n")
    for number, rule in enumerate(rules, start=1):
        line = (f"{rule.hits} " if "h" in flags else "") + (f"{rule.bytes} " if accounting else "")
        line += f"@{number} " if "n" in flags else ""
        line += rule.render(interfaces, resolve="R" not in flags)
        if "v" in flags and rule.keep_state:
            line += f" # count {rule.states}"
        proc.write(line + "\n")


STATE_COUNTERS = ["add bad", "add duplicate", "add locked", "add oow", "bucket full", "check bad",
                  "check miss", "check nattag", "clone nomem", "check notag", "check success",
                  "cloned", "expired", "flush all", "flush closing", "flush queue", "flush state",
                  "flush timeout", "hash buckets in use", "ICMP bad", "ICMP banned", "ICMP errors",
                  "ICMP head block", "ICMP hits", "ICMP not query", "ICMP short", "ICMP too many",
                  "ICMPv6 errors", "ICMPv6 miss", "ICMPv6 not info", "ICMPv6 not query", "log fail",
                  "log ok", "lookup interface mismatch", "lookup mask mismatch",
                  "lookup port mismatch", "lookup miss", "maximum rule references",
                  "maximum hosts per rule", "no memory", "out of window", "orphans", "scan block",
                  "state table maximum reached", "TCP closing", "TCP OOW", "TCP RST add",
                  "TCP too small", "TCP bad options", "TCP removed", "TCP FSM", "TCP strict",
                  "TCP wild", "Microsoft Windows SACK"]


def _state_stats(ipf: Ipfilter) -> str:
    """showstatestats(): the counters, the states added per protocol, the
    hash table (each entry in a bucket of its own, as the sim hashes them)
    and the TCP entries per state (printtqtable.c)."""
    active = len(ipf.states)
    c = ipf.counters
    values = {"check miss": c.state_misses, "check success": c.state_hits,
              "expired": c.state_expired, "hash buckets in use": active}
    text = f"{active}\tactive state table entries\n"
    text += "".join(f"{values.get(name, 0)}\t{name}\n" for name in STATE_COUNTERS)
    text += "State logging enabled\nIP states added:\n"
    numbers = {"icmp": 1, "tcp": 6, "udp": 17}
    for proto in sorted(c.states_added, key=numbers.__getitem__):
        text += f"{c.states_added[proto]}\t{proto}\n"
    usage = active / STATE_TABLE_SIZE * 100.0
    text += (f"\nState table bucket statistics:\n{active}\tin use\n"
             f"{100 if active else 0}\thash efficiency\n{usage:2.2f}%\tbucket usage\n"
             f"0\tminimal length\n"
             f"{1 if active else 0}\tmaximal length\n{1.0 if active else 0.0:.3f}\taverage length\n\n")
    established = sum(1 for s in ipf.states if s.proto == "tcp")
    text += "TCP Entries per state\n" + "".join(f" {i:5d}" for i in range(TCP_NSTATES)) + "\n"
    text += "".join(f" {established if i == TCPS_ESTABLISHED else 0:5d}" for i in range(TCP_NSTATES)) + "\n"
    return text
