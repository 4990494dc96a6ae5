"""Cleanup after a scenario that handed the box's own igb2 to a jail (the
jails-and-networking lab): the jail goes, igb2 is back on the host with its
MAC, and nothing the scenario made is left (jailkit.cleanup's Journal)."""

from __future__ import annotations

import jailkit
from jailkit.cleanup import Journal
from jailkit.parsers.ifconfig import parse_ifconfig

LAB = "sim://?lab=jails-and-networking"
JAIL_CONF = """\
www {
    path = /;
    host.hostname = www;
    persist;
    vnet;
    vnet.interface += "igb2";
    exec.start = "/sbin/ifconfig igb2 inet 10.0.20.10/24 up";
}
"""
OBSERVED = ("jls -d", "mount -p", "ls -R /var/run", "route -n get default", "cat /etc/jail.conf")


def observe(host) -> dict[str, str]:
    return {c: host.run(c + " 2>&1").stdout for c in OBSERVED}


def nics(host) -> dict[str, tuple[str | None, bool, list]]:
    return {name: (i.ether, i.up, [a.address for a in i.inet])
            for name, i in parse_ifconfig(host.run("ifconfig -a").stdout).items()}


def test_the_nic_a_scenario_gave_its_jail_is_back_with_its_mac():
    host = jailkit.connect(LAB)
    before, nics_before = observe(host), nics(host)
    journal = Journal(host)
    with journal.watching():
        host.run("cat > /etc/jail.conf", stdin=JAIL_CONF).check()
    with journal.watching():
        host.run("jail -c www > /dev/null").check()
    with journal.watching():
        assert host.run("jexec www ping -c 1 10.0.20.1").succeeded
    assert "igb2" not in nics(host)
    commands = journal.undo()
    assert not any("destroy" in c and "igb2" in c for c in commands)     # the box's NIC is never destroyed
    assert nics(host) == nics_before
    assert nics(host)["igb2"] == ("90:e2:ba:74:ba:ec", False, [])
    assert observe(host) == before


def test_the_nic_of_a_jail_made_in_the_same_step_stays_the_boxs():
    host = jailkit.connect(LAB)
    nics_before = nics(host)
    journal = Journal(host)
    with journal.watching():
        host.run("jail -c name=www path=/ persist vnet vnet.interface=igb2").check()
    journal.undo()
    assert nics(host) == nics_before


def test_a_connection_in_time_wait_does_not_keep_the_nic_away():
    """Removed with a TCP connection of its stack in TIME_WAIT, the jail would
    keep igb2 for 2*MSL (see test_sim_jail_nic): cleanup takes the box's
    NIC back from the scenario's jail first (ifconfig igb2 -vnet JID), then
    removes the jail, so the NIC is home at once."""
    host = jailkit.connect(LAB)
    nics_before = nics(host)
    host.run("echo 'daytime stream tcp nowait root internal' > /tmp/inetd.www").check()
    journal = Journal(host)
    with journal.watching():
        host.run("cat > /etc/jail.conf", stdin=JAIL_CONF).check()
        host.run("jail -c www > /dev/null && jexec www inetd -p /tmp/inetd.pid /tmp/inetd.www").check()
    with journal.watching():
        assert host.run("nc -w 2 10.0.20.10 13").succeeded       # the jail's side in TIME_WAIT
    jid = host.run("jls -j www jid").stdout.strip()
    commands = journal.undo()
    assert commands[:2] == [f"ifconfig igb2 -vnet {jid}", f"jail -R {jid}"]
    assert nics(host) == nics_before
    assert host.run("jls -d -j www dying").stdout == "true\n"    # the jail itself dies later


def test_a_nic_that_comes_home_within_the_scenario_is_not_the_scenarios():
    # the jail goes in one step, igb2 comes back: the window that sees it
    # reappear must not take it for an interface the scenario created
    host = jailkit.connect(LAB)
    nics_before = nics(host)
    journal = Journal(host)
    with journal.watching():
        host.run("jail -c name=www path=/ persist vnet vnet.interface=igb2").check()
    with journal.watching():
        host.run("jail -r www").check()
    assert "igb2" not in journal.record.interfaces
    journal.undo()
    assert nics(host) == nics_before
