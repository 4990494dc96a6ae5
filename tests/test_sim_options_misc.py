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
    assert run(host, "date -r 86400") == (0, "Fri Jan 02 00:00:00 UTC 1970\n", "")
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
