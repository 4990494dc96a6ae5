"""tcpdump(1) 4.99 as FreeBSD 14 ships it (contrib/tcpdump, libpcap's
pcap-bpf.c), reading the packets that cross one interface through bpf(4)
(jailkit.sim.bpf).

It needs /dev/bpf, which a jail's devfs ruleset hides unless it unhides it
(qjail's ruleset 50 does). Without it libpcap's bpf_open() finds neither the
cloning /dev/bpf nor /dev/bpf0 and reports "(there are no BPF devices)";
tcpdump prints that and exits 1. A jail without its own vnet sees the
host's interfaces, and so captures on them.

With bpf it announces what it listens on, on standard error, and prints
each packet the filter expression (pcap-filter(7)) accepts, in the format
of print-ip.c, print-tcp.c, print-udp.c and print-icmp.c: the time, then
"IP", then the addresses and ports and what the protocol says; -v adds the
IP header's fields and the TCP checksum, -n keeps addresses and ports
numeric. It ends when -c packets came or it is stopped: SIGINT (^C) or
SIGTERM (timeout(1)) run its cleanup(), which breaks the loop; then a
newline goes to standard output (a line may have been cut) and info()
prints the counters on standard error; it exits 0.

The sim runs one program at a time: in the foreground tcpdump waits while
nothing else runs, so it shows what the lab sends by itself (nothing). A
capture started as a background job (`tcpdump -c 4 ... > file &`) goes on
while later commands run: its descriptor stays bound and each packet is
printed as it crosses, until -c packets came or the job's time is up (a
login session's background jobs stop after BACKGROUND_LIMIT virtual
seconds; the end is seen at the next packet). A job whose output goes into
a pipe, such as the caller's own, is one its reader waits for: it runs in
place, as before.

Names (without -n) come from /etc/hosts and /etc/services: tcpdump's own
DNS lookups would pass time inside another program's packet, so they are
not made."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

from .. import bpf, pcap
from ..errno import OSErr
from ..ifnet import Ifnet, Loopback
from ..kernel import EPOCH, Deadline
from ..octets import encode
from ..packet import PROTOCOLS, Packet, ipv4_ends, port_name, service_port
from ..proc import Buffer, Interrupted, Proc, program
from ..resolver import ResolveError, hosts_file, resolve
from ...getopt import GetoptError, getopt

SNAPLEN = 262144
ZERO_MAC = "00:00:00:00:00:00"
USAGE = (
    "Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]\n"
    "\t\t[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]\n"
    "\t\t[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]\n"
    "\t\t[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]\n"
    "\t\t[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]\n"
    "\t\t[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]\n"
    "\t\t[ --time-stamp-precision precision ] [ --micro ] [ --nano ]\n"
    "\t\t[ -z postrotate-command ] [ -Z user ] [ expression ]\n")
OPTSTRING = "AbB:c:C:dDeE:fF:G:hHi:IJj:KlLm:M:nNOpqQ:r:s:StT:uUvV:w:W:xXy:Yz:Z:#"
# Options that change nothing the sim prints (buffer size, line buffering,
# optimisation of the filter program, packet-buffered output).
NO_EFFECT = set("BlOU")
MODELLED = NO_EFFECT | set("cDiKnpqrSstvw")
IPPROTO = {"tcp": "TCP", "udp": "UDP", "icmp": "ICMP"}
# print-tcp.c: the text protocols it decodes by port, in the order it tries
# them, and the requests that mark a line worth printing (None: every line
# is; print-http.c httpcmds, whose answers have the status code second).
TEXT_PROTOCOLS: list[tuple[tuple[int, ...], str, tuple[str, ...] | None]] = [
    ((25,), "SMTP", None), ((43,), "WHOIS", None), ((21,), "FTP", None),
    ((80, 8080), "HTTP", ("GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY",
                          "BMOVE", "MKCOL", "TRACE", "LABEL", "MERGE", "DELETE", "SEARCH",
                          "UNLOCK", "REPORT", "UPDATE", "NOTIFY", "BDELETE", "CONNECT",
                          "OPTIONS", "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST",
                          "SUBSCRIBE", "PROPPATCH", "BPROPFIND", "BPROPPATCH", "UNCHECKOUT",
                          "MKACTIVITY", "MKWORKSPACE", "UNSUBSCRIBE", "RPC_CONNECT",
                          "VERSION-CONTROL", "BASELINE-CONTROL")),
]


class FilterError(Exception):
    """pcap_compile() failed: the message follows "tcpdump: "."""


@dataclass
class Options:
    count: int = 0
    device: str | None = None
    numeric: bool = False
    verbose: int = 0
    quick: bool = False
    absolute: bool = False           # -S
    no_checksums: bool = False       # -K
    stamps: int = 0                  # -t given once (no time) or twice (seconds since the epoch)
    promisc: bool = True
    snaplen: int = SNAPLEN
    list_devices: bool = False
    expression: list[str] = field(default_factory=list)
    write_file: str | None = None    # -w: a savefile instead of printing
    read_file: str | None = None     # -r: packets from a savefile
    also_print: bool = False         # --print: print as well as -w


@program("/usr/sbin/tcpdump")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        options = _options(proc, argv)
    except ValueError as exc:
        proc.warnx(str(exc))
        return 1
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(USAGE)
        return 1
    if options.list_devices:
        _list_devices(proc)
        return 0
    if options.read_file is not None:
        return _read_savefile(proc, options, options.read_file)
    if not proc.has_device("bpf") and not proc.has_device("bpf0"):
        proc.error("tcpdump: (there are no BPF devices)\n")
        return 1
    ifnet = _open(proc, options)
    if ifnet is None:
        return 1
    accept = _filter(proc, options)
    if accept is None:
        return 1
    try:
        savefile = Savefile(proc, options.write_file, ifnet, options.snaplen) \
            if options.write_file is not None else None
    except OSErr as exc:
        proc.error(f"tcpdump: {options.write_file}: {exc.strerror}\n")    # pcap_dump_open()
        return 1
    _announce(proc, options, ifnet)
    reader = Reader(proc, options, ifnet, accept, savefile)
    if proc.kernel.jobs and (savefile is not None or not isinstance(proc.stdout, Buffer)):
        reader.go_on()
        return 0
    return reader.wait()


def _long_options(argv: list[str]) -> tuple[list[str], set[str]]:
    """getopt_long(3)'s long options, wherever they are (it permutes):
    --immediate-mode (the sim's descriptors hand every packet over at
    once) and --print; the others are not modelled."""
    short: list[str] = []
    found: set[str] = set()
    for index, arg in enumerate(argv):
        if arg == "--":
            short += argv[index:]
            break
        if not arg.startswith("--"):
            short.append(arg)
        elif arg in ("--immediate-mode", "--print"):
            found.add(arg)
        else:
            raise ValueError(f"{arg}: not modelled by the jailkit sim")
    return short, found


def _options(proc: Proc, argv: list[str]) -> Options:
    args, long_options = _long_options(argv[1:])
    opts, expression = getopt(args, OPTSTRING)
    flags = [f for f, _ in opts]
    unmodelled = sorted(set(flags) - MODELLED)
    if unmodelled:
        raise ValueError(f"-{unmodelled[0]}: not modelled by the jailkit sim")
    values = dict(opts)
    options = Options(device=values.get("i"), numeric="n" in flags, verbose=flags.count("v"),
                      quick="q" in flags, absolute="S" in flags, no_checksums="K" in flags,
                      stamps=flags.count("t"),
                      promisc="p" not in flags, list_devices="D" in flags,
                      expression=expression, write_file=values.get("w"),
                      read_file=values.get("r"), also_print="--print" in long_options)
    if options.write_file is not None and options.read_file is not None:
        raise ValueError("-r with -w: not modelled by the jailkit sim")
    if options.stamps > 2:
        raise ValueError("-ttt and more: not modelled by the jailkit sim")
    count = values.get("c")
    if count is not None:
        # tcpdump.c: "invalid packet count %s" for anything but a positive number
        if not count.isdigit() or int(count) <= 0:
            raise ValueError(f"invalid packet count {count}")
        options.count = int(count)
    snaplen = values.get("s")
    if snaplen is not None:
        if not snaplen.isdigit():
            raise ValueError(f"invalid snaplen {snaplen}")
        options.snaplen = int(snaplen) or SNAPLEN       # 0 means the default
    return options


def _list_devices(proc: Proc) -> None:
    """-D: pcap_findalldevs(), numbered."""
    for number, ifnet in enumerate(proc.vnet.ifnets, start=1):
        state = ["Up"] if ifnet.up else []
        state += ["Running"] if ifnet.running else []
        state += ["Loopback"] if isinstance(ifnet, Loopback) else []
        proc.write(f"{number}.{ifnet.name} [{', '.join(state)}]\n")


def _open(proc: Proc, options: Options) -> Ifnet | None:
    """pcap_create() and pcap_activate() on -i's interface, or on the first
    one pcap_findalldevs() offers (up, and not a loopback if any other is)."""
    if proc.user != "root":
        # PCAP_ERROR_PERM_DENIED: device, pcap_statustostr() and libpcap's text
        proc.error(f"tcpdump: {options.device or 'any'}: You don't have permission to perform "
                   "this capture on that device\n((cannot open device) /dev/bpf: "
                   "Permission denied)\n")
        return None
    name = options.device
    if name is None:
        up = [i for i in proc.vnet.ifnets if i.up]
        usable = [i for i in up if not isinstance(i, Loopback)] or up
        if not usable:
            proc.error("tcpdump: no suitable device found\n")
            return None
        name = usable[0].name
    ifnet = proc.vnet.ifunit(name)
    if ifnet is None:
        proc.error(f"tcpdump: {name}: No such device exists\n"
                   "(BIOCSETIF failed: Device not configured)\n")
        return None
    if not ifnet.up:
        proc.error(f"tcpdump: {name}: That device is not up\n")
        return None
    return ifnet


def _announce(proc: Proc, options: Options, ifnet: Ifnet) -> None:
    """tcpdump.c: the hint about -v only when it prints packets itself."""
    link = pcap.LINKTYPES[_linktype(ifnet)]
    quiet_hint = not options.verbose and options.write_file is None
    if quiet_hint:
        proc.error("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n")
    proc.error(f"{'' if quiet_hint else 'tcpdump: '}listening on {ifnet.name}, "
               f"link-type {link}, snapshot length {options.snaplen} bytes\n")


def _linktype(ifnet: Ifnet) -> int:
    return pcap.DLT_NULL if isinstance(ifnet, Loopback) else pcap.DLT_EN10MB


# -- savefiles (-w, -r) ----------------------------------------------------------------------

class Savefile:
    """pcap_dump_open() and pcap_dump(): the file header at once, then a
    record per packet as it comes (what -U and --immediate-mode give; the
    sim does not keep them in a buffer). "-" is standard output."""

    def __init__(self, proc: Proc, path: str, ifnet: Ifnet, snaplen: int) -> None:
        self.proc, self.path, self.ifnet, self.snaplen = proc, path, ifnet, snaplen
        self.linktype = _linktype(ifnet)
        self._put(pcap.file_header(self.linktype, snaplen), append=False)

    def _put(self, data: bytes, append: bool) -> None:
        if self.path == "-":
            self.proc.write(pcap.to_text(data))
        else:
            self.proc.kernel.vfs.write(self.path, pcap.to_text(data), append=append,
                                       mode=self.proc.created(), **self.proc.where())

    def add(self, capture: bpf.Capture) -> None:
        """The frame with the interface's Ethernet address on its side (the
        destination when the packet is for one of its addresses) and its
        wire's other end's on the other (zero when the sim cannot tell)."""
        here = self.ifnet.mac or ZERO_MAC
        peers = [p.mac for p in self.ifnet.neighbours() if p.mac]
        there = peers[0] if len(peers) == 1 else ZERO_MAC
        packet = capture.packet
        incoming = any(a.address == packet.dst for a in self.ifnet.inet)
        src, dst = (there, here) if incoming else (here, there)
        frame = pcap.frame(packet, self.linktype, src, dst, _mss(self.ifnet.name))
        self._put(pcap.record(EPOCH.timestamp() + capture.time, frame, self.snaplen), append=True)


def _read_savefile(proc: Proc, options: Options, path: str) -> int:
    """pcap_open_offline() and pcap_loop() over the file: its packets
    printed as a live capture prints them; no statistics at the end."""
    try:
        data = pcap.from_text(proc.kernel.vfs.read(path, **proc.where()))
        linktype, snaplen, records = pcap.read(data)
    except OSErr as exc:
        proc.error(f"tcpdump: {path}: {exc.strerror}\n")
        return 1
    except pcap.SavefileError as exc:
        proc.error(f"tcpdump: {exc}\n")
        return 1
    accept = _filter(proc, options)
    if accept is None:
        return 1
    proc.error(f"reading from file {path}, link-type {pcap.LINKTYPES.get(linktype, linktype)}, "
               f"snapshot length {snaplen}\n")
    printer = Printer(proc, options)
    device = "lo0" if linktype == pcap.DLT_NULL else ""
    shown = 0
    for entry in records:
        if entry.packet is None or not accept(entry.packet):
            continue
        proc.write(printer.line(bpf.Capture(entry.time - EPOCH.timestamp(), device, entry.packet)))
        shown += 1
        if options.count and shown >= options.count:
            break
    return 0


# -- the capture -------------------------------------------------------------------------------

class Reader:
    """pcap_loop() with print_packet() as its callback: prints what the
    descriptor hands over until -c is reached or the loop is broken."""

    def __init__(self, proc: Proc, options: Options, ifnet: Ifnet, accept: Predicate,
                 savefile: Savefile | None = None) -> None:
        self.proc = proc
        self.options = options
        self.savefile = savefile
        self.printer = Printer(proc, options)
        self.captured = 0
        self.process_pid = 0                  # a background job's process
        self.descriptor = bpf.attach(bpf.Descriptor(ifnet, accept, self.deliver, options.promisc))

    @property
    def done(self) -> bool:
        return bool(self.options.count) and self.captured >= self.options.count

    def deliver(self, capture: bpf.Capture) -> None:
        if self.done:
            return
        if self.process_pid and not self._alive():
            bpf.detach(self.descriptor)         # killed with its jail: nothing more is printed
            return
        self.captured += 1
        if self.savefile is not None:
            self.savefile.add(capture)
        if self.savefile is None or self.options.also_print:
            self.proc.write(self.printer.line(capture))
        if self.done and self.process_pid:
            self._stop(interrupted=False)

    def _alive(self) -> bool:
        return any(p.pid == self.process_pid for p in self.proc.kernel.processes)

    def wait(self) -> int:
        """In the foreground: wait for packets until -c, SIGINT or SIGTERM."""
        try:
            while not self.done:
                self.proc.kernel.advance(1.0)
        except Interrupted:
            self._close(interrupted=True)
            return 0
        except Deadline:
            self._close(interrupted=True)      # SIGTERM from timeout(1)
            raise
        self._close(interrupted=False)
        return 0

    def go_on(self) -> None:
        """As a background job: the descriptor stays bound after the shell
        goes on; the job is a process until it ends."""
        kernel = self.proc.kernel
        if kernel.foreground:               # a login session's job: stopped at its limit
            self.descriptor.until = kernel.sigint_at
            self.descriptor.expire = lambda: self._stop(interrupted=True)
        self.process_pid = kernel.spawn(self.proc.prison.jid, "tcpdump", self.proc.user).pid

    def _stop(self, interrupted: bool) -> None:
        """The background job ends: its output, then its process goes (and a
        jail without persist that it kept alive with it)."""
        self._close(interrupted)
        kernel = self.proc.kernel
        kernel.processes[:] = [p for p in kernel.processes if p.pid != self.process_pid]
        if not self.proc.prison.is_host:
            kernel.reap_if_empty(self.proc.prison)

    def _close(self, interrupted: bool) -> None:
        """tcpdump.c after pcap_loop(): the newline when the loop was broken,
        then info(1) from pcap_stats()."""
        descriptor = self.descriptor
        bpf.detach(descriptor)
        if interrupted:
            self.proc.write("\n")
        self.proc.error(f"{_counted(self.captured, 'captured')}\n"
                        f"{_counted(descriptor.received, 'received by filter')}\n"
                        f"{_counted(descriptor.dropped, 'dropped by kernel')}\n")


def _counted(number: int, what: str) -> str:
    """tcpdump.c PLURAL_SUFFIX()."""
    return f"{number} packet{'' if number == 1 else 's'} {what}"


# -- printing ---------------------------------------------------------------------------------

class Printer:
    """print_packet() -> ether_if_print() -> ip_print() and the protocol's
    printer, for the sim's IPv4 packets (and ip6_print() and
    icmp6_print() for its ICMPv6 echoes)."""

    def __init__(self, proc: Proc, options: Options) -> None:
        self.options = options
        self.names: dict[ipaddress.IPv4Address | ipaddress.IPv6Address, str] = {} if options.numeric else {a: names[0] for a, names in
                                                 reversed(hosts_file(proc))}
        # print-tcp.c tcp_seq_hash4: the first numbers of each conversation
        self.conversations: dict[tuple, tuple[int, int]] = {}

    def line(self, capture: bpf.Capture) -> str:
        packet = capture.packet
        if packet.inet6:
            return f"{self._stamp(capture.time)}IP6 {self._ip6_header(packet)}{self._icmp6(packet)}\n"
        body = {"tcp": self._tcp, "udp": self._udp, "icmp": self._icmp}[packet.proto]
        return f"{self._stamp(capture.time)}IP {self._ip_header(packet)}{body(capture)}\n"

    def _stamp(self, seconds: float) -> str:
        """ts_format(): local time to the microsecond (the sim's boxes run in
        UTC); -t leaves it out, -tt gives seconds since the epoch."""
        if self.options.stamps == 1:
            return ""
        moment = EPOCH + timedelta(seconds=seconds)
        if self.options.stamps == 2:
            return f"{moment.timestamp():.6f} "
        return moment.strftime("%H:%M:%S.%f ")

    def _ip_header(self, packet: Packet) -> str:
        """print-ip.c with -v: the header's fields, then a new line."""
        if not self.options.verbose:
            return ""
        df = "DF" if packet.proto == "tcp" else "none"     # TCP sets DF (path MTU discovery)
        return (f"(tos 0x0, ttl {packet.ttl}, id {packet.ip_id}, offset 0, flags [{df}], "
                f"proto {IPPROTO[packet.proto]} ({PROTOCOLS[packet.proto]}), "
                f"length {packet.size})\n    ")

    def _ip6_header(self, packet: Packet) -> str:
        """print-ip6.c with -v: the hop limit, the next header and the
        payload length (the sim's ICMPv6 carries no flow label)."""
        if not self.options.verbose:
            return ""
        return f"(hlim {packet.ttl}, next-header ICMPv6 (58) payload length: {packet.size - 40}) "

    def _icmp6(self, packet: Packet) -> str:
        """print-icmp6.c: an echo request or reply, its id and sequence."""
        kind = "echo reply" if packet.reply else "echo request"
        checked = "[icmp6 sum ok] " if self.options.verbose and not self.options.no_checksums else ""
        return (f"{self._host(packet.src)} > {self._host(packet.dst)}: {checked}ICMP6, {kind}, "
                f"id {packet.sport}, seq {packet.seq}, length {packet.size - 40}")

    def _host(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
        return self.names.get(address, str(address))

    def _port(self, port: int) -> str:
        return str(port) if self.options.numeric else port_name(port)

    def _ends(self, packet: Packet) -> str:
        return (f"{self._host(packet.src)}.{self._port(packet.sport)} > "
                f"{self._host(packet.dst)}.{self._port(packet.dport)}: ")

    def _udp(self, capture: bpf.Capture) -> str:
        packet = capture.packet
        data = packet.data or max(packet.size - 28, 0)
        checked = "[udp sum ok] " if self.options.verbose > 1 and not self.options.no_checksums else ""
        return f"{self._ends(packet)}{checked}UDP, length {data}"

    def _icmp(self, capture: bpf.Capture) -> str:
        packet = capture.packet
        kind = "echo reply" if packet.reply else "echo request"
        return (f"{self._host(packet.src)} > {self._host(packet.dst)}: ICMP {kind}, "
                f"id {packet.sport}, seq {packet.seq}, length {packet.size - 20}")

    def _tcp(self, capture: bpf.Capture) -> str:
        packet = capture.packet
        if self.options.quick:
            return f"{self._ends(packet)}tcp {packet.data}"
        seq, ack = self._numbers(packet)
        fields = [f"Flags [{packet.flags}]"]
        if self.options.verbose and not self.options.no_checksums:
            fields.append(f"cksum 0x{pcap.tcp_checksum(packet, _mss(capture.ifnet)):04x} (correct)")
        if self.options.verbose > 1 or packet.data or set(packet.flags) & set("SFR"):
            fields.append(f"seq {seq}" + (f":{(seq + packet.data) & 0xffffffff}"
                                          if packet.data else ""))
        if "." in packet.flags:
            fields.append(f"ack {ack}")
        fields.append(f"win {pcap.window(packet)}")
        options = _tcp_options(packet, capture.ifnet)
        if options:
            fields.append(f"options [{options}]")
        fields.append(f"length {packet.data}")
        return self._ends(packet) + ", ".join(fields) + self._payload(packet)

    def _payload(self, packet: Packet) -> str:
        """The text protocols print-tcp.c decodes by port (txtproto_print())."""
        if not packet.text:
            return ""
        for ports, name, requests in TEXT_PROTOCOLS:
            if packet.sport in ports or packet.dport in ports:
                return ": " + text_protocol(packet.text, name, requests, self.options.verbose)
        return ""

    def _numbers(self, packet: Packet) -> tuple[int, int]:
        """print-tcp.c: with an ACK, numbers relative to the conversation's
        first ones (recorded at a SYN, or when the conversation is new),
        unless -S."""
        seq, ack = packet.seq, packet.ack
        if self.options.absolute or "." not in packet.flags:
            return seq, ack
        src, dst = ipv4_ends(packet)
        rev = packet.sport > packet.dport or (packet.sport == packet.dport and src > dst)
        key = ((packet.dst, packet.src, packet.dport, packet.sport) if rev
               else (packet.src, packet.dst, packet.sport, packet.dport))
        if key not in self.conversations or "S" in packet.flags:
            first = (ack - 1, seq) if rev else (seq, ack - 1)     # (th->seq, th->ack)
            self.conversations[key] = (first[0] & 0xffffffff, first[1] & 0xffffffff)
            return seq, ack
        th_seq, th_ack = self.conversations[key]
        if rev:
            return (seq - th_ack) & 0xffffffff, (ack - th_seq) & 0xffffffff
        return (seq - th_seq) & 0xffffffff, (ack - th_ack) & 0xffffffff


def text_protocol(text: str, name: str, requests: tuple[str, ...] | None, verbose: int) -> str:
    """util-print.c txtproto_print(): the protocol's name; with -v the
    length and every line, each on a new line after a tab; without, the
    first line when it is a request or an answer (a status code second)."""
    if verbose:
        lines = _text_lines(text)
        return f"{name}, length: {len(encode(text))}" + "".join(f"\n\t{line}" for line in lines)
    words = text.split(None, 2)
    wanted = (requests is None or (words and words[0].upper() in requests)
              or (len(words) > 1 and re.fullmatch(r"[0-9]{3}", words[1]) is not None))
    first = _text_lines(text)[:1]
    return name + (f": {first[0]}" if wanted and first else "")


def _text_lines(text: str) -> list[str]:
    """print_txt_line(): lines ended by CR LF or LF; a line without its end
    is printed cut ([|proto] is left out: the sim has no snapshot limit)."""
    lines = re.split(r"\r?\n", text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def _mss(ifnet_name: str) -> int:
    """tcp_mssopt(): the interface MTU less 40 (lo0's 16384, Ethernet's 1500)."""
    return 16344 if ifnet_name.startswith("lo") else 1460


def _tcp_options(packet: Packet, ifnet_name: str) -> str:
    """tcp_addoptions() as FreeBSD sends them: MSS, window scale, SACK
    permitted and timestamps on a SYN; timestamps (after two NOPs) on the
    rest; none on a reset."""
    if "R" in packet.flags:
        return ""
    stamps = f"TS val {packet.tsval} ecr {packet.tsecr}"
    if "S" in packet.flags:
        return f"mss {_mss(ifnet_name)},nop,wscale 6,sackOK,{stamps}"
    return f"nop,nop,{stamps}"


# -- the filter expression (pcap-filter(7)) -------------------------------------------------------

Predicate = Callable[[Packet], bool]
PROTOS = ("ip", "ip6", "tcp", "udp", "icmp", "icmp6")
NOTHING_HERE = ("arp", "rarp")      # protocols the sim never carries: they match nothing
DIRECTIONS = ("src", "dst")
TYPES = ("host", "net", "port")
UNMODELLED_WORDS = ("ether", "proto", "portrange", "less", "greater", "broadcast", "multicast",
                    "vlan", "mpls", "gateway", "len", "inbound", "outbound", "ifname", "on",
                    "rulenum", "reason", "action", "sctp", "igmp", "pim", "vrrp")


def _filter(proc: Proc, options: Options) -> Predicate | None:
    """The filter of the command line's expression, or None once its
    error is printed."""
    try:
        return compile_filter(proc, " ".join(options.expression))
    except FilterError as exc:
        proc.error(f"tcpdump: {exc}\n")
        return None


def compile_filter(proc: Proc, text: str) -> Predicate:
    """pcap_compile(): an empty expression accepts every packet."""
    tokens = _tokens(text)
    if not tokens:
        return lambda packet: True
    parser = _Parser(proc, tokens)
    predicate = parser.expression()
    if parser.more():
        raise FilterError("can't parse filter expression: syntax error")
    return predicate


def _tokens(text: str) -> list[str]:
    spaced = text
    for symbol in ("(", ")", "&&", "||", "!"):
        spaced = spaced.replace(symbol, f" {symbol} ")
    return spaced.split()


@dataclass
class _Qualifiers:
    """The qualifiers of the last primitive, which a bare id takes on."""

    proto: str = ""
    direction: str = ""
    kind: str = "host"


class _Parser:
    """A recursive descent over pcap-filter's grammar: or binds loosest,
    then and, then not; an id with no keyword repeats the last ones."""

    def __init__(self, proc: Proc, tokens: list[str]) -> None:
        self.proc = proc
        self.tokens = tokens
        self.position = 0
        self.last = _Qualifiers()

    def more(self) -> bool:
        return self.position < len(self.tokens)

    def peek(self) -> str:
        return self.tokens[self.position] if self.more() else ""

    def take(self) -> str:
        if not self.more():
            raise FilterError("can't parse filter expression: syntax error")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expression(self) -> Predicate:
        left = self.conjunction()
        while self.peek() in ("or", "||"):
            self.take()
            right = self.conjunction()
            left = _either(left, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.negation()
        while self.peek() in ("and", "&&"):
            self.take()
            right = self.negation()
            left = _both(left, right)
        return left

    def negation(self) -> Predicate:
        if self.peek() in ("not", "!"):
            self.take()
            inner = self.negation()
            return lambda packet: not inner(packet)
        if self.peek() == "(":
            self.take()
            inner = self.expression()
            if self.take() != ")":
                raise FilterError("can't parse filter expression: syntax error")
            return inner
        return self.primitive()

    def primitive(self) -> Predicate:
        word = self.peek()
        if word in UNMODELLED_WORDS or set(word) & set("[]=<>"):
            # other protocols' keywords, and arithmetic on packet bytes (tcp[13] & 2 != 0)
            raise FilterError(f"can't compile '{word}': not modelled by the jailkit sim")
        if word in NOTHING_HERE:
            self.take()
            return lambda packet: False
        qualifiers = _Qualifiers()
        if word in PROTOS:
            qualifiers.proto = self.take()
        if self.peek() in DIRECTIONS:
            qualifiers.direction = self.take()
            if self.peek() in ("or", "and") and self.position + 1 < len(self.tokens) \
                    and self.tokens[self.position + 1] in DIRECTIONS:
                joined = self.take()
                self.take()
                qualifiers.direction = f"src {joined} dst"
        if self.peek() in TYPES:
            qualifiers.kind = self.take()
        elif qualifiers.proto and not qualifiers.direction:
            return _protocol(qualifiers.proto)      # "tcp", "ip" alone
        if qualifiers == _Qualifiers() and not self._is_id(word):
            raise FilterError("can't parse filter expression: syntax error")
        if qualifiers == _Qualifiers():
            qualifiers = self.last                   # a bare id: the last keywords
        self.last = qualifiers
        return self._id(qualifiers, self.take())

    def _is_id(self, word: str) -> bool:
        return bool(word) and word not in ("(", ")", "and", "or", "not", "&&", "||", "!")

    def _id(self, qualifiers: _Qualifiers, word: str) -> Predicate:
        if not self._is_id(word):
            raise FilterError("can't parse filter expression: syntax error")
        proto = _protocol(qualifiers.proto) if qualifiers.proto else None
        if qualifiers.kind == "port":
            test = self._port(word, qualifiers)
        else:
            test = self._address(word, qualifiers)
        return test if proto is None else _both(proto, test)

    def _port(self, word: str, qualifiers: _Qualifiers) -> Predicate:
        number = service_port(word, qualifiers.proto or "tcp")
        if number is None:
            raise FilterError(f"unknown port '{word}'")
        if qualifiers.proto in ("ip", "ip6", "icmp", "icmp6"):
            raise FilterError(f"port applied to {qualifiers.proto}"
                              if qualifiers.proto in ("icmp", "icmp6")
                              else "can't parse filter expression: syntax error")
        ends = _ends(qualifiers.direction, lambda p: p.sport, lambda p: p.dport)
        return lambda packet: packet.proto in ("tcp", "udp") and ends(packet, number)

    def _address(self, word: str, qualifiers: _Qualifiers) -> Predicate:
        if qualifiers.kind == "net":
            try:
                network: ipaddress.IPv4Network | ipaddress.IPv6Network = \
                    ipaddress.ip_network(word, strict=True)
            except ValueError:
                raise FilterError(f"invalid net '{word}'" if "/" not in word
                                  else "non-network bits set in \"" + word + "\"") from None
            ends = _ends(qualifiers.direction, lambda p: p.src, lambda p: p.dst)
            return lambda packet: ends(packet, network)
        address = self._host(word)
        same = _ends(qualifiers.direction, lambda p: p.src, lambda p: p.dst)
        return lambda packet: same(packet, address)

    def _host(self, word: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        """pcap_nametoaddrinfo(): an address of either family, or a name the
        resolver knows."""
        try:
            return ipaddress.ip_address(word)
        except ValueError:
            pass
        try:
            return resolve(self.proc, word)[0]
        except ResolveError:
            raise FilterError(f"unknown host '{word}'") from None


def _ends(direction: str, source: Callable, destination: Callable) -> Callable[[Packet, object], bool]:
    """A host, net or port test on the ends ``direction`` names (both,
    either, or one)."""
    def match(value: object, wanted: object) -> bool:
        if isinstance(wanted, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
            return type(value) is type(wanted.network_address) and value in wanted
        return value == wanted

    if direction == "src":
        return lambda packet, wanted: match(source(packet), wanted)
    if direction == "dst":
        return lambda packet, wanted: match(destination(packet), wanted)
    if direction == "src and dst":
        return lambda packet, wanted: match(source(packet), wanted) and match(destination(packet), wanted)
    return lambda packet, wanted: match(source(packet), wanted) or match(destination(packet), wanted)


def _protocol(name: str) -> Predicate:
    """pcap-filter(7): ip and ip6 are the ethertypes (0x0800, 0x86dd); tcp
    and udp over either, icmp over IPv4 and icmp6 over IPv6."""
    if name == "ip":
        return lambda packet: not packet.inet6
    if name == "ip6":
        return lambda packet: packet.inet6
    return lambda packet: packet.proto == name


def _either(left: Predicate, right: Predicate) -> Predicate:
    return lambda packet: left(packet) or right(packet)


def _both(left: Predicate, right: Predicate) -> Predicate:
    return lambda packet: left(packet) and right(packet)
