"""``qjail VERB [options] [jailname ...]`` parsed as qjail's getopts loops
parse it, and dispatched to the verbs. Options of real qjail that this
rebuild does not implement are refused by name, never ignored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..getopt import GetoptError, getopt
from .values import Outcome, QjailError, check_base, check_mirror, shown

if TYPE_CHECKING:
    from .verbs import QjailVerbs

SYNTAX = """\
qjail install [-f base.txz file or URL] [-h ftp host]
qjail create  [-n interface] [-c] [-4 IPv4...] [-6 IPv6...] jailname
qjail list    [jailname...]
qjail start   [jailname...]
qjail stop    [jailname...]
qjail restart [jailname...]
qjail console [-c cmd] jailname
qjail delete  [-A] [jailname...]
qjail config  [-b rule#] [-v none|ipfw|pf|ipf] [-w interface] jailname
"""
# Options real qjail has for each verb (qjail(8)); the supported ones are
# those the getopt strings below accept.
OPTIONS = {
    "install": ("f:h:", "z:l"),
    "create": ("n:c4:6:", "z:a:f:A:i:d:"),
    "list": ("", "z:"),
    "start": ("", "z:"),
    "stop": ("", "z:"),
    "restart": ("", "z:"),
    "console": ("c:", "z:u:"),
    "delete": ("A", "z:"),
    "config": ("b:v:w:", "z:c:n:AdhBFkKlLmMqQrRSTtVWxXyYf:s:4:6:"),
}


def run(qjail: "QjailVerbs", argv: list[str]) -> Outcome:
    if argv[:1] == ["qjail"]:
        argv = argv[1:]
    if not argv or argv[0] not in OPTIONS:
        return Outcome(1, f"qjail: unknown command {argv[0]!r}\n{SYNTAX}" if argv else SYNTAX)
    verb, args = argv[0], argv[1:]
    supported, unsupported = OPTIONS[verb]
    try:
        opts, operands = getopt(args, supported + unsupported)
    except GetoptError as exc:
        return Outcome(1, f"qjail {verb}: {exc}\n{SYNTAX}")
    for flag, _ in opts:
        if flag not in supported:
            return Outcome(1, f"qjail {verb}: option -{flag} of qjail(8) is not rebuilt by jailkit\n")
    values: dict[str, list[str]] = {}
    for flag, value in opts:
        values.setdefault(flag, []).append(value or "")
    try:
        if verb == "console" and "c" in values:
            name = _one(verb, operands)
            qjail.console(name)
            result = qjail.console_run(name, values["c"][-1])
            return Outcome(result.exit_status, result.stdout + result.stderr)
        return Outcome(0, _dispatch(qjail, verb, values, operands))
    except QjailError as exc:
        return Outcome(exc.status, exc.output + str(exc) + "\n")


def _one(verb: str, operands: list[str]) -> str:
    if len(operands) != 1:
        raise QjailError(f"Error: qjail {verb} needs exactly one jailname.", status=1)
    return operands[0]


def _dispatch(qjail: "QjailVerbs", verb: str, values: dict[str, list[str]],
              operands: list[str]) -> str:
    if verb == "install":
        base = values["f"][-1] if "f" in values else None
        if base is not None:
            check_base(base)
        if "h" in values:
            check_mirror(values["h"][-1])
            base = qjail.release_url(values["h"][-1])
        return qjail.install(base)
    if verb == "create":
        ip4 = _addresses(values.get("4", []), "-4")
        ip6 = _addresses(values.get("6", []), "-6")
        nic = values["n"][-1] if "n" in values else None
        return qjail.create(_one(verb, operands), ip4, ip6, nic=nic, ssh="c" in values)
    if verb == "config":
        return qjail.config(_one(verb, operands),
                            vnet_nic=values["w"][-1] if "w" in values else None,
                            firewall=values["v"][-1] if "v" in values else None,
                            ruleset=values["b"][-1] if "b" in values else None)
    if verb in ("start", "stop", "restart"):
        return getattr(qjail, verb)(*operands)
    if verb == "list":
        return qjail.list(*operands)
    if verb == "console":
        return qjail.console(_one(verb, operands))
    return qjail.delete(*operands, everything="A" in values)


def _addresses(values: list[str], flag: str) -> list[str]:
    """The addresses of every -4 (or -6) given, each a comma-separated
    list; an empty item inside a list is an error, not nothing."""
    addresses = []
    for value in values:
        items = value.split(",") if value else []
        if "" in items:
            raise QjailError(f"Error: {flag} {shown(value)} is not a valid IP address.")
        addresses += items
    return addresses
