"""The boot scripts, modelled: /etc/rc and /etc/rc.shutdown, the host's and
a jail's (rc.conf and rc.subr are jailkit.sim.rcconf, network.subr is
jailkit.sim.netif).

libexec/rc/rc sets its own environment first (HOME=/,
PATH=/sbin:/bin:/usr/sbin:/usr/bin), so it runs the same whatever started
it: init at boot, or jail(8) with exec.clean. Then it runs the rc.d scripts
rcorder(8) sorts, skipping the nojail ones in a jail and the nojailvnet ones
(netif, routing, the firewalls) in a jail without a vnet of its own; each
runs when rc.conf enables it (jailkit.sim.rcd.BOOT_ORDER). A variable no
script reads (the guide's jail2_enable) does nothing. /etc/rc.shutdown runs
the scripts with the shutdown keyword in reverse order: the daemons, and on
the host rc.d/jail, which stops the jails when jail_enable is YES.

The shell scripts of $local_startup (/usr/local/etc/rc.d) run where
rcorder puts them (jailkit.sim.rcd.boot_scripts), each as run_rc_script
runs it: read with "." into a subshell of rc, $0 still /etc/rc, with the
verb faststart at boot (rc autoboot) and quietstart otherwise."""

from __future__ import annotations

import shlex

from .. import daemons, rcd
from ..proc import Proc, program
from ..rcconf import YES, rc_variables

RC_PATH = "/sbin:/bin:/usr/sbin:/usr/bin"     # libexec/rc/rc and rc.shutdown


@program("/etc/rc", kind="script")
def rc(proc: Proc, argv: list[str]) -> int:
    proc = _rc_environment(proc)
    variables = rc_variables(proc)
    verb = "faststart" if argv[1:2] == ["autoboot"] else "quietstart"
    early, late = rcd.boot_scripts(proc, variables)
    for path in early:
        _local_script(proc, path, verb)
    for name in ["netif", "routing"]:
        _boot_script(proc, variables, name)
    proc.write("Creating and/or trimming log files.\n")     # rc.d/newsyslog
    for name in rcd.BOOT_ORDER:
        _boot_script(proc, variables, name)
    for path in late:
        _local_script(proc, path, verb)
    _boot_script(proc, variables, "jail")
    now = proc.kernel.now()
    proc.write("\n" + now.strftime("%a %b %d %H:%M:%S UTC %Y") + "\n")
    return 0


def _rc_environment(proc: Proc) -> Proc:
    """rc's first lines: HOME=/ PATH=/sbin:/bin:/usr/sbin:/usr/bin; export HOME PATH."""
    return proc.child(env={**proc.env, "HOME": "/", "PATH": RC_PATH})


def _boot_script(proc: Proc, variables: dict[str, str], name: str) -> None:
    """run_rc_script NAME start, for a script allowed here and enabled."""
    script = rcd.SCRIPTS[name]
    if not rcd.allowed_in(proc, name):
        return
    if script.rcvar and variables.get(script.rcvar, "NO").lower() not in YES:
        return
    rcd.run_rc_command(proc, variables, name, "start")


def _local_script(proc: Proc, path: str, verb: str) -> None:
    """run_rc_script FILE VERB: ( set VERB; . FILE ), with $0 /etc/rc."""
    proc.execvp(["/bin/sh", "-c", f"set -- {verb}; . {shlex.quote(path)}", "/etc/rc"])


@program("/etc/rc.shutdown", kind="script")
def rc_shutdown(proc: Proc, argv: list[str]) -> int:
    proc = _rc_environment(proc)
    if proc.prison.is_host:
        # rc.d/jail faststop: quiet, and only with jail_enable=YES
        variables = rc_variables(proc)
        if variables.get("jail_enable", "NO").lower() in YES:
            rcd.run_rc_command(proc, variables, "jail", "stop")
    for name in reversed(rcd.BOOT_ORDER):
        script = rcd.SCRIPTS[name]
        process = daemons.running(proc, script.daemon) if script.daemon else None
        if process is not None:
            proc.write(f"Stopping {script.daemon}.\n")
            daemons.stop(proc, process)
            proc.write(f"Waiting for PIDS: {process.pid}.\n")
    return 0
