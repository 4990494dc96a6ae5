"""tcpdump -w and -r on the sim: pcap savefiles (pcap-savefile(5)) written
by a capture while later commands run, and read back and printed as a live
capture prints them (tcpdump.c, libpcap's sf-pcap.c)."""

from __future__ import annotations

import ipaddress
import struct

from jailkit.sim import pcap
from jailkit.sim.packet import Packet
from tests.conftest import run
from tests.test_sim_tcpdump import WHOIS_SERVICE, _flags, _packets


def _savefile(host, path: str) -> bytes:
    # the sim's text is the file's bytes read as UTF-8 with surrogateescape
    return host.run(f"cat {path}").stdout.encode("utf-8", "surrogateescape")


def test_a_background_capture_writes_a_savefile_that_r_prints(host):
    status, out, err = run(host, "tcpdump -c 2 -n -i lo0 -w /tmp/cap --immediate-mode icmp &")
    # -w: no hint about -v; "tcpdump: " before "listening on"
    assert (status, out) == (0, "")
    assert err.startswith("tcpdump: listening on lo0, link-type NULL (BSD loopback), snapshot length 262144 bytes\n")
    host.run("ping -c 1 127.0.0.1").check()
    data = _savefile(host, "/tmp/cap")
    # the file header (little-endian magic, 2.4, snaplen, DLT_NULL), two records
    assert struct.unpack("<IHHiIII", data[:24]) == (0xa1b2c3d4, 2, 4, 0, 0, 262144, 0)
    assert len(data) == 24 + 2 * (16 + 4 + 84)
    # its size, as ls and wc count bytes, is the same
    assert run(host, "ls -l /tmp/cap")[1].split()[4] == run(host, "wc -c < /tmp/cap")[1].strip() \
        == str(len(data))
    status, out, err = run(host, "tcpdump -n -r /tmp/cap")
    assert status == 0
    assert err == "reading from file /tmp/cap, link-type NULL (BSD loopback), snapshot length 262144\n"
    lines = _packets(out)
    assert [line.split(" ", 1)[1].split(", id")[0] for line in lines] == [
        "IP 127.0.0.1 > 127.0.0.1: ICMP echo request", "IP 127.0.0.1 > 127.0.0.1: ICMP echo reply"]


def test_reading_prints_what_the_live_capture_printed(host):
    host.run(WHOIS_SERVICE).check()
    host.run("tcpdump -c 4 -n -v -i lo0 -w /tmp/w --print tcp port 43 > /tmp/live 2>/dev/null &").check()
    host.run("whois -h 127.0.0.1 x").check()
    live = host.run("cat /tmp/live").stdout
    status, again, _ = run(host, "tcpdump -n -v -r /tmp/w")
    assert status == 0 and again.strip("\n") == live.strip("\n")
    assert _flags(_packets(run(host, "tcpdump -n -r /tmp/w")[1])) == ["S", "S.", ".", "P."]
    # a filter and -c apply when reading too
    assert len(_packets(run(host, "tcpdump -n -r /tmp/w -c 1 tcp")[1])) == 1
    assert _packets(run(host, "tcpdump -n -r /tmp/w udp")[1]) == []


def test_a_capture_that_ends_with_its_jail_leaves_what_it_wrote(host):
    host.run("ifconfig epair create").check()
    host.run("ifconfig epair0a 192.0.2.1/24 up").check()
    host.run("jail -c name=j persist vnet vnet.interface=epair0b").check()
    host.run("jexec j ifconfig epair0b 192.0.2.2/24 up").check()
    host.run("jexec j tcpdump -i epair0b -w /tmp/j.pcap --immediate-mode icmp &").check()
    host.run("ping -c 2 192.0.2.2").check()
    host.run("jail -r j").check()
    assert len(_packets(run(host, "tcpdump -n -r /tmp/j.pcap")[1])) == 4


def test_an_ethernet_frame_has_the_epairs_addresses(host):
    host.run("ifconfig epair create").check()
    host.run("ifconfig epair0a 192.0.2.1/24 up").check()
    host.run("tcpdump -c 1 -i epair0a -w /tmp/e icmp &").check()
    host.run("jail -c name=j persist vnet vnet.interface=epair0b").check()
    host.run("jexec j ifconfig epair0b 192.0.2.2/24 up").check()
    host.run("ping -c 1 192.0.2.2").check()
    data = _savefile(host, "/tmp/e")
    linktype, _, records = pcap.read(data)
    assert linktype == pcap.DLT_EN10MB
    frame = data[24 + 16:]
    a_mac = host.run("ifconfig epair0a ether").stdout.split("ether ")[1].split()[0]
    assert frame[6:12] == bytes(int(x, 16) for x in a_mac.split(":"))        # from epair0a
    assert frame[0:6].hex(":")[:-2] == a_mac[:-2]                            # to its b end
    assert records[0].packet is not None and records[0].packet.dst == ipaddress.IPv4Address("192.0.2.2")


def test_frames_carry_correct_checksums_and_round_trip():
    packet = Packet("udp", ipaddress.IPv4Address("198.51.100.42"), ipaddress.IPv4Address("198.51.100.32"),
                    4242, 1234, size=33, data=5, text="ping\n")
    datagram = pcap.ip_bytes(packet, 1460)
    assert pcap.checksum(datagram[:20]) == 0                                   # the IP header's
    pseudo = datagram[12:20] + bytes([0, 17]) + (len(datagram) - 20).to_bytes(2, "big")
    assert pcap.checksum(pseudo + datagram[20:]) == 0                          # the UDP one's
    body = pcap.file_header(pcap.DLT_EN10MB, 262144) + pcap.record(
        1.5, pcap.frame(packet, pcap.DLT_EN10MB, "02:00:00:00:00:0a", "02:00:00:00:00:0b", 1460), 262144)
    _, _, records = pcap.read(body)
    read = records[0].packet
    assert records[0].time == 1.5
    assert (read.proto, read.src, read.dst, read.sport, read.dport, read.data, read.text) == (
        "udp", packet.src, packet.dst, 4242, 1234, 5, "ping\n")


def test_savefile_errors(host):
    assert run(host, "tcpdump -r /tmp/none") == (1, "", "tcpdump: /tmp/none: No such file or directory\n")
    host.run(": > /tmp/empty").check()
    assert run(host, "tcpdump -r /tmp/empty") == (
        1, "", "tcpdump: truncated dump file; tried to read 4 file header bytes, only got 0\n")
    assert run(host, "tcpdump -r /etc/hosts") == (1, "", "tcpdump: unknown file format\n")
    assert run(host, "tcpdump -i lo0 -w /no/such/dir/f") == (
        1, "", "tcpdump: /no/such/dir/f: No such file or directory\n")


def test_a_killed_background_capture_keeps_what_it_wrote(host):
    """pf nat.sh endpoint_independent's way: capture with -w in the
    background, send, kill $!, read the file with -r."""
    host.run("ifconfig epair create").check()
    host.run("ifconfig epair0a 192.0.2.1/24 up").check()
    host.run("jail -c name=j persist vnet vnet.interface=epair0b").check()
    host.run("jexec j ifconfig epair0b 192.0.2.2/24 up").check()
    result = host.run("jexec j tcpdump -i epair0b -w /tmp/j.pcap --immediate-mode icmp & "
                      "pid=$!; ping -c 2 192.0.2.2 >/dev/null; kill $pid; "
                      "ping -c 1 192.0.2.2 >/dev/null; tcpdump -n -r /tmp/j.pcap 2>/dev/null")
    lines = _packets(result.stdout)
    assert len(lines) == 4          # the ping after the kill is not in the file
    assert lines[-1].split(" ", 1)[1].startswith("IP 192.0.2.2 > 192.0.2.1: ICMP echo reply")
