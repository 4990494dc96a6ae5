"""jail.conf(5): parsing and writing.

Syntax: ``param;`` (a boolean), ``param = value;``, ``param += value;``,
comma-separated lists, ``name { ... }`` blocks (``*`` for every jail),
parameters outside blocks apply to all jails, "double" quotes with escapes
and $variables, 'single' quotes taken literally, and #, // and /* */
comments (usr.sbin/jail/jaillex.l, jailparse.y, config.c)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
            "\\": "\\", '"': '"', "'": "'", "$": "\\$", "\n": ""}
_WORD = re.compile(r"(?:[^\s;{}=,+\"'#/]|/(?![/*])|\+(?!=))+")
_VARIABLE = re.compile(r"\$(\{([A-Za-z0-9_.]+)\}|([A-Za-z0-9_]+))")
# a literal dollar (\$), or a variable: what expand() replaces, leftmost first
_EXPANDED = re.compile(r"\\\$|" + _VARIABLE.pattern)
_DOUBLE = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_SINGLE = re.compile(r"'([^']*)'")
_ESCAPE = re.compile(r"\\(.)", re.S)


class JailConfError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Param:
    name: str
    values: list[str]          # empty: a boolean parameter ("mount.devfs;")
    append: bool = False       # "+=" instead of "="
    line: int = 0


@dataclass
class JailConf:
    globals: list[Param] = field(default_factory=list)
    jails: dict[str, list[Param]] = field(default_factory=dict)

    def params_for(self, name: str) -> list[Param]:
        """Every parameter that applies to jail ``name``: the global ones,
        those of ``*`` blocks, then the jail's own, in order."""
        collected = list(self.globals)
        for block, params in self.jails.items():
            if block == "*" or block == name:
                collected.extend(params)
        return collected


def parse(text: str) -> JailConf:
    conf = JailConf()
    tokens = _tokens(text)
    pos = 0
    current: list[Param] | None = None

    def peek(offset: int = 0):
        return tokens[pos + offset] if pos + offset < len(tokens) else ("eof", "", _last_line(tokens))

    while pos < len(tokens):
        kind, value, line = tokens[pos]
        if kind == "}":
            if current is None:
                raise JailConfError("}: syntax error", line)
            current = None
            pos += 1
            continue
        if kind == ";":
            pos += 1
            continue
        if kind != "word":
            raise JailConfError(f"{value}: syntax error", line)
        if peek(1)[0] == "{":
            if current is not None:
                raise JailConfError(f"{value}: syntax error", line)
            current = conf.jails.setdefault(value, [])
            pos += 2
            continue
        pos += 1
        param = Param(value, [], line=line)
        nxt = peek()
        if nxt[0] in ("=", "+="):
            param.append = nxt[0] == "+="
            pos += 1
            while True:
                item = peek()
                if item[0] != "word":
                    raise JailConfError(f"{item[1] or item[0]}: syntax error", item[2])
                param.values.append(item[1])
                pos += 1
                if peek()[0] == ",":
                    pos += 1
                    continue
                break
        end = peek()
        if end[0] != ";":
            raise JailConfError(f"{end[1] or end[0]}: syntax error" if end[0] != "eof"
                                else "unexpected EOF", end[2])
        pos += 1
        (current if current is not None else conf.globals).append(param)
    if current is not None:
        raise JailConfError("unexpected EOF", _last_line(tokens))
    return conf


def _last_line(tokens: list) -> int:
    return tokens[-1][2] if tokens else 1


# One lexeme of jail.conf at a position, tried in the lexer's order: a
# line break, other blanks, a comment to the end of the line, a block
# comment's start, an operator, a quote, a bare word.
_LEXEME = re.compile(r'(?P<nl>\n)|(?P<blank>[^\S\n]+)|(?P<comment>(?:#|//)[^\n]*)|(?P<block>/\*)'
                     r'|(?P<op>\+=|[;{}=,])|(?P<quote>["\'])|(?P<word>' + _WORD.pattern + ")")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, value, line): kind is "word" (a quoted or bare string, quotes
    removed), or one of ; { } = += ,"""
    out: list[tuple[str, str, int]] = []
    i, line = 0, 1
    while i < len(text):
        match = _LEXEME.match(text, i)
        if match is None:
            raise JailConfError(f"{text[i]}: syntax error", line)
        kind = match.lastgroup
        if kind == "nl":
            line += 1
        elif kind == "block":
            end = text.find("*/", i + 2)
            if end < 0:
                raise JailConfError("unterminated comment", line)
            line += text.count("\n", i, end)
            i = end + 2
            continue
        elif kind == "op":
            out.append((match.group(), match.group(), line))
        elif kind == "quote":
            word, i, line = _quoted(text, i, line)
            out.append(("word", word, line))
            continue
        elif kind == "word":
            out.append(("word", match.group(), line))
        i = match.end()
    return out


def _quoted(text: str, i: int, line: int) -> tuple[str, int, int]:
    """The string opening at ``text[i]``, without its quotes: in double
    quotes a backslash escapes the next character (_ESCAPES; an escaped
    line break is no line of its own), single quotes take everything as it
    is. (word, index after it, line at its end)."""
    quote = text[i]
    match = (_DOUBLE if quote == '"' else _SINGLE).match(text, i)
    if match is None:
        rest = text[i + 1:]
        continued = _continued(rest) if quote == '"' else 0
        raise JailConfError("unterminated string", line + rest.count("\n") - continued)
    raw = match.group(1)
    if quote == "'":
        # Variables only expand in double quotes and bare words; mark the
        # dollars of a single-quoted string so expansion leaves them alone.
        return raw.replace("$", "\\$"), match.end(), line + raw.count("\n")
    if "\\" not in raw:
        return raw, match.end(), line + raw.count("\n")
    word = _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), raw)
    return word, match.end(), line + raw.count("\n") - _continued(raw)


def _continued(raw: str) -> int:
    """How many escaped line breaks (backslash, newline) ``raw`` holds."""
    return sum(1 for m in _ESCAPE.finditer(raw) if m.group(1) == "\n")


def expand(value: str, lookup) -> str:
    """Replace $name and ${name} with ``lookup(name)``; a ``\\$`` stays a
    literal dollar. ``lookup`` raises KeyError for an unknown variable."""
    if "$" not in value:
        return value
    return _EXPANDED.sub(lambda m: "$" if m.group(0) == "\\$" else lookup(m.group(2) or m.group(3)),
                         value)


_QUOTED = {"\\": "\\\\", '"': '\\"', "$": "\\$", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_TO_QUOTE = re.compile(r'[\\"$\n\t\r]')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def quote(value: str) -> str:
    """A value in double quotes, escaped so that parse() and jail(8)'s lexer
    (usr.sbin/jail/jaillex.l) read it back as this one string: backslash,
    quote and dollar escaped, line breaks written as escapes. Other control
    characters have no escape there and are refused."""
    if _CONTROL.search(value):
        raise ValueError(f"jail.conf value {value!r} holds a control character")
    return '"' + _TO_QUOTE.sub(lambda m: _QUOTED[m.group(0)], value) + '"'


def render(name: str, params: list[tuple[str, str | None, bool]]) -> str:
    """A jail block; each param is (name, value or None for a boolean,
    append with +=)."""
    if not _WORD.fullmatch(name):
        raise ValueError(f"{name!r} is not a jail.conf jail name")
    lines = [f"{name} {{"]
    for key, value, append in params:
        if value is None:
            lines.append(f"\t{key};")
        else:
            lines.append(f"\t{key} {'+=' if append else '='} {quote(value)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
