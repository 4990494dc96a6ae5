"""cut(1) as usr.bin/cut/cut.c has it: its lists, -w, -s, and the
combinations and values it refuses."""

from __future__ import annotations

import pytest

from jailkit.host import Host
from tests.conftest import run

USAGE = ("usage: cut -b list [-n] [file ...]\n       cut -c list [file ...]\n"
         "       cut -f list [-s] [-w | -d delim] [file ...]\n")


def test_w_splits_at_runs_of_spaces_and_tabs(host: Host) -> None:
    text = "a  b\tc\n  d e\nnone\n"
    # a line's leading blanks end an empty first field; the output joins with a tab
    assert run(host, "cut -w -f2", stdin=text) == (0, "b\nd\nnone\n", "")
    assert run(host, "cut -w -f1,3", stdin=text) == (0, "a\tc\n\te\nnone\n", "")
    assert run(host, "cut -w -s -f1", stdin=text) == (0, "a\n\n", "")


def test_lists_take_ranges_split_by_commas_or_blanks(host: Host) -> None:
    assert run(host, "cut -d: -f '3,1'", stdin="a:b:c\n") == (0, "a:c\n", "")
    assert run(host, "cut -d: -f '2-'", stdin="a:b:c\n") == (0, "b:c\n", "")
    assert run(host, "cut -c '-2 4'", stdin="abcde\n") == (0, "abd\n", "")


@pytest.mark.parametrize("args, message", [
    ("-f a", "cut: [-bcf] list: illegal list value\n"),
    ("-f 0", "cut: [-bcf] list: values may not include zero\n"),
    ("-f 1,,2", "cut: [-bcf] list: values may not include zero\n"),
    ("-d ab -f 1", "cut: bad delimiter\n"),
    ("-b 1 -f 1", USAGE),
    ("-w -d : -f 1", USAGE),
    ("-c 1 -s", USAGE),
    ("-c 1 -n", USAGE),
    ("", USAGE),
])
def test_what_cut_refuses(host: Host, args: str, message: str) -> None:
    assert run(host, f"cut {args} /etc/hosts") == (1, "", message)
