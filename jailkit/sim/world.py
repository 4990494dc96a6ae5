"""The installed world of the sim host and its state after boot: the base
system's files and programs at their FreeBSD paths, the host's network as
rc(8) leaves it (lab NIC configured, default route), devfs on /dev, and
the lab's LAN with its gateway."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from . import labnet
from .ifnet import Inet6Addr, Loopback, Segment
from .vfs import Dir, File, Mount
from .vnet import Vnet

if TYPE_CHECKING:
    from .machine import Machine

# Where the base system keeps each modelled program (FreeBSD 14 paths).
PROGRAM_PATHS = {
    "/bin": ["sh", "cat", "cp", "echo", "ln", "ls", "mkdir", "mv", "rm", "rmdir", "test", "[",
             "sleep", "hostname", "pwd", "chmod", "date"],
    "/sbin": ["ifconfig", "route", "sysctl", "mount", "umount", "ping", "devfs", "kldload",
              "kldstat", "kldunload", "pfctl", "ipfw", "natd", "ipf", "ipnat", "ipfstat"],
    "/usr/bin": ["grep", "egrep", "fgrep", "head", "tail", "wc", "cut", "tr", "sort", "uniq",
                 "tee", "touch", "basename", "dirname", "uname", "printf", "true", "false",
                 "env", "id", "which", "timeout", "sockstat", "whois", "ssh"],
    "/usr/sbin": ["jail", "jexec", "jls", "service", "sysrc", "pw", "tcpdump", "inetd",
                  "local-unbound", "sshd"],
    "/usr/local/bin": ["sudo"],     # the sudo package, as Vagrant boxes have it
}
# Base-system programs the sim does not model: they exist, and say so.
UNMODELLED = {
    "/bin": ["ps", "kill", "expr", "csh", "tcsh"],
    "/usr/bin": ["sed", "awk", "vi", "less", "more", "find", "fetch", "scp",
                 "telnet", "nc", "diff", "tar", "gzip", "login", "xargs", "su", "netstat"],
    "/usr/sbin": ["pkg", "chown"],

    "/sbin": ["dhclient", "shutdown", "reboot"],
}
# Modelled boot scripts: run with sh(1), their behaviour is the model's.
SCRIPTS = {"/etc/rc": "rc", "/etc/rc.shutdown": "rc.shutdown", "/etc/rc.firewall": "rc.firewall"}

# The directories qjail's sharedfs takes from the base system.
BASE_DIRS = ["bin", "lib", "libexec", "sbin", "usr/bin", "usr/include", "usr/lib",
             "usr/libdata", "usr/libexec", "usr/sbin", "usr/share"]

DEVFS_RULES = """\
# Default devfs(5) rulesets of FreeBSD 14 (/etc/defaults/devfs.rules).
[devfsrules_hide_all=1]
add hide

[devfsrules_unhide_basic=2]
add path null unhide
add path zero unhide
add path crypto unhide
add path random unhide
add path urandom unhide

[devfsrules_unhide_login=3]
add path 'ptyp*' unhide
add path 'ttyp*' unhide
add path ptmx unhide
add path pts unhide
add path 'pts/*' unhide
add path fd unhide
add path 'fd/*' unhide
add path stdin unhide
add path stdout unhide
add path stderr unhide

[devfsrules_jail=4]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic
add include $devfsrules_unhide_login
add path fuse unhide
add path zfs unhide

[devfsrules_jail_vnet=5]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic
add include $devfsrules_unhide_login
add include $devfsrules_jail
add path pf unhide
"""

DEFAULT_RC_CONF = """\
# Defaults for rc.conf(5) variables the sim's rc(8) understands.
hostname=""
defaultrouter="NO"
syslogd_enable="YES"
syslogd_flags="-s"
cron_enable="YES"
firewall_enable="NO"
firewall_type="UNKNOWN"
firewall_quiet="NO"
pf_enable="NO"
pf_rules="/etc/pf.conf"
ipfilter_enable="NO"
ipfilter_rules="/etc/ipf.rules"
ipnat_enable="NO"
ipnat_rules="/etc/ipnat.rules"
natd_enable="NO"
gateway_enable="NO"
jail_enable="NO"
sshd_enable="NO"
sendmail_enable="NO"
clear_tmp_enable="NO"
"""

# Devices a FreeBSD 14 amd64 GENERIC kernel shows in /dev (a representative set).
DEVICES = ["ada0", "ada0p1", "ada0p2", "ada0p3", "bpf", "bpf0", "console", "crypto", "ctty",
           "devctl", "devstat", "fd", "fuse", "geom.ctl", "io", "klog", "kmem", "log", "mem",
           "null", "pci", "ptmx", "pts", "random", "stderr", "stdin", "stdout", "ttyv0",
           "urandom", "zero"]


# A bare box's own uplink, as a Vagrant box behind VirtualBox NAT has it.
UPLINK = {"nic": "em0", "mac": "08:00:27:8d:c0:4d", "address": "10.0.2.15/24",
          "router": "10.0.2.2", "router_mac": "52:54:00:12:35:02", "resolver": "10.0.2.3"}


def install(machine: "Machine", bare: bool = False) -> None:
    kernel = machine.kernel
    lab = machine.lab
    vfs = kernel.vfs
    for directory in ["/bin", "/sbin", "/lib", "/libexec", "/boot", "/etc/defaults", "/tmp",
                      "/root", "/dev", "/mnt", "/home", "/var/log", "/var/run", "/var/db",
                      "/var/tmp", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/libexec",
                      "/usr/libdata", "/usr/include", "/usr/share/misc", "/usr/local/bin",
                      "/usr/local/sbin", "/usr/local/etc"]:
        vfs.mkdir(directory, parents=True)
    for directory, names in PROGRAM_PATHS.items():
        for name in names:
            _binary(vfs, f"{directory}/{name}", name)
    for directory, names in UNMODELLED.items():
        for name in names:
            _binary(vfs, f"{directory}/{name}", "unmodelled")
    for path, name in SCRIPTS.items():
        vfs.place(path, File(f"#!/bin/sh\n# {path}: modelled by the jailkit sim\n", 0o644, name))
    vfs.place("/etc/rc.subr", File("# /etc/rc.subr: modelled by the jailkit sim\n", 0o644, "rc.subr"))
    vfs.place("/lib/libc.so.7", File("\x7fELF shared object (modelled)\n", 0o444))
    vfs.place("/libexec/ld-elf.so.1", File("\x7fELF interpreter (modelled)\n", 0o555))
    vfs.place("/usr/lib/libutil.so.9", File("\x7fELF shared object (modelled)\n", 0o444))
    vfs.place("/usr/share/misc/termcap", File("xterm|xterm-256color:tc=xterm-new:\n"))
    vfs.place("/usr/include/stdio.h", File("/* modelled header */\n"))
    vfs.place("/usr/libdata/ldconfig", File(""))
    files = {
        "/etc/defaults/devfs.rules": DEVFS_RULES,
        "/etc/defaults/rc.conf": DEFAULT_RC_CONF,
        "/etc/rc.conf": (f'hostname="{lab.host.hostname}"\n'
                         + (f'ifconfig_{UPLINK["nic"]}="inet {UPLINK["address"]}"\n'
                            f'defaultrouter="{UPLINK["router"]}"\n' if bare else
                            f'ifconfig_{lab.host.nic}="inet {lab.host.address}"\n'
                            f'defaultrouter="{lab.gateway}"\n')
                         + 'sshd_enable="YES"\n'),
        "/etc/hosts": "::1\t\t\tlocalhost\n127.0.0.1\t\tlocalhost\n",
        "/etc/resolv.conf": f"nameserver {UPLINK['resolver'] if bare else lab.gateway}\n",
        "/etc/shells": "/bin/sh\n/bin/csh\n/bin/tcsh\n",
        "/etc/passwd": "root:*:0:0:Charlie &:/root:/bin/sh\n"
                       "daemon:*:1:1:Owner of many system processes:/root:/usr/sbin/nologin\n"
                       "nobody:*:65534:65534:Unprivileged user:/nonexistent:/usr/sbin/nologin\n",
        "/etc/master.passwd": "root::0:0::0:0:Charlie &:/root:/bin/sh\n"
                              "daemon:*:1:1::0:0:Owner of many system processes:/root:"
                              "/usr/sbin/nologin\n"
                              "nobody:*:65534:65534::0:0:Unprivileged user:/nonexistent:"
                              "/usr/sbin/nologin\n",
        "/etc/group": "wheel:*:0:root\ndaemon:*:1:\nnobody:*:65534:\n",
        "/etc/motd.template": f"FreeBSD {lab.release} (GENERIC)\n\nWelcome to FreeBSD!\n",
        "/etc/fstab": "# Device\tMountpoint\tFStype\tOptions\tDump\tPass#\n"
                      "/dev/ada0p2\t/\t\tufs\trw\t1\t1\n",
        "/etc/sysctl.conf": "",
        "/root/.profile": "PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin\n"
                          "export PATH\n",
    }
    for path, text in files.items():
        vfs.write(path, text)
    kernel.devfs.devices = list(DEVICES)
    kernel.devfs.load(DEVFS_RULES)
    vfs.mount(Mount("ufs", "/dev/ada0p2", "/", vfs.root, vfs.root, extra=("soft-updates",)))
    dev = vfs.lookup("/dev")
    assert isinstance(dev, Dir)
    vfs.mount(Mount("devfs", "devfs", "/dev", kernel.devfs.root(0), dev))
    if bare:
        _boot_bare_network(machine)
    else:
        _boot_network(machine)


# The Vagrant box's provisioning (vagrant/provision.sh): modules loaded at
# boot, ipfw among them with its default rule set to accept by the
# net.inet.ip.fw.default_to_accept loader tunable, so that ssh keeps working
# and a VNET jail's own ipfw instance lets traffic through until it gets rules.
PROVISIONED_MODULES = ["if_bridge", "if_epair", "ipfw", "pf", "pflog", "ipl"]


def boot(machine: "Machine") -> None:
    """The rc.d scripts that run at the host's boot: the provisioned
    firewall on a bare box, then syslogd, sshd and cron."""
    from .proc import Input, Proc, Sink
    from .rcd import run_rc_command
    from .commands.rc import rc_variables
    kernel = machine.kernel
    proc = Proc(machine, kernel.prison0, "/", machine.login_env(), Input(""), Sink(), Sink())
    if machine.bare:
        kernel.tunables["net.inet.ip.fw.default_to_accept"] = 1
        for module in PROVISIONED_MODULES:
            kernel.load_module(module)
    variables = rc_variables(proc)
    for name in ("ipfw", "syslogd", "sshd", "cron"):
        knob = {"ipfw": "firewall_enable"}.get(name, f"{name}_enable")
        if variables.get(knob, "NO").lower() in ("yes", "true", "on", "1"):
            run_rc_command(proc, variables, name, "start")


def _binary(vfs, path: str, program: str) -> None:
    vfs.place(path, File(f"\x7fELF FreeBSD amd64 executable {path} (modelled)\n", 0o555, program))


def _boot_network(machine: "Machine") -> None:
    """What /etc/rc.d/netif and routing leave behind on the host."""
    kernel = machine.kernel
    lab = machine.lab
    host = lab.host
    lan = Segment("lan")
    nic = kernel.add_physical(kernel.host_vnet, host.nic, host.mac,
                              media=host.media, baudrate=host.speed_mbps * 1_000_000,
                              options=host.options, segment=lan)
    lo0 = kernel.attach_loopback(kernel.host_vnet)
    loopback_up(kernel.host_vnet, lo0)
    nic.set_up(True)
    kernel.host_vnet.add_inet(nic, host.address, host.address.network.broadcast_address,
                              replace_first=False)
    kernel.host_vnet.add_route(ipaddress.IPv4Network("0.0.0.0/0"), lab.gateway, host=False)
    kernel.lab_vnets = labnet.build(lab, lan)


def _boot_bare_network(machine: "Machine") -> None:
    """A box before jailkit builds the lab: its uplink NIC and lo0 only."""
    kernel = machine.kernel
    uplink = Segment("uplink")
    address = ipaddress.IPv4Interface(UPLINK["address"])
    nic = kernel.add_physical(kernel.host_vnet, UPLINK["nic"], UPLINK["mac"],
                              media="autoselect (1000baseT <full-duplex>)", baudrate=1_000_000_000,
                              options=0x481009b, segment=uplink)
    loopback_up(kernel.host_vnet, kernel.attach_loopback(kernel.host_vnet))
    nic.set_up(True)
    kernel.host_vnet.add_inet(nic, address, address.network.broadcast_address, replace_first=False)
    kernel.host_vnet.add_route(ipaddress.IPv4Network("0.0.0.0/0"),
                               ipaddress.IPv4Address(UPLINK["router"]), host=False)
    router = labnet.machine("uplink router")
    labnet.port(router, "em0", UPLINK["router_mac"], ipaddress.IPv4Interface(f"{UPLINK['router']}/24"),
                uplink)
    kernel.lab_vnets = [router]


def loopback_up(vnet: Vnet, lo0: Loopback) -> None:
    """``ifconfig lo0 127.0.0.1 up``: with IPv6 auto link-local, the kernel
    also gives lo0 ::1 and fe80::1 (in6_ifattach_loopback)."""
    lo0.set_up(True)
    vnet.add_inet(lo0, ipaddress.IPv4Interface("127.0.0.1/8"), None, replace_first=True)
    if not lo0.inet6:
        lo0.inet6 = [Inet6Addr(ipaddress.IPv6Address("::1"), 128),
                     Inet6Addr(ipaddress.IPv6Address("fe80::1"), 64, scoped=True)]
