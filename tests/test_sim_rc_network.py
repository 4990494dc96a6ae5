"""The article's rc.conf networking as FreeBSD 14's rc.d/netif and
network.subr run it: an epair as a point-to-point link to a VNET jail with
routing across the host, a bridge of the NIC and an epair from
cloned_interfaces, a lagg from ifconfig_lagg0 (and create_args_lagg0); and
the bridge's pfil sysctls as the packet path honours them, with the
article's advice: all of them off, the host's address on the bridge, each
interface filtered by its owner."""

from __future__ import annotations

import pytest

from jailkit.host import ConnectionLost, Host
from tests.conftest import run


def rc_conf(host: Host, *lines: str, boot: bool = True) -> None:
    """rc.conf lines in place of the lab's own ifconfig_fxp0 line, then a
    reboot (/etc/rc sets the host up from them), or for the lab's NIC
    itself rc.d/netif and routing restarted: the sim's reboot gives the
    lab's NIC its address before rc runs."""
    host.run("sysrc -x ifconfig_fxp0 && cat >> /etc/rc.conf",
             stdin="".join(line + "\n" for line in lines)).check()
    if not boot:
        host.run("service netif restart && service routing restart").check()
        return
    with pytest.raises(ConnectionLost):
        host.run("reboot")


def vnet_jail(host: Host, name: str, interface: str, address: str, router: str) -> None:
    host.run(f"jail -c name={name} path=/ vnet vnet.interface={interface} persist").check()
    host.run(f"jexec {name} ifconfig {interface} inet {address} up").check()
    host.run(f"jexec {name} route add default {router} > /dev/null").check()


def pings(host: Host, command: str) -> bool:
    return run(host, command)[1].count(" bytes from ") == 1


# -- epair as a point-to-point link ----------------------------------------------------

P2P = ('cloned_interfaces="epair0 epair1"', 'ifconfig_fxp0="inet 10.0.10.2/28"',
       'ifconfig_epair0a="inet 10.0.1.1/30 up"', 'ifconfig_epair1a="inet 10.0.2.1/30 up"')


def test_epairs_from_rc_conf_route_between_two_jails_through_the_host(host):
    rc_conf(host, *P2P, 'gateway_enable="YES"')
    assert "\tinet 10.0.1.1 netmask 0xfffffffc broadcast 10.0.1.3\n" in run(
        host, "ifconfig epair0a")[1]
    vnet_jail(host, "p2p1", "epair0b", "10.0.1.2/30", "10.0.1.1")
    vnet_jail(host, "p2p2", "epair1b", "10.0.2.2/30", "10.0.2.1")
    status, out, _ = run(host, "jexec p2p1 ping -c 1 10.0.2.2")
    # one router on the way: the reply comes back with ttl 63
    assert status == 0 and "64 bytes from 10.0.2.2: icmp_seq=0 ttl=63 " in out
    assert pings(host, "jexec p2p1 ping -c 1 10.0.10.2")      # the host's LAN address


def test_without_gateway_enable_the_host_does_not_route_between_them(host):
    rc_conf(host, *P2P)
    vnet_jail(host, "p2p1", "epair0b", "10.0.1.2/30", "10.0.1.1")
    vnet_jail(host, "p2p2", "epair1b", "10.0.2.2/30", "10.0.2.1")
    assert run(host, "sysctl -n net.inet.ip.forwarding")[1] == "0\n"
    assert run(host, "jexec p2p1 ping -c 1 10.0.2.2")[0] == 2
    assert pings(host, "jexec p2p1 ping -c 1 10.0.1.1")       # the link itself works


# -- a bridge of the NIC and an epair ---------------------------------------------------

BRIDGE = ('cloned_interfaces="bridge0 epair0"', 'ifconfig_fxp0="up"',
          'ifconfig_bridge0="inet 10.0.10.2/28 addm fxp0 addm epair0a up"',
          'ifconfig_epair0a="up"')


def test_the_articles_bridge_lines_put_the_nic_and_the_epair_on_it(host):
    rc_conf(host, 'cloned_interfaces="bridge0 epair0"',
            'ifconfig_bridge0="addm fxp0 addm epair0a up"')
    bridge = run(host, "ifconfig bridge0")[1]
    assert bridge.startswith("bridge0: flags=1008843<UP,")
    assert "\tmember: epair0a flags=143<" in bridge and "\tmember: fxp0 flags=143<" in bridge
    # addm does not bring a member up, and the article has no ifconfig_epair0a:
    # epair0a stays down, and the bridge forwards nothing to or from it
    assert run(host, "ifconfig epair0a")[1].startswith("epair0a: flags=1008942<BROADCAST,")


def test_a_jail_on_the_bridge_is_on_the_lan_and_the_host_keeps_its_address(host):
    rc_conf(host, *BRIDGE, boot=False)
    vnet_jail(host, "www", "epair0b", "10.0.10.5/28", "10.0.10.1")
    assert pings(host, "jexec www ping -c 1 10.0.10.1")
    assert pings(host, "ping -c 1 10.0.10.1")
    assert pings(host, "jexec www ping -c 1 10.0.10.2")


# -- the bridge's pfil sysctls ---------------------------------------------------------

def pf(host: Host, rules: str, where: str = "") -> None:
    host.run("kldstat -q -n pf || kldload pf").check()
    host.run(f"{where}pfctl -q -e; {where}pfctl -q -f -", stdin=rules)


ALL_OFF = "sysctl net.link.bridge.pfil_member=0 net.link.bridge.pfil_bridge=0 " \
          "net.link.bridge.pfil_onlyip=0 net.link.bridge.pfil_local_phys=0 > /dev/null"


def test_with_every_sysctl_off_a_rule_on_the_nic_filters_nothing_bridged_or_local(host):
    rc_conf(host, *BRIDGE, boot=False)
    vnet_jail(host, "www", "epair0b", "10.0.10.5/28", "10.0.10.1")
    host.run(ALL_OFF).check()
    pf(host, "block in quick on fxp0 all\nblock out quick on fxp0 all\n")
    assert pings(host, "jexec www ping -c 1 10.0.10.1")
    assert pings(host, "ping -c 1 10.0.10.1")


def test_with_every_sysctl_off_each_interface_is_filtered_by_its_owner(host):
    rc_conf(host, *BRIDGE, boot=False)
    vnet_jail(host, "www", "epair0b", "10.0.10.5/28", "10.0.10.1")
    host.run(ALL_OFF).check()
    # the host's rule on its bridge: its own traffic, not the jail's
    pf(host, "block in quick on bridge0 proto icmp all\n")
    assert not pings(host, "ping -c 1 10.0.10.1")
    assert pings(host, "jexec www ping -c 1 10.0.10.1")
    # the jail's rule on its epair end, in its own pf
    pf(host, "block out quick on epair0b proto icmp all\n", where="jexec www ")
    assert run(host, "jexec www ping -c 1 10.0.10.1")[2] == "ping: sendto: Permission denied\n"


def test_pfil_member_filters_the_bridged_jail_on_the_nic_but_not_the_hosts_own(host):
    rc_conf(host, *BRIDGE, boot=False)
    vnet_jail(host, "www", "epair0b", "10.0.10.5/28", "10.0.10.1")
    assert run(host, "sysctl -n net.link.bridge.pfil_member net.link.bridge.pfil_local_phys")[1] \
        == "1\n0\n"
    pf(host, "block in quick on fxp0 proto icmp all\n")
    assert not pings(host, "jexec www ping -c 1 10.0.10.1")
    # the replies for the host's address on the bridge never meet fxp0's hooks
    assert pings(host, "ping -c 1 10.0.10.1")


def test_pfil_local_phys_filters_what_is_for_the_host_on_the_nic_it_came_by(host):
    rc_conf(host, *BRIDGE, boot=False)
    pf(host, "block in quick on fxp0 proto icmp all\n")
    host.run("sysctl net.link.bridge.pfil_local_phys=1").check()
    assert not pings(host, "ping -c 1 10.0.10.1")
    # bridge_pfil() runs the member's hooks only with pfil_member as well
    host.run("sysctl net.link.bridge.pfil_member=0").check()
    assert pings(host, "ping -c 1 10.0.10.1")


# -- lagg ------------------------------------------------------------------------------

LAGG_PORTS = ('cloned_interfaces="epair1 epair2 lagg0"', 'ifconfig_epair1a="up"',
              'ifconfig_epair2a="up"')


def test_ifconfig_lagg0_makes_a_failover_lagg_of_its_ports(host):
    rc_conf(host, 'ifconfig_fxp0="inet 10.0.10.2/28"', *LAGG_PORTS,
            'ifconfig_lagg0="laggport epair1a laggport epair2a up"')
    lagg = run(host, "ifconfig lagg0")[1]
    assert "\tlaggproto failover lagghash l2,l3,l4\n" in lagg
    assert "\tlaggport: epair1a flags=5<MASTER,ACTIVE>\n\tlaggport: epair2a flags=0<>\n" in lagg


def test_create_args_lagg0_chooses_the_protocol_when_it_is_made(host):
    rc_conf(host, 'ifconfig_fxp0="inet 10.0.10.2/28"', *LAGG_PORTS,
            'create_args_lagg0="laggproto roundrobin"',
            'ifconfig_lagg0="laggport epair1a laggport epair2a up"')
    assert "\tlaggproto roundrobin lagghash l2,l3,l4\n" in run(host, "ifconfig lagg0")[1]


def test_the_articles_lagg_line_alone_makes_no_lagg(host):
    # network.subr creates only what cloned_interfaces names
    rc_conf(host, 'ifconfig_fxp0="inet 10.0.10.2/28"',
            'ifconfig_lagg0="laggport epair1a laggport epair2a up"')
    assert run(host, "ifconfig lagg0") == (1, "", "ifconfig: interface lagg0 does not exist\n")
