"""fetch(1) for http:// URLs (usr.bin/fetch/fetch.c over libfetch's http.c).

``fetch -qo - http://HOST:PORT/PATH`` connects, sends a GET and writes the
body of a 200 answer to standard output; ``-o FILE`` writes it to FILE,
and without -o to the URL's last component ("fetch.out" when it has none).
Every failure is warnx("URL: ERROR") and exit status 1, ERROR being
libfetch's text: the errno of the connection ("Connection refused",
"Operation timed out" after TCP's connection timeout or -T SECONDS), the
resolver's (netdb_errlist: "No address record", "Transient resolver
failure"), the HTTP status's (http_errlist: "Not Found" ...), or "Protocol
error" for an answer that is not HTTP.

Without -q fetch reports the transfer on standard error; as standard error
is not a terminal here, that is stat_start()'s name padded to 46 columns
and stat_end()'s size and rate ("?? Bps" when no time passed).

Only http:// is modelled; other schemes (https, ftp, file) and the options
that only matter to them or to restarts are refused by name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Address

from ..errno import ETIMEDOUT, OSErr, strerror
from ..kernel import Deadline
from ..proc import Proc, program
from ..resolver import EAI_AGAIN, EAI_NONAME, ResolveError, resolve
from ..socket import ConnectError, Connection, connect
from ...getopt import getopt, option_flags, option_values

OPTSTRING = "146AaB:bc:dFf:Hh:i:lMmN:nPpo:qRrS:sT:tUvw:"
MODELLED = set("4oqTv")
USAGE = ("usage: fetch [-146AadFlMmnPpqRrsUv] [-B bytes] [-N file] [-o file] [-S bytes]\n"
         "       [-T seconds] [-w seconds] [-i file] URL ...\n"
         "       fetch [-146AadFlMmnPpqRrsUv] [-B bytes] [-N file] [-o file] [-S bytes]\n"
         "       [-T seconds] [-w seconds] [-i file] -h host -f file [-c dir]\n")
HTTP_PORT = 80
# libfetch common.c netdb_errlist, by the resolver's gai_strerror text
NETDB_ERRORS = {EAI_NONAME: "No address record", EAI_AGAIN: "Transient resolver failure"}
# libfetch http.c http_errlist (the statuses a small server sends)
HTTP_ERRORS = {301: "Moved Permanently", 302: "Moved Temporarily", 303: "See Other",
               304: "Not Modified", 307: "Temporary Redirect", 400: "Bad Request",
               401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 500: "Internal Server Error",
               501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
               504: "Gateway Timeout"}
UNKNOWN_HTTP = "Unknown HTTP error"
PROTOCOL_ERROR = "Protocol error"
URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?:[^@/]*@)?(?P<host>[^:/]*)"
                 r"(?::(?P<port>[^/]*))?(?P<doc>/.*)?")


class Failed(Exception):
    """fetch() failed: warnx(MESSAGE) was due."""


@dataclass
class Url:
    text: str
    host: str
    port: int
    doc: str


@program("/usr/bin/fetch")
def main(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, OPTSTRING, USAGE)
    if parsed is None:
        return 1
    opts, urls = parsed
    flags, values = option_flags(opts), option_values(opts)
    if proc.refuses(flags - MODELLED):
        return 1
    timeout = values.get("T")
    if timeout is not None and not re.fullmatch(r"[+-]?[0-9]+", timeout):
        proc.warnx(f"invalid timeout ({timeout})")
        return 1
    if not urls:
        proc.error(USAGE)
        return 1
    quiet = "q" in flags and "v" not in flags
    status = 0
    for text in urls:
        path = values.get("o") or _filename(text)
        try:
            _fetch(proc, text, path, quiet, int(timeout) if timeout else 0)
        except Failed as failure:
            proc.warnx(str(failure))
            status = 1
    return status


def _filename(url: str) -> str:
    """main(): the URL's last component names the file, or fetch.out."""
    return url.rsplit("/", 1)[-1] or "fetch.out"


def _fetch(proc: Proc, text: str, path: str, quiet: bool, timeout: int) -> None:
    url = _parse(text)
    address = _resolve(proc, url)
    connection = _connect(proc, url, address, timeout)
    reply = connection.exchange(f"GET {url.doc} HTTP/1.1\r\nHost: {url.host}:{url.port}\r\n"
                                "User-Agent: fetch libfetch/2.0\r\nConnection: close\r\n\r\n")
    size, body = _answer(url, reply)
    if size is None and path != "-" and not quiet:
        proc.warnx(f"{text}: size of remote file is not known")
    if not quiet:
        proc.error(f"{path:<46}")       # stat_start(), standard error not a terminal
    _save(proc, path, body)
    if not quiet:
        proc.error(f"        {_bytes(size if size is not None else -1)} ?? Bps\n")


def _parse(text: str) -> Url:
    """fetchParseURL(); a scheme other than http is not modelled."""
    if not text:
        raise Failed("empty URL")
    match = URL.fullmatch(text)
    if match is None:
        raise Failed(f"{text}: parse error")
    if match["scheme"].lower() != "http":
        # said as the sim says it of a program it does not model at all
        raise Failed(f"part of FreeBSD, but not modelled by the jailkit sim for "
                     f"{match['scheme']}:// URLs (only http://); run this step on a real "
                     "FreeBSD host (--host ssh://... or vagrant://)")
    port = match["port"]
    if port is not None and not (port.isdigit() and 0 < int(port) <= 65535):
        raise Failed(f"{text}: parse error")
    return Url(text, match["host"], int(port) if port else HTTP_PORT, match["doc"] or "/")


def _resolve(proc: Proc, url: Url) -> IPv4Address:
    try:
        return resolve(proc, url.host)[0]
    except ResolveError as exc:
        raise Failed(f"{url.text}: {NETDB_ERRORS.get(str(exc), 'Unknown resolver error')}") \
            from None


def _connect(proc: Proc, url: Url, address: IPv4Address, timeout: int) -> Connection:
    """fetch_connect(): the connection, given up after -T seconds if set."""
    try:
        if timeout <= 0:
            return connect(proc.kernel, proc.vnet, address, url.port, proc.prison)
        with proc.kernel.deadline(timeout) as token:
            try:
                return connect(proc.kernel, proc.vnet, address, url.port, proc.prison)
            except Deadline as passed:
                if passed.token is not token:
                    raise
                raise ConnectError(ETIMEDOUT) from None
    except ConnectError as exc:
        raise Failed(f"{url.text}: {strerror(exc.errno)}") from None


def _answer(url: Url, reply: str) -> tuple[int | None, str]:
    """http_get_reply() and the headers: (Content-Length or None, body)."""
    head, _, body = reply.partition("\r\n\r\n")
    lines = head.split("\r\n")
    status = re.fullmatch(r"HTTP/[0-9]+\.[0-9]+ ([0-9]{3})(?: .*)?", lines[0])
    if status is None:
        raise Failed(f"{url.text}: {PROTOCOL_ERROR}")
    code = int(status.group(1))
    if code != 200:
        raise Failed(f"{url.text}: {HTTP_ERRORS.get(code, UNKNOWN_HTTP)}")
    size = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length" and value.strip().isdigit():
            size = int(value.strip())
    return size, body if size is None else body[:size]


def _save(proc: Proc, path: str, body: str) -> None:
    if path == "-":
        proc.write(body)
        return
    try:
        proc.kernel.vfs.write(path, body, mode=proc.created(), **proc.where())
    except OSErr as exc:
        raise Failed(f"{path}: open(): {exc.strerror}") from None


def _bytes(count: int) -> str:
    """stat_bytes(): "%4jd %cB" with a prefix per 1024 above 9999."""
    prefixes = " kMGTP"
    index = 0
    while count > 9999 and index + 1 < len(prefixes):
        count //= 1024
        index += 1
    return f"{count:4d} {prefixes[index]}B"
