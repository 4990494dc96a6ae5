"""Files on a host, through FreeBSD commands (cat, test, ls), so the same
calls work on the sim and on a real box."""

from __future__ import annotations

import shlex

from .host import Host


def read_file(host: Host, path: str) -> str | None:
    """The file's text, or None when it cannot be read."""
    result = host.run(["cat", path])
    return result.stdout if result.succeeded else None


def write_file(host: Host, path: str, text: str, append: bool = False) -> None:
    host.run(f"cat {'>>' if append else '>'} {shlex.quote(path)}", stdin=text).check()


def exists(host: Host, path: str) -> bool:
    return host.run(["test", "-e", path]).succeeded


def list_dir(host: Host, path: str) -> list[str]:
    result = host.run(["ls", path])
    return result.stdout.split() if result.succeeded else []
