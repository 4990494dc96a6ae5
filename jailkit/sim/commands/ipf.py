"""ipf(8): loads IPFilter's filter rules and turns the filter on and off
(sbin/ipf/ipf/ipf.c).

Options act in the order given (-Fa -f FILE flushes, then loads; -r makes
the -f after it remove the rules it reads instead of adding them; -n makes
what follows it do nothing but parse). Errors are printed by ipferror()
(libipf/ipf_perror.c): with no device open, "0:" and perror(3)'s text.
Without ipl.ko there is no /dev/ipl; ipf -E then prints its two failures
and still exits 0, as ipf does. A syntax error stops ipf at once with exit
status 1 (lexer.c yyerror()); the rules read before it stay loaded. A
file that cannot be opened is reported by ipf_parsefile() and ipf goes on
(its exit status stays 0)."""

from __future__ import annotations

from .. import pfil
from ..errno import OSErr
from ..ipfilter import FilterRule, Ipfilter, IpfSyntaxError, IpfUnmodelled, filter_rules
from ..proc import Proc, program
from ...getopt import getopt

USAGE = ("usage: ipf [-6AdDEInoPrRsvVyzZ] [-l block|pass|nomatch|state|nat] [-cc] "
         "[-F i|o|a|s|S|u] [-f filename] [-T <tuneopts>]\n")
MODELLED = set("46ADEFfnrRvVy")


class Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Options:
    """ipf's global opts, toggled as getopt meets them."""

    def __init__(self) -> None:
        self.remove = False
        self.nothing = False
        self.verbose = False


@program("/sbin/ipf")
def main(proc: Proc, argv: list[str]) -> int:
    if len(argv) < 2:
        proc.error(USAGE)
        return 1
    parsed = proc.options(argv, "46Ac:dDEf:F:Il:m:noPrRsT:vVyzZ", USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    unmodelled = [flag for flag, _ in opts if flag not in MODELLED]
    if unmodelled:
        proc.warnx(f"-{unmodelled[0]} is not modelled by the jailkit sim")
        return 1
    state = Options()
    status = 0
    try:
        for flag, value in opts:
            status = _option(proc, state, flag, value or "") or status
    except Exit as stop:
        return stop.status
    return status


def _option(proc: Proc, state: Options, flag: str, value: str) -> int:
    """One option, as ipf.c's switch runs it; returns an exit status to
    keep (1) or 0."""
    if flag == "E":
        _set_state(proc, state, True)
    elif flag == "D":
        _set_state(proc, state, False)
    elif flag == "F":
        _flush(proc, state, value)
    elif flag == "f":
        return _load(proc, state, value)
    elif flag == "r":
        state.remove = not state.remove         # opts ^= OPT_REMOVE
    elif flag == "n":
        state.nothing = not state.nothing       # opts ^= OPT_DONOTHING|OPT_DONTOPEN
    elif flag == "v":
        state.verbose = True
    elif flag == "V":
        if _version(proc):
            raise Exit(1)
    elif flag == "y":
        _sync(proc, state)
    return 0


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
    return ipf if isinstance(ipf, Ipfilter) and proc.has_device("ipl") else None


def _set_state(proc: Proc, state: Options, enable: bool) -> None:
    """set_state(): opendevice() does nothing under -n."""
    if state.nothing:
        return
    ipf = _device(proc)
    if ipf is None:
        proc.error("0:open device: No such file or directory\n")
        proc.error("0:SIOCFRENB: Bad file descriptor\n")
        return
    # ipf_ipf_ioctl() SIOCFRENB: enabling a running filter succeeds and does
    # nothing (ipfattach() is not called, so ipf never sees EBUSY)
    ipf.enabled = enable
    (pfil.link if enable else pfil.unlink)(proc.vnet, "ipf")


def _opened(proc: Proc, state: Options) -> Ipfilter | None:
    """opendevice(ipfname, 1): None under -n (it returns -2); without the
    device checkrev() fails first."""
    if state.nothing:
        return None
    ipf = _device(proc)
    if ipf is None:
        proc.error("open device: No such file or directory\n")
        proc.error("User/kernel version check failed\n")
    return ipf


def _sync(proc: Proc, state: Options) -> None:
    """ipf_frsync(): SIOCFRSYN makes the rules look their interfaces and
    addresses up again; the sim's rules always see the interfaces as they
    are, so only the message remains."""
    _opened(proc, state)
    proc.write("filter sync'd\n")


def _flush(proc: Proc, state: Options, which: str) -> None:
    if which in ("s", "S") or which[:1].isdigit():
        if which[:1].isdigit():
            proc.warnx("-F with an age is not modelled by the jailkit sim")
            raise Exit(1)
        ipf = _opened(proc, state)
        if ipf is None:
            raise Exit(1)           # flushfilter(): opendevice() == -2 exits 1
        removed = _flush_states(ipf, every=which == "S")
        if state.verbose:
            proc.write(f"{removed} state entries removed\n")
        return
    lowered = which.lower()
    directions = {"in"} if "i" in lowered else {"out"} if "o" in lowered else (
        {"in", "out"} if "a" in lowered else None)
    if directions is None:
        proc.error(f"Incorrect flush argument: {which}\n")
        proc.error(USAGE)
        raise Exit(1)
    ipf = _opened(proc, state)
    if ipf is None:
        raise Exit(1)
    removed = ipf.flush(directions)
    if state.verbose:
        proc.write(f"{removed} filter rules removed\n")


def _flush_states(ipf: Ipfilter, every: bool) -> int:
    """-FS flushes every state entry, -Fs those not of an established TCP
    connection (ipf(8)); the sim's TCP entries are established ones."""
    if every:
        return ipf.flush_states()
    kept = [s for s in ipf.states if s.proto == "tcp"]
    removed = len(ipf.states) - len(kept)
    ipf.states = kept
    return removed


def _load(proc: Proc, state: Options, path: str) -> int:
    """procfile(): each rule is added (or with -r removed) as it is read."""
    ipf = _opened(proc, state)
    if ipf is None and not state.nothing:
        raise Exit(1)
    try:
        text = proc.read_file(path)
    except OSErr as exc:
        proc.error(f"fopen({path}) failed: {exc.strerror}\n")
        return 0
    status = 0
    try:
        for number, rule in filter_rules(text):
            if state.verbose:
                proc.write(rule.render(set()) + "\n")    # fr_ifa is NULL in userland: "(!)"
            if ipf is not None:
                status = _apply(proc, ipf, state, number, rule) or status
    except IpfSyntaxError as exc:
        proc.error(f"{exc}\n")
        raise Exit(1) from None
    except IpfUnmodelled as exc:
        proc.warnx(str(exc))
        raise Exit(1) from None
    return status


def _apply(proc: Proc, ipf: Ipfilter, state: Options, number: int, rule: FilterRule) -> int:
    if not state.remove:
        ipf.add_rule(rule)
        return 0
    if ipf.remove(rule):
        return 0
    # ipf_y.y ipf_addrule(): ipf_perror_fd() with the kernel's ESRCH for a
    # rule not in the list; ipf then exits 1
    proc.error(f"{number}:ioctl(delete rule): No such process\n")
    return 1
