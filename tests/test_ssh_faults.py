"""ssh:// under load and faults, against real OpenSSH sshd processes on
127.0.0.1: threads sharing one Host, sessions sshd refuses, the default
deadline, a frozen box, sshd restarted; and the sshd helper's users."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import jailkit
from jailkit import ConnectionLost, HostTimeout
from jailkit.hosts import HostURLError
from jailkit.hosts.ssh import DEFAULT_DEADLINE
from tests.processes import wait_until_gone
from tests.sshd import MARK, PROJECT, Sshd, start_sshd, sweep_leftovers


@pytest.fixture(scope="module")
def sshd():
    server = start_sshd()
    yield server
    server.stop()


def hammer(host, threads: int, commands: int) -> list[str]:
    """``threads`` threads each run ``commands`` commands on one shared
    host; every wrong output or error, as text."""
    wrong: list[str] = []

    def worker(number: int) -> None:
        for i in range(commands):
            expected = f"{number}-{i}\n"
            try:
                got = host.run(f"echo {number}-{i}").stdout
            except Exception as exc:   # noqa: BLE001 - every failure is a finding here
                got = f"{type(exc).__name__}: {exc}"
            if got != expected:
                wrong.append(f"{expected.strip()}: {got!r}")
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return wrong


def connections_made(host) -> list[float]:
    """When the host opened each of its connections, from now on."""
    made: list[float] = []
    connect = host._connect

    def counted(*args):
        made.append(time.monotonic())
        return connect(*args)
    host._connect = counted
    return made


@pytest.mark.long
def test_eight_threads_share_one_host(sshd):
    host = jailkit.connect(sshd.url())
    made = connections_made(host)
    assert hammer(host, threads=8, commands=200) == []
    assert len(made) == 1    # one connection for all, never dropped
    host.close()


def test_threads_feeding_stdin_to_commands_that_read_it_or_not(sshd):
    # A command that exits without reading its stdin (echo) has sshd close
    # the channel while the data is still being sent: that must cost no
    # connection, and wc -c must count every byte.
    host = jailkit.connect(sshd.url())
    made = connections_made(host)
    wrong: list[str] = []

    def worker(number: int) -> None:
        for i in range(40):
            size = 1000 * (number + 1) + i
            command, data, expected = ("wc -c", "x" * size, f"{size}") if i % 2 else \
                (f"echo {number}-{i}", "y" * 300_000, f"{number}-{i}")
            try:
                got = host.run(command, stdin=data).stdout.strip()
            except Exception as exc:   # noqa: BLE001 - every failure is a finding here
                got = f"{type(exc).__name__}: {exc}"
            if got != expected:
                wrong.append(f"{command}: {got!r}")
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert wrong == []
    assert len(made) == 1
    host.close()


def test_a_session_sshd_refuses_is_asked_for_again():
    # MaxSessions 2: most of the eight threads' sessions are refused at
    # first; each is asked for again and the connection is kept for all.
    server = start_sshd(max_sessions=2)
    try:
        host = jailkit.connect(server.url())
        made = connections_made(host)
        assert hammer(host, threads=8, commands=25) == []
        assert len(made) == 1
        assert b"no more sessions" in (server.workdir / "sshd.log").read_bytes()  # they were refused
        host.close()
    finally:
        server.stop()


def test_every_command_has_a_default_deadline(sshd):
    assert jailkit.connect("ssh://box").deadline == DEFAULT_DEADLINE == 600
    host = jailkit.connect(sshd.url(deadline="1"))
    late = sshd.scratch / "late-default"
    started = time.monotonic()
    with pytest.raises(HostTimeout, match=rf"'sleep 3; touch {late}' did not finish within 1 s"):
        host.run(f"sleep 3; touch {late}")
    assert time.monotonic() - started < 2.5
    wait_until_gone(str(late))
    assert not late.exists()     # sshd signalled the command's process group: it ended
    assert host.run("echo still usable").stdout == "still usable\n"
    assert host.run("sleep 0.2; echo a timeout given wins", timeout=5).succeeded
    host.close()


@pytest.mark.parametrize("option", ["deadline", "keepalive", "timeout"])
@pytest.mark.parametrize("value", ["soon", "0", "-5", "inf", "nan", ""])
def test_bad_seconds_in_the_url(option, value):
    with pytest.raises(HostURLError, match=rf"{option} must be a number of seconds above 0, "
                                           rf"not '{value}'"):
        jailkit.connect(f"ssh://box?{option}={value}")


def test_bad_deadline_for_vagrant():
    with pytest.raises(HostURLError, match="deadline must be a number of seconds above 0, not 'x'"):
        jailkit.connect("vagrant://default?deadline=x")


def run_in_thread(host, command: str) -> dict:
    """Run ``command`` in a thread; what it returned or raised, and when."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["result"] = host.run(command)
        except Exception as exc:   # noqa: BLE001 - the outcome is what the test checks
            outcome["error"] = exc
        outcome["ended"] = time.monotonic()
    outcome["thread"] = threading.Thread(target=target, daemon=True)
    outcome["thread"].start()
    return outcome


def frozen_outcome(server: Sshd, url: str, command: str) -> tuple[dict, float]:
    """Freeze sshd while ``command`` runs; the outcome and when it was
    frozen. sshd is thawed before returning, whatever happened."""
    host = jailkit.connect(url)
    host.run("true").check()
    try:
        outcome = run_in_thread(host, command)
        time.sleep(0.5)
        server.freeze()
        frozen_at = time.monotonic()
        outcome["thread"].join(30)   # a bound, so that a hang fails instead of hanging
        return outcome, frozen_at
    finally:
        server.thaw()
        host.close()


@pytest.mark.long
def test_a_frozen_box_is_noticed_by_the_keepalive():
    server = start_sshd()
    try:
        outcome, frozen_at = frozen_outcome(server, server.url(keepalive="1"), "sleep 2; echo done")
        assert isinstance(outcome.get("error"), ConnectionLost), outcome
        assert "the box stopped answering (no reply to keepalives for 3 s) while 'sleep 2; " \
               "echo done' was running; it may or may not have finished" in str(outcome["error"])
        assert outcome["ended"] - frozen_at < 6   # three intervals, and one to send the first
        # thawed, the box answers again: a new connection
        host = jailkit.connect(server.url())
        assert host.run("echo back").stdout == "back\n"
        host.close()
    finally:
        server.stop()


@pytest.mark.long
def test_a_frozen_box_ends_a_command_at_its_deadline():
    server = start_sshd()
    try:
        outcome, frozen_at = frozen_outcome(server, server.url(deadline="3", keepalive="60"),
                                            "sleep 2; echo done")
        assert isinstance(outcome.get("error"), HostTimeout), outcome
        assert str(outcome["error"]) == "'sleep 2; echo done' did not finish within 3 s and was stopped"
        assert outcome["ended"] - frozen_at < 3.5
    finally:
        server.stop()


@pytest.mark.long
def test_a_box_frozen_between_commands():
    server = start_sshd()
    try:
        host = jailkit.connect(server.url(deadline="3", keepalive="60"))
        host.run("true").check()
        server.freeze()
        outcome = run_in_thread(host, "echo late")
        started = time.monotonic()
        outcome["thread"].join(30)
        assert isinstance(outcome.get("error"), HostTimeout), outcome
        assert outcome["ended"] - started < 3.5
        # a new connection to the frozen box: no answer within its deadline either
        fresh = jailkit.connect(server.url(deadline="2", timeout="10"))
        with pytest.raises(jailkit.host.HostError, match=r"127.0.0.1:\d+: sshd did not answer within 2 s"):
            fresh.run("true")
        server.thaw()
        assert host.run("echo thawed").stdout == "thawed\n"
        host.close()
    finally:
        server.stop()


def test_threads_see_sshd_killed_under_them_and_go_on(sshd):
    # Killing sshd's connection processes while eight threads run: a
    # command cut off is ConnectionLost (never a wrong output, never
    # another error), and every thread's next commands run again.
    host = jailkit.connect(sshd.url())
    host.run("true").check()
    threading.Timer(0.3, sshd.drop_connections).start()
    wrong = hammer(host, threads=8, commands=100)
    assert all("ConnectionLost: " in line and "may" in line for line in wrong), wrong
    assert len(wrong) <= 8      # at most the one command each thread had running
    assert hammer(host, threads=8, commands=10) == []
    host.close()


def test_a_restarted_sshd_is_reconnected_to_once(sshd):
    host = jailkit.connect(sshd.url())
    assert host.run("echo before").stdout == "before\n"
    sshd.restart()      # the connection is dead before the next command starts
    assert host.run("echo after").stdout == "after\n"
    restart = threading.Timer(0.5, sshd.restart)
    restart.start()
    with pytest.raises(ConnectionLost, match="may or may not have finished"):
        host.run("sleep 5")
    restart.join()
    assert host.run("echo again").stdout == "again\n"
    host.close()


# -- the users the helper makes ---------------------------------------------------------------
def marked_users() -> set[str]:
    return {entry.pw_name for entry in pwd.getpwall() if entry.pw_gecos.startswith(MARK)}


def users_made_here() -> set[str]:
    """The marked users this test process made (other runs on the machine
    may make and remove theirs meanwhile)."""
    return {entry.pw_name for entry in pwd.getpwall() if entry.pw_gecos == f"{MARK}{os.getpid()}"}


def test_an_sshd_leaves_no_user_process_or_file():
    before = users_made_here()
    server = start_sshd()
    made = set(server.users)
    if os.geteuid() == 0:
        assert len(made) == 2 and made <= users_made_here() - before
        assert {Path(pwd.getpwnam(user).pw_dir).parent for user in made} == {server.workdir}
    else:
        assert made == set()    # anyone else logs in as themselves
    host = jailkit.connect(server.url())
    host.run("sleep 60 > /dev/null 2>&1 &").check()   # a process that outlives its session
    host.close()
    pid = server.process.pid
    server.stop()
    assert users_made_here() == before and not made & marked_users()
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
