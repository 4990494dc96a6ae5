"""service(8): run an rc.d script (usr.sbin/service/service.sh), here the
scripts jailkit.sim.rcd models and the shell scripts installed in
$local_startup (/usr/local/etc/rc.d); -j runs it inside a jail, -e lists
the enabled ones, -l all of them. The script runs as service.sh execs it: env -i HOME=/
PATH=/sbin:/bin:/usr/sbin:/usr/bin, whatever the caller's environment.
-v says where a script is found ("NAME is located in DIR") and heads each
directory of -l with "From DIR:". -r (every script of /etc/rc.d in
rcorder's boot order) and -R (restarting the enabled $local_startup
services) are refused as not modelled."""

from __future__ import annotations

from .. import rcd
from ..proc import Proc, program
from ..rcconf import rc_variables
from ...getopt import getopt, option_flags, option_values

SCRIPT_PATH = "/sbin:/bin:/usr/sbin:/usr/bin"
USAGE = ("usage: service [-j <jail name or id>] -e\n"
         "       service [-j <jail name or id>] -R\n"
         "       service [-j <jail name or id>] [-v] -l | -r\n"
         "       service [-j <jail name or id>] [-v] <rc.d script> start|stop|etc.\n"
         "       service -h\n")


@program("/usr/sbin/service")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "ehj:lrRv", USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    flags = option_flags(opts)
    values = option_values(opts)
    if "h" in flags:
        proc.error(USAGE)
        return 0
    if proc.refuses(flags & {"r", "R"}):
        return 1
    verbose = "v" in flags
    if "j" in flags:
        prison = proc.kernel.find_prison(values["j"], proc.prison)
        if prison is None:
            proc.error(f"jexec: jail \"{values['j']}\" not found\n")
            return 1
        proc = proc.child(prison=prison, cwd="/")
    if "e" in flags:
        variables = rc_variables(proc)
        early, late = rcd.boot_scripts(proc, variables)
        for path in early:
            _enabled(proc, path)
        for name in rcd.BOOT_ORDER + ["jail"]:
            script = rcd.SCRIPTS[name]
            if rcd.allowed_in(proc, name) and variables.get(script.rcvar, "NO").lower() in rcd.YES:
                proc.write(f"/etc/rc.d/{name}\n")
        for path in late:
            _enabled(proc, path)
        return 0
    if "l" in flags:
        _list(proc, verbose)
        return 0
    if len(args) < 2:
        proc.error(USAGE)
        return 1
    name, verb = args[0], args[1]
    local = None if name in rcd.SCRIPTS else rcd.local_script(proc, rc_variables(proc), name)
    if verbose and (local is not None or name in rcd.SCRIPTS):
        where = local.rsplit("/", 1)[0] if local is not None else "/etc/rc.d"
        proc.write(f"{name} is located in {where}\n")
    if local is not None:
        # service.sh: exec env -i HOME=/ PATH=... $dir/$script "$@"
        proc = proc.child(env={"HOME": "/", "PATH": SCRIPT_PATH})
        return proc.execvp([local, *args[1:]])
    if name not in rcd.SCRIPTS:
        proc.error(f"{name} does not exist in /etc/rc.d or the local startup\n"
                   "directories (/usr/local/etc/rc.d), or is not executable.\n")
        return 1
    if not rcd.allowed_in(proc, name):
        return 0      # rc.subr: scripts with the nojail keywords do nothing there
    proc = proc.child(env={"HOME": "/", "PATH": SCRIPT_PATH})
    return rcd.run_rc_command(proc, rc_variables(proc), name, verb, args[2:])


def _list(proc: Proc, verbose: bool) -> None:
    """service.sh -l: ls -1 of /etc/rc.d and of each $local_startup
    directory, each headed "From DIR:" under -v."""
    if verbose:
        proc.write("From /etc/rc.d:\n")
    for name in sorted(rcd.SCRIPTS):
        proc.write(f"{name}\n")
    variables = rc_variables(proc)
    if not verbose:
        for name in rcd.local_listing(proc, variables):
            proc.write(f"{name}\n")
        return
    for directory in rcd.local_dirs(variables):
        proc.write(f"From {directory}:\n")
        for name in rcd.local_listing(proc, {"local_startup": directory}):
            proc.write(f"{name}\n")


def _enabled(proc: Proc, path: str) -> None:
    if rcd.local_enabled(proc, path):
        proc.write(f"{path}\n")
