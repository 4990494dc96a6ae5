"""The pytest plugin with real pytest-bdd runs: a feature whose step no
step definition matches names the feature file, the line and the closest
known step; a broken lab file is one clear error before any test."""

from __future__ import annotations

import pytest

from jailkit.lab import lab_path
from tests.conftest import PROVISIONED_BOX, bind_feature

FEATURE = """\
Feature: a small howto
  Scenario: typed by hand
    Given a FreeBSD host with VIMAGE on the howto's LAN
    When I entr "hostname"
    Then the command succeeds

  Scenario: a step nobody wrote
    Given a FreeBSD host with VIMAGE on the howto's LAN
    When I enter "hostname"
    Then the jail is happy
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    bind_feature(pytester, FEATURE, "small")
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


def test_a_misspelt_step_names_the_file_the_line_and_the_closest_step(pytester):
    result = run(pytester)
    result.assert_outcomes(failed=2)
    result.stdout.no_fnmatch_line("*HookCaller*")     # the message, not the machinery's traceback
    result.stdout.fnmatch_lines([
        "small.feature:4: no step definition matches 'When I entr \"hostname\"'; "
        "the closest known when step is: When I enter \"{command}\"",
    ])


def test_an_unknown_step_names_the_closest_of_its_kind(pytester):
    result = run(pytester)
    result.stdout.fnmatch_lines([
        "small.feature:10: no step definition matches 'Then the jail is happy'; "
        "the closest known then step is: Then *",
    ])


def test_the_unknown_step_is_shown_as_failing(pytester):
    result = run(pytester, "--steps", "-k", "typed_by_hand")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["  Scenario: typed by hand",
                                 "    ✓ Given a FreeBSD host with VIMAGE on the howto's LAN",
                                 "    ✗ When I entr \"hostname\""])


def test_a_broken_lab_file_is_one_clear_error(pytester):
    lab = pytester.path / "broken.yaml"
    lab.write_text(lab_path("qjail-vnet").read_text().replace("nic: fxp0", "nic: 'fxp0; reboot'"))
    result = run(pytester, "--lab", str(lab))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {lab}: host.nic: 'fxp0; reboot' is not a FreeBSD interface name*"])
    result.stdout.no_fnmatch_line("*Traceback*")


# -- a feature names its lab -------------------------------------------------------------
ON_ITS_LAB = """\
@lab:vnet-jib-pf-nat
Feature: a cloud VM's howto
  Scenario: on vtnet0
    When I enter "ifconfig vtnet0"
    Then the command succeeds
    When I enter "ifconfig fxp0"
    Then the command fails
"""

ON_THE_DEFAULT_LAB = """\
Feature: a desktop's howto
  Scenario: on fxp0
    When I enter "ifconfig fxp0"
    Then the command succeeds
    When I enter "ifconfig vtnet0"
    Then the command fails
"""


def two_labs(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    bind_feature(pytester, ON_ITS_LAB, "a_cloud")
    bind_feature(pytester, ON_THE_DEFAULT_LAB, "b_desktop")
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


def test_a_feature_runs_in_the_lab_its_tag_names(pytester):
    two_labs(pytester).assert_outcomes(passed=2)


def test_on_a_box_the_labs_take_turns(pytester):
    # a (provisioned) bare box has no lab: each is built in turn, the first taken down before
    # the second (its vtnet0 is gone when the desktop's scenario runs)
    two_labs(pytester, "--host", PROVISIONED_BOX).assert_outcomes(passed=2)


def test_a_url_that_sets_another_lab_says_so(pytester):
    result = two_labs(pytester, "--host", "sim://?lab=qjail-howto")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*this feature's howto needs the lab vnet-jib-pf-nat, but the "
                                 "--host URL sets lab=qjail-howto*"])


def test_a_misspelt_lab_tag_is_one_clear_error(pytester):
    bind_feature(pytester, ON_ITS_LAB.replace("vnet-jib-pf-nat", "vnet-jib"), "cloud")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: *@lab:vnet-jib: no lab named 'vnet-jib' (known labs: *"])


PASSING = """\
Feature: a small howto
  Scenario: typed by hand
    Given a FreeBSD host with VIMAGE on the howto's LAN
    When I enter "ifconfig bridge create"
    Then the command succeeds
"""


def test_a_finished_scenario_leaves_no_journal_on_its_item(pytester):
    # pytest keeps its items until the session ends: a journal left on one
    # would keep the host's whole machine alive for every collection after
    from jailkit.pytest_plugin import JOURNAL
    bind_feature(pytester, PASSING, "small")
    recorder = pytester.inline_run("-p", "no:cacheprovider")
    recorder.assertoutcome(passed=1)
    items = [call.item for call in recorder.getcalls("pytest_runtest_protocol")]
    assert len(items) == 1 and JOURNAL not in items[0].stash


SHELL_WONT_CLOSE = """\
from pathlib import Path

import pytest

from jailkit.terminal import Terminal


@pytest.fixture(autouse=True)
def shell_wont_close(jailkit_host, monkeypatch):
    close = Terminal.close

    def failing(self):
        close(self)
        raise OSError("the session's shell would not close")
    monkeypatch.setattr(Terminal, "close", failing)
    yield
    Path("left").write_text(jailkit_host.run("ifconfig -l").stdout)
"""


def test_the_host_is_put_back_even_when_a_shell_cannot_be_closed(pytester):
    bind_feature(pytester, PASSING, "small")
    pytester.makeconftest(SHELL_WONT_CLOSE)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*OSError: the session's shell would not close*"])
    assert "bridge" not in (pytester.path / "left").read_text()
