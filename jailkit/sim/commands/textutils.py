"""Text filters of usr.bin: grep, head, tail, wc, cut, tr, sort, uniq, tee,
and the stand-alone echo, printf and test. Exit statuses follow their man
pages (grep: 0 a line matched, 1 none did, 2 an error)."""

from __future__ import annotations

import re
from typing import Callable

from ..errno import EILSEQ, EISDIR, OSErr, strerror
from ...getopt import GetoptError, getopt, option_arguments, option_flags, option_values
from ..proc import Proc, ctype_locale, program
from ..regex import RegexError, translate
from ..vfs import Dir, File
from ..sh.builtins import run_test
from ..sh.printf import printf as format_printf


def _inputs(proc: Proc, files: list[str]) -> list[tuple[str, str | None]]:
    """(name, text) per input; text None when the file cannot be read.
    Operands often share their directory (a glob's matches: ``head dir/*``);
    a filter writes nothing while it reads, so the directory looked up once
    holds for every file in it, and each is one name in it: the lookup
    namei would make again per file (vfs.read of the whole path when it is
    not that plain: a link, "..", a device)."""
    out: list[tuple[str, str | None]] = []
    folders: dict[str, Dir | None] = {}
    for name in files or ["-"]:
        if name == "-":
            out.append(("(standard input)", proc.stdin.read()))
            continue
        folder, _, base = name.rpartition("/")
        if folder not in folders:
            folders[folder] = _folder(proc, folder)
        directory = folders[folder]
        # a name's entry as vfs.child finds it: a file is never covered
        node = directory.entries.get(base) if directory is not None and base not in _DOTS else None
        if isinstance(node, File):
            out.append((name, node.data))
            continue
        try:
            out.append((name, proc.kernel.vfs.read(name, **proc.where())))
        except OSErr as exc:
            proc.warn(name, exc)
            out.append((name, None))
    return out


def _folder(proc: Proc, folder: str) -> Dir | None:
    """The directory ``folder`` names ("" too: an operand without a slash,
    or right under /), None when its files are read by their whole path."""
    if folder in _DOTS:
        return None
    found = proc.kernel.vfs.find(folder, **proc.where())
    return found if isinstance(found, Dir) else None


_DOTS = ("", ".", "..")


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


@program("/usr/bin/grep", "/usr/bin/egrep", "/usr/bin/fgrep")
def grep(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "A:B:C:EFHLce:f:hilnoqrsvwx")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error("usage: grep [-abcdDEFGHhIiLlmnOopqRSsUVvwxz] [-A num] [-B num] [-C[num]]\n"
                   "\t[-e pattern] [-f file] [--binary-files=value] [--color=when]\n"
                   "\t[--context[=num]] [--directories=action] [--label] [--line-buffered]\n"
                   "\t[--null] [pattern] [file ...]\n")
        return 2
    flags = {f for f, _ in opts}
    patterns = option_arguments(opts, "e")
    if not patterns:
        if not args:
            proc.error("usage: grep [-abcdDEFGHhIiLlmnOopqRSsUVvwxz] [pattern] [file ...]\n")
            return 2
        patterns, args = [args[0]], args[1:]
    mode = "E" if "E" in flags or proc.progname == "egrep" else "F" if "F" in flags or proc.progname == "fgrep" else "G"
    compiled: list[re.Pattern[str]] = []
    for pattern in patterns:
        try:
            # regcomp(3), basic unless -E; grep.c reports regerror's text, status 2
            regex = re.escape(pattern) if mode == "F" else translate(pattern, extended=mode == "E")[0]
        except RegexError as exc:
            proc.warnx(str(exc))
            return 2
        if "w" in flags:
            regex = rf"\b(?:{regex})\b"
        if "x" in flags:
            regex = rf"^(?:{regex})$"
        compiled.append(re.compile(regex, re.I if "i" in flags else 0))
    inputs = _inputs(proc, args)
    multiple = len(inputs) > 1 and "h" not in flags
    matched_any = False
    error = False
    for name, text in inputs:
        if text is None:
            error = True
            continue
        count = 0
        for number, line in enumerate(_lines(text), 1):
            body = line.rstrip("\n")
            hit = any(p.search(body) for p in compiled) != ("v" in flags)
            if not hit:
                continue
            count += 1
            matched_any = True
            if flags & {"q", "l", "L", "c"}:
                continue
            prefix = (f"{name}:" if multiple else "") + (f"{number}:" if "n" in flags else "")
            if "o" in flags and "v" not in flags:
                for p in compiled:
                    for m in p.finditer(body):
                        if m.group(0):      # util.c procline(): an empty match is not printed
                            proc.write(f"{prefix}{m.group(0)}\n")
            else:
                proc.write(f"{prefix}{body}\n")
        if "q" in flags and matched_any:
            return 0
        if "c" in flags:
            proc.write(f"{name}:{count}\n" if multiple else f"{count}\n")
        if "l" in flags and count:
            proc.write(f"{name}\n")
        if "L" in flags and not count:
            proc.write(f"{name}\n")
    if error and not ("q" in flags and matched_any):
        return 2
    return 0 if matched_any else 1


def _count_option(proc: Proc, argv: list[str], usage: str) -> tuple[int, list[str]] | None:
    args = list(argv[1:])
    count = 10
    if args and re.fullmatch(r"-\d+", args[0]):
        count = int(args.pop(0)[1:])
    try:
        opts, files = getopt(args, "c:n:qv")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(usage + "\n")
        return None
    for value in option_arguments(opts, "n"):
        if not value.lstrip("+-").isdigit():
            proc.warnx(f"illegal line count -- {value}")
            return None
        count = int(value)
    return count, files


@program("/usr/bin/head")
def head(proc: Proc, argv: list[str]) -> int:
    parsed = _count_option(proc, argv, "usage: head [-n lines | -c bytes] [file ...]")
    if parsed is None:
        return 1
    count, files = parsed
    status = 0
    several = len(files) > 1
    out: list[str] = []
    for name, text in _inputs(proc, files):
        if text is None:
            status = 1
            continue
        if several:
            # a blank line before every header but the first printed, not
            # the first operand's (usr.bin/head/head.c: its "first" flag)
            out.append(f"\n==> {name} <==\n" if out else f"==> {name} <==\n")
        out.append(_first_lines(text, count))
    proc.write("".join(out))
    return status


def _first_lines(text: str, count: int) -> str:
    """The first ``count`` lines of ``text`` (all of it when it has no
    more: a record read whole is one count of its line breaks, not a
    list of its lines, and one shorter than the count in characters is
    not even counted: head -n INT_MAX of many files)."""
    if count < 0:
        return "".join(_lines(text)[:count])
    if len(text) < count or text.count("\n") < count:
        return text
    end = -1
    for _ in range(count):
        end = text.find("\n", end + 1)
        if end < 0:
            return text
    return text[:end + 1]


@program("/usr/bin/tail")
def tail(proc: Proc, argv: list[str]) -> int:
    parsed = _count_option(proc, argv, "usage: tail [-F | -f | -r] [-qv] [-b # | -c # | -n #] [file ...]")
    if parsed is None:
        return 1
    count, files = parsed
    # tail(1): -n +N starts at line N instead of counting from the end
    from_start = any(a.startswith("+") or a.startswith("-n+") for a in argv[1:]) or \
        any(argv[i] == "-n" and argv[i + 1].startswith("+") for i in range(1, len(argv) - 1))
    status = 0
    for _, text in _inputs(proc, files):
        if text is None:
            status = 1
            continue
        lines = _lines(text)
        if from_start:
            proc.write("".join(lines[max(count, 1) - 1:]))
        else:
            proc.write("".join(lines[-count:] if count else []))
    return status


@program("/usr/bin/wc")
def wc(proc: Proc, argv: list[str]) -> int:
    # usr.bin/wc/wc.c: -c and -m replace each other; with none of -clmwL,
    # -lwc. Several operands end with a total line; "-" is a file's name.
    try:
        opts, files = getopt(argv[1:], "clmwL")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error("usage: wc [-Lclmw] [file ...]\n")
        return 1
    flags: set[str] = set()
    for flag, _ in opts:
        flags = (flags - {"c", "m"} if flag in "cm" else flags) | {flag}
    flags = flags or {"l", "w", "c"}
    # characters, not bytes, only for -m in a multibyte locale
    multi = "m" in flags and "UTF-8" in ctype_locale(proc.env)
    totals = [0, 0, 0, 0]
    status = 0
    operands: list[str | None] = [*files] or [None]     # None: standard input
    for name in operands:
        try:
            text = proc.stdin.read() if name is None else proc.kernel.vfs.read(name, **proc.where())
        except OSErr as exc:
            # open(2) takes a directory; read(2) refuses it
            proc.warnx(f"{name}: {'read' if exc.errno == EISDIR else 'open'}: {exc.strerror}")
            status = 1
            continue
        counts = _wc_counts(text if multi else text.encode("utf-8", "surrogateescape")
                            .decode("latin-1"))
        if multi and any(0xDC80 <= ord(c) <= 0xDCFF for c in text):
            proc.warnx(f"{name or 'stdin'}: {strerror(EILSEQ)}")     # once a file
        totals = [max(t, n) if i == 3 else t + n for i, (t, n) in enumerate(zip(totals, counts))]
        proc.write(_wc_line(flags, counts, name))
    if len(files) > 1:
        proc.write(_wc_line(flags, totals, "total"))
    return status


def _wc_counts(text: str) -> list[int]:
    """Lines, words, characters and the longest line of ``text``, whose
    characters are the bytes (C locale) or the multibyte characters that wc
    counts; words are what isspace() separates, and only a line ended by a
    newline counts as the longest."""
    lines = text.split("\n")
    longest = max(map(len, lines[:-1]), default=0)
    return [len(lines) - 1, len(_WORD.findall(text)), len(text), longest]


_WORD = re.compile(r"[^ \t\n\v\f\r]+")


def _wc_line(flags: set[str], counts: list[int], name: str | None) -> str:
    """show_cnt(): each count asked for after a space, at least 7 wide."""
    shown = [n for flag, n in zip("lwcL", counts) if flag in flags or (flag == "c" and "m" in flags)]
    return "".join(f" {n:7d}" for n in shown) + (f" {name}" if name is not None else "") + "\n"


@program("/usr/bin/cut")
def cut(proc: Proc, argv: list[str]) -> int:
    try:
        opts, files = getopt(argv[1:], "b:c:d:f:ns")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error("usage: cut -b list [-n] [file ...]\n       cut -c list [file ...]\n"
                   "       cut -f list [-s] [-w | -d delim] [file ...]\n")
        return 1
    flags = option_flags(opts)
    values = option_values(opts)
    delimiter = values.get("d", "\t")
    spec = values.get("f") or values.get("c") or values.get("b")
    if not spec:
        proc.error("usage: cut -b list [-n] [file ...]\n       cut -c list [file ...]\n"
                   "       cut -f list [-s] [-w | -d delim] [file ...]\n")
        return 1
    wanted = _ranges(spec)
    status = 0
    for _, text in _inputs(proc, files):
        if text is None:
            status = 1
            continue
        for line in text.splitlines():
            if "f" in values:
                if delimiter not in line:
                    if "s" not in flags:
                        proc.write(line + "\n")
                    continue
                parts = line.split(delimiter)
                proc.write(delimiter.join(p for i, p in enumerate(parts, 1) if wanted(i)) + "\n")
            else:
                proc.write("".join(c for i, c in enumerate(line, 1) if wanted(i)) + "\n")
    return status


def _ranges(spec: str) -> Callable[[int], bool]:
    """A cut list (1-3,5,7-) as a test of a field's or character's number."""
    ranges: list[tuple[int, int]] = []
    for item in spec.split(","):
        start, dash, end = item.partition("-")
        low = int(start) if start else 1
        high = int(end) if end else (10**9 if dash else low)
        ranges.append((low, high))
    return lambda n: any(low <= n <= high for low, high in ranges)


@program("/usr/bin/tr")
def tr(proc: Proc, argv: list[str]) -> int:
    try:
        opts, sets = getopt(argv[1:], "Ccdsu")
    except GetoptError as exc:
        proc.warnx(str(exc))
        return 1
    flags = {f for f, _ in opts}
    text = proc.stdin.read()
    first = _charset(sets[0]) if sets else ""
    if "d" in flags:
        text = "".join(c for c in text if c not in first)
    elif len(sets) >= 2:
        second = _charset(sets[1])
        second += second[-1:] * max(0, len(first) - len(second))
        text = text.translate(str.maketrans(first, second[: len(first)]))
    if "s" in flags:
        squeeze = _charset(sets[-1])
        text = re.sub("([" + re.escape(squeeze) + "])\\1+", r"\1", text)
    proc.write(text)
    return 0


def _charset(spec: str) -> str:
    classes = {"[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "[:lower:]": "abcdefghijklmnopqrstuvwxyz",
               "[:digit:]": "0123456789", "[:space:]": " \t\n\r\f\v"}
    for name, chars in classes.items():
        spec = spec.replace(name, chars)
    out: list[str] = []
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            out.extend(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
            i += 3
        elif spec[i] == "\\" and i + 1 < len(spec):
            # tr(1)'s escapes: \\n \\t \\r \\\\ and \\NNN (octal)
            octal = re.match(r"[0-7]{1,3}", spec[i + 1:])
            if octal:
                out.append(chr(int(octal.group(0), 8)))
                i += 1 + len(octal.group(0))
            else:
                out.append({"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f",
                            "v": "\v"}.get(spec[i + 1], spec[i + 1]))
                i += 2
        else:
            out.append(spec[i])
            i += 1
    return "".join(out)


@program("/usr/bin/sort")
def sort(proc: Proc, argv: list[str]) -> int:
    try:
        opts, files = getopt(argv[1:], "bfnruk:t:")
    except GetoptError as exc:
        proc.warnx(str(exc))
        return 2
    flags = {f for f, _ in opts}
    lines = [line for _, text in _inputs(proc, files) if text is not None for line in text.splitlines()]

    def key(line: str) -> tuple[float, str] | str:
        if "n" in flags:
            match = re.match(r"\s*(-?\d+(?:\.\d+)?)", line)
            return (float(match.group(1)) if match else 0.0, line)
        return line.lower() if "f" in flags else line
    lines.sort(key=key, reverse="r" in flags)
    if "u" in flags:
        lines = list(dict.fromkeys(lines))
    proc.write("".join(line + "\n" for line in lines))
    return 0


@program("/usr/bin/uniq")
def uniq(proc: Proc, argv: list[str]) -> int:
    try:
        opts, files = getopt(argv[1:], "cdu")
    except GetoptError as exc:
        proc.warnx(str(exc))
        return 1
    flags = {f for f, _ in opts}
    text = _inputs(proc, files[:1])[0][1] or ""
    groups: list[list[str]] = []
    for line in text.splitlines():
        if groups and groups[-1][0] == line:
            groups[-1].append(line)
        else:
            groups.append([line])
    for group in groups:
        if ("d" in flags and len(group) < 2) or ("u" in flags and len(group) > 1):
            continue
        proc.write((f"{len(group):4d} " if "c" in flags else "") + group[0] + "\n")
    return 0


@program("/usr/bin/tee")
def tee(proc: Proc, argv: list[str]) -> int:
    try:
        opts, files = getopt(argv[1:], "ai")
    except GetoptError as exc:
        proc.warnx(str(exc))
        return 1
    append = any(f == "a" for f, _ in opts)
    text = proc.stdin.read()
    status = 0
    for name in files:
        try:
            proc.kernel.vfs.write(name, text, append=append, **proc.where())
        except OSErr as exc:
            proc.warn(name, exc)
            status = 1
    proc.write(text)
    return status


@program("/bin/echo")
def echo(proc: Proc, argv: list[str]) -> int:
    # bin/echo/echo.c: only -n, and a trailing \c also suppresses the newline.
    args = argv[1:]
    newline = True
    if args and args[0] == "-n":
        newline, args = False, args[1:]
    text = " ".join(args)
    if text.endswith("\\c"):
        text, newline = text[:-2], False
    proc.write(text + ("\n" if newline else ""))
    return 0


@program("/usr/bin/printf")
def printf(proc: Proc, argv: list[str]) -> int:
    if len(argv) < 2:
        proc.error("usage: printf format [arguments ...]\n")
        return 1
    text, errors = format_printf(argv[1], argv[2:])
    proc.write(text)
    for message in errors:
        proc.warnx(message)
    return 1 if errors else 0


@program("/bin/test", "/bin/[")
def test(proc: Proc, argv: list[str]) -> int:
    return run_test(proc, argv)

