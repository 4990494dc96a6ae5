"""ipfstat(8) -i/-o: IPFilter's active inbound and outbound rules, or
"empty list for ipfilter(in)" (sbin/ipf/ipfstat); other reports are not
modelled."""

from __future__ import annotations

from ..proc import Proc, program
from ...getopt import GetoptError, getopt


@program("/sbin/ipfstat")
def main(proc: Proc, argv: list[str]) -> int:
    try:
        opts, args = getopt(argv[1:], "46aAdfghIilnoRsStvD:M:N:O:P:S:T:")
    except GetoptError as exc:
        proc.warnx(str(exc))
        return 1
    flags = {f for f, _ in opts}
    if not flags & {"i", "o"} or flags - {"i", "o", "n", "h", "v"}:
        proc.warnx("only -i and -o are modelled by the jailkit sim")
        return 1
    ipf = proc.kernel.firewall(proc.vnet, "ipf")
    if ipf is None or not proc.has_device("ipl"):
        proc.error("open(IPSTATE_NAME): No such file or directory\n")
        return 1
    for direction, flag in (("out", "o"), ("in", "i")):
        if flag not in flags:
            continue
        rules = [r for r in ipf.rules if r.direction == direction]
        if not rules:
            proc.error(f"empty list for ipfilter({direction})\n")
        for rule in rules:
            proc.write(("%d " % rule.hits if "h" in flags else "") + rule.render() + "\n")
    return 0
