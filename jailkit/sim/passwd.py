"""The password database of a root (the host's or a jail's): the
/etc/master.passwd, /etc/passwd and /etc/group lines pw(8) keeps, and
password checks for logins.

Hashes look like FreeBSD's default sha512-crypt ("$6$salt$hash"); the sim
computes them its own way (a salted SHA-512), which is enough for the sim's
own checks and never leaves it."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from .errno import OSErr

MASTER, PASSWD, GROUP = "/etc/master.passwd", "/etc/passwd", "/etc/group"


@dataclass
class Account:
    name: str
    password: str
    uid: int
    gid: int
    gecos: str
    home: str
    shell: str

    def master_line(self) -> str:
        return (f"{self.name}:{self.password}:{self.uid}:{self.gid}::0:0:{self.gecos}:"
                f"{self.home}:{self.shell}")

    def passwd_line(self) -> str:
        return f"{self.name}:*:{self.uid}:{self.gid}:{self.gecos}:{self.home}:{self.shell}"


def crypt(password: str, salt: str) -> str:
    digest = hashlib.sha512(f"{salt}${password}".encode()).digest()
    text = base64.b64encode(digest, altchars=b"./").decode().rstrip("=")
    return f"$6${salt}${text}"


def check(stored: str, password: str) -> bool:
    if not stored.startswith("$6$"):
        return stored == "" and password == ""
    salt = stored.split("$")[2]
    return crypt(password, salt) == stored


def accounts(read) -> list[Account]:
    """Accounts from master.passwd (``read(path)`` returns a file's text),
    falling back to /etc/passwd where master.passwd is missing."""
    found = []
    for path in (MASTER, PASSWD):
        try:
            text = read(path)
        except OSErr:
            continue
        for line in text.splitlines():
            fields = line.split(":")
            if line.startswith("#") or len(fields) < 7:
                continue
            if len(fields) >= 10:
                found.append(Account(fields[0], fields[1], int(fields[2]), int(fields[3]),
                                     fields[7], fields[8], fields[9]))
            else:
                found.append(Account(fields[0], fields[1], int(fields[2]), int(fields[3]),
                                     fields[4], fields[5], fields[6]))
        return found
    return found
