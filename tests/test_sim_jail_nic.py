"""A physical NIC handed to a VNET jail (vnet.interface += "igb2"), as
"FreeBSD Jails And Networking" does it, on the jails-and-networking lab:
the NIC leaves the host, the jail's own rc.conf configures it, and it comes
back when the jail goes; when, on FreeBSD 14, depends on the jail's TCP
connections in TIME_WAIT (kern_jail.c prison_deref, net/vnet.c
vnet_destroy, net/if.c vnet_if_return, netinet/tcp_timewait.c). Bad input
gets jail(8)'s and ifconfig's own errors and leaves nothing half-made."""

from __future__ import annotations

import pytest

import jailkit
from jailkit.host import Host
from jailkit.parsers.ifconfig import parse_ifconfig, parse_list
from jailkit.qjail import Qjail

LAB = "sim://?lab=jails-and-networking"
WWW = """\
www {
    path = /usr/jails/www;
    host.hostname = www;
    mount.fstab = /usr/local/etc/qjail.fstab/www;
    vnet;
    vnet.interface += "igb2";
    exec.clean;
    exec.start = "/bin/sh /etc/rc";
    exec.stop = "/bin/sh /etc/rc.shutdown jail";
}
"""
# the jail's own rc.conf: the article's line, an address on the LAN, and a
# daytime server for the TIME_WAIT tests
RC_CONF = ('ifconfig_igb2_ipv6="inet6 accept_rtadv"\n'
           'ifconfig_igb2="inet 10.0.20.10/24"\n'
           'inetd_enable="YES"\n')
INETD_CONF = "daytime\tstream\ttcp\tnowait\troot\tinternal\n"
MSL = 30


@pytest.fixture
def host() -> Host:
    """The lab's host with a jail world for www (qjail's, under /usr/jails/www)
    and the article's jail.conf; the jail is not started."""
    box = jailkit.connect(LAB)
    qjail = Qjail(box)
    qjail.install()
    qjail.create("www", ["10.0.20.10"])
    box.run("cat > /etc/jail.conf", stdin=WWW).check()
    box.run("cat > /usr/jails/www/etc/rc.conf", stdin=RC_CONF).check()
    box.run("cat > /usr/jails/www/etc/inetd.conf", stdin=INETD_CONF).check()
    return box


def interfaces(host: Host, jail: str | None = None) -> list[str]:
    return parse_list(host.run(f"jexec {jail} ifconfig -l" if jail else "ifconfig -l").stdout)


def test_the_nic_leaves_the_host_for_the_jail(host):
    before = host.run("ifconfig igb2").stdout
    assert host.run("jail -c www").succeeded
    assert interfaces(host) == ["igb0", "igb1", "lo0"]
    shown = host.run("ifconfig igb2")
    assert (shown.exit_status, shown.stderr) == (1, "ifconfig: interface igb2 does not exist\n")
    assert interfaces(host, "www") == ["lo0", "igb2"]
    inside = parse_ifconfig(host.run("jexec www ifconfig igb2").stdout)["igb2"]
    assert inside.ether == parse_ifconfig(before)["igb2"].ether == "90:e2:ba:74:ba:ec"


def test_inside_the_jail_ifconfig_shows_lo0_and_the_nic_as_the_article_does(host):
    host.run("jail -c www").check()
    listing = host.run("jexec www ifconfig").stdout
    assert listing.startswith("lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 "
                              "mtu 16384\n")
    igb2 = listing[listing.index("igb2: "):]
    assert igb2.startswith("igb2: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> "
                           "metric 0 mtu 1500\n")
    for line in ("\tether 90:e2:ba:74:ba:ec\n", "\tmedia: Ethernet autoselect (1000baseT <full-duplex>)\n",
                 "\tstatus: active\n"):
        assert line in igb2


def test_the_jails_rc_conf_configures_the_nic(host):
    """network.subr ifconfig_up: ifconfig_igb2_ipv6="inet6 accept_rtadv"
    becomes `ifconfig igb2 inet6 -ifdisabled` and `ifconfig igb2 inet6
    accept_rtadv` in the jail's own stack."""
    assert "Starting Network: lo0 igb2.\n" in host.run("jail -c www").stdout
    igb2 = host.run("jexec www ifconfig igb2").stdout
    assert "\tnd6 options=23<PERFORMNUD,ACCEPT_RTADV,AUTO_LINKLOCAL>\n" in igb2
    assert "\tinet 10.0.20.10 netmask 0xffffff00 broadcast 10.0.20.255\n" in igb2
    assert "inet6 fe80::92e2:baff:fe74:baec%igb2 prefixlen 64" in igb2
    # the host keeps igb0 and its own configuration
    assert "accept_rtadv" not in host.run("ifconfig igb0").stdout.lower()


def test_the_jail_on_its_own_nic_reaches_the_gateway_and_beyond(host):
    host.run("jail -c www && jexec www route add default 10.0.20.1").check()
    assert host.run("jexec www ping -c 1 10.0.20.1").succeeded
    assert host.run("jexec www ping -c 1 198.51.100.80").succeeded
    assert host.run("nc -w 2 10.0.20.10 13").succeeded       # the host, over igb0, to the jail's igb2


def test_on_the_command_line_vnet_interface_is_one_name():
    box = jailkit.connect(LAB)
    box.run("jail -c name=cli path=/ persist vnet vnet.interface=igb2").check()
    assert interfaces(box, "cli") == ["lo0", "igb2"] and "igb2" not in interfaces(box)
    box.run("jail -r cli").check()
    assert interfaces(box) == ["igb0", "igb1", "lo0", "igb2"]


def test_without_a_connection_in_time_wait_the_nic_comes_back_at_once(host):
    host.run("jail -c www").check()
    assert host.run("jail -r www").stdout.endswith("www: removed\n")
    assert interfaces(host) == ["igb0", "igb1", "lo0", "igb2"]   # if_vmove links it last
    back = parse_ifconfig(host.run("ifconfig igb2").stdout)["igb2"]
    assert back.ether == "90:e2:ba:74:ba:ec" and back.inet == [] and not back.up
    assert host.run("jls -d").stdout == "   JID  IP Address      Hostname                      Path\n"


def test_a_connection_in_time_wait_keeps_the_jail_dying_and_the_nic_away_for_2msl(host):
    """The jail's daytime server closes first, so the jail's side of the
    connection is in TIME_WAIT when the jail is removed: the prison is
    dying (jls -d), its vnet is not destroyed and igb2 stays in it until
    the 2MSL timer (60 s) ends the connection; then vnet_destroy() returns
    igb2 to the host. FreeBSD 14 still does what the article saw on 13.0."""
    host.run("jail -c www").check()
    assert host.run("nc -w 2 10.0.20.10 13").succeeded      # the jail closes first
    host.run("jail -r www").check()
    assert host.run("jls").stdout == "   JID  IP Address      Hostname                      Path\n"
    assert host.run("jls -d -j www dying").stdout == "true\n"
    assert "igb2" not in interfaces(host)
    host.run(f"sleep {2 * MSL - 5}").check()
    assert "igb2" not in interfaces(host)
    host.run("sleep 6").check()
    assert interfaces(host) == ["igb0", "igb1", "lo0", "igb2"]
    assert host.run("jls -d").stdout == "   JID  IP Address      Hostname                      Path\n"
    assert parse_ifconfig(host.run("ifconfig igb2").stdout)["igb2"].ether == "90:e2:ba:74:ba:ec"


def test_a_new_jail_while_the_old_one_dies_gets_a_new_jid(host):
    host.run("jail -c www && nc -w 2 10.0.20.10 13 && jail -r www").check()
    host.run("jail -c name=other path=/ persist").check()
    assert host.run("jls -d jid name dying").stdout == "1 www true\n2 other false\n"


def test_a_local_peer_leaves_no_time_wait(host):
    """net.inet.tcp.nolocaltimewait (on by default): a connection to one of
    the stack's own addresses is closed at once, so it holds nothing."""
    host.run("jail -c www").check()
    assert host.run("jexec www nc -w 2 10.0.20.10 13").succeeded
    host.run("jail -r www").check()
    assert "igb2" in interfaces(host)


def test_taking_the_nic_back_in_exec_prestop_brings_it_home_at_once(host):
    """The way around the wait: `ifconfig igb2 -vnet www` while the jail is
    alive (exec.prestop); jail(8) itself never runs -vnet on removal
    (jail.c stopcommands has no IP_VNET_INTERFACE)."""
    host.run("cat >> /etc/jail.conf", stdin='www { exec.prestop = "ifconfig igb2 -vnet www"; }\n').check()
    host.run("jail -c www && nc -w 2 10.0.20.10 13").check()
    host.run("jail -r www").check()
    assert "igb2" in interfaces(host)
    assert host.run("jls -d -j www dying").stdout == "true\n"   # the jail itself still dies


# -- bad input ---------------------------------------------------------------------

def test_an_interface_that_does_not_exist():
    box = jailkit.connect(LAB)
    before = box.run("ifconfig -a").stdout
    made = box.run("jail -c name=www path=/ persist vnet vnet.interface=igb9")
    assert made.exit_status == 1
    assert made.stderr == ("ifconfig: interface igb9 does not exist\n"
                           "jail: /sbin/ifconfig igb9 vnet www: failed\n")
    assert box.run("jls -d").stdout == "   JID  IP Address      Hostname                      Path\n"
    assert box.run("ifconfig -a").stdout == before


def test_an_interface_already_in_another_jail(host):
    host.run("jail -c www").check()
    made = host.run("jail -c name=second path=/ persist vnet vnet.interface=igb2")
    assert made.exit_status == 1
    assert made.stderr == ("ifconfig: interface igb2 does not exist\n"
                           "jail: /sbin/ifconfig igb2 vnet second: failed\n")
    assert host.run("jls name").stdout == "www\n"
    assert interfaces(host, "www") == ["lo0", "igb2"]


def test_from_jail_conf_the_error_names_the_jail(host):
    host.run("cat > /etc/jail.conf", stdin=WWW.replace("igb2", "igb7")).check()
    made = host.run("jail -c www")
    assert made.exit_status == 1
    assert made.stderr.endswith("ifconfig: interface igb7 does not exist\n"
                                "jail: www: /sbin/ifconfig igb7 vnet www: failed\n")
    assert host.run("jls -d name").stdout == ""
    assert "igb2" in interfaces(host)


def test_a_jail_without_a_vnet_cannot_take_a_nic():
    """if.c if_vmove_loan(): the jail's vnet is the host's own, EEXIST; jail(8)
    does not check vnet.interface against vnet (config.c) and undoes the jail."""
    box = jailkit.connect(LAB)
    made = box.run("jail -c name=plain path=/ persist vnet.interface=igb2")
    assert made.exit_status == 1
    assert made.stderr == ("ifconfig: SIOCSIFVNET: File exists\n"
                           "jail: /sbin/ifconfig igb2 vnet plain: failed\n")
    assert box.run("jls name").stdout == ""
    assert "igb2" in interfaces(box)


def test_restarting_the_jail_within_2msl_fails_for_want_of_its_nic(host):
    """The article's "massive annoyance when restarting a jail": the new
    jail's vnet.interface finds no igb2 on the host while the old jail dies."""
    host.run("jail -c www && nc -w 2 10.0.20.10 13").check()
    restarted = host.run("jail -rc www")
    assert restarted.exit_status == 1
    assert restarted.stderr.endswith("ifconfig: interface igb2 does not exist\n"
                                     "jail: www: /sbin/ifconfig igb2 vnet www: failed\n")
    assert host.run("jls name").stdout == ""
    host.run(f"sleep {2 * MSL}").check()
    assert host.run("jail -c www").succeeded and interfaces(host, "www") == ["lo0", "igb2"]
