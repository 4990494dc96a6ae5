"""jail(8) as the jail.conf howtos use it (jail-conf-vnet-guide,
vnet-jib-pf-nat): exec.clean's environment and directory, exec.consolelog,
mount.fstab, the boot scripts as exec.start/exec.stop, ${name}, vnet
interfaces, syntax errors with their line and nothing half-started; the
base programs the guide runs that the sim does not model; and the world
stand-in (a copy of the host's world) a feature types instead of
`make installworld`."""

from __future__ import annotations

import pytest

from jailkit.files import write_file
from tests.conftest import run

# The stand-in for `make installworld distribution DESTDIR=`, `bsdinstall
# jail` or a ZFS dataset: the host's own world, copied as qjail install
# copies it; the same lines work on a FreeBSD 14 box (cp -Rp keeps the
# schg flags installworld set).
WORLD = [
    "mkdir -p /jail/jamulus/usr",
    "cp -Rp /bin /lib /libexec /sbin /etc /jail/jamulus/",
    "cp -Rp /usr/bin /usr/lib /usr/libdata /usr/libexec /usr/sbin /usr/share /jail/jamulus/usr/",
    "mkdir -p /jail/jamulus/dev /jail/jamulus/tmp /jail/jamulus/root /jail/jamulus/var/log"
    " /jail/jamulus/var/run /jail/jamulus/var/tmp /jail/jamulus/var/db /jail/jamulus/var/empty"
    " /jail/jamulus/var/cron/tabs",
    "chmod 1777 /jail/jamulus/tmp /jail/jamulus/var/tmp",
    "rm -f /jail/jamulus/etc/ssh/ssh_host_* /jail/jamulus/etc/jail.conf /jail/jamulus/etc/rc.conf",
]

# vnet-jib-pf-nat.txt's jail.conf, with the epair made by hand instead of jib
JAMULUS = """\
jamulus {
        host.hostname = "jamulus.beastie.local";    # hostname
        path = "/jail/jamulus";                     # root directory
        exec.clean;                                 # clean environment variables
        mount.devfs;                                # mount devfs
        vnet;
        vnet.interface = "e0b_${name}";
        exec.prestart += "ifconfig epair create up";
        exec.prestart += "ifconfig epair0b name e0b_${name}";
        exec.poststop += "ifconfig epair0a destroy";
        exec.start += "/bin/sh /etc/rc";
        exec.stop = "/bin/sh /etc/rc.shutdown jail";
        exec.consolelog = "/var/log/jail_jamulus_console.log";
}
"""


def _world(host) -> None:
    for line in WORLD:
        assert run(host, line)[0] == 0, line


def test_the_world_stand_in_keeps_the_system_flags(host):
    _world(host)
    assert run(host, "ls -lo /jail/jamulus/lib/libc.so.7")[1].split()[4] == "schg"
    assert run(host, "ls /jail/jamulus/root /jail/jamulus/etc/rc.conf")[0] == 1


def test_the_howtos_jail_starts_with_its_rc_and_its_console_log(host):
    _world(host)
    write_file(host, "/etc/jail.conf", JAMULUS)
    status, out, err = run(host, "jail -c jamulus")
    assert (status, out, err) == (0, "epair0a\ne0b_jamulus\njamulus: created\n", "")
    # /etc/rc's own output went to exec.consolelog, not to jail(8)'s
    assert "Starting cron." in run(host, "cat /var/log/jail_jamulus_console.log")[1]
    assert run(host, "jls -j jamulus host.hostname path vnet")[1] == \
        "jamulus.beastie.local /jail/jamulus new\n"
    assert run(host, "jexec jamulus ifconfig -l")[1] == "lo0 e0b_jamulus\n"
    assert run(host, "jail -r jamulus") == (0, "jamulus: removed\n", "")
    assert "e0b_jamulus" not in run(host, "ifconfig -l")[1]
    assert "epair0a" not in run(host, "ifconfig -l")[1]


def test_exec_clean_gives_roots_login_class_environment_in_its_home(host):
    _world(host)
    status, out, err = run(host, "jail -c path=/jail/jamulus name=c persist exec.clean "
                           "exec.start='/bin/sh -c \"pwd; env\"' exec.prestart='/bin/sh -c pwd'")
    assert (status, err) == (0, "")
    # command.c: PATH and TERM, setusercontext(LOGIN_SETPATH|LOGIN_SETENV)
    # with login.conf's default class, then USER, HOME, SHELL; chdir(home)
    assert out == ("/root\n/root\n"
                   "PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:/root/bin\n"
                   "TERM=xterm\nLANG=C.UTF-8\nMM_CHARSET=UTF-8\nMAIL=/var/mail/root\nBLOCKSIZE=K\n"
                   "USER=root\nHOME=/root\nSHELL=/bin/sh\n"
                   # and the PWD sh exports from its start (bin/sh/cd.c pwd_init)
                   "PWD=/root\n")


def test_without_exec_clean_the_jail_command_runs_from_the_jails_root(host):
    _world(host)
    assert run(host, "jail -c path=/jail/jamulus name=c persist exec.start='/bin/sh -c pwd'") \
        == (0, "/\n", "")


def test_exec_clean_without_a_home_fails_and_leaves_nothing(host):
    _world(host)
    host.run("rmdir /jail/jamulus/root").check()
    write_file(host, "/etc/jail.conf", JAMULUS)
    status, out, err = run(host, "jail -c jamulus")
    assert status == 1
    assert err == ("jail: jamulus: chdir /root: No such file or directory\n"
                   "jail: jamulus: /bin/sh /etc/rc: failed\n")
    assert run(host, "jls")[1].count("\n") == 1                    # the header alone
    assert "e0b_jamulus" in run(host, "ifconfig -l")[1]            # back on the host
    assert "/jail/jamulus/dev" not in run(host, "mount")[1]          # devfs unmounted


def test_exec_clean_without_root_in_the_jails_passwd(host):
    _world(host)
    host.run("rm /jail/jamulus/etc/master.passwd /jail/jamulus/etc/passwd").check()
    assert run(host, "jail -c path=/jail/jamulus name=c persist exec.clean exec.start=true") == \
        (1, "", "jail: unknown uid 0\njail: true: failed\n")     # no jail.conf name to say


def test_exec_failure_is_written_to_the_console_log(host):
    host.run("mkdir -p /j/empty").check()
    status, out, err = run(host, "jail -c path=/j/empty name=e exec.consolelog=/var/log/e.log "
                           "exec.start=/bin/sh")
    assert (status, out, err) == (1, "", "jail: /bin/sh: failed\n")
    assert run(host, "cat /var/log/e.log")[1] == "jail: exec /bin/sh: No such file or directory\n"
    assert run(host, "jail -c path=/j/empty name=e exec.consolelog=/nowhere/e.log "
                     "exec.start=/bin/sh")[2] == "jail: open /nowhere/e.log: No such file or directory\n"


def test_mount_devfs_on_a_missing_path(host):
    write_file(host, "/etc/jail.conf", JAMULUS)
    assert run(host, "jail -c jamulus") == (
        1, "", "jail: jamulus: mount.devfs: /jail/jamulus/dev: No such file or directory\n")
    assert "epair" not in run(host, "ifconfig -l")[1]          # prestart never ran


def test_mount_fstab_is_mounted_and_unmounted(host):
    _world(host)
    host.run("mkdir -p /jail/jamulus/mnt /data").check()
    write_file(host, "/etc/fstab.j", "# the data\n/data /jail/jamulus/mnt nullfs ro 0 0\n")
    write_file(host, "/etc/jail.conf", 'j { path = /jail/jamulus; persist; '
               'mount.fstab = "/etc/fstab.${name}"; devfs_ruleset = 5; allow.raw_sockets; }\n')
    host.run("jail -f /etc/jail.conf -c j").check()
    assert "/data on /jail/jamulus/mnt (nullfs, local, read-only" in run(host, "mount")[1]
    assert run(host, "jls -j j -n devfs_ruleset allow.raw_sockets persist")[1] == \
        "devfs_ruleset=5 allow.raw_sockets=1 persist\n"
    host.run("jail -r j").check()
    assert "/jail/jamulus/mnt" not in run(host, "mount")[1]


# jailparse.y's yyerror(): "FILE line N: TOKEN: syntax error" with flex's
# line count, "FILE: unexpected EOF" at the end; yyparse fails, jail exits 1
# before any jail is looked at (config.c load_config).
@pytest.mark.parametrize("conf, message", [
    ("j {\n  path = /\n}\n", "jail: /etc/jail.conf line 4: }: syntax error\n"),
    ("j {\n  path = /;\n}\n}\n", "jail: /etc/jail.conf line 5: }: syntax error\n"),
    ("j {\n  path = /;\n  persist;\n", "jail: /etc/jail.conf: unexpected EOF\n"),
])
def test_a_syntax_error_names_its_line_and_starts_nothing(host, conf, message):
    write_file(host, "/etc/jail.conf", 'exec.prestart = "touch /tmp/started";\n' + conf)
    assert run(host, "jail -c j") == (1, "", message)
    assert run(host, "jail -c") == (1, "", message)
    assert run(host, "ls /tmp/started")[0] == 1
    assert run(host, "jls")[1].count("\n") == 1


@pytest.mark.parametrize("command", ["make installworld DESTDIR=/jails/testjail",
                                     "zfs create zroot/jails/testjail", "bsdinstall jail /jails/t",
                                     "pkg -j jamulus install jamulus", "pkg install -y jamulus"])
def test_what_cannot_run_offline_says_it_is_not_modelled(host, command):
    name = command.split()[0]
    assert run(host, command) == (1, "", f"{name}: part of FreeBSD, but not modelled by the "
                                  "jailkit sim; run this step on a real FreeBSD host "
                                  "(--host ssh://... or vagrant://)\n")


def test_jexec_sh_without_input_exits_at_once(host):
    _world(host)
    host.run("jail -c path=/jail/jamulus name=j host.hostname=j.example persist").check()
    assert run(host, "jexec j sh") == (0, "", "")
    assert run(host, "jexec j sh", stdin="hostname; pwd\n") == (0, "j.example\n/\n", "")


def test_the_udp_stand_in_for_jamulus_answers_on_port_22124(host):
    """pkg cannot install jamulus offline: a UDP listener in the jail on
    jamulus's port stands in for it, typed as a feature types it (the same
    lines run on FreeBSD 14: a non-interactive sh gives a background job
    /dev/null as its input, and 2>&1 lets jexec's session end)."""
    _world(host)
    write_file(host, "/etc/jail.conf", JAMULUS)
    write_file(host, "/jail/jamulus/etc/rc.conf",
               'ifconfig_e0b_jamulus="10.192.0.10/24"\ndefaultrouter="10.192.0.1"\n')
    host.run("jail -c jamulus && ifconfig epair0a inet 10.192.0.1/24").check()
    assert run(host, "jexec jamulus sh -c 'nc -u -l 22124 > /tmp/udp.log 2>&1 &'") == (0, "", "")
    assert run(host, "echo hello jamulus | nc -u -w 1 10.192.0.10 22124")[0] == 0
    assert run(host, "jexec jamulus cat /tmp/udp.log") == (0, "hello jamulus\n", "")
    assert "nc          " in run(host, "jexec jamulus sockstat -4 -l -p 22124")[1]


def test_jexec_l_gives_the_login_class_environment_and_home(host):
    _world(host)
    host.run("jail -c path=/jail/jamulus name=j persist").check()
    status, out, err = run(host, "jexec -l -U root j /bin/sh -c 'pwd; env'")
    assert (status, err) == (0, "")
    assert out.startswith("/root\nPATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:"
                          "/usr/local/bin:/root/bin\nTERM=xterm\nLANG=C.UTF-8\n")
    # -U: a user of the jail; -u (and -l alone): of the host (jexec.c get_user_info)
    host.run("jexec j pw useradd jane -m").check()
    assert run(host, "jexec -l -U jane j pwd") == (0, "/home/jane\n", "")
    assert run(host, "jexec -l -u jane j pwd") == (1, "", "jexec: jane: no such user\n")
    host.run("rmdir /jail/jamulus/root").check()
    assert run(host, "jexec -l j pwd") == (1, "", "jexec: chdir: /root: No such file or directory\n")


def test_service_jail_start_and_stop_as_rc_d_jail_says_it(host):
    _world(host)
    write_file(host, "/etc/jail.conf", JAMULUS)
    host.run("sysrc jail_enable=YES jail_list=jamulus").check()
    # jail -i's jid and the hooks' output go to rc.d/jail's temporary file
    assert run(host, "service jail start") == (0, "Starting jails: jamulus.\n", "")
    assert run(host, "service jail stop jamulus") == (0, "Stopping jails: jamulus.\n", "")
    assert run(host, "service jail stop jamulus") == (0, "Stopping jails:.\n", "")   # not running


def test_service_jail_start_shows_why_a_jail_failed_and_still_exits_0(host):
    _world(host)
    host.run("rmdir /jail/jamulus/root").check()
    write_file(host, "/etc/jail.conf", JAMULUS)
    host.run("sysrc jail_enable=YES").check()
    # echo " cannot start jail " "\"NAME\": " (two words: two spaces), then
    # the temporary file; jail_start's last command is echo '.'
    assert run(host, "service jail start jamulus") == (
        0, 'Starting jails: cannot start jail  "jamulus": \nepair0a\ne0b_jamulus\n'
           "jail: jamulus: chdir /root: No such file or directory\n"
           "jail: jamulus: /bin/sh /etc/rc: failed\n.\n", "")
    assert run(host, "service jail start nowhere") == (
        0, 'Starting jails: cannot start jail  "nowhere": \njail: "nowhere" not found\n.\n', "")


def test_service_jail_without_a_list_starts_every_jail_of_jail_conf(host):
    write_file(host, "/etc/jail.conf", "path = /; persist;\na { }\nb { }\n")
    host.run("sysrc jail_enable=YES").check()
    assert run(host, "service jail start") == (0, "Starting jails: a b.\n", "")
    assert run(host, "service jail stop") == (0, "Stopping jails: a b.\n", "")
    assert run(host, "jls name") == (0, "", "")


def test_a_missing_mount_fstab_fails_before_any_command(host):
    """jail-conf-vnet-guide's mount.fstab names a file it never writes:
    config.c check_intparams reads it before the first command."""
    write_file(host, "/etc/jail.conf", 'vnet;\ntestjail {\npath = /;\njid = 1;\n'
               'mount.fstab = /etc/fstab.testjail.local;\nexec.prestart = "ifconfig epair1 create";\n'
               'persist;\n}\n')
    assert run(host, "jail -c testjail") == (
        1, "", "jail: testjail: mount.fstab: /etc/fstab.testjail.local: No such file or directory\n")
    assert "epair1a" not in run(host, "ifconfig -l")[1]
    host.run("touch /etc/fstab.testjail.local").check()
    assert run(host, "jail -c testjail") == (0, "epair1a\ntestjail: created\n", "")


def test_jail_l_runs_the_commands_clean(host):
    # jail(8): -l is exec.clean=true for every jail
    status, out, _ = run(host, "jail -l -c path=/ name=l persist exec.start='/bin/sh -c \"echo $PATH\"'")
    assert (status, out) == (0, "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:/root/bin\n")
