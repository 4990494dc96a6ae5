"""/usr/share/examples/jails as FreeBSD 14.3 installs it (share/examples/
Makefile, its jails group: README, VIMAGE, jail.xxx.conf, jib, jng,
rc.conf.jails, rcjail.xxx.conf), each file mode 0444 (SHAREMODE).

jib and jng are modelled programs (jailkit.sim.commands.jib, .jng),
installed from their images; the other files are texts nobody runs.
jail.xxx.conf and rcjail.xxx.conf keep FreeBSD's settings and comments,
VIMAGE its kernel configuration lines; README and rc.conf.jails (its
templates left out) are shortened stand-ins that say so in their first
lines."""

from __future__ import annotations

from .vfs import File, Vfs

DIRECTORY = "/usr/share/examples/jails"
SHAREMODE = 0o444       # share/mk/bsd.own.mk: SHAREMODE?= ${NOBINMODE}

STAND_IN = "# Shortened stand-in for FreeBSD's file, written for the jailkit sim.\n"

README = STAND_IN + """\
#
# FreeBSD's README walks through four ways of using these samples, all on a
# kernel with VIMAGE (GENERIC has it): copy jib and jng into the PATH, then
#
#   1. append jail.xxx.conf to /etc/jail.conf, jail_enable=YES;
#   2. copy rc.conf.jails to /etc and add it to rc_conf_files;
#   3. copy jail.xxx.conf to /etc, jail_enable=YES, jail_list+=xxx;
#   4. copy rcjail.xxx.conf to /etc, jail_list+=xxx, rc_conf_files+=it;
#
# edit the root directory and the bridged interface, then
# "service jail start". share/examples/netgraph has more recipes.
"""

VIMAGE = """\
# Kernel configuration with VIMAGE (GENERIC has had it since 12.0).

include GENERIC
ident VIMAGE

options VIMAGE
"""

JAIL_XXX_CONF = """\
xxx {
\thost.hostname = "xxx.yyy";\t# hostname
\tpath = "/vm/xxx";\t\t# root directory

\texec.clean;
\texec.system_user = "root";
\texec.jail_user = "root";

\t#
\t# NB: Below lines required
\t#
\tvnet;
\t# netgraph
\tvnet.interface = "ng0_xxx";\t\t# vnet interface(s)
\texec.prestart += "jng bridge xxx em0";\t# bridge interface(s)
\texec.prestop += "ifconfig ng0_xxx -vnet xxx";\t# return ifnet(s)
\texec.poststop += "jng shutdown xxx";\t# destroy interface(s)
\t# if_bridge
\t#vnet.interface = "e0b_xxx";\t\t# vnet interface(s)
\t#exec.prestart += "jib addm xxx em0";\t# bridge interface(s)
\t#exec.poststop += "jib destroy xxx";\t# destroy interface(s)

\t# Standard recipe
\texec.start += "/bin/sh /etc/rc";
\texec.stop = "/bin/sh /etc/rc.shutdown jail";
\texec.consolelog = "/var/log/jail_xxx_console.log";
\tmount.devfs;\t# mount devfs

\t# Optional (default off)
\t#devfs_ruleset = "11";\t\t# rule to unhide bpf for DHCP
\t#allow.mount;\t\t\t# mount /etc/fstab.xxx
\t#allow.set_hostname = 1;\t# Allow hostname to change
\t#allow.sysvipc = 1;\t\t# Allow SysV Interprocess Comm.
}
"""

RCJAIL_XXX_CONF = """\
jail_xxx_hostname="xxx.yyy"\t\t\t# hostname
jail_xxx_rootdir="/vm/xxx"\t\t\t# root directory

#
# NB: Below 3 lines required
#
# netgraph
jail_xxx_vnet_interface="ng0_xxx"\t\t# vnet interface(s)
jail_xxx_exec_prestart0="jng bridge xxx em0"\t# bridge interface(s)
jail_xxx_exec_poststop0="jng shutdown xxx"\t# destroy interface(s)
# if_bridge
#jail_xxx_vnet_interface="e0b_xxx"\t\t# vnet interface(s)
#jail_xxx_exec_prestart0="jib addm xxx em0"\t# bridge interface(s)
#jail_xxx_exec_poststop0="jib destroy xxx"\t# destroy interface(s)

# Standard recipe
jail_xxx_devfs_enable="YES"\t\t\t# mount devfs

# Optional (default off)
#jail_xxx_devfs_ruleset="11"\t\t\t# rule to unhide bpf for DHCP
#jail_xxx_mount_enable="YES"\t\t\t# mount /etc/fstab.xxx
#jail_xxx_set_hostname_allow="YES"\t\t# Allow hostname to change
#jail_xxx_sysvipc_allow="YES"\t\t\t# Allow SysV Interprocess Comm.
"""

RC_CONF_JAILS = STAND_IN + """\
# (FreeBSD's file also has commented templates for more jails.)

jail_enable="YES"
jail_list="XXX"

jail_devfs_enable="YES"\t\t# mount devfs

jail_XXX_hostname="XXX.YYY"\t\t\t# hostname
jail_XXX_rootdir="/vm/XXX"\t\t\t# root directory
# netgraph
jail_XXX_vnet_interface="ng0_XXX"\t\t# vnet interface(s)
jail_XXX_exec_prestart0="jng bridge XXX em0"\t# bridge interface(s)
jail_XXX_exec_poststop0="jng shutdown XXX"\t# destroy interface(s)
# if_bridge
#jail_XXX_vnet_interface="e0b_XXX"\t\t# vnet interface(s)
#jail_XXX_exec_prestart0="jib addm XXX em0"\t# bridge interface(s)
#jail_XXX_exec_poststop0="jib destroy XXX"\t# destroy interface(s)
"""

TEXTS = {"README": README, "VIMAGE": VIMAGE, "jail.xxx.conf": JAIL_XXX_CONF,
         "rc.conf.jails": RC_CONF_JAILS, "rcjail.xxx.conf": RCJAIL_XXX_CONF}


def install(vfs: Vfs) -> None:
    """The example files beside jib and jng (whose images the world installs)."""
    vfs.mkdir(DIRECTORY, parents=True)
    for name, text in TEXTS.items():
        vfs.place(f"{DIRECTORY}/{name}", File(text, SHAREMODE))
