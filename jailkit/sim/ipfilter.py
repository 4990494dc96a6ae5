"""IPFilter in one vnet: ipf(5) filter rules and ipnat(5) translation rules.

Filter rules: the last matching rule decides unless a quick rule matches
first; with no match the packet passes (FreeBSD's ipl.ko is built without
IPFILTER_DEFAULT_BLOCK, so ipf -V says "Default: pass all"). Translation:
an incoming packet is redirected (rdr) before the filter sees it, an
outgoing one is mapped (map) after the filter passed it. Both parsers stop
at the first error, and rules before it stay loaded, as ipf(8) and
ipnat(8) add rules one by one while they read."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .libalias import Alias, Link
from .packet import PROTOCOLS, Packet, reverse, service_port
from .pfil import Hook, Verdict
from .words import Words

if TYPE_CHECKING:
    from .vnet import Vnet

Net4 = ipaddress.IPv4Network
IPv4 = ipaddress.IPv4Address

STATE_TIMEOUT = {"icmp": 60.0, "udp": 120.0, "tcp": 86400.0}


class IpfSyntaxError(Exception):
    """lexer.c yyerror(): 'syntax error at "WORD", line N'."""

    def __init__(self, word: str, line: int) -> None:
        super().__init__(f'syntax error at "{word}", line {line}')
        self.word = word
        self.line = line


@dataclass
class Host:
    net: Net4 | None = None          # None: any
    negate: bool = False

    def matches(self, address: IPv4) -> bool:
        return (self.net is None or address in self.net) != self.negate

    def render(self) -> str:
        if self.net is None:
            text = "any"
        else:
            text = str(self.net.network_address) if self.net.prefixlen == 32 else str(self.net)
        return ("! " if self.negate else "") + text


@dataclass
class PortTest:
    op: str
    low: int
    high: int = 0

    def render(self) -> str:
        if self.op in ("><", "<>", ":"):
            return f"port {self.low} {self.op} {self.high}"
        return f"port {self.op} {self.low}"

    def matches(self, port: int) -> bool:
        return {"=": port == self.low, "!=": port != self.low, "<": port < self.low,
                ">": port > self.low, "<=": port <= self.low, ">=": port >= self.low,
                "><": self.low < port < self.high, "<>": port < self.low or port > self.high,
                ":": self.low <= port <= self.high}[self.op]


@dataclass
class FilterRule:
    action: str                 # pass, block, count
    direction: str
    refuse: bool = False        # return-rst / return-icmp
    quick: bool = False
    ifname: str | None = None
    proto: str | None = None
    src: Host = field(default_factory=Host)
    sport: PortTest | None = None
    dst: Host = field(default_factory=Host)
    dport: PortTest | None = None
    keep_state: bool = False
    hits: int = 0

    def render(self) -> str:
        """As ipfstat(8) lists it (printfr)."""
        words = [self.action]
        if self.refuse:
            words.append("return-rst" if self.proto == "tcp" else "return-icmp")
        words.append(self.direction)
        if self.quick:
            words.append("quick")
        if self.ifname:
            words.append(f"on {self.ifname}")
        if self.proto:
            words.append(f"proto {self.proto}")
        if self.proto is None and self.src.net is None and self.dst.net is None and not (
                self.src.negate or self.dst.negate or self.sport or self.dport):
            words.append("all")
        else:
            words += ["from", self.src.render()] + ([self.sport.render()] if self.sport else [])
            words += ["to", self.dst.render()] + ([self.dport.render()] if self.dport else [])
        if self.keep_state:
            words.append("keep state")
        return " ".join(words)

    def matches(self, hook: Hook, packet: Packet) -> bool:
        if self.direction != hook.direction:
            return False
        if self.ifname and self.ifname != hook.ifnet.name:
            return False
        if self.proto and self.proto != packet.proto:
            return False
        if not self.src.matches(packet.src) or not self.dst.matches(packet.dst):
            return False
        for test, port in ((self.sport, packet.sport), (self.dport, packet.dport)):
            if test is not None and (packet.proto == "icmp" or not test.matches(port)):
                return False
        return True


@dataclass
class NatRule:
    kind: str                   # map, rdr
    ifname: str
    src: Net4                   # map: the inside network; rdr: the outside address
    target: Net4                # map: 0/32 means the interface's own address
    port: int | None = None     # rdr: the outside port
    target_port: int | None = None
    proto: str = "tcp"
    portmap: str = ""
    engine: Alias = field(default_factory=lambda: Alias(same_ports=True))

    def render(self) -> str:
        if self.kind == "map":
            text = f"map {self.ifname} {self.src} -> {self.target}"
            return text + (f" portmap {self.portmap}" if self.portmap else "")
        return (f"rdr {self.ifname} {self.src} port {self.port} -> {self.target.network_address} "
                f"port {self.target_port} {self.proto}")

    def alias(self, vnet: "Vnet") -> IPv4 | None:
        if self.target.network_address == IPv4("0.0.0.0"):
            return vnet.first_address(self.ifname)
        return self.target.network_address


@dataclass
class State:
    direction: str
    key: tuple
    expires: float


class Ipfilter:
    """ipfilter in one vnet: the filter is enabled with ipf -E."""

    name = "ipf"

    def __init__(self) -> None:
        self.enabled = False
        self.rules: list[FilterRule] = []
        self.nat: list[NatRule] = []
        self.states: list[State] = []

    def check(self, hook: Hook, packet: Packet) -> Verdict:
        self.states = [s for s in self.states if s.expires > hook.now]
        if hook.direction == "in" and not self._rdr(hook, packet):
            return Verdict.DROP
        if not self._state(hook, packet):
            rule = self._filter(hook, packet)
            if rule is not None and rule.action == "block":
                return Verdict.REFUSE if rule.refuse else Verdict.DROP
            if rule is not None and rule.keep_state:
                self.states.append(State(hook.direction, packet.tuple(),
                                         hook.now + STATE_TIMEOUT[packet.proto]))
        if hook.direction == "out":
            self._map(hook, packet)
        return Verdict.PASS

    def _state(self, hook: Hook, packet: Packet) -> bool:
        key = packet.tuple()
        return any((s.direction == hook.direction and s.key == key)
                   or (s.direction != hook.direction and reverse(s.key) == key) for s in self.states)

    def _filter(self, hook: Hook, packet: Packet) -> FilterRule | None:
        decided = None
        for rule in self.rules:
            if rule.matches(hook, packet):
                rule.hits += 1
                if rule.action == "count":
                    continue
                decided = rule
                if rule.quick:
                    break
        return decided

    def _map(self, hook: Hook, packet: Packet) -> None:
        for rule in self.nat:
            if rule.kind == "map" and rule.ifname == hook.ifnet.name and packet.src in rule.src:
                alias = rule.alias(hook.vnet)
                if alias is not None:
                    rule.engine.outgoing(packet, alias)
                return
            if rule.kind == "rdr" and rule.ifname == hook.ifnet.name:
                for link in rule.engine.links:
                    if (link.proto, link.local, link.local_port) == (packet.proto, packet.src, packet.sport):
                        packet.src, packet.sport = link.alias, link.alias_port

    def _rdr(self, hook: Hook, packet: Packet) -> bool:
        for rule in self.nat:
            if rule.ifname != hook.ifnet.name:
                continue
            if rule.kind == "map":
                alias = rule.alias(hook.vnet)
                if alias is not None and packet.dst == alias:
                    rule.engine.incoming(packet, alias)
            elif (packet.dst in rule.src and packet.proto in rule.proto.split("/")
                  and packet.dport == rule.port):
                rule.engine.links.append(
                    _link(packet, rule.target.network_address, rule.target_port))
                packet.dst, packet.dport = rule.target.network_address, rule.target_port
        return True

    def flush(self, directions: set[str]) -> int:
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.direction not in directions]
        return before - len(self.rules)

    def remove(self, rule: FilterRule) -> bool:
        """SIOCDELFR (ipf -r): the first active rule equal to ``rule`` goes;
        the kernel compares the rules themselves, not their counters
        (fil.c ipf_frruleiocl)."""
        return _remove_first(self.rules, rule)

    def remove_nat(self, rule: NatRule) -> bool:
        """SIOCRMNAT (ipnat -r): the first NAT rule equal to ``rule`` goes,
        with its sessions in the sim, as ipnat -C takes them."""
        return _remove_first(self.nat, rule)

    def flush_nat_rules(self) -> int:
        count = len(self.nat)
        self.nat = []
        return count

    def flush_sessions(self) -> int:
        count = sum(len(r.engine.links) for r in self.nat)
        for rule in self.nat:
            rule.engine.reset()
        return count


def _remove_first(rules: list, rule) -> bool:
    text = rule.render()
    for index, there in enumerate(rules):
        if there.render() == text:
            del rules[index]
            return True
    return False


def _link(packet: Packet, local: IPv4, local_port: int | None):
    return Link(packet.proto, local, local_port or packet.dport, packet.src, packet.sport,
                packet.dst, packet.dport)


# -- ipf.conf and ipnat.conf ------------------------------------------------------

def _lines(text: str):
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            yield number, line.split()


class _Words(Words):
    def __init__(self, words: list[str], line: int) -> None:
        super().__init__(words)
        self.line = line

    def fail(self, message: str | None = None) -> IpfSyntaxError:
        return IpfSyntaxError(self.peek() or (self.words[-1] if self.words else ""), self.line)


def parse_filter(text: str, add) -> None:
    """Parse ipf.conf text, calling ``add(rule)`` for each rule as it is read."""
    for _, rule in filter_rules(text):
        add(rule)


def filter_rules(text: str) -> Iterator[tuple[int, FilterRule]]:
    """ipf.conf's rules with their line numbers, each as it is read (an
    error stops the reading there)."""
    for number, words in _lines(text):
        yield number, _filter_rule(_Words(words, number))


def _filter_rule(w: _Words) -> FilterRule:
    action = w.take("pass", "block", "count")
    if action is None:
        raise w.fail()
    refuse = bool(w.take("return-rst", "return-icmp", "return-icmp-as-dest"))
    direction = w.take("in", "out")
    if direction is None:
        raise w.fail()
    rule = FilterRule(action, direction, refuse=refuse)
    if w.take("log"):
        while w.take("body", "first", "or-block"):
            pass
    rule.quick = bool(w.take("quick"))
    if w.take("on"):
        rule.ifname = w.need()
    if w.take("proto"):
        proto = w.need()
        if proto not in PROTOCOLS and proto != "tcp/udp":
            raise IpfSyntaxError(proto, w.line)
        rule.proto = proto
    if not w.take("all"):
        if not w.take("from"):
            raise w.fail()
        rule.src, rule.sport = _host(w), _port(w)
        if not w.take("to"):
            raise w.fail()
        rule.dst, rule.dport = _host(w), _port(w)
    while (word := w.take()) is not None:
        if word == "keep":
            if w.need() not in ("state", "frags"):
                raise IpfSyntaxError(w.words[w.pos - 1], w.line)
            rule.keep_state = rule.keep_state or w.words[w.pos - 1] == "state"
        elif word == "flags":
            w.need()
        elif word in ("head", "group"):
            w.need()
        else:
            raise IpfSyntaxError(word, w.line)
    return rule


def _host(w: _Words) -> Host:
    negate = bool(w.take("!"))
    word = w.need()
    if word == "any":
        return Host(negate=negate)
    if w.take("mask"):
        word = f"{word}/{w.need()}"
    try:
        return Host(Net4(word, strict=False), negate)
    except ValueError:
        raise IpfSyntaxError(word, w.line) from None


OPS = {"=": "=", "eq": "=", "!=": "!=", "ne": "!=", "<": "<", "lt": "<", ">": ">", "gt": ">",
       "<=": "<=", "le": "<=", ">=": ">=", "ge": ">="}


def _port(w: _Words) -> PortTest | None:
    if not w.take("port"):
        return None
    word = w.need()
    if word in OPS:
        return PortTest(OPS[word], _number(w, w.need()))
    low = _number(w, word)
    op = w.take("><", "<>", ":")
    if op is None:
        raise w.fail()
    return PortTest(op, low, _number(w, w.need()))


def _number(w: _Words, word: str) -> int:
    port = service_port(word)
    if port is None:
        raise IpfSyntaxError(word, w.line)
    return port


def parse_nat(text: str, add) -> None:
    for _, rule in nat_rules(text):
        add(rule)


def nat_rules(text: str) -> Iterator[tuple[int, NatRule]]:
    for number, words in _lines(text):
        yield number, _nat_rule(_Words(words, number))


def _nat_rule(w: _Words) -> NatRule:
    kind = w.take("map", "rdr")
    if kind is None:
        raise w.fail()
    ifname = w.need()
    if kind == "map":
        src = _net(w, w.need())
        if not w.take("->"):
            raise w.fail()
        rule = NatRule("map", ifname, src, _net(w, w.need()))
        if w.take("portmap"):
            rule.portmap = f"{w.need()} {w.need()}"
        if w.peek() is not None:
            raise w.fail()
        return rule
    outside = _net(w, w.need())
    if not w.take("port"):
        raise w.fail()
    port = _number(w, w.need())
    if not w.take("->"):
        raise w.fail()
    inside = _net(w, w.need())
    if not w.take("port"):
        raise w.fail()
    target_port = _number(w, w.need())
    proto = w.take() or "tcp"
    if proto not in ("tcp", "udp", "tcp/udp"):
        raise IpfSyntaxError(proto, w.line)
    return NatRule("rdr", ifname, outside, inside, port, target_port, proto)


def _net(w: _Words, word: str) -> Net4:
    text = word if "/" in word else f"{word}/32"
    if text.startswith("0/"):
        text = "0.0.0.0/" + text[2:]
    try:
        return Net4(text, strict=False)
    except ValueError:
        raise IpfSyntaxError(word, w.line) from None
