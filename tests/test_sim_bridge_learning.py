"""A bridge's address cache on the sim: what if_bridge learns from the frames
its members bring in (bridge_rtupdate), how it ages (bridge_timer,
bridge_rtage), what takes entries away (flush, deletem), and that a frame
for a learnt address leaves by that member alone while one for an unknown
address is flooded to the members with DISCOVER (bridge_broadcast)."""

from __future__ import annotations

import gc
import re
import weakref

import pytest

import jailkit
from jailkit.host import Host
from jailkit.hosts.sim import SimHost
from jailkit.qjail import Qjail
from tests.conftest import run

GATEWAY = "10.0.10.1"
ENTRY = re.compile(r"(\S+) Vlan1 (\S+) (\d+) flags=(\w+)<(\w*)>")


@pytest.fixture
def started(host: Host) -> Host:
    """The howto's jail v10 on bridge10 (epair1a) with fxp0, and a second
    jail v11 on the same bridge (epair2a), both started."""
    qjail = Qjail(host)
    qjail.install()
    for name, address in (("v10", "10.0.10.10"), ("v11", "10.0.10.11")):
        qjail.create(name, [address])
        qjail.config(name, vnet_nic="fxp0", firewall="none")
        qjail.start(name)
    return host


@pytest.fixture
def jails(started: Host) -> Host:
    """The two jails, the bridge's table emptied of what their start taught
    it, so that a test sees what its own packets teach."""
    started.run("ifconfig bridge10 flush").check()
    return started


def _mac(host: Host, command: str) -> str:
    return re.search(r"\tether (\S+)", run(host, command)[1]).group(1)


def _cache(host: Host) -> dict[str, tuple[str, int, str]]:
    """``ifconfig bridge10 addr``: MAC -> (member, seconds left, flag names)."""
    out = run(host, "ifconfig bridge10 addr")[1]
    return {m.group(1): (m.group(2), int(m.group(3)), m.group(5)) for m in ENTRY.finditer(out)}


def _echoes(host: Host, capture: str) -> list[str]:
    """The ICMP lines of a capture file, without their time stamps."""
    return [line[16:] for line in run(host, f"cat {capture}")[1].splitlines() if " ICMP " in line]


def test_a_jail_setting_its_address_is_learnt_from_its_announcement(started):
    """arp_ifinit(): the address a jail's rc sets on its epair end is
    announced by a gratuitous ARP that the bridge learns the sender from."""
    macs = {_mac(started, f"jexec {jail} ifconfig {nic}"): member
            for jail, nic, member in (("v10", "epair1b", "epair1a"), ("v11", "epair2b", "epair2a"))}
    assert {mac: member for mac, (member, _, _) in _cache(started).items()} == macs


def test_a_stack_that_knew_an_address_takes_its_new_owner_from_the_announcement(started):
    """in_arpinput(): an entry a stack has follows a gratuitous ARP for its
    address ("moved from"): v10 knows v11 at 10.0.10.11; a third jail, v12,
    sets the same address; v10's next ping goes to v12's member alone."""
    qjail = Qjail(started)
    qjail.create("v12", ["10.0.10.12"])
    qjail.config("v12", vnet_nic="fxp0", firewall="none")
    qjail.start("v12")
    started.run("jexec v10 ping -c 1 10.0.10.11").check()
    started.run("jexec v12 ifconfig epair3b inet 10.0.10.11/32 alias").check()
    started.run("tcpdump -n -i epair3a -w /tmp/3a.pcap & tcpdump -n -i epair2a -w /tmp/2a.pcap & "
                "sleep 1; jexec v10 ping -c 1 10.0.10.11; sleep 1; kill %1 %2").check()
    assert "ICMP echo request" in run(started, "tcpdump -n -r /tmp/3a.pcap")[1]
    assert "ICMP" not in run(started, "tcpdump -n -r /tmp/2a.pcap")[1]


def test_a_ping_teaches_the_bridge_the_jail_and_the_gateway(jails):
    jail_mac = _mac(jails, "jexec v10 ifconfig epair1b")
    assert _cache(jails) == {}
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    cache = _cache(jails)
    # the jail from its ARP request, the gateway from its answer; neither static
    assert cache.pop(jail_mac) == ("epair1a", 1200, "")
    [(gateway_member, left, flags)] = cache.values()
    assert (gateway_member, left, flags) == ("fxp0", 1200, "")
    jails.run("sleep 100").check()
    assert {member: left for member, left, _ in _cache(jails).values()} == {"epair1a": 1100, "fxp0": 1100}


def test_the_cache_lists_the_newest_entry_first_in_ifconfigs_format(jails):
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    lines = run(jails, "ifconfig bridge10 addr")[1].splitlines()
    assert [line.split()[2] for line in lines] == ["fxp0", "epair1a"]
    assert all(re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2} Vlan1 \w+ 1200 flags=0<>", line)
               for line in lines)


def test_minus_learn_keeps_a_members_sources_out_of_the_cache(jails):
    jail_mac = _mac(jails, "jexec v10 ifconfig epair1b")
    jails.run("ifconfig bridge10 -learn epair1a").check()
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    assert [member for member, _, _ in _cache(jails).values()] == ["fxp0"]
    assert jail_mac not in _cache(jails)
    jails.run("ifconfig bridge10 learn epair1a").check()
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    assert _cache(jails)[jail_mac][0] == "epair1a"


def test_flush_takes_the_learnt_entries_and_flushall_the_static_ones_too(jails):
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    jails.run("ifconfig bridge10 static epair2a 00:01:02:03:04:05").check()
    jails.run("ifconfig bridge10 flush").check()
    assert _cache(jails) == {"00:01:02:03:04:05": ("epair2a", 0, "STATIC")}
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    assert len(_cache(jails)) == 3
    jails.run("ifconfig bridge10 flushall").check()
    assert _cache(jails) == {}


def test_deladdr_takes_one_learnt_entry(jails):
    jail_mac = _mac(jails, "jexec v10 ifconfig epair1b")
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    assert run(jails, f"ifconfig bridge10 deladdr {jail_mac}") == (0, "", "")
    assert [member for member, _, _ in _cache(jails).values()] == ["fxp0"]


def test_an_entry_past_its_timeout_lives_until_the_next_pruning_run(jails):
    """bridge_timer() runs bridge_rtage() every 5 minutes from bridge_init():
    an expired entry shows 0 seconds left until then."""
    jails.run("ifconfig bridge10 timeout 10").check()
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    assert {left for _, left, _ in _cache(jails).values()} == {10}
    jails.run("sleep 60").check()
    assert {left for _, left, _ in _cache(jails).values()} == {0}
    jails.run("sleep 300").check()
    assert _cache(jails) == {}
    assert "maxaddr 2000 timeout 10\n" in run(jails, "ifconfig bridge10")[1]


def test_a_member_that_leaves_takes_its_entries(jails):
    jail_mac = _mac(jails, "jexec v10 ifconfig epair1b")
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    jails.run("ifconfig bridge10 deletem epair1a").check()
    assert jail_mac not in _cache(jails)
    assert [member for member, _, _ in _cache(jails).values()] == ["fxp0"]


def test_a_bridge_brought_down_forgets_what_it_learnt(jails):
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    jails.run("ifconfig bridge10 static epair2a 00:01:02:03:04:05 down").check()
    assert _cache(jails) == {"00:01:02:03:04:05": ("epair2a", 0, "STATIC")}


def test_a_sticky_member_learns_entries_that_neither_move_nor_age(jails):
    jail_mac = _mac(jails, "jexec v10 ifconfig epair1b")
    jails.run("ifconfig bridge10 sticky epair1a").check()
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    assert _cache(jails)[jail_mac] == ("epair1a", 0, "STICKY")
    jails.run("sleep 1500").check()
    assert _cache(jails)[jail_mac] == ("epair1a", 0, "STICKY")


def test_a_full_cache_learns_nothing_more(jails):
    jail_mac = _mac(jails, "jexec v10 ifconfig epair1b")
    jails.run("ifconfig bridge10 maxaddr 1").check()
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    assert list(_cache(jails)) == [jail_mac]
    assert run(jails, "ifconfig bridge10 static epair2a 00:01:02:03:04:05") == (
        1, "", "ifconfig: BRDGSADDR epair2a: No space left on device\n")


def test_lowering_maxaddr_trims_the_newest_learnt_entries(jails):
    jail_mac = _mac(jails, "jexec v10 ifconfig epair1b")
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    jails.run("ifconfig bridge10 maxaddr 1").check()
    assert list(_cache(jails)) == [jail_mac]


def test_a_frame_for_a_learnt_address_reaches_no_other_member(jails):
    """Once the bridge knows both ends, the other jail's member sees nothing
    of a ping; with the gateway's entry deleted (the jail still has it in
    its ARP cache, so no ARP asks again) the next request is flooded to it,
    and the answer teaches the bridge again."""
    jails.run("tcpdump -n -i epair2a > /tmp/other 2>&1 & "
              "tcpdump -n -i epair1a > /tmp/own 2>&1 &").check()
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    assert _echoes(jails, "/tmp/other") == []
    assert len(_echoes(jails, "/tmp/own")) == 2
    [gateway_mac] = [mac for mac, (member, _, _) in _cache(jails).items() if member == "fxp0"]
    jails.run(f"ifconfig bridge10 deladdr {gateway_mac}").check()
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    assert [line.split(":")[0] for line in _echoes(jails, "/tmp/other")] == [
        f"IP 10.0.10.10 > {GATEWAY}"]
    assert _cache(jails)[gateway_mac][0] == "fxp0"
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    assert len(_echoes(jails, "/tmp/other")) == 1


def test_a_frame_for_an_address_not_learnt_is_flooded_to_every_member(jails):
    """With -learn on the jail's member the bridge never learns the jail, so
    the gateway's answer to it is flooded: the other jail's member sees the
    answer, not the request (the gateway was learnt on fxp0)."""
    jails.run("ifconfig bridge10 -learn epair1a").check()
    jails.run("tcpdump -n -i epair2a > /tmp/other 2>&1 &").check()
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    assert [line.split(":")[0] for line in _echoes(jails, "/tmp/other")] == [
        f"IP {GATEWAY} > 10.0.10.10"]


def test_an_unknown_address_behind_a_member_without_discover_is_not_reached(jails):
    """bridge_broadcast() floods a unicast frame only to DISCOVER members."""
    jails.run("ifconfig bridge10 -learn epair1a -discover epair1a").check()
    result = jails.run(f"jexec v10 ping -c 1 {GATEWAY}")
    assert result.exit_status == 2
    assert "1 packets transmitted, 0 packets received, 100.0% packet loss" in result.stdout


def test_an_stp_port_that_goes_down_loses_its_entries_a_plain_member_keeps_them(jails):
    """bstp(4) flushes what a port learnt when it stops forwarding (a
    disabled port: its interface down); a member without STP keeps its
    entries, as nothing in if_bridge removes them when its link goes."""
    v10 = _mac(jails, "jexec v10 ifconfig epair1b")
    v11 = _mac(jails, "jexec v11 ifconfig epair2b")
    jails.run("ifconfig bridge10 stp epair1a").check()
    jails.run(f"jexec v10 ping -c 1 {GATEWAY}").check()
    jails.run(f"jexec v11 ping -c 1 {GATEWAY}").check()
    jails.run("ifconfig epair1a down").check()
    jails.run("ifconfig epair2a down").check()
    cache = _cache(jails)
    assert v10 not in cache
    assert cache[v11][0] == "epair2a"


def test_what_the_hosts_own_stack_sends_through_the_bridge_teaches_it_only_the_far_ends(jails):
    """bridge_output() learns nothing; the answers that come back in by a
    member are learnt there (GRAB_OUR_PACKETS)."""
    jails.run(f"ping -c 1 {GATEWAY}").check()
    jails.run("ping -c 1 10.0.10.10").check()
    host_mac = _mac(jails, "ifconfig fxp0")
    cache = _cache(jails)
    assert host_mac not in cache
    assert sorted(member for member, _, _ in cache.values()) == ["epair1a", "fxp0"]


def test_a_machine_whose_stack_asked_by_arp_is_freed_once_dropped() -> None:
    """The ARP cache holds the answering interface weakly: a strong hold
    leads back through its vnet and kernel to the cache's own key, and
    every machine that ever pinged stayed in memory."""
    host = jailkit.connect("sim://")
    assert isinstance(host, SimHost)
    run(host, f"ping -c 1 {GATEWAY}")
    kernel = weakref.ref(host.machine.kernel)
    del host
    gc.collect()
    assert kernel() is None
