"""The jail.conf qjail writes for a jail (/usr/local/etc/qjail.config/NAME),
from its definition record.

A vnet jail follows qjail-vnet-howto(8): bridge ``bridge10`` holds the
``config -w`` NIC and ``epairNa`` of every vnet jail, ``epairNb`` goes into
the jail, N being the jail's permanent vnet number. The jail's address is
set without a mask, so it gets the historical class mask, as the howto shows
(netmask 0xff000000 for a 10.x address)."""

from __future__ import annotations

from .. import jailconf
from .record import CONFIG, Record

BRIDGE = "bridge10"
# Left by the prestart that created the bridge: the poststop destroys only a
# bridge10 that a qjail jail created, never one the box had of its own.
BRIDGE_MADE = f"/var/run/qjail.{BRIDGE}"
DEFAULT_RULESET = "4"   # devfsrules_jail


def first_start_user(name: str) -> str:
    """create -c's exec.poststart (qjail 5's build_config_def): a user
    named after the jail, password the same (-w yes), whose password has
    expired since 12 December 2012 (-p 12-12-12), so the first login must
    change it. qjail drops it once the jail has started."""
    return f"jexec {name} pw adduser {name} -p 12-12-12 -c Jail -m -g wheel -s csh -w yes"


def config_path(name: str) -> str:
    return f"{CONFIG}/{name}"


def console_log(name: str) -> str:
    return f"/var/log/qjail.{name}.console.log"


def render(record: Record) -> str:
    name = record.name
    params: list[tuple[str, str | None, bool]] = [
        ("host.hostname", name, False),
        ("path", record.path, False),
        ("mount.fstab", record.fstab, False),
        ("exec.consolelog", console_log(name), False),
        ("mount.devfs", None, False),
        ("devfs_ruleset", record.ruleset or DEFAULT_RULESET, False),
    ]
    number = record.vnet_number
    if number is None:
        if record.ip4:
            params.append(("ip4.addr", record.ip4, False))
        if record.ip6:
            params.append(("ip6.addr", record.ip6, False))
        if record.interface:
            params.append(("interface", record.interface, False))
        if record.poststartssh:
            params.append(("exec.poststart", first_start_user(name), False))
        params += [("exec.start", "/bin/sh /etc/rc", False),
                   ("exec.stop", "/bin/sh /etc/rc.shutdown", False)]
        return jailconf.render(name, params)
    a_end, b_end = f"epair{number}a", f"epair{number}b"
    nic = record.vinterface
    address = record.ip4.split(",")[0]
    # Neither line lists the bridge (its status grows with every jail on
    # it): plain "create" refuses a bridge that exists (ifconfig.c: "create"
    # with nothing after it on an existing interface), and addm of a
    # member refuses with EEXIST (if_bridge.c bridge_ioctl_add), which is
    # the answer wanted; any other refusal still fails the start.
    prestart = [
        f"if ifconfig {BRIDGE} create 2> /dev/null; then "
        f"ifconfig {BRIDGE} up && touch {BRIDGE_MADE}; fi",
        f"added=$(ifconfig {BRIDGE} addm {nic} 2>&1) || case $added in "
        f"*': File exists') ;; *) echo \"$added\" >&2; false ;; esac",
        f"ifconfig epair{number} create > /dev/null",
        f"ifconfig {a_end} up",
        f"ifconfig {BRIDGE} addm {a_end}",
    ]
    start = ["ifconfig lo0 127.0.0.1 up", f"ifconfig {b_end} {address}", "/bin/sh /etc/rc"]
    poststop = [f"ifconfig {a_end} destroy",
                f"if [ -e {BRIDGE_MADE} ] && ! ifconfig {BRIDGE} | grep -q 'member: epair'; "
                f"then ifconfig {BRIDGE} destroy && rm -f {BRIDGE_MADE}; fi"]
    params += [("vnet", None, False), ("vnet.interface", b_end, False)]
    params += [("exec.prestart", line, i > 0) for i, line in enumerate(prestart)]
    params += [("exec.start", line, i > 0) for i, line in enumerate(start)]
    params += [("exec.stop", "/bin/sh /etc/rc.shutdown", False)]
    params += [("exec.poststop", line, i > 0) for i, line in enumerate(poststop)]
    return jailconf.render(name, params)
