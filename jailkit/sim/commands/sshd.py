"""sshd(8) started by hand (rc.d/sshd starts it through jailkit.sim.rcd):
-o ListenAddress=, -o PidFile= and -p are honoured; it needs the host keys
in /etc/ssh ("sshd: no hostkeys available -- exiting."), then detaches.
-t stops after those checks (sshd.c: "if (test_flag) exit(0)"), starting
nothing. The keywords of the configuration file are not checked one by one,
and the options that change how sshd runs or what it prints (-T's dump, the
debug modes, another config file or key, inetd mode) are refused as not
modelled."""

from __future__ import annotations

import ipaddress

from .. import daemons
from ..errno import OSErr
from ..daemons import SSHD_CONFIG
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
    if proc.refuses({flag for flag, _ in opts} & set("46DdeGiqTVCcEfghku")):
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
    if any(flag == "t" for flag, _ in opts):
        return _test(proc)
    address = settings.get("listenaddress")
    try:
        bound = ipaddress.IPv4Address(address) if address else None
    except ValueError:
        proc.error(f"/etc/ssh/sshd_config line 0: Bad ListenAddress: {address}\n")
        return 255
    started = daemons.start(proc, "sshd", address=bound, pid_file=settings.get("pidfile"))
    return 0 if started is not None else 255


def _test(proc: Proc) -> int:
    """sshd -t: the configuration file must be readable (servconf.c
    load_server_config(): perror(filename), exit 1); the host keys were
    checked before."""
    try:
        proc.kernel.vfs.read(SSHD_CONFIG, **proc.where())
    except OSErr as exc:
        proc.error(f"{SSHD_CONFIG}: {exc.strerror}\n")
        return 1
    return 0
