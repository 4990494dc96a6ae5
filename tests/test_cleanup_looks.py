"""How often the journal looks at the host, and what it may take from an
earlier look: the sim, which only jailkit drives, vouches through
Host.generation() that nothing has run on it since a look, so a window in
which nothing ran costs no look, and it says before anything next runs on
it (Host.before_next_change), so steps with nothing run between them are
one window, looked at once; whatever runs between two windows, by any way
into the host, still falls in no window. A host that cannot vouch (a real box) is
looked at every time."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest

import jailkit
from jailkit.cleanup import MARK, HostState, Journal, snapshot
from jailkit.host import Host, HostTimeout, LoginError
from jailkit.hosts import BACKENDS
from jailkit.hosts.sim import SimHost
from jailkit.lab import load_lab


class Counted(SimHost):
    """A sim host that keeps the command lines it was given."""

    def __init__(self) -> None:
        super().__init__(load_lab("qjail-vnet"))
        self.lines: list[str] = []

    def _run(self, line: str, stdin: str | None, timeout: float | None) -> tuple[int, str, str]:
        self.lines.append(line)
        return super()._run(line, stdin, timeout)

    def looks(self) -> int:
        return sum(MARK in line for line in self.lines)


class Unvouched(Counted):
    """The same machine as a real box is to jailkit: it cannot say whether
    anything changed on it since the last look."""

    def generation(self) -> None:
        return None

    def before_next_change(self, callback: Callable[[], None]) -> bool:
        return False


def test_a_window_in_which_nothing_ran_costs_no_look():
    host = Counted()
    journal = Journal(host)
    journal.open()
    journal.close()
    assert host.looks() == 1
    for _ in range(3):          # steps that only compare output
        journal.open()
        journal.close()
    assert host.looks() == 1
    assert journal.undo() == []
    assert host.looks() == 1


def test_steps_one_after_another_are_one_window_looked_at_once_it_ends():
    host = Counted()
    journal = Journal(host)
    for _ in range(3):
        journal.open()
        host.run("ifconfig epair create").check()
        journal.close()
    # the look before the first step; none between steps, nothing ran there
    assert host.looks() == 1
    assert sorted(journal.record.interfaces) == [f"epair{n}{end}" for n in range(3)
                                                 for end in "ab"]
    assert host.looks() == 2
    journal.undo()
    assert host.run("ifconfig -g epair").stdout == ""


def test_a_path_of_the_boxs_that_steps_remove_and_make_again_is_not_removed():
    host = Counted()
    host.run("mkdir -p /usr/local/bin && echo box > /usr/local/bin/tool").check()
    journal = Journal(host)
    with journal.watching():
        host.run("rm /usr/local/bin/tool").check()
    with journal.watching():
        host.run("echo again > /usr/local/bin/tool").check()
    journal.undo()
    assert host.run("cat /usr/local/bin/tool").stdout == "again\n"


class FailingLook(Counted):
    """A sim whose next look fails (as a slow box's may time out) once
    ``error`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.error: BaseException | None = None

    def _run(self, line: str, stdin: str | None, timeout: float | None) -> tuple[int, str, str]:
        if MARK in line and self.error is not None:
            error, self.error = self.error, None
            raise error
        return super()._run(line, stdin, timeout)


@pytest.mark.parametrize("error", [HostTimeout("the look", 1), KeyboardInterrupt()])
def test_a_window_whose_look_fails_is_looked_at_again_before_anything_runs(error):
    host = FailingLook()
    journal = Journal(host)
    journal.open()
    host.run("ifconfig bridge create").check()
    journal.close()
    host.error = error
    # between steps (a fixture's teardown, say): the look that ends the
    # window fails, and so does the command, which does not run
    with pytest.raises(type(error)):
        host.run("ifconfig epair create")
    assert "epair0a" not in host.run("ifconfig -l").stdout
    # the window's look comes first again; then the command runs, outside it
    host.run("ifconfig epair create").check()
    assert list(journal.record.interfaces) == ["bridge0"]
    journal.undo()
    assert host.run("ifconfig -l").stdout.split()[-2:] == ["epair0a", "epair0b"]


def test_every_waiting_journal_hears_a_change_though_one_before_it_fails():
    host = Counted()
    journal = Journal(host)
    journal.open()
    host.run("ifconfig bridge create").check()

    def interrupted() -> None:
        raise KeyboardInterrupt
    assert host.before_next_change(interrupted)
    journal.close()
    with pytest.raises(KeyboardInterrupt):
        host.run("ifconfig epair create")
    host.run("ifconfig epair create").check()      # between steps: not the scenario's
    journal.open()
    journal.close()
    assert list(journal.record.interfaces) == ["bridge0"]


def test_the_next_scenario_starts_from_the_last_look_of_the_one_before():
    host = Counted()
    first = Journal(host)
    first.open()
    host.run("ifconfig epair create").check()
    first.close()
    first.undo()
    looks = host.looks()
    second = Journal(host)
    second.open()
    assert host.looks() == looks
    host.run("ifconfig bridge create").check()
    second.close()
    assert list(second.record.interfaces) == ["bridge0"]


def test_a_host_that_cannot_vouch_is_looked_at_every_time():
    host = Unvouched()
    journal = Journal(host)
    for _ in range(3):
        journal.open()
        journal.close()
    assert host.looks() == 6


def between_steps(host: Host, way: Callable[[Host], None]) -> Journal:
    """A step, then ``way`` acts on the host, then another step."""
    journal = Journal(host)
    journal.open()
    host.run("ifconfig bridge create").check()
    journal.close()
    way(host)
    journal.open()
    journal.close()
    return journal


def by_command(host: Host) -> None:
    host.run("ifconfig epair create").check()


def by_session(host: Host) -> None:
    session = host.session()
    assert session.run("ifconfig epair create", out=lambda _: None, err=print) == 0
    session.close()


@pytest.mark.parametrize("way", [by_command, by_session])
@pytest.mark.parametrize("kind", [Counted, Unvouched])
def test_what_was_done_between_two_steps_is_not_the_scenarios(kind, way):
    host = kind()
    journal = between_steps(host, way)
    assert list(journal.record.interfaces) == ["bridge0"]
    journal.undo()
    assert host.run("ifconfig -l").stdout.split()[-2:] == ["epair0a", "epair0b"]


def by_lab_machine(host: Host) -> None:
    host.run_on("gateway.lan", "true").check()


def by_login(host: Host) -> None:
    with pytest.raises(LoginError):
        host.login("10.0.10.1", "root", "wrong", "true")


def by_interrupt(host: Host) -> None:
    host.session().interrupt()


@pytest.mark.parametrize("way", [by_command, by_session, by_lab_machine, by_login, by_interrupt])
def test_every_way_into_the_sim_moves_its_generation(way):
    host = jailkit.connect("sim://")
    generation = host.generation()
    way(host)
    assert host.generation() != generation


@pytest.mark.parametrize("way", [by_command, by_session, by_lab_machine, by_login, by_interrupt])
def test_every_way_into_the_sim_is_heard_before_it_changes_anything(way):
    host = jailkit.connect("sim://")
    heard: list[int | None] = []
    assert host.before_next_change(lambda: heard.append(host.generation()))
    generation = host.generation()
    way(host)
    assert heard == [generation]


def test_only_the_sim_vouches():
    # ssh://, vagrant:// and local:// reach boxes that others act on too
    for scheme, backend in BACKENDS.items():
        module, _, name = backend.partition(":")
        kind = getattr(importlib.import_module(module), name)
        assert (kind.generation is Host.generation) == (scheme != "sim"), scheme
        assert (kind.before_next_change is Host.before_next_change) == (scheme != "sim"), scheme


def interfaces(state: HostState) -> list[str]:
    return sorted(state.interfaces)


def test_looks_at_two_hosts_in_turn_each_see_their_own():
    # The parsers' memo is shared by every host: it keys on the listing's
    # whole text, and a look keeps none of what a parser made.
    one, two = jailkit.connect("sim://"), jailkit.connect("sim://")
    one.run("ifconfig bridge create").check()
    first = snapshot(one)
    assert "bridge0" not in interfaces(snapshot(two))
    assert interfaces(snapshot(one)) == interfaces(first)
    first.interfaces.clear()
    first.members["bridge0"] = ["fxp0"]
    again = snapshot(one)
    assert "bridge0" in again.interfaces and "bridge0" not in again.members
