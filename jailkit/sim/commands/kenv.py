"""kenv(1): dump, get, set and unset the kernel environment
(bin/kenv/kenv.c). Output is name="value"; a failure gives kenv's warnx
and exit status 255 (main returns the -1 of kenv(2))."""

from __future__ import annotations

from ..errno import OSErr
from ..proc import Proc, program
from ...getopt import getopt

USAGE = ("usage: kenv [-hNq]\n"
         "       kenv [-qv] variable[=value]\n"
         "       kenv [-q] -u variable\n")


@program("/bin/kenv")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "hNquv", USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    flags = {flag for flag, _ in opts}
    variable = args[0] if args else None
    if len(args) > 1 or (flags & {"h", "N"} and variable is not None) or \
            (flags & {"u", "v"} and variable is None):
        proc.error(USAGE)
        return 1
    if variable is None:
        return _dump(proc, "h" in flags, "N" in flags)
    name, equals, value = variable.partition("=")
    if equals:
        return _set(proc, name, value, "q" in flags)
    if "u" in flags:
        return _unset(proc, name, "q" in flags)
    return _get(proc, name, "v" in flags, "q" in flags)


def _dump(proc: Proc, hints_only: bool, names_only: bool) -> int:
    for name, value in proc.kernel.kenv.items():
        if hints_only and not name.startswith("hint."):
            continue
        proc.write(f"{name}\n" if names_only else f'{name}="{value}"\n')
    return 0


def _get(proc: Proc, name: str, verbose: bool, quiet: bool) -> int:
    value = proc.kernel.kenv.get(name)
    if value is None:
        if not quiet:
            proc.warnx(f"unable to get {name}")
        return 255
    proc.write(f'{name}="{value}"\n' if verbose else f"{value}\n")
    return 0


def _set(proc: Proc, name: str, value: str, quiet: bool) -> int:
    try:
        proc.kernel.kenv_set(proc.prison, name, value)
    except OSErr:
        if not quiet:
            proc.warnx(f"unable to set {name} to {value}")
        return 255
    proc.write(f'{name}="{value}"\n')
    return 0


def _unset(proc: Proc, name: str, quiet: bool) -> int:
    try:
        proc.kernel.kenv_unset(proc.prison, name)
    except OSErr:
        if not quiet:
            proc.warnx(f"unable to unset {name}")
        return 255
    return 0
