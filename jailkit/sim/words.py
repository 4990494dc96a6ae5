"""A cursor over the words of a command or a rules line, for the sim's
small parsers (pf.conf, ipf.conf, ipnat.conf, ipfw rules)."""

from __future__ import annotations


class Words:
    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.pos = 0

    def peek(self) -> str | None:
        return self.words[self.pos] if self.pos < len(self.words) else None

    def take(self, *wanted: str) -> str | None:
        """The next word, when there is one (and it is one of ``wanted``)."""
        word = self.peek()
        if word is not None and (not wanted or word in wanted):
            self.pos += 1
            return word
        return None

    def need(self, message: str | None = None) -> str:
        word = self.take()
        if word is None:
            raise self.fail(message)
        return word

    def fail(self, message: str | None = None) -> Exception:
        """The error of this parser; subclasses say it their program's way."""
        return ValueError(message or "syntax error")
