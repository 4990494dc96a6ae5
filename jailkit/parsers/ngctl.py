"""ngctl(8) list: one netgraph node a line after the count, as list.c's
ListCmd prints it: "  Name: NAME  Type: TYPE  ID: 0000000N  Num hooks: N"
(an unnamed node shows "<unnamed>"); and ngctl msg's answer, as msg.c's
MsgRead prints it: 'Rec'd response "CMD" (N) from "[ID]:":' then
"Args:<TAB>ARGS" (or "No arguments")."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NODE = re.compile(r"^\s*Name: (?P<name>\S+)\s+Type: (?P<type>\S+)\s+ID: (?P<id>[0-9a-f]+)"
                   r"\s+Num hooks: (?P<hooks>\d+)\s*$")


@dataclass(frozen=True)
class NgNode:
    name: str
    type: str
    id: str          # eight hex digits, as ngctl prints it; never reused while netgraph lives
    hooks: int


def parse_ngctl_list(text: str) -> list[NgNode]:
    """The nodes ``ngctl list`` shows (the count line left out)."""
    nodes = []
    for line in text.splitlines():
        found = _NODE.match(line)
        if found:
            nodes.append(NgNode(found["name"], found["type"], found["id"], int(found["hooks"])))
    return nodes


def parse_ngctl_msg(text: str) -> str | None:
    """The ASCII arguments of the answer ``ngctl msg`` printed, or None
    when there is none."""
    for line in text.splitlines():
        if line.startswith("Args:"):
            return line[len("Args:"):].strip()
    return None
