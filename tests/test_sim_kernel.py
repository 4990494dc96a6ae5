"""The sim's kernel operations called directly: the rules commands and the
world share (one loopback factory, link-local on up, up on the first
address, module loading, jail updates, route flushes)."""

from __future__ import annotations

from jailkit.sim import labnet
from jailkit.sim.kernel import Kernel


def kernel() -> Kernel:
    return Kernel(seed=1, hostname="sim", release="14.3-RELEASE")


def _shape(ifnet) -> tuple:
    return (ifnet.dname, ifnet.flags, ifnet.mtu, ifnet.options, ifnet.nd6, ifnet.groups,
            ifnet.inet, ifnet.inet6)


def test_every_loopback_comes_from_one_factory():
    """A vnet's lo0, a cloned lo1 and a lab machine's lo0 are the same
    interface (if_loop.c lo_clone_create), before anything configures them."""
    k = kernel()
    vnet = k.new_vnet("jail j")
    lo0 = vnet.ifunit("lo0")
    lo1 = k.clone_create(vnet, "lo1")
    lab_lo0 = labnet.machine("lab gateway").ifunit("lo0")
    assert lo0 is not None and lab_lo0 is not None
    assert _shape(lo0) == _shape(lo1) == ("lo", 0x8008, 16384, 0x680003, 0x21, ["lo"], [], [])
    assert (lo0.name, lo1.name) == ("lo0", "lo1")
    # the lab machine's lo0 is configured by labnet (up, 127.0.0.1) but built alike
    assert (lab_lo0.options, lab_lo0.mtu, lab_lo0.nd6, lab_lo0.groups) == (0x680003, 16384, 0x21, ["lo"])
