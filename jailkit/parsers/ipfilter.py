"""IPFilter's listings: ``ipf -V`` (the version, then "Key: value" lines
such as "Running: yes"; sbin/ipf/ipf/ipf.c showversion) and ``ipnat -l``
(the NAT rules under "List of active MAP/Redirect filters:", then the
sessions under "List of active sessions:"; sbin/ipf/ipnat/ipnat.c)."""

from __future__ import annotations

from dataclasses import dataclass

RULES_HEADER = "List of active MAP/Redirect filters:"
SESSIONS_HEADER = "List of active sessions:"


def parse_ipf_running(text: str) -> bool | None:
    """Whether ipf -V says the filter is running; None when it says
    nothing about it (IPFilter is not in the kernel)."""
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip() == "Running":
            return value.strip() == "yes"
    return None


@dataclass
class IpnatList:
    rules: list[str]
    sessions: list[str]


def parse_ipnat_list(text: str) -> IpnatList:
    """The NAT rules and the sessions, blank lines left out."""
    listing = IpnatList([], [])
    part: list[str] | None = None
    for line in text.splitlines():
        if line.strip() == RULES_HEADER:
            part = listing.rules
        elif line.strip() == SESSIONS_HEADER:
            part = listing.sessions
        elif part is not None and line.strip():
            part.append(line)
    return listing
