"""The modelled programs of the sim's world, one module per FreeBSD command
(small file and text utilities share a module each)."""

from . import (devfs, fileutils, ifconfig, jail, jexec, jls, misc, mount, ping, rc,  # noqa: F401
               route, sh, sysctl, textutils)
