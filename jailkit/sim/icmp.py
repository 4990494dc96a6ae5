"""ICMP's message types and codes (netinet/ip_icmp.h) by the names pfctl
reads and prints (sbin/pfctl/pfctl_parser.c icmp_type[] and icmp_code[])."""

from __future__ import annotations

ECHOREPLY = 0
ECHO = 8

# pfctl's names, in its table's order
TYPES = {"echoreq": ECHO, "echorep": ECHOREPLY, "unreach": 3, "squench": 4, "redir": 5,
         "althost": 6, "routeradv": 9, "routersol": 10, "timex": 11, "paramprob": 12,
         "timereq": 13, "timerep": 14, "inforeq": 15, "inforep": 16, "maskreq": 17,
         "maskrep": 18, "trace": 30, "dataconv": 31, "mobredir": 32, "ipv6-where": 33,
         "ipv6-here": 34, "mobregreq": 35, "mobregrep": 36, "skip": 39, "photuris": 40}
CODES = {
    3: {"net-unr": 0, "host-unr": 1, "proto-unr": 2, "port-unr": 3, "needfrag": 4, "srcfail": 5,
        "net-unk": 6, "host-unk": 7, "isolate": 8, "net-prohib": 9, "host-prohib": 10,
        "net-tos": 11, "host-tos": 12, "filter-prohib": 13, "host-preced": 14,
        "cutoff-preced": 15},
    5: {"redir-net": 0, "redir-host": 1, "redir-tos-net": 2, "redir-tos-host": 3},
    9: {"normal-adv": 0, "common-adv": 16},
    11: {"transit": 0, "reassemb": 1},
    12: {"badhead": 0, "optmiss": 1, "badlen": 2},
    40: {"unknown-ind": 1, "auth-fail": 2, "decrypt-fail": 3},
}
_TYPE_NAMES = {number: name for name, number in TYPES.items()}


def type_name(number: int) -> str:
    """geticmptypebynumber(): the type's name, else its number."""
    return _TYPE_NAMES.get(number, str(number))


def code_name(kind: int, number: int) -> str:
    """geticmpcodebynumber(): the code's name within its type, else its number."""
    names = {code: name for name, code in CODES.get(kind, {}).items()}
    return names.get(number, str(number))
