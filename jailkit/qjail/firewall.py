"""What `qjail config -v FIREWALL` puts into a vnet jail (qjail 5's config
-v logic): rc.conf knobs that make the jail's /etc/rc start the firewall,
the rules file they name, and for pf and ipf a devfs ruleset that shows the
firewall's devices in the jail (70 and 60; ruleset 4, qjail's default,
hides /dev/pf and /dev/ipl).

The knob and file names are qjail's. The rules inside are jailkit's: open,
as qjail-vnet-howto(8) advises to start ("a single rule of pass all"),
for the learner to narrow."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Firewall:
    rc_conf: dict[str, str]
    rules_path: str
    rules: str
    ruleset: str | None = None          # devfs ruleset number
    ruleset_name: str = ""
    devices: tuple[str, ...] = ()


FIREWALLS = {
    "ipfw": Firewall(
        {"firewall_enable": "YES", "firewall_logging": "YES",
         "firewall_script": "/etc/ipfw.vnet.rules"},
        "/etc/ipfw.vnet.rules",
        "#!/bin/sh\n"
        "# ipfw rules of this vnet jail (qjail config -v ipfw); rc.d/ipfw runs this script.\n"
        "ipfw -q -f flush\n"
        "ipfw -q add 100 allow ip from any to any via lo0\n"
        "ipfw -q add 65000 allow ip from any to any\n"),
    "pf": Firewall(
        {"pf_enable": "YES", "pflog_enable": "YES", "pf_rules": "/etc/pf.vnet.rules.script"},
        "/etc/pf.vnet.rules.script",
        "# pf rules of this vnet jail (qjail config -v pf); rc.d/pf loads them.\n"
        "set skip on lo0\n"
        "pass all\n",
        "70", "devfsrules_vjail_pf70", ("pf",)),
    "ipf": Firewall(
        {"ipfilter_enable": "YES", "ipmon_enable": "YES", "ipmon_flags": "-D",
         "ipfilter_rules": "/etc/ipf.vnet.boot.rules"},
        "/etc/ipf.vnet.boot.rules",
        "# ipf rules of this vnet jail (qjail config -v ipf); rc.d/ipfilter loads them.\n"
        "pass in all\n"
        "pass out all\n",
        "60", "devfsrules_vjail_ipf60", ("ipl", "ipnat", "ipstate", "ipauth", "iplookup")),
}
KNOBS = {knob for firewall in FIREWALLS.values() for knob in firewall.rc_conf}


def rc_conf(current: str, firewall: str) -> str:
    """The jail's rc.conf with the firewall knobs of ``firewall`` (and no
    other firewall's)."""
    kept = [line for line in current.splitlines()
            if line.split("=", 1)[0].strip() not in KNOBS]
    chosen = FIREWALLS.get(firewall)
    if chosen is not None:
        kept += [f'{knob}="{value}"' for knob, value in chosen.rc_conf.items()]
    return "".join(line + "\n" for line in kept)


def devfs_rules(firewall: Firewall) -> tuple[str, list[list[str]]]:
    """The /etc/devfs.rules section and the devfs(8) rule commands for the
    firewall's ruleset."""
    number = firewall.ruleset
    if number is None:
        raise ValueError(f"{firewall.rules_path}: this firewall needs no devfs ruleset")
    section = f"\n[{firewall.ruleset_name}={number}]\nadd include $devfsrules_jail\n"
    section += "".join(f"add path {device} unhide\n" for device in firewall.devices)
    commands = [["devfs", "rule", "-s", number, "add", "include", "4"]]
    commands += [["devfs", "rule", "-s", number, "add", "path", device, "unhide"]
                 for device in firewall.devices]
    return section, commands
