"""diff(1): compare files line by line (usr.bin/diff, diffreg.c): the
normal format (NaM / NcM / NdM with "<", "---" and ">") or -u's unified
format (3 lines of context, "@@ -l,s +l,s @@" hunks, headers with the
time), -q's "Files A and B differ"; "\\ No newline at end of file" after a
last line without one. Exit status 0 when the files are the same, 1 when
they differ, 2 on trouble. The changes are a longest common subsequence's,
as diff's algorithm finds them for the small files of a test.

Lines are compared as diffreg.c readhash() reads them: -i folds case, -b
takes a run of blanks as one and drops those at the end of the line, -w
drops every blank; the lines are printed as they are (-t with their tabs
expanded to columns of 8). -N reads a missing file as an empty one. -a
and -d change nothing the sim does (it reads every file as text, and
finds the smallest change already); -B and -T are refused as not
modelled."""

from __future__ import annotations

import re

from ..errno import ENOENT, OSErr
from ..octets import lines as text_lines
from ...getopt import getopt
from ..proc import Proc, program

USAGE = ("usage: diff [-aBbdilpTtw] [-c | -e | -f | -n | -q | -u] [--ignore-case]\n"
         "            [--no-ignore-case] [--normal] [--strip-trailing-cr] [--tabsize]\n"
         "            [-I pattern] [-F pattern] [-L label] file1 file2\n")
CONTEXT = 3
BLANKS = re.compile(r"[ \t\r\v\f]+")
NO_NEWLINE = "\\ No newline at end of file\n"
# a change: the ranges [a1, a2) of the first file and [b1, b2) of the second
Change = tuple[int, int, int, int]


@program("/usr/bin/diff")
def diff(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "abBdiL:NqsTtuU:w", USAGE)
    if parsed is None:
        return 2
    opts, files = parsed
    flags = {flag for flag, _ in opts}
    if proc.refuses(flags & {"B", "T"}):
        return 2
    labels = [value or "" for flag, value in opts if flag == "L"]
    if len(files) != 2:
        proc.error(USAGE)
        return 2
    texts = []
    absent = []
    for name in files:
        try:
            texts.append(proc.read_file(name))
        except OSErr as exc:
            if exc.errno != ENOENT or "N" not in flags:
                proc.warn(name, exc)
                return 2
            texts.append("")      # -N: an absent file is an empty one
            absent.append(name)
    if len(absent) == 2:
        # diff.c main(): -N needs one of them to exist
        for name in absent:
            proc.warn(name, OSErr(ENOENT))
        return 2
    old, new = (text_lines(t, keepends=True) for t in texts)
    changes = _changes([_key(line, flags) for line in old], [_key(line, flags) for line in new])
    if "t" in flags:
        old, new = [line.expandtabs(8) for line in old], [line.expandtabs(8) for line in new]
    if not changes:
        if "s" in flags:
            proc.write(f"Files {files[0]} and {files[1]} are identical\n")
        return 0
    if "q" in flags:
        proc.write(f"Files {files[0]} and {files[1]} differ\n")
    elif "u" in flags or "U" in flags:
        context = int(dict((f, v) for f, v in opts).get("U") or CONTEXT)
        proc.write(_header(proc, files, labels) + _unified(old, new, changes, context))
    else:
        proc.write(_normal(old, new, changes))
    return 1


def _key(line: str, flags: set[str]) -> str:
    """What a line is compared by (readhash()): its newline is kept, so a
    last line without one still differs."""
    body, end = (line[:-1], "\n") if line.endswith("\n") else (line, "")
    if "w" in flags:
        body = BLANKS.sub("", body)
    elif "b" in flags:
        body = BLANKS.sub(" ", body).rstrip(" ")
    if "i" in flags:
        body = body.lower()
    return body + end


def _changes(old: list[str], new: list[str]) -> list[Change]:
    """The runs of lines outside a longest common subsequence."""
    n, m = len(old), len(new)
    lcs = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            lcs[i][j] = lcs[i + 1][j + 1] + 1 if old[i] == new[j] else max(lcs[i + 1][j], lcs[i][j + 1])
    changes: list[Change] = []
    i = j = 0
    start = (0, 0)
    while i < n or j < m:
        if i < n and j < m and old[i] == new[j]:
            if start != (i, j):
                changes.append((start[0], i, start[1], j))
            i, j = i + 1, j + 1
            start = (i, j)
        elif j < m and (i == n or lcs[i][j + 1] >= lcs[i + 1][j]):
            j += 1
        else:
            i += 1
    if start != (n, m):
        changes.append((start[0], n, start[1], m))
    return changes


def _body(prefix: str, lines: list[str]) -> str:
    out = []
    for line in lines:
        out.append(prefix + line if line.endswith("\n") else prefix + line + "\n" + NO_NEWLINE)
    return "".join(out)


def _range(start: int, end: int) -> str:
    """A normal diff's line range (1-based), "N" or "N,M"."""
    return f"{start + 1}" if end - start <= 1 else f"{start + 1},{end}"


def _normal(old: list[str], new: list[str], changes: list[Change]) -> str:
    out = []
    for a1, a2, b1, b2 in changes:
        if a1 == a2:
            out.append(f"{a1}a{_range(b1, b2)}\n" + _body("> ", new[b1:b2]))
        elif b1 == b2:
            out.append(f"{_range(a1, a2)}d{b1}\n" + _body("< ", old[a1:a2]))
        else:
            out.append(f"{_range(a1, a2)}c{_range(b1, b2)}\n" + _body("< ", old[a1:a2]) + "---\n"
                       + _body("> ", new[b1:b2]))
    return "".join(out)


def _header(proc: Proc, files: list[str], labels: list[str]) -> str:
    """diffreg.c print_header(): the label, or the name and its time."""
    stamp = proc.kernel.now().strftime("%Y-%m-%d %H:%M:%S") + ".000000000 +0000"
    names = [labels[i] if i < len(labels) else f"{files[i]}\t{stamp}" for i in range(2)]
    return f"--- {names[0]}\n+++ {names[1]}\n"


def _unified(old: list[str], new: list[str], changes: list[Change], context: int) -> str:
    hunks: list[list[Change]] = []
    for change in changes:
        if hunks and change[0] - hunks[-1][-1][1] <= 2 * context:
            hunks[-1].append(change)
        else:
            hunks.append([change])
    out = []
    for hunk in hunks:
        a_start = max(0, hunk[0][0] - context)
        b_start = max(0, hunk[0][2] - context)
        a_end = min(len(old), hunk[-1][1] + context)
        b_end = min(len(new), hunk[-1][3] + context)
        out.append(f"@@ -{_urange(a_start, a_end)} +{_urange(b_start, b_end)} @@\n")
        i = a_start
        for a1, a2, b1, b2 in hunk:
            out.append(_body(" ", old[i:a1]) + _body("-", old[a1:a2]) + _body("+", new[b1:b2]))
            i = a2
        out.append(_body(" ", old[i:a_end]))
    return "".join(out)


def _urange(start: int, end: int) -> str:
    count = end - start
    if count == 1:
        return f"{start + 1}"
    return f"{start + 1 if count else start},{count}"
