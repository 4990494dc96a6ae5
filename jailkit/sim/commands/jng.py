"""jng(8), the netgraph(4) helper for VNET jails that FreeBSD 14 ships as
/usr/share/examples/jails/jng (share/examples/jails/jng): ``bridge [-b
BRIDGE_NAME] NAME [=]iface ...``, ``show [NAME]``, ``shutdown NAME``,
``stats NAME`` and ``graph``.

jng is a shell script that drives ngctl(8) and ifconfig(8). As for jib
(jailkit.sim.commands.jib), this model runs the same command lines in the
script's order through the process layer, with the script's redirections,
so ngctl's and ifconfig's own output, messages and exit statuses are what
the user sees (``jng bridge`` prints the new interface's name: ``ifconfig
ngethN name ng0_NAME`` does). What the script computes itself (argument
checks, usage, derive_mac's address, the awk/xargs/sort pipelines) is done
here. jng loads no module: without ng_ether its first ``ngctl msg IFACE:``
fails, as on FreeBSD. graph needs graphviz's dot(1), which FreeBSD's base
system does not have, and neither has the sim."""

from __future__ import annotations

import re

from ..proc import Proc, program

FAILURE = 1
BRIDGE_USAGE = "bridge [-b BRIDGE_NAME] NAME [=]iface0 [[=]iface1 ...]"
USAGES = {
    "bridge": (BRIDGE_USAGE, "Create ng0_NAME [ng1_NAME ...]"),
    "graph": ("graph [-f] [-T type] [-o output]",
              "Generate network graph (default output is `jng.svg')"),
    "show": ("show", "List possible NAME values for `show NAME'"),
    "show1": ("show NAME", "Lists ng0_NAME [ng1_NAME ...]"),
    "shutdown": ("shutdown NAME", "Shutdown ng0_NAME [ng1_NAME ...]"),
    "stats": ("stats NAME", "Show ng_bridge link statistics for NAME interfaces"),
}
SHOW2_USAGE = "show [NAME]"
NAME = re.compile(r"[0-9a-zA-Z_]+")       # ${name#*[!0-9a-zA-Z_]} leaves it whole
EIFACE = re.compile(r"ng[0-9]+_")         # awk's /^ng[[:digit:]]+_/
IFNAMSIZ = 16                             # ``while [ ${#eiface} -gt 15 ]``


class Exit(Exception):
    """usage(), action_usage() or mustberoot_to_continue(): jng exits."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@program("/usr/share/examples/jails/jng", kind="example")
def main(proc: Proc, argv: list[str]) -> int:
    pgm = argv[0].rsplit("/", 1)[-1]       # ${0##*/}
    action, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    actions = {"bridge": bridge, "graph": graph, "show": show, "shutdown": shutdown,
               "stats": stats}
    try:
        if action not in actions:       # no action, or no function jng_ACTION
            _usage(proc, pgm)
        return actions[action](proc, pgm, args)
    except Exit as done:
        return done.status


def _usage(proc: Proc, pgm: str) -> None:
    """usage(): exec >&2, then every action with a usage line."""
    lines = [f"Usage: {pgm} action [arguments]", "Actions:"]
    for usage, descr in USAGES.values():
        lines += [f"\t{usage}", f"\t\t{descr}"]
    proc.error("".join(line + "\n" for line in lines))
    raise Exit(FAILURE)


def _action_usage(proc: Proc, pgm: str, usage: str) -> None:
    proc.error(f"Usage: {pgm} {usage}\n")
    raise Exit(FAILURE)


def _options(proc: Proc, pgm: str, args: list[str], takes_b: bool,
             usage: str) -> tuple[str | None, list[str]]:
    """The action's getopts loop ("b:" for bridge, "" for the others): sh
    reports a bad option ("Illegal option -x", "No arg for -b option")
    and the action's usage follows; returns -b's value and the operands."""
    value: str | None = None
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "-":
        word, index = args[index], index + 1
        if word == "--":
            break
        rest = word[1:]
        while rest:
            letter, rest = rest[0], rest[1:]
            if letter != "b" or not takes_b:
                proc.error(f"Illegal option -{letter}\n")
                _action_usage(proc, pgm, usage)
            if not rest:
                if index >= len(args):
                    proc.error("No arg for -b option\n")
                    _action_usage(proc, pgm, usage)
                rest, index = args[index], index + 1
            value, rest = rest, ""
            if not value:
                _action_usage(proc, pgm, usage)      # [ "$bridge" ] || action_usage
    return value, args[index:]


def _must_be_root(proc: Proc) -> None:
    if proc.script_capture(["id", "-u"])[1].strip() != "0":
        proc.error("Must run as root!\n")
        raise Exit(FAILURE)


def _name(proc: Proc, pgm: str, operands: list[str], usage: str, more: bool = False) -> str:
    """NAME's test: letters, digits and '_' only; one operand (bridge:
    more than one)."""
    good = (len(operands) > 1) if more else (len(operands) == 1)
    if not good or not NAME.fullmatch(operands[0]):
        _action_usage(proc, pgm, usage)
    return operands[0]


# -- bridge -------------------------------------------------------------------------
def bridge(proc: Proc, pgm: str, args: list[str]) -> int:
    chosen, operands = _options(proc, pgm, args, True, BRIDGE_USAGE)
    name = _name(proc, pgm, operands, BRIDGE_USAGE, more=True)
    _must_be_root(proc)
    counters: dict[str, int] = {}
    # for iface in $*: the operands are split again on blanks
    for i, iface in enumerate(" ".join(operands[1:]).split()):
        status = _bridge_one(proc, name, iface, chosen or "bridge", i, counters)
        if status is not None:
            return status
    return 0


def _bridge_one(proc: Proc, name: str, iface: str, suffix: str, i: int,
                counters: dict[str, int]) -> int | None:
    """One interface of ``jng bridge``: the loop body; a failing step ends
    jng with its status (``|| return``), None goes on to the next one."""
    clone_mac = iface.startswith("=")
    iface = iface.removeprefix("=")
    eiface = f"ng{i}_{name}"
    if proc.script_line(["ngctl", "msg", f"{eiface}:", "getifname"], quiet=True) == 0:
        return None                      # 0. made before
    upper = f"{iface}bridge"
    steps = [["ifconfig", iface, "up"], ["ngctl", "msg", f"{iface}:", "setpromisc", "1"],
             ["ngctl", "msg", f"{iface}:", "setautosrc", "0"]]
    if proc.script_line(["ngctl", "info", f"{upper}:"], quiet=True) != 0:     # 3. the bridge
        steps += [["ngctl", "mkpeer", f"{iface}:", "bridge", "lower", "link0"],
                  ["ngctl", "connect", f"{iface}:", f"{iface}:lower", "upper", "link1"],
                  ["ngctl", "name", f"{iface}:lower", upper]]
    status = _steps(proc, steps)
    if status is not None:
        return status
    bridged = f"{iface}{suffix}"
    if suffix != "bridge" and proc.script_line(["ngctl", "info", f"{bridged}:"], quiet=True) != 0:
        num = _free_link(proc, upper)    # 3.5. a second bridge on the first
        status = _steps(proc, [["ngctl", "mkpeer", f"{iface}:lower", "bridge", f"link{num}",
                                "link1"],
                               ["ngctl", "name", f"{upper}:link{num}", bridged]])
        if status is not None:
            return status
    num = _free_link(proc, bridged)      # 4. the eiface
    status = _steps(proc, [["ngctl", "mkpeer", f"{bridged}:", "eiface", f"link{num}", "ether"]])
    if status is not None:
        return status
    eiface = eiface[:IFNAMSIZ - 1]       # 5. its name
    status, shown = proc.script_capture(["ngctl", "show", "-n", f"{bridged}:link{num}"])
    words = shown.split()
    if status:
        return status
    new = words[1] if len(words) > 1 else ""
    status = _steps(proc, [["ngctl", "name", f"{bridged}:link{num}", eiface],
                           ["ifconfig", *new.split(), "name", eiface], ["ifconfig", eiface, "up"]])
    if status is not None:
        return status
    if clone_mac:                        # 6. its address
        mac = _ether(proc, iface)
    else:
        counters[iface] = counters.get(iface, -1) + 1
        mac = derive_mac(_ether(proc, iface), name, counters[iface])
    proc.script_line(["ifconfig", eiface, "ether", *mac.split()])
    return None


def _steps(proc: Proc, steps: list[list[str]]) -> int | None:
    for step in steps:
        status = proc.script_line(step)
        if status:
            return status
    return None


def _free_link(proc: Proc, node: str) -> int:
    """The first linkN from 2 that ``ngctl msg NODE: getstats N`` does not find."""
    num = 2
    while proc.script_line(["ngctl", "msg", f"{node}:", "getstats", str(num)], quiet=True) == 0:
        num += 1
    return num


def _ether(proc: Proc, iface: str) -> str:
    """``ifconfig IFACE ether | awk '/ether/,$0=$2'``."""
    for line in proc.script_capture(["ifconfig", iface, "ether"])[1].split("\n"):
        if "ether" in line:
            words = line.split()
            return words[1] if len(words) > 1 else ""
    return ""


def bsd_sum(data: bytes) -> int:
    """sum(1): the historic BSD 16-bit checksum (usr.bin/cksum/sum1.c)."""
    crc = 0
    for byte in data:
        crc = ((crc >> 1) + ((crc & 1) << 15) + byte) & 0xffff
    return crc


def derive_mac(parent: str, name: str, number: int) -> str:
    """derive_mac as jng writes it: ``NP:SS:SS:II:II:II`` from the
    parent's last three octets, NAME's sum(1) and the count N; jng shifts
    the sum only twice, so the second octet's nibbles are both the sum's
    third nibble."""
    tail = parent[8:] if len(parent) >= 8 else ""        # ${devid#??:??:??}
    checksum = bsd_sum(name.encode())
    nibble = [f"{checksum >> shift & 15:x}" for shift in (0, 4, 8)]
    middle = f":{nibble[2]}{nibble[2]}:{nibble[1]}{nibble[0]}{tail}"
    kind = "a" if re.match(r".2:", parent) else "2"     # the a end's P of derive_mac -2
    return f"{number & 15:x}{kind}{middle}"


# -- show, shutdown, stats ----------------------------------------------------------
def show(proc: Proc, pgm: str, args: list[str]) -> int:
    _, operands = _options(proc, pgm, args, False, SHOW2_USAGE)
    _must_be_root(proc)
    names = _jail_names(proc) if not operands else _eifaces_of(proc, operands[0])
    proc.write("".join(line + "\n" for line in names))
    return 0


def _listing(proc: Proc) -> list[list[str]]:
    """``ngctl ls``, each node line's words (Name: N Type: T ID: ...)."""
    return [line.split() for line in proc.script_capture(["ngctl", "ls"])[1].split("\n")[1:]
            if line.split()[:1] == ["Name:"]]


def _jail_names(proc: Proc) -> list[str]:
    """``show``: the bridges' peers named ngN_NAME give NAME, sorted and
    unique (awk, xargs -rn1 ngctl show, awk, sort -u)."""
    names: set[str] = set()
    for words in _listing(proc):
        if len(words) > 3 and words[3] == "bridge":
            _, shown = proc.script_capture(["ngctl", "show", f"{words[1]}:"])
            for line in shown.split("\n"):
                fields = line.split()
                matched = EIFACE.match(fields[1]) if len(fields) > 1 else None
                if matched and fields[1][matched.end():]:
                    names.add(fields[1][matched.end():])
    return sorted(names)


def _eifaces_of(proc: Proc, name: str) -> list[str]:
    """``show NAME``: the eiface nodes named ngN_NAME, sorted."""
    return sorted(words[1] for words in _listing(proc)
                  if len(words) > 3 and words[3] == "eiface"
                  and (matched := EIFACE.match(words[1])) and words[1][matched.end():] == name)


def shutdown(proc: Proc, pgm: str, args: list[str]) -> int:
    usage = USAGES["shutdown"][0]
    _, operands = _options(proc, pgm, args, False, usage)
    name = _name(proc, pgm, operands, usage)
    _must_be_root(proc)
    # jng_show NAME | xargs -rn1 -I eiface ngctl shutdown eiface: (xargs
    # exits 123 when an invocation failed)
    status = 0
    for eiface in _eifaces_of(proc, name):
        if proc.script_line(["ngctl", "shutdown", f"{eiface}:"]) != 0:
            status = 123
    return status


def stats(proc: Proc, pgm: str, args: list[str]) -> int:
    """Each eiface's name, then its bridge link's counters, one "name =
    value" a line (fmt 2 and awk's printf "%20s = %s"): the sim counts
    no frames, so no counter is printed."""
    usage = USAGES["stats"][0]
    _, operands = _options(proc, pgm, args, False, usage)
    name = _name(proc, pgm, operands, usage)
    _must_be_root(proc)
    for eiface in _eifaces_of(proc, name):
        proc.write(f"{eiface}:\n")
    return 0


def graph(proc: Proc, pgm: str, args: list[str]) -> int:
    """graph's checks, then ``ngctl dot | dot``: dot(1) is graphviz's, not
    the base system's, so sh does not find it."""
    usage = USAGES["graph"][0]
    output, force, index = "jng.svg", False, 0
    while index < len(args) and args[index].startswith("-") and args[index] != "-":
        word, index = args[index], index + 1
        if word == "--":
            break
        if word == "-f":
            force = True
        elif word in ("-o", "-T") and index < len(args):
            output = args[index] if word == "-o" else output
            index += 1
        elif word[:2] in ("-o", "-T") and len(word) > 2:
            output = word[2:] if word[:2] == "-o" else output
        else:
            proc.error(f"Illegal option {word[:2]}\n" if word[:2] not in ("-o", "-T")
                       else f"No arg for {word[:2]} option\n")
            _action_usage(proc, pgm, usage)
    if index < len(args) or not output:
        _action_usage(proc, pgm, usage)
    _must_be_root(proc)
    if proc.kernel.vfs.exists(output, **proc.where()) and not force:
        proc.error(f"{output}: Already exists (use `-f' to overwrite)\n")
        return FAILURE
    proc.error(f"{proc.argv0}: dot: not found\n")
    return 127
