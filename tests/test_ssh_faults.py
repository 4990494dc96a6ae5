"""The sshd helper of the tests (tests/sshd.py) leaves no users, processes
or files behind, and removes what a crashed run left."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import jailkit
from tests.sshd import MARK, PROJECT, start_sshd, sweep_leftovers


def marked_users() -> set[str]:
    return {entry.pw_name for entry in pwd.getpwall() if entry.pw_gecos.startswith(MARK)}


def test_an_sshd_leaves_no_user_process_or_file():
    before = marked_users()
    server = start_sshd()
    made = set(server.users)
    if os.geteuid() == 0:
        assert len(made) == 2 and made <= marked_users() - before
        assert {Path(pwd.getpwnam(user).pw_dir).parent for user in made} == {server.workdir}
    else:
        assert made == set()    # anyone else logs in as themselves
    host = jailkit.connect(server.url())
    host.run("sleep 60 > /dev/null 2>&1 &").check()   # a process that outlives its session
    host.close()
    pid = server.process.pid
    server.stop()
    assert marked_users() == before
    assert not server.workdir.exists()
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_what_a_crashed_run_left_is_removed_by_the_next():
    # A run killed before it could clean up: its sshd keeps running, its
    # users and directory stay. The next run's first sshd sweeps them.
    crash = ("import os; from tests.sshd import start_sshd; s = start_sshd(); "
             "print(s.workdir, s.process.pid, *s.users, flush=True); os._exit(1)")
    left = subprocess.run([sys.executable, "-c", crash], cwd=PROJECT, capture_output=True,
                          text=True, check=False).stdout.split()
    workdir, sshd_pid, users = Path(left[0]), int(left[1]), left[2:]
    assert workdir.exists() and set(users) <= marked_users()
    sweep_leftovers()
    assert not set(users) & marked_users()
    assert not workdir.exists()
    assert not Path(f"/proc/{sshd_pid}").exists() or \
        Path(f"/proc/{sshd_pid}/stat").read_text().split(")")[1].split()[0] == "Z"
