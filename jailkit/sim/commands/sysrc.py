"""sysrc(8): read and set rc.conf(5) variables (usr.sbin/sysrc/sysrc).

`sysrc name=value` prints "name: old -> new" (old as rc.conf files plus
the defaults give it) and writes name="value" to /etc/rc.conf, replacing
an earlier line for the same name; `sysrc name` prints "name: value", or
"sysrc: unknown variable 'name'" when it is set nowhere; -x deletes, -n
prints only values, -f picks the file, -j works inside a jail.

As usr.sbin/sysrc/sysrc reads them: -c only compares (exit 1 when a
variable is unset or would change, never writing), -e prints name="value"
(not with -n or -N), -N prints only names, -i and -q keep quiet about an
unknown variable (still exit 1), -h prints the usage and fails. -a, -A,
-d, -D, -F, -R, -v and -X are refused as not modelled."""

from __future__ import annotations

import re

from ..errno import OSErr
from ..octets import lines as text_lines
from ..proc import Proc, Sink, program
from ..rcconf import rc_variables
from ...getopt import GetoptError, getopt, option_flags, option_values

USAGE = ("Usage: sysrc [OPTIONS] {name[[+|-]=value] ... | -a | -A | -l | -L [name ...]}\n"
         "Try `sysrc --help' for more information.\n")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
UNMODELLED = "aAdDFRvX"


@program("/usr/sbin/sysrc")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "aAcdDef:Fhij:nNqR:vxX")
    except GetoptError as exc:
        proc.error(f"sysrc: {exc}\n{USAGE}")
        return 1
    flags = option_flags(opts)
    values = option_values(opts)
    if "h" in flags:
        proc.error(USAGE)
        return 1
    if proc.refuses(flags & set(UNMODELLED)):
        return 1
    if "j" in flags:
        prison = proc.kernel.find_prison(values["j"], proc.prison)
        if prison is None:
            proc.error(f"sysrc: {values['j']}: No such jail\n")
            return 1
        proc = proc.child(prison=prison, cwd="/")
    path = values.get("f", "/etc/rc.conf")
    if not args:
        proc.error(USAGE)
        return 1
    # With -f, the defaults and that file only (sysrc's rc_conf_files);
    # sourcing a file whose lines are no shell (loader.conf's dotted
    # tunables) is silent, as sysrc's own is.
    current = rc_variables(proc.child(stderr=Sink()), (path,))
    status = 0
    for arg in args:
        name, op, value = _split(arg)
        if not NAME.match(name):
            proc.error(f"sysrc: {name}: name contains characters not allowed in shell\n")
            status = 1
            continue
        known = name in current and name not in proc.env
        if "c" in flags and op is None:
            # sysrc: -c checks a name and stops there, before -x's delete
            status = status if known else 1
            continue
        if "x" in flags:
            if not _delete(proc, path, name):
                proc.error(f"sysrc: unknown variable '{name}'\n")
                status = 1
            continue
        if op is None:
            if not known:
                if not flags & {"i", "q"}:
                    proc.error(f"sysrc: unknown variable '{name}'\n")
                status = 1
            elif "c" not in flags:
                proc.write(_shown(flags, name, current[name]))
            continue
        old = current.get(name, "")
        # += adds the words not there yet, -= takes them out (sysrc's APPEND and REMOVE)
        added = [word for word in value.split() if word not in old.split()]
        new = {"=": value, "+=": " ".join(old.split() + added),
               "-=": " ".join(w for w in old.split() if w not in value.split())}[op]
        if "c" in flags:
            status = status if known and new == old else 1
            continue
        if "N" in flags:
            proc.write(f"{name}\n")
        try:
            _write(proc, path, name, new)
        except OSErr as exc:
            proc.error(f"sysrc: {path}: {exc.strerror}\n")
            return 1
        current[name] = new
        if "N" not in flags:     # -q silences unknown names only, not this line
            proc.write(_change(flags, name, old, new))
    return status


def _shown(flags: set[str], name: str, value: str) -> str:
    """A query's line: name: value, name="value" (-e), value (-n), name (-N)."""
    if "N" in flags:
        return f"{name}\n"
    if "n" in flags:
        return f"{value}\n"
    return f'{name}="{value}"\n' if "e" in flags else f"{name}: {value}\n"


def _change(flags: set[str], name: str, old: str, new: str) -> str:
    """A setting's line: name: old -> new, or with -e name="old" # -> "new"."""
    if "n" in flags:
        return f"{old} -> {new}\n"
    if "e" in flags:
        return f'{name}="{old}" # -> "{new}"\n'
    return f"{name}: {old} -> {new}\n"


def _split(arg: str) -> tuple[str, str | None, str]:
    for op in ("+=", "-=", "="):
        if op in arg:
            name, _, value = arg.partition(op)
            return name, op, value
    return arg, None, ""


def _lines(proc: Proc, path: str) -> list[str]:
    try:
        return text_lines(proc.kernel.vfs.read(path, **proc.where()))
    except OSErr:
        return []


def _write(proc: Proc, path: str, name: str, value: str) -> None:
    pattern = re.compile(rf"^\s*{name}=")
    lines = _lines(proc, path)
    line = f'{name}="{value}"'
    for index, existing in enumerate(lines):
        if pattern.match(existing):
            lines[index] = line
            break
    else:
        lines.append(line)
    proc.kernel.vfs.write(path, "\n".join(lines) + "\n", **proc.where())


def _delete(proc: Proc, path: str, name: str) -> bool:
    pattern = re.compile(rf"^\s*{name}=")
    lines = _lines(proc, path)
    kept = [line for line in lines if not pattern.match(line)]
    if len(kept) == len(lines):
        return False
    proc.kernel.vfs.write(path, "\n".join(kept) + ("\n" if kept else ""), **proc.where())
    return True
