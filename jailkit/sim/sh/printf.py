"""printf(1), which is also sh's printf builtin (usr.bin/printf/printf.c,
one source for both): the format's backslash escapes are read first, then
its conversions in turn (each may name its argument, %n$), and the format
is used again while arguments are left. It works on bytes, as printf(3)
does: a width or a precision counts bytes."""

from __future__ import annotations

import re

from ..octets import decode, encode, lone_byte

INTMAX = 2**63 - 1
UINTMAX = 2**64 - 1
INT_MAX = 2**31 - 1

_SIMPLE = {ord("a"): 7, ord("b"): 8, ord("f"): 12, ord("n"): 10, ord("r"): 13, ord("t"): 9,
           ord("v"): 11}
_FLAGS = b"#'-+ 0"
_DOLLAR = re.compile(rb"(\d+)\$")
_DIGITS = re.compile(rb"\d*")
# strtoimax(3) and strtoumax(3) in base 0
_INTEGER = re.compile(rb"\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
# strtod(3)
_FLOAT = re.compile(rb"\s*[+-]?(0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?\d+)?"
                    rb"|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?|nan)", re.I)


def printf(fmt: str, args: list[str]) -> tuple[str, list[str]]:
    """What printf FMT ARGS... prints, and its warnings (each without the
    "printf: " before it); any warning makes the exit status 1."""
    run = _Printf([encode(arg) for arg in args])
    try:
        run.main(escape(encode(fmt), percent=True)[0])
    except _Fatal as stop:
        if stop.args:
            run.warnings.append(stop.args[0])
    return decode(bytes(run.out)), run.warnings


def escape(data: bytes, percent: bool) -> tuple[bytes, bool]:
    """escape(): the format's escapes (``percent``) or a %b argument's. An
    octal escape is one byte of up to three digits (four after a 0 in a %b
    argument); one that makes a % in the format makes a literal one. \\c
    ends a %b argument and all output (True); in the format it is a c. A
    backslash before any other character is that character."""
    out = bytearray()
    i, length = 0, len(data)
    while i < length:
        byte = data[i]
        i += 1
        if byte != 0x5C:
            out.append(byte)
            continue
        if i == length:
            out.append(0x5C)     # a backslash at the very end stays
            break
        byte = data[i]
        i += 1
        if byte == ord("c") and not percent:
            return bytes(out), True
        if 0x30 <= byte <= 0x37:
            value, digits = byte - 0x30, 1
            while digits < (4 if not percent and byte == 0x30 else 3) and i < length \
                    and 0x30 <= data[i] <= 0x37:
                value, digits, i = value * 8 + data[i] - 0x30, digits + 1, i + 1
            out += b"%%" if percent and value & 0xFF == 0x25 else bytes([value & 0xFF])
        else:
            out.append(_SIMPLE.get(byte, byte))
    return bytes(out), False


class _Fatal(Exception):
    """A warning after which printf prints nothing more and exits 1."""


class _Printf:
    def __init__(self, args: list[bytes]) -> None:
        self.args = args
        self.next = 0            # gargv: the argument the next conversion takes
        self.base = 0            # myargv: where this pass over the format began
        self.furthest = 0        # maxargv: the furthest argument taken in it
        self.named = 0           # fargv: the argument a conversion's n$ named
        self.out = bytearray()
        self.warnings: list[str] = []

    def main(self, fmt: bytes) -> None:
        again = False
        while True:
            self.base = self.furthest = self.next
            start = i = 0
            while i < len(fmt):
                if fmt[i] == 0x25:
                    self.out += fmt[start:i]
                    if fmt[i + 1:i + 2] == b"%":
                        self.out += b"%"
                        i += 2
                    else:
                        end = self.conversion(fmt, i)
                        if end is None:
                            return      # %b's \c
                        i, again = end, False
                    start = i
                else:
                    i += 1
                self.furthest = max(self.furthest, self.next)
            self.next = self.furthest
            if again:
                raise _Fatal("missing format character")
            self.out += fmt[start:]
            if self.next >= len(self.args):
                return
            again = True

    # -- one conversion (printf_doformat()) --------------------------------------
    def conversion(self, fmt: bytes, i: int) -> int | None:
        """The conversion at ``fmt[i]`` printed; where the format goes on
        (None: nothing more is printed)."""
        j = i + 1
        named = self._argument(fmt, j)
        if named is not None:
            j = named
        positional = named is not None
        flags = b""
        while j < len(fmt) and fmt[j] in _FLAGS:
            flags += fmt[j:j + 1]
            j += 1
        width, j = self._number(fmt, j, positional)
        precision = None
        if fmt[j:j + 1] == b".":
            precision, j = self._number(fmt, j + 1, positional)
            precision = precision if precision is None or precision >= 0 else None
            precision = 0 if precision is None and fmt[j - 1:j] == b"." else precision
        if j >= len(fmt):
            raise _Fatal("missing format character")
        if fmt[j:j + 1] == b"L":
            j += 1
            if fmt[j:j + 1] not in (b"a", b"A", b"e", b"E", b"f", b"F", b"g", b"G"):
                raise _Fatal(f"bad modifier L for %{decode(fmt[j:j + 1])}")
        if positional:
            self.next = self.named
        conv = chr(fmt[j])
        if width is not None and width < 0:
            flags, width = flags + b"-", -width
        spec = b"%" + flags.replace(b"'", b"") + (b"%d" % width if width is not None else b"") + \
            (b".%d" % precision if precision is not None else b"")
        if conv == "b":
            text, stop = escape(self._string(), percent=False)
            self.out += (spec + b"s") % text.partition(b"\0")[0]
            return None if stop else j + 1
        if conv == "c":
            byte = self._string()[:1]
            if byte:            # a NUL byte is not printed at all
                self.out += (spec + b"c") % byte[0]
        elif conv == "s":
            self.out += (spec + b"s") % self._string()
        elif conv in "diouxX":
            self.out += _integer(spec, conv, self._integer(signed=conv in "di"))
        elif conv in "aA":
            shown = _hexfloat(self._floating())
            self.out += (b"%" + (b"-" if b"-" in flags else b"") + (b"%d" % width if width else b"")
                         + b"s") % (shown.upper() if conv == "A" else shown).encode()
        elif conv in "eEfFgG":
            self.out += (spec + conv.encode()) % self._floating()
        else:
            raise _Fatal(f"illegal format character {conv}")
        return j + 1

    def _argument(self, fmt: bytes, j: int) -> int | None:
        """An "n$" at ``fmt[j]``: the next conversion takes argument n."""
        match = _DOLLAR.match(fmt, j)
        if match is None:
            return None
        self._seek(int(match.group(1)))
        self.furthest = max(self.furthest, self.next)
        self.named = self.next
        return match.end()

    def _seek(self, index: int) -> None:
        """The argument n$ names, counted from where this pass began; past
        the last one, none (gargv = &myargv[myargc])."""
        available = len(self.args) - self.base
        self.next = self.base + (max(index, 1) - 1 if index <= available else available)

    def _number(self, fmt: bytes, j: int, positional: bool) -> tuple[int | None, int]:
        """A width or precision: digits, or * taking an argument (*n$ when
        the conversion names its argument)."""
        if fmt[j:j + 1] != b"*":
            digits = _DIGITS.match(fmt, j)
            assert digits is not None
            return (int(digits.group()) if digits.group() else None), digits.end()
        j += 1
        match = _DOLLAR.match(fmt, j)
        if (match is not None) != positional:
            raise _Fatal("incomplete use of n$")
        if match is not None:
            self._seek(int(match.group(1)))
            j = match.end()
        arg = self._peek()
        value, ok = self._strtoi(arg, signed=True) if arg is not None else (0, True)
        if arg is not None:
            self.next += 1
        self.furthest = max(self.furthest, self.next)
        if ok and not -INT_MAX - 1 <= value <= INT_MAX:
            self.warnings.append(f"{decode(arg or b'')}: Result too large")
            ok = False
        if not ok:
            raise _Fatal()
        return value, j

    # -- arguments (getstr(), getnum(), getfloating()) ------------------------------
    def _peek(self) -> bytes | None:
        return self.args[self.next] if self.next < len(self.args) else None

    def _string(self) -> bytes:
        arg = self._peek()
        if arg is None:
            return b""
        self.next += 1
        return arg

    def _integer(self, signed: bool) -> int:
        arg = self._peek()
        if arg is None:
            return 0
        self.next += 1
        return self._strtoi(arg, signed)[0]

    def _strtoi(self, arg: bytes, signed: bool) -> tuple[int, bool]:
        """getnum(): the value, and whether it converted cleanly (else a
        warning is given and the exit status will be 1)."""
        if arg[:1] in (b"'", b'"'):
            return _character_code(arg[1:]), True
        match = _INTEGER.match(arg)
        if match is None:
            self.warnings.append(f"{decode(arg)}: expected numeric value")
            return 0, False
        sign, digits = match.groups()
        magnitude = int(digits, 16) if digits[1:2] in (b"x", b"X") else \
            int(digits, 8) if digits.startswith(b"0") else int(digits)
        value = -magnitude if sign == b"-" else magnitude
        ok = True
        if match.end() != len(arg):
            self.warnings.append(f"{decode(arg)}: not completely converted")
            ok = False
        low, high = (-INTMAX - 1, INTMAX) if signed else (-UINTMAX, UINTMAX)
        if not low <= value <= high:
            self.warnings.append(f"{decode(arg)}: Result too large")
            value, ok = min(max(value, low), high), False
        return (value if signed else value % (UINTMAX + 1)), ok

    def _floating(self) -> float:
        arg = self._peek()
        if arg is None:
            return 0.0
        self.next += 1
        if arg[:1] in (b"'", b'"'):
            return float(_character_code(arg[1:]))
        match = _FLOAT.match(arg)
        if match is None:
            self.warnings.append(f"{decode(arg)}: expected numeric value")
            return 0.0
        text = decode(match.group()).strip()
        value = float.fromhex(text) if "x" in text.lower() else float(text)
        if match.end() != len(arg):
            self.warnings.append(f"{decode(arg)}: not completely converted")
        elif value in (float("inf"), float("-inf")) and "inf" not in text.lower():
            self.warnings.append(f"{decode(arg)}: Result too large")
        return value


def _character_code(rest: bytes) -> int:
    """asciicode(): the code of the character after a quote (multibyte)."""
    text = decode(rest[:4])
    if not text:
        return 0
    byte = lone_byte(text[0])
    return ord(text[0]) if byte is None else byte


def _integer(spec: bytes, conv: str, value: int) -> bytes:
    """%d %i %o %u %x %X of ``value`` (unsigned ones already reduced)."""
    if conv == "o" and b"#" in spec:
        # C's # raises the precision just enough to start with a 0
        digits = b"%o" % value
        width_part, _, precision = spec.replace(b"#", b"").partition(b".")
        wanted = max(int(precision or b"1"), len(digits) + (not digits.startswith(b"0")))
        return (width_part + b".%d" % wanted + b"o") % value
    if conv in "xX" and value == 0:
        spec = spec.replace(b"#", b"")      # 0x only before a value that is not 0
    return (spec + (b"d" if conv in "iu" else conv.encode())) % value


def _hexfloat(value: float) -> str:
    """%a: the shortest hexadecimal mantissa (0x1.8p+0)."""
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    mantissa, _, exponent = value.hex().partition("p")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}p{exponent}"
