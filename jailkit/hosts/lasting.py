"""A lasting /bin/sh on a real box, fed one command line at a time on its
standard input: the session of a learner's terminal on hosts that can keep
a process running between lines (local:// today; an ssh:// channel running
/bin/sh is the same three streams).

Each line goes to the shell quoted, as the value of a variable, and runs
with eval in the shell itself, so cd, variables, functions and $? carry to
the next line. Before that, `sh -n` reads it: a line with a syntax error
gets sh's own message and status 2 instead of ending the session. Its
standard input is the here-document given, or /dev/null, never the
session's own stream. After it, the shell prints a marker with a random
nonce, $? and $PWD on standard output and the marker on standard error, so
the output of a line ends exactly there. The shell traps SIGINT (trap :
INT): ^C (Pipes.interrupt: SIGINT to its process group) stops the command
running and leaves the session; the commands it runs get SIGINT as usual."""

from __future__ import annotations

import codecs
import secrets
import shlex
import time
from typing import Protocol

from ..host import BYTES_KEPT, TEXT, bytes_of
from ..session import Session, Write

STARTUP = "trap : INT\n"
TICK = 0.1      # seconds between two looks at the clock while a line runs


class Pipes(Protocol):
    """The shell's standard streams, however they reach it."""

    def send(self, data: bytes) -> None: ...

    def receive(self, timeout: float) -> tuple[str, bytes]:
        """("out" | "err", bytes) as they come; ("", b"") when nothing came
        within ``timeout``; ("eof", b"") once the shell has ended."""

    def interrupt(self) -> None:
        """SIGINT to the command the shell runs (its process group)."""

    def close(self) -> int:
        """End the shell; its exit status."""


class LastingSession(Session):
    def __init__(self, pipes: Pipes, *, terminal: bool = False, limit: float | None = None) -> None:
        self.pipes = pipes
        self.terminal = terminal
        self.limit = None if terminal else limit
        self.mark = f"jk-{secrets.token_hex(12)}"
        # printed just before the line itself runs: the limit counts from there
        self.go = f"jk-{secrets.token_hex(12)}"
        self.status = 0
        self._cwd: str | None = None
        pipes.send(STARTUP.encode())

    @property
    def cwd(self) -> str | None:
        return self._cwd

    def set_status(self, status: int) -> None:
        self.status = status

    def interrupt(self) -> None:
        if not self.ended:
            self.pipes.interrupt()

    def close(self) -> None:
        if not self.ended:
            self.ended = True
            self.pipes.close()

    def run(self, line: str, *, stdin: str | None = None, out: Write, err: Write) -> int:
        if self.ended:
            raise RuntimeError("the session's shell has ended")
        self.abandoned = False
        self.pipes.send(bytes_of(self._script(line, stdin)))
        status = self._collect(line, out, err)
        self.status = status
        return status

    def _script(self, line: str, stdin: str | None) -> str:
        mark = self.mark
        feed, body = "</dev/null", ""
        if stdin is not None:       # a here-document ends with a newline
            newline = "\n" if stdin and not stdin.endswith("\n") else ""
            feed, body = f"<<'{mark}'", f"{stdin}{newline}{mark}\n"
        return (f"_jk_line={shlex.quote(line)}\n"
                f'if sh -nc "$_jk_line" 2>/dev/null; then printf \'%s\\n\' {self.go}; '
                f'(exit {self.status}); eval "$_jk_line" {feed}\n{body}'
                f'else sh -nc "$_jk_line"; fi\n'
                f"printf '%s %s %s\\n' {mark} \"$?\" \"$PWD\"; printf '%s\\n' {mark} >&2\n")

    def _collect(self, line: str, out: Write, err: Write) -> int:
        """Pass the line's output on as it comes, until both markers."""
        streams = {"out": _Stream(self.mark, out, self.go), "err": _Stream(self.mark, err)}
        warned = False
        while not (streams["out"].done and streams["err"].done):
            kind, data = self.pipes.receive(TICK)
            if kind == "eof":           # the line ran exit
                self.ended = True
                for stream in streams.values():
                    stream.flush()
                return self.pipes.close()
            if kind:
                streams[kind].feed(data)
            elif (self.limit is not None and not warned and streams["out"].began is not None
                  and time.monotonic() - streams["out"].began > self.limit):
                warned = True
                self.abandoned = True
                self.pipes.interrupt()
                err(f"jailkit: `{line}` was still running after {self.limit:g} s with no "
                    "terminal to type ^C at: it got SIGINT, as ^C would send\n")
        status, _, cwd = streams["out"].trailer.partition(" ")
        self._cwd = cwd
        return int(status)


class _Stream:
    """One of the shell's output streams, up to the marker."""

    def __init__(self, mark: str, write: Write, go: str | None = None) -> None:
        self.mark = mark.encode()
        # the line's start, a line of its own, taken out of the stream; when it came
        self.go = go.encode() + b"\n" if go is not None else None
        self.began: float | None = None
        self.write = write
        self.decoder = codecs.getincrementaldecoder(TEXT)(errors=BYTES_KEPT)
        self.pending = b""
        self.done = False
        self.trailer = ""

    def feed(self, data: bytes) -> None:
        self.pending += data
        if self.go is not None and self.began is None and self.go in self.pending:
            self.pending = self.pending.replace(self.go, b"", 1)
            self.began = time.monotonic()
        at = self.pending.find(self.mark)
        if at >= 0:
            end = self.pending.find(b"\n", at)
            if end < 0:
                return                  # the rest of the marker line is on its way
            self._pass(self.pending[:at], final=True)
            self.trailer = self.pending[at + len(self.mark) + 1:end].decode(TEXT, BYTES_KEPT)
            self.done = True
            return
        # keep what could be the start of the marker
        keep = max(len(self.mark), len(self.go or b"")) - 1
        self._pass(self.pending[:-keep] if len(self.pending) > keep else b"")
        self.pending = self.pending[-keep:] if len(self.pending) > keep else self.pending

    def flush(self) -> None:
        self._pass(self.pending, final=True)
        self.pending = b""

    def _pass(self, data: bytes, final: bool = False) -> None:
        """``data`` on as text; the bytes of a character cut at the end
        wait for the rest, unless the line's output ends here (``final``)."""
        text = self.decoder.decode(data, final)
        if text:
            self.write(text)
