"""ssh(1) as a non-interactive client (OpenSSH 9.9 in FreeBSD 14.3).

Without a terminal ssh cannot ask questions: an unknown host key ends the
connection ("Host key verification failed.") unless StrictHostKeyChecking
is no or accept-new, and a password can only come from SSH_ASKPASS when
SSH_ASKPASS_REQUIRE=force; otherwise the login is refused the way sshd's
defaults refuse it. Every failure of ssh itself exits 255; a login exits
with the remote command's status.

Logins go through the server's PAM conversation (jailkit.sim.daemons.Sshd):
an expired password is changed at the "New Password:" and "Retype New
Password:" prompts, answered by SSH_ASKPASS like any other."""

from __future__ import annotations

from collections.abc import Callable

from ..daemons import AuthFailed, Login, Sshd, SshRefused
from ..errno import OSErr, strerror
from ..octets import lines as text_lines
from ..proc import Buffer, Proc, program
from ..resolver import ResolveError, resolve
from ..services import SshGreeting
from ..socket import ConnectError, connect
from ...getopt import GetoptError, getopt

USAGE = ("usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]\n"
         "           [-c cipher_spec] [-D [bind_address:]port] [-E log_file]\n"
         "           [-e escape_char] [-F configfile] [-I pkcs11] [-i identity_file]\n"
         "           [-J destination] [-L address] [-l login_name] [-m mac_spec]\n"
         "           [-O ctl_cmd] [-o option] [-P tag] [-p port] [-R address]\n"
         "           [-S ctl_path] [-W host:port] [-w local_tun[:remote_tun]]\n"
         "           destination [command [argument ...]]\n"
         "       ssh [-Q query_option]\n")
PASSWORD_PROMPTS = 3     # ssh_config(5) NumberOfPasswordPrompts
# -o keywords the sim acts on: Port and User as -p and -l do, the host key
# ones, BatchMode (no passphrase is asked for) and ConnectTimeout (the sim's
# connections never wait, so there is nothing for it to cut short).
MODELLED_KEYWORDS = frozenset({"port", "user", "stricthostkeychecking", "userknownhostsfile",
                               "batchmode", "connecttimeout"})
# The other keywords of ssh_config(5) in OpenSSH 9.9: known to ssh, so
# refused as not modelled rather than as a bad option.
KNOWN_KEYWORDS = frozenset("""
addkeystoagent addressfamily bindaddress bindinterface canonicaldomains
canonicalizefallbacklocal canonicalizehostname canonicalizemaxdots
canonicalizepermittedcnames casignaturealgorithms certificatefile channeltimeout
checkhostip ciphers clearallforwardings compression connectionattempts
controlmaster controlpath controlpersist dynamicforward enableescapecommandline
enablesshkeysign escapechar exitonforwardfailure fingerprinthash
forkafterauthentication forwardagent forwardx11 forwardx11timeout
forwardx11trusted gatewayports globalknownhostsfile gssapiauthentication
gssapidelegatecredentials hashknownhosts host hostbasedacceptedalgorithms
hostbasedauthentication hostkeyalgorithms hostkeyalias hostname identitiesonly
identityagent identityfile ignoreunknown include ipqos
kbdinteractiveauthentication kbdinteractivedevices kexalgorithms
knownhostscommand localcommand localforward loglevel logverbose macs match
nohostauthenticationforlocalhost numberofpasswordprompts obscurekeystroketiming
passwordauthentication permitlocalcommand permitremoteopen pkcs11provider
preferredauthentications proxycommand proxyjump proxyusefdpass
pubkeyacceptedalgorithms pubkeyauthentication rekeylimit remotecommand
remoteforward requesttty requiredrsasize revokedhostkeys securitykeyprovider
sendenv serveralivecountmax serveraliveinterval sessiontype setenv stdinnull
streamlocalbindmask streamlocalbindunlink syslogfacility tag tcpkeepalive
tunnel tunneldevice updatehostkeys verifyhostkeydns visualhostkey xauthlocation
""".split())
# Options that change what ssh does or prints in ways the sim does not
# follow (forwarding, multiplexing, other config or key files, queries,
# verbosity); -T, -t, -n and the modelled ones are handled in main().
UNMODELLED_FLAGS = "46AaCfGgKkMNqsVvXxYyBbcDEeFIiJLmOPQRSWw"


@program("/usr/bin/ssh")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "46AaCfGgKkMNnqsTtVvXxYyB:b:c:D:E:e:F:I:i:J:L:l:m:O:o:P:p:"
                                      "Q:R:S:W:w:")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(USAGE)
        return 255
    if not args:
        proc.error(USAGE)
        return 255
    if proc.refuses({flag for flag, _ in opts} & set(UNMODELLED_FLAGS)):
        return 255
    options: dict[str, str] = {}
    user, port = None, None
    request_tty = None          # ssh.c: -t asks for a terminal, -tt forces one, -T none
    for flag, given in opts:
        value = given or ""
        if flag == "t":
            request_tty = "force" if request_tty == "yes" else "yes"
        elif flag == "T":
            request_tty = "no"
        elif flag == "l":
            user = value if user is None else user      # ssh.c: the first user given wins
        elif flag == "p":
            if not value.isdigit() or not 0 < int(value) < 65536:
                proc.error(f"Bad port '{value}'\n")
                return 255
            port = int(value) if port is None else port
        elif flag == "o":
            key, _, setting = value.replace("=", " ", 1).partition(" ")
            keyword, setting = key.lower(), setting.strip()
            if not _keyword_taken(proc, keyword):
                return 255
            if keyword == "port":
                if not setting.isdigit() or not 0 < int(setting) < 65536:
                    proc.error(f"command-line line 0: Bad port '{setting}'.\n")
                    return 255
                # readconf.c and ssh.c's -p: the first port given is kept
                port = int(setting) if port is None else port
            elif keyword == "user":
                user = setting if user is None else user
            options.setdefault(keyword, setting)
    if request_tty == "force":
        proc.warnx("option -tt (a forced terminal) is not modelled by the jailkit sim")
        return 255
    destination, command = args[0], " ".join(args[1:])
    if "@" in destination:
        # user@host names the user only when -l or -o User did not already
        given_user, destination = destination.rsplit("@", 1)
        user = given_user if user is None else user
    user, port = user or proc.user, port or 22
    try:
        address, _ = resolve(proc, destination)
    except ResolveError as exc:
        proc.error(f"ssh: Could not resolve hostname {destination.lower()}: {exc}\n")
        return 255
    try:
        connection = connect(proc.kernel, proc.vnet, address, port, proc.prison)
    except ConnectError as exc:
        proc.error(f"ssh: connect to host {destination} port {port}: {strerror(exc.errno)}\n")
        return 255
    server = connection.listener.handler
    if not isinstance(server, SshGreeting):
        proc.error("kex_exchange_identification: Connection closed by remote host\r\n"
                   f"Connection closed by {address} port {port}\r\n")
        return 255
    if not _host_key_accepted(proc, destination, options):
        return 255
    if request_tty == "yes" or request_tty is None and not command:
        # no terminal here to give the remote one (ssh.c, stdin not a tty)
        proc.error("Pseudo-terminal will not be allocated because stdin is not a terminal.\n")
    if not command:
        command = "/bin/sh"
    try:
        if not isinstance(server, Sshd):
            raise SshRefused(f"{user}@{destination}: Permission denied (publickey,keyboard-interactive).")
        batch = options.get("batchmode", "no").lower() in ("yes", "true")
        login = _authenticate(proc, server, user, destination, str(connection.peer[0]), batch)
        # -n: stdin is /dev/null
        given = "" if any(flag == "n" for flag, _ in opts) else proc.stdin.read()
        status, out, err = server.run(server.kernel, login, command, destination, given)
    except SshRefused as exc:
        proc.error(f"{exc}\n")
        return 255
    proc.write(out)
    proc.error(err)
    return status


def _keyword_taken(proc: Proc, keyword: str) -> bool:
    """An -o keyword (readconf.c, read as from "command-line", line 0):
    an unknown one is a bad option, a known one the sim does not follow
    is refused."""
    if keyword in MODELLED_KEYWORDS:
        return True
    if keyword in KNOWN_KEYWORDS:
        proc.warnx(f"option -o {keyword} is not modelled by the jailkit sim")
        return False
    proc.error(f"command-line: line 0: Bad configuration option: {keyword}\n")
    return False


def _authenticate(proc: Proc, server: Sshd, user: str, host: str, rhost: str,
                  batch: bool) -> Login:
    """The client's side of authentication (sshconnect2.c): the methods
    in PreferredAuthentications order that the server offers, keyboard-
    interactive then password, each tried NumberOfPasswordPrompts (3)
    times. A keyboard-interactive prompt is shown as "(USER@HOST) PROMPT",
    the password method asks "USER@HOST's password: ". BatchMode asks
    nothing (readconf.c fill_default_options: no password prompts)."""
    methods = server.config(server.kernel).methods().split(",")
    prompts = 0 if batch else PASSWORD_PROMPTS
    ask = _reader(proc)
    if "keyboard-interactive" in methods:
        for _ in range(prompts):
            try:
                return server.keyboard_interactive(server.kernel, user,
                                                   lambda prompt: ask(f"({user}@{host}) {prompt}"),
                                                   rhost)
            except AuthFailed:
                pass
    if "password" in methods:
        for attempt in range(prompts):
            if attempt:
                proc.error("Permission denied, please try again.\n")
            try:
                return server.password(server.kernel, user, ask(f"{user}@{host}'s password: "))
            except AuthFailed:
                pass
    raise SshRefused(f"{user}@{host}: Permission denied ({','.join(methods)}).")


def _host_key_accepted(proc: Proc, host: str, options: dict[str, str]) -> bool:
    """StrictHostKeyChecking: ask (the default) cannot ask without a tty."""
    # UserKnownHostsFile (ssh_config(5)): ~/.ssh/known_hosts unless given
    known = options.get("userknownhostsfile") or _home(proc) + "/.ssh/known_hosts"
    try:
        lines = text_lines(proc.kernel.vfs.read(known, **proc.where()))
    except OSErr:
        lines = []
    if any(line.split(" ", 1)[0] == host for line in lines):
        return True
    checking = options.get("stricthostkeychecking", "ask").lower()
    if checking not in ("no", "off", "accept-new"):
        proc.error("Host key verification failed.\n")
        return False
    try:
        if "userknownhostsfile" not in options:
            proc.kernel.vfs.mkdir(_home(proc) + "/.ssh", parents=True, **proc.where())
        proc.kernel.vfs.write(known, f"{host} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 (modelled)\n",
                              append=True, **proc.where())
    except OSErr:
        pass
    proc.error(f"Warning: Permanently added '{host}' (ED25519) to the list of known hosts.\n")
    return True


def _reader(proc: Proc) -> Callable[[str], str]:
    """readpass.c read_passphrase() without a terminal: the answer comes
    from SSH_ASKPASS when SSH_ASKPASS_REQUIRE=force (the prompt is its
    argument), else (or when it fails) it is empty."""
    program_path = proc.env.get("SSH_ASKPASS")
    forced = proc.env.get("SSH_ASKPASS_REQUIRE") == "force"

    def ask(prompt: str) -> str:
        if not program_path or not forced:
            return ""
        answer = Buffer()
        try:
            if proc.execvp([program_path, prompt], stdout=answer) != 0:
                return ""
        except OSErr:
            return ""
        return answer.getvalue().split("\n", 1)[0]
    return ask


def _home(proc: Proc) -> str:
    return proc.env.get("HOME", "/root")
