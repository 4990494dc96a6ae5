"""The daemons the rc.d scripts start, as far as the howtos see them: the
process (ps, rc's "Waiting for PIDS"), its pid file, and its sockets
(sockstat, connections).

- syslogd: the local log sockets; with one -s (the default flags) it still
  opens UDP port 514, with -ss none (syslogd(8)).
- sshd: TCP port 22 for IPv6 and IPv4, answering with its version line;
  logins go through Sshd.login. The first start makes the host keys
  (rc.d/sshd sshd_keygen), printing what ssh-keygen prints.
- cron: no sockets."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from typing import TYPE_CHECKING

from .errno import OSErr, strerror
from .passwd import accounts, check
from .proc import Buffer, Input, Proc
from .services import SshGreeting
from .socket import ConnectError, Listener, close_all, connect, listen

if TYPE_CHECKING:
    from .kernel import Kernel, Process
    from .vnet import Vnet

HOST_KEYS = [("rsa", "RSA", 3072), ("ecdsa", "ECDSA", 256), ("ed25519", "ED25519", 256)]


def running(proc: "Proc", name: str) -> "Process | None":
    return next((p for p in proc.kernel.processes
                 if p.jid == proc.prison.jid and p.command == name), None)


def start(proc: "Proc", name: str, flags: str = "", address=None,
          pid_file: str | None = None) -> "Process":
    """Start daemon ``name`` in the process's jail; returns its process.
    ``address`` binds sshd to one address instead of all."""
    kernel = proc.kernel
    process = kernel.spawn(proc.prison.jid, name)
    vnet = proc.vnet
    if name == "syslogd":
        listen(vnet, Listener("dgram", "unix", None, 0, process.pid, 4, "root", name, path="/var/run/log"))
        listen(vnet, Listener("dgram", "unix", None, 0, process.pid, 5, "root", name,
                              path="/var/run/logpriv"))
        if "-ss" not in flags.split():
            listen(vnet, Listener("udp", "6", None, 514, process.pid, 6, "root", name))
            listen(vnet, Listener("udp", "4", None, 514, process.pid, 7, "root", name))
    elif name == "sshd":
        handler = Sshd(proc.prison.jid)
        if address is None:
            listen(vnet, Listener("tcp", "6", None, 22, process.pid, 3, "root", name, handler))
        listen(vnet, Listener("tcp", "4", address, 22, process.pid, 4, "root", name, handler))
    write_pid(proc, pid_file or f"/var/run/{name}.pid", process.pid)
    return process


def write_pid(proc: "Proc", path: str, pid: int) -> None:
    """pidfile(3): a daemon records its pid (best effort, as daemons do)."""
    try:
        proc.kernel.vfs.write(path, f"{pid}\n", **proc.where())
    except OSErr:
        pass


def stop(proc: "Proc", process: "Process") -> None:
    kernel = proc.kernel
    kernel.processes.remove(process)
    close_all(proc.vnet, process.pid)
    try:
        kernel.vfs.unlink(f"/var/run/{process.command}.pid", **proc.where())
    except OSErr:
        pass


def ssh_keygen_all(proc: "Proc") -> str:
    """rc.d/sshd sshd_keygen: make the missing host keys; what it prints."""
    out = []
    hostname = proc.prison.hostname.split(".")[0] or "localhost"
    for alg, label, bits in HOST_KEYS:
        path = f"/etc/ssh/ssh_host_{alg}_key"
        if proc.kernel.vfs.exists(path, **proc.where()):
            continue
        digest = hashlib.sha256(f"{proc.kernel.hostuuid}{proc.prison.jid}{alg}{proc.kernel.clock}"
                                .encode()).digest()
        fingerprint = _base64(digest)
        try:
            proc.kernel.vfs.mkdir("/etc/ssh", parents=True, **proc.where())
            proc.kernel.vfs.write(path, f"-----BEGIN OPENSSH PRIVATE KEY-----\n(modelled {label})\n"
                                  "-----END OPENSSH PRIVATE KEY-----\n", mode=0o600, **proc.where())
            proc.kernel.vfs.write(path + ".pub", f"ssh-{alg} AAAA{fingerprint} root@{hostname}\n",
                                  **proc.where())
        except OSErr:
            continue
        out.append(f"Generating {label} host key.\n{bits} SHA256:{fingerprint} root@{hostname} "
                   f"({label})\n")
    return "".join(out)


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


class Sshd(SshGreeting):
    """sshd in one jail (or the host): FreeBSD's defaults allow
    keyboard-interactive (PAM) logins with a password, no root logins."""

    def __init__(self, jid: int) -> None:
        self.jid = jid

    def session(self, kernel: Kernel, user: str, password: str, command: str, address: str,
                stdin: str = "") -> tuple[int, str, str]:
        """A login as ``user`` that runs ``command`` with the user's shell
        environment in this sshd's jail."""
        prison = kernel.prison0 if self.jid == 0 else kernel.prisons.get(self.jid)
        if prison is None:
            raise SshRefused(f"Connection closed by {address} port 22")
        where = {"root": prison.path, "cwd": "/"}
        account = next((a for a in accounts(lambda p: kernel.vfs.read(p, **where)) if a.name == user),
                       None)
        # sshd_config defaults: PermitRootLogin no; passwords through PAM
        if account is None or user == "root" or not check(account.password, password):
            raise SshRefused(f"{user}@{address}: Permission denied (publickey,keyboard-interactive).")
        env = {"USER": user, "LOGNAME": user, "HOME": account.home, "SHELL": account.shell,
               "PATH": "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:"
                       f"{account.home}/bin",
               "SSH_CONNECTION": f"{address} 22", "TERM": "xterm"}
        cwd = account.home if kernel.vfs.exists(account.home, **where) else "/"
        out, err = Buffer(), Buffer()
        proc = Proc(kernel, prison, cwd, env, Input(stdin), out, err, user=user)
        status = proc.sh(command)
        return status, out.getvalue(), err.getvalue()


class SshRefused(Exception):
    """What ssh(1) prints when it cannot log in."""


def ssh_session(kernel: Kernel, vnet: Vnet, address: str, port: int, user: str, password: str,
                command: str, stdin: str = "") -> tuple[int, str, str]:
    """An ssh client in ``vnet`` logging in to address:port."""
    try:
        target = ipaddress.IPv4Address(address)
    except ValueError:
        raise SshRefused(f"ssh: Could not resolve hostname {address}: Name does not resolve") from None
    try:
        connection = connect(kernel, vnet, target, port)
    except ConnectError as exc:
        raise SshRefused(f"ssh: connect to host {address} port {port}: {strerror(exc.errno)}") from None
    sshd = connection.listener.handler
    if not isinstance(sshd, Sshd):
        raise SshRefused(f"kex_exchange_identification: Connection closed by remote host\n"
                         f"Connection closed by {address} port {port}")
    return sshd.session(kernel, user, password, command, address, stdin)
