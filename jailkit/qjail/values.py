"""The values qjail takes and gives: the checks of jail names, addresses,
NICs, rulesets, mirrors and bases, its refusal (QjailError) and the outcome
of a command line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..names import InvalidName, is_hostname, is_ifname, validate_ipv4, validate_ipv6


class QjailError(Exception):
    """A refusal or failure, worded as qjail words it."""

    def __init__(self, message: str, output: str = "", status: int = 3) -> None:
        super().__init__(message)
        self.output = output      # what qjail printed before it stopped
        self.status = status


@dataclass
class Outcome:
    """What a ``qjail ...`` command line printed and its exit status."""

    exit_status: int
    output: str


def shown(text: str) -> str:
    """A value as an error message may echo it: control characters and
    other unprintables escaped, so a message is always one honest line."""
    return text if text.isprintable() else ascii(text)


def check_jailname(name: str) -> None:
    """qjail's jail name rules (alphanumerics, '_' and '-', at most 50,
    not all digits, which jail(8) would take for a jid), and not an option
    either: a name that begins with '-' could never be given to jail -r."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise QjailError("Error: Only underscore, dash and alphanumeric characters are valid.")
    if len(name) > 50:
        raise QjailError("Error: jail name size exceeds the 50 character maximum.")
    if name.startswith("-"):
        raise QjailError(f"Error: A jail name may not begin with a dash. Jail name {name}")
    if name.isdigit():
        raise QjailError(f"Error: Numeric jail names are invalid. Jail name {name}")


def check_login_name(name: str) -> None:
    """create -c makes a user named after the jail (pw adduser NAME); pw(8)
    takes login names of at most 32 characters (MAXLOGNAME - 1). qjail
    itself does not check, and its jail would then fail to start."""
    if len(name) > 32:
        raise QjailError(f"Error: -c makes a user named after the jail, and a login name has at "
                         f"most 32 characters. Jail name {name}")


def check_ipv4(text: str) -> None:
    try:
        validate_ipv4(text)
    except InvalidName:
        raise QjailError(f"Error: -4 {shown(text)} is not a valid IP address.") from None


def check_ipv6(text: str) -> None:
    """A jail's IPv6 address. jail(8) hands ip6.addr to inet_pton(3), which
    takes no scope id, so ``%zone`` is refused even when it names an
    interface."""
    address, percent, zone = text.partition("%")
    if percent and not is_ifname(zone):
        raise QjailError(f"Error: -6 {shown(text)} is not a valid IP address: "
                         f"the scope id {shown(zone)} is not an interface name.")
    try:
        validate_ipv6(address)
    except InvalidName:
        raise QjailError(f"Error: -6 {shown(text)} is not a valid IP address.") from None
    if percent:
        raise QjailError(f"Error: -6 {text}: a jail address takes no scope id "
                         f"(jail(8) reads ip6.addr with inet_pton(3)); drop %{zone}.")


def check_nic(nic: str, flag: str) -> None:
    if not is_ifname(nic):
        raise QjailError(f"Entered {flag} interface device name is not valid.")


def check_ruleset(ruleset: str) -> None:
    """A devfs ruleset number: devfs(8) takes 1 to 65535 (0 is no ruleset)."""
    if not re.fullmatch(r"[0-9]{1,5}", ruleset) or not 0 < int(ruleset) <= 65535:
        raise QjailError(f"Error: -b {shown(ruleset)} is not a devfs ruleset number "
                         "(1 to 65535).")


def check_mirror(server: str) -> None:
    if not is_hostname(server):
        raise QjailError(f"Error: -h {shown(server)} is not a host name.", status=1)


def check_base(base: str) -> None:
    """install -f: a URL fetch(1) can get, or an absolute path on the host;
    never something fetch or tar would read as an option."""
    if re.fullmatch(r"(https?|ftp|file)://[A-Za-z0-9._~:/?#@!&'()*+,;=%-]+", base):
        return
    if base.startswith("/") and ".." not in base.split("/") and base.isprintable():
        return
    raise QjailError(f"Error: -f {shown(base)} is neither a URL nor an absolute path.", status=1)
