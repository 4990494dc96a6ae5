"""ping(8) for IPv6 on the sim (ping6.c, main.c): the host's own addresses
answer over the loopback; the family comes from the target, -4/-6, ping6's
name or -S. Neighbours on a link: tests/test_sim_ipv6_link.py."""

from __future__ import annotations

import re

from tests.conftest import run


def test_ping6_localhost_prints_as_ping6_c_does(host):
    status, out, err = run(host, "ping6 -c 1 -s 8 -t 1 localhost")
    assert (status, err) == (0, "")
    assert re.fullmatch(
        r"PING\(56=40\+8\+8 bytes\) ::1 --> ::1\n"
        r"16 bytes from ::1, icmp_seq=0 hlim=64 time=\d+\.\d{3} ms\n\n"
        r"--- localhost ping statistics ---\n"
        r"1 packets transmitted, 1 packets received, 0\.0% packet loss\n"
        r"round-trip min/avg/max/stddev = [\d.]+/[\d.]+/[\d.]+/[\d.]+ ms\n", out)


def test_the_default_data_length_is_ping6s_8(host):
    # ping6.c: DEFDATALEN is ICMP6ECHOTMLEN, sizeof(struct tv32)
    assert run(host, "ping -6 -c 1 ::1")[1].startswith("PING(56=40+8+8 bytes) ::1 --> ::1\n")


def test_the_family_comes_from_the_target_minus_6_or_the_source(host):
    assert run(host, "ping -c 1 ::1")[1].startswith("PING(56=")
    assert run(host, "ping -c 1 -S ::1 localhost")[1].startswith("PING(56=")
    assert run(host, "ping -c 1 localhost")[1].startswith("PING localhost (127.0.0.1)")
    assert run(host, "ping -6 -c 1 127.0.0.1") == (
        1, "", "ping: IPv6 requested but IPv4 target address provided\n")
    assert run(host, "ping -4 -c 1 ::1") == (
        1, "", "ping: IPv4 requested but IPv6 target address provided\n")
    assert run(host, "ping6 -4 -6 localhost") == (
        1, "", "ping6: -4 and -6 cannot be used simultaneously\n")


def test_minus_t4_is_a_timeout_for_ping6(host):
    assert run(host, "ping6 -c1 -t4 ::1")[0] == 0


def test_another_own_address_answers_and_a_silent_neighbour_does_not(host):
    host.run("ifconfig epair create").check()
    host.run("ifconfig epair0a inet6 2001:db8::1/64").check()   # brings it up, as SIOCAIFADDR_IN6 does
    assert run(host, "ping -6 -c 1 2001:db8::1")[1].startswith(
        "PING(56=40+8+8 bytes) 2001:db8::1 --> 2001:db8::1\n16 bytes from 2001:db8::1, ")
    # on the link, but nobody answers the neighbour solicitation
    assert run(host, "ping -6 -c 1 2001:db8::2") == (
        2, "PING(56=40+8+8 bytes) 2001:db8::1 --> 2001:db8::2\n\n"
           "--- 2001:db8::2 ping statistics ---\n"
           "1 packets transmitted, 0 packets received, 100.0% packet loss\n", "")


def test_pcp_option(host):
    assert run(host, "ping -C5 -c 1 127.0.0.1")[0] == 0
    assert run(host, "ping -C 8 -c 1 127.0.0.1") == (64, "", "ping: invalid PCP: `8'\n")
