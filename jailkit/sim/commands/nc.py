"""nc(1), netcat as FreeBSD 14 ships it (contrib/netcat/netcat.c, OpenBSD's
netcat): connect to a host's TCP or UDP port and exchange data, or listen.

- ``nc HOST PORT`` connects (remote_connect()), sends its standard input
  and writes what comes back; the sim's services answer a request and
  close, so nc ends when the answer is in. A port may be a range LO-HI,
  tried in turn.
- ``-z`` connects without sending (a port scan); with ``-v`` or ``-z``
  each connection made says "Connection to HOST PORT port [tcp/NAME]
  succeeded!" on standard error (NAME from /etc/services, "*" with -n or
  none); with ``-v`` a failed one says warn()'s "connect to HOST port PORT
  (tcp) failed: ERROR". Exit status 0 when any port connected, else 1.
- ``-u`` is UDP: the input goes as one datagram, the answer is written,
  and nc waits for more until ``-w`` seconds pass (without -w it waits
  until it is stopped, as nothing ends a UDP exchange). ``-u -z`` writes
  to the port (udptest()); an ICMP port unreachable coming back makes that
  fail, and the port is not reported.
- ``-w SECONDS`` bounds a connect (then ETIMEDOUT, "Operation timed out")
  and the wait for the last data; ``-N`` shuts the socket down after the
  end of the input (the sim's services answer then anyway); ``-d`` sends
  nothing; ``-n`` takes HOST as a numeric address only.
- ``-l [HOST] PORT`` listens (local_listen(): SO_REUSEPORT, bound to HOST
  or *) and writes what a peer sends; it has its own process, so sockstat
  shows it as nc. A TCP listener ends after its first peer unless ``-k``
  keeps it listening; a UDP one stays with its peer. The sim runs one
  program at a time: a listener in the foreground waits while nothing else
  runs, until it is stopped (SIGINT: it has no handler and dies of it). As
  a background job whose output goes to a file or the terminal
  (``nc -l 5000 > got &``) it stays bound while later commands run, from
  this machine or another, until its peer came or the job's time is up (a
  login session's jobs stop after BACKGROUND_LIMIT virtual seconds; the end
  is seen when a peer comes).

Other options exist in FreeBSD's nc but are not modelled: they are refused
by name, never ignored."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from typing import Callable, TypeVar

from ..errno import EADDRINUSE, ETIMEDOUT, OSErr, strerror
from ..kernel import Deadline
from ..packet import port_name, service_port
from ..proc import Buffer, Proc, program
from ..resolver import ResolveError, resolve
from ..socket import ConnectError, Listener, bind, close_all, connect, datagram
from ...getopt import GetoptError, getopt_permuted, option_flags, option_values

OPTSTRING = "46DdEe:FhI:i:klNnoO:P:p:rSs:T:tUuV:vw:X:x:z"
MODELLED = set("4dklNnpuvwz")
PORT_MAX = 65535
FOREVER = 3600.0        # seconds a wait without end takes at a time
T = TypeVar("T")
USAGE = ("usage: nc [-46DdEFhklNnrStUuvz] [-e policy] [-I length] [-i interval] [-O length]\n"
         "\t  [-P proxy_username] [-p source_port] [-s source] [-T ToS]\n"
         "\t  [-V rtable] [-w timeout] [-X proxy_protocol]\n"
         "\t  [-x proxy_address[:port]] [destination] [port]\n")


class Exit(Exception):
    """errx(3): nc ends with a message (or none) and a status."""

    def __init__(self, status: int, message: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Usage(Exception):
    """usage(1): the synopsis on standard error, exit status 1."""


@dataclass
class Options:
    udp: bool
    verbose: bool
    scan: bool
    numeric: bool
    detached: bool
    listen: bool
    keep: bool
    timeout: float | None      # -w, seconds
    source_port: int | None    # -p


@program("/usr/bin/nc")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        options, operands = _parse(argv[1:])
        if options.listen:
            return _listen(proc, options, operands)
        host, ports = operands[0], _ports(operands[1], options)
        return _connect_all(proc, options, host, ports)
    except Usage as bad:
        if str(bad):
            proc.warnx(str(bad))        # getopt(3)'s own complaint comes first
        proc.error(USAGE)
        return 1
    except Exit as done:
        if done.message:
            proc.warnx(done.message)
        return done.status


def _parse(args: list[str]) -> tuple[Options, list[str]]:
    """main()'s getopt loop and its checks, in its order."""
    try:
        # netcat.c parses with getopt_long(): options may follow the operands
        opts, operands = getopt_permuted(args, OPTSTRING)
    except GetoptError as exc:
        raise Usage(str(exc)) from None
    flags = option_flags(opts)
    values = option_values(opts)
    unmodelled = sorted(flags - MODELLED)
    if unmodelled:
        raise Exit(1, f"option -{unmodelled[0]} is not modelled by the jailkit sim")
    timeout = None
    if "w" in values:
        text = values["w"]
        if not text.isdigit() or int(text) > 2147483647 // 1000:
            raise Exit(1, f"timeout {'too large' if text.isdigit() else 'invalid'}: {text}")
        timeout = float(int(text))
    options = Options("u" in flags, "v" in flags, "z" in flags, "n" in flags, "d" in flags,
                      "l" in flags, "k" in flags, timeout, None)
    if not operands or (len(operands) == 1 and not options.listen):
        raise Usage()
    if options.listen and "p" in values:
        raise Exit(1, "cannot use -p and -l")
    if "p" in values:
        options.source_port = _source_port(values["p"], options)
    if options.listen and options.scan:
        raise Exit(1, "cannot use -z and -l")
    if options.keep and not options.listen:
        raise Exit(1, "must use -l with -k")
    return options, operands


def _ports(text: str, options: Options) -> list[int]:
    """build_ports(): one port, or every port of LO-HI (in order)."""
    low, dash, high = text.partition("-")
    if dash and options.listen:
        raise Exit(1, "Cannot use -l with multiple ports!")
    first = _port(low)
    last = _port(high) if dash else first
    return list(range(min(first, last), max(first, last) + 1))


def _source_port(text: str, options: Options) -> int:
    """remote_connect() binds the socket to getaddrinfo(NULL, PORT)'s
    address: a port number or an /etc/services name for the protocol."""
    port = service_port(text, "udp" if options.udp else "tcp")
    if port is None or not 0 <= port <= PORT_MAX:
        raise Exit(1, "getaddrinfo: Service was not recognized for socket type")
    return port


def _port(text: str) -> int:
    """strtonum(p, 1, PORT_MAX): errx "port number invalid|too small|too large: P"."""
    try:
        number = int(text, 10) if text.strip() == text and text else None
    except ValueError:
        number = None
    if number is None:
        raise Exit(1, f"port number invalid: {text}")
    if number < 1:
        raise Exit(1, f"port number too small: {text}")
    if number > PORT_MAX:
        raise Exit(1, f"port number too large: {text}")
    return number


def _address(proc: Proc, host: str, options: Options) -> IPv4Address:
    """getaddrinfo(), AI_NUMERICHOST with -n; errx "getaddrinfo: ERROR"."""
    if options.numeric:
        try:
            return IPv4Address(host)
        except ValueError:
            raise Exit(1, "getaddrinfo: Name does not resolve") from None
    try:
        return resolve(proc, host)[0]
    except ResolveError as exc:
        raise Exit(1, f"getaddrinfo: {exc}") from None


# -- connecting -----------------------------------------------------------------

def _connect_all(proc: Proc, options: Options, host: str, ports: list[int]) -> int:
    address = _address(proc, host, options)
    status = 1
    for port in ports:
        if options.udp:
            status = min(status, _udp(proc, options, host, address, port))
        else:
            status = min(status, _tcp(proc, options, host, address, port))
    return status


def _succeeded(proc: Proc, options: Options, host: str, port: int) -> None:
    if options.verbose or options.scan:
        proto = "udp" if options.udp else "tcp"
        name = port_name(port) if not options.numeric else str(port)
        name = "*" if name == str(port) else name
        proc.error(f"Connection to {host} {port} port [{proto}/{name}] succeeded!\n")


def _tcp(proc: Proc, options: Options, host: str, address: IPv4Address, port: int) -> int:
    try:
        _bind_source(proc, options)
        connection = _bounded(proc, options.timeout,
                              lambda: connect(proc.kernel, proc.vnet, address, port, proc.prison,
                                              options.source_port))
    except ConnectError as exc:
        if options.verbose:
            proc.warnx(f"connect to {host} port {port} (tcp) failed: {strerror(exc.errno)}")
        return 1
    _succeeded(proc, options, host, port)
    if not options.scan:
        request = "" if options.detached else proc.stdin.read()
        proc.write(connection.exchange(request))
    return 0


def _udp(proc: Proc, options: Options, host: str, address: IPv4Address, port: int) -> int:
    request = "XXXX" if options.scan else ("" if options.detached else proc.stdin.read())
    wait = options.timeout if options.timeout is not None else FOREVER
    _bind_source(proc, options)
    try:
        answer = datagram(proc.kernel, proc.vnet, address, port, request, wait, proc.prison,
                          options.source_port)
    except ConnectError as exc:
        if exc.errno != ETIMEDOUT:
            # an ICMP unreachable (ECONNREFUSED ...): udptest()'s next write
            # fails under -z; otherwise readwrite()'s read fails and ends
            # the exchange, and nc exits 0 (ret was set when it connected)
            return 1 if options.scan else 0
        answer = ""
    _succeeded(proc, options, host, port)
    if options.scan:
        return 0
    proc.write(answer)
    _linger(proc, options.timeout)
    return 0


def _bind_source(proc: Proc, options: Options) -> None:
    """remote_connect()'s bind(2) to the -p port: err "bind failed" with
    EADDRINUSE while a socket of this stack is bound to it."""
    proto = "udp" if options.udp else "tcp"
    port = options.source_port
    if port is not None and any(listener.proto == proto and listener.port == port
                                for listener in proc.vnet.listeners):
        raise Exit(1, f"bind failed: {strerror(EADDRINUSE)}")


def _bounded(proc: Proc, seconds: float | None, attempt: Callable[[], T]) -> T:
    """connect(2) given up after ``seconds`` (-w): ETIMEDOUT."""
    if seconds is None:
        return attempt()
    with proc.kernel.deadline(seconds) as token:
        try:
            return attempt()
        except Deadline as passed:
            if passed.token is not token:
                raise
            raise ConnectError(ETIMEDOUT) from None


def _linger(proc: Proc, seconds: float | None) -> None:
    """readwrite()'s poll for more data: -w seconds, or until stopped."""
    if seconds is not None:
        proc.kernel.advance(seconds)
        return
    while True:
        proc.kernel.advance(FOREVER)


# -- listening ------------------------------------------------------------------

@dataclass
class Received:
    """What answers on nc's listening socket: what the peer sends is
    written to nc's standard output and nc's input goes back to it. A TCP
    listener without -k ends with its first peer (nc exits); a UDP one
    stays with the peer it took (it never sees an end)."""

    proc: Proc
    pid: int
    reply: str
    ends_after_peer: bool
    until: float | None = None      # a login session's job: stopped at its limit

    def exchange(self, request: str, peer: tuple[IPv4Address, int]) -> str:
        if self.until is not None and self.proc.kernel.clock > self.until:
            self.close()            # the job was stopped before this peer came
            return ""
        self.proc.stdout.write(request)
        if self.ends_after_peer:
            self.close()
        return self.reply

    def close(self) -> None:
        """nc exits: its socket and its process go."""
        kernel = self.proc.kernel
        close_all(self.proc.vnet, self.pid)
        kernel.processes[:] = [p for p in kernel.processes if p.pid != self.pid]


def _inet6(host: str | None) -> IPv6Address | None:
    """An IPv6 literal, which getaddrinfo() takes as it is (AF_INET6)."""
    try:
        return IPv6Address(host) if host is not None else None
    except ValueError:
        return None


def _listen(proc: Proc, options: Options, operands: list[str]) -> int:
    host = operands[0] if len(operands) == 2 else None
    port = _ports(operands[-1], options)[0]
    address6 = _inet6(host)
    address = _address(proc, host, options) if host is not None and address6 is None else None
    proto = "udp" if options.udp else "tcp"
    # in_pcblookup_local() compares only sockets of the same IPv4
    # restrictions (prison_equal_ip4): a jail's and the host's never clash
    if address6 is None and any(
           l.proto == proto and l.port == port and l.family == "4"
           and (l.address is None or address is None or l.address == address)
           and (l.cred is None or l.cred.equal_ip4(proc.prison))
           for l in proc.vnet.listeners):
        raise Exit(1, strerror(EADDRINUSE))
    kernel = proc.kernel
    process = kernel.spawn(proc.prison.jid, "nc", proc.user)
    reply = "" if options.detached else proc.stdin.read()
    received = Received(proc, process.pid, reply, not options.udp and not options.keep)
    try:
        # in a jail, the jail's rules: a wildcard binds the jail's address;
        # an IPv6 one still under DAD is EADDRNOTAVAIL (in6_pcbbind)
        if address6 is not None:
            bind(proc.prison, Listener(proto, "6", None, port, process.pid, 3, proc.user, "nc",
                                       received, address6=address6))
        else:
            bind(proc.prison, Listener(proto, "4", address, port, process.pid, 3, proc.user,
                                       "nc", received))
    except OSErr as exc:
        received.close()
        raise Exit(1, exc.strerror) from None
    if kernel.jobs and not isinstance(proc.stdout, Buffer):
        # a background job whose output nobody waits for (a file, the
        # terminal): the socket stays bound while the shell goes on, as
        # tcpdump's capture does
        received.until = kernel.sigint_at if kernel.foreground else None
        return 0
    try:
        _linger(proc, None)
    finally:
        received.close()
    return 0

