"""kldstat(8), kldload(8) and kldunload(8): the kernel's loaded files and
modules (sbin/kldstat, sbin/kldload, sbin/kldunload)."""

from __future__ import annotations

from ..errno import EEXIST, OSErr
from ...getopt import GetoptError, getopt
from ..linker import LinkerFile
from ..proc import Proc, program

# The module a .ko file declares (DECLARE_MODULE), where it differs from the
# file's name: ipl.ko is IPFilter's (sys/netpfil/ipfilter/netinet/mlfk_ipl.c).
MODULE_NAMES = {"ipl": "ipfilter"}
KLDSTAT_USAGE = "usage: kldstat [-dhqv] [-i id] [-n filename]\n       kldstat [-dq] [-m modname]\n"


@program("/sbin/kldstat")
def kldstat(proc: Proc, argv: list[str]) -> int:
    """sbin/kldstat: every loaded file, one (-n FILE, -i ID), or whether a
    module is in the kernel (-m NAME); -q answers with the exit status alone."""
    try:
        opts, operands = getopt(argv[1:], "i:m:n:qv")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(KLDSTAT_USAGE)
        return 1
    values = dict(opts)
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
    try:
        opts, names = getopt(argv[1:], "nqv")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error("usage: kldload [-nqv] file ...\n")
        return 1
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
    try:
        opts, names = getopt(argv[1:], "fiv")
    except GetoptError as exc:
        proc.warnx(str(exc))
        names = []
    if not names:
        proc.error("usage: kldunload [-fv] -i id ...\n       kldunload [-fv] [-n] name ...\n")
        return 1
    status = 0
    for name in names:
        try:
            module = proc.kernel.kldfind(name)
        except OSErr:
            proc.error(f"kldunload: can't find file {name}\n")
            status = 1
            continue
        try:
            proc.kernel.kldunload(proc.prison, module)
        except OSErr as exc:
            proc.error(f"kldunload: can't unload file: {exc.strerror}\n")
            status = 1
    return status
