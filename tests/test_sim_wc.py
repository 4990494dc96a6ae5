"""wc(1) as usr.bin/wc/wc.c counts and prints: each count after a space,
at least seven wide; a total line for several operands; -c and -m replace
each other; -L the longest line; errors name the call that failed."""

from __future__ import annotations

from jailkit.host import Host
from tests.conftest import run


def _files(host: Host) -> None:
    run(host, "printf 'a b\\n\\ncc  d e\\nlast' > /tmp/a && printf 'x\\n' > /tmp/b")


def test_wc_counts_and_totals(host: Host) -> None:
    _files(host)
    assert run(host, "wc /tmp/a /tmp/b") == (
        0, "       3       6      17 /tmp/a\n       1       1       2 /tmp/b\n"
           "       4       7      19 total\n", "")
    assert run(host, "wc -l", stdin="1\n2\n") == (0, "       2\n", "")


def test_wc_reports_what_it_cannot_read_and_counts_the_rest(host: Host) -> None:
    _files(host)
    assert run(host, "wc -l /tmp/a /nonexistent /tmp/b") == (
        1, "       3 /tmp/a\n       1 /tmp/b\n       4 total\n",
        "wc: /nonexistent: open: No such file or directory\n")
    assert run(host, "wc /etc") == (1, "", "wc: /etc: read: Is a directory\n")
    # "-" is a file's name to wc, not its standard input
    assert run(host, "wc -", stdin="x\n")[2] == "wc: -: open: No such file or directory\n"


def test_wc_longest_line_counts_only_lines_that_end(host: Host) -> None:
    _files(host)
    assert run(host, "wc -L /tmp/a")[1] == "       7 /tmp/a\n"
    assert run(host, "wc -lL", stdin="12345\n123")[1] == "       1       5\n"


def test_wc_m_counts_characters_in_a_multibyte_locale(host: Host) -> None:
    assert run(host, "wc -m", stdin="café\n")[1] == "       6\n"
    assert run(host, "LANG=C.UTF-8 wc -m", stdin="café\n")[1] == "       5\n"
    # the last of -c and -m wins
    assert run(host, "LANG=C.UTF-8 wc -mc", stdin="café\n")[1] == "       6\n"
    assert run(host, "LANG=C.UTF-8 wc -m", stdin="a\udcff\n") == (
        0, "       3\n", "wc: stdin: Illegal byte sequence\n")


def test_wc_words_are_split_by_c_isspace_only(host: Host) -> None:
    # \x1c is whitespace to Python's str.split(), a word to wc
    assert run(host, "wc -w", stdin="a \x1c b\n")[1] == "       3\n"
