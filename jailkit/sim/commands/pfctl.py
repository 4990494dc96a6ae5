"""pfctl(8): pf's control program (sbin/pfctl/pfctl.c).

It works through /dev/pf, which exists once pf.ko is loaded and which a
jail sees only when its devfs ruleset unhides it (devfsrules_jail_vnet, or
qjail's ruleset 70); -n parses a rules file without it. main() acts in this order whatever the order of the
options: -d, -s, -F, -k, -f, -e. Messages go to standard error; -q silences
them. A rules file with an error is not loaded at all (the ruleset is
replaced in one transaction), and the message names the file and line."""

from __future__ import annotations

import ipaddress

from .. import pfil
from ..errno import OSErr
from ..pf import Pf, PfSyntaxError, parse
from ..proc import Proc, program
from ...getopt import GetoptError, getopt

USAGE = ("usage: pfctl [-AdeghMmNnOPqRrvz] [-a anchor] [-D macro=value] [-F modifier]\n"
         "\t[-f file] [-i interface] [-K host | network]\n"
         "\t[-k host | network | gateway | label | id] [-o level] [-p device]\n"
         "\t[-s modifier] [-t table -T command [address ...]] [-x level]\n")
SHOW = ["ether", "nat", "queue", "rules", "Anchors", "Sources", "states", "info", "Interfaces",
        "labels", "timeouts", "memory", "Tables", "osfp", "Running", "all", "creatorids"]
CLEAR = ["ethernet", "rules", "nat", "queue", "states", "Sources", "info", "Tables", "osfp", "all"]
MODELLED_SHOW = {"nat", "rules", "states", "info", "Running"}


def _lookup(word: str, options: list[str]) -> str | None:
    """pfctl_lookup_option(): the first option the word is a prefix of."""
    return next((o for o in options if o.startswith(word)), None) if word else None


@program("/sbin/pfctl")
def main(proc: Proc, argv: list[str]) -> int:
    if len(argv) < 2:
        proc.error(USAGE)
        return 1
    try:
        opts, args = getopt(argv[1:], "a:AdD:eqf:F:ghi:k:K:Lm:MNno:Pp:rRs:t:T:vx:z")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(USAGE)
        return 1
    flags = {f for f, _ in opts}
    values = {f: v or "" for f, v in opts}     # options with an argument always have one
    killers = [v or "" for f, v in opts if f == "k"]
    if len(killers) > 2:
        proc.warnx("can only specify -k twice")
        proc.error(USAGE)
        return 1
    unmodelled = flags & set("aADgiKLmMoPptTxz")
    if unmodelled:
        proc.warnx(f"-{sorted(unmodelled)[0]} is not modelled by the jailkit sim")
        return 1
    if args:
        proc.error(USAGE)
        return 1
    show = clear = None
    if "s" in flags:
        show = _lookup(values["s"], SHOW)
        if show is None:
            proc.warnx(f"Unknown show modifier '{values['s']}'")
            proc.error(USAGE)
            return 1
        if show not in MODELLED_SHOW:
            proc.warnx(f"-s {show} is not modelled by the jailkit sim")
            return 1
    if "F" in flags:
        clear = _lookup(values["F"], CLEAR)
        if clear is None:
            proc.warnx(f"Unknown flush modifier '{values['F']}'")
            proc.error(USAGE)
            return 1
    quiet = "q" in flags
    noaction = "n" in flags
    if noaction:
        # pfctl.c main(): -n opens /dev/pf only if it can, and turns off
        # -d, -e, -s and -F; rules are parsed, never loaded
        if killers:
            proc.warnx("-k with -n is not modelled by the jailkit sim")
            return 1
        return _load(proc, None, values["f"], True, False, False, "v" in flags) if "f" in flags else 0
    pf = _open(proc)
    if pf is None:
        return 1
    status = 0
    if "d" in flags:
        if not pf.enabled:
            proc.warnx("pf not enabled")
            return 1
        pf.enabled = False
        pf.since = proc.kernel.clock
        pfil.unlink(proc.vnet, "pf")
        _say(proc, quiet, "pf disabled")
    if show is not None:
        _show(proc, pf, show, "v" in flags)
    if clear is not None:
        _clear(proc, pf, clear, quiet)
    if killers and _kill(proc, pf, killers, quiet):
        return 1
    if "f" in flags:
        status = _load(proc, pf, values["f"], noaction, "N" in flags, "R" in flags, "v" in flags)
        if status:
            return status
    if "e" in flags:
        if pf.enabled:
            proc.warnx("pf already enabled")
            return 1
        pf.enabled = True
        pf.since = proc.kernel.clock
        pfil.link(proc.vnet, "pf")
        _say(proc, quiet, "pf enabled")
    return status


def _open(proc: Proc) -> Pf | None:
    """open("/dev/pf"): the device must be there in this process's /dev."""
    pf = proc.kernel.firewall(proc.vnet, "pf")
    if pf is None or not proc.has_device("pf"):
        proc.error("pfctl: /dev/pf: No such file or directory\n")
        return None
    return pf


def _say(proc: Proc, quiet: bool, message: str) -> None:
    if not quiet:
        proc.error(message + "\n")


def _load(proc: Proc, pf: Pf | None, path: str, noaction: bool, nat_only: bool, rules_only: bool,
          verbose: bool) -> int:
    name = "stdin" if path == "-" else path
    try:
        text = proc.read_file(path)
    except OSErr as exc:
        # parse.y pushfile() warns, then parse_config() fails
        proc.error(f"pfctl: {path}: {exc.strerror}\n")
        proc.error("pfctl: Syntax error in config file: pf rules not loaded\n")
        return 1
    try:
        ruleset = parse(text, proc.vnet)
    except PfSyntaxError as exc:
        proc.error(exc.before)
        proc.error(f"{name}:{exc.line}: {exc.message}\n")
        if not noaction:
            proc.error("pfctl: Syntax error in config file: pf rules not loaded\n")
        return 1
    if verbose:
        for line in ruleset.listing:
            proc.write(line + "\n")
    if noaction or pf is None:
        return 0
    if not rules_only:
        pf.rules.nat, pf.rules.rdr = ruleset.nat, ruleset.rdr
    if not nat_only:
        pf.rules.filter, pf.rules.scrub = ruleset.filter, ruleset.scrub
        pf.rules.skip = ruleset.skip
    return 0


def _show(proc: Proc, pf: Pf, what: str, verbose: bool = False) -> None:
    if what == "rules":
        for rule in pf.rules.scrub + pf.rules.filter:
            proc.write(rule.render() + "\n")
    elif what == "nat":
        for rule in pf.rules.nat + pf.rules.rdr:
            proc.write(rule.render() + "\n")
    elif what == "states":
        pf._expire(proc.kernel.clock)
        for state in pf.states:
            proc.write(state.render(proc.kernel.clock, verbose) + "\n")
    elif what == "Running":
        proc.write("Enabled\n" if pf.enabled else "Disabled\n")
    else:
        _info(proc, pf)


def _info(proc: Proc, pf: Pf) -> None:
    """pfctl_parser.c print_status(), the parts pf keeps in the sim."""
    elapsed = int(proc.kernel.clock - pf.since)
    days, rest = divmod(elapsed, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    status = (f"Status: {'Enabled' if pf.enabled else 'Disabled'} for {days} days "
              f"{hours:02d}:{minutes:02d}:{seconds:02d}")
    span = max(elapsed, 1)
    lines = [f"{status:<44}{'Debug: Urgent':>15}", "",
             f"{'State Table':<27}{'Total':>15}{'Rate':>17}",
             f"  {'current entries':<25} {len(pf.states):>14} {'':>14}"]
    for label, value in (("searches", pf.searches), ("inserts", pf.inserts),
                         ("removals", pf.removals)):
        lines.append(f"  {label:<25} {value:>14} {value / span:>14.1f}/s")
    lines.append("Counters")
    for label in ("match", "bad-offset", "fragment", "short", "normalize", "memory",
                  "bad-timestamp", "congestion", "ip-option", "proto-cksum", "state-mismatch",
                  "state-insert", "state-limit", "src-limit", "synproxy", "map-failed"):
        value = {"match": pf.matches, "map-failed": pf.map_failed}.get(label, 0)
        lines.append(f"  {label:<25} {value:>14} {value / span:>14.1f}/s")
    proc.write("\n".join(lines) + "\n")


def _kill(proc: Proc, pf: Pf, killers: list[str], quiet: bool) -> int:
    """-k host [-k host]: kill the states from the first host or network to
    the second (pfctl_net_kill_states()), numeric addresses only here."""
    if killers[0] in ("label", "id", "gateway", "key", "nat"):
        proc.warnx(f"-k {killers[0]} is not modelled by the jailkit sim")
        return 1
    networks = []
    for word in killers:
        try:
            networks.append(ipaddress.ip_network(word, strict=False))
        except ValueError:
            proc.warnx(f"-k with a host name ({word}) is not modelled by the jailkit sim")
            return 1
    killed = pf.kill_states(networks[0], networks[1] if len(networks) > 1 else None)
    _say(proc, quiet, f"killed {killed} states from 1 sources and {len(networks) - 1} destinations")
    return 0


def _clear(proc: Proc, pf: Pf, what: str, quiet: bool) -> None:
    """The -F modifiers, with pfctl's messages (pfctl.c pfctl_flush_*,
    pfctl_clear_*)."""
    def rules() -> None:
        pf.rules.filter, pf.rules.scrub = [], []
        _say(proc, quiet, "rules cleared")

    def nat() -> None:
        pf.rules.nat, pf.rules.rdr = [], []
        _say(proc, quiet, "nat cleared")

    def states() -> None:
        _say(proc, quiet, f"{pf.flush_states()} states cleared")

    if what == "ethernet":
        _say(proc, quiet, "Ethernet rules cleared")
    elif what == "rules":
        rules()
    elif what == "nat":
        nat()
    elif what == "states":
        states()
    elif what == "Sources":
        _say(proc, quiet, "source tracking entries cleared")
    elif what == "info":
        pf.searches = pf.inserts = pf.removals = pf.matches = 0
        _say(proc, quiet, "pf: statistics cleared")
    elif what == "Tables":
        _say(proc, quiet, "0 tables deleted.")
    elif what == "all":
        _say(proc, quiet, "Ethernet rules cleared")
        rules()
        nat()
        _say(proc, quiet, "0 tables deleted.")
        states()
        _say(proc, quiet, "source tracking entries cleared")
        pf.searches = pf.inserts = pf.removals = pf.matches = 0
        _say(proc, quiet, "pf: statistics cleared")
        pf.rules.skip = []
        _say(proc, quiet, "pf: interface flags reset")
