"""sysctl(8) over the handful of MIB variables the howtos use.

VIMAGE-virtualised variables (CTLFLAG_VNET) live in each vnet and may be
set from inside a VNET jail; everything else is read-only or host-only,
as sysctl_root() in sys/kern/kern_sysctl.c decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..errno import EPERM, OSErr
from ...getopt import GetoptError, getopt, option_values
from ..proc import Proc, program

USAGE = ("usage: sysctl [-j jail] [-bdehiNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n"
         "       sysctl [-j jail] [-bdehNnoqTtWx] [ -B <bufsize> ] -a\n")


@dataclass(frozen=True)
class Oid:
    read: Callable[[Proc], str]
    vnet: bool = False          # lives in the vnet, writable from a VNET jail
    writable: bool = False
    integer: bool = True
    tunable: bool = False       # CTLFLAG_RDTUN: set in loader.conf, read-only after
    module: str | None = None   # exists while this kernel module is loaded

    def present(self, proc: Proc) -> bool:
        return self.module is None or self.module in proc.kernel.modules


def _vnet(name: str) -> Oid:
    return Oid(lambda p: str(p.vnet.sysctl[name]), vnet=True, writable=True)


def _const(value: str, integer: bool = False) -> Oid:
    return Oid(lambda p: value, integer=integer)


OIDS: dict[str, Oid] = {
    "net.inet.ip.forwarding": _vnet("net.inet.ip.forwarding"),
    "net.inet.ip.ttl": _vnet("net.inet.ip.ttl"),
    "net.inet6.ip6.forwarding": _vnet("net.inet6.ip6.forwarding"),
    "net.link.bridge.inherit_mac": _vnet("net.link.bridge.inherit_mac"),
    "kern.hostname": Oid(lambda p: p.prison.hostname, writable=True, integer=False),
    "kern.ostype": _const("FreeBSD"),
    "kern.osrelease": Oid(lambda p: p.prison.params.get("osrelease", p.kernel.release), integer=False),
    "kern.features.vimage": _const("1", integer=True),
    "kern.features.inet": _const("1", integer=True),
    "kern.features.inet6": _const("1", integer=True),
    "kern.securelevel": _const("-1", integer=True),
    "kern.hostid": Oid(lambda p: str(p.kernel.hostid)),
    "kern.hostuuid": Oid(lambda p: p.kernel.hostuuid, integer=False),
    "hw.machine": _const("amd64"),
    "hw.ncpu": _const("2", integer=True),
    # ip_fw2.c: fetched from the kernel environment when ipfw.ko loads
    "net.inet.ip.fw.default_to_accept": Oid(lambda p: str(int(p.kernel.ipfw_default_to_accept)),
                                            tunable=True, module="ipfw"),
    "security.jail.jailed": Oid(lambda p: "0" if p.prison.is_host else "1"),
    "security.jail.vnet": Oid(lambda p: "1" if p.prison.own_vnet and not p.prison.is_host else "0"),
}


@program("/sbin/sysctl")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, names = getopt(argv[1:], "AaB:bdef:hiJ:j:NnoqTtWx")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(USAGE)
        return 1
    flags = {f for f, _ in opts}
    values = option_values(opts)
    if "j" in values:
        prison = proc.kernel.find_prison(values["j"], proc.prison)
        if prison is None:
            proc.warnx(f'jail "{values["j"]}" not found')
            return 1
        proc = proc.child(prison=prison)
    if "a" in flags:
        names = sorted(n for n, oid in OIDS.items() if oid.present(proc))
    if not names:
        proc.error(USAGE)
        return 1
    status = 0
    for spec in names:
        name, eq, value = spec.partition("=")
        matches = [n for n, oid in OIDS.items()
                   if (n == name or n.startswith(name + ".")) and oid.present(proc)]
        if not matches:
            if not flags & {"i", "q"}:
                proc.warnx(f"unknown oid '{name}'")
            status = 0 if "i" in flags else 1
            continue
        if eq:
            status |= _set(proc, name, value, flags)
            continue
        for match in sorted(matches):
            shown = OIDS[match].read(proc)
            proc.write(shown + "\n" if "n" in flags else f"{match}: {shown}\n")
    return status


def _set(proc: Proc, name: str, value: str, flags: set[str]) -> int:
    oid = OIDS.get(name)
    if oid is None:
        proc.warnx(f"oid '{name}' isn't a leaf node")
        return 1
    if not oid.writable:
        proc.warnx(f"oid '{name}' is a read only tunable" if oid.tunable else
                   f"oid '{name}' is read only")
        if oid.tunable:
            proc.warnx("Tunable values are set in /boot/loader.conf")
        return 1
    if oid.integer and not value.lstrip("-").isdigit():
        proc.warnx(f"invalid integer '{value}'")
        return 1
    prison = proc.prison
    old = oid.read(proc)
    try:
        if name == "kern.hostname":
            proc.kernel.sethostname(prison, value)
        elif prison.is_host or prison.own_vnet:     # a vnet's variable: its own stack's
            proc.vnet.sysctl[name] = int(value)
        else:
            raise OSErr(EPERM)
    except OSErr as exc:
        proc.warnx(f"{name}={value}: {exc.strerror}")
        return 1
    if "q" not in flags:
        proc.write(value + "\n" if "n" in flags else f"{name}: {old} -> {value}\n")
    return 0
