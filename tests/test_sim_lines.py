"""A line is what ends in a newline, as getline(3) and fgets(3) read it:
a carriage return (a file written on Windows), a form feed or a vertical
tab is part of its line in every text tool of the sim."""

from __future__ import annotations

import pytest

from jailkit.host import Host
from jailkit.sim.octets import lines
from tests.conftest import run

CRLF = "printf 'a\\rb\\nc\\n'"


def test_lines_are_cut_at_newlines_only():
    assert lines("a\rb\nc\fd\x0be\n\nf") == ["a\rb", "c\fd\x0be", "", "f"]
    assert lines("a\r\nb\n", keepends=True) == ["a\r\n", "b\n"]
    assert lines("") == [] and lines("\n") == [""]


@pytest.mark.parametrize("command, shown", [
    (f"{CRLF} | cut -c1-2", "a^M\nc\n"),
    (f"{CRLF} | sort -r", "c\na^Mb\n"),
    (f"{CRLF} | grep -c .", "2\n"),
    (f"{CRLF} | grep -n b", "1:a^Mb\n"),
    (f"{CRLF} | sed -n 1p", "a^Mb\n"),
    (f"{CRLF} | awk 'END {{ print NR }}'", "2\n"),
    (f"{CRLF} | tail -n 1", "c\n"),
    (f"{CRLF} | head -n 1", "a^Mb\n"),
    ("printf 'x\\fy\\nx\\fy\\n' | uniq -c", "   2 x^Ly\n"),
])
def test_a_carriage_return_or_form_feed_stays_in_its_line(host: Host, command: str, shown: str):
    assert run(host, f"{command} | cat -v") == (0, shown, "")


def test_diff_compares_lines_with_their_carriage_returns(host: Host):
    run(host, "printf 'a\\r\\nb\\n' > /tmp/dos; printf 'a\\nb\\n' > /tmp/unix")
    assert run(host, "diff /tmp/dos /tmp/unix | cat -v") == (0, "1c1\n< a^M\n---\n> a\n", "")


def test_a_hosts_line_ending_in_a_carriage_return_names_a_host_with_it(host: Host):
    # gethostbyht.c cuts a line at "#\n" and its words at " \t": the CR
    # stays in the last name, which then matches nothing typed
    run(host, "printf '10.0.10.1 crlfhost\\r\\n10.0.10.1\\tplainhost other\\n' >> /etc/hosts")
    assert run(host, "ping -c 1 crlfhost")[0] == 68
    assert run(host, "ping -c 1 other")[0] == 0
