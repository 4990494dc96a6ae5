"""Who answers an ARP request that a bridge floods (bridge_broadcast(),
in_arpinput()) on the sim, as the interfaces' addresses and the bridges'
members change between requests: the flood visits only the members whose
far ends can take it, and what it knows of them must follow each change."""

from __future__ import annotations

import pickle
import re

import pytest

import jailkit
from jailkit.host import Host

LOST = "1 packets transmitted, 0 packets received, 100.0% packet loss"
RECEIVED = "1 packets transmitted, 1 packets received, 0.0% packet loss"


def _jail(host: Host, name: str, epair: int, address: str | None, bridge: str = "bridge0") -> None:
    """A vnet jail ``name`` with epair``epair``b, whose a end is a member
    of ``bridge``; ``address`` on the b end (/24) unless None."""
    host.run(f"ifconfig epair{epair} create && ifconfig {bridge} addm epair{epair}a "
             f"&& ifconfig epair{epair}a up").check()
    host.run(f"jail -c name={name} vnet persist vnet.interface=epair{epair}b path=/").check()
    host.run(f"jexec {name} ifconfig epair{epair}b up").check()
    if address is not None:
        host.run(f"jexec {name} ifconfig epair{epair}b inet {address}/24").check()


def _ping(host: Host, jail: str, address: str) -> str:
    result = host.run(f"jexec {jail} ping -c 1 -t 2 {address}")
    return RECEIVED if RECEIVED in result.stdout else LOST if LOST in result.stdout else result.stdout


@pytest.fixture
def bridged() -> Host:
    """bridge0 with jail a (192.0.2.10) and jail b (192.0.2.11)."""
    host = jailkit.connect("sim://")
    host.run("ifconfig bridge0 create up").check()
    _jail(host, "a", 0, "192.0.2.10")
    _jail(host, "b", 1, "192.0.2.11")
    return host


def test_an_address_changed_after_a_flood_answers_and_the_old_one_does_not(bridged):
    assert _ping(bridged, "a", "192.0.2.11") == RECEIVED
    bridged.run("jexec b ifconfig epair1b inet 192.0.2.21/24").check()   # replaces .11
    assert _ping(bridged, "a", "192.0.2.21") == RECEIVED
    assert _ping(bridged, "a", "192.0.2.11") == LOST


def _answered_only_while(host: Host, address: str, make: str, unmake: str) -> None:
    """A ping from jail a to ``address`` is lost, answered once ``make``
    has run, and lost again once ``unmake`` has."""
    assert _ping(host, "a", address) == LOST
    host.run(make).check()
    assert _ping(host, "a", address) == RECEIVED
    host.run(unmake).check()
    assert _ping(host, "a", address) == LOST


def test_an_alias_added_and_deleted_is_answered_while_it_is_there(bridged):
    _answered_only_while(bridged, "192.0.2.31", "jexec b ifconfig epair1b inet 192.0.2.31/32 alias",
                         "jexec b ifconfig epair1b inet 192.0.2.31 -alias")


def test_a_jail_removed_takes_its_address_with_it(bridged):
    assert _ping(bridged, "a", "192.0.2.11") == RECEIVED
    bridged.run("jail -r b").check()
    assert _ping(bridged, "a", "192.0.2.11") == LOST


def test_an_epair_joining_a_second_bridge_after_a_flood_leads_the_next_one_on(bridged):
    """bridge0's epair2a leads to epair2b on the host, in no bridge at first:
    jail c behind bridge1 is out of reach until epair2b joins bridge1."""
    bridged.run("ifconfig bridge1 create up && ifconfig epair2 create "
                "&& ifconfig bridge0 addm epair2a && ifconfig epair2a up && ifconfig epair2b up").check()
    _jail(bridged, "c", 3, "192.0.2.40", bridge="bridge1")
    _answered_only_while(bridged, "192.0.2.40", "ifconfig bridge1 addm epair2b",
                         "ifconfig bridge1 deletem epair2b")


def test_a_member_that_owns_the_address_answers_for_the_hosts_stack(bridged):
    bridged.run("ifconfig epair9 create && ifconfig bridge0 addm epair9a && ifconfig epair9a up").check()
    _answered_only_while(bridged, "192.0.2.50", "ifconfig epair9a inet 192.0.2.50/24",
                         "ifconfig bridge0 deletem epair9a")


def test_of_two_owners_the_member_flooded_first_answers(bridged):
    """Members are flooded newest first (CK_LIST_INSERT_HEAD), so of two
    jails with the same address the one added to the bridge last answers:
    the bridge, emptied of what the announcements taught it, learns the
    asker and the answerer alone."""
    _jail(bridged, "c", 2, "192.0.2.11")
    bridged.run("ifconfig bridge0 flush").check()
    assert _ping(bridged, "a", "192.0.2.11") == RECEIVED
    cache = bridged.run("ifconfig bridge0 addr").stdout
    assert re.findall(r" Vlan1 (\S+) ", cache) == ["epair2a", "epair0a"], cache


def test_a_pickled_machine_answers_as_the_machine_does(bridged):
    """A copy of the machine (pickle) has its own interfaces: the bridge's
    members, the addresses the flood looks up, a parent's vlans and a
    lagg's ports are the copy's, so it answers each command as the
    machine it was copied from does."""
    bridged.run("ifconfig vlan0 create vlan 5 vlandev fxp0 && kldload if_lagg "
                "&& ifconfig epair8 create && ifconfig lagg0 create laggport epair8a").check()
    copy = pickle.loads(pickle.dumps(bridged.machine))
    for command in ("jexec a ping -c 1 -t 2 192.0.2.11",      # the flood finds b
                    "ifconfig vlan1 create vlan 5 vlandev fxp0",   # the tag is taken
                    "ifconfig bridge0 addm epair8a",               # a lagg port
                    "ifconfig bridge0"):
        original = bridged.machine.run(command)
        assert copy.run(command) == original, command
    assert RECEIVED in copy.run("jexec a ping -c 1 -t 2 192.0.2.11")[1]
