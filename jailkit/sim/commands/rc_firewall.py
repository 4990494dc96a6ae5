"""/etc/rc.firewall, modelled: the ipfw ruleset rc.d/ipfw loads when
firewall_script is not set (libexec/rc/rc.firewall). It flushes, allows
loopback traffic and blocks spoofed loopback addresses (rules 100-500),
lets the IPv6 neighbour discovery through, adds the natd divert or in-kernel
nat rule when rc.conf asks for one, and then the rules of the
firewall_type: open (65000 allow), closed (65000 deny), UNKNOWN (nothing
more) or the name of a file of ipfw commands."""

from __future__ import annotations

from ..proc import Proc, program
from ..rcconf import rc_variables

YES = {"yes", "true", "on", "1"}
LOOPBACK = [["add", "100", "pass", "all", "from", "any", "to", "any", "via", "lo0"],
            ["add", "200", "deny", "all", "from", "any", "to", "127.0.0.0/8"],
            ["add", "300", "deny", "ip", "from", "127.0.0.0/8", "to", "any"],
            ["add", "400", "deny", "all", "from", "any", "to", "::1"],
            ["add", "500", "deny", "all", "from", "::1", "to", "any"]]
IPV6_MANDATORY = [["add", "pass", "ipv6-icmp", "from", "::", "to", "ff02::/16"],
                  ["add", "pass", "ipv6-icmp", "from", "fe80::/10", "to", "fe80::/10"],
                  ["add", "pass", "ipv6-icmp", "from", "fe80::/10", "to", "ff02::/16"],
                  ["add", "pass", "ipv6-icmp", "from", "any", "to", "any", "icmp6types", "1"],
                  ["add", "pass", "ipv6-icmp", "from", "any", "to", "any", "icmp6types",
                   "2,135,136"]]


@program("/etc/rc.firewall", kind="script")
def main(proc: Proc, argv: list[str]) -> int:
    variables = rc_variables(proc)
    kind = argv[1] if len(argv) > 1 and argv[1] else variables.get("firewall_type", "UNKNOWN")
    fwcmd = ["/sbin/ipfw"] + (["-q"] if variables.get("firewall_quiet", "").lower() in YES else [])

    def ipfw(*words: str) -> int:
        return proc.execvp(fwcmd + list(words))

    ipfw("-f", "flush")
    for rule in LOOPBACK + IPV6_MANDATORY:
        ipfw(*rule)
    lowered = kind.lower()
    if lowered in ("open", "client"):
        natd_if = variables.get("natd_interface", "")
        if variables.get("natd_enable", "").lower() in YES and natd_if:
            ipfw("add", "50", "divert", "natd", "ip4", "from", "any", "to", "any", "via", natd_if)
        nat_if = variables.get("firewall_nat_interface", "")
        if variables.get("firewall_nat_enable", "").lower() in YES and nat_if:
            kind_of = "ip" if nat_if.replace(".", "").isdigit() else "if"
            ipfw("nat", "123", "config", "log", kind_of, nat_if,
                 *variables.get("firewall_nat_flags", "").split())
            ipfw("add", "50", "nat", "123", "ip4", "from", "any", "to", "any", "via", nat_if)
    if lowered == "open":
        ipfw("add", "65000", "pass", "all", "from", "any", "to", "any")
    elif lowered == "closed":
        ipfw("add", "65000", "deny", "ip", "from", "any", "to", "any")
    elif lowered in ("client", "simple", "workstation"):
        proc.error(f"/etc/rc.firewall: firewall_type {kind} is not modelled by the jailkit sim\n")
        return 1
    elif lowered != "unknown" and proc.kernel.vfs.exists(kind, **proc.where()):
        ipfw(*variables.get("firewall_flags", "").split(), kind)
    return 0
