"""expr(1) on the sim (bin/expr/expr.y): its grammar and precedence, integer
and string comparisons, `:` with basic regular expressions anchored at the
start, its output and exit statuses (0, 1 for null or zero, 2 for errors)."""

from __future__ import annotations

import pytest

from tests.conftest import run


@pytest.mark.parametrize("expression, out, status", [
    ("1 + 2 '*' 3", "7", 0),
    ("'(' 1 + 2 ')' '*' 3", "9", 0),
    ("7 / 2", "3", 0),
    ("-- -7 / 2", "-3", 0),      # C division truncates
    ("-- -7 % 2", "-1", 0),
    ("3 - 3", "0", 1),
    ("10 '>' 9", "1", 0),          # as integers
    ("10 '>' 9a", "0", 1),         # as strings: "10" sorts before "9a"
    ("abc = abc", "1", 0),
    ("'' '|' fallback", "fallback", 0),
    ("0 '&' x", "0", 1),
    ("abc : 'a.'", "2", 0),        # the length of the match
    ("abc : 'b'", "0", 1),         # anchored at the start
    ("abc : 'a\\(.*\\)'", "bc", 0),
    ("abc : 'x\\(.*\\)'", "", 1),  # a group and no match: the null string
    ("'a+b' : 'a+b'", "3", 0),     # + is ordinary in a BRE
    ("'*ab' : '*a'", "2", 0),      # a leading * is ordinary
    ("aaa : 'a\\{2\\}'", "2", 0),
    ("ngeth12 : '[[:alpha:]]*\\([0-9]*\\)'", "12", 0),
    ("'' + 1", "1", 0),            # strtol() takes the empty string whole: 0
    ("+5 '*' 2", "10", 0),
    ("'' = 0", "1", 0),
])
def test_expressions(host, expression, out, status):
    assert run(host, f"expr {expression}") == (status, out + "\n", "")


@pytest.mark.parametrize("expression, message", [
    ("1 +", "syntax error"),
    ("'(' 1", "syntax error"),
    ("", "syntax error"),
    ("a + 1", "non-numeric argument"),
    ("1 / 0", "division by zero"),
    ("5 % 0", "division by zero"),
    ("a : 'a\\('", "parentheses not balanced"),
    ("a : '[a'", "brackets ([ ]) not balanced"),
])
def test_errors_exit_2(host, expression, message):
    assert run(host, f"expr {expression}") == (2, "", f"expr: {message}\n")


def test_dot_matches_across_lines_as_regcomp_without_reg_newline(host):
    text = "Rec'd response \"getifname\" (1) from \"[9]:\":\nArgs:\t\"ngeth3\""
    quoted = text.replace("'", "'\\''")
    command = "expr '" + quoted + """' : '.*Args:.*"\\([a-zA-Z]*[0-9]*\\)"'"""
    assert run(host, command) == (0, "ngeth3\n", "")


def test_a_negative_number_first_is_taken_for_an_option(host):
    assert run(host, "expr -1 + 2") == (
        2, "", "expr: illegal option -- 1\nusage: expr [-e] expression\n")
    assert run(host, "expr -- -1 + 2") == (0, "1\n", "")
