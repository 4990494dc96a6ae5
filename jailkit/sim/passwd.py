"""The password database of a root (the host's or a jail's): the
/etc/master.passwd, /etc/passwd and /etc/group lines pw(8) keeps, and
pam_unix(8), the PAM module FreeBSD's sshd and passwd(1) authenticate and
change passwords with (lib/libpam/modules/pam_unix/pam_unix.c, with
OpenPAM's pam_get_authtok prompts).

Hashes look like FreeBSD's default sha512-crypt ("$6$salt$hash"); the sim
computes them its own way (a salted SHA-512), which is enough for the sim's
own checks and never leaves it."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from .errno import OSErr
from .octets import encode, lines as text_lines

MASTER, PASSWD, GROUP = "/etc/master.passwd", "/etc/passwd", "/etc/group"
LOCKED_PREFIX = "*LOCKED*"      # pw lock

# The styles of a PAM conversation message (security/pam_constants.h).
PROMPT_ECHO_OFF, ERROR_MSG = "PAM_PROMPT_ECHO_OFF", "PAM_ERROR_MSG"
# A conversation: (style, message) -> the answer to a prompt (None: the
# user gave none, end of input), or None after a message.
Converse = Callable[[str, str], str | None]


@dataclass
class Account:
    name: str
    password: str
    uid: int
    gid: int
    gecos: str
    home: str
    shell: str
    change: int = 0        # pw_change: the password must be changed from then on (0: never)
    expire: int = 0        # pw_expire: the account is closed from then on (0: never)
    cls: str = ""          # login class

    def master_line(self) -> str:
        return (f"{self.name}:{self.password}:{self.uid}:{self.gid}:{self.cls}:{self.change}:"
                f"{self.expire}:{self.gecos}:{self.home}:{self.shell}")

    def passwd_line(self) -> str:
        return f"{self.name}:*:{self.uid}:{self.gid}:{self.gecos}:{self.home}:{self.shell}"


def crypt(password: str, salt: str) -> str:
    digest = hashlib.sha512(encode(f"{salt}${password}")).digest()
    text = base64.b64encode(digest, altchars=b"./").decode().rstrip("=")
    return f"$6${salt}${text}"


def check(stored: str, password: str) -> bool:
    if not stored.startswith("$6$"):
        return stored == "" and password == ""
    salt = stored.split("$")[2]
    return crypt(password, salt) == stored


def accounts(read: Callable[[str], str]) -> list[Account]:
    """Accounts from master.passwd (``read(path)`` returns a file's text),
    falling back to /etc/passwd where master.passwd is missing."""
    found = []
    for path in (MASTER, PASSWD):
        try:
            text = read(path)
        except OSErr:
            continue
        for line in text_lines(text):
            fields = line.split(":")
            if line.startswith("#") or len(fields) < 7:
                continue
            if len(fields) >= 10:
                found.append(Account(fields[0], fields[1], int(fields[2]), int(fields[3]),
                                     fields[7], fields[8], fields[9], _number(fields[5]),
                                     _number(fields[6]), fields[4]))
            else:
                found.append(Account(fields[0], fields[1], int(fields[2]), int(fields[3]),
                                     fields[4], fields[5], fields[6]))
        return found
    return found


def _number(text: str) -> int:
    return int(text) if text.isdigit() else 0


def with_account(master: str, account: Account) -> str:
    """master.passwd's text with ``account``'s line in place of its old one
    (pw_copy(3)); every other line is kept as it was."""
    lines = [account.master_line() if line.split(":", 1)[0] == account.name else line
             for line in text_lines(master)]
    return "".join(line + "\n" for line in lines)


# -- pam_unix ------------------------------------------------------------------------------

class PamError(Exception):
    """A PAM call that failed; the message is pam_strerror(3)'s."""

    def __init__(self, code: str) -> None:
        super().__init__(STRERROR[code])
        self.code = code


# OpenPAM's pam_strerror.c
STRERROR = {"PAM_AUTH_ERR": "authentication error", "PAM_PERM_DENIED": "permission denied",
            "PAM_CONV_ERR": "conversation failure", "PAM_ACCT_EXPIRED": "user account has expired",
            "PAM_NEW_AUTHTOK_REQD": "new authentication token required"}


def authtok_prompt(user: str, host: str, rhost: str) -> str:
    """OpenPAM's prompt for a password: "Password for %u@%h:" when the
    user comes from another host (PAM_RHOST is not PAM_HOST), else
    "Password:" (pam_get_authtok.c)."""
    return f"Password for {user}@{host}:" if rhost and rhost != host else "Password:"


def authenticate(account: Account | None, converse: Converse, prompt: str,
                 disallow_null: bool) -> None:
    """pam_sm_authenticate: ask for the password even for an unknown user
    or an empty password that may not be used, so a refusal tells nothing;
    raises PamError."""
    real = account.password if account is not None else "*"
    if real == "" and disallow_null:
        real = "*"
    answer = converse(PROMPT_ECHO_OFF, prompt)
    if answer is None:
        raise PamError("PAM_CONV_ERR")
    if real == "*" or not check(real, answer):
        raise PamError("PAM_AUTH_ERR")


def account_status(account: Account, now: float) -> str:
    """pam_sm_acct_mgmt: PAM_SUCCESS, PAM_ACCT_EXPIRED (pw_expire has
    passed), PAM_NEW_AUTHTOK_REQD (pw_change has passed: the password must
    be changed now) or PAM_AUTH_ERR (a locked account)."""
    if account.password.startswith(LOCKED_PREFIX):
        return "PAM_AUTH_ERR"
    if account.expire and now >= account.expire:
        return "PAM_ACCT_EXPIRED"
    if account.change and now >= account.change:
        return "PAM_NEW_AUTHTOK_REQD"
    return "PAM_SUCCESS"


def change_password(account: Account, converse: Converse, as_root: bool, salt: str,
                    nullok: bool = False) -> Account:
    """pam_sm_chauthtok's two rounds: the old password (root is not asked
    for it), then the new one twice until both agree ("Mismatch; try
    again, EOF to quit."). Returns the account with the new hash and no
    change date (login.conf's passwordtime is unset); raises PamError."""
    if not as_root:
        empty = account.password == "" and nullok
        old = "" if empty else converse(PROMPT_ECHO_OFF, "Old Password:")
        if old is None:
            raise PamError("PAM_CONV_ERR")
        if (old == "" and not nullok) or not check(account.password, old):
            raise PamError("PAM_PERM_DENIED")
    while True:
        new = converse(PROMPT_ECHO_OFF, "New Password:")
        again = None if new is None else converse(PROMPT_ECHO_OFF, "Retype New Password:")
        if new is None or again is None:
            raise PamError("PAM_CONV_ERR")
        if new == again:
            break
        converse(ERROR_MSG, "Mismatch; try again, EOF to quit.")
    if not as_root and new == "" and not nullok:
        raise PamError("PAM_PERM_DENIED")
    return replace(account, password=crypt(new, salt), change=0)
