"""devd(8) and dhclient(8) on the host, as the box's rc.conf sets them up.

/etc/devd.conf runs `service dhclient quietstart IF` when an Ethernet
interface's link comes up (devd.conf's LINK_UP notify with media-type
"ethernet"); rc.d/dhclient starts dhclient when the interface is a DHCP
one (network.subr's dhcpif: ifconfig_IF, or ifconfig_DEFAULT when that is
unset, holds DHCP or SYNCDHCP). So on a box whose rc.conf says
ifconfig_DEFAULT="SYNCDHCP", as both official Vagrant boxes do, every new
epair end gets a dhclient: its PREINIT gives the interface the address
0.0.0.0 and brings it up (sbin/dhclient/dhclient-script); with no DHCP
server on the link, dhclient stays in the background. When the interface
departs (renamed, moved into a jail, destroyed), its dhclient exits and
removes its pid file; the address stays with a renamed interface."""

from __future__ import annotations

import ipaddress
from functools import partial

from .daemons import running, write_pid
from .errno import OSErr
from .ifnet import Epair, Ethernet, Ifnet
from .kernel import Kernel
from .proc import Input, Proc, Sink, root_env
from .rcconf import rc_variables

DHCP_WORDS = {"dhcp", "syncdhcp", "nosyncdhcp"}
PREINIT = ipaddress.IPv4Interface("0.0.0.0/0")
BROADCAST = ipaddress.IPv4Address("255.255.255.255")


def start(kernel: Kernel) -> None:
    """rc.d/devd: the daemon, listening to the kernel's interface events."""
    proc = _host_proc(kernel)
    process = kernel.spawn(0, "devd")
    write_pid(proc, "/var/run/devd.pid", process.pid)
    # a partial of a module function, so that the kernel can be pickled
    kernel.on_ifnet_event = partial(event, kernel)


def event(kernel: Kernel, ifnet: Ifnet, kind: str, name: str) -> None:
    """What devd and the dhclients do about one devctl event."""
    if running(_host_proc(kernel), "devd") is None:
        return
    if kind == "DEPARTURE":
        _dhclient_exit(kernel, name)
    elif kind == "LINK_UP" and ifnet.vnet is kernel.host_vnet and isinstance(ifnet, (Epair, Ethernet)):
        quietstart(kernel, ifnet)


def quietstart(kernel: Kernel, ifnet: Ifnet, lease: bool = False) -> None:
    """service dhclient quietstart IF; ``lease``: a DHCP server answered
    and the interface already has what BOUND configures."""
    proc = _host_proc(kernel)
    if not dhcpif(rc_variables(proc), ifnet.name) or running(proc, _command(ifnet.name)):
        return
    if not lease:
        kernel.host_vnet.add_inet(ifnet, PREINIT, BROADCAST, replace_first=True)
        ifnet.set_up(True)
    process = kernel.spawn(0, _command(ifnet.name))
    try:
        proc.kernel.vfs.mkdir("/var/run/dhclient", parents=True)
    except OSErr:
        return
    write_pid(proc, _pid_file(ifnet.name), process.pid)


def dhcpif(rcvars: dict[str, str], name: str) -> bool:
    """network.subr dhcpif: is the interface configured by DHCP? Its
    arguments come from get_if_var's ${ifconfig_IF-$ifconfig_DEFAULT}: an
    ifconfig_IF set to "" keeps the default away."""
    own = rcvars.get(f"ifconfig_{_ltr(name)}")
    args = own if own is not None else rcvars.get("ifconfig_DEFAULT", "")
    return any(word.lower() in DHCP_WORDS for word in args.split())


def _dhclient_exit(kernel: Kernel, name: str) -> None:
    proc = _host_proc(kernel)
    process = running(proc, _command(name))
    if process is None:
        return
    kernel.processes.remove(process)
    try:
        kernel.vfs.unlink(_pid_file(name))
    except OSErr:
        pass


def _ltr(name: str) -> str:
    """network.subr ltr: the rc.conf spelling of an interface name."""
    return "".join(c if c.isalnum() else "_" for c in name)


def _command(name: str) -> str:
    return f"dhclient: {name}"


def _pid_file(name: str) -> str:
    return f"/var/run/dhclient/dhclient.{name}.pid"


def _host_proc(kernel: Kernel) -> Proc:
    return Proc(kernel, kernel.prison0, "/", root_env(), Input(""), Sink(), Sink())
