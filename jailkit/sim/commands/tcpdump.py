"""tcpdump(1) as far as a jail's bpf(4) access goes (contrib/tcpdump,
libpcap pcap-bpf.c): it needs /dev/bpf, which a jail's devfs ruleset hides
unless it unhides it (qjail's ruleset 50 does). Without it libpcap's
bpf_open() finds neither the cloning /dev/bpf nor /dev/bpf0 and reports
"(there are no BPF devices)"; tcpdump prints that and exits 1.

With bpf it announces what it listens on and captures until -c packets
came or it is stopped: SIGINT (^C) or SIGTERM (timeout(1)) run its
cleanup(), which prints the counters; after SIGINT it exits 0. The sim's programs do not run side by side, so nothing else is
sent while tcpdump waits: it captures what the lab sends by itself, which
is nothing."""

from __future__ import annotations

from ..kernel import Deadline
from ..proc import Interrupted, Proc, program
from ...getopt import GetoptError, getopt

SNAPLEN = 262144
USAGE = (
    "Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]\n"
    "\t\t[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]\n"
    "\t\t[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]\n"
    "\t\t[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]\n"
    "\t\t[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]\n"
    "\t\t[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]\n"
    "\t\t[ --time-stamp-precision precision ] [ --micro ] [ --nano ]\n"
    "\t\t[ -z postrotate-command ] [ -Z user ] [ expression ]\n")


@program("/usr/sbin/tcpdump")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, expression = getopt(argv[1:], "AbB:c:C:dDeE:fF:G:hHi:IJj:KlLm:M:nNOpqQ:r:s:StT:uUvV:"
                                            "w:W:xXy:Yz:Z:#")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(USAGE)
        return 1
    values = dict(opts)
    flags = {f for f, _ in opts}
    if flags & {"r", "w", "F", "V"}:
        proc.warnx("reading or writing capture files is not modelled by the jailkit sim")
        return 1
    count = values.get("c")
    if count is not None and (not count.isdigit() or int(count) <= 0):
        proc.warnx(f"invalid packet count {count}")
        return 1
    if not proc.has_device("bpf") and not proc.has_device("bpf0"):
        proc.error("tcpdump: (there are no BPF devices)\n")
        return 1
    if proc.user != "root":
        # PCAP_ERROR_PERM_DENIED: device, pcap_statustostr() and libpcap's text
        proc.error(f"tcpdump: {values.get('i', 'any')}: You don't have permission to perform "
                   "this capture on that device\n((cannot open device) /dev/bpf: "
                   "Permission denied)\n")
        return 1
    interfaces = [i for i in proc.vnet.ifnets if i.up]
    if "D" in flags:
        for number, ifnet in enumerate(proc.vnet.ifnets, start=1):
            state = ["Up"] if ifnet.up else []
            state += ["Running"] if ifnet.running else []
            state += ["Loopback"] if ifnet.name.startswith("lo") else []
            proc.write(f"{number}.{ifnet.name} [{', '.join(state)}]\n")
        return 0
    name = values.get("i")
    if name is None:
        usable = [i for i in interfaces if not i.name.startswith("lo")] or interfaces
        if not usable:
            proc.error("tcpdump: no suitable device found\n")
            return 1
        name = usable[0].name
    ifnet = proc.vnet.ifunit(name)
    if ifnet is None:
        proc.error(f"tcpdump: {name}: No such device exists\n(BIOCSETIF failed: Device not configured)\n")
        return 1
    if not ifnet.up:
        proc.error(f"tcpdump: {name}: That device is not up\n")
        return 1
    link = "NULL (BSD loopback)" if name.startswith("lo") else "EN10MB (Ethernet)"
    verbose = "v" in flags
    if not verbose:
        proc.error("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n")
    proc.error(f"{'tcpdump: ' if verbose else ''}listening on {name}, link-type {link}, "
               f"snapshot length {int(values.get('s', SNAPLEN))} bytes\n")
    try:
        while True:
            proc.kernel.advance(1.0)
    except Interrupted:
        _counters(proc)
        return 0
    except Deadline:
        _counters(proc)     # SIGTERM from timeout(1)
        raise


def _counters(proc: Proc) -> None:
    """tcpdump.c cleanup() -> info(): what it captured (here nothing)."""
    proc.error("\n0 packets captured\n0 packets received by filter\n0 packets dropped by kernel\n")
