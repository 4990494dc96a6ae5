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

import hashlib
import ipaddress
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import icmp
from .packet import (ICMP6_NAME, PROTOCOL_NAMES, PROTOCOLS, IPAddress, IPv6, Packet, ipv4_ends,
                     port_name, reverse, service_port)
from .pfil import Hook, Verdict
from .words import Words

if TYPE_CHECKING:
    from .vnet import Vnet

Net4 = ipaddress.IPv4Network
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IPv4 = ipaddress.IPv4Address

# How long states live (pf.conf(5) "set timeout" defaults), in seconds.
STATE_TIMEOUT = {"icmp": 10.0, "icmp6": 10.0, "udp": 60.0, "tcp": 86400.0}
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
PF_TABLE_NAME_SIZE = 32     # net/pfvar.h
# the words that may follow "anchor" when the anchor has no name
ANCHOR_WORDS = ("in", "out", "quick", "on", "inet", "inet6", "proto", "from", "to", "all")


class PfSyntaxError(Exception):
    def __init__(self, line: int, message: str = "syntax error", also: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.also = list(also)      # yyerror's further lines for the same rule
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

    def matches(self, vnet: "Vnet", address: IPAddress) -> bool:
        if self.dynamic is not None:
            # pf_if.c pfi_dynaddr_update(): the interface's addresses now
            if isinstance(address, IPv6):
                nets: list[Network] = interface_hosts6(vnet, self.dynamic, self.modifiers)
            else:
                nets = list(interface_hosts(vnet, self.dynamic, self.modifiers))
            hit = any(address in net for net in nets)
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
    found = []
    for ifnet in _named(vnet, name):
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


def interface_hosts6(vnet: "Vnet", name: str, modifiers: tuple[str, ...]) -> list[Network]:
    """pf_if.c pfi_instance_add() for a dynamic address's IPv6 side: each
    address as a host, or with :network its prefix; :0 and :network leave
    out link-local addresses, and :0 takes the first of the rest; an IPv6
    address has no broadcast, and the sim no point-to-point peer."""
    if "broadcast" in modifiers or "peer" in modifiers:
        return []
    found: list[Network] = []
    for ifnet in _named(vnet, name):
        addresses = [a for a in ifnet.inet6 if not (a.address.is_link_local
                                                    and {"network", "0"} & set(modifiers))]
        for a in addresses[:1] if "0" in modifiers else addresses:
            bits = a.prefixlen if "network" in modifiers else 128
            found.append(ipaddress.IPv6Network(f"{a.address}/{bits}", strict=False))
    return found


def _named(vnet: "Vnet", name: str) -> list:
    """The interface ``name``, else the members of the group ``name``."""
    ifnets = [i for i in vnet.ifnets if i.name == name]
    return ifnets or [i for i in vnet.ifnets if name in i.groups]


@dataclass
class Table:
    """A pf table (pfr_ktable): addresses and networks, each possibly
    negated, looked up by longest prefix (pfr_match_addr(): the most
    specific entry decides, and a negated one does not match)."""

    name: str
    entries: list[tuple[bool, Net4]] = field(default_factory=list)
    persist: bool = False
    const: bool = False
    counters: bool = False

    def match(self, address: IPv4) -> bool:
        best: tuple[bool, Net4] | None = None
        for negated, net in self.entries:
            if address in net and (best is None or net.prefixlen > best[1].prefixlen):
                best = (negated, net)
        return best is not None and not best[0]

    def definition(self, braces: bool) -> str:
        """pfctl_parser.c print_tabledef(): how pfctl -v prints a table
        statement it parses."""
        flags = "".join(f" {f}" for f, on in (("const", self.const), ("persist", self.persist),
                                                ("counters", self.counters)) if on)
        entries = "".join((" !" if negated else " ") + (str(net.network_address) if net.prefixlen == 32
                                                         else str(net)) for negated, net in self.entries)
        return f"table <{self.name}>{flags}" + (f" {{{entries} }}" if braces else "")

    def blocks(self) -> list[Net4]:
        """What a translation pool takes from the table, in its order
        (pfr_pool_get() walks the entries that are not negated)."""
        return [net for negated, net in self.entries if not negated]

    def add(self, negated: bool, net: Net4) -> bool:
        if (negated, net) in self.entries or (not negated, net) in self.entries:
            return False
        self.entries.append((negated, net))
        return True

    def delete(self, negated: bool, net: Net4) -> bool:
        if (negated, net) not in self.entries:
            return False
        self.entries.remove((negated, net))
        return True


@dataclass
class TableAddress(Address):
    """A rule's <name>: the table of that name, looked up when the packet
    comes (a table no rule may use yet, or one emptied, matches nothing)."""

    table: str = ""

    def matches(self, vnet: "Vnet", address: IPAddress) -> bool:
        # the sim's tables hold IPv4 entries: no IPv6 address is in one
        pf = vnet.firewalls.get("pf")
        hit = isinstance(address, IPv4) and isinstance(pf, Pf) and pf.table_match(self.table, address)
        return hit != self.negate

    @property
    def is_any(self) -> bool:
        return False


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
    icmp_type: int | None = None    # icmp-type TYPE [code CODE]
    icmp_code: int | None = None
    labels: list[str] = field(default_factory=list)     # label "..." (up to five)
    fragment: bool = False          # a filter rule's "fragment" (PFRULE_FRAGMENT)
    policy: str = "drop"            # block drop | return
    pass_: bool = False             # nat pass / rdr pass
    target: Address | None = None   # translation target
    target_port: int | None = None
    proxy_ports: tuple[int, int] = NAT_PORTS   # a nat rule's source ports (0, 0: static-port)
    pool: list[Address] = field(default_factory=list)   # every translation address, target first
    pool_type: str = "none"         # bitmask, random, source-hash, round-robin (struct pf_kpool)
    hash_key: tuple[int, int, int, int] = (0, 0, 0, 0)  # source-hash's key (pf_poolhashkey)
    sticky: bool = False            # sticky-address
    endpoint_independent: bool = False
    mape: tuple[int, int, int] | None = None    # map-e-portset offset/length/PSID
    anchor: str | None = None       # anchor, nat-anchor, rdr-anchor: the anchor it calls
    evaluations: int = 0
    packets: int = 0
    bytes: int = 0
    states_tot: int = 0
    last_active: float | None = None    # the clock when it last matched
    cpid: int = 0                       # the pid of the pfctl that loaded it
    # the pool's place (pf_kpool cur and counter) and sticky-address's
    # source nodes: kernel state of the loaded rule
    pool_cur: int = 0
    pool_counter: IPv4 | None = None
    sources: dict[IPv4, IPv4] = field(default_factory=dict)
    mappings: dict[tuple[IPv4, int], tuple[IPv4, int]] = field(default_factory=dict)  # UDP, endpoint-independent

    def render(self) -> str:
        words = [self.action]
        if self.anchor is not None:
            # print_rule(): an anchor made by a bare brace has a generated
            # name ("_1") and is printed without it
            last = self.anchor.rsplit("/", 1)[-1]
            words = [self.action] if last.startswith("_") else [self.action, f'"{self.anchor}"']
        elif self.action in ("nat", "rdr"):
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
        elif (self.action == "pass" and self.keep_state and self.proto in (None, "tcp")
              and not self.fragment and self.anchor is None):
            words.append("flags any")       # print_rule(): a stateful rule that takes any flags
        if self.icmp_type is not None:
            words.append(f"icmp-type {icmp.type_name(self.icmp_type)}")
            if self.icmp_code is not None:
                words.append(f"code {icmp.code_name(self.icmp_type, self.icmp_code)}")
        if self.action == "pass" and self.keep_state:
            words.append("keep state")
        elif self.action == "pass":
            words.append("no state")
        if self.fragment:
            words.append("fragment")
        words += [f'label "{label}"' for label in self.labels]
        if self.target is not None:
            words += ["->", *self._render_pool()]
        return " ".join(words)

    def count(self, packet: Packet, now: float) -> None:
        self.packets += 1
        self.bytes += packet.size
        self.last_active = now

    def _render_pool(self) -> list[str]:
        """pfctl_parser.c print_pool(): the addresses (a list in braces), a
        nat rule's source ports when not the default or an rdr rule's port,
        the pool type, sticky-address, then static-port."""
        pool = self.pool or ([self.target] if self.target is not None else [])
        addresses = ", ".join(a.render() for a in pool)
        words = [f"{{ {addresses} }}" if len(pool) > 1 else addresses]
        low, high = self.proxy_ports
        if self.action == "nat" and (low, high) not in (NAT_PORTS, (0, 0)):
            words.append(f"port {low}" if low == high else f"port {low}:{high}")
        if self.action == "rdr" and self.target_port is not None:
            words.append(f"port {self.target_port}")
        if self.pool_type == "source-hash":
            words.append("source-hash 0x" + "".join(f"{k:08x}" for k in self.hash_key))
        elif self.pool_type != "none":
            words.append(self.pool_type)
        if self.sticky:
            words.append("sticky-address")
        if self.endpoint_independent:
            words.append("endpoint-independent")
        if self.action == "nat" and (low, high) == (0, 0):
            words.append("static-port")
        if self.mape is not None:
            words.append("map-e-portset {}/{}/{}".format(*self.mape))
        return words

    def matches(self, vnet: "Vnet", hook: Hook, packet: Packet) -> bool:
        if self.direction and self.direction != hook.direction:
            return False
        if self.ifname:
            on = self.ifname == hook.ifnet.name or self.ifname in hook.ifnet.groups
            if on == self.if_negate:
                return False
        if self.af and self.af != ("inet6" if packet.inet6 else "inet"):
            return False
        if self.proto and self.proto != packet.proto_name:
            return False
        if not self.src.matches(vnet, packet.src) or not self.dst.matches(vnet, packet.dst):
            return False
        if self.sport and (packet.proto in ("icmp", "icmp6") or not self.sport.matches(packet.sport)):
            return False
        if self.dport and (packet.proto in ("icmp", "icmp6") or not self.dport.matches(packet.dport)):
            return False
        # pf_test_rule(): the type, and the code when given (the sim's ICMP
        # is echo requests and replies, whose code is 0)
        if self.icmp_type is not None and (packet.proto != "icmp" or packet.icmp_type != self.icmp_type
                                           or self.icmp_code not in (None, 0)):
            return False
        return self.flags is None or packet.proto != "tcp" or _flags_match(self.flags, packet)


@dataclass
class Ruleset:
    filter: list[Rule] = field(default_factory=list)
    scrub: list[Rule] = field(default_factory=list)
    nat: list[Rule] = field(default_factory=list)
    rdr: list[Rule] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    # the anchors beneath this ruleset, by name (struct pf_kanchor children)
    anchors: dict[str, "Ruleset"] = field(default_factory=dict)
    # the tables the file defines (table <name> ...), loaded with it
    tables: dict[str, Table] = field(default_factory=dict)
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
    owner: "Rule | None" = None     # the rule that made it (its counters)

    def render(self, now: float = 0.0, verbose: bool = False) -> str:
        """pf_print_state.c print_state(): the wire's address first and the
        stack's in parentheses on the way out, the other way round on the way
        in, then the peers' levels (the local one first on the way in)."""
        proto, s_src, s_sport, s_dst, s_dport = self.stack
        _, w_src, w_sport, w_dst, w_dport = self.wire
        if self.direction == "out":
            here = _host_port(w_src, w_sport)
            if (s_src, s_sport) != (w_src, w_sport):
                here += f" ({_host_port(s_src, s_sport)})"
            there = _host_port(w_dst, w_dport)
            if (s_dst, s_dport) != (w_dst, w_dport):
                there += f" ({_host_port(s_dst, s_dport)})"
            text = f"{here} -> {there}"
            first, second = self.src, self.dst
        else:
            here = _host_port(s_dst, s_dport)
            if (s_dst, s_dport) != (w_dst, w_dport):
                here += f" ({_host_port(w_dst, w_dport)})"
            there = _host_port(s_src, s_sport)
            if (s_src, s_sport) != (w_src, w_sport):
                there += f" ({_host_port(w_src, w_sport)})"
            text = f"{here} <- {there}"
            first, second = self.dst, self.src
        name = ICMP6_NAME if proto == "icmp6" else proto
        line = f"all {name} {text}       {self._levels(first, second)}"
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


def _host_port(address: IPAddress, port: int) -> str:
    """pf_print_host() and its port: "address:port", IPv6 "address[port]"."""
    return f"{address}[{port}]" if isinstance(address, IPv6) else f"{address}:{port}"


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
        self.tables: dict[str, Table] = {}

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
            # the sim's nat and rdr rules translate IPv4 only
            translation = None if packet.inet6 else self._translate(hook, packet)
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
            rule.count(packet, hook.now)
        if verdict is Verdict.PASS and (translation is not None or (rule is not None and rule.keep_state)):
            if hook.direction == "out":
                stack, wire = before, packet.tuple()
            else:
                stack, wire = packet.tuple(), before
            state = _new_state(hook.direction, packet, stack, wire, hook.now, self._number(rule))
            state.owner = rule
            if rule is not None:
                rule.states_tot += 1
            self.states.append(state)
            self.inserts += 1
        return verdict

    def states_of(self, rule: Rule) -> int:
        """The rule's states alive now (its states_cur)."""
        return sum(1 for s in self.states if s.owner is rule)

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
                if state.owner is not None:
                    state.owner.count(packet, hook.now)     # pf_test(): the state's rule counts it
                _, packet.src, packet.sport, packet.dst, packet.dport = end
                return True
        return False

    def _translate(self, hook: Hook, packet: Packet) -> Rule | None:
        kind = "nat" if hook.direction == "out" else "rdr"
        rule = self._first_translation(self.rules, kind, hook, packet)
        if rule is None:
            return None
        src, _ = ipv4_ends(packet)
        if rule.action == "nat":
            target = self._map_address(rule, hook.vnet, src)
            packet.src, packet.sport = self._source_port(rule, hook.vnet, packet, target)
        else:
            packet.dst = self._map_address(rule, hook.vnet, src)
            if rule.target_port is not None:
                packet.dport = rule.target_port
        return rule

    def _first_translation(self, ruleset: Ruleset, kind: str, hook: Hook,
                           packet: Packet) -> Rule | None:
        """Translation rules are first match; a nat-anchor or rdr-anchor
        that matches is searched in place (pf_step_into_anchor())."""
        for rule in getattr(ruleset, kind):
            rule.evaluations += 1
            if not rule.matches(hook.vnet, hook, packet):
                continue
            if rule.anchor is None:
                return rule
            for child in _called(ruleset, rule):
                found = self._first_translation(child, kind, hook, packet)
                if found is not None:
                    return found
        return None

    def _map_address(self, rule: Rule, vnet: "Vnet", source: IPv4) -> IPv4:
        """pf_map_addr_sn(): the address the pool gives this source; with
        sticky-address a source keeps the address it was given first (its
        source node)."""
        if rule.sticky and source in rule.sources:
            return rule.sources[source]
        address = _map_pool(rule, vnet, source, self._draw(rule, source))
        if rule.sticky:
            rule.sources[source] = address
        return address

    def _draw(self, rule: Rule, source: IPv4) -> int:
        """arc4random() for a random pool: a hash of the rule, the source
        and pf's count of states here, so a run repeats."""
        return zlib.crc32(f"{rule.render()}/{source}/{self.inserts}".encode())

    def _source_port(self, rule: Rule, vnet: "Vnet", packet: Packet,
                     address: IPv4) -> tuple[IPv4, int]:
        """pf_lb.c pf_get_sport(): the translation address and a TCP or UDP
        source port from the rule's range (50001-65535 by default),
        starting at a random cut, going up, then down from it, the first
        that no state uses towards the same destination; static-port keeps
        the packet's own. With every port of the address taken, a random or
        round-robin pool moves on to its next address until it comes back
        to the first; other pools fail. endpoint-independent gives a UDP
        source the mapping it already has, whatever the destination. The
        kernel's arc4random() is a hash of the connection and pf's count of
        states here, so a run repeats."""
        if packet.proto not in ("tcp", "udp"):
            return address, packet.sport
        src, _ = ipv4_ends(packet)
        source = (src, packet.sport)
        independent = rule.endpoint_independent and packet.proto == "udp"
        if independent:
            self._forget_mappings(rule)
            if source in rule.mappings:
                return rule.mappings[source]
        first = address
        while True:
            port = self._free_port(rule, packet, address, independent)
            if port is not None:
                if independent:
                    rule.mappings[source] = (address, port)
                return address, port
            if rule.pool_type not in ("random", "round-robin"):
                raise _MapFailed()
            address = _map_pool(rule, vnet, src, self._draw(rule, address))
            if address == first:
                raise _MapFailed()

    def _forget_mappings(self, rule: Rule) -> None:
        """A UDP mapping lives while a state uses it (pf_udp_mapping_release())."""
        used = {(s.wire[1], s.wire[2]) for s in self.states if s.proto == "udp"}
        rule.mappings = {k: v for k, v in rule.mappings.items() if v in used}

    def _free_port(self, rule: Rule, packet: Packet, address: IPv4, independent: bool) -> int | None:
        mapped = set(rule.mappings.values()) if independent else set()
        for port in self._candidates(rule, packet):
            key = (packet.proto, address, port, packet.dst, packet.dport)
            if (address, port) in mapped:
                continue
            if not any(key in (s.wire, reverse(s.wire)) for s in self.states):
                return port
        return None

    def _candidates(self, rule: Rule, packet: Packet) -> list[int]:
        """The ports to try, in order: the packet's own with static-port;
        with map-e-portset the port sets of the rule's PSID, from a random
        one up, then down (pf_get_mape_sport()); else the range from a
        random cut up, then down."""
        draw = zlib.crc32(f"{packet.tuple()}{self.inserts}".encode())
        if rule.mape is not None:
            offset, length, psid = rule.mape
            shift = 16 - offset - length
            base = (psid & ((1 << length) - 1)) << shift
            last = (1 << offset) - 1
            cut = draw & last or 1
            sets = [*range(cut, last + 1), *range(cut - 1, 0, -1)]
            return [(i << (16 - offset)) | base | low for i in sets for low in range(1 << shift)]
        low, high = rule.proxy_ports
        if (low, high) == (0, 0):
            return [packet.sport]
        cut = draw % (1 + high - low) + low
        return [*range(cut, high + 1), *range(cut - 1, low - 1, -1)]

    def _filter(self, hook: Hook, packet: Packet) -> Rule | None:
        return self._last_match(self.rules, hook, packet)[0]

    def _last_match(self, ruleset: Ruleset, hook: Hook, packet: Packet) -> tuple[Rule | None, bool]:
        """The last matching filter rule, and whether a quick one ended the
        search. An anchor rule that matches has its anchor's rules
        evaluated in its place; a quick rule there ends the whole
        evaluation, as does a match inside an anchor rule marked quick
        (pf_test_rule(), pf_step_out_of_anchor())."""
        decided: Rule | None = None
        for rule in ruleset.filter:
            rule.evaluations += 1
            if not rule.matches(hook.vnet, hook, packet):
                continue
            if rule.anchor is None:
                decided = rule
                if rule.quick:
                    return decided, True
                continue
            for child in _called(ruleset, rule):
                found, quick = self._last_match(child, hook, packet)
                if found is not None:
                    decided = found
                if quick or (found is not None and rule.quick):
                    return decided, True
        return decided, False

    # -- anchors --------------------------------------------------------------
    def anchor(self, path: str, create: bool = False) -> Ruleset | None:
        """The ruleset at an anchor path ("" is the main ruleset)."""
        return _make_anchor(self.rules, path) if create else _walk(self.rules, path)

    def load(self, path: str, ruleset: Ruleset, nat: bool = True, filter: bool = True,
             pid: int = 0) -> None:
        """A file's rules replace those of the anchor at ``path`` (made
        when missing), nat and rdr rules or filter rules or both (pfctl -N,
        -R). The anchors its inline blocks define replace theirs; every
        anchor a rule calls is made when missing (pf_anchor_setup()), and
        the anchor's other anchors keep their rules."""
        target = self.anchor(path, create=True)
        assert target is not None
        _stamp(ruleset, pid)
        if nat:
            target.nat, target.rdr = ruleset.nat, ruleset.rdr
        if filter:
            target.filter, target.scrub = ruleset.filter, ruleset.scrub
            if not path:
                target.skip = ruleset.skip
        target.anchors.update(ruleset.anchors)
        _attach(target)
        self.load_tables(ruleset)
        self.prune()

    def prune(self) -> None:
        """pf_remove_if_empty_ruleset(): an anchor with no rules, no
        anchors beneath it and no rule calling it is gone; so is a table no
        rule refers to any more, unless it persists."""
        _prune(self.rules)
        self.prune_tables()

    def clear_sources(self) -> None:
        """DIOCCLRSRCNODES: sticky-address forgets which address each
        source was given (and endpoint-independent its UDP mappings)."""
        for rule in _all_rules(self.rules):
            rule.sources, rule.mappings = {}, {}

    def referenced(self, name: str) -> bool:
        return name in _referenced_tables(self.rules)

    # -- tables ---------------------------------------------------------------
    def table_match(self, name: str, address: IPv4) -> bool:
        table = self.tables.get(name)
        return table is not None and self.table_active(table) and table.match(address)

    def table_active(self, table: Table) -> bool:
        """PFR_TFLAG_ACTIVE: a table lives while it is persistent or a rule
        refers to it (pfr_setflags_ktable())."""
        return table.persist or table.name in _referenced_tables(self.rules)

    def active_tables(self) -> list[Table]:
        return sorted((t for t in self.tables.values() if self.table_active(t)), key=lambda t: t.name)

    def load_tables(self, ruleset: Ruleset) -> None:
        """A loaded file's table definitions replace the tables of those
        names, contents and flags (pfr_ina_define(), then commit); tables
        no rule refers to any more and that do not persist are gone."""
        self.tables.update(ruleset.tables)
        self.prune_tables()

    def prune_tables(self) -> None:
        self.tables = {n: t for n, t in self.tables.items() if self.table_active(t)}

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


def _called(ruleset: Ruleset, rule: Rule) -> list[Ruleset]:
    """The ruleset an anchor rule calls, beneath the one holding it."""
    child = _walk(ruleset, rule.anchor or "")
    return [child] if child is not None else []


def _walk(ruleset: Ruleset, path: str) -> Ruleset | None:
    for name in filter(None, path.split("/")):
        found = ruleset.anchors.get(name)
        if found is None:
            return None
        ruleset = found
    return ruleset


def _all_rules(ruleset: Ruleset) -> list[Rule]:
    """Every rule of a ruleset and of the anchors beneath it."""
    rules = ruleset.filter + ruleset.scrub + ruleset.nat + ruleset.rdr
    return rules + [r for child in ruleset.anchors.values() for r in _all_rules(child)]


def _stamp(ruleset: Ruleset, pid: int) -> None:
    for rule in _all_rules(ruleset):
        rule.cpid = pid


def _attach(ruleset: Ruleset) -> None:
    for rule in ruleset.filter + ruleset.nat + ruleset.rdr:
        if rule.anchor:
            _make_anchor(ruleset, rule.anchor)
    for child in ruleset.anchors.values():
        _attach(child)


def _prune(ruleset: Ruleset) -> None:
    called = {r.anchor for r in ruleset.filter + ruleset.nat + ruleset.rdr if r.anchor}
    for name, child in list(ruleset.anchors.items()):
        _prune(child)
        empty = not (child.filter or child.scrub or child.nat or child.rdr or child.anchors)
        if empty and name not in called:
            del ruleset.anchors[name]


def _referenced_tables(ruleset: Ruleset) -> set[str]:
    names = set()
    for rule in ruleset.filter + ruleset.nat + ruleset.rdr:
        names |= {a.table for a in (rule.src, rule.dst, *rule.pool) if isinstance(a, TableAddress)}
    for child in ruleset.anchors.values():
        names |= _referenced_tables(child)
    return names


def _pool_blocks(rule: Rule, vnet: "Vnet") -> list[Net4]:
    """The pool's address blocks as the kernel sees them now: an (if)
    entry is the interface's address at packet time (pfi_dynaddr; the sim
    takes its first address only), a table entry its blocks."""
    blocks: list[Net4] = []
    pf = vnet.firewalls.get("pf")
    for entry in rule.pool:
        if entry.dynamic is not None:
            first = _first_address(vnet, entry)
            blocks += [Net4(f"{first}/32")] if first is not None else []
        elif isinstance(entry, TableAddress):
            table = pf.tables.get(entry.table) if isinstance(pf, Pf) else None
            blocks += table.blocks() if table is not None else []
        elif entry.net is not None:
            blocks.append(entry.net)
    return blocks


def _map_pool(rule: Rule, vnet: "Vnet", source: IPv4, draw: int) -> IPv4:
    """pf_lb.c pf_map_addr(): the translation address for a source, by the
    pool's type; an empty pool (an (if) without an address, an empty
    table) fails the mapping (PFRES_MAPFAILED)."""
    blocks = _pool_blocks(rule, vnet)
    if not blocks:
        raise _MapFailed()
    kind = rule.pool_type
    if kind == "round-robin":
        return _round_robin(rule, blocks)
    # a network written in the rule has its addresses picked by mask; a
    # table or an interface has one of its entries picked
    written = rule.pool[0].net is not None
    block = blocks[0]
    if kind == "none":
        return block.network_address
    if kind == "bitmask":
        return _poolmask(block, int(source))
    bits = draw if kind == "random" else _pf_hash(source, rule.hash_key)
    return _poolmask(block, bits) if written else blocks[bits % len(blocks)].network_address


def _poolmask(block: Net4, bits: int) -> IPv4:
    """PF_POOLMASK: the block's network bits, the host bits from ``bits``."""
    mask = int(block.netmask)
    return IPv4((int(block.network_address) & mask) | (bits & ~mask & 0xFFFFFFFF))


def _round_robin(rule: Rule, blocks: list[Net4]) -> IPv4:
    """PF_POOL_ROUNDROBIN: the counter goes through the current block's
    addresses, then on to the next block's first address. A loaded rule's
    counter is zero, outside every block, so its first mapping already
    moves on from the first entry (to the second, when there is one)."""
    cur = rule.pool_cur if rule.pool_cur < len(blocks) else 0
    counter = rule.pool_counter
    if counter is None or counter not in blocks[cur]:
        cur = (cur + 1) % len(blocks)
        counter = blocks[cur].network_address
    rule.pool_cur = cur
    rule.pool_counter = IPv4((int(counter) + 1) & 0xFFFFFFFF)
    return counter


def _pf_hash(address: IPv4, key: tuple[int, int, int, int]) -> int:
    """pf_lb.c pf_hash() for IPv4: Bob Jenkins' mix of the address (as its
    bytes lie in memory, read by a little-endian CPU) with the pool's key;
    the result's bytes, back in memory order, as an address."""
    mask = 0xFFFFFFFF
    a = (0x9E3779B9 + int.from_bytes(address.packed, "little")) & mask
    b = (0x9E3779B9 + key[1]) & mask
    c = key[0]
    for shift_a, shift_b, shift_c in ((13, 8, 13), (12, 16, 5), (3, 10, 15)):
        a = ((a - b - c) & mask) ^ (c >> shift_a)
        b = ((b - c - a) & mask) ^ ((a << shift_b) & mask)
        c = ((c - a - b) & mask) ^ (b >> shift_c)
    return int.from_bytes(((c + key[2]) & mask).to_bytes(4, "little"), "big")


# -- pf.conf ---------------------------------------------------------------------

TOKEN = re.compile(r'"[^"]*"|->|!=|<=|>=|><|<>|[{}(),!=<>]|[^\s{}(),!=<>"]+')
MACRO = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
ACTIONS = ("pass", "block", "nat", "rdr", "scrub", "set", "no", "table", "anchor", "nat-anchor",
           "rdr-anchor")
UNMODELLED = {"binat-anchor": "anchors", "binat": "binat rules", "antispoof": "antispoof",
              "queue": "queues", "altq": "ALTQ", "load": "load anchor", "match": "match rules",
              "ether": "Ethernet rules"}


# parse.y's filter_opt words (FreeBSD 14.3) the sim does not model: a rule
# with one is refused as such, never taken as a syntax error or ignored
UNMODELLED_OPTIONS = {"user", "group", "tos", "prio", "set", "probability", "queue", "tag", "scrub",
                      "tagged", "rtable", "divert-to", "allow-opts", "once",
                      "max-pkt-rate", "dnpipe", "dnqueue", "ridentifier", "received-on",
                      "modulate", "synproxy", "max-mss", "min-ttl", "set-tos"}
MAX_LABELS = 5      # PF_RULE_MAX_LABEL_COUNT
# parse.y route: where a rule sends what it passes
ROUTE_WORDS = ("route-to", "reply-to", "dup-to", "fastroute")


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
    ruleset = Ruleset()
    _Loader(_joined(_statements(text)), vnet).block(ruleset, closing=False)
    return ruleset


class _Loader:
    """The statements of one file, read into a ruleset and the anchors an
    "anchor NAME {" ... "}" block opens beneath it (parse.y pfa_anchor:
    the brace ends its line, the block ends at a line holding "}")."""

    def __init__(self, statements: Iterable[tuple[int, str]], vnet: "Vnet") -> None:
        self.statements = iter(statements)
        self.vnet = vnet
        self.macros: dict[str, str] = {}
        self.policy = "drop"
        self.braces = 0             # pf->bn: names "_1", "_2" ... for bare braces
        self.last = 0

    def block(self, ruleset: Ruleset, closing: bool) -> None:
        for number, line in self.statements:
            self.last = number
            if line == "}":
                if closing:
                    return
                raise PfSyntaxError(number)
            self.statement(ruleset, number, line)
        if closing:
            raise PfSyntaxError(self.last)

    def statement(self, ruleset: Ruleset, number: int, line: str) -> None:
        macro = MACRO.match(line)
        if macro and macro.group(1) not in ACTIONS:
            self.macros[macro.group(1)] = _unquote(_expand(macro.group(2).strip(), self.macros, number))
            ruleset.listing.append(f'{macro.group(1)} = "{self.macros[macro.group(1)]}"')
            return
        words = TOKEN.findall(_expand(line, self.macros, number))
        if not words:
            return
        if words[0] in UNMODELLED:
            raise PfUnmodelled(number, f"{UNMODELLED[words[0]]} are not modelled by the jailkit sim")
        if words[0] == "table":
            table, braces = _Parser(words, number, self.vnet, self.policy).table()
            ruleset.tables[table.name] = table
            ruleset.listing.append(table.definition(braces))
            return
        inline = words[0] == "anchor" and words[-1] == "{"
        for rule in _Parser(words[:-1] if inline else words, number, self.vnet, self.policy).rules():
            if rule is not None:
                self.add(ruleset, rule, inline)

    def add(self, ruleset: Ruleset, rule: Rule, inline: bool) -> None:
        if rule.action in ("pass", "block", "nat", "rdr", "scrub", "anchor", "nat-anchor", "rdr-anchor"):
            ruleset.listing.append(rule.render())
        if rule.anchor is not None:
            if inline:
                if not rule.anchor:
                    self.braces += 1
                    rule.anchor = f"_{self.braces}"
                child = Ruleset()
                self.block(child, closing=True)
                ruleset.anchors[rule.anchor] = child
                # pfctl -v shows the block beneath its anchor rule
                ruleset.listing[-1] += " {"
                ruleset.listing += ["  " + line for line in child.listing] + ["}"]
            {"anchor": ruleset.filter, "nat-anchor": ruleset.nat,
             "rdr-anchor": ruleset.rdr}[rule.action].append(rule)
        elif rule.action == "policy":
            self.policy = rule.policy
        elif rule.action == "skip":
            ruleset.skip += [rule.ifname] if rule.ifname else []
        elif rule.action in ("nat", "rdr"):
            getattr(ruleset, rule.action).append(rule)
        elif rule.action == "scrub":
            ruleset.scrub.append(rule)
        else:
            ruleset.filter.append(rule)


def _make_anchor(ruleset: Ruleset, path: str) -> Ruleset:
    """pf_find_or_create_ruleset(): the anchor at a path beneath a ruleset,
    made with every anchor on the way when missing."""
    for name in filter(None, path.split("/")):
        ruleset = ruleset.anchors.setdefault(name, Ruleset())
    return ruleset


def _joined(statements: Iterable[tuple[int, str]]) -> Iterable[tuple[int, str]]:
    """Statements whose braces are open at the end of a line go on on the
    next lines (parse.y allows newlines in a { } list), except an inline
    anchor's opening brace, which ends its statement."""
    pending, start = "", 0
    for number, line in statements:
        if not pending:
            start = number
        pending = f"{pending} {line}" if pending else line
        words = TOKEN.findall(pending)
        opener = words[:1] == ["anchor"] and words[-1:] == ["{"]
        if words.count("{") > words.count("}") and not opener:
            continue
        yield start, pending
        pending = ""
    if pending:
        yield start, pending


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
    # yylex() expands a $ that starts a token; a quoted string is taken as
    # it is (a label's $proto is expand_label()'s, not a macro)
    parts = re.split(r'("[^"]*")', line)
    return "".join(part if part.startswith('"') else re.sub(r"\$([A-Za-z_][A-Za-z0-9_]*)", value, part)
                   for part in parts)


def _expand_label(label: str, rule: Rule) -> str:
    """parse.y expand_label(): a label's $if, $srcaddr, $srcport,
    $dstaddr, $dstport and $proto, as each expanded rule has them."""
    for name, value in (("$if", rule.ifname or "any"), ("$srcaddr", _label_addr(rule.src)),
                        ("$srcport", _label_port(rule.sport)), ("$dstaddr", _label_addr(rule.dst)),
                        ("$dstport", _label_port(rule.dport)),
                        ("$proto", rule.proto if rule.proto else "ip")):
        label = label.replace(name, value)
    return label


def _label_addr(address: Address) -> str:
    """expand_label_addr(): any, (if), <table>, or the address with its
    prefix length when not a host's, after "! " when negated."""
    if isinstance(address, TableAddress):
        shown = f"<{address.table}>"
    elif address.dynamic is not None:
        shown = f"({address.dynamic})"
    elif address.net is None:
        shown = "any"
    else:
        net = address.net
        shown = str(net.network_address) + (f"/{net.prefixlen}" if net.prefixlen < net.max_prefixlen
                                            else "")
    return ("! " if address.negate else "") + shown


def _label_port(port: Port | None) -> str:
    """expand_label_port(): the port, a comparison or a range; nothing for
    none or a lo:hi range (expand_label_port() has no case for it)."""
    if port is None or port.op == ":":
        return ""
    if port.op in ("><", "<>"):
        return f"{port.low}{port.op}{port.high}"
    return str(port.low) if port.op == "=" else f"{port.op}{port.low}"


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


POOL_OPTIONS = ("static-port", "round-robin", "random", "source-hash", "bitmask", "sticky-address",
                "endpoint-independent", "map-e-portset")


@dataclass
class _PoolOptions:
    kind: str = "none"
    key: tuple[int, int, int, int] = (0, 0, 0, 0)
    sticky: bool = False
    static: bool = False
    independent: bool = False
    mape: tuple[int, int, int] | None = None


def _key_words(digest: bytes) -> tuple[int, int, int, int]:
    """A 16-byte key as pf_poolhashkey's four words, in the order
    print_pool() prints them."""
    return (int.from_bytes(digest[0:4], "big"), int.from_bytes(digest[4:8], "big"),
            int.from_bytes(digest[8:12], "big"), int.from_bytes(digest[12:16], "big"))


class _Parser(Words):
    """One pf.conf statement. Lists ({ a, b }) multiply into several rules,
    as pfctl expands them."""

    def __init__(self, words: list[str], line: int, vnet: "Vnet", policy: str) -> None:
        super().__init__([_unquote(w) if w.startswith('"') else w for w in words])
        self.line = line
        self.vnet = vnet
        self.policy = policy
        self.icmp_types: list[tuple[int, int | None]] = []     # a filter rule's icmp-type items
        self.labels: list[str] = []                             # its label "..." options

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
            endpoints = self.endpoints()
            self.scrub_options()
            return self.expand(rule, endpoints)
        if first in ("anchor", "nat-anchor", "rdr-anchor"):
            return self.anchor_rules(first)
        raise self.fail()

    def anchor_rules(self, action: str) -> Sequence[Rule | None]:
        """parse.y anchorrule: an anchor's name (a bare brace has none),
        then what a filter rule says of the packets the anchor sees. An
        anchor rule keeps no state of its own."""
        name = ""
        if self.peek() is not None and self.peek() not in ANCHOR_WORDS:
            name = self.need()
        if name.startswith("_") or "/_" in name:
            raise self.fail("anchor names beginning with '_' are reserved for internal use")
        rule = Rule(action, anchor=name)
        if action == "anchor":
            rule.direction = self.take("in", "out")
            if self.take("quick"):
                rule.quick = True
        self.on_interface(rule)
        rule.af = self.take("inet")
        protos = [self.protocol(p) for p in self.items()] if self.take("proto") else []
        endpoints = self.endpoints()
        if self.peek() is not None:
            raise self.fail()
        wanted: list[str | None] = [*protos] if protos else [None]
        return [r for proto in wanted
                for r in self.expand(Rule(**{**rule.__dict__, "proto": proto}), endpoints)]

    def table(self) -> tuple[Table, bool]:
        """parse.y tabledef: table <name> [persist] [const] [counters]
        [{ address ... }]; addresses as pfctl_parser.c host() reads them, a
        leading ! negating one. Also whether a { } list was given."""
        self.need()
        if not self.take("<"):
            raise self.fail()
        name = self.need()
        if not self.take(">"):
            raise self.fail()
        if len(name) >= PF_TABLE_NAME_SIZE:
            raise self.fail(f"table name too long, max {PF_TABLE_NAME_SIZE - 1} chars")
        table, braces = Table(name), False
        while (option := self.take()) is not None:
            if option in ("persist", "const", "counters"):
                setattr(table, option, True)
            elif option == "{":
                braces = True
                self.pos -= 1
                negated = False
                for word in self.items():
                    if word == "!":
                        negated = True
                        continue
                    for address in self.host_list(word):
                        if address.net is None:
                            raise self.fail("could not parse host specification")
                        table.add(negated, address.net)
                    negated = False
            elif option == "file":
                raise PfUnmodelled(self.line, "table files are not modelled by the jailkit sim")
            else:
                raise self.fail()
        return table, braces

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

    def on_interface(self, rule: Rule) -> None:
        """An optional ``on [!] IF``; a list of interfaces is not modelled."""
        if not self.take("on"):
            return
        rule.if_negate = bool(self.take("!"))
        names = self.items()
        if len(names) != 1:
            raise PfUnmodelled(self.line, "interface lists are not modelled by the jailkit sim")
        rule.ifname = names[0]

    def header(self, rule: Rule) -> None:
        rule.direction = self.take("in", "out")
        if self.take("log"):
            rule.log = True
        if self.take("quick"):
            rule.quick = True
        self.on_interface(rule)
        if self.peek() in ROUTE_WORDS:
            raise PfUnmodelled(self.line, f"{self.peek()} is not modelled by the jailkit sim")
        rule.af = self.take("inet", "inet6")

    def filter_rules(self, action: str) -> Sequence[Rule | None]:
        rule = Rule(action)
        if action == "block":
            policy = self.take("drop", "return", "return-rst", "return-icmp") or self.policy
            if self.peek() == "(" and policy in ("return-rst", "return-icmp"):
                raise PfUnmodelled(self.line, f"{policy} with its own ttl or code is not "
                                              "modelled by the jailkit sim")
            rule.policy = "return" if policy.startswith("return") else "drop"
        self.header(rule)
        protos = [self.protocol(p) for p in self.items()] if self.take("proto") else []
        endpoints = self.endpoints()
        tail = self.options(action)
        rule.fragment = "fragment" in tail
        wanted: list[str | None] = [*protos] if protos else [None]
        items: list[tuple[int | None, int | None]] = [*self.icmp_types] or [(None, None)]
        # parse.y expand_rule(): protocol, then icmp-type, then the hosts and ports
        expanded = [r for proto in wanted for kind, code in items
                    for r in self.expand(Rule(**{**rule.__dict__, "proto": proto, "icmp_type": kind,
                                                 "icmp_code": code}), endpoints)]
        rules = []
        for r in self.consistent(expanded):
            r.keep_state = action == "pass" and tail.get("state", "keep") != "no"
            flags = tail.get("flags")
            # expand_rule(): flags only for TCP; a stateful rule without them
            # takes S/SA (parse.y's default), unless it filters fragments
            if r.proto not in (None, "tcp"):
                flags = None
            elif action == "pass" and r.keep_state and flags is None and not r.fragment:
                flags = "S/SA"
            r.flags = None if flags == "any" else flags
            r.labels = [_expand_label(label, r) for label in self.labels]
            rules.append(r)
        return rules

    def scrub_options(self) -> None:
        """parse.y scrub_opts: the sim's scrub is "fragment reassemble" (the
        default, as pfctl prints it); the other options are not modelled."""
        while (word := self.take()) is not None:
            if word == "fragment" and self.take("reassemble"):
                continue
            if word in ("no-df", "random-id", "min-ttl", "max-mss", "set-tos", "reassemble",
                        "fragment"):
                raise PfUnmodelled(self.line, f"the scrub option {word} is not modelled by the "
                                              "jailkit sim")
            raise self.fail()

    def consistent(self, rules: list[Rule]) -> list[Rule]:
        """expand_rule() and filter_consistent(): each expanded rule that is
        inconsistent is said, with "skipping rule due to errors"; when none
        is left, "rule expands to no valid combination". Any of it fails the
        file, with every line pfctl prints."""
        said: list[str] = []
        valid = []
        for r in rules:
            problems = []
            if r.icmp_type is not None:
                if r.proto != "icmp":
                    problems += ["icmp-type mismatch", "icmp-type/code only applies to icmp"]
                if r.af is None:
                    problems.append("must indicate address family with icmp-type/code")
            if problems:
                said += problems + ["skipping rule due to errors"]
            else:
                valid.append(r)
        if said:
            if not valid:
                said.append("rule expands to no valid combination")
            raise PfSyntaxError(self.line, said[0], said[1:])
        return valid

    def translation_rules(self, action: str) -> Sequence[Rule | None]:
        rule = Rule(action, pass_=bool(self.take("pass")))
        if self.take("log"):
            rule.log = True
        self.on_interface(rule)             # parse.y natrule: the interface is optional
        if self.peek() == "inet6":
            raise PfUnmodelled(self.line, "IPv6 translation (NAT66) is not modelled by the "
                                          "jailkit sim")
        rule.af = self.take("inet")
        if self.take("proto"):
            rule.proto = self.protocol(self.need())
        expanded = self.expand(rule, self.endpoints())
        if not self.take("->"):
            raise self.fail()
        pool = self.pool_addresses()
        port, proxy = None, NAT_PORTS
        if self.take("port"):
            if action == "nat":
                proxy = self.port_range(self.need())
            else:
                port = self.number(self.need())
        options = self.pool_options(action)
        if options.static:
            proxy = (0, 0)
        if self.peek() is not None:
            raise self.fail()
        kind = self.pool_type(pool, options.kind)
        for r in expanded:
            r.target, r.target_port, r.proxy_ports = pool[0], port, proxy
            r.pool, r.pool_type, r.hash_key, r.sticky = pool, kind, options.key, options.sticky
            r.endpoint_independent, r.mape = options.independent, options.mape
            if r.af is None and any(a.net is not None for a in pool):
                r.af = "inet"       # the family of the translation address; (if) and <table> have none
        return expanded

    def table_reference(self, negate: bool) -> Address:
        """A rule's <name>: the table of that name when the packet comes."""
        name = self.need()
        if not self.take(">"):
            raise self.fail()
        return TableAddress(f"<{name}>", negate=negate, table=name)

    def pool_addresses(self) -> list[Address]:
        """redirspec: one host, a { } list of them, a <table> or an (if)."""
        if self.peek() == "{":
            found = [a for word in self.items() for a in self.host_list(word)]
        elif self.take("<"):
            name = self.need()
            if not self.take(">"):
                raise self.fail()
            found = [TableAddress(f"<{name}>", table=name)]
        else:
            found = self.host()
        return found

    def pool_options(self, action: str) -> "_PoolOptions":
        """pool_opts: the pool's type (one only), source-hash's key,
        sticky-address, endpoint-independent, map-e-portset and
        static-port (parse.y's messages)."""
        found = _PoolOptions()
        while (option := self.take(*POOL_OPTIONS)) is not None:
            if option == "static-port":
                if action != "nat":
                    raise self.fail("the 'static-port' option is only valid with nat rules")
                found.static = True
            elif option == "sticky-address":
                if found.sticky:
                    raise self.fail("sticky-address cannot be redefined")
                found.sticky = True
            elif option == "endpoint-independent":
                if found.independent:
                    raise self.fail("endpoint-independent cannot be redefined")
                found.independent = True
            elif option == "map-e-portset":
                found.mape = self.map_e(found)
            else:
                if found.kind != "none":
                    raise self.fail("pool type cannot be redefined")
                if found.mape is not None:
                    raise self.fail("map-e-portset cannot be used with address pools")
                found.kind = option
                if option == "source-hash":
                    found.key = self.hash_key()
        return found

    def map_e(self, found: "_PoolOptions") -> tuple[int, int, int]:
        """map-e-portset OFFSET/LENGTH/PSID (RFC 7597's port sets)."""
        if found.mape is not None:
            raise self.fail("map-e-portset cannot be redefined")
        if found.kind != "none":
            raise self.fail("map-e-portset cannot be used with address pools")
        parts = self.need().split("/")
        try:
            offset, length, psid = (int(p, 0) for p in parts)
        except ValueError:
            raise self.fail() from None
        if not 0 < offset < 16:
            raise self.fail("MAP-E PSID offset must be 1-15")
        if not 0 <= length < 16 or offset + length > 16:
            raise self.fail("Invalid MAP-E PSID length")
        if length == 0:
            raise self.fail("PSID Length = 0: this means you do not need MAP-E")
        if not 0 <= psid <= 65535:
            raise self.fail("Invalid MAP-E PSID")
        return offset, length, psid

    def hash_key(self) -> tuple[int, int, int, int]:
        """source-hash's key: 0x and 32 hex digits, any other string
        hashed with MD5, or none (pfctl then draws one with arc4random();
        here a hash of the rule's line, so a load repeats)."""
        word = self.peek()
        if word is None or word in POOL_OPTIONS:
            digest = hashlib.md5(f"{self.line}:{' '.join(self.words)}".encode()).digest()
            return _key_words(digest)
        self.pos += 1
        if word.startswith("0x"):
            if len(word) != 34:
                raise self.fail("hex key must be 128 bits (32 hex digits) long")
            try:
                return _key_words(bytes.fromhex(word[2:]))
            except ValueError:
                raise self.fail("invalid hex key") from None
        return _key_words(hashlib.md5(word.encode()).digest())

    def pool_type(self, pool: list[Address], kind: str) -> str:
        """parse.y: several addresses need round-robin; a list, a table or
        an (if) is round-robin when no type is given."""
        several = len(pool) > 1
        if several and kind not in ("none", "round-robin"):
            raise self.fail("only round-robin valid for multiple redirection addresses")
        if kind == "none" and (several or isinstance(pool[0], TableAddress) or pool[0].dynamic):
            return "round-robin"
        return kind

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
        skipped = False
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
                        # expand_rule(): a host of the other family is left out
                        if new.af == "inet6" and (src.net is not None or dst.net is not None):
                            skipped = True
                            continue
                        rules.append(new)
        if skipped and not rules:
            raise self.fail("rule expands to no valid combination")
        return rules

    def hosts(self) -> list[Address]:
        negate = bool(self.take("!"))
        if self.take("<"):
            return [self.table_reference(negate)]
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
            raise PfUnmodelled(self.line, "IPv6 addresses in pf rules are not modelled by the "
                                          "jailkit sim")
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

    def host(self) -> list[Address]:
        """redirspec's host: (if) with its modifiers, or a host
        specification, whose addresses (an interface with an alias, say)
        all go into the pool."""
        if self.peek() == "(":
            return [self.dynaddr()]
        return self.host_list(self.need())

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

    def protocol(self, word: str) -> str:
        """parse.y proto_item: a protocol by name or number, as pfctl
        prints it (by name); the sim's packets are ICMP, TCP and UDP."""
        if word.isdigit() and int(word) > 255:
            raise self.fail("protocol outside range")
        name = PROTOCOL_NAMES.get(int(word), word) if word.isdigit() else word
        if name in PROTOCOLS:
            return name
        if name in ("icmp6", ICMP6_NAME, "58"):
            return ICMP6_NAME       # getprotobynumber(58): as pfctl prints it
        raise PfUnmodelled(self.line, f"proto {word} is not modelled by the jailkit sim")

    def icmp_words(self) -> list[list[str]]:
        """parse.y icmpspec: one item, or a { list } of them (each a type
        and, after "code", its code)."""
        items: list[list[str]] = []
        if self.take("{"):
            if self.peek() == "}":
                raise self.fail()           # icmp_list has at least one item
            while not self.take("}"):
                word = self.need()
                if word == ",":
                    continue
                items.append([word])
                if self.take("code"):
                    items[-1].append(self.need())
            return items
        items.append([self.need()])
        if self.take("code"):
            items[-1].append(self.need())
        return items

    def icmp_item(self, words: list[str]) -> tuple[int, int | None]:
        """parse.y icmp_item: a type by name or number (0 to 255), and a
        code of that type by name or number."""
        kind = self.icmp_number(words[0], icmp.TYPES, "type")
        if len(words) == 1:
            return kind, None
        return kind, self.icmp_number(words[1], icmp.CODES.get(kind, {}), "code")

    def icmp_number(self, word: str, names: dict[str, int], what: str) -> int:
        if word.isdigit():
            if int(word) > 255:
                raise self.fail(f"illegal icmp-{what} {word}")
            return int(word)
        if word not in names:
            raise self.fail(f"unknown icmp-{what} {word}")
        return names[word]

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
            elif word == "keep":
                if not self.take("state"):
                    raise self.fail()
                if self.peek() == "(":
                    raise PfUnmodelled(self.line, "state options are not modelled by the "
                                                  "jailkit sim")
                found["state"] = "keep"
            elif word == "no":
                if not self.take("state"):
                    raise self.fail()
                found["state"] = "no"
            elif word == "label":
                if len(self.labels) == MAX_LABELS:
                    raise self.fail("filter_opts: too many labels")
                self.labels.append(self.need())
                if "$nr" in self.labels[-1]:
                    raise PfUnmodelled(self.line, "the label macro $nr is not modelled by the "
                                                  "jailkit sim")
            elif word == "icmp-type":
                if self.icmp_types:
                    raise self.fail("icmp-type cannot be redefined")
                self.icmp_types = [self.icmp_item(w) for w in self.icmp_words()]
            elif word == "icmp6-type":
                raise PfUnmodelled(self.line, "icmp6-type is not modelled by the jailkit sim")
            elif word == "fragment":
                found["fragment"] = "yes"
            elif word == "divert-reply":
                raise self.fail("divert-reply has no meaning in FreeBSD pf(4)")
            elif word in UNMODELLED_OPTIONS:
                raise PfUnmodelled(self.line, f"the rule option {word} is not modelled by the "
                                              "jailkit sim")
            else:
                # nat-to, rdr-to, binat-to and af-to in a filter rule are
                # FreeBSD 15's pf.conf; 14.3's parse.y has no such words, so
                # the rule is a plain syntax error there
                raise self.fail()
        return found

