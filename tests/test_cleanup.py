"""Snapshot and restore: a scenario leaves the host as it found it, removing
only what it created, and says so when it cannot."""

from __future__ import annotations

import pytest

from jailkit.cleanup import CleanupError, Journal
from jailkit.files import read_file
from jailkit.qjail import Qjail


def state(host) -> dict[str, str]:
    """Everything observable that a howto may change."""
    commands = ["ifconfig -a", "jls -n", "mount -p", "devfs rule showsets", "cat /etc/devfs.rules",
                "ls -R /usr/jails /usr/local/etc /var/log /var/run", "sysctl net.inet.ip.forwarding"]
    return {c: host.run(c + " 2>&1").stdout for c in commands}


def howto_until_the_console(host) -> None:
    qjail = Qjail(host)
    qjail.install()
    qjail.create("v10", ["10.0.10.10"])
    qjail.config("v10", vnet_nic="fxp0", firewall="none", ruleset="50")
    qjail.start("v10")
    host.run("sysctl net.inet.ip.forwarding=1").check()


def test_restore_after_a_howto_left_half_way(host):
    before_state = state(host)
    journal = Journal(host)
    with journal.watching():
        howto_until_the_console(host)
    assert state(host) != before_state
    commands = journal.undo()
    # by jid, without qjail's jail.conf and its exec.poststop
    assert "jail -R 1" in commands
    assert state(host) == before_state


def test_what_was_there_before_stays(host):
    # Someone's own qjail, jail and epair, made before the scenario.
    Qjail(host).install()
    host.run("ifconfig epair create && jail -c name=theirs persist").check()
    before_state = state(host)
    journal = Journal(host)
    with journal.watching():
        qjail = Qjail(host)
        qjail.create("v10", ["10.0.10.10"])
        qjail.config("v10", vnet_nic="fxp0", firewall="none")
        qjail.start("v10")
        host.run("ifconfig bridge create").check()
    journal.undo()
    assert state(host) == before_state
    assert host.run("jls -j theirs").succeeded
    assert read_file(host, "/usr/local/etc/qjail.vnetctl") == 'count="0"\n'


def test_restore_says_what_it_could_not_undo(host):
    journal = Journal(host)
    with journal.watching():
        host.run("ifconfig fxp0 name lan0").check()   # a rename cannot be destroyed away
    with pytest.raises(CleanupError, match="could not remove what the scenario created: interfaces: lan0"):
        journal.undo()


def test_nothing_to_do_on_an_untouched_host(host):
    journal = Journal(host)
    with journal.watching():
        host.run("ifconfig -a; jls").check()
    assert journal.undo() == []


def test_modules_and_host_firewalls_are_put_back(host):
    journal = Journal(host)
    with journal.watching():
        host.run("kldload ipfw_nat && kldload pf && kldload ipl").check()
        host.run("ipfw -q add 100 allow ip from any to any && ipfw nat 1 config if fxp0 > /dev/null").check()
        host.run("pfctl -q -f - && pfctl -q -e", stdin="pass all\n").check()
        host.run("ipf -E -f - && ipnat -f -", stdin="pass in all\n").check()
    journal.undo()
    assert host.run("kldstat").stdout == "Id Refs Address                Size Name\n" \
        " 1   31 0xffffffff80200000  1f3c6c8 kernel\n"


def test_rules_of_a_box_whose_firewalls_were_loaded_stay(host):
    # A box provisioned with ipfw and pf: their rules are the box's; a
    # scenario's additions go, the box's come back, and ipfw is never flushed.
    host.run("kldload ipfw && kldload pf").check()
    host.run("ipfw -q add 100 allow ip from any to any via lo0 && "
             "ipfw -q add 65000 allow ip from any to any").check()
    host.run("pfctl -q -f -", stdin="pass all\n").check()
    box_rules = host.run("ipfw list; pfctl -s rules").stdout
    journal = Journal(host)
    with journal.watching():
        host.run("ipfw -q add 900 deny ip from any to any").check()
        host.run("pfctl -q -f - && pfctl -q -e", stdin="block all\n").check()
    commands = journal.undo()
    assert "ipfw -q flush" not in commands and "ipfw -q -f flush" not in commands
    assert host.run("ipfw list; pfctl -s rules").stdout == box_rules
    assert host.run("pfctl -s Running").stdout == "Disabled\n"
    assert "ipfw" in host.run("kldstat").stdout

