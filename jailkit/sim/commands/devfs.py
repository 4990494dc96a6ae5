"""devfs(8): rulesets and their application to devfs mounts
(sbin/devfs/devfs.c, rule.c). ``devfs rule -s N add ...`` adds to ruleset
N, ``showsets`` lists the ruleset numbers, ``-m MOUNT ruleset N`` picks a
mount's ruleset and ``rule applyset`` applies it."""

from __future__ import annotations

from ..devfs import RuleError
from ...getopt import GetoptError, getopt, option_values
from ..proc import Proc, program

USAGE = "usage: devfs [-m mount-point] keyword argument ...\n"


@program("/sbin/devfs")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "m:", USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    given = option_values(opts).get("m", "/dev")
    mountpoint = proc.abspath(given)
    # the most recent devfs mount there (the one the path opens), searched
    # from the newest: a jail's devfs was mounted just before its rules
    mount = next((m for m in reversed(proc.kernel.vfs.mounts)
                  if m.mountpoint == mountpoint and m.fstype == "devfs"), None)
    if not args:
        proc.error(USAGE)
        return 1
    if mount is None:
        proc.error(f"devfs: open: {given}: Inappropriate ioctl for device\n")
        return 1
    devfs = proc.kernel.devfs
    keyword, rest = args[0], args[1:]
    if keyword == "ruleset":
        if len(rest) != 1 or not rest[0].isdigit():
            proc.error("usage: devfs ruleset ruleset_number\n")
            return 1
        mount.ruleset = int(rest[0])
        return 0
    if keyword != "rule":
        proc.warnx(f"unknown command: {keyword}")
        proc.error(USAGE)
        return 1
    try:
        ropts, words = getopt(rest, "s:")
    except GetoptError as exc:
        proc.warnx(str(exc))
        return 1
    rule_values = option_values(ropts)
    ruleset = int(rule_values["s"]) if "s" in rule_values else mount.ruleset
    if not words:
        proc.error("usage: devfs rule [-s ruleset] command ...\n")
        return 1
    command, words = words[0], words[1:]
    if not proc.prison.is_host and command not in ("show", "showsets"):
        proc.error("devfs: ioctl DEVFSIO_RADD: Operation not permitted\n")
        return 1
    if command == "add":
        try:
            devfs.add_rule(ruleset, list(words))
        except RuleError as exc:
            proc.warnx(str(exc))
            return 1
    elif command == "show":
        for rule in devfs.rulesets.get(ruleset, []):
            proc.write(rule.text() + "\n")
    elif command == "showsets":
        for number in sorted(devfs.rulesets):
            proc.write(f"{number}\n")
    elif command == "delset":
        devfs.rulesets.pop(ruleset, None)
    elif command == "applyset":
        devfs.populate(mount.root, ruleset)
    else:
        proc.warnx(f"unknown argument: {command}")
        return 1
    return 0
