"""The pytest plugin with real pytest-bdd runs: a feature whose step no
step definition matches names the feature file, the line and the closest
known step; a broken lab file is one clear error before any test."""

from __future__ import annotations

import pytest

from jailkit.lab import lab_path
from tests.conftest import bind_feature

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
