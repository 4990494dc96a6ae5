"""bpf(4) and tcpdump(1) on the sim: the taps on every interface a packet
crosses, tcpdump 4.99's output formats, pcap-filter expressions, captures
that go on while later commands run, and jails without /dev/bpf."""

from __future__ import annotations

import ipaddress
import re
import struct

import pytest

from jailkit.host import Host, HostTimeout
from jailkit.qjail import Qjail
from jailkit.sim import bpf
from jailkit.sim.network import send
from jailkit.sim.packet import Packet
from tests.conftest import run

COUNTERS = "{} captured\n{} received by filter\n0 packets dropped by kernel\n"
# A whois service on the host itself, answered by inetd: one TCP connection
# over lo0 per `whois -h 127.0.0.1 ...`.
WHOIS_SERVICE = ("printf '#!/bin/sh\\nread q; echo \"you asked: $q\"\\n' > /root/answer && "
                 "chmod +x /root/answer && "
                 "printf 'whois stream tcp nowait root /bin/sh sh /root/answer\\n' > /root/inetd.conf && "
                 "inetd -p /root/inetd.pid /root/inetd.conf")


@pytest.fixture
def whois(host: Host) -> Host:
    host.run(WHOIS_SERVICE).check()
    return host


def _packets(text: str) -> list[str]:
    """The packet lines of a capture (the first line of each with -v)."""
    return [line for line in text.splitlines() if re.match(r"\d\d:\d\d:\d\d\.\d{6} IP ", line)]


def _flags(lines: list[str]) -> list[str]:
    return [re.search(r"Flags \[([^]]*)\]", line).group(1) for line in lines]


# -- bpf(4) -----------------------------------------------------------------------------------

def test_a_tap_sees_what_leaves_and_what_arrives_and_makes_the_nic_promiscuous(host):
    kernel = host.machine.kernel
    fxp0 = kernel.host_vnet.ifunit("fxp0")
    seen: list[bpf.Capture] = []
    descriptor = bpf.attach(bpf.Descriptor(fxp0, lambda p: p.proto == "icmp", seen.append))
    assert "PROMISC" in run(host, "ifconfig fxp0")[1]
    assert host.run("ping -c 1 10.0.10.1").succeeded
    host.run("whois -h 127.0.0.1 x")              # over lo0: fxp0 never sees it
    assert [(c.ifnet, c.packet.src, c.packet.reply) for c in seen] == [
        ("fxp0", ipaddress.IPv4Address("10.0.10.2"), False),
        ("fxp0", ipaddress.IPv4Address("10.0.10.1"), True)]
    assert (descriptor.received, descriptor.captured) == (2, 2)
    bpf.detach(descriptor)
    assert "PROMISC" not in run(host, "ifconfig fxp0")[1]
    host.run("ping -c 1 10.0.10.1")
    assert descriptor.received == 2


def test_a_packet_to_the_hosts_own_address_crosses_lo0_once(host):
    vnet = host.machine.kernel.host_vnet
    seen: dict[str, list[bpf.Capture]] = {"lo0": [], "fxp0": []}
    for name, captures in seen.items():
        bpf.attach(bpf.Descriptor(vnet.ifunit(name), lambda p: True, captures.append))
    address = ipaddress.IPv4Address("10.0.10.2")
    send(vnet, Packet("icmp", address, address, 7, 7), 0.0)
    assert [c.packet.dst for c in seen["lo0"]] == [address] and seen["fxp0"] == []


def test_a_bridge_and_its_members_show_what_it_forwards(jail):
    jail.run("tcpdump -c 2 -n -i bridge10 > /tmp/bridge 2>&1 & "
             "tcpdump -c 2 -n -i epair1a > /tmp/epair 2>&1 & "
             "tcpdump -c 2 -n -v -i fxp0 > /tmp/nic 2>&1 &").check()
    jail.run("jexec v10 ping -c 1 10.0.10.1").check()
    for capture in ("bridge", "epair", "nic"):
        lines = _packets(run(jail, f"cat /tmp/{capture}")[1])
        assert [re.sub(r"id \d+", "id N", line[16:]) for line in lines] == [
            "IP 10.0.10.10 > 10.0.10.1: ICMP echo request, id N, seq 0, length 64"
            if capture != "nic" else
            "IP (tos 0x0, ttl 64, id N, offset 0, flags [none], proto ICMP (1), length 84)",
            "IP 10.0.10.1 > 10.0.10.10: ICMP echo reply, id N, seq 0, length 64"
            if capture != "nic" else
            "IP (tos 0x0, ttl 64, id N, offset 0, flags [none], proto ICMP (1), length 84)"]


# -- formats -------------------------------------------------------------------------------------

def test_a_tcp_connection_in_the_default_format(whois):
    whois.run("tcpdump -n -i lo0 > /tmp/cap 2>/tmp/err &").check()
    assert run(whois, "whois -h 127.0.0.1 x")[1] == "you asked: x\r\n"
    lines = _packets(run(whois, "cat /tmp/cap")[1])
    # the handshake, the request and its answer, and the close the service starts
    assert _flags(lines) == ["S", "S.", ".", "P.", "P.", "F.", ".", "F.", "."]
    client, server = re.match(r"\S+ IP (127\.0\.0\.1\.\d+) > (127\.0\.0\.1\.43): ", lines[0]).groups()
    syn = re.fullmatch(rf"\d\d:\d\d:\d\d\.\d{{6}} IP {client} > {server}: Flags \[S\], seq (\d+), "
                       r"win 65535, options \[mss 16344,nop,wscale 6,sackOK,TS val (\d+) ecr 0\], "
                       r"length 0", lines[0])
    assert syn is not None
    isn, tsval = syn.groups()
    synack = re.search(rf"IP {server} > {client}: Flags \[S\.\], seq \d+, ack (\d+), win 65535, "
                       rf"options \[mss 16344,nop,wscale 6,sackOK,TS val \d+ ecr {tsval}\], "
                       r"length 0$", lines[1])
    assert synack is not None and int(synack.group(1)) == int(isn) + 1
    # after the handshake, numbers relative to the conversation's first ones
    assert re.search(rf"IP {client} > {server}: Flags \[\.\], ack 1, win 1027, "
                     r"options \[nop,nop,TS val \d+ ecr \d+\], length 0$", lines[2])
    request = "x\r\n"
    answer = "you asked: x\r\n"
    assert f"Flags [P.], seq 1:{len(request) + 1}, ack 1, win 1027" in lines[3]
    # port 43: print-tcp.c decodes whois as text
    assert lines[3].endswith(f"length {len(request)}: WHOIS: x")
    assert f"Flags [P.], seq 1:{len(answer) + 1}, ack {len(request) + 1}, win 1027" in lines[4]
    assert lines[4].endswith(f"length {len(answer)}: WHOIS: you asked: x")
    assert f"Flags [F.], seq {len(answer) + 1}, ack {len(request) + 1}, " in lines[5]
    assert lines[6].split(": ", 1)[1].startswith(f"Flags [.], ack {len(answer) + 2}, ")
    assert f"Flags [F.], seq {len(request) + 1}, ack {len(answer) + 2}, " in lines[7]
    assert lines[8].split(": ", 1)[1].startswith(f"Flags [.], ack {len(request) + 2}, ")
    assert run(whois, "cat /tmp/err")[1] == (
        "tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n"
        "listening on lo0, link-type NULL (BSD loopback), snapshot length 262144 bytes\n")


def _ones_complement_sum(data: bytes) -> int:
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xffff:
        total = (total & 0xffff) + (total >> 16)
    return total


def test_verbose_shows_the_ip_header_and_a_checksum_that_adds_up(whois):
    whois.run("tcpdump -c 1 -v -n -i lo0 tcp > /tmp/cap 2>&1 &").check()
    whois.run("whois -h 127.0.0.1 x").check()
    text = run(whois, "cat /tmp/cap")[1]
    header, segment = text.splitlines()[1:3]
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{6} IP \(tos 0x0, ttl 64, id 0, offset 0, flags \[DF\], "
                        r"proto TCP \(6\), length 60\)", header)
    fields = re.fullmatch(r"    127\.0\.0\.1\.(\d+) > 127\.0\.0\.1\.43: Flags \[S\], cksum 0x([0-9a-f]{4}) "
                          r"\(correct\), seq (\d+), win 65535, options \[mss 16344,nop,wscale 6,"
                          r"sackOK,TS val (\d+) ecr 0\], length 0", segment)
    assert fields is not None
    sport, checksum, seq, tsval = fields.groups()
    # the segment as the fields printed describe it, with the printed checksum:
    # pseudo-header, header (data offset 10 words, SYN), MSS, NOP, WS, SACK-permitted, TS
    local = bytes([127, 0, 0, 1])
    tcp = (struct.pack("!HHIIBBHHH", int(sport), 43, int(seq), 0, 10 << 4, 0x02, 65535,
                       int(checksum, 16), 0)
           + struct.pack("!BBH", 2, 4, 16344) + bytes([1, 3, 3, 6, 4, 2])
           + struct.pack("!BBII", 8, 10, int(tsval), 0))
    pseudo = local + local + struct.pack("!BBH", 0, 6, len(tcp))
    assert _ones_complement_sum(pseudo + tcp) == 0xffff
    assert text.endswith(COUNTERS.format("1 packet", "1 packet"))
    whois.run("tcpdump -c 1 -v -K -n -i lo0 tcp > /tmp/unchecked 2>&1 &").check()
    whois.run("whois -h 127.0.0.1 x").check()
    assert ": Flags [S], seq " in run(whois, "cat /tmp/unchecked")[1]     # -K: no checksum


def test_http_is_decoded_as_text(host):
    host.run("printf '#!/bin/sh\\nread q; printf \"HTTP/1.0 200 OK\\\\r\\\\n\\\\r\\\\nIt works!\\\\n\"\\n' "
             "> /root/http && chmod +x /root/http && "
             "printf 'http stream tcp nowait root /bin/sh sh /root/http\\n' > /root/inetd.conf && "
             "inetd -p /root/inetd.pid /root/inetd.conf").check()
    host.run("tcpdump -c 5 -n -i lo0 > /tmp/brief 2>&1 & tcpdump -c 5 -v -n -i lo0 > /tmp/full 2>&1 &")
    assert run(host, "whois -h 127.0.0.1 -p 80 'GET / HTTP/1.0'")[1] == (
        "HTTP/1.0 200 OK\r\n\r\nIt works!\n")
    brief = _packets(run(host, "cat /tmp/brief")[1])
    assert brief[3].endswith("length 16: HTTP: GET / HTTP/1.0")
    assert brief[4].endswith("length 29: HTTP: HTTP/1.0 200 OK")
    full = run(host, "cat /tmp/full")[1]
    assert "length 29: HTTP, length: 29\n\tHTTP/1.0 200 OK\n\t\n\tIt works!\n" in full


def test_names_unless_n(whois):
    whois.run("tcpdump -c 1 -i lo0 > /tmp/names 2>&1 & tcpdump -c 1 -t -n -i lo0 > /tmp/numbers 2>&1 &"
              ).check()
    whois.run("whois -h 127.0.0.1 x").check()
    named = _packets(run(whois, "cat /tmp/names")[1])[0]
    # /etc/hosts names 127.0.0.1, /etc/services port 43
    assert re.search(r" IP localhost\.\d+ > localhost\.nicname: Flags \[S\]", named)
    numeric = run(whois, "cat /tmp/numbers")[1].splitlines()[2]
    assert re.match(r"IP 127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.43: Flags \[S\]", numeric)   # -t: no time


def test_quick_absolute_and_epoch_stamps(whois):
    whois.run("tcpdump -c 3 -q -n -i lo0 > /tmp/q 2>&1 & tcpdump -c 3 -S -tt -n -i lo0 > /tmp/s 2>&1 &"
              ).check()
    whois.run("whois -h 127.0.0.1 x").check()
    quick = run(whois, "cat /tmp/q")[1].splitlines()[2:5]
    assert all(re.search(r"IP 127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.\d+: tcp 0$", line) for line in quick)
    absolute = run(whois, "cat /tmp/s")[1].splitlines()[2:5]
    assert all(re.match(r"\d{10}\.\d{6} IP ", line) for line in absolute)
    # -S: the ACK of the handshake shows the server's number, not 1
    server_isn = int(re.search(r"Flags \[S\.\], seq (\d+)", absolute[1]).group(1))
    assert f"Flags [.], ack {server_isn + 1}, win 1027" in absolute[2]


# -- filters ---------------------------------------------------------------------------------------

# (expression, packets it takes of one whois connection over lo0: 9 segments,
# 5 from the client, 4 from port 43)
FILTERS = [
    ("", 9), ("tcp", 9), ("ip", 9), ("udp", 0), ("icmp", 0), ("ip6", 0), ("arp", 0),
    ("port 43", 9), ("tcp port nicname", 9), ("udp port 43", 0),
    ("src port 43", 4), ("dst port 43", 5), ("not src port 43", 5), ("! dst port 43", 4),
    ("host 127.0.0.1", 9), ("src host 127.0.0.1 and dst 127.0.0.1", 9),
    ("src and dst host 127.0.0.1", 9), ("host 10.0.10.1", 0), ("net 127.0.0.0/8", 9),
    ("ip host localhost", 9), ("tcp and (port 22 or port 43)", 9),
    ("port 22 or 43", 9),                          # an id alone takes the last keywords
    ("host 10.0.10.1 or 127.0.0.1", 9), ("tcp && !(src port 43 || udp)", 5),
    ("icmp or dst port 43 and not tcp", 0),
]


def test_filter_expressions(whois):
    for number, (expression, _) in enumerate(FILTERS):
        whois.run(f"tcpdump -n -i lo0 '{expression}' > /tmp/f{number} 2>&1 &").check()
    whois.run("whois -h 127.0.0.1 x").check()
    taken = {expression: len(_packets(run(whois, f"cat /tmp/f{number}")[1]))
             for number, (expression, _) in enumerate(FILTERS)}
    assert taken == dict(FILTERS)


@pytest.mark.parametrize("expression, message", [
    ("tcp and", "can't parse filter expression: syntax error"),
    ("port", "can't parse filter expression: syntax error"),
    ("(tcp", "can't parse filter expression: syntax error"),
    ("host nosuch.example", "unknown host 'nosuch.example'"),
    ("port nosuchservice", "unknown port 'nosuchservice'"),
    ("ether host 0:1:2:3:4:5", "can't compile 'ether': not modelled by the jailkit sim"),
    ("tcp[13] & 2 != 0", "can't compile 'tcp[13]': not modelled by the jailkit sim"),
])
def test_a_bad_filter_expression_is_refused(host, expression, message):
    assert run(host, f"tcpdump -n -i lo0 '{expression}'") == (1, "", f"tcpdump: {message}\n")


@pytest.mark.parametrize("command, message", [
    ("tcpdump -c 0", "tcpdump: invalid packet count 0\n"),
    ("tcpdump -c x", "tcpdump: invalid packet count x\n"),
    ("tcpdump -s big", "tcpdump: invalid snaplen big\n"),
    ("tcpdump -r /tmp/y -w /tmp/x", "tcpdump: -r with -w: not modelled by the jailkit sim\n"),
    ("tcpdump --number", "tcpdump: --number: not modelled by the jailkit sim\n"),
    ("tcpdump -e", "tcpdump: -e: not modelled by the jailkit sim\n"),
])
def test_bad_options(host, command, message):
    assert run(host, command) == (1, "", message)


# -- captures while other commands run -----------------------------------------------------------

def test_a_capture_started_in_one_command_shows_the_next_ones(whois):
    # the howto's way: start it in the background, connect, read it later
    assert run(whois, "tcpdump -c 4 -n -i lo0 tcp port 43 > /tmp/cap 2>&1 &") == (0, "", "")
    assert "PROMISC" in run(whois, "ifconfig lo0")[1]
    whois.run("whois -h 127.0.0.1 first").check()
    whois.run("whois -h 127.0.0.1 second").check()      # after -c 4: not captured
    text = run(whois, "cat /tmp/cap")[1]
    assert _flags(_packets(text)) == ["S", "S.", ".", "P."]
    assert text.endswith(COUNTERS.format("4 packets", "4 packets"))
    assert "PROMISC" not in run(whois, "ifconfig lo0")[1]    # it closed its descriptor


def _typed(session, line: str) -> tuple[int, str, str]:
    out: list[str] = []
    err: list[str] = []
    status = session.run(line, out=out.append, err=err.append)
    return status, "".join(out), "".join(err)


def test_a_background_capture_prints_at_the_terminal_while_later_lines_run(whois):
    session = whois.session(limit=600)
    status, out, err = _typed(session, "tcpdump -c 2 -n -i lo0 &")
    assert (status, out) == (0, "") and err.endswith("snapshot length 262144 bytes\n")
    assert _typed(session, "echo between") == (0, "between\n", "")
    status, out, err = _typed(session, "whois -h 127.0.0.1 x; wait")
    assert status == 0
    assert _flags(_packets(out)) == ["S", "S."] and out.endswith("you asked: x\r\n")
    assert err == COUNTERS.format("2 packets", "2 packets")


def test_a_background_capture_in_the_same_line(whois):
    status, out, err = _typed(whois.session(), "tcpdump -c 3 -n -i lo0 & whois -h 127.0.0.1 x; wait")
    assert status == 0 and _flags(_packets(out)) == ["S", "S.", "."]
    assert err.endswith(COUNTERS.format("3 packets", "3 packets"))


def test_a_background_capture_without_a_count_ends_with_the_jobs_time(host):
    session = host.session(limit=600)
    _typed(session, "tcpdump -n -i lo0 &")
    assert len(_packets(_typed(session, "ping -c 1 127.0.0.1 > /dev/null")[1])) == 2
    assert _typed(session, "sleep 100") == (0, "", "")      # past the job's 60 virtual seconds
    status, out, err = _typed(session, "ping -c 1 127.0.0.1 > /dev/null")
    # stopped before this ping: its cleanup's newline and counters, nothing of the ping
    assert (status, out, err) == (0, "\n", COUNTERS.format("2 packets", "2 packets"))
    assert "PROMISC" not in _typed(session, "ifconfig lo0")[1]


def test_a_background_capture_into_the_callers_pipe_is_waited_for(host):
    # over ssh the command's output is a pipe its reader reads to the end:
    # a capture writing into it keeps the command from ending, until the timeout
    with pytest.raises(HostTimeout):
        host.run("tcpdump -n -i lo0 &", timeout=5)
    assert "PROMISC" not in run(host, "ifconfig lo0")[1]


def test_a_foreground_capture_ends_at_its_count_or_its_signal(host):
    status, out, err = run(host, "timeout 3 tcpdump -c 5 -n -i lo0")
    assert (status, out) == (124, "\n") and err.endswith(COUNTERS.format("0 packets", "0 packets"))


# -- jails ------------------------------------------------------------------------------------------

def test_a_classic_jail_needs_bpf_then_captures_on_the_hosts_interfaces(host):
    qjail = Qjail(host)
    qjail.install()
    qjail.create("www", ["10.0.10.20"])
    qjail.start("www")
    # qjail's default devfs ruleset 4 hides /dev/bpf
    assert run(host, "jexec www tcpdump -c 2 -n icmp") == (1, "", "tcpdump: (there are no BPF devices)\n")
    qjail.stop("www")
    qjail.config("www", ruleset="50")
    qjail.start("www")
    # without its own vnet the jail sees the host's interfaces
    host.run("jexec www tcpdump -c 2 -n icmp > /tmp/cap 2>&1 &").check()
    host.run("ping -c 1 10.0.10.1").check()
    text = run(host, "cat /tmp/cap")[1]
    assert "listening on fxp0, link-type EN10MB (Ethernet)" in text
    assert [line.split(" IP ")[1].split(",")[0] for line in _packets(text)] == [
        "10.0.10.2 > 10.0.10.1: ICMP echo request", "10.0.10.1 > 10.0.10.2: ICMP echo reply"]


def test_a_capture_ends_with_its_jail(host):
    host.run("jail -c name=plain persist devfs_ruleset=0").check()
    host.run("jexec plain tcpdump -n -i lo0 > /tmp/cap 2>&1 &").check()
    host.run("jail -r plain").check()
    host.run("ping -c 1 127.0.0.1").check()
    assert _packets(run(host, "cat /tmp/cap")[1]) == []
    assert "PROMISC" not in run(host, "ifconfig lo0")[1]


def test_a_router_shows_a_packet_before_and_after_its_nat(host):
    lan, = host.machine.kernel.host_vnet.ifunit("fxp0").neighbours()
    gateway = lan.vnet
    wan = next(i for i in gateway.ifnets if i.name == "em1")
    seen: dict[str, list[bpf.Capture]] = {"em0": [], "em1": []}
    for nic in (lan, wan):
        bpf.attach(bpf.Descriptor(nic, lambda p: p.proto == "tcp" and "S" == p.flags,
                                  seen[nic.name].append))
    assert run(host, "whois freebsd.org")[0] == 0
    (inside,), (outside,) = seen["em0"], seen["em1"]
    # in on the LAN as the host sent it; out on the internet after the gateway's
    # map and ip_forward()'s TTL decrement, with the same sequence number
    assert (inside.packet.src, inside.packet.ttl) == (ipaddress.IPv4Address("10.0.10.2"), 64)
    assert (outside.packet.src, outside.packet.ttl) == (wan.inet[0].address, 63)
    assert outside.packet.dport == inside.packet.dport == 43
    assert outside.packet.seq == inside.packet.seq


def test_a_connection_from_outside_shows_up_in_a_capture_started_before(host):
    # as Host.run_on(<gateway>, ...) will: a connection made in the gateway's own stack
    from jailkit.sim.socket import connect
    kernel = host.machine.kernel
    lan, = kernel.host_vnet.ifunit("fxp0").neighbours()
    host.run("tcpdump -c 3 -n -i fxp0 tcp port 22 > /tmp/cap 2>&1 &").check()
    connect(kernel, lan.vnet, ipaddress.IPv4Address("10.0.10.2"), 22)
    text = run(host, "cat /tmp/cap")[1]
    lines = _packets(text)
    assert _flags(lines) == ["S", "S.", "."]
    assert re.search(r" IP 10\.0\.10\.1\.\d+ > 10\.0\.10\.2\.22: Flags \[S\]", lines[0])
    assert re.search(r" IP 10\.0\.10\.2\.22 > 10\.0\.10\.1\.\d+: Flags \[S\.\]", lines[1])
    assert text.endswith(COUNTERS.format("3 packets", "3 packets"))


def test_a_refused_connection_is_a_syn_and_a_reset(host):
    host.run("tcpdump -c 2 -n -i lo0 > /tmp/cap 2>&1 &").check()
    assert run(host, "whois -h 127.0.0.1 -p 81 x")[0] != 0
    syn, reset = _packets(run(host, "cat /tmp/cap")[1])
    client, isn = re.search(r"IP (127\.0\.0\.1\.\d+) > 127\.0\.0\.1\.81: Flags \[S\], seq (\d+),",
                            syn).groups()
    # tcp_dropwithreset(): no options, sequence 0, the SYN acknowledged
    assert reset.endswith(f"IP 127.0.0.1.81 > {client}: Flags [R.], seq 0, ack {int(isn) + 1}, "
                          "win 0, length 0")


def test_pings_echoes_carry_their_sequence_numbers(host):
    # ping.c pinger(): icmp_seq counts up, and the reply echoes it
    out = host.run("tcpdump -c 4 -n -i fxp0 icmp > /tmp/c 2>&1 & "
                   "ping -c 2 10.0.10.1 > /dev/null; cat /tmp/c").stdout
    seqs = [line.split(", seq ")[1].split(",")[0] for line in out.splitlines() if ", seq " in line]
    assert seqs == ["0", "0", "1", "1"], out
