"""qjail, rebuilt: the verbs of qjail 5 (install, create, config, start,
stop, restart, list, console, delete) as Python issuing FreeBSD commands on
any Host, with qjail's messages, files and refusals.

Every name, address and NIC is checked before anything runs; a refusal
prints qjail's error (exit status 3, as its ``kill`` helper exits) and
leaves the host as it was."""

from __future__ import annotations

from .cli import run
from .values import (Outcome, QjailError, check_base, check_ipv4, check_ipv6, check_jailname,
                     check_mirror, check_nic, check_ruleset, shown)
from .verbs import QjailVerbs

__all__ = ["Outcome", "Qjail", "QjailError", "QjailVerbs", "check_base", "check_ipv4",
           "check_ipv6", "check_jailname", "check_mirror", "check_nic", "check_ruleset", "shown"]


class Qjail(QjailVerbs):
    """qjail on one Host: its verbs, and its command line."""

    def command(self, argv: list[str]) -> Outcome:
        """Run a ``qjail VERB ...`` command line as the real qjail parses it."""
        return run(self, argv)
