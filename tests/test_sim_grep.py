"""grep(1) on the sim: regcomp(3)'s basic and extended expressions (classes,
word boundaries, back-references, intervals) and regerror's messages."""

from __future__ import annotations

import pytest

from jailkit.host import Host
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


def _tree(host: Host) -> None:
    run(host, "mkdir -p /tmp/d/sub && printf 'hi\\nno\\n' > /tmp/d/a && printf 'x\\nhi there\\n' > /tmp/d/sub/b"
              " && printf 'l1\\nl2\\nl3\\nl4\\nl5\\nl6\\nl7\\n' > /tmp/f && printf 'l2\\nl6\\n' > /tmp/pat")


def test_grep_r_searches_a_tree_and_names_the_files(host: Host) -> None:
    _tree(host)
    assert run(host, "grep -r hi /tmp/d")[1] == "/tmp/d/a:hi\n/tmp/d/sub/b:hi there\n"
    assert run(host, "grep -rh hi /tmp/d")[1] == "hi\nhi there\n"
    assert run(host, "cd /tmp/d && grep -rl hi")[1] == "./a\n./sub/b\n"
    assert run(host, "grep -H l1 /tmp/f")[1] == "/tmp/f:l1\n"


def test_grep_context_lines_and_group_separators(host: Host) -> None:
    _tree(host)
    assert run(host, "grep -A1 l2 /tmp/f")[1] == "l2\nl3\n"
    assert run(host, "grep -B1 -n l6 /tmp/f")[1] == "5-l5\n6:l6\n"
    assert run(host, "grep -C1 -e l2 -e l6 /tmp/f")[1] == "l1\nl2\nl3\n--\nl5\nl6\nl7\n"
    assert run(host, "grep -A1 -e l2 -e l3 /tmp/f")[1] == "l2\nl3\nl4\n"


def test_grep_f_s_m_and_q(host: Host) -> None:
    _tree(host)
    assert run(host, "grep -f /tmp/pat /tmp/f")[1] == "l2\nl6\n"
    assert run(host, "grep -s l1 /nonexistent") == (2, "", "")
    assert run(host, "grep -m1 l /tmp/f")[1] == "l1\n"
    # -q stops at the first match: the next operand is never opened
    assert run(host, "grep -q l1 /tmp/f /nonexistent") == (0, "", "")
    assert run(host, "grep -z x /tmp/f") == (2, "", "grep: option -z is not modelled by the jailkit sim\n")
