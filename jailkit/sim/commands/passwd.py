"""passwd(1): change a local user's password through PAM (usr.bin/passwd,
pam_unix's chauthtok). Root is not asked for the old password; anyone
else is, and may change only their own. Without a terminal OpenPAM's
conversation (openpam_ttyconv) writes the prompts to standard output and
reads the answers, a line each, from standard input; its error messages go
to standard error."""

from __future__ import annotations

from ..errno import OSErr
from ..passwd import ERROR_MSG, MASTER, PamError, accounts, change_password, with_account
from ..proc import Proc, program
from ...getopt import GetoptError, getopt

SALT_CHARS = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@program("/usr/bin/passwd")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        _, args = getopt(argv[1:], "d:h:loy")      # -l -o -y: accepted for compatibility
    except GetoptError as exc:
        proc.warnx(str(exc))
        return _usage(proc)
    if len(args) > 1:
        return _usage(proc)
    known = accounts(lambda path: proc.kernel.vfs.read(path, **proc.where()))
    name = args[0] if args else proc.user
    account = next((a for a in known if a.name == name), None)
    if account is None:
        proc.warnx(f"{name}: no such user" if args else "who are you?")
        return 1
    if proc.user not in ("root", account.name):
        proc.warnx("permission denied")
        return 1
    proc.error(f"Changing local password for {account.name}\n")
    try:
        changed = change_password(account, lambda style, message: _converse(proc, style, message),
                                  as_root=proc.user == "root", salt=_salt(proc), nullok=True)
    except PamError as exc:
        if exc.code in ("PAM_AUTH_ERR", "PAM_PERM_DENIED"):
            proc.warnx("sorry")
        else:
            proc.warnx(f"pam_chauthtok(): {exc}")
        return 1
    where = proc.where()
    try:
        proc.kernel.vfs.write(MASTER, with_account(proc.kernel.vfs.read(MASTER, **where), changed),
                              mode=0o600, **where)
    except OSErr as exc:
        proc.warnx(f"pam_chauthtok(): {exc.strerror}")
        return 1
    return 0


def _usage(proc: Proc) -> int:
    proc.error("usage: passwd [-ly] [-d domain] [-h host] [user]\n")
    return 1


def _converse(proc: Proc, style: str, message: str) -> str | None:
    """openpam_ttyconv without a terminal: a prompt on standard output and
    a line of standard input as the answer (none at its end)."""
    if style == ERROR_MSG:
        proc.error(message if message.endswith("\n") else message + "\n")
        return None
    proc.write(message)
    line = proc.stdin.readline()
    return None if line is None else line.rstrip("\n")


def _salt(proc: Proc) -> str:
    return "".join(proc.kernel.rng.choice(SALT_CHARS) for _ in range(16))
