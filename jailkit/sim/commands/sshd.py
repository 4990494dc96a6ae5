"""sshd(8) started by hand (rc.d/sshd starts it through jailkit.sim.rcd):
-o ListenAddress=, -o PidFile= and -p are honoured; it needs the host keys
in /etc/ssh ("sshd: no hostkeys available -- exiting."), then detaches."""

from __future__ import annotations

import ipaddress

from .. import daemons
from ..proc import Proc, program
from ...getopt import GetoptError, getopt


@program("/usr/sbin/sshd")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "46DdeGiqTtVC:c:E:f:g:h:k:o:p:u:")
    except GetoptError as exc:
        proc.error(f"sshd: {exc}\nusage: sshd [-46DdeGiqTtV] [-C connection_spec] "
                   "[-c host_cert_file]\n            [-E log_file] [-f config_file] "
                   "[-g login_grace_time]\n            [-h host_key_file] [-o option] "
                   "[-p port] [-u len]\n")
        return 1
    if args:
        proc.error(f"sshd: Extra argument {args[0]}.\n")
        return 1
    settings = {}
    for flag, given in opts:
        value = given or ""
        if flag == "o":
            key, _, setting = value.replace("=", " ", 1).partition(" ")
            settings[key.lower()] = setting.strip()
        elif flag == "p" and value != "22":
            proc.warnx("ports other than 22 are not modelled by the jailkit sim")
            return 1
    if not proc.kernel.vfs.glob("/etc/ssh/ssh_host_*_key", root=proc.root):
        proc.error("sshd: no hostkeys available -- exiting.\n")
        return 1
    address = settings.get("listenaddress")
    try:
        bound = ipaddress.IPv4Address(address) if address else None
    except ValueError:
        proc.error(f"/etc/ssh/sshd_config line 0: Bad ListenAddress: {address}\n")
        return 255
    started = daemons.start(proc, "sshd", address=bound, pid_file=settings.get("pidfile"))
    return 0 if started is not None else 255
