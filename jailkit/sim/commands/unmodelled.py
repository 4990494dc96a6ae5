"""The base system's programs the sim does not model (ps, pkg, tar
...): they exist at their FreeBSD paths, and say that a real FreeBSD host
is needed to run them."""

from __future__ import annotations

from ..proc import Proc, unmodelled


@unmodelled("/bin/ps", "/bin/csh", "/bin/tcsh",
            "/usr/bin/vi", "/usr/bin/less", "/usr/bin/more",
            "/usr/bin/find", "/usr/bin/scp", "/usr/bin/telnet",
            "/usr/bin/tar", "/usr/bin/gzip", "/usr/bin/login", "/usr/bin/xargs",
            "/usr/bin/su", "/usr/bin/netstat", "/usr/bin/chpass",
            "/usr/sbin/pkg", "/usr/sbin/chown",
            "/sbin/dhclient", "/sbin/init",
            # building or installing a world, and ZFS datasets (jail-conf-vnet-guide)
            "/usr/bin/make", "/sbin/zfs", "/sbin/zpool", "/usr/sbin/bsdinstall")
def stand_in(proc: Proc, argv: list[str]) -> int:
    proc.error(f"{proc.progname}: part of FreeBSD, but not modelled by the jailkit sim; "
               "run this step on a real FreeBSD host (--host ssh://... or vagrant://)\n")
    return 1
