"""The modelled programs of the sim's world, one module per FreeBSD command
(small file and text utilities share a module each)."""

from . import (chflags, devfs, fileutils, ifconfig, inetd, ipf, ipfstat, ipfw,  # noqa: F401
               ipnat, jail, jexec, jls, kenv, local_unbound, misc, mount, natd, pfctl, ping, pw,
               rc, rc_firewall, route, service, sh, sockstat, ssh, sshd, stat, sysctl, sysrc,
               tcpdump, textutils, whois)
