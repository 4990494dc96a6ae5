"""Lab files: loading, the values scenarios see, and clear errors."""

from __future__ import annotations

import copy

import pytest
import yaml

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


def broken(path: list[str], value) -> dict:
    data = copy.deepcopy(GOOD)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize("path, value, message", [
    (["host", "nic"], None, "host needs 'nic'"),
    (["host", "nic"], "fxp0; reboot", "is not a FreeBSD interface name"),
    (["host", "mac"], "00:0c", "host.mac must be a MAC address"),
    (["lan", "gateway"], "192.0.2.1", "must be on 10.0.10.0/28"),
    (["host", "address"], "10.0.10.2/24", "does not match lan.network"),
    (["lan", "network"], "10.0.10.0/33", "'33' is not a valid netmask"),
])
def test_bad_labs_are_explained(path, value, message):
    with pytest.raises(LabError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_lab(broken(path, value))


def test_unknown_lab_lists_the_known_ones():
    with pytest.raises(LabError, match=r"no lab named 'x' \(known labs: qjail-vnet, vnet-jib-pf-nat\)"):
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


@pytest.mark.parametrize("path, value, message", [
    (["gateway", "nat"], "natd", "gateway.nat must be one of ipnat, pf, none, not 'natd'"),
    (["gateway", "wan"], "192.0.2.1", "gateway.wan 192.0.2.1 is not on the internet 198.51.100.0/24"),
    (["internet", "network"], "10.0.0.0/8", "overlaps the LAN"),
    (["internet", "hosts"], [{"name": "x"}], "each internet host needs 'name' and 'address'"),
    (["internet", "hosts"], [{"name": "x", "address": "10.0.10.3"}], "must be a free address on"),
    (["internet", "hosts"], [{"name": "x", "address": "198.51.100.9", "services": {"smtp": 1}}],
     "unknown service 'smtp'"),
    (["internet", "hosts"], [{"name": "Bad Name", "address": "198.51.100.9"}], "is not a host name"),
])
def test_bad_internets_are_explained(path, value, message):
    with pytest.raises(LabError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_lab(broken(path, value))


def test_nat_needs_an_internet():
    data = copy.deepcopy(GOOD)
    del data["internet"]
    with pytest.raises(LabError, match="gateway.nat ipnat needs an internet"):
        parse_lab(data)
