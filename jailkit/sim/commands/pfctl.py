"""pfctl(8): pf's control program (sbin/pfctl/pfctl.c).

It works through /dev/pf, which exists once pf.ko is loaded and which a
jail sees only when its devfs ruleset unhides it (devfsrules_jail_vnet, or
qjail's ruleset 70); -n parses a rules file without it. main() acts in this order whatever the order of the
options: -d, -s, -F, -k, -f, -e. Messages go to standard error; -q silences
them. A rules file with an error is not loaded at all (the ruleset is
replaced in one transaction), and the message names the file and line."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from .. import pfil
from ..errno import OSErr
from ..pf import Pf, PfSyntaxError, Rule, Ruleset, Table, parse
from ..proc import Proc, program
from ...getopt import getopt

USAGE = ("usage: pfctl [-AdeghMmNnOPqRrvz] [-a anchor] [-D macro=value] [-F modifier]\n"
         "\t[-f file] [-i interface] [-K host | network]\n"
         "\t[-k host | network | gateway | label | id] [-o level] [-p device]\n"
         "\t[-s modifier] [-t table -T command [address ...]] [-x level]\n")
SHOW = ["ether", "nat", "queue", "rules", "Anchors", "Sources", "states", "info", "Interfaces",
        "labels", "timeouts", "memory", "Tables", "osfp", "Running", "all", "creatorids"]
CLEAR = ["ethernet", "rules", "nat", "queue", "states", "Sources", "info", "Tables", "osfp", "all"]
MODELLED_SHOW = {"nat", "rules", "states", "info", "Running", "Tables", "Anchors"}
# pfr_strerror(): what a table command says when the kernel refuses it
TABLE_ERRORS = {"ESRCH": "Table does not exist", "EPERM": "Operation not permitted"}


def _lookup(word: str, options: list[str]) -> str | None:
    """pfctl_lookup_option(): the first option the word is a prefix of."""
    return next((o for o in options if o.startswith(word)), None) if word else None


@program("/sbin/pfctl")
def main(proc: Proc, argv: list[str]) -> int:
    if len(argv) < 2:
        proc.error(USAGE)
        return 1
    parsed = proc.options(argv, "a:AdD:eqf:F:ghi:k:K:Lm:MNno:Pp:rRs:t:T:vx:z", USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    flags = {f for f, _ in opts}
    values = {f: v or "" for f, v in opts}     # options with an argument always have one
    killers = [v or "" for f, v in opts if f == "k"]
    if len(killers) > 2:
        proc.warnx("can only specify -k twice")
        proc.error(USAGE)
        return 1
    if "h" in flags:
        # pfctl.c main(): case 'h' falls through to usage(), which exits 1
        proc.error(USAGE)
        return 1
    # -r resolves addresses in listings. -g (PF_OPT_DEBUG) adds to what
    # -s and -T list (skip steps, table statistics) and to the optimizer's
    # (-o) output; loading rules without -o prints nothing more with it.
    unmodelled = flags & (set("ADiKLmMoPprxz") | ({"g"} if flags & {"s", "T"} else set()))
    if unmodelled:
        proc.warnx(f"-{sorted(unmodelled)[0]} is not modelled by the jailkit sim")
        return 1
    if args and "T" not in flags:
        proc.error(USAGE)
        return 1
    # -a: the anchor worked on; a trailing "*" asks for its anchors too
    # (pfctl.c main(): PF_OPT_RECURSE)
    anchor, recurse = values.get("a", ""), False
    if anchor.endswith("*"):
        anchor, recurse = anchor[:-2] if anchor.endswith("/*") else anchor[:-1], True
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
        _show(proc, pf, show, sum(1 for f, _ in opts if f == "v"), anchor, recurse)
    if clear is not None:
        _clear(proc, pf, clear, quiet, anchor)
    if killers and _kill(proc, pf, killers, quiet):
        return 1
    if "T" in flags:
        status = _table(proc, pf, values.get("t"), values["T"], args, opts)
        if status:
            return status
    if "f" in flags:
        if anchor.startswith("_") or "/_" in anchor:
            proc.warnx("anchor names beginning with '_' cannot be modified from the command line")
            return 1
        status = _load(proc, pf, values["f"], noaction, "N" in flags, "R" in flags, "v" in flags,
                       anchor)
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
          verbose: bool, anchor: str = "") -> int:
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
        for message in (exc.message, *exc.also):
            proc.error(f"{name}:{exc.line}: {message}\n")
        if not noaction:
            proc.error("pfctl: Syntax error in config file: pf rules not loaded\n")
        return 1
    if verbose:
        for line in ruleset.listing:
            proc.write(line + "\n")
    if noaction or pf is None:
        return 0
    pf.load(anchor, ruleset, nat=not rules_only, filter=not nat_only, pid=_pid(proc))
    return 0


def _pid(proc: Proc) -> int:
    """This pfctl's process ID, which the kernel records in each rule it
    loads (cpid): a command gets one as a daemon does (Kernel.spawn())."""
    proc.kernel.next_pid += 1
    return proc.kernel.next_pid


def _show(proc: Proc, pf: Pf, what: str, verbose: int = 0, anchor: str = "",
          recurse: bool = False) -> None:
    if what in ("rules", "nat"):
        ruleset = pf.anchor(anchor)
        if ruleset is None:
            proc.warnx("DIOCGETRULES: Invalid argument")
            return
        _show_rules(proc, pf, ruleset, what, recurse, 0, verbose)
    elif what == "Tables":
        for table in pf.active_tables():
            proc.write((_table_flags(pf, table) + "\t" if verbose else "") + table.name + "\n")
    elif what == "Anchors":
        _show_anchors(proc, pf.anchor(anchor) or Ruleset(), anchor, verbose > 0)
    elif what == "states":
        pf._expire(proc.kernel.clock)
        for state in pf.states:
            proc.write(state.render(proc.kernel.clock, verbose > 0) + "\n")
    elif what == "Running":
        proc.write("Enabled\n" if pf.enabled else "Disabled\n")
    else:
        _info(proc, pf)


def _show_rules(proc: Proc, pf: Pf, ruleset: Ruleset, what: str, recurse: bool, depth: int,
                verbose: int) -> None:
    """pfctl_show_rules() and pfctl_show_nat(): each rule indented two
    spaces a level (not with -v); an anchor rule's anchor is shown in
    braces beneath it when it was a bare brace ("_1") or -a asked for
    recursion; -v adds each rule's counters, -vv its number."""
    lists = [ruleset.scrub, ruleset.filter] if what == "rules" else [ruleset.nat, ruleset.rdr]
    indent = "" if verbose else "  " * depth
    for rules in lists:
        for number, rule in enumerate(rules):
            line = indent + (f"@{number} " if verbose > 1 else "") + rule.render()
            name = rule.anchor or ""
            brace = rule.anchor is not None and (recurse or name.rsplit("/", 1)[-1].startswith("_"))
            proc.write(line + (" {\n" if brace else "\n"))
            if verbose:
                proc.write(_counters(proc, pf, rule, verbose))
            if brace:
                child = ruleset.anchors.get(name)
                if child is not None:
                    _show_rules(proc, pf, child, what, recurse, depth + 1, verbose)
                proc.write(indent + "}\n")


def _counters(proc: Proc, pf: Pf, rule: Rule, verbose: int) -> str:
    """pfctl_print_rule_counters(): -v's two lines, -vv's last match
    (ctime(3), or N/A)."""
    text = (f"  [ Evaluations: {rule.evaluations:<8}  Packets: {rule.packets:<8}  "
            f"Bytes: {rule.bytes:<10}  States: {pf.states_of(rule):<6}]\n"
            f"  [ Inserted: uid 0 pid {rule.cpid} State Creations: {rule.states_tot:<6}]\n")
    if verbose > 1:
        last = "N/A"
        if rule.last_active is not None:
            when = proc.kernel.now() - timedelta(seconds=proc.kernel.clock - rule.last_active)
            last = when.strftime("%a %b ") + f"{when.day:2d}" + when.strftime(" %H:%M:%S %Y")
        text += f"  [ Last Active Time: {last} ]\n"
    return text


def _show_anchors(proc: Proc, ruleset: Ruleset, path: str, verbose: bool) -> None:
    """pfctl_show_anchors(): each anchor beneath, with its path; -v goes
    down to theirs too."""
    for name in sorted(ruleset.anchors):
        full = f"{path}/{name}" if path else name
        proc.write(f"  {full}\n")
        if verbose:
            _show_anchors(proc, ruleset.anchors[name], full, verbose)


def _table_flags(pf: Pf, table: Table) -> str:
    """print_table()'s -v flags: const, persist, active, inactive,
    referenced, referenced by an anchor, counters."""
    return "".join(("c" if table.const else "-", "p" if table.persist else "-", "a", "-",
                    "r" if pf.referenced(table.name) else "-", "-", "C" if table.counters else "-"))


def _table(proc: Proc, pf: Pf, name: str | None, word: str, args: list[str],
           opts: list[tuple[str, str | None]]) -> int:
    """-t TABLE -T COMMAND [address ...] (pfctl_table.c pfctl_table()):
    the command may be abbreviated; the counts go to standard error unless
    -q; a command the kernel refuses says why and exits 255 (pfctl's -1);
    test exits 2 when not every address matched."""
    command = _lookup(word, TABLE_COMMANDS)
    if command is None:
        proc.warnx(f"Unknown table command '{word}'")
        proc.error(USAGE)
        return 1
    if command not in TABLE_HANDLERS:
        proc.warnx(f"-T {command} is not modelled by the jailkit sim")
        return 1
    if name is None or len(name) >= 32 or command in ("show", "flush", "kill") and args:
        proc.error(USAGE)
        return 1
    entries = _table_addresses(proc, args)
    if entries is None:
        return 255
    flags = {f for f, _ in opts}
    job = _TableJob(proc, pf, name, entries, "q" in flags, "v" in flags)
    table = pf.tables.get(name)
    if command != "add" and (table is None or not pf.table_active(table)):
        return job.refuse("ESRCH")
    return TABLE_HANDLERS[command](job)


class _TableJob:
    """One -T command: the table's name, the addresses given, and how to
    say what was done."""

    def __init__(self, proc: Proc, pf: Pf, name: str, entries: list[tuple[bool, ipaddress.IPv4Network]],
                 quiet: bool, verbose: bool) -> None:
        self.proc, self.pf, self.name, self.entries = proc, pf, name, entries
        self.quiet, self.verbose = quiet, verbose

    @property
    def table(self) -> Table:
        return self.pf.tables[self.name]

    def say(self, message: str) -> None:
        """pfctl_table.c xprintf(): to standard error, with a full stop."""
        _say(self.proc, self.quiet, message + ".")

    def refuse(self, reason: str) -> int:
        """radix_perror(): why the kernel said no."""
        self.proc.error(f"pfctl: {TABLE_ERRORS[reason]}.\n")
        return 255


def _table_add(job: _TableJob) -> int:
    """An absent table is made, persistent (CREATE_TABLE)."""
    table = job.pf.tables.get(job.name)
    if table is None or not job.pf.table_active(table):
        job.pf.tables[job.name] = Table(job.name, persist=True)
        job.say("1 table created")
    if job.table.const:
        return job.refuse("EPERM")
    added = sum(job.table.add(negated, net) for negated, net in job.entries)
    job.say(f"{added}/{len(job.entries)} addresses added")
    return 0


def _table_delete(job: _TableJob) -> int:
    if job.table.const:
        return job.refuse("EPERM")
    deleted = sum(job.table.delete(negated, net) for negated, net in job.entries)
    job.say(f"{deleted}/{len(job.entries)} addresses deleted")
    return 0


def _table_flush(job: _TableJob) -> int:
    if job.table.const:
        return job.refuse("EPERM")
    count = len(job.table.entries)
    job.table.entries = []
    job.say(f"{count} addresses deleted")
    return 0


def _table_kill(job: _TableJob) -> int:
    del job.pf.tables[job.name]
    job.say("1 table deleted")
    return 0


def _table_show(job: _TableJob) -> int:
    """print_addrx(): a feedback column, then "!" for a negated entry."""
    for negated, net in job.table.entries:
        text = str(net.network_address) if net.prefixlen == 32 else str(net)
        job.proc.write(f"  {'!' if negated else ' '}{text}\n")
    return 0


def _table_test(job: _TableJob) -> int:
    """-v lists the addresses that matched."""
    matched = [net for _, net in job.entries if job.table.match(net.network_address)]
    job.say(f"{len(matched)}/{len(job.entries)} addresses match")
    if job.verbose:
        for net in matched:
            job.proc.write(f"   {net.network_address}\n")
    return 2 if len(matched) < len(job.entries) else 0


# pfctl.c's -T commands, in the order an abbreviation is looked up
TABLE_COMMANDS = ["kill", "flush", "add", "delete", "load", "replace", "show", "test", "zero",
                  "expire", "reset"]
TABLE_HANDLERS = {"add": _table_add, "delete": _table_delete, "flush": _table_flush,
                  "kill": _table_kill, "show": _table_show, "test": _table_test}


def _table_addresses(proc: Proc, words: list[str]) -> list[tuple[bool, ipaddress.IPv4Network]] | None:
    """The addresses of -T add/delete/test: numeric, each with an optional
    prefix length and a leading ! (pfctl_parser.c host())."""
    found = []
    for word in words:
        try:
            found.append((word.startswith("!"), ipaddress.IPv4Network(word.lstrip("!"), strict=False)))
        except ValueError:
            proc.warnx(f"-T with a host name or an IPv6 address ({word}) is not modelled by the jailkit sim")
            return None
    return found


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


def _clear(proc: Proc, pf: Pf, what: str, quiet: bool, anchor: str = "") -> None:
    """The -F modifiers, with pfctl's messages (pfctl.c pfctl_flush_*,
    pfctl_clear_*); rules and nat act on the -a anchor."""
    ruleset = pf.anchor(anchor) or Ruleset()

    def rules() -> None:
        ruleset.filter, ruleset.scrub = [], []
        pf.prune()
        _say(proc, quiet, "rules cleared")

    def nat() -> None:
        ruleset.nat, ruleset.rdr = [], []
        pf.prune()
        _say(proc, quiet, "nat cleared")

    def tables() -> None:
        count = len(pf.active_tables())
        pf.tables = {}
        _say(proc, quiet, f"{count} tables deleted.")

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
        pf.clear_sources()
        _say(proc, quiet, "source tracking entries cleared")
    elif what == "info":
        pf.searches = pf.inserts = pf.removals = pf.matches = 0
        _say(proc, quiet, "pf: statistics cleared")
    elif what == "Tables":
        tables()
    elif what == "all":
        _say(proc, quiet, "Ethernet rules cleared")
        rules()
        nat()
        tables()
        if anchor:
            return              # with -a, -F all flushes only the anchor's rules and tables
        states()
        pf.clear_sources()
        _say(proc, quiet, "source tracking entries cleared")
        pf.searches = pf.inserts = pf.removals = pf.matches = 0
        _say(proc, quiet, "pf: statistics cleared")
        pf.rules.skip = []
        _say(proc, quiet, "pf: interface flags reset")
