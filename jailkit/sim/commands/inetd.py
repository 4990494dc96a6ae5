"""inetd(8), the internet super-server (usr.sbin/inetd): for each line of
its configuration file,

    service-name socket-type protocol wait|nowait user server-program args

it listens on the service's port and runs the server program for every
connection, with the connection as the program's standard input and
output. jailkit's lab uses it to serve whois and http from sh scripts.
inetd detaches at once; a line it cannot use is logged and skipped."""

from __future__ import annotations

from dataclasses import dataclass

from ..errno import OSErr
from ..packet import service_port
from ..daemons import write_pid
from ..kernel import Kernel
from ..proc import Buffer, Input, Proc, program
from ..socket import Listener, listen
from ...getopt import GetoptError, getopt


@dataclass
class Server:
    """One inetd.conf line: the program run for each connection."""

    kernel: Kernel
    jid: int
    user: str
    argv: list[str]

    def exchange(self, request: str, peer) -> str:
        kernel = self.kernel
        prison = kernel.prison0 if self.jid == 0 else kernel.prisons.get(self.jid)
        if prison is None:
            return ""
        out = Buffer()
        proc = Proc(kernel, prison, "/", {"PATH": "/sbin:/bin:/usr/sbin:/usr/bin",
                                          "HOME": "/root" if self.user == "root" else "/"},
                    Input(request), out, Buffer(), user=self.user)
        try:
            proc.execvp(self.argv)
        except OSErr:
            return ""
        return out.getvalue()


@program("/usr/sbin/inetd")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "a:C:c:dlp:R:s:Ww")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error("usage: inetd [-dlWw] [-a address] [-C rate] [-c maximum] [-p pidfile] "
                   "[-R rate] [-s maximum] [configuration_file]\n")
        return 1
    values = dict(opts)
    path = args[0] if args else "/etc/inetd.conf"
    try:
        text = proc.kernel.vfs.read(path, **proc.where())
    except OSErr as exc:
        proc.error(f"inetd: {path}: {exc.strerror}\n")
        return 1
    process = proc.kernel.spawn(proc.prison.jid, "inetd")
    fd = 4
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) < 6:
            continue
        name, socktype, proto, _wait, user, server = words[:6]
        port = service_port(name, proto)
        if port is None or socktype != "stream" or proto not in ("tcp", "tcp4"):
            _log(proc, f"inetd[{process.pid}]: {name}/{proto}: unknown service")
            continue
        handler = Server(proc.kernel, proc.prison.jid, user.split(":")[0], [server] + words[7:])
        listen(proc.vnet, Listener("tcp", "4", None, port, process.pid, fd, "root", "inetd", handler))
        fd += 1
    write_pid(proc, values.get("p", "/var/run/inetd.pid"), process.pid)
    return 0


def _log(proc: Proc, message: str) -> None:
    try:
        proc.kernel.vfs.write("/var/log/messages", message + "\n", append=True, **proc.where())
    except OSErr:
        pass
