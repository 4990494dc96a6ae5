"""POSIX regular expressions as FreeBSD's libc regcomp(3) reads them (re_format(7)):
basic (BRE, grep and sed's default) and extended (ERE, grep -E, sed -E, awk),
translated to Python's re. FreeBSD's extensions are kept: \\< \\> [[:<:]]
[[:>:]] \\b \\B \\w \\W \\s \\S, and in a BRE \\+ \\? \\|. Errors carry
regerror(3)'s texts (lib/libc/regex/regerror.c). One difference stays:
POSIX picks the leftmost-longest match, Python the leftmost-first; they
differ only for alternations whose earlier branch matches a prefix of a
later one."""

from __future__ import annotations

import re

# regerror(3)'s texts, by the error regcomp returns
REG_EPAREN = "parentheses not balanced"
REG_EBRACK = "brackets ([ ]) not balanced"
REG_EBRACE = "braces not balanced"
REG_BADBR = "invalid repetition count(s)"
REG_BADRPT = "repetition-operator operand invalid"
REG_ECTYPE = "invalid character class"
REG_ESUBREG = "invalid backreference number"
REG_EESCAPE = "trailing backslash (\\)"
REG_ERANGE = "invalid character range"

CLASSES = {
    "alnum": "a-zA-Z0-9", "alpha": "a-zA-Z", "blank": " \\t", "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~",
    "punct": "!-/:-@\\[-`{-~", "space": " \\t\\n\\r\\f\\v", "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}
# the GNU-style escapes FreeBSD's regcomp accepts outside brackets
ESCAPES = {"<": r"\b(?=\w)", ">": r"\b(?<=\w)", "b": r"\b", "B": r"\B",
           "w": r"\w", "W": r"\W", "s": r"\s", "S": r"\S", "`": r"\A", "'": r"\Z"}


class RegexError(Exception):
    """regcomp(3) refused the expression; str() is regerror's text."""


def compile(pattern: str, extended: bool, icase: bool = False) -> re.Pattern[str]:
    """regcomp(pattern, REG_EXTENDED if extended, REG_ICASE if icase)."""
    source, _ = translate(pattern, extended)
    try:
        return re.compile(source, re.IGNORECASE if icase else 0)
    except re.error as exc:
        raise RegexError(REG_BADRPT if "repeat" in str(exc) else REG_EPAREN) from None


def translate(pattern: str, extended: bool) -> tuple[str, int]:
    """The Python source of ``pattern`` and its number of subexpressions."""
    return _Translator(pattern, extended).run()


class _Translator:
    def __init__(self, pattern: str, extended: bool) -> None:
        self.p = pattern
        self.ere = extended
        self.i = 0
        self.out: list[str] = []
        self.groups = 0
        self.open: list[int] = []
        # where a repetition operator would have nothing to repeat
        self.at_start = True

    def run(self) -> tuple[str, int]:
        while self.i < len(self.p):
            self.step()
        if self.open:
            raise RegexError(REG_EPAREN)
        return "".join(self.out), self.groups

    def emit(self, text: str, atom: bool = True) -> None:
        self.out.append(text)
        self.at_start = not atom

    def step(self) -> None:
        c = self.p[self.i]
        self.i += 1
        if c == "\\":
            self.escape()
        elif c == "[":
            self.emit(self.bracket())
        elif c == ".":
            self.emit(".")
        elif c == "^":
            self.caret()
        elif c == "$":
            self.dollar()
        elif c == "*":
            self.star()
        elif self.ere and c in "+?":
            self.repeat(c)
        elif self.ere and c == "{" and self.i < len(self.p) and self.p[self.i].isdigit():
            self.interval()
        elif self.ere and c == "(":
            self.group_open()
        elif self.ere and c == ")":
            self.group_close()
        elif self.ere and c == "|":
            self.emit("|", atom=False)
        else:
            self.emit(re.escape(c))

    def escape(self) -> None:
        if self.i >= len(self.p):
            raise RegexError(REG_EESCAPE)
        c = self.p[self.i]
        self.i += 1
        if not self.ere and c == "(":
            self.group_open()
        elif not self.ere and c == ")":
            self.group_close()
        elif not self.ere and c == "{":
            self.interval()
        elif not self.ere and c in "+?":
            self.repeat(c)
        elif not self.ere and c == "|":
            self.emit("|", atom=False)
        elif c.isdigit() and c != "0":
            if int(c) > self.groups or int(c) in self.open_numbers():
                raise RegexError(REG_ESUBREG)
            self.emit(f"(?:\\{c})")
        elif c in ESCAPES:
            self.emit(ESCAPES[c], atom=c not in "<>bB`'")
        else:
            self.emit(re.escape(c))

    def open_numbers(self) -> set[int]:
        return set(self.open)

    def caret(self) -> None:
        # a BRE's ^ anchors only first in the expression or a subexpression
        if self.ere or self.at_start and (not self.out or self.out[-1] in ("(", "|")):
            self.emit("^", atom=False)
        else:
            self.emit(re.escape("^"))

    def dollar(self) -> None:
        rest = self.p[self.i:]
        if self.ere or rest == "" or rest.startswith("\\)") or rest.startswith("\\|"):
            self.emit("$", atom=False)
        else:
            self.emit(re.escape("$"))

    def star(self) -> None:
        if self.at_start:
            if self.ere:
                raise RegexError(REG_BADRPT)
            self.emit(re.escape("*"))       # a BRE's leading * is literal
            return
        self.emit("*", atom=False)
        self.at_start = False

    def repeat(self, op: str) -> None:
        if self.at_start:
            raise RegexError(REG_BADRPT)
        self.emit(op)

    def interval(self) -> None:
        close = "\\}" if not self.ere else "}"
        end = self.p.find(close, self.i)
        if end < 0:
            raise RegexError(REG_EBRACE)
        body = self.p[self.i:end]
        self.i = end + len(close)
        match = re.fullmatch(r"(\d+)(,(\d*))?", body)
        if not match:
            raise RegexError(REG_BADBR)
        low = int(match.group(1))
        high = match.group(3)
        if high and int(high) < low or low > 255 or high and int(high) > 255:
            raise RegexError(REG_BADBR)
        if self.at_start:
            raise RegexError(REG_BADRPT)
        self.emit("{" + body + "}")

    def group_open(self) -> None:
        self.groups += 1
        self.open.append(self.groups)
        self.emit("(", atom=False)

    def group_close(self) -> None:
        if not self.open:
            if self.ere:
                raise RegexError(REG_EPAREN)
            self.emit(re.escape(")"))
            return
        self.open.pop()
        self.emit(")")

    def bracket(self) -> str:
        """A bracket expression up to its ], as a Python character class."""
        start = self.i
        negate = self.p.startswith("^", self.i)
        if negate:
            self.i += 1
        word = re.match(r"\[:([<>]):\]\]", self.p[start - 1:])
        if word:
            self.i = start - 1 + len(word.group(0))
            return ESCAPES[word.group(1)]
        items: list[str] = []
        first = True
        while True:
            if self.i >= len(self.p):
                raise RegexError(REG_EBRACK)
            c = self.p[self.i]
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            if c == "[" and self.p[self.i + 1:self.i + 2] in (":", "=", "."):
                items.append(self.bracket_class())
                continue
            self.i += 1
            if self.p[self.i:self.i + 1] == "-" and self.p[self.i + 1:self.i + 2] not in ("]", ""):
                high = self.p[self.i + 1]
                self.i += 2
                if ord(high) < ord(c):
                    raise RegexError(REG_ERANGE)
                items.append(_class_char(c) + "-" + _class_char(high))
            else:
                items.append(_class_char(c))
        return "[" + ("^" if negate else "") + "".join(items) + "]"

    def bracket_class(self) -> str:
        kind = self.p[self.i + 1]
        end = self.p.find(kind + "]", self.i + 2)
        if end < 0:
            raise RegexError(REG_EBRACK)
        name = self.p[self.i + 2:end]
        self.i = end + 2
        if kind == ":":
            if name not in CLASSES:
                raise RegexError(REG_ECTYPE)
            return CLASSES[name]
        return "".join(_class_char(c) for c in name)     # [=c=] and [.c.]: the character


def _class_char(c: str) -> str:
    return "\\" + c if c in "\\]^-[" else c
