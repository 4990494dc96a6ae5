"""ipf(8): loads IPFilter's filter rules and turns the filter on and off
(sbin/ipf/ipf/ipf.c).

Options act in the order given (-Fa -f FILE flushes, then loads; -r makes
the -f after it remove the rules it reads instead of adding them). Errors
are printed by ipferror() (libipf/ipf_perror.c): with no device open, "0:"
and perror(3)'s text. Without ipl.ko there is no /dev/ipl; ipf -E then
prints its two failures and still exits 0, as ipf does. A syntax error
stops ipf at once; the rules read before it stay loaded."""

from __future__ import annotations

from .. import pfil
from ..errno import OSErr
from ..ipfilter import Ipfilter, IpfSyntaxError, filter_rules
from ..proc import Proc, program
from ...getopt import GetoptError, getopt

USAGE = ("usage: ipf [-6AdDEInoPrRsvVyzZ] [-l block|pass|nomatch|state|nat] [-cc] "
         "[-F i|o|a|s|S|u] [-f filename] [-T <tuneopts>]\n")


class Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@program("/sbin/ipf")
def main(proc: Proc, argv: list[str]) -> int:
    if len(argv) < 2:
        proc.error(USAGE)
        return 1
    try:
        opts, args = getopt(argv[1:], "46Ac:dDEf:F:Il:m:noPrRsT:vVyzZ")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(USAGE)
        return 1
    status = 0
    verbose = any(flag == "v" for flag, _ in opts)
    remove = False
    try:
        for flag, value in opts:
            if flag == "E":
                _set_state(proc, True)
            elif flag == "D":
                _set_state(proc, False)
            elif flag == "F":
                _flush(proc, value, verbose)
            elif flag == "f":
                status = _load(proc, value, remove) or status
            elif flag == "r":
                remove = not remove         # opts ^= OPT_REMOVE
            elif flag == "V":
                status = _version(proc) or status
            elif flag in "46AdIv":
                continue
            else:
                proc.warnx(f"-{flag} is not modelled by the jailkit sim")
                return 1
    except Exit as stop:
        return stop.status
    return status


def _version(proc: Proc) -> int:
    """ipf -V (showversion()); the size in parentheses is sizeof(frentry_t)
    of an amd64 build, as jailkit models it."""
    proc.write("ipf: IP Filter: v5.1.2 (592)\n")
    ipf = _device(proc)
    if ipf is None:
        proc.error("open device: No such file or directory\n")
        return 1
    proc.write(f"Kernel: IP Filter: v5.1.2\nRunning: {'yes' if ipf.enabled else 'no'}\n"
               "Log Flags: 0 = none set\nDefault: pass all, Logging: available\n"
               "Active list: 0\nFeature mask: 0x107\n")
    return 0


def _device(proc: Proc) -> Ipfilter | None:
    ipf = proc.kernel.firewall(proc.vnet, "ipf")
    return ipf if ipf is not None and proc.has_device("ipl") else None


def _set_state(proc: Proc, enable: bool) -> None:
    ipf = _device(proc)
    if ipf is None:
        proc.error("0:open device: No such file or directory\n")
        proc.error("0:SIOCFRENB: Bad file descriptor\n")
        return
    if enable and ipf.enabled:
        proc.error("IP FIlter: already initialized\n")
        return
    ipf.enabled = enable
    (pfil.link if enable else pfil.unlink)(proc.vnet, "ipf")


def _checked(proc: Proc) -> Ipfilter:
    """opendevice(ipfname, 1): checkrev() opens the device first."""
    ipf = _device(proc)
    if ipf is None:
        proc.error("open device: No such file or directory\n")
        proc.error("User/kernel version check failed\n")
        raise Exit(1)
    return ipf


def _flush(proc: Proc, which: str, verbose: bool) -> None:
    if which in ("s", "S"):
        ipf = _checked(proc)
        removed = len(ipf.states)
        ipf.states = []
        if verbose:
            proc.write(f"{removed} state entries removed\n")
        return
    lowered = which.lower()
    directions = {"in"} if "i" in lowered else {"out"} if "o" in lowered else (
        {"in", "out"} if "a" in lowered else None)
    if directions is None:
        proc.error(f"Incorrect flush argument: {which}\n")
        proc.error(USAGE)
        raise Exit(1)
    removed = _checked(proc).flush(directions)
    if verbose:
        proc.write(f"{removed} filter rules removed\n")


def _load(proc: Proc, path: str, remove: bool) -> int:
    ipf = _checked(proc)
    try:
        text = proc.read_file(path)
    except OSErr as exc:
        proc.error(f"{path}: open: {exc.strerror}\n")
        raise Exit(1) from None
    status = 0
    try:
        for number, rule in filter_rules(text):
            if not remove:
                ipf.rules.append(rule)
            elif not ipf.remove(rule):
                # ipf_y.y ipf_addrule(): ipf_perror_fd() with the kernel's
                # ESRCH for a rule not in the list; ipf then exits 1
                proc.error(f"{number}:ioctl(delete rule): No such process\n")
                status = 1
    except IpfSyntaxError as exc:
        proc.error(f"{exc}\n")
        raise Exit(1) from None
    return status
