"""cat(1)'s options as bin/cat/cat.c prints them (cook_cat()): numbering,
squeezing, $ at line ends, ^I, ^X and M-X; -l and -u change nothing printed."""

from __future__ import annotations

from jailkit.host import Host
from tests.conftest import run

TEXT = "a\tb\n\n\n\nc\x01\x7f\n"


def test_cat_n_numbers_every_line_again_in_each_file(host: Host) -> None:
    assert run(host, "cat -n - /etc/hosts_missing -", stdin="x\n\ny\n") == (
        1, "     1\tx\n     2\t\n     3\ty\n", "cat: /etc/hosts_missing: No such file or directory\n")
    run(host, "printf 'p\\n' > /tmp/p && printf 'q\\nr' > /tmp/q")
    assert run(host, "cat -n /tmp/p /tmp/q")[1] == "     1\tp\n     1\tq\n     2\tr"


def test_cat_b_leaves_empty_lines_unnumbered_and_e_keeps_their_column(host: Host) -> None:
    assert run(host, "cat -b", stdin=TEXT)[1] == "     1\ta\tb\n\n\n\n     2\tc\x01\x7f\n"
    # -e implies -v; an empty line under -be gets the blank number column
    assert run(host, "cat -be", stdin=TEXT)[1] == (
        "     1\ta\tb$\n      \t$\n      \t$\n      \t$\n     2\tc^A^?$\n")


def test_cat_s_keeps_one_empty_line_of_each_run(host: Host) -> None:
    assert run(host, "cat -s", stdin=TEXT + "\n\nd\n")[1] == "a\tb\n\nc\x01\x7f\n\nd\n"
    assert run(host, "cat -sn", stdin="\n\n\nx\n")[1] == "     1\t\n     2\tx\n"


def test_cat_t_and_v_show_tabs_and_control_characters(host: Host) -> None:
    assert run(host, "cat -t", stdin=TEXT)[1] == "a^Ib\n\n\n\nc^A^?\n"
    assert run(host, "cat -v", stdin=TEXT)[1] == "a\tb\n\n\n\nc^A^?\n"
    assert run(host, "cat -et", stdin="\x1b[0m\n")[1] == "^[[0m$\n"


def test_cat_v_shows_bytes_outside_ascii_by_the_locale(host: Host) -> None:
    # C locale: each byte of the UTF-8 alone, as M- and its low seven bits
    assert run(host, "cat -v", stdin="café\n")[1] == "cafM-CM-)\n"
    # a UTF-8 locale prints what prints; a C1 control and a byte that is no
    # UTF-8 still get M-
    assert run(host, "LANG=C.UTF-8 cat -v", stdin="café\x85\udcff\n")[1] == "caféM-^EM-^?\n"
    assert run(host, "LC_ALL=C LANG=C.UTF-8 cat -v", stdin="é\n")[1] == "M-CM-)\n"


def test_cat_l_and_u_print_the_file_as_it_is(host: Host) -> None:
    assert run(host, "cat -lu", stdin=TEXT) == (0, TEXT, "")


def test_cat_refuses_an_option_it_does_not_have(host: Host) -> None:
    assert run(host, "cat -A", stdin=TEXT) == (
        1, "", "cat: illegal option -- A\nusage: cat [-belnstuv] [file ...]\n")


def test_cat_v_prints_space_separators_in_a_utf8_locale(host: Host) -> None:
    assert run(host, "LANG=C.UTF-8 cat -v", stdin="a\u00a0b\u3000c\n")[1] == "a\u00a0b\u3000c\n"
