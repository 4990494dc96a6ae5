"""jexec(8): run a command inside a running jail (usr.sbin/jexec/jexec.c).

The process is attached to the jail: its root is the jail's path, its
working directory the jail's /, its network the jail's vnet. Without a
command it runs the shell ($SHELL, else /bin/sh)."""

from __future__ import annotations

from ..errno import OSErr
from ...getopt import getopt, option_values
from ..logincap import clean_environment
from ..passwd import accounts
from ..proc import Proc, program
from ..vfs import Where

USAGE = "usage: jexec [-l] [-d working-directory] [-u username | -U username] jail [command ...]\n"


@program("/usr/sbin/jexec")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "d:lnu:U:", USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
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
        # -l: an empty environment, then the user's login class (as
        # exec.clean does) and home directory; the passwd entry is the
        # host's unless -U names a user of the jail (get_user_info is
        # called before or after jail_attach)
        root = prison.path if "U" in values else proc.root
        where: Where = {"root": root, "cwd": "/"}
        account = next((a for a in accounts(lambda path: proc.kernel.vfs.read(path, **where))
                        if a.name == user), None)
        if account is None:
            proc.warnx(f"{user}: no such user")
            return 1
        env = clean_environment(account, proc.env.get("TERM"))
        if "d" not in values:
            cwd = account.home
            try:
                proc.kernel.vfs.lookup(cwd, root=prison.path, cwd="/")
            except OSErr as exc:
                proc.warnx(f"chdir: {cwd}: {exc.strerror}")
                return 1
    child = proc.child(prison=prison, cwd=cwd, env=env, user=user)
    command = args[1:] or [env.get("SHELL", "/bin/sh")]
    try:
        path, image = child.find_executable(command[0])
    except OSErr as exc:
        proc.error(f"jexec: execvp: {command[0]}: {exc.strerror}\n")
        return 1
    return child.child(argv0=command[0]).exec_file(path, image, command)
