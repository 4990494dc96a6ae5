"""expr(1): evaluate an expression given as arguments (bin/expr/expr.y).

The grammar is expr.y's: every argument is one token, operators by
precedence from | (lowest) through & , the comparisons, + -, * / %, to
: (highest), all left-associative, with ( ) for grouping. A string that
strtol() takes whole (blanks, a sign, digits; or nothing at all) compares
and computes as an integer.
`STRING : REGEX` matches a basic regular expression (regcomp(3) flags 0)
anchored at the start of STRING: the first \\( \\) group's text, else the
length of the match. The exit status is 0 for a result neither empty nor
zero, 1 otherwise, and 2 for an error ("syntax error", "non-numeric
argument", "division by zero", a regcomp message)."""

from __future__ import annotations

import re

from ..proc import Proc, program
from ...getopt import getopt

ERR_EXIT = 2
OPERATORS = set("|&=<>+-*/%:()") | {">=", "<=", "!="}
# expr.y's %left lines, lowest first
LEVELS = [["|"], ["&"], ["=", ">", "<", ">=", "<=", "!="], ["+", "-"], ["*", "/", "%"], [":"]]
# what strtol() converts whole: blanks, a sign, digits
INTEGER = re.compile(r"[ \t\n\v\f\r]*[-+]?[0-9]+")
LONG_MIN, LONG_MAX = -2**63, 2**63 - 1


class ExprError(Exception):
    pass


Value = int | str


@program("/bin/expr")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "e", "usage: expr [-e] expression\n")
    if parsed is None:
        return ERR_EXIT
    _, args = parsed
    try:
        result = Parser(args).parse()
    except ExprError as exc:
        proc.warnx(str(exc))
        return ERR_EXIT
    proc.write(f"{result}\n")
    return 1 if _zero_or_null(result) else 0


def _number(value: Value) -> int | None:
    """The value as an integer when it is one (make_str/to_integer): what
    strtol() converts to its end, the empty string (0) included."""
    if isinstance(value, int):
        return value
    if value == "":
        return 0
    return _clamp(int(value)) if INTEGER.fullmatch(value) else None


def _clamp(number: int) -> int:
    """strtol() saturates at LONG_MIN / LONG_MAX."""
    return max(LONG_MIN, min(LONG_MAX, number))


def _wrap(number: int) -> int:
    """Arithmetic in a C long (without -e, overflow wraps)."""
    return (number - LONG_MIN) % 2**64 + LONG_MIN


def _zero_or_null(value: Value) -> bool:
    return value == "" or _number(value) == 0


class Parser:
    """expr.y's grammar by precedence climbing."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def parse(self) -> Value:
        if not self.tokens:
            raise ExprError("syntax error")
        value = self._expr(0)
        if self.pos != len(self.tokens):
            raise ExprError("syntax error")
        return value

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _expr(self, level: int) -> Value:
        if level == len(LEVELS):
            return self._primary()
        value = self._expr(level + 1)
        while self._peek() in LEVELS[level]:
            operator = self.tokens[self.pos]
            self.pos += 1
            value = apply(operator, value, self._expr(level + 1))
        return value

    def _primary(self) -> Value:
        token = self._peek()
        if token is None:
            raise ExprError("syntax error")
        self.pos += 1
        if token == "(":
            value = self._expr(0)
            if self._peek() != ")":
                raise ExprError("syntax error")
            self.pos += 1
            return value
        if token in OPERATORS:
            raise ExprError("syntax error")
        return token


def apply(operator: str, left: Value, right: Value) -> Value:
    if operator == "|":
        return right if _zero_or_null(left) else left
    if operator == "&":
        return 0 if _zero_or_null(left) or _zero_or_null(right) else left
    if operator == ":":
        return match(str(left), str(right))
    if operator in ("=", ">", "<", ">=", "<=", "!="):
        return int(_compare(operator, left, right))
    return _arithmetic(operator, left, right)


def _compare(operator: str, left: Value, right: Value) -> bool:
    """Integers compare as numbers, anything else as strings (strcoll)."""
    a, b = _number(left), _number(right)
    pair: tuple[int, int] | tuple[str, str] = (a, b) if a is not None and b is not None \
        else (str(left), str(right))
    x, y = pair
    return {"=": x == y, "!=": x != y, ">": x > y, "<": x < y,   # type: ignore[operator]
            ">=": x >= y, "<=": x <= y}[operator]                # type: ignore[operator]


def _arithmetic(operator: str, left: Value, right: Value) -> int:
    a, b = _number(left), _number(right)
    if a is None or b is None:
        raise ExprError("non-numeric argument")
    if operator in "/%" and b == 0:
        raise ExprError("division by zero")
    if operator == "+":
        return _wrap(a + b)
    if operator == "-":
        return _wrap(a - b)
    if operator == "*":
        return _wrap(a * b)
    quotient = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)    # C truncates
    return _wrap(quotient) if operator == "/" else a - b * quotient


def match(string: str, pattern: str) -> Value:
    """op_colon(): the BRE anchored at the string's start; the text of
    its first group, or the match's length; without a match "" when the
    pattern has a group, else 0."""
    regex, groups = translate_bre(pattern)
    found = regex.match(string)
    if found is None:
        return "" if groups else 0
    if groups:
        return found.group(1) or ""
    return len(found.group(0))


def translate_bre(pattern: str) -> tuple[re.Pattern[str], int]:
    """A POSIX basic regular expression (re_format(7)) as Python's re:
    \\( \\) group, \\{m,n\\} bound, \\N back-reference; ( ) { } | + ? are
    ordinary; * is ordinary first or after \\( or ^; ^ anchors only first,
    $ only last; '.' also matches a newline (no REG_NEWLINE)."""
    out: list[str] = []
    i, groups, depth = 0, 0, 0
    at_start = True
    while i < len(pattern):
        char = pattern[i]
        start_here = at_start
        at_start = False
        if char == "\\":
            if i + 1 >= len(pattern):
                raise ExprError("trailing backslash (\\)")
            following = pattern[i + 1]
            i += 2
            if following == "(":
                groups += 1
                depth += 1
                out.append("(")
                at_start = True
            elif following == ")":
                if depth == 0:
                    raise ExprError("parentheses not balanced")
                depth -= 1
                out.append(")")
            elif following in "{}":
                out.append(following)
            elif following.isdigit() and following != "0":
                if int(following) > groups:
                    raise ExprError("invalid backreference number")
                out.append("\\" + following)
            else:
                out.append(re.escape(following))
            continue
        if char == "[":
            end = _bracket_end(pattern, i)
            out.append(_bracket(pattern[i + 1:end]))
            i = end + 1
            continue
        if char == "*" and start_here:
            out.append(r"\*")
        elif char == "^" and start_here:
            out.append("^")
            at_start = True
        elif char == "$" and (i + 1 == len(pattern) or pattern[i + 1:i + 3] == "\\)"):
            out.append(r"\Z")
        elif char in ".*":
            out.append(char)
        else:
            out.append(re.escape(char))
        i += 1
    if depth:
        raise ExprError("parentheses not balanced")
    try:
        return re.compile("".join(out), re.DOTALL), groups
    except re.error as exc:
        raise ExprError("invalid repetition count(s)" if "repeat" in str(exc)
                        else "invalid argument to regex routine") from None


def _bracket_end(pattern: str, start: int) -> int:
    """The index of the ']' closing the bracket expression at ``start``."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern):
        if pattern[i] == "[" and pattern[i + 1:i + 2] in (":", ".", "="):
            close = pattern.find(pattern[i + 1] + "]", i + 2)
            if close < 0:
                break
            i = close + 2
            continue
        if pattern[i] == "]":
            return i
        i += 1
    raise ExprError("brackets ([ ]) not balanced")


CLASSES = {"alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z",
           "lower": "a-z", "space": r" \t\n\r\f\v", "blank": r" \t", "punct":
           re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"), "xdigit": "0-9A-Fa-f"}


def _bracket(body: str) -> str:
    """A bracket expression's body for Python: a backslash is an
    ordinary character in POSIX, [:class:] names a class."""
    negate = body.startswith("^")
    if negate:
        body = body[1:]
    parts: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("[:", i):
            close = body.index(":]", i + 2)
            name = body[i + 2:close]
            if name not in CLASSES:
                raise ExprError("invalid character class")
            parts.append(CLASSES[name])
            i = close + 2
            continue
        char = body[i]
        parts.append(char if char == "-" and 0 < i < len(body) - 1 else re.escape(char))
        i += 1
    return "[" + ("^" if negate else "") + "".join(parts) + "]"
