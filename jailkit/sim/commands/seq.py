"""seq(1): print a sequence of numbers (usr.bin/seq/seq.c): first, increment
and last as strtod(3) reads them, printf(3)'s %g unless -f or -w say
otherwise, -s between the numbers and -t after them, its messages and exit
statuses (1 for a usage or range error, 2 for a number it cannot read)."""

from __future__ import annotations

import math
import re

from ..proc import Proc, program

USAGE = "usage: seq [-w] [-f format] [-s string] [-t string] [first [incr]] last\n"
LONG = {"--format": "f", "--separator": "s", "--terminator": "t", "--equal-width": "w"}
# seq.c numeric(): an optional sign, digits, one decimal point, an exponent
NUMERIC = re.compile(r"[-+]?(\d|\.(?!.*\.)|[eE][-+\d])*")
FLOAT = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|\s*[-+]?(inf(inity)?|nan)", re.I)
# C's escapes as seq.c unescape() reads them
C_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
             "v": "\v", "\\": "\\", "'": "'", '"': '"'}


class Failed(Exception):
    def __init__(self, status: int, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.usage = usage


@program("/usr/bin/seq")
def seq(proc: Proc, argv: list[str]) -> int:
    try:
        options, operands = _options(argv[1:])
        if not 1 <= len(operands) <= 3:
            raise Failed(1, "")
        proc.write(_sequence(options, operands))
    except Failed as failed:
        if str(failed):
            proc.warnx(str(failed))
        if not str(failed) or failed.usage:
            proc.error(USAGE)
        return failed.status
    return 0


def _options(args: list[str]) -> tuple[dict[str, str], list[str]]:
    """getopt_long("+f:hs:t:w"), stopping at a numeric operand so that a
    negative number is not an option."""
    options: dict[str, str] = {}
    while args and not NUMERIC.fullmatch(args[0]) and args[0].startswith("-") and args[0] != "-":
        arg = args.pop(0)
        if arg == "--":
            break
        if arg.startswith("--"):
            name, _, value = arg.partition("=")
            flag = LONG.get(name)
            if flag is None:
                raise Failed(1, f"unrecognized option `{name}'", usage=True)
            if flag != "w" and not value:
                if not args:
                    raise Failed(1, f"option requires an argument -- {name[2:]}", usage=True)
                value = args.pop(0)
            _option(options, flag, value)
            continue
        j = 1
        while j < len(arg):
            flag = arg[j]
            if flag not in "fstw":
                raise Failed(1, f"illegal option -- {flag}" if flag != "h" else "", usage=True)
            if flag == "w":
                _option(options, "w", "")
                j += 1
                continue
            value = arg[j + 1:]
            if not value:
                if not args:
                    raise Failed(1, f"option requires an argument -- {flag}", usage=True)
                value = args.pop(0)
            _option(options, flag, value)
            break
    return options, args


def _option(options: dict[str, str], flag: str, value: str) -> None:
    if flag == "f":
        options.pop("w", None)          # -f cancels -w
    if flag == "w":
        if "f" in options:
            return
        # a second -w pads with spaces instead of zeros
        options["w"] = " " if "w" in options else "0"
        return
    options[flag] = value


def _sequence(options: dict[str, str], operands: list[str]) -> str:
    last = _atof(operands[-1])
    first = _atof(operands[0]) if len(operands) > 1 else 1.0
    incr = 0.0
    if len(operands) > 2:
        incr = _atof(operands[1])
        if incr == 0.0:
            raise Failed(1, f"zero {'in' if first < last else 'de'}crement")
    if incr == 0.0:
        incr = 1.0 if first < last else -1.0
    if incr <= 0.0 and first < last:
        raise Failed(1, "needs positive increment")
    if incr >= 0.0 and first > last:
        raise Failed(1, "needs negative decrement")
    if "f" in options:
        if not _valid_format(options["f"]):
            raise Failed(1, f"invalid format string: `{options['f']}'")
        fmt = _unescape(options["f"])
    else:
        fmt = _generate_format(first, incr, last, options.get("w"))
    sep = _unescape(options.get("s", "\n"))
    out: list[str] = []
    cur, step, shown = first, 1, None
    while (cur <= last) if incr > 0 else (cur >= last):
        out.append(_format(fmt, cur) + sep)
        shown = cur
        cur = first + incr * step
        step += 1
    # seq.c prints the last value when rounding made the loop stop short
    if _format(fmt, cur) == _format(fmt, last) and cur != shown:
        out.append(_format(fmt, last) + sep)
    return "".join(out) + _unescape(options.get("t", ""))


def _atof(text: str) -> float:
    """seq.c e_atof(): strtod(3) with nothing left over, else exit 2."""
    match = FLOAT.match(text)
    if not match or match.end() != len(text):
        raise Failed(2, f"invalid floating point argument: {text}")
    value = float(text)
    if math.isinf(value) and "inf" not in text.lower():
        raise Failed(2, f"{text}: Result too large")
    return value + 0.0          # zero has no sign


def _valid_format(fmt: str) -> bool:
    """Exactly one floating-point conversion, %% allowed (seq.c valid_format)."""
    found = 0
    for match in re.finditer(r"%(%|[#0\- +']*\d*(?:\.\d*)?(.?))", fmt):
        if match.group(1) == "%":
            continue
        if match.group(2) not in tuple("aAeEfFgG") or not match.group(2):
            return False
        found += 1
    return found == 1


def _unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\" or i + 1 >= len(text):
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1]
        octal = re.match(r"[0-7]{1,3}", text[i + 1:])
        hexa = re.match(r"x([0-9a-fA-F]{0,2})", text[i + 1:])
        if nxt in C_ESCAPES:
            out.append(C_ESCAPES[nxt])
            i += 2
        elif octal:
            out.append(chr(int(octal.group(0), 8)))
            i += 1 + len(octal.group(0))
        elif hexa:
            out.append(chr(int(hexa.group(1) or "0", 16)))
            i += 1 + len(hexa.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _generate_format(first: float, incr: float, last: float, pad: str | None) -> str:
    """seq.c generate_format(): %g, or with -w the widest value's width."""
    if pad is None:
        return "%g"
    if first > last:
        last = first - incr * math.floor((first - last) / incr)
    else:
        last = first + incr * math.floor((last - first) / incr)
    exponent = ""
    text = _format("%g", incr)
    exponent = "e" if "e" in text else exponent
    precision = _places(text)
    text = _format("%g", first)
    exponent = "e" if "e" in text else exponent
    places = _places(text)
    width1 = len(text) - (places + 1 if places else 0)
    precision = max(places, precision)
    text = _format("%g", last)
    exponent = "e" if "e" in text else exponent
    places = _places(text)
    width2 = len(text) - (places + 1 if places else 0)
    if precision:
        return f"%{pad}{max(width1, width2) + 1 + precision}.{precision}{exponent or 'f'}"
    return f"%{pad}{max(width1, width2)}{exponent or 'g'}"


def _places(number: str) -> int:
    _, dot, rest = number.partition(".")
    return len(rest) - len(rest.lstrip("0123456789")) if dot else 0


def _format(fmt: str, value: float) -> str:
    return fmt.replace("'", "") % value if "%" in fmt.replace("%%", "") else fmt.replace("%%", "%")
