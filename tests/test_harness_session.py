"""The harness's own ssh session to a bare box (jailkit.sim.harness): what
would cut a real session cuts it, as paramiko's connection ends: the command
that cut it raises ConnectionLost, and nothing after it runs. The client's
address, as each kind of host learns it, and the checks that use it: the lab
build's default-route refusal and the ipfw guard."""

from __future__ import annotations

import ipaddress
from urllib.parse import quote

import pytest

import jailkit
from jailkit.boxcheck import ipfw_default_refusal
from jailkit.host import ConnectionLost
from jailkit.lab import DEFAULT_LAB, load_lab
from jailkit.labbuild import LabBuildError, _answered_by_default_route, build_lab, remove_lab
from tests.conftest import PROVISIONED_BOX
from tests.sshd import start_sshd
from tests.test_scenarios import FEATURE, run_feature

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


@pytest.fixture(scope="module")
def sshd():
    server = start_sshd()
    yield server
    server.stop()


@pytest.mark.parametrize("via", ["127.0.0.1", "::1"])
@pytest.mark.parametrize("options", [{}, {"sudo": "1"}])
def test_ssh_asks_the_box_outside_sudo(sshd, via, options):
    # a real sshd: $SSH_CONNECTION as sshd sets it, read in the login user's
    # own session (the user's sudo, if any, is never asked), in either family
    host = jailkit.connect(sshd.url(via=via, **options))
    try:
        assert host.client_address() == ipaddress.ip_address(via)
    finally:
        host.close()


def test_under_sudo_the_box_still_names_the_client():
    # a bare sim behind sshd, whose sudo removes SSH_CONNECTION as sudo does:
    # what labbuild read before is empty there
    server = start_sshd(sim=True)
    try:
        host = jailkit.connect(server.url(sudo="1"))
        assert host.run("echo x$SSH_CONNECTION").stdout == "x\n"
        assert host.client_address() == ipaddress.IPv4Address("10.0.2.2")
        host.close()
    finally:
        server.stop()


# -- the lab build's check, per address family ------------------------------------------

def test_under_sudo_a_routed_client_is_still_seen_and_the_lab_refused():
    # what the box's sudo hid before: the build went on and moved the route
    server = start_sshd(sim=True, client="routed")
    try:
        host = jailkit.connect(server.url(sudo="1"), lab=load_lab(DEFAULT_LAB))
        with pytest.raises(LabBuildError, match="comes from 198.51.100.20 through the box's"):
            build_lab(host, host.lab)
        assert "gateway: 10.0.2.2" in host.run("route -n get default").stdout
        host.close()
    finally:
        server.stop()


def test_the_lab_is_built_under_an_on_link_client_and_the_session_lives():
    box = jailkit.connect(PROVISIONED_BOX)
    record = build_lab(box, box.lab)
    assert box.run("ping -c 1 10.0.10.1").succeeded
    remove_lab(box, box.lab, record)
    assert box.run("echo still here").succeeded


def test_an_ipv6_client_is_not_answered_by_the_ipv4_default_route():
    # the lab moves only the IPv4 default route; an IPv6 client's answers
    # take the box's IPv6 routes, which it leaves alone
    box = jailkit.connect(PROVISIONED_BOX + "&client=routed")
    assert _answered_by_default_route(box, ipaddress.IPv4Address("198.51.100.20"))
    assert not _answered_by_default_route(box, ipaddress.IPv6Address("2001:db8::7"))
    assert not _answered_by_default_route(box, ipaddress.IPv4Address("10.0.2.2"))


# -- the ipfw guard ---------------------------------------------------------------------

TUNABLE = "net.inet.ip.fw.default_to_accept"


def test_the_guard_refuses_a_fresh_box_and_names_the_tunable():
    box = jailkit.connect("sim://?bare=1")
    refusal = ipfw_default_refusal(box)
    assert refusal is not None and f"kenv {TUNABLE}=1" in refusal and "/boot/loader.conf" in refusal
    assert "ipfw" not in box.run("kldstat").stdout and box.run("true").succeeded


def test_the_guard_passes_with_the_tunable_in_kenv_or_loaded():
    box = jailkit.connect("sim://?bare=1")
    box.run(f"kenv {TUNABLE}=1").check()
    assert ipfw_default_refusal(box) is None
    assert ipfw_default_refusal(jailkit.connect(PROVISIONED_BOX)) is None   # loaded, accepting


def test_the_guard_lets_a_host_without_a_harness_session_be():
    # the modelled lab is at its console; its default rule denies, as the
    # howto's machine's did
    assert ipfw_default_refusal(jailkit.connect("sim://")) is None


def test_the_guard_refuses_ipfw_loaded_denying():
    # an admin's way: a rule for everything in the same line as the load
    # (TCP resends what the instant between them dropped)
    box = jailkit.connect("sim://?bare=1")
    box.run("kldload ipfw && ipfw -q add 100 allow ip from any to any").check()
    refusal = ipfw_default_refusal(box)
    assert refusal is not None and f"{TUNABLE} is 0" in refusal and "reboot" in refusal


# What a box has that loaded what the lab needs, and not ipfw: the tunable unset.
NO_IPFW = ("#!/bin/sh\nset -eu\n"
           "sysrc -f /boot/loader.conf if_bridge_load=YES if_epair_load=YES pf_load=YES ipl_load=YES\n"
           "kldload -n if_bridge if_epair pf ipl\n"
           "sysrc ifconfig_em0=SYNCDHCP && sysrc -x ifconfig_DEFAULT\n")


def test_troubleshooting_5_stops_at_the_guard_on_a_box_without_the_tunable(pytester, tmp_path):
    script = tmp_path / "no_ipfw.sh"
    script.write_text(NO_IPFW)
    url = f"sim://?bare=1&provision={quote(str(script), safe='')}"
    result = run_feature(pytester, FEATURE, "--host", url, "-k", "troubleshooting_5", "--steps")
    # failed at the step, and no error after it: the cleanup and the lab's
    # take-down still had the session
    result.assert_outcomes(failed=1, errors=0)
    result.stdout.fnmatch_lines(["*✗ Given loading ipfw cannot cut jailkit's session to this host",
                                 f"*kenv {TUNABLE}=1*/boot/loader.conf*"])
    assert 'I enter "kldload -n ipfw"' not in result.stdout.str()
