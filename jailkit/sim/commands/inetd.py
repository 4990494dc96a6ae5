"""inetd(8), the internet super-server (usr.sbin/inetd), started by hand:
it reads its configuration file (default /etc/inetd.conf), listens for
each usable line and detaches; jailkit.sim.daemons.Inetd serves the lines
(stream services over TCP, dgram services over UDP, the internal echo,
discard and daytime). jailkit's lab uses it to serve whois and http from
sh scripts."""

from __future__ import annotations

from ..daemons import INETD_CONF, Inetd
from ..errno import OSErr
from ..proc import Proc, program
from ...getopt import getopt

USAGE = ("usage: inetd [-dlWw] [-a address] [-C rate] [-c maximum] [-p pidfile] "
         "[-R rate] [-s maximum] [configuration_file]\n")


@program("/usr/sbin/inetd")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "a:C:c:dlp:R:s:Ww", USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    pid_file = next((value for flag, value in opts if flag == "p" and value), "/var/run/inetd.pid")
    path = args[0] if args else INETD_CONF
    try:
        proc.kernel.vfs.read(path, **proc.where())
    except OSErr as exc:
        proc.error(f"inetd: {path}: {exc.strerror}\n")
        return 1
    Inetd(proc).start(path, pid_file)
    return 0
