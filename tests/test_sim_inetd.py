"""inetd(8) on the sim: dgram services over UDP (the internal echo and
daytime, and what a script can and cannot do with a datagram socket),
rc.d/inetd, and the http stand-in for apache24 that the qjail howto's www
jail gets: a small sh script served by inetd, answering "It works!"."""

from __future__ import annotations

import ipaddress

from jailkit.qjail import Qjail
from jailkit.sim.socket import ConnectError, connect, datagram
from jailkit.terminal import ITWORKS
from tests.conftest import run

LOOPBACK = ipaddress.IPv4Address("127.0.0.1")
# What the feature's steps type at the www jail's console (the same text
# as jailkit.terminal's, which replays them): apache24's stand-in.
PAGE = "It works!\n"


def ask_udp(host, port: int, text: str, address=LOOPBACK) -> str:
    kernel = host.machine.kernel
    return datagram(kernel, kernel.host_vnet, address, port, text, timeout=3.0)


def test_dgram_internal_services_answer_over_udp(host):
    host.run("printf 'echo\\tdgram\\tudp\\twait\\troot\\tinternal\\n"
             "daytime dgram udp wait root internal\\n"
             "discard dgram udp wait root internal\\n' > /etc/inetd.conf && inetd").check()
    assert ask_udp(host, 7, "hello over udp\n") == "hello over udp\n"
    assert ask_udp(host, 13, "") == "Sun Nov 22 18:00:00 2026\r\n"
    assert ask_udp(host, 9, "nothing comes back") == ""
    pid = run(host, "cat /var/run/inetd.pid")[1].strip()
    listening = run(host, "sockstat -4 -l")[1]
    assert f"root     inetd      {pid:>5} 4   udp4   *:7" in listening
    assert "udp4   *:13" in listening and "udp4   *:9 " in listening


def test_a_udp_port_nobody_serves_is_refused(host):
    try:
        ask_udp(host, 7, "x")
    except ConnectError as exc:
        assert exc.errno == 61          # ECONNREFUSED: the port unreachable came back
    else:
        raise AssertionError("an answer from a port nobody listens on")


def test_a_dgram_script_reads_the_datagram_but_cannot_answer(host):
    # the script's standard output is the unconnected socket: write(2)
    # there fails (EDESTADDRREQ), only sendto(2) could answer
    host.run("printf '#!/bin/sh\\ncat > /tmp/got\\necho reply\\n' > /root/dg && chmod 555 /root/dg && "
             "echo 'echo dgram udp wait root /root/dg dg' > /root/inetd.conf && "
             "inetd -p /root/inetd.pid /root/inetd.conf").check()
    assert ask_udp(host, 7, "datagram\n") == ""
    assert run(host, "cat /tmp/got")[1] == "datagram\n"


def test_lines_inetd_cannot_use_are_logged_and_skipped(host):
    # FreeBSD has user www (uid 80, etc/master.passwd): httpd is a user it has not
    host.run("printf 'echo stream tcp nowait httpd /bin/cat cat\\n"
             "chargen dgram udp wait root internal\\n"
             "echo dgram udp6 wait root internal\\n' > /etc/inetd.conf && inetd").check()
    pid = run(host, "cat /var/run/inetd.pid")[1].strip()
    log = run(host, "cat /var/log/messages")[1]
    assert f"inetd[{pid}]: echo/tcp: no such user 'httpd', service ignored\n" in log
    assert f"inetd[{pid}]: internal service chargen is not modelled by the jailkit sim\n" in log
    assert f"inetd[{pid}]: echo/udp6: unknown service\n" in log
    assert "inetd" not in run(host, "sockstat -4 -l")[1]


def test_rc_d_inetd(host):
    host.run("echo 'echo dgram udp wait root internal' > /etc/inetd.conf").check()
    # rc.subr run_rc_command: the advice on standard output, then return 0
    assert run(host, "service inetd start") == (
        0, "Cannot 'start' inetd. Set inetd_enable to YES in /etc/rc.conf or use 'onestart' "
               "instead of 'start'.\n", "")
    host.run("sysrc inetd_enable=YES > /dev/null").check()
    assert run(host, "service inetd start") == (0, "Starting inetd.\n", "")
    assert ask_udp(host, 7, "up") == "up"
    pid = run(host, "cat /var/run/inetd.pid")[1].strip()
    assert run(host, "service inetd stop") == (0, f"Stopping inetd.\nWaiting for PIDS: {pid}.\n", "")


def test_the_www_jails_stand_in_for_apache(jail):
    """The commands the qjail howto's step 8 stands in with, typed at the
    jail's console, then step 9's restart: the jail's rc starts inetd."""
    qjail = Qjail(jail)
    for command, stdin in [("mkdir -p /usr/local/libexec", None),
                           ("cat > /usr/local/libexec/itworks", ITWORKS),
                           ("chmod 555 /usr/local/libexec/itworks", None),
                           ("echo 'http stream tcp nowait nobody /usr/local/libexec/itworks itworks'"
                            " >> /etc/inetd.conf", None),
                           ('echo "inetd_enable="YES"" >> /etc/rc.conf', None)]:
        assert qjail.console_run("v10", command, stdin=stdin).succeeded, command
    assert "Jail successfully started  v10" in qjail.restart("v10")
    assert "Starting inetd.\n" in run(jail, "cat /var/log/qjail.v10.console.log")[1]
    kernel = jail.machine.kernel
    connection = connect(kernel, kernel.host_vnet, ipaddress.IPv4Address("10.0.10.10"), 80)
    answer = connection.exchange("GET / HTTP/1.1\r\nHost: 10.0.10.10\r\n\r\n")
    assert answer == ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n"
                      f"Connection: close\r\n\r\n{PAGE}")
    assert len(PAGE.encode()) == 10
