"""The grammar of the sim's sh: a POSIX subset as FreeBSD sh(1) parses it.

Covered: simple commands with assignments and redirections (< > >> >| <> >&
<& and here-documents), pipelines, ! , && || ; & and newlines, ( ) and { }
groups, if/elif/else, while/until, for, case, function definitions, and the
word expansions $name ${...} $(...) `...` $((...)) with single, double and
backslash quoting. Syntax errors carry FreeBSD sh's wording
(bin/sh/parser.c: synerror, synexpect, tokname)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar


class ShellSyntaxError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


# -- words ------------------------------------------------------------------
@dataclass
class Lit:
    text: str
    quoted: bool = False


@dataclass
class Param:
    name: str
    op: str = ""               # "", ":-", "-", ":=", "=", ":+", "+", ":?", "?", "%", "%%", "#", "##", "len"
    arg: "Word | None" = None
    quoted: bool = False


@dataclass
class CmdSub:
    source: str
    quoted: bool = False


@dataclass
class Arith:
    expr: "Word"
    quoted: bool = False


Part = Lit | Param | CmdSub | Arith


# the characters that make a word a pattern (sh(1) "Pathname Expansion")
PATTERN_CHARS = re.compile(r"[*?[]")
# Word.fixed() not yet worked out
_UNKNOWN = object()


@dataclass
class Word:
    parts: list[Part] = field(default_factory=list)
    _fixed: object = field(default=_UNKNOWN, init=False, repr=False, compare=False)

    def fixed(self) -> str | None:
        """The one field this word expands to whatever the shell holds: a
        single quoted literal, or an unquoted one with no pattern character
        and no leading tilde (most words of most commands). None when its
        expansion must look at parameters, the file system or set -f.
        Worked out at the first expansion (the parser has made the word
        whole by then, and a kept tree is only read)."""
        fixed = self._fixed
        if fixed is _UNKNOWN:
            fixed = self._fixed = self._fixed_text()
        return fixed if isinstance(fixed, str) else None

    def _fixed_text(self) -> str | None:
        if len(self.parts) != 1 or not isinstance(self.parts[0], Lit):
            return None
        part = self.parts[0]
        if part.quoted or not (part.text.startswith("~") or PATTERN_CHARS.search(part.text)):
            return part.text
        return None

    def literal(self) -> str | None:
        """The word's text when it is one unquoted literal (keywords, names)."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Lit) and not self.parts[0].quoted:
            return self.parts[0].text
        if not self.parts:
            return ""
        return None



# -- commands -----------------------------------------------------------------
@dataclass
class HereDoc:
    delimiter: str
    strip_tabs: bool          # <<- removes leading tabs
    expand: bool              # an unquoted delimiter: the body is expanded
    body: str = ""


@dataclass
class Redirect:
    fd: int
    op: str              # < > >> >| <> >& <& << <<-
    target: Word | None
    heredoc: HereDoc | None = None


@dataclass
class Simple:
    assigns: list[tuple[str, Word]]
    words: list[Word]
    redirects: list[Redirect]
    line: int = 1
    # Where each word and each redirection is in the source (start, end).
    word_spans: list[tuple[int, int]] = field(default_factory=list)
    redirect_spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Pipeline:
    commands: list[Command]
    negate: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)   # each command's source


@dataclass
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]]


@dataclass
class CommandList:
    items: list[tuple[AndOr, bool]]     # (command, run in background)


@dataclass
class Group:
    body: CommandList
    subshell: bool
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class If:
    branches: list[tuple[CommandList, CommandList]]
    otherwise: CommandList | None
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class Loop:
    cond: CommandList
    body: CommandList
    until: bool
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class For:
    var: str
    words: list[Word] | None
    body: CommandList
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class Case:
    word: Word
    items: list[tuple[list[Word], CommandList | None]]
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class FuncDef:
    name: str
    body: Command


# One command of a pipeline, as parse_command returns it.
Command = Simple | Group | If | Loop | For | Case | FuncDef
# The compound commands: they take redirections after their end.
Compound = TypeVar("Compound", Group, If, Loop, For, Case)


# -- lexer ------------------------------------------------------------------
OPERATORS = ["&&", "||", ";;", "<<-", "<<", ">>", ">|", "<>", ">&", "<&", ";", "&", "|",
             "(", ")", "<", ">", "\n"]
KEYWORDS = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for",
            "in", "case", "esac", "{", "}", "!"}
META = set(" \t\n;&|<>()")
OPERATOR_STARTS = {op[0] for op in OPERATORS}
# What read_word treats specially besides its stop characters: quoting,
# expansions and newlines (it counts lines).
WORD_SPECIAL = "\\'\"$`\n"
NAME_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
NAME_CHARS = NAME_START | set("0123456789")


def tokname(kind: str, text: str = "") -> str:
    """How FreeBSD sh names a token in "... unexpected" messages."""
    if kind == "eof":
        return "end of file"
    if kind == "op" and text == "\n":
        return "newline"
    if kind == "op":
        return f'"{text}"'
    if text in KEYWORDS:
        return f'"{text}"'
    return "word"


@dataclass
class Token:
    kind: str            # "word", "op", "io", "eof"
    text: str
    word: Word | None = None
    line: int = 1
    heredoc: HereDoc | None = None    # the delimiter word after << or <<-
    start: int = 0                    # where it is in the source
    end: int = 0


class Lexer:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.line = 1
        self.pending_heredocs: list[HereDoc] = []
        self.heredoc_op: str | None = None   # the last token was << or <<-

    def error(self, message: str) -> ShellSyntaxError:
        return ShellSyntaxError(message, self.line)

    def peekc(self, offset: int = 0) -> str:
        i = self.pos + offset
        return self.src[i] if i < len(self.src) else ""

    def next_token(self) -> Token:
        while True:
            c = self.peekc()
            if c in (" ", "\t"):
                self.pos += 1
            elif c == "\\" and self.peekc(1) == "\n":
                self.pos += 2
                self.line += 1
            elif c == "#":
                while self.peekc() not in ("", "\n"):
                    self.pos += 1
            else:
                break
        token = self._token()
        token.end = self.pos
        return token

    def _token(self) -> Token:
        line = self.line
        c = self.peekc()
        start = self.pos
        if c == "":
            return Token("eof", "", line=line, start=start)
        for op in OPERATORS if c in OPERATOR_STARTS else ():
            if self.src.startswith(op, self.pos):
                self.pos += len(op)
                if op == "\n":
                    self.line += 1
                    self._read_heredocs()
                self.heredoc_op = op if op in ("<<", "<<-") else None
                return Token("op", op, line=line, start=start)
        word = self.read_word(stop=META)
        text = self.src[start:self.pos]
        if text.isdigit() and self.peekc() in ("<", ">"):
            return Token("io", text, line=line, start=start)
        token = Token("word", text, word, line=line, start=start)
        if self.heredoc_op:
            # The body is read at the next newline, so tie it to this word now.
            token.heredoc = HereDoc("".join(p.text for p in word.parts if isinstance(p, Lit)),
                                    self.heredoc_op == "<<-",
                                    all(isinstance(p, Lit) and not p.quoted for p in word.parts))
            self.pending_heredocs.append(token.heredoc)
            self.heredoc_op = None
        return token

    # A word runs until an unquoted metacharacter (or ``stop``).
    def read_word(self, stop: set[str], quoted: bool = False) -> Word:
        parts: list[Part] = []
        buf: list[str] = []

        def flush() -> None:
            if buf:
                parts.append(Lit("".join(buf), quoted))
                buf.clear()

        plain = _plain_run(frozenset(stop))
        while True:
            run = plain.match(self.src, self.pos)
            if run is not None:
                buf.append(run.group())
                self.pos = run.end()
            c = self.peekc()
            if c == "" or c in stop:
                break
            if quoted and c == '"':
                break
            if c == "\\":
                nxt = self.peekc(1)
                if nxt == "\n":
                    self.pos += 2
                    self.line += 1
                    continue
                if nxt == "":
                    buf.append("\\")
                    self.pos += 1
                    continue
                if quoted and nxt not in '$`"\\':
                    buf.append("\\")
                    self.pos += 1
                    continue
                flush()
                parts.append(Lit(nxt, True))
                self.pos += 2
                continue
            if c == "'" and not quoted:
                end = self.src.find("'", self.pos + 1)
                if end < 0:
                    raise self.error("Unterminated quoted string")
                flush()
                text = self.src[self.pos + 1:end]
                self.line += text.count("\n")
                parts.append(Lit(text, True))
                self.pos = end + 1
                continue
            if c == '"' and not quoted:
                flush()
                self.pos += 1
                inner = self.read_word(stop=set(), quoted=True)
                if self.peekc() != '"':
                    raise self.error("Unterminated quoted string")
                self.pos += 1
                parts.extend(inner.parts or [Lit("", True)])
                continue
            if c == "$":
                part = self.read_dollar(quoted)
                if part is None:
                    buf.append("$")
                    self.pos += 1
                else:
                    flush()
                    parts.append(part)
                continue
            if c == "`":
                flush()
                end = self.pos + 1
                body: list[str] = []
                while end < len(self.src) and self.src[end] != "`":
                    if self.src[end] == "\\" and end + 1 < len(self.src) and self.src[end + 1] in "`\\$":
                        end += 1
                    body.append(self.src[end])
                    end += 1
                if end >= len(self.src):
                    raise self.error('EOF in backquote substitution')
                parts.append(CmdSub("".join(body), quoted))
                self.pos = end + 1
                continue
            if c == "\n":
                self.line += 1
            buf.append(c)
            self.pos += 1
        flush()
        return Word(parts)

    def read_dollar(self, quoted: bool) -> Part | None:
        nxt = self.peekc(1)
        if self.src.startswith("$((", self.pos):
            end = self._matching(self.pos + 3, "((", "))")
            inner = Lexer(self.src[self.pos + 3:end]).read_word(stop=set(), quoted=False)
            self.pos = end + 2
            return Arith(inner, quoted)
        if nxt == "(":
            end = self._matching(self.pos + 2, "(", ")")
            source = self.src[self.pos + 2:end]
            self.pos = end + 1
            return CmdSub(source, quoted)
        if nxt == "{":
            return self._read_braced(quoted)
        if nxt in NAME_START:
            end = self.pos + 1
            while end < len(self.src) and self.src[end] in NAME_CHARS:
                end += 1
            name = self.src[self.pos + 1:end]
            self.pos = end
            return Param(name, quoted=quoted)
        if nxt and (nxt.isdigit() or nxt in "?$#@*!-"):
            self.pos += 2
            return Param(nxt, quoted=quoted)
        return None

    def _read_braced(self, quoted: bool) -> Param:
        self.pos += 2
        length = False
        if self.peekc() == "#" and self.peekc(1) not in ("}", ""):
            length = True
            self.pos += 1
        start = self.pos
        if self.peekc() and (self.peekc() in NAME_START):
            while self.peekc() and self.peekc() in NAME_CHARS:
                self.pos += 1
        elif self.peekc() and (self.peekc().isdigit() or self.peekc() in "?$#@*!-"):
            self.pos += 1
        name = self.src[start:self.pos]
        if not name:
            raise self.error("Bad substitution")
        if length:
            if self.peekc() != "}":
                raise self.error("Bad substitution")
            self.pos += 1
            return Param(name, "len", quoted=quoted)
        op = ""
        for candidate in (":-", ":=", ":+", ":?", "%%", "##", "-", "=", "+", "?", "%", "#"):
            if self.src.startswith(candidate, self.pos):
                op = candidate
                self.pos += len(candidate)
                break
        arg = None
        if op in ("%", "%%", "#", "##"):
            # POSIX 2.6.2: the pattern is not quoted by the double quotes
            # around "${x##*/}"; only quoting inside the braces quotes it.
            arg = self.read_word(stop={"}"}, quoted=False)
        elif op:
            arg = self.read_word(stop={"}"}, quoted=False) if not quoted else self._read_quoted_arg()
        if self.peekc() != "}":
            raise self.error("Missing '}'")
        self.pos += 1
        return Param(name, op, arg, quoted)

    def _read_quoted_arg(self) -> Word:
        # Inside "${x:-word}" the word is itself double-quoted text.
        parts: list[Part] = []
        while self.peekc() not in ("}", ""):
            sub = self.read_word(stop={"}"}, quoted=True)
            parts.extend(sub.parts)
            if self.peekc() == '"':
                self.pos += 1
        return Word(parts)

    def _matching(self, start: int, opener: str, closer: str) -> int:
        """Index of the ``closer`` that ends a $( ... ) or $(( ... ))."""
        depth = 0
        i = start
        while i < len(self.src):
            c = self.src[i]
            if c == "\\":
                i += 2
                continue
            if c == "'":
                end = self.src.find("'", i + 1)
                if end < 0:
                    break
                i = end + 1
                continue
            if c == '"':
                i += 1
                while i < len(self.src) and self.src[i] != '"':
                    i += 2 if self.src[i] == "\\" else 1
                i += 1
                continue
            if self.src.startswith(closer, i) and depth == 0:
                return i
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            if c == "\n":
                self.line += 1
            i += 1
        raise self.error('end of file unexpected (expecting ")")')

    def _read_heredocs(self) -> None:
        for heredoc in self.pending_heredocs:
            lines: list[str] = []
            while self.pos < len(self.src):
                end = self.src.find("\n", self.pos)
                end = len(self.src) if end < 0 else end
                line = self.src[self.pos:end]
                self.pos = min(end + 1, len(self.src))
                self.line += 1
                check = line.lstrip("\t") if heredoc.strip_tabs else line
                if check == heredoc.delimiter:
                    break
                lines.append(check)
            heredoc.body = "".join(f"{line}\n" for line in lines)
        self.pending_heredocs.clear()


# -- parser -----------------------------------------------------------------
class Parser:
    def __init__(self, source: str) -> None:
        self.lexer = Lexer(source)
        self.tok = self.lexer.next_token()
        self.last_end = 0           # where the last token taken ends

    def advance(self) -> Token:
        tok = self.tok
        self.last_end = tok.end
        self.tok = self.lexer.next_token()
        return tok

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def is_kw(self, *words: str) -> bool:
        return self.tok.word is not None and self.tok.word.literal() in words

    def take_word(self) -> Word:
        """The current token's word, taken; a syntax error when it is not one."""
        word = self.tok.word
        if word is None:
            raise self.unexpected()
        self.advance()
        return word

    def unexpected(self, expecting: str | None = None) -> ShellSyntaxError:
        msg = f"{tokname(self.tok.kind, self.tok.text)} unexpected"
        if expecting:
            msg += f" (expecting {expecting})"
        return ShellSyntaxError(msg, self.tok.line)

    def expect_kw(self, word: str) -> None:
        if not self.is_kw(word):
            raise self.unexpected(f'"{word}"')
        self.advance()

    def linebreak(self) -> None:
        while self.is_op("\n"):
            self.advance()

    def parse_program(self) -> CommandList:
        self.linebreak()
        result = self.parse_list(terminators=())
        if self.tok.kind != "eof":
            raise self.unexpected()
        return result

    def parse_list(self, terminators: tuple[str, ...]) -> CommandList:
        items: list[tuple[AndOr, bool]] = []
        while True:
            self.linebreak()
            if self.tok.kind == "eof" or self.is_kw(*terminators) or self.is_op(")", ";;"):
                break
            node = self.parse_and_or()
            background = False
            if self.is_op("&"):
                background = True
                self.advance()
            elif self.is_op(";"):
                self.advance()
            elif self.is_op("\n"):
                pass
            elif not (self.tok.kind == "eof" or self.is_kw(*terminators) or self.is_op(")", ";;")):
                raise self.unexpected()
            items.append((node, background))
        return CommandList(items)

    def parse_compound_body(self, terminators: tuple[str, ...]) -> CommandList:
        # An empty list (a "then" holding only a comment, "{ }", "do done")
        # is accepted, as FreeBSD's sh does: bin/sh/parser.c list() returns
        # no command when the next token ends the list
        # (bin/sh/tests/parser/empty-braces1.0).
        return self.parse_list(terminators)

    def parse_and_or(self) -> AndOr:
        first = self.parse_pipeline()
        rest: list[tuple[str, Pipeline]] = []
        while self.is_op("&&", "||"):
            op = self.advance().text
            self.linebreak()
            rest.append((op, self.parse_pipeline()))
        return AndOr(first, rest)

    def parse_pipeline(self) -> Pipeline:
        negate = False
        if self.is_kw("!"):
            negate = True
            self.advance()
        pipeline = Pipeline([], negate)
        while True:
            start = self.tok.start
            pipeline.commands.append(self.parse_command())
            pipeline.spans.append((start, self.last_end))
            if not self.is_op("|"):
                return pipeline
            self.advance()
            self.linebreak()

    def parse_command(self) -> Command:
        tok = self.tok
        if self.is_op("("):
            self.advance()
            body = self.parse_compound_body(())
            if not self.is_op(")"):
                raise self.unexpected('")"')
            self.advance()
            return self._with_redirects(Group(body, subshell=True))
        if tok.word is not None:
            keyword = tok.word.literal()
            if keyword == "{":
                self.advance()
                body = self.parse_compound_body(("}",))
                self.expect_kw("}")
                return self._with_redirects(Group(body, subshell=False))
            if keyword == "if":
                return self._with_redirects(self.parse_if())
            if keyword in ("while", "until"):
                self.advance()
                cond = self.parse_compound_body(("do",))
                self.expect_kw("do")
                body = self.parse_compound_body(("done",))
                self.expect_kw("done")
                return self._with_redirects(Loop(cond, body, until=keyword == "until"))
            if keyword == "for":
                return self._with_redirects(self.parse_for())
            if keyword == "case":
                return self._with_redirects(self.parse_case())
            if keyword in ("then", "else", "elif", "fi", "do", "done", "esac", "}", "in"):
                raise self.unexpected()
        if tok.kind == "eof" or (tok.kind == "op" and tok.text not in ("<", ">", ">>", ">|", "<>", ">&", "<&", "<<", "<<-")):
            raise self.unexpected()
        return self.parse_simple()

    def _with_redirects(self, node: Compound) -> Compound:
        while self.tok.kind == "io" or self.is_op("<", ">", ">>", ">|", "<>", ">&", "<&", "<<", "<<-"):
            node.redirects.append(self.parse_redirect())
        return node

    def parse_if(self) -> If:
        self.advance()
        branches: list[tuple[CommandList, CommandList]] = []
        cond = self.parse_compound_body(("then",))
        self.expect_kw("then")
        body = self.parse_compound_body(("elif", "else", "fi"))
        branches.append((cond, body))
        otherwise: CommandList | None = None
        while True:
            if self.is_kw("elif"):
                self.advance()
                cond = self.parse_compound_body(("then",))
                self.expect_kw("then")
                branches.append((cond, self.parse_compound_body(("elif", "else", "fi"))))
                continue
            if self.is_kw("else"):
                self.advance()
                otherwise = self.parse_compound_body(("fi",))
            self.expect_kw("fi")
            return If(branches, otherwise)

    def parse_for(self) -> For:
        self.advance()
        if self.tok.word is None or not _is_name(self.tok.word.literal() or ""):
            raise ShellSyntaxError("Bad for loop variable", self.tok.line)
        var = self.advance().text
        words: list[Word] | None = None
        self.linebreak()
        if self.is_kw("in"):
            self.advance()
            words = []
            while self.tok.kind == "word":
                words.append(self.take_word())
            if not self.is_op(";", "\n"):
                raise self.unexpected()
            self.advance()
        elif self.is_op(";"):
            self.advance()
        self.linebreak()
        self.expect_kw("do")
        body = self.parse_compound_body(("done",))
        self.expect_kw("done")
        return For(var, words, body)

    def parse_case(self) -> Case:
        self.advance()
        word = self.take_word()
        self.linebreak()
        self.expect_kw("in")
        items: list[tuple[list[Word], CommandList | None]] = []
        while True:
            self.linebreak()
            if self.is_kw("esac"):
                self.advance()
                return Case(word, items)
            if self.is_op("("):
                self.advance()
            patterns: list[Word] = []
            while True:
                patterns.append(self.take_word())
                if self.is_op("|"):
                    self.advance()
                    continue
                break
            if not self.is_op(")"):
                raise self.unexpected('")"')
            self.advance()
            body = self.parse_list(("esac",))
            items.append((patterns, body if body.items else None))
            if self.is_op(";;"):
                self.advance()
            elif not self.is_kw("esac"):
                raise self.unexpected('";;"')

    def parse_redirect(self) -> Redirect:
        fd = None
        if self.tok.kind == "io":
            fd = int(self.advance().text)
        op = self.advance().text
        if self.tok.kind != "word":
            raise self.unexpected()
        token = self.advance()
        default_fd = 0 if op in ("<", "<&", "<>", "<<", "<<-") else 1
        return Redirect(default_fd if fd is None else fd, op, token.word, token.heredoc)

    def parse_simple(self) -> Simple | FuncDef:
        simple = Simple([], [], [], self.tok.line)
        assigns, words, redirects = simple.assigns, simple.words, simple.redirects
        while True:
            if self.tok.kind == "io" or self.is_op("<", ">", ">>", ">|", "<>", ">&", "<&", "<<", "<<-"):
                start = self.tok.start
                redirects.append(self.parse_redirect())
                simple.redirect_spans.append((start, self.last_end))
                continue
            tok = self.tok
            if tok.word is None:
                break
            assignment = None if words else _assignment(tok.word)
            if assignment is not None:
                self.advance()
                assigns.append(assignment)
                continue
            if words == [] and not assigns and self._is_funcdef(tok.word):
                return self.parse_funcdef()
            simple.word_spans.append((tok.start, tok.end))
            words.append(self.take_word())
        return simple

    def _is_funcdef(self, word: Word) -> bool:
        name = word.literal()
        if not name or not _is_name(name):
            return False
        save = (self.lexer.pos, self.lexer.line)
        nxt = self.lexer.next_token()
        after = self.lexer.next_token() if nxt.kind == "op" and nxt.text == "(" else None
        self.lexer.pos, self.lexer.line = save
        return after is not None and after.kind == "op" and after.text == ")"

    def parse_funcdef(self) -> FuncDef:
        name = self.advance().text
        self.advance()  # (
        self.advance()  # )
        self.linebreak()
        return FuncDef(name, self.parse_command())


def _is_name(text: str) -> bool:
    return bool(text) and text[0] in NAME_START and all(c in NAME_CHARS for c in text)


def _assignment(word: Word) -> tuple[str, Word] | None:
    first = word.parts[0] if word.parts else None
    if not isinstance(first, Lit) or first.quoted or "=" not in first.text:
        return None
    name, _, rest = first.text.partition("=")
    if not _is_name(name):
        return None
    value_parts = ([Lit(rest)] if rest else []) + word.parts[1:]
    return name, Word(value_parts)


@lru_cache(maxsize=None)
def _plain_run(stop: frozenset[str]) -> re.Pattern[str]:
    """A run of characters read_word only copies: none of ``stop`` nor
    WORD_SPECIAL. Reading such runs whole is the lexer's fast path."""
    return re.compile("[^" + "".join(re.escape(c) for c in sorted(stop | set(WORD_SPECIAL))) + "]+")


def parse(source: str) -> CommandList:
    """The tree of ``source``. The sim runs the same scripts and command
    lines again and again (rc.subr, rc.d, jail.conf's exec lines), and the
    shell only reads a tree, so trees are kept by their source; a syntax
    error is raised each time, never kept."""
    return _parsed(source)


@lru_cache(maxsize=2048)
def _parsed(source: str) -> CommandList:
    return Parser(source).parse_program()
