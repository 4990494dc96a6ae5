"""reboot(8) and shutdown(8) of the host (sbin/reboot/reboot.c,
sbin/shutdown/shutdown.c), as far as a virtual machine that boots again at
once can model them.

`shutdown -r now` prints "Shutdown NOW!" and its child's pid, then signals
init (SIGINT), which runs /etc/rc.shutdown (the jails stop when
jail_enable=YES, then the daemons) and reboots. `reboot` does not run
rc.shutdown: it stops init and sends every process SIGTERM, then
reboot(2). Either way the kernel's state is lost and the disk stays; the
machine boots it again and runs /etc/rc (jailkit.sim.machine), and the
session that typed the command ends as an ssh session ends when its box
goes down.

Not modelled, and said so before anything happens: a later time (+5,
hh:mm), halt and power off (-h, -p, halt: the machine would stay down),
-k, single-user mode (no -r), and reboot -r (reroot). In a jail, init is
not there to signal: shutdown's signal is lost, reboot fails."""

from __future__ import annotations

from ..kernel import Rebooted
from ...getopt import getopt
from ..proc import Proc, program

SHUTDOWN_USAGE = ("usage: shutdown [-] [-c | -h | -p | -r | -k] [-o [-n]] time "
                  "[warning-message ...]\n       poweroff\n")
REBOOT_USAGE = "usage: reboot [-cdlNnpqr] [-k kernel]\n"
NOT_MODELLED = "not modelled by the jailkit sim (it reboots at once, or not at all); "


@program("/sbin/reboot")
def reboot(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "cdk:lNnpqr", REBOOT_USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    flags = {flag for flag, _ in opts}
    if args:
        proc.error(REBOOT_USAGE)
        return 1
    if flags & {"p", "r"}:
        proc.warnx(NOT_MODELLED + ("-p powers the machine off" if "p" in flags else
                                   "-r (reroot) is not a reboot"))
        return 1
    if not proc.prison.is_host:
        # kill(1, SIGTSTP): a jail does not see init
        proc.warnx("SIGTSTP init: No such process")
        return 1
    raise Rebooted(shutdown=False)


@program("/sbin/shutdown")
def shutdown(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "chknopr", SHUTDOWN_USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    flags = {flag for flag, _ in opts}
    if args[:1] == ["-"]:
        args = args[1:]     # the option "-": the message from standard input (unused here)
    problem = _usage_problem(flags, args)
    if problem is not None:
        if problem:
            proc.warnx(problem)
        proc.error(SHUTDOWN_USAGE)
        return 1
    offset = _offset(args[0])
    if offset is None:
        proc.warnx("bad time format")
        return 1
    if offset != 0:
        proc.warnx(NOT_MODELLED + "shut down `now`")
        return 1
    if flags & {"h", "p", "k"} or "r" not in flags:
        proc.warnx(NOT_MODELLED + "use -r, which reboots")
        return 1
    proc.write("Shutdown NOW!\n")
    child = proc.kernel.spawn(proc.prison.jid, "shutdown")
    proc.warnx(f"[pid {child.pid}]")
    if not proc.prison.is_host:
        return 0        # the child's kill(1, SIGINT) finds no init in a jail
    # init runs rc.shutdown, unless -o (shutdown execs reboot -l itself)
    raise Rebooted(shutdown="o" not in flags)


def _usage_problem(flags: set[str], args: list[str]) -> str | None:
    """shutdown.c main()'s checks: None when the arguments are fine, ""
    for the bare usage, else the message usage() prints first."""
    if not args:
        return ""
    if len(flags & {"c", "h", "k", "p", "r"}) > 1:
        return "incompatible switches -c, -h, -k, -p and -r"
    if "o" in flags and not flags & {"c", "h", "p", "r"}:
        return "-o requires -c, -h, -p or -r"
    if "n" in flags and "o" not in flags:
        return "-n requires -o"
    return None


UNITS = {"": 60, "m": 60, "min": 60, "mins": 60, "h": 3600, "hour": 3600, "hours": 3600,
         "s": 1, "sec": 1, "secs": 1}


def _offset(when: str) -> int | None:
    """shutdown.c getoffset(): seconds from now (0 for now), -1 for a clock
    time (hh:mm and the longer forms), None for a bad time."""
    if when.lower() == "now":
        return 0
    if when.startswith("+"):
        number = when[1:]
        digits = number[:len(number) - len(number.lstrip("0123456789"))]
        unit = number[len(digits):].lower()
        return int(digits) * UNITS[unit] if digits and unit in UNITS else None
    plain = when.replace(":", "", 1) if when[-3:-2] == ":" else when
    return -1 if plain.isdigit() and len(plain) in (4, 6, 8, 10) else None
