"""FreeBSD's regression test cases that the sim's text and helper programs
(getaddrinfo, sed, diff, awk, seq, mktemp) make pass, ported to run against
connect("sim://") in the manner of tests/test_freebsd_regression.py: each
test names the atf case it follows (freebsd-src paths) and makes the same
commands with the same expectations."""

from __future__ import annotations

import pytest

from jailkit.host import Host
from tests.freebsd_ports import check


# -- sbin/ping/tests/ping_test.sh ------------------------------------------------------
def _require_ip(host: Host) -> None:
    """require_ipv4 and require_ipv6: the case runs only when getaddrinfo
    finds localhost in the family (it is skipped otherwise)."""
    for family in ("inet", "inet6"):
        check(host.run(f"getaddrinfo -f {family} localhost 1>/dev/null 2>&1"), 0, "", "")


# check_ping_statistics: the varying parts of ping's report (times, ttl and
# hlim values, the numeric address after a name) are cut out with sed, and
# the rest must be what the case expects, as diff -u finds it.
FILTER = ("sed -e 's/0.[0-9]\\{3\\}//g' -e 's/[1-9][0-9]*.[0-9]\\{3\\}//g' "
          "-e 's/localhost ([0-9]\\{1,3\\}\\(\\.[0-9]\\{1,3\\}\\)\\{1,3\\})/localhost/' "
          "-e 's/from [0-9]\\{1,3\\}\\(\\.[0-9]\\{1,3\\}\\)\\{1,3\\}/from/' "
          "-e 's/ttl=[0-9][0-9]*/ttl=/' -e 's/hlim=[0-9][0-9]*/hlim=/' std.out > std.out.filtered")


def test_ping_c1_s56_t1_S127(host: Host):
    _require_ip(host)
    check(host.run("cd /tmp && ping -c 1 -s 56 -t 1 -S 127.0.0.1 localhost > std.out"), 0, "", "")
    host.run("cd /tmp && " + FILTER).check()
    host.run("printf 'PING localhost from: 56 data bytes\\n64 bytes from: icmp_seq=0 ttl= time= ms\\n\\n"
             "--- localhost ping statistics ---\\n"
             "1 packets transmitted, 1 packets received, 0.0%% packet loss\\n"
             "round-trip min/avg/max/stddev = /// ms\\n' > /tmp/expected").check()
    check(host.run("cd /tmp && diff -u std.out.filtered expected"), 0, "", "")


def test_ping_statistics_filter_sees_a_difference(host: Host):
    """The same check fails when the report differs (a lost packet)."""
    host.run("cd /tmp && ping -c 1 -s 56 -t 1 -S 127.0.0.1 localhost > std.out").check()
    host.run("cd /tmp && " + FILTER + " && sed 's/1 packets received/0 packets received/' "
             "std.out.filtered > other").check()
    result = host.run("cd /tmp && diff -u std.out.filtered other")
    assert result.exit_status == 1
    assert "-1 packets transmitted, 1 packets received" in result.stdout
    assert "+1 packets transmitted, 0 packets received" in result.stdout


def test_ping_c1t6(host: Host):
    _require_ip(host)
    check(host.run("ping -c1 -t6 127.0.0.1"), 0, stderr="")


def test_ping_46(host: Host):
    _require_ip(host)
    result = host.run("ping -4 -6 localhost")
    assert result.exit_status == 1 and "-4 and -6 cannot be used simultaneously" in result.stderr


# -- tests/sys/net/if_lagg_test.sh -------------------------------------------------------
@pytest.fixture
def lagg(host: Host):
    """get_tap and get_lagg, with if_lagg loaded as the case requires
    (require.kmods), and cleanup_tap_and_lagg afterwards."""
    host.run("kldload if_lagg").check()
    names = [host.run(f"ifconfig {kind} create").check().stdout.strip() for kind in ("tap", "tap", "lagg")]
    yield names
    for name in names:
        host.run(f"ifconfig {name} destroy").check()
    assert host.run("ifconfig -l").stdout.split() == ["fxp0", "lo0"]


def test_if_lagg_create(host: Host, lagg: list[str]):
    tap0, tap1, lagg0 = lagg
    host.run(f"ifconfig {tap0} up; ifconfig {tap1} up").check()
    check(host.run(f"ifconfig {lagg0} up laggport {tap0} laggport {tap1} 192.0.2.2/24"), 0, "", "")
    shown = host.run(f"ifconfig {lagg0}").check().stdout
    assert "inet 192.0.2.2" in shown and f"laggport: {tap0}" in shown and f"laggport: {tap1}" in shown
    # every member has the lagg's MAC, as awk picks it from ifconfig's ether line
    mac = host.run(f"ifconfig {lagg0} | awk '/ether/ {{print $2}}'").check().stdout.strip()
    assert len(mac.split(":")) == 6
    for member in (tap0, tap1):
        shown = host.run(f"ifconfig {member}").check().stdout
        assert f"ether {mac}" in shown and "inet6 fe80:" not in shown


# -- tests/sys/netpfil/pf/nat.sh and pass_block.sh: the text handling of their cases ------
def test_pf_nat_loops_count_with_seq(host: Host):
    """endpoint_independent_* send ten datagrams with `for i in $(seq 1 10)`,
    nat6_nolinklocal pings eleven times with `seq 0 10`."""
    check(host.run("n=0; for i in $(seq 1 10); do n=$((n + 1)); done; echo $n"), 0, "10\n")
    check(host.run("n=0; for i in `seq 0 10`; do n=$((n + 1)); done; echo $n"), 0, "11\n")


def test_pf_nat_tuple_is_the_last_lines_third_field(host: Host):
    """endpoint_independent_common: tcpdump -r's last line's third field is
    the source address and port the server saw."""
    lines = ("12:00:00.000000 IP 198.51.100.42.4242 > 198.51.100.32.1234: UDP, length 5\n"
             "12:00:01.000000 IP 198.51.100.42.61374 > 198.51.100.32.1234: UDP, length 5\n")
    check(host.run("awk '{addr=$3} END {print addr}'", stdin=lines), 0, "198.51.100.42.61374\n")


def test_pf_pass_block_noalias_link_local_address(host: Host):
    """noalias: the link-local address of an interface, from ifconfig's
    inet6 lines through grep, awk and cut."""
    check(host.run("ifconfig lo0 inet6 | grep %lo0 | awk '{ print $2; }' | cut -d % -f 1"), 0, "fe80::1\n")


def test_pf_nat_states_file_from_mktemp(host: Host):
    """binat_*: states=$(mktemp) || exit 1, then grep -qE in it."""
    check(host.run("states=$(mktemp) || exit 1; echo 'epair0b tcp 1.2.3.4:9 <- 5.6.7.8:4201' > $states; "
                   "grep -qE 'epair0b tcp .*:9 <- ' $states"), 0, "", "")
