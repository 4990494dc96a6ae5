"""sockstat(1): the sockets of the processes that can see this vnet
(usr.bin/sockstat/sockstat.c display(), displaysock()).

A process sees the sockets of its own jail and the jails below it (the
kernel's kern.file and pcblist sysctls filter by prison_check), so in a jail
that shares the host's stack sockstat lists the jail's sockets only.

Columns are placed by position: USER to column 9, COMMAND (10 characters)
to 20, PID right-aligned in 5 to 26, FD, PROTO from column 30, the local
address from 37 and the foreign one 22 columns later. -j with a VNET jail
attaches to it and lists that stack's sockets; with a jail of the host's
stack it keeps the sockets of that jail's processes.

-p PORTS keeps the Internet sockets with a listed port (unix ones pass,
check_ports()), -P PROTOCOLS the sockets of those protocols (and implies
-4 -6 without -u), -L leaves out those on a loopback address. The options
that add columns or change widths or names (-C -f -I -i -n -S -s -U -v -w)
are refused as not modelled."""

from __future__ import annotations

from ..proc import Proc, program
from ..socket import Listener
from ...getopt import GetoptError, getopt, option_flags, option_values

USAGE = "usage: sockstat [-46CcfIiLlnqSsUuvw] [-j jid] [-p ports] [-P protocols]"
UNMODELLED = "CfIinSsUvw"
# the protocols the sim has sockets of; /etc/protocols names others, whose
# sockets the sim never makes (so -P with them lists nothing)
PROTOCOLS = {"tcp", "udp", "divert", "sctp", "udplite", "icmp", "ipv6-icmp", "raw"}


class Usage(Exception):
    """errx(1, ...) while reading the options."""


@program("/usr/bin/sockstat")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "46CcfIij:Llnp:P:qSsUuvw")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.warnx(USAGE)
        return 1
    if args:
        proc.warnx(USAGE)
        return 1
    flags = option_flags(opts)
    values = option_values(opts)
    if proc.refuses(flags & set(UNMODELLED)):
        return 1
    try:
        ports = _ports([v for f, v in opts if f == "p" and v is not None])
        protos = _protos(values["P"]) if "P" in flags else None
    except Usage as exc:
        proc.warnx(str(exc))
        return 1
    vnet, jid = proc.vnet, None
    if "j" in flags:
        prison = proc.kernel.find_prison(values["j"], proc.prison)
        if prison is None:
            proc.warnx(f'jail_getid: jail "{values["j"]}" not found')
            return 1
        if prison.own_vnet:
            vnet = prison.vnet
        else:
            jid = prison.jid
    want4, want6 = "4" in flags, "6" in flags
    if protos is not None and not want4 and not want6:
        want4 = want6 = True      # main(): -P alone means both families, no unix
    want_unix = "u" in flags or not (want4 or want6)
    if not want4 and not want6 and "u" not in flags:
        want4 = want6 = True
    listening, connected = "l" in flags, "c" in flags
    if not listening and not connected:
        listening = connected = True
    if "q" not in flags:
        proc.write(f"{'USER':<8} {'COMMAND':<10} {'PID':<5} {'FD':<3} {'PROTO':<6} "
                   f"{'LOCAL ADDRESS':<21} {'FOREIGN ADDRESS':<21}\n")
    if not listening:
        return 0
    rows = sorted(vnet.listeners, key=lambda l: (l.pid, l.fd))
    for sock in rows:
        if not sock.pid:
            continue
        owner = _jid_of(proc, sock.pid)
        if not _visible(proc, owner) or jid is not None and owner != jid:
            continue
        if sock.family == "4" and not want4 or sock.family == "6" and not want6:
            continue
        if sock.family == "unix" and not want_unix:
            continue
        if sock.family != "unix" and not _wanted(sock, ports, protos, "L" in flags):
            continue
        proc.write(_line(sock) + "\n")
    return 0


def _ports(specs: list[str]) -> set[int] | None:
    """parse_ports(): numbers and ranges, comma separated; None: no -p."""
    if not specs:
        return None
    ports: set[int] = set()
    for spec in specs:
        for part in spec.split(","):
            if not part:
                continue
            first, dash, last = part.partition("-")
            if not first.isdigit():
                raise Usage("syntax error in port range")
            low = int(first)
            # a range's end that is not a number reads as 0, below its start
            high = (int(last) if last.isdigit() else -1) if dash else low
            if low > 65535 or high < low or high > 65535:
                raise Usage("invalid port number")
            ports.update(range(low, high + 1))
    return ports


def _protos(spec: str) -> set[str]:
    names = {name for name in spec.split(",") if name}
    unknown = sorted(names - PROTOCOLS)
    if unknown:
        raise Usage(f"protocol {unknown[0]} is not modelled by the jailkit sim")
    return names


def _wanted(sock: Listener, ports: set[int] | None, protos: set[str] | None,
            no_loopback: bool) -> bool:
    """An Internet socket through -p (its local or foreign port; the
    foreign one of a listener is 0), -P and -L (gather_inet())."""
    if ports is not None and sock.port not in ports and 0 not in ports:
        return False
    if protos is not None and sock.proto not in protos:
        return False
    if no_loopback:
        address = sock.address6 if sock.family == "6" else sock.address
        if address is not None and address.is_loopback:
            return False
    return True


def _jid_of(proc: Proc, pid: int) -> int | None:
    return next((p.jid for p in proc.kernel.processes if p.pid == pid), None)


def _visible(proc: Proc, jid: int | None) -> bool:
    """prison_check(): the socket's process is in this jail or below."""
    kernel = proc.kernel
    prison = kernel.prison0 if jid == 0 else kernel.prisons.get(jid) if jid is not None else None
    return prison is not None and proc.prison.sees(prison)


def _pad(text: str, column: int) -> str:
    """xprintf(" ") until the column, at least one space."""
    return text + " " * max(1, column - len(text))


def _line(sock: Listener) -> str:
    text = _pad(sock.user, 9) + sock.command[:10]
    text = _pad(text, 20) + f"{sock.pid:5d}"
    text = _pad(text, 26) + f"{sock.fd:<3d}"
    text = text + " " * max(0, 30 - len(text))
    if sock.family == "unix":
        return _pad(text + sock.proto, 37) + sock.local()
    # gather_inet() names divert(4) sockets "div" (natd's, bound to *:8668)
    proto = "div" if sock.proto == "divert" else sock.proto
    text = _pad(text + f"{proto}{sock.family}", 37) + sock.local()
    return _pad(text, 59) + "*:*"
