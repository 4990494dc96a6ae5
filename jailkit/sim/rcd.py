"""The rc.d scripts the howtos touch, modelled with rc.subr's behaviour and
messages (libexec/rc/rc.subr run_rc_command): the knob that enables a
script (sshd_enable ...), "Starting sshd.", "Cannot 'start' sshd. Set
sshd_enable to YES ...", "sshd is running as pid N.", the one* verbs that
ignore the knob. Firewall scripts run the real commands (ipfw, pfctl, ipf,
ipnat), so their output is theirs; rc.d/ipfw, pf and ipfilter carry the
nojailvnet keyword: they run in VNET jails, not in other jails.

Scripts, in the order rcorder(8) gives them at boot: netif and routing are
part of rc itself (commands/rc.py); then ipfw, pf, ipfilter, ipnat, natd,
syslogd, sshd, cron; jail comes last on the host."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import daemons
from .proc import Buffer, Proc, Sink
from .rcconf import YES


@dataclass
class Context:
    """What a script's start or stop sees: the process, rc.conf, its verb."""

    proc: Proc
    rcvars: dict[str, str]
    verb: str                 # start, stop, status (after one/force prefixes)
    script: str               # the rc.d script's name

    def var(self, name: str, default: str = "") -> str:
        return self.rcvars.get(name, default)

    def yes(self, name: str) -> bool:
        return self.var(name).lower() in YES

    def say(self, text: str) -> None:
        self.proc.write(text + "\n")

    def warn(self, text: str) -> None:
        self.proc.error(f"/etc/rc.d/{self.script}: WARNING: {text}\n")

    def run(self, *argv: str, quiet: bool = False) -> int:
        if quiet:
            return self.proc.execvp(list(argv), stdout=Sink(), stderr=Sink())
        return self.proc.execvp(list(argv))


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
    ctx.run("ipfw", "-q", "enable", "firewall")
    return 0


def _ipfw_stop(ctx: Context) -> int:
    return ctx.run("ipfw", "-q", "disable", "firewall")


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
    if not _load_kld(ctx, "ipdivert"):
        return 1
    interface = ctx.var("natd_interface")
    argv = ["natd"] + ctx.var("natd_flags").split() + (["-n", interface] if interface else [])
    ctx.say("Starting natd.")
    return ctx.run(*argv)


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


# -- jail -------------------------------------------------------------------------------

def _jail_start(ctx: Context, names: list[str]) -> int:
    """rc.d/jail jail_start: each jail of the list (jail_list, else all of
    jail.conf) made with `jail -i -f CONF -c NAME`, its output kept aside
    and shown only when it fails, after ' cannot start jail  "NAME": '
    (echo's two words); the start ends with "." and status 0 whatever
    happened, as echo is the function's last command."""
    names = names or ctx.var("jail_list").split()
    ctx.proc.write("Starting jails:")
    flags = ctx.var("jail_flags").split()
    if not names:
        out, code = _jail_run(ctx, [*flags, "-f", ctx.var("jail_conf", "/etc/jail.conf"),
                                    "-c", "-p1"])
        if code == 0:
            for jid, name in _jails(ctx):
                ctx.proc.write(f" {name}")
                _jail_id_file(ctx, name, f"{jid}\n")
        else:
            ctx.proc.write(out)
        ctx.say(".")
        return 0
    for name in [n.replace("/", "_").replace(".", "_") for n in names]:
        conf = _jail_conf(ctx, name)
        if conf is None:
            continue
        out, code = _jail_run(ctx, [*flags, "-i", "-f", conf, "-c", name])
        if code == 0:
            ctx.proc.write(f" {name}")
            _jail_id_file(ctx, name, "".join(f"{jid}\n" for jid, n in _jails(ctx) if n == name))
        else:
            ctx.proc.write(f' cannot start jail  "{name}": \n{out}')
    ctx.say(".")
    return 0


def _jail_stop(ctx: Context, names: list[str]) -> int:
    """rc.d/jail jail_stop: each running jail of the list (or every running
    jail), named before `jail -q -f CONF -r NAME` runs; its output shown
    only when the jail is still there afterwards."""
    names = names or ctx.var("jail_list").split()
    ctx.proc.write("Stopping jails:")
    if not names:
        running = [name for _, name in _jails(ctx)]
        if ctx.yes("jail_reverse_stop"):
            running.reverse()
        for name in running:
            ctx.proc.write(f" {name}")
            out, _ = _jail_run(ctx, [*ctx.var("jail_flags").split(), "-f",
                                     ctx.var("jail_conf", "/etc/jail.conf"), "-r", name])
            _jail_stopped(ctx, name, out)
        ctx.say(".")
        return 0
    names = [n.replace("/", "_").replace(".", "_") for n in names]
    for name in reversed(names) if ctx.yes("jail_reverse_stop") else names:
        conf = _jail_conf(ctx, name)
        if conf is None or name not in [n for _, n in _jails(ctx)]:
            continue
        ctx.proc.write(f" {name}")
        out, _ = _jail_run(ctx, ["-q", "-f", conf, "-r", name])
        _jail_stopped(ctx, name, out)
    ctx.say(".")
    return 0


def _jail_conf(ctx: Context, name: str) -> str | None:
    """parse_options for a jail.conf jail: /etc/jail.NAME.conf, else
    /etc/jail.conf.d/NAME.conf, else jail_conf, whichever is readable."""
    vfs = ctx.proc.kernel.vfs
    for conf in (f"/etc/jail.{name}.conf", f"/etc/jail.conf.d/{name}.conf",
                 ctx.var("jail_conf", "/etc/jail.conf")):
        if vfs.exists(conf, **ctx.proc.where()):
            return conf
    ctx.warn(f"Invalid configuration for {name} (no jail.conf, no hostname, or no path).  "
             f"Jail {name} was ignored.")
    return None


def _jail_run(ctx: Context, args: list[str]) -> tuple[str, int]:
    """jail(8) with its standard output and error in one temporary file."""
    out = Buffer()
    code = ctx.proc.execvp(["/usr/sbin/jail", *args], stdout=out, stderr=out)
    return out.getvalue(), code


def _jails(ctx: Context) -> list[tuple[str, str]]:
    """(jid, name) of the running jails, as `jls jid name` lists them."""
    out = Buffer()
    ctx.proc.execvp(["/usr/sbin/jls", "jid", "name"], stdout=out, stderr=Sink())
    return [(line.split()[0], line.split()[1]) for line in out.getvalue().splitlines()
            if len(line.split()) == 2]


def _jail_id_file(ctx: Context, name: str, text: str) -> None:
    ctx.proc.kernel.vfs.write(f"/var/run/jail_{name}.id", text, **ctx.proc.where())


def _jail_stopped(ctx: Context, name: str, out: str) -> None:
    if name in [n for _, n in _jails(ctx)]:
        ctx.proc.write(out)
    else:
        ctx.proc.execvp(["/bin/rm", "-f", f"/var/run/jail_{name}.id"], stdout=Sink(), stderr=Sink())


SCRIPTS = {script.name: script for script in [
    Script("ipfw", "firewall_enable", jails="vnet", start=_ipfw_start, stop=_ipfw_stop),
    Script("pf", "pf_enable", jails="vnet", start=_pf_start, stop=_pf_stop, status=_pf_status),
    Script("ipfilter", "ipfilter_enable", jails="vnet", start=_ipfilter_start, stop=_ipfilter_stop),
    Script("ipnat", "ipnat_enable", jails="vnet", start=_ipnat_start),
    Script("natd", "natd_enable", jails="vnet", start=_natd_start),
    Script("ipmon", "ipmon_enable", daemon="ipmon", jails="host", precmd=_ipmon_precmd),
    Script("syslogd", "syslogd_enable", daemon="syslogd"),
    Script("inetd", "inetd_enable", daemon="inetd"),
    Script("sshd", "sshd_enable", daemon="sshd"),
    Script("cron", "cron_enable", daemon="cron"),
    Script("jail", "jail_enable", jails="host"),
]}
BOOT_ORDER = ["ipfw", "pf", "ipfilter", "ipnat", "ipmon", "natd", "syslogd", "inetd", "sshd", "cron"]


def run_rc_command(proc: Proc, rcvars: dict[str, str], name: str, verb: str,
                   args: list[str] | None = None) -> int:
    """rc.subr run_rc_command for script ``name`` and ``verb``."""
    script = SCRIPTS[name]
    forced = verb.startswith(("one", "force", "quiet"))
    base = verb.removeprefix("one").removeprefix("force").removeprefix("quiet")
    ctx = Context(proc, rcvars, base, name)
    if base == "rcvar":
        proc.write(f"# {name}\n#\n{script.rcvar}=\"{rcvars.get(script.rcvar, 'NO')}\"\n")
        return 0
    if base == "enabled":
        return 0 if ctx.yes(script.rcvar) else 1
    if base not in ("start", "stop", "status", "restart"):
        proc.error(f"/etc/rc.d/{name}: unknown directive '{verb}'.\n"
                   f"Usage: /etc/rc.d/{name} [fast|force|one|quiet](start|stop|restart|rcvar|"
                   "enable|disable|delete|enabled|describe|extracommands|status|poll)\n")
        return 1
    if not forced and script.rcvar and not ctx.yes(script.rcvar):
        proc.error(f"Cannot '{base}' {name}. Set {script.rcvar} to YES in /etc/rc.conf or use "
                   f"'one{base}' instead of '{base}'.\n")
        return 1
    if base == "restart":
        stop = run_rc_command(proc, rcvars, name, "onestop" if forced else "stop", args)
        if stop and script.daemon is not None and daemons.running(proc, script.daemon) is not None:
            return stop
        return run_rc_command(proc, rcvars, name, "onestart" if forced else "start", args)
    if script.daemon is not None:
        return _daemon(ctx, script.daemon, base, script.precmd)
    if name == "jail":
        return (_jail_start if base == "start" else _jail_stop)(ctx, args or []) if base != "status" else 0
    action = {"start": script.start, "stop": script.stop, "status": script.status}[base]
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
