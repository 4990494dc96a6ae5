"""Matching what a howto shows against what FreeBSD printed.

Only what the expected text shows is checked. ``<...>`` stands for any
value (a MAC address, a jid, a time). Runs of blanks compare equal, so a
pasted transcript that lost its tabs still matches.

- ifconfig output is matched interface by interface, in any order; within
  an interface each expected line must be there (a bridge member together
  with its ``ifmaxaddr ...`` line), in any order.
- qjail list output: every expected line must be there, in any order.
- Anything else: the expected lines must appear in order; lines FreeBSD
  printed in between are allowed.

On a mismatch the report says which expected lines were not found, the
closest line FreeBSD did print for each, and the whole output. An expected
text with nothing to look for (empty, blank, or only ``<...>``) is refused
with ExpectError: it would pass any output.

Matching takes time linear in the line's length whatever the number of
wildcards: the literal pieces between them are looked for left to right."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .parsers.ifconfig import blocks

WILDCARD = "<...>"


class ExpectError(ValueError):
    """The expected text cannot serve as a check (it would pass anything)."""


@dataclass
class Mismatch:
    report: str

    def __str__(self) -> str:
        return self.report


def _normal(line: str) -> str:
    return " ".join(line.split())


def _pieces(expected: str) -> list[str]:
    """The literal text between the wildcards of a normalised expected line."""
    return _normal(expected).split(WILDCARD)


def _pieces_match(pieces: list[str], actual: str) -> bool:
    """Whether ``actual`` is pieces[0] + any + pieces[1] + ... + pieces[-1],
    each ``any`` at least one character. Each middle piece is taken at its
    leftmost place after the one before it: leftmost leaves the most room
    for the rest, so no other choice can succeed where it fails, and every
    character is looked at a bounded number of times (no backtracking)."""
    first, *middle_and_last = pieces
    if not middle_and_last:
        return actual == first
    *middle, last = middle_and_last
    if not actual.startswith(first):
        return False
    position = len(first)
    for piece in middle:
        found = actual.find(piece, position + 1)
        if found < 0:
            return False
        position = found + len(piece)
    return len(actual) - len(last) >= position + 1 and actual.endswith(last)


def line_matches(expected: str, actual: str) -> bool:
    return _pieces_match(_pieces(expected), _normal(actual))


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _refuse_empty(expected: str) -> None:
    """An expected block with no text to look for would pass any output: a
    check that cannot fail is a mistake in the feature, not a pass."""
    if not expected.strip():
        raise ExpectError("the expected output is empty: it would pass whatever FreeBSD prints; "
                          "write the lines the howto shows")
    if not any(piece.strip() for line in _lines(expected) for piece in _pieces(line)):
        raise ExpectError(f"the expected output {expected.strip()!r} shows nothing but {WILDCARD}: it "
                          "would pass any output with a line in it; write the lines the howto shows")


def match_text(expected: str, actual: str, ordered: bool = True) -> Mismatch | None:
    _refuse_empty(expected)
    wanted = _lines(expected)
    got = _lines(actual)
    missing: list[str] = []
    position = 0
    for line in wanted:
        candidates = range(position, len(got)) if ordered else range(len(got))
        found = next((i for i in candidates if line_matches(line, got[i])), None)
        if found is None:
            missing.append(line)
        elif ordered:
            position = found + 1
    if not missing:
        return None
    return Mismatch(_report(wanted, missing, got, actual, ordered))


def _report(wanted: list[str], missing: list[str], got: list[str], actual: str, ordered: bool) -> str:
    out = ["The output does not show what the howto expects.",
           "Expected lines (✗ = not found" + (", in this order" if ordered else "") + "):"]
    pending = list(missing)
    for line in wanted:
        mark = "✗" if line in pending else "✓"
        if line in pending:
            pending.remove(line)
        out.append(f"  {mark} {line}")
    for line in missing:
        close = difflib.get_close_matches(_normal(line), [_normal(g) for g in got], n=1, cutoff=0.5)
        if close:
            out.append(f"For  {line.strip()}\n the closest line printed was\n     {close[0]}")
    out.append("What FreeBSD printed:")
    out.extend(f"  | {line}" for line in actual.rstrip("\n").splitlines() or ["(nothing)"])
    return "\n".join(out)


def match_ifconfig(expected: str, actual: str) -> Mismatch | None:
    _refuse_empty(expected)
    wanted = blocks(expected)
    if not wanted:
        return match_text(expected, actual)
    got = blocks(actual)
    problems: list[str] = []
    for name, block in wanted.items():
        header, entries = block.header, block.entries
        if name not in got:
            problems.append(f"Interface {name} is not there; FreeBSD listed: "
                            f"{', '.join(got) or 'no interfaces'}.")
            continue
        actual_header, actual_entries = got[name].header, got[name].entries
        lost = [] if line_matches(header, actual_header) else [header]
        lost += [e for e in entries if not any(line_matches(e, a) for a in actual_entries)]
        if lost:
            lines = [f"Interface {name} differs. Expected, not found:"]
            for entry in lost:
                lines.append(f"  ✗ {entry}")
                close = difflib.get_close_matches(entry, [actual_header] + actual_entries, n=1,
                                                  cutoff=0.5)
                if close:
                    lines.append(f"    closest printed: {close[0]}")
            lines.append(f"What FreeBSD printed for {name}:")
            lines.append(f"  | {actual_header}")
            lines.extend(f"  |     {a}" for a in actual_entries)
            problems.append("\n".join(lines))
    if not problems:
        return None
    return Mismatch("The ifconfig output does not show what the howto expects.\n" + "\n".join(problems))


def kind_of(command: str) -> str:
    """Which matcher suits the output of ``command``."""
    words = command.split()
    if not words:
        return "text"
    if words[0] == "ifconfig" or (words[0] in ("jexec",) and "ifconfig" in words):
        return "ifconfig"
    if words[:2] == ["qjail", "list"]:
        return "qjail-list"
    return "text"


def match(expected: str, actual: str, kind: str = "text") -> Mismatch | None:
    if kind == "ifconfig":
        return match_ifconfig(expected, actual)
    if kind == "qjail-list":
        return match_text(expected, actual, ordered=False)
    return match_text(expected, actual)
