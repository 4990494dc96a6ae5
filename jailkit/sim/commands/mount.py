"""mount(8) and umount(8) for the file systems jails use: nullfs (a
directory shown at a second place, read-only with -o ro) and devfs.

``mount`` lists "SOURCE on MOUNTPOINT (type, flags)", ``mount -p`` prints
fstab(5) lines (sbin/mount/mount.c putfsent). Only the host mounts: a jail
without allow.mount gets EPERM, as the kernel answers.

A listing keeps the types -t names (a "no" before the list keeps the
others: mount.c checkvfsname()). -f (only acts with -u) and -l (only with
-a) change nothing the sim does; -a, -d, -F, -u and -v are refused as not
modelled, as are umount's -a, -A, -F, -h, -N, -n and -v."""

from __future__ import annotations

from ..errno import EBUSY, ENOENT, ENOTDIR, EPERM, OSErr
from ...getopt import getopt
from ..proc import Proc, program
from ..vfs import Dir, Mount

MOUNT_USAGE = ("usage: mount [-adflpruvw] [-F fstab] [-o options] [-t ufs | external_type]\n"
               "       mount [-dfpruvw] special | node\n"
               "       mount [-dfpruvw] [-o options] [-t ufs | external_type] special node\n")
MOUNT_UNMODELLED = "adFuv"
UMOUNT_UNMODELLED = "AaFhNnv"
UMOUNT_USAGE = ("usage: umount [-dfNnv] special ... | node ... | fsid ...\n"
                "       umount -a | -A [-F fstab] [-dfnv] [-h host] [-t type]\n")


def _visible(proc: Proc) -> list[tuple[Mount, str]]:
    """Mounts as the process may see them (enforce_statfs=2 in a jail: only
    those below its root, with paths relative to it)."""
    mounts = proc.kernel.vfs.mounts
    if proc.prison.is_host:
        return [(m, m.mountpoint) for m in mounts]
    root = proc.root.rstrip("/")
    return [(m, m.mountpoint[len(root):] or "/") for m in mounts
            if m.mountpoint == root or m.mountpoint.startswith(root + "/")]


def _fstab_line(mount: Mount, where: str) -> str:
    source, target = mount.source, where
    text = source + ("\t" if len(source) < 8 else "") + ("\t" if len(source) < 16 else "")
    text += "\t" + target + ("\t" if len(target) < 8 else "") + ("\t" if len(target) < 16 else "")
    options = "ro" if mount.readonly else "rw"
    text += f"\t{mount.fstype}\t{options}" + ("\t" if len(options) < 8 else "")
    return text + "\t0 0\n"


def _type_listed(fstype: str, types: str) -> bool:
    """checkvfsname(): the comma list of -t, all negated by a leading "no"."""
    negated = types.startswith("no")
    names = (types[2:] if negated else types).split(",")
    return (fstype in names) != negated


@program("/sbin/mount")
def mount(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "adF:flo:prt:uvw", MOUNT_USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    flags = {f for f, _ in opts}
    if proc.refuses(flags & set(MOUNT_UNMODELLED)):
        return 1
    options = [o for f, v in opts if f == "o" for o in (v or "").split(",") if o]
    if "r" in flags:
        options.append("ro")
    fstype = dict(opts).get("t")
    if not args:
        # the whole listing in one write (254 jails make 510 mounts)
        listing = "".join(_fstab_line(mnt, where) if "p" in flags else
                          f"{mnt.source} on {where} ({mnt.flags_text()})\n"
                          for mnt, where in _visible(proc)
                          if fstype is None or _type_listed(mnt.fstype, fstype))
        if listing:
            proc.write(listing)
        return 0
    if len(args) != 2 or fstype not in ("nullfs", "devfs"):
        if fstype and fstype not in ("nullfs", "devfs", "ufs"):
            proc.error(f"mount: {args[-1]}: Operation not supported by device\n")
            return 1
        proc.error(MOUNT_USAGE)
        return 1
    prog = f"mount_{fstype}"
    if not proc.prison.is_host and proc.prison.params.get(f"allow.mount.{fstype}") != "1":
        proc.error(f"{prog}: {args[1]}: {OSErr(EPERM).strerror}\n")
        return 1
    vfs = proc.kernel.vfs
    target = vfs.resolve(args[1], **proc.where())
    if target.node is None:
        proc.error(f"{prog}: {args[1]}: No such file or directory\n")
        return 1
    if not isinstance(target.node, Dir):
        proc.error(f"{prog}: {args[1]}: {OSErr(ENOTDIR).strerror}\n")
        return 1
    ruleset = 0
    if fstype == "nullfs":
        source = vfs.resolve(args[0], **proc.where())
        if source.node is None:
            proc.error(f"{prog}: {args[0]}: No such file or directory\n")
            return 1
        if not isinstance(source.node, Dir):
            proc.error(f"{prog}: {args[0]}: Not a directory\n")
            return 1
        if target.path == source.path or target.path.startswith(source.path.rstrip("/") + "/"):
            proc.error(f"{prog}: {args[1]}: Resource deadlock avoided\n")
            return 1
        root, source_name = source.node, source.path
    else:
        for option in options:
            if option.startswith("ruleset="):
                ruleset = int(option.split("=", 1)[1])
        # A devfs mount is always listed as coming from "devfs".
        root, source_name = proc.kernel.devfs.root(ruleset), "devfs"
    vfs.mount(Mount(fstype, source_name, target.path, root, target.node, readonly="ro" in options,
                    ruleset=ruleset, jailed_by=proc.prison.jid))
    return 0


@program("/sbin/umount")
def umount(proc: Proc, argv: list[str]) -> int:
    parsed = proc.options(argv, "AaF:fh:Nnt:v", UMOUNT_USAGE)
    if parsed is None:
        return 1
    opts, args = parsed
    if proc.refuses({f for f, _ in opts} & set(UMOUNT_UNMODELLED)):
        return 1
    if not args:
        proc.error(UMOUNT_USAGE)
        return 1
    fstype = dict(opts).get("t")
    vfs = proc.kernel.vfs
    status = 0
    for name in args:
        try:
            found = vfs.resolve(name, **proc.where())
        except OSErr as exc:
            proc.error(f"umount: {name}: statfs: {exc.strerror}\n")
            status = 1
            continue
        mounts = [m for m in vfs.mounts if m.mountpoint == found.path or m.source == name]
        if found.node is None and not mounts:
            proc.error(f"umount: {name}: statfs: {OSErr(ENOENT).strerror}\n")
            status = 1
            continue
        if not mounts or (fstype and mounts[-1].fstype != fstype):
            proc.error(f"umount: {name}: not a file system root directory\n")
            status = 1
            continue
        mnt = mounts[-1]
        if not proc.prison.is_host and mnt.jailed_by != proc.prison.jid:
            proc.error(f"umount: unmount of {name} failed: {OSErr(EPERM).strerror}\n")
            status = 1
            continue
        if any(m.mountpoint.startswith(mnt.mountpoint.rstrip("/") + "/") for m in vfs.mounts):
            proc.error(f"umount: unmount of {mnt.mountpoint} failed: {OSErr(EBUSY).strerror}\n")
            status = 1
            continue
        vfs.unmount(mnt.mountpoint)
    return status

