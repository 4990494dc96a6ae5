"""daemons.running() through the kernel's ProcessIndex: the oldest process
of a command in a jail, whatever happened to the process list since the
last question (spawns, a process gone from the middle or the end, the list
replaced, as jail removal, kill and nc do)."""

from __future__ import annotations

from jailkit.sim.kernel import Kernel, Process


def find(kernel: Kernel, jid: int, command: str) -> Process | None:
    return kernel.process_index.find(kernel.processes, jid, command)


def test_the_oldest_process_of_a_command_in_a_jail() -> None:
    kernel = Kernel(seed=1, hostname="h", release="14.3-RELEASE")
    first = kernel.spawn(1, "cron")
    kernel.spawn(2, "cron")
    assert find(kernel, 1, "cron") is first
    second = kernel.spawn(1, "cron")
    assert find(kernel, 1, "cron") is first
    assert find(kernel, 3, "cron") is None
    kernel.processes.remove(first)
    assert find(kernel, 1, "cron") is second


def test_changes_to_the_list_are_seen() -> None:
    kernel = Kernel(seed=1, hostname="h", release="14.3-RELEASE")
    old = kernel.spawn(1, "syslogd")
    assert find(kernel, 1, "syslogd") is old
    kernel.processes.pop()                       # gone from the end ...
    new = kernel.spawn(1, "syslogd")             # ... and one more of it
    assert find(kernel, 1, "syslogd") is new
    kernel.processes[:] = []                     # every process gone, same list
    assert find(kernel, 1, "syslogd") is None
    kept = kernel.spawn(4, "sshd")
    kernel.processes = [Process(5, 4, "sshd"), kept]   # a new list
    assert find(kernel, 4, "sshd") is kernel.processes[0]
