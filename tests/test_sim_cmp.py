"""cmp(1) on the sim: the first difference, EOF, -s and -l, and the errors."""

from __future__ import annotations

from tests.conftest import run

SETUP = "printf 'ab\\ncd\\n' > /tmp/a; printf 'ab\\nxd\\n' > /tmp/b; printf 'ab\\n' > /tmp/c; cp /tmp/a /tmp/d; "


def test_same_and_different(host):
    assert run(host, SETUP + "cmp /tmp/a /tmp/d") == (0, "", "")
    assert run(host, SETUP + "cmp /tmp/a /tmp/b") == (1, "/tmp/a /tmp/b differ: char 4, line 2\n", "")
    assert run(host, SETUP + "cmp -s /tmp/a /tmp/b") == (1, "", "")
    assert run(host, SETUP + "cmp -l /tmp/a /tmp/b") == (1, "     4 143 170\n", "")
    assert run(host, SETUP + "cmp /tmp/c /tmp/a") == (1, "", "cmp: EOF on /tmp/c\n")


def test_errors(host):
    assert run(host, "cmp /tmp/nope /etc/hosts") == (2, "", "cmp: /tmp/nope: No such file or directory\n")
    status, _, err = run(host, "cmp /etc/hosts")
    assert status == 2 and err.startswith("usage: cmp ")
