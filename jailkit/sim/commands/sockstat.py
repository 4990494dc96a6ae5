"""sockstat(1): the sockets of the processes that can see this vnet
(usr.bin/sockstat/sockstat.c display(), displaysock()).

A process sees the sockets of its own jail and the jails below it (the
kernel's kern.file and pcblist sysctls filter by prison_check), so in a jail
that shares the host's stack sockstat lists the jail's sockets only.

Columns are placed by position: USER to column 9, COMMAND (10 characters)
to 20, PID right-aligned in 5 to 26, FD, PROTO from column 30, the local
address from 37 and the foreign one 22 columns later. -j with a VNET jail
attaches to it and lists that stack's sockets; with a jail of the host's
stack it keeps the sockets of that jail's processes."""

from __future__ import annotations

from ..proc import Proc, program
from ..socket import Listener
from ...getopt import GetoptError, getopt, option_flags, option_values

USAGE = "usage: sockstat [-46CcfIiLlnqSsUuvw] [-j jid] [-p ports] [-P protocols]"


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
        proc.write(_line(sock) + "\n")
    return 0


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
