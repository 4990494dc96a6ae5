"""Host.run_on: a command on another machine of the lab, by its name. On
the sim's modelled lab it runs in that machine's own network stack, with its
own hostname, resolver, files and processes, none of them the host's; on a
box where labbuild built the lab (here a bare sim box, built with FreeBSD's
commands) it runs in the machine's jail. The same calls work on both."""

from __future__ import annotations

import pytest

import jailkit
from jailkit.host import HostError
from jailkit.hosts.local import LocalHost
from jailkit.labbuild import build_lab, remove_lab
from tests.conftest import PROVISIONED_BOX, run

OUTSIDE = "device.example.org"
HOST_IP = "203.0.113.20"
MACHINES = "router.isp.example, whois.iana.org, www.freebsd.org, device.example.org"
# A page the host serves on port 80 for the test, from inetd and sh.
HTTP = ("#!/bin/sh\nprintf 'HTTP/1.0 200 OK\\r\\nContent-Length: 10\\r\\n\\r\\n'\n"
        "echo 'It works!'\n")
OBSERVED = ("ifconfig -a", "jls", "mount -p", "cat /etc/resolv.conf", "route -n get default",
            "ls -R /var/run", "kldstat", "ls -R /tmp")


@pytest.fixture
def box():
    return jailkit.connect("sim://?lab=qjail-howto")


def test_a_lab_machine_has_its_own_name_stack_and_resolver(box):
    result = box.run_on(OUTSIDE, "hostname; ifconfig -l; cat /etc/resolv.conf")
    assert result.command == "hostname; ifconfig -l; cat /etc/resolv.conf"
    assert (result.exit_status, result.stderr) == (0, "")
    assert result.stdout == f"{OUTSIDE}\nlo0 em0\nnameserver 198.51.100.1\n"
    assert box.run_on("router.isp.example", "hostname; ifconfig -l").stdout == (
        "router.isp.example\nlo0 em0 em1\n")
    # an argv list is quoted word by word, as Host.run does it
    assert box.run_on(OUTSIDE, ["echo", "a b;c"]).stdout == "a b;c\n"


def test_what_happens_on_a_lab_machine_stays_there(box):
    listened = box.run_on(OUTSIDE, "echo mark > /tmp/mark && timeout 2 nc -l 5000")
    assert listened.exit_status == 124          # timeout(1) stopped it
    assert box.run_on(OUTSIDE, "cat /tmp/mark").stdout == "mark\n"      # it lasts there
    assert run(box, "ls /tmp; jls") == (0, "   JID  IP Address      Hostname"
                                           "                      Path\n", "")
    assert box.run_on("www.freebsd.org", "ls /tmp").stdout == ""        # each its own disk


def test_time_passes_for_the_host_too(box):
    before = box.machine.kernel.clock
    box.run_on(OUTSIDE, "sleep 10").check()
    assert box.machine.kernel.clock - before == pytest.approx(10, abs=0.01)


def test_from_outside_to_the_hosts_public_address(box):
    assert box.run_on(OUTSIDE, f"ping -c 1 {HOST_IP}").stdout.startswith(
        f"PING {HOST_IP} ({HOST_IP}): 56 data bytes\n64 bytes from {HOST_IP}: icmp_seq=0 ttl=63")
    assert box.run_on(OUTSIDE, f"nc -z {HOST_IP} 22").stderr == (
        f"Connection to {HOST_IP} 22 port [tcp/ssh] succeeded!\n")


def test_an_unknown_machine_is_named_with_the_labs_machines(box):
    with pytest.raises(HostError, match=f"'nowhere' is not a machine of the lab qjail-howto; "
                                        f"its machines are {MACHINES}"):
        box.run_on("nowhere", "true")
    # the host itself is not one of them
    with pytest.raises(HostError, match="'host.example.net' is not a machine"):
        box.run_on("host.example.net", "true")


def test_a_host_without_a_lab_says_so():
    with pytest.raises(HostError, match="this host has no lab, so no machine 'gateway'"):
        LocalHost(lab=None).run_on("gateway", "true")


def observe(host) -> list[str]:
    return [host.run(c).stdout for c in OBSERVED]


def test_on_a_box_the_lab_machines_are_labbuilds_jails():
    """The qjail-howto lab built on a bare box: the router routes the host's
    public address (no NAT), the internet hosts serve, and run_on reaches the host's public address from
    outside; taking the lab down leaves the box as it was."""
    box = jailkit.connect(PROVISIONED_BOX + "&lab=qjail-howto")
    before = observe(box)
    record = build_lab(box, box.lab)
    assert record is not None
    try:
        assert box.run_on(OUTSIDE, "hostname").stdout == f"{OUTSIDE}\n"
        assert "jk_net3" in run(box, "jls name")[1]
        ping = box.run_on(OUTSIDE, f"ping -c 1 {HOST_IP}")
        assert ping.succeeded and f"64 bytes from {HOST_IP}: icmp_seq=0 ttl=63" in ping.stdout
        assert box.run_on(OUTSIDE, f"nc -z -v {HOST_IP} 22").stderr == (
            f"Connection to {HOST_IP} 22 port [tcp/ssh] succeeded!\n")
        assert box.run_on(OUTSIDE, f"fetch -qo - http://{HOST_IP}/").stderr == (
            f"fetch: http://{HOST_IP}/: Connection refused\n")
        box.run("cat > /tmp/jk-http.sh && echo 'http stream tcp nowait root /bin/sh sh "
                "/tmp/jk-http.sh' > /tmp/jk-inetd.conf && inetd /tmp/jk-inetd.conf", stdin=HTTP).check()
        assert box.run_on(OUTSIDE, f"fetch -qo - http://{HOST_IP}/").stdout == "It works!\n"
        # and out from the host to the lab's internet, by name
        assert box.run("fetch -qo - http://www.freebsd.org/").stdout == (
            "<html><body>FreeBSD</body></html>\n")
        box.run("service inetd onestop && rm /tmp/jk-*").check()
    finally:
        remove_lab(box, box.lab, record)
    assert observe(box) == before
    gone = box.run_on(OUTSIDE, "hostname")
    assert gone.exit_status != 0 and "jk_net3" in gone.stderr


def test_the_gateway_shows_its_own_nat_and_services():
    """On the qjail-vnet lab's gateway: its ipnat maps the host's whois
    session, and its name server is a process of its own."""
    host = jailkit.connect("sim://")
    host.run("whois freebsd.org").check()
    sessions = host.run_on("gateway.lan", "ipnat -l").stdout
    assert "map em1 10.0.10.0/28 -> 0/32\n" in sessions
    assert "MAP 10.0.10.2 " in sessions and "[198.51.100.43 43]" in sessions
    listening = host.run_on("gateway.lan", "sockstat -4 -l").stdout.splitlines()
    assert [line.split()[:2] + line.split()[4:6] for line in listening[1:]] == [
        ["root", "unbound", "udp4", "*:53"]]
    assert "unbound" not in run(host, "sockstat -4 -l")[1]


def test_ssh_from_outside_logs_in_to_the_hosts_own_sshd(box):
    """The login is checked by the host's sshd against the host's accounts
    (not the outsider's), and the command runs on the host."""
    box.run("pw adduser test -w yes").check()
    box.run_on(OUTSIDE, "printf '#!/bin/sh\\necho test\\n' > /root/pw && chmod +x /root/pw").check()
    login = box.run_on(OUTSIDE, "SSH_ASKPASS=/root/pw SSH_ASKPASS_REQUIRE=force ssh "
                                f"-o StrictHostKeyChecking=no -l test {HOST_IP} 'id -un; hostname'")
    assert (login.exit_status, login.stdout) == (0, "test\nhost.example.net\n")
    # the outsider has no user test: a login the other way round is refused
    back = box.run(f"SSH_ASKPASS=/root/pw SSH_ASKPASS_REQUIRE=force ssh -o StrictHostKeyChecking=no "
                   "-l test www.freebsd.org id")
    assert back.exit_status == 255
