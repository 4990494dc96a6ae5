"""A bridge's members' flags, span ports and address cache on the sim
(ifconfig private, learn, span, static, deladdr, addr, flush: ifbridge.c and
if_bridge.c's ioctls), with ifconfig's messages and exit statuses."""

from __future__ import annotations

from tests.conftest import run


def _bridge(host, members: int = 1) -> None:
    host.run("ifconfig bridge create").check()
    for unit in range(members):
        host.run("ifconfig epair create").check()
        host.run(f"ifconfig bridge0 addm epair{unit}a").check()


def test_static_entries_are_listed_by_addr_and_deleted_by_deladdr(host):
    _bridge(host)
    assert run(host, "ifconfig bridge0 static epair0a 0:1:2:3:4:5") == (0, "", "")
    assert run(host, "ifconfig bridge0 addr") == (
        0, "00:01:02:03:04:05 Vlan1 epair0a 0 flags=1<STATIC>\n", "")
    assert run(host, "ifconfig bridge0 deladdr 00:01:02:03:04:05") == (0, "", "")
    assert run(host, "ifconfig bridge0 addr") == (0, "", "")


def test_static_and_deladdr_errors(host):
    """if_bridge_test static: a non-member, a bad address, an unknown one."""
    _bridge(host)
    assert run(host, "ifconfig bridge0 static epair0b 00:01:02:03:04:05") == (
        1, "", "ifconfig: BRDGSADDR epair0b: No such file or directory\n")
    assert run(host, "ifconfig bridge0 static epair0a 00:01:02:03:04") == (
        1, "", "ifconfig: epair0a: invalid address: 00:01:02:03:04\n")
    # bridge_rtupdate(): no multicast address
    assert run(host, "ifconfig bridge0 static epair0a 01:00:5e:00:00:01") == (
        1, "", "ifconfig: BRDGSADDR epair0a: Invalid argument\n")
    assert run(host, "ifconfig bridge0 deladdr 00:01:02:03:04") == (
        1, "", "ifconfig: invalid address: 00:01:02:03:04\n")
    assert run(host, "ifconfig bridge0 deladdr 00:01:02:03:04:06") == (
        1, "", "ifconfig: BRDGDADDR 00:01:02:03:04:06: No such file or directory\n")


def test_a_member_leaving_takes_its_static_entries_and_flushall_takes_the_rest(host):
    _bridge(host, members=2)
    host.run("ifconfig bridge0 static epair0a 00:01:02:03:04:05 static epair1a 00:01:02:03:04:06").check()
    host.run("ifconfig bridge0 deletem epair0a").check()
    assert run(host, "ifconfig bridge0 addr")[1] == "00:01:02:03:04:06 Vlan1 epair1a 0 flags=1<STATIC>\n"
    host.run("ifconfig bridge0 flush").check()          # dynamic entries only
    assert run(host, "ifconfig bridge0 addr")[1] == "00:01:02:03:04:06 Vlan1 epair1a 0 flags=1<STATIC>\n"
    host.run("ifconfig bridge0 flushall").check()
    assert run(host, "ifconfig bridge0 addr")[1] == ""


def test_private_is_printed_after_sticky_and_cleared_by_minus_private(host):
    _bridge(host)
    host.run("ifconfig bridge0 private epair0a sticky epair0a").check()
    assert "\tmember: epair0a flags=953<LEARNING,DISCOVER,STICKY,PRIVATE,AUTOEDGE,AUTOPTP>\n" in \
        run(host, "ifconfig bridge0")[1]
    host.run("ifconfig bridge0 -private epair0a -sticky epair0a -learn epair0a").check()
    assert "\tmember: epair0a flags=142<DISCOVER,AUTOEDGE,AUTOPTP>\n" in run(host, "ifconfig bridge0")[1]


def test_a_span_port_is_listed_after_the_members_with_the_last_ones_numbers(host):
    _bridge(host)
    host.run("ifconfig epair create").check()
    assert run(host, "ifconfig bridge0 span epair1a") == (0, "", "")
    out = run(host, "ifconfig bridge0")[1]
    member, span = out.split("\tmember: ")[1:3]
    assert member.startswith("epair0a flags=143<")
    assert span.startswith("epair1a flags=8<SPAN>\n\t        ifmaxaddr 0 port ")
    assert span.split("\n")[1].endswith(" priority 128 path cost 2000")
    assert run(host, "ifconfig bridge0 -span epair1a") == (0, "", "")
    assert "SPAN" not in run(host, "ifconfig bridge0")[1]


def test_span_errors(host):
    _bridge(host)
    host.run("ifconfig epair create").check()
    host.run("ifconfig bridge0 span epair1a").check()
    assert run(host, "ifconfig bridge0 span epair1a") == (
        1, "", "ifconfig: BRDGADDS epair1a: Device busy\n")
    assert run(host, "ifconfig bridge0 span epair0a") == (      # a member already
        1, "", "ifconfig: BRDGADDS epair0a: Device busy\n")
    assert run(host, "ifconfig bridge0 span lo0") == (
        1, "", "ifconfig: BRDGADDS lo0: Invalid argument\n")
    assert run(host, "ifconfig bridge0 -span epair1b") == (
        1, "", "ifconfig: BRDGDELS epair1b: No such file or directory\n")
    assert run(host, "ifconfig bridge0 span nosuch0") == (
        1, "", "ifconfig: BRDGADDS nosuch0: No such file or directory\n")


def test_a_destroyed_span_port_leaves_the_bridge(host):
    _bridge(host)
    host.run("ifconfig epair create").check()
    host.run("ifconfig bridge0 span epair1a").check()
    host.run("ifconfig epair1a destroy").check()
    assert "epair1a" not in run(host, "ifconfig bridge0")[1]


def test_bridge_parameters_on_another_interface_fail(host):
    host.run("ifconfig epair create").check()
    assert run(host, "ifconfig epair0a addr") == (
        1, "", "ifconfig: unable to get address cache: Invalid argument\n")
    assert run(host, "ifconfig epair0a private epair0b") == (
        1, "", "ifconfig: unable to get bridge flags: Invalid argument\n")


def _two_jails_on_a_bridge(host) -> None:
    for command in ("ifconfig bridge create", "ifconfig epair create", "ifconfig epair create",
                    "jail -c name=one persist vnet vnet.interface=epair0b",
                    "jail -c name=two persist vnet vnet.interface=epair1b",
                    "jexec one ifconfig epair0b 192.0.2.1/24 up",
                    "jexec two ifconfig epair1b 192.0.2.2/24 up",
                    "ifconfig bridge0 addm epair0a addm epair1a up",
                    "ifconfig epair0a up", "ifconfig epair1a up"):
        host.run(command).check()


def test_private_members_do_not_talk_to_each_other(host):
    """bridge_forward(): "Private segments can not talk to each other"."""
    _two_jails_on_a_bridge(host)
    assert run(host, "jexec one ping -c 1 192.0.2.2")[0] == 0
    host.run("ifconfig bridge0 private epair0a").check()
    assert run(host, "jexec one ping -c 1 192.0.2.2")[0] == 0      # one private member: fine
    host.run("ifconfig bridge0 private epair1a").check()
    assert run(host, "jexec one ping -c 1 192.0.2.2")[0] == 2
    host.run("ifconfig bridge0 -private epair1a").check()
    assert run(host, "jexec one ping -c 1 192.0.2.2")[0] == 0


def test_the_bridges_and_its_members_numbers(host):
    _bridge(host)
    host.run("ifconfig bridge0 priority 8000 maxaddr 100 timeout 60 "
             "ifpriority epair0a 100 ifmaxaddr epair0a 5").check()
    out = run(host, "ifconfig bridge0")[1]
    # bstp rounds the priorities down: to 4096s for the bridge, 16s for a port
    assert "\tid 00:00:00:00:00:00 priority 4096 hellotime 2 fwddelay 15\n" in out
    assert "\tmaxage 20 holdcnt 6 proto rstp maxaddr 100 timeout 60\n" in out
    assert "\t        ifmaxaddr 5 port " in out and " priority 96 path cost 2000\n" in out


def test_bad_numbers_and_unmodelled_timers(host):
    _bridge(host)
    assert run(host, "ifconfig bridge0 priority 70000") == (1, "", "ifconfig: invalid value: 70000\n")
    assert run(host, "ifconfig bridge0 priority 65535") == (
        1, "", "ifconfig: BRDGSPRI 65535: Invalid argument\n")
    assert run(host, "ifconfig bridge0 ifpriority epair0a 241") == (
        1, "", "ifconfig: BRDGSIFPRIO 241: Invalid argument\n")
    assert run(host, "ifconfig bridge0 ifpriority epair0b 16") == (
        1, "", "ifconfig: BRDGSIFPRIO 16: No such file or directory\n")
    assert run(host, "ifconfig epair0b maxaddr 3") == (
        1, "", "ifconfig: BRDGSCACHE 3: Invalid argument\n")
    assert run(host, "ifconfig bridge0 hellotime 3") == (
        1, "", "ifconfig: hellotime: not modelled by the jailkit sim\n")
