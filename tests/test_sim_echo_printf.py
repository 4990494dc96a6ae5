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


def test_printf_c_ends_output_in_a_b_argument_only(host: Host) -> None:
    # printf.c escape(): \c stops a %b argument and all output; in the
    # format it is a c
    assert run(host, "printf '%b|%s\\n' 'a\\cb' x") == (0, "a", "")
    assert run(host, "printf '%s\\c-%s\\n' x y z") == (0, "xc-y\nzc-\n", "")


def test_printf_reads_the_formats_escapes_before_its_conversions(host: Host) -> None:
    assert run(host, "printf '\\%s\\n' x")[1] == "x\n"
    # an escape that makes a % makes a literal one; arguments left for a
    # format with no conversion end it with an error after a second pass
    assert run(host, "printf '\\045s\\n' x") == (1, "%s\n%", "printf: missing format character\n")


def test_printf_conversions(host: Host) -> None:
    assert run(host, "printf '%d %i %u %o %x %X %#x %#o %#x\\n' 42 -3 -1 8 255 255 255 8 0")[1] == \
        "42 -3 18446744073709551615 10 ff FF 0xff 010 0\n"
    assert run(host, "printf '%5.2f|%-6d|%+d|%e\\n' 3.14159 7 5 12345.678")[1] == \
        " 3.14|7     |+5|1.234568e+04\n"
    assert run(host, "printf '%d %d %d\\n' 0x1F 017 \\'A")[1] == "31 15 65\n"
    assert run(host, "printf '%2$s %1$s\\n' a b")[1] == "b a\n"
    assert run(host, "printf '%*d|%-*d|%.*s|\\n' 5 1 4 2 2 abcdef")[1] == "    1|2   |ab|\n"


def test_printf_number_errors(host: Host) -> None:
    # a bad number is warned about and printed as what converted; the
    # status is 1, and printing goes on
    assert run(host, "printf '%d|' abc 12abc") == (
        1, "0|12|", "printf: abc: expected numeric value\nprintf: 12abc: not completely converted\n")
    assert run(host, "printf '%d\\n' 99999999999999999999") == (
        1, "9223372036854775807\n", "printf: 99999999999999999999: Result too large\n")
    # a bad width, an unknown conversion or a lone % ends printf there
    assert run(host, "printf 'a%*d\\n' x 3") == (1, "a", "printf: x: expected numeric value\n")
    assert run(host, "printf 'a%zb' 1") == (1, "a", "printf: illegal format character z\n")
    assert run(host, "printf 'a%'") == (1, "a", "printf: missing format character\n")


def test_printf_counts_bytes(host: Host) -> None:
    # widths and precisions count bytes (printf(3)); %c prints one byte and
    # nothing at all, not even its padding, for an empty argument
    assert run(host, "printf '%5s|%.1s|' é é | LANG=C cat -v")[1] == "   M-CM-)|M-C|"
    assert run(host, "printf '%3c|%c\\n' '' b")[1] == "|b\n"
    assert run(host, "printf '%b|' 'a\\0b'")[1] == "a|"


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


def test_the_bytes_of_one_character_meet_across_writes(host: Host) -> None:
    # one file appended to a byte at a time, and one pipe written twice
    run(host, "printf '\\303' > /tmp/e && printf '\\251\\n' >> /tmp/e")
    assert run(host, "LANG=C.UTF-8 cat -v /tmp/e; wc -c < /tmp/e")[1] == "é\n       3\n"
    assert run(host, "{ printf '\\303'; printf '\\251\\n'; } | LANG=C.UTF-8 cat -v")[1] == "é\n"
    assert run(host, "ls -l /tmp/e")[1].split()[4] == "3"
