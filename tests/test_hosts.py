"""connect() and the Host interface, on sim://."""

from __future__ import annotations

import pytest

import jailkit
from jailkit import CommandFailed, HostTimeout, HostURLError
from jailkit.hosts.sim import SimHost


def test_default_is_a_sim_host_with_the_default_lab():
    host = jailkit.connect()
    assert isinstance(host, SimHost) and host.url == "sim://"
    assert host.lab.name == "qjail-vnet"


def test_two_connections_are_two_independent_hosts():
    first, second = jailkit.connect("sim://"), jailkit.connect("sim://")
    first.run("ifconfig bridge create && touch /root/mark").check()
    assert second.run("ifconfig -l").stdout == "fxp0 lo0\n"
    assert not second.run("test -e /root/mark").succeeded


def test_state_persists_within_a_host(host):
    host.run("cd /tmp && echo kept > note").check()
    assert host.run("cat /tmp/note").stdout == "kept\n"


def test_result_fields(host):
    result = host.run("echo out; echo err >&2; exit 5")
    assert (result.command, result.exit_status, result.stdout, result.stderr) == \
        ("echo out; echo err >&2; exit 5", 5, "out\n", "err\n")
    assert not result.succeeded


def test_argv_lists_are_quoted_word_by_word(host):
    words = ["printf", "%s|", "a b", "$HOME", "`id`", "it's", ";", ""]
    result = host.run(words)
    assert result.stdout == "a b|$HOME|`id`|it's|;||"
    assert result.command == tuple(words)
    with pytest.raises(ValueError):
        host.run([])


def test_stdin(host):
    assert host.run("tr a-z A-Z", stdin="howto\n").stdout == "HOWTO\n"


def test_check_raises_with_the_command_and_its_error(host):
    with pytest.raises(CommandFailed, match=r"'ls /nope' exited 1: ls: /nope: No such file or directory"):
        host.run("ls /nope").check()


def test_timeout_stops_the_command_and_names_it(host):
    with pytest.raises(HostTimeout, match=r"'sleep 30; touch /root/late' did not finish within 2 s"):
        host.run("sleep 30; touch /root/late", timeout=2)
    assert not host.run("test -e /root/late").succeeded
    assert host.run("sleep 1", timeout=2).succeeded


def test_a_ping_without_count_ends_at_the_timeout(host):
    with pytest.raises(HostTimeout):
        host.run("ping 10.0.10.1", timeout=5)


@pytest.mark.parametrize("url, message", [
    ("localhost", "is not a host URL"),
    ("ftp://box", "unknown host kind 'ftp'"),
    ("sim://box", "sim:// takes only"),
    ("sim://?colour=red", "sim:// takes only"),
    ("sim://?seed=x", "seed must be a number"),
])
def test_bad_urls(url, message):
    with pytest.raises(HostURLError, match=message):
        jailkit.connect(url)


def test_a_lab_chosen_in_the_url():
    with pytest.raises(ValueError, match="no lab named 'nowhere'"):
        jailkit.connect("sim://?lab=nowhere")
    assert jailkit.connect("sim://?lab=qjail-vnet&seed=3").lab.name == "qjail-vnet"


def test_context_manager_closes(host):
    with jailkit.connect() as opened:
        assert opened.run("true").succeeded
