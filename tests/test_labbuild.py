"""The lab built out of FreeBSD commands, run on a bare sim box (only its
own em0 uplink), exactly as on a real FreeBSD box."""

from __future__ import annotations

import pytest

import jailkit
from jailkit.labbuild import GATEWAY_JAIL, LabBuildError, build_lab, remove_lab
from jailkit.parsers.ifconfig import parse_ifconfig


@pytest.fixture
def bare():
    return jailkit.connect("sim://?bare=1")


def test_build_gives_the_howtos_lan(bare):
    lab = bare.lab
    assert bare.run("ifconfig -l").stdout == "em0 lo0\n"
    assert build_lab(bare, lab) is True
    fxp0 = parse_ifconfig(bare.run("ifconfig fxp0").stdout)["fxp0"]
    assert fxp0.ether == lab.host.mac and fxp0.up
    assert [(a.address, a.netmask) for a in fxp0.inet] == [("10.0.10.2", "0xfffffff0")]
    assert bare.run(f"jls -j {GATEWAY_JAIL} host.hostname").stdout == "gateway\n"
    gateway = parse_ifconfig(bare.run(f"jexec {GATEWAY_JAIL} ifconfig lan0").stdout)["lan0"]
    assert gateway.ether == lab.gateway_mac and gateway.inet[0].address == "10.0.10.1"
    assert bare.run(f"jexec {GATEWAY_JAIL} sysctl -n net.inet.ip.forwarding").stdout == "1\n"
    assert bare.run("ping -c 1 10.0.10.1").succeeded


def test_remove_leaves_the_bare_box(bare):
    before = [bare.run(c).stdout for c in ("ifconfig -a", "jls", "mount -p")]
    build_lab(bare, bare.lab)
    remove_lab(bare, bare.lab)
    assert [bare.run(c).stdout for c in ("ifconfig -a", "jls", "mount -p")] == before


def test_a_lab_already_there_is_not_built_again(bare):
    assert build_lab(bare, bare.lab) is True
    assert build_lab(bare, bare.lab) is False


def test_someone_elses_nic_is_left_alone(bare):
    bare.run("ifconfig epair create > /dev/null && ifconfig epair0a name fxp0 > /dev/null").check()
    before = bare.run("ifconfig -a").stdout
    with pytest.raises(LabBuildError, match="fxp0 exists on the host but is not the lab's LAN"):
        build_lab(bare, bare.lab)
    assert bare.run("ifconfig -a").stdout == before


def test_someone_elses_gateway_jail_is_left_alone(bare):
    bare.run(f"jail -c name={GATEWAY_JAIL} persist").check()
    with pytest.raises(LabBuildError, match=f"a jail named {GATEWAY_JAIL} already runs"):
        build_lab(bare, bare.lab)
    assert bare.run(f"jls -j {GATEWAY_JAIL}").succeeded
    assert bare.run("ifconfig -l").stdout == "em0 lo0\n"


def test_a_failure_half_way_takes_down_what_was_built(bare):
    # The lab's MAC is refused here: an invalid one in the lab stops the build.
    lab = bare.lab.__class__(**{**bare.lab.__dict__, "gateway_mac": "zz:zz:zz:zz:zz:zz"})
    with pytest.raises(LabBuildError, match="ifconfig lan0 ether zz:zz:zz:zz:zz:zz` failed"):
        build_lab(bare, lab)
    assert bare.run("ifconfig -l").stdout == "em0 lo0\n"
    assert bare.run("jls name").stdout == ""

