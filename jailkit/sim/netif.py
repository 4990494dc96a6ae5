"""network.subr(8) and the rc.d scripts built on it, netif and routing
(libexec/rc/network.subr, rc.d/netif, rc.d/routing), as FreeBSD 14 runs
them: the rc.conf keys cloned_interfaces, ifconfig_IF (and
ifconfig_DEFAULT), ifconfig_IF_name, ifconfig_IF_aliasN, ifconfig_IF_ipv6,
ifconfig_IF_descr, ipv4_addrs_IF (IPv4 ranges "192.168.1.1-5/24" included),
defaultrouter and gateway_enable become /sbin/ifconfig,
/sbin/route and /sbin/sysctl commands, run as the scripts run them, with
their output and the scripts' own messages ("Created clone interfaces:
bridge0.", "Starting Network: lo0 em0.").

Not modelled (documented): wlans_IF, vlans_IF (childif_create), gif
tunnels, IPv6 address ranges in aliases, /etc/start_if.IF,
rc.d/routing's IPv6 static routes, its loopback route, static_routes and
the options other than gateway_enable (so `service routing restart` prints
only its default route's lines, and `service netif start IF` adds no
route named for IF). An interface whose rc.conf line says DHCP or SYNCDHCP is
brought up; its dhclient is the one devd starts (jailkit.sim.devd), with
or without SYNCDHCP. Its lease needs a DHCP server, which the sim has on a
bare box's uplink only; on any other interface rc.d/netif warns that no
address will come, and says what to write instead."""

from __future__ import annotations

import re

from .daemons import running
from .proc import Buffer, Proc, Sink
from .rcconf import NO, YES, run_command

IFCONFIG = "/sbin/ifconfig"
ROUTE = "/sbin/route"
SYSCTL = "/sbin/sysctl"
PUNCT = ".-/+"          # network.subr get_if_var's _punct
FAMILIES = ("inet", "inet6", "link", "ether")
PSEUDO = {"dhcp", "noauto", "nosyncdhcp", "syncdhcp", "wpa", "hostap"}   # ifconfig_getargs
DHCP = {"dhcp", "nosyncdhcp", "syncdhcp"}
NO_DHCP = re.compile(r"^(lo|stf|lp|sl)[0-9]")     # dhcpif's exceptions


class Netif:
    """network.subr's functions for one run of a script: the process that
    runs it (its output is the script's) and the rc.conf variables."""

    def __init__(self, proc: Proc, rcvars: dict[str, str], script: str = "netif") -> None:
        self.proc = proc
        self.rcvars = rcvars
        self.script = script

    # -- running commands -------------------------------------------------------------
    def run(self, *argv: str, quiet: bool = False) -> int:
        """One command, as sh runs it from the script; ``quiet``: > /dev/null 2>&1."""
        return run_command(self.proc, self.script, list(argv), quiet)

    def eval(self, line: str) -> int:
        """``eval LINE``: the words of an rc.conf value are read by sh again."""
        return self.proc.execvp(["/bin/sh", "-c", line])

    def warn(self, text: str) -> None:
        self.proc.error(f"/etc/rc.d/{self.script}: WARNING: {text}\n")

    def exists(self, ifn: str) -> bool:
        return self.run(IFCONFIG, ifn, quiet=True) == 0

    def names(self) -> list[str]:
        """``ifconfig -l``."""
        out = Buffer()
        self.proc.execvp([IFCONFIG, "-l"], stdout=out, stderr=Sink())
        return out.getvalue().split()

    # -- rc.conf lookups --------------------------------------------------------------
    def yes(self, name: str) -> bool:
        """rc.subr checkyesno."""
        value = self.rcvars.get(name, "")
        if value.lower() in YES:
            return True
        if value.lower() not in NO:
            self.warn(f"${name} is not set properly - see rc.conf(5).")
        return False

    def if_var(self, ifn: str, template: str, default: str | None = None) -> str | None:
        """get_if_var IF VAR [DEFAULT]: ${VAR with IF replaced-DEFAULT}."""
        key = template.replace("IF", ltr(ifn), 1)
        return self.rcvars.get(key, default)

    def raw_args(self, ifn: str, af: str = "") -> str:
        """_ifconfig_getargs: ifconfig_IF[_af], else ifconfig_DEFAULT."""
        suffix = f"_{af}" if af else ""
        return self.if_var(ifn, f"ifconfig_IF{suffix}", self.rcvars.get("ifconfig_DEFAULT", "")) or ""

    def args(self, ifn: str, af: str = "") -> str:
        """ifconfig_getargs: the words without DHCP, WPA and the others, and
        without "vnet JAIL"."""
        kept: list[str] = []
        vnet = False
        for word in self.raw_args(ifn, af).split():
            if vnet:
                vnet = False
            elif word == "vnet":
                vnet = True
            elif word.lower() not in PSEUDO:
                kept.append(word)
        return " ".join(kept)

    def has_word(self, ifn: str, words: set[str]) -> bool:
        return any(w.lower() in words for w in self.raw_args(ifn).split())

    def dhcpif(self, ifn: str) -> bool:
        return not NO_DHCP.match(ifn) and self.has_word(ifn, DHCP)

    def autoif(self, ifn: str) -> bool:
        return not self.has_word(ifn, {"noauto"})

    # -- clone_up, clone_down, ifnet_rename -----------------------------------------
    def cloned(self, only: list[str]) -> list[str]:
        """cloned_interfaces, each without its :sticky option, limited to ``only``."""
        names = [word.split(":", 1)[0] for word in self.rcvars.get("cloned_interfaces", "").split()]
        return [n for n in names if not only or n in only]

    def clone_up(self, only: list[str]) -> None:
        made: list[str] = []
        for ifn in self.cloned(only):
            pair = re.fullmatch(r"epair[0-9]+", ifn) is not None
            ends = [ifn + "a", ifn + "b"] if pair else [ifn]
            if any(self.exists(end) for end in ends):
                continue
            create = (self.if_var(ifn, "create_args_IF") or "").split()
            if self.run(IFCONFIG, ifn, "create", *create) == 0:
                made += ends
        if made:
            self.proc.write(f"Created clone interfaces: {' '.join(made)}.\n")

    def clone_down(self, only: list[str]) -> None:
        self.rcvars.setdefault("cloned_interfaces_sticky", "NO")
        sticky = self.yes("cloned_interfaces_sticky")
        gone: list[str] = []
        for word in self.rcvars.get("cloned_interfaces", "").split():
            ifn, _, option = word.partition(":")
            if option == "sticky" or (option != "nosticky" and sticky) or (only and ifn not in only):
                continue
            pair = re.fullmatch(r"epair[0-9]+", ifn) is not None
            ends = [ifn + "a", ifn + "b"] if pair else [ifn]
            present = next((end for end in ends if self.exists(end)), None)
            if present is not None and self.run(IFCONFIG, "-n", present, "destroy") == 0:
                gone += ends
        if gone:
            self.proc.write(f"Destroyed clone interfaces: {' '.join(gone)}.\n")

    def ifnet_rename(self, only: list[str]) -> None:
        for ifn in only or self.names():
            new = self.if_var(ifn, "ifconfig_IF_name")
            if new:
                self.run(IFCONFIG, ifn, "name", new)

    # -- one interface up or down ---------------------------------------------------------
    def ifconfig_up(self, ifn: str) -> bool:
        configured = ifn == "lo0"       # lo0 always comes up
        if self.yes("ipv6_activate_all_interfaces"):
            self.run(IFCONFIG, ifn, "inet6", "-ifdisabled")
        args = self.args(ifn)
        if args:
            self.eval(f"{IFCONFIG} {ifn} {args}")
            configured = True
        ipv6 = self.args(ifn, "ipv6")
        if ipv6:
            if re.match(r"^(:|[0-9a-fA-F]+:)", ipv6):
                self.warn(f'$ifconfig_{ifn}_ipv6 needs leading "inet6" keyword for an IPv6 address.')
                ipv6 = "inet6 " + ipv6
            self.run(IFCONFIG, ifn, "inet6", "-ifdisabled")
            self.eval(f"{IFCONFIG} {ifn} {ipv6}")
            configured = True
        self.ifalias(ifn, "link", "alias")
        self.ifalias(ifn, "ether", "alias")
        descr = self.if_var(ifn, "ifconfig_IF_descr")
        if descr:
            self.run(IFCONFIG, ifn, "description", descr)
        if configured:
            self.run(IFCONFIG, ifn, "up")
        if self.dhcpif(ifn):
            if not configured:
                self.run(IFCONFIG, ifn, "up")
            self.dhcp_unserved(ifn)
            configured = True
        return configured

    def dhcp_unserved(self, ifn: str) -> None:
        """A DHCP interface gets its address from a DHCP server on its link
        (devd's dhclient, or rc.d/dhclient for SYNCDHCP). The sim models one
        on a bare box's uplink only, where the interface holds its lease:
        anywhere else the address never comes, so say what to write."""
        out = Buffer()
        self.proc.execvp([IFCONFIG, ifn], stdout=out, stderr=Sink())
        leased = any(line.split()[:1] == ["inet"] and line.split()[1] != "0.0.0.0"
                     for line in out.getvalue().splitlines())
        if leased and running(self.proc, f"dhclient: {ifn}") is not None:
            return
        self.proc.error(f"/etc/rc.d/dhclient: WARNING: {ifn}: no DHCP server answers on its link "
                        "in the jailkit sim (it models one on a bare box's uplink only); give the "
                        f'interface its address in /etc/rc.conf instead: ifconfig_{ltr(ifn)}='
                        '"inet ADDRESS/PREFIX"\n')

    def ifalias(self, ifn: str, af: str, action: str) -> bool:
        """ifalias_af_common: ifconfig_IF_aliases, ifconfig_IF_aliasN (in
        the order of N), then each word of ipv4_addrs_IF as an inet alias
        (kept for backward compatibility); each "af ..." group is one
        ifconfig command, or one per address of an inet range."""
        prefix = f"ifconfig_{ltr(ifn)}_alias"
        numbered = sorted((int(k[len(prefix):]), k) for k in self.rcvars
                          if k.startswith(prefix) and k[len(prefix):].isdigit())
        words = (self.if_var(ifn, "ifconfig_IF_aliases") or "").split()
        for _, key in numbered:
            value = self.rcvars[key]
            first = value.split()[0] if value.split() else ""
            if first == af:
                words += value.split()
            elif not value:
                break
            elif af == "inet" and action == "alias" and first not in FAMILIES:
                self.warn(f'${key} needs leading "inet" keyword for an IPv4 address.')
                words += ["inet"] + value.split()
        for word in (self.if_var(ifn, "ipv4_addrs_IF") or "").split():
            words += ["inet", word]
        if af in ("link", "ether") and action == "-alias":
            return False
        done = False
        # ifalias_af_common_handler: a family keyword alone does nothing
        for group in [g for g in _groups(words) if g[0] == af and len(g) > 1]:
            for args in self.expand_inet(action, group[1:]) if af == "inet" else [group[1:]]:
                done = self.run(IFCONFIG, ifn, af, *args, action) == 0 or done
        return done

    def expand_inet(self, action: str, args: list[str]) -> list[list[str]]:
        """ifalias_expand_addr_inet: an address with a range N-M in one of
        its parts ("192.168.1.1-5/24") is one alias per address, the first
        with the prefix length given (none when removing), the others /32;
        with a netmask argument the addresses go without a length. At most
        netif_ipexpand_max (2048) more than the first; "--" is no range."""
        if "--" in " ".join(args):
            return []
        address, extra = args[0], args[1:]
        parts = address.split("/", 1)[0].split(".")
        ranged = [i for i, part in enumerate(parts) if re.fullmatch(r"[0-9].*-[0-9].*", part)]
        if not ranged:
            return [args]
        at = ranged[0]
        low, high = parts[at].rsplit("-", 1)[0], parts[at].split("-", 1)[1]
        if not (low.isdigit() and high.isdigit()):
            return []
        head, tail = parts[:at], parts[at + 1:]
        plen = "" if action == "-alias" else (address.split("/", 1)[1:] or ["32"])[0]
        limit = self.rcvars.get("netif_ipexpand_max", "")
        limit = limit if limit.isdigit() else "2048"

        def spelled(part: int | str) -> str:
            return ".".join(head + [str(part)] + tail)

        expanded = []
        for count in range(int(low), int(high) + 1):
            expanded.append(spelled(count) + (f"/{plen}" if plen else ""))
            if count > int(low) + int(limit):
                self.warn(f"Range specification is too large ({spelled(low)}-{spelled(high)}).  "
                          f"{spelled(low)}-{spelled(count)} was processed.  "
                          "Increase $netif_ipexpand_max in rc.conf.")
                break
            plen = "32"     # network.subr forces /32 on every address after the first
        netmask = "netmask" in extra
        return [[one.split("/", 1)[0] if netmask else one] + extra for one in expanded]

    def ifn_start(self, ifn: str) -> bool:
        configured = self.ifconfig_up(ifn)
        if ifn == "lo0" and not self.if_var(ifn, "ifconfig_IF"):
            self.run(IFCONFIG, "lo0", "inet", "127.0.0.1/8", "alias")
        configured = self.ifalias(ifn, "inet", "alias") or configured
        # ipv6_up: an interface not configured for IPv6 counts as done
        return self.ifalias(ifn, "inet6", "alias") or not self.ipv6if(ifn) or configured

    def ipv6if(self, ifn: str) -> bool:
        if ifn == "lo0":
            return True
        listed = self.rcvars.get("ipv6_network_interfaces", "auto")
        if ifn not in listed.split() and listed.lower() != "auto":
            return False
        return bool(self.raw_args(ifn, "ipv6") or self.if_var(ifn, "ipv6_prefix_IF"))

    def ifn_stop(self, ifn: str) -> bool:
        done = self.ipv4_down(ifn)
        if self.dhcpif(ifn):
            done = True     # rc.d/dhclient stop IF: devd's dhclient exits as the link goes
        if self.exists(ifn):
            self.run(IFCONFIG, ifn, "down")
            done = True
        return done or not self.ipv6if(ifn)

    def ipv4_down(self, ifn: str) -> bool:
        done = self.ifalias(ifn, "inet", "-alias")
        out = Buffer()
        self.proc.execvp([IFCONFIG, ifn], stdout=out, stderr=Sink())
        for line in out.getvalue().splitlines():
            fields = line.split()
            if fields[:1] == ["inet"]:
                self.run(IFCONFIG, ifn, "inet", fields[1], "delete")
                done = True
        return done

    # -- rc.d/netif ----------------------------------------------------------------
    def interfaces(self, given: list[str]) -> list[str]:
        """list_net_interfaces (network_interfaces, "auto" by default: lo0
        first), epairN expanded to its two ends."""
        listed = self.rcvars.get("network_interfaces", "auto")
        if given:
            names = given
        elif listed.lower() == "auto":
            found = [n for n in self.names() if self.autoif(n)]
            names = (["lo0"] if "lo0" in found else []) + [n for n in found if n != "lo0"]
        else:
            names = listed.split() + self.rcvars.get("cloned_interfaces", "").split()
            names = names if "lo0" in names else ["lo0"] + names
        expanded: list[str] = []
        for name in names:
            pair = re.fullmatch(r"epair[0-9]+", name) is not None
            expanded += [name + "a", name + "b"] if pair else [name]
        return expanded

    def start(self, given: list[str]) -> int:
        """netif_start: clone, rename, configure; then each one's listing."""
        self.clone_up(given)
        self.ifnet_rename(given)
        started = [ifn for ifn in self.interfaces(given) if self.ifn_start(ifn)]
        self.report("Starting", started)
        return 0

    def stop(self, given: list[str], clones: bool = True) -> int:
        stopped: list[str] = []
        for ifn in self.interfaces(given):
            if not self.exists(ifn):
                self.warn(f"{ifn} does not exist.  Skipped.")
            elif self.ifn_stop(ifn):
                stopped.append(ifn)
        self.report("Stopping", stopped)
        if clones:
            self.clone_down(given)
        return 0

    def report(self, verb: str, names: list[str]) -> None:
        """netif_common's message, then each interface as ifconfig shows it."""
        if names:
            self.proc.write(f"{verb} Network: {' '.join(names)}.\n")
            for ifn in names:
                self.run(IFCONFIG, ifn)


class Routing(Netif):
    """rc.d/routing, for inet: defaultrouter and gateway_enable."""

    def __init__(self, proc: Proc, rcvars: dict[str, str]) -> None:
        super().__init__(proc, rcvars, "routing")

    def router(self) -> str | None:
        router = self.rcvars.get("defaultrouter", "NO")
        return None if router.lower() in ("no", "") else router

    def static(self, action: str = "add") -> int:
        """static_inet: the default route."""
        router = self.router()
        if router is None:
            return 0
        return 0 if self.eval(f"{ROUTE} {action} default {router}") == 0 else 1

    def options(self) -> None:
        """options_inet, for gateway_enable."""
        if self.yes("gateway_enable"):
            self.proc.write("Additional inet routing options: gateway=YES.\n")
            self.run(SYSCTL, "net.inet.ip.forwarding=1", quiet=True)
        else:
            self.run(SYSCTL, "net.inet.ip.forwarding=0", quiet=True)

    def start(self, given: list[str]) -> int:
        status = self.static()
        self.options()
        return status

    def stop(self, given: list[str], clones: bool = True) -> int:
        self.static(action="delete")
        self.run(ROUTE, "-n", "flush", "-inet")
        return 0


def ltr(name: str) -> str:
    """network.subr ltr: an interface name as rc.conf spells it."""
    return "".join("_" if c in PUNCT else c for c in name)


def _groups(words: list[str]) -> list[list[str]]:
    """The words of aliases cut at each address family keyword."""
    groups: list[list[str]] = []
    for word in words:
        if word in FAMILIES or not groups:
            groups.append([word])
        else:
            groups[-1].append(word)
    return groups
