"""jexec(8): run a command inside a running jail (usr.sbin/jexec/jexec.c).

The process is attached to the jail: its root is the jail's path, its
working directory the jail's /, its network the jail's vnet. Without a
command it runs the shell ($SHELL, else /bin/sh)."""

from __future__ import annotations

from ..errno import OSErr
from ...getopt import GetoptError, getopt, option_values
from ..proc import Proc, program

USAGE = "usage: jexec [-l] [-d working-directory] [-u username | -U username] jail [command ...]\n"


@program("/usr/sbin/jexec")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "d:lnu:U:")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(USAGE)
        return 1
    values = dict(opts)
    if not args or ("u" in values and "U" in values):
        proc.error(USAGE)
        return 1
    prison = proc.kernel.find_prison(args[0], proc.prison)
    if prison is None:
        proc.warnx(f'jail "{args[0]}" not found')
        return 1
    user = values.get("U") or values.get("u") or "root"
    env = dict(proc.env)
    cwd = option_values(opts).get("d", "/")
    if "l" in values:
        home = "/root" if user == "root" else f"/home/{user}"
        env = {"HOME": home, "SHELL": "/bin/sh", "USER": user, "TERM": proc.env.get("TERM", ""),
               "PATH": "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:" + home + "/bin"}
        cwd = home
    child = proc.child(prison=prison, cwd=cwd, env=env, user=user)
    command = args[1:] or [env.get("SHELL", "/bin/sh")]
    try:
        return child.execvp(command)
    except OSErr as exc:
        proc.error(f"jexec: execvp: {command[0]}: {exc.strerror}\n")
        return 1
