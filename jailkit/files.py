"""Files on a host, through FreeBSD commands (cat, test, ls), so the same
calls work on the sim and on a real box."""

from __future__ import annotations

import posixpath
import secrets
import shlex

from .host import Host, bytes_of


def read_file(host: Host, path: str) -> str | None:
    """The file's text, or None when it cannot be read."""
    result = host.run(["cat", path])
    return result.stdout if result.succeeded else None


def write_file(host: Host, path: str, text: str, append: bool = False) -> None:
    host.run(f"cat {'>>' if append else '>'} {shlex.quote(path)}", stdin=text).check()


def replace_file(host: Host, path: str, text: str) -> None:
    """Replace ``path`` whole or not at all: the text goes to a new file in
    the same directory (with the old file's mode and owner, cp -p), is
    checked to be complete, and then takes the old one's place with mv(1),
    a rename(2) on one file system. A reader never sees a half file."""
    directory, name = posixpath.split(path)
    temporary = posixpath.join(directory, f".{name}.jailkit-{secrets.token_hex(4)}")
    p, t = shlex.quote(path), shlex.quote(temporary)
    size = len(bytes_of(text))
    host.run(f"test ! -e {t} && {{ test ! -e {p} || cp -p {p} {t}; }} && cat > {t} && "
             f"test $(($(wc -c < {t}))) -eq {size} && mv -f {t} {p} || {{ rm -f {t}; exit 1; }}",
             stdin=text).check()


def remove_trees(paths: list[str]) -> str:
    """The shell line that removes ``paths`` whole: the system-immutable
    flag that installworld puts on libc, init, su ... and that cp -p and
    tar -p keep on copies is cleared first (root's rm clears only the user
    flags, bin/rm/rm.c), as qjail does before it deletes. Links are removed,
    never followed."""
    quoted = " ".join(shlex.quote(path) for path in paths)
    return (f'for p in {quoted}; do if [ -e "$p" ] && [ ! -L "$p" ]; then '
            f'chflags -R noschg "$p"; fi; done; rm -rf {quoted}')


def exists(host: Host, path: str) -> bool:
    return host.run(["test", "-e", path]).succeeded


def list_dir(host: Host, path: str) -> list[str]:
    result = host.run(["ls", path])
    return result.stdout.split() if result.succeeded else []
