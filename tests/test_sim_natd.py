"""natd(8) on the sim, as sbin/natd/natd.c parses and runs it: its options
and -f file with natd's own errors, redirect_port's grammar, the defaults
LibAliasInit() gives (same_ports, use_sockets), -dynamic, its divert socket
as sockstat shows it, and rc.d/natd (started by rc.d/ipfw, stopped with it)
on the jail.conf VNET guide's set-up."""

from __future__ import annotations

import pytest

import jailkit
from tests.conftest import run

OUTSIDE = "device.example.org"
GUIDE_IPFW_CONF = ('#!/bin/sh\nfwcmd="/sbin/ipfw -q"\neif="rl0"\n${fwcmd} -f flush\n'
                   "# NAT rule\n${fwcmd} add 65532 divert natd ip from any to any via ${eif}\n"
                   "${fwcmd} add 65533 allow ip from any to any\n")
# the guide's natd.conf, with the host's public address for its 192.168.0.10
GUIDE_NATD_CONF = ("interface rl0\ndynamic yes\nsame_ports yes\n"
                   "# Redirect port 80 to 10.10.15.100:80\n"
                   "redirect_port tcp 10.10.15.100:80 203.0.113.20:80\n")


@pytest.fixture
def natd(host):
    host.run("kldload ipfw ipdivert").check()
    return host


@pytest.fixture
def guide():
    """The guide's host (rl0, 203.0.113.20, on the internet) with testjail
    on bridge0 at 10.10.15.100, the guide's ipfw.conf and natd.conf in /etc
    and its rc.conf lines; ipfw lets everything through after the divert."""
    box = jailkit.connect("sim://?lab=qjail-howto")
    box.run("ifconfig bridge0 create up && ifconfig bridge0 alias 10.10.15.1/24 && "
            "ifconfig epair1 create && ifconfig bridge0 addm epair1a up && ifconfig epair1a up && "
            "jail -c name=testjail path=/ persist vnet vnet.interface=epair1b && "
            "jexec testjail ifconfig epair1b 10.10.15.100/24 up && "
            "jexec testjail route add default 10.10.15.1 && sysctl net.inet.ip.forwarding=1").check()
    box.run("cat > /etc/ipfw.conf", stdin=GUIDE_IPFW_CONF).check()
    box.run("cat > /etc/natd.conf", stdin=GUIDE_NATD_CONF).check()
    box.run("sysrc firewall_enable=YES firewall_script=/etc/ipfw.conf natd_enable=YES "
            "natd_flags='-f /etc/natd.conf'").check()
    return box


@pytest.mark.parametrize("arguments, message", [
    ("", "instance default: aliasing address not given"),
    ("-a 192.0.2.1 -n fxp0", "both alias address and interface name are not allowed"),
    ("-a", "a needs address/host parameter"),
    ("-a nowhere", "unknown host nowhere"),
    ("-n", "n needs parameter"),
    ("-n fxp9", "unknown interface name fxp9"),
    ("-n fxp0 -same_ports maybe", "same_ports needs yes/no parameter"),
    ("-n fxp0 -p", "p needs service name or port number parameter"),
    ("-n fxp0 -p bogus", "bogus/divert: unknown service"),
    ("-n fxp0 -log_facility bogus", "Unknown log facility name: bogus"),
    ("-n fxp0 -exit_delay 5000", "Incorrect exit delay: 5000"),
    ("-n fxp0 -redirect_port", "redirect_port needs parameter"),
    ("-n fxp0 -redirect_port icmp 10.0.0.1:80 80", "unknown protocol icmp. Expected tcp or udp"),
    ("-n fxp0 -redirect_port tcp", "redirect_port: missing local address"),
    ("-n fxp0 -redirect_port tcp 10.0.0.1", "10.0.0.1 is missing port number"),
    ("-n fxp0 -redirect_port tcp 10.0.0.1:80", "redirect_port: missing public port"),
    ("-n fxp0 -redirect_port tcp 10.0.0.1:bogus 8080", "bogus/tcp: unknown service"),
    ("-n fxp0 -redirect_port tcp 10.0.0.1:90-80 80", "invalid port range 90-80"),
    ("-n fxp0 -redirect_port tcp 10.0.0.1:80-81 8080", "redirect_port: port ranges must be equal in size"),
    ("-n fxp0 -redirect_port udp 10.0.0.1:80-81 80-81 192.0.2.9:7-9",
     "redirect_port: remote port must be 0 or equal to local port range in size"),
    ("-n fxp0 -redirect_port tcp 10.0.0.1:80 bad.host:80", "unknown host bad.host"),
])
def test_bad_values_get_natds_own_errors(natd, arguments, message):
    assert run(natd, f"natd {arguments}") == (1, "", f"natd: {message}\n")
    assert "natd" not in run(natd, "sockstat -4")[1]


def test_an_unknown_option_prints_the_option_table(natd):
    status, out, err = run(natd, "natd -n fxp0 -bogus")
    assert (status, out) == (1, "")
    lines = err.splitlines()
    assert lines[:6] == ["natd: unknown option bogus", "Recognized options:", "",
                         "-unregistered_only    [yes|no]", "-u                    [yes|no]",
                         "      alias only unregistered addresses"]
    assert "-redirect_port        tcp|udp local_addr:local_port_range[,...] " \
           "[public_addr:]public_port_range [remote_addr[:remote_port_range]]" in lines
    assert run(natd, "natd fxp0")[2].startswith("natd: invalid option fxp0\nRecognized options:\n")


def test_the_config_file_format(natd):
    natd.run("printf 'interface fxp0   # the LAN\\n\\n  # nothing\\nsame_ports no\\n' > /etc/n.conf").check()
    assert run(natd, "natd -f /etc/n.conf") == (0, "", "")
    assert run(natd, "cat /var/run/natd.pid")[1].strip().isdigit()
    natd.run("printf 'interface fxp0' > /etc/last.conf").check()
    assert run(natd, "natd -f /etc/last.conf") == (
        1, "", "natd: config file format error: last line should end with newline\n")
    assert run(natd, "natd -f /etc/none.conf") == (
        1, "", "natd: cannot open config file /etc/none.conf: No such file or directory\n")
    natd.run("printf 'bogus yes\\n' > /etc/bad.conf").check()
    assert run(natd, "natd -f /etc/bad.conf")[2].startswith("natd: unknown option bogus\n")


def test_the_divert_socket_as_sockstat_shows_it(natd):
    natd.run("natd -n fxp0").check()
    pid = run(natd, "cat /var/run/natd.pid")[1].strip()
    line = next(l for l in run(natd, "sockstat -4")[1].splitlines() if "natd" in l)
    assert line == f"root     natd       {pid:>5} 3   div4   *:8668                *:*"
    natd.run("natd -n fxp0 -p 8669 -P /var/run/natd2.pid").check()
    assert "div4   *:8669 " in run(natd, "sockstat -4")[1]


def test_without_dynamic_an_interface_needs_its_address_at_start(natd):
    natd.run("ifconfig epair0 create").check()
    assert run(natd, "natd -n epair0a") == (1, "", "natd: epair0a: cannot get interface address\n")
    assert run(natd, "natd -n epair0a -dynamic") == (0, "", "")


def test_service_natd_with_rc_subrs_messages(natd):
    natd.run("sysrc natd_interface=fxp0").check()
    # rc.subr's run_rc_command echoes this to standard output and returns 0
    assert run(natd, "service natd start") == (
        0, "Cannot 'start' natd. Set natd_enable to YES in /etc/rc.conf or use 'onestart' "
           "instead of 'start'.\n", "")
    natd.run("sysrc natd_enable=YES").check()
    assert run(natd, "service natd status") == (1, "natd is not running.\n", "")
    assert run(natd, "service natd start") == (0, "Starting natd.\n", "")
    pid = run(natd, "cat /var/run/natd.pid")[1].strip()
    assert run(natd, "service natd status") == (0, f"natd is running as pid {pid}.\n", "")
    assert run(natd, "service natd start") == (1, "", f"natd already running?  (pid={pid}).\n")
    assert run(natd, "service natd stop") == (0, f"Stopping natd.\nWaiting for PIDS: {pid}.\n", "")
    assert run(natd, "service natd stop") == (1, "", "natd not running? (check /var/run/natd.pid).\n")
    assert "div4" not in run(natd, "sockstat -4")[1]
    # natd_precmd: an address in natd_interface is given as -a
    natd.run("sysrc natd_interface=10.0.10.2").check()
    assert run(natd, "service natd start") == (0, "Starting natd.\n", "")


def test_rc_d_ipfw_starts_and_stops_natd_when_natd_enable_is_set(guide):
    assert guide.run("kldstat -q -m ipdivert").exit_status == 1
    assert run(guide, "service ipfw start") == (0, "Firewall rules loaded.\nStarting natd.\n", "")
    assert guide.run("kldstat -q -m ipdivert").exit_status == 0     # ipfw_prestart loaded it
    assert run(guide, "ipfw list 65532") == (0, "65532 divert 8668 ip from any to any via rl0\n", "")
    assert run(guide, "service ipfw stop")[1].startswith("Stopping natd.\n")
    guide.run("sysrc natd_enable=NO").check()
    assert run(guide, "service ipfw start") == (0, "Firewall rules loaded.\n", "")
    assert "natd" not in run(guide, "sockstat -4")[1]


def test_the_guides_jail_goes_out_and_its_port_80_is_reached_from_outside(guide):
    guide.run("service ipfw start && jexec testjail ipfw -q add 100 allow ip from any to any").check()
    assert guide.run("jexec testjail fetch -qo - http://198.51.100.80/").stdout == (
        "<html><body>FreeBSD</body></html>\n")
    guide.run("jexec testjail nc -l 80 > /tmp/got &").check()
    assert guide.run_on(OUTSIDE, "echo hello | nc -N 203.0.113.20 80").succeeded
    assert run(guide, "cat /tmp/got") == (0, "hello\n", "")
    # nothing redirects 81: it is the host's own port, where nothing listens
    assert guide.run_on(OUTSIDE, "nc -z 203.0.113.20 81").exit_status == 1


def first_source_ports(box) -> tuple[int, int]:
    """The source port of the jail's first packet as it leaves the jail
    (epair1a) and as it leaves the host (rl0), from a fetch."""
    box.run("tcpdump -c 1 -n -i epair1a > /tmp/inside 2>&1 & "
            "tcpdump -c 1 -n -i rl0 > /tmp/outside 2>&1 &").check()
    box.run("jexec testjail fetch -qo /dev/null http://198.51.100.80/").check()

    def port(path: str) -> int:
        line = next(l for l in run(box, f"cat {path}")[1].splitlines() if " > 198.51.100.80.80:" in l)
        return int(line.split(" > ")[0].rsplit(".", 1)[1])
    return port("/tmp/inside"), port("/tmp/outside")


def test_same_ports_is_on_unless_turned_off(guide):
    guide.run("service ipfw start && jexec testjail ipfw -q add 100 allow ip from any to any").check()
    inside, outside = first_source_ports(guide)
    assert inside == outside
    guide.run("service ipfw stop && printf 'same_ports no\\n' >> /etc/natd.conf && "
              "service ipfw start").check()
    inside, outside = first_source_ports(guide)
    assert inside != outside and 32768 <= outside <= 65535


def test_log_writes_alias_log(natd):
    natd.run("natd -n fxp0 -log").check()
    assert run(natd, "cat /var/log/alias.log") == (
        0, "PacketAlias/InitPacketAliasLog: Packet alias logging enabled.\n", "")


def test_rc_firewall_open_diverts_to_natd_on_natd_interface(host):
    # without firewall_script rc.d/ipfw runs /etc/rc.firewall, whose open
    # type adds rule 50 for natd; natd_precmd gives natd "-n fxp0"
    host.run("sysrc firewall_enable=YES firewall_type=open firewall_quiet=YES natd_enable=YES "
             "natd_interface=fxp0").check()
    assert run(host, "service ipfw start") == (0, "Firewall rules loaded.\nStarting natd.\n", "")
    assert run(host, "ipfw list 50") == (0, "00050 divert 8668 ip4 from any to any via fxp0\n", "")
    assert "div4   *:8668 " in run(host, "sockstat -4")[1]
    assert host.run("ping -c 1 10.0.10.1").succeeded
