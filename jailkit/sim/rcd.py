"""The rc.d scripts the howtos touch, modelled with rc.subr's behaviour and
messages (libexec/rc/rc.subr run_rc_command): the knob that enables a
script (sshd_enable ...), "Starting sshd.", "Cannot 'start' sshd. Set
sshd_enable to YES ...", "sshd is running as pid N.", the one* verbs that
ignore the knob. Firewall scripts run the real commands (ipfw, pfctl, ipf,
ipnat), so their output is theirs; rc.d/ipfw, pf and ipfilter carry the
nojailvnet keyword: they run in VNET jails, not in other jails.

Scripts, in the order rcorder(8) gives them at boot: netif and routing
(network.subr, jailkit.sim.netif), then ipfw, pf, ipfilter, ipnat, natd,
syslogd, sshd, cron; jail comes last on the host.

A script's knob off, run_rc_command says "Cannot 'start' sshd. Set ..." on
standard output and exits 0 (rc.subr: echo, then return 0).

The scripts a user installs in $local_startup (/usr/local/etc/rc.d) are
shell scripts run by the sim's sh with rc.subr (jailkit.sim.rcconf):
service(8) runs them when executable, rc(8) when they also carry a
"# PROVIDE:" line (rc.subr find_local_scripts_new), in rcorder(8)'s order
as far as the base scripts go: one that must come BEFORE netif (or
routing) runs first, any other after the base system's daemons."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Callable

from . import daemons
from .netif import Netif, Routing
from .errno import OSErr
from .proc import Buffer, Proc, Sink
from .rcconf import YES, run_command
from .vfs import File


@dataclass
class Context:
    """What a script's start or stop sees: the process, rc.conf, its verb."""

    proc: Proc
    rcvars: dict[str, str]
    verb: str                 # start, stop, status (after one/force prefixes)
    script: str               # the rc.d script's name
    args: list[str]           # what follows the verb (service netif start em0)

    def var(self, name: str, default: str = "") -> str:
        return self.rcvars.get(name, default)

    def yes(self, name: str) -> bool:
        return self.var(name).lower() in YES

    def say(self, text: str) -> None:
        self.proc.write(text + "\n")

    def warn(self, text: str) -> None:
        self.proc.error(f"/etc/rc.d/{self.script}: WARNING: {text}\n")

    def run(self, *argv: str, quiet: bool = False) -> int:
        """One command of the script; sh's "not found" (127) when it is not there."""
        return run_command(self.proc, self.script, list(argv), quiet)


@dataclass
class Script:
    name: str
    rcvar: str                                # the knob that enables it (sshd_enable)
    daemon: str | None = None                 # a daemon run_rc_command manages itself
    jails: str = "all"                        # "all", "vnet" (nojailvnet), "host" (nojail)
    start: Callable[[Context], int] | None = None
    stop: Callable[[Context], int] | None = None
    status: Callable[[Context], int] | None = None
    precmd: Callable[[Context], int] | None = None   # start_precmd: non-zero stops the start
    extra: dict[str, Callable[[Context], int]] | None = None   # extra_commands


def _load_kld(ctx: Context, module: str) -> bool:
    """rc.subr load_kld: fine when loaded, else kldload (not in a jail)."""
    if module in ctx.proc.kernel.modules:
        return True
    if not ctx.proc.prison.is_host or ctx.run("kldload", module, quiet=True) != 0:
        ctx.warn(f"Unable to load kernel module {module}")
        return False
    return True


# -- ipfw ---------------------------------------------------------------------------

def _ipfw_start(ctx: Context) -> int:
    modules = ["ipfw"] + (["ipdivert"] if ctx.yes("natd_enable") else []) + (
        ["ipfw_nat"] if ctx.yes("firewall_nat_enable") else [])
    if not all(_load_kld(ctx, m) for m in modules):
        return 1
    script = ctx.var("firewall_script") or "/etc/rc.firewall"
    if ctx.proc.kernel.vfs.exists(script, **ctx.proc.where()):
        ctx.run("/bin/sh", script, ctx.var("firewall_type", "UNKNOWN"))
        ctx.say("Firewall rules loaded.")
    if ctx.yes("firewall_logging"):
        ctx.say("Firewall logging enabled.")
    _firewall_coscripts(ctx, "start")
    ctx.run("ipfw", "-q", "enable", "firewall")
    return 0


def _ipfw_stop(ctx: Context) -> int:
    status = ctx.run("ipfw", "-q", "disable", "firewall")
    _firewall_coscripts(ctx, "stop")
    return status


# -- pf -------------------------------------------------------------------------------

def _pf_start(ctx: Context) -> int:
    rules = ctx.var("pf_rules", "/etc/pf.conf")
    if not ctx.proc.kernel.vfs.exists(rules, **ctx.proc.where()):
        ctx.warn(f"{rules} is not readable.")
        return 1
    if not _load_kld(ctx, "pf"):
        return 1
    ctx.proc.write("Enabling pf")
    ctx.run("pfctl", "-F", "all", quiet=True)
    ctx.run("pfctl", "-f", rules, *ctx.var("pf_flags").split())
    pf = ctx.proc.kernel.firewall(ctx.proc.vnet, "pf")
    if pf is not None and not pf.enabled:
        ctx.run("pfctl", "-eq")
    ctx.say(".")
    return 0


def _pf_stop(ctx: Context) -> int:
    pf = ctx.proc.kernel.firewall(ctx.proc.vnet, "pf")
    if pf is not None and pf.enabled:
        ctx.proc.write("Disabling pf")
        ctx.run("pfctl", "-dq")
        ctx.say(".")
    return 0


def _pf_status(ctx: Context) -> int:
    return ctx.run("pfctl", "-s", "info")


# -- ipfilter ------------------------------------------------------------------------

def _ipfilter_start(ctx: Context) -> int:
    rules = ctx.var("ipfilter_rules", "/etc/ipf.rules")
    if not ctx.proc.kernel.vfs.exists(rules, **ctx.proc.where()):
        ctx.warn("IP-filter: NO IPF RULES")
        return 1
    if not _load_kld(ctx, "ipl"):
        return 1
    ctx.say("Enabling ipfilter.")
    ipf = ctx.proc.kernel.firewall(ctx.proc.vnet, "ipf")
    if ipf is not None and not ipf.enabled:
        ctx.run("ipf", "-E")
    ctx.run("ipf", "-Fa")
    return ctx.run("ipf", "-f", rules, *ctx.var("ipfilter_flags").split())


def _ipfilter_stop(ctx: Context) -> int:
    ctx.say("Disabling ipfilter.")
    return ctx.run("ipf", "-D")


def _ipnat_start(ctx: Context) -> int:
    rules = ctx.var("ipnat_rules", "/etc/ipnat.rules")
    if not ctx.proc.kernel.vfs.exists(rules, **ctx.proc.where()):
        ctx.warn("NO IPNAT RULES")
        return 1
    if not _load_kld(ctx, "ipl"):
        return 1
    ctx.say("Installing NAT rules.")
    return ctx.run("ipnat", "-CF", "-f", rules)


def _natd_start(ctx: Context) -> int:
    """rc.d/natd start through rc.subr: refused while its pid file names a
    running natd, ipdivert loaded (required_modules), natd_precmd's flags
    after natd_flags, then /sbin/natd, whose errors are its own."""
    process = daemons.running(ctx.proc, "natd")
    if process is not None:
        ctx.proc.error(f"natd already running?  (pid={process.pid}).\n")
        return 1
    if not _load_kld(ctx, "ipdivert"):
        return 1
    ctx.say("Starting natd.")
    return ctx.run("/sbin/natd", *ctx.var("natd_flags").split(), *_natd_precmd(ctx))


def _natd_precmd(ctx: Context) -> list[str]:
    """natd_precmd: natd_interface is an address (-a) when it is all digits
    and dots, else an interface (-n)."""
    interface = ctx.var("natd_interface")
    if not interface:
        return []
    numeric = all(part.isdigit() for part in interface.split(".")) and interface.count(".") <= 3
    return ["-a" if numeric else "-n", interface]


def _natd_stop(ctx: Context) -> int:
    process = daemons.running(ctx.proc, "natd")
    if process is None:
        ctx.proc.error("natd not running? (check /var/run/natd.pid).\n")
        return 1
    ctx.say("Stopping natd.")
    daemons.stop(ctx.proc, process)
    ctx.say(f"Waiting for PIDS: {process.pid}.")
    return 0


def _natd_status(ctx: Context) -> int:
    process = daemons.running(ctx.proc, "natd")
    if process is None:
        ctx.say("natd is not running.")
        return 1
    ctx.say(f"natd is running as pid {process.pid}.")
    return 0


def _firewall_coscripts(ctx: Context, verb: str) -> None:
    """rc.d/ipfw's firewall_coscripts, /etc/rc.d/natd first: ipfw_poststart
    runs "natd quietstart", ipfw_stop "natd quietstop" (rc.subr's quiet
    start does nothing while natd_enable is off; a quiet stop stops a
    running natd whatever the knob says)."""
    running = daemons.running(ctx.proc, "natd") is not None
    if ctx.yes("natd_enable") or (verb == "stop" and running):
        run_rc_command(ctx.proc, ctx.rcvars, "natd", "quiet" + verb)


def _ipmon_precmd(ctx: Context) -> int:
    """rc.d/ipmon ipmon_precmd: rc.subr's err() when neither ipfilter nor
    ipnat is enabled, or when ipf -V does not say "Running: yes"."""
    if not ctx.yes("ipfilter_enable") and not ctx.yes("ipnat_enable"):
        ctx.proc.error("/etc/rc.d/ipmon: ERROR: ipmon requires either ipfilter or ipnat enabled\n")
        return 1
    ipf = ctx.proc.kernel.firewall(ctx.proc.vnet, "ipf")
    if ipf is None or not ipf.enabled:
        ctx.proc.error("/etc/rc.d/ipmon: ERROR: ipfilter module is not loaded\n")
        return 1
    return 0


# -- netif, routing --------------------------------------------------------------------

def _netif_start(ctx: Context) -> int:
    return Netif(ctx.proc, ctx.rcvars).start(ctx.args)


def _netif_stop(ctx: Context) -> int:
    return Netif(ctx.proc, ctx.rcvars).stop(ctx.args)


def _netif_clear(ctx: Context) -> int:
    """netif clear: stop without destroying the cloned interfaces."""
    return Netif(ctx.proc, ctx.rcvars).stop(ctx.args, clones=False)


def _netif_cloneup(ctx: Context) -> int:
    Netif(ctx.proc, ctx.rcvars).clone_up(ctx.args)
    return 0


def _netif_clonedown(ctx: Context) -> int:
    Netif(ctx.proc, ctx.rcvars).clone_down(ctx.args)
    return 0


def _routing_start(ctx: Context) -> int:
    return Routing(ctx.proc, ctx.rcvars).start(ctx.args)


def _routing_stop(ctx: Context) -> int:
    return Routing(ctx.proc, ctx.rcvars).stop(ctx.args)


# -- jail -------------------------------------------------------------------------------

JAIL = "/usr/sbin/jail"      # rc.d/jail's jail_program
JLS = "/usr/sbin/jls"        # and jail_jls

def _jail_conf(ctx: Context, name: str) -> str:
    """rc.d/jail parse_options: /etc/jail.NAME.conf, else
    /etc/jail.conf.d/NAME.conf, else $jail_conf."""
    for path in (f"/etc/jail.{name}.conf", f"/etc/jail.conf.d/{name}.conf"):
        if ctx.proc.kernel.vfs.exists(path, **ctx.proc.where()):
            return path
    return ctx.var("jail_conf", "/etc/jail.conf")


def _jail_running(ctx: Context, name: str) -> bool:
    return ctx.run(JLS, "-j", name, quiet=True) == 0


def _jail_names(ctx: Context) -> list[str]:
    """The arguments, else $jail_list, else _ALL (rc.d/jail's last lines)."""
    return ctx.args or ctx.var("jail_list").split() or ["_ALL"]


def _jail_start(ctx: Context) -> int:
    names = _jail_names(ctx)
    ctx.proc.write("Starting jails:")
    if names == ["_ALL"]:
        # jail -f $jail_conf -c -p1: every jail of jail.conf, one at a time
        # (the sim's jail(8) has no -p: it starts them one at a time anyway)
        err = Buffer()
        if ctx.proc.execvp([JAIL, "-f", ctx.var("jail_conf", "/etc/jail.conf"), "-c"],
                           stdout=err, stderr=err) == 0:
            out = Buffer()
            ctx.proc.execvp([JLS, "name"], stdout=out, stderr=Sink())
            for name in out.getvalue().split():
                ctx.proc.write(f" {name}")
        else:
            ctx.proc.write(err.getvalue())
        ctx.say(".")
        return 0
    for name in names:
        err = Buffer()
        if ctx.proc.execvp([JAIL, "-i", "-f", _jail_conf(ctx, name), "-c", name],
                           stdout=err, stderr=err) == 0:
            ctx.proc.write(f" {name}")
        else:
            ctx.proc.write(f' cannot start jail  "{name}": \n{err.getvalue()}')
    ctx.say(".")
    return 0


def _jail_stop(ctx: Context) -> int:
    names = _jail_names(ctx)
    ctx.proc.write("Stopping jails:")
    if names == ["_ALL"]:
        out = Buffer()
        ctx.proc.execvp([JLS, "name"], stdout=out, stderr=Sink())
        names = out.getvalue().split()
        conf = ctx.var("jail_conf", "/etc/jail.conf")
        for name in names:
            ctx.proc.write(f" {name}")
            _jail_remove(ctx, [JAIL, "-f", conf, "-r", name], name)
        ctx.say(".")
        return 0
    for name in names:
        if not _jail_running(ctx, name):
            continue
        ctx.proc.write(f" {name}")
        _jail_remove(ctx, [JAIL, "-q", "-f", _jail_conf(ctx, name), "-r", name], name)
    ctx.say(".")
    return 0


def _jail_remove(ctx: Context, argv: list[str], name: str) -> None:
    """jail -r, its output shown only when the jail is still there."""
    err = Buffer()
    ctx.proc.execvp(argv, stdout=err, stderr=err)
    if _jail_running(ctx, name):
        ctx.proc.write(err.getvalue())


def _jail_status(ctx: Context) -> int:
    return ctx.run(JLS, "-N")


SCRIPTS = {script.name: script for script in [
    Script("netif", "netif_enable", jails="vnet", start=_netif_start, stop=_netif_stop,
           extra={"cloneup": _netif_cloneup, "clonedown": _netif_clonedown, "clear": _netif_clear}),
    Script("routing", "", jails="vnet", start=_routing_start, stop=_routing_stop),
    Script("ipfw", "firewall_enable", jails="vnet", start=_ipfw_start, stop=_ipfw_stop),
    Script("pf", "pf_enable", jails="vnet", start=_pf_start, stop=_pf_stop, status=_pf_status),
    Script("ipfilter", "ipfilter_enable", jails="vnet", start=_ipfilter_start, stop=_ipfilter_stop),
    Script("ipnat", "ipnat_enable", jails="vnet", start=_ipnat_start),
    Script("natd", "natd_enable", jails="vnet", start=_natd_start, stop=_natd_stop,
           status=_natd_status),
    Script("ipmon", "ipmon_enable", daemon="ipmon", jails="host", precmd=_ipmon_precmd),
    Script("syslogd", "syslogd_enable", daemon="syslogd"),
    Script("inetd", "inetd_enable", daemon="inetd"),
    Script("sshd", "sshd_enable", daemon="sshd"),
    Script("cron", "cron_enable", daemon="cron"),
    Script("jail", "jail_enable", jails="host", start=_jail_start, stop=_jail_stop,
           status=_jail_status),
]}
# rc.d/natd has the nostart keyword: rc.d/ipfw starts it (firewall_coscripts)
BOOT_ORDER = ["ipfw", "pf", "ipfilter", "ipnat", "ipmon", "syslogd", "inetd", "sshd", "cron"]


def run_rc_command(proc: Proc, rcvars: dict[str, str], name: str, verb: str,
                   args: list[str] | None = None) -> int:
    """rc.subr run_rc_command for script ``name`` and ``verb``."""
    script = SCRIPTS[name]
    forced = verb.startswith(("one", "force", "quiet"))
    base = verb.removeprefix("one").removeprefix("force").removeprefix("quiet")
    ctx = Context(proc, rcvars, base, name, list(args or []))
    if base == "rcvar":
        proc.write(f"# {name}\n#\n{script.rcvar}=\"{rcvars.get(script.rcvar, 'NO')}\"\n")
        return 0
    if base == "enabled":
        return 0 if ctx.yes(script.rcvar) else 1
    extra = script.extra or {}
    if base not in ("start", "stop", "status", "restart") and base not in extra:
        proc.error(f"/etc/rc.d/{name}: unknown directive '{verb}'.\n"
                   f"Usage: /etc/rc.d/{name} [fast|force|one|quiet](start|stop|restart|rcvar|"
                   "enable|disable|delete|enabled|describe|extracommands|status|poll"
                   + "".join(f"|{e}" for e in extra) + ")\n")
        return 1
    running = script.daemon is not None and daemons.running(proc, script.daemon) is not None
    if not forced and script.rcvar and not ctx.yes(script.rcvar) and not (base == "stop" and running):
        # rc.subr: echo the advice, then return 0
        proc.write(f"Cannot '{base}' {name}. Set {script.rcvar} to YES in /etc/rc.conf or use "
                   f"'one{base}' instead of '{base}'.\n")
        return 0
    if base == "restart":
        stop = run_rc_command(proc, rcvars, name, "onestop" if forced else "stop", args)
        if stop and script.daemon is not None and daemons.running(proc, script.daemon) is not None:
            return stop
        return run_rc_command(proc, rcvars, name, "onestart" if forced else "start", args)
    if script.daemon is not None:
        return _daemon(ctx, script.daemon, base, script.precmd)
    action = {"start": script.start, "stop": script.stop, "status": script.status, **extra}[base]
    return action(ctx) if action is not None else 0


def _daemon(ctx: Context, name: str, verb: str,
            precmd: Callable[[Context], int] | None = None) -> int:
    proc = ctx.proc
    process = daemons.running(proc, name)
    if verb == "status":
        if process is None:
            ctx.say(f"{name} is not running.")
            return 1
        ctx.say(f"{name} is running as pid {process.pid}.")
        return 0
    if verb == "start":
        if process is not None:
            proc.error(f"{name} already running?  (pid={process.pid}).\n")
            return 1
        if precmd is not None and precmd(ctx) != 0:
            return 1
        if name == "sshd":
            proc.write(daemons.ssh_keygen_all(proc))
        ctx.say(f"Starting {name}.")
        # rc.subr: a daemon that fails to start fails the script (_run_rc_doit)
        return 0 if daemons.start(proc, name, ctx.var(f"{name}_flags")) is not None else 1
    if process is None:
        proc.error(f"{name} not running? (check /var/run/{name}.pid).\n")
        return 1
    ctx.say(f"Stopping {name}.")
    daemons.stop(proc, process)
    ctx.say(f"Waiting for PIDS: {process.pid}.")
    return 0


def allowed_in(proc: Proc, name: str) -> bool:
    """The rc.d KEYWORDs nojail and nojailvnet."""
    script = SCRIPTS[name]
    prison = proc.prison
    if prison.is_host:
        return True
    if script.jails == "host":
        return False
    return script.jails == "all" or prison.own_vnet


# -- scripts in $local_startup ----------------------------------------------------------

LOCAL_STARTUP = "/usr/local/etc/rc.d"      # /etc/defaults/rc.conf's local_startup
# rcorder(8)'s header lines: "# PROVIDE: a b", "# REQUIRE: ...", "# BEFORE: ..."
HEADER = re.compile(r"^# (PROVIDE|REQUIRE|BEFORE|KEYWORD):(.*)$", re.MULTILINE)
EARLY = {"netif", "routing", "NETWORKING"}      # what runs before the base daemons


def local_dirs(rcvars: dict[str, str]) -> list[str]:
    return rcvars.get("local_startup", LOCAL_STARTUP).split()


def local_script(proc: Proc, rcvars: dict[str, str], name: str) -> str | None:
    """service.sh: the first executable NAME in a $local_startup directory."""
    for directory in local_dirs(rcvars):
        path = f"{directory}/{name}"
        node = _file(proc, path)
        if node is not None and node.mode & 0o111:
            return path
    return None


def local_listing(proc: Proc, rcvars: dict[str, str]) -> list[str]:
    """``ls -1`` of each $local_startup directory (service -l)."""
    names: list[str] = []
    for directory in local_dirs(rcvars):
        try:
            names += sorted(proc.kernel.vfs.listdir(directory, **proc.where()))
        except OSErr:
            continue
    return names


def boot_scripts(proc: Proc, rcvars: dict[str, str]) -> tuple[list[str], list[str]]:
    """find_local_scripts_new: executable files with a PROVIDE line (not
    *.sample or *.pkgsave), split into those rcorder puts before netif and
    the others."""
    early: list[str] = []
    late: list[str] = []
    for directory in local_dirs(rcvars):
        try:
            names = sorted(proc.kernel.vfs.listdir(directory, **proc.where()))
        except OSErr:
            continue
        for name in names:
            path = f"{directory}/{name}"
            node = _file(proc, path)
            if node is None or not node.mode & 0o111 or name.endswith((".sample", ".pkgsave")):
                continue
            header = headers(node.data)
            if "PROVIDE" not in header:
                continue
            (early if EARLY & set(header.get("BEFORE", [])) else late).append(path)
    return early, late


def headers(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, words in HEADER.findall(text):
        found.setdefault(key, []).extend(words.split())
    return found


def local_enabled(proc: Proc, path: str) -> bool:
    """service -e: the script's ^name= and ^rcvar lines evaluated as
    service.sh evaluates them, then checkyesno on the knob they name."""
    quoted = shlex.quote(path)
    script = (f"grep -q ^rcvar {quoted} || exit 1; eval $(grep ^name= {quoted}); "
              f"eval $(grep ^rcvar {quoted}); . /etc/rc.subr; load_rc_config $name; "
              "checkyesno $rcvar 2>/dev/null")
    return proc.execvp(["/bin/sh", "-c", script], stdout=Sink(), stderr=Sink()) == 0


def _file(proc: Proc, path: str) -> File | None:
    try:
        node = proc.kernel.vfs.lookup(path, **proc.where())
    except OSErr:
        return None
    return node if isinstance(node, File) else None
