"""ifconfig's pcp, fib and tunnelfib parameters on the sim (ifconfig.c
setifpcp, af_link.c print_pcp, iffib.c), and the IPv4-only netmask and
broadcast refused for inet6 (af_inet6.c, bug 286910)."""

from __future__ import annotations

from tests.conftest import run


def test_pcp_is_shown_after_the_ether_line_and_removed_by_minus_pcp(host):
    host.run("ifconfig epair create").check()
    assert run(host, "ifconfig epair0a 192.0.2.1/24 pcp 3 up") == (0, "", "")
    out = run(host, "ifconfig epair0a")[1]
    assert "\tether 02:" in out and "\n\tpcp 3\n\tinet 192.0.2.1 " in out
    host.run("ifconfig epair0a -pcp").check()
    assert "pcp" not in run(host, "ifconfig epair0a")[1]


def test_pcp_values_and_drivers(host):
    host.run("ifconfig epair create").check()
    assert run(host, "ifconfig epair0a pcp 8") == (1, "", "ifconfig: value for pcp out of range\n")
    assert run(host, "ifconfig epair0a pcp x") == (1, "", "ifconfig: invalid value for pcp\n")
    assert run(host, "ifconfig lo0 pcp 1") == (1, "", "ifconfig: SIOCSLANPCP: Invalid argument\n")
    # a vlan takes it as its vlanpcp
    host.run("ifconfig vlan create vlandev epair0a vlan 5").check()
    host.run("ifconfig vlan0 pcp 6").check()
    assert "vlanpcp: 6 parent interface: epair0a" in run(host, "ifconfig vlan0")[1]


def test_fib_within_net_fibs_and_a_warning_beyond(host):
    assert run(host, "sysctl -n net.fibs") == (0, "1\n", "")
    host.run("ifconfig epair create").check()
    assert run(host, "ifconfig epair0a fib 0") == (0, "", "")
    # iffib.c setiffib(): the refused ioctl is a warning, ifconfig goes on
    assert run(host, "ifconfig epair0a fib 1 up") == (
        0, "", "ifconfig: ioctl (SIOCSIFFIB): Invalid argument\n")
    assert "UP" in run(host, "ifconfig epair0a")[1].split("\n")[0]
    assert "fib:" not in run(host, "ifconfig epair0a")[1]
    assert run(host, "ifconfig epair0a fib x") == (
        0, "", "ifconfig: fib x not valid: Invalid argument\n")


def test_tunnelfib_is_a_tunnels_only(host):
    host.run("ifconfig epair create").check()
    assert run(host, "ifconfig epair0a tunnelfib 0") == (
        0, "", "ifconfig: ioctl (SIOCSTUNFIB): Invalid argument\n")
    host.run("ifconfig gif create").check()
    assert run(host, "ifconfig gif0 tunnelfib 0") == (0, "", "")
    assert run(host, "ifconfig gif0 tunnelfib 1") == (
        0, "", "ifconfig: ioctl (SIOCSTUNFIB): Invalid argument\n")


def test_netmask_and_broadcast_are_no_inet6_options(host):
    """sbin/ifconfig/tests/inet6.sh netmask and broadcast."""
    host.run("ifconfig epair create").check()
    assert run(host, "ifconfig epair0a inet6 2001:db8:1::1 netmask 64") == (
        1, "", "ifconfig: netmask: invalid option for inet6\n")
    assert run(host, "ifconfig epair0a inet6 2001:db8:1::1 broadcast 2001:db8:1::ffff") == (
        1, "", "ifconfig: broadcast: invalid option for inet6\n")
    assert "2001:db8" not in run(host, "ifconfig epair0a")[1]
    host.run("ifconfig epair0a inet6 2001:db8:1::1/64").check()
    assert "\tinet6 2001:db8:1::1 prefixlen 64\n" in run(host, "ifconfig epair0a")[1]
    assert run(host, "ifconfig epair0a inet6 2001:db8:1::1 netmask 64 -alias")[0] == 1
    assert "2001:db8:1::1" in run(host, "ifconfig epair0a")[1]
    # IPv4 keeps both
    assert run(host, "ifconfig epair0a inet 192.0.2.1 netmask 255.255.255.0 broadcast 192.0.2.255") == (0, "", "")
