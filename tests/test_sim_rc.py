"""rc(8) as FreeBSD 14 runs it on the sim: /etc/rc's own PATH, network.subr's
rc.conf keys through rc.d/netif and rc.d/routing, rc.d/jail, the firewalls
at boot, and a virtual reboot that runs /etc/rc again (reboot(8),
shutdown(8))."""

from __future__ import annotations

import pytest

import jailkit
from jailkit.host import ConnectionLost, Host
from jailkit.qjail import Qjail
from tests.conftest import run


def add_rc_conf(host: Host, text: str) -> None:
    host.run("cat >> /etc/rc.conf", stdin=text).check()


def reboot(host: Host, command: str = "reboot") -> None:
    """The command reboots the box: its session ends as ssh's does."""
    with pytest.raises(ConnectionLost):
        host.run(command)


# -- /etc/rc's environment ------------------------------------------------------------

JAIL_CONF = """\
t1 {
    path = /usr/jails/t1;
    host.hostname = t1;
    mount.fstab = /usr/local/etc/qjail.fstab/t1;
    vnet;
    exec.clean;
    exec.start = "/bin/sh /etc/rc";
    exec.stop = "/bin/sh /etc/rc.shutdown jail";
}
"""


def test_exec_clean_runs_the_jails_rc_with_rcs_own_path(host):
    # exec.clean leaves PATH=/bin:/usr/bin; libexec/rc/rc sets
    # PATH=/sbin:/bin:/usr/sbin:/usr/bin itself, so /sbin/ifconfig is found
    qjail = Qjail(host)
    qjail.install()
    qjail.create("t1", ["10.0.10.10"])
    host.run("cat > /etc/jail.t1.conf", stdin=JAIL_CONF).check()
    status, out, err = run(host, "jail -f /etc/jail.t1.conf -c t1")
    assert (status, err) == (0, "")
    assert out.startswith("t1: created\nStarting Network: lo0.\nlo0: flags=")
    assert "Starting syslogd.\n" in out
    assert run(host, "jexec t1 ifconfig lo0 inet")[1].splitlines()[-1].strip() == (
        "inet 127.0.0.1 netmask 0xff000000")
    assert run(host, "jail -f /etc/jail.t1.conf -r t1")[0] == 0


def test_a_script_of_rc_finds_no_command_without_rcs_path(host):
    host.run("echo 'pass all' > /etc/pf.conf && sysrc pf_enable=YES > /dev/null").check()
    assert run(host, "env PATH=/nonexistent /bin/sh /etc/rc")[0] == 0
    assert run(host, "pfctl -s rules")[1] == "pass all flags S/SA keep state\n"


# -- rc.d/netif and network.subr ------------------------------------------------------

def test_cloned_interfaces_name_and_inet_as_the_jib_howto_writes_them(host):
    add_rc_conf(host, 'cloned_interfaces="bridge0"\n'
                      'ifconfig_bridge0_name="vtnet0bridge"\n'
                      'ifconfig_vtnet0bridge="inet 10.192.0.1/24"\n')
    status, out, err = run(host, "service netif start")
    assert (status, err) == (0, "")
    assert out.startswith("Created clone interfaces: bridge0.\nvtnet0bridge\n"
                          "Starting Network: lo0 fxp0 vtnet0bridge.\nlo0: flags=")
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 vtnet0bridge\n"
    listing = run(host, "ifconfig vtnet0bridge")[1]
    assert listing.startswith("vtnet0bridge: flags=8843<UP,")
    assert "\tinet 10.192.0.1 netmask 0xffffff00 broadcast 10.192.0.255\n" in listing


def test_ifconfig_lines_netmask_addm_up_and_aliases(host):
    add_rc_conf(host, 'cloned_interfaces="epair5 lo1 bridge7"\n'
                      'ifconfig_lo1="inet 10.0.0.2 netmask 255.255.255.0"\n'
                      'ifconfig_lo1_alias0="inet 10.0.0.3/32"\n'
                      'ifconfig_lo1_alias1="10.0.0.4/32"\n'
                      'ifconfig_bridge7="addm epair5a addm epair5b up"\n'
                      'ifconfig_epair5a="up"\n'
                      'ifconfig_epair5a_ipv6="inet6 2001:db8::5/64"\n')
    status, out, err = run(host, "service netif start")
    assert status == 0
    assert "Created clone interfaces: epair5a epair5b lo1 bridge7.\n" in out
    # network.subr ifalias_af_common: an alias without its family keyword
    assert err == ('/etc/rc.d/netif: WARNING: $ifconfig_lo1_alias1 needs leading "inet" keyword '
                   'for an IPv4 address.\n')
    lo1 = run(host, "ifconfig lo1 inet")[1]
    assert [line.split()[1] for line in lo1.splitlines() if "inet " in line] == [
        "10.0.0.2", "10.0.0.3", "10.0.0.4"]
    bridge = run(host, "ifconfig bridge7")[1]
    assert "member: epair5a" in bridge and "member: epair5b" in bridge
    assert bridge.startswith("bridge7: flags=1008843<UP,")
    epair = run(host, "ifconfig epair5a")[1]
    assert "UP" in epair.split(">")[0] and "inet6 2001:db8::5 prefixlen 64" in epair


def test_ipv4_addrs_adds_each_address_and_range_as_aliases_and_stop_removes_them(host):
    """rc.conf(5) ipv4_addrs_IF, kept by network.subr's ifalias_af_common
    after the ifconfig_IF_aliasN: each word an inet alias; a range N-M
    (ifalias_expand_addr_inet) one alias per address, the first with the
    length given and the others /32, or each with the netmask given; at
    most netif_ipexpand_max more than the first, with a warning; "--" is no
    range and adds nothing."""
    add_rc_conf(host, 'cloned_interfaces="lo1"\n'
                      'ifconfig_lo1_alias0="inet 10.9.0.1-2 netmask 255.255.255.0"\n'
                      'ipv4_addrs_lo1="192.168.1.1-5/24 10.8.0.1/16 10.7.--1 172.16.0.250-300/24"\n'
                      'netif_ipexpand_max="4"\n')
    status, out, err = run(host, "service netif start lo1")
    assert status == 0 and out.startswith("Created clone interfaces: lo1.\nStarting Network: lo1.\n")
    assert err == ("/etc/rc.d/netif: WARNING: Range specification is too large "
                   "(172.16.0.250-172.16.0.300).  172.16.0.250-172.16.0.255 was processed.  "
                   "Increase $netif_ipexpand_max in rc.conf.\n")
    assert [line for line in run(host, "ifconfig lo1 inet")[1].splitlines() if "inet " in line] == [
        "\tinet 10.9.0.1 netmask 0xffffff00", "\tinet 10.9.0.2 netmask 0xffffff00",
        "\tinet 192.168.1.1 netmask 0xffffff00", "\tinet 192.168.1.2 netmask 0xffffffff",
        "\tinet 192.168.1.3 netmask 0xffffffff", "\tinet 192.168.1.4 netmask 0xffffffff",
        "\tinet 192.168.1.5 netmask 0xffffffff", "\tinet 10.8.0.1 netmask 0xffff0000",
        "\tinet 172.16.0.250 netmask 0xffffff00", "\tinet 172.16.0.251 netmask 0xffffffff",
        "\tinet 172.16.0.252 netmask 0xffffffff", "\tinet 172.16.0.253 netmask 0xffffffff",
        "\tinet 172.16.0.254 netmask 0xffffffff", "\tinet 172.16.0.255 netmask 0xffffffff"]
    host.run("ifconfig lo1 inet 10.6.0.1/32 alias").check()      # not rc.conf's: stop takes it too
    status, out, err = run(host, "service netif stop lo1")
    assert status == 0 and out.startswith("Stopping Network: lo1.\n") and "inet " not in out


def test_service_netif_stop_deconfigures_and_destroys_the_clones(host):
    add_rc_conf(host, 'cloned_interfaces="bridge0"\nifconfig_bridge0="inet 10.192.0.1/24"\n')
    host.run("service netif cloneup && service netif start bridge0").check()
    status, out, err = run(host, "service netif stop bridge0")
    assert (status, err) == (0, "")
    assert out.startswith("Stopping Network: bridge0.\nbridge0: flags=8802<BROADCAST,")
    assert "inet " not in out
    assert out.endswith("Destroyed clone interfaces: bridge0.\n")
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0\n"
    assert run(host, "service netif stop bridge0") == (
        0, "", "/etc/rc.d/netif: WARNING: bridge0 does not exist.  Skipped.\n")


def test_netif_cloneup_makes_only_what_is_named(host):
    add_rc_conf(host, 'cloned_interfaces="bridge0 epair3"\n')
    assert run(host, "service netif cloneup epair3") == (
        0, "epair3a\nCreated clone interfaces: epair3a epair3b.\n", "")
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 epair3a epair3b\n"
    assert run(host, "service netif cloneup") == (
        0, "Created clone interfaces: bridge0.\n", "")
    assert run(host, "service netif cloneup")[1] == ""      # nothing left to make


@pytest.mark.parametrize("word", ["DHCP", "SYNCDHCP"])
def test_dhcp_where_no_server_answers_is_refused_with_what_to_write(host, word):
    add_rc_conf(host, f'cloned_interfaces="epair0"\nifconfig_epair0a="{word}"\n')
    host.run("service netif cloneup").check()
    status, out, err = run(host, "service netif start epair0a")
    assert out.startswith("Starting Network: epair0a.\nepair0a: flags=")
    assert err == ("/etc/rc.d/dhclient: WARNING: epair0a: no DHCP server answers on its link in "
                   "the jailkit sim (it models one on a bare box's uplink only); give the "
                   'interface its address in /etc/rc.conf instead: ifconfig_epair0a="inet '
                   'ADDRESS/PREFIX"\n')
    assert status == 0


def test_the_bare_boxs_dhcp_uplink_keeps_its_lease_quietly():
    box = jailkit.connect("sim://?bare=1")
    status, out, err = run(box, "service netif start em0")
    assert (status, err) == (0, "")
    assert "inet 10.0.2.15 netmask 0xffffff00" in out


def test_service_routing_restart_adds_the_default_route_and_forwarding(host):
    host.run("sysrc gateway_enable=YES > /dev/null").check()
    assert run(host, "sysctl -n net.inet.ip.forwarding")[1] == "0\n"
    assert run(host, "service routing restart") == (
        0, "delete net default: gateway 10.0.10.1\nadd net default: gateway 10.0.10.1\n"
           "Additional inet routing options: gateway=YES.\n", "")
    assert run(host, "sysctl -n net.inet.ip.forwarding")[1] == "1\n"
    assert host.run("ping -c 1 10.0.10.1").succeeded


# -- rc.d/jail ---------------------------------------------------------------------

TWO_JAILS = "www {\n\tpath = /;\n\tpersist;\n}\ndb {\n\tpath = /;\n\tpersist;\n}\n"


def test_service_jail_start_and_stop_named_listed_and_all(host):
    host.run("cat > /etc/jail.conf", stdin=TWO_JAILS).check()
    host.run("sysrc jail_enable=YES > /dev/null").check()
    assert run(host, "service jail start db") == (0, "Starting jails: db.\n", "")
    assert run(host, "service jail stop db") == (0, "Stopping jails: db.\n", "")
    assert run(host, "service jail stop db") == (0, "Stopping jails:.\n", "")   # not running
    # no jail_list: every jail of jail.conf (_ALL)
    assert run(host, "service jail start") == (0, "Starting jails: www db.\n", "")
    assert run(host, "service jail stop") == (0, "Stopping jails: www db.\n", "")
    assert run(host, "service jail start nosuch") == (
        0, 'Starting jails: cannot start jail  "nosuch": \njail: "nosuch" not found\n.\n', "")


def test_the_guides_jail2_lines_are_ignored_by_rc(host):
    # rc(8) reads jail_enable and jail_list; nothing reads jail2_*
    host.run("cat > /etc/jail.conf", stdin=TWO_JAILS).check()
    add_rc_conf(host, 'jail2_enable="YES"\njail2_list="www"\n')
    reboot(host)
    assert run(host, "jls name") == (0, "", "")
    host.run("sysrc jail_enable=YES jail_list=www > /dev/null").check()
    reboot(host)
    assert run(host, "jls name")[1] == "www\n"


# -- reboot and shutdown ------------------------------------------------------------

GUIDE_RC_CONF = """\
cloned_interfaces="bridge0"
firewall_enable="YES"
firewall_script="/etc/ipfw.conf"
natd_enable="YES"
natd_flags="-f /etc/natd.conf"
jail_enable="YES"
jail_list="www"
"""
IPFW_CONF = """\
#!/bin/sh
fwcmd="/sbin/ipfw -q"
${fwcmd} -f flush
${fwcmd} add 100 allow ip from any to any via lo0
${fwcmd} add 65532 divert natd ip from any to any via fxp0
${fwcmd} add 65533 allow ip from any to any
"""


def test_after_a_reboot_rc_conf_brings_back_bridge_nat_and_jails(host):
    host.run("cat > /etc/jail.conf", stdin=TWO_JAILS).check()
    host.run("cat > /etc/ipfw.conf", stdin=IPFW_CONF).check()
    host.run("echo 'interface fxp0' > /etc/natd.conf").check()
    add_rc_conf(host, GUIDE_RC_CONF)
    # what only the running kernel holds
    host.run("ifconfig epair9 create && sysctl net.inet.ip.forwarding=1 && kldload pf").check()
    reboot(host)
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 bridge0\n"
    assert run(host, "sysctl -n net.inet.ip.forwarding")[1] == "0\n"
    assert "pf.ko" not in run(host, "kldstat")[1]
    assert run(host, "ipfw list")[1] == ("00100 allow ip from any to any via lo0\n"
                                         "65532 divert 8668 ip from any to any via fxp0\n"
                                         "65533 allow ip from any to any\n"
                                         "65535 deny ip from any to any\n")
    assert run(host, "test -s /var/run/natd.pid")[0] == 0     # rc.d/natd started natd
    assert run(host, "jls name")[1] == "www\n"
    assert host.run("ping -c 1 10.0.10.1").succeeded


def test_pf_at_boot_from_pf_rules(host):
    host.run("echo 'block in quick proto tcp from any to any port 7' > /etc/pf.rules").check()
    add_rc_conf(host, 'pf_enable="YES"\npf_rules="/etc/pf.rules"\n')
    reboot(host, "shutdown -r now")
    assert run(host, "pfctl -s rules")[1] == "block drop in quick proto tcp from any to any port = echo\n"
    assert run(host, "pfctl -s Running")[1] == "Enabled\n"


def test_nothing_after_reboot_on_its_line_runs_and_files_stay(host):
    host.run("echo kept > /root/note").check()
    reboot(host, "reboot; echo after > /root/after")
    assert run(host, "cat /root/note; ls /root/after") == (
        1, "kept\n", "ls: /root/after: No such file or directory\n")


def test_shutdown_r_runs_rc_shutdown_and_reboot_does_not(host):
    host.run("printf 'www {\\n\\tpath = /;\\n\\tpersist;\\n\\texec.stop = \"touch /root/stopped\";\\n}\\n'"
             " > /etc/jail.conf && sysrc jail_enable=YES jail_list=www > /dev/null").check()
    host.run("service jail start").check()
    reboot(host, "reboot")
    assert run(host, "ls /root/stopped")[0] == 1          # reboot(8) signals no init
    reboot(host, "shutdown -r now")
    assert run(host, "ls /root/stopped")[0] == 0          # init ran /etc/rc.shutdown


def test_a_lasting_session_ends_with_the_reboot(host):
    session = host.session()
    with pytest.raises(ConnectionLost):
        session.run("reboot", out=lambda text: None, err=lambda text: None)
    assert run(host, "hostname")[1] == "desktop.lan\n"      # the next command: a new session


@pytest.mark.parametrize("command, message", [
    ("shutdown", ""),
    ("shutdown -h now", "shutdown: not modelled by the jailkit sim (it reboots at once, or not "
                        "at all); use -r, which reboots\n"),
    ("shutdown -r +5", "shutdown: not modelled by the jailkit sim (it reboots at once, or not "
                       "at all); shut down `now`\n"),
    ("shutdown -r soon", "shutdown: bad time format\n"),
    ("shutdown -rk now", "shutdown: incompatible switches -c, -h, -k, -p and -r\n"),
    ("reboot -p", "reboot: not modelled by the jailkit sim (it reboots at once, or not at all); "
                  "-p powers the machine off\n"),
])
def test_what_is_not_a_reboot_now_changes_nothing(host, command, message):
    host.run("ifconfig bridge3 create").check()
    status, out, err = run(host, command)
    assert status == 1 and err.startswith(message)
    assert "bridge3" in run(host, "ifconfig -l")[1]


def test_in_a_jail_reboot_fails_and_shutdown_signals_nothing(host):
    host.run("jail -c name=j path=/ persist").check()
    assert run(host, "jexec j reboot") == (1, "", "reboot: SIGTSTP init: No such process\n")
    status, out, err = run(host, "jexec j shutdown -r now")
    assert (status, out) == (0, "Shutdown NOW!\n") and err.startswith("shutdown: [pid ")
    assert run(host, "jls name")[1] == "j\n"


def test_service_runs_the_script_with_service_shs_own_environment(host):
    # service.sh: exec env -i HOME=/ PATH=/sbin:/bin:/usr/sbin:/usr/bin
    host.run("echo 'pass all' > /etc/pf.conf").check()
    assert run(host, "env PATH=/nonexistent /usr/sbin/service pf onestart") == (0, "Enabling pf.\n", "")


def test_a_lab_machine_does_not_reboot(host):
    assert host.run_on("www.freebsd.org", "reboot").exit_status == 1
    assert host.run_on("www.freebsd.org", "hostname").stdout == "www.freebsd.org\n"


def test_a_bare_boxs_harness_logs_in_again_after_the_reboot():
    box = jailkit.connect("sim://?bare=1")
    box.run("sysrc cloned_interfaces=bridge0 > /dev/null && ifconfig epair0 create").check()
    reboot(box)
    assert run(box, "ifconfig -l") == (0, "em0 lo0 bridge0\n", "")
    assert run(box, "echo $SSH_CONNECTION")[1] == "10.0.2.2 50022 10.0.2.15 22\n"


def test_a_firewall_in_rc_conf_that_stops_ssh_leaves_the_box_unreachable_after_the_reboot():
    # ipfw's default rule denies, and rc.firewall's "closed" type passes only lo0
    box = jailkit.connect("sim://?bare=1")
    box.run("sysrc firewall_enable=YES firewall_type=closed > /dev/null").check()
    reboot(box)
    with pytest.raises(ConnectionLost, match="cannot be reached since the box booted"):
        box.run("hostname")


def test_service_netif_restart_stops_then_starts_every_interface(host):
    add_rc_conf(host, 'cloned_interfaces="bridge0"\nifconfig_bridge0="inet 10.192.0.1/24"\n')
    out = run(host, "service netif restart")[1]
    lines = [line for line in out.splitlines() if not line.startswith("\t")]
    assert lines == ["Stopping Network: lo0 fxp0.",
                     "lo0: flags=8008<LOOPBACK,MULTICAST> metric 0 mtu 16384",
                     "fxp0: flags=8802<BROADCAST,SIMPLEX,MULTICAST> metric 0 mtu 1500",
                     "Created clone interfaces: bridge0.",
                     "Starting Network: lo0 fxp0 bridge0.",
                     "lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384",
                     "fxp0: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 "
                     "mtu 1500",
                     "bridge0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500"]
