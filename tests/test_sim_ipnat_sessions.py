"""ipnat's sessions as ip_nat.c keeps them: packets cross the host's pfil
hooks (jailkit/sim/network.py) between an outside client and a server
behind the host, the way the qjail howto forwards port 6122 to a jail's
sshd and maps the jails out (map first, then rdr, as the howto writes
them), with ipf passing the forwarded connections by "flags S keep state"."""

from __future__ import annotations

import pytest

from tests.conftest import run

NAT = ("map rl0 10.192.0.0/24 -> 0/32\n"
       "rdr rl0 0/0 port 6122 -> 10.192.0.10 port 22 tcp\n")
FILTER = ("block in on rl0 all\n"
          "pass in quick on rl0 proto tcp from any to any port = 6122 flags S keep state\n"
          "pass in quick on rl0 proto tcp from any to any port = 22 flags S keep state\n"
          "pass out quick on rl0 all keep state\n")


@pytest.fixture
def forward(host):
    """An outside client o (192.0.2.1) on the host's public NIC (an epair
    end named rl0 as in the howto, 192.0.2.2) and a jail j (10.192.0.10,
    sshd) behind the host's bridge, the host routing between them."""
    host.run("kldload ipl && ifconfig epair5 create > /dev/null && "
             "ifconfig epair5a name rl0 > /dev/null && ifconfig rl0 192.0.2.2/24 up && "
             "jail -c name=o path=/ persist vnet vnet.interface=epair5b && "
             "jexec o ifconfig epair5b 192.0.2.1/24 up && jexec o /usr/sbin/sshd && "
             "ifconfig bridge0 create up && ifconfig bridge0 inet 10.192.0.1/24 && "
             "ifconfig epair create > /dev/null && ifconfig bridge0 addm epair0a && "
             "ifconfig epair0a up && jail -c name=j path=/ persist vnet vnet.interface=epair0b && "
             "jexec j ifconfig epair0b 10.192.0.10/24 up && jexec j route add default 10.192.0.1 && "
             "jexec j /usr/sbin/sshd && sysctl net.inet.ip.forwarding=1 > /dev/null && "
             "/usr/sbin/sshd").check()
    host.run("ipf -E && ipnat -f -", stdin=NAT).check()
    host.run("ipf -f -", stdin=FILTER).check()
    return host


def banner(host, where: str, address: str, port: int) -> tuple[int, str]:
    status, out, _ = run(host, f"jexec {where} whois -h {address} -p {port} x")
    return status, out


def test_the_replies_of_an_rdr_session_are_not_mapped(forward):
    # the jail's answer leaves by rl0 from 10.192.0.10, which the map
    # rule (listed first) covers: the rdr session is found first and
    # un-redirects it, so the client hears 192.0.2.2:6122 answer
    status, out = banner(forward, "o", "192.0.2.2", 6122)
    assert status == 0 and out.startswith("SSH-2.0-OpenSSH_")
    sessions = run(forward, "ipnat -l")[1].split("List of active sessions:\n")[1]
    lines = sessions.splitlines()
    assert len(lines) == 1 and lines[0].startswith("RDR 10.192.0.10     22    <- -> 192.0.2.2       6122  [192.0.2.1 ")
    assert lines[0].endswith("] tcp")


def test_each_connection_is_its_own_session(forward):
    for _ in range(2):
        assert banner(forward, "o", "192.0.2.2", 6122)[0] == 0
    # a direct connection to the host's own sshd is no rdr session at all
    assert banner(forward, "o", "192.0.2.2", 22)[0] == 0
    sessions = run(forward, "ipnat -l")[1].split("List of active sessions:\n")[1].splitlines()
    client_ports = {line.split("[192.0.2.1 ")[1].split("]")[0] for line in sessions}
    assert len(sessions) == 2 and all(s.startswith("RDR ") for s in sessions)
    assert len(client_ports) == 2
    assert run(forward, "ipnat -lh")[1].splitlines()[1:3] == [
        "0 map rl0 10.192.0.0/24 -> 0/32", "2 rdr rl0 0/0 port 6122 -> 10.192.0.10/32 port 22 tcp"]


def test_a_map_session_maps_the_replies_back(forward):
    # the jail reaches the outside client's sshd through the map rule; the
    # answer comes back to the host's address and is mapped back to the jail
    status, out = banner(forward, "j", "192.0.2.1", 22)
    assert status == 0 and out.startswith("SSH-2.0-OpenSSH_")
    sessions = run(forward, "ipnat -l")[1].split("List of active sessions:\n")[1].splitlines()
    assert len(sessions) == 1
    kind, inside, port, _, _, alias, alias_port, far, far_port, proto = sessions[0].split()
    assert (kind, inside, alias, far, far_port, proto) == (
        "MAP", "10.192.0.10", "192.0.2.2", "[192.0.2.1", "22]", "tcp")
    assert alias_port == port               # without portmap the port stays


def test_the_filter_sees_the_redirected_packet(forward):
    # ipf_nat_checkin() runs before the rules: the rule for 6122 never
    # matches, the one for the jail's port 22 does (the howto's debug note)
    assert banner(forward, "o", "192.0.2.2", 6122)[0] == 0
    assert run(forward, "ipfstat -hni")[1].splitlines() == [
        "1 @1 block in on rl0 all",
        "0 @2 pass in quick on rl0 proto tcp from any to any port = 6122 flags S/FSRPAU keep state",
        "1 @3 pass in quick on rl0 proto tcp from any to any port = ssh flags S/FSRPAU keep state"]


def test_without_the_rdr_rule_the_forward_is_closed(forward):
    forward.run("ipnat -r -f -", stdin="rdr rl0 0/0 port 6122 -> 10.192.0.10 port 22 tcp\n").check()
    assert banner(forward, "o", "192.0.2.2", 6122)[0] != 0


def test_a_session_outlives_its_rule_until_ipnat_F(forward):
    assert banner(forward, "o", "192.0.2.2", 6122)[0] == 0
    assert run(forward, "ipnat -C") == (0, "2 entries flushed from NAT list\n", "")
    assert "RDR 10.192.0.10" in run(forward, "ipnat -l")[1]
    assert run(forward, "ipnat -F") == (0, "1 entries flushed from NAT table\n", "")
    assert run(forward, "ipnat -l")[1] == ("List of active MAP/Redirect filters:\n\n"
                                           "List of active sessions:\n")
