"""Small system commands: sleep, hostname, uname, true, false, env, id, date,
which, timeout and sudo."""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone

from ..errno import ENOENT, OSErr
from ..kernel import Deadline
from ...getopt import GetoptError, getopt
from ..passwd import accounts
from ..proc import SIGNALS, SIGTERM, Proc, program, signal_number
from ..vfs import File


@program("/usr/bin/true")
def true(proc: Proc, argv: list[str]) -> int:
    return 0


@program("/usr/bin/false")
def false(proc: Proc, argv: list[str]) -> int:
    return 1


# A number as strtod(3) and scanf's %lf read it: leading white space, a
# decimal or hexadecimal number, inf, infinity or nan; what follows is left.
_NUMBER = re.compile(r"[ \t\n\v\f\r]*([+-]?(?:0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?"
                     r"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?|inf(?:inity)?|nan(?:\([0-9a-z_]*\))?))",
                     re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _number(text: str) -> tuple[float, str] | None:
    """The number ``text`` starts with, and the rest; None without one."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    number = match.group(1)
    value = float.fromhex(number) if "x" in number.lower() else float(number)
    return value, text[match.end():]


def _duration(text: str) -> float | None:
    """A number with one unit of s, m, h or d at most, in seconds, as
    sleep(1) and timeout(1) take it (sleep.c parse_interval, timeout.c
    parse_duration); None when ``text`` is not one."""
    parsed = _number(text)
    if parsed is None or (parsed[1] and parsed[1] not in _UNITS):
        return None
    return parsed[0] * _UNITS.get(parsed[1], 1)


SLEEP_USAGE = ("usage: sleep number[unit] [...]\n"
               "Unit can be 's' (seconds, the default), m (minutes), h (hours), or d (days).\n")


@program("/bin/sleep")
def sleep(proc: Proc, argv: list[str]) -> int:
    """sleep.c: the operands' sum; any option is refused (getopt with no
    letters), as is an invalid operand (after each one's warning) or a sum
    above INT_MAX; a sum that is not positive returns at once."""
    try:
        _, operands = getopt(argv[1:], "")
    except GetoptError as exc:
        proc.warnx(str(exc))
        operands = []
    if not operands:
        proc.error(SLEEP_USAGE)
        return 1
    seconds = 0.0
    for operand in operands:
        interval = _duration(operand)
        if interval is None or math.isnan(interval):
            # parse_interval warns (NaN too) and returns infinity: the sum is refused
            proc.warnx(f"invalid time interval: {operand}")
            interval = math.inf
        seconds += interval
    if seconds > 2**31 - 1:
        proc.error(SLEEP_USAGE)
        return 1
    if seconds >= 1e-9:
        proc.kernel.advance(seconds)
    return 0


@program("/bin/hostname")
def hostname(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "fsd", "usage: hostname [-f] [-s | -d] [name-of-host]\n")
    if parsed is None:
        return 1
    opts, args = parsed
    flags = {f for f, _ in opts}
    name = proc.prison.hostname
    if args:
        try:
            proc.kernel.sethostname(proc.prison, args[0])
        except OSErr as exc:
            proc.error(f"hostname: sethostname: {exc.strerror}\n")
            return 1
        return 0
    if "s" in flags:
        name = name.split(".")[0]
    elif "d" in flags:
        name = name.partition(".")[2]
    proc.write(name + "\n")
    return 0


@program("/usr/bin/uname")
def uname(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "abiKmnoprsUv", "usage: uname [-abiKmnoprsUv]\n")
    if parsed is None:
        return 1
    opts, args = parsed
    if args:
        proc.error("usage: uname [-abiKmnoprsUv]\n")
        return 1
    flags = {f for f, _ in opts} or {"s"}
    if "b" in flags:
        # the kernel's build-id (kern.build_id): the sim's kernel has none
        proc.warnx("option -b is not modelled by the jailkit sim")
        return 1
    if "a" in flags:
        flags |= {"s", "n", "r", "v", "m"}
    if "o" in flags:
        flags.add("s")
    release = proc.prison.params.get("osrelease", proc.kernel.release)
    major, _, minor = release.split("-")[0].partition(".")
    osreldate = f"{int(major)}{int(minor or 0):02d}000"
    fields = [("s", "FreeBSD"), ("n", proc.prison.hostname), ("r", release),
              ("v", proc.kernel.version), ("m", "amd64"), ("p", "amd64"), ("i", "GENERIC"),
              ("K", osreldate), ("U", osreldate)]
    proc.write(" ".join(value for key, value in fields if key in flags) + "\n")
    return 0


@program("/usr/bin/env")
def env(proc: Proc, argv: list[str]) -> int:
    args = argv[1:]
    environment = dict(proc.env)
    if args[:1] == ["-i"]:
        environment, args = {}, args[1:]
    while args and "=" in args[0]:
        key, _, value = args.pop(0).partition("=")
        environment[key] = value
    if not args:
        proc.write("".join(f"{k}={v}\n" for k, v in environment.items()))
        return 0
    try:
        return proc.child(env=environment).execvp(args)
    except OSErr as exc:
        proc.warn(args[0], exc)
        return 127 if exc.errno == ENOENT else 126


@program("/usr/bin/id")
def ident(proc: Proc, argv: list[str]) -> int:
    """id(1) for the process's user, from the password file of its root."""
    try:
        opts, args = getopt(argv[1:], "AaGgnPpru")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error("usage: id [user]\n       id -A\n       id -G [-n] [user]\n       id -M\n"
                   "       id -P [user]\n       id -c\n       id -g [-nr] [user]\n"
                   "       id -p [user]\n       id -u [-nr] [user]\n")
        return 1
    flags = {f for f, _ in opts}
    # -A (audit state), -P (the master.passwd line) and -p (the "uid",
    # "groups" report) are FreeBSD's too; the sim does not model them
    if proc.refuses(flags & set("APp")):
        return 1
    name = args[0] if args else proc.user
    found = next((a for a in accounts(lambda p: proc.kernel.vfs.read(p, **proc.where()))
                  if a.name == name), None)
    if found is None:
        proc.warnx(f"{name}: no such user")
        return 1
    group = "wheel" if found.gid == 0 else found.name
    if "u" in flags or "g" in flags:
        number, label = (found.uid, found.name) if "u" in flags else (found.gid, group)
        proc.write(f"{label if 'n' in flags else number}\n")
        return 0
    if "G" in flags:
        groups = [(0, "wheel"), (5, "operator")] if found.uid == 0 else [(found.gid, group)]
        proc.write(" ".join(g if "n" in flags else str(n) for n, g in groups) + "\n")
        return 0
    extra = ",5(operator)" if found.uid == 0 else ""
    proc.write(f"uid={found.uid}({found.name}) gid={found.gid}({group}) "
               f"groups={found.gid}({group}){extra}\n")
    return 0


DATE_USAGE = ("usage: date [-jnRu] [-I[date|hours|minutes|seconds|ns]] [-f input_fmt]\n"
              "            [ -z output_zone ] [-r filename|seconds] [-v[+|-]val[y|m|w|d|H|M|S]]\n"
              "            [[[[[[cc]yy]mm]dd]HH]MM[.SS] | new_date] [+output_fmt]\n")


@program("/bin/date")
def date(proc: Proc, argv: list[str]) -> int:
    """date(1) (bin/date/date.c) printing a time: now, or -r's seconds since
    the Epoch; -R in RFC 2822's form; -u (UTC) changes nothing, the sim's
    zone being UTC; -n is obsolete and ignored. A date operand (setting the
    clock, or -j's parse), -f, -I, -v, -z and -r FILE are not modelled."""
    parsed = proc.options(argv, "f:IjnRr:uv:z:", DATE_USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    if proc.refuses({f for f, _ in opts} & set("fIvz")):
        return 1
    when = proc.kernel.now()
    for flag, value in opts:
        if flag == "r" and value is not None:
            seconds = _strtoq(value)
            if seconds is None:
                # not a number: the file's modification time, which the sim keeps none of
                proc.warnx("option -r with a file is not modelled by the jailkit sim")
                return 1
            try:
                when = datetime.fromtimestamp(seconds, timezone.utc)
            except (OverflowError, ValueError, OSError):
                proc.warnx("invalid time")      # localtime(3) failed
                return 1
    # date.c prints "%+" unless told otherwise: FreeBSD's strftime(3) makes
    # it "%a %b %e %H:%M:%S %Z %Y", the day padded with a space
    form = "%a, %d %b %Y %H:%M:%S +0000" if ("R", None) in opts else "%+"
    if args and args[0].startswith("+"):
        form, args = args[0][1:], args[1:]
    if args:
        proc.warnx("a date operand is not modelled by the jailkit sim")
        return 1
    day = f"{when.day:2d}"
    form = re.sub(r"%([%+e])", lambda m: {"%": "%%", "+": f"%a %b {day} %H:%M:%S UTC %Y",
                                           "e": day}[m.group(1)], form)
    proc.write(when.strftime(form) + "\n")
    return 0


def _strtoq(text: str) -> int | None:
    """strtoq(text, &end, 0) taking all of ``text``: decimal, 0x hex or 0
    octal, with a sign; None when anything is left over."""
    match = re.fullmatch(r"[ \t\n\v\f\r]*([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)", text, re.IGNORECASE)
    if match is None:
        return None
    sign, digits = match.groups()
    value = int(digits, 16 if digits.lower().startswith("0x") else 8 if digits.startswith("0") else 10)
    return -value if sign == "-" else value


@program("/usr/bin/which")
def which(proc: Proc, argv: list[str]) -> int:
    """which(1) (usr.bin/which/which.c): each program's first executable
    regular file along PATH, every one with -a; -s prints nothing, only
    the status says; 1 when one of them is not found."""
    try:
        opts, names = getopt(argv[1:], "as")
    except GetoptError as exc:
        proc.warnx(str(exc))
        names = []
    if not names:
        proc.error("usage: which [-as] program ...\n")
        return 1
    if "PATH" not in proc.env:
        return 1
    flags = {f for f, _ in opts}
    status = 0
    for name in names:
        found = _which(proc, name, every="a" in flags)
        if not found:
            status = 1
        if "s" not in flags:
            proc.write("".join(f"{path}\n" for path in found))
    return status


def _which(proc: Proc, name: str, every: bool) -> list[str]:
    """print_matches(): a name with a slash is checked alone; an empty
    PATH entry is the current directory."""
    if "/" in name:
        return [name] if _executable(proc, name) else []
    found = []
    for directory in proc.env["PATH"].split(":"):
        candidate = f"{directory or '.'}/{name}"
        if _executable(proc, candidate):
            found.append(candidate)
            if not every:
                break
    return found


def _executable(proc: Proc, path: str) -> bool:
    """is_there(): a regular file with an execute bit."""
    node = proc.kernel.vfs.find(path, **proc.where())
    return isinstance(node, File) and bool(node.mode & 0o111)


@program("/usr/bin/timeout")
def timeout(proc: Proc, argv: list[str]) -> int:
    """timeout(1) (usr.bin/timeout/timeout.c): run a command for at most
    DURATION (virtual) seconds, then send it -s's signal (TERM); 124 when
    it had to be stopped, or with -p its own status, that of a process the
    signal killed; -v says when the signal is sent. The sim's command always
    ends at that signal, so -k's second one is never needed."""
    try:
        opts, args = getopt(argv[1:], "fk:ps:v")
    except GetoptError as exc:
        proc.warnx(str(exc))
        args = []
    if len(args) < 2:
        proc.error("Usage: timeout [-f] [-k time] [-p] [-s signal] [-v] <duration> <command> "
                   "[arg ...]\n")
        return 125
    signo = SIGTERM
    for flag, value in opts:
        if flag == "s" and value is not None:
            found = _timeout_signal(value)
            if found is None:
                proc.warnx("invalid signal")
                return 125
            signo = found
        elif flag == "k" and value is not None and _duration(value) is None:
            proc.warnx(f"invalid duration: {value}")
            return 125
    seconds = _duration(args[0])
    if seconds is None:
        proc.warnx(f"invalid duration: {args[0]}")
        return 125
    flags = {f for f, _ in opts}
    with proc.kernel.deadline(seconds) as token:
        try:
            return proc.execvp(args[1:])
        except Deadline as expired:
            if expired.token is not token:
                raise
            if "v" in flags:
                proc.warnx(f"sending signal {SIGNALS[signo]}({signo}) to command '{args[1]}'")
            return 128 + signo if "p" in flags else 124
        except OSErr as exc:
            proc.warn(f"exec({args[1]})", exc)
            return 127 if exc.errno == ENOENT else 126


def _timeout_signal(text: str) -> int | None:
    """parse_signal(): a number from 1 to 31, or a name with or without SIG
    in any case (signal 0 is no signal to send)."""
    found = signal_number(text)
    return found or None


# sudoers(5) env_reset (on by default): what sudo keeps of the caller's
# environment (env.c's initial_keepenv_table, and TERM), and the names kept
# when their value has no '/' or '%' (env_check).
SUDO_KEEP = {"COLORS", "DISPLAY", "HOSTNAME", "KRB5CCNAME", "LS_COLORS", "PATH", "PS1", "PS2",
             "TZ", "XAUTHORITY", "XAUTHORIZATION", "XDG_CURRENT_DESKTOP", "TERM"}
SUDO_CHECK = {"COLORTERM", "LANG", "LANGUAGE", "LINGUAS", "TERM", "TZ"}


@program("/usr/local/bin/sudo")
def sudo(proc: Proc, argv: list[str]) -> int:
    """sudo(8) from the sudo package, for a user allowed everything (the
    Vagrant box's "vagrant ALL=(ALL) NOPASSWD: ALL"): runs the command as
    root with the environment reset as sudoers' env_reset does (-E keeps
    it), and logs it to /var/log/auth.log."""
    args = argv[1:]
    options = set()
    while args and args[0].startswith("-") and args[0] != "--":
        if args[0] not in ("-n", "-E", "-H"):
            proc.error(f"sudo: unknown option: {args[0]}\n")
            return 1
        options.add(args[0])
        args = args[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        proc.error("usage: sudo -h | -K | -k | -V\nusage: sudo [-EHn] command [arg ...]\n")
        return 1
    try:
        path, _ = proc.find_executable(args[0])
    except OSErr as exc:
        proc.error(f"sudo: {args[0]}: command not found\n" if exc.errno == ENOENT
                   else f"sudo: unable to execute {args[0]}: {exc.strerror}\n")
        return 1
    command = " ".join([path] + args[1:])
    proc.kernel.vfs.write("/var/log/auth.log", f"sudo: {proc.user} : TTY=unknown ; PWD={proc.cwd} ; "
                          f"USER=root ; COMMAND={command}\n", append=True)
    env = dict(proc.env) if "-E" in options else _sudo_env(proc.env)
    env.update(_sudo_vars(proc, command))
    try:
        return proc.child(user="root", env=env).execvp(args)
    except OSErr as exc:
        proc.error(f"sudo: unable to execute {path}: {exc.strerror}\n")
        return 1


def _sudo_env(caller: dict[str, str]) -> dict[str, str]:
    """env_reset: the kept variables, then root's login variables."""
    env = {name: value for name, value in caller.items()
           if name in SUDO_KEEP or name.startswith("LC_") and not set(value) & {"/", "%"}
           or name in SUDO_CHECK and not set(value) & {"/", "%"}}
    env.update({"HOME": "/root", "MAIL": "/var/mail/root", "SHELL": "/bin/sh",
                "LOGNAME": "root", "USER": "root"})
    return env


def _sudo_vars(proc: Proc, command: str) -> dict[str, str]:
    caller = next((a for a in accounts(proc.read_file) if a.name == proc.user), None)
    return {"SUDO_COMMAND": command, "SUDO_USER": proc.user,
            "SUDO_UID": str(caller.uid if caller else 0), "SUDO_GID": str(caller.gid if caller else 0)}
