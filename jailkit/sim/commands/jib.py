"""jib(8), the if_bridge(4) helper for VNET jails that FreeBSD 14 ships as
/usr/share/examples/jails/jib (share/examples/jails/jib): ``addm [-b
BRIDGE_NAME] NAME [!]iface ...``, ``show [NAME]`` and ``destroy NAME``.

jib is a shell script that drives ifconfig(8). This model runs the same
ifconfig command lines in the script's order, through the process layer,
with the script's redirections (checks sent to /dev/null, ``$( ... )``
captured), so that ifconfig's own output, messages and exit statuses are
what the user sees, as on FreeBSD. What the script computes itself
(argument checks, its usage text, the derived MAC addresses, the
awk/xargs/sort pipelines of show and destroy) is done here."""

from __future__ import annotations

import re

from ..proc import Proc, program

FAILURE = 1
# The actions, their usage lines and descriptions, in usage()'s order.
ADDM_USAGE = "addm [-b BRIDGE_NAME] NAME [!]iface0 [[!]iface1 ...]"
ADDM_DESCR = "Creates e0b_NAME [e1b_NAME ...]"
SHOW_USAGE = "show"
SHOW_DESCR = "List possible NAME values for `show NAME'"
SHOW1_USAGE = "show NAME"
SHOW1_DESCR = "Lists e0b_NAME [e1b_NAME ...]"
SHOW2_USAGE = "show [NAME]"
DESTROY_USAGE = "destroy NAME"
DESTROY_DESCR = "Destroy e0b_NAME [e1b_NAME ...]"
USAGES = [(ADDM_USAGE, ADDM_DESCR), (SHOW_USAGE, SHOW_DESCR), (SHOW1_USAGE, SHOW1_DESCR),
          (DESTROY_USAGE, DESTROY_DESCR)]

# jib's test of NAME: ${name#*[!0-9a-zA-Z_]} leaves a valid name unchanged.
NAME = re.compile(r"[0-9a-zA-Z_]+")
# An epair end jib made, as show's awk matches it: e<digits>a_NAME.
JIB_END = re.compile(r"e[0-9]+a_")


class Usage(Exception):
    """usage()/action_usage() were called: the script exits 1."""


@program("/usr/share/examples/jails/jib", kind="example")
def main(proc: Proc, argv: list[str]) -> int:
    pgm = argv[0].rsplit("/", 1)[-1]       # ${0##*/}
    action, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    run = {"addm": addm, "show": show, "destroy": destroy}.get(action)
    try:
        if run is None:     # no action, or no function jib_ACTION: usage()
            _usage(proc, pgm)
        assert run is not None
        return run(proc, pgm, args)
    except Usage:
        return FAILURE


def _usage(proc: Proc, pgm: str) -> None:
    """usage(): every action's usage and description, on standard error."""
    lines = [f"Usage: {pgm} action [arguments]", "Actions:"]
    for usage, descr in USAGES:
        lines += [f"\t{usage}", f"\t\t{descr}"]
    proc.error("".join(line + "\n" for line in lines))
    raise Usage()


def _action_usage(proc: Proc, pgm: str, usage: str, descr: str) -> None:
    """action_usage(): the usage line goes to standard error, but the
    script's printf of the description has no ``>&2``: it goes to standard
    output (an empty line for ``show [NAME]``, which has no description)."""
    proc.error(f"Usage: {pgm} {usage}\n")
    proc.write(f"\t{descr}\n")
    raise Usage()


def _getopts(proc: Proc, args: list[str], optstring: str) -> tuple[dict[str, str], list[str]] | None:
    """sh(1)'s getopts loop over ``args`` (bin/sh/options.c): options end
    at "--", "-" or the first operand; a bad one is reported by the shell
    ("Illegal option -x", "No arg for -x option") and ends the loop with
    None, for the action's usage."""
    found: dict[str, str] = {}
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "-":
        word = args[index]
        index += 1
        if word == "--":
            break
        position = 1
        while position < len(word):
            letter = word[position]
            position += 1
            if letter == ":" or letter not in optstring:
                proc.error(f"Illegal option -{letter}\n")
                return None
            if optstring[optstring.index(letter) + 1:][:1] != ":":
                found[letter] = ""
                continue
            if position < len(word):
                found[letter] = word[position:]
            elif index < len(args):
                found[letter] = args[index]
                index += 1
            else:
                proc.error(f"No arg for -{letter} option\n")
                return None
            break
    return found, args[index:]


def _must_be_root(proc: Proc) -> None:
    """mustberoot_to_continue(): ``id -u`` must say 0."""
    if proc.script_capture(["id", "-u"])[1].strip() != "0":
        proc.error("Must run as root!\n")
        raise Usage()


def addm(proc: Proc, pgm: str, args: list[str]) -> int:
    parsed = _getopts(proc, args, "b:")
    if parsed is None:
        _action_usage(proc, pgm, ADDM_USAGE, ADDM_DESCR)
    assert parsed is not None
    options, operands = parsed
    bridge = options.get("b") or "bridge"
    if len(operands) < 2 or not NAME.fullmatch(operands[0]):
        _action_usage(proc, pgm, ADDM_USAGE, ADDM_DESCR)
    name = operands[0]
    _must_be_root(proc)
    counters: dict[str, int] = {}
    # for iface in $*: the operands are split again on blanks
    for i, iface in enumerate(" ".join(operands[1:]).split()):
        status = _add_one(proc, name, iface, bridge, i, counters)
        if status:
            return status
    return 0


def _add_one(proc: Proc, name: str, iface: str, bridge: str, i: int,
             counters: dict[str, int]) -> int:
    """One interface of ``jib addm``: the loop body; a failing step ends
    jib with that step's status (``|| return``)."""
    derive = not iface.startswith("!")
    iface = iface.removeprefix("!")
    end_a, end_b, bridged = f"e{i}a_{name}", f"e{i}b_{name}", f"{iface}{bridge}"
    if proc.script_line(["ifconfig", end_a], quiet=True) == 0:
        return 0                        # made before: on to the next one
    words = iface.split()               # $iface unquoted: "!" alone leaves no word
    status = proc.script_line(["ifconfig", *words, "up"])
    if status:
        return status
    if proc.script_line(["ifconfig", bridged], quiet=True) != 0:
        status, new = proc.script_capture(["ifconfig", "bridge", "create"])
        if status:
            return status
        for step in (["ifconfig", new, "addm", *words], ["ifconfig", new, "name", bridged],
                     ["ifconfig", bridged, "up"]):
            status = proc.script_line(step)
            if status:
                return status
    status, new = proc.script_capture(["ifconfig", "epair", "create"])
    if status:
        return status
    other = new.removesuffix("a") + "b"     # ${new%a}b
    for step in (["ifconfig", bridged, "addm", new], ["ifconfig", new, "name", end_a],
                 ["ifconfig", other, "name", end_b], ["ifconfig", end_a, "up"],
                 ["ifconfig", end_b, "up"]):
        status = proc.script_line(step)
        if status:
            return status
    if derive:
        counters[iface] = counters.get(iface, -1) + 1
        mac_a, mac_b = derive_mac(_ether(proc, iface), name, counters[iface])
        proc.script_line(["ifconfig", end_a, "ether", mac_a], quiet=True)
        proc.script_line(["ifconfig", end_b, "ether", mac_b], quiet=True)
    return 0


def _ether(proc: Proc, iface: str) -> str:
    """``ifconfig IFACE ether | awk '/ether/,$0=$2'``: the second word of
    the first line that mentions "ether"."""
    _, listing = proc.script_capture(["ifconfig", iface, "ether"])
    for line in listing.split("\n"):
        if "ether" in line:
            words = line.split()
            return words[1] if len(words) > 1 else ""
    return ""


def bsd_sum(data: bytes) -> int:
    """sum(1) with no option: the historic BSD 16-bit checksum
    (usr.bin/cksum/sum1.c), rotating right by one bit before each byte."""
    crc = 0
    for byte in data:
        crc = ((crc >> 1) + ((crc & 1) << 15) + byte) & 0xffff
    return crc


def derive_mac(parent: str, name: str, number: int) -> tuple[str, str]:
    """derive_mac -2: the a and b ends' addresses ``NP:SS:SS:II:II:II``:
    N the count of epairs made on this parent in this run (0 first),
    P 2 for a and e for b (a and e when the parent's P is already 2, 2 and
    6 when it is e), SS the sum(1) of NAME, II the parent's last three
    octets."""
    tail = parent[8:] if len(parent) >= 8 and parent[2] == ":" and parent[5] == ":" else parent
    checksum = bsd_sum(name.encode())
    middle = f":{checksum >> 8 & 255:02x}:{checksum & 255:02x}{tail}"
    if re.match(r".2:", parent):
        nibbles = ("a", "e")
    elif re.match(r".[Ee]:", parent):
        nibbles = ("2", "6")
    else:
        nibbles = ("2", "e")
    counter = f"{number & 15:x}"
    return f"{counter}{nibbles[0]}{middle}", f"{counter}{nibbles[1]}{middle}"


# -- show, destroy ------------------------------------------------------------
def show(proc: Proc, pgm: str, args: list[str]) -> int:
    parsed = _getopts(proc, args, "")
    if parsed is None:
        _action_usage(proc, pgm, SHOW2_USAGE, "")
    assert parsed is not None
    _, operands = parsed
    names = _jail_names(proc) if not operands else _ends_of(proc, operands[0])
    proc.write("".join(line + "\n" for line in names))
    return 0


def _headers(listing: str) -> list[str]:
    """The interface names of an ``ifconfig`` listing (its unindented lines)."""
    return [line.split(":", 1)[0] for line in listing.split("\n")
            if line and not line[0].isspace() and ":" in line]


def _jail_names(proc: Proc) -> list[str]:
    """``show``: every bridge's members named e<N>a_NAME give NAME,
    sorted and unique (awk, xargs -rn1 ifconfig, awk, sort -u)."""
    _, listing = proc.script_capture(["ifconfig"])
    bridges, current = [], ""
    for line in listing.split("\n"):
        if line and not line[0].isspace():
            current = line.split(":", 1)[0]
        elif line.split()[:1] == ["groups:"] and "bridge" in line.split()[1:]:
            bridges.append(current)
    names: set[str] = set()
    for bridge in bridges:
        _, members = proc.script_capture(["ifconfig", bridge])
        for line in members.split("\n"):
            words = line.split()
            if len(words) > 1 and words[0] == "member:":
                matched = JIB_END.match(words[1])
                if matched and words[1][matched.end():]:
                    names.add(words[1][matched.end():])
    return sorted(names)


def _ends_of(proc: Proc, name: str) -> list[str]:
    """``show NAME``: the interfaces e<N>a_NAME, sorted."""
    _, listing = proc.script_capture(["ifconfig"])
    return sorted(ifname for ifname in _headers(listing)
                  if (matched := JIB_END.match(ifname)) and ifname[matched.end():] == name)


def destroy(proc: Proc, pgm: str, args: list[str]) -> int:
    parsed = _getopts(proc, args, "")
    if parsed is None:
        _action_usage(proc, pgm, DESTROY_USAGE, DESTROY_DESCR)
    assert parsed is not None
    _, operands = parsed
    if len(operands) != 1 or not NAME.fullmatch(operands[0]):
        _action_usage(proc, pgm, DESTROY_USAGE, DESTROY_DESCR)
    _must_be_root(proc)
    # jib show NAME | xargs -rn1 -I eiface ifconfig eiface destroy: xargs
    # exits 123 when an invocation failed (usr.bin/xargs/xargs.c).
    status = 0
    for ifname in _ends_of(proc, operands[0]):
        if proc.script_line(["ifconfig", ifname, "destroy"]) != 0:
            status = 123
    return status
