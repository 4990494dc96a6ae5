"""``mount -p``: the mounted file systems in fstab(5) form (sbin/mount/
mount.c putfsent): device, mount point, type, options, dump, pass."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class MountEntry:
    device: str
    mountpoint: str
    fstype: str = ""
    options: str = ""


def parse_mount_p(text: str) -> list[MountEntry]:
    """The mounts in the order the kernel lists them (a mount point under
    another comes after it)."""
    entries = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) > 1:
            entries.append(MountEntry(*fields[:4]))
    return entries
