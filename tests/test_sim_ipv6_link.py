"""IPv6 on one link in the sim: ICMPv6 echo between the host and a VNET jail
over an epair or a bridge (neighbour discovery, the source address
in6_selectsrc() picks, link-local zones), ping6.c's output and exit
statuses, and pf, ipfw and ipfilter deciding on the inet6 head."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run

RTT = r"\d+\.\d{3}"
STATS = RTT + "/" + RTT + "/" + RTT + "/" + RTT


@pytest.fixture
def link(host):
    """The FreeBSD regression tests' set-up: epair0a on the host, epair0b
    in the VNET jail alcatraz, each with an address of 2001:db8:42::/64."""
    host.run("ifconfig epair create && ifconfig epair0a inet6 2001:db8:42::1/64 up no_dad && "
             "jail -c name=alcatraz persist vnet vnet.interface=epair0b && "
             "jexec alcatraz ifconfig epair0b inet6 2001:db8:42::2/64 up no_dad").check()
    return host


def _link_local(host, jail: str, ifname: str) -> str:
    prefix = f"jexec {jail} " if jail else ""
    out = run(host, f"{prefix}ifconfig {ifname} inet6")[1]
    return re.search(r"inet6 (fe80::[0-9a-f:]+)%", out).group(1)


def _status(host, command: str) -> int:
    return run(host, command)[0]


def test_a_neighbour_answers_as_ping6_prints_it(link):
    status, out, err = run(link, "ping -6 -c 2 -W 1 2001:db8:42::2")
    assert (status, err) == (0, "")
    assert re.fullmatch(
        r"PING\(56=40\+8\+8 bytes\) 2001:db8:42::1 --> 2001:db8:42::2\n"
        rf"16 bytes from 2001:db8:42::2, icmp_seq=0 hlim=64 time={RTT} ms\n"
        rf"16 bytes from 2001:db8:42::2, icmp_seq=1 hlim=64 time={RTT} ms\n\n"
        r"--- 2001:db8:42::2 ping statistics ---\n"
        r"2 packets transmitted, 2 packets received, 0\.0% packet loss\n"
        rf"round-trip min/avg/max/stddev = {STATS} ms\n", out)


def test_the_jail_answers_back_and_pings_the_host(link):
    status, out, _ = run(link, "jexec alcatraz ping -6 -c 1 2001:db8:42::1")
    assert status == 0
    assert out.startswith("PING(56=40+8+8 bytes) 2001:db8:42::2 --> 2001:db8:42::1\n"
                          "16 bytes from 2001:db8:42::1, icmp_seq=0 hlim=64 ")


def test_a_link_local_neighbour_is_reached_through_its_zone(link):
    mine, theirs = _link_local(link, "", "epair0a"), _link_local(link, "alcatraz", "epair0b")
    status, out, _ = run(link, f"ping -6 -c 1 {theirs}%epair0a")
    assert status == 0
    assert out.startswith(f"PING(56=40+8+8 bytes) {mine}%epair0a --> {theirs}%epair0a\n"
                          f"16 bytes from {theirs}%epair0a, icmp_seq=0 hlim=64 ")
    # by the interface's index as well (ip6_str2scopeid())
    index = re.search(r"scopeid 0x([0-9a-f]+)", run(link, "ifconfig epair0a inet6")[1]).group(1)
    assert _status(link, f"ping -6 -c 1 {theirs}%{int(index, 16)}") == 0


def test_a_link_local_address_needs_its_zone(link):
    theirs = _link_local(link, "alcatraz", "epair0b")
    assert run(link, f"ping -6 -c 1 {theirs}") == (1, "", "ping: UDP connect: No route to host\n")
    assert run(link, f"ping -6 -c 1 {theirs}%nosuch0") == (
        68, "", f"ping: cannot resolve {theirs}%nosuch0: Name does not resolve\n")


def test_a_destination_off_every_link_has_no_route(link):
    assert run(link, "ping -6 -c 1 2001:db8:43::2") == (1, "", "ping: UDP connect: No route to host\n")


def test_a_neighbour_that_does_not_answer_gets_nothing(link):
    link.run("jexec alcatraz ifconfig epair0b down").check()
    assert run(link, "ping -6 -c 1 -W 1 2001:db8:42::2") == (
        2, "PING(56=40+8+8 bytes) 2001:db8:42::1 --> 2001:db8:42::2\n\n"
           "--- 2001:db8:42::2 ping statistics ---\n"
           "1 packets transmitted, 0 packets received, 100.0% packet loss\n", "")


def test_neighbours_on_a_bridge(host):
    """Two jails on the host's bridge find each other by a solicitation
    the bridge floods."""
    host.run("ifconfig bridge create up && ifconfig epair create && ifconfig epair create && "
             "ifconfig bridge0 addm epair0a addm epair1a && ifconfig epair0a up && "
             "ifconfig epair1a up && "
             "jail -c name=a persist vnet vnet.interface=epair0b && "
             "jail -c name=b persist vnet vnet.interface=epair1b && "
             "jexec a ifconfig epair0b inet6 fd00::a/64 up no_dad && "
             "jexec b ifconfig epair1b inet6 fd00::b/64 up no_dad").check()
    status, out, _ = run(host, "jexec a ping -6 -c 1 fd00::b")
    assert status == 0 and "16 bytes from fd00::b, icmp_seq=0 hlim=64 " in out
    host.run("ifconfig bridge0 deletem epair1a").check()
    assert _status(host, "jexec a ping -6 -c 1 -W 1 fd00::b") == 2


def test_tcpdump_shows_the_echo_on_the_wire_and_in_a_savefile(link):
    link.run("tcpdump -n -t -i epair0a > /tmp/live 2>&1 & tcpdump -n -i epair0a -w /tmp/c.pcap &").check()
    link.run("ping -6 -c 1 2001:db8:42::2").check()
    ident = re.search(r"id (\d+)", run(link, "cat /tmp/live")[1]).group(1)
    echo = (f"IP6 2001:db8:42::1 > 2001:db8:42::2: ICMP6, echo request, id {ident}, seq 0, length 16\n"
            f"IP6 2001:db8:42::2 > 2001:db8:42::1: ICMP6, echo reply, id {ident}, seq 0, length 16\n")
    assert run(link, "cat /tmp/live")[1].endswith(echo)
    assert run(link, "tcpdump -n -t -v -r /tmp/c.pcap")[1] == (
        f"IP6 (hlim 64, next-header ICMPv6 (58) payload length: 16) 2001:db8:42::1 > 2001:db8:42::2: "
        f"[icmp6 sum ok] ICMP6, echo request, id {ident}, seq 0, length 16\n"
        f"IP6 (hlim 64, next-header ICMPv6 (58) payload length: 16) 2001:db8:42::2 > 2001:db8:42::1: "
        f"[icmp6 sum ok] ICMP6, echo reply, id {ident}, seq 0, length 16\n")


@pytest.mark.parametrize("expression, shown", [
    ("ip6", 2), ("icmp6", 2), ("ip", 0), ("icmp", 0), ("not ip", 2),
    ("host 2001:db8:42::2", 2), ("dst host 2001:db8:42::2", 1),
    ("net 2001:db8:42::/64", 2), ("net 10.0.0.0/8", 0),
])
def test_tcpdump_filters_take_ipv6(link, expression, shown):
    # pcap-filter(7): ip and ip6 are ethertypes; icmp is ICMPv4 only
    link.run("tcpdump -n -i epair0a -w /tmp/f.pcap &").check()
    link.run("ping -6 -c 1 2001:db8:42::2").check()
    out = run(link, f"tcpdump -n -t -r /tmp/f.pcap {expression}")[1]
    assert len(out.splitlines()) == shown


def test_an_echo_to_our_own_address_comes_in_on_that_address_interface(link):
    # if_simloop() gives lo0's bpf the packet but makes the address's own
    # interface its rcvif: the in hook that drops it is epair0a's
    link.run("kldload -n pf && pfctl -e && pfctl -f -",
             stdin="set skip on lo0\nblock in on epair0a all\n").check()
    assert _status(link, "ping -6 -c 1 2001:db8:42::1") == 2
    link.run("pfctl -f -", stdin="set skip on lo0\nblock in on lo0 all\n").check()
    assert _status(link, "ping -6 -c 1 2001:db8:42::1") == 0
    link.run("pfctl -d").check()


def test_a_tentative_source_cannot_be_bound(link):
    # rip6_bind(): EADDRNOTAVAIL for an address DAD has not cleared yet
    link.run("ifconfig epair create > /dev/null && ifconfig epair1a inet6 2001:db8:43::1/64 up").check()
    tentative = _link_local(link, "", "epair1a")
    assert f"{tentative}%epair1a prefixlen 64 tentative" in run(link, "ifconfig epair1a inet6")[1]
    assert run(link, f"ping -6 -c 1 -S {tentative} ::1") == (
        1, "", "ping: bind: Can't assign requested address\n")


def test_ipf_keeps_a_state_for_icmp6(link):
    link.run("kldload -n ipl && jexec alcatraz ipf -E").check()
    link.run("jexec alcatraz ipf -f -", stdin="block in all\npass in all keep state\n").check()
    assert _status(link, "ping -6 -c 1 2001:db8:42::2") == 0


# -- pf --------------------------------------------------------------------------------------

def _pf(host, *rules: str) -> None:
    host.run("jexec alcatraz pfctl -F all -q").check()
    host.run("jexec alcatraz pfctl -f -", stdin="".join(r + "\n" for r in rules)).check()


@pytest.fixture
def pf(link):
    link.run("kldload pf && jexec alcatraz pfctl -e").check()
    return link


def test_pf_decides_on_icmp6_and_icmp_is_not_icmp6(pf):
    ping = "ping -6 -c 1 -W 1 2001:db8:42::2"
    assert _status(pf, ping) == 0
    _pf(pf, "block in")
    assert _status(pf, ping) == 2
    _pf(pf, "block in", "pass in proto icmp6")
    assert _status(pf, ping) == 0
    assert run(pf, "jexec alcatraz pfctl -sr")[1] == (
        "block drop in all\npass in proto ipv6-icmp all keep state\n")
    _pf(pf, "block in", "pass in proto icmp")
    assert _status(pf, ping) == 2


def test_pf_keeps_a_state_for_an_icmp6_echo(pf):
    _pf(pf, "block in", "pass in inet6 proto icmp6")
    pf.run("ping -6 -c 1 2001:db8:42::2").check()
    assert re.fullmatch(r"all ipv6-icmp 2001:db8:42::2\[(\d+)\] <- 2001:db8:42::1\[\1\]       0:0\n",
                        run(pf, "jexec alcatraz pfctl -ss")[1])


def test_pf_rules_of_one_family_leave_the_other_alone(pf):
    ping = "ping -6 -c 1 -W 1 2001:db8:42::2"
    _pf(pf, "block in inet")
    assert _status(pf, ping) == 0
    _pf(pf, "block in inet6")
    assert _status(pf, ping) == 2
    assert run(pf, "jexec alcatraz pfctl -f -", stdin="pass in inet6 from 192.0.2.1\n") == (
        1, "", "stdin:1: rule expands to no valid combination\n"
               "pfctl: Syntax error in config file: pf rules not loaded\n")


def test_pf_dynamic_addresses_take_ipv6_ones_and_0_leaves_out_link_local(pf):
    """pf_if.c pfi_instance_add(): (if:0) is the first address that is not
    link-local, (if) every one."""
    theirs = _link_local(pf, "alcatraz", "epair0b")
    _pf(pf, "block out inet6 from (epair0b:0) to any")
    assert _status(pf, "ping -6 -c 1 -W 1 2001:db8:42::2") == 2
    assert _status(pf, f"ping -6 -c 1 -W 1 {theirs}%epair0a") == 0
    _pf(pf, "block out inet6 from (epair0b) to any")
    assert _status(pf, f"ping -6 -c 1 -W 1 {theirs}%epair0a") == 2


def test_the_senders_own_pf_refuses_sendmsg(pf):
    pf.run("pfctl -e && pfctl -f -", stdin="block out inet6 all\n").check()
    assert run(pf, "ping -6 -c 2 2001:db8:42::2") == (
        71, "PING(56=40+8+8 bytes) 2001:db8:42::1 --> 2001:db8:42::2\n"
            "ping: wrote 2001:db8:42::2 16 chars, ret=-1\n"
            "ping: wrote 2001:db8:42::2 16 chars, ret=-1\n\n"
            "--- 2001:db8:42::2 ping statistics ---\n"
            "2 packets transmitted, 0 packets received, 100.0% packet loss\n",
        "ping: sendmsg: Permission denied\nping: sendmsg: Permission denied\n")


# -- ipfw and ipfilter -------------------------------------------------------------------------

def test_ipfw_all_takes_ipv6_and_ip4_does_not(link):
    link.run("kldload ipfw && ipfw -q add 65000 allow all from any to any && "
             "jexec alcatraz ipfw -q add 65000 allow all from any to any").check()
    ping = "ping -6 -c 1 -W 1 2001:db8:42::2"
    for rule, status in (("deny all from any to any", 2), ("deny ip4 from any to any", 0),
                         ("deny ip6 from any to any", 2), ("deny icmp from any to any", 0),
                         ("deny ipv6-icmp from any to any", 2), ("deny ip from any to me", 2),
                         ("deny ip from any to 2001:db8:42::2", 2),
                         ("deny ip from any to 2001:db8:42::3", 0),
                         ("deny ip from any to 192.0.2.0/24", 0),
                         ("deny ipv6-icmp from any to any icmp6types 128", 2),
                         ("deny ipv6-icmp from any to any in icmp6types 129", 0),
                         ("deny ipv6-icmp from any to any out icmp6types 129", 2)):
        link.run(f"jexec alcatraz ipfw -q delete 100; jexec alcatraz ipfw -q add 100 {rule}")
        assert (rule, _status(link, ping)) == (rule, status)


def test_ipfilter_rules_without_a_family_take_ipv6(link):
    link.run("kldload ipl && jexec alcatraz ipf -E").check()
    ping = "ping -6 -c 1 -W 1 2001:db8:42::2"
    for rules, status in (("block in all\n", 2), ("pass in all\n", 0),
                          ("block in from 192.0.2.0/24 to any\n", 0),
                          ("block in proto icmp from any to any\n", 0),
                          ("block in proto tcp from any to any\n", 0)):
        link.run("jexec alcatraz ipf -Fa -f -", stdin=rules).check()
        assert (rules, _status(link, ping)) == (rules, status)


def test_our_own_addresses_answer_through_lo0_past_the_firewall(pf):
    """An echo to one of the stack's own addresses loops through lo0
    (in6_ifaddloop()), where pf sees it both ways."""
    theirs = _link_local(pf, "alcatraz", "epair0b")
    assert run(pf, f"jexec alcatraz ping -6 -c 1 {theirs}%epair0b")[1].startswith(
        f"PING(56=40+8+8 bytes) {theirs}%epair0b --> {theirs}%epair0b\n"
        f"16 bytes from {theirs}%epair0b, icmp_seq=0 hlim=64 ")
    pf.run("pfctl -e && pfctl -f -", stdin="block all\n").check()
    assert run(pf, "ping -6 -c 1 ::1") == (
        71, "PING(56=40+8+8 bytes) ::1 --> ::1\nping: wrote ::1 16 chars, ret=-1\n\n"
            "--- ::1 ping statistics ---\n"
            "1 packets transmitted, 0 packets received, 100.0% packet loss\n",
        "ping: sendmsg: Permission denied\n")
    pf.run("pfctl -f -", stdin="set skip on lo0\nblock all\n").check()
    assert _status(pf, "ping -6 -c 1 ::1") == 0


def test_what_the_stack_takes_meets_the_inet6_local_head(link):
    """ip6_input() runs inet6-local's out hooks on a packet for the stack,
    with lo0 as the interface: there only when pfilctl links one there."""
    link.run("kldload ipl && jexec alcatraz ipf -E && "
             "jexec alcatraz ipf -f -", stdin="block out on lo0 all\n").check()
    ping = "ping -6 -c 1 -W 1 2001:db8:42::2"
    assert _status(link, ping) == 0
    link.run("jexec alcatraz pfilctl link -o ipfilter:default-ip6 inet6-local").check()
    assert _status(link, ping) == 2


@pytest.mark.parametrize("command, message", [
    ("route add -inet6 default 2001:db8::1", "route: IPv6 routes are not modelled by the jailkit sim"),
    ("route add 2001:db8::/64 2001:db8::1", "route: IPv6 routes are not modelled by the jailkit sim"),
    ("route get -inet6 ::1", "route: IPv6 routes are not modelled by the jailkit sim"),
    ("ping -6 -c 1 ff02::1%epair0a", "ping: multicast destinations are not modelled by the jailkit sim"),
    ("echo 'pass in proto ipv6-icmp all' | ipf -nf -",
     'ipf: "ipv6-icmp" (line 1) is not modelled by the jailkit sim'),
    ("echo 'pass in from 2001:db8::1 to any' | ipf -nf -",
     'ipf: "2001:db8::1" (line 1) is not modelled by the jailkit sim'),
    ("echo 'nat on epair0a inet6 from any to any -> (epair0a)' | pfctl -nf -",
     "stdin:1: IPv6 translation (NAT66) is not modelled by the jailkit sim"),
])
def test_what_ipv6_the_sim_does_not_carry_is_refused_by_name(link, command, message):
    link.run("kldload -n pf && kldload -n ipl").check()
    status, _, err = run(link, command)
    assert status == 1 and err.splitlines()[0] == message
