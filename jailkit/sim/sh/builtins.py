"""Built-in commands of the sim's sh (bin/sh/builtins.def): the special
builtins POSIX defines plus echo, printf, test and friends, which FreeBSD's
sh also builds in."""

from __future__ import annotations

import re

from typing import Callable

from ..errno import OSErr
from ..octets import decode, encode
from ..proc import SIGNALS, SIGTERM, Proc, kill, running, signal_number
from ...getopt import GetoptError, getopt
from ..vfs import Device, Dir, File, Symlink, setmode
from .shell import (BUILTINS, OPTION_NAMES, OPTIONS, ExitShell, Job, LoopControl,
                    ReturnFromFunction, Shell, ShellError, builtin)
from . import syntax as S
from .printf import printf


def _err(sh: Shell, message: str) -> None:
    sh.proc.error(f"{sh._prefix()}{message}\n")


@builtin(":", "true")
def _true(sh: Shell, argv: list[str]) -> int:
    return 0


@builtin("false")
def _false(sh: Shell, argv: list[str]) -> int:
    return 1


@builtin("exit")
def _exit(sh: Shell, argv: list[str]) -> int:
    raise ExitShell(_number(sh, argv, sh.status))


@builtin("return")
def _return(sh: Shell, argv: list[str]) -> int:
    raise ReturnFromFunction(_number(sh, argv, sh.status))


@builtin("break", "continue")
def _loopctl(sh: Shell, argv: list[str]) -> int:
    raise LoopControl(argv[0], _number(sh, argv, 1))


def _number(sh: Shell, argv: list[str], default: int) -> int:
    if len(argv) < 2:
        return default
    if not argv[1].lstrip("-").isdigit():
        _err(sh, f"{argv[0]}: Illegal number: {argv[1]}")
        raise ShellError()
    return int(argv[1]) & 0xFF if argv[0] == "exit" else int(argv[1])


@builtin("echo")
def _echo(sh: Shell, argv: list[str]) -> int:
    # bin/sh/bltin/echo.c: one option, the first word being exactly -n (no
    # newline) or -e (escapes); any other word, -ne and -en too, is printed.
    args = argv[1:]
    option = args.pop(0) if args and args[0] in ("-n", "-e") else None
    text = " ".join(args)
    if option == "-e":
        text, stopped = _echo_escapes(text)
        if stopped:         # \c: nothing more, not even the newline
            sh.proc.write(text)
            return 0
    sh.proc.write(text + ("" if option == "-n" else "\n"))
    return 0


@builtin("printf")
def _printf(sh: Shell, argv: list[str]) -> int:
    if len(argv) < 2:
        sh.proc.error("usage: printf format [arguments ...]\n")
        return 1
    text, errors = printf(argv[1], argv[2:])
    sh.proc.write(text)
    for message in errors:
        sh.proc.error(f"printf: {message}\n")
    return 1 if errors else 0


# echo -e's escapes write bytes (the sim's text: jailkit/sim/octets.py).
_ECHO_ESCAPES = {"a": b"\a", "b": b"\b", "e": b"\033", "f": b"\f", "n": b"\n", "r": b"\r",
                 "t": b"\t", "v": b"\v", "\\": b"\\"}


def _echo_escapes(text: str) -> tuple[str, bool]:
    r"""echo -e's text (bin/sh/bltin/echo.c): the escapes above, \0 and up
    to three octal digits one byte, \c the end of all output (True); any
    other backslash is printed as it is."""
    out = bytearray()
    i = 0
    while i < len(text):
        nxt = text[i + 1] if text[i] == "\\" and i + 1 < len(text) else None
        if nxt == "c":
            return decode(bytes(out)), True
        if nxt is not None and nxt in _ECHO_ESCAPES:
            out += _ECHO_ESCAPES[nxt]
            i += 2
        elif nxt == "0":
            digits = re.match("[0-7]{0,3}", text[i + 2:])
            assert digits is not None
            out.append(int(digits.group() or "0", 8) & 0xFF)   # a char holds eight bits
            i += 2 + len(digits.group())
        else:
            out += encode(text[i])
            i += 1
    return decode(bytes(out)), False



def _nextopt(sh: Shell, argv: list[str], letters: str) -> tuple[list[str], list[str]] | None:
    """bin/sh/options.c nextopt(): the option letters in the order given,
    and the operands ("-" alone is one, "--" ends the options); None, after
    sh's message, at a letter the built-in does not take."""
    args = argv[1:]
    flags: list[str] = []
    while args and args[0].startswith("-") and args[0] != "-":
        word = args.pop(0)
        if word == "--":
            break
        for letter in word[1:]:
            if letter not in letters:
                _err(sh, f"{argv[0]}: Illegal option -{letter}")
                return None
            flags.append(letter)
    return flags, args


def _physical(sh: Shell, path: str) -> str:
    """``path`` with its symbolic links resolved, as the shell's jail sees
    it (getcwd(3))."""
    resolved = sh.proc.resolve(path).path
    root = sh.proc.root.rstrip("/")
    return resolved[len(root):] or "/" if root else resolved


@builtin("pwd")
def _pwd(sh: Shell, argv: list[str]) -> int:
    """bin/sh/cd.c pwdcmd(): the logical directory (-L, the default), or
    with -P the physical one, symbolic links resolved."""
    parsed = _nextopt(sh, argv, "LP")
    if parsed is None:
        return 2
    flags, args = parsed
    if args:
        _err(sh, "pwd: too many arguments")
        return 2
    physical = _physical_option(flags)
    sh.proc.write((_physical(sh, sh.proc.cwd) if physical else sh.proc.cwd) + "\n")
    return 0


def _physical_option(flags: list[str]) -> bool:
    """-P given after any -L (each undoes the other)."""
    chosen = [f for f in flags if f in "LP"]
    return bool(chosen) and chosen[-1] == "P"


@builtin("cd")
def _cd(sh: Shell, argv: list[str]) -> int:
    """bin/sh/cd.c cdcmd(): -P takes the physical path, -L (the default)
    the logical one; -e matters only where the new directory's name cannot
    be found, never in the sim. "cd -" goes to $OLDPWD and an interactive
    shell prints where it went (docd())."""
    parsed = _nextopt(sh, argv, "eLP")
    if parsed is None:
        return 2
    flags, args = parsed
    if len(args) > 1:
        _err(sh, "cd: too many arguments")
        return 2
    target = args[0] if args else sh.vars.get("HOME", "/")
    announce = target == "-"
    if announce:
        if "OLDPWD" not in sh.vars:
            _err(sh, "cd: OLDPWD not set")
            return 2
        target = sh.vars["OLDPWD"]
    path = target if target.startswith("/") else f"{sh.proc.cwd.rstrip('/')}/{target}"
    try:
        node = sh.proc.kernel.vfs.lookup(path, root=sh.proc.root, cwd="/")
    except OSErr as exc:
        _err(sh, f"cd: {target}: {exc.strerror}")
        return 2
    if not isinstance(node, Dir):
        _err(sh, f"cd: {target}: Not a directory")
        return 2
    sh.vars["OLDPWD"] = sh.proc.cwd
    sh.proc.cwd = _physical(sh, path) if _physical_option(flags) else _normalise(path)
    sh.vars["PWD"] = sh.proc.cwd
    if announce and "interactive" in sh.options:
        sh.proc.write(sh.proc.cwd + "\n")
    return 0


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
        else:
            parts.append(part)
    return "/" + "/".join(parts)


@builtin("export", "readonly")
def _export(sh: Shell, argv: list[str]) -> int:
    """bin/sh/var.c exportcmd(): mark the names (after NAME=VALUE's
    assignment) exported or read-only; without names, list those marked."""
    marked = sh.readonly if argv[0] == "readonly" else sh.exported
    args = [a for a in argv[1:] if a != "-p"]
    if not args:
        _list_marked(sh, argv[0], marked, values="-p" in argv[1:])
        return 0
    for arg in args:
        name, eq, value = arg.partition("=")
        if eq:
            sh.assignable(name)
            sh.vars[name] = value
        marked.add(name)
    return 0


def _list_marked(sh: Shell, command: str, marked: set[str], values: bool) -> None:
    """`export` and `readonly` alone list the names marked; with -p, a
    command that would mark each again, with its value when it has one
    (var.c exportcmd())."""
    for name in sorted(marked):
        if not values:
            sh.proc.write(f"{name}\n")
        elif name in sh.vars:
            sh.proc.write(f"{command} {name}={_quote(sh.vars[name])}\n")
        elif command == "readonly":
            sh.proc.write(f"{command} {name}\n")


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'" if re.search(r"[^\w@%+=:,./-]", value) or not value else value


@builtin("unset")
def _unset(sh: Shell, argv: list[str]) -> int:
    functions = "-f" in argv
    status = 0
    for name in (a for a in argv[1:] if a not in ("-f", "-v")):
        if functions:
            sh.functions.pop(name, None)
        elif name in sh.readonly:
            status = 1      # var.c unsetvar(): a read-only variable stays
        else:
            sh.vars.pop(name, None)
            sh.exported.discard(name)
    return status


@builtin("local")
def _local(sh: Shell, argv: list[str]) -> int:
    if not sh.locals:
        _err(sh, "local: not in a function")
        return 2
    for arg in argv[1:]:
        name, eq, value = arg.partition("=")
        if eq:
            sh.assignable(name)     # var.c mklocal() assigns through setvareq()
        sh.locals[-1].setdefault(name, sh.vars.get(name))
        if eq:
            sh.vars[name] = value
    return 0


@builtin("set")
def _set(sh: Shell, argv: list[str]) -> int:
    """bin/sh/options.c setcmd() and options(): -X and +X turn options on
    and off, -o NAME and +o NAME by name, `set -o` and `set +o` list them;
    "-" ends the options and turns -x and -v off, "--" ends them and sets
    the positional parameters even to none; the words left become them."""
    args = argv[1:]
    if not args:
        for name in sorted(sh.vars):
            sh.proc.write(f"{name}={_quote(sh.vars[name])}\n")
        return 0
    replace = False
    while args and args[0][:1] in ("-", "+"):
        word = args.pop(0)
        on = word.startswith("-")
        if word in ("-", "--"):
            if word == "-":
                sh.set_option("xtrace", False)
                sh.set_option("verbose", False)
            replace = word == "--"
            break
        for letter in word[1:]:
            if letter == "o":
                if not args:
                    _list_options(sh, on)
                    continue
                name = args.pop(0)
                if name not in {option for _, option in OPTIONS}:
                    _err(sh, f"set: Illegal option -o {name}")
                    raise ShellError()
                sh.set_option(name, on)
            elif letter in OPTION_NAMES:
                sh.set_option(OPTION_NAMES[letter], on)
            else:
                _err(sh, f"set: Illegal option -{letter}")
                raise ShellError()
    if args or replace:
        sh.args = args
    return 0


def _list_options(sh: Shell, on: bool) -> None:
    """minus_o(): `set -o` a table of every option, `set +o` the commands
    that would set them all again."""
    if on:
        sh.proc.write("Current option settings\n" + "".join(
            f"{name:<16}{'on' if name in sh.options else 'off'}\n" for _, name in OPTIONS))
    else:
        sh.proc.write("".join(f"set {'-o' if name in sh.options else '+o'} {name}\n"
                              for _, name in OPTIONS))


@builtin("shift")
def _shift(sh: Shell, argv: list[str]) -> int:
    count = _number(sh, argv, 1)
    if count > len(sh.args):
        _err(sh, "shift: can't shift that many")
        return 2
    sh.args = sh.args[count:]
    return 0


@builtin("eval")
def _eval(sh: Shell, argv: list[str]) -> int:
    source = " ".join(argv[1:])
    try:
        return sh.run_list(S.parse(source))
    except S.ShellSyntaxError as exc:
        _err(sh, f"Syntax error: {exc}")
        raise ShellError() from exc


@builtin(".")
def _dot(sh: Shell, argv: list[str]) -> int:
    if len(argv) < 2:
        return 0
    name = argv[1]
    vfs = sh.proc.kernel.vfs
    candidates = [name] if "/" in name else [
        f"{d}/{name}" for d in sh.vars.get("PATH", "").split(":") if d]
    for candidate in candidates:
        try:
            node = vfs.lookup(candidate, **sh.proc.where())
        except OSErr:
            continue
        if isinstance(node, File):
            return sh.source(candidate, node)
    _err(sh, f".: cannot open {name}: No such file or directory")
    raise ShellError()


@builtin("exec")
def _exec(sh: Shell, argv: list[str]) -> int:
    raise ExitShell(sh.exec_external(argv[1:], sh.environ()))


@builtin("hash")
def _accepted(sh: Shell, argv: list[str]) -> int:
    # No command hashing in the sim: accepted.
    return 0


@builtin("ulimit")
def _ulimit(sh: Shell, argv: list[str]) -> int:
    """ulimit without operands prints the file size limit, which is
    unlimited (bin/sh/miscbltin.c ulimitcmd(), -f the default resource);
    the sim keeps no resource limits to show or set (-a, -n ...)."""
    words = argv[1:]
    if words[:1] == ["--"]:
        words = words[1:]
    if not words:
        sh.proc.write("unlimited\n")
        return 0
    if words[0].startswith("-") and len(words[0]) > 1:
        _err(sh, f"ulimit: option -{words[0][1]} is not modelled by the jailkit sim")
    else:
        _err(sh, "ulimit: setting a limit is not modelled by the jailkit sim")
    return 2


# -- traps and jobs ------------------------------------------------------------------
@builtin("trap")
def _trap(sh: Shell, argv: list[str]) -> int:
    """trap [-l] [action condition ...] (bin/sh/trap.c trapcmd): EXIT (0) runs
    when the shell ends; "-" resets, "" ignores; without operands, the
    traps set, as commands that set them again; -l the signal names."""
    parsed = _nextopt(sh, argv, "l")
    if parsed is None:
        raise ShellError()      # trap is a special built-in
    flags, args = parsed
    if flags:
        sh.proc.write(_signal_list())
        return 0
    if not args:
        for condition, text in sh.traps.items():
            sh.proc.write(f"trap -- {_quote(text)} {condition}\n")
        return 0
    if args[0].isdigit():           # all operands are conditions, to reset
        action: str | None = None
    else:
        action = None if args[0] == "-" else args[0]
        args = args[1:]
    status = 0
    for condition in args:
        name = _condition(condition)
        if name is None:
            _err(sh, f"trap: bad signal {condition}")
            status = 1
        elif action is None:
            sh.traps.pop(name, None)
        else:
            sh.traps[name] = action
    return status


def _signal_list() -> str:
    """trap -l (trap.c printsignals()): the names of signals 1 to 31,
    a new line once a line passes 71 columns."""
    lines, line = [], ""
    for number in range(1, 32):
        line += SIGNALS[number]
        if len(line) + 1 > 71 or number == 31:
            lines.append(line + "\n")
            line = ""
        else:
            line += " "
    return "".join(lines)


def _condition(text: str) -> str | None:
    if text in ("0", "EXIT"):
        return "EXIT"
    signo = signal_number(text)
    return SIGNALS.get(signo) if signo else None


def _find_job(sh: Shell, spec: str) -> Job | None:
    """%N, %+ / %% (the current job), %- or a process ID."""
    if spec in ("%", "%%", "%+"):
        return sh.jobs[-1] if sh.jobs else None
    if spec == "%-":
        return sh.jobs[-2] if len(sh.jobs) > 1 else None
    if spec.startswith("%") and spec[1:].isdigit():
        return next((j for j in sh.jobs if j.number == int(spec[1:])), None)
    if spec.isdigit():
        return next((j for j in sh.jobs if j.pid == int(spec)), None)
    return None


@builtin("wait")
def _wait(sh: Shell, argv: list[str]) -> int:
    """wait [job ...] (bin/sh/jobs.c waitcmd): without operands, for every
    job, and 0; else the last job's status, 127 for one that is not a job of
    this shell."""
    if len(argv) == 1:
        for each in list(sh.jobs):
            sh.wait_job(each)
        sh.jobs.clear()
        return 0
    status = 0
    for spec in argv[1:]:
        job = _find_job(sh, spec)
        if job is None:
            if spec.startswith("%"):
                _err(sh, f"wait: No such job: {spec}")
            status = 127
            continue
        status = sh.wait_job(job)
        sh.jobs.remove(job)
    return status


@builtin("jobs")
def _jobs(sh: Shell, argv: list[str]) -> int:
    """jobs [-lps] (bin/sh/jobs.c jobscmd(), showjob()): "[N] + State"
    (-l with the process ID after the mark) padded to column 30, then the
    command; -p the process group IDs, -s the process IDs, each job's one
    process in the sim being its group's leader. A finished job is shown
    once, then forgotten."""
    parsed = _nextopt(sh, argv, "lps")
    if parsed is None:
        return 2
    flags, _ = parsed
    mode = flags[-1] if flags else ""      # the last one given wins
    for index, job in enumerate(list(sh.jobs)):
        status = sh.job_status(job)
        if mode in ("p", "s"):
            sh.proc.write(f"{job.pid}\n")
            continue
        mark = "+" if index == len(sh.jobs) - 1 else "-" if index == len(sh.jobs) - 2 else " "
        state = "Running" if status is None else "Done" if status == 0 else (
            SIGNALS.get(status - 128, "Done").replace("TERM", "Terminated").replace(
                "KILL", "Killed").replace("INT", "Interrupt") if status > 128 else f"Done({status})")
        pid = f"{job.pid} " if mode == "l" else ""
        head = f"[{job.number}] {mark} {pid}{state}"
        sh.proc.write(f"{head:<30}{job.command}\n")
        if status is not None:
            sh.jobs.remove(job)
    return 0


KILL_USAGE = ("usage: kill [-s signal_name] pid ...\n"
              "       kill -l [exit_status]\n"
              "       kill -signal_name pid ...\n"
              "       kill -signal_number pid ...\n")


@builtin("kill")
def _kill(sh: Shell, argv: list[str]) -> int:
    return kill_main(sh.proc, argv, lambda spec: _find_job(sh, spec))


def kill_main(proc: Proc, argv: list[str],
              find_job: Callable[[str], Job | None] | None = None) -> int:
    """kill(1) (bin/kill/kill.c, also sh's built-in, which takes %job too)."""
    args = argv[1:]
    signo = SIGTERM
    if args and args[0] == "-l":
        return _kill_list(proc, args[1:])
    if args and args[0] == "-s":
        if len(args) < 2:
            proc.error("kill: option requires an argument -- s\n" + KILL_USAGE)
            return 2
        args, name = args[2:], args[1]
        found = signal_number(name)
        if found is None:
            return _bad_signal(proc, name)
        signo = found
    elif args and args[0].startswith("-") and args[0] != "--" and len(args[0]) > 1:
        found = signal_number(args[0][1:])
        if found is None:
            return _bad_signal(proc, args[0][1:])
        signo, args = found, args[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        proc.error(KILL_USAGE)
        return 2
    status = 0
    for operand in args:
        job = find_job(operand) if find_job is not None else None
        if operand.startswith("%") and job is None:
            proc.error(f"kill: No such job: {operand}\n" if find_job else
                       f"kill: illegal process id: {operand}\n")
            status = 1
            continue
        if job is None and not operand.isdigit():
            proc.error(f"kill: illegal process id: {operand}\n")
            status = 2
            continue
        pid = job.pid if job is not None else int(operand)
        try:
            handled = kill(proc, pid, signo)
        except OSErr as exc:
            proc.error(f"kill: {operand}: {exc.strerror}\n")
            status = 1
            continue
        if job is not None and signo and job.status is None and not running(proc.kernel, pid):
            job.status = 0 if handled else 128 + signo
    return status


def _kill_list(proc: Proc, args: list[str]) -> int:
    if args:
        if not args[0].isdigit():
            proc.error(f"kill: illegal signal number: {args[0]}\n")
            return 2
        number = int(args[0])
        number = number - 128 if number > 128 else number
        if number not in SIGNALS:
            proc.error(f"kill: unknown signal {args[0]}; valid signals:\n")
            return 2
        proc.write(SIGNALS[number] + "\n")
        return 0
    proc.write(" ".join(SIGNALS.values()) + "\n")
    return 0


def _bad_signal(proc: Proc, name: str) -> int:
    proc.error(f"kill: unknown signal {name}; valid signals:\n{' '.join(SIGNALS.values())}\n")
    return 2


@builtin("umask")
def _umask(sh: Shell, argv: list[str]) -> int:
    """bin/sh/miscbltin.c umaskcmd(): show the mask as four octal digits,
    or with -S the permissions it lets through (u=rwx,g=rx,o=rx); set it
    from octal digits or a symbolic mode (setmode(3)). The shell keeps it
    and its subshells inherit it; the sim's programs still create files
    with their own fixed modes."""
    parsed = _nextopt(sh, argv, "S")
    if parsed is None:
        return 2
    flags, args = parsed
    if not args:
        sh.proc.write(_umask_symbolic(sh.umask) if flags else f"{sh.umask:04o}\n")
        return 0
    text = args[0]
    if text[:1].isdigit():
        if not set(text) <= set("01234567"):
            _err(sh, f"umask: Illegal number: {text}")
            return 2
        sh.umask = int(text, 8) & 0o7777     # umask(2) keeps ALLPERMS
        return 0
    if re.search(r"[Xstugo]", re.sub(r"^[ugoa]*|,[ugoa]*", ",", text)):
        _err(sh, f"umask: the symbolic mode {text} is not modelled by the jailkit sim")
        return 2
    # miscbltin.c: getmode(setmode(text), ~mask & 0777)
    allowed = setmode(text, ~sh.umask & 0o777, False, sh.umask)
    if allowed is None:
        _err(sh, f"umask: Illegal number: {text}")
        return 2
    sh.umask = ~allowed & 0o777
    return 0


def _umask_symbolic(mask: int) -> str:
    """umask -S: for u, g and o, the permissions the mask does not take."""
    parts = []
    for who, shift in (("u", 6), ("g", 3), ("o", 0)):
        bits = ~mask >> shift & 0o7
        parts.append(who + "=" + "".join(c for c, b in (("r", 4), ("w", 2), ("x", 1)) if bits & b))
    return ",".join(parts) + "\n"


@builtin("read")
def _read(sh: Shell, argv: list[str]) -> int:
    try:
        opts, names = getopt(argv[1:], "rp:t:")
    except GetoptError as exc:
        _err(sh, f"read: {exc}")
        return 2
    raw = any(flag == "r" for flag, _ in opts)
    line = sh.proc.stdin.readline()
    if line is None:
        for name in names or ["REPLY"]:
            sh.set_var(name, "")
        return 1
    line = line.rstrip("\n")
    if not raw:
        line = re.sub(r"\\(.)", r"\1", line)
    names = names or ["REPLY"]
    fields = _ifs_split(line, sh.vars.get("IFS", " \t\n"), len(names))
    for i, name in enumerate(names):
        sh.set_var(name, fields[i] if i < len(fields) else "")
    return 0


def _ifs_split(line: str, ifs: str, count: int) -> list[str]:
    """read's field splitting: on the characters of IFS only (a carriage
    return is data unless IFS holds it); the last field takes the rest, less
    trailing IFS white space."""
    white = "".join(c for c in ifs if c in " \t\n")
    if not ifs:
        return [line]
    fields: list[str] = []
    rest = line.lstrip(white)
    while rest and len(fields) < count - 1:
        cut = next((i for i, c in enumerate(rest) if c in ifs), None)
        if cut is None:
            break
        fields.append(rest[:cut])
        rest = rest[cut + 1:].lstrip(white)
    if rest or len(fields) < count:
        fields.append(rest.rstrip(white) if rest else "")
    return fields


@builtin("command", "type")
def _command(sh: Shell, argv: list[str]) -> int:
    if argv[0] == "command" and (len(argv) < 2 or argv[1] not in ("-v", "-V")):
        return sh.exec_external(argv[1:], sh.environ()) if len(argv) > 1 else 0
    names = argv[2:] if argv[0] == "command" else argv[1:]
    status = 0
    for name in names:
        if name in sh.functions:
            sh.proc.write(f"{name}\n" if argv[0] == "command" else f"{name} is a shell function\n")
        elif name in BUILTINS:
            sh.proc.write(f"{name}\n" if argv[0] == "command" else f"{name} is a shell builtin\n")
        else:
            try:
                path, _ = sh.proc.find_executable(name)
                sh.proc.write(f"{path}\n" if argv[0] == "command" else f"{name} is {path}\n")
            except OSErr:
                status = 127 if argv[0] == "type" else 1
                if argv[0] == "type":
                    sh.proc.write(f"{name}: not found\n")
    return status


# -- test(1) ----------------------------------------------------------------
class _TestSyntax(Exception):
    pass


@builtin("test", "[")
def _test(sh: Shell, argv: list[str]) -> int:
    return run_test(sh.proc, argv)


def run_test(proc: Proc, argv: list[str]) -> int:
    """test(1) as bin/test/test.c evaluates it; 2 on a syntax error."""
    name = argv[0].rsplit("/", 1)[-1]
    args = argv[1:]
    if name == "[":
        if not args or args[-1] != "]":
            proc.error("[: missing ]\n")
            return 2
        args = args[:-1]
    if len(args) == 2 and args[0] in _UNARY:
        # `test -f FILE`, the common form: what the grammar below makes of it
        return 0 if _unary(proc, args[0], args[1]) else 1
    try:
        value, rest = _t_or(proc, args)
        if rest:
            raise _TestSyntax(f"{rest[0]}: unexpected operator")
    except _TestSyntax as exc:
        proc.error(f"{name}: {exc}\n")
        return 2
    return 0 if value else 1


def _t_or(proc: Proc, args: list[str]) -> tuple[bool, list[str]]:
    value, args = _t_and(proc, args)
    while args and args[0] == "-o":
        right, args = _t_and(proc, args[1:])
        value = value or right
    return value, args


def _t_and(proc: Proc, args: list[str]) -> tuple[bool, list[str]]:
    value, args = _t_not(proc, args)
    while args and args[0] == "-a":
        right, args = _t_not(proc, args[1:])
        value = value and right
    return value, args


def _t_not(proc: Proc, args: list[str]) -> tuple[bool, list[str]]:
    if args and args[0] == "!" and len(args) > 1:
        value, rest = _t_not(proc, args[1:])
        return not value, rest
    return _t_primary(proc, args)


# bin/test/test.c's operators: "==" is STREQ as "=" is.
_BINARY = {"=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef"}
_UNARY = set("-e -f -d -L -h -s -r -w -x -z -n -b -c -p -S -u -g -k".split())
# the set-user-ID, set-group-ID and sticky bits -u, -g and -k test
_MODE_BITS = {"-u": 0o4000, "-g": 0o2000, "-k": 0o1000}


def _t_primary(proc: Proc, args: list[str]) -> tuple[bool, list[str]]:
    if not args:
        raise _TestSyntax("argument expected")
    if args[0] == "(" and ")" in args:
        value, rest = _t_or(proc, args[1:])
        if not rest or rest[0] != ")":
            raise _TestSyntax("closing paren expected")
        return value, rest[1:]
    if len(args) >= 3 and args[1] in _BINARY:
        return _binary(proc, args[0], args[1], args[2]), args[3:]
    if args[0] in _UNARY and len(args) >= 2:
        return _unary(proc, args[0], args[1]), args[2:]
    if args[0] in _UNARY and len(args) == 1:
        return True, []
    return args[0] != "", args[1:]


def _binary(proc: Proc, a: str, op: str, b: str) -> bool:
    if op in ("=", "=="):
        return a == b
    if op == "!=":
        return a != b
    if op in ("-nt", "-ot", "-ef"):
        return _files(proc, a, op, b)
    try:
        x, y = int(a), int(b)
    except ValueError:
        bad = a if not a.lstrip("-").isdigit() else b
        raise _TestSyntax(f"{bad}: bad number") from None
    return {"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y, "-gt": x > y,
            "-ge": x >= y}.get(op, False)


def _unary(proc: Proc, op: str, operand: str) -> bool:
    if op == "-z":
        return operand == ""
    if op == "-n":
        return operand != ""
    vfs = proc.kernel.vfs
    if op in ("-L", "-h"):
        try:
            node = vfs.lookup(operand, follow=False, **proc.where())
        except OSErr:
            return False
        return isinstance(node, Symlink)
    # (find: a missing file, the common answer, without an exception)
    found = vfs.find(operand, **proc.where())
    if found is None:
        return False
    node = found
    if op == "-f":
        return isinstance(node, File)
    if op == "-d":
        return isinstance(node, Dir)
    if op == "-s":
        return isinstance(node, File) and node.data != "" or isinstance(node, Dir)
    if op == "-x":
        return bool(node.mode & 0o111)
    if op == "-c":
        return isinstance(node, Device)     # devfs's nodes are character devices
    if op in ("-b", "-p", "-S"):
        return False        # the sim has no block devices, fifos or sockets in its files
    if op in _MODE_BITS:
        return bool(node.mode & _MODE_BITS[op])
    return True             # -e, and -r and -w for the sim's users


def _files(proc: Proc, a: str, op: str, b: str) -> bool:
    """-ef: the same file; -nt and -ot (test.c newerf(), olderf()) are
    false unless both files exist, and past that need modification times,
    which the sim's files do not have."""
    first = proc.kernel.vfs.find(a, **proc.where())
    second = proc.kernel.vfs.find(b, **proc.where())
    if first is None or second is None:
        return False
    if op == "-ef":
        return first is second
    raise _TestSyntax(f"option {op} is not modelled by the jailkit sim")

