"""whois(1) (usr.bin/whois/whois.c, FreeBSD 14).

With no -h or -c the server comes from the query (whoiswhere[]: handles
ending in -ARIN go to ARIN ..., anything else to whois.iana.org) and
referrals ("whois:", "Whois Server:" ...) are followed. connect_to_any_host()
tries every address of the server; when none connects it reports
ETIMEDOUT, whatever the real reason (a refusal, a firewall), so the
message is always "connect(): Operation timed out"."""

from __future__ import annotations

from ..errno import ETIMEDOUT, strerror
from ..packet import service_port
from ..proc import Proc, program
from ..resolver import ResolveError, resolve
from ..socket import ConnectError, connect
from ..sysexits import EX_NOHOST, EX_OSERR, EX_USAGE
from ...getopt import getopt, option_values

USAGE = "usage: whois [-aAbfgiIklmPQrRS] [-c country-code | -h hostname] [-p port] name ...\n"
HOSTS = {"a": "whois.arin.net", "A": "whois.apnic.net", "b": "whois.abuse.net",
         "f": "whois.afrinic.net", "g": "whois.nic.gov", "i": "whois.internic.net",
         "I": "whois.iana.org", "k": "whois.krnic.net", "l": "whois.lacnic.net",
         "m": "whois.ra.net", "P": "whois.peeringdb.com", "r": "whois.ripe.net"}
WHERE = [("-ARIN", "whois.arin.net"), ("-NICAT", "at.whois-servers.net"),
         ("-NORID", "no.whois-servers.net"), ("-RIPE", "whois.ripe.net"),
         (".ac.uk", "ac.uk.whois-servers.net"), (".gov.uk", "ac.uk.whois-servers.net"),
         ("", "whois.iana.org")]
REFERRALS = ("whois:", "Whois Server:", "Registrar WHOIS Server:", "ReferralServer:  whois://",
             "descr:          region. Please query")


class Stop(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@program("/usr/bin/whois")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "aAbc:fgh:iIklmp:PQrRS", USAGE)
    if parsed is None:
        return EX_USAGE
    opts, names = parsed
    values = option_values(opts)
    country = values.get("c")
    port = values.get("p", "whois")
    host = None
    recurse = quick = False
    for flag, value in opts:    # -h and the server flags: the last one names the host
        if flag in HOSTS:
            host = HOSTS[flag]
        elif flag == "h":
            host = value
        elif flag == "Q":
            quick = True
        elif flag == "R":
            recurse = True
    if not names or (country is not None and host is not None):
        proc.error(USAGE)
        return EX_USAGE
    if host is None and country is None:
        host = proc.env.get("WHOIS_SERVER") or proc.env.get("RA_SERVER")
        if host is None and not quick:
            recurse = True
    try:
        for name in names:
            server = (f"{country}.whois-servers.net" if country is not None
                      else host or _choose_server(name))
            _whois(proc, name, server, port, recurse)
    except Stop as stop:
        return stop.status
    return 0


def _choose_server(query: str) -> str:
    for suffix, server in WHERE:
        if len(query) > len(suffix) and query.lower().endswith(suffix.lower()):
            return server
    return "whois.iana.org"


def _whois(proc: Proc, query: str, server: str, port: str, recurse: bool) -> None:
    number = service_port(port)
    try:
        address, _ = resolve(proc, server)
    except ResolveError as exc:
        # err(EX_NOHOST, "%s: %s", host, gai_strerror(error)): err() adds errno's text
        proc.error(f"whois: {server}: {exc}: {strerror(0)}\n")
        raise Stop(EX_NOHOST) from None
    if number is None:
        proc.error(f"whois: {server}: Service was not recognized for socket type: {strerror(0)}\n")
        raise Stop(EX_NOHOST)
    try:
        connection = connect(proc.kernel, proc.vnet, address, number, proc.prison)
    except ConnectError:
        proc.error(f"whois: connect(): {strerror(ETIMEDOUT)}\n")
        raise Stop(EX_OSERR) from None
    request = f"+ {query}" if server == "whois.arin.net" else query
    reply = connection.exchange(request + "\r\n")
    proc.write(reply)
    referral = _referral(reply) if recurse else None
    if referral and referral.lower() != server.lower():
        proc.write(f"# {referral}\n\n")
        _whois(proc, query, referral, port, recurse)


def _referral(reply: str) -> str | None:
    for line in reply.splitlines():
        text = line.lstrip(" ")
        for prefix in REFERRALS:
            if text.lower().startswith(prefix.lower()):
                rest = text[len(prefix):].lstrip(" ")
                host = ""
                for char in rest:
                    if not (char.isalnum() or char in ".-"):
                        break
                    host += char
                if host:
                    return host
    return None
