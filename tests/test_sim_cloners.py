"""The other cloners on the sim: vlan(4) (ifconfig vlan create vlandev X
vlan N, IF.N, vlan N vlandev X), gif(4) and tap(4), with ifconfig's
listing lines (ifvlan.c, ifgif.c), their errors, and their destruction.
FreeBSD's tests/sys/net/if_vlan.sh basic case runs as written."""

from __future__ import annotations

from tests.conftest import run


def test_vlan_create_with_vlandev_and_vlan_prints_the_name_and_the_vlan_line(host):
    host.run("ifconfig epair create").check()
    assert run(host, "ifconfig vlan create vlandev epair0a vlan 42") == (0, "vlan0\n", "")
    assert run(host, "ifconfig vlan0")[1] == (
        "vlan0: flags=1008842<BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500\n"
        f"\tether {run(host, 'ifconfig epair0a ether')[1].split()[-1]}\n"
        "\tgroups: vlan\n"
        "\tvlan: 42 vlanproto: 802.1q vlanpcp: 0 parent interface: epair0a\n"
        "\tmedia: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)\n"
        "\tstatus: active\n"
        "\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>\n")


def test_a_vlan_named_parent_dot_tag_and_its_mtu(host):
    # fxp0 has VLAN_MTU: the vlan has the parent's MTU
    assert run(host, "ifconfig fxp0.5 create") == (0, "", "")
    assert run(host, "ifconfig fxp0.5")[1].startswith(
        "fxp0.5: flags=1008842<BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500\n")
    assert "\tvlan: 5 vlanproto: 802.1q vlanpcp: 0 parent interface: fxp0\n" in \
        run(host, "ifconfig fxp0.5")[1]
    assert run(host, "ifconfig fxp0.5 mtu 1501") == (
        1, "", "ifconfig: ioctl SIOCSIFMTU (set mtu): Invalid argument\n")
    # tap has none: 4 bytes short of the parent's (ifv_mtufudge)
    host.run("ifconfig tap0 create && ifconfig tap0.5 create").check()
    assert " mtu 1496\n" in run(host, "ifconfig tap0.5")[1]
    assert run(host, "ifconfig fxp0.0 create") == (1, "", "ifconfig: invalid vlan tag\n")
    assert run(host, "ifconfig fxp0.4095 create") == (1, "", "ifconfig: invalid vlan tag\n")
    assert run(host, "ifconfig fxp0.6 create vlan 7") == (
        1, "", "ifconfig: ambiguous vlan specification\n")
    assert run(host, "ifconfig nosuch0.5 create") == (1, "", "ifconfig: SIOCIFCREATE2: Invalid argument\n")
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 fxp0.5 tap0 tap0.5\n"


def test_an_unconfigured_vlan_then_vlan_and_vlandev_on_it(host):
    assert run(host, "ifconfig vlan3 create") == (0, "", "")
    assert run(host, "ifconfig vlan3")[1] == (
        "vlan3: flags=8802<BROADCAST,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
        "\tether 00:00:00:00:00:00\n"
        "\tgroups: vlan\n"
        "\tvlan: 0 vlanproto: 802.1q vlanpcp: 0 parent interface: <none>\n"
        "\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>\n")
    assert run(host, "ifconfig vlan3 vlan 9 vlandev fxp0 vlanpcp 3") == (0, "", "")
    assert "\tvlan: 9 vlanproto: 802.1q vlanpcp: 3 parent interface: fxp0\n" in \
        run(host, "ifconfig vlan3")[1]
    assert run(host, "ifconfig vlan3 vlan 10") == (0, "", "")             # the tag changes
    assert "\tvlan: 10 " in run(host, "ifconfig vlan3")[1]
    assert run(host, "ifconfig vlan3 -vlandev") == (0, "", "")
    assert "parent interface: <none>\n" in run(host, "ifconfig vlan3")[1]


def test_vlan_errors(host):
    assert run(host, "ifconfig vlan create vlan 5") == (
        1, "", "ifconfig: must specify a parent device for vlan create\n")
    assert run(host, "ifconfig vlan create vlandev fxp0") == (
        1, "", "ifconfig: must specify a tag for vlan create\n")
    assert run(host, "ifconfig vlan create vlandev nosuch0 vlan 5") == (
        1, "", "ifconfig: SIOCIFCREATE2: Device not configured\n")
    assert run(host, "ifconfig vlan create vlandev lo0 vlan 5") == (
        1, "", "ifconfig: SIOCIFCREATE2: Protocol not supported\n")
    assert run(host, "ifconfig vlan create vlandev fxp0 vlan 4096") == (
        1, "", "ifconfig: SIOCIFCREATE2: Invalid argument\n")
    assert run(host, "ifconfig vlan create vlandev fxp0 vlan x") == (
        1, "", "ifconfig: invalid value for vlan\n")
    # a tag the parent has already: ifcreate_ioctl's EEXIST message
    host.run("ifconfig vlan create vlandev fxp0 vlan 5").check()
    assert run(host, "ifconfig vlan create vlandev fxp0 vlan 5") == (
        1, "", "ifconfig: interface vlan already exists\n")
    assert run(host, "ifconfig vlan0 vlandev lo0") == (
        1, "", "ifconfig: SIOCSETVLAN: Protocol not supported\n")
    host.run("ifconfig tap0 create").check()
    assert run(host, "ifconfig vlan0 vlandev tap0") == (1, "", "ifconfig: SIOCSETVLAN: Device busy\n")
    assert run(host, "ifconfig fxp0 vlan 5") == (
        1, "", "ifconfig: both vlan and vlandev must be specified\n")
    assert run(host, "ifconfig vlan0 vlanpcp 8") == (1, "", "ifconfig: value for vlanpcp out of range\n")
    assert run(host, "ifconfig vlan0 vlanproto 802.1x") == (1, "", "ifconfig: invalid value for vlanproto\n")
    # nothing half-made by the failures
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 vlan0 tap0\n"


def test_freebsds_if_vlan_basic_case_passes(host):
    """tests/sys/net/if_vlan.sh basic: vlan 42 on each end of an epair,
    one end in each jail, and a ping across."""
    host.run("ifconfig epair create >/dev/null && "
             "jail -c name=alcatraz persist vnet vnet.interface=epair0a && "
             "jail -c name=singsing persist vnet vnet.interface=epair0b").check()
    vlan0 = run(host, "jexec alcatraz ifconfig vlan create vlandev epair0a vlan 42")[1].strip()
    host.run(f"jexec alcatraz ifconfig epair0a up && jexec alcatraz ifconfig {vlan0} 10.0.0.1/24 up"
             ).check()
    vlan1 = run(host, "jexec singsing ifconfig vlan create vlandev epair0b vlan 43")[1].strip()
    host.run(f"jexec singsing ifconfig epair0b up && jexec singsing ifconfig {vlan1} 10.0.0.2/24 up"
             ).check()
    assert run(host, "jexec singsing ping -c 1 10.0.0.1")[0] == 2      # another tag: nothing
    host.run(f"jexec singsing ifconfig {vlan1} vlan 42").check()
    assert run(host, "jexec singsing ping -c 1 10.0.0.1")[0] == 0
    host.run("jexec alcatraz ifconfig epair0a down").check()
    assert run(host, "jexec singsing ping -c 1 10.0.0.1")[0] == 2      # the parent is down


def test_a_vlan_is_unconfigured_when_its_parent_goes_and_destroyed_cleanly(host):
    host.run("ifconfig epair create && ifconfig epair0a.7 create && "
             "ifconfig vlan create vlandev epair0b vlan 8").check()
    host.run("ifconfig epair0a destroy").check()
    # vlan_ifdetach: both vlans lose their parent but stay
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 epair0a.7 vlan0\n"
    assert "parent interface: <none>\n" in run(host, "ifconfig vlan0")[1]
    assert run(host, "ifconfig epair0a.7 destroy; ifconfig vlan0 destroy") == (0, "", "")
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0\n"
    assert run(host, "ifconfig vlan create") == (0, "vlan0\n", "")   # the unit is free again


def test_a_destroyed_vlan_frees_its_tag_on_the_parent_while_a_capture_still_holds_it(host):
    # vlan_clone_destroy() unconfigures the vlan; tcpdump reading it in the
    # background keeps the interface's object in use
    host.run("ifconfig vlan0 create vlan 5 vlandev fxp0 up && "
             "(tcpdump -n -i vlan0 -w /tmp/cap.pcap > /dev/null 2>&1 &); sleep 1").check()
    host.run("ifconfig vlan0 destroy").check()
    assert run(host, "ifconfig vlan1 create vlan 5 vlandev fxp0") == (0, "", "")
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 vlan1\n"


def test_gif_create_tunnel_and_destroy(host):
    assert run(host, "ifconfig gif0 create") == (0, "", "")
    assert run(host, "ifconfig gif0")[1] == (
        "gif0: flags=8010<POINTOPOINT,MULTICAST> metric 0 mtu 1280\n"
        "\toptions=80000<LINKSTATE>\n"
        "\tgroups: gif\n"
        "\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>\n")
    assert run(host, "ifconfig gif0 tunnel 10.0.10.2 192.0.2.1 up") == (0, "", "")
    assert run(host, "ifconfig gif0")[1].startswith(
        "gif0: flags=1008051<UP,POINTOPOINT,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 1280\n"
        "\toptions=80000<LINKSTATE>\n"
        "\ttunnel inet 10.0.10.2 --> 192.0.2.1\n")
    assert run(host, "ifconfig gif0 tunnel 10.0.10.2 2001:db8::1") == (
        1, "", "ifconfig: source and destination address families do not match\n")
    assert run(host, "ifconfig gif0 tunnel 10.0.10.2") == (1, "", "ifconfig: 'tunnel' requires argument\n")
    assert run(host, "ifconfig fxp0 tunnel 10.0.10.2 192.0.2.1") == (
        1, "", "ifconfig: SIOCSIFPHYADDR: Invalid argument\n")
    assert run(host, "ifconfig gif0 mtu 9000") == (
        1, "", "ifconfig: ioctl SIOCSIFMTU (set mtu): Invalid argument\n")
    assert run(host, "ifconfig gif0 mtu 1000") == (
        1, "", "ifconfig: ioctl SIOCSIFMTU (set mtu): Invalid argument\n")
    assert run(host, "ifconfig gif0 -tunnel") == (0, "", "")
    assert "tunnel" not in run(host, "ifconfig gif0")[1]
    assert run(host, "ifconfig gif create") == (0, "gif1\n", "")
    assert run(host, "ifconfig gif0 destroy; ifconfig gif1 destroy; ifconfig -l") == (0, "fxp0 lo0\n", "")


def test_tap_create_and_destroy(host):
    assert run(host, "ifconfig tap create") == (0, "tap0\n", "")
    out = run(host, "ifconfig tap0")[1]
    assert out.startswith("tap0: flags=8802<BROADCAST,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
                          "\toptions=80000<LINKSTATE>\n\tether 58:9c:fc:")
    assert out.endswith("\tgroups: tap\n"
                        "\tmedia: Ethernet 1000baseT <full-duplex>\n"
                        "\tstatus: no carrier\n"
                        "\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>\n")
    # up, but nobody opened /dev/tap0: not running, no carrier
    host.run("ifconfig tap0 up").check()
    assert run(host, "ifconfig tap0")[1].startswith("tap0: flags=8803<UP,BROADCAST,SIMPLEX,MULTICAST>")
    assert run(host, "ifconfig tap5 create; ifconfig tap5 create") == (
        1, "", "ifconfig: interface tap5 already exists\n")
    assert run(host, "ifconfig tap0 destroy; ifconfig tap5 destroy; ifconfig -l") == (0, "fxp0 lo0\n", "")
