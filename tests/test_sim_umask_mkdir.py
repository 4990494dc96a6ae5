"""umask(2) per process (sh's umask sets its shell's; children inherit it;
open(2) with O_CREAT and mkdir(2) take its bits) and mkdir(1) as
bin/mkdir/mkdir.c has it: a symbolic -m, -p's parents u+wx, -v."""

from __future__ import annotations

from jailkit.host import Host
from tests.conftest import run


def _modes(host: Host, *paths: str) -> list[str]:
    """Each path's mode as ls -l shows it, in the order given."""
    return [run(host, f"ls -ld {path}")[1][:10] for path in paths]


def test_what_a_process_creates_loses_the_bits_of_its_umask(host: Host) -> None:
    run(host, "umask 077; mkdir /tmp/d; touch /tmp/t; echo x > /tmp/r; echo y | tee /tmp/e; "
              "sort -o /tmp/s /etc/hosts; awk 'BEGIN { print 1 > \"/tmp/a\" }'")
    assert _modes(host, "/tmp/d", "/tmp/t", "/tmp/r", "/tmp/e", "/tmp/s", "/tmp/a") == [
        "drwx------", "-rw-------", "-rw-------", "-rw-------", "-rw-------", "-rw-------"]
    # a new shell (another process, another login) starts from 022 again
    run(host, "touch /tmp/later")
    assert _modes(host, "/tmp/later") == ["-rw-r--r--"]


def test_a_subshell_has_its_own_umask_and_children_inherit_it(host: Host) -> None:
    assert run(host, "(umask 027; touch /tmp/in; sh -c umask); umask; touch /tmp/out") == (
        0, "0027\n0022\n", "")
    assert _modes(host, "/tmp/in", "/tmp/out") == ["-rw-r-----", "-rw-r--r--"]


def test_cp_masks_a_new_files_mode_and_drops_setuid_unless_p(host: Host) -> None:
    run(host, "touch /tmp/src && chmod 4775 /tmp/src && touch /tmp/kept && chmod 600 /tmp/kept")
    run(host, "umask 022; cp /tmp/src /tmp/new; cp -p /tmp/src /tmp/same; cp /tmp/src /tmp/kept")
    # bin/cp copy_file(): O_CREAT with the mode less S_ISUID|S_ISGID; -p's
    # setfile() sets it whole; an existing file keeps its own
    assert _modes(host, "/tmp/new", "/tmp/same", "/tmp/kept") == [
        "-rwxr-xr-x", "-rwsrwxr-x", "-rw-------"]


def test_chmod_without_a_class_reads_the_umask_of_its_process(host: Host) -> None:
    run(host, "touch /tmp/x && chmod 600 /tmp/x")
    run(host, "umask 002; chmod +w /tmp/x")
    assert _modes(host, "/tmp/x") == ["-rw--w----"]


def test_mkdir_m_takes_a_symbolic_mode_and_sets_it_whole(host: Host) -> None:
    run(host, "umask 077; mkdir -m u=rwx,go=rx /tmp/m; mkdir -m 1777 /tmp/sticky")
    assert _modes(host, "/tmp/m", "/tmp/sticky") == ["drwxr-xr-x", "drwxrwxrwt"]
    assert run(host, "mkdir -m bogus /tmp/n") == (1, "", "mkdir: invalid file mode: bogus\n")
    assert run(host, "test -e /tmp/n") == (1, "", "")


def test_mkdir_p_makes_parents_u_wx_and_v_names_each_made(host: Host) -> None:
    assert run(host, "umask 0777; mkdir -pv /tmp/a/b/c") == (0, "/tmp/a\n/tmp/a/b\n/tmp/a/b/c\n", "")
    # POSIX: the parents as `mkdir -p -m $(umask -S),u+wx`; the last as asked
    assert _modes(host, "/tmp/a", "/tmp/a/b", "/tmp/a/b/c") == [
        "d-wx------", "d-wx------", "d---------"]
    assert run(host, "mkdir -pv /tmp/a/b") == (0, "", "")
    assert run(host, "mkdir -p /etc/hosts/x") == (1, "", "mkdir: /etc/hosts: Not a directory\n")
    assert run(host, "mkdir -p /etc/hosts") == (1, "", "mkdir: /etc/hosts: File exists\n")


def test_mkdir_names_the_missing_parent_and_exits_64_on_usage(host: Host) -> None:
    assert run(host, "mkdir /no/such/dir") == (1, "", "mkdir: /no/such: No such file or directory\n")
    assert run(host, "mkdir /etc /tmp/ok") == (1, "", "mkdir: /etc: File exists\n")
    assert run(host, "test -d /tmp/ok") == (0, "", "")
    assert run(host, "mkdir") == (64, "", "usage: mkdir [-pv] [-m mode] directory_name ...\n")
    # "/" names no component to make: vfs_lookup.c's EISDIR, which -p takes as made
    assert run(host, "mkdir /") == (1, "", "mkdir: /: Is a directory\n")
    assert run(host, "mkdir -p /") == (0, "", "")
