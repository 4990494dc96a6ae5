"""The sim's file system under many mounts: a covered directory shows the
mount's root, and its own entries again once unmounted (the covered
vnode's v_mountedhere, sys/kern/vfs_mount.c)."""

from __future__ import annotations

from tests.conftest import run


def test_unmount_shows_the_directory_again(host):
    host.run("mkdir -p /one /dst && echo one > /one/f && echo own > /dst/f").check()
    host.run("mount -t nullfs /one /dst").check()
    assert run(host, "cat /dst/f")[1] == "one\n"
    assert run(host, "umount /dst")[0] == 0
    assert run(host, "cat /dst/f")[1] == "own\n"
    assert run(host, "umount /dst")[0] == 1


def test_a_mount_among_hundreds_is_found_and_leaves(host):
    host.run("mkdir -p /src && echo here > /src/f && for i in $(seq 1 300); do "
             "mkdir -p /m/$i && mount -t nullfs -o ro /src /m/$i; done").check()
    assert run(host, "cat /m/150/f")[1] == "here\n"
    assert run(host, "mount | grep -c ' on /m/'")[1] == "300\n"
    host.run("umount /m/150").check()
    assert run(host, "cat /m/150/f") == (1, "", "cat: /m/150/f: No such file or directory\n")
    assert run(host, "cat /m/151/f")[1] == "here\n"


def test_ls_shows_a_mount_point_as_its_mount_and_dot_dot_as_the_parent(host):
    host.run("mkdir -p /src/a /src/b /m/x && chmod 700 /src && mount -t nullfs /src /m/x").check()
    rows = [line.split() for line in run(host, "ls -la /m")[1].splitlines()[1:]]
    root = run(host, "ls -ld /")[1].split()
    assert [row[-1] for row in rows] == [".", "..", "x"]
    assert rows[0][:2] == ["drwxr-xr-x", "3"]           # /m: ., .. and x
    assert rows[1][:2] == root[:2]                       # .. is /
    assert rows[2][:2] == ["drwx------", "4"]            # x shows /src: a, b


def every_path(vfs, path: str = "/", depth: int = 0) -> list[str]:
    """Every name under ``path`` as a lookup that follows no link sees it,
    and a missing name in each directory."""
    node = vfs.lookup(path, follow=False)
    names = [path]
    if type(node).__name__ == "Dir" and depth < 8:
        prefix = path.rstrip("/")
        names.append(f"{prefix}/no-such-name")
        for name in sorted(node.entries):
            names += every_path(vfs, f"{prefix}/{name}", depth + 1)
    return names


def test_a_plain_path_resolves_as_the_full_walk_resolves_it(jail):
    # resolve() takes a path of plain names in one pass; through mounts
    # (the jail's nullfs and devfs), links and missing names it finds what
    # the walk that handles links and ".." finds.
    from jailkit.sim.vfs import OSErr, split
    vfs = jail.machine.kernel.vfs
    paths = every_path(vfs)
    paths += [p + "/x/y" for p in paths[::50]] + ["/usr/jails/v10/bin/sh", "/etc/./rc.conf/"]
    assert len(paths) > 700
    for path in paths:
        for follow in (True, False):
            try:
                walked = vfs._walk([], split(path), floor=0, follow=follow, hops=[0], root_stack=[])
            except OSErr as exc:
                walked = exc.errno
            try:
                found = vfs.resolve(path, follow=follow)
            except OSErr as exc:
                assert exc.errno == walked, path
                continue
            assert not isinstance(walked, int), path
            assert (found.node, found.path, found.parent, found.name, found.mount) == (
                walked.node, walked.path, walked.parent, walked.name, walked.mount), path
            assert [(n, id(o), id(m)) for n, o, m in found.stack] == [
                (n, id(o), id(m)) for n, o, m in walked.stack], path
