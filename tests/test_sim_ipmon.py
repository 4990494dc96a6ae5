"""ipmon(8) and rc.d/ipmon on the sim: the daemon needs /dev/ipl, detaches
with -D and syslog (-s), records its pid; rc.d/ipmon's precmd refuses to
start it without ipfilter or ipnat enabled and running."""

from __future__ import annotations

from tests.conftest import run


def test_ipmon_needs_the_log_device(host):
    assert run(host, "ipmon -Ds") == (1, "", "/dev/ipl: open: No such file or directory\n")


def test_ipmon_Ds_becomes_a_daemon_and_records_its_pid(host):
    host.run("kldload ipl").check()
    assert run(host, "ipmon -Ds") == (0, "", "")
    pid = host.run("cat /var/run/ipmon.pid").stdout
    assert pid.isdigit()                       # write_pid(): "%d", no newline
    assert run(host, "service ipmon onestatus") == (0, f"ipmon is running as pid {pid}.\n", "")


def test_ipmon_in_the_foreground_is_not_pretended(host):
    host.run("kldload ipl").check()
    status, _, err = run(host, "ipmon -D")
    assert status == 1 and "not modelled by the jailkit sim" in err
    status, _, err = run(host, "ipmon -h")
    assert status == 1 and err.startswith("Usage: ipmon [ -abDFhnpstvxX ]")


def test_rc_d_ipmon_requires_ipfilter_enabled_and_running(host):
    assert run(host, "service ipmon onestart") == (
        1, "", "/etc/rc.d/ipmon: ERROR: ipmon requires either ipfilter or ipnat enabled\n")
    host.run("sysrc ipfilter_enable=YES > /dev/null").check()
    assert run(host, "service ipmon onestart") == (
        1, "", "/etc/rc.d/ipmon: ERROR: ipfilter module is not loaded\n")
    host.run("kldload ipl && ipf -E").check()
    assert run(host, "service ipmon onestart") == (0, "Starting ipmon.\n", "")
    assert run(host, "service ipmon onestatus")[1].startswith("ipmon is running as pid ")
