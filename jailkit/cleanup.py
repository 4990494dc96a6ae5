"""Leave a host as a scenario found it: remove exactly what the scenario's
commands created and put back what they changed, from what jailkit recorded
while they ran, never from "whatever is new at the end".

A Journal looks at the host in one command (snapshot()) before and after
each step: a window. (On the sim, which says before anything next runs on
it, steps with nothing run between them are one window, looked at once.)
What appeared within a window is recorded with what
identifies it (a jail's jid, an interface's MAC, a mount's device, an ipfw
rule's number and text); what changed is recorded with a copy of what was
there before and of what the scenario left. undo() then

- removes the recorded jails by jid with `jail -R`, never through qjail's
  jail.conf (its exec.poststop destroys a bridge10 that may be the box's);
  interfaces that come home then are the scenario's too, unless they were
  the box's when the first step began (lent to a jail: they stay);
  shuts down the netgraph nodes it recorded, by ID (never reused), which
  cuts their hooks on the box's nodes and takes an eiface's ngethN along;
  then sets a NIC's ng_ether flags (setpromisc, setautosrc) back where the
  scenario changed them and ng_ether's own reset did not (ng_ether.c: a
  node whose last hook goes turns promiscuous mode off, autosrc stays);
  unmounts the recorded mounts, takes recorded members out of bridges that
  were there before, destroys recorded interfaces that still carry their
  recorded MAC, deletes recorded devfs rulesets and paths;
- puts back a changed file from its copy through a temporary file in the
  same directory and mv(1) (atomic), and a sysctl, only while it is still as
  the scenario left it (someone else's later change is not overwritten);
- on the firewalls: deletes an ipfw rule number only when every rule under
  it is one the scenario added (a number the box also uses is left and
  named), deletes the ipfw nat instances it added, removes the ipf and ipnat
  rules it added with `ipf -r` and `ipnat -r`, reloads a pf main ruleset the
  scenario replaced from a copy proved to load back to the same rules (the
  box's pf.conf, or pfctl's own listing), and enables or disables each
  firewall as it was; then unloads the modules the scenario loaded (one
  the kernel keeps busy, as it keeps ng_ether while an Ethernet interface
  has its node, stays loaded and is said so: kldunload -f is never used).

It never flushes what it did not make: no `pfctl -F`, `ipf -F`, `ipnat -C`
or `ipfw flush`. States and NAT sessions are left to their timeouts, with
one exception: when the box had no ipnat rule and no NAT session as the
scenario began, and no rule is left once the scenario's are removed, every
session there is the scenario's (ipnat makes a session only through a
rule), so `ipnat -F` removes exactly those. Whatever cannot be undone safely is left in place and named in a
CleanupError."""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Callable, TypeVar, cast
from weakref import WeakKeyDictionary

from .files import remove_trees, replace_file
from .host import Host
from .parsers.devfs import parse_showsets
from .parsers.ifconfig import parse_ifconfig
from .parsers.ipfilter import parse_ipf_running, parse_ipnat_list
from .parsers.ipfw import DEFAULT_RULE, parse_ipfw_list, parse_nat_config, rule_number
from .parsers.jls import parse_jid_name
from .parsers.kldstat import parse_kldstat
from .parsers.mount import parse_mount_p
from .parsers.ngctl import parse_ngctl_list, parse_ngctl_msg
from .qjail.record import CONFIG, FSTAB, GLOBAL, JAILDIR, LOCAL, PACKAGES, VNETCTL

# The jail directories of the jail.conf guides (jails built without qjail):
# jail-conf-vnet-guide's /jails, vnet-jib-pf-nat's /jail (path = "/jail/jamulus").
JAILS = ["/jails", "/jail"]
# rc.d scripts a user installs (the netgraph howto's /usr/local/etc/rc.d/netgraph)
LOCAL_RC_D = "/usr/local/etc/rc.d"
TRACKED_PATHS = [JAILDIR, LOCAL, GLOBAL, CONFIG, FSTAB, PACKAGES, VNETCTL, *JAILS, LOCAL_RC_D]
# Inside an existing qjail set-up, the jails' own trees and records; inside
# an existing /jails or /jail, a guide's jail; a jail's own fstab (jail.conf's
# mount.fstab, /etc/fstab.NAME by custom); programs installed by hand (jib,
# jng) and rc.d scripts;
# rc.d/jail's /var/run/jail_NAME.id and a jail.conf's exec.consolelog.
TRACKED_GLOBS = ["/var/log/qjail.*", "/var/run/qjail.*", f"{JAILDIR}/*", f"{LOCAL}/*",
                 f"{GLOBAL}/*", f"{CONFIG}/*", f"{FSTAB}/*", *(f"{d}/*" for d in JAILS),
                 "/etc/fstab.*", "/usr/local/bin/*", "/var/run/jail_*.id", "/var/log/jail_*",
                 f"{LOCAL_RC_D}/*"]
TRACKED_FILES = ["/etc/devfs.rules", VNETCTL, "/etc/rc.conf", "/etc/pf.conf", "/etc/ipf.rules",
                 "/etc/ipnat.rules", "/etc/jail.conf", "/etc/ipfw.conf", "/etc/natd.conf"]
# Daemons that rc.d scripts start for a scenario (rc.d/ipfw starts natd when
# natd_enable is set): their pid file, and the rc.d script that stops
# exactly the process the pid file names (rc.subr's check_pidfile).
TRACKED_DAEMONS = {"/var/run/natd.pid": "natd"}
PF_CONF = "/etc/pf.conf"
# The knobs the howtos turn, put back as the box had them; one its kernel
# does not have (a module not loaded) reads empty and is left alone.
SYSCTLS = ["net.inet.ip.forwarding", "net.inet6.ip6.dad_count",
           "net.link.bridge.pfil_member", "net.link.bridge.pfil_bridge",
           "net.link.bridge.pfil_onlyip", "net.link.bridge.pfil_local_phys",
           "net.link.lagg.failover_rx_all"]
T = TypeVar("T")
# Modules that must go before the ones they depend on.
UNLOAD_FIRST = ["ipfw_nat", "pflog", "ipdivert", "ng_socket", "ng_ether", "ng_bridge", "ng_eiface"]
# kldunload(8)'s message for a module the kernel refuses to let go (EBUSY)
BUSY = "Device busy"
# ng_ether's per-NIC flags, as ngctl msg NODE: getFLAG answers them
NG_ETHER_FLAGS = ("promisc", "autosrc")
# pfctl -s nat lists these; -s rules the rest (pfctl_parser.c print_rule()).
PF_NAT_WORDS = ("nat", "no", "rdr", "binat", "nat-anchor", "rdr-anchor", "binat-anchor")


class CleanupError(Exception):
    pass


@dataclass
class HostState:
    """One look at the host: what a scenario may create or change. Never
    changed once made (a journal may hand the same look out again)."""
    jails: dict[str, str]                   # name -> jid
    interfaces: dict[str, str]              # name -> MAC ("" without one)
    members: dict[str, list[str]]           # bridge -> its members
    mounts: list[tuple[str, str]]           # (device, mount point)
    rulesets: list[str]
    paths: list[str]
    files: dict[str, str | None]
    sysctls: dict[str, str] = field(default_factory=dict)
    modules: list[str] = field(default_factory=list)
    ipfw: list[str] = field(default_factory=list)       # `ipfw list` lines, 65535 left out
    ipfw_nat: list[str] = field(default_factory=list)   # `ipfw nat show config` lines
    pf: str = ""                                        # Enabled, Disabled, or "" (no pf)
    pf_rules: str = ""                                  # `pfctl -s nat; pfctl -s rules`
    ipf: str = ""                                       # yes, no, or "" (no ipfilter)
    ipf_rules: list[str] = field(default_factory=list)  # `ipfstat -io` lines
    ipnat_rules: list[str] = field(default_factory=list)
    ipnat_sessions: list[str] = field(default_factory=list)
    daemons: dict[str, str] = field(default_factory=dict)   # pid file -> the pid in it
    # netgraph nodes a scenario can make, by ID: their type. ngctl's own
    # socket nodes come and go with it; ng_ether's nodes are the module's.
    ng_nodes: dict[str, str] = field(default_factory=dict)
    # ng_ether's flags on each NIC ("fxp0 promisc" -> "0"), while ng_ether is in
    ng_ether: dict[str, str] = field(default_factory=dict)


MARK = "@@jailkit-snapshot:"


def snapshot(host: Host) -> HostState:
    """Everything in one command (one round trip to a remote box): each
    part printed after a marker line."""
    found = _parts(host)
    running = parse_ipf_running(found["ipf"])
    interfaces = _parsed(parse_ifconfig, found["ifconfig"])
    netgraph = _parsed(parse_ngctl_list, found["netgraph"])
    ipnat = _parsed(parse_ipnat_list, found["ipnat"])
    sysctls = _sysctl_values(found["sysctls"])
    return HostState(
        jails=dict(_parsed(parse_jid_name, found["jails"])),
        interfaces={name: i.ether or "" for name, i in interfaces.items()},
        members={name: [m.name for m in i.members] for name, i in interfaces.items() if i.members},
        mounts=[(mount.device, mount.mountpoint)
                for mount in _parsed(parse_mount_p, found["mounts"])],
        rulesets=parse_showsets(found["rulesets"]),
        paths=found["paths"].split(),
        files={path: _file_text(found.get(f"file {path}")) for path in TRACKED_FILES},
        sysctls={name: sysctls.get(name, "") for name in SYSCTLS},
        modules=[kld.module for kld in _parsed(parse_kldstat, found["modules"])],
        ipfw=[rule.line for rule in _parsed(parse_ipfw_list, found["ipfw"])
              if rule.number != DEFAULT_RULE],
        ipfw_nat=[nat.line for nat in _parsed(parse_nat_config, found["ipfw nat"])],
        pf=found["pf"].strip(),
        pf_rules=found["pf rules"],
        ipf="" if running is None else "yes" if running else "no",
        # ipfstat marks an interface that is gone "on epair1a(!)" (printifname.c),
        # which ipf cannot read back: the rule is the one loaded "on epair1a"
        ipf_rules=[line.replace("(!)", "") for line in found["ipf rules"].splitlines()
                   if line.strip()],
        ipnat_rules=list(ipnat.rules),
        ipnat_sessions=list(ipnat.sessions),
        ng_nodes={node.id: node.type for node in netgraph if node.type not in ("socket", "ether")},
        ng_ether=_ng_ether_flags(host, [node.name for node in netgraph if node.type == "ether"]),
        daemons={path: found[f"pid {path}"].strip() for path in TRACKED_DAEMONS
                 if found[f"pid {path}"].strip()},
    )


P = TypeVar("P")
# The last listing each parser read, and what it made of it: a journal
# looks at a host twice a step, and most listings come back unchanged.
_LAST_PARSED: dict[Callable[[str], object], tuple[str, object]] = {}


def _parsed(parser: Callable[[str], P], text: str) -> P:
    """``parser(text)``, read again only when the text differs from the
    last one this parser read (parsers are pure; callers copy what they keep)."""
    last = _LAST_PARSED.get(parser)
    if last is None or last[0] != text:
        last = (text, parser(text))
        _LAST_PARSED[parser] = last
    return cast(P, last[1])


def _sysctl_values(listing: str) -> dict[str, str]:
    """``sysctl NAME...``'s "NAME: value" lines; a name the kernel does not
    have (a module not loaded) is left out (sysctl.c warns on stderr)."""
    values = {}
    for line in listing.splitlines():
        name, colon, value = line.partition(": ")
        if colon and name in SYSCTLS:
            values[name] = value.strip()
    return values


def _parts(host: Host) -> dict[str, str]:
    names, script = _look_script()
    found = dict.fromkeys(names, "")
    name = None
    for line in host.run(script).stdout.splitlines(keepends=True):
        if line.startswith(MARK):
            name = line[len(MARK):].rstrip("\n")
            found.setdefault(name, "")
        elif name is not None:
            found[name] += line
    return found


@cache
def _look_script() -> tuple[tuple[str, ...], str]:
    """The parts a look always has, and the one command line that prints
    them all (the same every time: made once)."""
    globs = " ".join(TRACKED_GLOBS + [shlex.quote(p) for p in TRACKED_PATHS])
    parts = {
        "jails": "jls jid name", "ifconfig": "ifconfig -a", "mounts": "mount -p",
        "rulesets": "devfs rule showsets", "paths": f"ls -d {globs}", "modules": "kldstat",
        "ipfw": "ipfw list", "ipfw nat": "ipfw nat show config", "pf": "pfctl -s Running",
        "pf rules": "pfctl -s nat; pfctl -s rules", "ipf": "ipf -V", "ipf rules": "ipfstat -io",
        "ipnat": "ipnat -l",
        # only while netgraph sockets exist: ngctl would load ng_socket.ko itself
        "netgraph": "kldstat -q -n ng_socket && ngctl list",
        # all knobs in one sysctl(8): it reads each name in turn, and one it
        # does not know gets a warning and the next is read (sysctl.c
        # main() and parse(): "unknown oid", return 1)
        "sysctls": "sysctl " + " ".join(SYSCTLS),
    }
    parts.update({f"pid {path}": f"cat {shlex.quote(path)}" for path in TRACKED_DAEMONS})
    script = "".join(f"echo {shlex.quote(MARK + name)}; {command}; "
                     for name, command in parts.items())
    # A file's marker comes only when it is a file, so a part without its
    # marker is a file the box does not have; the echo after cat ends the
    # text with one newline of ours, taken off again, so a file without a
    # final newline is read byte for byte.
    script += "".join(f"test -f {shlex.quote(path)} && echo {shlex.quote(f'{MARK}file {path}')} "
                      f"&& cat {shlex.quote(path)} && echo; " for path in TRACKED_FILES)
    # One group, errors dropped once: no part exits or changes the shell.
    return tuple(parts), f"{{ {script}}} 2>/dev/null"


def _ng_ether_flags(host: Host, names: list[str]) -> dict[str, str]:
    """getpromisc and getautosrc of each ng_ether node, in one command
    (a second look, made only while ng_ether has nodes)."""
    if not names:
        return {}
    asked = [(name, flag) for name in names if name != "<unnamed>" for flag in NG_ETHER_FLAGS]
    script = "".join(f"echo {shlex.quote(MARK + name + ' ' + flag)}; "
                     f"ngctl msg {shlex.quote(name + ':')} get{flag} 2>/dev/null; "
                     for name, flag in asked)
    answers: dict[str, str] = {}
    key = None
    for line in host.run(script).stdout.splitlines(keepends=True):
        if line.startswith(MARK):
            key = line[len(MARK):].rstrip("\n")
            answers[key] = ""
        elif key is not None:
            answers[key] += line
    return {key: value for key, text in answers.items()
            if (value := parse_ngctl_msg(text)) is not None}


def _file_text(shown: str | None) -> str | None:
    """A file's text as its part shows it (None: no such file)."""
    return None if shown is None else shown.removesuffix("\n")


# -- what the scenario did, window by window ------------------------------------------

@dataclass
class Change:
    """A value the scenario changed: the box's, and what the scenario left."""
    original: str | None        # None: a file the box did not have
    left: str | None


@dataclass
class Record:
    jails: dict[str, str] = field(default_factory=dict)
    interfaces: dict[str, str] = field(default_factory=dict)
    members: list[tuple[str, str]] = field(default_factory=list)
    mounts: list[tuple[str, str]] = field(default_factory=list)
    rulesets: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    changed: dict[str, Change] = field(default_factory=dict)   # "file PATH", "sysctl X", "pf" ...
    ipfw: list[str] = field(default_factory=list)
    ipfw_nat: list[str] = field(default_factory=list)
    ipf_rules: list[str] = field(default_factory=list)
    ipnat_rules: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)           # the box's, gone: reported
    daemons: dict[str, str] = field(default_factory=dict)      # pid file -> a pid it started
    ng_nodes: dict[str, str] = field(default_factory=dict)     # netgraph node ID -> its type
    # the box's interfaces as the first window found them (name -> MAC)
    box_interfaces: dict[str, str] | None = None
    # the first window found no ipnat rule and no NAT session
    box_without_nat: bool | None = None
    # ng_ether's flags as the first window found them
    box_ng_ether: dict[str, str] | None = None

    def add(self, before: HostState, after: HostState) -> None:
        """What one window changed, added to what earlier windows did."""
        if self.box_interfaces is None:
            self.box_interfaces = dict(before.interfaces)
        if self.box_without_nat is None:
            self.box_without_nat = not before.ipnat_rules and not before.ipnat_sessions
        if self.box_ng_ether is None:
            self.box_ng_ether = dict(before.ng_ether)
        self._keyed(self.jails, before.jails, after.jails)
        self._keyed(self.interfaces, before.interfaces, after.interfaces)
        # a NIC of the box's own that a jail held and gave back (vnet.interface)
        # comes home with its name and MAC: it is never the scenario's
        for name in [n for n, mac in self.interfaces.items() if self.box_interfaces.get(n) == mac]:
            del self.interfaces[name]
        self._keyed(self.daemons, before.daemons, after.daemons)
        self._keyed(self.ng_nodes, before.ng_nodes, after.ng_nodes)
        self._members(before, after)
        self._listed(self.mounts, before.mounts, after.mounts)
        self._listed(self.rulesets, before.rulesets, after.rulesets)
        self._listed(self.paths, before.paths, after.paths)
        self._listed(self.modules, before.modules, after.modules)
        values = {f"file {p}": (before.files[p], after.files[p]) for p in TRACKED_FILES}
        values.update({f"sysctl {n}": (before.sysctls[n], after.sysctls[n]) for n in SYSCTLS})
        values.update({"pf": (before.pf, after.pf), "pf rules": (before.pf_rules, after.pf_rules),
                       "ipf": (before.ipf, after.ipf)})
        values.update({f"ng_ether {key}": (before.ng_ether.get(key), after.ng_ether.get(key))
                       for key in set(before.ng_ether) | set(after.ng_ether)})
        for key, (earlier, later) in values.items():
            if earlier != later:
                self.changed.setdefault(key, Change(earlier, later)).left = later
        for label, mine, old, new in (("ipfw rule", self.ipfw, before.ipfw, after.ipfw),
                                      ("ipfw nat", self.ipfw_nat, before.ipfw_nat, after.ipfw_nat),
                                      ("ipf rule", self.ipf_rules, before.ipf_rules,
                                       after.ipf_rules),
                                      ("ipnat rule", self.ipnat_rules, before.ipnat_rules,
                                       after.ipnat_rules)):
            self._rules(label, mine, old, new)

    @staticmethod
    def _keyed(mine: dict[str, str], old: dict[str, str], new: dict[str, str]) -> None:
        """Jails by name and jid, interfaces by name and MAC: a name that
        now stands for another one is a new one."""
        for name in [n for n in mine if new.get(n) != mine[n]]:
            del mine[name]
        mine.update({n: v for n, v in new.items() if old.get(n) != v})

    @staticmethod
    def _listed(mine: list[T], old: list[T], new: list[T]) -> None:
        """Mounts, rulesets, paths, modules: what is there now and was not
        before, as long as it stays."""
        mine[:] = [item for item in mine if item in new]
        mine += [item for item in new if item not in old and item not in mine]

    def _members(self, before: HostState, after: HostState) -> None:
        self.members[:] = [(b, m) for b, m in self.members if m in after.members.get(b, [])]
        for bridge, members in after.members.items():
            if bridge in before.interfaces and bridge not in self.interfaces:
                self.members += [(bridge, m) for m in members
                                 if m not in before.members.get(bridge, [])
                                 and (bridge, m) not in self.members]

    def _rules(self, label: str, mine: list[str], old: list[str], new: list[str]) -> None:
        """Rules are counted, not named: the same text twice is two rules."""
        added = Counter(new) - Counter(old)
        for line in (Counter(old) - Counter(new)).elements():
            if line in mine:
                mine.remove(line)
            else:
                self.removed.append(f"{label} {line!r}")
        mine += list(added.elements())


# The last look at each host that vouches for what runs on it, and the
# host's generation once it was taken (see look()).
_SEEN: WeakKeyDictionary[Host, tuple[int, HostState]] = WeakKeyDictionary()


def look(host: Host) -> HostState:
    """The host as it is now: the last look at it again while the host
    vouches that nothing has run on it since (Host.generation: the sim,
    which only jailkit drives), otherwise a new one. So a step that runs no
    command costs no look, the look after a step is the one before the
    next and the last look of one scenario's undo the first of the next
    scenario, but only when nothing at all ran in between: what a learner
    or anyone else did between two steps stays outside every window, as it
    does with two looks, and is never taken for the scenario's. A real box
    cannot vouch (its daemons and other people act on it too) and is looked
    at every time."""
    generation = host.generation()
    seen = _SEEN.get(host)
    if generation is not None and seen is not None and seen[0] == generation:
        return seen[1]
    state = snapshot(host)
    generation = host.generation()
    if generation is not None:
        _SEEN[host] = (generation, state)
    return state


class Journal:
    """What a scenario did to a host, recorded window by window. On a host
    that says when it next changes (Host.before_next_change: the sim), a
    window that closes is looked at only then: when the next window opens
    first, with nothing run in between, the two are one window and no look
    is taken between them; when something else runs first, the window ends
    as the host was before it, as if looked at when it closed."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self._record = Record()
        self._before: HostState | None = None
        self._ending = False        # closed; looked at when the host next changes
        self._waiting = False       # the host calls _changing() before its next change

    @property
    def record(self) -> Record:
        """What the windows so far did (one that closed is looked at now if
        it was not yet)."""
        if self._ending:
            self._settle()
        return self._record

    def open(self) -> None:
        if self._ending:
            self._ending = False    # nothing ran since it closed: the window goes on
        elif self._before is None:
            self._before = look(self.host)

    def close(self) -> None:
        """End the window; when the host cannot be looked at, it stays open
        and the next close() (undo() at the latest) ends it."""
        if self._before is None or self._ending:
            return
        if self._waiting or self.host.before_next_change(self._changing):
            self._waiting = self._ending = True
        else:
            self._end()

    def _end(self) -> None:
        if self._before is not None:
            after = look(self.host)
            self._record.add(self._before, after)
            self._before = None

    def _settle(self) -> None:
        """Look at a window that closed (no longer closing while the look
        runs: the look is a change the journal itself hears)."""
        self._ending = False
        try:
            self._end()
        except BaseException:
            self._ending = True
            raise

    def _changing(self) -> None:
        """The host is about to change: a window that closed ends here. When
        it cannot be looked at (the host fails, ^C), the error goes on, so
        what was about to run does not run inside the window: it waits for
        the next change, and is looked at before that."""
        self._waiting = False
        if not self._ending:
            return
        try:
            self._settle()
        except BaseException:
            self._waiting = self.host.before_next_change(self._changing)
            raise

    @contextmanager
    def watching(self) -> Iterator["Journal"]:
        self.open()
        try:
            yield self
        finally:
            self.close()

    def undo(self) -> list[str]:
        """Undo what was recorded; returns the commands it ran. Raises
        CleanupError naming whatever it left."""
        if self._ending:
            self._settle()
        self._end()     # a window still open ends now
        return _Undo(self.host, self._record).run()


# -- undoing ------------------------------------------------------------------------

class _Undo:
    def __init__(self, host: Host, record: Record) -> None:
        self.host = host
        self.record = record
        self.done: list[str] = []
        self.busy: list[str] = []        # modules the kernel would not let go
        # jailkit never re-adds a rule from a listing (a listing is not the rule)
        self.left = [f"the scenario removed the box's {item}; not put back" for item in record.removed]

    def command(self, command: str | list[str], stdin: str | None = None) -> None:
        self.host.run(command, stdin=stdin)
        shown = command if isinstance(command, str) else shlex.join(command)
        self.done.append(shown + (f" <<< {stdin.count(chr(10))} lines" if stdin else ""))

    def run(self) -> list[str]:
        """Jails first (what they hold comes home), then what was on them,
        files, sysctls and firewalls, and the modules last."""
        before = look(self.host)
        self._jails(before)
        now = look(self.host)
        self._came_home(before, now)
        if self._netgraph(now):
            now = look(self.host)
        if self._ng_ether(before, now):
            now = look(self.host)
        self._mounts_and_interfaces(now)
        now = look(self.host)
        self._files(now)
        self._paths(now)
        self._sysctls(now)
        self._daemons(now)
        self._firewalls(now)
        self._modules()
        self._verify()
        return self.done

    def _modules(self) -> None:
        """kldunload each module the scenario loaded, dependents first; one
        the kernel keeps busy is left loaded and said so (not an error). A
        dependency the kernel unloaded with the last file that needed it
        (kern_linker.c linker_file_unload) is not asked for again."""
        for module in sorted(self.record.modules, key=lambda m: m not in UNLOAD_FIRST):
            if not self.host.run(["kldstat", "-q", "-n", module]).succeeded:
                continue
            result = self.host.run(["kldunload", module])
            self.done.append(shlex.join(["kldunload", module]))
            if not result.succeeded and BUSY in result.stderr:
                self.busy.append(module)
                self.done.append(f"{module}: the kernel keeps it busy ({result.stderr.strip()}); "
                                 "left loaded")

    def _ng_ether(self, start: HostState, now: HostState) -> bool:
        """A NIC's ng_ether flags back as the box had them (a node made
        while the scenario ran: both off, as ng_ether_attach makes it),
        when the scenario's change is still there, or when shutting the
        scenario's nodes down reset them (the last hook gone); a flag changed
        by someone else since is named and left. Whether any was set."""
        box = self.record.box_ng_ether or {}
        changed = False
        for key in sorted(now.ng_ether):
            wanted, current, found = box.get(key, "0"), now.ng_ether[key], start.ng_ether.get(key)
            if current == wanted:
                continue
            change = self.record.changed.get(f"ng_ether {key}")
            if found != (change.left if change is not None else wanted):
                self.left.append(f"ng_ether {key} changed again after the scenario changed it; "
                                 "left as it is")
                continue
            name, flag = key.rsplit(" ", 1)
            self.command(["ngctl", "msg", f"{name}:", f"set{flag}", wanted])
            changed = True
        return changed

    def _netgraph(self, now: HostState) -> bool:
        """The scenario's netgraph nodes, by ID, once the jails are gone (an
        ngeth lent to one is home): shutting a node down cuts its hooks,
        also those on the box's ether nodes, and an eiface takes its ngethN
        with it (ng_eiface.c ng_eiface_rmnode), so this comes before the
        interfaces. Whether anything was shut down."""
        mine = [i for i, kind in self.record.ng_nodes.items() if now.ng_nodes.get(i) == kind]
        for node in mine:
            self.command(["ngctl", "shutdown", f"[{node}]:"])
        return bool(mine)

    def _jails(self, now: HostState) -> None:
        # by jid and without any jail.conf: no exec.stop or exec.poststop runs
        for name, jid in reversed(list(self.record.jails.items())):
            if now.jails.get(name) == jid:
                self._take_back_lent(jid)
                self.command(["jail", "-R", jid])

    def _take_back_lent(self, jid: str) -> None:
        """The box's own interfaces in a scenario's jail (same name and MAC as
        the first window saw on the box), taken back while the jail lives:
        a removed jail with a TCP connection in TIME_WAIT stays dying, and
        its vnet keeps them for 2*MSL (kern_jail.c prison_deref, vnet_destroy)."""
        box = self.record.box_interfaces or {}
        if self.host.run(["jls", "-j", jid, "vnet"]).stdout.strip() != "new":
            return      # a jail without a vnet of its own shows the box's stack
        inside = parse_ifconfig(self.host.run(["jexec", jid, "ifconfig", "-a"]).stdout)
        for name, shown in inside.items():
            if box.get(name) and box.get(name) == shown.ether:
                self.command(["ifconfig", name, "-vnet", jid])

    def _came_home(self, before: HostState, now: HostState) -> None:
        """Interfaces that came home when jailkit removed the scenario's
        jails were created inside them, or moved there within one step, by
        the scenario: they are its own too, unless the first window saw
        them on the box (one of the box's, lent to a jail: it stays)."""
        box = self.record.box_interfaces or {}
        for name, mac in now.interfaces.items():
            if before.interfaces.get(name) != mac and box.get(name) != mac:
                self.record.interfaces.setdefault(name, mac)

    def _mounts_and_interfaces(self, now: HostState) -> None:
        record = self.record
        for device, point in reversed(record.mounts):
            if (device, point) in now.mounts:
                self.command(["umount", "-f", point])
        for bridge, member in record.members:
            if member in now.members.get(bridge, []):
                self.command(["ifconfig", bridge, "deletem", member])
        for name, ether in record.interfaces.items():
            # looked at again each time: an epair end goes with its other end
            if _interfaces(self.host).get(name) == ether:
                self.command(["ifconfig", name, "destroy"])
        for ruleset in record.rulesets:
            if ruleset in now.rulesets:
                self.command(["devfs", "rule", "-s", ruleset, "delset"])

    def _paths(self, now: HostState) -> None:
        paths = [p for p in self.record.paths if p in now.paths]
        if paths:
            self.command(remove_trees(paths))

    def _still(self, key: str, current: str | None) -> Change | None:
        """The change to undo, when the value is still as the scenario
        left it; otherwise it is named and left alone."""
        change = self.record.changed.get(key)
        if change is None or current == change.original:
            return None
        if current != change.left:
            self.left.append(f"{key} changed again after the scenario changed it; left as it is")
            return None
        return change

    def _files(self, now: HostState) -> None:
        for path in TRACKED_FILES:
            change = self._still(f"file {path}", now.files[path])
            if change is None:
                continue
            if change.original is None:
                self.command(["rm", "-f", path])
            else:
                replace_file(self.host, path, change.original)
                self.done.append(f"restore {path}")

    def _daemons(self, now: HostState) -> None:
        """A daemon the scenario started, while its pid file still names
        it: before the firewalls and modules it uses (natd's divert socket
        holds ipdivert)."""
        for path, pid in self.record.daemons.items():
            if now.daemons.get(path) == pid:
                self.command(["service", TRACKED_DAEMONS[path], "onestop"])

    def _sysctls(self, now: HostState) -> None:
        for name in SYSCTLS:
            change = self._still(f"sysctl {name}", now.sysctls[name])
            if change is not None and change.original:
                self.command(["sysctl", f"{name}={change.original}"])

    def _firewalls(self, now: HostState) -> None:
        going = set(self.record.modules)
        if "ipfw" in now.modules and "ipfw" not in going:
            self._ipfw(now)
        if "pf" in now.modules and "pf" not in going:
            self._pf(now)
        if "ipl" in now.modules and "ipl" not in going:
            self._ipfilter(now)

    def _ipfw(self, now: HostState) -> None:
        by_number: dict[str, Counter] = {}
        for line in self.record.ipfw:
            by_number.setdefault(str(rule_number(line)), Counter())[line] += 1
        for number, ours in by_number.items():
            there = Counter(line for line in now.ipfw if str(rule_number(line)) == number)
            if there == ours:
                self.command(["ipfw", "-q", "delete", number])
            elif there:
                self.left.append(f"ipfw rule {number}: the box has rules of its own under that "
                                 "number, so the scenario's were not deleted: "
                                 + "; ".join(ours.elements()))
        for nat in parse_nat_config("\n".join(self.record.ipfw_nat)):
            if nat.line in now.ipfw_nat:
                self.command(["ipfw", "nat", str(nat.number), "delete"])

    def _pf(self, now: HostState) -> None:
        change = self._still("pf rules", now.pf_rules)
        if change is not None:
            self._reload_pf(str(change.original))
        change = self._still("pf", now.pf)
        if change is not None:
            self.command(["pfctl", "-q", "-e" if change.original == "Enabled" else "-d"])

    def _reload_pf(self, listing: str) -> None:
        """The box's main ruleset back, in one transaction (pfctl -f; its
        states are kept), from the first copy that loads back to exactly
        the rules the box had: the box's pf.conf as it was, or the listing."""
        conf = self.record.changed.get(f"file {PF_CONF}")
        candidates = [conf.original if conf is not None else _current_file(self.host, PF_CONF),
                      listing]
        for text in candidates:
            if isinstance(text, str) and self._loads_back(text, listing):
                self.command(["pfctl", "-q", "-f", "-"], stdin=text)
                return
        self.left.append("pf rules: the scenario replaced the box's main ruleset and no copy "
                         "loads back to the same rules; left as the scenario made it")

    def _loads_back(self, text: str, listing: str) -> bool:
        parsed = self.host.run(["pfctl", "-n", "-v", "-f", "-"], stdin=text)
        if not parsed.succeeded:
            return False
        lines = [line for line in parsed.stdout.splitlines() if not line.startswith("set ")]
        nat = [line for line in lines if line.split()[:1] and line.split()[0] in PF_NAT_WORDS]
        rules = [line for line in lines if line not in nat]
        return "".join(line + "\n" for line in nat + rules) == listing

    def _ipfilter(self, now: HostState) -> None:
        rules = [line for line in self.record.ipf_rules if line in now.ipf_rules]
        if rules:
            self.command(["ipf", "-r", "-f", "-"], stdin="".join(r + "\n" for r in rules))
        nat = [line for line in self.record.ipnat_rules if line in now.ipnat_rules]
        if nat:
            self.command(["ipnat", "-r", "-f", "-"], stdin="".join(r + "\n" for r in nat))
        left = Counter(now.ipnat_rules) - Counter(nat)
        if self.record.box_without_nat and now.ipnat_sessions and not left:
            self.command(["ipnat", "-F"])      # every session is the scenario's (see above)
        change = self._still("ipf", now.ipf)
        if change is not None:
            self.command(["ipf", "-E" if change.original == "yes" else "-D"])

    def _verify(self) -> None:
        after = look(self.host)
        record = self.record
        leftovers = []
        for label, still in (
                ("jails", [n for n, j in record.jails.items() if after.jails.get(n) == j]),
                ("interfaces", [n for n, e in record.interfaces.items()
                                if after.interfaces.get(n) == e]),
                ("mounts", [p for d, p in record.mounts if (d, p) in after.mounts]),
                ("devfs rulesets", [r for r in record.rulesets if r in after.rulesets]),
                ("files", [p for p in record.paths if p in after.paths]),
                ("kernel modules", [m for m in record.modules
                                    if m in after.modules and m not in self.busy]),
                ("daemons", [TRACKED_DAEMONS[p] for p, pid in record.daemons.items()
                             if after.daemons.get(p) == pid]),
                ("netgraph nodes", [f"[{i}]" for i, kind in record.ng_nodes.items()
                                    if after.ng_nodes.get(i) == kind])):
            if still:
                leftovers.append(f"{label}: {', '.join(still)}")
        if leftovers or self.left:
            raise CleanupError("could not remove what the scenario created: "
                               + "; ".join(leftovers + self.left))


def _interfaces(host: Host) -> dict[str, str]:
    """Interface names and their MACs, now."""
    return {name: i.ether or "" for name, i in parse_ifconfig(host.run("ifconfig -a").stdout).items()}


def _current_file(host: Host, path: str) -> str | None:
    shown = host.run(f"test -f {shlex.quote(path)} && echo present && "
                     f"cat {shlex.quote(path)} && echo").stdout
    return _file_text(shown.removeprefix("present\n")) if shown.startswith("present\n") else None
