"""IPFilter on the sim: ipf, ipnat and ipfstat with their messages and
errors, last-match filtering with quick, state, return-rst, and ipnat's
map and rdr."""

from __future__ import annotations

import pytest

from tests.conftest import run


@pytest.fixture
def ipl(host):
    host.run("kldload ipl").check()
    return host


def ping(host, target: str = "10.0.10.1") -> int:
    return host.run(f"ping -c 1 {target}").exit_status


def test_without_the_module_ipf_and_ipnat_cannot_open_their_devices(host):
    # ipferror() with no device open: "0:" and perror's text; -E still exits 0
    assert run(host, "ipf -E") == (0, "", "0:open device: No such file or directory\n"
                                          "0:SIOCFRENB: Bad file descriptor\n")
    assert run(host, "ipf -Fa") == (1, "", "open device: No such file or directory\n"
                                           "User/kernel version check failed\n")
    assert run(host, "ipnat -l") == (1, "", "/dev/ipnat: open: No such file or directory\n")


def test_running_from_load_enable_twice_and_usage(ipl):
    # vnet_ipf_init() runs ipfattach() when ipl.ko loads: running at once,
    # and SIOCFRENB on a running filter succeeds silently
    assert "Running: yes" in run(ipl, "ipf -V")[1]
    assert run(ipl, "ipf -E") == (0, "", "")
    assert run(ipl, "ipf -E") == (0, "", "")
    assert run(ipl, "ipf -D") == (0, "", "")
    assert "Running: no" in run(ipl, "ipf -V")[1]
    assert run(ipl, "ipf -E") == (0, "", "")
    assert "Running: yes" in run(ipl, "ipf -V")[1]
    status, _, err = run(ipl, "ipf")
    assert status == 1 and err.startswith("usage: ipf [-6AdDEInoPrRsvVyzZ]")
    status, _, err = run(ipl, "ipf -F x")
    assert status == 1 and err.startswith("Incorrect flush argument: x\nusage: ipf")


def test_rules_load_and_list(ipl):
    rules = ("pass in all\n"
             "block return-rst out quick on fxp0 proto tcp from any to 198.51.100.0/24 port = 43\n"
             "pass out proto icmp from any to any keep state\n")
    assert run(ipl, "ipf -f -", stdin=rules) == (0, "", "")
    # printfr(): an address gives the rule its family ("inet"), addresses
    # carry their mask, a tcp port prints by its /etc/services name
    assert run(ipl, "ipfstat -io") == (0, (
        "block return-rst out quick on fxp0 inet proto tcp from any to 198.51.100.0/24 port = nicname\n"
        "pass out proto icmp from any to any keep state\n"
        "pass in all\n"), "")
    assert run(ipl, "ipf -v -Fo") == (0, "2 filter rules removed\n", "")
    assert run(ipl, "ipfstat -o") == (0, "", "# empty list for ipfilter(out)\n")


def test_a_syntax_error_stops_ipf_and_keeps_the_rules_before_it(ipl):
    # ipf adds rules as it reads them: the first line is in, the rest is not
    rules = "block in all\npass out bogus\npass out all\n"
    assert run(ipl, "ipf -f -", stdin=rules) == (1, "", 'syntax error at "bogus", line 2\n')
    assert run(ipl, "ipfstat -io")[1] == "block in all\n"


def test_last_match_quick_and_default_pass(ipl):
    ipl.run("ipf -E").check()
    assert ping(ipl) == 0                           # no rules: pass
    ipl.run("ipf -f -", stdin="block out all\npass out all\n").check()
    assert ping(ipl) == 0                           # the last match passes
    ipl.run("ipf -Fa -f -", stdin="block out quick all\npass out all\n").check()
    assert ping(ipl) == 2
    ipl.run("ipf -D").check()
    assert ping(ipl) == 0                           # disabled: rules stay, nothing filters


def test_keep_state_lets_answers_in(ipl):
    ipl.run("ipf -E -f -", stdin="block in all\npass out all keep state\n").check()
    assert ping(ipl) == 0
    ipl.run("ipf -Fa -f -", stdin="block in all\npass out all\n").check()
    ipl.run("ipf -FS").check()
    assert ping(ipl) == 2


def test_return_rst_refuses_tcp(ipl):
    ipl.run("ipf -E -f -", stdin="block return-rst out quick proto tcp from any to any port = 43\n").check()
    assert run(ipl, "whois freebsd.org") == (71, "", "whois: connect(): Operation timed out\n")
    assert ipl.machine.kernel.clock < 1


def test_ipnat_rules_and_messages(ipl):
    rules = "map fxp0 10.192.0.0/24 -> 0/32\nrdr fxp0 10.0.10.2/32 port 2222 -> 10.192.0.10 port 22 tcp\n"
    assert run(ipl, "ipnat -f -", stdin=rules) == (0, "", "")
    assert run(ipl, "ipnat -l")[1] == (
        "List of active MAP/Redirect filters:\n"
        "map fxp0 10.192.0.0/24 -> 0/32\n"
        "rdr fxp0 10.0.10.2/32 port 2222 -> 10.192.0.10/32 port 22 tcp\n"
        "\nList of active sessions:\n")
    assert run(ipl, "ipnat -CF") == (0, "0 entries flushed from NAT table\n"
                                        "2 entries flushed from NAT list\n", "")
    assert run(ipl, "ipnat -f -", stdin="map fxp0 nonsense -> 0/32\n") == (
        1, "", 'syntax error at "nonsense", line 1\n')


def test_ipnat_map_translates_a_private_network(ipl):
    ipl.run("ifconfig bridge0 create up && ifconfig bridge0 inet 10.192.0.1/24 && "
            "ifconfig epair create > /dev/null && ifconfig bridge0 addm epair0a && "
            "ifconfig epair0a up && jail -c name=j persist vnet vnet.interface=epair0b && "
            "jexec j ifconfig epair0b 10.192.0.10/24 up && jexec j route add default 10.192.0.1 && "
            "sysctl net.inet.ip.forwarding=1 > /dev/null").check()
    assert ipl.run("jexec j ping -c 1 198.51.100.80").exit_status == 2
    ipl.run("ipf -E && ipnat -f -", stdin="map fxp0 10.192.0.0/24 -> 0/32\n").check()
    assert ipl.run("jexec j ping -c 1 198.51.100.80").succeeded
    sessions = run(ipl, "ipnat -l")[1]
    assert "MAP 10.192.0.10" in sessions and "<- -> 10.0.10.2" in sessions


def test_ipnat_rdr_reaches_a_server_behind_the_host(ipl):
    ipl.run("ifconfig epair5 create > /dev/null && ifconfig epair5a 192.0.2.2/24 up && "
            "jail -c name=o path=/ persist vnet vnet.interface=epair5b && "
            "jexec o ifconfig epair5b 192.0.2.1/24 up && "
            "ifconfig bridge0 create up && ifconfig bridge0 inet 10.192.0.1/24 && "
            "ifconfig epair create > /dev/null && ifconfig bridge0 addm epair0a && "
            "ifconfig epair0a up && jail -c name=j path=/ persist vnet vnet.interface=epair0b && "
            "jexec j ifconfig epair0b 10.192.0.10/24 up && jexec j route add default 10.192.0.1 && "
            "jexec j /usr/sbin/sshd && sysctl net.inet.ip.forwarding=1 > /dev/null").check()
    assert run(ipl, "jexec o whois -h 192.0.2.2 -p 2222 x")[0] == 71
    ipl.run("ipf -E && ipnat -f -",
            stdin="rdr epair5a 192.0.2.2/32 port 2222 -> 10.192.0.10 port 22 tcp\n").check()
    status, out, _ = run(ipl, "jexec o whois -h 192.0.2.2 -p 2222 x")
    assert status == 0 and out.startswith("SSH-2.0-OpenSSH_")
    assert "RDR 10.192.0.10" in run(ipl, "ipnat -l")[1]



def test_ipf_r_removes_the_rules_it_reads_and_only_those(ipl):
    ipl.run("ipf -f -", stdin="pass in all\nblock out quick on fxp0 all\npass in all\n").check()
    # -r makes the -f after it remove; each rule read takes one equal rule out
    assert run(ipl, "ipf -r -f -", stdin="pass in all\n") == (0, "", "")
    assert run(ipl, "ipfstat -io") == (0, "block out quick on fxp0 all\npass in all\n", "")
    # a rule that is not there: ipf_perror_fd() with ESRCH, the line number, exit 1
    assert run(ipl, "ipf -r -f -", stdin="# none\nblock in all\npass in all\n") == (
        1, "", "2:ioctl(delete rule): No such process\n")
    assert run(ipl, "ipfstat -io") == (0, "block out quick on fxp0 all\n",
                                       "# empty list for ipfilter(in)\n")


def test_ipnat_r_removes_the_rules_it_reads(ipl):
    ipl.run("ipnat -f -", stdin="map fxp0 10.1.0.0/24 -> 0/32\nmap fxp0 10.2.0.0/24 -> 0/32\n").check()
    assert run(ipl, "ipnat -r -f -", stdin="map fxp0 10.1.0.0/24 -> 0/32\n") == (0, "", "")
    assert run(ipl, "ipnat -r -f -", stdin="map fxp0 10.3.0.0/24 -> 0/32\n") == (
        1, "", "1:ioctl(delete nat rule): No such process\n")
    assert run(ipl, "ipnat -l")[1] == ("List of active MAP/Redirect filters:\n"
                                       "map fxp0 10.2.0.0/24 -> 0/32\n\n"
                                       "List of active sessions:\n")
