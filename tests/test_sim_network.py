"""route(8), ping(8) and sysctl(8) on the sim, and the packet decisions
behind ping: the way there and back, bridges, epairs, forwarding."""

from __future__ import annotations

import jailkit

import re

from tests.conftest import data, run



def test_route_get_default_has_freebsds_layout(host):
    real = data("route_14_get_default.txt")
    got = run(host, "route -n get default")[1]
    layout = lambda text: [re.sub(r"\S+$", "", line) for line in text.splitlines()]  # noqa: E731
    assert layout(got) == layout(real)
    assert "    gateway: 10.0.10.1\n" in got and "  interface: fxp0\n" in got


def test_route_get_without_n_says_default(host):
    got = run(host, "route get default")[1]
    assert got.startswith("   route to: default\ndestination: default\n       mask: default\n")


def test_route_add_and_delete_messages(host):
    host.run("jail -c name=r persist vnet; ifconfig epair create; ifconfig epair0b vnet r; "
             "jexec r ifconfig epair0b 10.1.0.2/24 up").check()
    assert run(host, "jexec r route add default 10.1.0.1") == (0, "add net default: gateway 10.1.0.1\n", "")
    assert run(host, "jexec r route add default 10.1.0.1") == (
        1, "add net default: gateway 10.1.0.1 fib 0: already in table\n",
        "route: writing to routing socket: File exists\n")
    assert run(host, "jexec r route add -net 192.0.2.0/24 10.1.0.9")[1] == "add net 192.0.2.0: gateway 10.1.0.9\n"
    assert run(host, "jexec r route add 198.51.100.7 10.1.0.9")[1] == "add host 198.51.100.7: gateway 10.1.0.9\n"
    assert run(host, "jexec r route delete default") == (0, "delete net default: gateway 10.1.0.1\n", "")
    assert run(host, "jexec r route delete default")[0] == 1


def test_route_to_an_unreachable_gateway(host):
    # The wording the Finch qjail notes record for this mistake.
    assert run(host, "route change default 192.168.1.1") == (
        1, "change net default: gateway 192.168.1.1 fib 0: Network is unreachable\n",
        "route: writing to routing socket: Network is unreachable\n")


def test_route_get_with_no_route(host):
    host.run("jail -c name=n persist vnet").check()
    assert run(host, "jexec n route get 192.0.2.1") == (1, "", "route: route has not been found\n")


def test_ping_format_is_freebsds(host):
    # -n: numeric replies, as the FreeBSD 12.1 transcript shows them.
    status, out, err = run(host, "ping -n -c 3 127.0.0.1")
    real = data("ping_12_ok.txt")
    strip = lambda text: re.sub(r"\d+\.\d{3}", "T", text)  # noqa: E731  (as ping_test.sh filters)
    assert (status, err) == (0, "") and strip(out) == strip(real)


def test_ping_the_gateway_and_the_exit_status_when_nothing_answers(host):
    assert run(host, "ping -c 1 10.0.10.1")[0] == 0
    status, out, _ = run(host, "ping -c 2 10.0.10.9")  # on the LAN, but nobody has it
    assert status == 2
    assert out.endswith("--- 10.0.10.9 ping statistics ---\n"
                        "2 packets transmitted, 0 packets received, 100.0% packet loss\n")


def test_ping_without_a_route(host):
    host.run("route delete default").check()
    status, out, err = run(host, "ping -c 2 192.0.2.1")
    assert status == 2 and err == "ping: sendto: Network is unreachable\n" * 2


def test_ping_usage_errors(host):
    assert run(host, "ping -c 0 127.0.0.1") == (64, "", "ping: invalid count of packets to transmit: `0'\n")
    assert run(host, "ping -4 -6 localhost") == (1, "", "ping: -4 and -6 cannot be used simultaneously\n")
    # main.c: getaddrinfo() failed; the lab's DNS says the name does not exist
    assert run(host, "ping -c 1 no.such.host") == (
        68, "", "ping: cannot resolve no.such.host: Name does not resolve\n")
    assert run(host, "ping")[0] == 64


def test_ping_by_name_from_etc_hosts(host):
    out = run(host, "ping -c 1 localhost")[1]
    assert out.startswith("PING localhost (127.0.0.1): 56 data bytes\n"
                          "64 bytes from 127.0.0.1: icmp_seq=0 ttl=64 time=")
    # -H asks for names in the replies (ping.c pr_addr, F_HOSTNAME)
    out = run(host, "ping -H -c 1 localhost")[1]
    assert "64 bytes from localhost (127.0.0.1): icmp_seq=0" in out


def test_ping_times_out_with_t(host):
    status, out, _ = run(host, "ping -t 3 10.0.10.9")
    assert status == 2 and "3 packets transmitted, 0 packets received" in out


def test_ping_is_deterministic_per_seed():
    import jailkit
    first = jailkit.connect("sim://?seed=7").run("ping -c 3 10.0.10.1").stdout
    again = jailkit.connect("sim://?seed=7").run("ping -c 3 10.0.10.1").stdout
    assert first == again


def test_a_jail_on_a_bridge_with_the_nic_reaches_the_lan(host):
    host.run("ifconfig bridge0 create up addm fxp0 && ifconfig epair create && ifconfig epair0a up "
             "&& ifconfig bridge0 addm epair0a && jail -c name=j persist vnet vnet.interface=epair0b "
             "&& jexec j ifconfig epair0b 10.0.10.10/28 up").check()
    assert run(host, "jexec j ping -c 1 10.0.10.1")[0] == 0   # the gateway
    assert run(host, "jexec j ping -c 1 10.0.10.2")[0] == 0   # the host's own address
    assert run(host, "ping -c 1 10.0.10.10")[0] == 0
    host.run("ifconfig epair0a down").check()
    assert run(host, "jexec j ping -c 1 10.0.10.1")[0] == 2   # a member that is down passes nothing


def test_forwarding_decides_routed_traffic(host):
    # client -- router -- server, two epairs: the router forwards only with
    # net.inet.ip.forwarding=1 (vnet.subr style, as FreeBSD's tests build it).
    host.run("""
        ifconfig epair create > /dev/null; ifconfig epair create > /dev/null
        jail -c name=router persist vnet vnet.interface=epair0a vnet.interface=epair1a
        jail -c name=client persist vnet vnet.interface=epair0b
        jail -c name=server persist vnet vnet.interface=epair1b
        jexec router ifconfig epair0a 10.1.0.1/24 up
        jexec router ifconfig epair1a 10.2.0.1/24 up
        jexec client ifconfig epair0b 10.1.0.2/24 up
        jexec server ifconfig epair1b 10.2.0.2/24 up
        jexec client route add default 10.1.0.1 > /dev/null
    """).check()
    assert run(host, "jexec client ping -c 1 10.2.0.2")[0] == 2            # no route back
    host.run("jexec server route add default 10.2.0.1 > /dev/null").check()
    assert run(host, "jexec client ping -c 1 10.2.0.2")[0] == 2            # not a router yet
    assert run(host, "jexec router sysctl net.inet.ip.forwarding=1") == \
        (0, "net.inet.ip.forwarding: 0 -> 1\n", "")
    status, out, _ = run(host, "jexec client ping -c 1 10.2.0.2")
    assert status == 0 and "ttl=63" in out                                   # one router on the way


def test_sysctl_formats_and_errors(host):
    assert run(host, "sysctl net.inet.ip.forwarding") == (0, "net.inet.ip.forwarding: 0\n", "")
    assert run(host, "sysctl -n kern.features.vimage") == (0, "1\n", "")
    assert run(host, "sysctl -i -n kern.features.nosuch") == (0, "", "")
    assert run(host, "sysctl foo.bar") == (1, "", "sysctl: unknown oid 'foo.bar'\n")
    assert run(host, "sysctl kern.ostype=Linux") == (1, "", "sysctl: oid 'kern.ostype' is read only\n")
    assert run(host, "sysctl net.inet.ip.forwarding=yes") == (1, "", "sysctl: invalid integer 'yes'\n")
    assert run(host, "sysctl kern.features")[1] == (
        "kern.features.inet: 1\nkern.features.inet6: 1\nkern.features.vimage: 1\n")


def test_sysctl_in_jails(host):
    host.run("jail -c name=v persist vnet; jail -c name=p persist").check()
    assert run(host, "jexec v sysctl net.inet.ip.forwarding=1")[0] == 0
    assert run(host, "sysctl -n net.inet.ip.forwarding")[1] == "0\n"      # the host's own value
    assert run(host, "jexec p sysctl net.inet.ip.forwarding=1") == \
        (1, "", "sysctl: net.inet.ip.forwarding=1: Operation not permitted\n")
    assert run(host, "jexec v sysctl -n security.jail.jailed security.jail.vnet")[1] == "1\n1\n"


def test_a_ping_whose_answer_has_no_way_back_is_only_lost():
    # the gateway has no route to the jail's network: its answer goes
    # nowhere, and the pinging side's sendto did not fail (ping.c prints
    # no "sendto:" line, only the loss)
    host = jailkit.connect("sim://?lab=jails-and-networking")
    host.run("ifconfig epair0 create && ifconfig epair0a 10.0.1.1/30 up").check()
    host.run("sysctl net.inet.ip.forwarding=1").check()
    host.run("jail -c name=p vnet persist vnet.interface=epair0b path=/").check()
    host.run("jexec p ifconfig epair0b 10.0.1.2/30 up && jexec p route add default 10.0.1.1").check()
    result = host.run("jexec p ping -c 1 -t 2 10.0.20.1")
    assert (result.exit_status, result.stderr) == (2, "")
    assert "1 packets transmitted, 0 packets received, 100.0% packet loss" in result.stdout
