"""awk(1), the one-true-awk FreeBSD ships (contrib/one-true-awk): the POSIX
language the regression tests, the howtos and rc(8)'s helpers use.

Modelled: -F -v -f, operands var=value, BEGIN/END, expression and /ERE/
patterns and ranges, the statements (if while do for for-in break continue
next exit return delete print printf, blocks), user functions, every
operator (assignment ops, ?:, || && in ~ !~, comparisons with awk's
number-or-string rule, concatenation, arithmetic, ^, ++ --, $), fields and
NF/$0 rebuilding, arrays and SUBSEP, the special variables (NR NF FNR FS
OFS ORS RS FILENAME SUBSEP RSTART RLENGTH CONVFMT OFMT ENVIRON ARGC ARGV),
the built-in functions (length substr index split sub gsub match sprintf
tolower toupper int sqrt exp log sin cos atan2 rand srand system close
fflush), print/printf > >> and | redirections, getline in its forms.
Regular expressions are EREs (sim/regex.py). Errors are one-true-awk's: a
syntax error with its "context is" line, exit status 2 (lib.c SYNTAX, FATAL).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from typing import Callable, Union, cast

from ..errno import OSErr
from ..octets import lines as text_lines
from ..proc import Buffer, Input, Proc, program
from ..regex import RegexError, compile as regcomp

USAGE = "usage: awk [-F fs][-v var=value][-safe][-V] ['prog' | -f progfile] [file ...]\n"
VERSION = "awk version 20210215\n"


class Uninit:
    """An uninitialised value: "" as a string, 0 as a number."""
    def __repr__(self) -> str:
        return "Uninit"


UNINIT = Uninit()


class StrNum(str):
    """A string from input (a field, getline, ARGV, -v): compared as a
    number when it looks like one."""


Value = Union[float, str, Uninit]
NUMBER = re.compile(r"\s*[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf(?:inity)?|nan)",
                    re.IGNORECASE)
LOOKS_NUMERIC = re.compile(NUMBER.pattern + r"\s*\Z", re.IGNORECASE)


# -- errors --------------------------------------------------------------------
class AwkSyntax(Exception):
    """awk could not parse the program: lib.c SYNTAX()'s lines."""


class AwkFatal(Exception):
    """FATAL(): the message; awk stops with exit status 2."""


class Unmodelled(Exception):
    """A part of awk the sim does not model; str() names it."""


# -- the lexer -------------------------------------------------------------------
KEYWORDS = {"BEGIN", "END", "function", "func", "if", "else", "while", "for", "do", "break",
            "continue", "next", "nextfile", "exit", "return", "delete", "in", "getline", "print",
            "printf"}
BUILTINS = {"length", "substr", "index", "split", "sub", "gsub", "match", "sprintf", "tolower",
            "toupper", "int", "sqrt", "exp", "log", "sin", "cos", "atan2", "rand", "srand", "system",
            "close", "fflush"}
PUNCT = ["**=", "^=", "+=", "-=", "*=", "/=", "%=", "==", "<=", ">=", "!=", "++", "--", "&&", "||",
         ">>", "!~", "**", "{", "}", "(", ")", "[", "]", ";", ",", "+", "-", "*", "/", "%", "^",
         "!", ">", "<", "|", "?", ":", "~", "$", "="]
# after these a / divides; elsewhere it starts a regular expression
OPERAND_END = {"NAME", "NUMBER", "STRING", "BUILTIN", ")", "]", "$", "++", "--"}
STRING_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "/": "/", "a": "\a",
                  "b": "\b", "f": "\f", "v": "\v"}


@dataclass
class Token:
    kind: str           # NAME FUNC_NAME BUILTIN NUMBER STRING ERE NEWLINE EOF, a keyword or punctuation
    text: str
    line: int
    end: int            # offset in the source just after the token


class Lexer:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.line = 1
        self.last = ""

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        while True:
            token = self.next()
            out.append(token)
            self.last = token.kind
            if token.kind == "EOF":
                return out

    def error(self, message: str) -> AwkSyntax:
        return AwkSyntax(_syntax(self.src, self.pos, self.line, message))

    def next(self) -> Token:
        src = self.src
        while self.pos < len(src):
            c = src[self.pos]
            if c in " \t\r":
                self.pos += 1
            elif c == "\\" and src[self.pos + 1:self.pos + 2] == "\n":
                self.pos += 2
                self.line += 1
            elif c == "#":
                while self.pos < len(src) and src[self.pos] != "\n":
                    self.pos += 1
            else:
                break
        if self.pos >= len(src):
            return Token("EOF", "", self.line, self.pos)
        c = src[self.pos]
        if c == "\n":
            self.pos += 1
            self.line += 1
            return Token("NEWLINE", "\n", self.line - 1, self.pos)
        if c == '"':
            return self.string()
        if c == "/" and self.last not in OPERAND_END:
            return self.regex()
        number = re.match(r"(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", src[self.pos:])
        if number:
            self.pos += number.end()
            return Token("NUMBER", number.group(0), self.line, self.pos)
        name = re.match(r"[A-Za-z_][A-Za-z_0-9]*", src[self.pos:])
        if name:
            self.pos += name.end()
            word = name.group(0)
            if word in KEYWORDS:
                kind = "function" if word == "func" else word
            elif word in BUILTINS:
                kind = "BUILTIN"
            else:
                kind = "FUNC_NAME" if src[self.pos:self.pos + 1] == "(" else "NAME"
            return Token(kind, word, self.line, self.pos)
        for punct in PUNCT:
            if src.startswith(punct, self.pos):
                self.pos += len(punct)
                return Token(punct, punct, self.line, self.pos)
        self.pos += 1
        raise AwkSyntax(_syntax(src, self.pos, self.line, "syntax error"))

    def string(self) -> Token:
        out: list[str] = []
        self.pos += 1
        src = self.src
        while True:
            if self.pos >= len(src) or src[self.pos] == "\n":
                raise AwkSyntax(f"awk: non-terminated string {''.join(out)[:10]}... at source line "
                                f"{self.line}\n")
            c = src[self.pos]
            if c == '"':
                self.pos += 1
                return Token("STRING", "".join(out), self.line, self.pos)
            if c == "\\" and self.pos + 1 < len(src):
                nxt = src[self.pos + 1]
                octal = re.match(r"[0-7]{1,3}", src[self.pos + 1:])
                if octal:
                    out.append(chr(int(octal.group(0), 8)))
                    self.pos += 1 + octal.end()
                    continue
                if nxt == "\n":
                    self.pos += 2
                    continue
                out.append(STRING_ESCAPES.get(nxt, "\\" + nxt))
                self.pos += 2
                continue
            out.append(c)
            self.pos += 1

    def regex(self) -> Token:
        out: list[str] = []
        self.pos += 1
        src = self.src
        in_bracket = False
        while True:
            if self.pos >= len(src) or src[self.pos] == "\n":
                raise AwkSyntax(f"awk: newline in regular expression {''.join(out)[:10]}... at "
                                f"source line {self.line}\n")
            c = src[self.pos]
            if c == "\\" and self.pos + 1 < len(src):
                nxt = src[self.pos + 1]
                out.append("/" if nxt == "/" else c + nxt)
                self.pos += 2
                continue
            if c == "[":
                in_bracket = True
            elif c == "]":
                in_bracket = False
            elif c == "/" and not in_bracket:
                self.pos += 1
                return Token("ERE", "".join(out), self.line, self.pos)
            out.append(c)
            self.pos += 1


def _syntax(src: str, end: int, line: int, message: str) -> str:
    """SYNTAX() and eprint(): the message, then the context: the text read
    so far on the line, the last word of it between >>> and <<<, the rest."""
    start = src.rfind("\n", 0, max(end - 1, 0)) + 1
    consumed = src[start:end]
    split = max(consumed.rfind(" "), consumed.rfind("\t"))
    before, word = (consumed[:split], consumed[split:]) if split >= 0 else ("", consumed)
    rest_end = src.find("\n", end)
    rest = src[end:] if rest_end < 0 else src[end:rest_end]
    text = (f"awk: {message} at source line {line}\n context is\n\t{before} >>> {word} <<< {rest}\n")
    return text + _bracecheck(src)


def _bracecheck(src: str) -> str:
    out = []
    for opener, closer in ("{}", "[]", "()"):
        n = src.count(opener) - src.count(closer)
        if n == 1:
            out.append(f"\tmissing {closer}\n")
        elif n > 1:
            out.append(f"\t{n} missing {closer}'s\n")
        elif n == -1:
            out.append(f"\textra {closer}\n")
        elif n < -1:
            out.append(f"\t{-n} extra {closer}'s\n")
    return "".join(out)


# -- the tree ----------------------------------------------------------------------
@dataclass
class Node:
    kind: str
    args: list = field(default_factory=list)
    value: object = None
    line: int = 0


@dataclass
class Rule:
    pattern: Node | None
    end_pattern: Node | None
    action: Node | None
    in_range: bool = False


@dataclass
class Function:
    name: str
    params: list[str]
    body: Node


@dataclass
class Program:
    begin: list[Node] = field(default_factory=list)
    end: list[Node] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    functions: dict[str, Function] = field(default_factory=dict)


ASSIGN_OPS = {"=", "+=", "-=", "*=", "/=", "%=", "^=", "**="}
COMPARE = {"<", "<=", "!=", "==", ">", ">="}
STARTS_CONCAT = {"NUMBER", "STRING", "ERE", "NAME", "FUNC_NAME", "BUILTIN", "$", "(", "!", "-", "+",
                 "++", "--"}


class Parser:
    """awkgram.y's grammar, by recursive descent."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.toks = Lexer(source).tokens()
        self.i = 0
        self.no_gt = 0          # inside print's expression list, > redirects

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.toks[min(self.i + offset, len(self.toks) - 1)]

    def error(self, message: str = "syntax error") -> AwkSyntax:
        token = self.tok
        return AwkSyntax(_syntax(self.src, token.end, token.line, message))

    def take(self, kind: str | None = None) -> Token:
        token = self.tok
        if kind is not None and token.kind != kind:
            raise self.error()
        self.i += 1
        return token

    def accept(self, kind: str) -> bool:
        if self.tok.kind == kind:
            self.i += 1
            return True
        return False

    def newlines(self) -> None:
        while self.tok.kind == "NEWLINE":
            self.i += 1

    def terminators(self) -> None:
        while self.tok.kind in ("NEWLINE", ";"):
            self.i += 1

    # -- the program -----------------------------------------------------------
    def program(self) -> Program:
        prog = Program()
        self.terminators()
        while self.tok.kind != "EOF":
            self.item(prog)
            self.terminators()
        return prog

    def item(self, prog: Program) -> None:
        kind = self.tok.kind
        if kind == "function":
            self.function(prog)
        elif kind in ("BEGIN", "END"):
            self.i += 1
            self.newlines()
            if self.tok.kind != "{":
                raise self.error()
            (prog.begin if kind == "BEGIN" else prog.end).append(self.block())
        else:
            pattern = end = None
            if kind != "{":
                pattern = self.expr()
                if self.accept(","):
                    self.newlines()
                    end = self.expr()
            action = self.block() if self.tok.kind == "{" else None
            prog.rules.append(Rule(pattern, end, action))

    def function(self, prog: Program) -> None:
        self.i += 1
        name = self.tok
        if name.kind not in ("NAME", "FUNC_NAME"):
            raise self.error()
        self.i += 1
        self.take("(")
        params: list[str] = []
        while self.tok.kind != ")":
            params.append(self.take("NAME").text)
            if not self.accept(","):
                break
            self.newlines()
        self.take(")")
        self.newlines()
        prog.functions[name.text] = Function(name.text, params, self.block())

    def block(self) -> Node:
        line = self.take("{").line
        body: list[Node] = []
        self.terminators()
        while self.tok.kind != "}":
            if self.tok.kind == "EOF":
                raise self.error()
            body.append(self.statement())
            self.terminators()
        self.take("}")
        return Node("block", body, line=line)

    # -- statements ----------------------------------------------------------------
    def simple_end(self) -> None:
        if self.tok.kind in (";", "NEWLINE"):
            self.i += 1
        elif self.tok.kind not in ("}", "EOF"):
            raise self.error()

    def statement(self) -> Node:
        token = self.tok
        kind = token.kind
        if kind == "{":
            return self.block()
        if kind == "if":
            self.i += 1
            self.take("(")
            cond = self.expr()
            self.take(")")
            self.newlines()
            then = self.statement()
            save = self.i
            self.terminators()
            if self.accept("else"):
                self.newlines()
                return Node("if", [cond, then, self.statement()], line=token.line)
            self.i = save
            return Node("if", [cond, then, None], line=token.line)
        if kind == "while":
            self.i += 1
            self.take("(")
            cond = self.expr()
            self.take(")")
            if self.tok.kind == ";":
                self.i += 1
                return Node("while", [cond, Node("block", [])], line=token.line)
            self.newlines()
            return Node("while", [cond, self.statement()], line=token.line)
        if kind == "do":
            self.i += 1
            self.newlines()
            body = self.statement()
            self.terminators()
            self.take("while")
            self.take("(")
            cond = self.expr()
            self.take(")")
            self.simple_end()
            return Node("do", [body, cond], line=token.line)
        if kind == "for":
            return self.for_statement()
        if kind == ";":
            self.i += 1
            return Node("block", [])
        node = self.simple_statement()
        self.simple_end()
        return node

    def for_statement(self) -> Node:
        line = self.take("for").line
        self.take("(")
        if self.tok.kind == "NAME" and self.peek().kind == "in" and \
                self.peek(2).kind == "NAME" and self.peek(3).kind == ")":
            var = self.take().text
            self.take("in")
            array = self.take().text
            self.take(")")
            self.newlines()
            return Node("forin", [var, array, self.statement()], line=line)
        init = self.simple_statement() if self.tok.kind != ";" else None
        self.take(";")
        self.newlines()
        cond = self.expr() if self.tok.kind != ";" else None
        self.take(";")
        self.newlines()
        step = self.simple_statement() if self.tok.kind != ")" else None
        self.take(")")
        if self.tok.kind == ";":
            self.i += 1
            return Node("for", [init, cond, step, Node("block", [])], line=line)
        self.newlines()
        return Node("for", [init, cond, step, self.statement()], line=line)

    def simple_statement(self) -> Node:
        token = self.tok
        kind = token.kind
        if kind in ("print", "printf"):
            return self.print_statement()
        if kind in ("next", "nextfile", "break", "continue"):
            self.i += 1
            return Node(kind, line=token.line)
        if kind in ("exit", "return"):
            self.i += 1
            value = None if self.tok.kind in (";", "NEWLINE", "}", "EOF") else self.expr()
            return Node(kind, [value], line=token.line)
        if kind == "delete":
            self.i += 1
            name = self.take("NAME").text
            if self.accept("["):
                subscript = self.expr_list()
                self.take("]")
                return Node("delete", [name, subscript], line=token.line)
            return Node("delete", [name, None], line=token.line)
        return Node("expr", [self.expr()], line=token.line)

    def print_statement(self) -> Node:
        token = self.take()
        args: list[Node] = []
        self.no_gt += 1
        if self.tok.kind == "(":
            # print (a, b) > "f": a parenthesised list, or an expression
            save = self.i
            self.i += 1
            self.no_gt -= 1
            items = self.expr_list()
            self.no_gt += 1
            if self.accept(")") and self.tok.kind in (";", "NEWLINE", "}", ">", ">>", "|", "EOF"):
                args = items
            else:
                self.i = save
                args = self.expr_list()
        elif self.tok.kind not in (";", "NEWLINE", "}", ">", ">>", "|", "EOF"):
            args = self.expr_list()
        self.no_gt -= 1
        redirect = None
        if self.tok.kind in (">", ">>", "|"):
            op = self.take().kind
            redirect = (op, self.concatenation())
        if token.kind == "printf" and not args:
            raise self.error()
        return Node(token.kind, [args, redirect], line=token.line)

    def expr_list(self) -> list[Node]:
        items = [self.expr()]
        while self.accept(","):
            self.newlines()
            items.append(self.expr())
        return items

    # -- expressions -----------------------------------------------------------------
    def expr(self) -> Node:
        left = self.ternary()
        if self.tok.kind in ASSIGN_OPS:
            if left.kind not in ("var", "field", "index"):
                raise self.error()
            op = self.take().kind
            self.newlines()
            return Node("assign", [left, self.expr()], value="^=" if op == "**=" else op)
        return left

    def ternary(self) -> Node:
        cond = self.or_expr()
        if self.accept("?"):
            self.newlines()
            yes = self.ternary()
            self.newlines()
            self.take(":")
            self.newlines()
            return Node("cond", [cond, yes, self.ternary()])
        return cond

    def or_expr(self) -> Node:
        left = self.and_expr()
        while self.accept("||"):
            self.newlines()
            left = Node("or", [left, self.and_expr()])
        return left

    def and_expr(self) -> Node:
        left = self.in_expr()
        while self.accept("&&"):
            self.newlines()
            left = Node("and", [left, self.in_expr()])
        return left

    def in_expr(self) -> Node:
        left = self.match_expr()
        while self.tok.kind == "in":
            self.i += 1
            left = Node("in", [[left], self.take("NAME").text])
        return left

    def match_expr(self) -> Node:
        left = self.compare()
        while self.tok.kind in ("~", "!~"):
            op = self.take().kind
            left = Node("match", [left, self.compare()], value=op == "!~")
        return left

    def compare(self) -> Node:
        left = self.concatenation()
        kind = self.tok.kind
        if kind in COMPARE and not (kind == ">" and self.no_gt):
            self.i += 1
            return Node("compare", [left, self.concatenation()], value=kind)
        if kind == "|" and self.peek().kind == "getline":
            self.i += 2
            target = self.lvalue_opt()
            return Node("getline_cmd", [left, target])
        return left

    def concatenation(self) -> Node:
        left = self.additive()
        while self.tok.kind in STARTS_CONCAT - {"-", "+", "!"}:
            left = Node("concat", [left, self.additive()])
        return left

    def additive(self) -> Node:
        left = self.multiplicative()
        while self.tok.kind in ("+", "-"):
            op = self.take().kind
            left = Node("binary", [left, self.multiplicative()], value=op)
        return left

    def multiplicative(self) -> Node:
        left = self.unary()
        while self.tok.kind in ("*", "/", "%"):
            op = self.take().kind
            left = Node("binary", [left, self.unary()], value=op)
        return left

    def unary(self) -> Node:
        kind = self.tok.kind
        if kind == "!":
            self.i += 1
            return Node("not", [self.unary()])
        if kind in ("-", "+"):
            self.i += 1
            return Node("negate" if kind == "-" else "plus", [self.unary()])
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.tok.kind in ("^", "**"):
            self.i += 1
            # right-associative, and binds tighter than unary minus on its left
            exponent = self.unary_power()
            return Node("binary", [base, exponent], value="^")
        return base

    def unary_power(self) -> Node:
        if self.tok.kind in ("-", "+", "!"):
            kind = self.take().kind
            inner = self.unary_power()
            return Node({"-": "negate", "+": "plus", "!": "not"}[kind], [inner])
        return self.power()

    def postfix(self) -> Node:
        kind = self.tok.kind
        if kind in ("++", "--"):
            self.i += 1
            target = self.postfix()
            if target.kind not in ("var", "field", "index"):
                raise self.error()
            return Node("preinc", [target], value=1 if kind == "++" else -1)
        node = self.primary()
        if node.kind in ("var", "field", "index") and self.tok.kind in ("++", "--"):
            op = self.take().kind
            return Node("postinc", [node], value=1 if op == "++" else -1)
        return node

    def lvalue_opt(self) -> Node | None:
        if self.tok.kind == "$":
            self.i += 1
            return Node("field", [self.primary_no_incr()])
        if self.tok.kind == "NAME":
            return self.variable()
        return None

    def primary_no_incr(self) -> Node:
        if self.tok.kind in ("++", "--"):
            return self.postfix()
        if self.tok.kind == "-":
            self.i += 1
            return Node("negate", [self.primary_no_incr()])
        return self.primary()

    def variable(self) -> Node:
        name = self.take("NAME").text
        if self.accept("["):
            subscript = self.expr_list()
            self.take("]")
            return Node("index", [name, subscript])
        return Node("var", value=name)

    def primary(self) -> Node:
        token = self.tok
        kind = token.kind
        if kind == "NUMBER":
            self.i += 1
            return Node("num", value=float(token.text))
        if kind == "STRING":
            self.i += 1
            return Node("str", value=token.text)
        if kind == "ERE":
            self.i += 1
            return Node("ere", value=token.text)
        if kind == "$":
            self.i += 1
            return Node("field", [self.primary_no_incr()])
        if kind == "(":
            self.i += 1
            self.no_gt, saved = 0, self.no_gt
            items = self.expr_list()
            self.no_gt = saved
            self.take(")")
            if len(items) > 1:
                if self.tok.kind != "in":
                    raise self.error()
                self.i += 1
                return Node("in", [items, self.take("NAME").text])
            return Node("group", items)
        if kind == "NAME":
            return self.variable()
        if kind == "FUNC_NAME":
            self.i += 1
            self.take("(")
            args = [] if self.tok.kind == ")" else self.expr_list()
            self.take(")")
            return Node("call", args, value=token.text, line=token.line)
        if kind == "BUILTIN":
            self.i += 1
            if self.accept("("):
                args = [] if self.tok.kind == ")" else self.expr_list()
                self.take(")")
            elif token.text == "length":
                args = []
            else:
                raise self.error()
            return Node("builtin", args, value=token.text, line=token.line)
        if kind == "getline":
            self.i += 1
            target = self.lvalue_opt()
            if self.accept("<"):
                return Node("getline_file", [target, self.primary()])
            return Node("getline", [target])
        if kind in ("-", "+", "!"):
            return self.unary()
        raise self.error()


# -- running ---------------------------------------------------------------------------
class NextRecord(Exception):
    pass


class NextFile(Exception):
    pass


class Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__()
        self.status = status


class Return(Exception):
    def __init__(self, value: Value) -> None:
        super().__init__()
        self.value = value


class Break(Exception):
    pass


class Continue(Exception):
    pass


def to_num(value: Value) -> float:
    if isinstance(value, float):
        return value
    if isinstance(value, Uninit):
        return 0.0
    match = NUMBER.match(value)
    if not match:
        return 0.0
    try:
        return float(match.group(0))
    except ValueError:
        return 0.0


def _looks_numeric(value: Value) -> bool:
    return isinstance(value, (float, Uninit)) or \
        isinstance(value, StrNum) and LOOKS_NUMERIC.match(value) is not None


def _number_text(number: float, fmt: str) -> str:
    if number == int(number) and abs(number) < 1e16:
        return str(int(number))
    if math.isnan(number):
        return "nan" if math.copysign(1, number) > 0 else "-nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return _c_format(fmt, [number])


def _c_format(fmt: str, args: list[Value], to_str: Callable[[Value], str] = lambda v: str(v)) -> str:
    """printf(3) as awk's format() uses it: each conversion takes the next
    argument, a missing one is "" or 0."""
    out: list[str] = []
    items = list(args)
    i = 0
    spec = re.compile(r"%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([hlLqjzt]*)([a-zA-Z%])")
    while i < len(fmt):
        if fmt[i] != "%":
            j = fmt.find("%", i)
            j = len(fmt) if j < 0 else j
            out.append(fmt[i:j])
            i = j
            continue
        m = spec.match(fmt, i)
        if not m:
            out.append(fmt[i:])
            break
        i = m.end()
        flags, width, precision, _, conv = m.groups()
        if conv == "%":
            out.append("%")
            continue
        if width == "*":
            width = str(int(to_num(items.pop(0) if items else UNINIT)))
        if precision == "*":
            precision = str(int(to_num(items.pop(0) if items else UNINIT)))
        arg = items.pop(0) if items else UNINIT
        head = "%" + flags + (width or "") + (f".{precision}" if precision is not None else "")
        if conv in "di":
            out.append((head + "d") % int(to_num(arg)))
        elif conv in "ouxX":
            number = int(to_num(arg))
            out.append((head + ("d" if conv == "u" else conv)) % (number if number >= 0 or conv == "u"
                                                                   else number & 0xFFFFFFFFFFFFFFFF))
        elif conv in "eEfFgGaA":
            out.append((head + ("e" if conv in "aA" else conv)) % to_num(arg))
        elif conv == "c":
            numeric = isinstance(arg, float) or isinstance(arg, StrNum) and _looks_numeric(arg)
            char = chr(int(to_num(arg))) if numeric else to_str(arg)[:1]
            out.append((head + "s") % char)
        elif conv == "s":
            out.append((head + "s") % to_str(arg))
        else:
            raise AwkFatal(f"weird printf conversion %{conv}")
    return "".join(out)


class Interpreter:
    def __init__(self, proc: Proc, prog: Program) -> None:
        self.proc = proc
        self.prog = prog
        self.globals: dict[str, Value] = {
            "FS": " ", "OFS": " ", "ORS": "\n", "RS": "\n", "NR": 0.0, "NF": 0.0, "FNR": 0.0,
            "FILENAME": "", "SUBSEP": "\x1c", "RSTART": 0.0, "RLENGTH": -1.0,
            "CONVFMT": "%.6g", "OFMT": "%.6g"}
        self.arrays: dict[str, dict[str, Value]] = {
            "ENVIRON": {k: StrNum(v) for k, v in proc.env.items()}}
        self.frames: list[tuple[dict[str, Value], dict[str, dict[str, Value]]]] = []
        self.record = ""
        self.fields: list[str] | None = None
        self.nf = 0
        self.outputs: dict[str, list[str]] = {}       # files and pipes written, by name
        self.pipes: list[str] = []
        self.readers: dict[str, list[str]] = {}        # getline < file, cmd | getline
        self.regex_cache: dict[str, re.Pattern[str]] = {}
        # run.c: srand's seed is 1 until a program sets it
        self.rng_seed = 1.0
        self.rng = random.Random(1)
        self.line = 0
        # the ARGV entries still to read (files, or var=value), from ARGV at the first read
        self.input: list[tuple[str, str | None]] | None = None
        self.current: list[str] = []

    # -- values ------------------------------------------------------------------------
    def to_str(self, value: Value, fmt_var: str = "CONVFMT") -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, Uninit):
            return ""
        return _number_text(value, self.to_str(self.globals[fmt_var]))

    def regex(self, text: str) -> re.Pattern[str]:
        if text not in self.regex_cache:
            try:
                self.regex_cache[text] = regcomp(text, extended=True)
            except RegexError as exc:
                raise AwkFatal(f"syntax error in regular expression {text} at {exc}") from None
        return self.regex_cache[text]

    def regex_of(self, node: Node) -> re.Pattern[str]:
        if node.kind == "ere":
            return self.regex(str(node.value))
        return self.regex(self.to_str(self.eval(node)))

    # -- records and fields ----------------------------------------------------------------
    def set_record(self, text: str) -> None:
        self.record = text
        self.fields = None

    def split_fields(self) -> list[str]:
        if self.fields is None:
            self.fields = self.split(self.record, self.to_str(self.globals["FS"]))
            self.globals["NF"] = float(len(self.fields))
        return self.fields

    def split(self, text: str, fs: str) -> list[str]:
        if fs == " ":
            return text.split()
        if text == "":
            return []
        if len(fs) == 1 and fs != "\\":
            return text.split(fs)
        return self.regex(fs).split(text)

    def get_field(self, index: int) -> Value:
        if index < 0:
            raise AwkFatal(f"trying to access out of range field {index}")
        if index == 0:
            return StrNum(self.record)
        fields = self.split_fields()
        return StrNum(fields[index - 1]) if index <= len(fields) else UNINIT

    def set_field(self, index: int, value: str) -> None:
        if index < 0:
            raise AwkFatal(f"trying to access out of range field {index}")
        if index == 0:
            self.set_record(value)
            return
        fields = self.split_fields()
        while len(fields) < index:
            fields.append("")
        fields[index - 1] = value
        self.globals["NF"] = float(len(fields))
        self.rebuild()

    def set_nf(self, count: int) -> None:
        if count < 0:
            raise AwkFatal(f"cannot set NF to a negative value")
        fields = self.split_fields()
        del fields[count:]
        while len(fields) < count:
            fields.append("")
        self.rebuild()

    def rebuild(self) -> None:
        assert self.fields is not None
        self.record = self.to_str(self.globals["OFS"]).join(self.fields)

    # -- variables --------------------------------------------------------------------------
    def scope(self, name: str) -> tuple[dict[str, Value], dict[str, dict[str, Value]]]:
        if self.frames and (name in self.frames[-1][0] or name in self.frames[-1][1]):
            return self.frames[-1]
        return self.globals, self.arrays

    def get_var(self, name: str) -> Value:
        if name == "NF":
            self.split_fields()
        scalars, arrays = self.scope(name)
        if name in arrays:
            raise AwkFatal(f"can't use array {name} in scalar context")
        return scalars.get(name, UNINIT)

    def set_var(self, name: str, value: Value) -> None:
        scalars, arrays = self.scope(name)
        if name in arrays:
            raise AwkFatal(f"can't assign to {name}; it's an array name.")
        scalars[name] = value
        if name == "NF":
            self.set_nf(int(to_num(value)))
            scalars[name] = float(int(to_num(value)))

    def array(self, name: str) -> dict[str, Value]:
        scalars, arrays = self.scope(name)
        if name in scalars and not isinstance(scalars[name], Uninit):
            raise AwkFatal(f"can't use {name} as an array; it's a scalar")
        scalars.pop(name, None)
        return arrays.setdefault(name, {})

    def subscript(self, nodes: list[Node]) -> str:
        return self.to_str(self.globals["SUBSEP"]).join(self.to_str(self.eval(n)) for n in nodes)

    def assign(self, target: Node, value: Value) -> Value:
        if target.kind == "var":
            self.set_var(str(target.value), value)
        elif target.kind == "field":
            index = int(to_num(self.eval(target.args[0])))
            text = self.to_str(value)
            self.set_field(index, text)
            value = StrNum(text) if isinstance(value, StrNum) else value
        else:
            self.array(target.args[0])[self.subscript(target.args[1])] = value
        return value

    def current_value(self, target: Node) -> Value:
        if target.kind == "var":
            return self.get_var(str(target.value))
        if target.kind == "field":
            return self.get_field(int(to_num(self.eval(target.args[0]))))
        return self.array(target.args[0]).setdefault(self.subscript(target.args[1]), UNINIT)

    # -- statements ------------------------------------------------------------------------------
    def run_block(self, node: Node | None) -> None:
        if node is None:
            return
        kind = node.kind
        self.line = node.line or self.line
        if kind == "block":
            for statement in node.args:
                self.run_block(statement)
        elif kind == "expr":
            self.eval(node.args[0])
        elif kind in ("print", "printf"):
            self.print_(node)
        elif kind == "if":
            branch = node.args[1] if self.truth(self.eval(node.args[0])) else node.args[2]
            self.run_block(branch)
        elif kind == "while":
            while self.truth(self.eval(node.args[0])):
                if self.loop_body(node.args[1]):
                    break
        elif kind == "do":
            while True:
                if self.loop_body(node.args[0]) or not self.truth(self.eval(node.args[1])):
                    break
        elif kind == "for":
            init, cond, step, body = node.args
            self.run_block(init)
            while cond is None or self.truth(self.eval(cond)):
                if self.loop_body(body):
                    break
                self.run_block(step)
        elif kind == "forin":
            var, name, body = node.args
            for key in list(self.array(name)):
                self.set_var(var, StrNum(key))
                if self.loop_body(body):
                    break
        elif kind == "next":
            raise NextRecord()
        elif kind == "nextfile":
            raise NextFile()
        elif kind == "break":
            raise Break()
        elif kind == "continue":
            raise Continue()
        elif kind == "exit":
            raise Exit(int(to_num(self.eval(node.args[0]))) if node.args[0] is not None else -1)
        elif kind == "return":
            raise Return(self.eval(node.args[0]) if node.args[0] is not None else UNINIT)
        elif kind == "delete":
            name, subscript = node.args
            if subscript is None:
                self.array(name).clear()
            else:
                self.array(name).pop(self.subscript(subscript), None)

    def loop_body(self, body: Node) -> bool:
        """Runs one turn; True when the loop is to stop (break)."""
        try:
            self.run_block(body)
        except Break:
            return True
        except Continue:
            pass
        return False

    def print_(self, node: Node) -> None:
        args, redirect = node.args
        if node.kind == "print":
            values = [self.eval(a) for a in args] if args else [StrNum(self.record)]
            text = self.to_str(self.globals["OFS"]).join(self.to_str(v, "OFMT") for v in values) + \
                self.to_str(self.globals["ORS"])
        else:
            values = [self.eval(a) for a in args]
            text = _c_format(self.to_str(values[0]), values[1:], self.to_str)
        if redirect is None:
            self.proc.write(text)
            return
        op, target = redirect
        name = self.to_str(self.eval(target))
        self.write_to(op, name, text)

    def write_to(self, op: str, name: str, text: str) -> None:
        if op == "|":
            if name not in self.outputs:
                self.pipes.append(name)
            self.outputs.setdefault(name, []).append(text)
            return
        first = name not in self.outputs
        self.outputs.setdefault(name, [])
        if name in ("/dev/stdout", "-"):
            self.proc.write(text)
            return
        if name == "/dev/stderr":
            self.proc.error(text)
            return
        try:
            self.proc.kernel.vfs.write(name, text, append=not (first and op == ">"),
                                       mode=self.proc.created(), **self.proc.where())
        except OSErr as exc:
            raise AwkFatal(f"can't redirect to {name}") from exc

    def close(self, name: str) -> float:
        if name in self.pipes:
            self.pipes.remove(name)
            text = "".join(self.outputs.pop(name, []))
            return float(self.proc.child(stdin=Input(text)).sh(name))
        known = self.outputs.pop(name, None) is not None or self.readers.pop(name, None) is not None
        return 0.0 if known else -1.0

    def close_all(self) -> None:
        for name in list(self.pipes):
            self.close(name)

    # -- expressions ----------------------------------------------------------------------------
    def truth(self, value: Value) -> bool:
        if isinstance(value, float):
            return value != 0
        if isinstance(value, Uninit):
            return False
        if isinstance(value, StrNum) and LOOKS_NUMERIC.match(value):
            return to_num(value) != 0
        return value != ""

    def eval(self, node: Node) -> Value:
        handler = getattr(self, "ev_" + node.kind)
        result: Value = handler(node)
        return result

    def ev_num(self, node: Node) -> Value:
        return cast(float, node.value)

    def ev_str(self, node: Node) -> Value:
        return str(node.value)

    def ev_ere(self, node: Node) -> Value:
        return 1.0 if self.regex(str(node.value)).search(self.record) else 0.0

    def ev_group(self, node: Node) -> Value:
        return self.eval(node.args[0])

    def ev_var(self, node: Node) -> Value:
        return self.get_var(str(node.value))

    def ev_field(self, node: Node) -> Value:
        return self.get_field(int(to_num(self.eval(node.args[0]))))

    def ev_index(self, node: Node) -> Value:
        return self.array(node.args[0]).setdefault(self.subscript(node.args[1]), UNINIT)

    def ev_in(self, node: Node) -> Value:
        key = self.to_str(self.globals["SUBSEP"]).join(self.to_str(self.eval(n)) for n in node.args[0])
        return 1.0 if key in self.array(node.args[1]) else 0.0

    def ev_assign(self, node: Node) -> Value:
        target, expression = node.args
        value = self.eval(expression)
        if node.value != "=":
            value = self.arith(str(node.value)[0], self.current_value(target), value)
        return self.assign(target, value)

    def ev_cond(self, node: Node) -> Value:
        return self.eval(node.args[1] if self.truth(self.eval(node.args[0])) else node.args[2])

    def ev_or(self, node: Node) -> Value:
        return 1.0 if self.truth(self.eval(node.args[0])) or self.truth(self.eval(node.args[1])) else 0.0

    def ev_and(self, node: Node) -> Value:
        return 1.0 if self.truth(self.eval(node.args[0])) and self.truth(self.eval(node.args[1])) else 0.0

    def ev_not(self, node: Node) -> Value:
        return 0.0 if self.truth(self.eval(node.args[0])) else 1.0

    def ev_negate(self, node: Node) -> Value:
        return -to_num(self.eval(node.args[0]))

    def ev_plus(self, node: Node) -> Value:
        return to_num(self.eval(node.args[0]))

    def ev_match(self, node: Node) -> Value:
        text = self.to_str(self.eval(node.args[0]))
        found = self.regex_of(node.args[1]).search(text) is not None
        return 1.0 if found != bool(node.value) else 0.0

    def ev_compare(self, node: Node) -> Value:
        left, right = self.eval(node.args[0]), self.eval(node.args[1])
        if _looks_numeric(left) and _looks_numeric(right):
            return _compare(str(node.value), to_num(left), to_num(right))
        return _compare(str(node.value), self.to_str(left), self.to_str(right))

    def ev_concat(self, node: Node) -> Value:
        return self.to_str(self.eval(node.args[0])) + self.to_str(self.eval(node.args[1]))

    def ev_binary(self, node: Node) -> Value:
        return self.arith(str(node.value), self.eval(node.args[0]), self.eval(node.args[1]))

    def arith(self, op: str, left: Value, right: Value) -> float:
        a, b = to_num(left), to_num(right)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:
                raise AwkFatal("division by zero")
            return a / b
        if op == "%":
            if b == 0:
                raise AwkFatal("division by zero in %")
            return math.fmod(a, b)
        try:
            return float(a ** b)
        except (OverflowError, ZeroDivisionError):
            return math.inf

    def ev_preinc(self, node: Node) -> Value:
        target = node.args[0]
        return self.assign(target, to_num(self.current_value(target)) + cast(int, node.value))

    def ev_postinc(self, node: Node) -> Value:
        target = node.args[0]
        old = to_num(self.current_value(target))
        self.assign(target, old + cast(int, node.value))
        return old

    def ev_call(self, node: Node) -> Value:
        name = str(node.value)
        function = self.prog.functions.get(name)
        if function is None:
            raise AwkFatal(f"calling undefined function {name}")
        if len(node.args) > len(function.params):
            raise AwkFatal(f"function {name} called with {len(node.args)} args, uses only "
                           f"{len(function.params)}")
        scalars: dict[str, Value] = {}
        arrays: dict[str, dict[str, Value]] = {}
        for param, arg in zip(function.params, node.args + [None] * len(function.params)):
            if arg is None:
                scalars[param] = UNINIT
            elif arg.kind == "var" and (self._is_array(str(arg.value)) or
                                        param in _array_names(function.body) and
                                        isinstance(self.get_var_quiet(str(arg.value)), Uninit)):
                # arrays are passed by reference; an unset variable becomes one
                # when the function uses its parameter as an array
                arrays[param] = self.array(str(arg.value))
            else:
                scalars[param] = self.eval(arg)
        if len(self.frames) > 1000:
            raise AwkFatal("function call nesting too deep")
        self.frames.append((scalars, arrays))
        try:
            self.run_block(function.body)
        except Return as returned:
            return returned.value
        finally:
            self.frames.pop()
        return UNINIT

    def get_var_quiet(self, name: str) -> Value:
        scalars, _ = self.scope(name)
        return scalars.get(name, UNINIT)

    def _is_array(self, name: str) -> bool:
        _, arrays = self.scope(name)
        return name in arrays

    def ev_getline(self, node: Node) -> Value:
        line = self.next_input_line()
        if line is None:
            return 0.0
        self.globals["NR"] = to_num(self.globals["NR"]) + 1
        self.globals["FNR"] = to_num(self.globals["FNR"]) + 1
        if node.args[0] is None:
            self.set_record(line)
        else:
            self.assign(node.args[0], StrNum(line))
        return 1.0

    def ev_getline_file(self, node: Node) -> Value:
        name = self.to_str(self.eval(node.args[1]))
        if name not in self.readers:
            try:
                text = self.proc.read_file(name)
            except OSErr:
                return -1.0
            self.readers[name] = self.records(text)
        return self.read_from(name, node.args[0], count_nr=False)

    def ev_getline_cmd(self, node: Node) -> Value:
        command = self.to_str(self.eval(node.args[0]))
        if command not in self.readers:
            out = Buffer()
            self.proc.child(stdout=out).sh(command)
            self.readers[command] = self.records(out.getvalue())
        return self.read_from(command, node.args[1], count_nr=True)

    def read_from(self, name: str, target: Node | None, count_nr: bool) -> Value:
        pending = self.readers[name]
        if not pending:
            return 0.0
        line = pending.pop(0)
        if target is None:
            self.set_record(line)
            self.globals["NR"] = to_num(self.globals["NR"]) + 1
        else:
            self.assign(target, StrNum(line))
            if count_nr:
                self.globals["NR"] = to_num(self.globals["NR"]) + 1
        return 1.0

    def ev_builtin(self, node: Node) -> Value:
        name = str(node.value)
        args = node.args
        if name == "length":
            if not args:
                return float(len(self.record))
            if args[0].kind == "var" and self._is_array(str(args[0].value)):
                return float(len(self.array(str(args[0].value))))
            return float(len(self.to_str(self.eval(args[0]))))
        if name in ("sub", "gsub"):
            return self.substitute(args, name == "gsub")
        if name == "split":
            return self.builtin_split(args)
        if name == "match":
            text = self.to_str(self.eval(args[0]))
            found = self.regex_of(args[1]).search(text)
            self.globals["RSTART"] = float(found.start() + 1) if found else 0.0
            self.globals["RLENGTH"] = float(found.end() - found.start()) if found else -1.0
            return self.globals["RSTART"]
        values = [self.eval(a) for a in args]
        return self.simple_builtin(name, values)

    def simple_builtin(self, name: str, values: list[Value]) -> Value:
        if name == "substr":
            return self.substr(values)
        if name == "index":
            return float(self.to_str(values[0]).find(self.to_str(values[1])) + 1)
        if name == "sprintf":
            return _c_format(self.to_str(values[0]), values[1:], self.to_str) if values else ""
        if name == "tolower":
            return self.to_str(values[0]).lower()
        if name == "toupper":
            return self.to_str(values[0]).upper()
        if name == "int":
            return float(math.trunc(to_num(values[0])))
        if name == "system":
            return float(self.proc.sh(self.to_str(values[0])))
        if name == "close":
            return self.close(self.to_str(values[0]))
        if name == "fflush":
            return 0.0
        if name == "srand":
            previous = self.rng_seed
            self.rng_seed = to_num(values[0]) if values else float(self.proc.kernel.now().timestamp() // 1)
            self.rng.seed(self.rng_seed)
            return previous
        if name == "rand":
            return self.rng.random()
        return self.math(name, [to_num(v) for v in values])

    def math(self, name: str, numbers: list[float]) -> float:
        x = numbers[0] if numbers else 0.0
        try:
            if name == "sqrt":
                return math.sqrt(x)
            if name == "exp":
                return math.exp(x)
            if name == "log":
                return math.log(x)
        except (ValueError, OverflowError):
            self.proc.error(f"awk: {name} argument out of domain\n")
            return 1.0
        if name == "sin":
            return math.sin(x)
        if name == "cos":
            return math.cos(x)
        return math.atan2(x, numbers[1] if len(numbers) > 1 else 0.0)

    def substr(self, values: list[Value]) -> Value:
        """run.c substr(): m and n rounded, the part of [m, m+n) inside s."""
        text = self.to_str(values[0])
        start = _round(to_num(values[1])) if len(values) > 1 else 1
        end = start + _round(to_num(values[2])) if len(values) > 2 else len(text) + 1
        start, end = max(start, 1), min(end, len(text) + 1)
        return text[start - 1:end - 1] if end > start else ""

    def builtin_split(self, args: list[Node]) -> Value:
        text = self.to_str(self.eval(args[0]))
        name = str(args[1].value) if args[1].kind == "var" else ""
        if not name:
            raise AwkFatal("split: second argument is not an array")
        if len(args) > 2:
            separator = args[2]
            parts = self.regex_of(separator).split(text) if separator.kind == "ere" and text else \
                self.split(text, self.to_str(self.eval(separator)))
        else:
            parts = self.split(text, self.to_str(self.globals["FS"]))
        array = self.array(name)
        array.clear()
        for i, part in enumerate(parts, 1):
            array[str(i)] = StrNum(part)
        return float(len(parts))

    def substitute(self, args: list[Node], every: bool) -> Value:
        regex = self.regex_of(args[0])
        replacement = self.to_str(self.eval(args[1]))
        target = args[2] if len(args) > 2 else Node("field", [Node("num", value=0.0)])
        if target.kind not in ("var", "field", "index"):
            raise AwkFatal("sub/gsub: the target is not a variable")
        text = self.to_str(self.current_value(target))
        out: list[str] = []
        pos = count = 0
        previous_end = -1
        for match in regex.finditer(text):
            if match.start() == match.end() == previous_end:
                continue
            previous_end = match.end()
            out.append(text[pos:match.start()] + _awk_replacement(replacement, match.group(0)))
            pos = match.end()
            count += 1
            if not every:
                break
        if count:
            self.assign(target, "".join(out) + text[pos:])
        return float(count)

    # -- input ---------------------------------------------------------------------------------------
    def records(self, text: str) -> list[str]:
        rs = self.to_str(self.globals["RS"])
        if rs == "\n":
            return text_lines(text)
        if rs == "":
            return [p for p in re.split(r"\n\n+", text.strip("\n")) if p] if text.strip("\n") else []
        parts = text.split(rs) if len(rs) == 1 else self.regex(rs).split(text)
        if parts and parts[-1] in ("", "\n"):
            parts.pop()
        return parts

    def next_input_line(self) -> str | None:
        while not self.current:
            if not self.open_next_file():
                return None
        return self.current.pop(0)

    def open_next_file(self) -> bool:
        if self.input is None:
            self.input = self.argv_entries()
        while self.input:
            name, assignment = self.input.pop(0)
            if assignment is not None:
                self.command_line_assignment(assignment)
                continue
            try:
                text = self.proc.read_file(name)
            except OSErr:
                raise AwkFatal(f"can't open file {name}") from None
            self.globals["FILENAME"] = name if name != "-" else ""
            self.globals["FNR"] = 0.0
            self.current = self.records(text)
            return True
        return False

    def argv_entries(self) -> list[tuple[str, str | None]]:
        """ARGV[1] to ARGV[ARGC-1]: files, and var=value assignments made
        when they are reached; standard input when no file is named."""
        argv = self.arrays["ARGV"]
        entries: list[tuple[str, str | None]] = []
        for i in range(1, int(to_num(self.globals["ARGC"]))):
            operand = self.to_str(argv.get(str(i), UNINIT))
            if re.match(r"[A-Za-z_][A-Za-z0-9_]*=", operand):
                entries.append(("", operand))
            elif operand:
                entries.append((operand, None))
        if not any(a is None for _, a in entries):
            entries.append(("-", None))
        return entries

    def command_line_assignment(self, text: str) -> None:
        name, _, value = text.partition("=")
        self.set_var(name, StrNum(_process_escapes(value)))


def _array_names(node: object) -> set[str]:
    """The names a function body uses as arrays (subscripted, in, for-in,
    delete, split's target)."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= _array_names(item)
        return found
    if not isinstance(node, Node):
        return found
    if node.kind in ("index", "delete"):
        found.add(node.args[0])
    elif node.kind == "in":
        found.add(node.args[1])
    elif node.kind == "forin":
        found.add(node.args[1])
    elif node.kind == "builtin" and node.value == "split" and len(node.args) > 1 and \
            node.args[1].kind == "var":
        found.add(str(node.args[1].value))
    for arg in node.args:
        found |= _array_names(arg)
    return found


def _compare(op: str, a: float | str, b: float | str) -> float:
    """a OP b, both numbers or both strings."""
    if isinstance(a, float) and isinstance(b, float):
        order = (a > b) - (a < b)
    else:
        order = (str(a) > str(b)) - (str(a) < str(b))
    return 1.0 if {"<": order < 0, "<=": order <= 0, "==": order == 0, "!=": order != 0,
                   ">": order > 0, ">=": order >= 0}[op] else 0.0


def _round(x: float) -> int:
    """run.c substr() rounds half away from zero (as the C library does)."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def _awk_replacement(replacement: str, matched: str) -> str:
    """sub/gsub: & is the match, \\& a literal &."""
    out: list[str] = []
    i = 0
    while i < len(replacement):
        c = replacement[i]
        if c == "\\" and replacement[i + 1:i + 2] == "&":
            out.append("&")
            i += 2
            continue
        if c == "\\" and replacement[i + 1:i + 2] == "\\":
            out.append("\\")
            i += 2
            continue
        out.append(matched if c == "&" else c)
        i += 1
    return "".join(out)


def _process_escapes(text: str) -> str:
    """A -v or operand value's escapes, as a string literal's."""
    return re.sub(r"\\(.)", lambda m: STRING_ESCAPES.get(m.group(1), "\\" + m.group(1)), text)


@program("/usr/bin/awk", "/usr/bin/nawk")
def awk(proc: Proc, argv: list[str]) -> int:
    try:
        return _main(proc, argv)
    except AwkSyntax as exc:
        proc.error(str(exc))
        return 2
    except Unmodelled as exc:
        proc.error(f"awk: {exc}: part of FreeBSD, but not modelled by the jailkit sim; run this step "
                   "on a real FreeBSD host (--host ssh://... or vagrant://)\n")
        return 2


def _main(proc: Proc, argv: list[str]) -> int:
    args = argv[1:]
    if not args:
        proc.error(USAGE)
        return 1
    fs: str | None = None
    assignments: list[str] = []
    sources: list[str] = []
    while args and args[0].startswith("-") and args[0] != "-":
        arg = args.pop(0)
        if arg == "--":
            break
        if arg in ("-version", "--version", "-V"):
            proc.write(VERSION)
            return 0
        if arg.startswith("-F"):
            value = arg[2:] or (args.pop(0) if args else "")
            if not value:
                proc.error("awk: no field separator\n")
                return 2
            fs = "\t" if value == "t" else value
        elif arg.startswith("-v"):
            value = arg[2:] or (args.pop(0) if args else "")
            if "=" not in value:
                proc.error(f"awk: invalid -v argument: {value}\n")
                return 2
            assignments.append(value)
        elif arg.startswith("-f"):
            path = arg[2:] or (args.pop(0) if args else "")
            try:
                sources.append(proc.read_file(path))
            except OSErr:
                proc.error(f"awk: can't open file {path}\n source line number 1\n")
                return 2
        elif arg == "-safe":
            raise Unmodelled("-safe")
        else:
            proc.error(f"awk: unknown option {arg} ignored\n")
    if not sources:
        if not args:
            proc.error(USAGE)
            return 1
        sources.append(args.pop(0))
    source = "\n".join(sources)
    prog = Parser(source).program()
    machine = Interpreter(proc, prog)
    if fs is not None:
        machine.globals["FS"] = _process_escapes(fs)
    for assignment in assignments:
        machine.command_line_assignment(assignment)
    machine.globals["ARGC"] = float(len(args) + 1)
    machine.arrays["ARGV"] = {str(i): StrNum(a) for i, a in enumerate(["awk"] + args)}
    return _run(proc, machine, prog)


def _run(proc: Proc, machine: Interpreter, prog: Program) -> int:
    status = 0
    try:
        try:
            for block in prog.begin:
                machine.run_block(block)
            if prog.rules or prog.end:
                _main_loop(machine, prog)
        except Exit as done:
            status = max(done.status, 0) if done.status >= 0 else 0
        try:
            for block in prog.end:
                machine.run_block(block)
        except Exit as done:
            status = done.status if done.status >= 0 else status
    except AwkFatal as exc:
        proc.error(_fatal(machine, str(exc)))
        return 2
    finally:
        machine.close_all()
    return status


def _main_loop(machine: Interpreter, prog: Program) -> None:
    while True:
        line = machine.next_input_line()
        if line is None:
            return
        machine.globals["NR"] = to_num(machine.globals["NR"]) + 1
        machine.globals["FNR"] = to_num(machine.globals["FNR"]) + 1
        machine.set_record(line)
        try:
            for rule in prog.rules:
                if _selects(machine, rule):
                    if rule.action is None:
                        machine.proc.write(machine.record + machine.to_str(machine.globals["ORS"]))
                    else:
                        machine.run_block(rule.action)
        except NextRecord:
            continue
        except NextFile:
            machine.current = []


def _selects(machine: Interpreter, rule: Rule) -> bool:
    if rule.pattern is None:
        return True
    if rule.end_pattern is None:
        return machine.truth(machine.eval(rule.pattern))
    if rule.in_range:
        if machine.truth(machine.eval(rule.end_pattern)):
            rule.in_range = False
        return True
    if machine.truth(machine.eval(rule.pattern)):
        rule.in_range = not machine.truth(machine.eval(rule.end_pattern))
        return True
    return False


def _fatal(machine: Interpreter, message: str) -> str:
    """lib.c FATAL() and error(): the message, the input record, the line."""
    text = f"awk: {message}\n"
    nr = int(to_num(machine.globals["NR"]))
    if nr > 0:
        text += f" input record number {int(to_num(machine.globals['FNR']))}"
        filename = machine.to_str(machine.globals["FILENAME"])
        text += f", file {filename}\n" if filename else ", file \n"
    return text + f" source line number {machine.line or 1}\n"
