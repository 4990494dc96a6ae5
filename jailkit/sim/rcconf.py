"""rc.conf(5) as rc.subr(8) reads it, and the rc.subr functions scripts
call (libexec/rc/rc.subr): load_rc_config, checkyesno, load_kld, warn,
err, info, debug, run_rc_command and devfs_mount_jail (jail(8)'s
exec.prestart). rc.conf is sh: /etc/defaults/rc.conf, then /etc/rc.conf,
sourced into a shell whose variables are the settings.

run_rc_command serves the shell scripts a user installs in
/usr/local/etc/rc.d (name=, rcvar=, start_cmd= ...): its verbs and their
prefixes (fast, force, one, quiet), the rcvar check and its "Cannot
'start' NAME. Set NAME_enable to YES ..." advice, ${verb}_cmd with its
precmd and postcmd, and the default describe, extracommands, rcvar,
status, start, stop and restart. Not modelled: service jails (NAME_svcj),
NAME_user/chroot/nice/fib/cpuset/limits, enable/disable/delete (they go
through sysrc -s), and a default start or stop of a daemon by its pid
(the base system's daemons are jailkit.sim.rcd's); a script that needs
one is told so on standard error and the verb fails."""

from __future__ import annotations

import re

from .errno import OSErr
from .proc import Proc, Sink, sourced
from .sh.shell import BUILTINS, ExitShell, Shell
from .vfs import File

# checkyesno(8)'s words, either case (rc.subr checkyesno).
YES = {"yes", "true", "on", "1"}
NO = {"no", "false", "off", "0"}


def run_command(proc: Proc, script: str, argv: list[str], quiet: bool = False) -> int:
    """One command of rc.d script ``script``, as sh runs it there: its
    status, or sh's "not found" (127) when it is not there; ``quiet``:
    > /dev/null 2>&1."""
    out = Sink() if quiet else None
    try:
        return proc.execvp(argv, stdout=out, stderr=out)
    except OSErr:
        if not quiet:
            proc.error(f"/etc/rc.d/{script}: {argv[0]}: not found\n")
        return 127


# A line of an rc.conf that sets one variable to a literal (a double-quoted
# string with nothing to expand, or a bare word of plain characters),
# perhaps followed by a comment; and a line that is blank or a comment.
_ASSIGNMENT = re.compile(r'[ \t]*([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"$`\\]*)"|([A-Za-z0-9_./,:+-]*))'
                         r'(?:[ \t]+(?:#.*)?)?')
_NOTHING = re.compile(r'[ \t]*(?:#.*)?')
# The assignments of rc.conf texts made only of such lines, by text (None:
# not such a text). Bounded: texts that keep changing (sysrc) only start
# it again.
_PLAIN: dict[str, list[tuple[str, str]] | None] = {}
_BOUND = 64


def rc_variables(proc: Proc, files: tuple[str, ...] = ("/etc/rc.conf",)) -> dict[str, str]:
    """The rc.conf variables: /etc/defaults/rc.conf, then ``files``."""
    shell = Shell(proc.child(), name="rc")
    _source(shell, ("/etc/defaults/rc.conf",) + files)
    return shell.vars


def _assignments(text: str) -> list[tuple[str, str]] | None:
    if text in _PLAIN:
        return _PLAIN[text]
    assignments: list[tuple[str, str]] | None = []
    for line in text.split("\n"):
        match = _ASSIGNMENT.fullmatch(line)
        if match is not None and assignments is not None:
            assignments.append((match.group(1), match.group(2) if match.group(2) is not None
                                else match.group(3)))
        elif match is None and not _NOTHING.fullmatch(line):
            assignments = None
            break
    if len(_PLAIN) >= _BOUND:
        _PLAIN.clear()
    _PLAIN[text] = assignments
    return assignments


def _load_rc_config(shell: Shell, args: list[str]) -> int:
    """load_rc_config [NAME]: rc.conf once, then NAME's own files in
    /etc/rc.conf.d and /usr/local/etc/rc.conf.d."""
    if shell.vars.get("_rc_conf_loaded") != "true":
        _source(shell, ("/etc/defaults/rc.conf", "/etc/rc.conf"))
        shell.vars["_rc_conf_loaded"] = "true"
    name = args[0] if args else ""
    if name and "/" not in name:
        _source(shell, (f"/etc/rc.conf.d/{name}", f"/usr/local/etc/rc.conf.d/{name}"))
    return 0


def _source(shell: Shell, files: tuple[str, ...]) -> int:
    """Each of ``files`` that is there read into the shell as "." reads it
    (what is not a file is passed over). A file of plain assignments runs
    nothing and reads no variable: sourcing it sets its variables in
    order and nothing else, which is done here without parsing it again;
    rc(8), jail(8)'s devfs_mount_jail, devd's check of each new interface
    and service(8) read the same rc.conf over and over. Any other file is
    sourced, so what it runs runs at every read."""
    vfs = shell.proc.kernel.vfs
    for path in files:
        try:
            node = vfs.lookup(path, **shell.proc.where())
        except OSErr:
            continue
        if not isinstance(node, File):
            continue
        assignments = _assignments(node.data) if node.program is None else None
        if assignments is None:
            shell.source(path, node)
        else:
            for name, value in assignments:
                shell.set_var(name, value)
    return 0


def _checkyesno(shell: Shell, args: list[str]) -> int:
    name = args[0] if args else ""
    value = shell.vars.get(name, "").lower()
    if value in YES:
        return 0
    if value not in NO:
        _warn(shell, [f"${name} is not set properly - see rc.conf(5)."])
    return 1


def _warn(shell: Shell, args: list[str]) -> int:
    """warn MESSAGE: "$0: WARNING: ..." on standard error."""
    shell.proc.error(f"{shell.name}: WARNING: {' '.join(args)}\n")
    return 0


def _err(shell: Shell, args: list[str]) -> int:
    """err STATUS MESSAGE: "$0: ERROR: ..." and the script exits."""
    status = int(args[0]) if args and args[0].isdigit() else 1
    shell.proc.error(f"{shell.name}: ERROR: {' '.join(args[1:])}\n")
    raise ExitShell(status)


def _info(shell: Shell, args: list[str]) -> int:
    """info MESSAGE: on standard output only with rc_info=YES."""
    if shell.vars.get("rc_info", "").lower() in YES:
        shell.proc.write(f"{shell.name}: INFO: {' '.join(args)}\n")
    return 0


def _debug(shell: Shell, args: list[str]) -> int:
    if shell.vars.get("rc_debug", "").lower() in YES:
        shell.proc.error(f"{shell.name}: DEBUG: {' '.join(args)}\n")
    return 0


def _load_kld(shell: Shell, args: list[str]) -> int:
    """load_kld [-e REGEX] [-m MODULE] FILE: kldload FILE unless kldstat -q
    -m finds the module; kldload's own error, then "Unable to load kernel
    module FILE". (-e's egrep over kldstat -v is read as -m.)"""
    module = ""
    rest = list(args)
    while rest[:1] and rest[0] in ("-e", "-m") and len(rest) > 1:
        module = rest[1]
        rest = rest[2:]
    if len(rest) != 1:
        return _err(shell, ["3", "USAGE: load_kld [-e regex] [-m module] file"])
    file = rest[0]
    proc = shell.proc
    if proc.execvp(["kldstat", "-q", "-m", module or file], stdout=Sink(), stderr=Sink()) == 0:
        _debug(shell, [f"load_kld: {file} kernel module already loaded."])
        return 0
    if proc.execvp(["kldload", file]) != 0:
        _warn(shell, [f"Unable to load kernel module {file}"])
        return 1
    _info(shell, [f"{file} kernel module loaded."])
    return 0


def _devfs_mount_jail(shell: Shell, args: list[str]) -> int:
    """rc.subr devfs_mount_jail DIR [RULESET]: mount devfs on DIR and apply
    the ruleset (devfsrules_jail unless another is named)."""
    if not args:
        shell.proc.error("/etc/rc: WARNING: devfs_mount_jail: you must specify a mount-point\n")
        return 1
    directory = args[0]
    ruleset = args[1] if len(args) > 1 else "devfsrules_jail"
    names = shell.proc.kernel.devfs.names
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


# -- run_rc_command -------------------------------------------------------------------
BASE_VERBS = ["start", "stop", "restart", "rcvar", "enable", "disable", "delete", "enabled",
              "describe", "extracommands"]
PREFIXES = ("fast", "force", "one", "quiet")
# the verbs whose rcvar is not checked (stop only while something runs)
UNCHECKED = {"rcvar", "stop", "delete", "enable", "describe", "status"}


class _Run:
    """One run_rc_command: the script's shell and the verb it was given."""

    def __init__(self, shell: Shell, args: list[str]) -> None:
        self.shell = shell
        self.verb = args[0] if args else ""
        self.extra = " ".join(args[1:])
        self.prefix = ""
        self.name = self.var("name")

    def var(self, name: str) -> str:
        return self.shell.vars.get(name, "")

    def eval(self, text: str) -> int:
        return BUILTINS["eval"](self.shell, ["eval", text])

    def keywords(self) -> list[str]:
        words = BASE_VERBS + self.var("extra_commands").split()
        if self.var("procname") or self.var("command"):
            return words + ["status", "poll"]
        return words + (["status"] if self.var("status_cmd") else [])

    def usage(self) -> int:
        """rc_usage: to standard error, and the script exits 1."""
        self.shell.proc.error(f"Usage: {self.shell.name} [fast|force|one|quiet]("
                              + "|".join(self.keywords()) + ")\n")
        raise ExitShell(1)

    def run(self) -> int:
        if not self.name:
            return _err(self.shell, ["3", "run_rc_command: $name is not set."])
        self._prefixes()
        self.shell.vars["rc_arg"] = self.verb
        self.shell.vars["rc_extra_args"] = self.extra
        if not self.verb:
            return self.usage()
        if self.verb == "enabled":
            return _checkyesno(self.shell, [self.var("rcvar")])
        if self.verb not in self.keywords():
            self.shell.proc.error(f"{self.shell.name}: unknown directive '{self.verb}'.\n")
            return self.usage()
        rcvar = self.var("rcvar")
        if rcvar and self.verb not in UNCHECKED or rcvar and self.verb == "stop":
            if _checkyesno(self.shell, [rcvar]) != 0:
                if not self.var("rc_quiet"):
                    self.shell.proc.write(
                        f"Cannot '{self.verb}' {self.name}. Set {rcvar} to YES in /etc/rc.conf "
                        f"or use 'one{self.verb}' instead of '{self.verb}'.\n")
                return 0
        command = self.var(f"{self.verb}_cmd")
        if command:
            return self._custom(command)
        return self._default()

    def _prefixes(self) -> None:
        for prefix in PREFIXES:
            if self.verb.startswith(prefix):
                self.verb = self.verb[len(prefix):]
                self.prefix = "" if prefix == "fast" else prefix
                if prefix in ("fast", "quiet"):
                    self.shell.vars["rc_quiet"] = "yes"
                if prefix == "fast":
                    self.shell.vars["rc_fast"] = "yes"
                if prefix == "force":
                    self.shell.vars["rc_force"] = "yes"
                if prefix in ("force", "one") and self.var("rcvar"):
                    self.shell.vars[self.var("rcvar")] = "YES"
                return

    def _custom(self, command: str) -> int:
        """${verb}_cmd between its precmd and postcmd (_run_rc_precmd,
        _run_rc_doit, _run_rc_postcmd)."""
        status = 0
        precmd = self.var(f"{self.verb}_precmd")
        if precmd:
            status = self.eval(f"{precmd} {self.extra}")
            if status != 0 and not self.var("rc_force"):
                return 1
        status = self.eval(f"{command} {self.extra}")
        if status != 0 and not self.var("rc_force"):
            return 1
        postcmd = self.var(f"{self.verb}_postcmd")
        if postcmd:
            status = self.eval(f"{postcmd} {self.extra}")
        return status

    def _default(self) -> int:
        proc = self.shell.proc
        if self.verb == "describe":
            if self.var("desc"):
                proc.write(self.var("desc") + "\n")
            return 0
        if self.verb == "extracommands":
            proc.write(self.var("extra_commands") + "\n")
            return 0
        if self.verb == "rcvar":
            return self._rcvar()
        if self.verb == "restart":
            return self._restart()
        if self.verb == "stop" and not self.var("command"):
            proc.error(f"{self.name} not running?\n")     # _run_rc_notrunning: no pid
            return 1
        if self.verb == "start" and not self.var("command"):
            _warn(self.shell, ["run_rc_command: cannot run "])
            return 1
        proc.error(f"{self.shell.name}: the jailkit sim does not model rc.subr's default "
                   f"'{self.verb}' of a daemon (command={self.var('command')}); give the "
                   f"script a {self.verb}_cmd\n")
        return 1

    def _rcvar(self) -> int:
        desc = self.var("desc")
        lines = [f"# {self.name}" + (f" : {desc}" if desc else ""), "#"]
        for name in dict.fromkeys((self.var("rcvar") + " " + self.var("rcvars")).split()):
            lines.append(f'{name}="{self.var(name)}"')
            lines.append(f'#   (default: "{self.var(name + "_defval")}")')
        self.shell.proc.write("\n".join(lines) + "\n\n")
        return 0

    def _restart(self) -> int:
        """stop, then start, each in a subshell (their variables stay there)."""
        if self.var("_rc_restart_done") == "true":
            return 0
        self.shell.vars["_rc_restart_done"] = "true"
        extra = self.extra.split()
        _in_subshell(self.shell, [f"{self.prefix}stop", *extra])
        status = _in_subshell(self.shell, [f"{self.prefix}start", *extra])
        return 1 if status != 0 and not self.var("rc_force") else 0


def _run_rc_command(shell: Shell, args: list[str]) -> int:
    return _Run(shell, args).run()


def _in_subshell(shell: Shell, args: list[str]) -> int:
    """( run_rc_command ARGS ): an exit there ends the subshell alone."""
    try:
        return _run_rc_command(shell.subshell(), args)
    except ExitShell as done:
        return done.status


@sourced("/etc/rc.subr")
def rc_subr(shell: Shell) -> int:
    shell.functions.update({"load_rc_config": _load_rc_config, "checkyesno": _checkyesno,
                            "devfs_mount_jail": _devfs_mount_jail, "load_kld": _load_kld,
                            "warn": _warn, "err": _err, "info": _info, "debug": _debug,
                            "run_rc_command": _run_rc_command})
    return 0
