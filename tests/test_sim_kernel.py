"""The sim's kernel operations called directly: the rules commands and the
world share (one loopback factory, link-local on up, up on the first
address, module loading, jail updates, route flushes)."""

from __future__ import annotations

import ipaddress

import pytest

import jailkit
from jailkit.parsers.ifconfig import parse_ifconfig
from jailkit.sim import labnet
from jailkit.sim.errno import (EADDRNOTAVAIL, EBUSY, EEXIST, EINVAL, ENETUNREACH, ENOENT, EPERM, ESRCH,
                               ETIMEDOUT, OSErr)
from jailkit.sim.ifnet import ND6_IFDISABLED
from jailkit.sim.kernel import Kernel
from jailkit.sim.socket import ConnectError, Listener, connect, datagram, listen
from tests.conftest import run


def kernel() -> Kernel:
    return Kernel(seed=1, hostname="sim", release="14.3-RELEASE")


def _shape(ifnet) -> tuple:
    return (ifnet.dname, ifnet.flags, ifnet.mtu, ifnet.options, ifnet.nd6, ifnet.groups,
            ifnet.inet, ifnet.inet6)


def test_every_loopback_comes_from_one_factory():
    """A vnet's lo0, a cloned lo1 and a lab machine's lo0 are the same
    interface (if_loop.c lo_clone_create), before anything configures them."""
    k = kernel()
    vnet = k.new_vnet("jail j")
    lo0 = vnet.ifunit("lo0")
    lo1 = k.clone_create(vnet, "lo1")
    lab_lo0 = labnet.machine("lab gateway").ifunit("lo0")
    assert lo0 is not None and lab_lo0 is not None
    assert _shape(lo0) == _shape(lo1) == ("lo", 0x8008, 16384, 0x680003, 0x21, ["lo"], [], [])
    assert (lo0.name, lo1.name) == ("lo0", "lo1")
    # the lab machine's lo0 is configured by labnet (up, 127.0.0.1) but built alike
    assert (lab_lo0.options, lab_lo0.mtu, lab_lo0.nd6, lab_lo0.groups) == (0x680003, 16384, 0x21, ["lo"])


def _inet6(ifnet) -> list[str]:
    return [f"{a.address}/{a.prefixlen}{'%' if a.scoped else ''}" for a in ifnet.inet6]


def test_a_loopback_coming_up_gets_its_ipv6_addresses_once_per_vnet():
    """in6_ifattach(): ::1 goes to the first loopback of the vnet that comes
    up, fe80::1 to every one (auto link-local, IPv6 not disabled)."""
    k = kernel()
    vnet = k.new_vnet("jail j")
    lo0, lo1 = vnet.ifunit("lo0"), k.clone_create(vnet, "lo1")
    assert lo0 is not None
    k.if_up(lo0)
    k.if_up(lo1)
    k.if_up(lo0)          # already up: if_up() does nothing
    assert _inet6(lo0) == ["::1/128", "fe80::1/64%"]
    assert _inet6(lo1) == ["fe80::1/64%"]
    assert lo0.up and lo0.running


def test_link_local_waits_for_ipv6_to_be_enabled():
    """An Ethernet interface starts with IFDISABLED: up gives it nothing
    until -ifdisabled, which gives the EUI-64 address of its MAC; ifdisabled
    takes it away again."""
    k = kernel()
    epair = k.clone_create(k.host_vnet, "epair")
    epair.mac = "02:86:93:8f:00:0a"
    k.set_nd6(epair, off=ND6_IFDISABLED)       # down: nothing yet
    assert epair.inet6 == []
    k.set_nd6(epair, on=ND6_IFDISABLED)
    k.if_up(epair)
    assert epair.inet6 == []
    k.set_nd6(epair, off=ND6_IFDISABLED)
    assert _inet6(epair) == ["fe80::86:93ff:fe8f:a/64%"]
    k.set_nd6(epair, on=ND6_IFDISABLED)
    assert epair.inet6 == [] and epair.nd6 & ND6_IFDISABLED


def test_the_first_address_brings_an_interface_up():
    """SIOCAIFADDR then the driver's SIOCSIFADDR: a down lo0 given
    127.0.0.1 is up, with its IPv6 addresses; a second address without
    alias replaces the first."""
    k = kernel()
    vnet = k.new_vnet("jail j")
    lo0 = vnet.ifunit("lo0")
    assert lo0 is not None and not lo0.up
    k.add_inet(lo0, ipaddress.IPv4Interface("127.0.0.1/8"), None, alias=False)
    assert lo0.up and _inet6(lo0) == ["::1/128", "fe80::1/64%"]
    k.add_inet(lo0, ipaddress.IPv4Interface("127.0.0.2/8"), None, alias=False)
    k.add_inet(lo0, ipaddress.IPv4Interface("127.0.0.3/32"), None, alias=True)
    assert [str(a.interface) for a in lo0.inet] == ["127.0.0.2/8", "127.0.0.3/32"]


def test_inet6_addresses_are_added_and_deleted_by_the_kernel():
    k = kernel()
    epair = k.clone_create(k.host_vnet, "epair")
    assert epair.nd6 & ND6_IFDISABLED
    k.add_inet6(epair, ipaddress.IPv6Address("2001:db8::1"), 64)
    # in6_control: an address on an IPv6-disabled interface enables IPv6
    # there (the link-local address follows)
    assert epair.up and _inet6(epair)[0] == "2001:db8::1/64"
    assert not epair.nd6 & ND6_IFDISABLED and _inet6(epair)[1].startswith("fe80::")
    with pytest.raises(OSErr) as missing:
        k.delete_inet6(epair, ipaddress.IPv6Address("2001:db8::2"))
    assert missing.value.errno == EADDRNOTAVAIL
    k.delete_inet6(epair, ipaddress.IPv6Address("2001:db8::1"))
    assert [a.address for a in epair.inet6 if not a.scoped] == []


def test_the_booted_host_has_lo0_with_ipv6_and_its_nic_without():
    """rc.d/netif's state: lo0 up with 127.0.0.1, ::1 and fe80::1; the
    NIC up with its address and IFDISABLED, so no link-local address."""
    host = jailkit.connect("sim://")
    parsed = parse_ifconfig(host.run("ifconfig -a").check().stdout)
    assert [a.address for a in parsed["lo0"].inet6] == ["::1", "fe80::1%lo0"]
    assert parsed["fxp0"].inet6 == [] and "IFDISABLED" in parsed["fxp0"].nd6_names
    assert parsed["fxp0"].flags & 0x1 and parsed["fxp0"].inet


def _jail(k: Kernel, name: str = "j"):
    return k.jail_create(k.prison0, name=name, jid=None, path="/", hostname=None, vnet=True,
                         persist=True, ip4=[], params={}, children_max=0)


def _errno(call, *args, **kwargs) -> int:
    with pytest.raises(OSErr) as failure:
        call(*args, **kwargs)
    return failure.value.errno


def test_kldload_and_kldunload_rules():
    """kern_linker.c: loading and unloading need PRIV_KLD_LOAD/UNLOAD,
    which no jail has; the file must be in /boot/kernel and not loaded yet;
    the id is the file's, its dependencies made after it; a file loaded
    for another one's sake is not the user's to unload (EBUSY), and goes
    with the last file that needs it."""
    k = kernel()
    jail = _jail(k)
    assert _errno(k.kldload, jail, "pf") == EPERM
    assert _errno(k.kldload, k.prison0, "nosuch.ko") == ENOENT
    assert k.kldload(k.prison0, "/boot/kernel/ipfw_nat.ko") == 2     # then ipfw 3, libalias 4
    assert [(lf.name, lf.id) for lf in k.linker.files] == [
        ("kernel", 1), ("ipfw_nat", 2), ("ipfw", 3), ("libalias", 4)]
    assert {"ipfw", "libalias", "ipfw_nat"} <= k.modules
    assert _errno(k.kldload, k.prison0, "ipfw") == EEXIST
    assert k.kldfind("ipfw.ko") == "ipfw"
    assert _errno(k.kldfind, "kernel") == ENOENT
    assert _errno(k.kldunload, jail, "ipfw_nat") == EPERM
    assert _errno(k.kldunload, k.prison0, "ipfw") == EBUSY
    k.kldunload(k.prison0, "ipfw_nat")
    assert k.modules == {"kernel"}


def test_kldload_in_a_jail_refuses_every_file(host):
    host.run("jail -c name=j persist").check()
    assert run(host, "jexec j kldload pf nosuch") == (
        1, "", "kldload: can't load pf: Operation not permitted\n"
               "kldload: can't load nosuch: Operation not permitted\n")
    assert run(host, "jexec j kldunload kernel") == (1, "", "kldunload: can't find file kernel\n")


def test_a_new_jail_must_persist_or_attach():
    k = kernel()
    with pytest.raises(OSErr) as refused:
        k.jail_create(k.prison0, name="j", jid=None, path="/", hostname=None, vnet=False,
                      persist=False, ip4=[], params={}, children_max=0)
    assert (refused.value.errno, refused.value.detail) == (EINVAL, "new jail must persist or attach")
    assert k.prisons == {}
    held = k.jail_create(k.prison0, name="j", jid=None, path="/", hostname=None, vnet=False,
                         persist=False, attach=True, ip4=[], params={}, children_max=0)
    k.spawn(held.jid, "sleep")
    k.clear_persist(held)                  # a process is left: the jail stays
    assert held.jid in k.prisons and not held.persist
    k.processes.clear()
    k.reap_if_empty(held)
    assert held.jid not in k.prisons


def test_jail_update_refuses_what_is_fixed_at_creation():
    """kern_jail.c: vnet and path cannot change; the hostname, allow.*
    and persist can, and a jail that loses persist with no process left
    is removed."""
    k = kernel()
    jail = _jail(k)
    for change, message in (({"vnet": False}, "vnet cannot be changed after creation"),
                            ({"path": "/elsewhere"}, "path cannot be changed after creation")):
        with pytest.raises(OSErr) as refused:
            k.jail_update(jail, hostname="changed", **change)
        assert (refused.value.errno, refused.value.detail) == (EINVAL, message)
    assert jail.hostname == "sim"
    k.jail_update(jail, hostname="two", allow={"allow.set_hostname": "1"})
    assert (jail.hostname, jail.params, jail.persist) == ("two", {"allow.set_hostname": "1"}, True)
    k.jail_update(jail, persist=False)
    assert jail.jid not in k.prisons


def test_removing_a_jail_ends_its_processes_and_its_childrens():
    k = kernel()
    parent = k.jail_create(k.prison0, name="p", jid=None, path="/", hostname=None, vnet=False,
                           persist=True, ip4=[], params={}, children_max=1)
    child = k.jail_create(parent, name="c", jid=None, path="/", hostname=None, vnet=False,
                          persist=True, ip4=[], params={}, children_max=0)
    for prison in (k.prison0, parent, child):
        k.spawn(prison.jid, "sleep")
    k.jail_remove(parent)
    assert [p.jid for p in k.processes] == [0] and k.prisons == {}


def test_route_flush_takes_the_static_routes_only():
    k = kernel()
    vnet = k.host_vnet
    nic = k.clone_create(vnet, "epair")
    k.add_inet(nic, ipaddress.IPv4Interface("10.0.0.2/24"), None, alias=False)
    default = vnet.add_route(ipaddress.IPv4Network("0.0.0.0/0"),
                             ipaddress.IPv4Address("10.0.0.1"), host=False)
    connected = list(vnet.routes)
    connected.remove(default)
    assert vnet.flush_static() == [default]
    assert vnet.routes == connected and vnet.lookup(ipaddress.IPv4Address("10.0.0.9")) is not None


def test_route_flush_command_keeps_the_connected_routes(host):
    host.run("route flush").check()
    assert run(host, "route -n get 8.8.8.8")[0] == 1
    assert "interface: fxp0" in host.run("route -n get 10.0.10.1").check().stdout


def test_a_socket_nothing_serves_answers_nothing():
    """A bound UDP socket whose daemon never answers (syslogd's 514): the
    client waits its timeout; a TCP connection to one reads nothing."""
    k = kernel()
    vnet = k.new_vnet("jail j")
    lo0 = vnet.ifunit("lo0")
    assert lo0 is not None
    k.add_inet(lo0, ipaddress.IPv4Interface("127.0.0.1/8"), None, alias=False)
    loopback = ipaddress.IPv4Address("127.0.0.1")
    listen(vnet, Listener("udp", "4", None, 514, 1, 7, "root", "syslogd"))
    listen(vnet, Listener("tcp", "4", None, 25, 1, 8, "root", "sendmail"))
    with pytest.raises(ConnectError) as silent:
        datagram(k, vnet, loopback, 514, "<13>hello", timeout=5.0)
    assert silent.value.errno == ETIMEDOUT and k.clock >= 5.0
    assert connect(k, vnet, loopback, 25).exchange("EHLO sim\r\n") == ""


def test_sysctl_writes_follow_the_variable_and_the_jail():
    """kern_sysctl.c sysctl_root: a VNET jail writes its own vnet's
    variables and not the host's others; a jail without its own vnet writes
    none; the host name follows sethostname's rule."""
    k = kernel()
    vnet_jail, plain = _jail(k, "v"), k.jail_create(
        k.prison0, name="p", jid=None, path="/", hostname=None, vnet=False, persist=True,
        ip4=[], params={}, children_max=0)
    k.sysctl_set(vnet_jail, "net.inet.ip.forwarding", "1")
    assert k.sysctl_get(vnet_jail, "net.inet.ip.forwarding") == "1"
    assert k.sysctl_get(k.prison0, "net.inet.ip.forwarding") == "0"
    assert _errno(k.sysctl_set, plain, "net.inet.ip.forwarding", "1") == EPERM
    assert _errno(k.sysctl_set, vnet_jail, "kern.hostname", "x") == EPERM
    assert _errno(k.sysctl_set, k.prison0, "kern.ostype", "Linux") == EPERM
    k.sysctl_set(k.prison0, "kern.hostname", "renamed")
    assert k.sysctl_get(vnet_jail, "security.jail.vnet") == "1"
    assert k.sysctl_get(plain, "security.jail.jailed") == "1"


def test_sysctl_names_follow_the_loaded_modules():
    k = kernel()
    assert k.sysctl_names("net.inet.ip") == ["net.inet.ip.forwarding", "net.inet.ip.ttl"]
    assert _errno(k.sysctl_oid, "net.inet.ip.fw.default_to_accept") == ENOENT
    k.kldload(k.prison0, "ipfw")
    assert "net.inet.ip.fw.default_to_accept" in k.sysctl_names("net.inet.ip")
    assert k.sysctl_oid("net.inet.ip.fw.default_to_accept").tunable


def test_route_change_keeps_the_old_route_when_the_new_gateway_is_unreachable():
    k = kernel()
    vnet = k.host_vnet
    nic = k.clone_create(vnet, "epair")
    k.add_inet(nic, ipaddress.IPv4Interface("10.0.0.2/24"), None, alias=False)
    default = ipaddress.IPv4Network("0.0.0.0/0")
    assert _errno(vnet.change_route, default, ipaddress.IPv4Address("10.0.0.1"), host=False) == ESRCH
    vnet.add_route(default, ipaddress.IPv4Address("10.0.0.1"), host=False)
    assert _errno(vnet.change_route, default, ipaddress.IPv4Address("192.0.2.1"),
                  host=False) == ENETUNREACH
    assert str(vnet.lookup(ipaddress.IPv4Address("8.8.8.8")).gateway) == "10.0.0.1"
    vnet.change_route(default, ipaddress.IPv4Address("10.0.0.3"), host=False)
    assert str(vnet.lookup(ipaddress.IPv4Address("8.8.8.8")).gateway) == "10.0.0.3"


def test_moving_an_interface_to_a_jail_that_shares_the_vnet(host):
    """if.c if_vmove_loan: a jail without its own vnet has the caller's, and
    moving within one vnet is EEXIST."""
    host.run("jail -c name=p persist && ifconfig epair create").check()
    assert run(host, "ifconfig epair0a vnet p") == (1, "", "ifconfig: SIOCSIFVNET: File exists\n")
