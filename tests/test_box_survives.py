"""A box that is somebody's (tests/ownbox.py) survives jailkit: after the
howto's feature runs on it, passing, failing or interrupted mid-scenario or
mid-labbuild, everything of the box's is still there, byte for byte. Each
run is a real pytest-bdd run whose session host is that box."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytest.config import ExitCode

import jailkit.pytest_plugin
from jailkit.host import ConnectionLost

from .conftest import bind_feature
from .ownbox import own_box, still_all_there, what_it_has

FEATURE = (Path(__file__).resolve().parents[1] / "scenarios" / "qjail_vnet_howto.feature").read_text()


@pytest.fixture
def box():
    return own_box()


def run_feature_on(box, pytester, monkeypatch, feature: str, *args: str, name: str = "howto"):
    """A real pytest-bdd run of ``feature`` (bound as NAME.feature: each
    feature of one pytester run needs its own) whose session host is ``box``."""
    monkeypatch.setattr(jailkit.pytest_plugin, "connect", lambda url, **settings: box)
    bind_feature(pytester, feature, name)
    return pytester.inline_run("-p", "no:cacheprovider", f"test_{name}.py", *args,
                               no_reraise_ctrlc=True)


def interrupt_after(box, text: str, exception: BaseException = KeyboardInterrupt()) -> list[str]:
    """Ctrl-C (or ``exception``) while the box runs the first command
    containing ``text``: the command has done its work, its answer never
    comes back."""
    real, real_session, hit = box._run, box.session, []

    def after(line: str) -> None:
        if text in line and not hit:
            hit.append(line)
            raise exception

    def run(line, stdin, timeout):
        result = real(line, stdin, timeout)
        after(line)
        return result

    def session(*args, **kwargs):
        # the lines a scenario types go to a lasting shell session
        shell = real_session(*args, **kwargs)
        run_line = shell.run

        def typed(line, **streams):
            status = run_line(line, **streams)
            after(line)
            return status
        shell.run = typed
        return shell
    box._run, box.session = run, session
    return hit


def test_the_box_survives_the_whole_feature(box, pytester, monkeypatch):
    before = what_it_has(box)
    outcome = run_feature_on(box, pytester, monkeypatch, FEATURE)
    passed, skipped, failed = outcome.listoutcomes()
    # the cleanup after each scenario raised nothing: no errors in teardown
    assert not [r for r in outcome.getreports("pytest_runtest_logreport")
                if r.when == "teardown" and r.failed]
    # all pass but troubleshooting 6's pf, whose `pfctl -e` finds the box's pf
    # already enabled (the box's rules it had replaced are back all the same)
    assert len(passed) == FEATURE.count("\n  Scenario:") - 1
    assert [r.nodeid.split("::")[-1] for r in failed] == [
        "test_troubleshooting_6_pf_on_the_host_alone_controls_the_jails_traffic"]
    still_all_there(before, what_it_has(box))


def test_the_box_survives_a_failing_scenario(box, pytester, monkeypatch):
    before = what_it_has(box)
    wrong = FEATURE.replace("inet <jail_ip> netmask 0xff000000", "inet <jail_ip> netmask 0xffffff00")
    outcome = run_feature_on(box, pytester, monkeypatch, wrong, "-k", "steps_1_to_11")
    assert [r.when for r in outcome.getreports("pytest_runtest_logreport") if r.failed] == ["call"]
    still_all_there(before, what_it_has(box))


def test_the_box_survives_an_interrupt_mid_scenario(box, pytester, monkeypatch):
    before = what_it_has(box)
    hit = interrupt_after(box, "ping -c 2 10.0.10.1")
    outcome = run_feature_on(box, pytester, monkeypatch, FEATURE, "-k", "steps_1_to_11")
    assert outcome.ret == ExitCode.INTERRUPTED and hit
    still_all_there(before, what_it_has(box))


def test_the_box_survives_an_interrupt_mid_labbuild(box, pytester, monkeypatch):
    before = what_it_has(box)
    hit = interrupt_after(box, "jexec jk_net2")
    outcome = run_feature_on(box, pytester, monkeypatch, FEATURE, "-k", "steps_1_to_11")
    assert outcome.ret == ExitCode.INTERRUPTED and hit
    still_all_there(before, what_it_has(box))


def test_the_box_survives_a_connection_lost_mid_step(box, pytester, monkeypatch):
    before = what_it_has(box)
    hit = interrupt_after(box, "ping -c 2 10.0.10.1", ConnectionLost("the box went away"))
    outcome = run_feature_on(box, pytester, monkeypatch, FEATURE, "-k", "steps_1_to_11")
    failed = [r for r in outcome.getreports("pytest_runtest_logreport") if r.failed]
    assert hit and [r.when for r in failed] == ["call"]
    assert "ConnectionLost: the box went away" in failed[0].longreprtext
    still_all_there(before, what_it_has(box))
