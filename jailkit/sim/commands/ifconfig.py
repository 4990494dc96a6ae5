"""ifconfig(8) of FreeBSD 14 (sbin/ifconfig: ifconfig.c, ifconfig_netlink.c,
af_inet.c, af_inet6.c, af_nd6.c, ifbridge.c, ifclone.c, ifgroup.c, iflagg.c,
ifvlan.c, ifgif.c).

Listing prints, per interface: the flags line, description, options, ether,
inet then inet6 addresses, the bridge block, groups, media and status, nd6
options; continuation lines start with one tab. Parameters apply left to
right; an address is applied last, replacing the first address unless
``alias`` is given. A jail that shares the host's stack lists every
interface but only the addresses the kernel lets it see (prison_if)."""

from __future__ import annotations

import functools
import ipaddress
import re

from .. import bstp, network
from ..errno import EEXIST, EINVAL, ENOENT, OSErr, strerror
from ...getopt import getopt
from ..ifnet import (IFBAF_NAMES, IFBIF_DISCOVER, IFBIF_LEARNING, IFBIF_NAMES, IFBIF_PRIVATE,
                     IFBIF_SPAN, IFBIF_STICKY, IFBIF_STP, IFBIF_BSTP_AUTOEDGE, IFBIF_BSTP_AUTOPTP,
                     IFBIF_BSTP_EDGE, IFBIF_BSTP_PTP, IFCAP_NAMES, IFF_BROADCAST, IFF_LOOPBACK,
                     IFF_NAMES, ND6_ACCEPT_RTADV, ND6_AUTO_LINKLOCAL, ND6_IFDISABLED, ND6_NAMES, Bridge, BridgeMember, Ifnet,
                     InetAddr, Loopback, bits, classful_prefix)
from ..ifnet import ND6_NO_DAD
from ..ifpseudo import Gif, Vlan
from ..kernel import Kernel, Prison
from ..lagg import PORT_BITS, PROTO_ALIASES, PROTOS, Lagg
from ..proc import Proc, program
from ..vnet import Vnet

USAGE = """\
usage: ifconfig [-j jail] [-f type:format] [-g groupname] interface address_family
                [address [dest_address]] [parameters]
       ifconfig [-j jail] interface create
       ifconfig [-j jail] -a [-g groupname] [-d] [-m] [-u] [-v] [address_family]
       ifconfig [-j jail] -l [-d] [-u] [address_family]
       ifconfig [-j jail] [-g groupname] [-d] [-m] [-u] [-v]
"""
FAMILIES = ("inet", "inet6", "link", "ether", "lladdr")
NOMASK_WARNING = ("ifconfig: WARNING: setting interface address without mask is deprecated,\n"
                  "default mask may not be correct.\n")


# ifconfig.8 -m (supported media and the capabilities= line) and -v
# (verbose status) need what the sim's interfaces do not keep. -k only
# shows the keys of wireless and carp interfaces, which the sim has none of.
UNMODELLED_OPTIONS = "mv"
# The cloners each vnet of the sim's GENERIC kernel has from boot, and those
# a module brings (if_clone_attach, each on its module's load). GENERIC's
# other cloners (tun, vmnet, vxlan, stf, wlan ...) are not modelled, so they
# are not listed; the order of the built-in ones among themselves follows
# their SYSINITs, which this does not claim to know.
BUILTIN_CLONERS = ("vlan", "gif", "tap", "lo")
MODULE_CLONERS = {"if_bridge": "bridge", "if_epair": "epair", "if_lagg": "lagg"}


class Fail(Exception):
    """errx(1, ...)/err(1, ...): the message is printed and ifconfig exits 1."""


@program("/sbin/ifconfig")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "adf:g:G:j:klmnuvC", USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    flags = {f for f, _ in opts}
    values = {f: v for f, v in opts if v is not None}
    vnet = proc.vnet
    if "j" in values:
        prison = proc.kernel.find_prison(values["j"], proc.prison)
        if prison is None:
            proc.warnx(f'jail "{values["j"]}" not found')
            return 1
        vnet = prison.vnet
        proc = proc.child(prison=prison)
    if proc.refuses(flags & set(UNMODELLED_OPTIONS)):
        return 1
    if "C" in flags:
        proc.write(" ".join(_cloners(proc.kernel)) + "\n")
        return 0
    fmt = dict(part.split(":", 1) for part in values.get("f", "").split(",") if ":" in part)
    if "l" in flags and ("a" in flags or "m" in flags) or ("u" in flags and "d" in flags):
        proc.error(USAGE)
        return 1
    if "g" in values and "a" not in flags:
        for ifnet in vnet.ifnets:
            if values["g"] in ifnet.groups:
                proc.write(ifnet.name + "\n")
        return 0
    try:
        if "l" in flags or "a" in flags or not args:
            return _listing(proc, vnet, flags, values, args, fmt)
        if "n" not in flags:
            _maybeload(proc, args[0])
        return _configure(proc, vnet, args, fmt)
    except Fail as failure:
        proc.error(f"ifconfig: {failure}\n")
        return 1


def _cloners(kernel: Kernel) -> list[str]:
    """ifclone.c list_cloners() over SIOCIFGCLONERS: if_clone_attach()
    puts each new cloner at the head of the list, so those of the modules
    loaded last come first, before the ones the kernel booted with."""
    loaded = [kernel.linker.find(module) for module in MODULE_CLONERS]
    newest_first = sorted((lf for lf in loaded if lf is not None), key=lambda lf: -lf.id)
    return [MODULE_CLONERS[lf.name] for lf in newest_first] + list(BUILTIN_CLONERS)


def _selected(proc: Proc, vnet: Vnet, flags: set[str], values: dict[str, str],
              family: str | None) -> list[Ifnet]:
    chosen = []
    viewer = proc.prison
    for ifnet in vnet.ifnets:
        if "u" in flags and not ifnet.up or "d" in flags and ifnet.up:
            continue
        if "g" in values and values["g"] not in ifnet.groups:
            continue
        if "G" in values and values["G"] in ifnet.groups:
            continue
        if family == "inet" and not viewer.if_inet(ifnet):
            continue
        if family == "inet6" and not viewer.if_inet6(ifnet):
            continue
        if family in ("ether", "link", "lladdr") and not ifnet.mac:
            continue
        chosen.append(ifnet)
    return chosen


def _listing(proc: Proc, vnet: Vnet, flags: set[str], values: dict[str, str], args: list[str],
             fmt: dict[str, str]) -> int:
    if len(args) > 1 or (args and args[0] not in FAMILIES):
        if args and args[0] not in FAMILIES:
            proc.warnx(f"Address family '{args[0]}' unknown.")
        proc.error(USAGE)
        return 1
    family = args[0] if args else None
    chosen = _selected(proc, vnet, flags, values, family)
    if "l" in flags:
        proc.write(" ".join(i.name for i in chosen) + "\n")
        return 0
    proc.write("".join(status(i, family, fmt, proc.prison, proc.kernel.clock) for i in chosen))
    return 0


def _maybeload(proc: Proc, name: str) -> None:
    """ifconfig.c ifmaybeload(): the driver of the interface named (its name
    up to the first digit, "if_" before it) is loaded unless it is in the
    kernel already; failing quietly (no such module, or in a jail)."""
    module = "if_" + re.split(r"\d", name, maxsplit=1)[0]
    try:
        proc.kernel.kldfind(module)
        return
    except OSErr:
        pass
    try:
        proc.kernel.kldload(proc.prison, module)
    except OSErr:
        pass


# -- status -------------------------------------------------------------------
def status(ifnet: Ifnet, family: str | None = None, fmt: dict[str, str] | None = None,
           viewer: Prison | None = None, now: float = 0.0) -> str:
    """One interface as ``ifconfig NAME`` prints it, with the addresses
    ``viewer`` may see (all without one); ``now`` is the time a bridge's
    spanning tree is shown at."""
    fmt = fmt or {}
    inet = viewer.if_inet(ifnet) if viewer is not None else ifnet.inet
    inet6 = viewer.if_inet6(ifnet) if viewer is not None else ifnet.inet6
    every = family is None
    lines = [f"{ifnet.name}: flags={_printb(ifnet.flags, 'if')} "
             f"metric {ifnet.metric} mtu {ifnet.mtu}"]
    if ifnet.description:
        lines.append(f"\tdescription: {ifnet.description}")
    if ifnet.options or isinstance(ifnet, Bridge):
        lines.append(f"\toptions={_printb(ifnet.options, 'cap')}")
    if ifnet.mac and (every or family in ("ether", "link", "lladdr")):
        lines.append(f"\tether {ifnet.mac}")
        if ifnet.pcp is not None and not isinstance(ifnet, Vlan):
            lines.append(f"\tpcp {ifnet.pcp}")      # af_link.c print_pcp()
    if isinstance(ifnet, Gif) and ifnet.tunnel is not None:
        source, destination = ifnet.tunnel
        af = "inet" if source.version == 4 else "inet6"
        lines.append(f"\ttunnel {af} {source} --> {destination}")   # af_inet's status_tunnel
    if every or family == "inet":
        for addr in inet:
            lines.append("\t" + _inet_line(ifnet, addr, fmt.get("inet", "")))
    if every or family == "inet6":
        for addr6 in inet6:
            scope = f"%{ifnet.name}" if addr6.scoped else ""
            tail = f" scopeid 0x{ifnet.index:x}" if addr6.scoped else ""
            # af_inet6.c print_flags(): the address's state before its scope
            tail = (" tentative" if addr6.tentative else "") + tail
            lines.append(f"\tinet6 {_address_text(addr6.address)}{scope} "
                         f"prefixlen {addr6.prefixlen}{tail}")
    if every:
        if isinstance(ifnet, Bridge):
            lines.extend(_bridge_lines(ifnet, now))
        if isinstance(ifnet, Lagg):
            lines.extend(_lagg_lines(ifnet))
        if ifnet.groups:
            lines.append("\tgroups: " + " ".join(ifnet.groups))
        if isinstance(ifnet, Vlan):
            parent = ifnet.parent.name if ifnet.parent is not None else "<none>"
            lines.append(f"\tvlan: {ifnet.tag} vlanproto: {ifnet.proto} vlanpcp: {ifnet.pcp} "
                         f"parent interface: {parent}")
        lines.extend(_fib_lines(ifnet))
        if ifnet.media:
            media = ifnet.media if ifnet.link_up else re.sub(r"\(.*\)$", "(none)", ifnet.media)
            lines.append(f"\tmedia: {media}")
            lines.append(f"\tstatus: {'active' if ifnet.link_up else 'no carrier'}")
    if every or family == "inet6":
        lines.append(f"\tnd6 options={_printb(ifnet.nd6, 'nd6')}")
    return "\n".join(lines) + "\n"


# The bit names of the flags every interface shows, by the table's key.
_BIT_TABLES: dict[str, list[str] | dict[int, str]] = {
    "if": IFF_NAMES, "cap": IFCAP_NAMES, "nd6": ND6_NAMES}


@functools.lru_cache(maxsize=512)
def _printb(value: int, table: str) -> str:
    """A flag word as printb() shows it ("8843<UP,BROADCAST,...>"): the
    interfaces of a host have few different ones, so each is worked out once
    (ifconfig -a is in every look a scenario's journal takes)."""
    return f"{value:x}{bits(value, _BIT_TABLES[table])}"


def _inet_line(ifnet: Ifnet, addr: InetAddr, style: str) -> str:
    return _inet_text(addr.interface, addr.broadcast, style, bool(ifnet.flags & IFF_BROADCAST))


@functools.lru_cache(maxsize=1024)
def _address_text(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """An address as inet_ntop(3) writes it, worked out once (ipaddress
    makes the text anew each time, and every look lists every address)."""
    return str(address)


@functools.lru_cache(maxsize=1024)
def _inet_text(interface: ipaddress.IPv4Interface, broadcast: ipaddress.IPv4Address | None,
               style: str, broadcasting: bool) -> str:
    """An inet line of af_inet.c in_status() (one per address and format)."""
    addr = interface.ip
    net = interface.network
    if style == "cidr":
        text = f"inet {addr}/{net.prefixlen}"
    elif style == "dotted":
        text = f"inet {addr} netmask {net.netmask}"
    else:
        text = f"inet {addr} netmask 0x{int(net.netmask):x}"
    if broadcasting and net.prefixlen != 0 and broadcast is not None:
        text += f" broadcast {broadcast}"
    return text


def _fib_lines(ifnet: Ifnet) -> list[str]:
    """iffib.c fib_status(): a FIB other than the default, and a tunnel's."""
    lines = [f"\tfib: {ifnet.fib}"] if ifnet.fib else []
    if isinstance(ifnet, Gif) and ifnet.tunnel_fib:
        lines.append(f"\ttunnelfib: {ifnet.tunnel_fib}")
    return lines


def _bridge_lines(bridge: Bridge, now: float) -> list[str]:
    """ifbridge.c bridge_status(): the spanning tree's parameters, then
    each member (an STP one with its protocol, role and state), then the
    span ports. BRDGGIFS fills one ifbreq for them all and a span port sets
    only its name, flags and port, so it shows the last member's other
    numbers (zeros when there is none)."""
    tree, roles = bstp.tree(bridge)
    lines = [f"\tid {tree.bridge_id[1]} priority {bridge.stp_priority} hellotime {bstp.HELLO_TIME} "
             f"fwddelay {bstp.FWD_DELAY}",
             f"\tmaxage {bstp.MAX_AGE} holdcnt {bstp.HOLD_COUNT} proto {bstp.PROTO} "
             f"maxaddr {bridge.cache_size} timeout {bridge.cache_lifetime}",
             f"\troot id {tree.root_id[1]} priority {tree.root_id[0]} ifcost {tree.root_cost} "
             f"port {tree.root_port}"]
    last: BridgeMember | None = None
    for member in bridge.members:
        role = roles.get(id(member))
        port = bstp.port_status(bridge, member, role, now) if role is not None else None
        flags = port.flags if port is not None else bstp.shown_flags(member)
        lines.append(f"\tmember: {member.ifnet.name} flags={_member_flags(flags)}")
        numbers = _member_numbers(member, member.ifnet.index & 0xfff)
        if port is not None:
            numbers += f" proto {bstp.PROTO}\n\t        role {port.role} state {port.state}"
        lines.append(numbers)
        last = member
    for span in bridge.spans:
        lines.append(f"\tmember: {span.name} flags={_member_flags(IFBIF_SPAN)}")
        lines.append(_member_numbers(last, span.index & 0xfff))
    return lines


def _member_numbers(member: BridgeMember | None, port: int) -> str:
    """A member's second line: ``member``'s numbers with ``port`` (a span
    port shows the last member's, or zeros without one)."""
    if member is None:
        return f"\t        ifmaxaddr 0 port {port} priority 0 path cost 0"
    return (f"\t        ifmaxaddr {member.ifmaxaddr} port {port} priority {member.priority} "
            f"path cost {member.path_cost}")


@functools.lru_cache(maxsize=64)
def _member_flags(flags: int) -> str:
    """A member's flags as printb() shows them: a bridge of many members
    has few different ones, so each is worked out once."""
    return f"{flags:x}{bits(flags, IFBIF_NAMES)}"


def _lagg_lines(lagg: Lagg) -> list[str]:
    """iflagg.c lagg_status(): the protocol and hash layers, then each port
    with its flags as printb() shows them ("flags=0<>" when none)."""
    lines = [f"\tlaggproto {lagg.proto} lagghash {','.join(lagg.hash)}"]
    for port in lagg.ports:
        flags = lagg.port_flags(port)
        lines.append(f"\tlaggport: {port.ifnet.name} flags={flags:x}<{bits(flags, PORT_BITS)[1:-1]}>")
    return lines


# -- configuration ------------------------------------------------------------
def _configure(proc: Proc, vnet: Vnet, args: list[str], fmt: dict[str, str]) -> int:
    name, params = args[0], args[1:]
    kernel = proc.kernel
    ifnet = vnet.ifunit(name)
    if ifnet is None:
        if params[:1] in (["create"], ["plumb"]):
            return _create(proc, vnet, name, params[1:])
        if params[:1] == ["-vnet"]:
            return _reclaim(proc, vnet, name, params[1:])
        raise Fail(f"interface {name} does not exist")
    if params[:1] in (["create"], ["plumb"]):
        if len(params) == 1:
            raise Fail(f"interface {name} already exists")
        params = params[1:]
    family = None
    if params and params[0] in FAMILIES:
        family, params = params[0], params[1:]
    if not params:
        proc.write(status(ifnet, family, fmt, proc.prison, kernel.clock))
        return 0
    configurator = Configurator(proc, kernel, vnet, ifnet, family or "inet")
    code = configurator.apply(params)
    if configurator.renamed:
        proc.write(ifnet.name + "\n")  # setifname() makes ifconfig print the new name
    return code


def _create(proc: Proc, vnet: Vnet, name: str, params: list[str]) -> int:
    if len(name) >= 16:
        raise Fail(f"{name}: cloning name too long")
    vlan, params = _vlan_clone_params(name, params)
    try:
        ifnet = proc.kernel.if_clone_create(vnet, name, vlan)
    except OSErr as exc:
        if exc.errno == EEXIST:
            raise Fail(f"interface {name} already exists") from exc
        raise Fail(f"SIOCIFCREATE2: {exc.strerror}") from exc
    # ifclone.c: the name is printed when the kernel chose it (epair, bridge ...).
    print_name = ifnet.name != name
    status_code = 0
    if params:
        configurator = Configurator(proc, proc.kernel, vnet, ifnet, "inet")
        status_code = configurator.apply(params)
        print_name = print_name or configurator.renamed
    if print_name:
        proc.write(ifnet.name + "\n")
    return status_code


def _vlan_clone_params(name: str, params: list[str]) -> tuple[tuple[str, int] | None, list[str]]:
    """ifvlan.c: for a vlan cloner (vlanN, or PARENT.TAG whose tag
    vlan_parse_ethervid takes from the name) the "vlan" and "vlandev"
    given before any other parameter go with the create request
    (DEF_CLONE_CMD_ARG), both or neither (vlan_create); returns them and
    the parameters left for after the create."""
    dotted = re.fullmatch(r"(.+)\.([^.]*)", name)
    if not re.fullmatch(r"vlan\d*", name) and dotted is None:
        return None, params
    tag: int | None = None
    parent: str | None = None
    proto: list[str] = []
    while len(params) >= 2 and params[0] in ("vlan", "vlandev", "vlanproto"):
        if params[0] == "vlan":
            tag = _vlan_tag(params[1])
        elif params[0] == "vlandev":
            parent = params[1]
        else:
            proto = params[:2]      # set once the vlan exists, as setvlanproto() does
        params = params[2:]
    params = proto + params
    if dotted is not None:
        digits = dotted.group(2)
        if not re.fullmatch(r"[1-9]\d*", digits) or int(digits) >= 0xFFF:
            raise Fail("invalid vlan tag")
        if tag not in (None, int(digits)) or parent not in (None, dotted.group(1)):
            raise Fail("ambiguous vlan specification")
        tag, parent = int(digits), dotted.group(1)
    if tag is None and parent is None:
        return None, params
    if tag is None:
        raise Fail("must specify a tag for vlan create")
    if parent is None:
        raise Fail("must specify a parent device for vlan create")
    return (parent, tag), params


def _vlan_tag(value: str) -> int:
    """setvlantag(): strtoul(3) with base 0, into the 16 bits of vlr_tag."""
    number = _strtoul(value)
    if number is None:
        raise Fail("invalid value for vlan")
    if number > 0xFFFF:
        raise Fail("value for vlan out of range")
    return number


def _strtoul(value: str) -> int | None:
    """strtoul(3) with base 0 over the whole string, or None."""
    match = re.fullmatch(r"\s*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)", value)
    if match is None:
        return None
    digits = match.group(1)
    return int(digits, 16 if digits[:2].lower() == "0x" else 8 if digits.startswith("0") else 10)


def _reclaim(proc: Proc, vnet: Vnet, name: str, params: list[str]) -> int:
    """``ifconfig IF -vnet JAIL``: take IF back from a child jail."""
    if not params:
        raise Fail("'-vnet' requires argument")
    prison = proc.kernel.find_prison(params[0], proc.prison)
    if prison is None:
        raise Fail(f'jail "{params[0]}" not found')
    ifnet = prison.vnet.ifunit(name) if prison.own_vnet else None
    if ifnet is None:
        raise Fail("SIOCSIFRVNET: Device not configured" if prison.own_vnet
                   else "SIOCSIFRVNET: Invalid argument")
    proc.kernel.vmove(ifnet, vnet)
    return 0


class Configurator:
    """The parameters of one ``ifconfig IF ...`` invocation."""

    def __init__(self, proc: Proc, kernel: Kernel, vnet: Vnet, ifnet: Ifnet, family: str) -> None:
        self.proc, self.kernel, self.vnet, self.ifnet, self.family = proc, kernel, vnet, ifnet, family
        self.address: str | None = None
        self.netmask: str | None = None
        self.broadcast: str | None = None
        self.alias = False
        self.delete = False
        self.prefixlen: int | None = None
        self.renamed = False
        self.exit_code = 0       # ifconfig.c's exit_code: a warnx that does not stop it
        self.vlan_tag: int | None = None        # ifvlan.c's params
        self.vlan_parent: str | None = None

    def apply(self, params: list[str]) -> int:
        i = 0
        while i < len(params):
            word = params[i]
            takes = TAKES_ARG.get(word)
            if takes is not None:
                if i + takes >= len(params):
                    raise Fail(f"'{word}' requires argument")
                getattr(self, "p_" + word.replace("-", "not_").replace(".", "_"))(*params[i + 1:i + 1 + takes])
                if word in ("destroy", "vnet"):
                    return 0
                i += 1 + takes
                continue
            if word in UNMODELLED:
                raise Fail(f"{word}: not modelled by the jailkit sim")
            if word in FLAG_PARAMS:
                getattr(self, "p_" + word.replace("-", "not_"))()
                i += 1
                continue
            if word in FAMILIES:
                self.family = word
                i += 1
                continue
            if self.address is None:
                self.address = word
            elif self.family == "inet" and self.address is not None:
                # A second bare address is the destination of a p2p link.
                raise Fail(f"{word}: bad value")
            i += 1
        self._commit_address()
        if (self.vlan_tag is None) != (self.vlan_parent is None):
            raise Fail("both vlan and vlandev must be specified")   # vlan_cb()
        return self.exit_code

    # -- flags and simple values
    def p_up(self) -> None:
        self.kernel.if_up(self.ifnet)

    def p_down(self) -> None:
        self.kernel.if_down(self.ifnet)

    def p_alias(self) -> None:
        self.alias = True

    def p_not_alias(self) -> None:
        # "-alias" and "delete" remove the address the command names.
        self.delete = True

    p_delete = p_not_alias

    def p_netmask(self, mask: str) -> None:
        self._not_inet6("netmask")
        self.netmask = mask

    def p_broadcast(self, address: str) -> None:
        self._not_inet6("broadcast")
        self.broadcast = address

    def _not_inet6(self, word: str) -> None:
        """af_inet6.c has no netmask or broadcast address to take (bug
        286910): a prefix length is given with / or prefixlen."""
        if self.family == "inet6":
            raise Fail(f"{word}: invalid option for inet6")

    # -- priority, FIBs (ifconfig.c setifpcp, iffib.c)
    def p_pcp(self, value: str) -> None:
        number = _strtoul(value)
        if number is None:
            raise Fail("invalid value for pcp")
        if number > 7:
            raise Fail("value for pcp out of range")
        self._set_pcp(number)

    def p_not_pcp(self) -> None:
        self._set_pcp(None)

    def _set_pcp(self, pcp: int | None) -> None:
        """SIOCSLANPCP: ether_ioctl() keeps it for an Ethernet interface
        (IFNET_PCP_NONE for -pcp); a vlan takes it as its vlanpcp, where
        "none" is out of range; other drivers refuse it."""
        ifnet = self.ifnet
        if isinstance(ifnet, Vlan) and pcp is not None:
            ifnet.pcp = pcp
        elif ifnet.mac is None or isinstance(ifnet, (Vlan, Loopback)):
            raise Fail(f"SIOCSLANPCP: {strerror(EINVAL)}")
        else:
            ifnet.pcp = pcp

    def p_fib(self, value: str) -> None:
        """setiffib(): a bad number or a refused one is only warned about."""
        number = _strtoul(value)
        if number is None or number > 0xFFFFFFFF:
            self.proc.warnx(f"fib {value} not valid: {strerror(EINVAL)}")
            return
        try:
            self.kernel.if_setfib(self.ifnet, number)
        except OSErr as exc:
            self.proc.warnx(f"ioctl (SIOCSIFFIB): {exc.strerror}")

    def p_tunnelfib(self, value: str) -> None:
        number = _strtoul(value)
        if number is None or number > 0xFFFFFFFF:
            self.proc.warnx(f"fib {value} not valid: {strerror(EINVAL)}")
            return
        try:
            self.kernel.if_settunnelfib(self.ifnet, number)
        except OSErr as exc:
            self.proc.warnx(f"ioctl (SIOCSTUNFIB): {exc.strerror}")

    def p_prefixlen(self, length: str) -> None:
        if not length.isdigit() or int(length) > 128:
            raise Fail(f"{length}: bad value")
        self.prefixlen = int(length)

    def p_mtu(self, value: str) -> None:
        if not value.isdigit():
            raise Fail(f"{value}: invalid mtu")
        try:
            self.kernel.if_setmtu(self.ifnet, int(value))
        except OSErr as exc:
            raise Fail(f"ioctl SIOCSIFMTU (set mtu): {exc.strerror}") from exc

    def p_metric(self, value: str) -> None:
        self.ifnet.metric = int(value) if value.lstrip("-").isdigit() else 0

    def p_name(self, new: str) -> None:
        try:
            self.kernel.rename(self.ifnet, new)
        except OSErr as exc:
            raise Fail(f"ioctl SIOCSIFNAME (set name): {exc.strerror}") from exc
        self.renamed = True

    def p_description(self, text: str) -> None:
        self.ifnet.description = text or None

    p_descr = p_description

    def p_not_description(self) -> None:
        self.ifnet.description = None

    p_not_descr = p_not_description

    def p_group(self, group: str) -> None:
        if group[-1:].isdigit():
            raise Fail("setifgroup: Group names may not end in a digit")
        if group not in self.ifnet.groups:
            self.ifnet.groups.append(group)

    def p_not_group(self, group: str) -> None:
        if group in self.ifnet.groups:
            self.ifnet.groups.remove(group)

    def p_ether(self, mac: str) -> None:
        if not re.fullmatch(r"[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}", mac):
            raise Fail("malformed link-level address")
        address = ":".join(f"{int(part, 16):02x}" for part in mac.split(":"))
        if isinstance(self.ifnet, Lagg):
            self.ifnet.set_lladdr(address)
        else:
            self.ifnet.mac = address

    p_lladdr = p_link = p_ether

    def p_promisc(self) -> None:
        self.ifnet.promisc += 1

    def p_not_promisc(self) -> None:
        self.ifnet.promisc = max(0, self.ifnet.promisc - 1)

    def p_ifdisabled(self) -> None:
        self.kernel.set_nd6(self.ifnet, on=ND6_IFDISABLED)

    def p_not_ifdisabled(self) -> None:
        self.kernel.set_nd6(self.ifnet, off=ND6_IFDISABLED)

    def p_no_dad(self) -> None:
        # af_inet6.c's nd6 flag ND6_IFF_NO_DAD: addresses added later skip DAD
        self.kernel.set_nd6(self.ifnet, on=ND6_NO_DAD)

    def p_not_no_dad(self) -> None:
        self.kernel.set_nd6(self.ifnet, off=ND6_NO_DAD)

    def p_auto_linklocal(self) -> None:
        self.kernel.set_nd6(self.ifnet, on=ND6_AUTO_LINKLOCAL)

    def p_not_auto_linklocal(self) -> None:
        self.kernel.set_nd6(self.ifnet, off=ND6_AUTO_LINKLOCAL)

    def p_accept_rtadv(self) -> None:
        """af_inet6.c's accept_rtadv: ND6_IFF_ACCEPT_RTADV, router
        advertisements configure the interface (what rc.conf's
        ifconfig_IF_ipv6="inet6 accept_rtadv" asks)."""
        self.kernel.set_nd6(self.ifnet, on=ND6_ACCEPT_RTADV)

    def p_not_accept_rtadv(self) -> None:
        self.kernel.set_nd6(self.ifnet, off=ND6_ACCEPT_RTADV)

    # -- cloning, vnets, bridges
    def p_destroy(self) -> None:
        try:
            self.kernel.clone_destroy(self.ifnet)
        except OSErr as exc:
            raise Fail(f"SIOCIFDESTROY: {exc.strerror}") from exc

    def p_vnet(self, jail: str) -> None:
        prison = self.kernel.find_prison(jail, self.proc.prison)
        if prison is None:
            raise Fail(f'jail "{jail}" not found')
        try:
            # a jail without its own vnet shares this one: the kernel says EEXIST
            self.kernel.vmove(self.ifnet, prison.vnet)
        except OSErr as exc:
            raise Fail(f"SIOCSIFVNET: {exc.strerror}") from exc

    def p_not_vnet(self, jail: str) -> None:
        # The interface is here, not in the jail: there is nothing to reclaim.
        raise Fail("SIOCSIFRVNET: Device not configured")

    def _bridge(self, op: str, member_name: str) -> tuple[Bridge, Ifnet | None]:
        if not isinstance(self.ifnet, Bridge):
            raise Fail(f"{op} {member_name}: Invalid argument")
        return self.ifnet, self.vnet.ifunit(member_name)

    def p_addm(self, member_name: str) -> None:
        bridge, member = self._bridge("BRDGADD", member_name)
        try:
            if member is None:
                raise OSErr(ENOENT)
            self.kernel.bridge_add(bridge, member)
        except OSErr as exc:
            raise Fail(f"BRDGADD {member_name}: {exc.strerror}") from exc

    def p_deletem(self, member_name: str) -> None:
        bridge, member = self._bridge("BRDGDEL", member_name)
        try:
            if member is None or member.bridge is not bridge:
                raise OSErr(ENOENT)
            self.kernel.bridge_delete(bridge, member)
        except OSErr as exc:
            raise Fail(f"BRDGDEL {member_name}: {exc.strerror}") from exc

    # -- bridge members' flags, span ports and the address cache (ifbridge.c)
    def _bridge_flag(self, name: str, flag: int, on: bool) -> None:
        """do_bridgeflag(): the member's flags read (BRDGGIFFLGS), changed
        and written back (BRDGSIFFLGS)."""
        if not isinstance(self.ifnet, Bridge):
            raise Fail(f"unable to get bridge flags: {strerror(EINVAL)}")
        try:
            member = self.ifnet.lookup_member(name)
        except OSErr as exc:
            raise Fail(f"unable to get bridge flags: {exc.strerror}") from exc
        role = bstp.tree(self.ifnet)[1].get(id(member))
        now = self.kernel.clock
        flags = (bstp.port_status(self.ifnet, member, role, now).flags if role is not None
                 else bstp.shown_flags(member))
        flags = flags | flag if on else flags & ~flag
        try:
            bstp.set_flags(member, flags, now)
        except OSErr as exc:
            raise Fail(f"unable to set bridge flags: {exc.strerror}") from exc

    def p_stp(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_STP, True)

    def p_not_stp(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_STP, False)

    def p_private(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_PRIVATE, True)

    def p_not_private(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_PRIVATE, False)

    def p_learn(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_LEARNING, True)

    def p_not_learn(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_LEARNING, False)

    def p_discover(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_DISCOVER, True)

    def p_not_discover(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_DISCOVER, False)

    def p_sticky(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_STICKY, True)

    def p_not_sticky(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_STICKY, False)

    def p_edge(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_BSTP_EDGE, True)

    def p_not_edge(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_BSTP_EDGE, False)

    def p_autoedge(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_BSTP_AUTOEDGE, True)

    def p_not_autoedge(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_BSTP_AUTOEDGE, False)

    def p_ptp(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_BSTP_PTP, True)

    def p_not_ptp(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_BSTP_PTP, False)

    def p_autoptp(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_BSTP_AUTOPTP, True)

    def p_not_autoptp(self, name: str) -> None:
        self._bridge_flag(name, IFBIF_BSTP_AUTOPTP, False)

    def p_span(self, name: str) -> None:
        bridge, _ = self._bridge("BRDGADDS", name)
        port = self.vnet.ifunit(name)
        try:
            if port is None:
                raise OSErr(ENOENT)
            bridge.add_span(port)
        except OSErr as exc:
            raise Fail(f"BRDGADDS {name}: {exc.strerror}") from exc

    def p_not_span(self, name: str) -> None:
        bridge, _ = self._bridge("BRDGDELS", name)
        try:
            bridge.delete_span(self.vnet.ifunit(name))
        except OSErr as exc:
            raise Fail(f"BRDGDELS {name}: {exc.strerror}") from exc

    def p_static(self, name: str, mac: str) -> None:
        """setbridge_static(): ether_aton(3) first, then BRDGSADDR."""
        address = _ether_aton(mac)
        if address is None:
            raise Fail(f"{name}: invalid address: {mac}")
        bridge, _ = self._bridge("BRDGSADDR", name)
        try:
            bridge.add_static(address, bridge.lookup_member(name), self.kernel.clock)
        except OSErr as exc:
            raise Fail(f"BRDGSADDR {name}: {exc.strerror}") from exc

    def p_deladdr(self, mac: str) -> None:
        address = _ether_aton(mac)
        if address is None:
            raise Fail(f"invalid address: {mac}")
        bridge, _ = self._bridge("BRDGDADDR", mac)
        try:
            bridge.delete_address(address)
        except OSErr as exc:
            raise Fail(f"BRDGDADDR {mac}: {exc.strerror}") from exc

    def p_addr(self) -> None:
        """bridge_addresses(): the cache, one entry a line, newest first,
        with the seconds a dynamic entry has left (0 for a static or sticky
        one, or one past its time that bridge_timer() has not dropped yet:
        bridge_ioctl_rts)."""
        if not isinstance(self.ifnet, Bridge):
            raise Fail(f"unable to get address cache: {strerror(EINVAL)}")
        uptime = int(self.kernel.clock)
        bstp.flush_discarding(self.ifnet)
        for route in self.ifnet.listing(self.kernel.clock):
            left = route.expire - uptime if route.dynamic and uptime < route.expire else 0
            self.proc.write(f"{route.mac} Vlan{route.vlan} {route.ifnet.name} {left} "
                            f"flags={route.flags:x}<{bits(route.flags, IFBAF_NAMES)[1:-1]}>\n")

    # -- the bridge's and its members' numbers (ifbridge.c get_val(), if_bridge.c, bridgestp.c)
    def _bridge_value(self, text: str, limit: int) -> int:
        """get_val(): strtoul(3) over the whole string, within the field."""
        number = _strtoul(text)
        if number is None or number > limit:
            raise Fail(f"invalid value: {text}")
        return number

    def _bridge_only(self, ioctl: str, text: str) -> Bridge:
        if not isinstance(self.ifnet, Bridge):
            raise Fail(f"{ioctl} {text}: {strerror(EINVAL)}")
        return self.ifnet

    def p_maxaddr(self, text: str) -> None:
        number = self._bridge_value(text, 0xFFFFFFFF)
        self._bridge_only("BRDGSCACHE", text).set_cache_size(number, self.kernel.clock)

    def p_timeout(self, text: str) -> None:
        number = self._bridge_value(text, 0xFFFFFFFF)
        self._bridge_only("BRDGSTO", text).cache_lifetime = number

    def p_priority(self, text: str) -> None:
        """bstp_set_priority(): up to 61440, in steps of 4096."""
        number = self._bridge_value(text, 0xFFFF)
        bridge = self._bridge_only("BRDGSPRI", text)
        if number > 61440:
            raise Fail(f"BRDGSPRI {text}: {strerror(EINVAL)}")
        bridge.stp_priority = number - number % 4096

    def _member(self, ioctl: str, name: str, text: str) -> BridgeMember:
        bridge = self._bridge_only(ioctl, text)
        try:
            return bridge.lookup_member(name)
        except OSErr as exc:
            raise Fail(f"{ioctl} {text}: {exc.strerror}") from exc

    def p_ifpriority(self, name: str, text: str) -> None:
        """bstp_set_port_priority(): up to 240, in steps of 16."""
        number = self._bridge_value(text, 0xFF)
        member = self._member("BRDGSIFPRIO", name, text)
        if number > 240:
            raise Fail(f"BRDGSIFPRIO {text}: {strerror(EINVAL)}")
        member.priority = number - number % 16

    def p_ifmaxaddr(self, name: str, text: str) -> None:
        number = self._bridge_value(text, 0xFFFFFFFF)
        self._member("BRDGSIFAMAX", name, text).ifmaxaddr = number

    def _flush(self, everything: bool) -> None:
        if not isinstance(self.ifnet, Bridge):
            raise Fail(f"BRDGFLUSH: {strerror(EINVAL)}")
        self.ifnet.flush(everything)

    def p_flush(self) -> None:
        self._flush(False)

    def p_flushall(self) -> None:
        self._flush(True)

    # -- lagg (iflagg.c)
    def _lagg(self, ioctl: str) -> Lagg:
        """The lagg ioctls on anything else fail in its driver (EINVAL)."""
        if not isinstance(self.ifnet, Lagg):
            raise Fail(f"{ioctl}: {strerror(EINVAL)}")
        return self.ifnet

    def p_laggport(self, name: str) -> None:
        """setlaggport(): a port that cannot join is warned about and the
        rest goes on, so one failed NIC does not take the lagg down; one
        already in this lagg is no error (EEXIST)."""
        try:
            if not isinstance(self.ifnet, Lagg):
                raise OSErr(EINVAL)
            port = self.vnet.ifunit(name)
            if port is None:
                raise OSErr(EINVAL)
            self.kernel.lagg_addport(self.ifnet, port)
        except OSErr as exc:
            if exc.errno != EEXIST:
                self.proc.warnx(f"{self.ifnet.name} {name}: SIOCSLAGGPORT: {exc.strerror}")
                self.exit_code = 1

    def p_not_laggport(self, name: str) -> None:
        lagg = self._lagg("SIOCSLAGGDELPORT")
        port = self.vnet.ifunit(name)
        try:
            if port is None:
                raise OSErr(EINVAL)
            self.kernel.lagg_delport(lagg, port)
        except OSErr as exc:
            raise Fail(f"SIOCSLAGGDELPORT: {exc.strerror}") from exc

    def p_laggproto(self, name: str) -> None:
        proto = PROTO_ALIASES.get(name, name)
        if proto not in PROTOS:
            raise Fail(f"Invalid aggregation protocol: {name}")
        self.kernel.lagg_setproto(self._lagg("SIOCSLAGG"), proto)

    def p_lagghash(self, value: str) -> None:
        layers: list[str] = []
        for token in value.split(","):
            if token not in ("l2", "l3", "l4"):
                raise Fail(f"Invalid lagghash option: {token}")
            layers.append(token)
        lagg = self._lagg("SIOCSLAGGHASH")
        # the kernel keeps the layers as flags, so they print in order
        self.kernel.lagg_sethash(lagg, tuple(sorted(set(layers))))

    # -- vlan (ifvlan.c)
    def p_vlan(self, value: str) -> None:
        self.vlan_tag = _vlan_tag(value)
        if isinstance(self.ifnet, Vlan):
            # setvlantag(): the vlan's parent with the new tag
            self.vlan_parent = self.ifnet.parent.name if self.ifnet.parent is not None else ""
            self._vlan_set()

    def p_vlandev(self, name: str) -> None:
        self.vlan_parent = name
        if isinstance(self.ifnet, Vlan):
            if self.vlan_tag is None:
                self.vlan_tag = self.ifnet.tag
            self._vlan_set()

    def p_vlanproto(self, value: str) -> None:
        """setvlanproto(): 802.1q, or 802.1ad (also called qinq), by prefix
        and in any case."""
        lowered = value.lower()
        if lowered.startswith("802.1q"):
            proto = "802.1q"
        elif lowered.startswith(("802.1ad", "qinq")):
            proto = "802.1ad"
        else:
            raise Fail("invalid value for vlanproto")
        if isinstance(self.ifnet, Vlan):
            self.kernel.vlan_setproto(self.ifnet, proto)

    def _vlan_set(self) -> None:
        """vlan_set(): SIOCSETVLAN once both the tag and the parent are known."""
        assert isinstance(self.ifnet, Vlan)
        if self.vlan_tag is None or not self.vlan_parent:
            return
        try:
            self.kernel.vlan_set(self.ifnet, self.vlan_parent, self.vlan_tag)
        except OSErr as exc:
            raise Fail(f"SIOCSETVLAN: {exc.strerror}") from exc

    def p_not_vlandev(self) -> None:
        if not isinstance(self.ifnet, Vlan):
            raise Fail(f"SIOCGETVLAN: {strerror(EINVAL)}")
        self.kernel.vlan_unconfig(self.ifnet)

    def p_vlanpcp(self, value: str) -> None:
        number = _strtoul(value)
        if number is None:
            raise Fail("invalid value for vlanpcp")
        if number > 7:
            raise Fail("value for vlanpcp out of range")
        if not isinstance(self.ifnet, Vlan):
            raise Fail(f"SIOCSVLANPCP: {strerror(EINVAL)}")
        self.ifnet.pcp = number

    # -- gif (the tunnel parameters of ifconfig.c and af_inet/af_inet6.c)
    def p_tunnel(self, source: str, destination: str) -> None:
        try:
            src = ipaddress.ip_address(source)
            dst = ipaddress.ip_address(destination)
        except ValueError:
            raise Fail("error in parsing address string: hostname nor servname provided, "
                       "or not known") from None
        if src.version != dst.version:
            raise Fail("source and destination address families do not match")
        if not isinstance(self.ifnet, Gif):
            raise Fail(f"SIOCSIFPHYADDR: {strerror(EINVAL)}")
        self.kernel.gif_set_tunnel(self.ifnet, src, dst)

    def p_not_tunnel(self) -> None:
        if not isinstance(self.ifnet, Gif):
            raise Fail(f"SIOCDIFPHYADDR: {strerror(EINVAL)}")
        self.kernel.gif_delete_tunnel(self.ifnet)

    # -- addresses
    def _commit_address(self) -> None:
        if self.address is None:
            return
        if self.delete:
            self._delete_address(self.address)
            return
        if self.family in ("ether", "link", "lladdr"):
            self.p_ether(self.address)
            return
        if self.family == "inet6":
            self._add_inet6()
            return
        text = self.address
        plen = None
        if "/" in text:
            text, _, width = text.rpartition("/")
            if not width.isdigit() or int(width) > 32:
                raise Fail(f"{self.address}: bad value (width {'invalid' if not width.isdigit() else 'too large'})")
            plen = int(width)
        try:
            address = ipaddress.IPv4Address(text)
        except ValueError:
            raise Fail(f"{text}: bad value") from None
        if self.netmask is not None:
            plen = _mask_len(self.netmask)
        if plen is None:
            # af_inet.c: no mask given, so the historical class mask; the
            # warning is for everything but loopback and point-to-point links.
            if not self.ifnet.flags & IFF_LOOPBACK:
                self.proc.error(NOMASK_WARNING)
            plen = classful_prefix(address)
        iface = ipaddress.IPv4Interface(f"{address}/{plen}")
        broadcast = ipaddress.IPv4Address(self.broadcast) if self.broadcast else (
            iface.network.broadcast_address if self.ifnet.flags & IFF_BROADCAST else None)
        self.kernel.add_inet(self.ifnet, iface, broadcast, alias=self.alias)
        # in_ifinit() -> the driver's SIOCSIFADDR -> arp_ifinit() (if_ether.c)
        network.announce(self.ifnet, address, self.kernel.clock)

    def _add_inet6(self) -> None:
        text = self.address or ""
        plen = self.prefixlen if self.prefixlen is not None else 64
        if "/" in text:
            text, _, width = text.partition("/")
            plen = int(width) if width.isdigit() else plen
        try:
            address = ipaddress.IPv6Address(text.split("%")[0])
        except ValueError:
            raise Fail(f"{text}: bad value") from None
        self.kernel.add_inet6(self.ifnet, address, plen)

    def _delete_address(self, text: str) -> None:
        if self.family == "inet6":
            try:
                self.kernel.delete_inet6(self.ifnet, ipaddress.IPv6Address(text.split("/")[0]))
            except (OSErr, ValueError):
                raise Fail("ioctl (SIOCDIFADDR): Can't assign requested address") from None
            return
        try:
            self.vnet.delete_inet(self.ifnet, ipaddress.IPv4Address(text.split("/")[0]))
        except (OSErr, ValueError):
            raise Fail("ioctl (SIOCDIFADDR): Can't assign requested address") from None


def _ether_aton(text: str) -> str | None:
    """ether_aton(3): six hexadecimal numbers separated by colons, as
    sscanf("%x:%x:%x:%x:%x:%x") reads them (each keeps its low byte)."""
    match = re.match(r"\s*((?:0[xX])?[0-9a-fA-F]+)" + r":\s*((?:0[xX])?[0-9a-fA-F]+)" * 5, text)
    if match is None:
        return None
    return ":".join(f"{int(part, 16) & 0xff:02x}" for part in match.groups())


def _mask_len(mask: str) -> int:
    try:
        value = int(mask, 16) if mask.startswith("0x") else int(ipaddress.IPv4Address(mask))
    except ValueError:
        raise Fail(f"{mask}: bad value") from None
    return bin(value).count("1")


TAKES_ARG = {"netmask": 1, "broadcast": 1, "mtu": 1, "metric": 1, "name": 1, "description": 1,
             "descr": 1, "group": 1, "-group": 1, "ether": 1, "lladdr": 1, "link": 1,
             "vnet": 1, "-vnet": 1, "addm": 1, "deletem": 1, "prefixlen": 1, "destroy": 0,
             "laggport": 1, "-laggport": 1, "laggproto": 1, "lagghash": 1, "vlan": 1,
             "vlandev": 1, "vlanpcp": 1, "vlanproto": 1, "tunnel": 2,
             "stp": 1, "-stp": 1, "span": 1, "-span": 1, "private": 1, "-private": 1,
             "learn": 1, "-learn": 1, "discover": 1, "-discover": 1, "sticky": 1, "-sticky": 1,
             "edge": 1, "-edge": 1, "autoedge": 1, "-autoedge": 1, "ptp": 1, "-ptp": 1,
             "autoptp": 1, "-autoptp": 1, "static": 2, "deladdr": 1,
             "pcp": 1, "fib": 1, "tunnelfib": 1, "maxaddr": 1, "timeout": 1, "priority": 1,
             "ifpriority": 2, "ifmaxaddr": 2}
# ifbridge.c parameters of the spanning tree's timers and costs, which the
# sim's converged tree does not use: refused rather than taken silently.
UNMODELLED = {"hellotime": 1, "fwddelay": 1, "maxage": 1, "holdcnt": 1, "proto": 1,
              "ifpathcost": 2}
FLAG_PARAMS = {"up", "down", "alias", "-alias", "delete", "-description", "-descr", "promisc", "-promisc",
               "ifdisabled", "-ifdisabled", "auto_linklocal", "-auto_linklocal", "-vlandev", "-tunnel",
               "addr", "flush", "flushall", "-pcp"}
FLAG_PARAMS |= {"accept_rtadv", "-accept_rtadv"}
FLAG_PARAMS |= {"no_dad", "-no_dad"}
