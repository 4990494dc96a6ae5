"""The modelled programs of the sim's world, one module per FreeBSD command
(small file and text utilities share a module each)."""

from . import (devfs, fileutils, ifconfig, ipf, ipfw, ipnat, jail, jexec, jls,  # noqa: F401
               misc, mount, natd, pfctl, ping, pw, rc, rc_firewall, route, service, sh,
               sockstat, sysctl, sysrc, textutils, whois)
