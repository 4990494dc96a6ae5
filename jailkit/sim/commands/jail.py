"""jail(8): create, modify and remove jails from jail.conf(5) or the command
line (usr.sbin/jail: jail.c, command.c, config.c).

Creation runs, in order: IP aliases, mounts (mount, mount.fstab,
mount.devfs), exec.prestart, the kernel's jail_set, exec.created, the
vnet.interface moves, exec.start, command, exec.poststart. Removal runs
exec.prestop, exec.stop, SIGTERM to what is left, jail_remove,
exec.poststop, then undoes mounts and aliases. A failing command prints
"jail: NAME: COMMAND: failed" and what was done is undone in reverse."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from ... import jailconf
from ..errno import EEXIST, OSErr
from ...getopt import getopt
from ..kernel import Prison
from ..logincap import clean_environment
from ..octets import lines as text_lines
from ..passwd import accounts
from ..proc import FileOutput, Output, Proc, Sink, program
from ..vfs import Dir, File, Symlink, Where, split

USAGE = """\
usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]
            -[cmr] param=value ... [command=command ...]
       jail [-dqv] [-f file] -[cmr] [jail]
       jail [-qv] [-f file] -[rR] ['*' | jail ...]
       jail [-dhilqv] [-J jid_file] [-u username] [-U username]
            [-n jailname] [-s securelevel]
            path hostname [ip[,...]] command ...
"""
CONF_FILE = "/etc/jail.conf"
SHELL_META = set("!\"$&'()*;<>?[\\]`{|}~")

# Parameters jail(8) handles itself (config.c intparams), and the kernel's.
INTERNAL = {"interface", "ip_hostname", "mount", "mount.fstab", "mount.devfs", "mount.fdescfs",
            "mount.procfs", "exec.prestart", "exec.created", "exec.start", "command",
            "exec.poststart", "exec.prestop", "exec.stop", "exec.poststop", "exec.clean",
            "exec.consolelog", "exec.fib", "exec.jail_user", "exec.system_user",
            "exec.system_jail_user", "exec.timeout", "stop.timeout", "vnet.interface",
            "depend", "allow.dying", "zfs.dataset"}
KERNEL = {"jid", "name", "path", "host.hostname", "host.domainname", "host.hostuuid",
          "host.hostid", "securelevel", "enforce_statfs", "children.max", "persist", "vnet",
          "ip4", "ip4.addr", "ip4.saddrsel", "ip6", "ip6.addr", "ip6.saddrsel",
          "devfs_ruleset", "osrelease", "osreldate", "cpuset.id", "sysvmsg", "sysvsem", "sysvshm"}
BOOLEANS = {"persist", "mount.devfs", "mount.fdescfs", "mount.procfs", "exec.clean",
            "allow.dying", "ip4.saddrsel", "ip6.saddrsel", "exec.system_jail_user"}
LISTS = {"ip4.addr", "ip6.addr", "vnet.interface", "depend"}   # comma-separated
MULTI = {"ip4.addr", "ip6.addr", "vnet.interface", "depend", "mount", "mount.fstab",
         "exec.prestart", "exec.created", "exec.start", "command", "exec.poststart",
         "exec.prestop", "exec.stop", "exec.poststop"}


class Failed(Exception):
    """The operation on one jail failed (its message is already printed)."""


def known(name: str) -> bool:
    """Is ``name`` a parameter jail(8) or the kernel knows (jailparam_init)?"""
    base = _positive(name) or name
    return base in INTERNAL or base in KERNEL or base.startswith(("allow.", "linux"))


def _positive(name: str) -> str | None:
    """The boolean a "no" name negates ("nopersist", "ip4.nosaddrsel":
    config.c equalopts), or None."""
    head, dot, last = name.rpartition(".")
    if not last.startswith("no"):
        return None
    base = head + dot + last[2:]
    return base if base in BOOLEANS | {"vnet"} else None


@dataclass
class CfJail:
    """One jail as jail(8) sees it: its parameters after expansion."""
    label: str | None                       # the jail.conf name (None: command line)
    params: dict[str, list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        return self.string("name") or self.label

    def string(self, key: str) -> str | None:
        values = self.params.get(key)
        return values[-1] if values else None

    def flag(self, key: str) -> bool:
        if key in self.params:
            value = self.string(key)
            return value is None or value.lower() not in ("0", "false", "no", "disable", "inherit")
        return False

    def set(self, key: str, values: list[str], append: bool = False) -> None:
        if not values and _positive(key):
            key, values = _positive(key) or key, ["0"]   # "nopersist": the boolean, false
        elif not values and key.startswith("allow.no"):
            key, values = "allow." + key[len("allow.no"):], ["0"]
        if key in LISTS:
            values = [v for value in values for v in value.split(",") if v]
        if append:
            self.params.setdefault(key, []).extend(values)
        elif values or key in MULTI:
            self.params[key] = list(values)
        else:
            self.params[key] = ["1"]              # "persist;": the boolean, true


class Run:
    """One invocation of jail(8)."""

    def __init__(self, proc: Proc, verbose: int, config: str) -> None:
        self.proc = proc
        self.kernel = proc.kernel
        self.verbose = verbose
        self.config = config
        self.clean = False        # -l: exec.clean for every jail (jail.c)
        self.status = 0

    # -- messages: jail_note() and jail_warnx() prefix the jail.conf name;
    # a jail made on the command line has none (jail.c, command.c).
    def note(self, j: CfJail, text: str) -> None:
        self.proc.write(f"{j.label}: {text}\n" if j.label else f"{text}\n")

    def warn(self, j: CfJail | None, text: str) -> None:
        label = j.label if j is not None else None
        self.proc.error(f"jail: {label}: {text}\n" if label else f"jail: {text}\n")

    # -- parameters
    def from_config(self, label: str, conf: jailconf.JailConf) -> CfJail:
        j = CfJail(label)
        for param in conf.params_for(label):
            if not known(param.name):
                self.warn(None, f"unknown parameter: {param.name}")
                raise Failed()
            j.set(param.name, param.values, param.append)
        self._expand(j)
        return j

    def _expand(self, j: CfJail) -> None:
        def lookup(variable: str) -> str:
            if variable == "name":
                return j.name or ""
            value = j.params.get(variable)
            if value is None:
                raise KeyError(variable)
            return ",".join(value)
        for key, values in j.params.items():
            try:
                j.params[key] = [jailconf.expand(v, lookup) for v in values]
            except KeyError as exc:
                self.warn(j, f'{key}: unknown variable "{exc.args[0]}"')
                raise Failed() from None

    def path_of(self, j: CfJail) -> str:
        """The jail's path as the host sees it (a nested jail's path is
        inside its parent's root)."""
        path = j.string("path") or "/"
        root = self.proc.prison.path
        return "/" + "/".join(split(root) + split(path)) if root != "/" else path

    # -- commands
    def command(self, j: CfJail, prison: Prison | None, line: str, injail: bool) -> None:
        """Run one exec.* line: through /bin/sh -c when it has shell
        metacharacters (a lone trailing & only puts it in the background),
        otherwise split on blanks and exec'd directly (command.c)."""
        first = next((i for i, c in enumerate(line) if c in SHELL_META), None)
        background = first is not None and line[first] == "&" and first == len(line) - 1
        if first is not None and not background:
            argv = ["/bin/sh", "-c", line]
        else:
            argv = (line[:-1] if background else line).split()
        if not argv:
            return
        try:
            self.run_argv(j, prison, argv, injail)
        except Failed:
            if not background:    # nobody waits for a background command
                raise

    def run_argv(self, j: CfJail, prison: Prison | None, argv: list[str], injail: bool) -> None:
        """Run one command as command.c run_command() does: in the jail
        (attached, from its root) or on the host; with exec.clean, root's
        login environment and home directory (in the jail's passwd when
        it runs there); with exec.consolelog, the in-jail commands' output
        (and exec's own error) appended to that file."""
        comline = " ".join(argv)
        if self.verbose > 0:
            self.note(j, f"run command{' in jail' if injail else ''}: {comline}")
        proc = self.proc
        env = dict(proc.env)
        # The jail's identity, for the hooks (JID once the jail exists).
        env.update({"JNAME": j.name or "", "JPATH": j.string("path") or "/"})
        if prison is not None:
            env["JID"] = str(prison.jid)
        inside = prison if injail and prison is not None else proc.prison
        cwd = "/" if inside is not proc.prison else proc.cwd
        stdout, stderr = proc.stdout, proc.stderr
        log = j.string("exec.consolelog")
        if log and inside is not proc.prison:      # opened by jail(8) itself, before the fork
            stdout = stderr = self._console(j, log)
        clean = self.clean or j.flag("exec.clean")
        setup = self._clean(j, inside, proc.env.get("TERM")) if clean else (env, cwd)
        if setup is None:
            status = 1                             # the child could not set up: exit(1)
        else:
            child = proc.child(prison=inside, env=setup[0], cwd=setup[1], stdout=stdout, stderr=stderr)
            status = self._exec(j, child, argv)
        if status != 0:
            self.warn(j, f"{comline}: failed")
            raise Failed()

    def _console(self, j: CfJail, log: str) -> Output:
        self.check_path(j, "exec.consolelog", log, isfile=True)
        try:
            node = self.kernel.vfs.write(log, "", append=True)
        except OSErr as exc:
            self.warn(j, f"open {log}: {exc.strerror}")
            raise Failed() from None
        # a device (/dev/null) takes the output and keeps nothing
        return FileOutput(node) if isinstance(node, File) else Sink()

    def _exec(self, j: CfJail, child: Proc, argv: list[str]) -> int:
        """execvp(3) in the child; when it fails, jail_warnx() there (so
        into exec.consolelog) and exit(1)."""
        try:
            path, image = child.find_executable(argv[0])
        except OSErr as exc:
            child.error(f"jail: {j.label}: exec {argv[0]}: {exc.strerror}\n" if j.label
                        else f"jail: exec {argv[0]}: {exc.strerror}\n")
            return 1
        return child.child(argv0=argv[0]).exec_file(path, image, argv)

    def _clean(self, j: CfJail, prison: Prison, term: str | None) -> tuple[dict[str, str], str] | None:
        """exec.clean in the child: root's passwd entry where the command
        runs (get_user_info), its class's environment, and its home
        directory, which must exist (chdir(pw_dir)); None when the child
        says why it cannot and exits 1."""
        where: Where = {"root": prison.path, "cwd": "/"}
        root = next((a for a in accounts(lambda path: self.kernel.vfs.read(path, **where))
                     if a.uid == 0), None)
        if root is None:
            self.warn(j, "unknown uid 0")
            return None
        try:
            home = self.kernel.vfs.lookup(root.home, **where)
        except OSErr as exc:
            self.warn(j, f"chdir {root.home}: {exc.strerror}")
            return None
        if not isinstance(home, Dir):
            self.warn(j, f"chdir {root.home}: Not a directory")
            return None
        return clean_environment(root, term), root.home

    def check_path(self, j: CfJail, pname: str, path: str, isfile: bool = False,
                   umount_type: str | None = None) -> None:
        """command.c check_path(): absolute, no symbolic link below the
        jail's path, and (to unmount) really a mount of that type."""
        if not path.startswith("/"):
            self.warn(j, f"{pname}: {path}: not an absolute pathname")
            raise Failed()
        jail_path = j.string("path") or ""
        vfs = self.kernel.vfs
        if path.startswith(jail_path.rstrip("/") + "/"):
            parts = split(path)
            for depth in range(len(split(jail_path)) + 1, len(parts) + 1):
                partial = "/" + "/".join(parts[:depth])
                try:
                    found = vfs.resolve(partial, follow=False)
                except OSErr as exc:      # lstat(2) of a path whose parent is missing
                    self.warn(j, f"{pname}: {partial}: {exc.strerror}")
                    raise Failed() from None
                if found.node is None:
                    if isfile and depth == len(parts):
                        break
                    self.warn(j, f"{pname}: {partial}: No such file or directory")
                    raise Failed()
                if isinstance(found.node, Symlink):
                    self.warn(j, f"{pname}: {partial} is a symbolic link")
                    raise Failed()
        if umount_type is not None:
            mounts = [m for m in vfs.mounts if m.mountpoint == path]
            if not mounts:
                self.warn(j, f"{pname}: {path}: not a mount point")
                raise Failed()
            if mounts[-1].fstype != umount_type:
                self.warn(j, f"{pname}: {path}: not a {umount_type} mount")
                raise Failed()

    def fstab_entries(self, j: CfJail) -> list[list[str]]:
        entries: list[list[str]] = []
        for line in j.params.get("mount", []):
            fields = line.split()
            if fields:
                entries.append(fields[:4])
        for fstab in j.params.get("mount.fstab", []):
            try:
                text = self.kernel.vfs.read(fstab)
            except OSErr as exc:
                self.warn(j, f"mount.fstab: {fstab}: {exc.strerror}")
                raise Failed() from None
            for line in text_lines(text):
                fields = line.split("#", 1)[0].split()
                if fields:
                    if len(fields) < 3:
                        self.warn(j, f"mount.fstab: {line}: missing information")
                        raise Failed()
                    entries.append(fields[:4])
        return entries

    # -- create ---------------------------------------------------------------
    def create(self, j: CfJail) -> None:
        name = j.name
        if name is not None and self.kernel.find_prison(name, self.proc.prison):
            self.proc.error(f'jail: "{name}" already exists\n')
            raise Failed()
        done: list[tuple[str, object]] = []      # what to undo if a step fails
        prison: Prison | None = None
        try:
            # check_intparams reads mount.fstab before any command runs
            entries = self.fstab_entries(j)
            self._aliases(j, done)
            for entry in entries:
                self.check_path(j, "mount.fstab" if "mount.fstab" in j.params else "mount", entry[1])
                argv = ["/sbin/mount", "-t", entry[2]] + (["-o", entry[3]] if len(entry) > 3 else []) + entry[:2]
                self.run_argv(j, None, argv, injail=False)
                done.append(("umount", entry))
            if j.flag("mount.devfs"):
                path = self.path_of(j)
                self.check_path(j, "mount.devfs", f"{path}/dev")
                ruleset = j.string("devfs_ruleset")
                self.run_argv(j, None, ["/bin/sh", "-c", f". /etc/rc.subr; load_rc_config .; "
                                        f"devfs_mount_jail {path}/dev{' ' + ruleset if ruleset else ''}"],
                              injail=False)
                done.append(("devfs", f"{path}/dev"))
            for line in j.params.get("exec.prestart", []):
                self.command(j, None, line, injail=False)
            prison = self._jail_set(j)
            done.append(("remove", prison))
            if self.verbose >= 0 and (j.label is not None or self.verbose > 0):
                self.note(j, "created")
            for line in j.params.get("exec.created", []):
                self.command(j, prison, line, injail=False)
            for ifname in j.params.get("vnet.interface", []):
                target = j.string("jid") or prison.name
                self.run_argv(j, prison, ["/sbin/ifconfig", ifname, "vnet", target], injail=False)
                done.append(("vnet", (ifname, target)))
            for key in ("exec.start", "command"):
                for line in j.params.get(key, []):
                    self.command(j, prison, line, injail=True)
            for line in j.params.get("exec.poststart", []):
                self.command(j, prison, line, injail=False)
        except Failed:
            self._undo(j, done)
            raise
        # clear_persist(): persist was only held for the commands.
        if not j.flag("persist") and prison is not None and prison.jid in self.kernel.prisons:
            self.kernel.clear_persist(prison)

    def _aliases(self, j: CfJail, done: list) -> None:
        if j.flag("vnet") and j.string("vnet") != "inherit":
            return
        for argv in _alias_commands(j, "alias"):
            self.run_argv(j, None, argv, injail=False)
            done.append(("alias", argv))

    def _jail_set(self, j: CfJail) -> Prison:
        path = self.path_of(j)
        if j.label is not None and not (j.string("path") or "/").startswith("/"):
            self.warn(j, f"path {j.string('path')}: not an absolute pathname")
            raise Failed()
        try:
            node = self.kernel.vfs.lookup(path)
        except OSErr as exc:
            self.warn(j, f"path {j.string('path')}: {exc.strerror}")
            raise Failed() from None
        if not isinstance(node, Dir):
            self.warn(j, f"path {j.string('path')}: Not a directory")
            raise Failed()
        ip4 = [ipaddress.IPv4Address(text) for text in self._addresses(j, "ip4.addr")]
        ip6 = [ipaddress.IPv6Address(text) for text in self._addresses(j, "ip6.addr")]
        vnet = j.flag("vnet") and j.string("vnet") != "inherit"
        params = {k: ",".join(v) if v else "1" for k, v in j.params.items()
                  if k in KERNEL or k.startswith("allow.")}
        jid = j.string("jid")
        label = j.string("name")
        if label is None and j.label is not None and not j.label.isdigit():
            label = j.label
        if jid is None and j.label is not None and j.label.isdigit():
            jid = j.label
        # jail.c: commands to run attach to the jail (persist is held for them)
        attach = any(j.params.get(k) for k in ("exec.start", "command", "exec.poststart"))
        try:
            prison = self.kernel.jail_create(
                self.proc.prison, name=label, jid=int(jid) if jid else None, path=path,
                hostname=j.string("host.hostname"), vnet=vnet, persist=j.flag("persist"),
                attach=attach, ip4=ip4, params=params, ip6=ip6,
                children_max=int(j.string("children.max") or 0))
        except OSErr as exc:
            message = (f'jail "{jid or label}" already exists' if exc.errno == EEXIST else
                       exc.detail or f"jail_set: {exc.strerror}")
            self.warn(j if j.label is not None else None, message)
            raise Failed() from None
        if j.label is None and j.string("name") is None:
            j.params["name"] = [prison.name]
        return prison

    def _addresses(self, j: CfJail, key: str) -> list[str]:
        """The addresses of ip4.addr or ip6.addr as the kernel gets them:
        without the interface, the mask and ifconfig's options
        (config.c check_intparams); one that is not an address fails."""
        parse = ipaddress.IPv4Address if key == "ip4.addr" else ipaddress.IPv6Address
        texts = []
        for address in j.params.get(key, []):
            text = address.partition("|")[2] if "|" in address else address
            text = text.partition("/")[0].partition(" ")[0]
            try:
                parse(text)
            except ValueError:
                self.warn(j, f"{key}: {text}: Invalid argument")
                raise Failed() from None
            texts.append(text)
        return texts

    def _undo(self, j: CfJail, done: list) -> None:
        """Walk back through what creation did (next_command with
        create_failed)."""
        for kind, what in reversed(done):
            try:
                if kind == "remove" and what.jid in self.kernel.prisons:
                    self.kernel.jail_remove(what)
                elif kind == "vnet":
                    self.run_argv(j, None, ["/sbin/ifconfig", what[0], "-vnet", what[1]], injail=False)
                elif kind == "devfs":
                    self.run_argv(j, None, ["/sbin/umount", what], injail=False)
                elif kind == "umount":
                    self.run_argv(j, None, ["/sbin/umount", "-t", what[2], what[1]], injail=False)
                elif kind == "alias":
                    self.run_argv(j, None, what[:-1] + ["-alias"], injail=False)
            except Failed:
                continue

    # -- remove ---------------------------------------------------------------
    def remove(self, j: CfJail, prison: Prison, note: bool) -> None:
        if "name" not in j.params and j.label is None:
            j.params["name"] = [prison.name]
        if "path" not in j.params:
            j.params["path"] = [prison.path]
        for line in j.params.get("exec.prestop", []):
            self.command(j, prison, line, injail=False)
        for line in j.params.get("exec.stop", []):
            self.command(j, prison, line, injail=True)
        self.kernel.jail_remove(prison)
        if self.verbose > 0 or (self.verbose == 0 and note):
            self.note(j, "removed")
        for line in j.params.get("exec.poststop", []):
            self.command(j, prison, line, injail=False)
        path = prison.path
        if j.flag("mount.devfs"):
            self.check_path(j, "mount.devfs", f"{path}/dev", umount_type="devfs")
            self.run_argv(j, None, ["/sbin/umount", f"{path}/dev"], injail=False)
        for entry in self.fstab_entries(j):
            self.check_path(j, "mount.fstab", entry[1], umount_type=entry[2])
            self.run_argv(j, None, ["/sbin/umount", "-t", entry[2], entry[1]], injail=False)
        if not j.flag("vnet") or j.string("vnet") == "inherit":
            for argv in _alias_commands(j, "-alias"):
                self.run_argv(j, None, argv, injail=False)

    def modify(self, j: CfJail, prison: Prison) -> None:
        """jail -m: the kernel's update. rdtun_params() drops the parameters
        fixed at creation (vnet, path) that keep their value; the kernel
        refuses the others."""
        vnet = j.flag("vnet") if "vnet" in j.params else None
        path = self.path_of(j) if "path" in j.params else None
        try:
            self.kernel.jail_update(
                prison, vnet=None if vnet == prison.own_vnet else vnet,
                path=None if path == prison.path else path,
                hostname=(j.string("host.hostname") or "") if "host.hostname" in j.params else None,
                persist=j.flag("persist") if "persist" in j.params else None,
                allow={k: ",".join(v) or "1" for k, v in j.params.items() if k.startswith("allow.")})
        except OSErr as exc:
            self.warn(j, exc.detail or f"jail_set: {exc.strerror}")
            raise Failed() from None
        if self.verbose >= 0 and (j.label is not None or self.verbose > 0):
            self.note(j, "updated")


def _alias_commands(j: CfJail, verb: str) -> list[list[str]]:
    """command.c IP__IP4_IFADDR: for each ip4.addr naming an interface
    ("IF|ADDR") or, with ``interface``, each one: ifconfig IF inet ADDR
    with its mask ("/N" as given, "/a.b.c.d" as a netmask, none as
    255.255.255.255) and ``verb`` (alias at creation, -alias at removal,
    the same words otherwise)."""
    commands = []
    for address in j.params.get("ip4.addr", []):
        named, bar, rest = address.partition("|")
        ifname, addr = (named, rest) if bar else (j.string("interface"), address)
        if not ifname:
            continue
        base, slash, mask = addr.partition("/")
        if not slash:
            words = [addr, "netmask", "255.255.255.255"]
        elif "." in mask:
            words = [base, "netmask", mask]
        else:
            words = [addr]
        commands.append(["/sbin/ifconfig", ifname, "inet"] + words + [verb])
    return commands + _alias6_commands(j, verb)


def _alias6_commands(j: CfJail, verb: str) -> list[list[str]]:
    """command.c IP__IP6_IFADDR, after the IPv4 ones: ifconfig IF inet6
    ADDR with "prefixlen 128" when no /N is given, and ``verb``; jail(8)
    passes no no_dad, so a new address goes through DAD (tentative for a
    while, nd6_nbr.c)."""
    commands = []
    for address in j.params.get("ip6.addr", []):
        named, bar, rest = address.partition("|")
        ifname, addr = (named, rest) if bar else (j.string("interface"), address)
        if not ifname:
            continue
        words = [addr] if "/" in addr else [addr, "prefixlen", "128"]
        commands.append(["/sbin/ifconfig", ifname, "inet6"] + words + [verb])
    return commands


def _cli_jail(args: list[str]) -> CfJail:
    j = CfJail(None)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("command=") or arg == "command":
            rest = ([arg[len("command="):]] if "=" in arg else []) + args[i + 1:]
            j.params["command"] = [" ".join(_shell_quote(w) for w in rest)]
            break
        key, eq, value = arg.partition("=")
        # A list parameter given twice on the command line keeps both values.
        j.set(key, [value] if eq else [], append=key in MULTI and key in j.params)
        i += 1
    return j


def _shell_quote(word: str) -> str:
    return word if word and not (SHELL_META & set(word)) and " " not in word else \
        "'" + word.replace("'", "'\\''") + "'"


@program("/usr/sbin/jail")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "cdf:hiJ:lmn:p:qrRs:u:U:v", USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    flags = [f for f, _ in opts]
    values = {f: v for f, v in opts if v is not None}
    # -h (every address the hostname resolves to), -J (the jid file) and
    # -u/-U (commands run as a user) are refused as not modelled
    if proc.refuses(set(flags) & set("hJuU")):
        return 1
    if "d" in flags:
        proc.error("jail: the 'allow.dying' parameter and '-d' flag are deprecated and have no effect.\n")
    verbose = 1 if "v" in flags else -1 if ("q" in flags or "i" in flags) else 0
    run = Run(proc, verbose, values.get("f", CONF_FILE))
    run.clean = "l" in flags
    create, modify, remove = "c" in flags, "m" in flags, "r" in flags or "R" in flags
    # jail.c: more than one argument, or one with "=", is a jail on the command line.
    cli_params = list(args) if len(args) > 1 or (args and "=" in args[0]) else []
    extra = {"n": "name", "s": "securelevel"}
    for flag, key in extra.items():
        if flag in values:
            cli_params = [f"{key}={values[flag]}"] + cli_params
    if not (create or modify or remove):
        return _old_style(run, args)
    try:
        if remove and not create:
            return _remove_all(run, args, "R" in flags)
        if cli_params:
            return _cli(run, cli_params, create, modify, remove, "i" in flags)
        return _from_config(run, args, create, modify, remove, "i" in flags)
    except Failed:
        return 1


def _load(run: Run) -> jailconf.JailConf | None:
    try:
        text = run.kernel.vfs.read(run.config, **run.proc.where())
    except OSErr as exc:
        run.proc.error(f"jail: {run.config}: {exc.strerror}\n")
        return None
    try:
        return jailconf.parse(text)
    except jailconf.JailConfError as exc:
        message = str(exc)
        if message == "unexpected EOF":
            run.proc.error(f"jail: {run.config}: unexpected EOF\n")
        else:
            run.proc.error(f"jail: {run.config} line {exc.line}: {message}\n")
        return None


def _remove_all(run: Run, names: list[str], without_config: bool) -> int:
    if not names or any("=" in n for n in names) and not without_config:
        run.proc.error(USAGE)
        return 1
    conf = None
    if not without_config and run.kernel.vfs.exists(run.config, **run.proc.where()):
        conf = _load(run)
        if conf is None:
            return 1
    note = conf is not None or len(names) > 1 or names == ["*"]
    status = 0
    targets: list[tuple[str, Prison | None]] = []
    for name in names:
        if name == "*":
            targets.extend((p.name, p) for p in run.kernel.visible_prisons(run.proc.prison))
        else:
            targets.append((name, run.kernel.find_prison(name, run.proc.prison)))
    for name, prison in targets:
        if prison is None:
            if run.verbose >= 0:
                run.proc.error(f'jail: "{name}" not found\n')
            status = 1
            continue
        try:
            if conf is not None and (name in conf.jails or prison.name in conf.jails):
                j = run.from_config(name if name in conf.jails else prison.name, conf)
            else:
                j = CfJail(None, {"name": [prison.name]})
            run.remove(j, prison, note)
        except Failed:
            status = 1
    return status


def _cli(run: Run, params: list[str], create: bool, modify: bool, remove: bool, print_jid: bool) -> int:
    j = _cli_jail(params)
    for key in j.params:
        if not known(key):
            run.proc.error(f"jail: unknown parameter: {key}\n")
            return 1
    # no expansion: jail.c adds command-line values as they are; only the
    # jail.conf parser reads $variables
    existing = None
    wanted = j.string("jid") or j.string("name")
    if wanted:
        existing = run.kernel.find_prison(wanted, run.proc.prison)
    if remove and create:
        if existing is None:
            run.proc.error(f'jail: "{j.name}" not found\n')
            return 1
        run.remove(j, existing, note=False)
        existing = None
    if modify and existing is not None:
        run.modify(j, existing)
        return 0
    if modify and not create:
        run.proc.error(f'jail: "{j.name}" not found\n' if j.name else "jail: no jail specified\n")
        return 1
    run.create(j)
    if print_jid:
        prison = run.kernel.find_prison(j.name, run.proc.prison) if j.name else None
        run.proc.write(f"{prison.jid if prison else run.kernel.last_jid}\n")
    return 0


def _from_config(run: Run, names: list[str], create: bool, modify: bool, remove: bool,
                 print_jid: bool) -> int:
    conf = _load(run)
    if conf is None:
        return 1
    labels = names[:1] or [n for n in conf.jails if n != "*" and not re.search(r"[*?]", n)]
    status = 0
    for label in labels:
        if label not in conf.jails:
            run.proc.error(f'jail: "{label}" not found\n')
            status = 1
            continue
        try:
            j = run.from_config(label, conf)
            prison = run.kernel.find_prison(j.string("jid") or j.name or label, run.proc.prison)
            if remove and create:
                if prison is None:
                    run.proc.error(f'jail: "{j.name}" not found\n')
                    status = 1
                    continue
                run.remove(j, prison, note=True)
                prison = None
            if modify and prison is not None:
                run.modify(j, prison)
                continue
            if modify and not create:
                run.proc.error(f'jail: "{j.name}" not found\n')
                status = 1
                continue
            run.create(j)
            if print_jid:
                created = run.kernel.find_prison(j.name or label, run.proc.prison)
                run.proc.write(f"{created.jid if created else run.kernel.last_jid}\n")
        except Failed:
            status = 1
    return status


def _old_style(run: Run, args: list[str]) -> int:
    """``jail path hostname ip command ...``"""
    if len(args) < 4 or not args[0].startswith("/"):
        run.proc.error(USAGE)
        return 1
    params = [f"path={args[0]}", f"host.hostname={args[1]}"]
    if args[2]:
        params.append(f"ip4.addr={args[2]}")
    params.append("command=" + args[3])
    try:
        return _cli(run, params + args[4:], True, False, False, False)
    except Failed:
        return 1

