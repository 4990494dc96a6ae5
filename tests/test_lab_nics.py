"""A lab whose host has more than one NIC (host.other_nics): the file's
checks, the values scenarios see, and the sim booting every NIC on the LAN."""

from __future__ import annotations

import copy

import pytest
import yaml

import jailkit
from jailkit.lab import LabError, LabNic, lab_path, load_lab, parse_lab
from jailkit.parsers.ifconfig import parse_ifconfig

LAB = "jails-and-networking"
GOOD = yaml.safe_load(lab_path(LAB).read_text())


@pytest.fixture
def host():
    return jailkit.connect(f"sim://?lab={LAB}")


def with_other_nics(value) -> dict:
    data = copy.deepcopy(GOOD)
    data["host"]["other_nics"] = value
    return data


def refused(data: object) -> str:
    with pytest.raises(LabError) as error:
        parse_lab(data, source="lab.yaml")
    return str(error.value).removeprefix("lab.yaml: ")


def test_the_lab_has_three_igb_nics_on_one_lan():
    lab = load_lab(LAB)
    assert [n.nic for n in lab.host.nics()] == ["igb0", "igb1", "igb2"]
    assert lab.host.other_nics[1] == LabNic("igb2", "90:e2:ba:74:ba:ec")     # the article's igb2
    variables = lab.variables()
    assert variables["lan_nic"] == "igb0" and variables["jail_nic"] == "igb2"
    assert variables["igb2_mac"] == "90:e2:ba:74:ba:ec"


def test_a_lab_with_one_nic_has_no_others():
    lab = load_lab("qjail-vnet")
    assert lab.host.other_nics == () and [n.nic for n in lab.host.nics()] == ["fxp0"]


@pytest.mark.parametrize("value, message", [
    ([{"nic": "igb0", "mac": "90:e2:ba:00:00:01"}], "host.other_nics[0].nic: igb0 is already igb0's"),
    ([{"nic": "igb1", "mac": "90:e2:ba:74:ba:ea"}],
     "host.other_nics[0].mac: 90:e2:ba:74:ba:ea is already igb0's"),
    ([{"nic": "igb1", "mac": "90:e2:ba:00:00:01"}, {"nic": "igb1", "mac": "90:e2:ba:00:00:02"}],
     "host.other_nics[1].nic: igb1 is already igb1's"),
    ([{"nic": "igb1; reboot", "mac": "90:e2:ba:00:00:01"}],
     "host.other_nics[0].nic: 'igb1; reboot' is not a FreeBSD interface name"),
    ([{"nic": "igb1"}], "host.other_nics[0].mac: is missing"),
    ([{"nic": "igb1", "mac": "01:00:5e:00:00:01"}], "host.other_nics[0].mac: 01:00:5e:00:00:01 is a multicast"),
    ([{"nic": "igb1", "mac": "90:e2:ba:00:00:01", "address": "10.0.20.3/24"}],
     "host.other_nics[0].address: is not a key here (known: nic, mac)"),
    ("igb1", "host.other_nics: must be a list, not 'igb1'"),
])
def test_bad_other_nics_are_explained(value, message):
    assert refused(with_other_nics(value)).startswith(message)


def test_the_gateway_may_not_have_a_mac_of_the_host():
    data = copy.deepcopy(GOOD)
    data["lan"]["gateway_mac"] = "90:e2:ba:74:ba:ec"
    assert refused(data) == "lan.gateway_mac: 90:e2:ba:74:ba:ec is the host's own MAC (igb2)"


def test_the_sim_boots_every_nic_before_lo0(host):
    assert host.run("ifconfig -l").stdout == "igb0 igb1 igb2 lo0\n"
    shown = parse_ifconfig(host.run("ifconfig -a").stdout)
    assert shown["igb0"].up and [a.address for a in shown["igb0"].inet] == ["10.0.20.2"]
    for name, mac in (("igb1", "90:e2:ba:74:ba:eb"), ("igb2", "90:e2:ba:74:ba:ec")):
        assert shown[name].ether == mac and not shown[name].up and shown[name].inet == []


def test_the_nics_are_igb_as_freebsd_14_prints_it(host):
    host.run("ifconfig igb2 up").check()
    shown = host.run("ifconfig igb2").stdout
    assert ("\toptions=4e527bb<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,JUMBO_MTU,VLAN_HWCSUM,TSO4,TSO6,"
            "LRO,WOL_MAGIC,VLAN_HWFILTER,VLAN_HWTSO,RXCSUM_IPV6,TXCSUM_IPV6,HWSTATS,MEXTPG>\n") in shown
    assert "\tmedia: Ethernet autoselect (1000baseT <full-duplex>)\n\tstatus: active\n" in shown


@pytest.mark.parametrize("nic", ["igb1", "igb2"])
def test_every_nic_reaches_the_gateway(host, nic):
    """igb1 and igb2 are on the LAN switch too: with igb0's address moved
    to one of them, the host still reaches the gateway and the internet."""
    host.run(f"route delete default && ifconfig igb0 inet 10.0.20.2 -alias && "
             f"ifconfig {nic} inet 10.0.20.2/24 up && "
             "route add default 10.0.20.1").check()
    assert host.run("ping -c 1 10.0.20.1").succeeded
    assert host.run("fetch -qo - http://www.freebsd.org/").stdout == "<html><body>FreeBSD</body></html>\n"


def test_the_nics_come_back_at_a_reboot(host):
    host.run("ifconfig igb2 name spare0").check()
    host.machine.reboot()
    assert host.run("ifconfig -l").stdout == "igb0 igb1 igb2 lo0\n"


def test_a_lagg_of_igb0_and_igb1_reaches_the_gateway(host):
    host.run("route delete default > /dev/null && ifconfig igb0 inet 10.0.20.2 -alias && "
             "ifconfig lagg0 create laggproto failover laggport igb0 laggport igb1 inet 10.0.20.2/24 up && "
             "route add default 10.0.20.1 > /dev/null").check()
    assert host.run("ping -c 1 10.0.20.1").succeeded
    assert host.run("fetch -qo - http://www.freebsd.org/").stdout == "<html><body>FreeBSD</body></html>\n"
