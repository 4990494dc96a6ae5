"""ipfw on the sim: ipfw(8)'s commands, output and errors, first-match
rules with the default rule, states, in-kernel nat and natd through divert,
and an instance in every VNET jail."""

from __future__ import annotations

import pytest

import jailkit
from tests.conftest import PROVISIONED_BOX, run


@pytest.fixture
def ipfw(host):
    host.run("kldload ipfw").check()
    return host


def ping(host, where: str = "", target: str = "10.0.10.1") -> int:
    prefix = f"jexec {where} " if where else ""
    return host.run(f"{prefix}ping -c 1 {target}").exit_status


def test_without_the_module_ipfw_has_no_kernel_to_talk_to(host):
    assert run(host, "ipfw list") == (71, "", "ipfw: retrieving config failed: Protocol not available\n")
    assert run(host, "ipfw add allow ip from any to any") == (
        69, "", "ipfw: getsockopt(IP_FW_XADD): Protocol not available\n")


def test_a_fresh_ipfw_denies_everything_but_says_so(ipfw):
    assert run(ipfw, "ipfw list") == (0, "65535 deny ip from any to any\n", "")
    assert run(ipfw, "ping -c 1 10.0.10.1")[2] == "ping: sendto: Permission denied\n"


def test_the_default_to_accept_tunable_opens_the_default_rule():
    box = jailkit.connect(PROVISIONED_BOX)          # provision.sh sets it, then loads ipfw
    assert run(box, "ipfw list 65535") == (0, "65535 allow ip from any to any\n", "")
    assert box.run("ping -c 1 10.0.2.2").succeeded


def test_add_prints_the_rule_as_stored(ipfw):
    assert run(ipfw, "ipfw add 100 pass all from any to any via lo0") == (
        0, "00100 allow ip from any to any via lo0\n", "")
    assert run(ipfw, "ipfw add deny tcp from 10.0.0.0/8 1024-65535 to me 22,80 in setup")[1] == (
        "00200 deny tcp from 10.0.0.0/8 1024-65535 to me 22,80 in setup\n")
    assert run(ipfw, "ipfw -q add 50 allow icmp from any to any icmptypes 8 keep-state") == (0, "", "")
    assert run(ipfw, "ipfw list")[1] == (
        "00050 allow icmp from any to any icmptypes 8 keep-state :default\n"
        "00100 allow ip from any to any via lo0\n"
        "00200 deny tcp from 10.0.0.0/8 1024-65535 to me 22,80 in setup\n"
        "65535 deny ip from any to any\n")


@pytest.mark.parametrize("rule, status, message", [
    ("", 64, "ipfw: missing action\n"),
    ("frobnicate ip from any to any", 65, "ipfw: invalid action frobnicate\n\n"),
    ("allow bogus from any to any", 65, "ipfw: invalid protocol ``bogus''\n"),
    ("allow ip any to any", 64, "ipfw: missing ``from''\n"),
    ("allow ip from any any", 64, "ipfw: missing ``to''\n"),
    ("allow ip from any to any sometimes", 64, "ipfw: unrecognised option [-1] sometimes\n\n"),
    ("skipto", 64, "ipfw: missing argument for skipto\n"),
    ("allow ip from nosuch.example to any", 68, "ipfw: hostname ``nosuch.example'' unknown\n"),
])
def test_bad_rules_get_ipfws_errors_and_add_nothing(ipfw, rule, status, message):
    assert run(ipfw, f"ipfw add {rule}") == (status, "", message)
    assert run(ipfw, "ipfw list")[1] == "65535 deny ip from any to any\n"


def test_delete_and_flush(ipfw):
    ipfw.run("ipfw -q add 100 allow ip from any to any; ipfw -q add 200 allow ip from any to any").check()
    assert run(ipfw, "ipfw delete 300") == (69, "", "ipfw: rule 300 not found\n")
    assert run(ipfw, "ipfw -q delete 300") == (69, "", "")
    assert run(ipfw, "ipfw delete 100") == (0, "", "")
    # flush asks first; "n" (or no answer) keeps the rules
    assert run(ipfw, "ipfw flush", stdin="n\n") == (0, "Are you sure? [yn] ", "")
    assert "00200" in run(ipfw, "ipfw list")[1]
    assert run(ipfw, "ipfw flush", stdin="y\n") == (0, "Are you sure? [yn] \nFlushed all rules.\n", "")
    assert run(ipfw, "ipfw list")[1] == "65535 deny ip from any to any\n"


def test_show_counts_packets_and_bytes(ipfw):
    ipfw.run("ipfw -q add 100 allow ip from any to any").check()
    ipfw.run("ping -c 2 10.0.10.1").check()
    lines = run(ipfw, "ipfw show")[1].splitlines()
    assert lines[0] == "00100 4 336 allow ip from any to any"       # two requests, two replies
    assert lines[1] == "65535 0   0 deny ip from any to any"


def test_first_match_wins(ipfw):
    ipfw.run("ipfw -q add 100 deny icmp from any to 10.0.10.1; "
             "ipfw -q add 200 allow ip from any to any").check()
    assert ping(ipfw) == 2
    assert ping(ipfw, target="127.0.0.1") == 0
    ipfw.run("ipfw -q add 50 allow icmp from any to any").check()
    assert ping(ipfw) == 0


def test_skipto_and_count(ipfw):
    ipfw.run("ipfw -q add 100 count ip from any to any; ipfw -q add 110 skipto 300 icmp from any to any; "
             "ipfw -q add 200 deny ip from any to any; ipfw -q add 300 allow ip from any to any").check()
    assert ping(ipfw) == 0
    assert run(ipfw, "ipfw show 100")[1].startswith("00100 2 168 count ip from any to any")


def test_keep_state_answers_a_stateful_outbound_rule(ipfw):
    ipfw.run("ipfw -q add 100 check-state; "
             "ipfw -q add 200 allow icmp from me to any out keep-state").check()
    assert ping(ipfw) == 0      # the reply matches the dynamic rule at check-state
    ipfw.run("ipfw -q delete 200 && ipfw -q add 200 allow icmp from me to any out").check()
    assert ping(ipfw) == 2      # no state: the reply meets the default rule


def test_reset_refuses_a_tcp_connection_at_once(ipfw):
    ipfw.run("ipfw -q add 100 reset tcp from any to any 43; ipfw -q add 200 allow ip from any to any").check()
    assert run(ipfw, "whois freebsd.org") == (71, "", "whois: connect(): Operation timed out\n")
    assert ipfw.machine.kernel.clock < 1                  # refused, not left to time out


def test_a_vnet_jail_gets_its_own_instance(ipfw, jail):
    ipfw.run("ipfw -q add 100 allow ip from any to any").check()
    # the jail's own default rule, not the host's rules, stops it
    assert run(ipfw, "jexec v10 ipfw list")[1] == "65535 deny ip from any to any\n"
    assert ping(ipfw, "v10") == 2
    ipfw.run("jexec v10 ipfw -q add 100 allow ip from any to any").check()
    assert ping(ipfw, "v10") == 0
    # the host's ipfw sees the jail's packets on the bridge
    ipfw.run("ipfw -q add 50 deny icmp from 10.0.10.10 to any").check()
    assert ping(ipfw, "v10") == 2


def test_a_plain_jail_cannot_use_ipfw(ipfw):
    ipfw.run("jail -c name=plain persist").check()
    assert run(ipfw, "jexec plain ipfw list") == (69, "", "ipfw: socket: Operation not permitted\n")


def test_in_kernel_nat(ipfw):
    assert run(ipfw, "ipfw nat 1 config if fxp0") == (
        1, "", "ipfw: setsockopt(IP_FW_NAT44_XCONFIG): Invalid argument\n")
    ipfw.run("kldload ipfw_nat").check()
    assert run(ipfw, "ipfw nat 1 config if fxp0 same_ports redirect_port tcp 10.192.0.10:22 2222") == (
        0, "ipfw nat 1 config if fxp0 same_ports redirect_port tcp 10.192.0.10:22 2222\n", "")
    assert run(ipfw, "ipfw nat show config")[1] == (
        "ipfw nat 1 config if fxp0 same_ports redirect_port tcp 10.192.0.10:22 2222\n")
    # jails behind the host on 10.192.0.0/24, translated on their way out fxp0
    ipfw.run("ifconfig bridge0 create up && ifconfig bridge0 inet 10.192.0.1/24 && "
             "ifconfig epair create > /dev/null && ifconfig bridge0 addm epair0a && "
             "ifconfig epair0a up && jail -c name=j persist vnet vnet.interface=epair0b && "
             "jexec j ifconfig epair0b 10.192.0.10/24 up && jexec j route add default 10.192.0.1 && "
             "sysctl net.inet.ip.forwarding=1 > /dev/null").check()
    # (the jail has an ipfw of its own, which must let it out too)
    ipfw.run("ipfw -q add 100 allow ip from any to any; "
             "jexec j ipfw -q add 100 allow ip from any to any").check()
    assert ping(ipfw, "j", "198.51.100.80") == 2          # the internet has no way back
    ipfw.run("ipfw -q add 50 nat 1 ip from any to any via fxp0").check()
    assert ping(ipfw, "j", "198.51.100.80") == 0


def test_natd_through_divert(ipfw):
    # natd.c main(): the default port is one socket for both ways ("divert
    # socket", not "incoming"), and the check names the instance
    assert run(ipfw, "natd -n fxp0") == (1, "", "natd: Unable to create divert socket.: "
                                                "Address family not supported by protocol family\n")
    ipfw.run("kldload ipdivert").check()
    assert run(ipfw, "natd") == (1, "", "natd: instance default: aliasing address not given\n")
    status, _, err = run(ipfw, "natd -bogus")       # ParseOption(): warnx() without the "-", Usage()
    assert status == 1 and err.startswith("natd: unknown option bogus\nRecognized options:\n")
    ipfw.run("printf 'interface fxp0\\nsame_ports yes\\n' > /etc/natd.conf && natd -f /etc/natd.conf").check()
    assert run(ipfw, "natd -n fxp0") == (1, "", "natd: Unable to bind divert socket.: "
                                                "Address already in use\n")
    ipfw.run("ifconfig bridge0 create up && ifconfig bridge0 inet 10.192.0.1/24 && "
             "ifconfig epair create > /dev/null && ifconfig bridge0 addm epair0a && "
             "ifconfig epair0a up && jail -c name=j persist vnet vnet.interface=epair0b && "
             "jexec j ifconfig epair0b 10.192.0.10/24 up && jexec j route add default 10.192.0.1 && "
             "sysctl net.inet.ip.forwarding=1 > /dev/null").check()
    ipfw.run("ipfw -q add 50 divert natd ip4 from any to any via fxp0; "
             "ipfw -q add 100 allow ip from any to any; "
             "jexec j ipfw -q add 100 allow ip from any to any").check()
    assert run(ipfw, "ipfw list 50")[1] == "00050 divert 8668 ip4 from any to any via fxp0\n"
    assert ping(ipfw, "j", "198.51.100.80") == 0


def test_a_rules_file_runs_line_by_line(ipfw):
    ipfw.run("printf 'add 100 allow ip from any to any via lo0\\nadd 200 allow icmp from any to any\\n"
             "add 300 bogus\\nadd 400 allow ip from any to any\\n' > /etc/ipfw.rules").check()
    status, out, err = run(ipfw, "ipfw /etc/ipfw.rules")
    assert status == 65 and err == "ipfw: invalid action bogus\n\n"
    assert out == "00100 allow ip from any to any via lo0\n00200 allow icmp from any to any\n"


def test_rc_firewall_open(ipfw):
    out = run(ipfw, "sh /etc/rc.firewall open")[1]
    assert out.splitlines()[0] == "Flushed all rules."
    assert run(ipfw, "ipfw list")[1] == (
        "00100 allow ip from any to any via lo0\n"
        "00200 deny ip from any to 127.0.0.0/8\n"
        "00300 deny ip from 127.0.0.0/8 to any\n"
        "00400 deny ip from any to ::1\n"
        "00500 deny ip from ::1 to any\n"
        "00600 allow ipv6-icmp from :: to ff02::/16\n"
        "00700 allow ipv6-icmp from fe80::/10 to fe80::/10\n"
        "00800 allow ipv6-icmp from fe80::/10 to ff02::/16\n"
        "00900 allow ipv6-icmp from any to any icmp6types 1\n"
        "01000 allow ipv6-icmp from any to any icmp6types 2,135,136\n"
        "65000 allow ip from any to any\n"
        "65535 deny ip from any to any\n")
    assert ping(ipfw) == 0


OUTSIDE = ("ifconfig epair5 create > /dev/null && ifconfig epair5a 192.0.2.2/24 up && "
           "jail -c name=o path=/ persist vnet vnet.interface=epair5b && "
           "jexec o ifconfig epair5b 192.0.2.1/24 up && "
           "ifconfig bridge0 create up && ifconfig bridge0 inet 10.192.0.1/24 && "
           "ifconfig epair create > /dev/null && ifconfig bridge0 addm epair0a && "
           "ifconfig epair0a up && jail -c name=j path=/ persist vnet vnet.interface=epair0b && "
           "jexec j ifconfig epair0b 10.192.0.10/24 up && jexec j route add default 10.192.0.1 && "
           "jexec j ipfw -q add 100 allow ip from any to any && jexec o ipfw -q add 100 allow ip "
           "from any to any && jexec j /usr/sbin/sshd && "
           "sysctl net.inet.ip.forwarding=1 > /dev/null && ipfw -q add 100 allow ip from any to any")


def test_redirect_port_in_kernel_nat(ipfw):
    # o (outside, 192.0.2.1) -- epair5a (the host's outside, 192.0.2.2) | bridge0 -- j's sshd
    ipfw.run("kldload ipfw_nat && " + OUTSIDE).check()
    ipfw.run("ipfw -q nat 1 config if epair5a redirect_port tcp 10.192.0.10:22 2222 && "
             "ipfw -q add 50 nat 1 ip from any to any via epair5a").check()
    status, out, _ = run(ipfw, "jexec o whois -h 192.0.2.2 -p 2222 x")
    assert status == 0 and out.startswith("SSH-2.0-OpenSSH_")


def test_redirect_port_through_natd(ipfw):
    ipfw.run("kldload ipdivert && " + OUTSIDE).check()
    ipfw.run("printf 'interface epair5a\\nredirect_port tcp 10.192.0.10:22 2222\\n' > /etc/natd.conf && "
             "natd -f /etc/natd.conf && ipfw -q add 50 divert natd ip4 from any to any via epair5a").check()
    status, out, _ = run(ipfw, "jexec o whois -h 192.0.2.2 -p 2222 x")
    assert status == 0 and out.startswith("SSH-2.0-OpenSSH_")
    # without natd listening, divert has nowhere to go: the packets are lost
    ipfw.run("ipfw -q delete 50 && ipfw -q add 50 divert 8669 ip4 from any to any via epair5a").check()
    assert run(ipfw, "jexec o whois -h 192.0.2.2 -p 2222 x")[0] == 71
