"""FreeBSD's own regression tests of the network programs, ported to run
against connect("sim://") (as tests/test_freebsd_regression.py does).

Each test names the atf test case it follows (freebsd-src paths) and runs
the same commands with the same expectations: exit status, and output where
the original checks it. tests/sys/common/vnet.subr's helpers are
jailkit.vnet_subr's."""

from __future__ import annotations

import re

import pytest

from jailkit.host import Host
from jailkit.vnet_subr import VnetSubr as Vnet
from tests.freebsd_ports import vnet

__all__ = ["vnet"]      # the fixture


def status(vnet: Vnet, command: str) -> int:
    return vnet.sh(command).exit_status


# -- tests/sys/net/if_bridge_test.sh ---------------------------------------------------
def _bridges_in_a_loop(vnet: Vnet, over_vlans: bool) -> tuple[str, str]:
    """stp and stp_vlan: two jails, each with a bridge, joined by two epairs
    (or a vlan 42 on each), spanning tree on every member, both bridges up."""
    one, two = vnet.mkepair(), vnet.mkepair()
    bridge_a, bridge_b = vnet.mkbridge(), vnet.mkbridge()
    vnet.mkjail("a", bridge_a, f"{one}a", f"{two}a")
    vnet.mkjail("b", bridge_b, f"{one}b", f"{two}b")
    for jail, bridge in (("a", bridge_a), ("b", bridge_b)):
        members = [f"{one}{jail}", f"{two}{jail}"]
        for member in members:
            vnet.sh(f"jexec {jail} ifconfig {member} up").check()
        if over_vlans:
            members = [vnet.sh(f"jexec {jail} ifconfig vlan create vlandev {m} vlan 42").check()
                       .stdout.strip() for m in members]
            for member in members:
                vnet.sh(f"jexec {jail} ifconfig {member} up").check()
        for member in members:
            vnet.sh(f"jexec {jail} ifconfig {bridge} addm {member}").check()
    vnet.sh(f"jexec a ifconfig {bridge_a} 192.0.2.1/24").check()
    for jail, bridge in (("a", bridge_a), ("b", bridge_b)):
        listing = vnet.sh(f"jexec {jail} ifconfig {bridge}").stdout
        for member in re.findall(r"member: (\S+)", listing):
            vnet.sh(f"jexec {jail} ifconfig {bridge} stp {member}").check()
    vnet.sh(f"jexec b ifconfig {bridge_b} up").check()
    vnet.sh(f"jexec a ifconfig {bridge_a} up").check()
    vnet.sh("sleep 5").check()
    return (vnet.sh(f"jexec a ifconfig {bridge_a}").stdout,
            vnet.sh(f"jexec b ifconfig {bridge_b}").stdout)


@pytest.mark.parametrize("over_vlans", [False, True], ids=["stp", "stp_vlan"])
def test_if_bridge_stp(vnet: Vnet, over_vlans: bool):
    first, second = _bridges_in_a_loop(vnet, over_vlans)
    # the loop is found: some port discards, and some forward
    assert "discarding" in first + second
    assert "forwarding" in first + second


def test_if_bridge_static(vnet: Vnet):
    epair, bridge = vnet.mkepair(), vnet.mkbridge()
    vnet.mkjail("one", bridge, f"{epair}a")
    vnet.sh(f"ifconfig {epair}b up").check()
    for command in (f"ifconfig {bridge} up", f"ifconfig {epair}a up",
                    f"ifconfig {bridge} addm {epair}a"):
        vnet.sh(f"jexec one {command}").check()
    one = f"jexec one ifconfig {bridge}"
    assert status(vnet, f"{one} static {epair}b 00:01:02:03:04:05") == 1     # not a member here
    assert status(vnet, f"{one} static {epair}a 00:01:02:03:04") == 1        # five octets
    assert status(vnet, f"{one} static {epair}a 00:01:02:03:04:05") == 0
    assert status(vnet, f"{one} addr") == 0
    assert status(vnet, f"{one} deladdr 00:01:02:03:04") == 1
    assert status(vnet, f"{one} deladdr 00:01:02:03:04:06") == 1             # not in the cache
    assert status(vnet, f"{one} deladdr 00:01:02:03:04:05") == 0


# -- tests/sys/net/if_epair_test.sh ----------------------------------------------------
def test_if_epair_pcp(vnet: Vnet):
    epair = vnet.mkepair()
    jail = "if_epair_test_pcp"
    vnet.mkjail(f"{jail}one", f"{epair}a")
    vnet.mkjail(f"{jail}two", f"{epair}b")
    vnet.sh(f"jexec {jail}one ifconfig {epair}a 192.0.2.1/24 pcp 3 up").check()
    vnet.sh(f"jexec {jail}two ifconfig {epair}b 192.0.2.2/24 up").check()
    assert status(vnet, f"jexec {jail}one ping -c 1 192.0.2.2") == 0
    # another priority on the socket than on the interface
    assert status(vnet, f"jexec {jail}one ping -C5 -c 1 192.0.2.2") == 0


# -- tests/sys/net/if_lagg_test.sh (require.kmods if_lagg) ------------------------------
@pytest.fixture
def lagg(host: Host):
    """get_tap twice and get_lagg, the members up; destroyed afterwards."""
    host.run("kldload if_lagg").check()
    names = [host.run(f"ifconfig {kind} create").check().stdout.strip()
             for kind in ("tap", "tap", "lagg")]
    for tap in names[:2]:
        host.run(f"ifconfig {tap} up").check()
    yield names
    for name in names:
        host.run(f"ifconfig {name} destroy").check()
    assert host.run("ifconfig -l").stdout.split() == ["fxp0", "lo0"]


def test_if_lagg_create(host: Host, lagg: list[str]):
    tap0, tap1, lagg0 = lagg
    host.run(f"ifconfig {lagg0} up laggport {tap0} laggport {tap1} 192.0.2.2/24").check()
    shown = host.run(f"ifconfig {lagg0}").stdout
    assert "inet 192.0.2.2" in shown
    assert f"laggport: {tap0}" in shown and f"laggport: {tap1}" in shown
    mac = re.search(r"ether (\S+)", shown).group(1)
    for tap in (tap0, tap1):
        listing = host.run(f"ifconfig {tap}").stdout
        assert f"ether {mac}" in listing
        assert "inet6 fe80:" not in listing       # no link-local address on a port


def test_if_lagg_set_ether(host: Host, lagg: list[str]):
    tap0, tap1, lagg0 = lagg
    host.run(f"ifconfig {lagg0} up laggport {tap0} laggport {tap1} 192.0.2.2/24").check()
    host.run(f"ifconfig {lagg0} ether 00:11:22:33:44:55").check()
    for name in (lagg0, tap0, tap1):
        assert "ether 00:11:22:33:44:55" in host.run(f"ifconfig {name}").stdout


# -- sbin/ifconfig/tests/inet6.sh ------------------------------------------------------
@pytest.mark.parametrize("word, value", [("netmask", "64"), ("broadcast", "2001:db8:1::ffff")])
def test_ifconfig_inet6_netmask_and_broadcast(vnet: Vnet, word: str, value: str):
    ep = vnet.mkepair()
    vnet.mkjail("ifcjail", f"{ep}a")
    wrong = vnet.sh(f"jexec ifcjail ifconfig {ep}a inet6 2001:db8:1::1 {word} {value}")
    assert wrong.exit_status == 1
    assert f"ifconfig: {word}: invalid option for inet6" in wrong.stderr
    assert status(vnet, f"jexec ifcjail ifconfig {ep}a inet6 2001:db8:1::1/64") == 0
    assert "2001:db8:1::1 prefixlen 64" in vnet.sh(f"jexec ifcjail ifconfig {ep}a").stdout
    removal = vnet.sh(f"jexec ifcjail ifconfig {ep}a inet6 2001:db8:1::1 {word} {value} -alias")
    assert removal.exit_status == 1 and f"{word}: invalid option for inet6" in removal.stderr


# -- sbin/ping/tests/ping_test.sh ------------------------------------------------------
def _filtered(text: str) -> str:
    """check_ping_statistics(): times, addresses, TTLs and hop limits out."""
    text = re.sub(r"0.\d{3}", "", text)
    text = re.sub(r"[1-9][0-9]*.\d{3}", "", text)
    text = re.sub(r"localhost \(\d{1,3}(\.\d{1,3}){1,3}\)", "localhost", text)
    text = re.sub(r"from \d{1,3}(\.\d{1,3}){1,3}", "from", text)
    text = re.sub(r"ttl=\d+", "ttl=", text)
    return re.sub(r"hlim=\d+", "hlim=", text)


PING6_LOCALHOST = ("PING(56=40+8+8 bytes) ::1 --> ::1\n16 bytes from ::1, icmp_seq=0 hlim= time= ms\n\n"
                   "--- localhost ping statistics ---\n"
                   "1 packets transmitted, 1 packets received, 0.0% packet loss\n"
                   "round-trip min/avg/max/stddev = /// ms\n")


@pytest.mark.parametrize("command", ["ping -6 -c 1 -s 8 -t 1 localhost",       # ping_6_c1_s8_t1
                                     "ping6 -c 1 -s 8 -t 1 localhost",         # ping6_c1_s8_t1
                                     "ping -c 1 -s 8 -t 1 -S ::1 localhost"])  # ping_c1_s8_t1_S1
def test_ping_ipv6_localhost(host: Host, command: str):
    result = host.run(command)
    assert (result.exit_status, result.stderr) == (0, "")
    assert _filtered(result.stdout) == PING6_LOCALHOST


def test_ping_c1_s56_t1_S127(host: Host):
    result = host.run("ping -c 1 -s 56 -t 1 -S 127.0.0.1 localhost")
    assert (result.exit_status, result.stderr) == (0, "")
    assert _filtered(result.stdout) == (
        "PING localhost from: 56 data bytes\n64 bytes from: icmp_seq=0 ttl= time= ms\n\n"
        "--- localhost ping statistics ---\n"
        "1 packets transmitted, 1 packets received, 0.0% packet loss\n"
        "round-trip min/avg/max/stddev = /// ms\n")


def test_ping6_c1t4(host: Host):
    result = host.run("ping6 -c1 -t4 ::1")
    assert (result.exit_status, result.stderr) == (0, "")


def test_ping6_46(host: Host):
    result = host.run("ping6 -4 -6 localhost")
    assert result.exit_status == 1
    assert "-4 and -6 cannot be used simultaneously" in result.stderr
