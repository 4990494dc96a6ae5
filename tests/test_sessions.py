"""Shell sessions of real hosts (jailkit.session, jailkit.hosts.lasting):
a lasting /bin/sh on local:// (here this machine's own sh), driven line by
line as a learner's terminal drives it. The sim's session is tested through
jailkit sim (tests/test_cli.py) and the scenarios (tests/test_scenarios.py)."""

from __future__ import annotations

import signal

import jailkit
from jailkit.scenario import Scenario


def lines(session, *typed: str, stdin: str | None = None) -> list[tuple[int, str, str]]:
    results = []
    for line in typed:
        out: list[str] = []
        err: list[str] = []
        status = session.run(line, stdin=stdin, out=out.append, err=err.append)
        results.append((status, "".join(out), "".join(err)))
    return results


def test_directory_variables_functions_and_status_carry_over():
    session = jailkit.connect("local://").session()
    try:
        *_, last = lines(session, "cd /tmp; X=5; f() { echo f$1; }", "false",
                         "echo $? $X $(pwd) $(f 1)")
        assert last == (0, "1 5 /tmp f1\n", "")
        assert session.cwd == "/tmp"
    finally:
        session.close()


def test_output_input_and_a_syntax_error_that_does_not_end_the_session():
    session = jailkit.connect("local://").session()
    try:
        assert lines(session, "printf 'no newline'; printf err >&2") == [(0, "no newline", "err")]
        assert lines(session, "cat; cat", stdin="one\ntwo") == [(0, "one\ntwo\n", "")]
        status, out, err = lines(session, "echo 'open")[0]
        assert status == 2 and "Syntax error: Unterminated quoted string" in err
        assert lines(session, "echo still here") == [(0, "still here\n", "")]
        assert lines(session, "exit 4") == [(4, "", "")] and session.ended
    finally:
        session.close()


def test_a_line_past_its_limit_gets_sigint_and_the_session_goes_on():
    session = jailkit.connect("local://").session(limit=1)
    try:
        # a program that catches SIGINT ends as it would (ping prints its statistics)
        status, out, err = lines(session, "sh -c 'trap \"echo caught; exit 3\" INT; sleep 30'")[0]
        assert (status, out) == (3, "caught\n")
        assert "was still running after 1 s with no terminal to type ^C at" in err
        assert lines(session, "echo $?") == [(0, "3\n", "")]
    finally:
        session.close()


def test_sigint_reaches_the_line_even_when_jailkit_was_started_ignoring_it():
    # as a job of a shell without job control is (`make test &` in a script)
    ignored = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        session = jailkit.connect("local://").session(limit=0.5)
    finally:
        signal.signal(signal.SIGINT, ignored)
    try:
        status, out, _ = lines(session, "sh -c 'trap \"echo caught; exit 3\" INT; sleep 30'")[0]
        assert (status, out) == (3, "caught\n")
    finally:
        session.close()


def test_the_terminal_on_a_host_with_lasting_shells():
    scenario = Scenario(jailkit.connect("local://"), {})
    try:
        scenario.enter("cd /tmp")
        assert scenario.enter("pwd").stdout == "/tmp\n"
        # the words of a qjail line are expanded by the host's own sh
        assert scenario.session.expand("a 'b  c' \"$(printf 'x\\ny')\" ''") == (
            ["a", "b  c", "x\ny", ""], 0, "")
    finally:
        scenario.close()
