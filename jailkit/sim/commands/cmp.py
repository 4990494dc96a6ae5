"""cmp(1): compare two files byte by byte (usr.bin/cmp): silent and 0 when
they are the same; "FILE1 FILE2 differ: char N, line M" and 1 at the first
difference (-s: nothing, -l: every differing byte); "EOF on FILE" when one
is a prefix of the other; 2 and warn(3)'s message when a file cannot be
read."""

from __future__ import annotations

from ..errno import OSErr
from ...getopt import GetoptError, getopt
from ..proc import Proc, program

USAGE = ("usage: cmp [-l | -s | -x] [-hz] file1 file2 [skip1 [skip2]]\n"
         "       cmp -c [-l | -s | -x] [-hz] file1 file2 [skip1 [skip2]]\n")


@program("/usr/bin/cmp")
def cmp(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "bhilsxz")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(USAGE)
        return 2
    flags = {flag for flag, _ in opts}
    if len(args) < 2 or len(args) > 4:
        proc.error(USAGE)
        return 2
    texts = []
    for name in args[:2]:
        try:
            texts.append(proc.read_file(name).encode(errors="surrogateescape"))
        except OSErr as exc:
            if "s" not in flags:
                proc.warn(name, exc)
            return 2
    skips = [int(s, 0) for s in args[2:]] + [0, 0]
    first, second = texts[0][skips[0]:], texts[1][skips[1]:]
    return _compare(proc, args[0], args[1], first, second, flags)


def _compare(proc: Proc, name1: str, name2: str, first: bytes, second: bytes, flags: set[str]) -> int:
    line = 1
    differ = False
    for index, (a, b) in enumerate(zip(first, second), 1):
        if a != b:
            differ = True
            if "s" in flags:
                return 1
            if "l" not in flags:
                proc.write(f"{name1} {name2} differ: char {index}, line {line}\n")
                return 1
            proc.write(f"{index:6d} {a:3o} {b:3o}\n")
        if a == ord("\n"):
            line += 1
    if len(first) != len(second):
        if "s" not in flags:
            proc.warnx(f"EOF on {name1 if len(first) < len(second) else name2}")
        return 1
    return 1 if differ else 0
