"""ipfw(4) in one vnet: numbered rules, first match wins, and the default
rule 65535, which denies unless the kernel was told to accept
(net.inet.ip.fw.default_to_accept, a boot-time tunable).

A rule is compiled from ipfw(8)'s words (sbin/ipfw/ipfw2.c compile_rule)
and printed back the way ipfw list prints it. Each new vnet gets its own
instance with only the default rule while the module is loaded
(VNET_SYSINIT in ip_fw2.c), which is why a VNET jail on a host running
ipfw has a firewall of its own from the start."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .libalias import Alias, Redirect
from .packet import IPAddress, IPv6, PROTOCOLS, Packet, service_port
from .pfil import Hook, Verdict
from .sysexits import EX_DATAERR, EX_NOHOST, EX_USAGE
from .words import Words

if TYPE_CHECKING:
    from .vnet import Vnet

Net4 = ipaddress.IPv4Network
IPv4 = ipaddress.IPv4Address

DEFAULT_RULE = 65535
AUTOINC_STEP = 100          # net.inet.ip.fw.autoinc_step
NATD_PORT = 8668            # "natd 8668/divert" in /etc/services

ACTIONS = {"allow": "allow", "accept": "allow", "pass": "allow", "permit": "allow",
           "deny": "deny", "drop": "deny", "reject": "reject", "reset": "reset",
           "count": "count", "skipto": "skipto", "nat": "nat", "divert": "divert",
           "check-state": "check-state", "unreach": "unreach", "tee": "tee"}
IPV6_PROTOCOLS = {"ip6", "ipv6", "ipv6-icmp", "icmp6"}


class IpfwError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class AddressSpec:
    """any, me, an address, a network, or a comma list of them; IPv6
    specifications are kept as written and match IPv6 packets only."""

    text: str = "any"
    nets: list[Net4] = field(default_factory=list)
    me: bool = False
    ipv6: bool = False
    negate: bool = False

    def matches(self, vnet: "Vnet", address: IPAddress) -> bool:
        if isinstance(address, IPv6):
            hit = self._matches6(vnet, address)
        elif self.ipv6:
            hit = False
        elif self.me:
            hit = address in vnet.local_addresses()
        elif self.nets:
            hit = any(address in net for net in self.nets)
        else:
            hit = True
        return hit != self.negate

    def _matches6(self, vnet: "Vnet", address: IPv6) -> bool:
        """ip_fw2.c: "me" falls through to O_IP6_SRC_ME (an address of the
        stack's), as "me6" is; IPv4 addresses never match."""
        if self.me or self.text == "me6":
            return any(a.address == address for i in vnet.ifnets for a in i.inet6)
        if self.ipv6:
            return any(address in ipaddress.IPv6Network(part, strict=False)
                       for part in self.text.split(","))
        return not self.nets

    def render(self) -> str:
        return ("not " if self.negate else "") + self.text


@dataclass
class Rule:
    number: int
    action: str
    arg: int = 0                    # skipto/nat/divert/unreach argument
    log: bool = False
    proto: str = "ip"
    src: AddressSpec = field(default_factory=AddressSpec)
    sports: list[tuple[int, int]] = field(default_factory=list)
    dst: AddressSpec = field(default_factory=AddressSpec)
    dports: list[tuple[int, int]] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)   # (keyword, argument)
    keep_state: bool = False
    packets: int = 0
    bytes: int = 0

    def render_body(self) -> str:
        words = [self.render_action()]
        if self.log:
            words.append("log")
        if self.action == "check-state":
            return " ".join(words)
        words += [self.proto, "from", self.src.render()]
        if self.sports:
            words.append(_ports(self.sports))
        words += ["to", self.dst.render()]
        if self.dports:
            words.append(_ports(self.dports))
        for keyword, argument in self.options:
            words.append(f"{keyword} {argument}" if argument else keyword)
        if self.keep_state:
            words.append("keep-state :default")
        return " ".join(words)

    def render_action(self) -> str:
        if self.action in ("skipto", "nat", "divert", "tee"):
            return f"{self.action} {self.arg}"
        if self.action == "reject":
            return "reject"
        if self.action == "unreach":
            return f"unreach {self.arg}"
        if self.action == "check-state":
            return "check-state :default"
        return self.action

    def render(self) -> str:
        return f"{self.number:05d} {self.render_body()}"

    def matches(self, vnet: "Vnet", hook: Hook, packet: Packet) -> bool:
        if not self._family_and_proto(packet):
            return False
        if not self.src.matches(vnet, packet.src) or not self.dst.matches(vnet, packet.dst):
            return False
        if self.sports and (packet.proto == "icmp" or not _in_ports(self.sports, packet.sport)):
            return False
        if self.dports and (packet.proto == "icmp" or not _in_ports(self.dports, packet.dport)):
            return False
        return all(self._option(keyword, argument, hook, packet) for keyword, argument in self.options)

    def _family_and_proto(self, packet: Packet) -> bool:
        """ip_fw2.c: "ip" (and "all") takes either family, "ip4" (O_IP4)
        and "ip6" (O_IP6) one; a protocol is compared by number (O_PROTO),
        ICMPv6 being "ipv6-icmp"."""
        if self.proto in ("ip", "all"):
            return True
        if self.proto == "ip4":
            return not packet.inet6
        if self.proto == "ip6":
            return packet.inet6
        return self.proto == packet.proto_name

    @staticmethod
    def _option(keyword: str, argument: str, hook: Hook, packet: Packet) -> bool:
        name = hook.ifnet.name
        if keyword == "in":
            return hook.direction == "in"
        if keyword == "out":
            return hook.direction == "out"
        if keyword == "via":
            # ip_fw2.c O_VIA: the transmit interface of an outgoing packet,
            # the receive interface of an incoming one
            return argument == "any" or name == argument
        if keyword == "recv":
            return (packet.rcvif or (name if hook.direction == "in" else "")) == argument
        if keyword == "xmit":
            return hook.direction == "out" and name == argument
        if keyword == "setup":
            return packet.proto == "tcp" and packet.syn and not packet.reply
        if keyword == "established":
            return packet.proto == "tcp" and (packet.reply or not packet.syn)
        if keyword == "icmptypes":
            kind = "0" if packet.reply else "8"
            return packet.proto == "icmp" and kind in argument.split(",")
        if keyword == "icmp6types":
            return packet.proto == "icmp6" and str(packet.icmp_type) in argument.split(",")
        if keyword == "frag":
            return False
        return True


def _ports(ranges: list[tuple[int, int]]) -> str:
    return ",".join(str(low) if low == high else f"{low}-{high}" for low, high in ranges)


def _in_ports(ranges: list[tuple[int, int]], port: int) -> bool:
    return any(low <= port <= high for low, high in ranges)


@dataclass
class Dynamic:
    key: tuple
    rule: Rule
    expires: float


@dataclass
class NatInstance:
    number: int
    ifname: str | None = None
    address: IPv4 | None = None
    log: bool = False
    same_ports: bool = False
    unreg_only: bool = False
    reset: bool = False
    deny_in: bool = False
    engine: Alias = field(default_factory=Alias)

    def render(self) -> str:
        words = [f"ipfw nat {self.number} config"]
        words.append(f"if {self.ifname}" if self.ifname else f"ip {self.address}")
        for flag in ("log", "deny_in", "same_ports", "unreg_only", "reset"):
            if getattr(self, flag):
                words.append(flag)
        words += [r.render() for r in self.engine.redirects]
        return " ".join(words)

    def alias_address(self, vnet: "Vnet") -> IPv4 | None:
        return vnet.first_address(self.ifname) if self.ifname is not None else self.address


class Ipfw:
    """ipfw in one vnet."""

    name = "ipfw"

    def __init__(self, default_to_accept: bool = False) -> None:
        self.rules: list[Rule] = []
        self.default = Rule(DEFAULT_RULE, "allow" if default_to_accept else "deny")
        self.dynamic: list[Dynamic] = []
        self.nat: dict[int, NatInstance] = {}
        self.one_pass = True          # net.inet.ip.fw.one_pass

    # -- rule table -----------------------------------------------------------
    def all_rules(self) -> list[Rule]:
        return self.rules + [self.default]

    def add(self, rule: Rule) -> Rule:
        if rule.number == 0:
            last = max((r.number for r in self.rules), default=0)
            rule.number = last + AUTOINC_STEP if last + AUTOINC_STEP < DEFAULT_RULE else DEFAULT_RULE - 1
        # rules with the same number stay in the order they were added
        index = next((i for i, r in enumerate(self.rules) if r.number > rule.number), len(self.rules))
        self.rules.insert(index, rule)
        return rule

    def delete(self, number: int) -> int:
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.number != number]
        self.dynamic = [d for d in self.dynamic if d.rule.number != number]
        return before - len(self.rules)

    def flush(self) -> None:
        self.rules = []
        self.dynamic = []

    # -- packets --------------------------------------------------------------
    def check(self, hook: Hook, packet: Packet) -> Verdict:
        self.dynamic = [d for d in self.dynamic if d.expires > hook.now]
        rules = self.all_rules()
        index = 0
        while index < len(rules):
            rule = rules[index]
            index += 1
            if rule.action == "check-state" or rule.keep_state:
                state = self._state(packet)
                if state is not None:
                    state.expires = hook.now + 300
                    return self._count(state.rule, packet, Verdict.PASS)
                if rule.action == "check-state":
                    continue
            if not rule.matches(hook.vnet, hook, packet):
                continue
            self._count(rule, packet, Verdict.PASS)
            if rule.keep_state and rule.action == "allow":
                self.dynamic.append(Dynamic(packet.tuple(), rule, hook.now + 300))
            action = rule.action
            if action == "allow":
                return Verdict.PASS
            if action == "deny":
                return Verdict.DROP
            if action in ("reject", "unreach"):
                return Verdict.REFUSE
            if action == "reset":
                return Verdict.REFUSE if packet.proto == "tcp" else Verdict.DROP
            if action == "skipto":
                index = next((i for i, r in enumerate(rules) if r.number >= rule.arg), len(rules) - 1)
            elif action == "nat":
                if not self._nat(rule.arg, hook, packet):
                    return Verdict.DROP
                if self.one_pass:
                    return Verdict.PASS
            elif action in ("divert", "tee"):
                if not divert(hook, packet, rule.arg):
                    return Verdict.DROP
                # the packet comes back after the divert rule (ipfw(8) divert)
                index = next((i for i, r in enumerate(rules) if r.number > rule.number), len(rules) - 1)
        return Verdict.DROP

    def _state(self, packet: Packet) -> Dynamic | None:
        key = packet.tuple()
        back = (key[0], key[3], key[4], key[1], key[2])
        return next((d for d in self.dynamic if d.key in (key, back)), None)

    @staticmethod
    def _count(rule: Rule, packet: Packet, verdict: Verdict) -> Verdict:
        rule.packets += 1
        rule.bytes += packet.size
        return verdict

    def _nat(self, number: int, hook: Hook, packet: Packet) -> bool:
        instance = self.nat.get(number)
        if instance is None or packet.inet6:
            return False        # ip_fw2.c O_NAT: libalias takes IPv4 only (IP_FW_DENY)
        return instance.engine.translate(hook.direction, packet, instance.alias_address(hook.vnet))


def divert(hook: Hook, packet: Packet, port: int) -> bool:
    """Hand a packet to the divert(4) socket bound to ``port`` in this vnet
    (natd) and take it back translated; without a listener it is lost,
    and so is an IPv6 packet (the sim's divert(4) and natd carry IPv4)."""
    if packet.inet6:
        return False
    for listener in hook.vnet.listeners:
        if listener.proto == "divert" and listener.port == port:
            return listener.handler.divert(hook, packet)
    return False


# -- compiling ipfw(8) words -------------------------------------------------------

class _Words(Words):
    def fail(self, message: str | None = None) -> IpfwError:
        return IpfwError(EX_USAGE, message or "syntax error")


def compile_rule(words: list[str], resolve=None) -> Rule:
    """The rule ``ipfw add WORDS`` describes (words after "add")."""
    w = _Words(words)
    number = 0
    first = w.peek()
    if first is not None and first.isdigit():
        number = int(w.need())
        if number > DEFAULT_RULE:
            raise IpfwError(EX_DATAERR, f"illegal rule number {number}")
    if w.peek() == "set":
        w.take()
        w.need("missing set number")
    word = w.need("missing action")
    if word not in ACTIONS:
        raise IpfwError(EX_DATAERR, f"invalid action {word}\n")
    rule = Rule(number, ACTIONS[word])
    if rule.action in ("skipto", "nat", "divert", "tee"):
        argument = w.peek()
        if argument is None:
            raise IpfwError(EX_USAGE, f"missing argument for {word}")
        w.take()
        if argument.isdigit():
            rule.arg = int(argument)
            if rule.arg <= 0 or rule.arg >= 65535:
                raise IpfwError(EX_DATAERR, f"illegal argument for {word}")
        elif rule.action in ("divert", "tee") and argument == "natd":
            rule.arg = NATD_PORT
        elif rule.action in ("divert", "tee"):
            raise IpfwError(EX_DATAERR, "illegal divert/tee port")
        else:
            raise IpfwError(EX_DATAERR, f"illegal argument for {word}")
    elif rule.action == "unreach":
        code = w.need("missing reject code")
        rule.arg = {"net": 0, "host": 1, "protocol": 2, "port": 3}.get(code, -1)
        if rule.arg < 0:
            if not code.isdigit():
                raise IpfwError(EX_DATAERR, f"unknown ICMP unreachable code ``{code}''")
            rule.arg = int(code)
    if w.peek() == "log":
        w.take()
        rule.log = True
        if w.peek() == "logamount":
            w.take()
            w.need("logamount requires argument")
    if rule.action == "check-state":
        if w.peek() is not None:
            raise IpfwError(EX_USAGE, f"unrecognised option [-1] {w.peek()}\n")
        return rule
    proto = w.need("missing protocol")
    if proto in ("ip", "all", "ip4", "ipv4") or proto in PROTOCOLS or proto in IPV6_PROTOCOLS:
        rule.proto = {"all": "ip", "ipv4": "ip4", "ipv6": "ip6", "icmp6": "ipv6-icmp"}.get(proto, proto)
    elif proto.isdigit():
        rule.proto = {v: k for k, v in PROTOCOLS.items()}.get(int(proto), proto)
    else:
        raise IpfwError(EX_DATAERR, f"invalid protocol ``{proto}''")
    if w.take() != "from":
        raise IpfwError(EX_USAGE, "missing ``from''")
    rule.src = _address(w, "missing source address", "bad source address", resolve)
    rule.sports = _port_list(w, rule.proto)
    if w.take() != "to":
        raise IpfwError(EX_USAGE, "missing ``to''")
    rule.dst = _address(w, "missing dst address", "bad destination address", resolve)
    rule.dports = _port_list(w, rule.proto)
    _options(w, rule)
    return rule


def _address(w: _Words, missing: str, bad: str, resolve) -> AddressSpec:
    negate = False
    if w.peek() == "not":
        w.take()
        negate = True
    word = w.need(missing)
    if word == "any":
        return AddressSpec(negate=negate)
    if word in ("me", "me4"):
        return AddressSpec("me", me=True, negate=negate)
    if word == "me6":
        return AddressSpec("me6", ipv6=True, negate=negate)
    nets: list[Net4] = []
    shown: list[str] = []
    for part in word.split(","):
        if ":" in part and part.count(":") > 1 or part.startswith("::"):
            return AddressSpec(word, ipv6=True, negate=negate)
        host, _, mask = part.partition("/")
        try:
            address = IPv4(host)
        except ValueError:
            found = resolve(host) if resolve else None
            if found is None:
                raise IpfwError(EX_NOHOST, f"hostname ``{host}'' unknown") from None
            address = found
        try:
            net = Net4(f"{address}/{mask or 32}", strict=False)
        except ValueError:
            raise IpfwError(EX_USAGE, f"{bad} {word}") from None
        nets.append(net)
        shown.append(str(net.network_address) if net.prefixlen == 32 else str(net))
    return AddressSpec(",".join(shown), nets=nets, negate=negate)


RESERVED = {"in", "out", "via", "recv", "xmit", "keep-state", "setup", "established", "to",
            "any", "not", "log", "frag", "icmptypes", "icmp6types", "//", "{"}


def _port_list(w: _Words, proto: str) -> list[tuple[int, int]]:
    word = w.peek()
    if word is None or word in RESERVED:
        return []
    ranges = []
    for part in word.split(","):
        low, _, high = part.partition("-")
        first, last = service_port(low, proto), service_port(high, proto) if high else None
        if first is None or (high and last is None):
            return []
        ranges.append((first, last if last is not None else first))
    w.take()
    return ranges


def _options(w: _Words, rule: Rule) -> None:
    while (word := w.take()) is not None:
        if word in ("in", "out", "setup", "established", "frag"):
            rule.options.append((word, ""))
        elif word in ("via", "recv", "xmit"):
            rule.options.append((word, w.need("recv, xmit, via require interface name or address")))
        elif word in ("keep-state", "record-state"):
            rule.keep_state = True
            label = w.peek()
            if label is not None and label.startswith(":"):
                w.take()
        elif word in ("icmptypes", "icmptype", "icmp6types", "icmp6type"):
            keyword = "icmp6types" if "6" in word else "icmptypes"
            rule.options.append((keyword, w.need("missing argument")))
        elif word == "//":
            rule.options.append(("//", " ".join(w.words[w.pos:])))
            w.pos = len(w.words)
        else:
            raise IpfwError(EX_USAGE, f"unrecognised option [-1] {word}\n")


def compile_nat(number: int, words: list[str]) -> NatInstance:
    """ipfw nat N config WORDS."""
    w = _Words(words)
    instance = NatInstance(number)
    while (word := w.take()) is not None:
        if word == "if":
            instance.ifname = w.need("missing option argument")
        elif word == "ip":
            value = w.need("missing option argument")
            try:
                instance.address = IPv4(value)
            except ValueError:
                raise IpfwError(EX_DATAERR, f"bad ip address ``{value}''") from None
        elif word in ("log", "deny_in", "same_ports", "unreg_only", "reset"):
            setattr(instance, word, True)
        elif word == "redirect_port":
            proto = w.need("redirect_port: missing protocol")
            local = w.need("redirect_port: missing local address")
            public = w.need("redirect_port: missing public port")
            host, _, port = local.partition(":")
            try:
                redirect = Redirect(proto, IPv4(host), int(port), int(public))
            except ValueError:
                raise IpfwError(EX_DATAERR, "redirect_port: invalid local port range") from None
            instance.engine.redirects.append(redirect)
        else:
            raise IpfwError(EX_DATAERR, f"unrecognised option ``{word}''")
    instance.engine.same_ports = instance.same_ports
    instance.engine.deny_incoming = instance.deny_in
    return instance
