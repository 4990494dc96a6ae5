"""Accounts and logins on the sim as FreeBSD 14 has them: pw's dates,
groups and shells, passwd(1), and sshd's PAM logins (pam_unix), above all
a password that has expired and must be changed at the first login, as
qjail's `create -c` user has it."""

from __future__ import annotations

import pytest

from jailkit.host import Host, LoginError
from tests.conftest import run

EXPIRED_2012 = 1355270400           # 12 December 2012, 00:00 UTC (pw -p 12-12-12)
# An SSH_ASKPASS that logs each prompt and answers the old password "ssh",
# or "s3cret" when a new one is asked for.
ANSWER = ("#!/bin/sh\necho \"$1\" >> /root/prompts\n"
          "case \"$1\" in *\"New Password:\") echo s3cret ;; *) echo ssh ;; esac\n")


def master_line(host: Host, user: str, root: str = "") -> list[str]:
    lines = run(host, f"cat {root}/etc/master.passwd")[1].splitlines()
    return next(line for line in lines if line.startswith(f"{user}:")).split(":")


def askpass(host: Host, name: str, script: str) -> str:
    host.run(f"cat > /root/{name} && chmod 555 /root/{name}", stdin=script).check()
    return f"SSH_ASKPASS=/root/{name} SSH_ASKPASS_REQUIRE=force ssh -o StrictHostKeyChecking=no"


@pytest.fixture
def expired(jail: Host) -> Host:
    """User ssh in vnet jail v10 as qjail's create -c makes it (password
    "ssh", expired since 2012), with the jail's sshd running."""
    jail.run("jexec v10 pw adduser ssh -p 12-12-12 -c Jail -m -g wheel -s csh -w yes && "
             "jexec v10 sysrc sshd_enable=YES > /dev/null && "
             "jexec v10 service sshd start > /dev/null").check()
    return jail


# -- pw ------------------------------------------------------------------------------------

def test_pw_adduser_as_qjail_c_runs_it(host):
    assert run(host, "pw adduser ssh -p 12-12-12 -c Jail -m -g wheel -s csh -w yes") == (0, "", "")
    fields = master_line(host, "ssh")
    assert fields[2:] == ["1001", "0", "", str(EXPIRED_2012), "0", "Jail", "/home/ssh", "/bin/csh"]
    assert fields[1].startswith("$6$")
    assert "ssh:" not in run(host, "cat /etc/group")[1]       # -g wheel: no group of its own
    assert run(host, "ls -a /home/ssh")[1].split() == [".", "..", ".profile", ".shrc"]


def test_pw_dates(host):
    start = host.machine.kernel.now().timestamp()
    host.run("pw useradd a -p +1d -e 0x10 && pw useradd b -p 01-Jan-2030 -e '13:30 02-03-27' && "
             "pw useradd c -p 0").check()
    assert master_line(host, "a")[5:7] == [str(int(start) + 86400), "16"]
    assert master_line(host, "b")[5:7] == ["1893456000", "1803994200"]
    assert master_line(host, "c")[5] == "0"
    assert run(host, "pw useradd d -p 31-31-2012") == (1, "", "pw: Invalid date\n")
    host.run("pw usermod c -p 12-12-12").check()
    assert master_line(host, "c")[5] == str(EXPIRED_2012)


def test_pw_refuses_bad_names_groups_and_shells(host):
    before = run(host, "cat /etc/master.passwd /etc/passwd /etc/group")[1]
    assert run(host, "pw adduser 'a:b'") == (
        65, "", "pw: invalid character `:' at position 1 in userid/group name\n")
    assert run(host, "pw adduser 'a b'") == (
        65, "", "pw: invalid character ` ' at position 1 in userid/group name\n")
    assert run(host, "pw adduser -n -x") == (
        65, "", "pw: invalid character `-' at position 0 in userid/group name\n")
    assert run(host, f"pw adduser {'x' * 33}") == (
        65, "", f"pw: name too long `{'x' * 33}' (max is 32)\n")
    assert run(host, "pw adduser a -c 'x:y'") == (
        65, "", "pw: invalid character `:' at position 1 in gecos field\n")
    assert run(host, "pw adduser a -g nosuch") == (67, "", "pw: group `nosuch' is not defined\n")
    assert run(host, "pw adduser a -s nosuchsh") == (
        72, "", "pw: shell `nosuchsh' is not valid or not allowed\n")
    assert run(host, "pw usermod nobody2 -p 0") == (67, "", "pw: no such user `nobody2'\n")
    assert run(host, "cat /etc/master.passwd /etc/passwd /etc/group")[1] == before


# -- passwd(1) ------------------------------------------------------------------------------

def test_passwd_as_root_asks_only_for_the_new_password(host):
    host.run("pw adduser test -w yes -p 12-12-12").check()
    assert run(host, "passwd test", stdin="n1\nn1\n") == (
        0, "New Password:Retype New Password:", "Changing local password for test\n")
    assert master_line(host, "test")[5] == "0"       # no longer expired
    assert run(host, "passwd test", stdin="a\nb\n") == (
        1, "New Password:Retype New Password:New Password:",
        "Changing local password for test\nMismatch; try again, EOF to quit.\n"
        "passwd: pam_chauthtok(): conversation failure\n")
    assert run(host, "passwd nosuch") == (1, "", "passwd: nosuch: no such user\n")
    assert run(host, "passwd a b") == (1, "", "usage: passwd [-ly] [-d domain] [-h host] [user]\n")


def test_passwd_as_a_user_asks_for_the_old_password(jail):
    jail.run("jexec v10 pw adduser test -w yes -m && jexec v10 sysrc sshd_enable=YES > /dev/null && "
             "jexec v10 service sshd start > /dev/null").check()
    ssh = askpass(jail, "pw", "#!/bin/sh\necho test\n")
    assert run(jail, f"{ssh} test@10.0.10.10 passwd", stdin="wrong\nx\nx\n")[0::2] == (
        1, "Warning: Permanently added '10.0.10.10' (ED25519) to the list of known hosts.\n"
           "Changing local password for test\npasswd: sorry\n")
    status, out, _ = run(jail, f"{ssh} test@10.0.10.10 passwd", stdin="test\nnew1\nnew1\n")
    assert (status, out) == (0, "Old Password:New Password:Retype New Password:")
    assert run(jail, f"{ssh} test@10.0.10.10 id")[0] == 255       # "test" is no longer it
    new = askpass(jail, "new", "#!/bin/sh\necho new1\n")
    assert run(jail, f"{new} test@10.0.10.10 passwd root") == (1, "", "passwd: permission denied\n")


# -- sshd and PAM ---------------------------------------------------------------------------

def test_an_expired_password_is_changed_at_the_first_login(expired):
    ssh = askpass(expired, "answer", ANSWER)
    assert run(expired, f"{ssh} ssh@10.0.10.10 'id -un; echo $SHELL; pwd'")[:2] == (
        0, "ssh\n/bin/csh\n/home/ssh\n")
    # sshd's keyboard-interactive PAM conversation (auth-pam.c sshpam_thread):
    # pam_unix's password prompt, then pam_chauthtok as root, no old password
    assert run(expired, "cat /root/prompts")[1] == ("(ssh@10.0.10.10) Password for ssh@v10:\n"
                                                    "(ssh@10.0.10.10) New Password:\n"
                                                    "(ssh@10.0.10.10) Retype New Password:\n")
    assert master_line(expired, "ssh", "/usr/jails/v10")[5] == "0"
    expired.run("rm /root/prompts").check()
    assert run(expired, f"{ssh} ssh@10.0.10.10 id")[0::2] == (
        255, "ssh@10.0.10.10: Permission denied (publickey,keyboard-interactive).\n")
    assert run(expired, "cat /root/prompts")[1] == "(ssh@10.0.10.10) Password for ssh@v10:\n" * 3
    new = askpass(expired, "new", "#!/bin/sh\necho s3cret\n")
    assert run(expired, f"{new} ssh@10.0.10.10 'id -un'")[:2] == (0, "ssh\n")


def test_the_harness_login_answers_every_prompt_with_its_password(expired):
    # as paramiko does on a real box (jailkit.hosts.login): the password is
    # changed to itself, and the account is no longer expired
    assert expired.login("10.0.10.10", "ssh", "ssh", "id -un").stdout == "ssh\n"
    assert master_line(expired, "ssh", "/usr/jails/v10")[5] == "0"
    assert expired.login("10.0.10.10", "ssh", "ssh", "hostname").stdout == "v10\n"


def test_with_the_password_method_an_expired_password_ends_the_session(expired):
    # PasswordAuthentication yes and no keyboard-interactive: PAM checks the
    # password alone; session.c do_pwchange finds no terminal for passwd
    expired.run("printf 'KbdInteractiveAuthentication no\\nPasswordAuthentication yes\\n' >> "
                "/usr/jails/v10/etc/ssh/sshd_config").check()
    ssh = askpass(expired, "answer", ANSWER)
    assert run(expired, f"{ssh} ssh@10.0.10.10 id")[0::2] == (
        1, "Warning: Permanently added '10.0.10.10' (ED25519) to the list of known hosts.\n"
           "WARNING: Your password has expired.\nPassword change required but no TTY available.\n")
    assert run(expired, "cat /root/prompts")[1] == "ssh@10.0.10.10's password: \n"
    assert master_line(expired, "ssh", "/usr/jails/v10")[5] == str(EXPIRED_2012)
    # jailkit's own login (paramiko on a real box) takes the password method too
    result = expired.login("10.0.10.10", "ssh", "ssh", "id")
    assert (result.exit_status, result.stdout, result.stderr) == (
        1, "", "WARNING: Your password has expired.\nPassword change required but no TTY available.\n")
    with pytest.raises(LoginError, match=r"^ssh@10\.0\.10\.10: Permission denied$"):
        expired.login("10.0.10.10", "ssh", "bad", "id")
    status, _, err = run(expired, f"{askpass(expired, 'bad', 'echo bad')} ssh@10.0.10.10 id")
    assert (status, err) == (255, "Permission denied, please try again.\n" * 2 +
                             "ssh@10.0.10.10: Permission denied (publickey,password).\n")


def test_closed_accounts_and_root_are_refused(expired):
    ssh = askpass(expired, "answer", ANSWER)
    expired.run("jexec v10 pw usermod ssh -e 01-01-2020").check()
    assert run(expired, f"{ssh} ssh@10.0.10.10 id")[0] == 255
    assert master_line(expired, "ssh", "/usr/jails/v10")[5] == str(EXPIRED_2012)  # not changed
    expired.run("jexec v10 pw usermod root -w yes").check()
    root = askpass(expired, "root", "#!/bin/sh\necho root\n")
    assert run(expired, f"{root} root@10.0.10.10 id")[0::2] == (
        255, "root@10.0.10.10: Permission denied (publickey,keyboard-interactive).\n")


def test_pw_reads_a_password_from_standard_input_with_h(host):
    # pw_user.c pw_set_passwd: -h 0 reads one line; -h - locks the account
    assert run(host, "printf 'Pw.1\\nrest\\n' | pw useradd h1 -m -h 0") == (0, "", "")
    assert host.login("10.0.10.2", "h1", "Pw.1", "id -un").stdout == "h1\n"
    assert run(host, "pw useradd h2 -h -")[0] == 0 and master_line(host, "h2")[1] == "*"
    assert run(host, "printf '\\n' | pw useradd h3 -h 0") == (
        65, "", "pw: empty password read on file descriptor 0\n")
    assert run(host, "printf 'a:b\\n' | pw usermod h1 -H 0") == (65, "", "pw: bad encrypted password\n")
    assert run(host, "printf 'Pw.2\\n' | pw usermod h1 -h 0")[0] == 0
    assert host.login("10.0.10.2", "h1", "Pw.2", "id -un").stdout == "h1\n"


def test_pw_refuses_what_it_does_not_model(host):
    assert run(host, "pw useradd k1 -k /etc/skel") == (
        64, "", "pw: useradd -k is not modelled by the jailkit sim\n")
    assert run(host, "pw useradd k2 -h 3")[0] == 64
    assert "k1" not in run(host, "cat /etc/passwd")[1]
