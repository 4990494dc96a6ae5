"""qjail create -c as qjail 5 does it (its one_time_ssh and build_config_def):
sshd enabled in the jail, UseDNS off, and at the first start a user named
after the jail whose password is its name and has expired, so the first
login must change it; then the howto's login as ssh/ssh."""

from __future__ import annotations

import shlex

import pytest

from jailkit.files import read_file
from jailkit.jailconf import parse
from jailkit.qjail import Qjail
from tests.conftest import run

POSTSTART = "jexec ssh pw adduser ssh -p 12-12-12 -c Jail -m -g wheel -s csh -w yes"


def q(qjail: Qjail, line: str) -> tuple[int, str]:
    outcome = qjail.command(shlex.split(line))
    return outcome.exit_status, outcome.output


@pytest.fixture
def created(host) -> Qjail:
    qjail = Qjail(host)
    assert q(qjail, "qjail install")[0] == 0
    assert q(qjail, "qjail create -4 10.0.10.20 -n fxp0 -c ssh") == (0, "Successfully created  ssh\n")
    return qjail


def poststart(host) -> list[str]:
    conf = parse(read_file(host, "/usr/local/etc/qjail.config/ssh") or "")
    return [value for p in conf.params_for("ssh") if p.name == "exec.poststart" for value in p.values]


def test_create_c_enables_sshd_and_plans_the_user(created, host):
    rc_conf = read_file(host, "/usr/jails/ssh/etc/rc.conf") or ""
    assert rc_conf.endswith('rpcbind_enable="NO"\nsshd_enable=YES\n')   # the default flavor's, then -c's
    assert (read_file(host, "/usr/jails/ssh/etc/ssh/sshd_config") or "").endswith("UseDNS no\n")
    assert 'poststartssh="yes"\n' in (read_file(host, "/usr/local/etc/qjail.local/ssh") or "")
    assert poststart(host) == [POSTSTART]


def test_the_first_start_makes_the_user_and_only_the_first(created, host):
    assert q(created, "qjail start ssh") == (0, "Jail successfully started  ssh\n")
    line = next(l for l in run(host, "cat /usr/jails/ssh/etc/master.passwd")[1].splitlines()
                if l.startswith("ssh:"))
    assert line.split(":")[2:] == ["1001", "0", "", "1355270400", "0", "Jail", "/home/ssh", "/bin/csh"]
    assert poststart(host) == []
    assert 'poststartssh=""\n' in (read_file(host, "/usr/local/etc/qjail.local/ssh") or "")
    assert run(host, "jexec ssh service sshd status")[1].startswith("sshd is running as pid ")
    assert q(created, "qjail restart ssh") == (
        0, "Jail successfully stopped  ssh\nJail successfully started  ssh\n")
    assert run(host, "grep -c '^ssh:' /usr/jails/ssh/etc/master.passwd")[1] == "1\n"


def test_the_howtos_login_as_ssh_changes_the_password(created, host):
    q(created, "qjail start ssh")
    # The host's own sshd also listens on *:22 of this shared stack; stopped
    # here, so the connection reaches the jail's.
    host.run("service sshd stop > /dev/null").check()
    host.run("cat > /root/answer && chmod 555 /root/answer", stdin=(
        "#!/bin/sh\ncase \"$1\" in *\"New Password:\") echo s3cret ;; *) echo ssh ;; esac\n")).check()
    ssh = "SSH_ASKPASS=/root/answer SSH_ASKPASS_REQUIRE=force ssh -o StrictHostKeyChecking=no"
    assert run(host, f"{ssh} -l ssh 10.0.10.20 'id -un; hostname'")[:2] == (0, "ssh\nssh\n")
    assert host.login("10.0.10.20", "ssh", "s3cret", "id -un").stdout == "ssh\n"
    with pytest.raises(Exception, match="Permission denied"):
        host.login("10.0.10.20", "ssh", "ssh", "id -un")


def test_config_v_drops_the_first_start_user(created, host):
    assert q(created, "qjail config -w fxp0 -v none ssh")[0] == 0
    assert poststart(host) == []
    assert 'poststartssh=""\n' in (read_file(host, "/usr/local/etc/qjail.local/ssh") or "")


@pytest.mark.parametrize("name, message", [
    ("x" * 33, f"Error: -c makes a user named after the jail, and a login name has at most 32 "
               f"characters. Jail name {'x' * 33}\n"),
    ("ssh;id", "Error: Only underscore, dash and alphanumeric characters are valid.\n"),
    ("-ssh", "Error: A jail name may not begin with a dash. Jail name -ssh\n"),
])
def test_create_c_refuses_a_name_before_touching_anything(host, name, message):
    qjail = Qjail(host)
    q(qjail, "qjail install")
    before = run(host, "ls -R /usr/jails /usr/local/etc")[1]
    outcome = qjail.command(["create", "-4", "10.0.10.20", "-c", "--", name])
    assert (outcome.exit_status, outcome.output) == (3, message)
    assert run(host, "ls -R /usr/jails /usr/local/etc")[1] == before
