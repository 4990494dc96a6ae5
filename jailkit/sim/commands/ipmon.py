"""ipmon(8): reads IPFilter's log devices (sbin/ipf/ipmon/ipmon.c).

It opens /dev/ipl (with -a also /dev/ipnat and /dev/ipstate) and fails as
ipmon does when one is missing. With -D and a destination that is not
standard output (-s, syslog) it becomes a daemon: the shell gets its
prompt back, the process runs and /var/run/ipmon.pid (or -P FILE) holds
its pid, written as ipmon's write_pid() does, without a newline. The log
lines themselves are not modelled, and neither is ipmon reading in the
foreground (it would never return)."""

from __future__ import annotations

from ..errno import OSErr
from ..proc import Proc, program
from ...getopt import getopt

OPTIONS = "?abB:C:Df:FhL:nN:o:O:pP:sS:tvxX"
MODELLED = set("abDnpPsv")
PID_FILE = "/var/run/ipmon.pid"


def usage(name: str) -> str:
    return (f"Usage: {name} [ -abDFhnpstvxX ] [ -B <binary-logfile> ] [ -C <config-file> ]\n"
            "\t[ -f <device> ] [ -L <facility> ] [ -N <device> ]\n"
            "\t[ -o [NSI] ] [ -O [NSI] ] [ -P <pidfile> ] [ -S <device> ]\n"
            "\t[ <filename> ]\n")


@program("/sbin/ipmon")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, OPTIONS, usage(argv[0]))
    if parsed is None:
        return 1
    opts, args = parsed
    flags = {f for f, _ in opts}
    if flags & {"h", "?"}:
        proc.error(usage(argv[0]))
        return 1
    unmodelled = sorted(flags - MODELLED)
    if unmodelled or args:
        proc.warnx(f"{'-' + unmodelled[0] if unmodelled else 'a log file'} is not modelled by the jailkit sim")
        return 1
    devices = ["ipl", "ipnat", "ipstate"] if "a" in flags else ["ipl"]
    for device in devices:
        if not proc.has_device(device):
            proc.error(f"/dev/{device}: open: No such file or directory\n")
            return 1
    if not {"D", "s"} <= flags:
        # without both, ipmon reads in the foreground for ever
        proc.warnx("ipmon in the foreground is not modelled by the jailkit sim")
        return 1
    _daemon(proc, dict(opts).get("P") or PID_FILE)
    return 0


def _daemon(proc: Proc, pid_file: str) -> None:
    """daemon(3), then write_pid(): "%d" and no newline."""
    process = proc.kernel.spawn(proc.prison.jid, "ipmon")
    try:
        proc.kernel.vfs.write(pid_file, str(process.pid), **proc.where())
    except OSErr:
        pass                        # write_pid() says nothing when open() fails
