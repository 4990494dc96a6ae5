"""More of FreeBSD's regression tests on connect("sim://"): ipfilter's NAT
in VNET jails (netpfil/common nat.sh and rdr.sh with utils.subr's
"ipfnat"), redirects of a stack's connections to itself (the inet-local
pfil head), and unit tests of what they need from the sim.

As in tests/test_freebsd_regression.py, each port names the atf case it
follows and makes its commands with its expectations."""

from __future__ import annotations

import pytest

from jailkit.host import Host
from jailkit.vnet_subr import VnetSubr as Vnet
from tests.conftest import run
from tests.freebsd_ports import check, nat_lab, rdr_lab, vnet
from tests.test_freebsd_regression import _firewall_loaded

__all__ = ["vnet"]      # the fixture


def _ipfnat_config(vnet: Vnet, jail: str, rules: list[str]) -> None:
    """utils.subr firewall_config for "ipfnat": rc.d/ipfilter (it does
    nothing, as ipfilter_enable is not set), the NAT rules, and ipfilter's IPv4 and
    IPv6 hooks linked on the local-delivery heads."""
    vnet.sh("rm -f /tmp/ipfnat.rule").check()
    for rule in rules:
        vnet.sh(f"echo \"{rule}\" >> /tmp/ipfnat.rule").check()
    assert vnet.sh(f"jexec {jail} service ipfilter start").stdout.startswith("Cannot 'start' ipfilter.")
    check(vnet.sh(f"jexec {jail} ipnat -CF -f /tmp/ipfnat.rule"), 0,
          "0 entries flushed from NAT table\n0 entries flushed from NAT list\n")
    check(vnet.sh(f"jexec {jail} pfilctl link -o ipfilter:default-ip4 inet-local"), 0)
    check(vnet.sh(f"jexec {jail} pfilctl link -o ipfilter:default-ip6 inet6-local"), 0)


REDIRECTED = ('echo "foo" | jexec {server} nc -N -l 4321 > /dev/null & sleep 1; '
              'result=$({client}nc -N -w 3 {address} 1234); echo "got $result"; wait $!')


# -- tests/sys/netpfil/common/nat.sh -----------------------------------------------------
def test_common_nat_ipfnat_basic(host: Host, vnet: Vnet):
    _firewall_loaded(host, "ipf")
    wan = nat_lab(vnet)
    _ipfnat_config(vnet, "nat", [f"map {wan} 192.0.3.0/24 -> 0/32", f"map {wan} 192.0.2.0/24 -> 0/32"])
    for client in ("client1", "client2"):
        check(vnet.sh(f"jexec {client} ping -t 1 -c 1 198.51.100.2"), 0)


# -- tests/sys/netpfil/common/rdr.sh -----------------------------------------------------
def test_common_rdr_ipfnat_basic(host: Host, vnet: Vnet):
    _firewall_loaded(host, "ipf")
    epair = rdr_lab(vnet)
    _ipfnat_config(vnet, "alcatraz", [
        f"rdr {epair}b from any to 198.51.100.0/24 port = 1234 -> 192.0.2.1 port 4321 tcp"])
    script = REDIRECTED.format(server="alcatraz", client="", address="198.51.100.2")
    check(vnet.sh(script), 0, "got foo\n")


def _local_redirect_lab(vnet: Vnet) -> None:
    """local_redirect's bridge on the host with jails first and second;
    second routes."""
    bridge, one, two = vnet.mkbridge(), vnet.mkepair(), vnet.mkepair()
    vnet.sh(f"ifconfig {bridge} 192.0.2.1/24 up").check()
    vnet.mkjail("first", f"{one}b")
    vnet.mkjail("second", f"{two}b")
    for line in (f"ifconfig {one}a up", f"ifconfig {bridge} addm {one}a",
                 f"jexec first ifconfig {one}b 192.0.2.2/24 up", "jexec first ifconfig lo0 127.0.0.1/8 up",
                 f"ifconfig {two}a up", f"ifconfig {bridge} addm {two}a",
                 f"jexec second ifconfig {two}b 192.0.2.3/24 up", "jexec second ifconfig lo0 127.0.0.1/8 up",
                 "jexec second sysctl net.inet.ip.forwarding=1"):
        vnet.sh(line).check()


def test_common_rdr_ipfnat_local_redirect(host: Host, vnet: Vnet):
    # second connects to its own address; the rdr on any interface ('*')
    # sends the SYN on to first, and ipfilter's hook on inet-local turns
    # first's answers back into 192.0.2.3:1234's
    _firewall_loaded(host, "ipf")
    _local_redirect_lab(vnet)
    _ipfnat_config(vnet, "second", ["rdr '*' from any to 192.0.2.3/24 port = 1234 -> 192.0.2.2 port 4321 tcp"])
    script = REDIRECTED.format(server="first", client="jexec second ", address="192.0.2.3")
    check(vnet.sh(script), 0, "got foo\n")


def test_common_rdr_pf_local_redirect(host: Host, vnet: Vnet):
    _firewall_loaded(host, "pf")
    _local_redirect_lab(vnet)
    for line in ("jexec second sysctl net.pf.filter_local=1", "jexec second pfctl -e",
                 "jexec second pfctl -F all"):
        vnet.sh(line).check()
    vnet.sh("echo 'rdr pass proto tcp from any to 192.0.2.3/24 port 1234 -> 192.0.2.2 port 4321' "
            "| jexec second pfctl -f -").check()
    script = REDIRECTED.format(server="first", client="jexec second ", address="192.0.2.3")
    check(vnet.sh(script), 0, "got foo\n")


# -- unit tests: ipfilter runs from load ------------------------------------------------
def test_ipfilter_runs_in_every_vnet_from_module_load(host: Host, vnet: Vnet):
    # vnet_ipf_init(): ipfattach() and the hooks, for the vnets there are
    # when ipl.ko loads and for each one made later
    vnet.mkjail("before")
    host.run("kldload ipl").check()
    vnet.mkjail("after")
    for where in ("", "jexec before ", "jexec after "):
        assert "Running: yes" in run(host, f"{where}ipf -V")[1]
        assert "ipfilter:default-ip4" in run(host, f"{where}pfilctl hooks")[1]


def test_ipfilter_disabled_in_one_vnet_only(host: Host, vnet: Vnet):
    host.run("kldload ipl").check()
    vnet.mkjail("one")
    check(vnet.sh("jexec one ipf -D"), 0, "", "")
    assert "Running: no" in run(host, "jexec one ipf -V")[1]
    assert "Running: yes" in run(host, "ipf -V")[1]


# -- unit tests: ipnat's rdr with from/to ----------------------------------------------
def test_ipnat_rdr_from_to_lists_as_ipnat_prints_it(host: Host):
    host.run("kldload ipl").check()
    rules = ("rdr fxp0 from any to 198.51.100.0/24 port = 1234 -> 192.0.2.1 port 4321 tcp\n"
             "rdr \"*\" from 10.0.0.0/8 to 192.0.2.3/32 port = 80 -> 192.0.2.2 port 8080 tcp\n")
    check(host.run("ipnat -f -", stdin=rules), 0, "", "")
    listing = run(host, "ipnat -l")[1]
    assert "rdr fxp0 from any to 198.51.100.0/24 port = 1234 -> 192.0.2.1/32 port 4321 tcp\n" in listing
    assert "rdr * from 10.0.0.0/8 to 192.0.2.3/32 port = 80 -> 192.0.2.2/32 port 8080 tcp\n" in listing


def test_ipnat_rdr_from_to_errors(host: Host):
    host.run("kldload ipl").check()
    check(host.run("ipnat -f -", stdin="rdr fxp0 from any 192.0.2.1 -> 10.0.0.1\n"),
          1, "", 'syntax error at "192.0.2.1", line 1\n')
    status, _, err = run(host, "ipnat -f -", stdin="rdr fxp0 from any to 192.0.2.1 port > 80 -> 10.0.0.1\n")
    assert status == 1 and "not modelled" in err
    status, _, err = run(host, "ipnat -f -", stdin="map fxp0 from any to any -> 0/32\n")
    assert status == 1 and "not modelled" in err


def test_ipnat_rdr_from_matches_the_source_too():
    from ipaddress import IPv4Address as A

    from jailkit.sim.ipfilter import nat_rules
    from jailkit.sim.packet import Packet
    [(_, rule)] = list(nat_rules("rdr * from 10.0.0.0/8 to 192.0.2.3/32 port = 80 -> 192.0.2.2 port 8080 tcp\n"))
    assert rule.on("epair0b") and rule.on("lo0")
    assert rule.redirects(Packet("tcp", A("10.1.2.3"), A("192.0.2.3"), 40000, 80))
    assert not rule.redirects(Packet("tcp", A("172.16.0.1"), A("192.0.2.3"), 40000, 80))
    assert not rule.redirects(Packet("tcp", A("10.1.2.3"), A("192.0.2.3"), 40000, 81))


# -- unit tests: the inet-local head and net.pf.filter_local ------------------------------
def test_pf_filter_local_links_pf_on_inet_local(host: Host):
    host.run("kldload pf").check()
    check(host.run("sysctl net.pf.filter_local"), 0, "net.pf.filter_local: 0\n")
    host.run("pfctl -e").check()
    assert "Out             pf:default-out" not in run(host, "pfilctl heads")[1].split("inet-local")[1]
    check(host.run("sysctl net.pf.filter_local=1"), 0, "net.pf.filter_local: 0 -> 1\n")
    after = run(host, "pfilctl heads")[1]
    local = after.split("inet-local")[1].split("\n            inet ")[0]
    assert "pf:default-out" in local


def test_pf_filter_local_needs_the_module(host: Host):
    status, _, err = run(host, "sysctl net.pf.filter_local")
    assert status == 1 and "unknown oid 'net.pf.filter_local'" in err


@pytest.mark.parametrize("forwarding, expected", [(1, 0), (0, 1)])
def test_a_redirected_local_connection_is_forwarded_only_by_a_router(
        host: Host, vnet: Vnet, forwarding: int, expected: int):
    # ip_input(): a packet a hook sent elsewhere is not ours; without
    # net.inet.ip.forwarding it is dropped, and nc's connect times out
    host.run("kldload ipl").check()
    _local_redirect_lab(vnet)
    vnet.sh(f"jexec second sysctl net.inet.ip.forwarding={forwarding}").check()
    vnet.sh("echo 'rdr * from any to 192.0.2.3/32 port = 1234 -> 192.0.2.2 port 4321 tcp' "
            "| jexec second ipnat -f -").check()
    vnet.sh("jexec second pfilctl link -o ipfilter:default-ip4 inet-local").check()
    script = ('echo "foo" | jexec first nc -N -l 4321 > /dev/null & sleep 1; '
              'jexec second nc -N -w 3 192.0.2.3 1234; status=$?; kill %1; exit $status')
    assert vnet.sh(script).exit_status == expected


# -- tests/sys/netpfil/pf/nat.sh: empty_table_source_hash, empty_table_random ------------
@pytest.mark.parametrize("option", ["source-hash", "random"])
def test_pf_nat_empty_table(host: Host, vnet: Vnet, option: str):
    # The case adds a default route on the host itself: FreeBSD's test
    # machines have none. The sim's host is a LAN machine with one
    # (defaultrouter in rc.conf), so it goes first, as on such a machine
    # the case's `route add default` fails with "File exists".
    host.run("kldload pf").check()
    host.run("route delete default").check()
    wan, lan = vnet.mkepair(), vnet.mkepair()
    vnet.mkjail("srv", f"{wan}a")
    vnet.mkjail("rtr", f"{wan}b", f"{lan}a")
    for line in (f"jexec srv ifconfig {wan}a 192.0.2.2/24 up", f"jexec rtr ifconfig {wan}b 192.0.2.1/24 up",
                 f"jexec rtr ifconfig {lan}a 198.51.100.1/24 up", "jexec rtr sysctl net.inet.ip.forwarding=1",
                 f"ifconfig {lan}b 198.51.100.2/24 up", "route add default 198.51.100.1",
                 "jexec rtr pfctl -e"):
        vnet.sh(line).check()
    rules = f"table <empty>\nnat on {wan}b inet from 198.51.100.0/24 -> <empty> {option}\npass\n"
    check(vnet.sh(f"printf '{rules}' | jexec rtr pfctl -f -".replace("\n", "\\n")), 0)
    for line in ("jexec rtr ping -c 1 192.0.2.2", "ping -c 1 198.51.100.1", "ping -c 1 192.0.2.1"):
        check(vnet.sh(line), 0)
    # the translation has no address to take: the packet is dropped, pf lives on
    check(vnet.sh("ping -c 1 192.0.2.2"), 2)
    check(vnet.sh("jexec rtr ping -c 1 192.0.2.2"), 0)


def test_route_add_default_where_there_is_one(host: Host, vnet: Vnet):
    # what the case meets on a host that has a default route already
    epair = vnet.mkepair()
    vnet.sh(f"ifconfig {epair}a 198.51.100.2/24 up").check()
    status, _, err = run(host, "route add default 198.51.100.1")
    assert status == 1 and "File exists" in err


# -- tests/sys/netpfil/pf/nat.sh: endpoint_independent_* -------------------------------
def _endpoint_independent_lab(vnet: Vnet) -> tuple[str, str, str]:
    """endpoint_independent_setup: client behind nat, two servers on a
    bridge on the nat's outside; returns the nat's outside interface and
    the servers'."""
    client, nat, one, two = vnet.mkepair(), vnet.mkepair(), vnet.mkepair(), vnet.mkepair()
    bridge = vnet.mkbridge()
    vnet.mkjail("nat", f"{client}b", f"{nat}a")
    vnet.mkjail("client", f"{client}a")
    vnet.mkjail("server1", f"{one}a")
    vnet.mkjail("server2", f"{two}a")
    for line in (f"ifconfig {one}b up", f"ifconfig {two}b up", f"ifconfig {nat}b up",
                 f"ifconfig {bridge} addm {one}b addm {two}b addm {nat}b up",
                 f"jexec nat ifconfig {client}b 192.0.2.1/24 up",
                 f"jexec nat ifconfig {nat}a 198.51.100.42/24 up", "jexec nat sysctl net.inet.ip.forwarding=1",
                 f"jexec client ifconfig {client}a 192.0.2.2/24 up", "jexec client route add default 192.0.2.1",
                 f"jexec server1 ifconfig {one}a 198.51.100.32/24 up",
                 f"jexec server2 ifconfig {two}a 198.51.100.22/24 up", "jexec nat pfctl -e"):
        vnet.sh(line).check()
    return f"{nat}a", f"{one}a", f"{two}a"


def _seen_by_servers(vnet: Vnet, servers: tuple[str, str], rule: str) -> tuple[str, str]:
    """endpoint_independent_common's half: everything flushed and the rule
    loaded (pft_set_rules), ten datagrams to
    each server from the client's port 4242, and the source each server's
    capture saw last (tcpdump -r | awk's third field)."""
    vnet.sh("jexec nat pfctl -F all").check()          # pft_set_rules flushes first
    vnet.sh(f"echo '{rule}' | jexec nat pfctl -f -").check()
    script = ("jexec server1 tcpdump -i {one} -w /tmp/server1.pcap --immediate-mode udp and dst port 1234 & a=$!; "
              "jexec server2 tcpdump -i {two} -w /tmp/server2.pcap --immediate-mode udp and dst port 1234 & b=$!; "
              "for i in $(seq 1 10); do "
              "echo ping | jexec client nc -u 198.51.100.32 1234 -p 4242 -w 0; "
              "echo ping | jexec client nc -u 198.51.100.22 1234 -p 4242 -w 0; done; "
              "kill $a $b")
    vnet.sh(script.format(one=servers[0], two=servers[1]))
    last = "tcpdump -r /tmp/server{n}.pcap | awk '{{addr=$3}} END {{print addr}}'"
    return vnet.sh(last.format(n=1)).stdout.strip(), vnet.sh(last.format(n=2)).stdout.strip()


@pytest.mark.parametrize("modifiers", ["", "static-port ", "port 3000:3001 "])
def test_pf_nat_endpoint_independent(host: Host, vnet: Vnet, modifiers: str):
    # _compat, _static_port and _exhaust: without endpoint-independent the
    # two servers see the client at different ports, with it at the same
    host.run("kldload pf").check()
    wan, *servers = _endpoint_independent_lab(vnet)
    pair = (servers[0], servers[1])
    base = f"nat on {wan} inet from ! ({wan}) to any -> ({wan})"
    first, second = _seen_by_servers(vnet, pair, base)
    assert first and second and first != second
    sticky = f"{base} {modifiers}sticky-address endpoint-independent" if modifiers else \
        f"{base} endpoint-independent"
    first, second = _seen_by_servers(vnet, pair, sticky)
    assert first and first == second
    if modifiers == "static-port ":
        assert first == "198.51.100.42.4242"
    # then datagrams from other ports: with two ports in the pool they run
    # out, and nc -u -w 0 still ends at once with status 0
    script = ("for i in $(seq 1 10); do echo ping | jexec client nc -u 198.51.100.32 1234 -w 0 || exit 1; "
              "echo ping | jexec client nc -u 198.51.100.22 1234 -w 0 || exit 1; done")
    check(vnet.sh(script), 0)


# -- unit tests: nc -p and getopt_long's order ------------------------------------------
def test_getopt_permuted_takes_options_after_operands():
    from jailkit.getopt import GetoptError, getopt, getopt_permuted
    args = ["-u", "198.51.100.32", "1234", "-p", "4242", "-w0", "--", "-x"]
    assert getopt_permuted(args, "up:w:") == ([("u", None), ("p", "4242"), ("w", "0")],
                                              ["198.51.100.32", "1234", "-x"])
    assert getopt(args, "up:w:") == ([("u", None)], args[1:])
    with pytest.raises(GetoptError, match="option requires an argument -- p"):
        getopt_permuted(["host", "1", "-p"], "p:")


def test_nc_source_port(host: Host):
    # remote_connect() binds to the -p port: tcpdump shows it
    host.run("tcpdump -n -i lo0 -w /tmp/lo0.pcap udp & "
             "echo hi | nc -u 127.0.0.1 9999 -p 4242 -w 0; kill %1").check()
    assert "127.0.0.1.4242 > 127.0.0.1.9999: UDP" in run(host, "tcpdump -n -r /tmp/lo0.pcap")[1]


def test_nc_source_port_errors(host: Host):
    check(host.run("nc -l -p 4242 5000"), 1, "", "nc: cannot use -p and -l\n")
    check(host.run("nc -u -p nosuchservice 127.0.0.1 9"), 1, "",
          "nc: getaddrinfo: Service was not recognized for socket type\n")
    check(host.run("nc -u -l 4242 > /dev/null & echo hi | nc -u -p 4242 -w 0 127.0.0.1 9; status=$?; kill %1; "
                   "exit $status"), 1, "", "nc: bind failed: Address already in use\n")


def test_nc_udp_status_after_a_port_unreachable(host: Host):
    # readwrite() ends on the failed read and nc exits 0; only -z's
    # udptest() turns the ICMP error into a failure
    assert run(host, "echo hi | nc -u -w 1 127.0.0.1 9")[0] == 0
    assert run(host, "nc -u -z 127.0.0.1 9")[0] == 1


# -- tests/sys/net/if_bridge_test.sh: gif ----------------------------------------------
def _gif_pair(vnet: Vnet) -> tuple[str, str, str]:
    """Jails one and two on an epair (192.0.2.1 and .2), each with a gif
    whose tunnel goes to the other; returns the epair and the gifs."""
    epair = vnet.mkepair()
    vnet.mkjail("one", f"{epair}a")
    vnet.mkjail("two", f"{epair}b")
    vnet.sh(f"jexec one ifconfig {epair}a 192.0.2.1/24 up").check()
    vnet.sh(f"jexec two ifconfig {epair}b 192.0.2.2/24 up").check()
    gif_one = vnet.must(["jexec", "one", "ifconfig", "gif", "create"]).strip()
    gif_two = vnet.must(["jexec", "two", "ifconfig", "gif", "create"]).strip()
    for line in (f"jexec one ifconfig {gif_one} tunnel 192.0.2.1 192.0.2.2", f"jexec one ifconfig {gif_one} up",
                 f"jexec two ifconfig {gif_two} tunnel 192.0.2.2 192.0.2.1", f"jexec two ifconfig {gif_two} up"):
        vnet.sh(line).check()
    return epair, gif_one, gif_two


def _bridge_gifs(vnet: Vnet, gif_one: str, gif_two: str) -> None:
    """A bridge in each jail, 198.51.100.1 and .2, with the jail's gif."""
    for jail, address, gif in (("one", "198.51.100.1", gif_one), ("two", "198.51.100.2", gif_two)):
        bridge = vnet.must(["jexec", jail, "ifconfig", "bridge", "create"]).strip()
        vnet.sh(f"jexec {jail} ifconfig {bridge} {address}/24 up").check()
        vnet.sh(f"jexec {jail} ifconfig {bridge} addm {gif}").check()


def test_if_bridge_gif(vnet: Vnet):
    epair, gif_one, gif_two = _gif_pair(vnet)
    vnet.sh("jexec one sysctl net.link.gif.max_nesting=2")
    vnet.sh("jexec two sysctl net.link.gif.max_nesting=2")
    _bridge_gifs(vnet, gif_one, gif_two)
    check(vnet.sh("jexec one ping -c 1 192.0.2.2"), 0)
    for size in ("", "-s 1200 ", "-s 2000 "):
        check(vnet.sh(f"jexec one ping -c 1 {size}198.51.100.2"), 0)
    vnet.sh(f"jexec one ifconfig {epair}a mtu 1000").check()
    vnet.sh(f"jexec two ifconfig {epair}b mtu 1000").check()
    for size in ("-s 1200 ", "-s 2000 "):
        check(vnet.sh(f"jexec one ping -c 1 {size}198.51.100.2"), 0)


# -- unit tests: gif(4) carries packets --------------------------------------------------
def test_gif_needs_both_ends_and_a_way(vnet: Vnet):
    epair, gif_one, gif_two = _gif_pair(vnet)
    _bridge_gifs(vnet, gif_one, gif_two)
    check(vnet.sh("jexec two ping -c 1 -t 1 198.51.100.1"), 0)
    # the far end down: in_gif_input() finds no running gif for the tunnel
    vnet.sh(f"jexec two ifconfig {gif_two} down").check()
    check(vnet.sh("jexec one ping -c 1 -t 1 198.51.100.2"), 2)
    vnet.sh(f"jexec two ifconfig {gif_two} up").check()
    # a tunnel that does not mirror this one
    vnet.sh(f"jexec two ifconfig {gif_two} tunnel 192.0.2.2 192.0.2.9").check()
    check(vnet.sh("jexec one ping -c 1 -t 1 198.51.100.2"), 2)
    vnet.sh(f"jexec two ifconfig {gif_two} tunnel 192.0.2.2 192.0.2.1").check()
    check(vnet.sh("jexec one ping -c 1 -t 1 198.51.100.2"), 0)
    # no way to the tunnel's destination
    vnet.sh(f"jexec one ifconfig {epair}a down").check()
    check(vnet.sh("jexec one ping -c 1 -t 1 198.51.100.2"), 2)


# -- usr.sbin/jail/tests/jail_basic_test.sh: commands (as 14.3 has it) --------------------
def test_jail_basic_commands(host: Host):
    # 14.3's jail(8) gives exec.* scripts no JID, JNAME or JPATH
    # (command.c run_command()), and its case checks only what the
    # exec.prestart and exec.prestop commands print
    host.run("mkdir -p /tmp/commands").check()
    conf = ('exec.prestop = "echo STOP";\nexec.prestart = "echo START";\npersist;\n\nbasejail {}\n'
            'path = "/tmp/commands";\n')
    host.run("cat > /tmp/commands/jail.conf", stdin=conf).check()
    check(host.run("jail -f /tmp/commands/jail.conf -qc basejail"), 0, "START\n", "")
    check(host.run("jail -f /tmp/commands/jail.conf -qr basejail"), 0, "STOP\n", "")
    host.run("jail -f /tmp/commands/jail.conf -qc basejail").check()
    check(host.run("jail -f /tmp/commands/jail.conf -qr `jls -j basejail jid`"), 0, "STOP\n", "")
    assert run(host, "jail -f /tmp/commands/jail.conf -qc basejail && "
                     "jexec basejail env; jail -r basejail")[1].count("JID=") == 0


# -- sbin/ping/tests/ping_test.sh: ping_c1_s56_t1 -----------------------------------------
PING_FILTER = ("sed -e 's/0.[0-9]\\{3\\}//g' -e 's/[1-9][0-9]*.[0-9]\\{3\\}//g' "
               "-e 's/localhost ([0-9]\\{1,3\\}\\(\\.[0-9]\\{1,3\\}\\)\\{1,3\\})/localhost/' "
               "-e 's/from [0-9]\\{1,3\\}\\(\\.[0-9]\\{1,3\\}\\)\\{1,3\\}/from/' "
               "-e 's/ttl=[0-9][0-9]*/ttl=/' -e 's/hlim=[0-9][0-9]*/hlim=/'")


def test_ping_c1_s56_t1(host: Host):
    # ping prints the reply's source numerically unless -H (pr_addr()
    # without F_HOSTNAME): check_ping_statistics leaves "from:"
    result = host.run(f"ping -4 -c 1 -s 56 -t 1 localhost > /tmp/std.out && {PING_FILTER} /tmp/std.out")
    check(result, 0, "PING localhost: 56 data bytes\n64 bytes from: icmp_seq=0 ttl= time= ms\n\n"
                     "--- localhost ping statistics ---\n"
                     "1 packets transmitted, 1 packets received, 0.0% packet loss\n"
                     "round-trip min/avg/max/stddev = /// ms\n")
    assert "64 bytes from localhost (127.0.0.1): icmp_seq=0" in run(host, "ping -H -c 1 localhost")[1]
