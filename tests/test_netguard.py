"""The guard that keeps the test suite on the loopback (tests/netguard.py):
it refuses before the system call, so these tests send nothing."""

from __future__ import annotations

import errno
import os
import socket
import subprocess

import pytest

from tests import netguard
from tests.netguard import LeftTheLoopback, expecting_refusals

OUTSIDE = ("192.0.2.1", 9)      # TEST-NET-1 (RFC 5737): never routed anyway


def closed_udp_socket() -> socket.socket:
    # On a closed socket the system call itself fails with EBADF: getting
    # the guard's error instead shows that the guard came first.
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.close()
    return sock


def test_a_connect_outside_is_refused_before_the_system_call():
    sock = closed_udp_socket()
    with expecting_refusals() as refused, pytest.raises(LeftTheLoopback, match="192.0.2.1"):
        sock.connect(OUTSIDE)
    assert refused == ["socket.connect to ('192.0.2.1', 9)"]
    with pytest.raises(OSError) as error:
        sock.connect(("127.0.0.1", 9))      # allowed: it reaches the system call
    assert error.value.errno == errno.EBADF


def test_a_refused_connect_leaves_the_socket_unconnected():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with expecting_refusals(), pytest.raises(LeftTheLoopback):
            sock.connect(OUTSIDE)
        with pytest.raises(OSError) as error:
            sock.getpeername()
        assert error.value.errno == errno.ENOTCONN


@pytest.mark.parametrize("address", [OUTSIDE, ("::ffff:192.0.2.1", 9, 0, 0), ("0.0.0.0", 9)])
def test_a_datagram_outside_is_refused_before_the_system_call(address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.close()
    with expecting_refusals() as refused, pytest.raises(LeftTheLoopback):
        sock.sendto(b"x", address)
    assert refused[0].startswith("socket.sendto to ")


def test_the_loopback_is_open():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname()) as client, server.accept()[0] as peer:
            client.sendall(b"ping")
            assert peer.recv(4) == b"ping"
    assert socket.getaddrinfo("localhost", 22, type=socket.SOCK_STREAM)


@pytest.mark.parametrize("lookup", [
    lambda: socket.getaddrinfo("vagrantcloud.com", 443),
    lambda: socket.gethostbyname("example.org"),
    lambda: socket.gethostbyaddr("192.0.2.1"),
    lambda: socket.getnameinfo(("192.0.2.1", 22), 0),
])
def test_a_name_lookup_that_could_ask_dns_is_refused(lookup):
    # The audit event comes before the resolver is called: no query is sent,
    # and the error is the guard's, not the resolver's (socket.gaierror).
    with expecting_refusals() as refused, pytest.raises(LeftTheLoopback, match="DNS query"):
        lookup()
    assert len(refused) == 1


def test_numeric_addresses_need_no_lookup():
    assert socket.getaddrinfo("192.0.2.1", 9, type=socket.SOCK_DGRAM)[0][4] == OUTSIDE


def test_a_subprocess_without_the_guarded_environment_is_refused():
    with expecting_refusals() as refused, pytest.raises(LeftTheLoopback, match="environment"):
        subprocess.run(["true"], env={"PATH": os.environ["PATH"]})
    assert len(refused) == 1
    assert subprocess.run(["true"], env={**os.environ, "X": "1"}).returncode == 0


def test_subprocesses_inherit_an_environment_that_stays_home():
    for name, value in netguard.ENVIRONMENT.items():
        assert os.environ[name] == value
    assert "no_proxy" not in os.environ and "NO_PROXY" not in os.environ
    assert os.environ["VAGRANT_HOME"] != os.path.expanduser("~/.vagrant.d")


def test_a_test_that_swallows_the_refusal_still_fails(pytester):
    pytester.makeconftest("from tests.conftest import pytest_runtest_call  # noqa: F401\n")
    pytester.makepyfile(test_sly="""
import socket

def test_sly():
    try:
        socket.create_connection(("192.0.2.1", 9), timeout=1)
    except Exception:
        pass
""")
    with expecting_refusals():
        result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the test tried to leave the loopback:",
                                 "  socket.connect to ('192.0.2.1', 9)"])
