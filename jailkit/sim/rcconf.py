"""rc.conf(5) as rc.subr(8) reads it, and the rc.subr functions the sim's
scripts call: load_rc_config, checkyesno and devfs_mount_jail (jail(8)'s
exec.prestart). rc.conf is sh: /etc/defaults/rc.conf, then /etc/rc.conf,
sourced into a shell whose variables are the settings."""

from __future__ import annotations

from .errno import OSErr
from .proc import Proc, Sink, sourced
from .sh.shell import Shell
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
        if isinstance(node, File):    # what is not a file is passed over, as by "."
            shell.source(path, node)
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


@sourced("/etc/rc.subr")
def rc_subr(shell: Shell) -> int:
    shell.functions.update({"load_rc_config": _load_rc_config, "checkyesno": _checkyesno,
                            "devfs_mount_jail": _devfs_mount_jail})
    return 0
