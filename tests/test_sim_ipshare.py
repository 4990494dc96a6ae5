"""IP sharing, as "FreeBSD Jails And Networking" sets it up, on FreeBSD 14's
terms: jails without a vnet of their own, each with an address on a cloned
lo1 first (the jail's loopback) and maybe one on the NIC, behind the host's
pf. The qjail-howto lab's host is on the internet with one public address
on rl0 (203.0.113.20); device.example.org is outside.

What each test shows, and where FreeBSD decides it:
- a jail's connection leaves from one of its addresses (in_pcb.c
  in_pcbladdr, in_jail.c prison_get_ip4, prison_saddrsel_ip4); one from
  the lo1 address has no way back without NAT, and pf's nat to $ext_if:0
  gives it one; rdr to $ext_if:0 lets the outside in;
- 127.0.0.1 in a jail is its first address (prison_local_ip4,
  prison_remote_ip4), so the order of ip4.addr matters;
- traffic to a local address loops through the loopback interface the
  route to it names (ip_output, if_simloop): lo0 for an address on the
  NIC, lo1 for lo1's, which is what tcpdump and pf's "set skip" see;
- the host may bind a jail's address, and its wildcard listeners answer on
  a jail's address on ports the jail does not listen on; a jail's own
  socket wins when it does (in_pcb.c in_pcblookup_hash_wild_locked)."""

from __future__ import annotations

from ipaddress import IPv6Address

import pytest

import jailkit
from jailkit.files import write_file
from jailkit.sim.socket import Listener, bind
from tests.conftest import run

OUTSIDE = "device.example.org"
WHOIS = "198.51.100.43"
PUBLIC = "203.0.113.20"            # the host's address on rl0
SHARED = "203.0.113.21"            # the www jail's address on rl0
NAT = ('ext_if = "rl0"\n'
       "nat on $ext_if from 10.0.0.0/24 -> $ext_if:0\n")
RDR = "rdr on $ext_if proto tcp to $ext_if:0 port 80 -> 10.0.0.3\n"
JAILS = ('www { path = "/"; persist; ip4.addr += "lo1|10.0.0.3"; ip4.addr += "rl0|203.0.113.21"; }\n'
         'solo { path = "/"; persist; ip4.addr = "lo1|10.0.0.4"; }\n'
         'nosel { path = "/"; persist; ip4.addr += "lo1|10.0.0.5"; ip4.addr += "rl0|203.0.113.22";'
         ' ip4.saddrsel = 0; }\n'
         'backwards { path = "/"; persist; ip4.addr += "rl0|203.0.113.23"; ip4.addr += "lo1|10.0.0.6"; }\n')


@pytest.fixture
def box():
    host = jailkit.connect("sim://?lab=qjail-howto")
    host.run("ifconfig lo1 create").check()
    write_file(host, "/etc/jail.conf", JAILS)
    return host


def start(host, *names: str) -> None:
    for name in names:
        host.run(f"jail -c {name}").check()


def pf(host, rules: str) -> None:
    host.run("kldload pf").check()
    assert run(host, ["pfctl", "-ef", "-"], stdin=rules) == (0, "", "pf enabled\n")


def whois(host, jail: str) -> tuple[int, str, str]:
    return run(host, f"jexec {jail} whois -h {WHOIS} q")


def peers(host, file: str) -> str:
    return run(host, f"cat {file}")[1]


# -- out and in ------------------------------------------------------------------------------

def test_a_jail_on_lo1_alone_is_cut_off_without_nat(box):
    """Its connection leaves rl0 with 10.0.0.4 as the source, and the answer
    to a private address never comes back."""
    start(box, "solo")
    box.run("tcpdump -ni rl0 tcp > /tmp/rl0.txt &").check()
    assert whois(box, "solo") == (71, "", "whois: connect(): Operation timed out\n")
    assert "IP 10.0.0.4." in peers(box, "/tmp/rl0.txt")
    assert f"> 10.0.0.4." not in peers(box, "/tmp/rl0.txt")


def test_the_articles_nat_to_ext_if_0_gets_it_out(box):
    start(box, "solo")
    pf(box, NAT)
    status, out, _ = whois(box, "solo")
    assert status == 0 and "IANA WHOIS server" in out
    states = run(box, "pfctl -s state")[1]
    assert f"all tcp {PUBLIC}:" in states and f"(10.0.0.4:" in states and f"-> {WHOIS}:43" in states


def test_a_jail_with_an_address_on_the_nic_leaves_from_it_and_needs_no_nat(box):
    """Source address selection: of the jail's addresses, the one on the
    outgoing interface (in_pcbladdr's step 2)."""
    start(box, "www")
    box.run("tcpdump -ni rl0 tcp > /tmp/rl0.txt &").check()
    status, out, _ = whois(box, "www")
    assert status == 0 and "IANA WHOIS server" in out
    assert f"IP {SHARED}." in peers(box, "/tmp/rl0.txt")


def test_with_saddrsel_off_it_leaves_from_its_first_address_and_is_cut_off(box):
    """ip4.saddrsel = 0: always the primary address (prison_saddrsel_ip4),
    here lo1's, so it needs the nat like a jail on lo1 alone."""
    start(box, "nosel")
    assert whois(box, "nosel")[0] == 71
    pf(box, NAT)
    assert whois(box, "nosel")[0] == 0


def test_the_articles_rdr_lets_the_outside_reach_the_jail(box):
    start(box, "www")
    box.run("jexec www sh -c 'nc -l 80 > /tmp/got &'").check()
    # nothing listens on the host's address: refused, and the jail saw nothing
    assert box.run_on(OUTSIDE, f"echo hello | nc -N {PUBLIC} 80").exit_status == 1
    assert peers(box, "/tmp/got") == ""
    pf(box, NAT + RDR)
    assert box.run_on(OUTSIDE, f"echo hello | nc -N {PUBLIC} 80").exit_status == 0
    assert peers(box, "/tmp/got") == "hello\n"
    states = run(box, "pfctl -s state")[1]
    assert f"all tcp 10.0.0.3:80 ({PUBLIC}:80) <- 198.51.100.7:" in states


# -- the jail's loopback ---------------------------------------------------------------------

def test_127_0_0_1_in_a_jail_is_its_first_address(box):
    start(box, "www", "backwards")
    box.run("jexec www sh -c 'nc -l 127.0.0.1 7000 > /dev/null &'").check()
    box.run("jexec backwards sh -c 'nc -l 127.0.0.1 7000 > /dev/null &'").check()
    listening = run(box, "sockstat -4l -p 7000")[1]
    # lo1's address first: private; the NIC's first: the "loopback" service faces the internet
    assert "10.0.0.3:7000" in listening and "203.0.113.23:7000" in listening
    assert box.run_on(OUTSIDE, "nc -z 203.0.113.23 7000").exit_status == 0


def test_ipv6_loopback_in_a_jail_is_its_first_ipv6_address(box):
    """prison_local_ip6(): ::1 is the host's; a jail's bind to it takes the
    jail's first ip6.addr (once DAD let the address be used)."""
    write_file(box, "/etc/jail.conf",
               'six { path = "/"; persist; ip6.addr = "lo1|2001:db8::3", "rl0|2001:db8::4"; }\n')
    box.run("ifconfig rl0 inet6 -ifdisabled").check()
    start(box, "six")
    box.run("sleep 2").check()
    prison = box.machine.kernel.find_prison("six")
    bound = bind(prison, Listener("tcp", "6", None, 7000, 1, 3, "root", "d",
                                  address6=IPv6Address("::1")))
    assert bound.local() == "2001:db8::3:7000"


# -- traffic between jails and the host ------------------------------------------------------

def test_traffic_to_a_nic_address_loops_through_lo0_and_to_lo1s_through_lo1(box):
    start(box, "www", "solo")
    box.run("jexec www sh -c 'nc -l 80 > /dev/null &'").check()
    box.run("tcpdump -ni lo0 tcp > /tmp/lo0.txt &").check()
    box.run("tcpdump -ni lo1 tcp > /tmp/lo1.txt &").check()
    box.run("tcpdump -ni rl0 tcp > /tmp/rl0.txt &").check()
    assert run(box, f"echo a | jexec solo nc -N {SHARED} 80")[0] == 0
    # solo has no address on rl0: its last resort, 10.0.0.4 (in_pcbladdr)
    lo0, lo1 = peers(box, "/tmp/lo0.txt"), peers(box, "/tmp/lo1.txt")
    assert "IP 10.0.0.4." in lo0 and f"> {SHARED}.80: Flags [S]" in lo0
    assert f"IP {SHARED}.80 > 10.0.0.4." in lo1 and f"{SHARED}.80 >" not in lo0
    assert peers(box, "/tmp/rl0.txt") == ""          # nothing on the wire


def test_pf_rules_on_lo0_see_traffic_between_jails_on_nic_addresses(box):
    """The article's caveat: jails' traffic to each other's NIC addresses
    is on lo0, not rl0, for the firewall."""
    start(box, "www", "solo")
    box.run("jexec www sh -c 'nc -k -l 8000 > /dev/null &'").check()
    pf(box, "pass all\nblock in quick on lo0 proto tcp to port 8000\n")
    assert run(box, f"jexec solo nc -z -w 2 {SHARED} 8000")[0] == 1
    assert run(box, "jexec solo nc -z -w 2 10.0.0.3 8000")[0] == 0       # lo1's address: over lo1
    run(box, ["pfctl", "-f", "-"], stdin="pass all\nblock in quick on rl0 proto tcp to port 8000\n")
    assert run(box, f"jexec solo nc -z -w 2 {SHARED} 8000")[0] == 0       # never on rl0


def test_set_skip_on_lo0_leaves_lo1_filtered(box):
    """The article's advice to filter lo0 holds for the NIC's addresses; a
    jail's lo1 address is reached over lo1, which "set skip on lo0" does
    not skip (the group "lo" would)."""
    start(box, "www", "solo")
    box.run("jexec www sh -c 'nc -k -l 8000 > /dev/null &'").check()
    pf(box, "set skip on lo0\nblock all\n")
    assert run(box, f"jexec solo nc -z -w 2 {SHARED} 8000")[0] == 1     # its answer crosses lo1
    assert run(box, f"nc -z -w 2 {SHARED} 8000")[0] == 0                # host to host: lo0 only
    run(box, ["pfctl", "-f", "-"], stdin="set skip on lo\nblock all\n")
    assert run(box, f"jexec solo nc -z -w 2 {SHARED} 8000")[0] == 0


# -- the host and the jails' addresses -------------------------------------------------------

def test_the_host_can_bind_a_jails_address(box):
    start(box, "www")
    box.run(f"nc -l {SHARED} 8080 > /tmp/host.txt &").check()
    listening = run(box, "sockstat -4l -p 8080")[1]
    assert "nc" in listening and f"{SHARED}:8080" in listening
    assert run(box, "jexec www sockstat -4l -p 8080")[1].count("\n") == 1    # the jail sees none
    assert box.run_on(OUTSIDE, f"echo to-the-host | nc -N {SHARED} 8080").exit_status == 0
    assert peers(box, "/tmp/host.txt") == "to-the-host\n"


def test_a_hosts_wildcard_listener_answers_on_a_jails_address_until_the_jail_listens(box):
    start(box, "www")
    box.run("nc -k -l 9000 > /tmp/host.txt &").check()
    assert box.run_on(OUTSIDE, f"echo first | nc -N {SHARED} 9000").exit_status == 0
    assert peers(box, "/tmp/host.txt") == "first\n"
    box.run("jexec www sh -c 'nc -k -l 9000 > /tmp/jail.txt &'").check()
    assert box.run_on(OUTSIDE, f"echo second | nc -N {SHARED} 9000").exit_status == 0
    assert box.run_on(OUTSIDE, f"echo third | nc -N {PUBLIC} 9000").exit_status == 0
    assert peers(box, "/tmp/jail.txt") == "second\n"
    assert peers(box, "/tmp/host.txt") == "first\nthird\n"


def test_the_hosts_sshd_answers_on_a_jails_address(box):
    """sshd_config's default ListenAddress is every address: the host's
    sshd (*:22) takes connections to the jail's address."""
    start(box, "www")
    assert "*:22" in run(box, "sockstat -4l -p 22")[1]
    assert box.run_on(OUTSIDE, f"nc -z {SHARED} 22").exit_status == 0
