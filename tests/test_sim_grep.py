"""grep(1) on the sim: regcomp(3)'s basic and extended expressions (classes,
word boundaries, back-references, intervals) and regerror's messages."""

from __future__ import annotations

import pytest

from tests.conftest import run


@pytest.mark.parametrize("command, stdout", [
    ("ifconfig lo0 | grep -E 'flags=.*\\<UP\\>' | cut -c1-4", "lo0:\n"),
    ("echo 'CALL  setfib' | egrep 'CALL[[:space:]]+setfib'", "CALL  setfib\n"),
    ("echo 'a(b' | grep 'a(b'", "a(b\n"),                      # ( is literal in a BRE
    ("printf 'ab\\naa\\n' | grep '\\(a\\)\\1'", "aa\n"),
    ("printf 'a1\\na12\\n' | grep 'a[0-9]\\{2\\}'", "a12\n"),
    ("printf 'a1\\na12\\n' | grep -E '^a[0-9]{1}$'", "a1\n"),
    ("printf 'JID=12\\nJNAME=x\\n' | grep -E '^JID=[0-9]+'", "JID=12\n"),
    ("printf 'x*y\\n' | grep '*y'", "x*y\n"),                   # a leading * is literal in a BRE
    ("echo 'foo bar' | grep -o '[[:alpha:]]*'", "foo\nbar\n"),
])
def test_matching(host, command, stdout):
    assert run(host, command) == (0, stdout, "")


@pytest.mark.parametrize("pattern, message", [
    ("-E '('", "parentheses not balanced"),
    ("'a\\{1'", "braces not balanced"),
    ("'[a'", "brackets ([ ]) not balanced"),
    ("'[[:nope:]]'", "invalid character class"),
    ("-E '*a'", "repetition-operator operand invalid"),
    ("'\\(a\\)\\2'", "invalid backreference number"),
])
def test_bad_expressions_are_regerrors(host, pattern, message):
    assert run(host, f"echo a | grep {pattern}") == (2, "", f"grep: {message}\n")
