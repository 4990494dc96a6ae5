"""sysctl(8) over the handful of MIB variables the howtos use.

VIMAGE-virtualised variables (CTLFLAG_VNET) live in each vnet and may be
set from inside a VNET jail; everything else is read-only or host-only,
as sysctl_root() in sys/kern/kern_sysctl.c decides.

-N prints names only, -e joins name and value with "=" (sbin/sysctl/sysctl.c
show_var()); -o and -A's -o only add opaque variables, of which the sim has
none. The sim keeps no descriptions, C types, CTLFLAG_TUN/STATS marks or raw
bytes, so -d, -t, -T, -W, -b, -x, -h (and -B, -f, -J) are refused."""

from __future__ import annotations

from bisect import bisect_left

from ..errno import OSErr
from ...getopt import getopt, option_values
from ..proc import Proc, program

# sysctl(8) options that need what the sim's MIB does not keep (see above)
UNMODELLED = "BJTWbdfhtx"

USAGE = ("usage: sysctl [-j jail] [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n"
         "       sysctl [-j jail] [-bdehNnoqTtWx] [ -B <bufsize> ] -a\n")


@program("/sbin/sysctl")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "AaB:bdef:hiJ:j:NnoqTtWx", USAGE)
    if parsed is None:
        return 1
    opts, names = parsed
    flags = {f for f, _ in opts}
    values = option_values(opts)
    if proc.refuses(flags & set(UNMODELLED)):
        return 1
    if "A" in flags:
        flags |= {"a", "o"}     # -A: -o -a, for compatibility
    if {"N", "n"} <= flags:
        proc.error(USAGE)       # sysctl.c main(): -N and -n together
        return 1
    if "j" in values:
        prison = proc.kernel.find_prison(values["j"], proc.prison)
        if prison is None:
            proc.warnx(f'jail "{values["j"]}" not found')
            return 1
        proc = proc.child(prison=prison)
    kernel = proc.kernel
    if "a" in flags and not names:
        names = kernel.sysctl_names()   # -a is ignored when names are given
    if not names:
        proc.error(USAGE)
        return 1
    status = 0
    every = kernel.sysctl_names()
    for spec in names:
        name, eq, value = spec.partition("=")
        matches = _below(every, name) if name else kernel.sysctl_names(name)
        if not matches:
            if not flags & {"i", "q"}:
                proc.warnx(f"unknown oid '{name}'")
            status = 0 if "i" in flags else 1
            continue
        if eq:
            if "N" in flags:
                # what -N prints around an assignment is not modelled
                proc.warnx("option -N is not modelled by the jailkit sim")
                status = 1
                continue
            status |= _set(proc, name, value, flags)
            continue
        for match in matches:
            proc.write(_shown(proc, match, flags) + "\n")
    return status


def _shown(proc: Proc, name: str, flags: set[str]) -> str:
    """sysctl.c show_var(): the name alone under -N, the value alone under
    -n, else name and value joined by ": ", or "=" under -e."""
    if "N" in flags:
        return name
    value = proc.kernel.sysctl_get(proc.prison, name)
    if "n" in flags:
        return value
    return f"{name}{'=' if 'e' in flags else ': '}{value}"


def _below(every: list[str], name: str) -> list[str]:
    """The variables at and below node ``name`` (what kernel.sysctl_names
    gives for it) out of all of them, sorted: the name itself, then the
    block of names that start with "name." (they sort together, before
    "name/"). sysctl(8) is given several names at a time (every look of a
    scenario's journal reads seven), each found without a pass over all."""
    exact = bisect_left(every, name)
    found = [name] if exact < len(every) and every[exact] == name else []
    return found + every[bisect_left(every, name + "."):bisect_left(every, name + "/")]


def _set(proc: Proc, name: str, value: str, flags: set[str]) -> int:
    try:
        oid = proc.kernel.sysctl_oid(name)
    except OSErr:
        proc.warnx(f"oid '{name}' isn't a leaf node")
        return 1
    if not oid.writable:
        proc.warnx(f"oid '{name}' is a read only tunable" if oid.tunable else
                   f"oid '{name}' is read only")
        if oid.tunable:
            proc.warnx("Tunable values are set in /boot/loader.conf")
        return 1
    if oid.integer and not value.lstrip("-").isdigit():
        proc.warnx(f"invalid integer '{value}'")
        return 1
    old = proc.kernel.sysctl_get(proc.prison, name)
    try:
        proc.kernel.sysctl_set(proc.prison, name, value)
    except OSErr as exc:
        proc.warnx(f"{name}={value}: {exc.strerror}")
        return 1
    if "q" not in flags:
        # sysctl.c parse(): the old value as show_var() shows it (bare with
        # -n; -e is ignored when setting, sysctl(8)), " -> ", the new value
        shown = old if "n" in flags else f"{name}: {old}"
        proc.write(f"{shown} -> {value}\n")
    return 0
