"""The daemons the rc.d scripts start, as far as the howtos see them: the
process (ps, rc's "Waiting for PIDS"), its pid file, and its sockets
(sockstat, connections).

- syslogd: the local log sockets; with one -s (the default flags) it still
  opens UDP port 514, with -ss none (syslogd(8)).
- sshd: TCP port 22 for IPv6 and IPv4, answering with its version line;
  logins go through PAM as FreeBSD 14's OpenSSH does them (Sshd). The
  first start makes the host keys (rc.d/sshd sshd_keygen), printing what
  ssh-keygen prints.
- inetd: a socket for each usable line of its configuration (Inetd).
- cron: no sockets."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errno import EAFNOSUPPORT, OSErr, strerror
from .octets import lines as text_lines
from .packet import service_port
from .passwd import (ERROR_MSG, MASTER, Account, PamError, account_status, accounts, authenticate,
                     authtok_prompt, change_password, with_account)
from .proc import Buffer, Input, Proc
from .services import SshGreeting
from .socket import ConnectError, Listener, bind, close_all, connect
from .vfs import Where

if TYPE_CHECKING:
    from .kernel import Kernel, Prison, Process
    from .vnet import Vnet

HOST_KEYS = [("rsa", "RSA", 3072), ("ecdsa", "ECDSA", 256), ("ed25519", "ED25519", 256)]
SALT_CHARS = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def running(proc: "Proc", name: str) -> "Process | None":
    """The oldest process ``name`` in the process's jail, or None."""
    kernel = proc.kernel
    return kernel.process_index.find(kernel.processes, proc.prison.jid, name)


def start(proc: "Proc", name: str, flags: str = "", address: ipaddress.IPv4Address | None = None,
          pid_file: str | None = None) -> "Process | None":
    """Start daemon ``name`` in the process's jail; returns its process, or
    None when it could not start (what it said is on the stderr).
    ``address`` binds sshd to one address instead of all."""
    if name == "inetd":
        # rc.d/inetd: the daemon reads /etc/inetd.conf (inetd_flags only
        # tune its rate limits, which the sim does not model).
        return Inetd(proc).start(INETD_CONF, pid_file or "/var/run/inetd.pid")
    kernel = proc.kernel
    process = kernel.spawn(proc.prison.jid, name)
    if name == "syslogd":
        _bind(proc, Listener("dgram", "unix", None, 0, process.pid, 4, "root", name, path="/var/run/log"))
        _bind(proc, Listener("dgram", "unix", None, 0, process.pid, 5, "root", name,
                             path="/var/run/logpriv"))
        if "-ss" not in flags.split():
            _bind(proc, Listener("udp", "6", None, 514, process.pid, 6, "root", name))
            _bind(proc, Listener("udp", "4", None, 514, process.pid, 7, "root", name))
    elif name == "sshd" and not _sshd_listen(proc, process, address):
        return None
    write_pid(proc, pid_file or f"/var/run/{name}.pid", process.pid)
    return process


def _bind(proc: "Proc", listener: Listener) -> OSErr | None:
    """A daemon's listening socket in its jail; the error when it has none
    (a family the jail has no address of is skipped by the daemons)."""
    try:
        bind(proc.prison, listener)
    except OSErr as exc:
        return exc
    return None


def _sshd_listen(proc: "Proc", process: "Process", address: ipaddress.IPv4Address | None) -> bool:
    """sshd's listen_on_addrs: a socket per family (IPv6 first; socket()
    failing for a family the jail lacks is only logged at verbose level);
    a bind that fails is an error, and with no socket at all sshd exits
    ("Cannot bind any address."), before it detaches."""
    handler = Sshd(proc.prison.jid, proc.kernel)
    bound = False
    if address is None:
        failure6 = _bind(proc, Listener("tcp", "6", None, 22, process.pid, 3, "root", "sshd",
                                        handler))
        bound = failure6 is None
        if failure6 is not None and failure6.errno != EAFNOSUPPORT:
            # the address sshd asked for (::), as getnameinfo() printed it
            # before bind(); in a jail the kernel chose the jail's (a
            # tentative one is EADDRNOTAVAIL)
            proc.error(f"Bind to port 22 on :: failed: {failure6.strerror}.\n")
    failure = _bind(proc, Listener("tcp", "4", address, 22, process.pid, 4, "root", "sshd", handler))
    if failure is not None and failure.errno != EAFNOSUPPORT:
        shown = address or proc.prison.local_ip4(None) or "0.0.0.0"
        proc.error(f"Bind to port 22 on {shown} failed: {failure.strerror}.\n")
    if bound or failure is None:
        return True
    proc.error("Cannot bind any address.\n")
    stop(proc, process)
    return False


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


def log(proc: "Proc", message: str) -> None:
    """syslog(3), as /var/log/messages shows it (best effort)."""
    try:
        proc.kernel.vfs.write("/var/log/messages", message + "\n", append=True, **proc.where())
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


# -- sshd ----------------------------------------------------------------------------------

SSHD_CONFIG = "/etc/ssh/sshd_config"
# sshd sends BADPW in place of the answers of a user who may not log in, so
# PAM refuses them the same way as a wrong password (auth-pam.c).
BADPW = "\b\n\r\177INCORRECT"
# LoginGraceTime (120 s) ends a login that never finishes; the sim counts a
# second for each prompt answered.
GRACE_PROMPTS = 120

# What a client answers to a prompt (None: it has no answer).
Answer = Callable[[str], str | None]


@dataclass
class SshdConfig:
    """The sshd_config(5) keywords the logins depend on, with FreeBSD's
    defaults (its sshd_config(5): passwords only through keyboard-
    interactive PAM, no root logins, UseDNS yes)."""

    password_authentication: bool = False
    kbd_interactive: bool = True
    permit_root_login: str = "no"
    permit_empty_passwords: bool = False
    use_dns: bool = True

    KEYWORDS = {"passwordauthentication": "password_authentication",
                "kbdinteractiveauthentication": "kbd_interactive",
                "challengeresponseauthentication": "kbd_interactive",
                "permitrootlogin": "permit_root_login",
                "permitemptypasswords": "permit_empty_passwords", "usedns": "use_dns"}

    @classmethod
    def parse(cls, text: str) -> "SshdConfig":
        """The first value given for a keyword is the one used; the global
        part ends at the first Match line (sshd_config(5))."""
        config, seen = cls(), set()
        for line in text_lines(text):
            words = line.split("#", 1)[0].replace("=", " ", 1).split()
            if not words:
                continue
            keyword = words[0].lower()
            if keyword == "match":
                break
            attribute = cls.KEYWORDS.get(keyword)
            if attribute is None or attribute in seen or len(words) < 2:
                continue
            seen.add(attribute)
            value = words[1].lower()
            chosen = value if attribute == "permit_root_login" else value == "yes"
            setattr(config, attribute, chosen)
        return config

    def methods(self) -> str:
        """The methods sshd offers, in its order (auth2.c authmethods[])."""
        offered = ["publickey"]
        offered += ["password"] if self.password_authentication else []
        offered += ["keyboard-interactive"] if self.kbd_interactive else []
        return ",".join(offered)


@dataclass
class Login:
    """An authenticated user; force_pwchange: the password expired and was
    not changed while authenticating (session.c do_pwchange)."""

    account: Account
    prison: "Prison"
    force_pwchange: bool = False


class AuthFailed(Exception):
    """One authentication attempt that sshd refused."""


class Sshd(SshGreeting):
    """sshd in one jail (or the host), with UsePAM yes and FreeBSD's
    /etc/pam.d/sshd: pam_unix authenticates and checks the account.

    keyboard-interactive (crypto/openssh/auth-pam.c sshpam_thread): PAM asks
    "Password for USER@HOST:"; when pam_unix says the password has expired
    (pw_change passed), pam_chauthtok runs in the same conversation, as
    root, so it asks "New Password:" and "Retype New Password:" but not the
    old one, and the login goes on with the new password saved.

    password (auth-pam.c sshpam_auth_passwd): the password is checked
    without a conversation; an expired one is left to the session, which
    with no terminal says so and ends (session.c do_pwchange)."""

    def __init__(self, jid: int, kernel: "Kernel") -> None:
        self.jid = jid
        # the machine it runs on: a client may be on another (the lab's)
        self.kernel = kernel

    def prison(self, kernel: "Kernel") -> "Prison":
        prison = kernel.prison0 if self.jid == 0 else kernel.prisons.get(self.jid)
        if prison is None:
            raise SshRefused("Connection closed by remote host")
        return prison

    def config(self, kernel: "Kernel") -> SshdConfig:
        try:
            return SshdConfig.parse(kernel.vfs.read(SSHD_CONFIG, **_where(self.prison(kernel))))
        except OSErr:
            return SshdConfig()

    def keyboard_interactive(self, kernel: "Kernel", user: str, answer: Answer,
                             rhost: str) -> Login:
        """One keyboard-interactive attempt; raises AuthFailed."""
        prison, config = self.prison(kernel), self.config(kernel)
        account, permitted = self._account(kernel, prison, config, user)
        converse = _Conversation(answer, permitted)
        try:
            authenticate(account, converse, authtok_prompt(user, prison.hostname, rhost),
                         disallow_null=not config.permit_empty_passwords)
            assert account is not None
            status = account_status(account, kernel.now().timestamp())
            if status == "PAM_NEW_AUTHTOK_REQD":
                account = change_password(account, converse, as_root=True, salt=_salt(kernel))
                _save(kernel, prison, account)
            elif status != "PAM_SUCCESS":
                raise PamError(status)
        except PamError:
            raise AuthFailed() from None
        return Login(account, prison)

    def password(self, kernel: "Kernel", user: str, password: str) -> Login:
        """One password-method attempt; raises AuthFailed."""
        prison, config = self.prison(kernel), self.config(kernel)
        account, permitted = self._account(kernel, prison, config, user)
        if not config.password_authentication:
            raise AuthFailed()
        try:
            authenticate(account, _Conversation(lambda prompt: password, permitted), "",
                         disallow_null=not config.permit_empty_passwords)
        except PamError:
            raise AuthFailed() from None
        assert account is not None
        status = account_status(account, kernel.now().timestamp())
        if status not in ("PAM_SUCCESS", "PAM_NEW_AUTHTOK_REQD"):
            raise AuthFailed()
        return Login(account, prison, force_pwchange=status == "PAM_NEW_AUTHTOK_REQD")

    def _account(self, kernel: "Kernel", prison: "Prison", config: SshdConfig,
                 user: str) -> tuple[Account | None, bool]:
        """The user's account, and whether they may log in at all (an
        unknown user or root under PermitRootLogin other than yes may not;
        PAM still converses with them)."""
        account = next((a for a in accounts(lambda p: kernel.vfs.read(p, **_where(prison)))
                        if a.name == user), None)
        permitted = account is not None and (account.uid != 0 or config.permit_root_login == "yes")
        return account, permitted

    def run(self, kernel: "Kernel", login: Login, command: str, address: str,
            stdin: str = "") -> tuple[int, str, str]:
        """The session: ``command`` with the user's environment, or, when
        the password has to be changed first, session.c's refusal (the
        sim's clients have no terminal to run passwd(1) on)."""
        if login.force_pwchange:
            return 1, "", ("WARNING: Your password has expired.\n"
                           "Password change required but no TTY available.\n")
        account, prison = login.account, login.prison
        env = {"USER": account.name, "LOGNAME": account.name, "HOME": account.home,
               "SHELL": account.shell,
               "PATH": "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:"
                       f"{account.home}/bin",
               "SSH_CONNECTION": f"{address} 22", "TERM": "xterm"}
        cwd = account.home if kernel.vfs.exists(account.home, **_where(prison)) else "/"
        out, err = Buffer(), Buffer()
        proc = Proc(kernel, prison, cwd, env, Input(stdin), out, err, user=account.name)
        status = proc.sh(command)
        return status, out.getvalue(), err.getvalue()

    def session(self, kernel: "Kernel", user: str, password: str, command: str, address: str,
                stdin: str = "", rhost: str = "") -> tuple[int, str, str]:
        """A login as jailkit's harness makes one (paramiko, jailkit.hosts.
        login): the password method when sshd offers it, otherwise one
        keyboard-interactive attempt answering every prompt with
        ``password``; then ``command`` runs."""
        methods = self.config(kernel).methods()
        try:
            if "password" in methods.split(","):
                try:
                    login = self.password(kernel, user, password)
                except AuthFailed:
                    raise SshRefused(f"{user}@{address}: Permission denied") from None
            else:
                login = self.keyboard_interactive(kernel, user, lambda prompt: password, rhost)
        except AuthFailed:
            raise SshRefused(f"{user}@{address}: Permission denied ({methods}).") from None
        return self.run(kernel, login, command, address, stdin)


class _Conversation:
    """The PAM conversation of one login, as sshd relays it: messages are
    sent with the next prompt (sshpam_query), the answers of a user who may
    not log in are replaced by BADPW, and LoginGraceTime ends it."""

    def __init__(self, answer: Answer, permitted: bool) -> None:
        self.answer = answer
        self.permitted = permitted
        self.pending: list[str] = []
        self.prompts = 0

    def __call__(self, style: str, message: str) -> str | None:
        if style == ERROR_MSG:
            self.pending.append(message)
            return None
        self.prompts += 1
        if self.prompts > GRACE_PROMPTS:
            return None
        prompt = "".join(line + "\n" for line in self.pending) + message
        self.pending.clear()
        response = self.answer(prompt)
        return response if self.permitted or response is None else BADPW


def _where(prison: "Prison") -> Where:
    return {"root": prison.path, "cwd": "/"}


def _salt(kernel: "Kernel") -> str:
    return "".join(kernel.rng.choice(SALT_CHARS) for _ in range(16))


def _save(kernel: "Kernel", prison: "Prison", account: Account) -> None:
    """pam_unix's pw_copy and pw_mkdb: the account's new line in place."""
    where = _where(prison)
    kernel.vfs.write(MASTER, with_account(kernel.vfs.read(MASTER, **where), account), mode=0o600,
                     **where)


class SshRefused(Exception):
    """What ssh(1) prints when it cannot log in."""


def ssh_session(kernel: "Kernel", vnet: "Vnet", address: str, port: int, user: str, password: str,
                command: str, stdin: str = "") -> tuple[int, str, str]:
    """jailkit's harness client in ``vnet`` logging in to address:port (see
    Sshd.session)."""
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
    return sshd.session(kernel, user, password, command, address, stdin, str(connection.peer[0]))


# -- inetd ---------------------------------------------------------------------------------

INETD_CONF = "/etc/inetd.conf"
# The internal services the sim answers (usr.sbin/inetd/builtins.c); the
# others are logged and skipped.
INTERNAL = ("echo", "discard", "daytime")


@dataclass
class InetdServer:
    """What answers on one inetd socket: an internal service, or the
    server program of an inetd.conf line run for each request. A stream
    program has the connection as its standard input and output; a dgram
    one gets the socket itself, from which a program can only read the
    datagram: an answer needs sendto(2), which a shell script has not, so
    its output goes nowhere. Of the internal services, echo gives back
    what it got, discard nothing, daytime the time as ctime(3) writes it
    ("%.24s\\r\\n")."""

    kernel: "Kernel"
    jid: int
    user: str
    argv: list[str]
    socktype: str               # stream or dgram
    internal: str = ""          # the internal service's name

    def exchange(self, request: str, peer: object) -> str:
        if self.internal == "echo":
            return request
        if self.internal == "daytime":
            now = self.kernel.now()
            return f"{now:%a %b} {now.day:2d} {now:%H:%M:%S %Y}\r\n"
        if self.internal:
            return ""
        prison = self.kernel.prison0 if self.jid == 0 else self.kernel.prisons.get(self.jid)
        if prison is None:
            return ""
        out = Buffer()
        proc = Proc(self.kernel, prison, "/", {"PATH": "/sbin:/bin:/usr/sbin:/usr/bin",
                                               "HOME": "/root" if self.user == "root" else "/"},
                    Input(request), out, Buffer(), user=self.user)
        try:
            proc.execvp(self.argv)
        except OSErr:
            return ""
        return out.getvalue() if self.socktype == "stream" else ""


class Inetd:
    """inetd(8): for each line of its configuration,

        service-name socket-type protocol wait|nowait user server-program args

    a socket on the service's port (stream/tcp, dgram/udp), answered by the
    server program (args start with its argv[0]), run as the line's user,
    or by an internal service. A line it cannot use (an unknown service,
    protocol or user) is logged and skipped (usr.sbin/inetd/inetd.c)."""

    def __init__(self, proc: "Proc") -> None:
        self.proc = proc

    def start(self, config_path: str, pid_file: str) -> "Process":
        proc = self.proc
        process = proc.kernel.spawn(proc.prison.jid, "inetd")
        try:
            text = proc.kernel.vfs.read(config_path, **proc.where())
        except OSErr as exc:
            log(proc, f"inetd[{process.pid}]: {config_path}: {exc.strerror}")
            text = ""
        self.serve(process, text)
        write_pid(proc, pid_file, process.pid)
        return process

    def serve(self, process: "Process", text: str) -> None:
        fd = 4
        for line in text_lines(text):
            words = line.split("#", 1)[0].split()
            if len(words) < 6:
                continue
            if self._listen(process, words, fd):
                fd += 1

    def _listen(self, process: "Process", words: list[str], fd: int) -> bool:
        proc = self.proc
        name, socktype, proto, _wait, user, server = words[:6]
        kind = {("stream", "tcp"): "tcp", ("stream", "tcp4"): "tcp",
                ("dgram", "udp"): "udp", ("dgram", "udp4"): "udp"}.get((socktype, proto))
        port = service_port(name, proto.rstrip("4"))
        if kind is None or port is None:
            log(proc, f"inetd[{process.pid}]: {name}/{proto}: unknown service")
            return False
        owner = user.split(":")[0].split("/")[0]
        users = accounts(lambda path: proc.kernel.vfs.read(path, **proc.where()))
        if not any(account.name == owner for account in users):
            log(proc, f"inetd[{process.pid}]: {name}/{proto}: no such user '{owner}', "
                      "service ignored")
            return False
        if server == "internal" and name not in INTERNAL:
            log(proc, f"inetd[{process.pid}]: internal service {name} is not modelled by "
                      "the jailkit sim")
            return False
        internal = name if server == "internal" else ""
        handler = InetdServer(proc.kernel, proc.prison.jid, owner, [server] + words[7:], socktype,
                              internal)
        failure = _bind(proc, Listener(kind, "4", None, port, process.pid, fd, "root", "inetd",
                                       handler))
        if failure is not None:
            # inetd.c setup(): syslog(LOG_ERR, "%s/%s: bind: %m", ...)
            log(proc, f"inetd[{process.pid}]: {name}/{proto}: bind: {failure.strerror}")
            return False
        return True
