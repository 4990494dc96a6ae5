"""seq(1) on the sim: usr.bin/seq's output, options and errors."""

from __future__ import annotations

import pytest

from tests.conftest import run


@pytest.mark.parametrize("command, stdout", [
    ("seq 3", "1\n2\n3\n"),
    ("seq 1 10 | wc -l", "      10\n"),
    ("seq 0 2", "0\n1\n2\n"),
    ("seq 3 1", "3\n2\n1\n"),
    ("seq 1 0.5 2", "1\n1.5\n2\n"),
    ("seq -w 8 10", "08\n09\n10\n"),
    ("seq -s , 1 3", "1,2,3,"),           # the separator follows every number
    ("seq -s , -t '\\n' 1 3", "1,2,3,\n"),
    ("seq -f %04.1f 1 2", "01.0\n02.0\n"),
    ("seq -- -1 1", "-1\n0\n1\n"),
    ("seq -1", "1\n0\n-1\n"),             # a negative number is not an option
    ("seq 0.1 0.1 0.3", "0.1\n0.2\n0.3\n"),   # the last value despite rounding
])
def test_sequences(host, command, stdout):
    assert run(host, command) == (0, stdout, "")


USAGE = "usage: seq [-w] [-f format] [-s string] [-t string] [first [incr]] last\n"


@pytest.mark.parametrize("command, status, stderr", [
    ("seq", 1, USAGE),
    ("seq 1 2 3 4", 1, USAGE),
    ("seq -x 1", 1, "seq: illegal option -- x\n" + USAGE),
    ("seq 1 0 3", 1, "seq: zero increment\n"),
    ("seq 1 -1 3", 1, "seq: needs positive increment\n"),
    ("seq 3 1 1", 1, "seq: needs negative decrement\n"),
    ("seq a", 2, "seq: invalid floating point argument: a\n"),
    ("seq -f %d 1 2", 1, "seq: invalid format string: `%d'\n"),
])
def test_errors(host, command, status, stderr):
    assert run(host, command) == (status, "", stderr)
