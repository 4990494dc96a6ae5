"""A bare sim box that is somebody's: before jailkit comes, it has its own
pf, ipfw and ipfilter rules (an ipfw comment with an apostrophe), live NAT
sessions and pf states, a bridge10 with a running jail on it, and a wan0
and a lan0. what_it_has() is everything of that, as the box prints it."""

from __future__ import annotations

import jailkit
from jailkit.host import Host
from tests.conftest import PROVISIONED_BOX

BOX_PF = ("nat on em0 from 10.98.0.0/24 to any -> (em0)\n"
          "pass all\n"
          "block return in quick on em0 proto tcp from any to any port 25\n")
BOX_IPF = "pass in quick on em0 proto tcp from any to any port = 22 keep state\npass out all\n"
BOX_IPNAT = "map em0 10.99.0.0/24 -> 0/32\n"
APOSTROPHE_RULE = ["ipfw", "-q", "add", "500", "allow", "tcp", "from", "any", "to", "any", "22",
                   "//", "the admin's ssh"]

# Printed the same before and after, byte for byte.
EXACT = ["ifconfig -a", "jls -n", "jexec boxjail ifconfig -a", "ipfw list",
         "pfctl -s Running; pfctl -s nat; pfctl -s rules", "ipf -V", "ipfstat -io", "ipnat -l",
         "route -n get default", "cat /etc/resolv.conf", "cat /etc/rc.conf", "mount -p",
         "kldstat", "sysctl net.inet.ip.forwarding", "devfs rule showsets", "ls -R /var/run"]


def own_box(bridge_with_epair: bool = True) -> Host:
    """The box. Its jail sits on bridge10 through epair50 (or, without
    ``bridge_with_epair``, is routed through epair50a, and bridge10 holds
    only the box's lan0)."""
    box = jailkit.connect(PROVISIONED_BOX)
    jail_net = "bridge10" if bridge_with_epair else "epair50a"
    for command in (
            "kldload -n pf; kldload -n ipfw; kldload -n ipl",
            "ifconfig bridge10 create up > /dev/null",
            "ifconfig epair60 create > /dev/null && ifconfig epair60a name wan0 > /dev/null && "
            "ifconfig epair60b name lan0 > /dev/null && ifconfig wan0 inet 192.168.60.1/24 up",
            "ifconfig epair50 create > /dev/null && ifconfig epair50a up",
            f"ifconfig {jail_net} inet 10.99.0.1/24",
            "jail -c name=boxjail host.hostname=boxjail persist vnet vnet.interface=epair50b path=/",
            "jexec boxjail ifconfig epair50b inet 10.99.0.2/24 up",
            "jexec boxjail route add default 10.99.0.1 > /dev/null",
            "sysctl net.inet.ip.forwarding=1 > /dev/null",
            "ipfw -q add 100 allow ip from any to any via lo0",
            "ipfw -q add 65000 allow ip from any to any"):
        box.run(command).check()
    box.run(APOSTROPHE_RULE).check()
    box.run(f"ifconfig bridge10 addm {'epair50a' if bridge_with_epair else 'lan0'}").check()
    box.run("ipf -E && ipf -f -", stdin=BOX_IPF).check()
    box.run("ipnat -f -", stdin=BOX_IPNAT).check()
    box.run("pfctl -q -f - && pfctl -q -e", stdin=BOX_PF).check()
    box.run("cp /etc/rc.conf /etc/rc.conf.orig && printf 'no final newline' >> /etc/rc.conf").check()
    # live traffic: a NAT session from the box's jail, pf states of both
    box.run("jexec boxjail whois -h 10.0.2.2 x; whois -h 10.0.2.2 x")
    has = what_it_has(box)
    assert "MAP 10.99.0.2" in has["ipnat -l"] and has["pfctl -s states"].count("\n") == 3
    assert "00500 allow tcp from any to any 22 // the admin's ssh\n" in has["ipfw list"]
    return box


def what_it_has(host: Host) -> dict[str, str]:
    seen = {command: host.run(command + " 2>&1").stdout for command in EXACT}
    seen["pfctl -s states"] = host.run("pfctl -s states").stdout
    return seen


def still_all_there(before: dict[str, str], after: dict[str, str]) -> None:
    """Every listing as it was; pf states are the box's and maybe more (a
    scenario's own states are left to expire: nothing is flushed)."""
    for command in EXACT:
        assert after[command] == before[command], command
    states = after["pfctl -s states"].splitlines()
    assert all(line in states for line in before["pfctl -s states"].splitlines())
