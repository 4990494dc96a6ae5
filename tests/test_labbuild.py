"""The lab built out of FreeBSD commands, run on a provisioned bare sim box
(only its own em0 uplink, the modules vagrant/provision.sh loads), exactly as on a real FreeBSD box: the LAN and its NAT
gateway, the internet hosts with their services, the lab's names, and a
teardown that leaves the box as it was."""

from __future__ import annotations

import pytest

import jailkit
from jailkit.host import CommandFailed, ConnectionLost, HostError, HostTimeout, Result
from tests.conftest import PROVISION, PROVISIONED_BOX
from jailkit.labbuild import GATEWAY_JAIL, LabBuildError, LabRecord, build_lab, remove_lab
from jailkit.parsers.ifconfig import parse_ifconfig

from .ownbox import own_box, still_all_there, what_it_has

OBSERVED = ("ifconfig -a", "jls", "mount -p", "cat /etc/resolv.conf", "route -n get default",
            "ls -R /var/run", "kldstat")


@pytest.fixture
def bare():
    return jailkit.connect(PROVISIONED_BOX)


def observe(host) -> list[str]:
    return [host.run(c).stdout for c in OBSERVED]


def test_build_gives_the_howtos_lan(bare):
    lab = bare.lab
    assert bare.run("ifconfig -l").stdout == "em0 lo0\n"
    assert build_lab(bare, lab) is not None
    fxp0 = parse_ifconfig(bare.run("ifconfig fxp0").stdout)["fxp0"]
    assert fxp0.ether == lab.host.mac and fxp0.up
    assert [(a.address, a.netmask) for a in fxp0.inet] == [("10.0.10.2", "0xfffffff0")]
    assert bare.run(f"jls -j {GATEWAY_JAIL} host.hostname").stdout == "gateway.lan\n"
    gateway = parse_ifconfig(bare.run(f"jexec {GATEWAY_JAIL} ifconfig lan0").stdout)["lan0"]
    assert gateway.ether == lab.gateway_mac and gateway.inet[0].address == "10.0.10.1"
    assert bare.run(f"jexec {GATEWAY_JAIL} sysctl -n net.inet.ip.forwarding").stdout == "1\n"
    assert bare.run("ping -c 1 10.0.10.1").succeeded


def test_the_host_uses_the_lab_gateway_and_its_names(bare):
    build_lab(bare, bare.lab)
    assert "gateway: 10.0.10.1" in bare.run("route -n get default").stdout
    assert bare.run("cat /etc/resolv.conf").stdout.endswith("nameserver 10.0.10.1\n")
    ping = bare.run("ping -c 1 www.freebsd.org")
    assert ping.succeeded and "PING www.freebsd.org (198.51.100.80)" in ping.stdout
    missing = bare.run("ping -c 1 nowhere.example")
    assert missing.exit_status == 68
    assert missing.stderr == "ping: cannot resolve nowhere.example: Name does not resolve\n"


def test_the_internet_answers_whois_through_the_gateways_nat(bare):
    build_lab(bare, bare.lab)
    reply = bare.run("whois freebsd.org")
    assert reply.succeeded and "domain:       FREEBSD.ORG\n" in reply.stdout
    # the gateway mapped the host's address to its own internet address
    sessions = bare.run(f"jexec {GATEWAY_JAIL} ipnat -l").stdout
    assert "map wan0 10.0.10.0/28 -> 0/32" in sessions      # printnataddr(): 0/BITS
    assert "<- -> 198.51.100.2" in sessions and "[198.51.100.43 43]" in sessions


def test_the_internet_hosts_run_their_services(bare):
    build_lab(bare, bare.lab)
    whois_host = bare.run("jexec jk_net1 sockstat -4 -l").stdout
    assert "inetd" in whois_host and "*:43" in whois_host
    web_host = bare.run("jexec jk_net2 sockstat -4 -l").stdout
    assert "*:80" in web_host and "198.51.100.80:22" in web_host
    name_server = bare.run(f"jexec {GATEWAY_JAIL} sockstat -4 -l").stdout
    assert "10.0.10.1:53" in name_server


def test_remove_leaves_the_bare_box(bare):
    before = observe(bare)
    remove_lab(bare, bare.lab, build_lab(bare, bare.lab))
    assert observe(bare) == before


def test_a_lab_already_there_is_not_built_again(bare):
    assert build_lab(bare, bare.lab) is not None
    assert build_lab(bare, bare.lab) is None


def test_someone_elses_nic_is_left_alone(bare):
    bare.run("ifconfig epair create > /dev/null && ifconfig epair0a name fxp0 > /dev/null").check()
    before = bare.run("ifconfig -a").stdout
    with pytest.raises(LabBuildError, match="fxp0 exists on the host but is not the lab's LAN"):
        build_lab(bare, bare.lab)
    assert bare.run("ifconfig -a").stdout == before


@pytest.mark.parametrize("taken", [GATEWAY_JAIL, "jk_net2"])
def test_someone_elses_jail_is_left_alone(bare, taken):
    bare.run(f"jail -c name={taken} persist").check()
    with pytest.raises(LabBuildError, match=f"a jail named {taken} already runs"):
        build_lab(bare, bare.lab)
    assert bare.run(f"jls -j {taken}").succeeded
    assert bare.run("ifconfig -l").stdout == "em0 lo0\n"


def test_the_lab_names_are_its_own(bare):
    bare.run("ifconfig bridge200 create").check()
    with pytest.raises(LabBuildError, match="bridge200 exists on the host"):
        build_lab(bare, bare.lab)
    assert bare.run("ifconfig -l").stdout == "em0 lo0 bridge200\n"


def test_a_failure_half_way_takes_down_what_was_built(bare):
    # The lab's MAC is refused here: an invalid one in the lab stops the build.
    before = observe(bare)
    lab = bare.lab.__class__(**{**bare.lab.__dict__, "gateway_mac": "zz:zz:zz:zz:zz:zz"})
    with pytest.raises(LabBuildError, match="ifconfig lan0 ether zz:zz:zz:zz:zz:zz` failed"):
        build_lab(bare, lab)
    assert observe(bare) == before


def test_a_session_through_the_default_route_is_not_cut():
    # An ssh client far away (a cloud VM's harness): the box answers it
    # through the default route the lab would take over, so the build
    # refuses before changing anything.
    far = jailkit.connect(PROVISIONED_BOX + "&client=routed")
    before = observe(far)
    with pytest.raises(LabBuildError, match="comes from 198.51.100.20 through the box's default"):
        build_lab(far, far.lab)
    assert observe(far) == before
    assert far.run("true").succeeded      # and the session is still there


def test_the_cloud_vm_lab_builds_without_nat():
    box = jailkit.connect(PROVISIONED_BOX + "&lab=vnet-jib-pf-nat")
    record = build_lab(box, box.lab)
    assert "inet 203.0.113.10 netmask 0xffffff00" in box.run("ifconfig vtnet0").stdout
    assert box.run("ping -c 1 www.freebsd.org").succeeded
    # no translation: the internet sees the host's own public address
    assert box.run(f"jexec {GATEWAY_JAIL} ipnat -l").stdout.count("map") == 0
    remove_lab(box, box.lab, record)
    assert box.run("ifconfig -l").stdout == "em0 lo0\n"


# -- on a box that is somebody's (tests/ownbox.py) ------------------------------------------

def raise_after(box, text: str, exception: BaseException) -> list[str]:
    """``exception`` once the box has run the first command containing
    ``text`` (a Ctrl-C, a dropped connection, a timeout at that moment)."""
    real, hit = box._run, []

    def run(line, stdin, timeout):
        result = real(line, stdin, timeout)
        if text in line and not hit:
            hit.append(line)
            raise exception
        return result
    box._run = run
    return hit


def test_the_boxs_own_wan0_and_lan0_stay():
    box = own_box()
    before = what_it_has(box)
    record = build_lab(box, box.lab)
    assert "inet 10.0.10.2 netmask 0xfffffff0" in box.run("ifconfig fxp0").stdout
    remove_lab(box, box.lab, record)
    still_all_there(before, what_it_has(box))


@pytest.mark.parametrize("failure", [
    KeyboardInterrupt(), ConnectionLost("the connection to the box dropped"),
    HostTimeout("jexec jk_net2 ...", 30), CommandFailed(Result("jexec jk_net2", 1, "", "no"))],
    ids=["interrupt", "connection", "timeout", "command"])
def test_any_failure_half_way_takes_down_what_was_built(failure):
    box = own_box()
    before = what_it_has(box)
    hit = raise_after(box, "jexec jk_net2", failure)
    with pytest.raises(type(failure)):
        build_lab(box, box.lab)
    assert hit
    still_all_there(before, what_it_has(box))


def test_an_unreadable_saved_copy_never_empties_resolv_conf():
    box = own_box()
    before = what_it_has(box)
    record = build_lab(box, box.lab)
    box.run("rm /var/run/jailkit/resolv.conf.saved").check()
    remove_lab(box, box.lab, record)
    assert box.run("cat /etc/resolv.conf").stdout == "nameserver 10.0.2.3\n"
    still_all_there(before, what_it_has(box))


def test_a_stale_lab_state_is_reported_not_applied():
    box = own_box()
    box.run("mkdir -p /var/run/jailkit && cat > /var/run/jailkit/lab.state",
            stdin='saved_gateway="192.0.2.99"\nhad_resolv="True"\n').check()
    before = what_it_has(box)
    with pytest.raises(HostError, match="(?s)left from an earlier jailkit run.*saved_gateway=\"192.0.2.99\""):
        build_lab(box, box.lab)
    still_all_there(before, what_it_has(box))
    remove_lab(box, box.lab, LabRecord())      # nothing was built, nothing is taken down
    still_all_there(before, what_it_has(box))


def test_a_nic_that_is_not_the_labs_any_more_is_left():
    # The lab's fxp0 went away during the run and the box's owner made an
    # fxp0 of their own: the take-down names it and leaves it.
    box = own_box()
    record = build_lab(box, box.lab)
    box.run("ifconfig fxp0 destroy && ifconfig epair70 create > /dev/null && "
            "ifconfig epair70a name fxp0 > /dev/null").check()
    theirs = box.run("ifconfig fxp0").stdout
    with pytest.raises(HostError, match="fxp0 \\(not the one the lab made"):
        remove_lab(box, box.lab, record)
    assert box.run("ifconfig fxp0").stdout == theirs
    assert box.run("jls name").stdout == "boxjail\n"


def test_a_take_down_that_fails_after_an_interrupt_says_both():
    box = own_box()
    raise_after(box, "jexec jk_net2", KeyboardInterrupt())
    real = box._run
    box._run = lambda line, stdin, timeout: (
        (1, "", "jail: jk_net2: cannot remove\n") if line.startswith("jail -R") else
        real(line, stdin, timeout))
    with pytest.raises(LabBuildError, match=r"building the lab stopped \(KeyboardInterrupt: \) and "
                                            r"taking down what was built failed: .*jk_net1"):
        build_lab(box, box.lab)


def test_the_lab_loads_the_modules_it_needs_and_only_unloads_those():
    """A fresh box has no module loaded, and a jail cannot load one: the lab
    loads if_epair, if_bridge and ipl (the gateway's ipnat) on the host,
    enables IPFilter in the gateway, and unloads just those at the end."""
    fresh = jailkit.connect("sim://?bare=1")
    fresh.run("kldload if_bridge").check()          # the box's own, before the lab
    fresh.run("sysrc ifconfig_em0=SYNCDHCP && sysrc -x ifconfig_DEFAULT").check()
    before = fresh.run("kldstat").stdout
    record = build_lab(fresh, fresh.lab)
    assert record.modules == ["if_epair", "ipl"]
    assert "Running: yes" in fresh.run(f"jexec {GATEWAY_JAIL} ipf -V").stdout
    assert fresh.run("ping -c 1 whois.iana.org").succeeded
    assert "MAP 10.0.10.2 " in fresh.run(f"jexec {GATEWAY_JAIL} ipnat -l").stdout
    remove_lab(fresh, fresh.lab, record)
    assert fresh.run("kldstat").stdout == before


def test_a_box_that_dhcps_every_new_interface_is_refused():
    """ifconfig_DEFAULT="SYNCDHCP" (the official boxes' rc.conf) would have
    devd start a dhclient on every epair the lab makes: refused, with the
    fix, before anything is built."""
    fresh = jailkit.connect("sim://?bare=1")
    before = fresh.run("ifconfig -l; jls; kldstat").stdout
    with pytest.raises(LabBuildError, match='ifconfig_DEFAULT="SYNCDHCP".*sysrc -x ifconfig_DEFAULT'):
        build_lab(fresh, fresh.lab)
    assert fresh.run("ifconfig -l; jls; kldstat").stdout == before


# -- a host with more NICs (host.other_nics) ------------------------------------------

MULTI = PROVISIONED_BOX + "&lab=jails-and-networking"


def test_every_nic_of_the_lab_is_an_epair_end_on_the_lans_switch():
    box = jailkit.connect(MULTI)
    record = build_lab(box, box.lab)
    assert box.run("ifconfig -l").stdout == "em0 lo0 igb0 igb1 igb2\n"
    shown = parse_ifconfig(box.run("ifconfig -a").stdout)
    assert [(n, shown[n].ether) for n in ("igb0", "igb1", "igb2")] == [
        (nic.nic, nic.mac) for nic in box.lab.host.nics()]
    assert shown["igb1"].inet == [] and shown["igb2"].inet == []
    lan0 = box.run(f"jexec {GATEWAY_JAIL} ifconfig lan0").stdout
    assert "inet 10.0.20.1 netmask 0xffffff00" in lan0 and "ether 00:0d:b9:20:00:01" in lan0
    assert [line.split()[1] for line in lan0.splitlines() if "member:" in line] == [
        "epair205b", "epair204b", "epair200b"]
    assert record.interfaces["igb2"] == "90:e2:ba:74:ba:ec"


def test_a_jail_given_igb2_reaches_the_gateway_and_the_internet():
    box = jailkit.connect(MULTI)
    build_lab(box, box.lab)
    box.run("jail -c name=www persist vnet vnet.interface=igb2").check()
    box.run("jexec www ifconfig igb2 inet 10.0.20.10/24 up && jexec www route add default 10.0.20.1").check()
    assert box.run("jexec www ping -c 1 10.0.20.1").succeeded
    assert box.run("jexec www ping -c 1 198.51.100.80").succeeded
    assert "igb2" not in box.run("ifconfig -l").stdout


def test_removing_the_multi_nic_lab_leaves_the_box_as_it_was():
    box = jailkit.connect(MULTI)
    before = observe(box)
    remove_lab(box, box.lab, build_lab(box, box.lab))
    assert observe(box) == before


def test_the_boxs_own_nic_of_a_lab_name_is_left_alone():
    box = jailkit.connect(MULTI)
    box.run("ifconfig epair create > /dev/null && ifconfig epair0a name igb1 > /dev/null").check()
    before = observe(box)
    with pytest.raises(LabBuildError, match="igb1 exists on the host; the lab's NIC of that name"):
        build_lab(box, box.lab)
    assert observe(box) == before


@pytest.mark.parametrize("at", ["epair205", "addm epair204b"])
def test_an_interrupt_while_building_the_switch_takes_it_all_down(at):
    box = jailkit.connect(MULTI)
    before = observe(box)
    hit = raise_after(box, at, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        build_lab(box, box.lab)
    assert hit
    assert observe(box) == before


def test_a_lagg_of_the_labs_igb0_and_igb1_reaches_the_gateway():
    box = jailkit.connect(MULTI)
    build_lab(box, box.lab)
    box.run("route delete default > /dev/null && ifconfig igb0 inet 10.0.20.2 -alias && "
            "ifconfig lagg0 create laggproto failover laggport igb0 laggport igb1 inet 10.0.20.2/24 up && "
            "route add default 10.0.20.1 > /dev/null").check()
    assert box.run("ping -c 1 10.0.20.1").succeeded
    assert box.run("fetch -qo - http://www.freebsd.org/").stdout == "<html><body>FreeBSD</body></html>\n"
