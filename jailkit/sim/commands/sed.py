"""sed(1), the stream editor, as usr.bin/sed (compile.c, process.c, main.c)
runs a script: -n -E/-r -e -f -i/-I (in place, "" for no backup), addresses
(N, $, /RE/, \\cREc, their I flag, ranges, !), and the editing commands
{ } a b c d D g G h H i n N p P q s t x y = : #, with s's & \\1..\\9 and
flags g N p I. Regular expressions are regcomp(3)'s (sim/regex.py), basic
unless -E. Errors are sed's: "sed: LINE: SCRIPT: message" for a script it
cannot compile, exit status 1. The commands that read or write other files
(r, w, s///w) and l say they are not modelled."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errno import OSErr
from ..octets import lines as text_lines
from ...getopt import getopt
from ..proc import Proc, program
from ..regex import RegexError, compile as regcomp
from ..vfs import File

USAGE = ("usage: sed script [-Ealnru] [-i extension] [file ...]\n"
         "\tsed [-Ealnu] [-i extension] [-e script] ... [-f script_file] ... [file ...]\n")
# compile.c cmd_fmts: each command and how many addresses it takes
NADDR = {"{": 2, "}": 0, "a": 1, "b": 2, "c": 2, "d": 2, "D": 2, "g": 2, "G": 2, "h": 2,
         "H": 2, "i": 1, "l": 2, "n": 2, "N": 2, "p": 2, "P": 2, "q": 1, "r": 1, "s": 2,
         "t": 2, "w": 2, "x": 2, "y": 2, "!": 2, ":": 0, "#": 0, "=": 1}
UNMODELLED = {"l", "r", "w"}


class SedError(Exception):
    """sed stops with this message (warnx) and exit status 1."""


@dataclass
class Address:
    line: int | None = None          # a line number
    last: bool = False               # $
    regex: re.Pattern[str] | None = None
    reuse: bool = False              # // : the last regular expression used


@dataclass
class Command:
    code: str
    a1: Address | None = None
    a2: Address | None = None
    negate: bool = False
    text: str = ""                   # a c i text; b t : label
    target: int = -1                 # { : the index after its }; b t : the label's index
    regex: re.Pattern[str] | None = None
    reuse: bool = False
    replacement: str = ""
    occurrence: int = 1              # 0: every one (g)
    print_: bool = False
    icase: bool = False
    table: dict[str, str] = field(default_factory=dict)
    active: bool = False             # inside a range


@program("/usr/bin/sed")
def sed(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "EI:ae:f:i:lnru", USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    extended = any(f in "Er" for f, _ in opts)
    units: list[tuple[str, str]] = []
    inplace: str | None = None
    try:
        for flag, value in opts:
            if flag == "e":
                # main.c: -e's script gets a newline, and is named with it
                units.append((_ident((value or "") + "\n"), (value or "") + "\n"))
            elif flag == "f":
                units.append((value or "", _read_script(proc, value or "")))
            elif flag in "iI":
                inplace = value or ""
        if not units:
            if not args:
                proc.error(USAGE)
                return 1
            units.append((_ident(args[0]), args[0]))
            args = args[1:]
        program_ = Compiler(extended).compile(units)
        return Editor(proc, program_, nflag=any(f == "n" for f, _ in opts) or _hash_n(units),
                      inplace=inplace).run(args)
    except SedError as exc:
        proc.warnx(str(exc))
        return 1


def _ident(script: str) -> str:
    """main.c cu_fgets(): a script string named by itself, quoted, cut to
    fit its 30-byte buffer."""
    quoted = f'"{script}"'
    return quoted if len(quoted) < 29 else quoted[:24] + ' ..."'


def _hash_n(units: list[tuple[str, str]]) -> bool:
    """A script whose first line is exactly "#n" means -n."""
    first = units[0][1]
    return first.startswith("#n") and first[2:3] in ("", "\n")


def _read_script(proc: Proc, path: str) -> str:
    try:
        return proc.read_file(path)
    except OSErr as exc:
        raise SedError(f"{path}: {exc.strerror}") from None


class Compiler:
    """compile.c: the script's commands, one flat list; a { jumps past its }."""

    def __init__(self, extended: bool) -> None:
        self.extended = extended
        self.commands: list[Command] = []
        self.stack: list[int] = []
        self.labels: dict[str, int] = {}
        self.fname = ""
        self.linenum = 0
        self.pending: list[str] = []
        # cu_fgets() hands compile_subst() a line with its newline, if it had one
        self.ends_in_newline = False

    def error(self, message: str) -> SedError:
        return SedError(f"{self.linenum}: {self.fname}: {message}")

    def compile(self, units: list[tuple[str, str]]) -> list[Command]:
        for fname, script in units:
            self.fname, self.linenum = fname, 0
            lines = script.split("\n")
            if script.endswith("\n"):
                lines.pop()
            self.pending = lines
            self.ends_in_newline = script.endswith("\n")
            while self.pending:
                self.linenum += 1
                self.line(self.pending.pop(0))
        if self.stack:
            raise self.error("unexpected EOF (pending }'s)")
        for command in self.commands:
            if command.code in "bt" and command.text:
                if command.text not in self.labels:
                    raise SedError(f"{self.linenum}: {self.fname}: undefined label '{command.text}'")
                command.target = self.labels[command.text]
        return self.commands

    def line(self, p: str) -> None:
        while True:
            p = p.lstrip()
            while p.startswith(";"):
                p = p[1:].lstrip()
            if not p or p.startswith("#"):
                return
            rest = self.command(p)
            if rest is None:
                return
            p = rest

    def command(self, p: str) -> str | None:
        command = Command(code="")
        naddr = 0
        if p[0] in "0123456789/\\$":
            command.a1, p = self.address(p)
            naddr = 1
            p = p.lstrip()
            if p.startswith(","):
                command.a2, p = self.address(p[1:].lstrip())
                naddr = 2
                p = p.lstrip()
        while p.startswith("!"):
            command.negate = True
            p = p[1:].lstrip()
        if not p:
            raise self.error("command expected")
        code = p[0]
        if code not in NADDR:
            raise self.error(f"invalid command code {code}")
        if naddr > NADDR[code]:
            raise self.error(f"command {code} expects up to {NADDR[code]} address(es), found {naddr}")
        if code in UNMODELLED:
            raise SedError(f"the {code} command: part of FreeBSD, but not modelled by the jailkit sim; "
                           "run this step on a real FreeBSD host (--host ssh://... or vagrant://)")
        command.code = code
        p = p[1:]
        self.commands.append(command)
        if code == "{":
            self.stack.append(len(self.commands) - 1)
            return p
        if code == "}":
            if not self.stack:
                raise self.error("unexpected }")
            self.commands[self.stack.pop()].target = len(self.commands)
            return self.end_of(p, code)
        if code in "aic":
            command.text = self.text(p)
            return None
        if code in "bt:":
            # duptoeol(): a label runs to the end of the line, ; included
            label = p.strip()
            if code == ":":
                if not label:
                    raise self.error("empty label")
                self.labels[label] = len(self.commands) - 1
            command.text = label
            return None
        if code == "s":
            return self.substitute(command, p)
        if code == "y":
            return self.transform(command, p)
        return self.end_of(p, code)

    def end_of(self, p: str, code: str) -> str | None:
        p = p.lstrip()
        if p.startswith(";"):
            return p[1:]
        if p.startswith("}"):
            return p
        if p:
            raise self.error(f"extra characters at the end of {code} command")
        return None

    def address(self, p: str) -> tuple[Address, str]:
        if p[0] == "$":
            return Address(last=True), p[1:]
        if p[0].isdigit():
            digits = re.match(r"\d+", p)
            assert digits is not None
            return Address(line=int(digits.group(0))), p[digits.end():]
        delimiter = p[1] if p[0] == "\\" else "/"
        body, p = self.delimited(p[2:] if p[0] == "\\" else p[1:], delimiter)
        if body is None:
            raise self.error("unterminated regular expression")
        icase = p.startswith("I")
        if icase:
            p = p[1:]
        if body == "":
            return Address(reuse=True), p
        return Address(regex=self.regex(body, icase)), p

    def delimited(self, p: str, delimiter: str) -> tuple[str | None, str]:
        """compile_delimited(): up to the unescaped delimiter (not inside
        brackets), \\n a newline, \\DELIM the delimiter itself."""
        out: list[str] = []
        i = 0
        while i < len(p):
            c = p[i]
            if c == "[" and c != delimiter:
                end = _bracket_end(p, i)
                if end < 0:
                    raise self.error("unbalanced brackets ([])")
                out.append(p[i:end])
                i = end
                continue
            if c == "\\" and i + 1 < len(p):
                nxt = p[i + 1]
                out.append(nxt if nxt == delimiter else "\n" if nxt == "n" else c + nxt)
                i += 2
                continue
            if c == delimiter:
                return "".join(out), p[i + 1:]
            out.append(c)
            i += 1
        return None, ""

    def regex(self, body: str, icase: bool) -> re.Pattern[str]:
        try:
            return regcomp(body, self.extended, icase)
        except RegexError as exc:
            raise self.error(f"RE error: {exc}") from None

    def substitute(self, command: Command, p: str) -> str | None:
        if not p or p[0] in "\\\n":
            raise self.error("substitute pattern can not be delimited by newline or backslash")
        delimiter = p[0]
        body, p = self.delimited(p[1:], delimiter)
        if body is None:
            raise self.error("unterminated substitute pattern")
        replacement, p = self.replacement(p, delimiter)
        command.replacement = replacement
        rest = self.flags(command, p)
        if body == "":
            command.reuse = True
        else:
            command.regex = self.regex(body, command.icase)
            groups = command.regex.groups
            for ref in re.findall(r"\\\\|\\([1-9])", replacement):
                if ref and int(ref) > groups:
                    raise self.error(f"\\{ref} not defined in the RE")
        return rest

    def replacement(self, p: str, delimiter: str) -> tuple[str, str]:
        out: list[str] = []
        i = 0
        while True:
            if i >= len(p):
                # an escaped newline continues the replacement on the next line
                if out and out[-1] == "\\\n" and self.pending:
                    self.linenum += 1
                    p, i = self.pending.pop(0), 0
                    continue
                if self.pending or self.ends_in_newline:
                    raise self.error("unescaped newline inside substitute pattern")
                raise self.error("unterminated substitute in regular expression")
            c = p[i]
            if c == "\\":
                if i + 1 >= len(p):
                    out.append("\\\n")
                    i += 1
                    continue
                out.append(p[i + 1] if p[i + 1] == delimiter else c + p[i + 1])
                i += 2
                continue
            if c == delimiter:
                return "".join(out), p[i + 1:]
            out.append(c)
            i += 1

    def flags(self, command: Command, p: str) -> str | None:
        seen_count = False
        while True:
            p = p.lstrip(" \t")
            if not p or p[0] in "\n;}":
                return p[1:] if p.startswith(";") else (p or None)
            c = p[0]
            if c == "g" or c.isdigit():
                if seen_count:
                    raise self.error("more than one number or 'g' in substitute flags")
                seen_count = True
                if c == "g":
                    command.occurrence = 0
                    p = p[1:]
                else:
                    digits = re.match(r"\d+", p)
                    assert digits is not None
                    command.occurrence = int(digits.group(0))
                    p = p[digits.end():]
                continue
            if c == "p":
                command.print_ = True
            elif c == "I":
                command.icase = True
            elif c == "w":
                raise SedError("the s command's w flag: part of FreeBSD, but not modelled by the "
                               "jailkit sim; run this step on a real FreeBSD host "
                               "(--host ssh://... or vagrant://)")
            else:
                raise self.error(f"bad flag in substitute command: '{c}'")
            p = p[1:]

    def transform(self, command: Command, p: str) -> str | None:
        if not p:
            raise self.error("unterminated transform source string")
        delimiter = p[0]
        source, p = self.delimited(p[1:], delimiter)
        if source is None:
            raise self.error("unterminated transform source string")
        target, p = self.delimited(p, delimiter)
        if target is None:
            raise self.error("unterminated transform target string")
        source, target = source.replace("\\\\", "\\"), target.replace("\\\\", "\\")
        if len(source) != len(target):
            raise self.error("transform strings are not the same length")
        command.table = dict(zip(source, target))
        p = p.lstrip()
        if p.startswith(";"):
            return p[1:]
        if p:
            raise self.error("extra text at the end of a transform command")
        return None

    def text(self, p: str) -> str:
        """a\\ c\\ i\\: the text on the lines after, each but the last ending
        in a backslash; "a text" on one line is accepted too."""
        p = p.lstrip()
        lines: list[str] = []
        if p.startswith("\\"):
            p = p[1:].lstrip()
            if not p:
                if not self.pending:
                    return ""
                self.linenum += 1
                p = self.pending.pop(0)
        while True:
            body = p.lstrip()
            if body.endswith("\\") and self.pending:
                lines.append(_unescape_text(body[:-1]))
                self.linenum += 1
                p = self.pending.pop(0)
                continue
            lines.append(_unescape_text(body))
            return "\n".join(lines) + "\n"


def _unescape_text(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _bracket_end(p: str, i: int) -> int:
    """compile_ccl(): the index after the ] closing the bracket at i."""
    j = i + 1
    if p[j:j + 1] == "^":
        j += 1
    if p[j:j + 1] == "]":
        j += 1
    while j < len(p) and p[j] != "]":
        if p[j] == "[" and p[j + 1:j + 2] in (".", ":", "="):
            close = p.find(p[j + 1] + "]", j + 2)
            if close < 0:
                return -1
            j = close + 2
            continue
        j += 1
    return j + 1 if j < len(p) else -1


class Quit(Exception):
    def __init__(self, autoprint: bool) -> None:
        super().__init__()
        self.autoprint = autoprint


class Editor:
    """process.c: the cycle over the input lines."""

    def __init__(self, proc: Proc, commands: list[Command], *, nflag: bool, inplace: str | None) -> None:
        self.proc = proc
        self.commands = commands
        self.nflag = nflag
        self.inplace = inplace
        self.hold = ""
        self.last_regex: re.Pattern[str] | None = None
        self.status = 0
        self.out: list[str] = []
        self.lines: list[str] = []
        self.index = self.linenum = 0
        self.space = ""
        self.newline = True
        self.appends: list[str] = []
        self.substituted = False

    def run(self, files: list[str]) -> int:
        if self.inplace is not None:
            if not files:
                raise SedError("-I or -i may not be used with stdin")
            for name in files:
                self.edit_in_place(name)
            return self.status
        inputs = self.read_all(files or ["-"])
        self.process(inputs)
        self.proc.write("".join(self.out))
        return self.status

    def read_all(self, files: list[str]) -> list[str]:
        lines: list[str] = []
        for name in files:
            try:
                text = self.proc.read_file(name)
            except OSErr as exc:
                self.proc.warn(name, exc)
                self.status = 1
                continue
            lines.extend(text_lines(text, keepends=True))
        return lines

    def edit_in_place(self, name: str) -> None:
        vfs, where = self.proc.kernel.vfs, self.proc.where()
        try:
            node = vfs.lookup(name, follow=False, **where)
            text = vfs.read(name, **where)
        except OSErr as exc:
            raise SedError(f"{name}: {exc.strerror}") from None
        if not isinstance(node, File):
            raise SedError(f"{name}: in-place editing only works for regular files")
        self.out = []
        self.process(text_lines(text, keepends=True))
        try:
            if self.inplace:
                vfs.write(name + self.inplace, text, **where)
            vfs.write(name, "".join(self.out), **where)
        except OSErr as exc:
            raise SedError(f"{name}: {exc.strerror}") from None

    # -- the cycle -------------------------------------------------------------
    def process(self, lines: list[str]) -> None:
        self.lines = lines
        self.index = 0
        self.linenum = 0
        for command in self.commands:
            command.active = False
        try:
            while self.next_line(append=False):
                self.cycle()
        except Quit as done:
            if done.autoprint and not self.nflag:
                self.output(self.space)
            self.flush_appends()

    def next_line(self, append: bool) -> bool:
        if self.index >= len(self.lines):
            return False
        line = self.lines[self.index]
        self.index += 1
        self.linenum += 1
        self.newline = line.endswith("\n")
        body = line[:-1] if self.newline else line
        self.space = self.space + "\n" + body if append else body
        return True

    def cycle(self) -> None:
        self.appends = []
        self.substituted = False
        pc = 0
        deleted = False
        while pc < len(self.commands):
            command = self.commands[pc]
            if not self.selected(command, pc):
                pc = command.target if command.code == "{" else pc + 1
                continue
            jump = self.execute(command, pc)
            if jump == "delete":
                deleted = True
                break
            if jump == "restart":
                self.flush_appends()
                pc, self.appends = 0, []
                continue
            pc = jump if isinstance(jump, int) else pc + 1
        if not deleted and not self.nflag:
            self.output(self.space)
        self.flush_appends()

    def output(self, text: str) -> None:
        self.out.append(text + ("\n" if self.newline or self.index < len(self.lines) else ""))

    def flush_appends(self) -> None:
        self.out.extend(self.appends)
        self.appends = []

    def is_last(self) -> bool:
        return self.index >= len(self.lines)

    def matches(self, address: Address) -> bool:
        if address.last:
            return self.is_last()
        if address.line is not None:
            return self.linenum == address.line
        return self.search(address.regex, address.reuse) is not None

    def search(self, regex: re.Pattern[str] | None, reuse: bool) -> re.Match[str] | None:
        if reuse:
            if self.last_regex is None:
                raise SedError("no previous regular expression")
            regex = self.last_regex
        assert regex is not None
        self.last_regex = regex
        return regex.search(self.space)

    def selected(self, command: Command, pc: int) -> bool:
        """applies() in process.c, ranges included."""
        if command.a1 is None:
            hit = True
        elif command.a2 is None:
            hit = self.matches(command.a1)
        elif command.active:
            a2 = command.a2
            if a2.line is not None:
                hit = True
                if self.linenum >= a2.line:
                    command.active = False
                if self.linenum > a2.line:
                    hit = False
                    command.active = False
            else:
                hit = True
                if self.matches(a2):
                    command.active = False
        elif self.matches(command.a1):
            hit = True
            a2 = command.a2
            # a line-number end at or before the start closes the range at once
            command.active = not (a2.line is not None and a2.line <= self.linenum) and \
                not (a2.last and self.is_last())
        else:
            hit = False
        return hit != command.negate

    def execute(self, command: Command, pc: int) -> int | str | None:
        code = command.code
        if code in "{}#:":
            return None
        if code == "a":
            self.appends.append(command.text)
        elif code == "i":
            self.out.append(command.text)
        elif code == "c":
            if command.a2 is None or not command.active or command.negate:
                self.out.append(command.text)
            return "delete"
        elif code == "b":
            return command.target if command.text else len(self.commands)
        elif code == "t":
            if self.substituted:
                self.substituted = False
                return command.target if command.text else len(self.commands)
        elif code == "d":
            return "delete"
        elif code == "D":
            if "\n" not in self.space:
                return "delete"
            self.space = self.space.split("\n", 1)[1]
            return "restart"
        elif code in "gGhHx":
            self.hold_command(code)
        elif code == "n":
            if not self.nflag:
                self.output(self.space)
            self.flush_appends()
            if not self.next_line(append=False):
                raise Quit(autoprint=False)
        elif code == "N":
            self.flush_appends()
            if not self.next_line(append=True):
                raise Quit(autoprint=False)
        elif code == "p":
            self.out.append(self.space + "\n")
        elif code == "P":
            self.out.append(self.space.split("\n", 1)[0] + "\n")
        elif code == "q":
            raise Quit(autoprint=True)
        elif code == "s":
            self.substitute(command)
        elif code == "y":
            self.space = "".join(command.table.get(c, c) for c in self.space)
        elif code == "=":
            self.out.append(f"{self.linenum}\n")
        return None

    def hold_command(self, code: str) -> None:
        if code == "g":
            self.space = self.hold
        elif code == "G":
            self.space += "\n" + self.hold
        elif code == "h":
            self.hold = self.space
        elif code == "H":
            self.hold += "\n" + self.space
        else:
            self.space, self.hold = self.hold, self.space

    def substitute(self, command: Command) -> None:
        """process.c substitute(): the Nth or every match, an empty match
        right after the previous match skipped."""
        if command.reuse:
            if self.last_regex is None:
                raise SedError("no previous regular expression")
            regex = self.last_regex
        else:
            assert command.regex is not None
            regex = command.regex
        self.last_regex = regex
        out: list[str] = []
        pos = 0
        count = 0
        done = False
        previous_end = -1
        for match in regex.finditer(self.space):
            if match.start() == match.end() == previous_end:
                continue
            previous_end = match.end()
            count += 1
            if command.occurrence and count != command.occurrence:
                continue
            out.append(self.space[pos:match.start()] + _expand(command.replacement, match))
            pos = match.end()
            done = True
            if command.occurrence:
                break
        if not done:
            return
        self.space = "".join(out) + self.space[pos:]
        self.substituted = True
        if command.print_:
            self.out.append(self.space + "\n")


def _expand(replacement: str, match: re.Match[str]) -> str:
    """& is the match, \\N its Nth subexpression, \\& and \\\\ themselves,
    an escaped newline a newline."""
    out: list[str] = []
    i = 0
    while i < len(replacement):
        c = replacement[i]
        if c == "&":
            out.append(match.group(0))
        elif c == "\\" and i + 1 < len(replacement):
            nxt = replacement[i + 1]
            # compile_subst(): any other escaped character is itself (\n is n)
            out.append((match.group(int(nxt)) or "") if nxt.isdigit() and nxt != "0" else nxt)
            i += 1
        else:
            out.append(c)
        i += 1
    return "".join(out)
