"""sort(1)'s keys (POSIX, usr.bin/sort): -k with fields split by -t or at
blanks, modifiers per key or for all, -u on keys; the rest refused."""

from __future__ import annotations

from jailkit.host import Host
from tests.conftest import run


def test_sort_by_a_numeric_field_after_a_separator(host: Host) -> None:
    assert run(host, "sort -t: -k2 -n", stdin="a:3\nb:1\nc:2\n")[1] == "b:1\nc:2\na:3\n"
    assert run(host, "sort -t. -k4,4n", stdin="1.2.3.10 a\n1.2.3.4 b\n")[1] == "1.2.3.4 b\n1.2.3.10 a\n"
    assert run(host, "sort -k2n", stdin="b 2\na 10\nc 1\n")[1] == "c 1\nb 2\na 10\n"
    assert run(host, "sort -k2", stdin="b 2\na 10\nc 1\n")[1] == "c 1\na 10\nb 2\n"


def test_a_field_holds_the_blanks_before_it_unless_b(host: Host) -> None:
    assert run(host, "sort -k2", stdin="b y\na  z\n")[1] == "a  z\nb y\n"
    assert run(host, "sort -b -k2", stdin="b y\na  z\n")[1] == "b y\na  z\n"


def test_unique_keeps_the_first_of_lines_with_equal_keys(host: Host) -> None:
    assert run(host, "sort -u -k2,2", stdin="b 1\na 2\na 1\n")[1] == "b 1\na 2\n"
    assert run(host, "sort -fu", stdin="b\nB\na\n")[1] == "a\nb\n"
    assert run(host, "sort -rn", stdin="10\n9\n-1\n")[1] == "10\n9\n-1\n"


def test_sort_writes_o_and_refuses_what_it_does_not_model(host: Host) -> None:
    assert run(host, "sort -o /tmp/s; cat /tmp/s", stdin="z\ny\n")[1] == "y\nz\n"
    assert run(host, "sort -M", stdin="x\n") == (
        2, "", "sort: option -M is not modelled by the jailkit sim\n")
