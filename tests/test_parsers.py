"""The parsers on real FreeBSD output (tests/data) and on the sim's."""

from __future__ import annotations

import pytest

from jailkit.parsers.devfs import parse_showsets
from jailkit.parsers.ifconfig import blocks, parse_ifconfig, parse_list
from jailkit.parsers.ipfilter import parse_ipf_running, parse_ipnat_list
from jailkit.parsers.ipfw import parse_ipfw_list, parse_nat_config
from jailkit.parsers.jls import parse_jid_name, parse_names
from jailkit.parsers.kldstat import parse_kldstat
from jailkit.parsers.mount import parse_mount_p
from jailkit.parsers.ngctl import parse_ngctl_list, parse_ngctl_msg
from jailkit.parsers.route import parse_route_get
from jailkit.parsers.qjail_list import ListFormatError, parse_qjail_list
from tests.conftest import data


def test_epair_host_end_of_freebsd_12():
    iface = parse_ifconfig(data("ifconfig_12_epair_host.txt"))["epair0a"]
    assert iface.flags == 0x8843 and iface.flag_names == ["UP", "BROADCAST", "RUNNING", "SIMPLEX", "MULTICAST"]
    assert (iface.metric, iface.mtu) == (0, 1500)
    assert iface.options == 8 and iface.option_names == ["VLAN_MTU"]
    assert iface.ether == "02:86:93:8f:00:0a"
    assert [(a.address, a.netmask, a.broadcast, a.prefixlen) for a in iface.inet] == [
        ("192.168.69.1", "0xffffff00", "192.168.69.255", 24)]
    assert [(a.address, a.prefixlen, a.scopeid) for a in iface.inet6] == [
        ("fe80::86:93ff:fe8f:a%epair0a", 64, 4)]
    assert iface.groups == ["epair"]
    assert iface.media == "Ethernet 10Gbase-T (10Gbase-T <full-duplex>)"
    assert iface.status == "active"
    assert iface.nd6 == 0x21 and iface.nd6_names == ["PERFORMNUD", "AUTO_LINKLOCAL"]
    assert iface.up


def test_jail_view_keeps_interface_order_and_empty_flags():
    parsed = parse_ifconfig(data("ifconfig_12_jail.txt"))
    assert list(parsed) == ["lo0", "pflog0", "jail0"]
    assert parsed["pflog0"].flags == 0 and parsed["pflog0"].flag_names == []
    assert not parsed["pflog0"].up
    assert [a.address for a in parsed["lo0"].inet6] == ["::1", "fe80::1%lo0"]
    assert parsed["jail0"].nd6_names == ["PERFORMNUD", "IFDISABLED", "AUTO_LINKLOCAL"]


def test_freebsd_14_lower_up_and_inet6_flags():
    parsed = parse_ifconfig(data("ifconfig_14_vtnet_lo.txt"))
    vtnet = parsed["vtnet0"]
    assert "LOWER_UP" in vtnet.flag_names and vtnet.flags == 0x1008843
    assert vtnet.groups == []                     # physical NICs have no group
    autoconf = vtnet.inet6[1]
    assert autoconf.prefixlen == 64 and "autoconf" in autoconf.flags and "pltime" in autoconf.flags
    assert parsed["lo0"].inet6[1].scopeid == 2


def test_bridge_members_with_their_detail_lines():
    bridge = parse_ifconfig(data("ifconfig_14_bridge.txt"))["bridge0"]
    assert [m.name for m in bridge.members] == ["e0a_jail04", "e0a_jail03", "e0a_jail02",
                                                "e0a_jail01", "vtnet0"]
    first = bridge.member("e0a_jail04")
    assert first.flags == 0x143 and first.flag_names == ["LEARNING", "DISCOVER", "AUTOEDGE", "AUTOPTP"]
    assert (first.ifmaxaddr, first.port, first.priority, first.path_cost) == (0, 14, 128, 2000)
    assert bridge.member("vtnet0").port == 1
    assert bridge.options == 0
    assert bridge.bridge["maxage"].startswith("maxage 20 holdcnt 6 proto rstp")
    assert bridge.groups == ["bridge"] and bridge.nd6_names == ["PERFORMNUD", "IFDISABLED"]
    assert parse_ifconfig(data("ifconfig_14_bridge.txt"))["e0a_jail01"].description == \
        "vnet0 host interface for Bastille jail jail01"


def test_output_that_lost_its_indentation():
    bridge = parse_ifconfig(data("ifconfig_13_bridge_unindented.txt"))["bridge0"]
    assert [m.name for m in bridge.members] == ["epair1a", "epair0a"]
    assert bridge.member("epair0a").port == 6
    assert bridge.inet[0].netmask == "0xffc00000" and bridge.inet[0].prefixlen == 10


def test_fresh_vnet_jail_has_lo0_down():
    parsed = parse_ifconfig(data("ifconfig_14_fresh_jail.txt"))
    assert not parsed["lo0"].up and parsed["lo0"].flags == 0x8008
    assert not parsed["epair0b"].up and "LOWER_UP" in parsed["epair0b"].flag_names


def test_cidr_addresses():
    parsed = parse_ifconfig("em0: flags=8843<UP> metric 0 mtu 1500\n\tinet 192.0.2.1/24\n")
    assert parsed["em0"].inet[0].netmask == "0xffffff00"


def test_the_sims_output_reads_back(host):
    host.run("ifconfig bridge create && ifconfig epair create && ifconfig bridge0 addm epair0a up").check()
    parsed = parse_ifconfig(host.run("ifconfig -a").stdout)
    assert list(parsed) == ["fxp0", "lo0", "bridge0", "epair0a", "epair0b"]
    assert parsed["bridge0"].member("epair0a").path_cost == 2000
    assert "PROMISC" in parsed["epair0a"].flag_names


def test_qjail_list_of_the_modified_50():
    rows = parse_qjail_list(data("qjail_list_50_modified.txt"))
    assert len(rows) == 1
    # The NIC overflows its column there: the parser cuts by the dash line.
    assert rows[0].status == "DS" and rows[0].jid is None and not rows[0].running


def test_qjail_list_of_jailkit():
    text = ("\nSTATUS JID  NIC    IP              Jailname\n"
            "------ ---- ------ --------------- -------------------------------\n"
            "DRV 0  7    fxp0   10.0.10.10      v10\n"
            "DS     N/A         10.0.10.11      web\n"
            "                   10.0.10.12\n\n")
    v10, web = parse_qjail_list(text)
    assert (v10.status, v10.jid, v10.nic, v10.ip, v10.name) == ("DRV 0", 7, "fxp0", "10.0.10.10", "v10")
    assert v10.running and v10.vnet and v10.firewall_digit == "0"
    assert not web.running and not web.vnet and web.firewall_digit is None
    assert web.extra_ips == ["10.0.10.12"]


def test_qjail_list_without_header_is_refused():
    with pytest.raises(ListFormatError):
        parse_qjail_list("v10 running\n")


def test_ifconfig_blocks_join_a_member_with_its_detail_line():
    """What expect matches against: each interface's header and lines, blanks
    made single, a bridge member's ifmaxaddr line joined to it."""
    found = blocks(data("ifconfig_14_bridge.txt"))
    assert list(found)[:3] == ["vtnet0", "lo0", "bridge0"]
    bridge = found["bridge0"]
    assert bridge.header.startswith("bridge0: flags=1008943<UP,BROADCAST,RUNNING,PROMISC,")
    assert "member: vtnet0 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP> ifmaxaddr 0 port 1 " \
        "priority 128 path cost 2000" in bridge.entries
    assert not any(entry.startswith("ifmaxaddr") for entry in bridge.entries)
    assert found["lo0"].entries[2] == "inet6 ::1 prefixlen 128"
    # an expected text may have wildcards in a header
    assert blocks("jail0: flags=<...> mtu 1500\n inet 10.0.0.1")["jail0"].entries == ["inet 10.0.0.1"]


def test_ifconfig_list():
    assert parse_list("em0 lo0 bridge0 epair0a\n") == ["em0", "lo0", "bridge0", "epair0a"]


def test_mount_p():
    mounts = parse_mount_p(data("mount_p_14.txt"))
    assert [(m.device, m.mountpoint, m.fstype, m.options) for m in mounts] == [
        ("/dev/gpt/rootfs", "/", "ufs", "rw"), ("devfs", "/dev", "devfs", "rw"),
        ("/usr/jails/sharedfs", "/usr/jails/v10/sharedfs", "nullfs", "ro"),
        ("devfs", "/usr/jails/v10/dev", "devfs", "rw")]
    assert parse_mount_p("") == []


def test_kldstat_skips_its_header():
    files = parse_kldstat(data("kldstat_14.txt"))
    assert [(k.id, k.refs, k.module) for k in files] == [
        (1, 40, "kernel"), (2, 1, "if_bridge"), (3, 1, "bridgestp"), (4, 1, "if_epair"), (5, 1, "ipl")]
    assert (files[1].file, files[1].address, files[1].size) == ("if_bridge.ko", "0xffffffff82a30000",
                                                                0x9b90)


def test_ipfw_list_and_nat_config():
    rules = parse_ipfw_list(data("ipfw_list_14.txt"))
    assert [r.number for r in rules] == [100, 200, 300, 300, 65535]
    assert rules[2].line == "00300 nat 1 ip from any to any via em0"
    assert [(n.number, n.line) for n in parse_nat_config(data("ipfw_nat_config_14.txt"))] == [
        (1, "ipfw nat 1 config if em0 same_ports reset"),
        (20, "ipfw nat 20 config ip 192.0.2.1 unreg_only")]


def test_ipf_version_says_whether_ipfilter_runs():
    text = data("ipf_V_14.txt")
    assert parse_ipf_running(text) is True
    assert parse_ipf_running(text.replace("Running: yes", "Running: no")) is False
    assert parse_ipf_running("") is None


def test_ipnat_list_rules_and_sessions():
    listing = parse_ipnat_list(data("ipnat_l_14.txt"))
    assert listing.rules == ["map em0 10.0.0.0/24 -> 0.0.0.0/32",
                             "rdr em0 0.0.0.0/0 port 8080 -> 10.0.0.2 port 80 tcp"]
    assert len(listing.sessions) == 1 and listing.sessions[0].startswith("MAP 10.0.0.2 ")
    assert parse_ipnat_list("List of active MAP/Redirect filters:\n\nList of active sessions:\n") \
        .rules == []


def test_jls_named_parameters_and_devfs_rulesets():
    assert parse_jid_name(data("jls_jid_name_14.txt")) == {"v10": "1", "v11": "3"}
    assert parse_names("v10\nv11\n") == ["v10", "v11"]
    assert parse_showsets(data("devfs_showsets_14.txt")) == ["1", "2", "3", "4", "5"]


def test_route_get():
    route = parse_route_get(data("route_14_get_default.txt"))
    assert (route.destination, route.gateway, route.interface) == ("0.0.0.0", "140.211.10.65", "vtnet0")
    assert route.flags == ["UP", "GATEWAY", "DONE", "STATIC"]
    # no route: route(8) prints only its error, on stderr
    assert parse_route_get("").gateway == ""


def test_ngctl_list():
    # usr.sbin/ngctl/list.c: the count, then a line per node
    text = ("There are 3 total nodes:\n"
            "  Name: fxp0            Type: ether           ID: 00000001   Num hooks: 1\n"
            "  Name: <unnamed>       Type: bridge          ID: 00000003   Num hooks: 2\n"
            "  Name: ngctl1037       Type: socket          ID: 0000000a   Num hooks: 0\n")
    nodes = parse_ngctl_list(text)
    assert [(n.name, n.type, n.id, n.hooks) for n in nodes] == [
        ("fxp0", "ether", "00000001", 1), ("<unnamed>", "bridge", "00000003", 2),
        ("ngctl1037", "socket", "0000000a", 0)]


def test_ngctl_msg():
    # usr.sbin/ngctl/msg.c MsgRead: the response line, then its arguments
    assert parse_ngctl_msg('Rec\'d response "getifname" (1) from "[1a9]:":\n'
                           'Args:\t"ngeth3"\n') == '"ngeth3"'
    assert parse_ngctl_msg('Rec\'d response "getpromisc" (5) from "[1]:":\nArgs:\t1\n') == "1"
    assert parse_ngctl_msg("") is None
