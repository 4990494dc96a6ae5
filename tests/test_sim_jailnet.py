"""Jails without a vnet of their own (ip4.addr) on the sim, as FreeBSD 14's
kernel treats them (sys/netinet/in_jail.c, in_pcb.c, kern_jail.c): their
sockets use the jail's addresses, they see only their own addresses and
sockets, and jail(8) puts their aliases on and takes them off."""

from __future__ import annotations

import ipaddress

import pytest

from jailkit.files import write_file
from jailkit.sim.errno import EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, OSErr
from jailkit.sim.socket import ConnectError, Listener, bind, connect, find
from tests.conftest import run

IPv4 = ipaddress.IPv4Address
HOST = IPv4("10.0.10.2")          # the host's address on fxp0 in the default lab
JAIL = IPv4("10.0.10.5")          # the jail's alias on fxp0


class Recorder:
    """A service that remembers who asked (the peer as the server sees it)."""

    def __init__(self) -> None:
        self.peers: list[IPv4] = []

    def exchange(self, request: str, peer: tuple[IPv4, int]) -> str:
        self.peers.append(peer[0])
        return "seen\r\n"


def _jail(host, conf: str, name: str = "w") -> None:
    write_file(host, "/etc/jail.conf", conf)
    host.run(f"jail -c {name}").check()


def _prison(host, name: str = "w"):
    prison = host.machine.kernel.find_prison(name)
    assert prison is not None
    return prison


def _record(host, address: IPv4, port: int, cred=None) -> Recorder:
    kernel = host.machine.kernel
    recorder = Recorder()
    bind(cred or kernel.prison0, Listener("tcp", "4", address, port, 1, 3, "root", "rec", recorder))
    return recorder


ON_FXP0 = 'w { path = "/"; persist; ip4.addr = "fxp0|10.0.10.5"; }\n'


# -- source addresses (in_pcbladdr, prison_get_ip4, prison_saddrsel_ip4) ----------------------

def test_a_jails_connections_leave_from_its_address(host):
    _jail(host, ON_FXP0)
    recorder = _record(host, HOST, 4343)
    assert run(host, "jexec w whois -h 10.0.10.2 -p 4343 q") == (0, "seen\r\n", "")
    assert run(host, "whois -h 10.0.10.2 -p 4343 q")[0] == 0
    assert recorder.peers == [JAIL, HOST]


def test_an_address_not_on_the_way_out_is_the_last_resort(host):
    """in_pcbladdr: none of the outgoing interface's addresses is the
    jail's, so the packet leaves with the jail's primary address."""
    host.run("ifconfig lo1 create").check()
    _jail(host, 'w { path = "/"; persist; ip4.addr = "lo1|10.9.9.9"; }\n')
    recorder = _record(host, HOST, 4343)
    assert run(host, "jexec w whois -h 10.0.10.2 -p 4343 q")[0] == 0
    assert recorder.peers == [IPv4("10.9.9.9")]


def test_nosaddrsel_always_takes_the_primary_address(host):
    host.run("ifconfig lo1 create").check()
    both = '"lo1|10.9.9.9", "fxp0|10.0.10.5"'
    _jail(host, f'w {{ path = "/"; persist; ip4.addr = {both}; }}\n'
                f'n {{ path = "/"; persist; ip4.nosaddrsel; ip4.addr = "lo1|10.9.9.8", "fxp0|10.0.10.6"; }}\n')
    host.run("jail -c n").check()
    recorder = _record(host, HOST, 4343)
    host.run("jexec w whois -h 10.0.10.2 -p 4343 q && jexec n whois -h 10.0.10.2 -p 4343 q").check()
    # with source address selection, the jail's address on fxp0; without, the first one
    assert recorder.peers == [JAIL, IPv4("10.9.9.8")]


# -- listeners (prison_local_ip4, in_pcbbind_setup, in_pcblookup_hash_wild_locked) ------------

def test_a_jails_sshd_listens_on_the_jails_address_only(host):
    _jail(host, ON_FXP0)
    assert run(host, "jexec w /usr/sbin/sshd -o PidFile=/var/run/sshd.w.pid") == (0, "", "")
    host_sshd = run(host, "cat /var/run/sshd.pid")[1].strip()
    jail_sshd = run(host, "cat /var/run/sshd.w.pid")[1].strip()
    listing = run(host, "sockstat -46 -l")[1]
    assert f"root     sshd       {host_sshd:>5} 4   tcp4   *:22                  *:*\n" in listing
    assert f"root     sshd       {jail_sshd:>5} 4   tcp4   10.0.10.5:22          *:*\n" in listing
    # an IPv4-only jail has no inet6 socket: sshd just listens on IPv4
    assert f"{jail_sshd:>5} 3   tcp6" not in listing
    inside = run(host, "jexec w sockstat -l")[1]
    assert inside == ("USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS      \n"
                      f"root     sshd       {jail_sshd:>5} 4   tcp4   10.0.10.5:22          *:*\n")
    assert run(host, "sockstat -l -j w")[1] == inside


def test_the_jails_address_reaches_the_jails_sshd_and_the_hosts_the_hosts(host):
    _jail(host, ON_FXP0)
    host.run("jexec w /usr/sbin/sshd -o PidFile=/var/run/sshd.w.pid").check()
    kernel, jid = host.machine.kernel, _prison(host).jid
    to_jail = find(kernel.host_vnet, "tcp", JAIL, 22)
    to_host = find(kernel.host_vnet, "tcp", HOST, 22)
    assert to_jail is not None and to_host is not None
    assert to_jail.handler.jid == jid and to_host.handler.jid == 0


def test_a_jailed_socket_wins_over_the_hosts_on_the_jails_address(host):
    """The host bound 10.0.10.5:80 itself; the jail's wildcard socket still
    gets the connections to its address (jailed sockets come first)."""
    _jail(host, 'w { path = "/"; persist; ip4.addr = "fxp0|10.0.10.5", "fxp0|10.0.10.6"; }\n')
    kernel, prison = host.machine.kernel, _prison(host)
    hosts = bind(kernel.prison0, Listener("tcp", "4", JAIL, 80, 1, 3, "root", "hostd"))
    jails = bind(prison, Listener("tcp", "4", None, 80, 2, 3, "root", "jaild"))
    assert jails.address is None            # two addresses: the wildcard stays
    assert find(kernel.host_vnet, "tcp", JAIL, 80) is jails
    assert find(kernel.host_vnet, "tcp", IPv4("10.0.10.6"), 80) is jails
    assert find(kernel.host_vnet, "tcp", HOST, 80) is None and hosts.address == JAIL


def test_bind_follows_the_jails_addresses(host):
    _jail(host, ON_FXP0)
    kernel, prison = host.machine.kernel, _prison(host)
    def listener(address: str | None, port: int = 25) -> Listener:
        return Listener("tcp", "4", IPv4(address) if address else None, port, 1, 3, "root", "d")
    assert bind(prison, listener(None)).address == JAIL
    assert bind(prison, listener("127.0.0.1", 26)).address == JAIL      # loopback is the jail's
    for address, errno in (("10.0.10.2", EADDRNOTAVAIL), ("10.0.10.5", EADDRINUSE)):
        with pytest.raises(OSErr) as refused:
            bind(prison, listener(address))
        assert refused.value.errno == errno
    with pytest.raises(OSErr) as no_inet6:
        bind(prison, Listener("tcp", "6", None, 25, 1, 4, "root", "d"))
    assert no_inet6.value.errno == EAFNOSUPPORT
    # the host's own binds are its own business
    assert bind(kernel.prison0, listener(None)).address is None


def test_an_address_on_no_interface_is_unusable(host):
    _jail(host, 'w { path = "/"; persist; ip4.addr = 10.0.10.9; }\n')
    assert run(host, "jexec w /usr/sbin/sshd -o PidFile=/var/run/sshd.w.pid") == (
        255, "", "Bind to port 22 on 10.0.10.9 failed: Can't assign requested address.\n"
                 "Cannot bind any address.\n")
    assert run(host, "jexec w service sshd onestart") == (
        1, "Starting sshd.\n", "Bind to port 22 on 10.0.10.9 failed: Can't assign requested address.\n"
                               "Cannot bind any address.\n")
    assert "10.0.10.9" not in run(host, "sockstat -4 -l")[1]
    assert run(host, "jexec w sockstat -l")[1].count("\n") == 1
    assert run(host, "ls /var/run/sshd.w.pid")[0] == 1
    kernel = host.machine.kernel
    with pytest.raises(ConnectError):
        connect(kernel, kernel.host_vnet, IPv4("10.0.10.9"), 22)


def test_loopback_in_a_jail_is_the_jails_first_address(host):
    _jail(host, ON_FXP0)
    prison = _prison(host)
    recorder = _record(host, JAIL, 4343, cred=prison)
    assert run(host, "jexec w whois -h 127.0.0.1 -p 4343 q") == (0, "seen\r\n", "")
    assert recorder.peers == [JAIL]
    # the host's 127.0.0.1 stays the host's: nothing listens there
    assert run(host, "whois -h 127.0.0.1 -p 4343 q")[0] != 0


def test_the_address_families_a_jail_gets(host):
    """kern_jail.c: a family not mentioned is disabled; ip4.addr means new."""
    _jail(host, ON_FXP0)
    host.run("jail -c name=bare path=/ persist && jail -c name=all path=/ persist ip4=inherit "
             "ip6=inherit && jail -c name=v vnet path=/ persist").check()
    assert run(host, "jls -j w ip4 ip6")[1] == "new disable\n"
    assert run(host, "jls -j bare ip4 ip6")[1] == "disable disable\n"
    assert run(host, "jls -j all ip4 ip6")[1] == "inherit inherit\n"
    assert run(host, "jls -j v ip4 ip6")[1] == "inherit inherit\n"


def test_a_jail_without_ipv4_has_no_ipv4_sockets(host):
    host.run("jail -c name=bare path=/ persist").check()
    kernel = host.machine.kernel
    with pytest.raises(ConnectError) as refused:
        connect(kernel, kernel.host_vnet, HOST, 22, _prison(host, "bare"))
    assert refused.value.errno == EAFNOSUPPORT


# -- what a jail sees (prison_if, prison_check) ----------------------------------------------

def test_ifconfig_in_a_jail_shows_every_interface_but_only_its_addresses(host):
    _jail(host, ON_FXP0)
    listing = run(host, "jexec w ifconfig")[1]
    assert listing.startswith("fxp0: flags=") and "\nlo0: flags=" in listing
    assert "\tinet 10.0.10.5 netmask 0xffffffff broadcast 10.0.10.5\n" in listing
    assert "10.0.10.2" not in listing and "127.0.0.1" not in listing
    assert "\tinet6 " not in listing and "\tether 00:0c:f1:cd:55:ea\n" in listing
    assert run(host, "jexec w ifconfig -l")[1] == run(host, "ifconfig -l")[1]
    assert run(host, "jexec w ifconfig -l inet")[1] == "fxp0\n"
    assert "\tinet 10.0.10.2 " in run(host, "ifconfig fxp0")[1]


# -- jail(8)'s aliases (command.c IP__IP4_IFADDR) -------------------------------------------

def test_interface_and_if_addr_aliases_come_and_go_with_the_jail(host):
    host.run("ifconfig lo1 create").check()
    _jail(host, 'w { path = "/"; persist; interface = lo1;\n'
                '    ip4.addr = 10.1.1.1/24, "lo1|10.1.2.1/255.255.0.0", "fxp0|10.0.10.7"; }\n')
    host.run("jail -r w").check()
    status, out, err = run(host, "jail -vc w")
    assert status == 0, err
    assert "w: run command: /sbin/ifconfig lo1 inet 10.1.1.1/24 alias\n" in out
    assert "w: run command: /sbin/ifconfig lo1 inet 10.1.2.1 netmask 255.255.0.0 alias\n" in out
    assert "w: run command: /sbin/ifconfig fxp0 inet 10.0.10.7 netmask 255.255.255.255 alias\n" in out
    lo1 = run(host, "ifconfig lo1")[1]
    assert "\tinet 10.1.1.1 netmask 0xffffff00\n" in lo1 and "\tinet 10.1.2.1 netmask 0xffff0000\n" in lo1
    assert run(host, "jls -j w ip4.addr")[1] == "10.1.1.1,10.1.2.1,10.0.10.7\n"
    status, out, _ = run(host, "jail -vr w")
    assert "w: run command: /sbin/ifconfig lo1 inet 10.1.1.1/24 -alias\n" in out
    assert "w: run command: /sbin/ifconfig lo1 inet 10.1.2.1 netmask 255.255.0.0 -alias\n" in out
    assert "w: run command: /sbin/ifconfig fxp0 inet 10.0.10.7 netmask 255.255.255.255 -alias\n" in out
    assert "10.1." not in run(host, "ifconfig lo1")[1] and "10.0.10.7" not in run(host, "ifconfig fxp0")[1]


# -- the installed world ---------------------------------------------------------------------

def test_the_world_has_freebsds_sshd_config_inetd_conf_and_www(host):
    sshd_config = run(host, "cat /etc/ssh/sshd_config")[1]
    assert "#UseDNS yes\n" in sshd_config and "\nSubsystem\tsftp\t/usr/libexec/sftp-server\n" in sshd_config
    inetd_conf = run(host, "cat /etc/inetd.conf")[1]
    assert "#echo\tstream\ttcp\tnowait\troot\tinternal\n" in inetd_conf
    assert all(line.startswith("#") for line in inetd_conf.splitlines())
    assert run(host, "id www") == (0, "uid=80(www) gid=80(www) groups=80(www)\n", "")
    # inetd as installed listens on nothing
    host.run("inetd").check()
    assert " inetd " not in run(host, "sockstat -4 -l")[1]


def test_a_qjail_jail_gets_the_worlds_files(host):
    from jailkit.qjail import Qjail
    qjail = Qjail(host)
    qjail.install()
    qjail.create("ssh", ["10.0.10.5"], ssh=True)
    sshd_config = run(host, "cat /usr/jails/ssh/etc/ssh/sshd_config")[1]
    assert sshd_config.startswith("#\t$OpenBSD: sshd_config") and sshd_config.endswith("UseDNS no\n")
    assert "www:*:80:" in run(host, "cat /usr/jails/ssh/etc/group")[1]
    assert run(host, "cat /usr/jails/ssh/etc/inetd.conf")[1] == run(host, "cat /etc/inetd.conf")[1]


def test_a_qjail_ssh_jail_on_lo1_listens_on_its_address(host):
    """The qjail-howto's jails, with their address on lo1 (qjail create -n):
    the jail's rc starts sshd, which listens on the jail's address only,
    beside the host's own *:22."""
    from jailkit.qjail import Qjail
    host.run("ifconfig lo1 create").check()
    qjail = Qjail(host)
    qjail.install()
    qjail.create("ssh", ["10.10.10.2"], nic="lo1", ssh=True)
    qjail.start("ssh")
    assert "\tinet 10.10.10.2 netmask 0xffffffff\n" in run(host, "ifconfig lo1")[1]
    jailed = [line.split()[5] for line in run(host, "sockstat -4 -l -j ssh")[1].splitlines()[1:]]
    assert jailed == ["10.10.10.2:22"]
    assert "tcp4   *:22 " in run(host, "sockstat -4 -l")[1]
    qjail.stop("ssh")
    assert "10.10.10.2" not in run(host, "ifconfig lo1")[1]
    assert "10.10.10.2" not in run(host, "sockstat -4 -l")[1]


def test_nc_and_fetch_in_a_jail_use_the_jails_address(host):
    # nc -l's wildcard binds the jail's address; nc's and fetch's connections
    # leave from it (netcat's local_listen and remote_connect, libfetch's
    # fetch_connect all go through the same bind and connect)
    _jail(host, ON_FXP0)
    recorder = _record(host, HOST, 4380)
    assert run(host, "jexec w nc -N 10.0.10.2 4380 < /dev/null")[1] == "seen\r\n"
    host.run("jexec w fetch -qo - http://10.0.10.2:4380/")
    assert recorder.peers == [JAIL, JAIL]
    host.run("jexec w sh -c 'nc -l 4381 > /dev/null &'").check()
    assert " 10.0.10.5:4381 " in host.run("sockstat -4 -l").stdout


def test_a_removed_jails_sockets_close_with_its_processes(host):
    # jail -r kills the jail's processes; exit(2) closes their sockets, which
    # a jail without a vnet of its own had in the host's stack
    _jail(host, ON_FXP0)
    host.run("jexec w sh -c 'nc -l 4390 > /dev/null &'").check()
    assert " 10.0.10.5:4390 " in host.run("sockstat -4 -l").stdout
    host.run("jail -r w").check()
    assert ":4390 " not in host.run("sockstat -4 -l").stdout
    assert find(host.machine.kernel.prison0.vnet, "tcp", JAIL, 4390) is None
