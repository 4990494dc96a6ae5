"""What the ports of FreeBSD's regression tests (tests/test_freebsd_regression*.py)
share: the vnet fixture (tests/sys/common/vnet.subr's helpers, jailkit.vnet_subr,
with vnet_cleanup checked to leave only the host's own interfaces), atf_check's
exit-status and output comparison, and netpfil/common/nat.sh's network."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import jailkit
from jailkit.host import Host
from jailkit.vnet_subr import VnetSubr as Vnet


@pytest.fixture
def vnet(host: Host) -> Iterator[Vnet]:
    helper = Vnet(host)
    yield helper
    helper.cleanup()
    # Cleaning up must leave the host's own interfaces only.
    assert host.run("ifconfig -l").stdout.split() == ["fxp0", "lo0"]
    assert host.run("jls name").stdout == ""


def check(result: jailkit.Result, status: int = 0, stdout: str | None = None,
          stderr: str | None = None) -> None:
    """atf_check -s exit:STATUS [-o inline:STDOUT] [-e inline:STDERR]."""
    assert result.exit_status == status, result
    if stdout is not None:
        assert result.stdout == stdout, result
    if stderr is not None:
        assert result.stderr == stderr, result


def nat_lab(vnet: Vnet) -> str:
    """netpfil/common/nat.sh's network: the host on one side of a nat jail,
    client1 and client2 on their own networks on the other, with no route
    back to them (only NAT lets them through). Returns the nat jail's
    outside interface (the b end of the host's epair)."""
    outside, one, two = vnet.mkepair(), vnet.mkepair(), vnet.mkepair()
    vnet.mkjail("nat", f"{outside}b", f"{one}a", f"{two}a")
    vnet.mkjail("client1", f"{one}b")
    vnet.mkjail("client2", f"{two}b")
    for line in (f"ifconfig {outside}a 198.51.100.2/24 up",
                 f"jexec nat ifconfig {outside}b 198.51.100.1/24 up",
                 f"jexec nat ifconfig {one}a 192.0.2.1/24 up",
                 f"jexec client1 ifconfig {one}b 192.0.2.2/24 up",
                 f"jexec nat ifconfig {two}a 192.0.3.1/24 up",
                 f"jexec client2 ifconfig {two}b 192.0.3.2/24 up",
                 "jexec nat sysctl net.inet.ip.forwarding=1",
                 "jexec client1 route add -net 198.51.100.0/24 192.0.2.1",
                 "jexec client2 route add -net 198.51.100.0/24 192.0.3.1"):
        vnet.sh(line).check()
    for client in ("client1", "client2"):
        check(vnet.sh(f"jexec {client} ping -t 1 -c 1 198.51.100.2"), 2)
    return f"{outside}b"


def rdr_lab(vnet: Vnet) -> str:
    """netpfil/common/rdr.sh's network: the host and the jail alcatraz on
    an epair, alcatraz routing 198.51.100.0/24 for the host. Returns the
    epair (alcatraz has its b end)."""
    epair = vnet.mkepair()
    vnet.mkjail("alcatraz", f"{epair}b")
    for line in (f"ifconfig {epair}a 192.0.2.2/24 up", "route add -net 198.51.100.0/24 192.0.2.1",
                 f"jexec alcatraz ifconfig {epair}b 192.0.2.1/24 up",
                 "jexec alcatraz sysctl net.inet.ip.forwarding=1"):
        vnet.sh(line).check()
    return epair
