"""pf.conf host specifications naming an interface, as pfctl 14.3 parses and
prints them (sbin/pfctl/pfctl_parser.c host(), host_if(), ifa_lookup(),
parse.y dynaddr, pf_print_state.c print_addr()): "fxp0" is every address
the interface has when the rules load, ":0" only its first one, ":network"
its networks, ":broadcast" its broadcast addresses; "(fxp0)" with the same
modifiers is looked up by pf at packet time."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from tests.conftest import run


@pytest.fixture
def pf(host):
    """The default sim host (fxp0 10.0.10.2/28) with pf and a second
    address on fxp0, as a jail sharing the NIC gives it."""
    host.run("kldload pf").check()
    host.run("ifconfig fxp0 alias 10.0.10.5/32").check()
    return host


def parsed(host, rules: str) -> tuple[int, str, str]:
    return run(host, ["pfctl", "-nvf", "-"], stdin=rules)


def not_parsed(said: str) -> tuple[int, str, str]:
    return 1, "", said + "stdin:1: could not parse host specification\n"


@pytest.mark.parametrize("host_spec, printed", [
    ("fxp0", ["10.0.10.2", "10.0.10.5"]),                  # the alias too
    ("fxp0:0", ["10.0.10.2"]),                             # no aliases
    ("fxp0:network", ["10.0.10.0/28", "10.0.10.5"]),       # each address's network
    ("fxp0:broadcast", ["10.0.10.15", "10.0.10.5"]),       # a /32's broadcast is itself
    ("fxp0:network:0", ["10.0.10.0/28"]),
    ("fxp0/24", ["10.0.10.0/24", "10.0.10.0/24"]),         # the mask applies to each
    ("lo", ["127.0.0.1"]),                                  # an interface group
])
def test_an_interface_name_stands_for_its_addresses_when_the_rules_load(pf, host_spec, printed):
    assert parsed(pf, f"pass in on fxp0 to {host_spec}\n") == (0, "".join(
        f"pass in on fxp0 inet from any to {address} flags S/SA keep state\n"
        for address in printed), "")


@pytest.mark.parametrize("host_spec, printed", [
    ("(fxp0)", "(fxp0)"),
    ("(fxp0:0)", "(fxp0:0)"),
    ("(fxp0:network)", "(fxp0:network)"),
    ("(fxp0:0:broadcast)", "(fxp0:broadcast:0)"),          # print_addr()'s order
    ("(fxp0:peer)", "(fxp0:peer)"),
    ("(em0)", "(em0)"),                                     # need not exist yet
])
def test_a_dynamic_address_is_printed_with_its_modifiers_and_no_family(pf, host_spec, printed):
    assert parsed(pf, f"pass in to {host_spec}\n") == (
        0, f"pass in from any to {printed} flags S/SA keep state\n", "")


def test_the_articles_nat_and_rdr_take_the_nics_first_address(pf):
    rules = ('ext_if = "fxp0"\n'
             "nat on $ext_if from 10.0.0.0/24 -> $ext_if:0\n"
             "rdr on $ext_if proto tcp to $ext_if:0 port 80 -> 10.0.0.3\n")
    assert parsed(pf, rules) == (0, (
        'ext_if = "fxp0"\n'
        "nat on fxp0 inet from 10.0.0.0/24 to any -> 10.0.10.2\n"
        "rdr on fxp0 inet proto tcp from any to 10.0.10.2 port = http -> 10.0.0.3\n"), "")


def test_a_nat_to_every_address_of_a_nic_with_an_alias_is_a_round_robin_pool(pf):
    """parse.y: several redirection addresses make a round-robin pool,
    printed as pfctl prints a { } list (hence the article's :0)."""
    assert parsed(pf, "nat on fxp0 from 10.0.0.0/24 -> fxp0\n") == (
        0, "nat on fxp0 inet from 10.0.0.0/24 to any -> { 10.0.10.2, 10.0.10.5 } round-robin\n", "")


@pytest.mark.parametrize("host_spec, said", [
    ("em0:0", ""),                           # no such interface, and no such host
    ("nosuchif", ""),
    ("fxp0:peer", ""),                        # not a point-to-point interface
    ("lo0:broadcast", ""),                    # not a broadcast interface
    ("fxp0:foo", ""),                         # host_if() gives up, DNS finds nothing
    ("fxp0:network:broadcast", "illegal combination of interface modifiers\n"),
    ("fxp0:network/24", "network or broadcast lookup, but extra netmask given\n"),
])
def test_an_interface_host_that_gives_no_address_cannot_be_parsed(pf, host_spec, said):
    assert parsed(pf, f"pass in to {host_spec}\n") == not_parsed(
        f"{said}no IP address found for {host_spec}\n")


def test_an_interface_without_an_ipv4_address_gives_none(pf):
    pf.run("ifconfig lo1 create").check()
    assert parsed(pf, "pass in to lo1\n") == not_parsed("no IP address found for lo1\n")


def test_a_bad_netmask_is_said_alone(pf):
    assert parsed(pf, "pass in to fxp0/x\n") == not_parsed("invalid netmask '/x'\n")


@pytest.mark.parametrize("host_spec, message", [
    ("(fxp0:foo)", "interface fxp0:foo has bad modifier"),
    ("(fxp0:foo:0)", "interface fxp0:foo has bad modifier"),   # taken off from the end
    ("(fxp0:network:peer)", "illegal combination of interface modifiers"),
    ("(0fxp)", "invalid interface name '0fxp'"),
])
def test_a_dynamic_address_with_a_bad_modifier_is_parse_ys_error(pf, host_spec, message):
    assert parsed(pf, f"pass in to {host_spec}\n") == (1, "", f"stdin:1: {message}\n")


def test_a_static_host_keeps_the_addresses_it_had_and_a_dynamic_one_follows(pf):
    """fxp0:0 was 10.0.10.2 when the rules loaded; (fxp0:0) is fxp0's first
    address when the packet comes."""
    pf.run("pfctl -e").check()
    run(pf, ["pfctl", "-f", "-"], stdin="block in on fxp0 to fxp0:0\nblock in on fxp0 to (fxp0:0)\n")
    kernel = pf.machine.kernel
    pf_ = kernel.firewall(kernel.host_vnet, "pf")
    static, dynamic = pf_.rules.filter
    fxp0 = kernel.host_vnet.ifunit("fxp0")
    for rule in (static, dynamic):
        assert rule.dst.matches(kernel.host_vnet, IPv4Address("10.0.10.2"))
        assert not rule.dst.matches(kernel.host_vnet, IPv4Address("10.0.10.5"))
    # the first address goes: the alias is first now (in.c keeps the list's order)
    pf.run("ifconfig fxp0 -alias 10.0.10.2").check()
    assert fxp0 is not None and fxp0.inet[0].address == IPv4Address("10.0.10.5")
    assert static.dst.matches(kernel.host_vnet, IPv4Address("10.0.10.2"))
    assert not static.dst.matches(kernel.host_vnet, IPv4Address("10.0.10.5"))
    assert dynamic.dst.matches(kernel.host_vnet, IPv4Address("10.0.10.5"))
    assert not dynamic.dst.matches(kernel.host_vnet, IPv4Address("10.0.10.2"))


def test_a_dynamic_network_and_broadcast_match_at_packet_time(pf):
    run(pf, ["pfctl", "-f", "-"], stdin="pass in to (fxp0:network)\npass in to (fxp0:broadcast)\n")
    kernel = pf.machine.kernel
    network, broadcast = kernel.firewall(kernel.host_vnet, "pf").rules.filter
    vnet = kernel.host_vnet
    assert network.dst.matches(vnet, IPv4Address("10.0.10.9"))
    assert not network.dst.matches(vnet, IPv4Address("10.0.10.17"))
    assert broadcast.dst.matches(vnet, IPv4Address("10.0.10.15"))
    assert not broadcast.dst.matches(vnet, IPv4Address("10.0.10.9"))


def test_the_host_may_be_left_out_before_a_port(pf):
    """parse.y ipportspec: "to port 80" is "to any port 80"."""
    assert parsed(pf, "pass in proto tcp to port 80\nblock in proto tcp from port 22\n") == (0, (
        "pass in proto tcp from any to any port = http flags S/SA keep state\n"
        "block drop in proto tcp from any port = ssh to any\n"), "")
