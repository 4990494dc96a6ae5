"""The boot scripts, modelled: /etc/rc and /etc/rc.shutdown as a jail runs
them (rc.conf and rc.subr are jailkit.sim.rcconf).

FreeBSD's rc(8) runs the rc.d scripts rcorder(8) sorts; the model keeps
what a howto can see: in a VNET jail, lo0 and the ifconfig_IF lines of
rc.conf, the defaultrouter and gateway_enable, then the firewalls and
daemons rc.conf enables (jailkit.sim.rcd), whose processes keep a jail
without persist alive."""

from __future__ import annotations

from .. import daemons, rcd
from ..proc import Proc, program
from ..rcconf import YES, rc_variables


@program("/etc/rc", kind="script")
def rc(proc: Proc, argv: list[str]) -> int:
    prison = proc.prison
    if prison.is_host:
        return 0  # the host booted long ago
    variables = rc_variables(proc)
    if prison.own_vnet:
        _netif(proc, variables)
    proc.write("Creating and/or trimming log files.\n")
    for name in rcd.BOOT_ORDER:
        script = rcd.SCRIPTS[name]
        if rcd.allowed_in(proc, name) and variables.get(script.rcvar, "NO").lower() in YES:
            rcd.run_rc_command(proc, variables, name, "start")
    now = proc.kernel.now()
    proc.write("\n" + now.strftime("%a %b %d %H:%M:%S UTC %Y") + "\n")
    return 0


def _netif(proc: Proc, variables: dict[str, str]) -> None:
    """rc.d/netif and rc.d/routing inside a VNET jail."""
    lo = variables.get("ifconfig_lo0", "inet 127.0.0.1/8")
    proc.execvp(["ifconfig", "lo0"] + lo.split() + ["up"])
    for ifnet in list(proc.vnet.ifnets):
        setting = variables.get(f"ifconfig_{ifnet.name}")
        if setting and ifnet.name != "lo0" and setting.upper() not in ("DHCP", "SYNCDHCP"):
            proc.execvp(["ifconfig", ifnet.name] + setting.split())
    router = variables.get("defaultrouter", "NO")
    if router.upper() != "NO":
        proc.execvp(["route", "add", "default", router])
    if variables.get("gateway_enable", "NO").lower() in YES:
        proc.kernel.sysctl_set(proc.prison, "net.inet.ip.forwarding", "1")   # rc.d/routing


@program("/etc/rc.shutdown", kind="script")
def rc_shutdown(proc: Proc, argv: list[str]) -> int:
    for name in reversed(rcd.BOOT_ORDER):
        script = rcd.SCRIPTS[name]
        process = daemons.running(proc, script.daemon) if script.daemon else None
        if process is not None:
            proc.write(f"Stopping {script.daemon}.\n")
            daemons.stop(proc, process)
            proc.write(f"Waiting for PIDS: {process.pid}.\n")
    return 0
