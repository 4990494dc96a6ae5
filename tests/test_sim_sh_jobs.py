"""Background jobs, kill, wait, jobs and trap in the sim's sh.

A job runs in place when it starts (the sim is deterministic: one program at
a time); what it leaves running, such as a listening nc, goes on while the
shell does, as the job's process: $! names it, kill signals it, wait waits
for it and jobs shows it (bin/sh/jobs.c, bin/kill/kill.c, bin/sh/trap.c)."""

from __future__ import annotations

from tests.conftest import run as out


def listeners(host) -> list[str]:
    return [line.split()[1:3] for line in host.run("sockstat -4l").stdout.splitlines()[1:]
            if " nc " in line]


def test_a_listener_started_with_and_serves_a_later_command(host):
    script = ("nc -l 5000 > /tmp/got & "
              "echo hello | nc -N 127.0.0.1 5000; wait $!; echo \"status $?\"; cat /tmp/got")
    assert out(host, script) == (0, "status 0\nhello\n", "")


def test_dollar_bang_names_the_jobs_process_and_kill_ends_it(host):
    status, stdout, err = out(host, "nc -l 5000 > /dev/null & echo $!; sockstat -4l")
    pid = stdout.splitlines()[0]
    assert any(line.split()[1:3] == ["nc", pid] for line in stdout.splitlines()[1:])
    assert out(host, f"kill {pid}; echo $?") == (0, "0\n", "")
    assert listeners(host) == []
    assert out(host, f"kill {pid}") == (1, "", f"kill: {pid}: No such process\n")


def test_jobs_shows_a_running_job_then_how_it_ended(host):
    script = ("nc -l 5000 > /dev/null &\n"
              "sh -c 'exit 3' &\n"
              "jobs; kill %1; jobs; jobs")
    status, stdout, err = out(host, script)
    assert (status, err) == (0, "")
    assert stdout.splitlines() == [
        "[1] - Running                 nc -l 5000",
        "[2] + Done(3)                 sh -c 'exit 3'",
        "[1] + Terminated              nc -l 5000",
    ]


def test_wait_gives_a_jobs_status_and_127_for_a_stranger(host):
    assert out(host, "sh -c 'exit 3' & wait $!; echo $?") == (0, "3\n", "")
    assert out(host, "false & wait %1; echo $?; wait 12345; echo $?") == (0, "1\n127\n", "")
    assert out(host, "true & wait; echo $?") == (0, "0\n", "")


def test_kill_by_job_and_signal_names(host):
    script = "nc -l 5000 > /dev/null & kill -s INT %1; echo $?; wait %1; echo $?"
    assert out(host, script) == (0, "0\n130\n", "")
    assert out(host, "nc -l 5001 > /dev/null & kill -9 %1; wait %1; echo $?") == (0, "137\n", "")
    assert out(host, "kill -l 143") == (0, "TERM\n", "")
    assert out(host, "kill %7") == (1, "", "kill: No such job: %7\n")
    status, _, err = out(host, "kill -s BOGUS 1")
    assert status == 2 and err.startswith("kill: unknown signal BOGUS; valid signals:\n")
    assert out(host, "kill")[0] == 2


def test_kill_the_program_too(host):
    # /bin/kill, as jexec runs it
    status, stdout, _ = out(host, "nc -l 5000 > /dev/null & echo $!")
    assert out(host, f"/bin/kill -s TERM {stdout.strip()}; echo $?") == (0, "0\n", "")
    assert listeners(host) == []


def test_a_jail_sees_only_its_own_processes(host):
    host.run("jail -c name=j persist").check()
    status, stdout, _ = out(host, "nc -l 5000 > /dev/null & echo $!")
    pid = stdout.strip()
    assert out(host, f"jexec j kill {pid}") == (1, "", f"kill: {pid}: No such process\n")
    assert len(listeners(host)) == 1


def test_the_exit_trap_runs_when_the_shell_ends(host):
    assert out(host, "trap 'echo bye' EXIT; echo hi") == (0, "hi\nbye\n", "")
    assert out(host, "trap 'echo bye' 0; exit 3") == (3, "hi\n"[3:] + "bye\n", "")
    assert out(host, "trap 'echo bye; exit 4' EXIT; false") == (4, "bye\n", "")
    assert out(host, "trap 'echo bye' EXIT; trap - EXIT; echo hi") == (0, "hi\n", "")


def test_trap_lists_and_refuses_unknown_conditions(host):
    assert out(host, "trap 'echo x' EXIT INT; trap 'echo y' TERM; trap - INT; trap") == (
        0, "trap -- 'echo x' EXIT\ntrap -- 'echo y' TERM\nx\n", "")
    assert out(host, "trap 'echo x' NOSUCH") == (1, "", "sh: trap: bad signal NOSUCH\n")


def test_a_subshell_does_not_inherit_the_exit_trap(host):
    assert out(host, "trap 'echo outer' EXIT; (echo inner); echo after") \
        == (0, "inner\nafter\nouter\n", "")


def test_a_job_that_never_ends_is_left_running_until_killed(host):
    # if_lagg_test.sh's stress cases: `while true; do ...; done &`, then
    # sleep 60 and kill $PID. The sim runs the job in place: a loop that
    # never ends is stopped there (after 1000 turns) and stays a process.
    script = ("while true; do echo -n . >> /tmp/count; done & P=$!; jobs; sleep 60; "
              "kill $P; echo $?; wait $P; echo $?; wc -c < /tmp/count")
    status, stdout, err = out(host, script)
    assert (status, err) == (0, "")
    lines = stdout.splitlines()
    assert lines[0].startswith("[1] + Running")
    assert lines[1:] == ["0", "143", "    1000"]
