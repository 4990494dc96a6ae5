"""``devfs rule showsets``: the numbers of the rulesets in the kernel, one
a line (sbin/devfs/rule.c rule_showsets)."""

from __future__ import annotations


def parse_showsets(text: str) -> list[str]:
    """The ruleset numbers, as printed."""
    return [word for word in text.split() if word.isdigit()]
