"""mount, umount, devfs, the file utilities, uname and kld*: formats,
errors and exit statuses on the sim."""

from __future__ import annotations

from tests.conftest import run


def test_mount_listing_and_fstab_form(host):
    assert run(host, "mount")[1] == "/dev/ada0p2 on / (ufs, local, soft-updates)\ndevfs on /dev (devfs)\n"
    assert run(host, "mount -p")[1] == ("/dev/ada0p2\t\t/\t\t\tufs\trw\t\t0 0\n"
                                        "devfs\t\t\t/dev\t\t\tdevfs\trw\t\t0 0\n")


def test_nullfs_read_only_view(host):
    host.run("mkdir -p /src /dst && echo hi > /src/f && mount -t nullfs -o ro /src /dst").check()
    assert run(host, "cat /dst/f")[1] == "hi\n"
    assert run(host, "echo x > /dst/g") == (1, "", "sh: cannot create /dst/g: Read-only file system\n")
    assert "/src on /dst (nullfs, local, read-only)" in run(host, "mount")[1]
    assert run(host, "umount /dst")[0] == 0
    assert run(host, "ls /dst")[1] == ""


def test_mount_errors(host):
    assert run(host, "mount -t nullfs /nonexistent /mnt") == \
        (1, "", "mount_nullfs: /nonexistent: No such file or directory\n")
    assert run(host, "mount -t nullfs /etc /etc/defaults") == \
        (1, "", "mount_nullfs: /etc/defaults: Resource deadlock avoided\n")
    assert run(host, "umount /mnt") == (1, "", "umount: /mnt: not a file system root directory\n")
    host.run("mkdir -p /a/b && mount -t nullfs /etc /a && mount -t devfs devfs /a/defaults").check()
    assert run(host, "umount /a") == (1, "", "umount: unmount of /a failed: Device busy\n")


def test_devfs_rulesets_decide_what_a_jail_sees(host):
    host.run("mkdir -p /jd && mount -t devfs devfs /jd && devfs -m /jd ruleset 4 && "
             "devfs -m /jd rule applyset").check()
    seen = run(host, "ls /jd")[1].split()
    assert "null" in seen and "zero" in seen and "pf" not in seen and "bpf" not in seen
    assert "ada0" not in seen and "mem" not in seen
    assert run(host, "devfs rule showsets")[1] == "1\n2\n3\n4\n5\n"
    assert run(host, "devfs rule -s 4 show")[1] == "100 include 1\n200 include 2\n300 include 3\n" \
                                                   "400 path fuse unhide\n500 path zfs unhide\n"
    host.run("devfs rule -s 50 add include 4 && devfs rule -s 50 add path 'bpf*' unhide && "
             "devfs -m /jd ruleset 50 && devfs -m /jd rule applyset").check()
    assert "bpf" in run(host, "ls /jd")[1].split()


def test_file_utility_errors(host):
    assert run(host, "cat /nope") == (1, "", "cat: /nope: No such file or directory\n")
    assert run(host, "mkdir /etc") == (1, "", "mkdir: /etc: File exists\n")
    assert run(host, "mkdir /no/such") == (1, "", "mkdir: /no/such: No such file or directory\n")
    assert run(host, "rm /etc") == (1, "", "rm: /etc: is a directory\n")
    assert run(host, "rm /nope") == (1, "", "rm: /nope: No such file or directory\n")
    assert run(host, "rm -f /nope") == (0, "", "")
    assert run(host, "rm -rf /") == (1, "", 'rm: "/" may not be removed\n')
    assert run(host, "cp /etc /tmp/x") == (1, "", "cp: /etc is a directory (not copied).\n")
    assert run(host, "rmdir /etc") == (1, "", "rmdir: /etc: Directory not empty\n")
    assert run(host, "ls /nope") == (1, "", "ls: /nope: No such file or directory\n")
    assert run(host, "mkdir -z /x")[2] == "mkdir: illegal option -- z\nusage: mkdir [-pv] [-m mode] directory_name ...\n"


def test_copies_links_and_trees(host):
    host.run("mkdir -p /t/a/b && echo 1 > /t/a/b/f && ln -s /t/a /t/link && cp -Rp /t /u").check()
    assert run(host, "cat /u/a/b/f")[1] == "1\n"
    assert run(host, "ls -l /u/link")[1].endswith("/u/link -> /t/a\n")
    host.run("mkdir /v && cp -R /t/a/. /v/").check()
    assert run(host, "ls /v")[1] == "b\n"
    assert run(host, "rm -r /u && ls /u")[0] == 1


def test_chroot_links_resolve_inside_the_jail(host):
    # A jail's /bin -> /sharedfs/bin resolves in the jail, as qjail relies on.
    host.run("mkdir -p /j/sharedfs /shared/bin && cp /bin/echo /shared/bin/ && "
             "ln -s /sharedfs/bin /j/bin && mount -t nullfs -o ro /shared /j/sharedfs && "
             "jail -c name=c path=/j persist").check()
    assert run(host, "jexec c /bin/echo via link") == (0, "via link\n", "")


def test_uname(host):
    assert run(host, "uname")[1] == "FreeBSD\n"
    assert run(host, "uname -r")[1] == "14.3-RELEASE\n"
    assert run(host, "uname -a")[1].startswith("FreeBSD desktop.lan 14.3-RELEASE FreeBSD 14.3-RELEASE ")
    assert run(host, "uname -a")[1].endswith(" GENERIC amd64\n")
    assert run(host, "uname -K")[1] == "1403000\n"
    assert run(host, "uname -x") == (1, "", "uname: illegal option -- x\nusage: uname [-abiKmnoprsUv]\n")
    host.run("jail -c name=h host.hostname=jailed persist").check()
    assert run(host, "jexec h uname -n")[1] == "jailed\n"


def test_kld(host):
    assert run(host, "kldload pf") == (0, "", "")
    assert run(host, "kldload pf") == (1, "", "kldload: can't load pf: module already loaded or in kernel\n")
    assert run(host, "kldload -n pf") == (0, "", "")
    assert run(host, "kldload nosuch") == (1, "", "kldload: can't load nosuch: No such file or directory\n")
    assert run(host, "kldstat")[1].splitlines()[0] == "Id Refs Address                Size Name"
    assert run(host, "kldstat")[1].rstrip().endswith("pf.ko")


def test_base_programs_the_sim_does_not_model_say_so(host):
    status, _, err = run(host, "netstat -rn")
    assert status == 1
    assert err.startswith("netstat: part of FreeBSD, but not modelled by the jailkit sim")
