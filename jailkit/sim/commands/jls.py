"""jls(8): list jails (usr.sbin/jls/jls.c).

Default: "   JID  IP Address      Hostname                      Path" with
rows printf("%6d  %-15.15s %-29.29s %.74s"); a VNET jail has no IPv4 address
and its IP column is blank. -d lists the dying jails too. -v adds name, state and cpuset; -n prints
name=value pairs; "jls -j J param ..." prints the values, under a line of
their names with -h, quoted where they hold blanks or quotes with -q.
-s (only the writable parameters, for jail.conf) and -h without parameters
(every parameter) need the kernel's whole parameter list, which the sim
does not keep: they are refused."""

from __future__ import annotations

from ...getopt import getopt
from ..kernel import Prison
from ..proc import Proc, program

USAGE = "usage: jls [-dhNnqsv] [-j jail] [param ...]\n"
BOOLEAN = {"persist", "dying"}
ADDRESS_LISTS = {"ip4.addr", "ip6.addr"}
KNOWN = {"jid", "name", "path", "host.hostname", "hostname", "vnet", "ip4.addr", "persist",
         "dying", "children.max", "parent", "cpuset.id", "devfs_ruleset", "enforce_statfs",
         "securelevel", "osrelease", "osreldate", "ip4", "ip6", "ip6.addr", "host.domainname"}


def value(prison: Prison, name: str) -> str | None:
    """A parameter as jls prints it; None when jls does not know it."""
    if name == "jid":
        return str(prison.jid)
    if name == "name":
        return prison.name
    if name == "path":
        return prison.path
    if name in ("host.hostname", "hostname"):
        return prison.hostname
    if name == "vnet":
        return "new" if prison.own_vnet else "inherit"
    if name == "ip4.addr":
        return ",".join(str(a) for a in prison.ip4)
    if name == "ip6.addr":
        return ",".join(str(a) for a in prison.ip6)
    if name in ("ip4", "ip6"):
        # kern_jail.c: JAIL_SYS_INHERIT unless restricted (PR_IP4_USER),
        # then JAIL_SYS_NEW with addresses, JAIL_SYS_DISABLE without
        restricted, addresses = ((prison.ip4_restricted, prison.ip4) if name == "ip4"
                                 else (prison.ip6_restricted, prison.ip6))
        return "new" if restricted and addresses else "disable" if restricted else "inherit"
    if name == "persist":
        return "true" if prison.persist else "false"
    if name == "dying":
        return "true" if prison.dying else "false"
    if name == "children.max":
        return str(prison.children_max)
    if name == "parent":
        return str(prison.parent.jid if prison.parent else 0)
    if name == "cpuset.id":
        return str(prison.jid + 1)
    if name == "devfs_ruleset":
        return prison.params.get("devfs_ruleset", "0")
    if name == "enforce_statfs":
        return prison.params.get("enforce_statfs", "2")
    if name == "securelevel":
        return prison.params.get("securelevel", "-1")
    if name in prison.params or name.startswith("allow."):
        return prison.params.get(name, "false")
    return None


@program("/usr/sbin/jls")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "cdhj:Nnqsv", USAGE)
    if parsed is None:
        return 1
    opts, params = parsed
    flags = {f for f, _ in opts}
    shown = _print_flags(opts)
    if "skip" in shown:
        proc.warnx("option -s is not modelled by the jailkit sim")
        return 1
    if "header" in shown and not params:
        proc.warnx("option -h is not modelled by the jailkit sim")
        return 1
    key = dict(opts).get("j")
    if key is not None:
        # -j: that one jail, looked up alone (jail_getid), not among all
        prison = proc.kernel.find_prison(key, proc.prison)
        if prison is None and "d" in flags:
            prison = next((p for p in _dying(proc) if key in (str(p.jid), p.name)), None)
        if prison is None:
            if "c" not in flags:
                proc.warnx(f'jail "{key}" not found')
            return 1
        visible = [prison]
    else:
        visible = proc.kernel.visible_prisons(proc.prison)
        if "d" in flags:
            visible = sorted(visible + _dying(proc), key=lambda p: p.jid)
    if "c" in flags:
        return 0 if visible else 1
    for name in params:
        if name not in KNOWN and not name.startswith("allow."):
            proc.warnx(f"unknown parameter: {name}")
            return 1
    if params:
        names = list(dict.fromkeys(params))    # add_param(): a repeat is one parameter
        if "header" in shown:
            proc.write(" ".join(names) + "\n")
        for prison in visible:
            proc.write(" ".join(_field(prison, p, shown) for p in names) + "\n")
        return 0
    if "nameval" in shown:
        names = ["jid", "name", "path", "host.hostname", "vnet", "ip4.addr", "persist",
                 "devfs_ruleset", "enforce_statfs", "children.max", "securelevel"]
        for prison in visible:
            proc.write(" ".join(_field(prison, p, shown) for p in names) + "\n")
        return 0
    if "verbose" in shown:
        proc.write("   JID  Hostname                      Path\n"
                   "        Name                          State\n"
                   "        CPUSetID\n"
                   "        IP Address(es)\n")
        for prison in visible:
            proc.write(f"{prison.jid:6d}  {prison.hostname[:29]:<29} {prison.path[:74]}\n"
                       f"{'':6}  {prison.name[:29]:<29} {'DYING' if prison.dying else 'ACTIVE'}\n"
                       f"{'':6}  {prison.jid + 1:<6d}\n")
            for ip in prison.ip4:
                proc.write(f"{'':6}  {str(ip)[:15]:<15}\n")
        return 0
    # -N: the jail's name in a 15-wide column in place of the jid (jls.c,
    # PRINT_JAIL_NAME)
    named = "N" in flags
    proc.write(f" {'JID':<15} {'IP Address':<15} {'Hostname':<29} Path\n" if named else
               "   JID  IP Address      Hostname                      Path\n")
    for prison in visible:
        address = str(prison.ip4[0]) if prison.ip4 and not prison.own_vnet else ""
        first = f" {prison.name:<15} " if named else f"{prison.jid:6d}  "
        proc.write(f"{first}{address[:15]:<15} {prison.hostname[:29]:<29} {prison.path[:74]}\n")
    return 0


def _dying(proc: Proc) -> list[Prison]:
    """-d: the dying jails below the caller too (jls.c JAIL_DYING), those
    removed but still referenced (kern_jail.c PRISON_STATE_DYING)."""
    def below(prison: Prison) -> bool:
        parent = prison.parent
        while parent is not None and parent is not proc.prison:
            parent = parent.parent
        return parent is proc.prison
    return [p for p in proc.kernel.dying_prisons if below(p)]


def _print_flags(opts: list[tuple[str, str | None]]) -> set[str]:
    """jls.c main(): the print flags, each of -h, -n, -s and -v clearing
    what it overrides among those given before it."""
    shown: set[str] = set()
    for flag, _ in opts:
        if flag == "h":
            shown = (shown - {"skip", "verbose"}) | {"header"}
        elif flag == "n":
            shown = (shown - {"verbose"}) | {"nameval"}
        elif flag == "q":
            shown |= {"quoted"}
        elif flag == "s":
            shown = (shown - {"header", "verbose"}) | {"nameval", "quoted", "skip"}
        elif flag == "v":
            shown = (shown - {"header", "nameval", "skip"}) | {"verbose"}
    return shown


def _field(prison: Prison, name: str, shown: set[str]) -> str:
    """jls.c print_jail(): the value, or with -n "name=value" and a boolean
    as its name or "no" and its name."""
    text = value(prison, name) or ""
    if "nameval" not in shown:
        return _text(name, text, shown)
    if name in BOOLEAN:
        return name if text == "true" else f"no{name}"
    return f"{name}={_text(name, text, shown)}"


def _text(name: str, text: str, shown: set[str]) -> str:
    """special_print(): an empty address list is "" under -q, nothing after
    -n's "name=", else "-". quoted_print(): an empty string is always "";
    under -q a value with a ' is put in "...", one with a " in '...', one
    with a blank in "..."."""
    if name in ADDRESS_LISTS and not text:
        return '""' if "quoted" in shown else "" if "nameval" in shown else "-"
    if not text:
        return '""'
    if "quoted" not in shown:
        return text
    quote = '"' if "'" in text else "'" if '"' in text else '"' if " " in text or "\t" in text else ""
    return f"{quote}{text}{quote}"
