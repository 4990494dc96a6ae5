"""install(1) on the sim (usr.bin/xinstall): the howto's command with its
typo and without, modes, owners and groups, -d, -C, -v, -s, and xinstall's
messages and sysexits(3) statuses."""

from __future__ import annotations

import pytest

from jailkit.sim.commands.install import USAGE, setmode
from tests.conftest import run


def mode_of(host, path: str) -> str:
    return run(host, f"ls -ld {path}")[1].split()[0]


def test_the_howtos_typo_gets_xinstalls_error_and_installs_nothing(host):
    assert run(host, "install /usr/share/examples/jail/jib /usr/local/bin") == (
        71, "", "install: /usr/share/examples/jail/jib: No such file or directory\n")
    assert run(host, "ls /usr/local/bin")[1].split() == ["sudo"]


def test_the_right_path_installs_an_executable_copy_that_runs(host):
    assert run(host, "install /usr/share/examples/jails/jib /usr/local/bin") == (0, "", "")
    assert mode_of(host, "/usr/local/bin/jib") == "-rwxr-xr-x"
    assert mode_of(host, "/usr/share/examples/jails/jib") == "-r--r--r--"
    assert run(host, "jib show") == (0, "", "")
    # no temporary INS@ file is left beside it
    assert run(host, "ls /usr/local/bin")[1].split() == ["jib", "sudo"]


def test_file_to_file_with_a_mode(host):
    assert run(host, "install -m 640 /etc/hosts /tmp/hosts") == (0, "", "")
    assert mode_of(host, "/tmp/hosts") == "-rw-r-----"
    assert run(host, "cat /tmp/hosts")[1] == run(host, "cat /etc/hosts")[1]


@pytest.mark.parametrize("text, directory, mode", [
    ("755", False, 0o755), ("0444", False, 0o444), ("u+x", False, 0o100),
    ("a=r,u+w", False, 0o644), ("a+X", False, 0), ("a+X", True, 0o111), ("go-w", False, 0),
    ("99", False, None), ("u+q", False, None), ("", False, None),
])
def test_setmode_starts_from_nothing(text, directory, mode):
    assert setmode(text, directory) == mode


def test_a_bad_mode_is_a_usage_error(host):
    assert run(host, "install -m u+q /etc/hosts /tmp/x") == (
        64, "", "install: invalid file mode: u+q\n")


def test_owner_and_group_must_exist(host):
    assert run(host, "install -o www -g www /etc/hosts /tmp/a") == (0, "", "")
    assert run(host, "install -o 1234 -g 99 /etc/hosts /tmp/b") == (0, "", "")
    assert run(host, "install -o nosuch /etc/hosts /tmp/c") == (1, "", "install: unknown user nosuch\n")
    assert run(host, "install -g nosuch /etc/hosts /tmp/c") == (1, "", "install: unknown group nosuch\n")
    assert run(host, "ls /tmp")[1].split() == ["a", "b"]


def test_d_makes_every_missing_directory_and_gives_the_last_the_mode(host):
    assert run(host, "install -d -m 700 -v /tmp/x/y/z") == (
        0, "install: mkdir /tmp/x\ninstall: mkdir /tmp/x/y\ninstall: mkdir /tmp/x/y/z\n", "")
    assert mode_of(host, "/tmp/x/y") == "drwxr-xr-x"
    assert mode_of(host, "/tmp/x/y/z") == "drwx------"
    assert run(host, "install -d /etc/hosts/sub") == (
        71, "", "install: /etc/hosts exists but is not a directory\n")


def test_usage_errors(host):
    assert run(host, "install") == (64, "", USAGE)
    assert run(host, "install /etc/hosts") == (64, "", USAGE)
    assert run(host, "install -x a b") == (64, "", "install: illegal option -- x\n" + USAGE)
    assert run(host, "install -d -s /tmp/q") == (
        64, "", "install: -d and -s may not be specified together\n" + USAGE)
    assert run(host, "install /etc/hosts /etc/group /tmp/none") == (
        64, "", "install: target directory `/tmp/none' does not exist\n" + USAGE)
    assert run(host, "install /etc/hosts /etc/group /etc/hosts") == (
        64, "", "install: target `/etc/hosts' is not a directory\n" + USAGE)


def test_file_errors(host):
    assert run(host, "install /etc /tmp/x") == (
        71, "", "install: /etc: Inappropriate file type or format\n")
    assert run(host, "install /etc/hosts /etc/hosts") == (
        64, "", "install: /etc/hosts and /etc/hosts are the same file\n")
    status, _, err = run(host, "install /etc/hosts /no/such/hosts")
    assert status == 71 and err.startswith("install: /no/such/INS@") and \
        err.endswith(": No such file or directory\n")


def test_c_is_accepted_and_v_says_what_it_installs(host):
    assert run(host, "install -c -v /etc/hosts /tmp/h") == (0, "install: /etc/hosts -> /tmp/h\n", "")


def test_compare_leaves_an_identical_target_alone_but_sets_its_mode(host):
    host.run("install /etc/hosts /tmp/h").check()
    assert run(host, "install -C -v -m 600 /etc/hosts /tmp/h") == (0, "", "")
    assert mode_of(host, "/tmp/h") == "-rw-------"


def test_s_installs_a_modelled_program_and_refuses_a_script(host):
    assert run(host, "install -s /bin/ls /tmp/ls && /tmp/ls /tmp") == (0, "ls\n", "")
    assert run(host, "install -s /usr/share/examples/jails/jib /tmp/jib") == (
        1, "", "install: -s on /usr/share/examples/jails/jib, which is not an ELF file, "
               "is not modelled by the jailkit sim\n")
    assert run(host, "DONTSTRIP=1 install -s /usr/share/examples/jails/jib /tmp/jib") == (
        0, "", "install: DONTSTRIP set - will not strip installed binaries\n")


def test_options_the_sim_does_not_model_are_refused(host):
    assert run(host, "install -b /etc/hosts /tmp/h") == (
        1, "", "install: -b is not modelled by the jailkit sim\n")
    assert run(host, "ls /tmp")[1] == ""


def test_d_makes_missing_parents_with_the_umask_and_the_last_with_its_mode(host):
    # install.c install_dir(): mkdir(2) with 0755 for each, then chmod(2) of the last
    host.run("umask 077; install -d -m 750 /tmp/i1/i2/i3").check()
    shown = [run(host, f"ls -ld {d}")[1][:10] for d in ("/tmp/i1", "/tmp/i1/i2", "/tmp/i1/i2/i3")]
    assert shown == ["drwx------", "drwx------", "drwxr-x---"]
