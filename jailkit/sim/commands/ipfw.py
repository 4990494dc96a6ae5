"""ipfw(8): the user interface of ipfw(4) (sbin/ipfw/main.c, ipfw2.c, nat.c).

It talks to the kernel over a raw socket: a VNET jail may (it owns its
stack), a plain jail may not, and without ipfw.ko every request fails with
ENOPROTOOPT. `ipfw add` prints the rule as the kernel stored it unless -q;
`ipfw flush` asks first unless -q or -f; a file name instead of a command
runs each of its lines as an ipfw command (the preprocessor form).

-n checks the syntax only: every kernel request succeeds without being
made (ipfw2.c do_cmd(): "if (co.test_only) return 0"), so `add` prints the
rule it would add and changes nothing, and a listing says "Testing only,
list disabled". -e does nothing (main.c: a no-op kept for compatibility),
-i only changes how table values print (tables are not modelled). The
options that change what a listing shows (-b -c -d -D -N -s -S -t -T -v),
-h and the -p preprocessor are refused as not modelled."""

from __future__ import annotations

import shlex

from .. import pfil
from ..errno import OSErr
from ..ipfw import DEFAULT_RULE, Ipfw, IpfwError, compile_nat, compile_rule
from ..octets import lines as text_lines
from ..proc import Proc, program
from ..resolver import ResolveError, resolve
from ...getopt import GetoptError, getopt

EX_USAGE = 64
EX_UNAVAILABLE = 69
EX_OSERR = 71
USAGE = ("ipfw syntax summary (but please do read the ipfw(8) manpage):\n\n"
         "\tipfw [-abcdefhnNqStTv] <command>\n\n"
         "where <command> is one of the following:\n\n"
         "add [num] [set N] [prob x] RULE-BODY\n"
         "{pipe|queue} N config PIPE-BODY\n"
         "[pipe|queue] {zero|delete|show} [N{,N}]\n"
         "nat N config {ip IPADDR|if IFNAME|log|deny_in|same_ports|unreg_only|unreg_cgn|\n"
         "\t\treset|reverse|proxy_only|redirect_addr linkspec|\n"
         "\t\tredirect_port linkspec|redirect_proto linkspec|\n"
         "\t\tport_range lower-upper}\n"
         "set [disable N... enable N...] | move [rule] X to Y | swap X Y | show\n"
         "set N {show|list|zero|resetlog|delete} [N{,N}] | flush\n"
         "table N {add ip[/bits] [value] | delete ip[/bits] | flush | list}\n"
         "table all {flush | list}\n")


UNMODELLED = "bcdDhNpsStTv"


class Quit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@program("/sbin/ipfw")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "abcdDefhinNp:qs:STtv")
    except GetoptError as exc:
        proc.warnx(str(exc))
        return EX_USAGE
    flags = {f for f, _ in opts}
    if proc.refuses(flags & set(UNMODELLED)):
        return EX_USAGE
    if not args:
        proc.error(USAGE)
        return EX_USAGE
    try:
        if len(args) == 1 and args[0].startswith("/"):
            return _file(proc, args[0], flags)
        return _command(proc, args, flags)
    except Quit as stop:
        return stop.status


def _file(proc: Proc, path: str, flags: set[str]) -> int:
    """ipfw [-q] pathname: each line is an ipfw command."""
    try:
        text = proc.kernel.vfs.read(path, **proc.where())
    except OSErr as exc:
        proc.error(f"ipfw: fopen: {path}: {exc.strerror}\n")
        return EX_USAGE
    for line in text_lines(text):
        words = shlex.split(line.split("#", 1)[0])
        if not words:
            continue
        line_flags = set(flags)
        while words and words[0].startswith("-"):
            line_flags |= set(words.pop(0)[1:])
        if proc.refuses(line_flags & set(UNMODELLED)):
            return EX_USAGE
        status = _command(proc, words, line_flags)
        if status:
            return status      # the first error ends ipfw, as errx() does
    return 0


def _instance(proc: Proc, request: str) -> Ipfw:
    prison = proc.prison
    if not prison.is_host and not prison.own_vnet:
        proc.error("ipfw: socket: Operation not permitted\n")
        raise Quit(EX_UNAVAILABLE)
    ipfw = proc.kernel.firewall(proc.vnet, "ipfw")
    if ipfw is None:
        proc.error(f"ipfw: {request}: Protocol not available\n")
        raise Quit(EX_OSERR if request.startswith("retrieving") else EX_UNAVAILABLE)
    return ipfw


def _command(proc: Proc, args: list[str], flags: set[str]) -> int:
    quiet = "q" in flags
    verb, rest = args[0], args[1:]
    if "n" in flags:
        return _test_only(proc, verb, rest, quiet)
    if verb == "add":
        ipfw = _instance(proc, "getsockopt(IP_FW_XADD)")
        try:
            rule = compile_rule(rest, resolve=lambda name: _resolve(proc, name))
        except IpfwError as exc:
            proc.warnx(exc.message)
            return exc.status
        ipfw.add(rule)
        if not quiet:
            proc.write(rule.render() + "\n")
        return 0
    if verb in ("delete", "del"):
        ipfw = _instance(proc, "setsockopt(IP_FW_XDEL)")
        if not rest:
            proc.warnx("missing rule specification")
            return EX_USAGE
        status = 0
        for word in rest:
            if not word.isdigit():
                break
            number = int(word)
            if number == DEFAULT_RULE or not ipfw.delete(number):
                status = EX_UNAVAILABLE
                if not quiet:
                    proc.warnx(f"rule {number} not found")
        return 0 if "f" in flags else status
    if verb == "flush":
        ipfw = _instance(proc, "setsockopt(IP_FW_XDEL)")
        if not quiet and "f" not in flags:
            proc.write("Are you sure? [yn] ")
            answer = (proc.stdin.readline() or "").strip().upper()
            if answer[:1] != "Y":
                return 0
            proc.write("\n")
        ipfw.flush()
        if not quiet:
            proc.write("Flushed all rules.\n")
        return 0
    if verb in ("list", "show"):
        ipfw = _instance(proc, "retrieving config failed")
        _list(proc, ipfw, rest, counters=verb == "show" or "a" in flags)
        return 0
    if verb == "zero":
        ipfw = _instance(proc, "setsockopt(IP_FW_XZERO)")
        for rule in ipfw.all_rules():
            rule.packets = rule.bytes = 0
        if not quiet:
            proc.write("Accounting cleared.\n")
        return 0
    if verb in ("enable", "disable") and rest[:1] == ["firewall"]:
        ipfw = _instance(proc, "sysctl(net.inet.ip.fw.enable)")
        (pfil.link if verb == "enable" else pfil.unlink)(proc.vnet, "ipfw")
        return 0
    if verb == "nat":
        return _nat(proc, rest, quiet)
    if verb in ("set", "table", "pipe", "queue", "sched", "internal", "resetlog", "iflist",
                "nat64lsn", "nat64stl", "nptv6", "sysctl"):
        proc.warnx(f"{verb} is not modelled by the jailkit sim")
        return EX_UNAVAILABLE
    proc.warnx(f"bad command `{verb}'")
    return EX_USAGE


def _test_only(proc: Proc, verb: str, rest: list[str], quiet: bool) -> int:
    """ipfw -n: the rule is compiled and shown (numbered as given, 0 when
    the kernel would have chosen) but never sent; listings are disabled."""
    if verb == "add":
        try:
            rule = compile_rule(rest, resolve=lambda name: _resolve(proc, name))
        except IpfwError as exc:
            proc.warnx(exc.message)
            return exc.status
        if not quiet:
            proc.write(rule.render() + "\n")
        return 0
    if verb in ("list", "show", "print"):
        proc.error("Testing only, list disabled\n")
        return 0
    proc.warnx(f"option -n with {verb} is not modelled by the jailkit sim")
    return EX_USAGE


def _resolve(proc: Proc, name: str):
    try:
        return resolve(proc, name)[0]
    except ResolveError:
        return None


def _list(proc: Proc, ipfw: Ipfw, numbers: list[str], counters: bool) -> None:
    rules = ipfw.all_rules()
    wanted = {int(n) for n in numbers if n.isdigit()}
    if wanted:
        rules = [r for r in rules if r.number in wanted]
        for number in sorted(wanted - {r.number for r in rules}):
            proc.warnx(f"rule {number} does not exist")
    if not counters:
        for rule in rules:
            proc.write(rule.render() + "\n")
        return
    # ipfw2.c ipfw_show(): the counter columns are as wide as their widest value
    width_p = max((len(str(r.packets)) for r in rules), default=1)
    width_b = max((len(str(r.bytes)) for r in rules), default=1)
    for rule in rules:
        proc.write(f"{rule.number:05d} {rule.packets:>{width_p}} {rule.bytes:>{width_b}} "
                   f"{rule.render_body()}\n")


def _nat(proc: Proc, args: list[str], quiet: bool) -> int:
    """ipfw nat N config ... | ipfw nat [N] show config | ipfw nat N delete."""
    ipfw = _instance(proc, "getsockopt(IP_FW_NAT44_LIST_NAT)")
    if args[:2] == ["show", "config"] or args[1:3] == ["show", "config"]:
        wanted = int(args[0]) if args[0].isdigit() else None
        for number in sorted(ipfw.nat):
            if wanted is None or number == wanted:
                proc.write(ipfw.nat[number].render() + "\n")
        return 0
    if not args or not args[0].isdigit():
        proc.warnx("nat needs instance number")
        return EX_USAGE
    number = int(args[0])
    if args[1:2] == ["delete"]:
        if ipfw.nat.pop(number, None) is None and not quiet:
            proc.error(f"ipfw: nat {number} not available: No such file or directory\n")
            return EX_UNAVAILABLE
        return 0
    if args[1:2] != ["config"]:
        proc.warnx("unrecognised nat command")
        return EX_USAGE
    if "ipfw_nat" not in proc.kernel.modules:
        # without ipfw_nat.ko nobody handles the socket option
        proc.error("ipfw: setsockopt(IP_FW_NAT44_XCONFIG): Invalid argument\n")
        return 1
    try:
        instance = compile_nat(number, args[2:])
    except IpfwError as exc:
        proc.warnx(exc.message)
        return exc.status
    ipfw.nat[number] = instance
    if not quiet:
        proc.write(instance.render() + "\n")
    return 0
