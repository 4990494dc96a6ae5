"""devfs(5) rulesets: which devices a devfs mount shows.

Rules are applied in order over every device name; "add hide" hides, "add
path PATTERN unhide" shows what matches, "add include N" applies ruleset N
in place (sbin/devfs/rule.c, sys/fs/devfs/devfs_rule.c). Ruleset 0 is the
empty ruleset: everything visible."""

from __future__ import annotations

import fnmatch
import re
import shlex
from dataclasses import dataclass

from .octets import lines as text_lines
from .vfs import Device, Dir

DIRECTORIES = {"fd", "pts"}  # devices that are directories in devfs


@dataclass
class Rule:
    number: int
    pattern: str | None        # None: every device
    action: str                # "hide", "unhide" or "include"
    include: int = 0

    def text(self) -> str:
        """How ``devfs rule show`` prints the rule."""
        if self.action == "include":
            return f"{self.number} include {self.include}"
        path = f" path {self.pattern}" if self.pattern is not None else ""
        return f"{self.number}{path} {self.action}"


class RuleError(ValueError):
    pass


class Devfs:
    def __init__(self, devices: list[str]) -> None:
        self.devices = devices
        self.rulesets: dict[int, list[Rule]] = {}
        self.names: dict[str, int] = {}    # devfs.rules section names -> numbers (load)
        # visible()'s answers by what decides them (the devices, every rule
        # and the ruleset): each jail's devfs mount asks it again for the
        # same rules, and a rule or a device that changes makes a new key
        self._seen: dict[tuple, list[str]] = {}

    def add_rule(self, ruleset: int, words: list[str]) -> Rule:
        """``devfs rule -s N add ...``; rule numbers grow by 100."""
        rules = self.rulesets.setdefault(ruleset, [])
        number = (rules[-1].number // 100 + 1) * 100 if rules else 100
        if words and words[0].isdigit():
            number = int(words.pop(0))
        if words[:1] == ["include"] and len(words) == 2:
            target = words[1].lstrip("$")
            if not target.isdigit():
                raise RuleError(f"ruleset {words[1]} unknown")
            rule = Rule(number, None, "include", int(target))
        elif words[:1] == ["path"] and len(words) == 3 and words[2] in ("hide", "unhide"):
            rule = Rule(number, words[1], words[2])
        elif words in (["hide"], ["unhide"]):
            rule = Rule(number, None, words[0])
        else:
            raise RuleError(f"unknown argument: {' '.join(words)}")
        rules.append(rule)
        rules.sort(key=lambda r: r.number)
        return rule

    def load(self, text: str) -> None:
        """Load a devfs.rules(5) file, as rc.d/devfs does at boot: every
        [name=N] section becomes ruleset N; $name refers to another."""
        numbers: dict[str, int] = {}
        current: int | None = None
        for raw in text_lines(text):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            header = re.fullmatch(r"\[(\w+)=(\d+)\]", line)
            if header:
                current = int(header.group(2))
                numbers[header.group(1)] = current
                self.rulesets[current] = []
                continue
            if current is None:
                continue
            words = shlex.split(line)
            if words[:1] != ["add"]:
                continue
            words = [str(numbers.get(w[1:], w)) if w.startswith("$") else w for w in words[1:]]
            self.add_rule(current, words)
        self.names = numbers

    def visible(self, ruleset: int) -> list[str]:
        key = (ruleset, tuple(self.devices), self._fingerprint())
        found = self._seen.get(key)
        if found is None:
            shown = {name: True for name in self.devices}
            self._apply(ruleset, shown, depth=0)
            if len(self._seen) >= 64:      # rules edited over and over: start again
                self._seen.clear()
            found = self._seen[key] = [name for name, show in shown.items() if show]
        return list(found)

    def _fingerprint(self) -> tuple:
        """Every rule as a value (the rulesets are edited in place by devfs
        rule add, delset and load)."""
        return tuple((number, tuple((r.number, r.pattern, r.action, r.include) for r in rules))
                     for number, rules in self.rulesets.items())

    def _apply(self, ruleset: int, shown: dict[str, bool], depth: int) -> None:
        if depth > 8:
            return
        for rule in self.rulesets.get(ruleset, []):
            if rule.action == "include":
                self._apply(rule.include, shown, depth + 1)
                continue
            for name in shown:
                if rule.pattern is None or fnmatch.fnmatchcase(name, rule.pattern):
                    shown[name] = rule.action == "unhide"

    def root(self, ruleset: int) -> Dir:
        directory = Dir(0o555)
        self.populate(directory, ruleset)
        return directory

    def populate(self, directory: Dir, ruleset: int) -> None:
        directory.entries = {
            name: (Dir(0o555) if name in DIRECTORIES else Device(name))
            for name in sorted(self.visible(ruleset))}
