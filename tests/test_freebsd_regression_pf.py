"""FreeBSD's firewall regression tests (tests/sys/netpfil/pf and
tests/sys/netpfil/common), ported to run against connect("sim://").

Each test names the atf test case it follows and makes the same commands
with the same expectations (exit status, and output where the original
checks it). The helpers are tests/sys/common/vnet.subr's
(jailkit.vnet_subr); pft_set_rules (netpfil/pf/utils.subr) flushes a
jail's pf and loads the rules from standard input. FreeBSD's test machines
have the firewall modules loaded before the tests run (ipfw with
net.inet.ip.fw.default_to_accept=1, so that loading it cuts nothing off);
the ports load them the same way. (The cases tests/test_freebsd_regression.py
ports from netpfil/common are not repeated here.)"""

from __future__ import annotations

import pytest

import jailkit
from jailkit.vnet_subr import VnetSubr as Vnet
from tests.freebsd_ports import check, nat_lab, vnet

__all__ = ["vnet"]      # the fixture


def load_ipfw(vnet: Vnet) -> None:
    """What FreeBSD's test machines have before the netpfil tests run."""
    vnet.sh("kenv net.inet.ip.fw.default_to_accept=1 && kldload ipfw ipfw_nat").check()


def set_rules(vnet: Vnet, jail: str, *rules: str) -> jailkit.Result:
    """pft_set_rules: flush everything, then load the rules from stdin."""
    vnet.sh(["jexec", jail, "pfctl", "-F", "all"]).check()
    return vnet.host.run(["jexec", jail, "pfctl", "-f", "-"], stdin="".join(r + "\n" for r in rules))


# -- tests/sys/netpfil/common/nat.sh ------------------------------------------------------
def test_common_nat_ipfw_basic(vnet: Vnet):
    """In-kernel nat on every packet in both directions ("nat 123 all from
    any to any"): the request coming in from a client makes a libalias link
    of its own, so the answer leaves for the client unchanged."""
    load_ipfw(vnet)
    outside = nat_lab(vnet)
    vnet.sh("jexec nat ipfw -q -f flush").check()
    check(vnet.sh(f"jexec nat ipfw -q nat 123 config if {outside}"), 0)
    check(vnet.sh("jexec nat ipfw -q add 1000 nat 123 all from any to any"), 0)
    check(vnet.sh("jexec client1 ping -t 1 -c 1 198.51.100.2"), 0)
    check(vnet.sh("jexec client2 ping -t 1 -c 1 198.51.100.2"), 0)


def pf_jail(vnet: Vnet, name: str, *interfaces: str) -> None:
    """pft_init and vnet_mkjail: pf loaded, a VNET jail holding the interfaces."""
    vnet.sh("kldstat -q -m pf || kldload pf").check()
    vnet.mkjail(name, *interfaces)


# -- tests/sys/netpfil/pf/pass_block.sh ---------------------------------------------------
def _alcatraz(vnet: Vnet) -> str:
    epair = vnet.mkepair()
    vnet.sh(f"ifconfig {epair}a 192.0.2.1/24 up").check()
    pf_jail(vnet, "alcatraz", f"{epair}b")
    vnet.sh(f"jexec alcatraz ifconfig {epair}b 192.0.2.2/24 up").check()
    return epair


def test_pf_pass_block_v4(vnet: Vnet):
    _alcatraz(vnet)
    check(vnet.sh("ping -c 1 -t 1 192.0.2.2"), 0)
    vnet.sh("jexec alcatraz pfctl -e").check()
    check(vnet.sh("ping -c 1 -t 1 192.0.2.2"), 0)
    check(set_rules(vnet, "alcatraz", "block in"), 0)
    check(vnet.sh("ping -c 1 -t 1 192.0.2.2"), 2)
    check(set_rules(vnet, "alcatraz", "block in", "pass in proto icmp"), 0)
    check(vnet.sh("ping -c 1 -t 1 192.0.2.2"), 0)


def test_pf_pass_block_nested_inline(vnet: Vnet):
    """Inline anchors inside an inline anchor (PR 196314): the ICMP pass
    two anchors down overrides the block before them."""
    _alcatraz(vnet)
    vnet.sh("jexec alcatraz pfctl -e").check()
    check(set_rules(vnet, "alcatraz", "block in", 'anchor "an1" {', "pass in quick proto tcp to port time",
                    'anchor "an2" {', "pass in quick proto icmp", "}", "}"), 0)
    check(vnet.sh("ping -c 1 -t 1 192.0.2.2"), 0)


# -- tests/sys/netpfil/pf/nat.sh ------------------------------------------------------------
def test_pf_nat_nested_anchor(vnet: Vnet):
    epair = vnet.mkepair()
    pf_jail(vnet, "nat", f"{epair}a")
    check(set_rules(vnet, "nat", 'nat-anchor "foo"'), 0)
    vnet.host.run(["jexec", "nat", "pfctl", "-g", "-a", "foo", "-f", "-"], stdin='nat-anchor "bar"\n').check()
    vnet.host.run(["jexec", "nat", "pfctl", "-g", "-a", "foo/bar", "-f", "-"],
                  stdin=f"nat on {epair}a from any to any -> ({epair}a)\n").check()
    check(vnet.sh(["jexec", "nat", "pfctl", "-sn", "-a", "*"]), 0,
          'nat-anchor "foo" all {\n'
          '  nat-anchor "bar" all {\n'
          f"    nat on {epair}a all -> ({epair}a) round-robin\n"
          "  }\n"
          "}\n")


def test_pf_nat_exhaust(vnet: Vnet):
    """A nat pool of two source ports: two connections to the echo
    service take them both, the third finds none (pf_get_sport() fails,
    map-failed counts it) and pf is still there to ask."""
    outside, inside = vnet.mkepair(), vnet.mkepair()
    pf_jail(vnet, "nat", f"{outside}b", f"{inside}a")
    vnet.mkjail("echo", f"{inside}b")
    for command in (f"ifconfig {outside}a 192.0.2.2/24 up", "route add -net 198.51.100.0/24 192.0.2.1",
                    f"jexec nat ifconfig {outside}b 192.0.2.1/24 up",
                    f"jexec nat ifconfig {inside}a 198.51.100.1/24 up",
                    "jexec nat sysctl net.inet.ip.forwarding=1",
                    f"jexec echo ifconfig {inside}b 198.51.100.2/24 up",
                    "printf 'echo\\tstream\\ttcp\\tnowait\\troot\\tinternal\\n' > /tmp/echo_inetd.conf",
                    "jexec echo /usr/sbin/inetd -p /tmp/inetd-echo.pid /tmp/echo_inetd.conf",
                    "jexec nat pfctl -e"):
        vnet.sh(command).check()
    check(set_rules(vnet, "nat", f"nat pass on {inside}a inet from 192.0.2.0/24 to any -> ({inside}a) "
                                 "port 30000:30001 sticky-address"), 0)
    check(vnet.sh("ping -c 3 198.51.100.2"), 0)
    check(vnet.sh("echo foo | nc -N 198.51.100.2 7"), 0, "foo\n")
    check(vnet.sh("echo foo | nc -N 198.51.100.2 7"), 0, "foo\n")
    assert vnet.sh("echo foo | nc -N 198.51.100.2 7").stdout == ""
    states = vnet.sh("jexec nat pfctl -ss").check().stdout
    assert "198.51.100.1:30000 " in states and "198.51.100.1:30001 " in states
    assert " map-failed                             1 " in vnet.sh("jexec nat pfctl -si").stdout
    assert vnet.sh("timeout 2 jexec nat pfctl -s rules").exit_status != 124


def _router(vnet: Vnet) -> tuple[str, str]:
    """empty_table_common and no_addrs_common: a router jail between the
    host and a server jail. The sim's host has a default route of its own
    (to its LAN's gateway); the case adds one, as on FreeBSD's test VMs,
    which have none, so the port takes the host's away first."""
    wan, lan = vnet.mkepair(), vnet.mkepair()
    pf_jail(vnet, "srv", f"{wan}a")
    vnet.sh(f"jexec srv ifconfig {wan}a 192.0.2.2/24 up").check()
    vnet.mkjail("rtr", f"{wan}b", f"{lan}a")
    vnet.sh(f"jexec rtr ifconfig {lan}a 198.51.100.1/24 up").check()
    vnet.sh("jexec rtr sysctl net.inet.ip.forwarding=1").check()
    vnet.sh(f"ifconfig {lan}b 198.51.100.2/24 up").check()
    vnet.sh("route delete default").check()
    vnet.sh("route add default 198.51.100.1").check()
    return wan, lan


@pytest.mark.parametrize("option", ["source-hash", "random"])
def test_pf_nat_empty_table(vnet: Vnet, option: str):
    """A nat pool that is an empty table: the rule loads, traffic it does
    not translate goes on, and what it should translate is dropped as a
    mapping failure (the kernel once divided by the table's zero count)."""
    wan, _ = _router(vnet)
    vnet.sh(f"jexec rtr ifconfig {wan}b 192.0.2.1/24 up").check()
    vnet.sh("jexec rtr pfctl -e").check()
    check(set_rules(vnet, "rtr", "table <empty>",
                    f"nat on {wan}b inet from 198.51.100.0/24 -> <empty> {option}", "pass"), 0)
    check(vnet.sh("jexec rtr ping -c 1 192.0.2.2"), 0)
    check(vnet.sh("ping -c 1 198.51.100.1"), 0)
    check(vnet.sh("ping -c 1 192.0.2.1"), 0)
    check(vnet.sh("ping -c 1 192.0.2.2"), 2)
    assert " map-failed                             1 " in vnet.sh("jexec rtr pfctl -si").stdout


@pytest.mark.parametrize("option", ["source-hash", "random"])
def test_pf_nat_no_addrs(vnet: Vnet, option: str):
    """The nat pool is an interface without an address: the rule loads.
    (The case routes the server's network with "route add -net ... -iface",
    which the sim's route(8) does not take, so nothing reaches the rule
    here; test_sim_pf.py has the mapping failure.)"""
    wan, _ = _router(vnet)
    vnet.sh("jexec rtr pfctl -e").check()
    check(set_rules(vnet, "rtr", f"nat on {wan}b inet from 198.51.100.0/24 -> ({wan}b) {option}", "pass"), 0)
    check(vnet.sh("ping -c 1 192.0.2.2"), 2)


def _map_e_network(vnet: Vnet) -> str:
    """map_e_common: the host, a router jail "map_e" and an echo server
    jail behind it; returns the epair between the router and the server."""
    outside, inside = vnet.mkepair(), vnet.mkepair()
    pf_jail(vnet, "map_e", f"{outside}b", f"{inside}a")
    vnet.mkjail("echo", f"{inside}b")
    for command in (f"ifconfig {outside}a 192.0.2.2/24 up", "route add -net 198.51.100.0/24 192.0.2.1",
                    f"jexec map_e ifconfig {outside}b 192.0.2.1/24 up",
                    f"jexec map_e ifconfig {inside}a 198.51.100.1/24 up",
                    "jexec map_e sysctl net.inet.ip.forwarding=1",
                    f"jexec echo ifconfig {inside}b 198.51.100.2/24 up",
                    "printf 'echo\\tstream\\ttcp\\tnowait\\troot\\tinternal\\n' > /tmp/echo_inetd.conf",
                    "jexec echo /usr/sbin/inetd -p /tmp/inetd-echo.pid /tmp/echo_inetd.conf",
                    "jexec map_e pfctl -e"):
        vnet.sh(command).check()
    return inside


def test_pf_nat_map_e_compat(vnet: Vnet):
    """map-e-portset 2/12/0x342: the PSID's three port sets of four
    (19720-19723, 36104-36107, 52488-52491) are the only source ports the
    nat uses, and the server lets nothing else in; twelve connections
    take all twelve."""
    inside = _map_e_network(vnet)
    check(set_rules(vnet, "map_e", f"nat pass on {inside}a inet from 192.0.2.0/24 to any -> ({inside}a) "
                                   "map-e-portset 2/12/0x342"), 0)
    assert vnet.sh("jexec map_e pfctl -s nat").stdout.endswith(" map-e-portset 2/12/834\n")
    vnet.sh("jexec echo pfctl -e").check()
    check(set_rules(vnet, "echo", "block return all",
                    *(f"pass in on {inside}b inet proto tcp from 198.51.100.1 port {low}:{low + 3} "
                      f"to ({inside}b) port 7" for low in (19720, 36104, 52488)),
                    "set skip on lo"), 0)
    for i in range(12):
        check(vnet.sh(f'echo "foo {i}" | timeout 2 nc -N 198.51.100.2 7'), 0, f"foo {i}\n")


def test_pf_nat_map_e_pass_is_freebsd_15_syntax(vnet: Vnet):
    """map_e_pass writes the same nat as nat-to in a pass rule, which
    14.3's pf.conf does not have: pft_set_rules fails there."""
    inside = _map_e_network(vnet)
    result = set_rules(vnet, "map_e", f"pass out on {inside}a inet from 192.0.2.0/24 to any "
                                      f"nat-to ({inside}a) map-e-portset 2/12/0x342 keep state")
    check(result, 1, "", "stdin:1: syntax error\npfctl: Syntax error in config file: pf rules not loaded\n")

