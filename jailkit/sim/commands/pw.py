"""pw(8): add, change, show and delete users (usr.sbin/pw). `pw useradd`
and its alias `pw adduser` write /etc/master.passwd, /etc/passwd and, unless
-g names a group, a group of the same name; -m makes the home directory
from /usr/share/skel; -w yes sets the password to the login name (the
howto's "test"/"test"), -w no locks the account, -w none leaves it empty,
-w random prints a new one; -p and -e set the dates from which the password
must be changed and the account is closed (psdate.c's formats)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from ..errno import OSErr
from ..octets import lines as text_lines
from ..passwd import GROUP, MASTER, PASSWD, Account, accounts, crypt, with_account
from ..proc import Proc, program
from ..sysexits import EX_DATAERR, EX_NOUSER, EX_OSFILE, EX_USAGE
from ...getopt import GetoptError, getopt

FIRST_UID = 1001      # the first uid adduser(8) and pw hand out on a fresh system
LOGNAMESIZE = 32      # MAXLOGNAME - 1
SHELLDIR = "/bin"     # pw.conf's default shellpath
SKEL = {".profile": "# $FreeBSD$\n#\n# .profile - Bourne Shell startup script for login shells\n"
        "#\nPATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:$HOME/bin; "
        "export PATH\nENV=$HOME/.shrc; export ENV\n",
        ".shrc": "# .shrc - bourne shell startup file\nPS1=\"\\u@\\h:\\w \\\\$ \"\n"}
# pw_checkname(): what a user or group name may not hold, and a GECOS field.
NAME_BADCHARS = " ,\t:+&#%$^()!@~*?<>=|\\/\""
GECOS_BADCHARS = ":!@"
OPTIONS = "C:qn:u:c:d:e:p:g:G:mMk:s:oL:w:h:H:NPYr"


class PwError(Exception):
    """errx(3): pw's message and exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


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
    verb = {"adduser": "useradd", "deluser": "userdel", "moduser": "usermod"}.get(verb, verb)
    name = None
    if rest and not rest[0].startswith("-"):
        name, rest = rest[0], rest[1:]
    try:
        opts, _ = getopt(rest, OPTIONS)
    except GetoptError as exc:
        proc.warnx(str(exc))
        return EX_USAGE
    values = {flag: value or "" for flag, value in opts}
    name = name or values.get("n")
    try:
        if verb == "useradd":
            return _useradd(proc, name, values)
        if verb == "usermod":
            return _usermod(proc, name, values)
    except PwError as exc:
        proc.warnx(str(exc))
        return exc.status
    if verb == "usershow":
        return _usershow(proc, name)
    if verb == "userdel":
        return _userdel(proc, name, "r" in values)
    proc.warnx(f"{verb} is not modelled by the jailkit sim")
    return EX_USAGE


def _read(proc: Proc):
    return lambda path: proc.kernel.vfs.read(path, **proc.where())


def _useradd(proc: Proc, name: str | None, values: dict[str, str]) -> int:
    unmodelled = sorted(set(values) - set("cdegHhmnpsuw"))
    if unmodelled:
        proc.warnx(f"useradd -{unmodelled[0]} is not modelled by the jailkit sim")
        return EX_USAGE
    if not name:
        proc.warnx("user name or id required")
        return EX_USAGE
    check_name(name)
    existing = accounts(_read(proc))
    if any(a.name == name for a in existing):
        proc.warnx(f"user '{name}' already exists")
        return EX_DATAERR
    uid = int(values["u"]) if "u" in values else max(
        [FIRST_UID - 1] + [a.uid for a in existing if FIRST_UID - 1 <= a.uid < 32000]) + 1
    password = (_fd_password(proc, values) if "h" in values or "H" in values
                else _password(proc, name, values.get("w", "no")))
    gid = _group(proc, values["g"]) if "g" in values else uid
    now = proc.kernel.now()
    account = Account(name, password, uid, gid, check_gecos(values.get("c", "User &")),
                      values.get("d", f"/home/{name}"), _shell(proc, values.get("s", "sh")),
                      change=_date(values.get("p", ""), now),
                      expire=_date(values.get("e", ""), now))
    vfs, where = proc.kernel.vfs, proc.where()
    try:
        vfs.write(MASTER, account.master_line() + "\n", append=True, mode=0o600, **where)
        vfs.write(PASSWD, account.passwd_line() + "\n", append=True, **where)
        if "g" not in values:
            vfs.write(GROUP, f"{name}:*:{uid}:\n", append=True, **where)
        if "m" in values:
            vfs.mkdir(account.home, parents=True, **where)
            for dot, text in SKEL.items():
                vfs.write(f"{account.home}/{dot}", text, **where)
    except OSErr as exc:
        proc.warnx(f"{MASTER}: {exc.strerror}")
        return EX_DATAERR
    return 0


def _usermod(proc: Proc, name: str | None, values: dict[str, str]) -> int:
    """pw usermod NAME with -p, -e, -c, -s or -w: the fields it changes;
    other options are refused rather than ignored."""
    unmodelled = sorted(set(values) - set("pecswhH"))
    if unmodelled:
        proc.warnx(f"usermod -{unmodelled[0]} is not modelled by the jailkit sim")
        return EX_USAGE
    found = next((a for a in accounts(_read(proc)) if a.name == name), None)
    if found is None:
        raise PwError(f"no such user `{name}'", EX_NOUSER)
    now = proc.kernel.now()
    if "p" in values:
        found.change = _date(values["p"], now)
    if "e" in values:
        found.expire = _date(values["e"], now)
    if "c" in values:
        found.gecos = check_gecos(values["c"])
    if "s" in values:
        found.shell = _shell(proc, values["s"])
    if "h" in values or "H" in values:
        found.password = _fd_password(proc, values)
    elif "w" in values:
        found.password = _password(proc, found.name, values["w"])
    vfs, where = proc.kernel.vfs, proc.where()
    vfs.write(MASTER, with_account(vfs.read(MASTER, **where), found), mode=0o600, **where)
    return 0


def check_name(name: str) -> None:
    """pw_checkname(): no leading '-', none of pw's forbidden characters
    (a '$' only at the end), at most LOGNAMESIZE characters."""
    for position, char in enumerate(name):
        bad = (char in NAME_BADCHARS or char < " " or char == "\x7f" or ord(char) > 0x7f
               or (position == 0 and char == "-"))
        if bad and not (char == "$" and position == len(name) - 1):
            shown = f"`{char}'" if " " <= char < "\x7f" else f"0x{ord(char):02x}"
            raise PwError(f"invalid character {shown} at position {position} in userid/group name",
                          EX_DATAERR)
    if len(name) > LOGNAMESIZE:
        raise PwError(f"name too long `{name}' (max is {LOGNAMESIZE})", EX_DATAERR)


def check_gecos(text: str) -> str:
    for position, char in enumerate(text):
        if char in GECOS_BADCHARS or char < " " or char == "\x7f":
            shown = f"`{char}'" if " " <= char < "\x7f" else f"0x{ord(char):02x}"
            raise PwError(f"invalid character {shown} at position {position} in gecos field",
                          EX_DATAERR)
    return text


def _password(proc: Proc, name: str, method: str) -> str:
    if method == "yes":
        return crypt(name, _salt(proc))
    if method == "none":
        return ""
    if method == "random":
        letters = "abcdefghijkmnpqrstuvwxyz23456789"
        clear = "".join(proc.kernel.rng.choice(letters) for _ in range(8))
        proc.write(clear + "\n")
        return crypt(clear, _salt(proc))
    if method == "no":
        return "*"
    raise PwError(f"invalid value for '-w': '{method}'", EX_DATAERR)


def _fd_password(proc: Proc, values: dict[str, str]) -> str:
    """-h fd / -H fd (pw_user.c pw_set_passwd): "-" locks the account
    ("*"); otherwise the first line read from fd is the password, -H's
    already encrypted. The sim's processes have fd 0 to read from."""
    precrypted = "H" in values
    fd = values["H" if precrypted else "h"]
    if fd == "-":
        return "*"
    if fd != "0":
        raise PwError(f"-{'H' if precrypted else 'h'} {fd} is not modelled by the jailkit sim "
                      "(standard input, 0, is)", EX_USAGE)
    line = proc.stdin.read().split("\n", 1)[0].split("\r", 1)[0]
    if not line:
        raise PwError("empty password read on file descriptor 0", EX_DATAERR)
    if precrypted:
        if ":" in line:
            raise PwError("bad encrypted password", EX_DATAERR)
        return line
    return crypt(line, _salt(proc))


def _group(proc: Proc, group: str) -> int:
    """-g: a group of /etc/group, by name or by number."""
    try:
        lines = text_lines(proc.kernel.vfs.read(GROUP, **proc.where()))
    except OSErr:
        lines = []
    for line in lines:
        fields = line.split(":")
        if len(fields) >= 3 and not line.startswith("#") and group in (fields[0], fields[2]):
            return int(fields[2])
    raise PwError(f"group `{group}' is not defined", EX_NOUSER)


def _shell(proc: Proc, shell: str) -> str:
    """-s: a full path as given, or a name found in the shell directory."""
    if shell.startswith("/") or shell == "":
        return shell
    path = f"{SHELLDIR}/{shell}"
    try:
        proc.find_executable(path)
    except OSErr:
        raise PwError(f"shell `{shell}' is not valid or not allowed", EX_OSFILE) from None
    return path


def _date(text: str, now: datetime) -> int:
    """psdate.c parse_date(): "" and "0" mean none; all digits (or 0x...)
    is a UNIX time; +N or -N with s, m (also none), h, d, w, o (months) or
    y is relative to now; otherwise dd-mmm-yy[yy] or dd-mm-yy[yy], with an
    optional time, in local time (the sim's zone is UTC)."""
    text = text.strip()
    if text in ("", "0"):
        return 0
    if re.fullmatch(r"[0-9x]+", text):
        return _integer(text)
    relative = re.fullmatch(r"([+-](?:0x[0-9a-fA-F]+|[0-9]+))([a-zA-Z]?)", text)
    if relative:
        shifted = _shifted(now, _integer(relative.group(1)), relative.group(2).lower())
        return int(shifted.timestamp())
    for day_first in _DATE_FORMATS:
        try:
            when = datetime.strptime(text, day_first)
        except ValueError:
            continue
        return int(when.replace(tzinfo=timezone.utc).timestamp())
    raise PwError("Invalid date", 1)


def _integer(text: str) -> int:
    """strtol(3) with base 0: 0x... hexadecimal, 0... octal, else decimal."""
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    try:
        if digits.lower().startswith("0x"):
            return sign * int(digits, 16)
        octal = digits.startswith("0") and len(digits) > 1
        return sign * (int(digits, 8) if octal else int(digits))
    except ValueError:
        raise PwError("Invalid date", 1) from None


def _shifted(now: datetime, value: int, unit: str) -> datetime:
    seconds = {"h": 3600, "": 60, "m": 60, "s": 1, "d": 86400, "w": 604800}
    if unit in seconds:
        return now + timedelta(seconds=value * seconds[unit])
    if unit in ("o", "y"):
        months = now.year * 12 + now.month - 1 + (value if unit == "o" else value * 12)
        year, month = divmod(months, 12)
        try:
            return now.replace(year=year, month=month + 1)
        except ValueError:      # no such day in that month: the last day of the one before
            return now.replace(year=year, month=month + 1, day=1) - timedelta(days=1)
    return now


_DATES = ["%d-%b-%y", "%d-%b-%Y", "%d-%m-%y", "%d-%m-%Y"]
_TIMES = ["%H:%M", "%H:%M:%S"]
_DATE_FORMATS = (_DATES + [f"{t}{sep}{d}" for sep in (" ", "\t") for t in _TIMES for d in _DATES]
                 + [f"{d}{sep}{t}" for sep in (" ", "\t") for d in _DATES for t in _TIMES])


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
            lines = text_lines(vfs.read(path, **where))
        except OSErr:
            continue
        vfs.write(path, "".join(l + "\n" for l in lines if not l.startswith(prefix)), **where)
    if remove_home:
        proc.execvp(["rm", "-rf", found.home])
    return 0
