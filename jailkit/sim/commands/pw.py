"""pw(8): add, show and delete users (usr.sbin/pw). `pw useradd` and its
alias `pw adduser` write /etc/master.passwd, /etc/passwd and a group of
the same name; -m makes the home directory from /usr/share/skel; -w yes
sets the password to the login name (the howto's "test"/"test"), -w no
locks the account, -w none leaves it empty, -w random prints a new one."""

from __future__ import annotations

from ..errno import OSErr
from ..passwd import GROUP, MASTER, PASSWD, Account, accounts, crypt
from ..proc import Proc, program
from ...getopt import GetoptError, getopt

EX_USAGE = 64
EX_DATAERR = 65
EX_NOUSER = 67
FIRST_UID = 1001      # the first uid adduser(8) and pw hand out on a fresh system
SKEL = {".profile": "# $FreeBSD$\n#\n# .profile - Bourne Shell startup script for login shells\n"
        "#\nPATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:$HOME/bin; "
        "export PATH\nENV=$HOME/.shrc; export ENV\n",
        ".shrc": "# .shrc - bourne shell startup file\nPS1=\"\\u@\\h:\\w \\\\$ \"\n"}


@program("/usr/sbin/pw")
def main(proc: Proc, argv: list[str]) -> int:
    args = argv[1:]
    if args[:1] == ["-V"] or args[:1] == ["-R"]:
        proc.warnx(f"{args[0]} is not modelled by the jailkit sim")
        return EX_USAGE
    if len(args) >= 2 and args[0] in ("user", "group") and args[1] in ("add", "del", "show", "mod"):
        args = [args[1] + args[0]] + args[2:]
    if not args:
        proc.error("usage:\n  pw [user|group|lock|unlock] [add|del|mod|show|next] [help|switches/values]\n")
        return EX_USAGE
    verb, rest = args[0], args[1:]
    verb = {"adduser": "useradd", "deluser": "userdel"}.get(verb, verb)
    name = None
    if rest and not rest[0].startswith("-"):
        name, rest = rest[0], rest[1:]
    try:
        opts, extra = getopt(rest, "C:qn:u:c:d:e:p:g:G:mMk:s:oL:w:h:H:NPYr")
    except GetoptError as exc:
        proc.warnx(str(exc))
        return EX_USAGE
    values = dict(opts)
    name = name or values.get("n")
    if verb == "useradd":
        return _useradd(proc, name, values)
    if verb == "usershow":
        return _usershow(proc, name)
    if verb == "userdel":
        return _userdel(proc, name, "r" in values)
    proc.warnx(f"{verb} is not modelled by the jailkit sim")
    return EX_USAGE


def _read(proc: Proc):
    return lambda path: proc.kernel.vfs.read(path, **proc.where())


def _useradd(proc: Proc, name: str | None, values: dict[str, str]) -> int:
    if not name:
        proc.warnx("user name or id required")
        return EX_USAGE
    existing = accounts(_read(proc))
    if any(a.name == name for a in existing):
        proc.warnx(f"user '{name}' already exists")
        return EX_DATAERR
    uid = int(values["u"]) if "u" in values else max(
        [FIRST_UID - 1] + [a.uid for a in existing if FIRST_UID - 1 <= a.uid < 32000]) + 1
    method = values.get("w", "no")
    if method == "yes":
        password = crypt(name, _salt(proc))
    elif method == "none":
        password = ""
    elif method == "random":
        clear = "".join(proc.kernel.rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(8))
        password = crypt(clear, _salt(proc))
        proc.write(clear + "\n")
    elif method == "no":
        password = "*"
    else:
        proc.warnx(f"invalid value for '-w': '{method}'")
        return EX_DATAERR
    home = values.get("d", f"/home/{name}")
    account = Account(name, password, uid, uid, values.get("c", "User &"), home,
                      values.get("s", "/bin/sh"))
    vfs, where = proc.kernel.vfs, proc.where()
    try:
        vfs.write(MASTER, account.master_line() + "\n", append=True, mode=0o600, **where)
        vfs.write(PASSWD, account.passwd_line() + "\n", append=True, **where)
        vfs.write(GROUP, f"{name}:*:{uid}:\n", append=True, **where)
        if "m" in values:
            vfs.mkdir(home, parents=True, **where)
            for dot, text in SKEL.items():
                vfs.write(f"{home}/{dot}", text, **where)
    except OSErr as exc:
        proc.warnx(f"{MASTER}: {exc.strerror}")
        return EX_DATAERR
    return 0


def _salt(proc: Proc) -> str:
    return "".join(proc.kernel.rng.choice("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "abcdefghijklmnopqrstuvwxyz") for _ in range(16))


def _usershow(proc: Proc, name: str | None) -> int:
    found = next((a for a in accounts(_read(proc)) if a.name == name), None)
    if found is None:
        proc.warnx(f"no such user `{name}'")
        return EX_NOUSER
    proc.write(found.master_line().replace(f":{found.password}:", ":*:", 1) + "\n")
    return 0


def _userdel(proc: Proc, name: str | None, remove_home: bool) -> int:
    found = next((a for a in accounts(_read(proc)) if a.name == name), None)
    if found is None:
        proc.warnx(f"no such user `{name}'")
        return EX_NOUSER
    vfs, where = proc.kernel.vfs, proc.where()
    for path, prefix in ((MASTER, f"{name}:"), (PASSWD, f"{name}:"), (GROUP, f"{name}:")):
        try:
            lines = vfs.read(path, **where).splitlines()
        except OSErr:
            continue
        vfs.write(path, "".join(l + "\n" for l in lines if not l.startswith(prefix)), **where)
    if remove_home:
        proc.execvp(["rm", "-rf", found.home])
    return 0
