"""getaddrinfo(1) on the sim: the lines usr.bin/getaddrinfo prints for
getaddrinfo(3)'s list, its hints and its errors."""

from __future__ import annotations

import pytest

from tests.conftest import run

USAGE = ("Usage: getaddrinfo [-f <family>] [-p <protocol>] [-t <socktype>] [-s <service>]\n"
         "   [-cnNP] [<hostname>]\n")


def test_localhost_both_families_ipv6_first(host):
    # /etc/hosts has ::1 and 127.0.0.1; RFC 6724 precedence puts ::1 first,
    # each address once per socket type libc explores
    assert run(host, "getaddrinfo localhost") == (0, (
        "dgram inet6 udp ::1 0\nstream inet6 tcp ::1 0\nseqpacket inet6 sctp ::1 0\n"
        "dgram inet udp 127.0.0.1 0\nstream inet tcp 127.0.0.1 0\nseqpacket inet sctp 127.0.0.1 0\n"), "")


def test_family_socktype_and_service_hints(host):
    assert run(host, "getaddrinfo -f inet -t dgram localhost") == (0, "dgram inet udp 127.0.0.1 0\n", "")
    assert run(host, "getaddrinfo -f inet6 -t stream -s 22 localhost") == (0, "stream inet6 tcp ::1 22\n", "")
    assert run(host, "getaddrinfo -c -t stream -s http/tcp 127.0.0.1") == \
        (0, "canonname 127.0.0.1\nstream inet tcp 127.0.0.1 80\n", "")
    assert run(host, "getaddrinfo -P -t dgram") == (0, "dgram inet6 udp :: 0\ndgram inet udp 0.0.0.0 0\n", "")


def test_ping_tests_probe(host):
    # sbin/ping/tests: require_ipv4 and require_ipv6 only look at the status
    assert run(host, "getaddrinfo -f inet localhost 1>/dev/null 2>&1; echo $?")[1] == "0\n"
    assert run(host, "getaddrinfo -f inet6 localhost 1>/dev/null 2>&1; echo $?")[1] == "0\n"


@pytest.mark.parametrize("command, stderr", [
    ("getaddrinfo", USAGE),
    ("getaddrinfo -x localhost", "getaddrinfo: illegal option -- x\n" + USAGE),
    ("getaddrinfo -f bogus localhost", "getaddrinfo: invalid address family: bogus\n" + USAGE),
    ("getaddrinfo -t bogus localhost", "getaddrinfo: invalid socket type: bogus\n" + USAGE),
    ("getaddrinfo -p tcp -s 80/udp localhost", "getaddrinfo: protocol already specified\n" + USAGE),
    ("getaddrinfo -f inet6 127.0.0.1", "getaddrinfo: Name does not resolve\n"),
    ("getaddrinfo -n localhost", "getaddrinfo: Name does not resolve\n"),
])
def test_errors(host, command, stderr):
    assert run(host, command) == (1, "", stderr)
