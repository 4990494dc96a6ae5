"""nc(1) on the sim, as FreeBSD 14's netcat behaves: connections with and
without data, -z/-v reports, failures, UDP, listening, its errors. From the
host, from a jail and from the lab's machines alike."""

from __future__ import annotations

import pytest

import jailkit
from jailkit.host import HostTimeout
from tests.conftest import run

QJAIL_HOWTO = "sim://?lab=qjail-howto"
OUTSIDE = "device.example.org"


@pytest.fixture
def box():
    """The qjail-howto host on the internet, with its lab."""
    return jailkit.connect(QJAIL_HOWTO)


def on(box, machine: str, command: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = box.run_on(machine, command, stdin=stdin)
    return result.exit_status, result.stdout, result.stderr


def test_a_connection_sends_the_input_and_writes_the_answer(box):
    status, out, err = on(box, OUTSIDE, "nc whois.iana.org 43", stdin="freebsd.org\r\n")
    assert (status, err) == (0, "")
    assert "domain:       FREEBSD.ORG\n" in out


def test_a_scan_reports_each_port_that_answers(box):
    assert on(box, OUTSIDE, "nc -z -v www.freebsd.org 79-80") == (
        0, "",
        "nc: connect to www.freebsd.org port 79 (tcp) failed: Connection refused\n"
        "Connection to www.freebsd.org 80 port [tcp/http] succeeded!\n")
    # -z alone is quiet about failures; -n leaves the port's name out
    assert on(box, OUTSIDE, "nc -z -n 198.51.100.80 22") == (
        0, "", "Connection to 198.51.100.80 22 port [tcp/*] succeeded!\n")
    assert on(box, OUTSIDE, "nc -z www.freebsd.org 81") == (1, "", "")


def test_the_hosts_public_address_is_reached_from_outside(box):
    """No NAT in front of the qjail host: its sshd answers outsiders on 22,
    and nothing listens on the howto's forwarded ports before the firewall."""
    assert on(box, OUTSIDE, "nc -v -w 3 203.0.113.20 22") == (
        0, "SSH-2.0-OpenSSH_9.9 FreeBSD-20250219\r\n",
        "Connection to 203.0.113.20 22 port [tcp/ssh] succeeded!\n")
    assert on(box, OUTSIDE, "nc -v -z 203.0.113.20 6188") == (
        1, "", "nc: connect to 203.0.113.20 port 6188 (tcp) failed: Connection refused\n")


def test_w_bounds_a_connection_that_is_never_answered(box):
    box.run("kldload ipfw").check()         # its default rule denies: the SYN is dropped
    before = box.machine.kernel.clock
    assert on(box, OUTSIDE, "nc -v -w 5 203.0.113.20 22") == (
        1, "", "nc: connect to 203.0.113.20 port 22 (tcp) failed: Operation timed out\n")
    assert 5 <= box.machine.kernel.clock - before < 6


def test_udp_to_an_inetd_dgram_service_gets_its_answer(box):
    box.run("echo 'echo dgram udp wait root internal' > /etc/inetd.conf && inetd").check()
    assert on(box, OUTSIDE, "echo hello | nc -u -w 1 203.0.113.20 7") == (0, "hello\n", "")
    assert on(box, OUTSIDE, "nc -u -z -v 203.0.113.20 7") == (
        0, "", "Connection to 203.0.113.20 7 port [udp/echo] succeeded!\n")
    # nothing there: the port unreachable makes the test write fail
    assert on(box, OUTSIDE, "nc -u -z -v 203.0.113.20 9") == (1, "", "")


def test_a_listener_waits_until_stopped_and_leaves_nothing(box):
    # nothing else runs while it waits in the foreground; timeout(1) stops it
    assert run(box, "timeout 5 nc -l 5000; echo $?") == (0, "124\n", "")
    assert "nc" not in run(box, "sockstat -4 -l")[1]
    with pytest.raises(HostTimeout):
        box.run_on(OUTSIDE, "nc -u -l 5000", timeout=30)


def test_a_background_listener_gets_what_an_outsider_sends(box):
    box.run("nc -l 5000 > /tmp/got &").check()
    assert "nc         " in run(box, "sockstat -4 -l")[1]
    assert on(box, OUTSIDE, "echo hello | nc -N 203.0.113.20 5000") == (0, "", "")
    assert run(box, "cat /tmp/got") == (0, "hello\n", "")
    # without -k it ended with its peer: nothing listens there now
    assert "nc " not in run(box, "sockstat -4 -l")[1]
    assert on(box, OUTSIDE, "nc -v -z 203.0.113.20 5000")[0] == 1


def test_a_background_udp_listener_stays_with_its_peer(box):
    box.run_on(OUTSIDE, "nc -u -l 5353 > /tmp/datagrams &").check()
    for word in ("one", "two"):
        assert run(box, f"echo {word} | nc -u -w 1 {OUTSIDE} 5353") == (0, "", "")
    assert box.run_on(OUTSIDE, "cat /tmp/datagrams").stdout == "one\ntwo\n"
    assert "udp4   *:5353" in box.run_on(OUTSIDE, "sockstat -4 -l").stdout


def test_a_login_sessions_background_listener_stops_at_the_jobs_limit(box):
    session = box.session()
    out: list[str] = []
    assert session.run("nc -l 5000 > /tmp/got &", out=out.append, err=out.append) == 0
    assert session.run("sleep 61", out=out.append, err=out.append) == 0
    # the job was stopped: the peer finds nobody, and nothing was written
    on(box, OUTSIDE, "echo late | nc 203.0.113.20 5000")
    assert run(box, "cat /tmp/got; sockstat -4 -l | grep -c nc") == (1, "0\n", "")


def test_a_listener_refuses_a_port_in_use(box):
    assert run(box, "nc -l 22") == (1, "", "nc: Address already in use\n")


@pytest.mark.parametrize("command, message", [
    ("nc -l -z 5000", "nc: cannot use -z and -l\n"),
    ("nc -k host 80", "nc: must use -l with -k\n"),
    ("nc host 0", "nc: port number too small: 0\n"),
    ("nc host 70000", "nc: port number too large: 70000\n"),
    ("nc host http", "nc: port number invalid: http\n"),
    ("nc -w x host 80", "nc: timeout invalid: x\n"),
    ("nc -l 5000-5001", "nc: Cannot use -l with multiple ports!\n"),
    ("nc nowhere.example 80", "nc: getaddrinfo: Name does not resolve\n"),
    ("nc -x proxy:1080 host 80", "nc: option -x is not modelled by the jailkit sim\n"),
])
def test_errors_are_netcats(box, command, message):
    assert run(box, command) == (1, "", message)


def test_usage(box):
    status, out, err = run(box, "nc www.freebsd.org")
    assert (status, out) == (1, "")
    assert err.startswith("usage: nc [-46DdEFhklNnrStUuvz]")
    assert run(box, "nc -q 1")[2].startswith("nc: illegal option -- q\nusage: nc ")


def test_nc_runs_in_a_jail_and_on_the_gateway_alike(jail):
    jail.run("jexec v10 route add default 10.0.10.1").check()
    assert run(jail, "jexec v10 nc -z -v www.freebsd.org 80") == (
        0, "", "Connection to www.freebsd.org 80 port [tcp/http] succeeded!\n")
    assert jail.run_on("gateway.lan", "nc -z -v www.freebsd.org 80").stderr == (
        "Connection to www.freebsd.org 80 port [tcp/http] succeeded!\n")


def test_listen_on_an_ipv6_address_binds_it_once_dad_is_over():
    host = jailkit.connect("sim://")
    host.run("ifconfig fxp0 inet6 -ifdisabled && ifconfig fxp0 inet6 2001:db8::7/64").check()
    # tentative: in6_pcbbind refuses it
    assert run(host, "nc -l 2001:db8::7 8080") == (1, "", "nc: Can't assign requested address\n")
    host.run("sleep 2").check()
    host.run("sh -c 'nc -l 2001:db8::7 8080 > /dev/null 2>&1 &'").check()
    assert "tcp6   2001:db8::7:8080" in run(host, "sockstat -6l -p 8080")[1]
