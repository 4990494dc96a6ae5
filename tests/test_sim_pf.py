"""pf on the sim: pfctl's options, messages and errors, pf.conf as pfctl
prints it back, and pf's decisions (last match unless quick, default pass,
state, nat and rdr), in the host and in a VNET jail."""

from __future__ import annotations

import hashlib
from ipaddress import IPv4Address

import pytest

import jailkit
from jailkit.qjail import Qjail
from jailkit.sim.network import send
from jailkit.sim.packet import Packet
from tests.conftest import run


@pytest.fixture
def pf(host):
    host.run("kldload pf").check()
    return host


def load(host, rules: str, *options: str) -> tuple[int, str, str]:
    return run(host, ["pfctl", *options, "-f", "-"], stdin=rules)


@pytest.fixture
def routed(jail):
    """The howto's jail v10 with the gateway as its default route."""
    jail.run("jexec v10 route add default 10.0.10.1").check()
    return jail


# -- pfctl ----------------------------------------------------------------------------------

def test_without_the_module_there_is_no_dev_pf(host):
    assert run(host, "pfctl -s rules") == (1, "", "pfctl: /dev/pf: No such file or directory\n")


def test_enable_and_disable_say_so_on_stderr(pf):
    assert run(pf, "pfctl -e") == (0, "", "pf enabled\n")
    assert run(pf, "pfctl -e") == (1, "", "pfctl: pf already enabled\n")
    assert run(pf, "pfctl -s Running") == (0, "Enabled\n", "")
    assert run(pf, "pfctl -d") == (0, "", "pf disabled\n")
    assert run(pf, "pfctl -d") == (1, "", "pfctl: pf not enabled\n")
    assert run(pf, "pfctl -q -e") == (0, "", "")


def test_usage_and_unknown_modifiers(pf):
    status, _, err = run(pf, "pfctl")
    assert status == 1 and err.startswith("usage: pfctl [-AdeghMmNnOPqRrvz]")
    status, _, err = run(pf, "pfctl -s bogus")
    assert status == 1 and err.startswith("pfctl: Unknown show modifier 'bogus'\nusage: pfctl")
    status, _, err = run(pf, "pfctl -F bogus")
    assert status == 1 and err.startswith("pfctl: Unknown flush modifier 'bogus'\n")


def test_rules_are_printed_the_way_pfctl_prints_them(pf):
    rules = ('ext_if = "fxp0"\n'
             "set skip on lo0\n"
             "block in all\n"
             "pass out quick on $ext_if proto tcp from any to any port { 22, 80 }\n"
             "block return in on ! $ext_if proto udp from 10.0.0.0/8 port 1024:65535 to self\n"
             "pass in proto icmp from any to 10.0.10.2 keep state\n"
             "pass in log proto tcp from any to any port != 43 no state\n")
    assert load(pf, rules) == (0, "", "")
    assert run(pf, "pfctl -s rules")[1] == (
        "block drop in all\n"
        "pass out quick on fxp0 proto tcp from any to any port = ssh flags S/SA keep state\n"
        "pass out quick on fxp0 proto tcp from any to any port = http flags S/SA keep state\n"
        "block return in on ! fxp0 inet proto udp from 10.0.0.0/8 port 1024:65535 to 10.0.10.2\n"
        "block return in on ! fxp0 inet proto udp from 10.0.0.0/8 port 1024:65535 to 127.0.0.1\n"
        "pass in inet proto icmp from any to 10.0.10.2 keep state\n"
        "pass in log proto tcp from any to any port != nicname no state\n")


def test_block_policy_return(pf):
    load(pf, "set block-policy return\nblock all\n")
    assert run(pf, "pfctl -s rules")[1] == "block return all\n"


def test_nat_and_rdr_are_printed_with_their_pools(pf):
    rules = ("nat on fxp0 from 10.192.0.0/24 to any -> (fxp0)\n"
             "rdr pass on fxp0 inet proto udp from any to fxp0 port 22124 -> 10.192.0.10\n"
             "nat on fxp0 from fxp0:network to any -> 10.0.10.2\n")
    assert load(pf, rules)[0] == 0
    assert run(pf, "pfctl -s nat")[1] == (
        "nat on fxp0 inet from 10.192.0.0/24 to any -> (fxp0) round-robin\n"
        "nat on fxp0 inet from 10.0.10.0/28 to any -> 10.0.10.2\n"
        "rdr pass on fxp0 inet proto udp from any to 10.0.10.2 port = 22124 -> 10.192.0.10\n")


@pytest.mark.parametrize("rules, line, message", [
    ("pass all\nblock out foo\n", 2, "syntax error"),
    ("pass all\n\npass out on fxp0 proto tcp to any port 99999\n", 3, "syntax error"),
    ("pass in from $nowhere\n", 1, "macro 'nowhere' not defined"),
    ("pass proto icmp to any port 80\n", 1, "port only applies to tcp/udp"),
    ("pass proto tcp flags S\n", 1, "syntax error"),
    ("pass proto tcp flags S/SX\n", 1, "bad flags SX"),
])
def test_a_bad_file_names_the_line_and_leaves_the_rules(pf, rules, line, message):
    load(pf, "block all\n")
    assert load(pf, rules) == (1, "", f"stdin:{line}: {message}\n"
                                      "pfctl: Syntax error in config file: pf rules not loaded\n")
    assert run(pf, "pfctl -s rules")[1] == "block drop all\n"


def test_a_file_is_named_as_pfctl_names_it(pf):
    pf.run("printf 'pass all\\nblock nonsense\\n' > /etc/pf.conf").check()
    assert run(pf, "pfctl -f /etc/pf.conf")[2].startswith("/etc/pf.conf:2: syntax error\n")
    status, _, err = run(pf, "pfctl -f /etc/nothing.conf")
    assert status == 1 and err.startswith("pfctl: /etc/nothing.conf: No such file or directory\n")


def test_unmodelled_syntax_says_so(pf):
    status, _, err = load(pf, "binat on em0 from 10.0.0.1 to any -> 192.0.2.1\n")
    assert status == 1 and err.startswith("stdin:1: binat rules are not modelled by the jailkit sim\n")


def test_parse_only_and_verbose(pf):
    assert load(pf, "pass all\n", "-n", "-v") == (0, "pass all flags S/SA keep state\n", "")
    assert run(pf, "pfctl -s rules")[1] == ""


def test_flush_all_says_what_it_clears(pf):
    load(pf, "pass all\n")
    pf.run("pfctl -e").check()
    pf.run("ping -c 1 10.0.10.1").check()
    assert run(pf, "pfctl -F all") == (0, "", (
        "Ethernet rules cleared\nrules cleared\nnat cleared\n0 tables deleted.\n1 states cleared\n"
        "source tracking entries cleared\npf: statistics cleared\npf: interface flags reset\n"))
    assert run(pf, "pfctl -s rules")[1] == ""


def test_info_shows_status_and_counters(pf):
    out = run(pf, "pfctl -s info")[1]
    # print_status(): the status line padded to 44 columns, "Debug:" right-aligned in 15
    assert out.startswith("Status: Disabled for 0 days 00:00:00          Debug: Urgent\n\n"
                          "State Table                          Total             Rate\n"
                          "  current entries                        0               \n")
    assert "  match                                  0            0.0/s\n" in out


# -- pf's decisions ------------------------------------------------------------------------

def ping(host, where: str = "", target: str = "10.0.10.1") -> int:
    prefix = f"jexec {where} " if where else ""
    return host.run(f"{prefix}ping -c 1 {target}").exit_status


def test_loaded_rules_filter_only_once_pf_is_enabled(pf):
    load(pf, "block all\n")
    assert ping(pf) == 0
    pf.run("pfctl -e").check()
    status, _, err = run(pf, "ping -c 1 10.0.10.1")
    assert status == 2 and err == "ping: sendto: Permission denied\n"


def test_last_match_wins_unless_quick(pf):
    pf.run("pfctl -e").check()
    load(pf, "block all\npass all\n")
    assert ping(pf) == 0
    load(pf, "block quick all\npass all\n")
    assert ping(pf) == 2
    load(pf, "pass all\nblock out proto icmp to 10.0.10.9\n")
    assert ping(pf) == 0


def test_state_lets_the_answer_in(pf):
    pf.run("pfctl -e").check()
    load(pf, "block in all\npass out all\n")
    assert ping(pf) == 0                      # the echo reply matches the state
    load(pf, "block in all\npass out all no state\n")
    pf.run("pfctl -F states").check()
    assert ping(pf) == 2                      # nothing lets the reply back in


def test_a_stateful_pass_rule_is_flags_s_sa_and_a_connections_first_segment_matches(pf):
    # (a later segment matches no such rule: tests/test_harness_session.py)
    load(pf, "block all\npass out proto tcp to any port 43 keep state\npass out proto udp\n")
    pf.run("pfctl -e").check()
    assert run(pf, "pfctl -s rules")[1].splitlines()[1] == (
        "pass out proto tcp from any to any port = nicname flags S/SA keep state")
    assert pf.run("whois -h whois.iana.org x").succeeded


def test_kill_states_by_source_and_destination(pf):
    load(pf, "pass all\n")
    pf.run("pfctl -e").check()
    pf.run("ping -c 1 10.0.10.1").check()
    assert run(pf, "pfctl -k 10.0.10.1") == (0, "", "killed 0 states from 1 sources and 0 destinations\n")
    assert run(pf, "pfctl -k 10.0.10.0/28 -k 10.0.10.1") == (
        0, "", "killed 1 states from 1 sources and 1 destinations\n")
    assert run(pf, "pfctl -s states") == (0, "", "")
    assert run(pf, "pfctl -q -k 10.0.10.2") == (0, "", "")
    assert run(pf, "pfctl -k a -k b -k c")[2].startswith("pfctl: can only specify -k twice\nusage:")


def test_states_are_listed(pf):
    pf.run("pfctl -e").check()
    load(pf, "pass all\n")
    pf.run("ping -c 1 10.0.10.1").check()
    states = run(pf, "pfctl -s states")[1].splitlines()
    assert len(states) == 1
    assert states[0].startswith("all icmp 10.0.10.2:") and states[0].endswith("       0:0")


def test_the_host_pf_filters_what_its_bridge_forwards(pf, routed):
    load(pf, "pass all\nblock out quick on fxp0 proto icmp\n")
    pf.run("pfctl -e").check()
    assert ping(pf, "v10") == 2               # dropped on the bridge's member fxp0
    load(pf, "pass all\n")
    assert ping(pf, "v10") == 0


def test_block_return_refuses_a_tcp_connection(pf, routed):
    load(pf, "pass all\nblock return out quick on fxp0 proto tcp to any port 43\n")
    pf.run("pfctl -e").check()
    assert run(pf, "jexec v10 whois freebsd.org") == (71, "", "whois: connect(): Operation timed out\n")
    assert pf.run("jexec v10 ping -c 1 www.freebsd.org").succeeded


def test_nat_on_the_host_translates_a_jails_network(pf):
    # The vnet-jib-pf-nat pattern: jails on a bridge with a private network,
    # the host NATs them to its LAN address.
    pf.run("ifconfig bridge0 create up && ifconfig bridge0 inet 10.192.0.1/24 && "
           "ifconfig epair create > /dev/null && ifconfig bridge0 addm epair0a && "
           "ifconfig epair0a up && jail -c name=j persist vnet vnet.interface=epair0b && "
           "jexec j ifconfig epair0b 10.192.0.10/24 up && jexec j route add default 10.192.0.1 && "
           "sysctl net.inet.ip.forwarding=1").check()
    assert ping(pf, "j", "198.51.100.80") == 2      # the gateway has no route back to 10.192/24
    load(pf, "nat on fxp0 from bridge0:network to any -> (fxp0)\n")
    pf.run("pfctl -e").check()
    assert ping(pf, "j", "198.51.100.80") == 0
    state = run(pf, "pfctl -s states")[1]
    assert "all icmp 10.0.10.2:" in state and "(10.192.0.10:" in state


def test_rdr_reaches_a_server_behind_a_router(pf):
    # host --epair0-- jail r (routes, pf rdr) --epair1-- jail s (sshd on 22)
    pf.run("ifconfig epair0 create > /dev/null && ifconfig epair1 create > /dev/null && "
           "ifconfig epair0a 192.0.2.1/24 up && "
           "jail -c name=r path=/ persist vnet vnet.interface=epair0b vnet.interface=epair1a && "
           "jail -c name=s path=/ persist vnet vnet.interface=epair1b && "
           "jexec r ifconfig epair0b 192.0.2.2/24 up && jexec r ifconfig epair1a 10.1.0.1/24 up && "
           "jexec r sysctl net.inet.ip.forwarding=1 > /dev/null && "
           "jexec s ifconfig epair1b 10.1.0.2/24 up && jexec s route add default 10.1.0.1 && "
           "jexec s /usr/sbin/sshd").check()
    pf.run("jexec r pfctl -q -f -", stdin="rdr pass on epair0b proto tcp from any to epair0b "
                                          "port 2222 -> 10.1.0.2 port 22\n").check()
    # before pf is on in r, nothing listens on 2222 there
    assert run(pf, "whois -h 192.0.2.2 -p 2222 x") == (71, "", "whois: connect(): Operation timed out\n")
    pf.run("jexec r pfctl -q -e").check()
    # whois prints whatever the server says: sshd's version line
    status, out, _ = run(pf, "whois -h 192.0.2.2 -p 2222 x")
    assert status == 0 and out.startswith("SSH-2.0-OpenSSH_")
    assert "<- 192.0.2.1:" in run(pf, "jexec r pfctl -s states")[1]


def test_pf_in_a_vnet_jail_is_the_jails_own(pf, routed):
    # A jail needs a devfs ruleset that shows /dev/pf (qjail -v pf uses 70).
    assert run(pf, "jexec v10 pfctl -s rules") == (1, "", "pfctl: /dev/pf: No such file or directory\n")
    Qjail(pf).stop("v10")
    Qjail(pf).config("v10", firewall="pf")
    Qjail(pf).start("v10")
    pf.run("jexec v10 route add default 10.0.10.1").check()
    assert run(pf, "jexec v10 pfctl -s Running")[1] == "Enabled\n"   # its rc started pf
    assert run(pf, "pfctl -s Running")[1] == "Disabled\n"           # the host's is not
    load(pf, "block all\n")                                          # the host's rules
    assert ping(pf, "v10") == 0
    pf.run("jexec v10 pfctl -f -", stdin="block out quick proto icmp\npass all\n").check()
    assert ping(pf, "v10") == 2


# -- the vnet-jib-pf-nat howto's pf.conf -------------------------------------------------------

JIB_PF_CONF = ('ext_if="vtnet0"       # physical interface\n'
               'int_if="vtnet0bridge" # bridge interface\n'
               "\n"
               "nat pass on $ext_if from $int_if:network to any -> ($ext_if)\n"
               "rdr pass on $ext_if inet proto udp from any to $ext_if port 22124 -> 10.192.0.10\n")
OUTSIDER = "www.freebsd.org"


@pytest.fixture
def cloud():
    """The howto's cloud VM: its jail j (10.192.0.10) on vtnet0bridge, an
    echo service on an internet host, the howto's pf.conf in /etc."""
    box = jailkit.connect("sim://?lab=vnet-jib-pf-nat")
    box.run_on(OUTSIDER, "echo 'echo dgram udp wait root internal' > /etc/inetd.conf && inetd").check()
    box.run("kldload pf && ifconfig bridge0 create up && ifconfig bridge0 name vtnet0bridge && "
            "ifconfig vtnet0bridge inet 10.192.0.1/24 && ifconfig epair create && "
            "ifconfig vtnet0bridge addm epair0a && ifconfig epair0a up && "
            "jail -c name=j path=/ persist vnet vnet.interface=epair0b && "
            "jexec j ifconfig epair0b 10.192.0.10/24 up && jexec j route add default 10.192.0.1 && "
            "sysctl net.inet.ip.forwarding=1").check()
    box.run("cat > /etc/pf.conf", stdin=JIB_PF_CONF).check()
    return box


def udp_echo(box, word: str) -> str:
    return box.run(f"jexec j sh -c 'echo {word} | nc -u -w 1 198.51.100.80 7'").stdout


def test_pfctl_n_parses_without_dev_pf_and_prints_macros_and_rules_with_v(cloud):
    cloud.run("kldunload pf").check()
    assert run(cloud, "pfctl -nf /etc/pf.conf") == (0, "", "")
    # parse.y prints each macro as it is set, pfctl each rule as parsed
    assert run(cloud, "pfctl -nvf /etc/pf.conf") == (0, (
        'ext_if = "vtnet0"\n'
        'int_if = "vtnet0bridge"\n'
        "nat pass on vtnet0 inet from 10.192.0.0/24 to any -> (vtnet0) round-robin\n"
        "rdr pass on vtnet0 inet proto udp from any to 203.0.113.10 port = 22124 -> 10.192.0.10\n"), "")
    # -n turns -e, -d and -s off
    assert run(cloud, "pfctl -n -e -s rules -f /etc/pf.conf") == (0, "", "")
    assert run(cloud, "pfctl -s rules") == (1, "", "pfctl: /dev/pf: No such file or directory\n")


def test_a_pf_conf_error_names_its_line_and_nothing_is_loaded(cloud):
    cloud.run("pfctl -f /etc/pf.conf").check()
    cloud.run("cat > /etc/pf.bad", stdin="ext_if=\"vtnet0\"\n\nnat pass on $ext_if from any to any "
                                        "-> ($ext_if\npass all\n").check()
    assert run(cloud, "pfctl -f /etc/pf.bad") == (
        1, "", "/etc/pf.bad:3: syntax error\npfctl: Syntax error in config file: pf rules not loaded\n")
    assert run(cloud, "pfctl -nf /etc/pf.bad") == (1, "", "/etc/pf.bad:3: syntax error\n")
    assert run(cloud, "pfctl -s nat")[1].startswith("nat pass on vtnet0 inet from 10.192.0.0/24")
    assert run(cloud, "pfctl -s rules") == (0, "", "")


def test_nat_takes_source_ports_from_50001_up_unless_static_port(cloud):
    cloud.run("pfctl -f /etc/pf.conf && pfctl -e").check()
    assert udp_echo(cloud, "one") == "one\n"
    state = run(cloud, "pfctl -s state")[1]
    wire, _, stack = state.removeprefix("all udp 203.0.113.10:").partition(" (10.192.0.10:")
    assert 50001 <= int(wire) <= 65535 and int(wire) != int(stack.partition(")")[0])
    cloud.run("pfctl -F states && pfctl -f -",
              stdin=JIB_PF_CONF.replace("($ext_if)\n", "($ext_if) static-port\n")).check()
    assert run(cloud, "pfctl -s nat")[1].startswith(
        "nat pass on vtnet0 inet from 10.192.0.0/24 to any -> (vtnet0) round-robin static-port\n")
    assert udp_echo(cloud, "two") == "two\n"
    wire, _, stack = run(cloud, "pfctl -s state")[1].removeprefix("all udp 203.0.113.10:").partition(
        " (10.192.0.10:")
    assert wire == stack.partition(")")[0]


def test_a_second_connection_to_the_same_place_gets_another_port(cloud):
    cloud.run("pfctl -f /etc/pf.conf && pfctl -e").check()
    udp_echo(cloud, "one")
    udp_echo(cloud, "two")
    ports = [line.split()[2] for line in run(cloud, "pfctl -ss")[1].splitlines()]
    assert len(ports) == 2 and len(set(ports)) == 2


def test_udp_states_name_each_peers_level(cloud):
    cloud.run("pfctl -f /etc/pf.conf && pfctl -e").check()
    assert udp_echo(cloud, "one") == "one\n"
    # the jail sent one datagram and got one: pf.c moves the sender to SINGLE
    # and a SINGLE receiver to MULTIPLE
    status, out, _ = run(cloud, "pfctl -s state")
    assert status == 0 and out.endswith(" -> 198.51.100.80:7       MULTIPLE:SINGLE\n")
    verbose = run(cloud, "pfctl -vs state")[1].splitlines()
    assert verbose[0] == out.rstrip("\n")
    assert verbose[1].startswith("   age 00:00:0") and verbose[1].endswith(
        ", expires in 00:00:28, 1:1 pkts, 60:120 bytes, rule 0")


def test_rdr_makes_an_incoming_state_with_the_jails_address_first(cloud):
    cloud.run("pfctl -f /etc/pf.conf && pfctl -e && "
              "echo 'echo dgram udp wait root internal' > /etc/inetd.conf && jexec j inetd").check()
    cloud.run("pfctl -f -", stdin=JIB_PF_CONF.replace("port 22124", "port 7")).check()
    assert cloud.run_on(OUTSIDER, "echo hey | nc -u -w 1 203.0.113.10 7").stdout == "hey\n"
    state = run(cloud, "pfctl -s state")[1]
    assert state.startswith("all udp 10.192.0.10:7 (203.0.113.10:7) <- 198.51.100.80:")
    assert state.endswith("       SINGLE:MULTIPLE\n")


def test_tcp_states_through_nat(cloud):
    cloud.run("pfctl -f /etc/pf.conf && pfctl -e").check()
    assert cloud.run("jexec j fetch -qo - http://198.51.100.80/").succeeded
    state = run(cloud, "pfctl -s state")[1]
    assert state.startswith("all tcp 203.0.113.10:") and "(10.192.0.10:" in state
    assert state.endswith(" -> 198.51.100.80:80       ESTABLISHED:ESTABLISHED\n")


def test_rdr_to_the_interfaces_address_at_packet_time_and_a_nat_port_range(cloud):
    conf = ('ext_if = "vtnet0"\n'
            "nat pass on $ext_if from 10.192.0.0/24 to any -> ($ext_if) port 1024:1100\n"
            "rdr pass on $ext_if inet proto udp from any to ($ext_if) port 7 -> 10.192.0.10\n")
    cloud.run("pfctl -f - && pfctl -e", stdin=conf).check()
    assert run(cloud, "pfctl -s nat")[1] == (
        "nat pass on vtnet0 inet from 10.192.0.0/24 to any -> (vtnet0) port 1024:1100 round-robin\n"
        "rdr pass on vtnet0 inet proto udp from any to (vtnet0) port = echo -> 10.192.0.10\n")
    assert udp_echo(cloud, "out") == "out\n"
    port = int(run(cloud, "pfctl -ss")[1].split()[2].rpartition(":")[2])
    assert 1024 <= port <= 1100
    cloud.run("echo 'echo dgram udp wait root internal' > /etc/inetd.conf && jexec j inetd").check()
    assert cloud.run_on(OUTSIDER, "echo in | nc -u -w 1 203.0.113.10 7").stdout == "in\n"


def test_the_bridge_pfil_sysctls_choose_the_hooks_a_bridged_packet_meets(pf, routed):
    # if_bridge.c bridge_pfil(): the members' hooks with pfil_member (the
    # default), the bridge interface's own with pfil_bridge
    load(pf, "pass all\nblock out quick on fxp0 proto icmp\n")
    pf.run("pfctl -e").check()
    assert run(pf, "sysctl net.link.bridge.pfil_member net.link.bridge.pfil_bridge")[1] == (
        "net.link.bridge.pfil_member: 1\nnet.link.bridge.pfil_bridge: 0\n")
    assert ping(pf, "v10") == 2
    pf.run("sysctl net.link.bridge.pfil_member=0").check()
    assert ping(pf, "v10") == 0                # the member's rule no longer applies
    load(pf, "pass all\nblock in quick on bridge10 proto icmp\n")
    assert ping(pf, "v10") == 0
    pf.run("sysctl net.link.bridge.pfil_bridge=1").check()
    assert ping(pf, "v10") == 2                # now the bridge's own hooks run


# -- anchors --------------------------------------------------------------------------------

def test_an_inline_anchor_is_evaluated_in_place(pf):
    pf.run("pfctl -e").check()
    load(pf, 'block out all\nanchor "a" {\npass out proto icmp\n}\n')
    assert ping(pf) == 0
    load(pf, 'block out all\nanchor "a" {\npass out proto tcp\n}\n')
    assert ping(pf) == 2
    # a quick rule inside an anchor ends the whole evaluation
    load(pf, 'anchor "a" {\npass out quick proto icmp\n}\nblock out all\n')
    assert ping(pf) == 0
    load(pf, 'anchor "a" {\npass out proto icmp\n}\nblock out all\n')
    assert ping(pf) == 2
    # the anchor rule's own criteria decide whether its rules are looked at
    load(pf, 'block out all\nanchor "a" out proto tcp {\npass out all\n}\n')
    assert ping(pf) == 2


def test_anchors_are_shown_with_braces_when_asked_or_unnamed(pf):
    load(pf, 'block all\nanchor "a" {\npass proto tcp\nanchor "b" {\npass proto icmp\n}\n}\n'
             "anchor {\npass proto udp\n}\n")
    assert run(pf, "pfctl -s rules") == (0, (
        "block drop all\n"
        'anchor "a" all\n'
        "anchor all {\n"
        "  pass proto udp all keep state\n"
        "}\n"), "")
    assert run(pf, "pfctl -s rules -a a")[1] == (
        "pass proto tcp all flags S/SA keep state\n"
        'anchor "b" all\n')
    assert run(pf, "pfctl -s rules -a *")[1].splitlines()[1:6] == [
        'anchor "a" all {', "  pass proto tcp all flags S/SA keep state", '  anchor "b" all {',
        "    pass proto icmp all keep state", "  }"]
    assert run(pf, "pfctl -s Anchors") == (0, "  _1\n  a\n", "")
    assert load(pf, 'anchor "a" {\npass\n}\n', "-n", "-v")[1] == (
        'anchor "a" all {\n  pass all flags S/SA keep state\n}\n')
    assert run(pf, "pfctl -v -s Anchors") == (0, "  _1\n  a\n  a/b\n", "")


def test_pfctl_a_loads_rules_into_an_anchor(pf):
    load(pf, 'anchor "ext"\npass all\n')
    pf.run("pfctl -e").check()
    assert ping(pf) == 0
    assert load(pf, "block out proto icmp\n", "-a", "ext") == (0, "", "")
    assert run(pf, "pfctl -a ext -s rules") == (0, "block drop out proto icmp all\n", "")
    assert run(pf, "pfctl -s rules")[1] == 'anchor "ext" all\npass all flags S/SA keep state\n'
    pf.run("pfctl -F states").check()
    assert ping(pf) == 0                      # pass all is the last match
    load(pf, 'pass all\nanchor "ext"\n')
    pf.run("pfctl -F states").check()
    assert ping(pf) == 2                      # the anchor's block is
    # the anchor kept its rules while the main ruleset was replaced
    assert run(pf, "pfctl -a ext -F rules") == (0, "", "rules cleared\n")
    assert ping(pf) == 0
    # -F all with -a flushes the anchor's rules and tables only, not the states
    assert run(pf, "pfctl -a ext -F all") == (
        0, "", "Ethernet rules cleared\nrules cleared\nnat cleared\n0 tables deleted.\n")
    assert run(pf, "pfctl -s states")[1] != ""


@pytest.mark.parametrize("rules, options, message", [
    ('anchor "_x"\n', (), "stdin:1: anchor names beginning with '_' are reserved for internal use\n"),
    ('anchor "a" { pass\n}\n', (), "stdin:1: syntax error\n"),
    ('anchor "a" {\npass\n', (), "stdin:2: syntax error\n"),
    ("pass\n", ("-a", "_1"), "pfctl: anchor names beginning with '_' cannot be modified from the "
                              "command line\n"),
])
def test_anchor_errors(pf, rules, options, message):
    status, _, err = load(pf, rules, *options)
    assert status == 1 and err.startswith(message)


# -- tables ---------------------------------------------------------------------------------

def test_tables_are_defined_shown_and_changed_with_t_and_T(pf):
    load(pf, "table <web> persist { 192.0.2.1, !192.0.2.0/24, 198.51.100.0/24 }\n"
             "table <lone> { 10.0.0.1 }\ntable <used> const { 10.0.0.2 }\n"
             "block from <used>\n")
    # pfctl -v prints a table statement as print_tabledef() does
    assert load(pf, "table <t> counters persist { 10.0.0.1 !10.0.0.0/8 }\ntable <e> {}\n", "-n", "-v") == (
        0, "table <t> persist counters { 10.0.0.1 !10.0.0.0/8 }\ntable <e> { }\n", "")
    # an unreferenced table that does not persist is gone once loaded
    assert run(pf, "pfctl -s Tables") == (0, "used\nweb\n", "")
    assert run(pf, "pfctl -v -s Tables") == (0, "c-a-r--\tused\n-pa----\tweb\n", "")
    assert run(pf, "pfctl -t web -T show") == (0, "   192.0.2.1\n  !192.0.2.0/24\n   198.51.100.0/24\n", "")
    assert run(pf, "pfctl -t web -T add 10.1.1.1 192.0.2.1") == (0, "", "1/2 addresses added.\n")
    assert run(pf, "pfctl -t web -T test 198.51.100.7 192.0.2.9") == (2, "", "1/2 addresses match.\n")
    assert run(pf, "pfctl -t web -T test 192.0.2.1") == (0, "", "1/1 addresses match.\n")
    assert run(pf, "pfctl -t web -T delete 10.1.1.1 10.9.9.9") == (0, "", "1/2 addresses deleted.\n")
    assert run(pf, "pfctl -t web -T flush") == (0, "", "3 addresses deleted.\n")
    assert run(pf, "pfctl -t fresh -T add 10.2.0.0/16") == (0, "", "1 table created.\n1/1 addresses added.\n")
    assert run(pf, "pfctl -t used -T add 10.3.3.3") == (255, "", "pfctl: Operation not permitted.\n")
    assert run(pf, "pfctl -t lone -T show") == (255, "", "pfctl: Table does not exist.\n")
    assert run(pf, "pfctl -t fresh -T kill") == (0, "", "1 table deleted.\n")
    assert run(pf, "pfctl -F Tables") == (0, "", "2 tables deleted.\n")
    # a command may be abbreviated; an unknown one is refused with the usage
    assert run(pf, "pfctl -t used -T sh") == (255, "", "pfctl: Table does not exist.\n")
    status, _, err = run(pf, "pfctl -t used -T bogus")
    assert status == 1 and err.startswith("pfctl: Unknown table command 'bogus'\nusage: pfctl")


def test_a_table_in_a_rule_is_looked_up_when_the_packet_comes(pf):
    load(pf, "table <bad> persist { 10.0.10.0/24, !10.0.10.1 }\nblock out quick to <bad>\npass all\n")
    pf.run("pfctl -e").check()
    assert ping(pf) == 0                      # the negated, more specific entry
    assert ping(pf, target="10.0.10.5") == 2
    pf.run("pfctl -t bad -T delete !10.0.10.1").check()
    assert ping(pf) == 2
    pf.run("pfctl -t bad -T flush").check()
    assert ping(pf) == 0


# -- translation pools ---------------------------------------------------------------------

def test_pools_are_printed_as_print_pool_prints_them(pf):
    load(pf, "nat on fxp0 from 10.0.0.0/8 -> { 192.0.2.1, 192.0.2.2 } sticky-address\n"
             "nat on fxp0 from 10.0.0.0/8 -> 192.0.2.0/24 port 30000:30001 bitmask\n"
             "nat on fxp0 from 10.0.0.0/8 -> 192.0.2.0/24 source-hash 0x0123456789abcdef0123456789abcdef\n"
             'nat on fxp0 from 10.0.0.0/8 -> 192.0.2.0/24 source-hash "jailkit"\n'
             "nat on fxp0 from 10.0.0.0/8 -> <pool> random static-port\n"
             "rdr on fxp0 proto tcp to port 80 -> { 10.0.0.5, 10.0.0.6 } port 8080\n"
             "nat on fxp0 from 10.0.0.0/8 -> (fxp0) static-port endpoint-independent\n"
             "nat on fxp0 from 10.0.0.0/8 -> (fxp0) map-e-portset 2/12/0x342\n"
             "nat from 10.1.0.0/16 -> 192.0.2.1\n")
    assert run(pf, "pfctl -s nat")[1].splitlines() == [
        "nat on fxp0 inet from 10.0.0.0/8 to any -> { 192.0.2.1, 192.0.2.2 } round-robin sticky-address",
        "nat on fxp0 inet from 10.0.0.0/8 to any -> 192.0.2.0/24 port 30000:30001 bitmask",
        "nat on fxp0 inet from 10.0.0.0/8 to any -> 192.0.2.0/24 source-hash "
        "0x0123456789abcdef0123456789abcdef",
        # a key that is not hex is hashed with MD5 (parse.y hashkey)
        "nat on fxp0 inet from 10.0.0.0/8 to any -> 192.0.2.0/24 source-hash "
        "0x" + hashlib.md5(b"jailkit").hexdigest(),
        "nat on fxp0 inet from 10.0.0.0/8 to any -> <pool> random static-port",
        "nat on fxp0 inet from 10.0.0.0/8 to any -> (fxp0) round-robin endpoint-independent static-port",
        "nat on fxp0 inet from 10.0.0.0/8 to any -> (fxp0) round-robin map-e-portset 2/12/834",
        # a translation rule without "on" is for every interface
        "nat inet from 10.1.0.0/16 to any -> 192.0.2.1",
        # rdr rules come after every nat rule (pfctl_show_nat())
        "rdr on fxp0 inet proto tcp from any to any port = http -> { 10.0.0.5, 10.0.0.6 } port 8080 "
        "round-robin"]


@pytest.mark.parametrize("rule, message", [
    ("-> { 192.0.2.1, 192.0.2.2 } random", "only round-robin valid for multiple redirection addresses"),
    ("-> 192.0.2.0/24 random bitmask", "pool type cannot be redefined"),
    ("-> 192.0.2.0/24 sticky-address sticky-address", "sticky-address cannot be redefined"),
    ("-> 192.0.2.0/24 source-hash 0x1234", "hex key must be 128 bits (32 hex digits) long"),
    ("-> (fxp0) map-e-portset 0/12/0x342", "MAP-E PSID offset must be 1-15"),
    ("-> (fxp0) map-e-portset 2/15/0x342", "Invalid MAP-E PSID length"),
    ("-> (fxp0) map-e-portset 2/0/0x342", "PSID Length = 0: this means you do not need MAP-E"),
    ("-> (fxp0) random map-e-portset 2/12/0x342", "map-e-portset cannot be used with address pools"),
    ("-> (fxp0) endpoint-independent endpoint-independent", "endpoint-independent cannot be redefined"),
])
def test_pool_errors(pf, rule, message):
    status, _, err = load(pf, f"nat on fxp0 from 10.0.0.0/8 {rule}\n")
    assert status == 1 and err.startswith(f"stdin:1: {message}\n")


@pytest.fixture
def natted(pf):
    """A jail on a bridge with a private network behind the host, which
    routes it out of fxp0."""
    pf.run("ifconfig bridge0 create up && ifconfig bridge0 inet 10.192.0.1/24 && "
           "ifconfig epair create > /dev/null && ifconfig bridge0 addm epair0a && "
           "ifconfig epair0a up && jail -c name=j persist vnet vnet.interface=epair0b && "
           "jexec j ifconfig epair0b 10.192.0.10/24 up && jexec j route add default 10.192.0.1 && "
           "sysctl net.inet.ip.forwarding=1 && pfctl -e").check()
    return pf


def out(host) -> int:
    """A ping from the jail through the host's nat; the state stays while
    the ping waits no longer than a second for its answer."""
    return host.run("jexec j ping -c 1 -t 1 198.51.100.80").exit_status


def translated(host) -> list[str]:
    """The address each state's connection was given, oldest first."""
    return [line.split()[2].split(":")[0] for line in run(host, "pfctl -s states")[1].splitlines()]


def test_a_round_robin_pool_moves_on_at_every_mapping(natted):
    load(natted, "nat on fxp0 from 10.192.0.0/24 -> { 10.0.10.5, 10.0.10.6 }\n")
    for _ in range(3):
        out(natted)
    # the rule's counter starts outside the pool, so the first mapping
    # already takes the next entry (pf_map_addr() try_next)
    assert translated(natted) == ["10.0.10.6", "10.0.10.5", "10.0.10.6"]
    load(natted, "nat on fxp0 from 10.192.0.0/24 -> 10.0.10.4/31 round-robin\n")
    natted.run("pfctl -F states").check()
    for _ in range(3):
        out(natted)
    assert translated(natted) == ["10.0.10.4", "10.0.10.5", "10.0.10.4"]


def test_bitmask_and_source_hash_map_a_source_alike_each_time(natted):
    load(natted, "nat on fxp0 from 10.192.0.0/24 -> 192.0.2.0/24 bitmask\n")
    out(natted)
    assert translated(natted) == ["192.0.2.10"]    # the network's bits, the source's host bits
    load(natted, "nat on fxp0 from 10.192.0.0/24 -> 192.0.2.0/24 source-hash 0x"
                 "0123456789abcdef0123456789abcdef\n")
    natted.run("pfctl -F states").check()
    out(natted)
    out(natted)
    first, second = translated(natted)
    assert first == second and first.startswith("192.0.2.")


def test_sticky_address_keeps_a_source_on_its_first_address(natted):
    load(natted, "nat on fxp0 from 10.192.0.0/24 -> 192.0.2.0/24 random\n")
    for _ in range(4):
        out(natted)
    assert len(set(translated(natted))) > 1
    load(natted, "nat on fxp0 from 10.192.0.0/24 -> 192.0.2.0/24 random sticky-address\n")
    natted.run("pfctl -F states").check()
    for _ in range(4):
        out(natted)
    assert len(set(translated(natted))) == 1
    # -F Sources forgets the source's address: a new one is drawn
    kept = translated(natted)[0]
    natted.run("pfctl -F states && pfctl -F Sources").check()
    out(natted)
    assert translated(natted) != [kept]


def test_an_empty_pool_fails_the_mapping_and_drops_the_packet(natted):
    natted.run("ifconfig lo1 create").check()
    load(natted, "nat on fxp0 from 10.192.0.0/24 -> (lo1) source-hash\n")
    assert out(natted) == 2
    assert "  map-failed                             1 " in run(natted, "pfctl -s info")[1]
    natted.run("ifconfig lo1 inet 10.0.10.2/32 alias").check()
    assert out(natted) == 0


# -- FreeBSD 15's pf.conf ------------------------------------------------------------------

@pytest.mark.parametrize("rule", [
    "pass out on fxp0 inet from any to any nat-to (fxp0) keep state",
    "pass in on fxp0 proto tcp to port 80 rdr-to 10.0.0.5 port 8080",
])
def test_nat_to_and_rdr_to_are_freebsd_15_syntax(pf, rule):
    # 14.3's parse.y knows no such words: the rule is a plain syntax error
    assert load(pf, rule + "\n") == (1, "", "stdin:1: syntax error\n"
                                           "pfctl: Syntax error in config file: pf rules not loaded\n")


def test_v_shows_each_rules_counters_and_vv_its_number(pf):
    pf.run("pfctl -e").check()
    load(pf, "block out proto tcp\npass out proto icmp\n")
    pf.run("ping -c 2 10.0.10.1").check()
    status, out, _ = run(pf, "pfctl -s rules -v")
    lines = out.splitlines()
    assert status == 0 and lines[0] == "block drop out proto tcp all"
    assert lines[3] == "pass out proto icmp all keep state"
    # the state's packets count for the rule that made it: two requests,
    # two replies of 84 bytes
    assert lines[4] == "  [ Evaluations: 1         Packets: 4         Bytes: 336         States: 1     ]"
    assert lines[5].startswith("  [ Inserted: uid 0 pid ") and lines[5].endswith(" State Creations: 1     ]")
    lines = run(pf, "pfctl -s rules -vv")[1].splitlines()
    assert lines[0] == "@0 block drop out proto tcp all" and lines[4] == "@1 pass out proto icmp all keep state"
    assert lines[3] == "  [ Last Active Time: N/A ]"
    assert lines[7].startswith("  [ Last Active Time: ") and lines[7] != "  [ Last Active Time: N/A ]"


def _udp_from_the_jail(host, destination: str) -> None:
    """One datagram from 10.192.0.10 port 4242 (as `nc -u -p 4242` sends it)."""
    kernel = host.machine.kernel
    jail = kernel.find_prison("j")
    packet = Packet("udp", IPv4Address("10.192.0.10"), IPv4Address(destination), 4242, 1234, size=33)
    send(jail.vnet, packet, kernel.clock)


@pytest.mark.parametrize("option, same", [("", False), ("endpoint-independent", True)])
def test_endpoint_independent_keeps_a_udp_sources_mapping_for_every_destination(natted, option, same):
    load(natted, f"nat on fxp0 from 10.192.0.0/24 -> (fxp0) {option}\n")
    for destination in ("198.51.100.80", "10.0.10.1", "198.51.100.80"):
        _udp_from_the_jail(natted, destination)
    ports = [line.split()[2] for line in run(natted, "pfctl -s states")[1].splitlines()]
    assert len(ports) == 2 and (ports[0] == ports[1]) == same


# -- icmp-type, label and the options the sim does not model ------------------------------

def test_icmp_type_and_code_are_read_and_printed_as_pfctl_does(pf):
    rules = ("pass in inet proto icmp icmp-type 8\n"
             "pass in inet proto icmp icmp-type { echorep, unreach code needfrag }\n"
             "block in inet proto icmp icmp-type 200 code 7 label \"odd\"\n"
             # expand_rule()'s order: each icmp-type, then each host
             "pass inet proto icmp from { 10.0.0.1, 10.0.0.2 } icmp-type { echoreq, echorep }\n")
    assert load(pf, rules, "-n", "-v") == (0, (
        "pass in inet proto icmp all icmp-type echoreq keep state\n"
        "pass in inet proto icmp all icmp-type echorep keep state\n"
        "pass in inet proto icmp all icmp-type unreach code needfrag keep state\n"
        'block drop in inet proto icmp all icmp-type 200 code 7 label "odd"\n'
        "pass inet proto icmp from 10.0.0.1 to any icmp-type echoreq keep state\n"
        "pass inet proto icmp from 10.0.0.2 to any icmp-type echoreq keep state\n"
        "pass inet proto icmp from 10.0.0.1 to any icmp-type echorep keep state\n"
        "pass inet proto icmp from 10.0.0.2 to any icmp-type echorep keep state\n"), "")


def test_each_inconsistent_expansion_is_said_and_skipped(pf):
    # expand_rule() and filter_consistent(), line by line
    status, _, err = load(pf, "pass in inet proto { icmp, tcp } icmp-type echoreq\n")
    assert status == 1 and err.startswith(
        "stdin:1: icmp-type mismatch\nstdin:1: icmp-type/code only applies to icmp\n"
        "stdin:1: skipping rule due to errors\npfctl: Syntax error in config file")
    status, _, err = load(pf, "pass in proto icmp icmp-type echoreq\n")
    assert status == 1 and err.startswith(
        "stdin:1: must indicate address family with icmp-type/code\n"
        "stdin:1: skipping rule due to errors\nstdin:1: rule expands to no valid combination\n")


@pytest.mark.parametrize("rule, message", [
    ("pass in inet proto icmp icmp-type { }", "syntax error"),
    ("pass in proto icmp icmp-type bogus", "unknown icmp-type bogus"),
    ("pass in proto icmp icmp-type 256", "illegal icmp-type 256"),
    ("pass in proto icmp icmp-type unreach code bogus", "unknown icmp-code bogus"),
])
def test_a_bad_icmp_type_is_named(pf, rule, message):
    assert load(pf, rule + "\n") == (1, "", f"stdin:1: {message}\npfctl: Syntax error in config file: "
                                            "pf rules not loaded\n")


def test_icmp_type_decides_which_echo_passes(pf):
    pf.run("pfctl -e").check()
    # the request is an echoreq on its way out; its reply comes back by the state
    load(pf, "block all\npass out inet proto icmp icmp-type echoreq\n")
    assert ping(pf) == 0
    load(pf, "block all\npass out inet proto icmp icmp-type echorep\n")
    assert ping(pf) == 2
    load(pf, "pass all\nblock out inet proto icmp icmp-type echoreq code 3\n")
    assert ping(pf) == 0                    # an echo's code is 0


@pytest.mark.parametrize("rule, message", [
    ("pass in dnpipe 1", "the rule option dnpipe is not modelled by the jailkit sim"),
    ("pass in tag SEEN", "the rule option tag is not modelled by the jailkit sim"),
    ("pass in proto tcp modulate state", "the rule option modulate is not modelled by the jailkit sim"),
    ("pass in keep state (max 10)", "state options are not modelled by the jailkit sim"),
    ("pass in route-to (lo0 127.0.0.1)", "route-to is not modelled by the jailkit sim"),
    ("block return-icmp(net-unr) in", "return-icmp with its own ttl or code is not modelled by the "
                                      "jailkit sim"),
    ("pass in proto gre", "proto gre is not modelled by the jailkit sim"),
    ("pass in proto icmp6 icmp6-type echoreq", "icmp6-type is not modelled by the jailkit sim"),
])
def test_pf_options_the_sim_does_not_model_are_named_not_called_syntax_errors(pf, rule, message):
    status, _, err = load(pf, rule + "\n")
    assert status == 1 and err.startswith(f"stdin:1: {message}\n")


def test_a_protocol_number_is_printed_by_its_name(pf):
    assert load(pf, "pass in proto 6 from any to any port 22\n", "-n", "-v")[1] == (
        "pass in proto tcp from any to any port = ssh flags S/SA keep state\n")


def test_labels_are_kept_each_with_its_macros_expanded(pf):
    rules = ('pass in on lo0 proto tcp from 10.0.0.0/8 to ! 10.1.2.3 port 22 '
             'label "$if $srcaddr $dstaddr $dstport" label "$proto"\n'
             'a = "x"\npass in label "$a"\n')
    assert load(pf, rules, "-n", "-v")[1].splitlines() == [
        'pass in on lo0 inet proto tcp from 10.0.0.0/8 to ! 10.1.2.3 port = ssh flags S/SA '
        'keep state label "lo0 10.0.0.0/8 ! 10.1.2.3 22" label "tcp"',
        'a = "x"',
        # a quoted string is no macro's: yylex() expands a $ that starts a token
        'pass in all flags S/SA keep state label "$a"']


def test_flags_fragment_and_scrub_as_pfctl_prints_them(pf):
    rules = ("pass in all fragment\npass inet proto udp flags S/SA\npass proto tcp flags any\n"
             "scrub in all fragment reassemble\n")
    assert load(pf, rules, "-n", "-v")[1].splitlines() == [
        "pass in all keep state fragment", "pass inet proto udp all keep state",
        "pass proto tcp all flags any keep state", "scrub in all fragment reassemble"]
    for rule, message in (("scrub in all bogus", "syntax error"),
                          ("scrub in all no-df", "the scrub option no-df is not modelled by the "
                                                 "jailkit sim"),
                          ("pass in all scrub (no-df)", "the rule option scrub is not modelled by "
                                                        "the jailkit sim"),
                          ("pass in proto 300", "protocol outside range"),
                          ("pass in divert-reply", "divert-reply has no meaning in FreeBSD pf(4)")):
        status, _, err = load(pf, rule + "\n")
        assert status == 1 and err.startswith(f"stdin:1: {message}\n"), rule
