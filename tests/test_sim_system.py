"""mount, umount, devfs, the file utilities, uname and kld*: formats,
errors and exit statuses on the sim; then a fresh FreeBSD Vagrant box
(sim://?bare=1): file flags, chflags, stat, readlink, motd, /tmp, rc.conf,
sudo's environment, devd and dhclient."""

from __future__ import annotations

import pkgutil

import pytest

import jailkit
from jailkit.sim import commands
from jailkit.sim.proc import IMAGES, PROGRAMS, SOURCED
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
    # mkdir.c names the parent that is missing (dirname(3)), as warn() is given it
    assert run(host, "mkdir /no/such") == (1, "", "mkdir: /no: No such file or directory\n")
    assert run(host, "rm /etc") == (1, "", "rm: /etc: is a directory\n")
    assert run(host, "rm /nope") == (1, "", "rm: /nope: No such file or directory\n")
    assert run(host, "rm -f /nope") == (0, "", "")
    assert run(host, "rm -rf /") == (1, "", 'rm: "/" may not be removed\n')
    assert run(host, "cp /etc /tmp/x") == (1, "", "cp: /etc is a directory (not copied).\n")
    assert run(host, "rmdir /etc") == (1, "", "rmdir: /etc: Directory not empty\n")
    assert run(host, "ls /nope") == (1, "", "ls: /nope: No such file or directory\n")
    assert run(host, "mkdir -z /x")[2] == "mkdir: illegal option -- z\nusage: mkdir [-pv] [-m mode] directory_name ...\n"


def test_rm_refuses_dot_dotdot_and_slash_once_and_goes_on(host):
    # bin/rm/rm.c: checkdot() and checkslash() drop such operands before
    # anything is removed, each refusal printed once; the rest are removed.
    host.run("mkdir -p /t/d && touch /t/f /t/g").check()
    assert run(host, "rm -r /t/d/. .. /t/f / /t/g /") == \
        (1, "", 'rm: "." and ".." may not be removed\nrm: "/" may not be removed\n')
    assert run(host, "ls /t") == (0, "d\n", "")
    assert run(host, "rm /") == (1, "", 'rm: "/" may not be removed\n')
    assert run(host, "rm -f ..") == (1, "", 'rm: "." and ".." may not be removed\n')


def test_rm_d_removes_an_empty_directory_only(host):
    host.run("mkdir -p /t/empty /t/full/x").check()
    assert run(host, "rm -dv /t/empty") == (0, "/t/empty\n", "")
    assert run(host, "rm -d /t/full") == (1, "", "rm: /t/full: Directory not empty\n")
    assert run(host, "ls /t") == (0, "full\n", "")


def test_rm_of_a_directory_leaves_its_flags(host):
    # rm_file() says "is a directory" before it would clear a uchg flag
    host.run("mkdir /t && chflags uchg /t").check()
    assert run(host, "rm /t") == (1, "", "rm: /t: is a directory\n")
    assert run(host, "ls -ldo /t")[1].split()[4] == "uchg"


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


# -- a fresh FreeBSD Vagrant box (sim://?bare=1) as installworld and the
#    official box's first boot leave it ------------------------------------

PRECIOUS = ["/lib/libc.so.7", "/lib/libcrypt.so.5", "/lib/libthr.so.3", "/libexec/ld-elf.so.1",
            "/sbin/init", "/usr/bin/su", "/usr/bin/passwd", "/usr/bin/login", "/usr/bin/chpass",
            "/usr/bin/chsh"]


@pytest.fixture
def box():
    return jailkit.connect("sim://?bare=1")


@pytest.mark.parametrize("path", PRECIOUS)
def test_installworld_makes_the_precious_files_schg(box, path):
    assert run(box, f"stat -f %Sf {path}") == (0, "schg\n", "")


def test_ls_o_prints_the_flags_column(box):
    assert run(box, "ls -lo /lib/libc.so.7 /etc/hosts") == (0, (
        "-rw-r--r--  1 root  wheel  -    37 Nov 22 18:00 /etc/hosts\n"
        "-r--r--r--  1 root  wheel  schg 30 Nov 22 18:00 /lib/libc.so.7\n"), "")
    assert run(box, "ls -ldo /var/empty")[1] == (
        "dr-xr-xr-x  2 root  wheel  schg 512 Nov 22 18:00 /var/empty\n")
    assert run(box, "ls -l /usr/bin/su")[1] == "-r-sr-xr-x  1 root  wheel  53 Nov 22 18:00 /usr/bin/su\n"


@pytest.mark.parametrize("command, message", [
    ("rm /lib/libc.so.7", "rm: /lib/libc.so.7: Operation not permitted\n"),
    ("rm -f /lib/libc.so.7", "rm: /lib/libc.so.7: Operation not permitted\n"),
    ("mv /lib/libc.so.7 /tmp", "mv: rename /lib/libc.so.7 to /tmp/libc.so.7: Operation not permitted\n"),
    ("chmod 644 /sbin/init", "chmod: /sbin/init: Operation not permitted\n"),
    ("echo x >> /usr/bin/su", "sh: cannot create /usr/bin/su: Operation not permitted\n"),
    ("touch /var/empty/x", "touch: /var/empty/x: Operation not permitted\n"),
])
def test_root_cannot_change_a_schg_file(box, command, message):
    assert run(box, command) == (1, "", message)
    assert run(box, "stat -f '%Sf %Sp %z' /lib/libc.so.7 /sbin/init /usr/bin/su")[1] == (
        "schg -r--r--r-- 30\nschg -r-x------ 52\nschg -r-sr-xr-x 53\n")


def test_cp_p_keeps_the_flags_and_rm_rf_then_fails(box):
    # What qjail install does with /lib, and what a cleanup's rm -rf meets.
    box.run("mkdir -p /usr/jails/sharedfs && cp -Rp /lib /usr/jails/sharedfs/").check()
    assert run(box, "stat -f %Sf /usr/jails/sharedfs/lib/libc.so.7")[1] == "schg\n"
    assert run(box, "rm -rf /usr/jails") == (1, "", (
        "rm: /usr/jails/sharedfs/lib/libc.so.7: Operation not permitted\n"
        "rm: /usr/jails/sharedfs/lib/libcrypt.so.5: Operation not permitted\n"
        "rm: /usr/jails/sharedfs/lib/libthr.so.3: Operation not permitted\n"
        "rm: /usr/jails/sharedfs/lib: Directory not empty\n"
        "rm: /usr/jails/sharedfs: Directory not empty\n"
        "rm: /usr/jails: Directory not empty\n"))
    # ... and copying /lib again fails on the immutable copies
    assert run(box, "cp -Rp /lib /usr/jails/sharedfs/")[2].startswith(
        "cp: /usr/jails/sharedfs/lib/libc.so.7: Operation not permitted\n")
    # qjail's way: chflags -R noschg first
    assert run(box, "chflags -R noschg /usr/jails && rm -rf /usr/jails") == (0, "", "")
    assert run(box, "stat -f %Sf /lib/libc.so.7")[1] == "schg\n"       # the original kept


def test_cp_without_p_drops_the_flags(box):
    box.run("cp /lib/libc.so.7 /tmp/libc && cp -R /libexec /tmp/rtld").check()
    assert run(box, "stat -f %Sf /tmp/libc /tmp/rtld/ld-elf.so.1")[1] == "-\n-\n"
    assert run(box, "rm -r /tmp/libc /tmp/rtld") == (0, "", "")


def test_a_jail_cannot_copy_or_clear_schg_without_allow_chflags(box):
    box.run("jail -c name=j path=/ persist").check()
    assert run(box, "jexec j chflags noschg /sbin/init") == (
        1, "", "chflags: /sbin/init: Operation not permitted\n")
    assert run(box, "jexec j cp -p /sbin/init /tmp/init") == (
        1, "", "cp: chflags: /tmp/init: Operation not permitted\n")
    box.run("jail -c name=k path=/ persist allow.chflags").check()
    assert run(box, "jexec k chflags noschg /tmp/init") == (0, "", "")


def test_root_rm_takes_user_flags_off_but_not_system_ones(box):
    box.run("touch /tmp/u /tmp/s && chflags uchg,nodump /tmp/u && chflags sappnd /tmp/s").check()
    assert run(box, "ls -lo /tmp/u /tmp/s")[1] == (
        "-rw-r--r--  1 root  wheel  sappnd      0 Nov 22 18:00 /tmp/s\n"
        "-rw-r--r--  1 root  wheel  uchg,nodump 0 Nov 22 18:00 /tmp/u\n")
    assert run(box, "rm /tmp/u /tmp/s") == (1, "", "rm: /tmp/s: Operation not permitted\n")
    assert run(box, "echo more >> /tmp/s && cat /tmp/s") == (0, "more\n", "")   # append-only
    assert run(box, "echo over > /tmp/s") == (1, "", "sh: cannot create /tmp/s: Operation not permitted\n")


@pytest.mark.parametrize("command, expected", [
    ("chflags", (1, "", "usage: chflags [-fhvx] [-R [-H | -L | -P]] flags file ...\n")),
    ("chflags frozen /tmp", (1, "", "chflags: invalid flag: frozen\n")),
    ("chflags 9 /tmp", (1, "", "chflags: invalid flag: 9\n")),
    ("chflags -Rh noschg /tmp", (1, "", "chflags: the -R and -h options may not be specified together\n")),
    ("chflags schg /nosuch", (1, "", "chflags: /nosuch: No such file or directory\n")),
    ("chflags -vv noschg /lib/libc.so.7", (0, "/lib/libc.so.7: 0400000 -> 00\n", "")),
    ("chflags -v noschg /etc/hosts", (0, "", "")),            # unchanged: not printed
    ("chflags -f noschg /nosuch", (1, "", "chflags: /nosuch: No such file or directory\n")),
    ("chflags 0 /lib/libc.so.7", (0, "", "")),
])
def test_chflags_as_freebsds(box, command, expected):
    assert run(box, command) == expected


def test_chflags_R_clears_a_tree(box):
    box.run("cp -Rp /lib /tmp/lib && chflags -R noschg /tmp/lib").check()
    assert run(box, "stat -f %Sf /tmp/lib/libc.so.7 /tmp/lib/libthr.so.3")[1] == "-\n-\n"
    box.run("chflags -R schg /tmp/lib").check()
    assert run(box, "ls -ldo /tmp/lib")[1].split()[4] == "schg"    # the directory too


def test_motd_as_rc_d_motd_makes_it(box):
    assert run(box, "readlink /etc/motd") == (0, "/var/run/motd\n", "")
    motd = run(box, "cat /etc/motd")[1]
    assert motd.startswith("FreeBSD 14.3-RELEASE releng/14.3-n271432-8c9ce319fef7 GENERIC\n"
                           "Welcome to FreeBSD!\n")
    assert motd.endswith("To change this login announcement, see motd(5).\n")
    assert run(box, "stat -f '%Sp %N' /var/run/motd /etc/motd.template")[1] == (
        "-rw-r--r-- /var/run/motd\n-rw-r--r-- /etc/motd.template\n")


def test_a_reboot_makes_the_motd_again(box):
    box.run("echo 'Local news.' >> /etc/motd.template && rm /etc/motd && echo old > /etc/motd").check()
    box.machine.reboot()
    assert run(box, "readlink /etc/motd")[1] == "/var/run/motd\n"
    assert run(box, "tail -n 1 /etc/motd")[1] == "Local news.\n"


def test_tmp_is_sticky_and_writable_by_all(box):
    assert run(box, "stat -f '%Sp %Lp %N' /tmp /var/tmp")[1] == (
        "drwxrwxrwt 777 /tmp\ndrwxrwxrwt 777 /var/tmp\n")
    assert run(box, "stat -f %OMp%03OLp /tmp")[1] == "1777\n"


@pytest.mark.parametrize("command, expected", [
    ("stat -f '%N %z %HT' /etc/hosts /etc /etc/motd",
     (0, "/etc/hosts 37 Regular File\n/etc 512 Directory\n/etc/motd 13 Symbolic Link\n", "")),
    ("stat -l /etc/motd",
     (0, "lrwxr-xr-x 1 root wheel 13 Nov 22 18:00:00 2026 /etc/motd -> /var/run/motd\n", "")),
    ("stat -L -f %HT /etc/motd", (0, "Regular File\n", "")),
    ("stat -f %Y /etc/motd", (0, "/var/run/motd\n", "")),
    ("stat -f %SY /etc/motd", (0, " -> /var/run/motd\n", "")),
    ("stat -n -f %Sp /etc/hosts", (0, "-rw-r--r--", "")),
    ("stat -f %#Xf /lib/libc.so.7", (0, "0x20000\n", "")),
    ("stat -f %Q /etc", (1, "", "stat: %Q: bad format\n")),
    ("stat -f %Sz /etc", (1, "", "stat: %Sz: bad format\n")),
    ("stat -l -s /etc", (1, "", "stat: can't use format 'l' with 's'\n")),
    ("stat /nosuch", (1, "", "stat: /nosuch: stat: No such file or directory\n")),
    ("stat -q /nosuch", (1, "", "")),
    ("readlink /etc/motd /etc/hosts /nosuch", (1, "/var/run/motd\n", "")),
    ("readlink -f /etc/motd", (0, "/var/run/motd\n", "")),
    ("readlink -n /etc/motd", (0, "/var/run/motd", "")),
    ("readlink -x /etc/motd", (1, "", "readlink: illegal option -- x\nusage: readlink [-fn] [file ...]\n")),
])
def test_stat_and_readlink_as_freebsds(box, command, expected):
    assert run(box, command) == expected


def test_stat_default_line(box):
    fields = run(box, "stat /lib/libc.so.7")[1].split(" ")
    assert fields[0] == "92" and fields[2:8] == ["-r--r--r--", "1", "root", "wheel", "0", "30"]
    assert fields[-3:] == ["8", "0x20000", "/lib/libc.so.7\n"]


def test_the_box_rc_conf_is_the_official_boxs(box):
    rc_conf = run(box, "cat /etc/rc.conf")[1]
    assert 'ifconfig_DEFAULT="SYNCDHCP"\nsshd_enable="YES"\n' in rc_conf
    assert run(box, "sysrc -n ifconfig_DEFAULT sshd_enable sendmail_enable")[1] == "SYNCDHCP\nYES\nNO\n"
    assert "ifconfig_em0" not in rc_conf


def test_sudo_resets_the_environment_as_env_reset_does(box):
    line = "SSH_CONNECTION='10.0.2.2 50000 10.0.2.15 22' LANG=C.UTF-8 LC_ALL=/x FOO=1 sudo -n env"
    env = dict(entry.split("=", 1) for entry in run(box, line)[1].splitlines())
    assert "SSH_CONNECTION" not in env and "FOO" not in env and "LC_ALL" not in env
    assert env["LANG"] == "C.UTF-8" and env["PATH"].startswith("/sbin:/bin")
    assert (env["HOME"], env["USER"], env["SHELL"], env["SUDO_COMMAND"]) == (
        "/root", "root", "/bin/sh", "/usr/bin/env")
    kept = run(box, "SSH_CONNECTION=x sudo -E env")[1]
    assert "SSH_CONNECTION=x\n" in kept and "SUDO_USER=root\n" in kept


def test_devd_starts_dhclient_on_a_new_epair_of_a_dhcp_box(box):
    # ifconfig_DEFAULT="SYNCDHCP": devd.conf's LINK_UP rule runs
    # `service dhclient quietstart IF` for both ends; PREINIT gives 0.0.0.0.
    assert run(box, "ls /var/run/dhclient")[1] == "dhclient.em0.pid\n"
    box.run("ifconfig epair create").check()
    assert run(box, "ls /var/run/dhclient")[1] == (
        "dhclient.em0.pid\ndhclient.epair0a.pid\ndhclient.epair0b.pid\n")
    assert "\tinet 0.0.0.0 netmask 0x0\n" in run(box, "ifconfig epair0b")[1]
    assert run(box, "ifconfig epair0b")[1].startswith("epair0b: flags=1008843<UP,")
    # renamed or moved into a jail, the interface departs and dhclient exits
    box.run("ifconfig epair0a name lan0 && jail -c name=j vnet persist vnet.interface=epair0b").check()
    assert run(box, "ls /var/run/dhclient")[1] == "dhclient.em0.pid\n"
    assert "\tinet 0.0.0.0 netmask 0x0\n" in run(box, "ifconfig lan0")[1]   # the address stays
    assert "inet " not in run(box, "jexec j ifconfig epair0b")[1]           # if_vmove purged it


def test_an_interface_set_in_rc_conf_gets_no_dhclient(box):
    box.run("sysrc ifconfig_epair0a=up ifconfig_epair0b='inet 192.0.2.1/24' > /dev/null").check()
    box.run("ifconfig epair create").check()
    assert run(box, "ls /var/run/dhclient")[1] == "dhclient.em0.pid\n"
    assert "inet 0.0.0.0" not in run(box, "ifconfig epair0a")[1]


def test_without_devd_nothing_reacts(box):
    box.run("sysrc devd_enable=NO > /dev/null").check()
    box.machine.reboot()
    box.run("ifconfig epair create && ifconfig bridge create").check()
    assert run(box, "ls /var/run")[1].split() == ["cron.pid", "dhclient", "motd", "sshd.pid",
                                                  "syslogd.pid"]
    assert run(box, "ls /var/run/dhclient")[1] == "dhclient.em0.pid\n"
    assert "inet " not in run(box, "ifconfig epair0a")[1]


def test_the_lab_machine_host_runs_devd_but_no_dhcp(host):
    # sim:// (the howto's machine) configures its NIC statically: no dhclient.
    host.run("ifconfig epair create").check()
    assert run(host, "ls /var/run/dhclient") == (
        1, "", "ls: /var/run/dhclient: No such file or directory\n")
    assert "inet " not in run(host, "ifconfig epair0a")[1]


def test_cp_writes_through_a_destination_link_as_freebsd_14s_does(box):
    # copy_file() opens an existing destination with O_WRONLY|O_TRUNC, which
    # follows a symbolic link: copying onto a template's etc/motd (a link to
    # /var/run/motd, as rc.d/motd makes it) rewrites the host's motd.
    box.run("mkdir -p /t/etc /f/etc && cp -Rp /etc/motd /t/etc/ && echo jail > /f/etc/motd").check()
    assert run(box, "readlink /t/etc/motd")[1] == "/var/run/motd\n"
    box.run("chmod 600 /f/etc/motd && cp -R /f/. /t").check()
    assert run(box, "cat /var/run/motd")[1] == "jail\n"
    assert run(box, "stat -f %Lp /var/run/motd")[1] == "644\n"      # its mode kept without -p
    assert run(box, "readlink /t/etc/motd")[1] == "/var/run/motd\n"  # still the link
    box.run("cp /bin/ls /tmp/ls").check()
    assert run(box, "/tmp/ls -d /tmp")[1] == "/tmp\n"                 # a copied program runs


def test_kldstat_answers_for_one_file_or_module(host):
    """sbin/kldstat: -n FILE and -m MODULE (the name the file declares:
    ipl.ko is "ipfilter"), -q for the exit status alone."""
    assert run(host, "kldstat -q -n ipl") == (1, "", "")
    assert run(host, "kldstat -n ipl") == (
        1, "", "kldstat: can't find file ipl: No such file or directory\n")
    host.run("kldload ipl pf").check()
    assert run(host, "kldstat -q -n ipl.ko") == (0, "", "")
    assert run(host, "kldstat -n pf")[1].splitlines()[1].endswith(" pf.ko")
    assert run(host, "kldstat -m ipfilter") == (0, "Id  Refs Name\n  2    1 ipfilter\n", "")
    assert run(host, "kldstat -q -m ipl")[0] == 1
    assert run(host, "kldstat -x")[0] == 1


KLDSTAT_HEADER = "Id Refs Address                Size Name\n"


def test_kldstat_lists_the_files_in_load_order_with_the_ids_they_got(host):
    """kern_linker.c: a file's id comes from a counter when it is made and
    the list keeps that order (kldnext), a dependency made after the file
    that needs it; a file found loaded takes a reference (Refs), and the
    kernel one for every file. An unloaded file's id is not given to the
    next file, unless it was the last one handed out
    (LINKER_GET_NEXT_FILE_ID)."""
    host.run("kldload pf if_epair pflog").check()
    host.run("kldunload if_epair").check()
    assert run(host, "kldstat -i 3") == (
        1, "", "kldstat: can't stat file id 3: No such file or directory\n")
    assert run(host, "kldload -v ipfw_nat") == (0, "Loaded ipfw_nat, id=5\n", "")
    assert run(host, "kldstat") == (0, KLDSTAT_HEADER + (
        " 1   36 0xffffffff80200000  1f3c6c8 kernel\n"
        " 2    2 0xffffffff82a20000    5a4e8 pf.ko\n"
        " 4    1 0xffffffff82a81000     2610 pflog.ko\n"
        " 5    1 0xffffffff82a7b000     31c0 ipfw_nat.ko\n"    # in if_epair's pages
        " 6    1 0xffffffff82a84000    35df0 ipfw.ko\n"
        " 7    1 0xffffffff82aba000     7d50 libalias.ko\n"), "")
    host.run("kldunload ipfw_nat").check()        # ipfw and libalias go with it
    assert run(host, "kldload -v nullfs if_epair") == (
        0, "Loaded nullfs, id=7\nLoaded if_epair, id=8\n", "")
    assert run(host, "kldstat -n if_epair") == (0, KLDSTAT_HEADER + (
        " 8    1 0xffffffff82a7b000     5250 if_epair.ko\n"), "")
    assert run(host, "kldstat -i 7") == (0, KLDSTAT_HEADER + (
        " 7    1 0xffffffff82a84000     7500 nullfs.ko\n"), "")
    assert run(host, "kldstat -m pflog") == (0, "Id  Refs Name\n  4    1 pflog\n", "")


def test_kldunload_takes_back_the_users_reference_alone(host):
    """kern_kldunload: a file loaded for another one's sake is busy; one
    another file depends on only loses the user's reference and stays
    (Refs 1); unloading the last file that needs it takes it along."""
    host.run("kldload pflog").check()
    assert run(host, "kldunload pf") == (1, "", "kldunload: can't unload file: Device busy\n")
    host.run("kldunload pflog").check()
    assert run(host, "kldstat -q -n pf")[0] == 1
    host.run("kldload pf pflog").check()
    assert run(host, "kldunload pf") == (0, "", "")
    assert run(host, "kldstat -n pf")[1].splitlines()[1] == (
        " 3    1 0xffffffff82a20000    5a4e8 pf.ko")
    assert run(host, "kldunload pf") == (1, "", "kldunload: can't unload file: Device busy\n")
    host.run("kldunload pflog").check()
    assert run(host, "kldstat") == (0, KLDSTAT_HEADER + (
        " 1   31 0xffffffff80200000  1f3c6c8 kernel\n"), "")


def test_every_program_is_installed_at_the_path_that_declares_it(host):
    """A program's path is its one declaration: the world has a file there,
    executable unless it is a script for sh or a library, and the program
    runs under its name, found on the PATH."""
    assert len(IMAGES) > 100
    for image in IMAGES.values():
        executable = image.kind in ("binary", "unmodelled")
        assert run(host, ["test", "-f", image.path])[0] == 0, image.path
        assert run(host, ["test", "-x", image.path])[0] == (0 if executable else 1), image.path
        if image.kind == "binary":
            assert run(host, ["which", image.name]) == (0, image.path + "\n", ""), image.path
        elif image.kind == "unmodelled":
            status, _, err = run(host, [image.path])
            said = f"{image.path.rsplit('/', 1)[-1]}: part of FreeBSD, but not modelled"
            assert status == 1 and err.startswith(said), image.path
    assert run(host, ". /etc/rc.subr && load_rc_config && checkyesno sshd_enable")[0] == 0


def test_every_command_module_declares_a_program():
    """commands.load() imports every module of the package; each declares
    at least one image, so none is dead."""
    declaring = {PROGRAMS[image.name].__module__ for image in IMAGES.values()
                 if image.kind != "library"}
    modules = {f"{commands.__name__}.{module.name}"
               for module in pkgutil.iter_modules(commands.__path__)}
    assert modules and modules <= declaring
    assert {SOURCED[image.name].__module__ for image in IMAGES.values()
            if image.kind == "library"} == {"jailkit.sim.rcconf"}


# A tree with what a cleanup's tree removal meets: a system-immutable file,
# a user-immutable directory (root's rm takes uchg off, bin/rm/rm.c), a
# link, and two nullfs mounts on directories in it, one read-only.
TREE = ("mkdir -p /t/a /t/b /t/m /t/r /src/d /ro/d && echo 1 > /t/a/f && echo 2 > /t/a/g && "
        "echo 3 > /t/b/u && echo 4 > /src/x && echo 5 > /src/d/y && echo 6 > /ro/z && "
        "ln -s /etc /t/l && chflags schg /t/a/f /src/x /ro/z && chflags uchg /t/b/u /t/b && "
        "mount -t nullfs /src /t/m && mount -t nullfs -o ro /ro /t/r")


def test_rm_rf_of_a_tree_with_immutable_files_and_mount_points(host):
    # fts(3) crosses the mount points (rm without -x): what is in a mounted
    # file system goes where it may, a mount point stays (rmdir: EBUSY once empty)
    host.run(TREE).check()
    assert run(host, "rm -rfv /t") == (1, "/t/a/g\n/t/b/u\n/t/b\n/t/l\n/t/m/d/y\n/t/m/d\n", (
        "rm: /t/a/f: Operation not permitted\n"
        "rm: /t/a: Directory not empty\n"
        "rm: /t/m/x: Operation not permitted\n"
        "rm: /t/m: Device busy\n"
        "rm: /t/r/d: Read-only file system\n"
        "rm: /t/r/z: Read-only file system\n"
        "rm: /t/r: Device busy\n"
        "rm: /t: Directory not empty\n"))
    assert run(host, "ls /t /t/a /src /ro")[1] == "/ro:\nd\nz\n\n/src:\nx\n\n/t:\na\nm\nr\n\n/t/a:\nf\n"
    # -x (FTS_XDEV): a directory of another file system is not entered
    host.run("mkdir /src/e").check()
    assert run(host, "rm -rfvx /t") == (1, "", (
        "rm: /t/a/f: Operation not permitted\n"
        "rm: /t/a: Directory not empty\n"
        "rm: /t/m: Device busy\n"
        "rm: /t/r: Device busy\n"
        "rm: /t: Directory not empty\n"))
    assert run(host, "ls /src")[1] == "e\nx\n"
    host.run("chflags noschg /t/a/f /src/x && rm -r /t/a /t/m/x /t/m/e").check()
    assert run(host, "rmdir /t/m") == (1, "", "rmdir: /t/m: Device busy\n")
    host.run("umount /t/m && umount /t/r && rm -r /t").check()
    assert run(host, "ls /t /src /ro") == (1, "/ro:\nd\nz\n\n/src:\n", "ls: /t: No such file or directory\n")


def test_chflags_R_crosses_mount_points_as_fts_does(host):
    # bin/chflags walks with fts(3) FTS_PHYSICAL: into a mounted file
    # system (its files' own flags), where a read-only one refuses (EROFS)
    host.run(TREE).check()
    assert run(host, "chflags -R -v noschg /t") == (
        1, "/t/a/f\n/t/m/x\n", "chflags: /t/r/z: Read-only file system\n")
    assert run(host, "stat -f %Sf /src/x /ro/z")[1] == "-\nschg\n"
    # -f: a failure is not named, but -v names the file all the same
    assert run(host, "chflags -R -f -v noschg /t") == (0, "/t/r/z\n", "")
    # -x (FTS_XDEV): a mount point is changed, what is behind it is not
    host.run("chflags schg /src/x").check()
    assert run(host, "chflags -R -x -v uchg /t") == (
        1, "/t/a/f\n/t/a/g\n/t/a\n/t/m\n/t\n", "chflags: /t/r: Read-only file system\n")
    assert run(host, "stat -f '%Sf %N' /src/x /t/m")[1] == "schg /src/x\nuchg /t/m\n"


def test_cp_Rp_copies_through_a_mount_point(host):
    host.run(TREE).check()
    assert run(host, "cp -Rp /t /c") == (0, "", "")
    assert run(host, "ls /c /c/m /c/r")[1] == "/c:\na\nb\nl\nm\nr\n\n/c/m:\nd\nx\n\n/c/r:\nd\nz\n"
    assert run(host, "stat -f '%Sf %N' /c/a/f /c/b /c/b/u /c/m/x /c/r/z")[1] == (
        "schg /c/a/f\nuchg /c/b\nuchg /c/b/u\nschg /c/m/x\nschg /c/r/z\n")
    assert run(host, "readlink /c/l")[1] == "/etc\n"


def test_cp_Rx_leaves_out_the_mount_points(host):
    # FTS_XDEV: a mount point comes back from fts in post-order only, for
    # which cp.c makes nothing: /t/m and /t/r are not even made empty
    host.run(TREE).check()
    assert run(host, "cp -Rpx /t /c") == (0, "", "")
    assert run(host, "ls /c")[1] == "a\nb\nl\n"
    assert run(host, "ls /c/a")[1] == "f\ng\n"


def test_sysctl_reads_names_and_nodes_in_one_command(host):
    # each name in turn: a node lists what is below it, an unknown one
    # (a module not loaded) is warned about and the next is read (sysctl.c)
    assert run(host, "sysctl net.link.bridge net.inet.ip.forwarding net.link.bridg "
                     "net.link.lagg.failover_rx_all") == (1, (
                         "net.link.bridge.inherit_mac: 0\nnet.link.bridge.pfil_bridge: 0\n"
                         "net.link.bridge.pfil_local_phys: 0\nnet.link.bridge.pfil_member: 1\n"
                         "net.link.bridge.pfil_onlyip: 1\nnet.inet.ip.forwarding: 0\n"),
                         "sysctl: unknown oid 'net.link.bridg'\n"
                         "sysctl: unknown oid 'net.link.lagg.failover_rx_all'\n")
    host.run("kldload if_lagg").check()
    assert run(host, "sysctl -n net.link.lagg.failover_rx_all net.link.lagg.lacp") == (0, "0\n0\n1\n", "")


def test_sleep_sums_its_operands_with_their_units(host):
    # bin/sleep/sleep.c: each operand a number with one unit of s, m, h or d
    before = int(run(host, "date +%s")[1])
    assert run(host, "sleep 1m 0x10 .5s 1e1") == (0, "", "")
    assert int(run(host, "date +%s")[1]) - before in (86, 87)
    assert run(host, "sleep -- -5") == (0, "", "")        # a sum not above 0 returns


def test_sleep_refuses_bad_operands_each_named_then_usage(host):
    usage = ("usage: sleep number[unit] [...]\n"
             "Unit can be 's' (seconds, the default), m (minutes), h (hours), or d (days).\n")
    assert run(host, "sleep") == (1, "", usage)
    assert run(host, "sleep ps 1 2x") == \
        (1, "", "sleep: invalid time interval: ps\nsleep: invalid time interval: 2x\n" + usage)
    assert run(host, "sleep -1") == (1, "", "sleep: illegal option -- 1\n" + usage)
    assert run(host, "sleep 1ss nan") == \
        (1, "", "sleep: invalid time interval: 1ss\nsleep: invalid time interval: nan\n" + usage)
    assert run(host, "sleep 2147483648") == (1, "", usage)   # above INT_MAX


def test_timeout_takes_a_unit(host):
    # bin/timeout/timeout.c parse_duration: s, m, h or d after the number
    assert run(host, "timeout 1m sleep 30")[0] == 0
    assert run(host, "timeout 1h sleep 2h")[0] == 124
    assert run(host, "timeout 1x true") == (125, "", "timeout: invalid duration: 1x\n")
