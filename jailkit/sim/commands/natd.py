"""natd(8): network address translation in user space, fed by ipfw's
"divert natd" rules through a divert(4) socket (sbin/natd/natd.c).

Options may be given on the command line or, one "name value" per line, in
the -f file. natd needs ipdivert.ko for its socket and an aliasing address
(-n interface or -a address); then it detaches and serves the divert port
(8668 unless -p) of the vnet it runs in."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ..errno import OSErr
from ..libalias import Alias, Redirect
from ..packet import Packet
from ..pfil import Hook
from ..daemons import write_pid
from ..proc import Proc, program
from ..socket import Listener, listen

NATD_PORT = 8668
# natd options that take an argument, with their short forms (natd.c OptionTable)
WITH_ARGUMENT = {"interface": "n", "alias_address": "a", "port": "p", "config": "f",
                 "redirect_port": "", "in_port": "i", "out_port": "o", "target_address": "t",
                 "pid_file": "P", "log_facility": "", "instance": "", "proxy_rule": "",
                 "redirect_address": "", "redirect_proto": "", "punch_fw": "",
                 "skinny_port": "", "exit_delay": "", "globalport": ""}
FLAGS = {"unregistered_only": "u", "log": "l", "proxy_only": "", "reverse": "",
         "deny_incoming": "d", "use_sockets": "s", "same_ports": "m", "verbose": "v",
         "dynamic": "", "log_denied": "", "log_ipfw_denied": "", "clamp_mss": ""}
SHORT = {v: k for k, v in {**WITH_ARGUMENT, **FLAGS}.items() if v}


@dataclass
class Natd:
    """The running natd: its aliasing engine, fed from the divert socket."""

    interface: str | None
    address: ipaddress.IPv4Address | None
    engine: Alias = field(default_factory=lambda: Alias(same_ports=False))

    def divert(self, hook: Hook, packet: Packet) -> bool:
        alias = hook.vnet.first_address(self.interface) if self.interface else self.address
        return self.engine.translate(hook.direction, packet, alias)


class NatdError(Exception):
    pass


@program("/sbin/natd")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        settings = _options(proc, argv[1:])
    except NatdError as exc:
        proc.error(f"natd: {exc}\n")
        return 1
    interface = settings.values.get("interface")
    address = settings.values.get("alias_address")
    if interface is None and address is None:
        proc.error("natd: aliasing address not given\n")
        return 1
    if "ipdivert" not in proc.kernel.modules:
        proc.error("natd: Unable to create incoming divert socket.: "
                   "Address family not supported by protocol family\n")
        return 1
    port = int(settings.values.get("port", NATD_PORT))
    if any(l.proto == "divert" and l.port == port for l in proc.vnet.listeners):
        proc.error("natd: Unable to bind incoming divert socket.: Address already in use\n")
        return 1
    try:
        alias = ipaddress.IPv4Address(address) if address else None
    except ValueError:
        proc.error(f"natd: Unknown host {address}\n")
        return 1
    natd = Natd(interface, alias)
    natd.engine.same_ports = "same_ports" in settings.values
    natd.engine.deny_incoming = "deny_incoming" in settings.values
    for spec in settings.redirects:
        natd.engine.redirects.append(spec)
    process = proc.kernel.spawn(proc.prison.jid, "natd")
    listen(proc.vnet, Listener("divert", "4", None, port, process.pid, 3, proc.user, "natd",
                               handler=natd))
    write_pid(proc, settings.values.get("pid_file", "/var/run/natd.pid"), process.pid)
    return 0


@dataclass
class Settings:
    """natd's options: each one's value by its long name ("yes" for a flag),
    and the -redirect_port rules in the order given."""

    values: dict[str, str] = field(default_factory=dict)
    redirects: list[Redirect] = field(default_factory=list)


def _options(proc: Proc, args: list[str]) -> Settings:
    settings = Settings()
    index = 0
    while index < len(args):
        word = args[index]
        if not word.startswith("-"):
            raise NatdError(f"unknown option {word}")
        name = word.lstrip("-")
        name = SHORT.get(name, name)
        if name in FLAGS:
            settings.values[name] = "yes"
            index += 1
            continue
        if name not in WITH_ARGUMENT:
            raise NatdError(f"unknown option {word}")
        if index + 1 >= len(args):
            raise NatdError(f"{word} needs an argument")
        _set(proc, settings, name, args[index + 1])
        index += 2
    return settings


def _set(proc: Proc, settings: Settings, name: str, value: str) -> None:
    if name == "config":
        try:
            text = proc.kernel.vfs.read(value, **proc.where())
        except OSErr as exc:
            raise NatdError(f"config file {value}: {exc.strerror}") from None
        for line in text.splitlines():
            words = line.split("#", 1)[0].split(None, 1)
            if not words:
                continue
            key = SHORT.get(words[0], words[0])
            if key in FLAGS:
                if len(words) == 1 or words[1].strip().lower() in ("yes", "1"):
                    settings.values[key] = "yes"
            elif key in WITH_ARGUMENT and len(words) == 2:
                _set(proc, settings, key, words[1].strip())
            else:
                raise NatdError(f"unknown option {words[0]}")
        return
    if name == "redirect_port":
        fields = value.split()
        try:
            host, _, local_port = fields[1].partition(":")
            redirect = Redirect(fields[0], ipaddress.IPv4Address(host), int(local_port),
                                int(fields[2]))
        except (IndexError, ValueError):
            raise NatdError(f"redirect_port: invalid argument {value}") from None
        settings.redirects.append(redirect)
        return
    settings.values[name] = value
