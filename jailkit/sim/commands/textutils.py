"""Text filters of usr.bin: grep, head, tail, wc, cut, tr, sort, uniq, tee,
and the stand-alone echo, printf and test. Exit statuses follow their man
pages (grep: 0 a line matched, 1 none did, 2 an error)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Callable

from ..errno import EILSEQ, EISDIR, OSErr, strerror
from ..octets import decode, encode, holds_lone_bytes, lines as text_lines
from ...getopt import GetoptError, getopt, option_arguments, option_flags, option_values
from ..proc import Proc, ctype_locale, program
from ..regex import RegexError, translate
from ..vfs import Dir, File
from ..sh.builtins import run_test
from ..sh.printf import printf as format_printf


def _inputs(proc: Proc, files: list[str], quiet: bool = False) -> list[tuple[str, str | None]]:
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
            if not quiet:
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


GREP_USAGE = ("usage: grep [-abcdDEFGHhIiLlmnOopqRSsUVvwxz] [-A num] [-B num] [-C[num]]\n"
              "\t[-e pattern] [-f file] [--binary-files=value] [--color=when]\n"
              "\t[--context[=num]] [--directories=action] [--label] [--line-buffered]\n"
              "\t[--null] [pattern] [file ...]\n")
# what the sim's grep models; -a and -U change nothing for text, as on FreeBSD
GREP_MODELLED = set("ABCEFGHILRUacefhilmnoqrsvwxy")


@program("/usr/bin/grep", "/usr/bin/egrep", "/usr/bin/fgrep")
def grep(proc: Proc, argv: list[str]) -> int:
    # usr.bin/grep/grep.c main() and util.c procfile()/procline()
    parsed = proc.options(argv, "0123456789A:B:C:D:EFGHILOSRUVabcd:e:f:hilm:nopqrsuvwxyz", GREP_USAGE)
    if parsed is None:
        return 2
    opts, args = parsed
    flags = option_flags(opts)
    if proc.refuses(flags - GREP_MODELLED):
        return 2
    show_names: bool | None = None      # -H / -r (True) and -h (False): the last one counts
    for flag, _ in opts:
        if flag in "HRr":
            show_names = True
        elif flag == "h":
            show_names = False
    patterns = [line for value in option_arguments(opts, "e") for line in value.split("\n")]
    for path in option_arguments(opts, "f"):
        try:
            listing = proc.kernel.vfs.read(path, **proc.where())
        except OSErr as exc:
            proc.warn(path, exc)
            return 2
        patterns += text_lines(listing)
        if not patterns:
            return 1            # an empty pattern file matches nothing
    if not ({"e", "f"} & flags):
        if not args:
            proc.error(GREP_USAGE)
            return 2
        patterns, args = args[0].split("\n"), args[1:]
    mode = "E" if "E" in flags or proc.progname == "egrep" else \
        "F" if "F" in flags or proc.progname == "fgrep" else "G"
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
        compiled.append(re.compile(regex, re.I if flags & {"i", "y"} else 0))
    values = option_values(opts)
    try:
        context = _grep_context(values)
        limit = int(values["m"]) if "m" in values else None
    except ValueError as exc:
        proc.warnx(str(exc))
        return 2
    recursive = bool(flags & {"r", "R"})
    named = show_names if show_names is not None else len(args) > 1
    search = _GrepSearch(proc, compiled, flags, context, limit, named)
    matched_any = False
    error = False
    # one operand at a time: -q ends at the first match, before the rest are opened
    inputs = (found for operand in (args or (["."] if recursive else ["-"]))
              for found in (_grep_tree(proc, [operand], "s" in flags) if recursive
                            else _inputs(proc, [operand], quiet="s" in flags)))
    for name, text in inputs:
        if text is None:
            error = True
            continue
        if "I" in flags and "\0" in text:
            continue            # -I: a binary file (a NUL in it) is skipped
        if search.file(name, text):
            matched_any = True
            if "q" in flags:
                return 0
    if error and not ("q" in flags and matched_any):
        return 2
    return 0 if matched_any else 1


def _grep_context(values: dict[str, str]) -> tuple[int, int]:
    """Lines of context (-B, -A; -C both), as grep.c reads them."""
    def number(flag: str) -> int:
        text = values[flag]
        if not text.isdigit():
            raise ValueError("context argument must be non-negative")
        return int(text)
    both = number("C") if "C" in values else 0
    return (number("B") if "B" in values else both, number("A") if "A" in values else both)


def _grep_tree(proc: Proc, operands: list[str], quiet: bool) -> list[tuple[str, str | None]]:
    """-r: every regular file under each operand, depth first in name
    order, a link not followed (-p, the default: fts(3) FTS_PHYSICAL)."""
    vfs = proc.kernel.vfs
    out: list[tuple[str, str | None]] = []

    def walk(path: str, node: object) -> None:
        if isinstance(node, Dir):
            base = path[:-1] if path.endswith("/") else path
            for name in sorted(node.entries):
                walk(f"{base}/{name}", vfs.child(node, name))
        elif isinstance(node, File):
            out.append((path, node.data))

    for operand in operands:
        try:
            walk(operand, vfs.lookup(operand, follow=False, **proc.where()))
        except OSErr as exc:
            if not quiet:
                proc.warn(operand, exc)
            out.append((operand, None))
    return out


class _GrepSearch:
    """procfile() and procline() for each input: lines that match (or do
    not, -v), with their file's name and line number, context lines after
    a "-" and a "--" line between groups that do not touch."""

    def __init__(self, proc: Proc, patterns: list[re.Pattern[str]], flags: set[str],
                 context: tuple[int, int], limit: int | None, named: bool) -> None:
        self.proc, self.patterns, self.flags = proc, patterns, flags
        self.before, self.after = context
        self.limit, self.named = limit, named
        self.printed_any = False

    def file(self, name: str, text: str) -> bool:
        flags, proc = self.flags, self.proc
        quiet = bool(flags & {"q", "l", "L", "c"})
        lines = text_lines(text, keepends=True)
        count = 0
        last = 0            # the last line printed
        trailing = 0        # context lines still to print after a match
        for number, line in enumerate(lines, 1):
            if self.limit is not None and count >= self.limit:
                break
            body = line.rstrip("\n")
            hit = any(p.search(body) for p in self.patterns) != ("v" in flags)
            if not hit:
                if trailing and not quiet:
                    self._line(name, number, body, "-")
                    last, trailing = number, trailing - 1
                continue
            count += 1
            if quiet:
                continue
            first = max(last + 1, number - self.before)
            if (self.before or self.after) and self.printed_any and first > last + 1:
                proc.write("--\n")
            for earlier in range(first, number):
                self._line(name, earlier, lines[earlier - 1].rstrip("\n"), "-")
            if "o" in flags and "v" not in flags:
                for pattern in self.patterns:
                    for found in pattern.finditer(body):
                        if found.group(0):      # util.c: an empty match is not printed
                            self._line(name, number, found.group(0), ":")
            else:
                self._line(name, number, body, ":")
            last, trailing = number, self.after
        if "q" in flags:
            return count > 0
        if "c" in flags:
            proc.write(f"{name}:{count}\n" if self.named else f"{count}\n")
        if "l" in flags and count:
            proc.write(f"{name}\n")
        if "L" in flags and not count:
            proc.write(f"{name}\n")
        return count > 0

    def _line(self, name: str, number: int, text: str, separator: str) -> None:
        prefix = (f"{name}{separator}" if self.named else "") + \
            (f"{number}{separator}" if "n" in self.flags else "")
        self.proc.write(f"{prefix}{text}\n")
        self.printed_any = True


@dataclass
class _Counted:
    """head's and tail's options: how many lines (or bytes, -c), from the
    start (+N, tail), headers never (-q) or always (-v), and the files."""
    count: int
    files: list[str]
    in_bytes: bool = False
    from_start: bool = False
    headers: bool | None = None
    reverse: bool = False       # tail -r
    given: bool = False         # a count was given (else tail -r prints all)

    @property
    def headed(self) -> bool:
        """A "==> name <==" before each file's part: with several files
        unless -q, always with -v."""
        return self.headers or (self.headers is None and len(self.files) > 1)


def _count_option(proc: Proc, argv: list[str], usage: str) -> _Counted | None:
    args = list(argv[1:])
    counted = _Counted(10, [])
    tail = proc.progname == "tail"
    if args and re.fullmatch(r"[-+]\d+" if tail else r"-\d+", args[0]):   # head -5, tail +3
        counted.count, counted.from_start = int(args[0][1:]), args[0][0] == "+"
        counted.given = True
        args.pop(0)
    try:
        opts, counted.files = getopt(args, "b:c:fFn:qrv" if tail else "c:n:qv")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(usage + "\n")
        return None
    # tail -f and -F wait for more forever; -b counts 512-byte blocks
    if proc.refuses({flag for flag, _ in opts} & set("bfF")):
        return None
    counted.reverse = any(flag == "r" for flag, _ in opts)
    kinds = {flag for flag, _ in opts if flag in "cn"}
    if len(kinds) > 1:
        proc.warnx("can't combine line and byte counts")
        return None
    for flag, value in opts:
        if flag == "r":
            continue
        if flag in "qv":
            counted.headers = flag == "v"
            continue
        assert value is not None
        # head.c: a count above 0, digits only; tail.c: a sign is allowed
        if not (value.lstrip("+-") if tail else value).isdigit() or (not tail and int(value) <= 0):
            proc.warnx(f"illegal {'byte' if flag == 'c' else 'line'} count -- {value}")
            return None
        counted.count, counted.in_bytes, counted.given = abs(int(value)), flag == "c", True
        counted.from_start = value.startswith("+")
    return counted


def _header(name: str, out: list[str]) -> None:
    """A file's "==> name <==", after a blank line but before the first."""
    out.append(f"\n==> {name} <==\n" if out else f"==> {name} <==\n")


@program("/usr/bin/head")
def head(proc: Proc, argv: list[str]) -> int:
    counted = _count_option(proc, argv, "usage: head [-n lines | -c bytes] [file ...]")
    if counted is None:
        return 1
    status = 0
    out: list[str] = []
    # (the loop runs once per file: qjail's head of every record, each
    # create, makes it the one part of a jail's cost that grows with the jails)
    headed = counted.headed
    count = counted.count
    for name, text in _inputs(proc, counted.files):
        if text is None:
            status = 1
            continue
        if headed:
            _header(name, out)
        if counted.in_bytes:
            out.append(decode(encode(text)[:count]))
        else:
            out.append(text if len(text) < count else _first_lines(text, count))
    proc.write("".join(out))
    return status


def _first_lines(text: str, count: int) -> str:
    """The first ``count`` lines of ``text`` (all of it when it has no
    more: a record read whole is one count of its line breaks, not a
    list of its lines, and one shorter than the count in characters is
    not even counted: head -n INT_MAX of many files)."""
    if count < 0:
        return "".join(text_lines(text, keepends=True)[:count])
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
    counted = _count_option(proc, argv, "usage: tail [-F | -f | -r] [-qv] [-b # | -c # | -n #] [file ...]")
    if counted is None:
        return 1
    status = 0
    out: list[str] = []
    count = counted.count
    headed = counted.headed
    for name, text in _inputs(proc, counted.files):
        if text is None:
            status = 1
            continue
        if headed:
            _header(name, out)
        # +N starts at line (byte) N; otherwise the last N
        if counted.reverse and not counted.in_bytes:
            # -r: the lines last first; all of them unless -n was given
            lines = text_lines(text, keepends=True)
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
            out.append("".join(reversed(lines[-count:] if counted.given and count else lines)))
            continue
        parts: list[str] | bytes = encode(text) if counted.in_bytes else text_lines(text, keepends=True)
        chosen = parts[max(count, 1) - 1:] if counted.from_start else (parts[-count:] if count else parts[:0])
        out.append(decode(chosen) if isinstance(chosen, bytes) else "".join(chosen))
    proc.write("".join(out))
    return status


@program("/usr/bin/wc")
def wc(proc: Proc, argv: list[str]) -> int:
    # usr.bin/wc/wc.c: -c and -m replace each other; with none of -clmwL,
    # -lwc. Several operands end with a total line; "-" is a file's name.
    parsed = proc.options(argv, "clmwL", "usage: wc [-Lclmw] [file ...]\n")
    if parsed is None:
        return 1
    opts, files = parsed
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
        # each byte one character (latin-1) unless multibyte characters count
        counts = _wc_counts(text if multi else encode(text).decode("latin-1"))
        if multi and holds_lone_bytes(text):
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


CUT_USAGE = ("usage: cut -b list [-n] [file ...]\n       cut -c list [file ...]\n"
             "       cut -f list [-s] [-w | -d delim] [file ...]\n")


@program("/usr/bin/cut")
def cut(proc: Proc, argv: list[str]) -> int:
    # usr.bin/cut/cut.c: one of -b, -c, -f; -d (one character) and -s only
    # with -f, -w (runs of spaces and tabs) instead of -d, -n only with -b;
    # -c counts characters in a UTF-8 locale and bytes in the C locale
    parsed = proc.options(argv, "b:c:d:f:nsw", CUT_USAGE)
    if parsed is None:
        return 1
    opts, files = parsed
    flags = option_flags(opts)
    values = option_values(opts)
    lists = [flag for flag in "bcf" if flag in values]
    if len(lists) != 1 or (lists != ["f"] and flags & set("dsw")) or ("n" in flags and lists != ["b"]) \
            or {"d", "w"} <= flags:
        proc.error(CUT_USAGE)
        return 1
    wanted = _cut_list(proc, values[lists[0]])
    if wanted is None:
        return 1
    delimiter = values.get("d", "\t")
    if len(delimiter) != 1:
        proc.warnx("bad delimiter")
        return 1
    by_chars = lists == ["c"] and "UTF-8" in ctype_locale(proc.env)
    status = 0
    for _, text in _inputs(proc, files):
        if text is None:
            status = 1
            continue
        for line in text_lines(text):
            if lists == ["f"]:
                shown = _cut_fields(line, wanted, delimiter, "w" in flags, "s" in flags)
            elif by_chars:
                shown = "".join(c for i, c in enumerate(line, 1) if wanted(i))
            else:
                shown = decode(bytes(b for i, b in enumerate(encode(line), 1) if wanted(i)))
            if shown is not None:
                proc.write(shown + "\n")
    return status


def _cut_fields(line: str, wanted: Callable[[int], bool], delimiter: str, whitespace: bool,
                only_delimited: bool) -> str | None:
    """f_cut(): the wanted fields joined by the delimiter (a tab for -w); a
    line without one is printed whole, or not at all with -s."""
    if whitespace:
        if not re.search(r"[ \t]", line):
            return None if only_delimited else line
        fields = re.split(r"[ \t]+", line)
    else:
        if delimiter not in line:
            return None if only_delimited else line
        fields = line.split(delimiter)
    return delimiter.join(field for number, field in enumerate(fields, 1) if wanted(number))


def _cut_list(proc: Proc, spec: str) -> Callable[[int], bool] | None:
    """get_list(): numbers and ranges (N, N-M, -M, N-) split by commas,
    spaces or tabs, numbered from 1; None (said) when one is no such thing."""
    ranges: list[tuple[int, int]] = []
    for item in re.split(r"[, \t]", spec):
        match = re.fullmatch(r"(\d*)(-?)(\d*)", item)
        if match is None:
            proc.warnx("[-bcf] list: illegal list value")
            return None
        if not (match.group(1) or match.group(3)):      # "" or "-": no number at all
            proc.warnx("[-bcf] list: values may not include zero")
            return None
        low = int(match.group(1) or 1)
        high = int(match.group(3)) if match.group(3) else (2**31 if match.group(2) else low)
        if low == 0 or high == 0:
            proc.warnx("[-bcf] list: values may not include zero")
            return None
        ranges.append((low, high))
    return lambda n: any(low <= n <= high for low, high in ranges)


@program("/usr/bin/tr")
def tr(proc: Proc, argv: list[str]) -> int:
    # usr.bin/tr/tr.c: -c/-C take every character but those of set1; -d
    # deletes set1's characters, -s squeezes runs of the last set's (after
    # translating, set2's); -u (unbuffered) prints the same
    try:
        opts, sets = getopt(argv[1:], "Ccdsu")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error("usage: tr [-Ccsu] string1 string2\n       tr [-Ccu] -d string1\n"
                   "       tr [-Ccu] -s string1\n       tr [-Ccu] -ds string1 string2\n")
        return 1
    flags = {f for f, _ in opts}
    text = proc.stdin.read()
    complement = bool(flags & {"c", "C"})
    first = _charset(sets[0]) if sets else ""

    def in_first(char: str) -> bool:
        return (char in first) != complement

    if "d" in flags:
        text = "".join(c for c in text if not in_first(c))
        squeeze = _charset(sets[1]) if len(sets) > 1 else ""
    elif len(sets) >= 2:
        second = _charset(sets[1])
        if complement:
            # every character not in set1 becomes set2's last one
            text = "".join(second[-1:] if in_first(c) else c for c in text)
        else:
            second += second[-1:] * max(0, len(first) - len(second))
            text = text.translate(str.maketrans(first, second[: len(first)]))
        squeeze = second
    else:
        squeeze = first
    if "s" in flags:
        if len(sets) == 1 and complement:
            text = re.sub(r"(.)\1+", lambda m: m.group(1) if in_first(m.group(1)) else m.group(0),
                          text, flags=re.S)
        elif squeeze:
            text = re.sub("([" + re.escape(squeeze) + "])\\1+", r"\1", text)
    proc.write(text)
    return 0


_CLASSES = {
    "[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "[:lower:]": "abcdefghijklmnopqrstuvwxyz",
    "[:digit:]": "0123456789", "[:space:]": " \t\n\r\f\v", "[:blank:]": " \t",
    "[:xdigit:]": "0123456789ABCDEFabcdef",
    "[:punct:]": "".join(c for c in map(chr, range(33, 127)) if not c.isalnum()),
    "[:cntrl:]": "".join(map(chr, range(32))) + "\x7f",
}
_CLASSES["[:alpha:]"] = _CLASSES["[:upper:]"] + _CLASSES["[:lower:]"]
_CLASSES["[:alnum:]"] = _CLASSES["[:digit:]"] + _CLASSES["[:alpha:]"]
_CLASSES["[:graph:]"] = "".join(map(chr, range(33, 127)))
_CLASSES["[:print:]"] = " " + _CLASSES["[:graph:]"]


def _charset(spec: str) -> str:
    for name, chars in _CLASSES.items():
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


# sort(1) as POSIX and FreeBSD's usr.bin/sort define it: lines compared by
# their keys (-k, fields split by -t or at blanks), each key by its own
# modifiers or the global ones, then the whole line unless -s; -u keeps the
# first of lines whose keys compare equal. The C locale's byte order.
SORT_USAGE = "usage: sort [-bcCdfiMmnrsuV] [-k field1[,field2]] [-o output] [-t char] [file ...]"
# the ordering modifiers the sim models, globally and per key
SORT_MODIFIERS = set("bdfinr")
SORT_MODELLED = SORT_MODIFIERS | set("kotsu")
_SORT_POSITION = re.compile(r"(\d+)(?:\.(\d+))?([a-zA-Z]*)$")
_SORT_NUMBER = re.compile(r"[ \t]*(-?)(\d*)(?:\.(\d*))?")


@dataclass(frozen=True)
class SortKey:
    """-k F1[.C1][mods][,F2[.C2][mods]]: fields and characters from 1; C2 0
    or absent is the end of field F2; no F2 is the end of the line."""
    start_field: int
    start_char: int
    end_field: int | None
    end_char: int
    modifiers: frozenset[str]
    skip_start: bool        # b on the start position
    skip_end: bool          # b on the end position


@program("/usr/bin/sort")
def sort(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "bcCdfiMmnrsuVghRzk:o:t:S:T:", SORT_USAGE + "\n")
    if parsed is None:
        return 2
    opts, files = parsed
    given = option_flags(opts)
    if proc.refuses(given - SORT_MODELLED):
        return 2
    flags = given & SORT_MODIFIERS
    separator = None
    keys: list[SortKey] = []
    output = None
    for flag, value in opts:
        if flag == "t":
            assert value is not None
            if len(value) != 1:
                proc.warnx(f"multi-character tab '{value}'" if value else "empty tab")
                return 2
            separator = value
        elif flag == "k":
            assert value is not None
            key = _key(value, flags)
            if key is None:
                proc.warnx(f"invalid field specification '{value}'")
                return 2
            keys.append(key)
        elif flag == "o":
            output = value
    inputs = _inputs(proc, files)
    lines = [line for _, text in inputs if text is not None for line in text_lines(text)]
    keys = keys or [SortKey(1, 1, None, 0, frozenset(flags), "b" in flags, "b" in flags)]
    unique = "u" in given
    compare = _comparison(keys, separator, last_resort="s" not in given and not unique,
                          reverse="r" in flags)
    lines.sort(key=cmp_to_key(compare))
    if unique:
        kept: list[str] = []
        for line in lines:
            if not kept or compare(kept[-1], line) != 0:
                kept.append(line)
        lines = kept
    text = "".join(line + "\n" for line in lines)
    if output is not None:
        proc.kernel.vfs.write(output, text, mode=proc.created(), **proc.where())
    else:
        proc.write(text)
    return 2 if any(text is None for _, text in inputs) else 0


def _key(spec: str, global_flags: set[str]) -> SortKey | None:
    start, _, end = spec.partition(",")
    first = _SORT_POSITION.match(start)
    last = _SORT_POSITION.match(end) if end else None
    if first is None or (end and last is None) or int(first.group(1)) == 0:
        return None
    own = set(first.group(3)) | set(last.group(3) if last else "")
    if not own <= SORT_MODIFIERS:
        return None
    # POSIX: a key with modifiers of its own takes none of the global ones
    modifiers = own or global_flags
    return SortKey(int(first.group(1)), int(first.group(2) or 1),
               int(last.group(1)) if last else None, int(last.group(2) or 0) if last else 0,
               frozenset(modifiers), "b" in (set(first.group(3)) if own else global_flags),
               "b" in (set(last.group(3)) if own and last else global_flags))


def _fields(line: str, separator: str | None) -> list[tuple[int, int]]:
    """Each field's (start, end): split at each separator, or else each
    field is the blanks before it and the non-blanks that follow."""
    if separator is not None:
        spans, start = [], 0
        for index, char in enumerate(line):
            if char == separator:
                spans.append((start, index))
                start = index + 1
        return spans + [(start, len(line))]
    return [match.span() for match in re.finditer(r"[ \t]*[^ \t]+", line)] or [(0, len(line))]


def _skip_blanks(line: str, index: int, end: int) -> int:
    while index < end and line[index] in " \t":
        index += 1
    return index


def _extract(line: str, key: SortKey, separator: str | None) -> str:
    fields = _fields(line, separator)
    if key.start_field > len(fields):
        return ""
    field_start, field_end = fields[key.start_field - 1]
    if key.skip_start:
        field_start = _skip_blanks(line, field_start, field_end)
    start = min(field_start + key.start_char - 1, field_end)
    if key.end_field is None:
        end = len(line)
    elif key.end_field > len(fields):
        end = len(line)
    else:
        last_start, last_end = fields[key.end_field - 1]
        if key.end_char == 0:
            end = last_end
        else:
            if key.skip_end:
                last_start = _skip_blanks(line, last_start, last_end)
            end = min(last_start + key.end_char, last_end)
    return line[start:end] if end > start else ""


def _number(text: str) -> float:
    match = _SORT_NUMBER.match(text)
    assert match is not None
    sign, whole, fraction = match.groups()
    if not whole and not fraction:
        return 0.0
    value = float(f"{whole or '0'}.{fraction or '0'}")
    return -value if sign else value


def _sort_text(text: str, modifiers: frozenset[str]) -> str:
    if "d" in modifiers:
        text = "".join(c for c in text if c.isalnum() or c in " \t")
    if "i" in modifiers:
        text = "".join(c for c in text if c.isprintable())
    return text.upper() if "f" in modifiers else text


def _comparison(keys: list[SortKey], separator: str | None, last_resort: bool,
                reverse: bool) -> Callable[[str, str], int]:
    # each line's keys, as compared, worked out once: a sort compares a
    # line again and again (a numeric key as (number, ""), another as (0, text))
    seen: dict[str, list[tuple[float, str]]] = {}

    def keyed(line: str) -> list[tuple[float, str]]:
        if line not in seen:
            extracted = [(key, _extract(line, key, separator)) for key in keys]
            seen[line] = [(_number(text), "") if "n" in key.modifiers
                          else (0.0, _sort_text(text, key.modifiers)) for key, text in extracted]
        return seen[line]

    def compare(a: str, b: str) -> int:
        for key, x, y in zip(keys, keyed(a), keyed(b)):
            order = (x > y) - (x < y)
            if order:
                return -order if "r" in key.modifiers else order
        if not last_resort:
            return 0
        order = (a > b) - (a < b)
        return -order if reverse else order
    return compare


@program("/usr/bin/uniq")
def uniq(proc: Proc, argv: list[str]) -> int:
    # usr.bin/uniq/uniq.c: lines compared after -f fields and -s characters
    # are skipped (-i: without case); -c counts, -d only repeated lines (-D
    # each of them), -u only unique ones; a second operand is the output
    usage = "usage: uniq [-c | -d | -D | -u] [-i] [-f fields] [-s chars] [input [output]]\n"
    parsed = proc.options(argv, "cdDuif:s:", usage)
    if parsed is None:
        return 1
    opts, files = parsed
    flags = option_flags(opts)
    values = option_values(opts)
    skips = {}
    for flag, what in (("f", "field"), ("s", "character")):
        value = values.get(flag, "0")
        if not value.isdigit():
            proc.warnx(f"illegal {what} skip value: {value}")
            return 1
        skips[flag] = int(value)
    if len(files) > 2:
        proc.error(usage)
        return 1
    text = _inputs(proc, files[:1])[0][1]
    if text is None:
        return 1

    def compared(line: str) -> str:
        rest = line
        for _ in range(skips["f"]):
            rest = re.sub(r"^[ \t]*[^ \t]*", "", rest, count=1)
        rest = rest[skips["s"]:]
        return rest.lower() if "i" in flags else rest

    groups: list[list[str]] = []
    last = None
    for line in text_lines(text):
        this = compared(line)
        if groups and this == last:
            groups[-1].append(line)
        else:
            groups.append([line])
        last = this
    out: list[str] = []
    for group in groups:
        if (flags & {"d", "D"} and len(group) < 2) or ("u" in flags and len(group) > 1):
            continue
        shown = group if "D" in flags else group[:1]
        out += [(f"{len(group):4d} " if "c" in flags else "") + line + "\n" for line in shown]
    if len(files) == 2:
        proc.kernel.vfs.write(files[1], "".join(out), mode=proc.created(), **proc.where())
    else:
        proc.write("".join(out))
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
            proc.kernel.vfs.write(name, text, append=append, mode=proc.created(),
                                  **proc.where())
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

