"""sh's options (bin/sh/options.c, options.h): set and sh's command line
turn them on and off by letter or by name; each one the sim can show acts."""

from __future__ import annotations

from jailkit.host import Host
from tests.conftest import run


def test_set_o_names_an_option_and_an_unknown_one_is_an_error(host: Host) -> None:
    assert run(host, "set -o errexit; false; echo survived") == (1, "", "")
    assert run(host, "set -o bogus; echo no") == (2, "", "sh: set: Illegal option -o bogus\n")
    assert run(host, "set -Q; echo no") == (2, "", "sh: set: Illegal option -Q\n")
    assert run(host, "set -eu; echo $-; set +e; echo $-")[1] == "eu\nu\n"


def test_set_o_and_set_plus_o_list_the_options(host: Host) -> None:
    listing = run(host, "set -o pipefail; set -o")[1].splitlines()
    assert listing[:3] == ["Current option settings", "errexit         off", "noglob          off"]
    assert "pipefail        on" in listing and len(listing) == 23
    again = run(host, "set -x; set +o")[1].splitlines()
    assert again[0] == "set +o errexit" and "set -o xtrace" in again


def test_nounset(host: Host) -> None:
    assert run(host, 'set -u; echo "$UNDEF"; echo after') == (2, "", "sh: UNDEF: parameter not set\n")
    # a default, $@ and $* are no errors
    assert run(host, 'set -u; echo ${UNDEF-dflt} "$@" $*') == (0, "dflt\n", "")


def test_xtrace_shows_each_command_as_the_shell_would_read_it(host: Host) -> None:
    status, out, err = run(host, "set -x; echo hi 'a b' \"it's\" ''; x=1 y='p q'")
    assert (status, out) == (0, "hi a b it's \n")
    assert err == "+ echo hi 'a b' 'it'\\''s' ''\n+ x=1 y='p q'\n"
    assert run(host, "PS4='>> '; set -x; true")[2] == ">> true\n"


def test_pipefail(host: Host) -> None:
    assert run(host, "false | true; echo $?; set -o pipefail; false | true; echo $?; "
                     "true | (exit 3) | true; echo $?")[1] == "0\n1\n3\n"


def test_noclobber(host: Host) -> None:
    assert run(host, "set -C; echo a > /tmp/c; echo b > /tmp/c; echo $?; echo c >| /tmp/c; cat /tmp/c;"
                     " echo d > /dev/null && echo ok") == (
        0, "1\nc\nok\n", "sh: cannot create /tmp/c: File exists\n")


def test_allexport_noglob_and_the_positional_parameters(host: Host) -> None:
    assert run(host, "set -a; A=1; env | grep '^A='")[1] == "A=1\n"
    assert run(host, "set -f; echo /et*; set +f; echo /et*")[1] == "/et*\n/etc\n"
    # -- sets them even to none; a lone - ends the options and keeps going
    assert run(host, "set -- a b; echo $#; set --; echo $#; set -x; set - c; echo $@")[1] == "2\n0\nc\n"


def test_the_shells_command_line_takes_the_same_options(host: Host) -> None:
    assert run(host, "sh -n -c 'echo not run'; echo $?")[1] == "0\n"
    assert run(host, "sh -x -c 'echo traced'") == (0, "traced\n", "+ echo traced\n")
    assert run(host, "sh -o pipefail -c 'false | true'; echo $?")[1] == "1\n"
    assert run(host, "echo 'echo $1-$2' | sh -s p q")[1] == "p-q\n"
    assert run(host, "sh -Q -c true") == (2, "", "sh: Illegal option -Q\n")
    assert run(host, "sh -v -c 'echo v'") == (0, "v\n", "echo v\n")


def test_a_read_only_assignment_fails_the_command_not_always_the_shell(host: Host) -> None:
    # eval.c: before a regular builtin or another program it fails that
    # command (2); in read, local, a pipeline stage or a job, that alone
    for line in ("A=2 ls / >/dev/null", "A=2 true", "echo x | read A", "f() { local A=3; }; f; false"):
        assert run(host, f"readonly A=1; {line}; echo after $?") == (
            0, "after 2\n" if "false" not in line else "after 1\n", "sh: A: is read only\n"), line
    # alone, or before a special builtin, it ends the shell
    assert run(host, "readonly A=1; A=2; echo never") == (2, "", "sh: A: is read only\n")
    assert run(host, "readonly A=1; A=2 export B; echo never") == (2, "", "sh: A: is read only\n")
