"""Leave the host as it was found: take a snapshot of what a scenario may
change (jails, interfaces, mounts, devfs rulesets, qjail's files, a few
sysctls), and afterwards remove whatever is new and put back what changed.
Only what the scenario added is touched; what was there before stays."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from .files import read_file, write_file
from .host import Host
from .qjail.record import CONFIG, FSTAB, GLOBAL, JAILDIR, LOCAL, PACKAGES, VNETCTL

TRACKED_PATHS = [JAILDIR, LOCAL, GLOBAL, CONFIG, FSTAB, PACKAGES, VNETCTL]
# Inside an existing qjail set-up, the jails' own trees and records.
TRACKED_GLOBS = ["/var/log/qjail.*", "/var/run/qjail.*", f"{JAILDIR}/*", f"{LOCAL}/*",
                 f"{GLOBAL}/*", f"{CONFIG}/*", f"{FSTAB}/*"]
TRACKED_FILES = ["/etc/devfs.rules", VNETCTL]
SYSCTLS = ["net.inet.ip.forwarding"]


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


def _words(host: Host, command: str) -> list[str]:
    return host.run(command).stdout.split()


def snapshot(host: Host) -> HostState:
    globs = " ".join(TRACKED_GLOBS + [shlex.quote(p) for p in TRACKED_PATHS])
    return HostState(
        jails=_words(host, "jls name"),
        interfaces=_words(host, "ifconfig -l"),
        mounts=[line.split()[1] for line in host.run("mount -p").stdout.splitlines()
                if len(line.split()) > 1],
        rulesets=_words(host, "devfs rule showsets"),
        paths=_words(host, f"ls -d {globs} 2>/dev/null"),
        files={path: read_file(host, path) for path in TRACKED_FILES},
        sysctls={name: host.run(["sysctl", "-n", name]).stdout.strip() for name in SYSCTLS},
    )


def restore(host: Host, before: HostState) -> list[str]:
    """Undo what happened since ``before``; returns the commands it ran.
    Raises CleanupError naming whatever could not be removed."""
    done: list[str] = []

    def run(command: list[str] | str) -> bool:
        result = host.run(command)
        done.append(command if isinstance(command, str) else shlex.join(command))
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
    _verify(host, before)
    return done


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
    if leftovers:
        raise CleanupError("could not remove what the scenario created: " + "; ".join(leftovers))
