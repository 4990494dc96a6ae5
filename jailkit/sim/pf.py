"""pf(4) in one vnet: its ruleset, states and translations, and the pf.conf(5)
grammar pfctl(8) loads (the part of it the howtos use).

Semantics (pf.conf(5)): translation (nat on the way out, rdr on the way in,
first match) happens before filtering and the filter rules see the
translated packet; the last matching filter rule decides unless one marked
quick matches first; with no match the packet passes. A pass rule keeps
state by default and a packet that matches a state passes without the
rules. States are tied to the direction they were made in: a routed packet
makes one state on the way in and another on the way out, and only answers
travel against a state's direction (the two entries pfctl -s state shows
for a forwarded connection)."""

from __future__ import annotations

import ipaddress
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .packet import PROTOCOLS, Packet, port_name, reverse, service_port
from .pfil import Hook, Verdict
from .words import Words

if TYPE_CHECKING:
    from .vnet import Vnet

Net4 = ipaddress.IPv4Network
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IPv4 = ipaddress.IPv4Address

# How long states live (pf.conf(5) "set timeout" defaults), in seconds.
STATE_TIMEOUT = {"icmp": 10.0, "udp": 60.0, "tcp": 86400.0}
TIMEOUTS = {"tcp.first": 120.0, "tcp.opening": 30.0, "tcp.established": 86400.0,
            "tcp.closing": 900.0, "tcp.finwait": 45.0, "tcp.closed": 90.0,
            "udp.first": 60.0, "udp.single": 30.0, "udp.multiple": 60.0}

# The state levels of a connection's two peers (netinet/tcp_fsm.h tcpstates,
# net/pfvar.h PFUDPS_NAMES), as pfctl's print_state() names them.
TCP_STATES = ["CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "CLOSE_WAIT",
              "FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2", "TIME_WAIT"]
UDP_STATES = ["NO_TRAFFIC", "SINGLE", "MULTIPLE"]
SYN_SENT, ESTABLISHED, CLOSING, FIN_WAIT_2, TIME_WAIT = 2, 4, 7, 9, 10
NO_TRAFFIC, SINGLE, MULTIPLE = 0, 1, 2

# A nat rule's source ports (parse.y: PF_NAT_PROXY_PORT_LOW/HIGH); static-port is 0:0.
NAT_PORTS = (50001, 65535)


class PfSyntaxError(Exception):
    def __init__(self, line: int, message: str = "syntax error") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        # what pfctl printed on stderr before parse.y's yyerror line
        # (pfctl_parser.c host(): "no IP address found for ...")
        self.before = ""


# -- rules ---------------------------------------------------------------------

# pfctl_parser.c host_if() and parse.y dynaddr: an interface name's
# modifiers (PFI_AFLAG_NETWORK, _BROADCAST, _PEER, _NOALIAS), in the order
# print_addr() prints them. network, broadcast and peer exclude each other.
IF_MODIFIERS = ("network", "broadcast", "peer", "0")
IF_MODES = {"network", "broadcast", "peer"}
IFF_BROADCAST, IFF_POINTOPOINT = 0x2, 0x10     # sys/net/if.h


@dataclass
class Address:
    """One host specification: any, a network, an interface's address taken
    at load time, or "(if)", the interface's address at packet time, with
    the interface's modifiers (:network, :broadcast, :peer, :0)."""

    text: str = "any"
    net: Net4 | None = None
    dynamic: str | None = None
    negate: bool = False
    modifiers: tuple[str, ...] = ()

    def matches(self, vnet: "Vnet", address: IPv4) -> bool:
        if self.dynamic is not None:
            # pf_if.c pfi_dynaddr_update(): the interface's addresses now
            hit = any(address in net for net in interface_hosts(vnet, self.dynamic, self.modifiers))
        elif self.net is not None:
            hit = address in self.net
        else:
            hit = True
        return hit != self.negate

    def render(self) -> str:
        return ("! " if self.negate else "") + self.text

    @property
    def is_any(self) -> bool:
        return self.net is None and self.dynamic is None and not self.negate


def interface_hosts(vnet: "Vnet", name: str, modifiers: tuple[str, ...] | set[str]) -> list[Net4]:
    """pfctl_parser.c ifa_lookup() (and pf_if.c pfi_instance_add() for a
    dynamic address): the IPv4 addresses of interface (or interface group)
    ``name``: each as a host; with :network its network; with :broadcast
    its broadcast address, on broadcast interfaces only; with :peer the
    other end's, on point-to-point interfaces only (the sim has none with
    an IPv4 peer); with :0 only the first address, not the aliases."""
    ifnets = [i for i in vnet.ifnets if i.name == name]
    if not ifnets:
        ifnets = [i for i in vnet.ifnets if name in i.groups]
    found = []
    for ifnet in ifnets:
        if "broadcast" in modifiers and not ifnet.flags & IFF_BROADCAST:
            continue
        if "peer" in modifiers and not ifnet.flags & IFF_POINTOPOINT:
            continue
        addresses = ifnet.inet[:1] if "0" in modifiers else ifnet.inet
        for a in addresses:
            if "network" in modifiers:
                found.append(a.interface.network)
            elif "broadcast" in modifiers:
                if a.broadcast is not None:
                    found.append(Net4(f"{a.broadcast}/32"))
            elif "peer" not in modifiers:
                found.append(Net4(f"{a.address}/32"))
    return found


@dataclass
class Port:
    op: str          # "=", "!=", "<", "<=", ">", ">=", ":", "><", "<>"
    low: int
    high: int = 0

    def matches(self, port: int) -> bool:
        low, high = self.low, self.high
        return {"=": port == low, "!=": port != low, "<": port < low, "<=": port <= low,
                ">": port > low, ">=": port >= low, ":": low <= port <= high,
                "><": low < port < high, "<>": port < low or port > high}[self.op]

    def render(self) -> str:
        if self.op in ("=", "!="):
            return f"port {self.op} {port_name(self.low)}"
        if self.op == ":":
            return f"port {self.low}:{self.high}"
        if self.op in ("><", "<>"):
            return f"port {self.low} {self.op} {self.high}"
        return f"port {self.op} {self.low}"


@dataclass
class Rule:
    action: str                     # pass, block, nat, rdr, scrub
    direction: str | None = None    # in, out
    log: bool = False
    quick: bool = False
    ifname: str | None = None
    if_negate: bool = False
    af: str | None = None
    proto: str | None = None
    src: Address = field(default_factory=Address)
    sport: Port | None = None
    dst: Address = field(default_factory=Address)
    dport: Port | None = None
    keep_state: bool = False
    flags: str | None = None
    policy: str = "drop"            # block drop | return
    pass_: bool = False             # nat pass / rdr pass
    target: Address | None = None   # translation target
    target_port: int | None = None
    proxy_ports: tuple[int, int] = NAT_PORTS   # a nat rule's source ports (0, 0: static-port)
    evaluations: int = 0
    packets: int = 0

    def render(self) -> str:
        words = [self.action]
        if self.action in ("nat", "rdr"):
            if self.pass_:
                words.append("pass")
        elif self.action == "block":
            words.append(self.policy)
        if self.direction:
            words.append(self.direction)
        if self.log:
            words.append("log")
        if self.quick:
            words.append("quick")
        if self.ifname:
            words.append("on " + ("! " if self.if_negate else "") + self.ifname)
        if self.af:
            words.append(self.af)
        if self.proto:
            words.append(f"proto {self.proto}")
        if self.src.is_any and self.dst.is_any and not self.sport and not self.dport:
            words.append("all")
        else:
            words += ["from", self.src.render()] + ([self.sport.render()] if self.sport else [])
            words += ["to", self.dst.render()] + ([self.dport.render()] if self.dport else [])
        if self.action == "scrub":
            words.append("fragment reassemble")
        if self.flags:
            words.append(f"flags {self.flags}")
        if self.action == "pass" and self.keep_state:
            words.append("keep state")
        elif self.action == "pass":
            words.append("no state")
        if self.target is not None:
            words += ["->", self.target.render()]
            if self.target_port is not None:
                words.append(f"port {self.target_port}")
            words += self._render_pool()
        return " ".join(words)

    def _render_pool(self) -> list[str]:
        """pfctl_parser.c print_pool(): a nat rule's source ports when not
        the default, the pool type, then static-port."""
        if self.action != "nat":
            return []
        low, high = self.proxy_ports
        words = []
        if (low, high) not in (NAT_PORTS, (0, 0)):
            words.append(f"port {low}" if low == high else f"port {low}:{high}")
        if self.target is not None and self.target.dynamic:
            words.append("round-robin")   # the pool of an (if) target
        if (low, high) == (0, 0):
            words.append("static-port")
        return words

    def matches(self, vnet: "Vnet", hook: Hook, packet: Packet) -> bool:
        if self.direction and self.direction != hook.direction:
            return False
        if self.ifname:
            on = self.ifname == hook.ifnet.name or self.ifname in hook.ifnet.groups
            if on == self.if_negate:
                return False
        if self.proto and self.proto != packet.proto:
            return False
        if not self.src.matches(vnet, packet.src) or not self.dst.matches(vnet, packet.dst):
            return False
        if self.sport and (packet.proto == "icmp" or not self.sport.matches(packet.sport)):
            return False
        if self.dport and (packet.proto == "icmp" or not self.dport.matches(packet.dport)):
            return False
        return self.flags is None or packet.proto != "tcp" or _flags_match(self.flags, packet)


@dataclass
class Ruleset:
    filter: list[Rule] = field(default_factory=list)
    scrub: list[Rule] = field(default_factory=list)
    nat: list[Rule] = field(default_factory=list)
    rdr: list[Rule] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    # what pfctl -v prints while it parses: each macro (parse.y varset) and
    # each rule, in the file's order
    listing: list[str] = field(default_factory=list)


@dataclass
class State:
    """One pf state: the connection as the stack and as the wire see it, and
    its two peers' levels (the initiator is src, struct pf_state_peer)."""

    direction: str
    proto: str
    stack: tuple        # the packet as the host's stack sees it
    wire: tuple         # as it is on the wire (after nat, before rdr)
    expires: float
    created: float = 0.0
    rule: int = -1      # the number of the rule that made it, in its ruleset
    src: int = 0
    dst: int = 0
    packets: list[int] = field(default_factory=lambda: [0, 0])
    bytes: list[int] = field(default_factory=lambda: [0, 0])

    def render(self, now: float = 0.0, verbose: bool = False) -> str:
        """pf_print_state.c print_state(): the wire's address first and the
        stack's in parentheses on the way out, the other way round on the way
        in, then the peers' levels (the local one first on the way in)."""
        proto, s_src, s_sport, s_dst, s_dport = self.stack
        _, w_src, w_sport, w_dst, w_dport = self.wire
        if self.direction == "out":
            here = f"{w_src}:{w_sport}"
            if (s_src, s_sport) != (w_src, w_sport):
                here += f" ({s_src}:{s_sport})"
            there = f"{w_dst}:{w_dport}"
            if (s_dst, s_dport) != (w_dst, w_dport):
                there += f" ({s_dst}:{s_dport})"
            text = f"{here} -> {there}"
            first, second = self.src, self.dst
        else:
            here = f"{s_dst}:{s_dport}"
            if (s_dst, s_dport) != (w_dst, w_dport):
                here += f" ({w_dst}:{w_dport})"
            there = f"{s_src}:{s_sport}"
            if (s_src, s_sport) != (w_src, w_sport):
                there += f" ({w_src}:{w_sport})"
            text = f"{here} <- {there}"
            first, second = self.dst, self.src
        line = f"all {proto} {text}       {self._levels(first, second)}"
        if verbose:
            line += "\n" + self._counters(now)
        return line

    def _levels(self, first: int, second: int) -> str:
        if self.proto == "tcp":
            return f"{TCP_STATES[first]}:{TCP_STATES[second]}"
        if self.proto == "udp":
            return f"{UDP_STATES[first]}:{UDP_STATES[second]}"
        return f"{first}:{second}"

    def _counters(self, now: float) -> str:
        """print_state()'s -v line (the sim keeps no sequence windows, so a
        TCP state's [seq + window] line is not printed)."""
        age = _hms(now - self.created)
        left = _hms(max(0.0, self.expires - now))
        text = (f"   age {age}, expires in {left}, {self.packets[0]}:{self.packets[1]} pkts, "
                f"{self.bytes[0]}:{self.bytes[1]} bytes")
        return text + (f", rule {self.rule}" if self.rule >= 0 else "")

    def count(self, forward: bool, packet: Packet) -> None:
        side = 0 if forward else 1
        self.packets[side] += 1
        self.bytes[side] += packet.size

    def update(self, forward: bool, packet: Packet, now: float) -> None:
        """pf_test_state(): the sender's and the receiver's levels move as
        pf.c moves them, and the timeout follows them."""
        self.count(forward, packet)
        if self.proto == "udp":
            self._update_udp(forward)
        elif self.proto == "tcp":
            self._update_tcp(forward, packet)
        self.expires = now + self.timeout()

    def _update_udp(self, forward: bool) -> None:
        sender, receiver = (self.src, self.dst) if forward else (self.dst, self.src)
        sender = max(sender, SINGLE)
        if receiver == SINGLE:
            receiver = MULTIPLE
        self.src, self.dst = (sender, receiver) if forward else (receiver, sender)

    def _update_tcp(self, forward: bool, packet: Packet) -> None:
        sender, receiver = (self.src, self.dst) if forward else (self.dst, self.src)
        syn, fin = packet.syn or "S" in packet.flags, "F" in packet.flags
        if syn:
            sender = max(sender, SYN_SENT)
        if fin:
            sender = max(sender, CLOSING)
        if packet.reply or not packet.syn:           # the ACK flag
            if receiver == SYN_SENT:
                receiver = ESTABLISHED
                if syn:
                    # the handshake's last ACK (sent by connect() past the
                    # firewalls) makes the answering peer ESTABLISHED too
                    sender = ESTABLISHED
            elif receiver == CLOSING:
                receiver = FIN_WAIT_2
        if packet.rst:
            sender = receiver = TIME_WAIT
        self.src, self.dst = (sender, receiver) if forward else (receiver, sender)

    def timeout(self) -> float:
        if self.proto == "udp":
            both = self.src == MULTIPLE and self.dst == MULTIPLE
            return TIMEOUTS["udp.multiple" if both else "udp.single"]
        if self.proto == "tcp":
            low, high = sorted((self.src, self.dst))
            if low >= FIN_WAIT_2:
                return TIMEOUTS["tcp.closed"]
            if low >= CLOSING:
                return TIMEOUTS["tcp.finwait"]
            if high >= CLOSING:
                return TIMEOUTS["tcp.closing"]
            if low >= ESTABLISHED:
                return TIMEOUTS["tcp.established"]
            return TIMEOUTS["tcp.opening"]
        return STATE_TIMEOUT[self.proto]


def _new_state(direction: str, packet: Packet, stack: tuple, wire: tuple, now: float,
               rule: int) -> State:
    """pf_create_state(): the initiator SINGLE (UDP) or SYN_SENT (TCP), the
    other peer without traffic, and the first-packet timeout."""
    first = {"udp": (SINGLE, NO_TRAFFIC, TIMEOUTS["udp.first"]),
             "tcp": (SYN_SENT, 0, TIMEOUTS["tcp.first"])}
    src, dst, timeout = first.get(packet.proto, (0, 0, STATE_TIMEOUT[packet.proto]))
    state = State(direction, packet.proto, stack, wire, now + timeout, now, rule, src, dst)
    state.count(True, packet)
    return state


def _hms(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


class Pf:
    """pf in one vnet."""

    name = "pf"

    def __init__(self) -> None:
        self.enabled = False
        self.since = 0.0
        self.rules = Ruleset()
        self.states: list[State] = []
        self.searches = 0
        self.inserts = 0
        self.removals = 0
        self.matches = 0
        self.map_failed = 0

    # -- packets --------------------------------------------------------------
    def check(self, hook: Hook, packet: Packet) -> Verdict:
        if hook.ifnet.name in self.rules.skip or any(g in self.rules.skip for g in hook.ifnet.groups):
            return Verdict.PASS
        self._expire(hook.now)
        self.searches += 1
        if self._follow_state(hook, packet):
            return Verdict.PASS
        before = packet.tuple()
        try:
            translation = self._translate(hook, packet)
        except _MapFailed:
            self.map_failed += 1       # REASON_MAPFAILED: no free port for it
            return Verdict.DROP
        rule: Rule | None
        if translation is not None and translation.pass_:
            rule, verdict = translation, Verdict.PASS
        else:
            rule = self._filter(hook, packet)
            verdict = Verdict.PASS if rule is None or rule.action == "pass" else (
                Verdict.REFUSE if rule.policy == "return" else Verdict.DROP)
        if rule is not None:
            self.matches += 1
            rule.packets += 1
        if verdict is Verdict.PASS and (translation is not None or (rule is not None and rule.keep_state)):
            if hook.direction == "out":
                stack, wire = before, packet.tuple()
            else:
                stack, wire = packet.tuple(), before
            self.states.append(_new_state(hook.direction, packet, stack, wire, hook.now,
                                          self._number(rule)))
            self.inserts += 1
        return verdict

    def _number(self, rule: Rule | None) -> int:
        """The rule's number in its ruleset (nat, rdr and filter rules are
        numbered each from 0, as pfctl -vvs rules shows them)."""
        if rule is None:
            return -1
        for rules in (self.rules.nat, self.rules.rdr, self.rules.filter):
            if any(r is rule for r in rules):
                return next(i for i, r in enumerate(rules) if r is rule)
        return -1

    def _follow_state(self, hook: Hook, packet: Packet) -> bool:
        key = packet.tuple()
        for state in self.states:
            forward = state.direction == hook.direction
            if forward:
                start, end = (state.stack, state.wire) if hook.direction == "out" else (state.wire, state.stack)
            else:
                start, end = (reverse(state.wire), reverse(state.stack)) if state.direction == "out" else (
                    reverse(state.stack), reverse(state.wire))
            if key == start:
                state.update(forward, packet, hook.now)
                _, packet.src, packet.sport, packet.dst, packet.dport = end
                return True
        return False

    def _translate(self, hook: Hook, packet: Packet) -> Rule | None:
        rules = self.rules.nat if hook.direction == "out" else self.rules.rdr
        for rule in rules:
            rule.evaluations += 1
            if rule.matches(hook.vnet, hook, packet):
                target = _first_address(hook.vnet, rule.target)
                if target is None:
                    return None
                if rule.action == "nat":
                    packet.sport = self._source_port(rule, packet, target)
                    packet.src = target
                else:
                    packet.dst = target
                    if rule.target_port is not None:
                        packet.dport = rule.target_port
                return rule
        return None

    def _source_port(self, rule: Rule, packet: Packet, address: IPv4) -> int:
        """pf_lb.c pf_get_sport(): a TCP or UDP source port from the rule's
        range (50001-65535 by default), starting at a random cut, going up,
        then down from it, the first that no state uses towards the same
        destination; static-port keeps the packet's own. The kernel's
        arc4random() is a hash of the connection and pf's count of states
        here, so a run repeats."""
        if packet.proto not in ("tcp", "udp"):
            return packet.sport
        low, high = rule.proxy_ports
        candidates: Iterable[int]
        if (low, high) == (0, 0):
            candidates = [packet.sport]
        else:
            draw = zlib.crc32(f"{packet.tuple()}{self.inserts}".encode())
            cut = draw % (1 + high - low) + low
            candidates = [*range(cut, high + 1), *range(cut - 1, low - 1, -1)]
        for port in candidates:
            key = (packet.proto, address, port, packet.dst, packet.dport)
            if not any(key in (s.wire, reverse(s.wire)) for s in self.states):
                return port
        raise _MapFailed()

    def _filter(self, hook: Hook, packet: Packet) -> Rule | None:
        decided: Rule | None = None
        for rule in self.rules.filter:
            rule.evaluations += 1
            if rule.matches(hook.vnet, hook, packet):
                decided = rule
                if rule.quick:
                    break
        return decided

    def _expire(self, now: float) -> None:
        alive = [s for s in self.states if s.expires > now]
        self.removals += len(self.states) - len(alive)
        self.states = alive

    # -- pfctl ----------------------------------------------------------------
    def kill_states(self, source: Network, destination: Network | None = None) -> int:
        """DIOCKILLSTATES: the states whose connection comes from ``source``
        (to ``destination``), as on the wire (pf_killstates_row())."""
        def doomed(state: State) -> bool:
            _, src, _, dst, _ = state.wire
            return src in source and (destination is None or dst in destination)
        alive = [s for s in self.states if not doomed(s)]
        killed = len(self.states) - len(alive)
        self.removals += killed
        self.states = alive
        return killed

    def flush_states(self) -> int:
        count = len(self.states)
        self.removals += count
        self.states = []
        return count


class _MapFailed(Exception):
    """pf_get_translation() found no free source port: the packet is dropped."""


TCP_FLAGS = "FSRPAUEW"


def _flags_match(flags: str, packet: Packet) -> bool:
    """pf.conf(5) "flags a/b": of the flags in b, exactly those in a are set
    (pf_test_rule(): (th_flags & b) == a). So a pass
    rule with the default "flags S/SA" makes a state only from a
    connection's first segment: a connection under way when pf loads meets
    the rules with its later segments and matches no such rule."""
    wanted, _, mask = flags.partition("/")
    present = _segment_flags(packet)
    return {f for f in mask if f in present} == set(wanted)


def _segment_flags(packet: Packet) -> set[str]:
    """A segment's flags as the sim knows them: S on a connection's first
    segment, A on every later one (an answer to a SYN is modelled without
    its S; no rule in the default S/SA form matches it either way), R on a
    reset."""
    flags = {"S"} if packet.syn else set()
    if packet.reply or not packet.syn:
        flags.add("A")
    if packet.rst:
        flags.add("R")
    return flags


def _first_address(vnet: "Vnet", target: Address | None) -> IPv4 | None:
    if target is None:
        return None
    if target.dynamic is not None:
        hosts = interface_hosts(vnet, target.dynamic, target.modifiers)
        return hosts[0].network_address if hosts else None
    return target.net.network_address if target.net is not None else None


# -- pf.conf ---------------------------------------------------------------------

TOKEN = re.compile(r'"[^"]*"|->|!=|<=|>=|><|<>|[{}(),!=<>]|[^\s{}(),!=<>"]+')
MACRO = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
ACTIONS = ("pass", "block", "nat", "rdr", "scrub", "set", "no")
UNMODELLED = {"table": "tables", "anchor": "anchors", "nat-anchor": "anchors",
              "rdr-anchor": "anchors", "binat": "binat rules", "antispoof": "antispoof",
              "queue": "queues", "altq": "ALTQ", "load": "load anchor", "match": "match rules",
              "ether": "Ethernet rules"}


class PfUnmodelled(PfSyntaxError):
    pass


class _NotAnInterface(Exception):
    """host_if() gives up on a word (an unknown modifier, or modifiers that
    exclude each other, with that message)."""


IFNAMSIZ = 16


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text.split("%")[0])
    except ValueError:
        return False
    return True


def parse(text: str, vnet: "Vnet") -> Ruleset:
    """Parse a pf.conf into a ruleset; raises PfSyntaxError with the line
    number, as pfctl reports the first error."""
    macros: dict[str, str] = {}
    ruleset = Ruleset()
    policy = "drop"
    for number, line in _statements(text):
        macro = MACRO.match(line)
        if macro and macro.group(1) not in ACTIONS:
            macros[macro.group(1)] = _unquote(_expand(macro.group(2).strip(), macros, number))
            ruleset.listing.append(f'{macro.group(1)} = "{macros[macro.group(1)]}"')
            continue
        words = TOKEN.findall(_expand(line, macros, number))
        if not words:
            continue
        if words[0] in UNMODELLED:
            raise PfUnmodelled(number, f"{UNMODELLED[words[0]]} are not modelled by the jailkit sim")
        for rule in _Parser(words, number, vnet, policy).rules():
            if rule is None:
                continue
            if rule.action in ("pass", "block", "nat", "rdr", "scrub"):
                ruleset.listing.append(rule.render())
            if rule.action == "policy":
                policy = rule.policy
            elif rule.action == "skip":
                ruleset.skip += [rule.ifname] if rule.ifname else []
            elif rule.action in ("nat", "rdr"):
                getattr(ruleset, rule.action).append(rule)
            elif rule.action == "scrub":
                ruleset.scrub.append(rule)
            else:
                ruleset.filter.append(rule)
    return ruleset


def _statements(text: str):
    """Lines with comments removed and backslash continuations joined,
    each with the number of the line it starts on."""
    pending, start = "", 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.split("#", 1)[0] if '"' not in raw else _strip_comment(raw)
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        pending += line
        if pending.strip():
            yield start, pending.strip()
        pending = ""


def _strip_comment(line: str) -> str:
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "#" and not quoted:
            return line[:i]
    return line


def _expand(line: str, macros: dict[str, str], number: int) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in macros:
            raise PfSyntaxError(number, f"macro '{name}' not defined")
        return macros[name]
    return re.sub(r"\$([A-Za-z_][A-Za-z0-9_]*)", value, line)


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


class _Parser(Words):
    """One pf.conf statement. Lists ({ a, b }) multiply into several rules,
    as pfctl expands them."""

    def __init__(self, words: list[str], line: int, vnet: "Vnet", policy: str) -> None:
        super().__init__([_unquote(w) if w.startswith('"') else w for w in words])
        self.line = line
        self.vnet = vnet
        self.policy = policy

    def fail(self, message: str | None = None) -> PfSyntaxError:
        return PfSyntaxError(self.line, message or "syntax error")

    def items(self) -> list[str]:
        """One word, or the words of a { list }."""
        if self.take("{"):
            values = []
            while not self.take("}"):
                word = self.need()
                if word != ",":
                    values.append(word)
            return values
        return [self.need()]

    # -- statements -----------------------------------------------------------
    def rules(self) -> Sequence[Rule | None]:
        first = self.need()
        if first == "set":
            return self.option()
        if first in ("pass", "block"):
            return self.filter_rules(first)
        if first in ("nat", "rdr"):
            return self.translation_rules(first)
        if first == "no" and self.peek() in ("nat", "rdr"):
            raise PfUnmodelled(self.line, "\"no nat\" and \"no rdr\" are not modelled by the jailkit sim")
        if first == "scrub":
            rule = Rule("scrub")
            self.header(rule)
            return self.expand(rule, self.endpoints())
        raise self.fail()

    def option(self) -> Sequence[Rule | None]:
        name = self.need()
        if name == "skip":
            if not self.take("on"):
                raise self.fail()
            return [Rule("skip", ifname=i) for i in self.items()]
        if name == "block-policy":
            value = self.need()
            if value not in ("drop", "return"):
                raise self.fail()
            return [Rule("policy", policy=value)]
        if name in ("loginterface", "optimization", "state-policy", "limit", "timeout",
                    "debug", "hostid", "ruleset-optimization", "fingerprints", "require-order"):
            while self.take() is not None:
                pass
            return [None]
        raise self.fail()

    def header(self, rule: Rule) -> None:
        rule.direction = self.take("in", "out")
        if self.take("log"):
            rule.log = True
        if self.take("quick"):
            rule.quick = True
        if self.take("on"):
            rule.if_negate = bool(self.take("!"))
            names = self.items()
            if len(names) != 1:
                raise PfUnmodelled(self.line, "interface lists are not modelled by the jailkit sim")
            rule.ifname = names[0]
        family = self.take("inet", "inet6")
        if family == "inet6":
            raise PfUnmodelled(self.line, "IPv6 rules are not modelled by the jailkit sim")
        rule.af = family

    def filter_rules(self, action: str) -> Sequence[Rule | None]:
        rule = Rule(action)
        if action == "block":
            policy = self.take("drop", "return", "return-rst", "return-icmp") or self.policy
            rule.policy = "return" if policy.startswith("return") else "drop"
        self.header(rule)
        protos = self.items() if self.take("proto") else []
        if any(proto not in PROTOCOLS for proto in protos):
            raise self.fail()
        endpoints = self.endpoints()
        wanted: list[str | None] = [*protos] if protos else [None]
        expanded = [r for proto in wanted
                    for r in self.expand(Rule(**{**rule.__dict__, "proto": proto}), endpoints)]
        tail = self.options(action)
        rules = []
        for r in expanded:
            r.keep_state = action == "pass" and tail.get("state", "keep") != "no"
            flags = tail.get("flags")
            if action == "pass" and r.keep_state and flags is None and r.proto in (None, "tcp"):
                flags = "S/SA"
            r.flags = None if flags == "any" else flags
            rules.append(r)
        return rules

    def translation_rules(self, action: str) -> Sequence[Rule | None]:
        rule = Rule(action, pass_=bool(self.take("pass")))
        if self.take("log"):
            rule.log = True
        if not self.take("on"):
            raise self.fail()
        rule.if_negate = bool(self.take("!"))
        names = self.items()
        if len(names) != 1:
            raise PfUnmodelled(self.line, "interface lists are not modelled by the jailkit sim")
        rule.ifname = names[0]
        rule.af = self.take("inet")
        if self.take("proto"):
            rule.proto = self.need()
            if rule.proto not in PROTOCOLS:
                raise self.fail()
        expanded = self.expand(rule, self.endpoints())
        if not self.take("->"):
            raise self.fail()
        target = self.host()
        port, proxy = None, NAT_PORTS
        if self.take("port"):
            if action == "nat":
                proxy = self.port_range(self.need())
            else:
                port = self.number(self.need())
        while (option := self.take("static-port", "round-robin", "random", "source-hash",
                                   "bitmask")) is not None:
            if option == "static-port":
                if action != "nat":
                    raise self.fail("the 'static-port' option is only valid with nat rules")
                proxy = (0, 0)
        if self.peek() is not None:
            raise self.fail()
        for r in expanded:
            r.target, r.target_port, r.proxy_ports = target, port, proxy
            if r.af is None:
                r.af = "inet"
        return expanded

    def port_range(self, word: str) -> tuple[int, int]:
        """A nat rule's "port LOW[:HIGH]" after its target: the source
        ports pf picks from."""
        low, _, high = word.partition(":")
        first = self.number(low)
        return first, self.number(high) if high else first

    # -- addresses ------------------------------------------------------------
    def endpoints(self) -> tuple[list[Address], list[Port | None], list[Address], list[Port | None]]:
        """``all``, or ``from HOST [port P] to HOST [port P]`` (each part
        optional), each a list (pf.conf's { } lists)."""
        sources, dests = [Address()], [Address()]
        sports: list[Port | None] = [None]
        dports: list[Port | None] = [None]
        if not self.take("all"):
            # parse.y ipportspec: the host may be left out before "port"
            if self.take("from"):
                sources = self.hosts() if self.peek() != "port" else [Address()]
                if self.take("port"):
                    sports = list[Port | None](self.ports())
            if self.take("to"):
                dests = self.hosts() if self.peek() != "port" else [Address()]
                if self.take("port"):
                    dports = list[Port | None](self.ports())
        return sources, sports, dests, dports

    def expand(self, rule: Rule, endpoints: tuple) -> list[Rule]:
        """One rule per combination of the endpoints' lists, as pfctl
        expands them; an address gives the rule its family."""
        sources, sports, dests, dports = endpoints
        rules = []
        for src in sources:
            for sport in sports:
                for dst in dests:
                    for dport in dports:
                        if (sport or dport) and rule.proto not in ("tcp", "udp"):
                            raise self.fail("port only applies to tcp/udp")
                        new = Rule(**{**rule.__dict__, "src": src, "sport": sport, "dst": dst,
                                      "dport": dport})
                        # a dynamic address has no family of its own (parse.y: af 0)
                        if new.af is None and (src.net is not None or dst.net is not None):
                            new.af = "inet"
                        rules.append(new)
        return rules

    def hosts(self) -> list[Address]:
        negate = bool(self.take("!"))
        if self.peek() == "(":
            found = [self.dynaddr()]
        else:
            found = [address for word in self.items() for address in self.host_list(word)]
        for address in found:
            address.negate = negate
        return found

    def dynaddr(self) -> Address:
        """parse.y dynaddr: "(" NAME[:modifier...] ")", the interface's
        addresses at packet time (PF_ADDR_DYNIFTL); the interface need not
        exist yet (FreeBSD's parse.y does not check)."""
        self.need()
        word = self.need()
        if not self.take(")"):
            raise self.fail()
        if not word[:1].isalpha():
            raise self.fail(f"invalid interface name '{word}'")
        name, modifiers = self.if_modifiers(word, dynamic=True)
        if len(name) >= IFNAMSIZ:
            raise self.fail("interface name too long")
        text = "(" + name + "".join(f":{m}" for m in IF_MODIFIERS if m in modifiers) + ")"
        return Address(text, dynamic=name, modifiers=tuple(m for m in IF_MODIFIERS if m in modifiers))

    def if_modifiers(self, word: str, dynamic: bool) -> tuple[str, set[str]]:
        """The interface name and its modifiers, taken off the end one by
        one (strrchr(':')); an unknown one is an error of dynaddr and makes
        host_if() give up (None in the set's place: not an interface)."""
        name, modifiers = word, set[str]()
        while ":" in name:
            head, _, modifier = name.rpartition(":")
            if modifier not in IF_MODIFIERS:
                if dynamic:
                    raise self.fail(f"interface {name} has bad modifier")
                raise _NotAnInterface()
            modifiers.add(modifier)
            name = head
        if len(modifiers & IF_MODES) > 1:
            if dynamic:
                raise self.fail("illegal combination of interface modifiers")
            raise _NotAnInterface("illegal combination of interface modifiers\n")
        return name, modifiers

    def host_list(self, word: str) -> list[Address]:
        """pfctl_parser.c host(): "any", "self", an IPv4 address or network,
        or an interface (or group) name with its modifiers, which stands
        for the addresses it has now; else "no IP address found" and
        parse.y's "could not parse host specification"."""
        if word == "any":
            return [Address()]
        if word == "self":
            return [self._net(a.interface.ip, 32) for i in self.vnet.ifnets for a in i.inet]
        spec, slash, bits = word.partition("/")
        mask = None
        if slash:
            if not bits.isdigit() or int(bits) > 128:
                raise self.fail_host(f"invalid netmask '/{bits}'\n", word, bare=True)
            mask = int(bits)
        try:
            net = ipaddress.IPv4Network(word, strict=False)
        except ValueError:
            pass
        else:
            return [self._net(net.network_address, net.prefixlen)]
        if ":" in spec and _is_ipv6(spec):
            raise PfUnmodelled(self.line, "IPv6 rules are not modelled by the jailkit sim")
        return self.host_if(word, spec, mask)

    def host_if(self, word: str, spec: str, mask: int | None) -> list[Address]:
        """host_if(): an interface that exists (or a group with members),
        with its modifiers; a /mask applies to each address found, but not
        with :network or :broadcast."""
        try:
            name, modifiers = self.if_modifiers(spec, dynamic=False)
        except _NotAnInterface as exc:
            raise self.fail_host(str(exc), word) from None
        if mask is not None and modifiers & {"network", "broadcast"}:
            raise self.fail_host("network or broadcast lookup, but extra netmask given\n", word)
        if not any(i.name == name or name in i.groups for i in self.vnet.ifnets):
            raise self.fail_host("", word)
        nets = interface_hosts(self.vnet, name, modifiers)
        if not nets:
            raise self.fail_host("", word)
        if mask is not None:
            nets = [Net4(f"{n.network_address}/{mask}", strict=False) for n in nets]
        return [self._net(n.network_address, n.prefixlen) for n in nets]

    def fail_host(self, said: str, word: str, bare: bool = False) -> PfSyntaxError:
        """host()'s own messages on stderr, then parse.y's yyerror."""
        error = self.fail("could not parse host specification")
        error.before = said if bare else said + f"no IP address found for {word}\n"
        return error

    @staticmethod
    def _net(address: IPv4, prefixlen: int) -> Address:
        net = Net4(f"{address}/{prefixlen}", strict=False)
        return Address(str(address) if prefixlen == 32 else str(net), net=net)

    def host(self) -> Address:
        """A translation's target: one address; an interface with several
        (a jail's alias on it, say) would make a round-robin pool, which
        the sim does not model: :0 takes the first one only."""
        if self.peek() == "(":
            return self.dynaddr()
        found = self.host_list(self.need())
        if len(found) > 1:
            raise PfUnmodelled(self.line, "address pools (a target with several addresses) "
                                          "are not modelled by the jailkit sim")
        return found[0]

    def ports(self) -> list[Port]:
        op = self.take("=", "!=", "<", "<=", ">", ">=")
        if self.peek() == "{":
            return [self.port(w, op or "=") for w in self.items()]
        word = self.need()
        if op is None and self.peek() in ("><", "<>"):
            kind = self.need()
            return [Port(kind, self.number(word), self.number(self.need()))]
        return [self.port(word, op or "=")]

    def port(self, word: str, op: str) -> Port:
        if ":" in word and op == "=":
            low, _, high = word.partition(":")
            return Port(":", self.number(low), self.number(high))
        return Port(op, self.number(word))

    def number(self, word: str) -> int:
        port = service_port(word)
        if port is None:
            raise self.fail()
        return port

    def flags(self, word: str) -> str:
        """parse.y's flags: "any", or flags "/" flags (the first may be
        empty); each a string of TCP flag letters, else "bad flags"."""
        if word == "any":
            return word
        wanted, slash, mask = word.partition("/")
        if not slash or not mask:
            raise self.fail()
        for part in (wanted, mask):
            if part and not set(part) <= set(TCP_FLAGS):
                raise self.fail(f"bad flags {part}")
        return word

    def options(self, action: str) -> dict[str, str]:
        found: dict[str, str] = {}
        while (word := self.take()) is not None:
            if word == "flags":
                found["flags"] = self.flags(self.need())
            elif word in ("keep", "modulate", "synproxy"):
                if not self.take("state"):
                    raise self.fail()
                found["state"] = "keep"
            elif word == "no":
                if not self.take("state"):
                    raise self.fail()
                found["state"] = "no"
            elif word == "label":
                self.need()
            elif word in ("fragment", "reassemble", "no-df", "random-id"):
                pass
            else:
                raise self.fail()
        return found

