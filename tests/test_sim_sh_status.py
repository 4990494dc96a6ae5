"""The sim's sh where FreeBSD's own test programs found it wrong: empty
compound lists, test's ==, the status of a command that is only a command
substitution, return outside a function, $PWD from the start, and a syntax
error in a dot script (bin/sh/parser.c, bin/test/test.c, bin/sh/eval.c,
bin/sh/main.c, bin/sh/cd.c)."""

from __future__ import annotations

import pytest

from tests.conftest import run as out


@pytest.mark.parametrize("script", [
    "if true; then\n\t# only a comment\nfi; echo ok",
    "{ }; echo ok",
    "for i in a b; do done; echo ok",
    "while false; do done; echo ok",
    "if false; then :; else\n# nothing\nfi; echo ok",
    "f() { }; f; echo ok",
])
def test_an_empty_compound_list_is_accepted(host, script):
    # bin/sh/parser.c list(): an empty list where the next token ends it
    # (bin/sh/tests/parser/empty-braces1.0); netpfil/common/utils.subr has a
    # "then" holding only a comment.
    assert out(host, script) == (0, "ok\n", "")


def test_an_empty_list_still_needs_its_closing_word(host):
    status, _, err = out(host, "if true; then")
    assert status == 2 and "Syntax error" in err


def test_test_takes_double_equals_as_string_equality(host):
    assert out(host, '[ a == a ] && echo same; [ a == b ] || echo differ; test x == x; echo $?') \
        == (0, "same\ndiffer\n0\n", "")


@pytest.mark.parametrize("script, status", [
    ("`false`; echo $?", "1"),
    ("$(exit 3); echo $?", "3"),
    ("x=$(false); echo $?", "1"),
    ("x=$(true); echo $?", "0"),
    ("x=1; echo $?", "0"),
    ("false; x=$(true) y=$(exit 4); echo $?", "4"),
])
def test_a_command_without_a_name_has_the_last_substitutions_status(host, script, status):
    assert out(host, script) == (0, status + "\n", "")


def test_return_outside_a_function_ends_the_script(host):
    assert out(host, "echo before; return 3; echo after") == (3, "before\n", "")


def test_return_in_a_dot_script_ends_only_the_dot_script(host):
    host.run("printf 'echo in\\nreturn 5\\necho never\\n' > /tmp/lib.sh").check()
    assert out(host, ". /tmp/lib.sh; echo $?; echo after") == (0, "in\n5\nafter\n", "")


def test_pwd_is_set_from_the_start_and_exported(host):
    assert out(host, "echo $PWD; sh -c 'echo $PWD'") == (0, "/root\n/root\n", "")
    assert out(host, "cd /tmp; echo $PWD") == (0, "/tmp\n", "")


def test_a_syntax_error_in_a_dot_script_ends_the_shell(host):
    host.run("printf 'if true; then\\n' > /tmp/bad.sh").check()
    status, stdout, err = out(host, ". /tmp/bad.sh; echo after")
    assert (status, stdout) == (2, "")
    assert err.startswith("/tmp/bad.sh: ") and "Syntax error" in err
