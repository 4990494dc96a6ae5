"""A bridge's spanning tree on the sim (ifconfig stp/-stp, sys/net/bridgestp.c):
the bridge and root ids, each STP port's role and state as ifbridge.c
prints them, and how they change with the topology and with time."""

from __future__ import annotations

import re

from tests.conftest import run


def _loop(host, vlans: bool = False) -> tuple[str, str]:
    """Two bridges in two VNET jails joined by two epairs (a loop), each
    member with STP on (if_bridge_test stp, or stp_vlan over vlans 42)."""
    for command in ("ifconfig epair create", "ifconfig epair create", "ifconfig bridge create",
                    "ifconfig bridge create",
                    "jail -c name=a persist vnet vnet.interface=bridge0 vnet.interface=epair0a "
                    "vnet.interface=epair1a",
                    "jail -c name=b persist vnet vnet.interface=bridge1 vnet.interface=epair0b "
                    "vnet.interface=epair1b"):
        host.run(command).check()
    for jail, bridge, side in (("a", "bridge0", "a"), ("b", "bridge1", "b")):
        ports = [f"epair0{side}", f"epair1{side}"]
        for port in list(ports):
            host.run(f"jexec {jail} ifconfig {port} up").check()
        if vlans:
            ports = [host.run(f"jexec {jail} ifconfig vlan create vlandev {port} vlan 42").check()
                     .stdout.strip() for port in ports]
            for port in ports:
                host.run(f"jexec {jail} ifconfig {port} up").check()
        for port in ports:
            host.run(f"jexec {jail} ifconfig {bridge} addm {port}").check()
        for port in ports:
            host.run(f"jexec {jail} ifconfig {bridge} stp {port}").check()
    host.run("jexec b ifconfig bridge1 up").check()
    host.run("jexec a ifconfig bridge0 up").check()
    return run(host, "jexec a ifconfig bridge0")[1], run(host, "jexec b ifconfig bridge1")[1]


def _ports(text: str) -> dict[str, tuple[str, str]]:
    """member name -> (role, state)."""
    found = re.findall(r"member: (\S+) flags=\S+\n.*proto rstp\n\s+role (\w+) state (\w+)", text)
    return {name: (role, state) for name, role, state in found}


def test_a_loop_of_two_bridges_converges_with_one_port_discarding(host):
    one, two = _loop(host)
    # The lower MAC (the epairs' a ends end in 0a) makes bridge0 the root;
    # bridge1's root port is the one facing bridge0's lower port id.
    assert _ports(one) == {"epair1a": ("designated", "forwarding"),
                           "epair0a": ("designated", "forwarding")}
    assert _ports(two) == {"epair1b": ("alternate", "discarding"),
                           "epair0b": ("root", "forwarding")}
    mac = host.run("ifconfig -a").stdout  # the epairs left for the jails
    assert "epair" not in mac
    root = re.search(r"\tid (\S+) priority 32768", one).group(1)
    assert root.endswith(":0a") and root.startswith("02:")
    assert f"\troot id {root} priority 32768 ifcost 0 port 0\n" in one
    index = re.search(r"member: epair0b .*\n\s+ifmaxaddr 0 port (\d+)", two).group(1)
    assert f"\troot id {root} priority 32768 ifcost 2000 port {index}\n" in two
    assert re.search(r"\tid \S+:0b priority 32768 hellotime 2 fwddelay 15\n", two)


def test_an_stp_member_prints_its_protocol_role_and_state(host):
    one, _ = _loop(host)
    assert re.search(r"\tmember: epair0a flags=1c7<LEARNING,DISCOVER,STP,AUTOEDGE,PTP,AUTOPTP>\n"
                     r"\t        ifmaxaddr 0 port \d+ priority 128 path cost 2000 proto rstp\n"
                     r"\t        role designated state forwarding\n", one)


def test_stp_over_vlans_on_the_epairs(host):
    one, two = _loop(host, vlans=True)
    assert sorted(_ports(one).values()) == [("designated", "forwarding")] * 2
    assert sorted(_ports(two).values()) == [("alternate", "discarding"), ("root", "forwarding")]


def test_without_stp_the_ids_are_zero_and_no_role_is_shown(host):
    host.run("ifconfig bridge create").check()
    host.run("ifconfig epair create").check()
    host.run("ifconfig bridge0 addm epair0a up").check()
    out = run(host, "ifconfig bridge0")[1]
    assert "\tid 00:00:00:00:00:00 priority 32768 hellotime 2 fwddelay 15\n" in out
    assert "\troot id 00:00:00:00:00:00 priority 32768 ifcost 0 port 0\n" in out
    assert "member: epair0a flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>" in out
    assert "role" not in out


def test_a_lone_designated_port_becomes_an_edge_after_the_migrate_delay(host):
    host.run("ifconfig bridge create").check()
    host.run("ifconfig epair create").check()
    host.run("ifconfig epair0a up").check()
    host.run("ifconfig bridge0 addm epair0a stp epair0a up").check()
    # No BPDU comes back from epair0b: discarding until bstp_edge_delay_expiry
    assert "role designated state discarding" in run(host, "ifconfig bridge0")[1]
    host.run("sleep 3").check()
    out = run(host, "ifconfig bridge0")[1]
    assert "member: epair0a flags=1e7<LEARNING,DISCOVER,STP,EDGE,AUTOEDGE,PTP,AUTOPTP>" in out
    assert "role designated state forwarding" in out


def test_without_autoedge_the_port_learns_then_forwards_after_the_forward_delays(host):
    host.run("ifconfig bridge create").check()
    host.run("ifconfig epair create").check()
    host.run("ifconfig epair0a up").check()
    host.run("ifconfig bridge0 addm epair0a -autoedge epair0a stp epair0a up").check()
    host.run("sleep 15").check()
    assert "state learning" in run(host, "ifconfig bridge0")[1]
    host.run("sleep 15").check()
    assert "state forwarding" in run(host, "ifconfig bridge0")[1]


def test_a_port_that_is_down_is_disabled(host):
    host.run("ifconfig bridge create").check()
    host.run("ifconfig epair create").check()
    host.run("ifconfig bridge0 addm epair0a stp epair0a up").check()
    assert "role disabled state discarding" in run(host, "ifconfig bridge0")[1]


def test_stp_off_again_drops_the_stp_lines(host):
    host.run("ifconfig bridge create").check()
    host.run("ifconfig epair create").check()
    host.run("ifconfig bridge0 addm epair0a stp epair0a").check()
    host.run("ifconfig bridge0 -stp epair0a").check()
    out = run(host, "ifconfig bridge0")[1]
    assert "proto rstp\n" not in out and "STP" not in out
    assert "\tid 00:00:00:00:00:00 " in out


def test_stp_needs_a_member_and_an_ethernet_one(host):
    host.run("ifconfig bridge create").check()
    host.run("ifconfig epair create").check()
    assert run(host, "ifconfig bridge0 stp epair0a") == (
        1, "", "ifconfig: unable to get bridge flags: No such file or directory\n")
    assert run(host, "ifconfig epair0a stp epair0b") == (
        1, "", "ifconfig: unable to get bridge flags: Invalid argument\n")
    host.run("ifconfig gif create").check()
    host.run("ifconfig bridge0 addm gif0").check()
    # bstp_enable(): only IFT_ETHER and IFT_L2VLAN ports can run it
    assert run(host, "ifconfig bridge0 stp gif0") == (
        1, "", "ifconfig: unable to set bridge flags: Invalid argument\n")


def test_frames_cross_the_loop_by_the_forwarding_ports_only(host):
    _loop(host)
    host.run("jexec a ifconfig bridge0 192.0.2.1/24").check()
    host.run("jexec b ifconfig bridge1 192.0.2.2/24").check()
    host.run("jexec b tcpdump -c 1 -n -i epair1b icmp > /tmp/alternate 2>/dev/null &").check()
    host.run("jexec b tcpdump -c 1 -n -i epair0b icmp > /tmp/root 2>/dev/null &").check()
    assert run(host, "jexec a ping -c 1 192.0.2.2")[0] == 0
    assert "ICMP echo request" in host.run("cat /tmp/root").stdout
    assert host.run("cat /tmp/alternate").stdout == ""      # the alternate port discards
