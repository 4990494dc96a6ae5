"""The harness's own ssh session to a bare box (jailkit.sim.harness): what
would cut a real session cuts it, as paramiko's connection ends: the command
that cut it raises ConnectionLost, and nothing after it runs."""

from __future__ import annotations

import ipaddress

import pytest

import jailkit
from jailkit.host import ConnectionLost

STATEFUL = "block all\npass in on em0 proto tcp to any port 22 keep state\npass out all\n"


def cut_by(box, command: str, stdin: str | None = None) -> None:
    """``command`` cuts the session: its own answer is lost, and the next
    command is not sent (the marker file is never made)."""
    with pytest.raises(ConnectionLost, match="cut while"):
        box.run(command, stdin=stdin)
    with pytest.raises(ConnectionLost, match="cut earlier"):
        box.run("touch /tmp/after")
    assert box.machine.run("test -e /tmp/after")[0] == 1     # the console: it never ran


def test_ipfw_loaded_without_the_tunable_cuts_the_session():
    cut_by(jailkit.connect("sim://?bare=1"), "kldload ipfw")


def test_ipfw_loaded_with_the_tunable_keeps_it():
    box = jailkit.connect("sim://?bare=1")
    box.run("kenv net.inet.ip.fw.default_to_accept=1 && kldload ipfw").check()
    assert box.run("echo still here").stdout == "still here\n"


def test_a_stateful_default_deny_ruleset_with_no_state_for_the_session_cuts_it():
    # pass ... keep state is "flags S/SA": the session's later segments match
    # no pass rule, and "block all" drops them
    box = jailkit.connect("sim://?bare=1")
    box.run("kldload pf && pfctl -e").check()
    cut_by(box, "pfctl -f -", STATEFUL)


def session_with_a_state():
    """pf blocking by default, the session passing by its state only."""
    box = jailkit.connect("sim://?bare=1")
    box.run("kldload pf && pfctl -e").check()
    # "flags any" makes a state from the session's next segment; the ruleset
    # loaded after it keeps that state
    box.run("pfctl -f -", stdin=STATEFUL.replace("port 22", "port 22 flags any")).check()
    box.run("pfctl -f -", stdin=STATEFUL).check()
    assert "10.0.2.2:50022" in box.run("pfctl -s states").stdout
    return box


@pytest.mark.parametrize("command", ["pfctl -F states", "pfctl -k 10.0.2.2",
                                     "pfctl -k 10.0.2.0/24 -k 10.0.2.15"])
def test_killing_the_sessions_state_under_block_by_default_cuts_it(command):
    cut_by(session_with_a_state(), command)


def test_killing_other_states_keeps_the_session():
    box = session_with_a_state()
    assert box.run("pfctl -k 10.0.2.99").stderr == "killed 0 states from 1 sources and 0 destinations\n"
    assert box.run("echo still here").succeeded


def test_ipfilter_blocking_by_default_cuts_the_session():
    box = jailkit.connect("sim://?bare=1")
    box.run("kldload ipl && ipf -E").check()
    cut_by(box, "ipf -f -", "block in all\n")


def test_the_default_route_moved_away_from_a_routed_client_cuts_the_session():
    cut_by(jailkit.connect("sim://?bare=1&client=routed"), "route change default 10.0.2.3")


def test_an_on_link_client_does_not_need_the_default_route():
    box = jailkit.connect("sim://?bare=1")
    box.run("route change default 10.0.2.3").check()
    assert box.run("echo still here").succeeded


def test_a_lasting_session_is_cut_as_its_host_is():
    box = jailkit.connect("sim://?bare=1")
    session = box.session()
    with pytest.raises(ConnectionLost, match="cut while 'kldload ipfw' ran"):
        session.run("kldload ipfw", out=print, err=print)
    with pytest.raises(ConnectionLost, match="cut earlier"):
        session.run("echo more", out=print, err=print)


def test_the_modelled_lab_has_no_harness_session():
    host = jailkit.connect("sim://")
    host.run("kldload ipfw").check()
    assert host.client_address() is None and host.run("true").succeeded


# -- the client's address ---------------------------------------------------------------

@pytest.mark.parametrize("client, address", [("on-link", "10.0.2.2"), ("routed", "198.51.100.20")])
def test_a_bare_box_knows_its_harness(client, address):
    box = jailkit.connect(f"sim://?bare=1&client={client}")
    assert box.client_address() == ipaddress.ip_address(address)
    assert box.run("echo $SSH_CONNECTION").stdout == f"{address} 50022 10.0.2.15 22\n"
    assert box.run("sudo -n sh -c 'echo x$SSH_CONNECTION'").stdout == "x\n"   # env_reset


def test_local_has_no_session():
    assert jailkit.connect("local://").client_address() is None
