"""sh's echo (bin/sh/bltin/echo.c) and printf (usr.bin/printf/printf.c,
the builtin and /usr/bin/printf): their options and escapes, and escapes
that write bytes (the sim's text is UTF-8)."""

from __future__ import annotations

import pytest

from jailkit.host import Host
from tests.conftest import run


def test_echo_takes_one_option_and_only_as_the_whole_first_word(host: Host) -> None:
    assert run(host, "echo -n x; echo -e 'a\\tb'") == (0, "xa\tb\n", "")
    assert run(host, "echo -ne 'x\\n'")[1] == "-ne x\\n\n"
    assert run(host, "echo -n -e x")[1] == "-e x"
    assert run(host, "echo 'a\\tb'")[1] == "a\\tb\n"


def test_echo_e_escapes(host: Host) -> None:
    # \e is ESC; octal needs \0 first; any other backslash stays as it is
    assert run(host, "echo -e '\\e[0m|\\q|\\1|\\0101|\\0x'")[1] == "\x1b[0m|\\q|\\1|A|\x00x\n"
    # \c ends all output, the newline and the words after it included
    assert run(host, "echo -e 'a\\cb' c; echo .")[1] == "a.\n"


def test_printf_escapes_follow_printf_c(host: Host) -> None:
    assert run(host, "printf '\\q\\\"\\047\\\\\\n'")[1] == "q\"'\\\n"
    # in the format at most three octal digits, a leading 0 among them;
    # in a %b argument a 0 and three more
    assert run(host, "printf '\\0101|%b\\n' '\\0101'")[1] == "\b1|A\n"
    assert run(host, "printf 'abc\\'")[1] == "abc\\"


def test_printf_c_ends_the_format_for_good(host: Host) -> None:
    assert run(host, "printf '%s\\c-%s\\n' x y z") == (0, "x", "")
    assert run(host, "printf '%b|' 'a\\cb' c; echo")[1] == "a|c|\n"


@pytest.mark.parametrize("printf", ["printf", "/usr/bin/printf"])
def test_octal_escapes_write_bytes(host: Host, printf: str) -> None:
    assert run(host, f"{printf} 'caf\\303\\251\\n'")[1] == "café\n"
    # a character split by a conversion is still one
    assert run(host, f"{printf} '\\303%s\\251\\n' ''")[1] == "é\n"
    assert run(host, f"{printf} 'caf\\303\\251\\n' | LANG=C cat -v")[1] == "cafM-CM-)\n"
    # a byte that is no UTF-8 goes through the pipe as that byte
    assert run(host, f"{printf} '\\377' | wc -c")[1].split() == ["1"]


def test_printf_c_prints_the_first_byte(host: Host) -> None:
    assert run(host, "printf '%c%c|' é b | LANG=C cat -v")[1] == "M-Cb|"


def test_printf_with_no_format_is_a_usage_error(host: Host) -> None:
    assert run(host, "printf") == (1, "", "usage: printf format [arguments ...]\n")


def test_arguments_left_for_a_format_that_converts_none(host: Host) -> None:
    # printf.c main(): the format is used again for them and finds no conversion
    assert run(host, "printf 'abc\\n' x y") == (1, "abc\n", "printf: missing format character\n")
    assert run(host, "printf '%s-' a b c") == (0, "a-b-c-", "")
