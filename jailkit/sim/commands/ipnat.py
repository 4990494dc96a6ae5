"""ipnat(8): IPFilter's NAT rules (sbin/ipf/ipnat/ipnat.c).

-F flushes the active translations, -C the rules (each says how many), -f
loads rules (stopping at the first syntax error, rules before it stay), or
with -r removes them,
-l lists rules and sessions. Everything goes through /dev/ipnat."""

from __future__ import annotations

from ..errno import OSErr
from ..ipfilter import IpfSyntaxError, nat_rules
from ..proc import Proc, program
from ...getopt import GetoptError, getopt


@program("/sbin/ipnat")
def main(proc: Proc, argv: list[str]) -> int:
    usage = f"Usage: {argv[0]} [-CFhlnrRsv] [-f filename]\n"
    try:
        opts, args = getopt(argv[1:], "CdFf:hlm:M:N:nO:prRsv")
    except GetoptError as exc:
        proc.warnx(str(exc))
        proc.error(usage)
        return 1
    flags = {f for f, _ in opts}
    values = dict(opts)
    unmodelled = flags & set("hmMNOps")
    if unmodelled:
        proc.warnx(f"-{sorted(unmodelled)[0]} is not modelled by the jailkit sim")
        return 1
    ipf = proc.kernel.firewall(proc.vnet, "ipf")
    if "n" not in flags and (ipf is None or not proc.has_device("ipnat")):
        proc.error("/dev/ipnat: open: No such file or directory\n")
        return 1
    if "n" in flags:
        return 0
    if "F" in flags:
        proc.write(f"{ipf.flush_sessions()} entries flushed from NAT table\n")
    if "C" in flags:
        proc.write(f"{ipf.flush_nat_rules()} entries flushed from NAT list\n")
    if "f" in flags:
        path = values["f"]
        try:
            text = proc.read_file(path)
        except OSErr as exc:
            proc.error(f"{path}: open: {exc.strerror}\n")
            return 1
        return _rules(proc, ipf, text, remove="r" in flags)
    if "l" in flags:
        proc.write("List of active MAP/Redirect filters:\n")
        for rule in ipf.nat:
            proc.write(rule.render() + "\n")
        proc.write("\nList of active sessions:\n")
        for rule in ipf.nat:
            kind = "MAP" if rule.kind == "map" else "RDR"
            for link in rule.engine.links:
                proc.write(f"{kind} {str(link.local):<15} {link.local_port:<5} <- -> "
                           f"{str(link.alias):<15} {link.alias_port:<5} "
                           f"[{link.remote} {link.remote_port}]\n")
    return 0


def _rules(proc: Proc, ipf, text: str, remove: bool) -> int:
    status = 0
    try:
        for number, rule in nat_rules(text):
            if not remove:
                ipf.nat.append(rule)
            elif not ipf.remove_nat(rule):
                # ipnat_y.y ipnat_addrule(): SIOCRMNAT fails with ESRCH
                proc.error(f"{number}:ioctl(delete nat rule): No such process\n")
                status = 1
    except IpfSyntaxError as exc:
        proc.error(f"{exc}\n")
        return 1
    return status
