"""Options of date, which, id, timeout and uname, and of sh's umask,
ulimit, readonly, cd, trap, pwd, jobs and test, as FreeBSD 14.3 acts on
them; those the sim does not model are refused, never taken and ignored."""

from __future__ import annotations

from jailkit.host import Host
from tests.conftest import run

NOT_MODELLED = "is not modelled by the jailkit sim\n"


def test_which_s_prints_nothing_and_a_prints_every_match(host: Host) -> None:
    assert run(host, "which -s sh; echo $?") == (0, "0\n", "")
    assert run(host, "which -s nosuchprogram; echo $?") == (0, "1\n", "")
    run(host, "mkdir -p /tmp/wb && cp /bin/sh /tmp/wb/sh")
    assert run(host, "PATH=/bin:/tmp/wb /usr/bin/which -a sh") == (0, "/bin/sh\n/tmp/wb/sh\n", "")
    assert run(host, "PATH=/bin:/tmp/wb /usr/bin/which sh") == (0, "/bin/sh\n", "")
    # a name with a slash is checked alone; a directory or plain file is no program
    assert run(host, "which /bin/sh /etc/rc.conf /tmp") == (1, "/bin/sh\n", "")


def test_which_without_a_program_prints_its_usage(host: Host) -> None:
    assert run(host, "which -s") == (1, "", "usage: which [-as] program ...\n")
    assert run(host, "which -x sh") == (
        1, "", "which: illegal option -- x\nusage: which [-as] program ...\n")


def test_date_r_prints_the_given_seconds_since_the_epoch(host: Host) -> None:
    assert run(host, "date -r 0 +%Y-%m-%dT%H:%M:%S") == (0, "1970-01-01T00:00:00\n", "")
    assert run(host, "date -u -r 0x10 +%s") == (0, "16\n", "")
    # %+ pads the day with a space (FreeBSD strftime(3))
    assert run(host, "date -r 86400") == (0, "Fri Jan  2 00:00:00 UTC 1970\n", "")
    assert run(host, "date -R -r 0") == (0, "Thu, 01 Jan 1970 00:00:00 +0000\n", "")


def test_date_refuses_what_it_does_not_model(host: Host) -> None:
    for command, what in [("date -j -f %Y%m%d 20200101 +%s", "option -f "),
                          ("date -v+1d +%d", "option -v "),
                          ("date -r /etc/rc.conf", "option -r with a file "),
                          ("date 202001010000", "a date operand "),
                          ("date -j 202001010000", "a date operand ")]:
        assert run(host, command) == (1, "", f"date: {what}{NOT_MODELLED}"), command
    assert run(host, "date -x")[0::2] == (1, "date: illegal option -- x\nusage: date [-jnRu] "
                                            "[-I[date|hours|minutes|seconds|ns]] [-f input_fmt]\n"
                                            "            [ -z output_zone ] [-r filename|seconds] "
                                            "[-v[+|-]val[y|m|w|d|H|M|S]]\n            "
                                            "[[[[[[cc]yy]mm]dd]HH]MM[.SS] | new_date] [+output_fmt]\n")


def test_uname_b_and_id_p_are_refused(host: Host) -> None:
    assert run(host, "uname -b") == (1, "", f"uname: option -b {NOT_MODELLED}")
    assert run(host, "id -P root") == (1, "", f"id: option -P {NOT_MODELLED}")
    assert run(host, "id -p root") == (1, "", f"id: option -p {NOT_MODELLED}")
    assert run(host, "id -u root") == (0, "0\n", "")


def test_timeout_v_says_which_signal_and_p_keeps_the_status(host: Host) -> None:
    assert run(host, "timeout -v 1 sleep 5") == (
        124, "", "timeout: sending signal TERM(15) to command 'sleep'\n")
    assert run(host, "timeout -p -s KILL 1 sleep 5") == (137, "", "")
    assert run(host, "timeout -p -s int -k 5 1 sleep 5") == (130, "", "")
    assert run(host, "timeout -s BOGUS 1 sleep 5") == (125, "", "timeout: invalid signal\n")
    assert run(host, "timeout -k x 1 sleep 5") == (125, "", "timeout: invalid duration: x\n")


def test_test_tells_fifos_block_devices_and_sockets_from_regular_files(host: Host) -> None:
    for op in ("-p", "-b", "-S"):
        assert run(host, f"test {op} /etc/rc.conf") == (1, "", ""), op
        assert run(host, f"[ {op} /etc/rc.conf ]") == (1, "", ""), op
        assert run(host, f"test ! {op} /etc/rc.conf -a -f /etc/rc.conf") == (0, "", ""), op
    assert run(host, "test -c /dev/null && test ! -c /etc/rc.conf") == (0, "", "")
    assert run(host, "chmod 4755 /tmp && test -u /tmp && test ! -g /tmp") == (0, "", "")


def test_test_nt_ot_and_ef_compare_files(host: Host) -> None:
    run(host, "echo a > /tmp/a; ln -s /tmp/a /tmp/l")
    # -nt and -ot are false when a file is missing; -ef: the same file
    assert run(host, "test /tmp/a -nt /tmp/missing") == (1, "", "")
    assert run(host, "test /tmp/missing -ot /tmp/a") == (1, "", "")
    assert run(host, "test /tmp/a -ef /tmp/l && test ! /tmp/a -ef /etc/rc.conf") == (0, "", "")
    # with both files there, the sim has no modification times to compare
    assert run(host, "test /tmp/a -nt /etc/rc.conf") == (
        2, "", f"test: option -nt {NOT_MODELLED}")


def test_trap_l_lists_the_signals_as_freebsd_sh_does(host: Host) -> None:
    # a new line once a line (each name and its space) passes 71 columns
    assert run(host, "trap -l") == (0, "HUP INT QUIT ILL TRAP ABRT EMT FPE KILL BUS SEGV SYS PIPE "
                                       "ALRM TERM URG\nSTOP TSTP CONT CHLD TTIN TTOU IO XCPU XFSZ "
                                       "VTALRM PROF WINCH INFO USR1 USR2\n", "")
    assert run(host, "trap -x 'echo hi' INT; echo after") == (2, "", "sh: trap: Illegal option -x\n")
    assert run(host, "trap -- 'echo bye' EXIT; trap - INT; echo ok") == (0, "ok\nbye\n", "")


def test_cd_dash_goes_back_and_an_interactive_shell_prints_where(host: Host) -> None:
    assert run(host, "cd /tmp; cd /etc; cd -; pwd") == (0, "/tmp\n", "")
    assert run(host, "sh -i -c 'cd /tmp; cd /etc; cd -'") == (0, "/tmp\n", "")
    assert run(host, "unset OLDPWD; cd -") == (2, "", "sh: cd: OLDPWD not set\n")
    assert run(host, "cd /tmp /etc") == (2, "", "sh: cd: too many arguments\n")
    assert run(host, "cd -x /tmp") == (2, "", "sh: cd: Illegal option -x\n")


def test_pwd_and_cd_p_resolve_symbolic_links(host: Host) -> None:
    run(host, "mkdir -p /tmp/real && ln -s /tmp/real /tmp/link")
    assert run(host, "cd /tmp/link && pwd && pwd -L && pwd -P && pwd -PL") == (
        0, "/tmp/link\n/tmp/link\n/tmp/real\n/tmp/link\n", "")
    assert run(host, "cd -P /tmp/link && pwd") == (0, "/tmp/real\n", "")
    assert run(host, "pwd x") == (2, "", "sh: pwd: too many arguments\n")


def test_jobs_l_shows_the_process_id_and_s_only_it(host: Host) -> None:
    status, out, _ = run(host, "nc -l 4444 > /dev/null & jobs -l; jobs -s; jobs -p; kill %1")
    pid = out.split("\n")[1]
    assert status == 0 and pid.isdigit()
    head = f"[1] + {pid} Running"
    assert out == f"{head:<30}nc -l 4444\n{pid}\n{pid}\n"
    assert run(host, "jobs -x") == (2, "", "sh: jobs: Illegal option -x\n")


def test_ulimit_prints_the_file_size_limit_and_refuses_the_rest(host: Host) -> None:
    assert run(host, "ulimit") == (0, "unlimited\n", "")
    assert run(host, "ulimit -n") == (2, "", f"sh: ulimit: option -n {NOT_MODELLED}")
    assert run(host, "ulimit 100") == (
        2, "", "sh: ulimit: setting a limit is not modelled by the jailkit sim\n")


def test_umask_sets_the_mask_and_shows_it_in_octal_or_symbolically(host: Host) -> None:
    assert run(host, "umask; umask -S") == (0, "0022\nu=rwx,g=rx,o=rx\n", "")
    assert run(host, "umask 077; umask; umask -S") == (0, "0077\nu=rwx,g=,o=\n", "")
    assert run(host, "umask 027; (umask); umask g+w,o=r; umask") == (0, "0027\n0003\n", "")
    assert run(host, "umask u=rwx,g=rx,o=; umask; umask a-w; umask -S") == (
        0, "0027\nu=rx,g=rx,o=\n", "")
    assert run(host, "umask 089; umask") == (0, "0022\n", "sh: umask: Illegal number: 089\n")
    assert run(host, "umask u+q") == (2, "", "sh: umask: Illegal number: u+q\n")
    assert run(host, "umask g+X") == (
        2, "", "sh: umask: the symbolic mode g+X is not modelled by the jailkit sim\n")


def test_readonly_variables_cannot_be_assigned_or_unset(host: Host) -> None:
    assert run(host, "readonly R=1; R=2; echo $R") == (2, "", "sh: R: is read only\n")
    # a regular builtin: the assignment fails that command alone (eval.c)
    assert run(host, "readonly R=1; R=2 true; echo no $?") == (0, "no 2\n", "sh: R: is read only\n")
    assert run(host, "readonly R=1; unset R; echo $? $R") == (0, "1 1\n", "")
    assert run(host, "readonly R=1; for R in a; do :; done") == (2, "", "sh: R: is read only\n")
    # alone, the names; -p, commands that mark them again (var.c exportcmd())
    assert run(host, "readonly R; readonly Q='a b'; readonly; readonly -p") == (
        0, "Q\nR\nreadonly Q='a b'\nreadonly R\n", "")
    assert run(host, "readonly R=1; (R=3) ; echo $?; export R=4") == (
        2, "2\n", "sh: R: is read only\nsh: R: is read only\n")
