"""The lab, built out of FreeBSD itself on a real box.

The LAN is an epair: one end, renamed to the lab's NIC name (``fxp0``) and
given the lab's MAC and the host's address, stays on the host; the other end
is the LAN port of the gateway, a VNET jail that forwards. Everything runs
offline, on any hypervisor, with the howto's own interface names. The same
commands run on a bare sim host (``sim://?bare=1``), which is how they are
tested here."""

from __future__ import annotations

import shlex

from .host import Host, HostError
from .lab import Lab

GATEWAY_JAIL = "jk_gateway"
GATEWAY_PORT = "lan0"


class LabBuildError(HostError):
    pass


def _must(host: Host, command: str) -> str:
    result = host.run(command)
    if not result.succeeded:
        raise LabBuildError(f"building the lab: `{command}` failed: "
                            f"{(result.stderr or result.stdout).strip()}")
    return result.stdout


def lab_present(host: Host, lab: Lab) -> bool:
    """Is the lab's NIC already there with the host's address? Raises when
    the name is taken by something else, which jailkit will not touch."""
    shown = host.run(["ifconfig", lab.host.nic])
    if not shown.succeeded:
        return False
    if f"inet {lab.host.address.ip} " in shown.stdout:
        return True
    raise LabBuildError(f"{lab.host.nic} exists on the host but is not the lab's LAN (it does not "
                        f"have {lab.host.address}); jailkit leaves it alone: use a lab with another NIC")


def build_lab(host: Host, lab: Lab) -> bool:
    """Build the lab unless it is already there; True when it was built."""
    if lab_present(host, lab):
        return False
    if host.run(["jls", "-j", GATEWAY_JAIL]).succeeded:
        raise LabBuildError(f"a jail named {GATEWAY_JAIL} already runs on the host; jailkit "
                            "builds its lab gateway under that name and leaves yours alone")
    a_end = _must(host, "ifconfig epair create").strip()
    b_end = a_end[:-1] + "b"
    nic = lab.host.nic
    gateway = f"{lab.gateway}/{lab.lan.prefixlen}"
    steps = [
        f"ifconfig {a_end} name {nic} > /dev/null",
        f"ifconfig {nic} ether {lab.host.mac}",
        f"ifconfig {nic} inet {lab.host.address} up",
        f"jail -c name={GATEWAY_JAIL} host.hostname=gateway path=/ persist vnet "
        f"vnet.interface={b_end}",
        f"jexec {GATEWAY_JAIL} ifconfig lo0 inet 127.0.0.1/8 up",
        f"jexec {GATEWAY_JAIL} ifconfig {b_end} name {GATEWAY_PORT} > /dev/null",
        f"jexec {GATEWAY_JAIL} ifconfig {GATEWAY_PORT} ether {lab.gateway_mac}",
        f"jexec {GATEWAY_JAIL} ifconfig {GATEWAY_PORT} inet {gateway} up",
        f"jexec {GATEWAY_JAIL} sysctl net.inet.ip.forwarding=1 > /dev/null",
    ]
    try:
        for step in steps:
            _must(host, step)
    except LabBuildError:
        _take_down(host, lab, a_end)
        raise
    return True


def remove_lab(host: Host, lab: Lab) -> None:
    _take_down(host, lab, lab.host.nic)


def _take_down(host: Host, lab: Lab, a_end: str) -> None:
    """The gateway jail's end comes home when the jail goes; destroying the
    host's end then destroys the pair."""
    host.run(["jail", "-r", GATEWAY_JAIL])
    for name in (a_end, lab.host.nic):
        if host.run(["ifconfig", name]).succeeded:
            host.run(f"ifconfig {shlex.quote(name)} destroy")
    leftovers = [n for n in (GATEWAY_PORT, lab.host.nic) if host.run(["ifconfig", n]).succeeded]
    if leftovers or host.run(["jls", "-j", GATEWAY_JAIL]).succeeded:
        raise LabBuildError(f"could not take the lab down: {', '.join(leftovers) or GATEWAY_JAIL} "
                            "is still there")
