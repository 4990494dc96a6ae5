"""The boot scripts, modelled: /etc/rc and /etc/rc.shutdown as a jail runs
them, and the /etc/rc.subr functions jail(8) calls to mount devfs.

FreeBSD's rc(8) runs the rc.d scripts rcorder(8) sorts; the model keeps
what a howto can see: in a VNET jail, lo0 and the ifconfig_IF lines of
rc.conf, the defaultrouter and gateway_enable, then the firewalls and
daemons rc.conf enables (jailkit.sim.rcd), whose processes keep a jail
without persist alive."""

from __future__ import annotations

import datetime

from .. import daemons, rcd
from ..errno import OSErr
from ..proc import Proc, program, sourced
from ..sh.shell import Shell
from .misc import EPOCH

YES = rcd.YES
NO = {"no", "false", "off", "0"}


def rc_variables(proc: Proc, files: tuple[str, ...] = ("/etc/rc.conf",)) -> dict[str, str]:
    """The rc.conf variables: /etc/defaults/rc.conf, then ``files``."""
    shell = Shell(proc.child(), name="rc")
    _source(shell, ("/etc/defaults/rc.conf",) + files)
    return shell.vars


def _load_rc_config(shell: Shell, args: list[str]) -> int:
    return _source(shell, ("/etc/defaults/rc.conf", "/etc/rc.conf"))


def _source(shell: Shell, files: tuple[str, ...]) -> int:
    vfs = shell.proc.kernel.vfs
    for path in files:
        try:
            node = vfs.lookup(path, **shell.proc.where())
        except OSErr:
            continue
        shell.proc.machine.source_file(shell, path, node)
    return 0


def _checkyesno(shell: Shell, args: list[str]) -> int:
    name = args[0] if args else ""
    value = shell.vars.get(name, "").lower()
    if value in YES:
        return 0
    if value not in NO:
        shell.proc.error(f"/etc/rc: WARNING: ${name} is not set properly - see rc.conf(5).\n")
    return 1


def _devfs_mount_jail(shell: Shell, args: list[str]) -> int:
    """rc.subr devfs_mount_jail DIR [RULESET]: mount devfs on DIR and apply
    the ruleset (devfsrules_jail unless another is named)."""
    if not args:
        shell.proc.error("/etc/rc: WARNING: devfs_mount_jail: you must specify a mount-point\n")
        return 1
    directory = args[0]
    ruleset = args[1] if len(args) > 1 else "devfsrules_jail"
    names = getattr(shell.proc.kernel.devfs, "names", {})
    number = ruleset if ruleset.isdigit() else str(names.get(ruleset, ""))
    proc = shell.proc
    if proc.execvp(["mount", "-t", "devfs", "dev", directory]) != 0:
        proc.error(f"/etc/rc: WARNING: devfs_mount_jail: devfs was not mounted on {directory}\n")
        return 1
    if not number or proc.execvp(["devfs", "-m", directory, "ruleset", number]) != 0:
        proc.error(f"/etc/rc: WARNING: devfs_mount_jail: unable to set ruleset {ruleset} "
                   f"to {directory}\n")
        proc.execvp(["umount", directory])
        return 1
    proc.execvp(["devfs", "-m", directory, "rule", "applyset"])
    return 0


@sourced("rc.subr")
def rc_subr(shell: Shell) -> int:
    shell.functions.update({"load_rc_config": _load_rc_config, "checkyesno": _checkyesno,
                            "devfs_mount_jail": _devfs_mount_jail})
    return 0


@program("rc")
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
    now = EPOCH + datetime.timedelta(seconds=proc.kernel.clock)
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
        proc.vnet.sysctl["net.inet.ip.forwarding"] = 1


@program("rc.shutdown")
def rc_shutdown(proc: Proc, argv: list[str]) -> int:
    for name in reversed(rcd.BOOT_ORDER):
        script = rcd.SCRIPTS[name]
        process = daemons.running(proc, script.daemon) if script.daemon else None
        if process is not None:
            proc.write(f"Stopping {script.daemon}.\n")
            daemons.stop(proc, process)
            proc.write(f"Waiting for PIDS: {process.pid}.\n")
    return 0
