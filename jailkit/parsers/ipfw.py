"""ipfw(8) listings: ``ipfw list`` (one rule a line, its number first,
zero-padded to five digits; sbin/ipfw/ipfw2.c show_static_rule) and
``ipfw nat show config`` (each instance as the command that configures it,
``ipfw nat N config ...``; sbin/ipfw/nat.c)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_RULE = 65535        # the rule every ruleset ends with; never added nor deleted


@dataclass
class IpfwRule:
    number: int
    line: str               # the rule as listed, number included


def rule_number(line: str) -> int:
    """The number of a rule as ``ipfw list`` prints it."""
    return int(line.split()[0])


def parse_ipfw_list(text: str) -> list[IpfwRule]:
    """The rules in their order, the default rule included."""
    return [IpfwRule(rule_number(line), line) for line in text.splitlines()
            if line.split()[:1] and line.split()[0].isdigit()]


@dataclass
class NatConfig:
    number: int
    line: str               # "ipfw nat 1 config if em0 same_ports"


def parse_nat_config(text: str) -> list[NatConfig]:
    """The nat instances, in the order listed."""
    configs = []
    for line in text.splitlines():
        words = line.split()
        if words[:2] == ["ipfw", "nat"] and len(words) > 3 and words[2].isdigit():
            configs.append(NatConfig(int(words[2]), line))
    return configs
