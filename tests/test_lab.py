"""Lab files: loading, the values scenarios see, and clear errors."""

from __future__ import annotations

import copy
import ipaddress

import pytest
import yaml

import jailkit

from jailkit.lab import LabError, lab_path, load_lab, parse_lab

GOOD = yaml.safe_load(lab_path("qjail-vnet").read_text())


def test_default_lab_values():
    variables = load_lab().variables()
    assert variables["lan_nic"] == "fxp0"
    assert variables["host_ip"] == "10.0.10.2"
    assert variables["gateway"] == "10.0.10.1"
    assert variables["lan_netmask"] == "0xfffffff0"
    assert variables["lan_broadcast"] == "10.0.10.15"
    assert variables["jail_ip"] == "10.0.10.10"
    assert variables["host_mac"] == "00:0c:f1:cd:55:ea"


def test_the_sim_boots_the_lab(host):
    assert host.run("hostname").stdout == "desktop.lan\n"
    assert "inet 10.0.10.2 netmask 0xfffffff0 broadcast 10.0.10.15" in host.run("ifconfig fxp0").stdout


REMOVED = object()


def broken(path: list, value) -> dict:
    """The good lab with one value changed, or removed (REMOVED)."""
    data = copy.deepcopy(GOOD)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is REMOVED:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def refused(data: object) -> str:
    """The error a lab gets, which must name the file first."""
    with pytest.raises(LabError) as error:
        parse_lab(data, source="lab.yaml")
    assert str(error.value).startswith("lab.yaml: ")
    return str(error.value).removeprefix("lab.yaml: ")


# Each broken lab is refused with the key (its path in the file) and the problem.
@pytest.mark.parametrize("path, value, message", [
    (["host", "nic"], REMOVED, "host.nic: is missing"),
    (["host", "nic"], "fxp0; reboot", "host.nic: 'fxp0; reboot' is not a FreeBSD interface name"),
    (["host", "nic"], "fxp0\n", r"host.nic: 'fxp0\n' is not a FreeBSD interface name"),
    (["host", "mac"], "00:0c", "host.mac: '00:0c' is not a MAC address"),
    (["host", "mac"], "00:0c:f1:cd:55:ea\n", r"host.mac: '00:0c:f1:cd:55:ea\n' is not a MAC address"),
    (["host", "mac"], "01:00:5e:00:00:01", "host.mac: 01:00:5e:00:00:01 is a multicast address"),
    (["host", "mac"], 1020304050, "host.mac: must be a MAC address like 00:0c:f1:cd:55:ea, not the number "
                                  "1020304050 (quote it in the YAML file)"),
    (["lan", "gateway"], "192.0.2.1", "lan.gateway: 192.0.2.1 must be a usable address on 10.0.10.0/28"),
    (["lan", "gateway"], "10.0.10.2", "lan.gateway: 10.0.10.2 is the host's own address"),
    (["lan", "gateway"], "10.0.10.15", "lan.gateway: 10.0.10.15 must be a usable address on 10.0.10.0/28"),
    (["lan", "gateway_mac"], "00:0c:f1:cd:55:ea", "lan.gateway_mac: 00:0c:f1:cd:55:ea is the host's own MAC"),
    (["lan", "gateway_mac"], REMOVED, "lan.gateway_mac: is missing"),
    (["host", "address"], "10.0.10.2/24", "host.address: 10.0.10.2/24 does not match lan.network"),
    (["host", "address"], "10.0.10.2", "host.address: '10.0.10.2' needs its prefix length"),
    (["lan", "network"], "10.0.10.0/33", "lan.network: '33' is not a valid netmask"),
    (["lan", "network"], 5, "lan.network: must be an IPv4 network like 10.0.10.0/28, not the number 5"),
    (["host"], 5, "host: must be a mapping of hostname, nic, mac, address, media, speed_mbps, options, other_nics, "
                  "not the number 5"),
    (["lan"], None, "lan: must be a mapping of network, gateway, gateway_mac, not empty (null)"),
    (["host", "speed_mbps"], "fast", "host.speed_mbps: must be the NIC's speed in Mbit/s, a whole number "
                                     "like 100, not 'fast'"),
    (["host", "speed_mbps"], True, "host.speed_mbps: must be the NIC's speed in Mbit/s, a whole number "
                                   "like 100, not true"),
    (["host", "speed_mbps"], 0, "host.speed_mbps: 0 is out of range"),
    (["host", "options"], "zz", "host.options: 'zz' is not a number like 0x2009"),
    (["host", "options"], -1, "host.options: -1 is out of range"),
    (["host", "hostname"], 'x"; reboot', "host.hostname: 'x\"; reboot' is not a host name"),
    (["host", "media"], "auto\nselect", r"host.media: 'auto\nselect' is not an ifconfig media line"),
    (["host", "speed_mbs"], 100, "host.speed_mbs: is not a key here (did you mean 'speed_mbps'?"),
    (["release"], "fast", "release: 'fast' is not a FreeBSD release like 14.3-RELEASE"),
    (["release"], REMOVED, "release: is missing"),
    (["name"], "My Lab", "name: 'My Lab' is not a lab name"),
    (["colour"], "red", "colour: is not a key here (known: name, description, release, host, lan, "),
    (["description"], "two\nlines", "description: must be one line of printable text"),
    (["values"], [1, 2], "values: must be a mapping of name to value, not a list"),
    (["values", "x"], "a;b", "values.x: 'a;b' is not one word"),
    (["values", "x"], ["a"], "values.x: must be one word or a whole number, not a list"),
    (["values", "Bad-Name"], "a", "values.Bad-Name: is not a value name"),
    (["values", "lan_nic"], "em0", "values.lan_nic: is the lab's own value (fxp0)"),
])
def test_bad_labs_are_explained(path, value, message):
    assert refused(broken(path, value)).startswith(message)


def test_unknown_lab_lists_the_known_ones():
    with pytest.raises(LabError, match=r"no lab named 'x' \(known labs: jail-conf-vnet, jails-and-networking, qjail-howto, qjail-vnet, vnet-jib-pf-nat\)"):
        load_lab("x")


def test_the_internet_and_the_gateway(host):
    lab = load_lab()
    assert lab.nat == "ipnat" and lab.dns and lab.gateway_name == "gateway.lan"
    assert [h.name for h in lab.internet.hosts] == ["whois.iana.org", "www.freebsd.org"]
    variables = lab.variables()
    assert variables["internet_host"] == "www.freebsd.org"
    assert variables["whois_server"] == "whois.iana.org"
    assert variables["internet_network"] == "198.51.100.0/24"
    assert variables["gateway_wan"] == "198.51.100.2"
    assert lab.names()["www.freebsd.org"].compressed == "198.51.100.80"


def test_the_modelled_lab_answers_like_the_lab_says(host):
    # whois through the gateway's NAT; the reply is the lab's template
    reply = host.run("whois freebsd.org").stdout
    assert "domain:       FREEBSD.ORG\n" in reply and reply.startswith("% IANA WHOIS server\n")
    assert host.run("ping -c 1 gateway.lan").stdout.startswith("PING gateway.lan (10.0.10.1)")


def test_the_cloud_vm_lab():
    lab = load_lab("vnet-jib-pf-nat")
    assert lab.host.nic == "vtnet0" and lab.nat == "none"
    assert lab.variables()["int_if"] == "vtnet0bridge"


def test_the_qjail_howto_lab_is_a_public_host_on_rl0():
    # qjail-howto(8): one public address on rl0, nothing translating in front of it
    lab = load_lab("qjail-howto")
    assert lab.host.nic == "rl0" and lab.nat == "none"
    assert lab.host.address.ip in ipaddress.ip_network("203.0.113.0/24")
    host = jailkit.connect("sim://?lab=qjail-howto")
    assert "\toptions=2008<VLAN_MTU,WOL_MAGIC>\n" in host.run("ifconfig rl0").stdout
    assert host.run("whois -h whois.iana.org FREEBSD.ORG").stdout.startswith("% IANA WHOIS server\n")


@pytest.mark.parametrize("path, value, message", [
    (["gateway", "nat"], "natd", "gateway.nat: must be one of ipnat, pf, none, not 'natd'"),
    (["gateway", "wan"], "192.0.2.1", "gateway.wan: 192.0.2.1 is not on the internet 198.51.100.0/24"),
    (["gateway", "wan"], REMOVED, "gateway.wan: is missing"),
    (["gateway", "dns"], "maybe", "gateway.dns: must be true or false, not 'maybe'"),
    (["gateway"], None, "gateway: must be a mapping of name, wan, nat, dns, not empty (null)"),
    (["internet", "network"], "10.0.0.0/8", "internet.network: the internet 10.0.0.0/8 overlaps the LAN"),
    (["internet", "hosts"], [{"name": "x"}], "internet.hosts[0].address: is missing"),
    (["internet", "hosts"], [{"name": "x", "address": "10.0.10.3"}],
     "internet.hosts[0].address: 10.0.10.3 must be a free address on 198.51.100.0/24"),
    (["internet", "hosts"], [{"name": "x", "address": "198.51.100.9"},
                             {"name": "y", "address": "198.51.100.9"}],
     "internet.hosts[1].address: 198.51.100.9 must be a free address on"),
    (["internet", "hosts"], [{"name": "x", "address": "198.51.100.9"},
                             {"name": "x", "address": "198.51.100.8"}],
     "internet.hosts[1].name: x is already internet.hosts[0].name"),
    (["internet", "hosts"], [{"name": "x", "address": "198.51.100.9", "services": {"smtp": 1}}],
     "internet.hosts[0].services.smtp: is not a key here (known: whois, http, ssh)"),
    (["internet", "hosts", 0, "services"], ["whois"],
     "internet.hosts[0].services: must be a mapping of whois, http, ssh, not a list"),
    (["internet", "hosts", 0, "services", "whois"], 43,
     "internet.hosts[0].services.whois: must be text, not the number 43"),
    (["internet", "hosts", 1, "services", "ssh"], True,
     "internet.hosts[1].services.ssh: takes no settings: write {}, not true"),
    (["internet", "hosts"], [{"name": "Bad Name", "address": "198.51.100.9"}],
     "internet.hosts[0].name: 'Bad Name' is not a host name"),
    (["internet", "hosts"], "whois.iana.org", "internet.hosts: must be a list, not 'whois.iana.org'"),
])
def test_bad_internets_are_explained(path, value, message):
    assert refused(broken(path, value)).startswith(message)


def test_nat_needs_an_internet():
    assert refused(broken(["internet"], REMOVED)).startswith("gateway.nat: ipnat needs an internet")


def test_a_lab_that_is_not_a_mapping():
    assert refused([GOOD]).startswith("a lab is a mapping of name, description, release, host, lan, ")


def lab_file(tmp_path, content: bytes):
    path = tmp_path / "mylab.yaml"
    path.write_bytes(content)
    return str(path)


def test_a_lab_file_that_is_not_utf8(tmp_path):
    text = lab_path("qjail-vnet").read_bytes().replace(b"desktop.lan", b"desk\xe9top.lan")
    path = lab_file(tmp_path, text)
    line = text.split(b"\xe9")[0].count(b"\n") + 1
    with pytest.raises(LabError) as error:
        load_lab(path)
    assert str(error.value) == f"{path}: line {line}: not UTF-8 text (byte 0xe9)"


def test_a_key_given_twice_is_refused(tmp_path):
    text = lab_path("qjail-vnet").read_bytes().replace(b"  nic: fxp0", b"  nic: fxp0\n  nic: em0")
    path = lab_file(tmp_path, text)
    line = text.split(b"nic: em0")[0].count(b"\n") + 1
    with pytest.raises(LabError) as error:
        load_lab(path)
    assert str(error.value) == f"{path}: line {line}: not valid YAML: the key 'nic' is given twice"


def test_errors_in_a_file_name_the_file(tmp_path):
    text = lab_path("qjail-vnet").read_bytes().replace(b"speed_mbps: 100", b"speed_mbps: fast")
    path = lab_file(tmp_path, text)
    with pytest.raises(LabError) as error:
        load_lab(path)
    assert str(error.value).startswith(f"{path}: host.speed_mbps: must be the NIC's speed")


def test_values_are_read_as_freebsd_writes_them():
    assert parse_lab(broken(["host", "mac"], "00:0C:F1:CD:55:EA")).host.mac == "00:0c:f1:cd:55:ea"
    assert parse_lab(broken(["host", "options"], "0x2009")).host.options == 0x2009
    assert parse_lab(broken(["values", "port"], 22)).variables()["port"] == "22"


@pytest.mark.parametrize("name", ["jail-conf-vnet", "qjail-howto", "qjail-vnet", "vnet-jib-pf-nat"])
def test_the_shipped_labs_pass_their_checks(name):
    assert load_lab(name).name == name


def test_the_jail_conf_vnet_lab_routes_the_hosts_network_from_the_internet():
    # the guide's natd.conf names the host's 192.168.0.10; its router routes it, untranslated
    lab = load_lab("jail-conf-vnet")
    assert lab.host.nic == "rl0" and lab.nat == "none" and str(lab.host.address) == "192.168.0.10/24"
    host = jailkit.connect("sim://?lab=jail-conf-vnet")
    assert host.run_on("device.example.org", "ping -c 1 192.168.0.10").succeeded


def test_a_value_naming_a_nic_of_the_host_brings_its_mac():
    variables = load_lab("jails-and-networking").variables()
    assert variables["jail_nic"] == "igb2"
    assert variables["jail_nic_mac"] == variables["igb2_mac"] == "90:e2:ba:74:ba:ec"
    assert variables["ext_if_mac"] == variables["host_mac"]
    assert "jail_ip_mac" not in variables          # a value that names no NIC brings nothing
