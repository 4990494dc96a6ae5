"""The lab's other machines (its gateway, its internet hosts) as machines
with a userland: a command typed on one runs the sim's programs there, in
that machine's own network stack, with its hostname and its resolver.

Each is a machine apart, as on a real network: a kernel of its own whose
network stack is the lab machine's vnet (jailkit.sim.labnet), its own disk
with the installed world, its own processes. Nothing of it is in the host's
jails, processes or files, so the host's jls, ps and ls never see it. Its
clock is the host's: it is set from the host's before a command and hands
the time that passed back after it."""

from __future__ import annotations

import hashlib
import ipaddress
from typing import TYPE_CHECKING

from .kernel import Kernel
from .proc import Buffer, Input, Proc, root_env
from .vfs import Dir, Mount
from .vnet import Vnet
from . import world

if TYPE_CHECKING:
    from ..lab import Lab

LOCALHOST = ipaddress.IPv4Address("127.0.0.1")
# The kernel module each firewall of a lab machine is (ipnat's is ipl.ko).
FIREWALL_MODULES = {"ipf": "ipl", "pf": "pf"}


class LabHost:
    """One of the lab's machines, ready to run command lines as root."""

    def __init__(self, lab: "Lab", name: str, vnet: Vnet, seed: int) -> None:
        self.name = name
        self.kernel = Kernel(seed=_seed(seed, name), hostname=name, release=lab.release)
        # its network stack is the lab machine's: its interfaces, routes,
        # listening sockets and firewalls
        self.kernel.host_vnet = vnet
        self.kernel.prison0.vnet = vnet
        for ifnet in vnet.ifnets:
            self.kernel.ifindex[ifnet.index] = ifnet
        world.install(self.kernel, lab)
        _settle(self.kernel, lab, name, _nameserver(lab, name))
        self._came_up_with(vnet)

    def _came_up_with(self, vnet: Vnet) -> None:
        """What the machine runs since the lab was built: the modules of its
        firewalls (so ipnat, ipfstat, pfctl find their devices) and a process
        for each service listening there (so sockstat names them)."""
        for firewall in vnet.firewalls:
            if firewall in FIREWALL_MODULES and FIREWALL_MODULES[firewall] not in self.kernel.modules:
                self.kernel.load_module(FIREWALL_MODULES[firewall])
        for listener in vnet.listeners:
            if not listener.pid:
                listener.pid = self.kernel.spawn(0, listener.command).pid

    def run(self, host: Kernel, line: str, stdin: str | None,
            seconds: float) -> tuple[int, str, str]:
        """``/bin/sh -c line`` as root, as sshd would run it there; raises
        Deadline after ``seconds`` virtual seconds."""
        kernel = self.kernel
        kernel.clock = host.clock
        out, err = Buffer(), Buffer()
        proc = Proc(kernel, kernel.prison0, "/root", root_env(), Input(stdin or ""), out, err)
        try:
            with kernel.deadline(seconds):
                status = proc.sh(line)
        finally:
            # a service of the host may have moved the host's clock meanwhile
            host.clock = max(host.clock, kernel.clock)
        return status, out.getvalue(), err.getvalue()


def _seed(seed: int, name: str) -> int:
    """A seed of its own for each machine, the same in every run."""
    return int.from_bytes(hashlib.sha256(f"{seed}/{name}".encode()).digest()[:8], "big")


def _nameserver(lab: "Lab", name: str) -> ipaddress.IPv4Address | None:
    """The lab's name server as the machine reaches it: the gateway answers
    DNS on every one of its addresses (labnet.build binds it to *)."""
    if not lab.dns:
        return None
    if name == lab.gateway_name:
        return LOCALHOST
    return lab.internet.gateway_address if lab.internet is not None else lab.gateway


def _settle(kernel: Kernel, lab: "Lab", name: str,
            nameserver: ipaddress.IPv4Address | None) -> None:
    """What rc(8) would leave on the machine: its root and /dev mounted, and
    its own hostname, rc.conf and resolver files."""
    vfs = kernel.vfs
    kernel.devfs.devices = list(world.DEVICES)
    kernel.devfs.load(world.DEVFS_RULES)
    vfs.mount(Mount("ufs", "/dev/ada0p2", "/", vfs.root, vfs.root, extra=("soft-updates",)))
    dev = vfs.lookup("/dev")
    assert isinstance(dev, Dir)
    vfs.mount(Mount("devfs", "devfs", "/dev", kernel.devfs.root(0), dev))
    vfs.write("/etc/rc.conf", f'hostname="{name}"\n')
    vfs.write("/etc/hosts", "::1\t\t\tlocalhost\n127.0.0.1\t\tlocalhost\n")
    if nameserver is None:
        vfs.unlink("/etc/resolv.conf")
    else:
        vfs.write("/etc/resolv.conf", f"nameserver {nameserver}\n")
