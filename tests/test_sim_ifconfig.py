"""ifconfig(8) on the sim: formats (held against real FreeBSD 14 output),
cloning, bridges, vnet moves, addresses, and ifconfig's errors."""

from __future__ import annotations

from jailkit.parsers.ifconfig import parse_ifconfig
from tests.conftest import data, run



def test_lo0_is_printed_exactly_as_freebsd_14_prints_it(host):
    real = data("ifconfig_14_vtnet_lo.txt").split("lo0:", 1)[1].replace("    ", "\t")
    assert run(host, "ifconfig lo0")[1] == "lo0:" + real


def test_create_prints_the_name_only_when_the_kernel_chose_it(host):
    # sbin/ifconfig/ifclone.c: printed when the name differs from the request.
    assert run(host, "ifconfig epair create") == (0, "epair0a\n", "")
    assert run(host, "ifconfig epair create") == (0, "epair1a\n", "")
    assert run(host, "ifconfig epair7 create") == (0, "epair7a\n", "")
    assert run(host, "ifconfig bridge create") == (0, "bridge0\n", "")
    assert run(host, "ifconfig bridge5 create") == (0, "", "")
    assert run(host, "ifconfig -l").__getitem__(1) == \
        "fxp0 lo0 epair0a epair0b epair1a epair1b epair7a epair7b bridge0 bridge5\n"


def test_create_existing_and_unknown(host):
    host.run("ifconfig bridge3 create").check()
    assert run(host, "ifconfig bridge3 create") == (1, "", "ifconfig: interface bridge3 already exists\n")
    assert run(host, "ifconfig foo0 create") == (1, "", "ifconfig: SIOCIFCREATE2: Invalid argument\n")


def test_missing_interface(host):
    assert run(host, "ifconfig epair9b") == (1, "", "ifconfig: interface epair9b does not exist\n")
    assert run(host, "ifconfig epair9b up") == (1, "", "ifconfig: interface epair9b does not exist\n")


def test_fresh_epair_ends(host):
    host.run("ifconfig epair create").check()
    parsed = parse_ifconfig(run(host, "ifconfig -a")[1])
    a, b = parsed["epair0a"], parsed["epair0b"]
    # Both ends run and have link from creation; only UP is left to the user.
    assert a.flags == b.flags == 0x1008842
    assert a.ether[:-2] == b.ether[:-2] and a.ether.endswith("0a") and b.ether.endswith("0b")
    assert a.ether.startswith("02:")
    assert a.options == 8 and a.media == "Ethernet 10Gbase-T (10Gbase-T <full-duplex>)"
    assert a.nd6_names == ["PERFORMNUD", "IFDISABLED", "AUTO_LINKLOCAL"] and a.inet6 == []


def test_destroying_one_end_destroys_the_pair(host):
    host.run("ifconfig epair create").check()
    assert run(host, "ifconfig epair0b destroy")[0] == 0
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0\n"
    assert run(host, "ifconfig fxp0 destroy") == (1, "", "ifconfig: SIOCIFDESTROY: Invalid argument\n")
    assert run(host, "ifconfig lo0 destroy") == (1, "", "ifconfig: SIOCIFDESTROY: Invalid argument\n")


def test_unit_numbers_are_reused_after_destroy(host):
    host.run("ifconfig epair create; ifconfig epair create; ifconfig epair0a destroy").check()
    assert run(host, "ifconfig epair create")[1] == "epair0a\n"


def test_address_without_mask_gets_the_class_mask_and_a_warning(host):
    # af_inet.c in_setdefaultmask_nl() and warn_nomask().
    host.run("ifconfig epair create").check()
    status, stdout, stderr = run(host, "ifconfig epair0a 10.0.10.10")
    assert status == 0 and stdout == ""
    assert stderr == ("ifconfig: WARNING: setting interface address without mask is deprecated,\n"
                      "default mask may not be correct.\n")
    inet = parse_ifconfig(run(host, "ifconfig epair0a")[1])["epair0a"].inet[0]
    assert (inet.netmask, inet.broadcast) == ("0xff000000", "10.255.255.255")
    host.run("ifconfig epair0a 172.16.1.1").check()
    assert parse_ifconfig(run(host, "ifconfig epair0a")[1])["epair0a"].inet[0].netmask == "0xffff0000"
    host.run("ifconfig epair0a 192.168.1.1").check()
    assert parse_ifconfig(run(host, "ifconfig epair0a")[1])["epair0a"].inet[0].netmask == "0xffffff00"


def test_an_address_replaces_the_first_one_unless_alias(host):
    host.run("ifconfig epair create; ifconfig epair0a 192.0.2.1/24").check()
    host.run("ifconfig epair0a inet 198.51.100.1/24").check()
    host.run("ifconfig epair0a inet 203.0.113.1/24 alias").check()
    iface = parse_ifconfig(run(host, "ifconfig epair0a")[1])["epair0a"]
    assert [a.address for a in iface.inet] == ["198.51.100.1", "203.0.113.1"]
    host.run("ifconfig epair0a inet 203.0.113.1 -alias").check()
    assert [a.address for a in parse_ifconfig(run(host, "ifconfig epair0a")[1])["epair0a"].inet] == \
        ["198.51.100.1"]
    assert run(host, "ifconfig epair0a inet 203.0.113.1 -alias") == \
        (1, "", "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address\n")


def test_an_address_brings_the_interface_up(host):
    host.run("ifconfig epair create; ifconfig epair0b 192.0.2.2/24").check()
    assert "UP" in parse_ifconfig(run(host, "ifconfig epair0b")[1])["epair0b"].flag_names


def test_bad_values(host):
    host.run("ifconfig epair create").check()
    assert run(host, "ifconfig epair0a upp") == (1, "", "ifconfig: upp: bad value\n")
    assert run(host, "ifconfig epair0a 10.0.0.1/33") == \
        (1, "", "ifconfig: 10.0.0.1/33: bad value (width too large)\n")
    assert run(host, "ifconfig -z")[0] == 1


def test_bridge_members_newest_first_with_ports_and_costs(host):
    host.run("ifconfig bridge10 create up && ifconfig bridge10 addm fxp0 && "
             "ifconfig epair1 create >/dev/null && ifconfig epair1a up && ifconfig bridge10 addm epair1a").check()
    bridge = parse_ifconfig(run(host, "ifconfig bridge10")[1])["bridge10"]
    assert [(m.name, m.port, m.path_cost) for m in bridge.members] == [("epair1a", 4, 2000), ("fxp0", 1, 200000)]
    assert bridge.flags == 0x1008843
    fxp0 = parse_ifconfig(run(host, "ifconfig fxp0")[1])["fxp0"]
    assert "PROMISC" in fxp0.flag_names


def test_bridge_errors(host):
    host.run("ifconfig bridge create; ifconfig bridge1 create; ifconfig epair create").check()
    assert run(host, "ifconfig bridge0 addm nope0") == \
        (1, "", "ifconfig: BRDGADD nope0: No such file or directory\n")
    host.run("ifconfig bridge0 addm epair0a").check()
    assert run(host, "ifconfig bridge0 addm epair0a") == (1, "", "ifconfig: BRDGADD epair0a: File exists\n")
    assert run(host, "ifconfig bridge1 addm epair0a") == (1, "", "ifconfig: BRDGADD epair0a: Device busy\n")
    assert run(host, "ifconfig epair0b addm epair0a") == (1, "", "ifconfig: BRDGADD epair0a: Invalid argument\n")
    assert run(host, "ifconfig bridge1 deletem epair0a")[2] == \
        "ifconfig: BRDGDEL epair0a: No such file or directory\n"
    host.run("ifconfig bridge0 deletem epair0a").check()
    assert "PROMISC" not in parse_ifconfig(run(host, "ifconfig epair0a")[1])["epair0a"].flag_names


def test_destroying_a_bridge_releases_its_members(host):
    host.run("ifconfig bridge create up addm fxp0").check()
    host.run("ifconfig bridge0 destroy").check()
    assert "PROMISC" not in parse_ifconfig(run(host, "ifconfig fxp0")[1])["fxp0"].flag_names


def test_rename_prints_the_new_name(host):
    host.run("ifconfig epair create").check()
    assert run(host, "ifconfig epair0a name e0a_web") == (0, "e0a_web\n", "")
    assert run(host, "ifconfig epair0b name e0a_web") == \
        (1, "", "ifconfig: ioctl SIOCSIFNAME (set name): File exists\n")
    assert "epair" in parse_ifconfig(run(host, "ifconfig e0a_web")[1])["e0a_web"].groups


def test_vnet_moves_clear_the_interface(host):
    host.run("ifconfig epair create; ifconfig epair0b 192.0.2.2/24 up; "
             "jail -c name=j persist vnet").check()
    host.run("ifconfig epair0b vnet j").check()
    assert "epair0b" not in run(host, "ifconfig -l")[1]
    moved = parse_ifconfig(run(host, "jexec j ifconfig epair0b")[1])["epair0b"]
    assert moved.inet == [] and not moved.up
    assert run(host, "ifconfig epair0b vnet nosuch") == (1, "", "ifconfig: interface epair0b does not exist\n")
    assert run(host, "ifconfig epair0a vnet nosuch") == (1, "", 'ifconfig: jail "nosuch" not found\n')
    host.run("ifconfig epair0b -vnet j").check()
    assert "epair0b" in run(host, "ifconfig -l")[1]


def test_listing_filters(host):
    host.run("ifconfig epair create; ifconfig bridge create").check()
    assert run(host, "ifconfig -g epair")[1] == "epair0a\nepair0b\n"
    assert run(host, "ifconfig -l -u")[1] == "fxp0 lo0\n"
    assert run(host, "ifconfig -l inet")[1] == "fxp0 lo0\n"
    assert run(host, "ifconfig -a -g bridge").__getitem__(1).startswith("bridge0: ")
    assert run(host, "ifconfig fxp0 inet")[1] == (
        "fxp0: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500\n"
        "\toptions=2009<RXCSUM,VLAN_MTU,WOL_MAGIC>\n"
        "\tinet 10.0.10.2 netmask 0xfffffff0 broadcast 10.0.10.15\n")


def test_ipv6_link_local_when_enabled(host):
    host.run("ifconfig epair create; ifconfig epair0a ether 02:86:93:8f:00:0a up; "
             "ifconfig epair0a inet6 -ifdisabled").check()
    inet6 = parse_ifconfig(run(host, "ifconfig epair0a")[1])["epair0a"].inet6[0]
    # EUI-64 from the MAC, as FreeBSD 12.1 showed for this very MAC (outputs.md 1a).
    assert (inet6.address, inet6.prefixlen) == ("fe80::86:93ff:fe8f:a%epair0a", 64)


def test_jail_option_runs_in_the_jails_vnet(host):
    host.run("jail -c name=j persist vnet").check()
    assert run(host, "ifconfig -j j -l")[1] == "lo0\n"
    assert run(host, "ifconfig -j nope -l") == (1, "", 'ifconfig: jail "nope" not found\n')


def test_mtu(host):
    host.run("ifconfig epair create && ifconfig epair0a mtu 9000").check()
    assert parse_ifconfig(run(host, "ifconfig epair0a")[1])["epair0a"].mtu == 9000
    # fxp(4) has no JUMBO_MTU capability.
    assert run(host, "ifconfig fxp0 mtu 9000") == \
        (1, "", "ifconfig: ioctl SIOCSIFMTU (set mtu): Invalid argument\n")
    assert run(host, "ifconfig fxp0 mtu") == (1, "", "ifconfig: 'mtu' requires argument\n")


def test_bridge_mtu_goes_to_every_member_or_to_none(host):
    """if_bridge.c: SIOCSIFMTU on a bridge sets each member through its
    driver and, when one refuses (fxp without JUMBO_MTU takes no more than
    1500), gives every member its old MTU back; a member's own MTU cannot be
    changed (if.c); a new member is set to the bridge's MTU or refused."""
    host.run("ifconfig bridge0 create && ifconfig epair0 create >/dev/null && "
             "ifconfig bridge0 addm fxp0 addm epair0a").check()     # epair0a is asked first
    assert run(host, "ifconfig bridge0 mtu 2000") == \
        (1, "", "ifconfig: ioctl SIOCSIFMTU (set mtu): Invalid argument\n")
    mtus = lambda: {n: i.mtu for n, i in parse_ifconfig(run(host, "ifconfig")[1]).items()}
    assert [mtus()[n] for n in ("bridge0", "epair0a", "fxp0")] == [1500, 1500, 1500]
    assert run(host, "ifconfig bridge0 mtu 1400") == (0, "", "")
    assert [mtus()[n] for n in ("bridge0", "epair0a", "fxp0", "epair0b")] == [1400, 1400, 1400, 1500]
    assert run(host, "ifconfig epair0a mtu 1400") == \
        (1, "", "ifconfig: ioctl SIOCSIFMTU (set mtu): Operation not supported\n")
    # an empty bridge has only if.c's bounds, and its first member's MTU
    host.run("ifconfig bridge0 deletem fxp0 && ifconfig bridge1 create mtu 20000").check()
    assert run(host, "ifconfig bridge1 mtu 70000") == \
        (1, "", "ifconfig: ioctl SIOCSIFMTU (set mtu): Invalid argument\n")
    assert mtus()["bridge1"] == 20000
    host.run("ifconfig bridge1 addm epair0b").check()
    assert mtus()["bridge1"] == 1500
    # a member that cannot follow the bridge's MTU is refused
    host.run("ifconfig bridge1 mtu 9000").check()
    assert run(host, "ifconfig bridge1 addm fxp0") == (1, "", "ifconfig: BRDGADD fxp0: Invalid argument\n")
    assert [mtus()[n] for n in ("bridge1", "epair0b", "fxp0")] == [9000, 9000, 1400]
