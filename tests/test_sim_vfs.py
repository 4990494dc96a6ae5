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
