"""kldstat(8), kldload(8) and kldunload(8): the kernel's loaded files and
modules (sbin/kldstat, sbin/kldload, sbin/kldunload).

kldstat -v would list the modules in each file with their module ids; the
sim keeps neither the kernel's own modules nor module ids, so -v is refused.
kldunload -f forces past a module's veto, which the sim's kernel does not
offer, so it is refused too."""

from __future__ import annotations

import re

from ..errno import EEXIST, ENOENT, OSErr, strerror
from ...getopt import GetoptError, getopt, option_flags
from ..linker import LinkerFile
from ..proc import Proc, program
from ..sysexits import EX_USAGE

# The module a .ko file declares (DECLARE_MODULE), where it differs from the
# file's name: ipl.ko is IPFilter's (sys/netpfil/ipfilter/netinet/mlfk_ipl.c).
MODULE_NAMES = {"ipl": "ipfilter"}
KLDSTAT_USAGE = "usage: kldstat [-dhqv] [-i id] [-n filename]\n       kldstat [-dq] [-m modname]\n"


@program("/sbin/kldstat")
def kldstat(proc: Proc, argv: list[str]) -> int:
    """sbin/kldstat: every loaded file, one (-n FILE, -i ID), or whether a
    module is in the kernel (-m NAME); -q answers with the exit status alone."""
    parsed = proc.options(argv, "i:m:n:qv", KLDSTAT_USAGE)
    if parsed is None:
        return 1
    opts, operands = parsed
    values = dict(opts)
    if "v" in values:
        proc.warnx("option -v is not modelled by the jailkit sim")
        return 1
    if operands:
        proc.error(KLDSTAT_USAGE)
        return 1
    quiet = "q" in values
    files = proc.kernel.linker.files
    if "m" in values:
        return _kldstat_module(proc, files, values["m"] or "", quiet)
    shown = files
    if "n" in values:
        found = proc.kernel.linker.find((values["n"] or "").rsplit("/", 1)[-1])
        if found is None:
            if not quiet:
                proc.error(f"kldstat: can't find file {values['n']}: No such file or directory\n")
            return 1
        if quiet:
            return 0
        shown = [found]
    elif "i" in values:
        fileid = values["i"] or ""
        try:
            shown = [proc.kernel.linker.by_id(int(fileid))]
        except (ValueError, OSErr):
            proc.error(f"kldstat: can't stat file id {fileid}: No such file or directory\n")
            return 1
    # kldnext(2) walks the list in the order the files were made
    proc.write("Id Refs Address                Size Name\n" + "".join(
        f"{lf.id:2d} {lf.refs:4d} 0x{lf.address:x} {lf.size:8x} {lf.filename}\n" for lf in shown))
    return 0


def _kldstat_module(proc: Proc, files: list[LinkerFile], name: str, quiet: bool) -> int:
    """kldstat -m: modfind(2) looks a module up by the name it declares.
    (The kernel's own modules are not modelled, so a module's id is its
    file's.)"""
    found = [lf for lf in files if MODULE_NAMES.get(lf.name, lf.name) == name]
    if not found:
        if not quiet:
            proc.error(f"kldstat: can't find module {name}: No such file or directory\n")
        return 1
    if not quiet:
        proc.write("Id  Refs Name\n%3d %4d %s\n" % (found[0].id, 1, name))
    return 0


@program("/sbin/kldload")
def kldload(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "nqv", "usage: kldload [-nqv] file ...\n")
    if parsed is None:
        return 1
    opts, names = parsed
    if not names:
        proc.error("usage: kldload [-nqv] file ...\n")
        return 1
    flags = {f for f, _ in opts}
    status = 0
    for name in names:
        try:
            fileid = proc.kernel.kldload(proc.prison, name)
        except OSErr as exc:
            if exc.errno != EEXIST:
                proc.error(f"kldload: can't load {name}: {exc.strerror}\n")
                status = 1
            elif "n" not in flags:   # -n: a loaded module is no error
                proc.error(f"kldload: can't load {name}: module already loaded or in kernel\n")
                status = 1
            continue
        if "v" in flags:
            proc.write(f"Loaded {name}, id={fileid}\n")
    return status


@program("/sbin/kldunload")
def kldunload(proc: Proc, argv: list[str]) -> int:
    """sbin/kldunload: each file by name, or by id with -i; -v says which
    before it goes; -n does nothing (kept for backward compatibility). The
    first failure ends the run (errx/err), leaving the later operands."""
    try:
        opts, names = getopt(argv[1:], "finv")
    except GetoptError as exc:
        proc.warnx(str(exc))
        opts, names = [], []
    flags = option_flags(opts)
    if "f" in flags:
        proc.warnx("option -f is not modelled by the jailkit sim")
        return 1
    if not names:
        proc.error("usage: kldunload [-fv] -i id ...\n       kldunload [-fv] [-n] name ...\n")
        return EX_USAGE
    for name in names:
        if not _kldunload_one(proc, name, by_id="i" in flags, verbose="v" in flags):
            return 1
    return 0


def _kldunload_one(proc: Proc, operand: str, by_id: bool, verbose: bool) -> bool:
    """One operand: -i reads it with atoi(3), else kldfind(2) looks the
    file up by name; -v's kldstat(2) of that id comes before the unload."""
    linker = proc.kernel.linker
    lf: LinkerFile | None
    if by_id:
        try:
            lf = linker.by_id(_atoi(operand))
        except OSErr:
            lf = None
    else:
        try:
            lf = linker.find(proc.kernel.kldfind(operand))
        except OSErr:
            proc.error(f"kldunload: can't find file {operand}\n")
            return False
    if verbose:
        if lf is None:
            proc.error(f"kldunload: can't stat file: {strerror(ENOENT)}\n")
            return False
        proc.write(f"Unloading {lf.filename}, id={lf.id}\n")
    try:
        if lf is None:
            raise OSErr(ENOENT)
        proc.kernel.kldunload(proc.prison, lf.name)
    except OSErr as exc:
        proc.error(f"kldunload: can't unload file: {exc.strerror}\n")
        return False
    return True


def _atoi(text: str) -> int:
    """atoi(3): leading blanks, a sign and the digits that follow; 0 when
    there are none (kldunload.c's check of a negative id reads optarg,
    which is NULL by then; such an id is simply not found here)."""
    match = re.match(r"\s*([+-]?\d+)", text)
    return int(match.group(1)) if match else 0
