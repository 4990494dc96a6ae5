"""rc.conf read again and again (rc, devd's check of each new interface,
service, sysrc): every read sees the file as it is now, and a file that
runs a command runs it at each read, as sourcing it does."""

from __future__ import annotations

from jailkit.host import Host
from tests.conftest import run


def test_each_read_sees_the_file_as_it_is_now(host: Host) -> None:
    assert run(host, "sysrc -n hostname")[1] == "desktop.lan\n"
    run(host, "echo 'hostname=\"b.lan\"' >> /etc/rc.conf")
    assert run(host, "sysrc -n hostname")[1] == "b.lan\n"
    run(host, "echo 'sshd_enable=\"NO\"' >> /etc/rc.conf")
    assert run(host, "service sshd rcvar")[1] == '# sshd\n#\nsshd_enable="NO"\n'


def test_a_command_in_rc_conf_runs_at_every_read(host: Host) -> None:
    run(host, "echo 'x=$(echo run >> /tmp/runs)' >> /etc/rc.conf")
    run(host, "sysrc -n hostname; sysrc -n hostname; service sshd rcvar")
    assert run(host, "cat /tmp/runs")[1] == "run\nrun\nrun\n"


def test_a_variable_of_the_environment_is_read_at_every_read(host: Host) -> None:
    run(host, "echo 'hostname=\"$HOME.lan\"' >> /etc/rc.conf")
    assert run(host, "sysrc -n hostname")[1] == "/root.lan\n"
    assert run(host, "HOME=/x sysrc -n hostname")[1] == "/x.lan\n"
