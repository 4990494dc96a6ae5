"""cmp(1): compare two files byte by byte (usr.bin/cmp): silent and 0 when
they are the same; "FILE1 FILE2 differ: char N, line M" and 1 at the first
difference (-s: nothing, -l: every differing byte, -x: the same in hex from
offset 0, -b: the bytes too); "EOF on FILE" when one is a prefix of the
other; -z "differ: size" when the sizes differ; -i SKIP1[:SKIP2] and the
skip operands skip bytes, -n stops after a number of them; 2 and warn(3)'s
message when a file cannot be read. -h (a symbolic link's target compared,
c_link()) is refused as not modelled."""

from __future__ import annotations

import re

from ..errno import OSErr
from ..octets import encode
from ...getopt import getopt
from ..proc import Proc, program

USAGE = ("usage: cmp [-l | -s | -x] [-hz] file1 file2 [skip1 [skip2]]\n"
         "       cmp -c [-l | -s | -x] [-hz] file1 file2 [skip1 [skip2]]\n")
ERR_EXIT = 2
# expand_number(3): a number (C base prefixes) and a power-of-1024 suffix
NUMBER = re.compile(r"(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([bBkKmMgGtTpPeE]?)")
SUFFIXES = "bkmgtpe"       # b: bytes, then each a power of 1024 more


class Usage(Exception):
    """The line printed before the usage."""


@program("/usr/bin/cmp")
def cmp(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "bhi:ln:sxz", USAGE)
    if parsed is None:
        return ERR_EXIT
    opts, args = parsed
    flags = {flag for flag, _ in opts}
    if "h" in flags:
        proc.warnx("option -h is not modelled by the jailkit sim")
        return ERR_EXIT
    if "x" in flags:
        flags.add("l")
    if "l" in flags and "s" in flags:
        proc.warnx("specifying -s with -l or -x is not permitted")
        return ERR_EXIT
    if len(args) < 2 or len(args) > 4:
        proc.error(USAGE)
        return ERR_EXIT
    texts = []
    for name in args[:2]:
        try:
            texts.append(encode(proc.read_file(name)))
        except OSErr as exc:
            if "s" not in flags:
                proc.warn(name, exc)
            return ERR_EXIT
    try:
        skips, limit = _skips_and_limit(opts, args[2:])
    except Usage as exc:
        proc.error(f"{exc}\n{USAGE}")
        return ERR_EXIT
    if "z" in flags and len(texts[0]) != len(texts[1]):
        if "s" not in flags:
            proc.write(f"{args[0]} {args[1]} differ: size\n")
        return 1
    for index in (0, 1):
        if skips[index] > len(texts[index]):
            if "s" not in flags:
                proc.warnx(f"EOF on {args[index]}")
            return 1
    first, second = texts[0][skips[0]:], texts[1][skips[1]:]
    return _compare(proc, args[0], args[1], first, second, flags, limit)


def _skips_and_limit(opts: list[tuple[str, str | None]], operands: list[str]) -> tuple[list[int], int]:
    """cmp.c main(): -i SKIP1[:SKIP2] (one number skips both), then the
    skip operands over it; -n LIMIT (0: no limit)."""
    skips, limit = [0, 0], 0
    for flag, value in opts:
        if flag == "i":
            parts = (value or "").split(":", 1)
            try:
                numbers = [_number(part) for part in parts]
            except ValueError:
                raise Usage(f"Invalid --ignore-initial: {value}") from None
            skips = numbers * 2 if len(numbers) == 1 else numbers
        elif flag == "n":
            try:
                limit = _number(value or "")
            except ValueError:
                raise Usage(f"Invalid --bytes: {value}") from None
    for index, operand in enumerate(operands):
        try:
            skips[index] = _number(operand)
        except ValueError:
            raise Usage(f"Invalid skip{index + 1}: {operand}") from None
    return skips, limit


def _number(text: str) -> int:
    match = NUMBER.fullmatch(text)
    if match is None:
        raise ValueError(text)
    digits, suffix = match.group(1), match.group(2).lower()
    base = 16 if digits[:2].lower() == "0x" else 8 if digits.startswith("0") else 10
    return int(digits, base) * 1024 ** SUFFIXES.index(suffix or "b")


def _compare(proc: Proc, name1: str, name2: str, first: bytes, second: bytes, flags: set[str],
             limit: int) -> int:
    """regular.c c_regular(): the first LIMIT bytes of the shorter; EOF
    when the lengths differ."""
    if "s" in flags and len(first) != len(second):
        return 1
    length = min(len(first), len(second))
    length = min(length, limit) if limit > 0 else length
    line = 1
    differ = False
    for index in range(length):
        a, b = first[index], second[index]
        if a != b:
            differ = True
            if "s" in flags:
                return 1
            if "l" not in flags:
                proc.write(f"{name1} {name2} differ: char {index + 1}, line {line}"
                           + (f" is {a:3o} {chr(a)} {b:3o} {chr(b)}" if "b" in flags else "") + "\n")
                return 1
            proc.write(_listed(index, a, b, flags))
        if a == ord("\n"):
            line += 1
    if len(first) != len(second):
        if "s" not in flags:
            proc.warnx(f"EOF on {name1 if len(first) < len(second) else name2}")
        return 1
    return 1 if differ else 0


def _listed(index: int, a: int, b: int, flags: set[str]) -> str:
    """A differing byte under -l (-b adds the characters) or -x."""
    if "x" in flags:
        return f"{index:08x} {a:02x} {b:02x}\n"
    if "b" in flags:
        return f"{index + 1:6d} {a:3o} {chr(a)} {b:3o} {chr(b)}\n"
    return f"{index + 1:6d} {a:3o} {b:3o}\n"
