"""The sim's text is bytes read as UTF-8, each byte that is no UTF-8 kept
as a lone surrogate (Python's surrogateescape, as it reads file names), so
that any byte a program writes survives a file, a pipe and an ssh session
unchanged. A character written a byte at a time (printf '\\303' then
'\\251') is one character once its bytes meet."""

from __future__ import annotations

import re

# the lone surrogates that stand for bytes 0x80 to 0xFF
_LONE = re.compile("[\udc80-\udcff]")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def joined(first: str, second: str) -> str:
    """``first`` then ``second``, read again where the bytes of one character
    were split between them."""
    if first and second and _LONE.match(first[-1]) and _LONE.match(second[0]):
        return normalized(first + second)
    return first + second


def lone_byte(char: str) -> int | None:
    """The byte a lone surrogate stands for; None for any other character."""
    code = ord(char)
    return code - 0xDC00 if 0xDC80 <= code <= 0xDCFF else None


def holds_lone_bytes(text: str) -> bool:
    """Whether ``text`` holds a byte that is no UTF-8 (ASCII text, which
    CPython marks when it makes the string, is answered without a scan)."""
    return not text.isascii() and _LONE.search(text) is not None


def normalized(text: str) -> str:
    """``text`` read again from its bytes (cheap when no byte stands alone)."""
    return decode(encode(text)) if holds_lone_bytes(text) else text


def lines(text: str, keepends: bool = False) -> list[str]:
    """``text`` cut after each newline, as getline(3) and fgets(3) cut a
    program's input: a carriage return, a form feed or a vertical tab is
    part of its line (str.splitlines() would break there too); the last
    line may have no newline."""
    parts = text.split("\n")
    last = parts.pop()
    if keepends:
        parts = [part + "\n" for part in parts]
    return parts + [last] if last else parts
