"""natd(8): network address translation in user space, fed by ipfw's
"divert natd" rules through a divert(4) socket (sbin/natd/natd.c).

Arguments are "-option [value ...]": the words up to the next one starting
with "-" are the option's value (ParseArgs()). The -f file holds the same
options without the "-", one "name value" a line, "#" starting a comment
(ReadConfigFile()). Yes/no options take "yes" when given no value. natd
needs an aliasing address (-n interface or -a address); with -dynamic the
interface's address is taken when packets come (and again when it
changes), else once at start. Then it binds its divert socket (one on the
natd port, 8668, unless -i/-o are given), detaches and writes its pid
file. It keeps ports (same_ports) and uses sockets (use_sockets) unless
told "no": LibAliasInit() turns both on."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field

from ..daemons import write_pid
from ..errno import OSErr
from ..libalias import Alias, Redirect
from ..packet import Packet, service_port
from ..pfil import Hook
from ..proc import Proc, program
from ..socket import Listener, listen

NATD_PORT = 8668        # "natd 8668/divert" in /etc/services
ALIAS_LOG = "/var/log/alias.log"

# natd.c optionTable: name, short name, parameter kind, its description and
# what the option does, as Usage() prints them.
OPTIONS = [
    ("unregistered_only", "u", "yesno", "[yes|no]", "alias only unregistered addresses"),
    ("log", "l", "yesno", "[yes|no]", "enable logging"),
    ("proxy_only", None, "yesno", "[yes|no]", "proxy only"),
    ("reverse", None, "yesno", "[yes|no]", "operate in reverse mode"),
    ("deny_incoming", "d", "yesno", "[yes|no]", "allow incoming connections"),
    ("use_sockets", "s", "yesno", "[yes|no]", "use sockets to inhibit port conflict"),
    ("same_ports", "m", "yesno", "[yes|no]", "try to keep original port numbers for connections"),
    ("verbose", "v", "yesno", "[yes|no]", "verbose mode, dump packet information"),
    ("dynamic", None, "yesno", "[yes|no]",
     "dynamic mode, automatically detect interface address changes"),
    ("in_port", "i", "service", "number|service_name", "set port for incoming packets"),
    ("out_port", "o", "service", "number|service_name", "set port for outgoing packets"),
    ("port", "p", "service", "number|service_name", "set port (defaults to natd/divert)"),
    ("globalport", None, "service", "number|service_name", "set globalport"),
    ("alias_address", "a", "address", "x.x.x.x", "address to use for aliasing"),
    ("target_address", "t", "address", "x.x.x.x", "address to use for incoming sessions"),
    ("interface", "n", "string", "network_if_name", "take aliasing address from interface"),
    ("proxy_rule", None, "string",
     "[type encode_ip_hdr|encode_tcp_stream] port xxxx server a.b.c.d:yyyy",
     "add transparent proxying / destination NAT"),
    ("redirect_port", None, "string",
     "tcp|udp local_addr:local_port_range[,...] [public_addr:]public_port_range "
     "[remote_addr[:remote_port_range]]", "redirect a port (or ports) for incoming traffic"),
    ("redirect_proto", None, "string", "proto local_addr [public_addr] [remote_addr]",
     "redirect packets of a given proto"),
    ("redirect_address", None, "string", "local_addr[,...] public_addr",
     "define mapping between local and public addresses"),
    ("config", "f", "string", "file_name", "read options from configuration file"),
    ("log_denied", None, "yesno", "[yes|no]", "enable logging of denied incoming packets"),
    ("log_facility", None, "string", "facility", "name of syslog facility to use for logging"),
    ("punch_fw", None, "string", "basenumber:count",
     "punch holes in the firewall for incoming FTP/IRC DCC connections"),
    ("skinny_port", None, "string", "port",
     "set the TCP port for use with the Skinny Station protocol"),
    ("log_ipfw_denied", None, "yesno", "[yes|no]",
     "log packets converted by natd, but denied by ipfw"),
    ("pid_file", "P", "string", "file_name", "store PID in an alternate file"),
    ("instance", None, "string", "instance name", "name of aliasing engine instance"),
    ("exit_delay", None, "numeric", "ms", "delay in ms before daemon exit after signal"),
]
# options whose work the sim does not do; natd refuses nothing of these, the sim says so
UNMODELLED = {"proxy_only", "reverse", "verbose", "in_port", "out_port", "globalport",
              "target_address", "proxy_rule", "redirect_proto", "redirect_address", "punch_fw",
              "skinny_port", "instance"}
# syslog.h facilitynames
FACILITIES = {"auth", "authpriv", "console", "cron", "daemon", "ftp", "kern", "lpr", "mail",
              "mark", "news", "ntp", "security", "syslog", "user", "uucp", "local0", "local1",
              "local2", "local3", "local4", "local5", "local6", "local7"}
MAX_EXIT_DELAY = 1000     # natd.h


class NatdError(Exception):
    """errx(1, ...): natd's message; ``usage`` when it then prints Usage()."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass
class Settings:
    """What ParseOption() set: the yes/no options, the values, the redirects."""

    flags: dict[str, bool] = field(default_factory=lambda: {"same_ports": True,
                                                            "use_sockets": True})
    values: dict[str, str] = field(default_factory=dict)
    address: ipaddress.IPv4Address | None = None
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class Natd:
    """The running natd: its aliasing engine, fed from the divert socket.
    Without -dynamic the alias address is the one found at start."""

    interface: str | None
    address: ipaddress.IPv4Address | None
    dynamic: bool
    engine: Alias

    def divert(self, hook: Hook, packet: Packet) -> bool:
        alias = self.address
        if self.dynamic and self.interface is not None:
            # the routing socket tells natd of a new address (HandleRoutingInfo)
            alias = hook.vnet.first_address(self.interface)
        return self.engine.translate(hook.direction, packet, alias)


@program("/sbin/natd")
def main(proc: Proc, argv: list[str]) -> int:
    settings = Settings()
    try:
        _parse_args(proc, settings, argv[1:])
        natd = _setup(proc, settings)
    except NatdError as exc:
        proc.error(f"natd: {exc}\n")
        if exc.usage:
            proc.error(_usage())
        return 1
    return _serve(proc, settings, natd)


def _usage() -> str:
    """Usage(): every option, long and short name, with its description."""
    lines = ["Recognized options:", ""]
    for name, short, _, parameter, description in OPTIONS:
        lines.append(f"-{name:<20} {parameter}")
        if short:
            lines.append(f"-{short:<20} {parameter}")
        lines += [f"      {description}", ""]
    return "\n".join(lines) + "\n"


def _parse_args(proc: Proc, settings: Settings, args: list[str]) -> None:
    index = 0
    while index < len(args):
        option = args[index]
        if not option.startswith("-"):
            raise NatdError(f"invalid option {option}", usage=True)
        words = []
        while index + 1 < len(args) and not args[index + 1].startswith("-"):
            index += 1
            words.append(args[index])
        _parse_option(proc, settings, option[1:], " ".join(words) if words else None)
        index += 1


def _lookup(option: str) -> tuple[str, str]:
    for name, short, kind, _, _ in OPTIONS:
        if option in (name, short):
            return name, kind
    raise NatdError(f"unknown option {option}", usage=True)


def _parse_option(proc: Proc, settings: Settings, option: str, parms: str | None) -> None:
    """ParseOption(): check the value by the option's kind, then use it."""
    name, kind = _lookup(option)
    if kind == "yesno":
        if parms not in (None, "yes", "no"):
            raise NatdError(f"{option} needs yes/no parameter")
        settings.flags[name] = parms != "no"
        if name in UNMODELLED and settings.flags[name]:
            raise NatdError(f"-{name} is not modelled by the jailkit sim")
        return
    if parms is None:
        raise NatdError({"service": f"{option} needs service name or port number parameter",
                         "numeric": f"{option} needs numeric parameter",
                         "address": f"{option} needs address/host parameter"}.get(
                             kind, f"{option} needs parameter"))
    if kind == "service":
        settings.values[name] = str(_port(parms, "divert"))
    elif kind == "address":
        settings.address = _address(parms)
    elif kind == "numeric":
        _exit_delay(parms)
    if name in UNMODELLED:
        raise NatdError(f"-{name} is not modelled by the jailkit sim")
    if name == "config":
        _read_config(proc, settings, parms)
    elif name == "redirect_port":
        settings.redirects += _redirect_port(parms)
    elif name == "log_facility" and parms not in FACILITIES:
        raise NatdError(f"Unknown log facility name: {parms}")
    elif kind == "string":
        settings.values[name] = parms


def _exit_delay(parms: str) -> None:
    digits = _leading_number(parms)
    if digits is None:
        raise NatdError("exit_delay needs numeric parameter")
    if not 0 <= digits <= MAX_EXIT_DELAY:
        raise NatdError(f"Incorrect exit delay: {digits}")


def _read_config(proc: Proc, settings: Settings, path: str) -> None:
    """ReadConfigFile(): each line "name [value]"; a last line without its
    newline is an error, after the lines before it took effect."""
    try:
        text = proc.kernel.vfs.read(path, **proc.where())
    except OSErr as exc:
        raise NatdError(f"cannot open config file {path}: {exc.strerror}") from None
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if number == len(lines) - 1:
            if line:
                raise NatdError("config file format error: last line should end with newline")
            break
        words = line.split("#", 1)[0].strip().split(None, 1)
        if words:
            _parse_option(proc, settings, words[0], words[1] if len(words) > 1 else None)


# -- redirect_port (SetupPortRedirect) --------------------------------------------------

def _redirect_port(parms: str) -> list[Redirect]:
    words = parms.split()
    proto = words[0]
    if proto not in ("tcp", "udp"):
        raise NatdError(f"unknown protocol {proto}. Expected tcp or udp")
    if len(words) < 2:
        raise NatdError("redirect_port: missing local address")
    if "," in words[1]:
        raise NatdError("redirect_port: LSNAT server pools are not modelled by the jailkit sim")
    local, (local_port, count) = _address_and_ports(words[1], proto)
    if len(words) < 3:
        raise NatdError("redirect_port: missing public port")
    public: ipaddress.IPv4Address | None = None
    if ":" in words[2]:
        public, (public_port, public_count) = _address_and_ports(words[2], proto)
    else:
        public_port, public_count = _port_range(words[2], proto)
    remote: ipaddress.IPv4Address | None = None
    remote_port, remote_count = 0, 1
    if len(words) > 3:
        if ":" in words[3]:
            remote, (remote_port, remote_count) = _address_and_ports(words[3], proto)
        else:
            remote = _address(words[3])
    if count != public_count:
        raise NatdError("redirect_port: port ranges must be equal in size")
    if remote_count != count and (remote_count != 1 or remote_port != 0):
        raise NatdError("redirect_port: remote port must be 0 or equal to local port range in size")
    return [Redirect(proto, local, (local_port + i) & 0xffff, (public_port + i) & 0xffff,
                     public if public != ipaddress.IPv4Address(0) else None, remote,
                     0 if remote_port == 0 and remote_count == 1 else (remote_port + i) & 0xffff)
            for i in range(count)]


def _address_and_ports(word: str, proto: str) -> tuple[ipaddress.IPv4Address, tuple[int, int]]:
    """StrToAddrAndPortRange(): ADDR:PORT[-PORT]."""
    if ":" not in word:
        raise NatdError(f"{word} is missing port number")
    host, _, ports = word.partition(":")
    return _address(host), _port_range(ports, proto)


def _port_range(word: str, proto: str) -> tuple[int, int]:
    """StrToPortRange(): a service name, a port, or LOW-HIGH; the first port
    and how many."""
    port = service_port(word, proto) if not word[:1].isdigit() else None
    if port is not None:
        return port, 1
    if "-" not in word:
        number = _leading_number(word)
        if number is None:
            raise NatdError(f"{word}/{proto}: unknown service")
        return number & 0xffff, 1
    low_text, _, high_text = word.partition("-")
    low, high = _leading_number(low_text), _leading_number(high_text)
    if low is None or high is None or not low <= high or high > 0xffff:
        raise NatdError(f"invalid port range {word}")
    return low, high - low + 1


def _port(word: str, proto: str) -> int:
    """StrToPort(): a number, or a service name of the protocol."""
    number = _leading_number(word)
    if number is not None:
        return number & 0xffff
    if proto == "divert" and word == "natd":
        return NATD_PORT
    port = service_port(word, proto)
    if port is None:
        raise NatdError(f"{word}/{proto}: unknown service")
    return port


def _leading_number(word: str) -> int | None:
    """strtol(): the digits at the start, None when there are none."""
    digits = ""
    for char in word.lstrip():
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else None


def _address(word: str) -> ipaddress.IPv4Address:
    """StrToAddr(): a dotted quad (host names are not looked up in the sim)."""
    try:
        return ipaddress.IPv4Address(word)
    except ValueError:
        raise NatdError(f"unknown host {word}") from None


# -- start (main) --------------------------------------------------------------------------

def _setup(proc: Proc, settings: Settings) -> Natd:
    """main() after ParseArgs(): the checks, the divert socket, the alias
    address, in natd's order."""
    interface = settings.values.get("interface")
    if settings.address is None and interface is None:
        raise NatdError("instance default: aliasing address not given")
    if settings.address is not None and interface is not None:
        raise NatdError("both alias address and interface name are not allowed")
    port = int(settings.values.get("port", NATD_PORT))
    # socket(PF_INET, SOCK_RAW, IPPROTO_DIVERT) and bind(), Quit()'s warn()
    if "ipdivert" not in proc.kernel.modules:
        raise NatdError("Unable to create divert socket.: "
                        "Address family not supported by protocol family")
    if any(l.proto == "divert" and l.port == port for l in proc.vnet.listeners):
        raise NatdError("Unable to bind divert socket.: Address already in use")
    dynamic = settings.flags.get("dynamic", False)
    address = settings.address
    if interface is not None and not dynamic:
        address = _interface_address(proc, interface)
    engine = Alias(same_ports=settings.flags["same_ports"],
                   deny_incoming=settings.flags.get("deny_incoming", False),
                   unregistered_only=settings.flags.get("unregistered_only", False),
                   redirects=settings.redirects)
    return Natd(interface, address, dynamic, engine)


def _interface_address(proc: Proc, name: str) -> ipaddress.IPv4Address:
    """SetAliasAddressFromIfName(), before natd detaches."""
    if proc.vnet.ifunit(name) is None:
        raise NatdError(f"unknown interface name {name}")
    address = proc.vnet.first_address(name)
    if address is None:
        raise NatdError(f"{name}: cannot get interface address")
    return address


def _serve(proc: Proc, settings: Settings, natd: Natd) -> int:
    """DaemonMode(): detach, write the pid file, serve the divert socket
    (sockstat shows it as "div4 *:8668")."""
    process = proc.kernel.spawn(proc.prison.jid, "natd")
    port = int(settings.values.get("port", NATD_PORT))
    listen(proc.vnet, Listener("divert", "4", None, port, process.pid, 3, proc.user, "natd",
                               handler=natd))
    if settings.flags.get("log"):
        natd.engine.log = _alias_log(proc)
    write_pid(proc, settings.values.get("pid_file", "/var/run/natd.pid"), process.pid)
    return 0


def _alias_log(proc: Proc) -> Callable[[str], None]:
    """PKT_ALIAS_LOG: /var/log/alias.log, truncated at start (InitPacketAliasLog())."""
    where = proc.where()
    vfs = proc.kernel.vfs

    def write(line: str, append: bool = True) -> None:
        try:
            vfs.write(ALIAS_LOG, line + "\n", append=append, **where)
        except OSErr:
            pass
    write("PacketAlias/InitPacketAliasLog: Packet alias logging enabled.", append=False)
    return write
