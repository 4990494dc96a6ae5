"""ifunit(9) by the vnet's index of its interfaces by name: an interface
is found under its name after it is created, renamed, moved into a jail
and back, and not after it is destroyed or has left."""

from __future__ import annotations

from jailkit.host import Host
from jailkit.hosts.sim import SimHost
from tests.conftest import run


def names(host: Host) -> list[str]:
    return run(host, "ifconfig -l")[1].split()


def test_an_interface_is_found_by_its_name_through_its_changes(host: Host) -> None:
    assert isinstance(host, SimHost)
    host_vnet = host.machine.kernel.host_vnet
    assert run(host, "ifconfig epair0 create")[1] == "epair0a\n"
    assert host_vnet.ifunit("epair0a") is not None and host_vnet.ifunit("epair0") is None
    run(host, "ifconfig epair0a name outside")
    assert host_vnet.ifunit("epair0a") is None
    assert host_vnet.ifunit("outside") is not None
    assert run(host, "ifconfig outside")[0] == 0
    assert run(host, "ifconfig epair0a")[2] == "ifconfig: interface epair0a does not exist\n"
    run(host, "mkdir -p /tmp/j && jail -c path=/tmp/j name=j vnet persist")
    run(host, "ifconfig epair0b vnet j")
    assert host_vnet.ifunit("epair0b") is None
    kernel = host.machine.kernel
    jail = kernel.find_prison("j", kernel.prison0)
    assert jail is not None and jail.vnet.ifunit("epair0b") is not None
    run(host, "ifconfig epair0b -vnet j")
    assert host_vnet.ifunit("epair0b") is not None and jail.vnet.ifunit("epair0b") is None
    run(host, "ifconfig outside destroy")
    assert host_vnet.ifunit("outside") is None and host_vnet.ifunit("epair0b") is None
    assert set(names(host)) == {i.name for i in host_vnet.ifnets}
    # a name freed is taken again by the next interface that has it
    assert run(host, "ifconfig epair0 create")[1] == "epair0a\n"
    assert host_vnet.ifunit("epair0a") is host_vnet.ifnets[-2]
