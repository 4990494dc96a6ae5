"""IPv6 duplicate address detection on the sim, as FreeBSD 14 runs it: a new
address is tentative (in6.c in6_update_ifa, in6if_do_dad) while DAD sends
net.inet6.ip6.dad_count neighbor solicitations one RetransTimer (1 s) apart
(nd6_nbr.c nd6_dad_start, nd6_dad_timer); bind(2) to a tentative address
is EADDRNOTAVAIL (in6_pcb.c in6_pcbbind, IN6_IFF_NOTREADY), so a jail's
daemon started with the jail's new ip6.addr fails (jail(8) adds the alias
without no_dad: usr.sbin/jail/command.c IP__IP6_IFADDR). The ways around it:
dad_count=0, or the interface's no_dad flag. Time is the sim's clock:
sleep lets DAD finish."""

from __future__ import annotations

import pytest

import jailkit
from jailkit.files import write_file
from tests.conftest import run

BIND_FAILS = ("Bind to port 22 on :: failed: Can't assign requested address.\n"
              "Cannot bind any address.\n")
JAIL = 'w6 { path = "/"; persist; ip6.addr = "rl0|2001:db8::5"; }\n'


@pytest.fixture
def box():
    """The qjail-howto host, its rl0 enabled for IPv6 (as rc's network.subr
    does for an interface with an ipv6 line in rc.conf)."""
    host = jailkit.connect("sim://?lab=qjail-howto")
    host.run("ifconfig rl0 inet6 -ifdisabled").check()
    return host


def inet6_line(host, address: str) -> str:
    return next(line for line in run(host, "ifconfig rl0 inet6")[1].splitlines()
                if f"inet6 {address} " in line)


def test_the_link_local_address_goes_through_dad_after_a_random_delay():
    """in6_ifattach_linklocal(): the EUI-64 address is new too; its DAD
    waits up to a second first (IN6_IFAUPDATE_DADDELAY)."""
    host = jailkit.connect("sim://?lab=qjail-howto")
    host.run("ifconfig rl0 inet6 -ifdisabled").check()
    line = "\tinet6 fe80::2e0:4cff:fe39:1a2b%rl0 prefixlen 64"
    assert f"{line} tentative scopeid 0x1\n" in run(host, "ifconfig rl0 inet6")[1]
    host.run("sleep 2").check()
    assert f"{line} scopeid 0x1\n" in run(host, "ifconfig rl0 inet6")[1]


def test_a_new_address_is_tentative_until_dad_is_over(box):
    box.run("ifconfig rl0 inet6 2001:db8::20/64").check()
    assert inet6_line(box, "2001:db8::20") == "\tinet6 2001:db8::20 prefixlen 64 tentative"
    box.run("sleep 2").check()
    assert inet6_line(box, "2001:db8::20") == "\tinet6 2001:db8::20 prefixlen 64"


def test_dad_sends_dad_count_probes_a_second_apart(box):
    box.run("sysctl net.inet6.ip6.dad_count=3").check()
    box.run("ifconfig rl0 inet6 2001:db8::20/64 && sleep 2").check()
    assert inet6_line(box, "2001:db8::20").endswith(" tentative")      # third probe still out
    box.run("sleep 2").check()
    assert not inet6_line(box, "2001:db8::20").endswith(" tentative")


def test_a_jails_daemon_cannot_bind_its_new_address_until_dad_is_over(box):
    write_file(box, "/etc/jail.conf", JAIL)
    box.run("jail -c w6").check()
    assert inet6_line(box, "2001:db8::5") == "\tinet6 2001:db8::5 prefixlen 128 tentative"
    assert run(box, "jexec w6 /usr/sbin/sshd -o PidFile=/var/run/sshd.w6.pid") == (255, "", BIND_FAILS)
    box.run("sleep 2").check()
    assert run(box, "jexec w6 /usr/sbin/sshd -o PidFile=/var/run/sshd.w6.pid") == (0, "", "")
    assert "tcp6   2001:db8::5:22" in run(box, "sockstat -6l -p 22")[1]


def test_the_jails_exec_start_fails_with_it(box):
    write_file(box, "/etc/jail.conf", JAIL.replace("persist;", 'persist; exec.start = "/usr/sbin/sshd";'))
    status, out, err = run(box, "jail -c w6")
    assert status == 1 and BIND_FAILS in err
    assert "2001:db8::5" not in run(box, "ifconfig rl0 inet6")[1]      # jail(8) undid its alias


def test_dad_count_0_makes_new_addresses_usable_at_once(box):
    assert run(box, "sysctl net.inet6.ip6.dad_count=0") == (
        0, "net.inet6.ip6.dad_count: 1 -> 0\n", "")
    write_file(box, "/etc/jail.conf", JAIL)
    box.run("jail -c w6").check()
    assert inet6_line(box, "2001:db8::5") == "\tinet6 2001:db8::5 prefixlen 128"
    assert run(box, "jexec w6 /usr/sbin/sshd -o PidFile=/var/run/sshd.w6.pid") == (0, "", "")


def test_no_dad_on_the_interface_skips_dad_for_addresses_added_later(box):
    box.run("ifconfig rl0 inet6 2001:db8::20/64 no_dad").check()       # the flag first, then the address
    assert inet6_line(box, "2001:db8::20") == "\tinet6 2001:db8::20 prefixlen 64"
    assert "NO_DAD>" in run(box, "ifconfig rl0 inet6")[1]
    write_file(box, "/etc/jail.conf", JAIL)
    box.run("jail -c w6").check()
    assert run(box, "jexec w6 /usr/sbin/sshd -o PidFile=/var/run/sshd.w6.pid") == (0, "", "")
    box.run("ifconfig rl0 inet6 -no_dad && ifconfig rl0 inet6 2001:db8::21/64").check()
    assert inet6_line(box, "2001:db8::21").endswith(" tentative")


def test_no_dad_from_rc_conf(box):
    box.run("sysrc ifconfig_rl0_ipv6='inet6 2001:db8::20/64 no_dad'").check()
    box.run("service netif restart rl0").check()
    assert inet6_line(box, "2001:db8::20") == "\tinet6 2001:db8::20 prefixlen 64"


def test_the_sysctl_is_each_vnets_own_and_a_classic_jail_cannot_set_it(box):
    write_file(box, "/etc/jail.conf", JAIL)
    box.run("jail -c w6").check()
    assert run(box, "jexec w6 sysctl net.inet6.ip6.dad_count=0")[0] == 1
    assert run(box, "sysctl -n net.inet6.ip6.dad_count") == (0, "1\n", "")


def test_an_address_on_an_ipv6_disabled_interface_needs_no_dad_and_enables_ipv6():
    """in6if_do_dad() is false with IFDISABLED; in6_control then clears
    IFDISABLED, and the link-local address comes (and goes through DAD)."""
    host = jailkit.connect("sim://?lab=qjail-howto")
    assert "IFDISABLED" in run(host, "ifconfig rl0 inet6")[1]
    host.run("ifconfig rl0 inet6 2001:db8::20/64").check()
    shown = run(host, "ifconfig rl0 inet6")[1]
    assert "\tinet6 2001:db8::20 prefixlen 64\n" in shown and "IFDISABLED" not in shown
    assert "%rl0 prefixlen 64 tentative scopeid 0x1\n" in shown


def test_loopback_addresses_need_no_dad(box):
    box.run("ifconfig lo1 create && ifconfig lo1 inet6 2001:db8::1/128").check()
    assert "2001:db8::1 prefixlen 128\n" in run(box, "ifconfig lo1 inet6")[1]


def test_disabling_ipv6_makes_addresses_tentative_and_enabling_it_runs_dad_again(box):
    box.run("ifconfig rl0 inet6 2001:db8::20/64 && sleep 2").check()
    box.run("ifconfig rl0 inet6 ifdisabled").check()
    assert inet6_line(box, "2001:db8::20").endswith(" tentative")      # nd6_ioctl's 0->1
    box.run("ifconfig rl0 inet6 -ifdisabled").check()                  # in6_if_up(): DAD again
    assert inet6_line(box, "2001:db8::20").endswith(" tentative")
    box.run("sleep 2").check()                                          # up to 1 s delay, then 1 s
    assert not inet6_line(box, "2001:db8::20").endswith(" tentative")


def test_deleting_an_address_under_dad_ends_its_dad(box):
    box.run("ifconfig rl0 inet6 2001:db8::20/64 && ifconfig rl0 inet6 2001:db8::20 delete").check()
    assert not any(str(d.addr.address) == "2001:db8::20" for d in box.machine.kernel.dads)
    box.run("sleep 2").check()
    assert "2001:db8::20" not in run(box, "ifconfig rl0 inet6")[1]
