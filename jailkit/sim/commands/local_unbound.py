"""local-unbound(8), the base system's copy of unbound (usr.sbin/unbound),
as jailkit's lab uses it: a name server for the lab's names only. From its
configuration file the sim takes the addresses it serves on (interface:)
and the names it knows (local-data: "NAME A ADDRESS", local-data-ptr:);
with local-zone "." static every other name does not exist. It detaches."""

from __future__ import annotations

import ipaddress
import re

from ..errno import OSErr
from ..octets import lines as text_lines
from ..proc import Proc, program
from ..services import NameServer
from ..socket import Listener, listen
from ...getopt import GetoptError, getopt, option_values

SETTING = re.compile(r'^\s*([a-z-]+):\s*"?([^"]*)"?\s*$')


@program("/usr/sbin/local-unbound")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "c:dhpvV")
    except GetoptError as exc:
        proc.warnx(str(exc))
        return 1
    path = option_values(opts).get("c", "/var/unbound/unbound.conf")
    now = int(proc.kernel.now().timestamp())
    prefix = f"[{now}] local-unbound[{proc.kernel.next_pid}:0]"
    try:
        text = proc.kernel.vfs.read(path, **proc.where())
    except OSErr as exc:
        proc.error(f"{prefix} error: Could not open {path}: {exc.strerror}\n"
                   f"{prefix} fatal error: Could not read config file: {path}. Maybe try unbound "
                   "-dd, it stays on the commandline to see more errors, or unbound-checkconf\n")
        return 1
    interfaces: list[ipaddress.IPv4Address] = []
    names: dict[str, ipaddress.IPv4Address] = {}
    for line in text_lines(text):
        found = SETTING.match(line.split("#", 1)[0])
        if not found:
            continue
        key, value = found.groups()
        try:
            if key == "interface":
                interfaces.append(ipaddress.IPv4Address(value))
            elif key == "local-data":
                name, kind, address = value.split()[0], value.split()[-2], value.split()[-1]
                if kind == "A":
                    names[name.rstrip(".").lower()] = ipaddress.IPv4Address(address)
        except (ValueError, IndexError):
            proc.error(f"{path}: error: {line.strip()}\nread {path} failed: 1 errors in "
                       "configuration file\n")
            return 1
    process = proc.kernel.spawn(proc.prison.jid, "local-unbound", user="unbound")
    server = NameServer(names)
    for fd, address in enumerate(interfaces or [ipaddress.IPv4Address("127.0.0.1")], start=3):
        listen(proc.vnet, Listener("udp", "4", address, 53, process.pid, fd, "unbound",
                                   "local-unbou", server))
    return 0
