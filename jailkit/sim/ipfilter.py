"""IPFilter in one vnet: ipf(5) filter rules with their state table, and
ipnat(5) translation rules with their sessions (sys/netpfil/ipfilter).

Filter (fil.c ipf_scanlist): the last matching rule decides unless a quick
rule matches first; with no match the packet passes (FreeBSD's ipl.ko is
built without IPFILTER_DEFAULT_BLOCK, so ipf -V says "Default: pass all").
A packet that belongs to a state entry (ip_state.c) passes without reaching
the rules.

Translation (ip_nat.c): an incoming packet is translated before the filter
sees it (ipf_nat_checkin), an outgoing one after the filter passed it
(ipf_nat_checkout). Each first looks the packet up among the existing
sessions by its whole 5-tuple, in both directions (ipf_nat_inlookup,
ipf_nat_outlookup): the replies of an rdr session are un-redirected and
never meet a map rule, and the replies of a map session are mapped back.
Only a packet of no session is matched against the rules (map rules going
out, rdr rules coming in), and a rule that matches makes a new session.

Both parsers stop at the first error and the rules before it stay loaded,
as ipf(8) and ipnat(8) add rules one by one while they read
(sbin/ipf/common/ipf_y.y, sbin/ipf/ipnat/ipnat_y.y; lexer.c yyerror)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from .packet import IPAddress, IPv6, PROTOCOLS, Packet, ipv4_ends, port_name, service_port
from .pfil import Hook, Verdict
from .words import Words

if TYPE_CHECKING:
    from .vnet import Vnet

RuleT = TypeVar("RuleT")
Net4 = ipaddress.IPv4Network
IPv4 = ipaddress.IPv4Address
ANY = Net4("0.0.0.0/0")

# Idle timeouts in seconds: net.inet.ipf.fr_tcpidletimeout (864000 ticks of
# half a second), fr_udptimeout (240) and fr_icmptimeout (120).
TIMEOUT = {"icmp": 60.0, "icmp6": 60.0, "udp": 120.0, "tcp": 432000.0}
TICKS_PER_SECOND = 2                 # IPF ticks are half seconds (ipf_slowtimer)
STATE_TABLE_SIZE = 5737              # IPSTATE_SIZE
TCPS_ESTABLISHED = 4                 # IPF_TCPS_ESTABLISHED
TCP_NSTATES = 11                     # IPF_TCP_NSTATES

# TCP flags in printtcpflags()'s order (libipf/flags.c) and FR_TCPFMAX,
# the mask "flags S" gets when it gives none.
TCP_FLAG_LETTERS = "FSRPAUEC"
FR_TCPFMAX = 0x3F


class IpfSyntaxError(Exception):
    """lexer.c yyerror(): 'MSG error at "WORD", line N' (MSG is "syntax"
    for a grammar error, or the check that failed)."""

    def __init__(self, word: str, line: int, what: str = "syntax") -> None:
        super().__init__(f'{what} error at "{word}", line {line}')
        self.word = word
        self.line = line


def ticks(now: float) -> int:
    return int(now * TICKS_PER_SECOND)


def tcp_flags(packet: Packet) -> int:
    """The flags of the segments the sim models: a connection's SYN, the
    SYN-ACK or RST answering it, and plain ACKs."""
    bits = {letter: 1 << i for i, letter in enumerate(TCP_FLAG_LETTERS)}
    if packet.syn:
        return bits["S"]
    if packet.rst:
        return bits["R"] | bits["A"]
    if packet.reply:
        return bits["S"] | bits["A"]
    return bits["A"]


def flag_letters(value: int) -> str:
    return "".join(letter for i, letter in enumerate(TCP_FLAG_LETTERS) if value & (1 << i))


def _address_text(net: Net4) -> str:
    """printhostmask(): "any" for 0/0, else the address and its mask bits."""
    if net.prefixlen == 0 and net.network_address == IPv4("0.0.0.0"):
        return "any"
    return f"{net.network_address}/{net.prefixlen}"


def _nat_address_text(net: Net4) -> str:
    """printnataddr(): an all-zero address prints as 0/BITS."""
    if net.network_address == IPv4("0.0.0.0"):
        return f"0/{net.prefixlen}"
    return f"{net.network_address}/{net.prefixlen}"


# -- filter rules --------------------------------------------------------------------

@dataclass
class Host:
    net: Net4 = ANY
    negate: bool = False

    def matches(self, address: IPAddress) -> bool:
        # an IPv6 packet meets only rules without a family (fil.c
        # ipf_scanlist()), whose hosts are "any"
        hit = self.net == ANY if isinstance(address, IPv6) else address in self.net
        return hit != self.negate

    def render(self) -> str:
        return ("!" if self.negate else "") + _address_text(self.net)


@dataclass
class PortTest:
    op: str
    low: int
    high: int = 0

    def render(self, proto: str | None, resolve: bool = True) -> str:
        """printportcmp(): ranges as numbers, a single port by its
        /etc/services name when the rule names tcp or udp (portname()),
        unless OPT_NORESOLVE (ipfstat -R)."""
        if self.op in ("><", "<>"):
            return f"port {self.low} {self.op} {self.high}"
        if self.op == ":":
            return f"port {self.low}:{self.high}"
        named = resolve and proto in ("tcp", "udp", "tcp/udp")
        name = port_name(self.low) if named else str(self.low)
        return f"port {self.op} {name}"

    def matches(self, port: int) -> bool:
        return {"=": port == self.low, "!=": port != self.low, "<": port < self.low,
                ">": port > self.low, "<=": port <= self.low, ">=": port >= self.low,
                "><": self.low < port < self.high, "<>": port < self.low or port > self.high,
                ":": self.low <= port <= self.high}[self.op]


@dataclass
class FilterRule:
    action: str                 # pass, block, count
    direction: str
    refuse: str = ""            # return-rst, return-icmp, return-icmp-as-dest
    log: str = ""               # "log" and its options, as printlog() prints them
    quick: bool = False
    ifname: str | None = None
    family: str = ""            # "inet" once an address gives the rule its family
    typed: bool = False         # FR_T_IPF: "proto" or "from" made it a match on IP fields
    proto: str | None = None
    src: Host = field(default_factory=Host)
    sport: PortTest | None = None
    dst: Host = field(default_factory=Host)
    dport: PortTest | None = None
    flags: tuple[int, int] | None = None     # (flags, mask)
    keep_state: bool = False
    keep_frags: bool = False
    head: str = ""
    group: str = ""
    hits: int = 0
    bytes: int = 0              # fr_bytes: the matched packets' lengths
    states: int = 0             # fr_statecnt: state entries this rule made

    def key(self) -> tuple:
        """What SIOCRMAFR compares: the rule, not its counters."""
        return (self.action, self.direction, self.refuse, self.log, self.quick, self.ifname,
                self.family, self.typed, self.proto, self.src, self.sport, self.dst,
                self.dport, self.flags, self.keep_state, self.keep_frags, self.head, self.group)

    def render(self, interfaces: set[str] | None = None, resolve: bool = True) -> str:
        """As ipfstat(8) lists it (libipf/printfr.c); an interface that does
        not exist gets "(!)" (printifname.c)."""
        words = [self.action + (f" {self.refuse}" if self.refuse else ""), self.direction]
        if self.log:
            words.append(self.log)
        if self.quick:
            words.append("quick")
        if self.ifname:
            missing = interfaces is not None and self.ifname not in interfaces
            words.append(f"on {self.ifname}" + ("(!)" if missing else ""))
        if self.family:
            words.append(self.family)
        if self.proto:
            words.append(f"proto {self.proto}")
        if not self.typed:
            words.append("all")
        else:
            for word, host, port in (("from", self.src, self.sport), ("to", self.dst, self.dport)):
                words += [word, host.render()] + ([port.render(self.proto, resolve)] if port else [])
            if self.flags is not None:
                flags, mask = self.flags
                words.append(f"flags {flag_letters(flags)}" + (f"/{flag_letters(mask)}" if mask else ""))
        if self.keep_state:
            words.append("keep state")
        if self.keep_frags:
            words.append("keep frags")
        if self.head:
            words.append(f"head {self.head}")
        if self.group:
            words.append(f"group {self.group}")
        return " ".join(words)

    def matches(self, hook: Hook, packet: Packet) -> bool:
        if self.direction != hook.direction:
            return False
        if self.ifname and self.ifname != hook.ifnet.name:
            return False
        if self.family == "inet" and packet.inet6:
            return False            # fil.c ipf_scanlist(): a rule of another family
        if not self.typed:
            return True             # FR_T_NONE: no IP fields to compare
        if self.proto and packet.proto_name not in self.proto.split("/"):
            return False
        if not self.src.matches(packet.src) or not self.dst.matches(packet.dst):
            return False
        for test, port in ((self.sport, packet.sport), (self.dport, packet.dport)):
            if test is not None and (packet.proto == "icmp" or not test.matches(port)):
                return False
        if self.flags is not None:
            flags, mask = self.flags
            if packet.proto != "tcp" or tcp_flags(packet) & (mask or FR_TCPFMAX) != flags:
                return False
        return True


@dataclass
class State:
    """An ip_state.c entry: the packet that made it, as the filter saw it."""

    direction: str
    key: tuple
    proto: str
    expires: float


# -- NAT rules and sessions ----------------------------------------------------------

@dataclass
class NatRule:
    kind: str                   # map, rdr
    ifname: str
    src: Net4                   # map: the inside network; rdr: the outside address
    target: Net4                # map: 0/32 means the interface's own address
    port: int | None = None     # rdr: the outside port (first of a range)
    port_top: int | None = None
    target_port: int | None = None
    proto: str | None = None    # tcp, udp, tcp/udp, or None: any IP protocol
    portmap: tuple[int, int] | None = None    # map: the port range; (0, 0) is "auto"
    portmap_proto: str = ""
    origin: Net4 | None = None  # rdr "from SRC to DST port = N": the sources it takes
    hits: int = 0               # in_hits: sessions this rule made
    address: int = 0            # the rule's kernel address, for ipnat -d

    def key(self) -> tuple:
        """What SIOCRMNAT compares."""
        return (self.kind, self.ifname, self.src, self.target, self.port, self.port_top,
                self.target_port, self.proto, self.portmap, self.portmap_proto, self.origin)

    def render(self) -> str:
        """As ipnat -l lists it (libipf/printnat.c)."""
        head = f"{self.kind} {self.ifname} "
        if self.kind == "rdr" and self.origin is not None:
            # printnat(): IPN_FILTER rules print their from/to part
            text = head + f"from {_address_text(self.origin)} to {_address_text(self.src)}"
            if self.port is not None:
                text += f" port = {self.port}"
            text += f" -> {_nat_address_text(self.target)}"
            if self.target_port is not None:
                text += f" port {self.target_port}"
            return text + f" {self.proto or 'ip'}"
        if self.kind == "rdr":
            text = head + _nat_address_text(self.src)
            if self.proto is not None and self.port is not None:
                text += f" port {self.port}" + (f"-{self.port_top}" if self.port_top != self.port else "")
            text += f" -> {_nat_address_text(self.target)}"
            if self.proto is not None and self.target_port is not None:
                text += f" port {self.target_port}"
            return text + f" {self.proto or 'ip'}"
        text = head + f"{_nat_address_text(self.src)} -> {_nat_address_text(self.target)}"
        if self.portmap is not None:
            low, high = self.portmap
            text += f" portmap {self.portmap_proto}" + (" auto" if (low, high) == (0, 0) else f" {low}:{high}")
        elif self.proto is not None:
            text += f" {self.proto}"
        return text

    def flags(self) -> int:
        """in_flags' IPN_TCP (1) and IPN_UDP (2) bits."""
        proto = self.portmap_proto or self.proto or ""
        return (1 if "tcp" in proto else 0) | (2 if "udp" in proto else 0)

    def protocol_numbers(self) -> str:
        proto = self.portmap_proto or self.proto
        number = PROTOCOLS.get(proto, 0) if proto else 0
        return f"{number}/{number}"

    def space(self) -> int:
        """in_space: how many translations the rule can hand out."""
        if self.kind == "rdr":
            return 1
        addresses = self.target.num_addresses
        if self.portmap is not None and self.portmap != (0, 0):
            return addresses * (self.portmap[1] - self.portmap[0] + 1)
        return addresses

    def alias(self, vnet: "Vnet") -> IPv4 | None:
        if self.target.network_address == IPv4("0.0.0.0"):
            return vnet.first_address(self.ifname)
        return self.target.network_address

    def carries(self, proto: str) -> bool:
        return self.proto is None or proto in self.proto.split("/")

    def redirects(self, packet: Packet) -> bool:
        """An rdr rule's match on a packet coming in (ipf_nat_inlookup found
        no session): the outside address, the protocol and the port."""
        if packet.dst not in self.src or not self.carries(packet.proto):
            return False
        if self.origin is not None and packet.src not in self.origin:
            return False
        if self.port is None:
            return True
        top = self.port_top if self.port_top is not None else self.port
        return packet.proto != "icmp" and self.port <= packet.dport <= top

    def on(self, ifname: str) -> bool:
        """The rule's interface; "*" is any (ipf_resolvenic() gives no
        interface pointer for it, and a rule without one matches on all)."""
        return self.ifname in (ifname, "*")

    def redirect_port(self, port: int) -> int:
        if self.target_port is None or self.port is None:
            return port
        return self.target_port


@dataclass
class Session:
    """A nat_t: the packet's tuple before (o...) and after (n...) the
    translation, seen from the side that made the session."""

    kind: str                   # MAP, RDR
    rule: NatRule
    proto: str
    ifname: str
    osrc: IPv4
    osport: int
    odst: IPv4
    odport: int
    nsrc: IPv4
    nsport: int
    ndst: IPv4
    ndport: int
    expires: float
    touched: float
    address: int = 0

    def ports(self) -> bool:
        return self.proto in ("tcp", "udp")

    def render(self) -> str:
        """ipnat -l's line for a session (libipf/printactivenat.c)."""
        def side(address: IPv4, port: int) -> str:
            return f"{str(address):<15}" + (f" {port:<5}" if self.ports() else "")

        def far(address: IPv4, port: int) -> str:
            return f"[{address}" + (f" {port}" if self.ports() else "") + "]"

        if self.kind == "MAP":
            return (f"MAP {side(self.osrc, self.osport)} <- -> {side(self.nsrc, self.nsport)} "
                    f"{far(self.odst, self.odport)} {self.proto}")
        return (f"RDR {side(self.ndst, self.ndport)} <- -> {side(self.odst, self.odport)} "
                f"{far(self.osrc, self.osport)} {self.proto}")


@dataclass
class Counters:
    """The statistics ipfstat -s and ipnat -s print that the sim keeps."""

    state_hits: int = 0
    state_misses: int = 0
    state_expired: int = 0
    states_added: dict[str, int] = field(default_factory=dict)
    nat_added: dict[str, int] = field(default_factory=lambda: {"in": 0, "out": 0})
    nat_translated: dict[str, int] = field(default_factory=lambda: {"in": 0, "out": 0})
    nat_expired: int = 0
    nat_flushed: int = 0


class Ipfilter:
    """ipfilter in one vnet: the filter is enabled with ipf -E."""

    name = "ipf"
    KERNEL_BASE = 0xFFFFF80004A00000      # where the sim places ipfilter's structures

    def __init__(self) -> None:
        self.enabled = False
        self.rules: list[FilterRule] = []
        self.nat: list[NatRule] = []
        self.sessions: list[Session] = []        # newest first, as ipf_nat_instances
        self.states: list[State] = []
        self.counters = Counters()
        self._allocated = 0

    # -- the packet path ------------------------------------------------------------
    def check(self, hook: Hook, packet: Packet) -> Verdict:
        """fil.c ipf_check(): NAT in, then state or rules, then NAT out."""
        self._expire(hook.now)
        # ipnat's rules here are IPv4 ones: an IPv6 packet meets none
        nat = not packet.inet6
        if hook.direction == "in" and nat:
            self._nat_in(hook, packet)
        if not self._state(hook, packet):
            rule = self._filter(hook, packet)
            if rule is not None and rule.action == "block":
                return Verdict.REFUSE if rule.refuse else Verdict.DROP
            if rule is not None and rule.keep_state:
                self._add_state(hook, packet, rule)
        if hook.direction == "out" and nat:
            self._nat_out(hook, packet)
        return Verdict.PASS

    def _expire(self, now: float) -> None:
        live = [s for s in self.states if s.expires > now]
        self.counters.state_expired += len(self.states) - len(live)
        self.states = live
        sessions = [s for s in self.sessions if s.expires > now]
        self.counters.nat_expired += len(self.sessions) - len(sessions)
        self.sessions = sessions

    def _state(self, hook: Hook, packet: Packet) -> bool:
        key = packet.tuple()
        for state in self.states:
            proto, src, sport, dst, dport = state.key
            if (state.direction == hook.direction and state.key == key) or (
                    state.direction != hook.direction and (proto, dst, dport, src, sport) == key):
                state.expires = hook.now + TIMEOUT[packet.proto]
                self.counters.state_hits += 1
                return True
        self.counters.state_misses += 1
        return False

    def _add_state(self, hook: Hook, packet: Packet, rule: FilterRule) -> None:
        self.states.append(State(hook.direction, packet.tuple(), packet.proto,
                                 hook.now + TIMEOUT[packet.proto]))
        rule.states += 1
        added = self.counters.states_added
        added[packet.proto] = added.get(packet.proto, 0) + 1

    def _filter(self, hook: Hook, packet: Packet) -> FilterRule | None:
        decided = None
        for rule in self.rules:
            if rule.matches(hook, packet):
                rule.hits += 1
                rule.bytes += packet.size
                if rule.action == "count":
                    continue
                decided = rule
                if rule.quick:
                    break
        return decided

    def _nat_in(self, hook: Hook, packet: Packet) -> None:
        """ipf_nat_checkin(): a session first (either kind), then rdr rules."""
        session = self._inlookup(hook, packet)
        if session is None:
            rule = next((r for r in self.nat if r.kind == "rdr" and r.on(hook.ifnet.name)
                         and r.redirects(packet)), None)
            if rule is None:
                return
            session = self._new_rdr(hook, packet, rule)
        if session.kind == "MAP":
            packet.dst, packet.dport = session.osrc, session.osport
        else:
            packet.dst, packet.dport = session.ndst, session.ndport
        self._touch(session, hook.now)
        self.counters.nat_translated["in"] += 1

    def _nat_out(self, hook: Hook, packet: Packet) -> None:
        """ipf_nat_checkout(): a session first (either kind), then map rules."""
        session = self._outlookup(hook, packet)
        if session is None:
            nat = next((r for r in self.nat if r.kind == "map" and r.on(hook.ifnet.name)
                        and packet.src in r.src and r.carries(packet.proto)), None)
            if nat is None:
                return
            session = self._new_map(hook, packet, nat)
            if session is None:
                return
        if session.kind == "MAP":
            packet.src, packet.sport = session.nsrc, session.nsport
        else:
            packet.src, packet.sport = session.odst, session.odport
        self._touch(session, hook.now)
        self.counters.nat_translated["out"] += 1

    def _inlookup(self, hook: Hook, packet: Packet) -> Session | None:
        """ipf_nat_inlookup(): a map session's reply, or the next packet of
        an rdr session, matched on the whole tuple."""
        key = packet.tuple()
        for s in self.sessions:
            if s.ifname != hook.ifnet.name or s.proto != packet.proto:
                continue
            if s.kind == "MAP" and key == (s.proto, s.odst, s.odport, s.nsrc, s.nsport):
                return s
            if s.kind == "RDR" and key == (s.proto, s.osrc, s.osport, s.odst, s.odport):
                return s
        return None

    def _outlookup(self, hook: Hook, packet: Packet) -> Session | None:
        """ipf_nat_outlookup(): the next packet of a map session, or an rdr
        session's reply, matched on the whole tuple."""
        key = packet.tuple()
        for s in self.sessions:
            if s.ifname != hook.ifnet.name or s.proto != packet.proto:
                continue
            if s.kind == "MAP" and key == (s.proto, s.osrc, s.osport, s.odst, s.odport):
                return s
            if s.kind == "RDR" and key == (s.proto, s.ndst, s.ndport, s.osrc, s.osport):
                return s
        return None

    def _new_rdr(self, hook: Hook, packet: Packet, rule: NatRule) -> Session:
        port = rule.redirect_port(packet.dport)
        src, dst = ipv4_ends(packet)
        session = Session("RDR", rule, packet.proto, hook.ifnet.name, src, packet.sport,
                          dst, packet.dport, src, packet.sport,
                          rule.target.network_address, port, hook.now, hook.now)
        return self._insert(session, rule, "in")

    def _new_map(self, hook: Hook, packet: Packet, rule: NatRule) -> Session | None:
        alias = rule.alias(hook.vnet)
        if alias is None:
            return None             # ns_ifpaddrfail: the packet leaves untranslated
        port = self._map_port(rule, packet, alias)
        src, dst = ipv4_ends(packet)
        session = Session("MAP", rule, packet.proto, hook.ifnet.name, src, packet.sport,
                          dst, packet.dport, alias, port, dst, packet.dport,
                          hook.now, hook.now)
        return self._insert(session, rule, "out")

    def _map_port(self, rule: NatRule, packet: Packet, alias: IPv4) -> int:
        """Without portmap the port stays; with one, the next free port of
        the range (ipf_nat_newmap)."""
        if rule.portmap is None or packet.proto not in ("tcp", "udp"):
            return packet.sport
        low, high = rule.portmap if rule.portmap != (0, 0) else (1024, 65535)
        taken = {s.nsport for s in self.sessions if s.nsrc == alias and s.proto == packet.proto}
        return next((p for p in range(low, high + 1) if p not in taken), packet.sport)

    def _insert(self, session: Session, rule: NatRule, side: str) -> Session:
        session.address = self.allocate()
        session.expires = session.touched + TIMEOUT[session.proto]
        self.sessions.insert(0, session)
        rule.hits += 1
        self.counters.nat_added[side] += 1
        return session

    @staticmethod
    def _touch(session: Session, now: float) -> None:
        session.touched = now
        session.expires = now + TIMEOUT[session.proto]

    def allocate(self) -> int:
        """A kernel address for a new rule or session (what ipnat -d prints)."""
        self._allocated += 1
        return self.KERNEL_BASE + self._allocated * 0x180

    # -- ioctls ---------------------------------------------------------------------
    def add_rule(self, rule: FilterRule) -> None:
        self.rules.append(rule)

    def add_nat(self, rule: NatRule) -> None:
        rule.address = self.allocate()
        self.nat.append(rule)

    def flush(self, directions: set[str]) -> int:
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.direction not in directions]
        return before - len(self.rules)

    def flush_states(self) -> int:
        count = len(self.states)
        self.states = []
        return count

    def remove(self, rule: FilterRule) -> bool:
        """SIOCRMAFR (ipf -r): the first active rule equal to ``rule`` goes;
        the kernel compares the rules themselves, not their counters
        (fil.c ipf_frruleiocl)."""
        return _remove_first(self.rules, rule.key())

    def remove_nat(self, rule: NatRule) -> bool:
        """SIOCRMNAT (ipnat -r): the first NAT rule equal to ``rule`` goes;
        its sessions live on until they expire or ipnat -F."""
        return _remove_first(self.nat, rule.key())

    def flush_nat_rules(self) -> int:
        count = len(self.nat)
        self.nat = []
        return count

    def flush_sessions(self) -> int:
        count = len(self.sessions)
        self.sessions = []
        self.counters.nat_flushed += count
        return count


def _remove_first(rules: list, key: tuple) -> bool:
    for index, there in enumerate(rules):
        if there.key() == key:
            del rules[index]
            return True
    return False


# -- ipf.conf and ipnat.conf ------------------------------------------------------

def _lines(text: str) -> list[tuple[int, list[str]]]:
    lines = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.split("#", 1)[0].strip().rstrip(";").strip()
        if line:
            lines.append((number, _tokens(line)))
    return lines


def _tokens(line: str) -> list[str]:
    """The words of a line as lexer.c reads them: "->", a comparison's "="
    and a negation's "!" stand alone even when written against their
    neighbours."""
    line = line.replace("->", " -> ")
    line = re.sub(r"(?<![!<>=])=(?!=)", " = ", line)
    line = re.sub(r"!(?!=)", " ! ", line)
    return [_unquoted(word) for word in line.split()]


def _unquoted(word: str) -> str:
    """lexer.c reads a word in single or double quotes as a string (YY_STR)."""
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
        return word[1:-1]
    return word


class _Truncated(Exception):
    """The rule ended before the grammar did: yacc reads on, into the next
    line (or to the end of the input)."""


class IpfUnmodelled(Exception):
    """Valid ipf.conf/ipnat.conf that the sim does not model: the command
    fails saying so instead of pretending."""

    def __init__(self, word: str, line: int) -> None:
        super().__init__(f'"{word}" (line {line}) is not modelled by the jailkit sim')


class _Words(Words):
    def __init__(self, words: list[str], line: int) -> None:
        super().__init__(words)
        self.line = line

    def fail(self, message: str | None = None) -> Exception:
        word = self.peek()
        if word is None:
            return _Truncated()
        return IpfSyntaxError(word, self.line)

    def last(self) -> str:
        return self.words[self.pos - 1]


def _read(text: str, rule: Callable[[_Words], RuleT], keywords: frozenset[str]) -> Iterator[tuple[int, RuleT]]:
    lines = _lines(text)
    for index, (number, words) in enumerate(lines):
        try:
            yield number, rule(_Words(words, number))
        except _Truncated:
            raise _after_end(lines[index + 1:], words[-1], keywords) from None


def _after_end(rest: list[tuple[int, list[str]]], last: str, keywords: frozenset[str]) -> IpfSyntaxError:
    """yyerror() for a rule cut short: the error is at the next line's first
    word; at the end of the input lexer.c has reset yylineNum to 1 and
    names the last token only if it was a keyword or a character."""
    if rest:
        number, words = rest[0]
        return IpfSyntaxError(words[0], number)
    return IpfSyntaxError(last if last in keywords or len(last) == 1 else "", 1)


def parse_filter(text: str, add: Callable[[FilterRule], None]) -> None:
    """Parse ipf.conf text, calling ``add(rule)`` for each rule as it is read."""
    for _, rule in filter_rules(text):
        add(rule)


IPF_KEYWORDS = frozenset(
    "pass block count in out log body first or-block level quick on inet proto from to all any "
    "port flags keep state frags frag head group return-rst return-icmp return-icmp-as-dest "
    "mask eq ne lt gt le ge".split())
IPF_UNMODELLED = frozenset(
    "call nomatch auth preauth skip decapsulate inet6 family tos ttl with and icmp-type code "
    "dup-to reply-to route-to fastroute set-tag match-tag pps rule-ttl comment pool hash "
    "bpf-v4 bpf-v6 exp limit strict loose newisn no-icmp-err sync age".split())


def filter_rules(text: str) -> Iterator[tuple[int, FilterRule]]:
    """ipf.conf's rules with their line numbers, each as it is read (an
    error stops the reading there)."""
    return _read(text, _filter_rule, IPF_KEYWORDS)


def _unmodelled(w: _Words, words: frozenset[str]) -> None:
    for word in w.words[w.pos:]:
        if word in words:
            raise IpfUnmodelled(word, w.line)


def _filter_rule(w: _Words) -> FilterRule:
    _unmodelled(w, IPF_UNMODELLED)
    action = w.take("pass", "block", "count")
    if action is None:
        raise w.fail()
    refuse = w.take("return-rst", "return-icmp", "return-icmp-as-dest") if action == "block" else None
    direction = w.take("in", "out")
    if direction is None:
        raise w.fail()
    rule = FilterRule(action, direction, refuse=refuse or "")
    _options(w, rule)
    if w.take("inet"):
        rule.family = "inet"
    if w.take("proto"):
        rule.proto = _protocol(w)
        rule.typed = True
    if not w.take("all"):
        _from_to(w, rule)
    _tail(w, rule)
    return rule


def _options(w: _Words, rule: FilterRule) -> None:
    """inopts/outopts: log, quick and on, in any order."""
    while True:
        if w.take("log"):
            rule.log = "log" + "".join(f" {o}" for o in _log_options(w))
        elif w.take("quick"):
            rule.quick = True
        elif w.take("on"):
            rule.ifname = w.need()
        else:
            return


def _log_options(w: _Words) -> list[str]:
    found = []
    while (word := w.take("body", "first", "or-block", "level")) is not None:
        found.append(word if word != "level" else f"level {w.need()}")
    order = ["body", "first", "or-block"]
    return sorted(found, key=lambda o: order.index(o) if o in order else len(order))


def _protocol(w: _Words) -> str:
    word = w.need()
    if word == "tcp-udp":
        return "tcp/udp"
    if word in PROTOCOLS or word == "tcp/udp":
        return word
    if word.isdigit():
        return next((n for n, v in PROTOCOLS.items() if v == int(word)), word)
    if word in ("ipv6-icmp", "icmp6", "ipv6"):
        raise IpfUnmodelled(word, w.line)      # the sim's ipf rules are IPv4 and family-less
    # yacc read one word further (a "/" would make it "tcp/udp") before
    # the action's yyerror(): the error names that next word
    raise IpfSyntaxError(w.peek() or "", w.line, "protocol unknown")


def _from_to(w: _Words, rule: FilterRule) -> None:
    """fromto: "from SRC [to DST]" or "to DST", each address optional
    before a port ("to port = 22"). Only "from" (or "proto") makes the rule
    match on IP fields (setipftype()); "to" alone leaves it FR_T_NONE."""
    if w.take("from"):
        rule.typed = True
        rule.src, rule.sport = _object(w, rule)
    if w.take("to"):
        rule.dst, rule.dport = _object(w, rule)


def _object(w: _Words, rule: FilterRule) -> tuple[Host, PortTest | None]:
    host = Host()
    if w.peek() != "port":
        negate = bool(w.take("!"))
        host = _host(w, negate)
        if host.net != ANY or host.negate:
            rule.family = "inet"
    return host, _port(w, rule)


def _host(w: _Words, negate: bool) -> Host:
    word = w.need()
    if word == "any":
        return Host(negate=negate)
    if w.take("mask"):
        word = f"{word}/{w.need()}"
    if ":" in word:
        raise IpfUnmodelled(word, w.line)      # an IPv6 address: its rules are not modelled
    try:
        return Host(Net4(word, strict=False), negate)
    except ValueError:
        raise IpfSyntaxError(word, w.line) from None


OPS = {"=": "=", "eq": "=", "!=": "!=", "ne": "!=", "<": "<", "lt": "<", ">": ">", "gt": ">",
       "<=": "<=", "le": "<=", ">=": ">=", "ge": ">="}


def _port(w: _Words, rule: FilterRule) -> PortTest | None:
    if not w.take("port"):
        return None
    if rule.proto not in (None, "tcp", "udp", "tcp/udp"):
        raise IpfSyntaxError("port", w.line, "port use incorrect")
    word = w.need()
    if word in OPS:
        return PortTest(OPS[word], _number(w, w.need()))
    low = _number(w, word)
    op = w.take("><", "<>", ":")
    if op is None:
        raise w.fail()
    return PortTest(op, low, _number(w, w.need()))


def _number(w: _Words, word: str) -> int:
    if word.isdigit():
        if int(word) > 65535:
            raise IpfSyntaxError(word, w.line, "invalid port number")
        return int(word)
    port = service_port(word)
    if port is None:
        raise IpfSyntaxError(word, w.line, "service unknown")
    return port


def _tail(w: _Words, rule: FilterRule) -> None:
    """flags, keep state / keep frags, head, group (ruletail)."""
    if w.take("flags"):
        if rule.proto != "tcp":
            raise IpfSyntaxError("flags", w.line, "flags with non-TCP rule")
        rule.flags = _flagset(w)
    while (word := w.take()) is not None:
        if word == "keep":
            kind = w.need()
            if kind == "state":
                rule.keep_state = True
            elif kind in ("frags", "frag"):
                rule.keep_frags = True
            else:
                raise IpfSyntaxError(kind, w.line)
        elif word in ("head", "group"):
            setattr(rule, word, w.need())
        else:
            raise IpfSyntaxError(word, w.line)


def _flagset(w: _Words) -> tuple[int, int]:
    word = w.need()
    flags, _, mask = word.partition("/")
    if any(c not in TCP_FLAG_LETTERS for c in flags + mask):
        raise IpfSyntaxError(word, w.line)

    def bits(letters: str) -> int:
        return sum(1 << TCP_FLAG_LETTERS.index(c) for c in letters)
    return bits(flags), bits(mask) if mask else FR_TCPFMAX


def parse_nat(text: str, add: Callable[[NatRule], None]) -> None:
    for _, rule in nat_rules(text):
        add(rule)


NAT_KEYWORDS = frozenset(
    "map rdr bimap map-block port ports portmap -> from to any tcp udp tcpudp proxy age frag "
    "round-robin sticky mssclamp tag purge inet inet6 mask netmask range auto icmpidmap "
    "sequential rewrite divert no on in out".split())
NAT_UNMODELLED = frozenset(
    "bimap map-block rewrite divert no proxy age frag round-robin sticky mssclamp tag "
    "purge icmpidmap sequential range inet6 pool hash dstlist".split())


def nat_rules(text: str) -> Iterator[tuple[int, NatRule]]:
    return _read(text, _nat_rule, NAT_KEYWORDS)


def _nat_rule(w: _Words) -> NatRule:
    _unmodelled(w, NAT_UNMODELLED)
    kind = w.take("map", "rdr")
    if kind is None:
        raise w.fail()
    ifname = _ifname(w)
    if kind == "map":
        return _map_rule(w, ifname)
    return _rdr_rule(w, ifname)


def _ifname(w: _Words) -> str:
    word = w.need()
    if word in NAT_KEYWORDS:
        raise IpfSyntaxError(word, w.line)
    return word


def _map_rule(w: _Words, ifname: str) -> NatRule:
    _unmodelled(w, frozenset({"from"}))
    src = _nat_addr(w)
    if not w.take("->"):
        raise w.fail()
    rule = NatRule("map", ifname, src, _nat_addr(w))
    if w.take("portmap"):
        rule.portmap_proto = _nat_proto(w, ("tcp", "udp", "tcp/udp", "tcpudp"))
        if w.take("auto"):
            rule.portmap = (0, 0)
        else:
            rule.portmap = _portpair(w)
    elif w.peek() is not None:
        rule.proto = _nat_proto(w, ("tcp", "udp", "tcp/udp", "tcpudp", "icmp"))
    if w.peek() is not None:
        raise w.fail()
    return rule


def _rdr_rule(w: _Words, ifname: str) -> NatRule:
    origin = None
    port = top = None
    if w.take("from"):
        origin, outside, port = _rdr_filter(w)
        top = port
    else:
        outside = _nat_addr(w)
        if w.take("port"):
            port, top = _portpair(w)
    if not w.take("->"):
        raise w.fail()
    inside = _nat_addr(w)
    if inside.prefixlen not in (0, 32):
        # the last word lexed was the mask's number
        raise IpfSyntaxError(w.last().rpartition("/")[2], w.line, "dest ip bitmask not /32")
    target_port = None
    if w.take("port"):
        target_port = _portpair(w)[0]
    proto = _nat_proto(w, ("tcp", "udp", "tcp/udp", "tcpudp", "icmp", "ip")) if w.peek() else None
    if proto == "ip":
        proto = None                # printproto()'s name for in_pr 0: any protocol
    if proto is None and (port is not None or target_port is not None):
        proto = "tcp/udp"           # setrdrifnames(): a port alone means tcp/udp
    if w.peek() is not None:
        raise w.fail()
    return NatRule("rdr", ifname, outside, inside, port, top, target_port, proto, origin=origin)


def _rdr_filter(w: _Words) -> tuple[Net4, Net4, int | None]:
    """ipnat_y.y's rdrfrom: "from SRC to DST [port = N]" (ipnat(5)), the
    form that matches on the source too; the other port comparisons and a
    source port are not modelled."""
    origin = _nat_addr(w)
    if not w.take("to"):
        raise w.fail()
    outside = _nat_addr(w)
    port = None
    if w.take("port"):
        if not w.take("="):
            raise IpfUnmodelled(w.peek() or "port", w.line)
        port = _nat_port(w, w.need())
    return origin, outside, port


def _nat_proto(w: _Words, allowed: tuple[str, ...]) -> str:
    """setproto: tcp, udp, tcpudp or tcp/udp, or a protocol's name
    (getproto(), "unknown protocol" when /etc/protocols has none)."""
    word = w.need()
    if word in allowed:
        return "tcp/udp" if word == "tcpudp" else word
    if word in NAT_KEYWORDS or word in PROTOCOLS:
        raise IpfSyntaxError(word, w.line)
    raise IpfSyntaxError(word, w.line, "unknown protocol")


def _portpair(w: _Words) -> tuple[int, int]:
    word = w.need()
    low, sep, high = word.replace(":", "-").partition("-")
    first = _nat_port(w, low)
    return first, _nat_port(w, high) if sep else first


def _nat_port(w: _Words, word: str) -> int:
    """portspec: a number up to 65535 or a service name (getport())."""
    if word in NAT_KEYWORDS:
        raise IpfSyntaxError(word, w.line)
    port = service_port(word)
    if port is None:
        raise IpfSyntaxError(word, w.line, "invalid port number")
    return port


def _nat_addr(w: _Words) -> Net4:
    """addr: "any", an address, ADDR/BITS or ADDR/MASK; a keyword where an
    address belongs is ipnat's syntax error at that word."""
    word = w.need()
    if word in NAT_KEYWORDS - {"any"}:
        raise IpfSyntaxError(word, w.line)
    if word == "any":
        return ANY
    if w.take("mask", "netmask"):
        word = f"{word}/{w.need()}"
    text = word if "/" in word else f"{word}/32"
    if text.startswith("0/"):
        text = "0.0.0.0/" + text[2:]
    try:
        return Net4(text, strict=False)
    except ValueError:
        raise IpfSyntaxError(word, w.line) from None
