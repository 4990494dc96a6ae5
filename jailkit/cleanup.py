"""Leave the host as it was found: take a snapshot of what a scenario may
change (jails, interfaces, mounts, devfs rulesets, qjail's files, a few
sysctls and rc files, kernel modules, the host's ipfw, pf and ipfilter
rules), and afterwards remove whatever is new and put back what changed.
Only what the scenario added is touched; what was there before stays. The
host's ipfw is never flushed (a box's ssh may depend on its rules): only
the rule numbers that changed are deleted and put back."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from .files import write_file
from .host import Host
from .qjail.record import CONFIG, FSTAB, GLOBAL, JAILDIR, LOCAL, PACKAGES, VNETCTL

TRACKED_PATHS = [JAILDIR, LOCAL, GLOBAL, CONFIG, FSTAB, PACKAGES, VNETCTL]
# Inside an existing qjail set-up, the jails' own trees and records.
TRACKED_GLOBS = ["/var/log/qjail.*", "/var/run/qjail.*", f"{JAILDIR}/*", f"{LOCAL}/*",
                 f"{GLOBAL}/*", f"{CONFIG}/*", f"{FSTAB}/*"]
TRACKED_FILES = ["/etc/devfs.rules", VNETCTL, "/etc/rc.conf", "/etc/pf.conf", "/etc/ipf.rules",
                 "/etc/ipnat.rules"]
SYSCTLS = ["net.inet.ip.forwarding"]
# Modules that must go before the ones they depend on.
UNLOAD_FIRST = ["ipfw_nat", "pflog", "ipdivert"]


class CleanupError(Exception):
    pass


@dataclass
class HostState:
    jails: list[str]
    interfaces: list[str]
    mounts: list[str]
    rulesets: list[str]
    paths: list[str]
    files: dict[str, str | None]
    sysctls: dict[str, str] = field(default_factory=dict)
    modules: list[str] = field(default_factory=list)
    firewalls: dict[str, str] = field(default_factory=dict)


def _words(host: Host, command: str) -> list[str]:
    return host.run(command).stdout.split()


MARK = "@@jailkit-snapshot:"


def snapshot(host: Host) -> HostState:
    """Everything in one command (one round trip to a remote box): each
    part printed after a marker line."""
    globs = " ".join(TRACKED_GLOBS + [shlex.quote(p) for p in TRACKED_PATHS])
    parts = {
        "jails": "jls name", "interfaces": "ifconfig -l", "mounts": "mount -p",
        "rulesets": "devfs rule showsets", "paths": f"ls -d {globs}", "modules": "kldstat",
        "ipfw": "ipfw list", "ipfw nat": "ipfw nat show config", "pf": "pfctl -s Running",
        "pf rules": "pfctl -s nat; pfctl -s rules", "ipf": "ipf -V", "ipf rules": "ipfstat -io",
        "ipnat rules": "ipnat -l",
    }
    parts.update({f"sysctl {name}": f"sysctl -n {name}" for name in SYSCTLS})
    parts.update({f"file {path}": f"test -f {shlex.quote(path)} && echo present && "
                                  f"cat {shlex.quote(path)}" for path in TRACKED_FILES})
    script = "".join(f"echo {shlex.quote(MARK + name)}; ({command}) 2>/dev/null; "
                     for name, command in parts.items())
    found: dict[str, str] = {}
    name = None
    for line in host.run(script).stdout.splitlines(keepends=True):
        if line.startswith(MARK):
            name = line[len(MARK):].rstrip("\n")
            found[name] = ""
        elif name is not None:
            found[name] += line
    files = {}
    for path in TRACKED_FILES:
        text = found.get(f"file {path}", "")
        files[path] = text.partition("\n")[2] if text.startswith("present\n") else None
    nat = found.get("ipnat rules", "")
    return HostState(
        jails=found.get("jails", "").split(),
        interfaces=found.get("interfaces", "").split(),
        mounts=[line.split()[1] for line in found.get("mounts", "").splitlines()
                if len(line.split()) > 1],
        rulesets=found.get("rulesets", "").split(),
        paths=found.get("paths", "").split(),
        files=files,
        sysctls={name: found.get(f"sysctl {name}", "").strip() for name in SYSCTLS},
        modules=[line.split()[-1].removesuffix(".ko")
                 for line in found.get("modules", "").splitlines()[1:] if line.split()],
        firewalls={"ipfw": found.get("ipfw", ""), "ipfw nat": found.get("ipfw nat", ""),
                   "pf": found.get("pf", ""), "pf rules": found.get("pf rules", ""),
                   "ipf": "yes" if "Running: yes" in found.get("ipf", "") else "no",
                   "ipf rules": found.get("ipf rules", ""),
                   "ipnat rules": nat.split("\n\nList of active sessions:")[0]},
    )


def restore(host: Host, before: HostState) -> list[str]:
    """Undo what happened since ``before``; returns the commands it ran.
    Raises CleanupError naming whatever could not be removed."""
    done: list[str] = []

    def run(command: list[str] | str) -> bool:
        result = host.run(command)
        done.append(command if isinstance(command, str) else shlex.join(command))
        return result.succeeded

    def feed(command: list[str], text: str) -> bool:
        result = host.run(command, stdin=text)
        done.append(f"{shlex.join(command)} <<< {text.count(chr(10))} lines from before")
        return result.succeeded

    for name in [j for j in _words(host, "jls name") if j not in before.jails]:
        conf = f"{CONFIG}/{name}"
        if host.run(["test", "-f", conf]).succeeded:
            run(["jail", "-q", "-f", conf, "-r", name]) or run(["jail", "-R", name])
        else:
            run(["jail", "-r", name]) or run(["jail", "-R", name])
    now = snapshot(host)
    for mountpoint in reversed([m for m in now.mounts if m not in before.mounts]):
        run(["umount", "-f", mountpoint])
    for ifname in [i for i in now.interfaces if i not in before.interfaces]:
        if ifname in _words(host, "ifconfig -l"):
            run(["ifconfig", ifname, "destroy"])
    for ruleset in [r for r in now.rulesets if r not in before.rulesets]:
        run(["devfs", "rule", "-s", ruleset, "delset"])
    for path, text in before.files.items():
        if now.files.get(path) != text:
            if text is None:
                run(["rm", "-f", path])
            else:
                write_file(host, path, text)
                done.append(f"restore {path}")
    new_paths = [p for p in now.paths if p not in before.paths]
    if new_paths:
        run(["rm", "-rf"] + new_paths)
    for name, value in before.sysctls.items():
        if now.sysctls.get(name) != value and value:
            run(["sysctl", f"{name}={value}"])
    _restore_firewalls(host, before, now, run, feed)
    new_modules = [m for m in now.modules if m not in before.modules]
    for module in sorted(new_modules, key=lambda m: m not in UNLOAD_FIRST):
        run(["kldunload", module])
    _verify(host, before)
    return done


def _restore_firewalls(host: Host, before: HostState, now: HostState, run, feed) -> None:
    """Put the host's firewall rules back as they were, for each firewall
    whose module was loaded before (a newer module is unloaded instead)."""
    old_fw, new_fw = before.firewalls, now.firewalls
    if "ipfw" in before.modules:
        old, new = _ipfw_rules(old_fw["ipfw"]), _ipfw_rules(new_fw["ipfw"])
        for number in sorted(set(old) | set(new), key=int):
            if old.get(number) != new.get(number):
                if number in new:
                    run(["ipfw", "-q", "delete", number])
                for body in old.get(number, []):
                    run(["ipfw", "-q", "add", number] + shlex.split(body))
        old_nat = [l for l in old_fw["ipfw nat"].splitlines() if l.strip()]
        for line in new_fw["ipfw nat"].splitlines():
            if line.strip() and line not in old_nat:
                run(["ipfw", "nat", line.split()[2], "delete"])
        for line in old_nat:
            if line not in new_fw["ipfw nat"].splitlines():
                run(shlex.split(line))
    if "pf" in before.modules:
        if new_fw["pf rules"] != old_fw["pf rules"]:
            run(["pfctl", "-q", "-F", "rules"])
            run(["pfctl", "-q", "-F", "nat"])
            if old_fw["pf rules"].strip():
                feed(["pfctl", "-q", "-f", "-"], old_fw["pf rules"])
        if new_fw["pf"] != old_fw["pf"]:
            run(["pfctl", "-q", "-e" if old_fw["pf"].strip() == "Enabled" else "-d"])
        run(["pfctl", "-q", "-F", "states"])
    if "ipl" in before.modules:
        if new_fw["ipf rules"] != old_fw["ipf rules"]:
            run(["ipf", "-Fa"])
            if old_fw["ipf rules"].strip():
                feed(["ipf", "-f", "-"], old_fw["ipf rules"])
        if new_fw["ipf"] != old_fw["ipf"]:
            run(["ipf", "-E" if old_fw["ipf"] == "yes" else "-D"])
        if new_fw["ipnat rules"] != old_fw["ipnat rules"]:
            run(["ipnat", "-CF"])
            rules = old_fw["ipnat rules"].partition("\n")[2]
            if rules.strip():
                feed(["ipnat", "-f", "-"], rules)


def _ipfw_rules(listing: str) -> dict[str, list[str]]:
    """ipfw list, by rule number (the default rule left out)."""
    rules: dict[str, list[str]] = {}
    for line in listing.splitlines():
        number, _, body = line.partition(" ")
        if number.isdigit() and int(number) != 65535:
            rules.setdefault(number, []).append(body)
    return rules


def _verify(host: Host, before: HostState) -> None:
    after = snapshot(host)
    leftovers = []
    for label, old, new in (("jails", before.jails, after.jails),
                            ("interfaces", before.interfaces, after.interfaces),
                            ("mounts", before.mounts, after.mounts),
                            ("devfs rulesets", before.rulesets, after.rulesets),
                            ("files", before.paths, after.paths)):
        extra = [item for item in new if item not in old]
        if extra:
            leftovers.append(f"{label}: {', '.join(extra)}")
    extra_modules = [m for m in after.modules if m not in before.modules]
    if extra_modules:
        leftovers.append(f"kernel modules: {', '.join(extra_modules)}")
    changed = [name for name, value in before.firewalls.items()
               if after.firewalls.get(name) != value]
    if changed:
        leftovers.append(f"firewall state: {', '.join(changed)}")
    if leftovers:
        raise CleanupError("could not remove what the scenario created: " + "; ".join(leftovers))
