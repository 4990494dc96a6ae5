"""FreeBSD's firewall regression tests (tests/sys/netpfil/pf and
tests/sys/netpfil/common), ported to run against connect("sim://").

Each test names the atf test case it follows and makes the same commands
with the same expectations (exit status, and output where the original
checks it). The helpers are tests/sys/common/vnet.subr's
(jailkit.vnet_subr); pft_set_rules (netpfil/pf/utils.subr) flushes a
jail's pf and loads the rules from standard input. FreeBSD's test machines
have the firewall modules loaded before the tests run (ipfw with
net.inet.ip.fw.default_to_accept=1, so that loading it cuts nothing off);
the ports load them the same way."""

from __future__ import annotations

import pytest

import jailkit
from jailkit.host import Host
from jailkit.vnet_subr import VnetSubr as Vnet


@pytest.fixture
def vnet(host: Host):
    helper = Vnet(host)
    yield helper
    helper.cleanup()
    assert host.run("ifconfig -l").stdout.split() == ["fxp0", "lo0"]
    assert host.run("jls name").stdout == ""


def check(result: jailkit.Result, status: int = 0, stdout: str | None = None, stderr: str | None = None):
    assert result.exit_status == status, result
    if stdout is not None:
        assert result.stdout == stdout, result
    if stderr is not None:
        assert result.stderr == stderr, result


def load_ipfw(vnet: Vnet) -> None:
    """What FreeBSD's test machines have before the netpfil tests run."""
    vnet.sh("kenv net.inet.ip.fw.default_to_accept=1 && kldload ipfw ipfw_nat").check()


def set_rules(vnet: Vnet, jail: str, *rules: str) -> jailkit.Result:
    """pft_set_rules: flush everything, then load the rules from stdin."""
    vnet.sh(["jexec", jail, "pfctl", "-F", "all"]).check()
    return vnet.host.run(["jexec", jail, "pfctl", "-f", "-"], stdin="".join(r + "\n" for r in rules))


# -- tests/sys/netpfil/common/nat.sh ------------------------------------------------------
def _nat_basic_network(vnet: Vnet) -> str:
    """basic_body's network: the host on one side of a nat jail, two
    clients on their own networks on the other; returns the epair whose b
    end is the nat jail's outside."""
    outside, one, two = vnet.mkepair(), vnet.mkepair(), vnet.mkepair()
    vnet.mkjail("nat", f"{outside}b", f"{one}a", f"{two}a")
    vnet.mkjail("client1", f"{one}b")
    vnet.mkjail("client2", f"{two}b")
    for command in (f"ifconfig {outside}a 198.51.100.2/24 up",
                    f"jexec nat ifconfig {outside}b 198.51.100.1/24 up",
                    f"jexec nat ifconfig {one}a 192.0.2.1/24 up",
                    f"jexec client1 ifconfig {one}b 192.0.2.2/24 up",
                    f"jexec nat ifconfig {two}a 192.0.3.1/24 up",
                    f"jexec client2 ifconfig {two}b 192.0.3.2/24 up",
                    "jexec nat sysctl net.inet.ip.forwarding=1",
                    "jexec client1 route add -net 198.51.100.0/24 192.0.2.1",
                    "jexec client2 route add -net 198.51.100.0/24 192.0.3.1"):
        vnet.sh(command).check()
    # the host has no route back to the clients: only NAT lets them through
    check(vnet.sh("jexec client1 ping -t 1 -c 1 198.51.100.2"), 2)
    check(vnet.sh("jexec client2 ping -t 1 -c 1 198.51.100.2"), 2)
    return outside


def test_common_nat_ipfw_basic(vnet: Vnet):
    """In-kernel nat on every packet in both directions ("nat 123 all from
    any to any"): the request coming in from a client makes a libalias link
    of its own, so the answer leaves for the client unchanged."""
    load_ipfw(vnet)
    outside = _nat_basic_network(vnet)
    vnet.sh("jexec nat ipfw -q -f flush").check()
    check(vnet.sh(f"jexec nat ipfw -q nat 123 config if {outside}b"), 0)
    check(vnet.sh("jexec nat ipfw -q add 1000 nat 123 all from any to any"), 0)
    check(vnet.sh("jexec client1 ping -t 1 -c 1 198.51.100.2"), 0)
    check(vnet.sh("jexec client2 ping -t 1 -c 1 198.51.100.2"), 0)


def test_common_nat_pf_basic(vnet: Vnet):
    outside = _nat_basic_network(vnet)
    vnet.sh("kldload pf").check()
    # firewall_config sets net.pf.filter_local=1 and goes on whatever
    # sysctl says: the oid is FreeBSD 15's, 14.3 does not know it
    check(vnet.sh("jexec nat sysctl net.pf.filter_local=1"), 1)
    vnet.sh("jexec nat pfctl -e").check()
    check(set_rules(vnet, "nat", f"nat pass on {outside}b inet from any to any -> ({outside}b)"), 0)
    check(vnet.sh("jexec client1 ping -t 1 -c 1 198.51.100.2"), 0)
    check(vnet.sh("jexec client2 ping -t 1 -c 1 198.51.100.2"), 0)
