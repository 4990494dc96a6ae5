"""lagg(4) on the sim: ifconfig loading if_lagg, laggproto, laggport and
their errors, the ifconfig listing (iflagg.c lagg_status), MACs and MTUs
(if_lagg.c lagg_port_create/destroy), the net.link.lagg sysctls, and the
packet path through a lagg (failover when the primary port goes down,
failover's wrong-port drop, LACP without a partner).

The lab has one host NIC (fxp0); these tests give the host two more,
igb0 and igb1, through the kernel, on the LAN's wire."""

from __future__ import annotations

import ipaddress

import pytest

from jailkit.host import Host
from jailkit.sim.ifnet import Ethernet, Segment
from jailkit.sim.network import send
from jailkit.sim.packet import Packet
from tests.conftest import run

IGB_OPTIONS = 0x4e527bb     # igb(4)'s capabilities on FreeBSD 14
IGB_MEDIA = "autoselect (1000baseT <full-duplex>)"
MAC0, MAC1 = "00:1b:21:0a:00:00", "00:1b:21:0a:00:01"


def add_nic(host: Host, name: str, mac: str, wire: Segment | None = None) -> Ethernet:
    """A NIC of the host on ``wire`` (the LAN's without one), up."""
    kernel = host.machine.kernel
    fxp0 = kernel.host_vnet.ifunit("fxp0")
    assert isinstance(fxp0, Ethernet)
    nic = kernel.add_physical(kernel.host_vnet, name, mac, media=IGB_MEDIA, baudrate=10**9,
                              options=IGB_OPTIONS, segment=wire or fxp0.segment)
    kernel.if_up(nic)
    return nic


@pytest.fixture
def igb(host: Host) -> Host:
    add_nic(host, "igb0", MAC0)
    add_nic(host, "igb1", MAC1)
    return host


@pytest.fixture
def lagg(igb: Host) -> Host:
    """The article's lagg0 over igb0 and igb1 with the host's LAN address
    (moved there from fxp0), as rc.conf's ifconfig_lagg0 configures it."""
    igb.run("ifconfig fxp0 inet 10.0.10.2 -alias && ifconfig lagg0 create && "
            "ifconfig lagg0 laggport igb0 laggport igb1 up && "
            "ifconfig lagg0 inet 10.0.10.2/28").check()
    return igb


def lagg_lines(host: Host, name: str = "lagg0") -> list[str]:
    out = run(host, f"ifconfig {name}")[1].splitlines()
    return [line for line in out if line.startswith(("\tlagg", "\tether", "\tstatus"))]


def test_create_loads_if_lagg_and_a_fresh_lagg_is_printed_as_freebsd_does(igb):
    assert "if_lagg" not in run(igb, "kldstat")[1]
    assert run(igb, "ifconfig lagg0 create") == (0, "", "")
    assert run(igb, "kldstat -q -n if_lagg")[0] == 0
    assert run(igb, "ifconfig lagg0")[1] == (
        "lagg0: flags=8802<BROADCAST,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
        "\tether 00:00:00:00:00:00\n"
        "\tlaggproto failover lagghash l2,l3,l4\n"
        "\tgroups: lagg\n"
        "\tmedia: Ethernet autoselect\n"
        "\tstatus: no carrier\n"
        "\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>\n")
    # the kernel chose nothing, so nothing is printed; the next unit is free
    assert run(igb, "ifconfig lagg create") == (0, "lagg1\n", "")


def test_without_loading_there_is_no_lagg_cloner(igb):
    assert run(igb, "ifconfig -n lagg0 create") == (1, "", "ifconfig: SIOCIFCREATE2: Invalid argument\n")
    igb.run("jail -c name=j persist vnet").check()
    # a jail cannot load it (kldload is refused there), so no lagg in it either
    assert run(igb, "jexec j ifconfig lagg0 create") == (
        1, "", "ifconfig: SIOCIFCREATE2: Invalid argument\n")
    assert "if_lagg" not in run(igb, "kldstat")[1]


def test_the_articles_rc_conf_lagg_is_a_failover_lagg_with_the_first_port_primary(lagg):
    out = run(lagg, "ifconfig lagg0")[1]
    assert out.startswith("lagg0: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> "
                          "metric 0 mtu 1500\n\toptions=4e527bb<")
    assert lagg_lines(lagg) == [f"\tether {MAC0}",
                                "\tlaggproto failover lagghash l2,l3,l4",
                                "\tlaggport: igb0 flags=5<MASTER,ACTIVE>",
                                "\tlaggport: igb1 flags=0<>",
                                "\tstatus: active"]
    assert "\tinet 10.0.10.2 netmask 0xfffffff0 broadcast 10.0.10.15\n" in out
    assert out.index("\tinet ") < out.index("\tlaggproto") < out.index("\tgroups: lagg\n")
    # every port takes the lagg's MAC (the first port's own)
    assert f"\tether {MAC0}\n" in run(lagg, "ifconfig igb1")[1]


def test_rc_confs_ipv4_addrs_gives_lagg0_its_address_and_netif_stop_takes_it(igb):
    """rc.conf(5) ipv4_addrs_lagg0: network.subr adds it as an alias of
    lagg0 when netif starts it, and removes it when netif stops it."""
    igb.run("cat >> /etc/rc.conf", stdin=(
        'cloned_interfaces="lagg0"\n'
        'ifconfig_lagg0="laggproto failover laggport igb0 laggport igb1 up"\n'
        'ipv4_addrs_lagg0="10.0.20.2/24"\n')).check()
    status, out, err = run(igb, "service netif start lagg0")
    assert (status, err) == (0, "")
    assert out.startswith("Created clone interfaces: lagg0.\nStarting Network: lagg0.\n")
    assert "\tinet 10.0.20.2 netmask 0xffffff00 broadcast 10.0.20.255\n" in out
    assert "\tinet 10.0.20.2 " in run(igb, "ifconfig lagg0")[1]
    status, out, err = run(igb, "service netif stop lagg0")
    assert (status, err) == (0, "")
    assert out.startswith("Stopping Network: lagg0.\nlagg0: flags=1008802<BROADCAST,")
    assert "\tinet " not in out and out.endswith("Destroyed clone interfaces: lagg0.\n")


def test_ports_are_listed_by_interface_index_whatever_the_order_given(igb):
    igb.run("ifconfig lagg0 create laggport igb1 laggport igb0").check()
    assert lagg_lines(igb)[:4] == [f"\tether {MAC1}",      # the first port added gives its MAC
                                   "\tlaggproto failover lagghash l2,l3,l4",
                                   "\tlaggport: igb0 flags=0<>",
                                   "\tlaggport: igb1 flags=5<MASTER,ACTIVE>"]


def test_laggproto_sets_each_ports_flags_as_the_protocol_reports_them(lagg):
    for proto in ("roundrobin", "loadbalance", "broadcast"):
        assert run(lagg, f"ifconfig lagg0 laggproto {proto}") == (0, "", "")
        assert lagg_lines(lagg)[1:4] == [f"\tlaggproto {proto} lagghash l2,l3,l4",
                                         "\tlaggport: igb0 flags=4<ACTIVE>",
                                         "\tlaggport: igb1 flags=4<ACTIVE>"]
    lagg.run("ifconfig lagg0 laggproto none").check()
    assert lagg_lines(lagg)[2:4] == ["\tlaggport: igb0 flags=0<>", "\tlaggport: igb1 flags=0<>"]
    assert run(lagg, "ping -c 1 10.0.10.1")[0] == 2          # no protocol, nothing is sent
    lagg.run("ifconfig lagg0 laggproto default").check()
    assert lagg_lines(lagg)[1] == "\tlaggproto failover lagghash l2,l3,l4"
    assert run(lagg, "ifconfig lagg0 laggproto fec") == (
        1, "", "ifconfig: Invalid aggregation protocol: fec\n")
    assert run(lagg, "ifconfig igb0 laggproto lacp") == (1, "", "ifconfig: SIOCSLAGG: Invalid argument\n")


def test_lagghash_takes_the_layers_and_prints_them_in_order(lagg):
    assert run(lagg, "ifconfig lagg0 lagghash l4,l2") == (0, "", "")
    assert lagg_lines(lagg)[1] == "\tlaggproto failover lagghash l2,l4"
    assert run(lagg, "ifconfig lagg0 lagghash l5") == (1, "", "ifconfig: Invalid lagghash option: l5\n")
    assert run(lagg, "ifconfig lagg0 lagghash ''") == (1, "", "ifconfig: Invalid lagghash option: \n")
    assert lagg_lines(lagg)[1] == "\tlaggproto failover lagghash l2,l4"


def test_a_port_that_cannot_join_is_warned_about_and_the_rest_goes_on(lagg):
    lagg.run("ifconfig epair create && ifconfig epair0a up && ifconfig lagg1 create").check()
    status, out, err = run(lagg, "ifconfig lagg1 laggport igb0 laggport lo0 laggport lagg1 "
                                 "laggport lagg0 laggport nosuch0 laggport epair0a up")
    assert (status, out) == (1, "")
    assert err == ("ifconfig: lagg1 igb0: SIOCSLAGGPORT: Device busy\n"         # lagg0's port
                   "ifconfig: lagg1 lo0: SIOCSLAGGPORT: Protocol not supported\n"  # not Ethernet
                   "ifconfig: lagg1 lagg1: SIOCSLAGGPORT: Invalid argument\n"    # itself
                   "ifconfig: lagg1 lagg0: SIOCSLAGGPORT: Invalid argument\n"    # no stacking
                   "ifconfig: lagg1 nosuch0: SIOCSLAGGPORT: Invalid argument\n")
    # what could join did, and "up" was applied after the failures
    assert lagg_lines(lagg, "lagg1")[2] == "\tlaggport: epair0a flags=5<MASTER,ACTIVE>"
    assert run(lagg, "ifconfig lagg1")[1].startswith("lagg1: flags=1008843<UP,")
    # a port already in this lagg is no error at all
    assert run(lagg, "ifconfig lagg0 laggport igb0") == (0, "", "")
    assert run(lagg, "ifconfig igb0 laggport igb1") == (
        1, "", "ifconfig: igb0 igb1: SIOCSLAGGPORT: Invalid argument\n")


def test_removing_ports_gives_them_their_macs_back_and_moves_the_primary(lagg):
    assert run(lagg, "ifconfig lagg0 -laggport igb0") == (0, "", "")
    assert f"\tether {MAC0}\n" in run(lagg, "ifconfig igb0")[1]
    # the next port is the primary, and its own MAC is the lagg's and every port's
    assert lagg_lines(lagg)[:3] == [f"\tether {MAC1}", "\tlaggproto failover lagghash l2,l3,l4",
                                    "\tlaggport: igb1 flags=5<MASTER,ACTIVE>"]
    assert run(lagg, "ifconfig lagg0 -laggport igb0") == (
        1, "", "ifconfig: SIOCSLAGGDELPORT: No such file or directory\n")
    assert run(lagg, "ifconfig lagg0 -laggport nosuch0") == (
        1, "", "ifconfig: SIOCSLAGGDELPORT: Invalid argument\n")
    lagg.run("ifconfig lagg0 -laggport igb1").check()
    assert lagg_lines(lagg) == ["\tether 00:00:00:00:00:00", "\tlaggproto failover lagghash l2,l3,l4",
                                "\tstatus: no carrier"]


def test_destroying_the_lagg_frees_its_ports_with_their_own_macs(lagg):
    assert run(lagg, "ifconfig lagg0 destroy") == (0, "", "")
    assert run(lagg, "ifconfig -l")[1] == "fxp0 lo0 igb0 igb1\n"
    assert f"\tether {MAC1}\n" in run(lagg, "ifconfig igb1")[1]
    # free again: another lagg may take them
    assert run(lagg, "ifconfig lagg0 create laggport igb1") == (0, "", "")
    assert "if_lagg" in run(lagg, "kldstat")[1]      # the module stays loaded


def test_mtu_rules_of_a_lagg_and_its_ports(igb):
    igb.run("ifconfig igb1 mtu 9000 && ifconfig lagg0 create laggport igb1 laggport igb0").check()
    # the first port gives its MTU; a later one is set to the lagg's
    assert run(igb, "ifconfig lagg0")[1].startswith("lagg0: flags=1008802<BROADCAST,SIMPLEX,"
                                                    "MULTICAST,LOWER_UP> metric 0 mtu 9000\n")
    assert " mtu 9000\n" in run(igb, "ifconfig igb0")[1]
    # a port's MTU is the lagg's to set
    assert run(igb, "ifconfig igb0 mtu 1500") == (
        1, "", "ifconfig: ioctl SIOCSIFMTU (set mtu): Invalid argument\n")
    assert run(igb, "ifconfig lagg0 mtu 1400") == (0, "", "")
    assert [" mtu 1400\n" in run(igb, f"ifconfig {i}")[1] for i in ("lagg0", "igb0", "igb1")] == \
        [True] * 3
    # a port that cannot take the lagg's MTU is refused, and nothing changes
    igb.run("ifconfig lagg0 -laggport igb0 && ifconfig lagg0 mtu 9000 && ifconfig igb0 mtu 1500 "
            "&& ifconfig fxp0 inet 10.0.10.2 -alias").check()
    assert run(igb, "ifconfig lagg0 laggport fxp0") == (
        1, "", "ifconfig: lagg0 fxp0: SIOCSLAGGPORT: Invalid argument\n")   # fxp: no jumbo frames
    assert " mtu 1500\n" in run(igb, "ifconfig fxp0")[1]


def test_the_lagg_sysctls_come_with_the_module_and_are_each_vnets_own(igb):
    assert run(igb, "sysctl net.link.lagg.failover_rx_all") == (
        1, "", "sysctl: unknown oid 'net.link.lagg.failover_rx_all'\n")
    igb.run("ifconfig lagg0 create").check()
    assert run(igb, "sysctl net.link.lagg") == (0, "net.link.lagg.default_flowid_shift: 16\n"
                                                   "net.link.lagg.default_use_flowid: 0\n"
                                                   "net.link.lagg.failover_rx_all: 0\n"
                                                   "net.link.lagg.lacp.debug: 0\n"
                                                   "net.link.lagg.lacp.default_strict_mode: 1\n", "")
    assert run(igb, "sysctl net.link.lagg.failover_rx_all=1") == (
        0, "net.link.lagg.failover_rx_all: 0 -> 1\n", "")
    igb.run("jail -c name=j persist vnet").check()
    assert run(igb, "jexec j sysctl -n net.link.lagg.failover_rx_all") == (0, "0\n", "")


def test_failover_sends_by_the_next_port_when_the_primary_goes_down(lagg):
    kernel = lagg.machine.kernel
    gateway = ipaddress.IPv4Address("10.0.10.1")

    def way() -> list[str]:
        """The interfaces a ping from the host to the gateway passes: the
        lagg's tap, the port's transmit, the gateway's NIC."""
        path = send(kernel.host_vnet, Packet("icmp", ipaddress.IPv4Address("10.0.10.2"), gateway))
        return [ifnet.name for ifnet, _ in path.taps][:2]

    assert run(lagg, "ping -c 1 10.0.10.1")[0] == 0
    assert way() == ["lagg0", "igb0"]
    lagg.run("ifconfig igb0 down").check()
    assert lagg_lines(lagg)[2:4] == ["\tlaggport: igb0 flags=1<MASTER>",
                                     "\tlaggport: igb1 flags=4<ACTIVE>"]
    assert run(lagg, "ping -c 1 10.0.10.1")[0] == 0
    assert way() == ["lagg0", "igb1"]
    lagg.run("ifconfig igb1 down").check()
    assert lagg_lines(lagg)[-1] == "\tstatus: no carrier"
    assert run(lagg, "ping -c 1 10.0.10.1")[0] == 2
    lagg.run("ifconfig igb0 up").check()                    # the primary takes over again
    assert way() == ["lagg0", "igb0"]


def test_failover_takes_frames_only_from_the_active_port(igb):
    """igb1 on a wire of its own, with a VNET jail's NIC there: what the
    jail sends reaches the lagg by igb1 only, which lagg_fail_input drops
    while the primary igb0 is active (failover_rx_all=1 takes it in, but
    the answer leaves by igb0, where the jail is not)."""
    kernel = igb.machine.kernel
    side = Segment("side")
    add_nic(igb, "igb2", "00:1b:21:0a:00:02", side)
    igb.run("ifconfig fxp0 inet 10.0.10.2 -alias && "
            "ifconfig lagg0 create laggport igb0 laggport igb2 10.0.10.2/28 up && "
            "jail -c name=side persist vnet").check()
    jail_vnet = kernel.find_prison("side").vnet
    nic = kernel.add_physical(jail_vnet, "em0", "00:a0:98:00:00:09", media=IGB_MEDIA,
                              baudrate=10**9, options=0, segment=side)
    assert nic.name == "em0"
    igb.run("jexec side ifconfig em0 10.0.10.9/28 up").check()
    assert run(igb, "jexec side ping -c 1 10.0.10.2")[0] == 2       # dropped on igb2
    igb.run("sysctl net.link.lagg.failover_rx_all=1").check()
    assert run(igb, "jexec side ping -c 1 10.0.10.2")[0] == 2       # taken in, answered by igb0
    igb.run("ifconfig igb0 down").check()
    assert run(igb, "jexec side ping -c 1 10.0.10.2")[0] == 0       # igb2 is the active port
    igb.run("sysctl net.link.lagg.failover_rx_all=0").check()
    assert run(igb, "jexec side ping -c 1 10.0.10.2")[0] == 0       # and takes frames itself


def test_lacp_without_a_partner_distributes_only_outside_strict_mode(lagg):
    lagg.run("ifconfig lagg0 laggproto lacp").check()
    assert lagg_lines(lagg)[1:4] == ["\tlaggproto lacp lagghash l2,l3,l4",
                                     "\tlaggport: igb0 flags=4<ACTIVE>",
                                     "\tlaggport: igb1 flags=4<ACTIVE>"]
    assert run(lagg, "ping -c 1 10.0.10.1")[0] == 2          # no port in sync: nothing passes
    lagg.run("sysctl net.link.lagg.lacp.default_strict_mode=0 && "
             "ifconfig lagg0 laggproto lacp").check()        # read when LACP attaches
    assert lagg_lines(lagg)[2:4] == ["\tlaggport: igb0 flags=1c<ACTIVE,COLLECTING,DISTRIBUTING>",
                                     "\tlaggport: igb1 flags=1c<ACTIVE,COLLECTING,DISTRIBUTING>"]
    assert run(lagg, "ping -c 1 10.0.10.1")[0] == 0


def test_a_port_moved_to_a_jail_leaves_its_lagg(lagg):
    lagg.run("jail -c name=j persist vnet vnet.interface=igb1").check()
    assert [line for line in lagg_lines(lagg) if "laggport:" in line] == [
        "\tlaggport: igb0 flags=5<MASTER,ACTIVE>"]
    # lagg_port_ifdetach: a departing port is not given its own MAC back
    assert f"\tether {MAC0}\n" in run(lagg, "jexec j ifconfig igb1")[1]
    lagg.run("jail -r j").check()
    assert run(lagg, "ifconfig lagg0 laggport igb1") == (0, "", "")


def test_a_vlan_on_a_lagg_follows_the_lagg_to_its_active_port(host):
    """vlan 5 over a failover lagg of two epairs, a VNET jail with the
    other ends and vlan 5 on the first: the vlan's frames leave by the
    lagg's active port, and come back in through the lagg."""
    host.run("ifconfig epair create >/dev/null && ifconfig epair create >/dev/null && "
             "ifconfig epair0a up && ifconfig epair1a up && "
             "ifconfig lagg0 create laggport epair0a laggport epair1a up && "
             "ifconfig lagg0.5 create 10.5.0.1/24 up && "
             "jail -c name=j persist vnet vnet.interface=epair0b vnet.interface=epair1b && "
             "jexec j ifconfig epair0b up && jexec j ifconfig epair1b up && "
             "jexec j ifconfig epair0b.5 create 10.5.0.2/24 up").check()
    assert "\tvlan: 5 vlanproto: 802.1q vlanpcp: 0 parent interface: lagg0\n" in \
        run(host, "ifconfig lagg0.5")[1]
    assert run(host, "jexec j ping -c 1 10.5.0.1")[0] == 0
    host.run("ifconfig epair0a down").check()          # the lagg now sends by epair1a
    assert run(host, "jexec j ping -c 1 10.5.0.1")[0] == 2


def test_a_port_with_a_link_local_address_loses_its_ipv6_addresses(igb):
    igb.run("ifconfig igb0 inet6 -ifdisabled && ifconfig igb0 inet6 2001:db8::5/64").check()
    assert "\tinet6 fe80::" in run(igb, "ifconfig igb0")[1]
    igb.run("ifconfig lagg0 create laggport igb0").check()
    assert "inet6" not in run(igb, "ifconfig igb0")[1]


def test_a_lagg_port_cannot_be_a_bridge_member_but_the_lagg_can(lagg):
    lagg.run("ifconfig bridge0 create").check()
    assert run(lagg, "ifconfig bridge0 addm igb1") == (1, "", "ifconfig: BRDGADD igb1: Invalid argument\n")
    assert run(lagg, "ifconfig bridge0 addm lagg0") == (0, "", "")
    assert "\tmember: lagg0 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n" in \
        run(lagg, "ifconfig bridge0")[1]


def test_jails_on_a_bridge_over_the_lagg_reach_the_lan_through_the_active_port(lagg):
    lagg.run("ifconfig bridge0 create addm lagg0 up && ifconfig epair create >/dev/null && "
             "ifconfig epair0a up && ifconfig bridge0 addm epair0a && "
             "jail -c name=j persist vnet vnet.interface=epair0b && "
             "jexec j ifconfig epair0b 10.0.10.10/28 up").check()
    assert run(lagg, "jexec j ping -c 1 10.0.10.1")[0] == 0    # the gateway, by igb0
    assert run(lagg, "jexec j ping -c 1 10.0.10.2")[0] == 0    # the host, on lagg0
    lagg.run("ifconfig igb0 down").check()
    assert run(lagg, "jexec j ping -c 1 10.0.10.1")[0] == 0    # by igb1 now
    lagg.run("ifconfig igb1 down").check()
    assert run(lagg, "jexec j ping -c 1 10.0.10.1")[0] == 2
    assert run(lagg, "jexec j ping -c 1 10.0.10.2")[0] == 0    # the bridge still joins them


def test_unloading_if_lagg_destroys_every_lagg_and_frees_the_ports(lagg):
    lagg.run("jail -c name=j persist vnet && jexec j ifconfig lagg7 create").check()
    assert run(lagg, "kldunload if_lagg") == (0, "", "")
    assert run(lagg, "ifconfig -l")[1] == "fxp0 lo0 igb0 igb1\n"
    assert run(lagg, "jexec j ifconfig -l")[1] == "lo0\n"
    assert f"\tether {MAC1}\n" in run(lagg, "ifconfig igb1")[1]
    assert run(lagg, "sysctl net.link.lagg.failover_rx_all")[0] == 1


def test_a_new_address_on_an_up_lagg_goes_to_its_ports(host):
    """if_setlladdr() re-inits an up lagg, and lagg_init() hands its address
    to every port (if_lagg_test set_ether); a lagg that is down keeps it to
    itself until it comes up."""
    for command in ("kldload if_lagg", "ifconfig tap create", "ifconfig tap create",
                    "ifconfig lagg create", "ifconfig tap0 up", "ifconfig tap1 up",
                    "ifconfig lagg0 up laggport tap0 laggport tap1 192.0.2.2/24",
                    "ifconfig lagg0 ether 00:11:22:33:44:55"):
        host.run(command).check()
    for name in ("lagg0", "tap0", "tap1"):
        assert "\tether 00:11:22:33:44:55\n" in host.run(f"ifconfig {name}").stdout
    host.run("ifconfig lagg0 down ether 00:11:22:33:44:66").check()
    assert "\tether 00:11:22:33:44:55\n" in host.run("ifconfig tap0").stdout
    host.run("ifconfig lagg0 up").check()
    assert "\tether 00:11:22:33:44:66\n" in host.run("ifconfig tap1").stdout
