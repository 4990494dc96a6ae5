"""The howto scenarios as pytest-bdd runs them: a wrong expectation fails
with a readable report, the host is cleaned up after a failure, and
--steps shows each step. Each run is a real pytest run of a feature."""

from __future__ import annotations

from pathlib import Path

import pytest

import jailkit

from jailkit.scenario import Scenario, ScenarioError
from tests.conftest import PROVISIONED_BOX, bind_feature
from tests.sshd import start_sshd

ROOT = Path(__file__).resolve().parents[1]
FEATURE = (ROOT / "scenarios" / "qjail_vnet_howto.feature").read_text()
SCENARIOS = FEATURE.count("\n  Scenario:")


def run_feature(pytester: pytest.Pytester, feature: str, *args: str) -> pytest.RunResult:
    bind_feature(pytester, feature)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


def test_the_howto_passes(pytester):
    result = run_feature(pytester, FEATURE)
    result.assert_outcomes(passed=SCENARIOS)


def test_a_wrong_expectation_fails_with_a_readable_report(pytester):
    wrong = FEATURE.replace("inet <jail_ip> netmask 0xff000000", "inet <jail_ip> netmask 0xffffff00")
    result = run_feature(pytester, wrong)
    # Failed, not errored: the cleanup after the failure succeeded.
    result.assert_outcomes(failed=1, passed=SCENARIOS - 1, errors=0)
    result.stdout.fnmatch_lines([
        "*Interface epair1b differs. Expected, not found:",
        "*✗ inet 10.0.10.10 netmask 0xffffff00 broadcast <...>",
        "*closest printed: inet 10.0.10.10 netmask 0xff000000 broadcast 10.255.255.255",
    ])


def test_a_failing_command_fails_the_step(pytester):
    wrong = FEATURE.replace('When I enter "ping -c 2 <gateway>"', 'When I enter "ping -c 2 10.0.10.9"', 1)
    result = run_feature(pytester, wrong)
    result.assert_outcomes(failed=1, passed=SCENARIOS - 1, errors=0)
    result.stdout.fnmatch_lines(["*after `ping -c 2 10.0.10.9`*"])


def test_steps_are_shown_as_they_pass(pytester):
    result = run_feature(pytester, FEATURE, "--steps", "--transcript", "-k", "steps_1_to_11")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "Feature: qjail-vnet-howto: a VIMAGE vnet jail bridged onto the LAN",
        "  Scenario: Steps 1 to 11: build vnet jail v10 and ping the gateway from it",
        "    ✓ When I enter \"qjail install\"",
        "          # qjail install",
        "          Successfully installed qjail system.",
        "    ✓ When I enter \"ping -c 2 <gateway>\"",
        "          v10 /root > ping -c 2 10.0.10.1",
        "    ✓ Then I am back on the host",
    ])


def test_an_unknown_variable_is_named(host):
    scenario = Scenario(host, {"gateway": "10.0.10.1"})
    with pytest.raises(ScenarioError, match=r"<gatway> is not a lab value; known: <gateway>"):
        scenario.enter("ping -c 1 <gatway>")
    # FreeBSD's own <FLAGS> are not variables.
    assert scenario.substitute("flags=8<VLAN_MTU> <...>") == "flags=8<VLAN_MTU> <...>"


def test_the_console_runs_commands_in_the_jail_until_exit(host):
    scenario = Scenario(host, {})
    for line in ("qjail install", "qjail create -4 10.0.10.10 v10", "qjail config -w fxp0 -v none v10",
                 "qjail start v10", "qjail console v10"):
        scenario.enter(line)
    assert scenario.console == "v10"
    assert scenario.enter("hostname").stdout == "v10\n"
    scenario.enter("exit")
    assert scenario.console is None
    assert scenario.enter("hostname").stdout == "desktop.lan\n"


@pytest.mark.long
def test_the_host_option_and_its_environment_variable(pytester, monkeypatch):
    result = run_feature(pytester, FEATURE, "--host", "ftp://box")
    result.stdout.fnmatch_lines(["*unknown host kind 'ftp'*"])
    monkeypatch.setenv("JAILKIT_HOST", "sim://?seed=5")
    run_feature(pytester, FEATURE).assert_outcomes(passed=SCENARIOS)
    monkeypatch.setenv("JAILKIT_HOST", "sim://?seed=x")
    run_feature(pytester, FEATURE).stdout.fnmatch_lines(["*seed must be a number*"])


def test_the_howto_on_a_bare_box_with_the_lab_built(pytester):
    # sim://?bare=1 is a box with its own uplink only, here provisioned by
    # vagrant/provision.sh: the plugin builds the lab with FreeBSD commands
    # first, as on real hardware, and removes it.
    result = run_feature(pytester, FEATURE, "--host", PROVISIONED_BOX)
    result.assert_outcomes(passed=SCENARIOS)


def test_the_lines_of_a_scenario_share_one_shell(host):
    scenario = Scenario(host, {})
    for line in ("cd /etc", "X=5", "f() { echo f$1; }", "false"):
        scenario.enter(line)
    assert scenario.enter("echo $? $X $(pwd) $(f 1)").stdout == "1 5 /etc f1\n"


def test_qjail_in_lists_and_pipelines_and_where_it_cannot_go(host):
    scenario = Scenario(host, {})
    scenario.enter("qjail install")
    typed = scenario.enter("J=v10; qjail create -4 10.0.10.10 $J && qjail list | grep -c $J")
    assert (typed.exit_status, typed.stdout) == (0, "Successfully created  v10\n1\n")
    assert scenario.enter("qjail list > /tmp/list; grep -c v10 /tmp/list").stdout == "1\n"
    typed = scenario.enter("for j in v10; do qjail start $j; done")
    assert typed.exit_status == 2
    assert "not inside if, while, for, case, ( ), { }, a function or $( )" in typed.stderr
    assert scenario.enter("jls -j v10").exit_status == 1     # refused: nothing started


def test_an_unbalanced_quote_is_shs_syntax_error(host):
    scenario = Scenario(host, {})
    for line in ("qjail create -4 '10.0.0.1 v11", 'echo "abc'):
        typed = scenario.enter(line)
        assert (typed.exit_status, typed.stderr) == (2, "sh: Syntax error: Unterminated quoted string\n")
    typed = scenario.login("ssh 'root@10.0.10.10", "secret")
    assert (typed.exit_status, typed.stderr) == (2, "sh: Syntax error: Unterminated quoted string\n")


def test_an_unbalanced_quote_in_a_feature_step(pytester):
    feature = FEATURE.split("\n  Scenario:")[0] + (
        "\n  Scenario: a quote left open\n"
        "    When I enter \"qjail create -4 '10.0.10.33 v33\"\n"
        "    Then the command exits with status 2\n"
        "    And the output shows:\n"
        '      """\n'
        "      sh: Syntax error: Unterminated quoted string\n"
        '      """\n')
    run_feature(pytester, feature).assert_outcomes(passed=1)


def test_an_endless_command_in_a_step_stops_at_the_limit(host):
    scenario = Scenario(host, {"gateway": "10.0.10.1"}, limit=3)
    typed = scenario.enter("ping <gateway>")
    assert typed.exit_status == 0
    assert "3 packets transmitted, 3 packets received, 0.0% packet loss\n" in typed.stdout
    assert typed.stderr.startswith("jailkit sim: `ping 10.0.10.1` ran past its limit (3 virtual")
    assert scenario.enter("echo $?").stdout == "0\n"


def test_the_terminal_over_ssh_to_a_sim_behind_a_real_sshd():
    """Nothing above the host line knows the host: qjail's pipelines and
    lists, and the refusal of a line that a new sh per line would lose, are
    the same over ssh:// (each line there runs in a new sh)."""
    server = start_sshd(sim=True)
    try:
        box = jailkit.connect(server.url())
        scenario = Scenario(box, {})
        assert scenario.enter("qjail install").exit_status == 0
        typed = scenario.enter("qjail create -4 10.0.2.50 v10 && qjail list | grep -c v10")
        assert (typed.exit_status, typed.stdout) == (0, "Successfully created  v10\n1\n")
        # a variable set in one piece of the line would not reach the next
        typed = scenario.enter("J=v10; qjail delete $J")
        assert typed.exit_status == 2 and "the variable J would be lost" in typed.stderr
        assert "v10" in scenario.enter("qjail list").stdout
        typed = scenario.enter("cd /usr/jails")
        assert typed.exit_status == 2 and "runs each command line in a new sh" in typed.stderr
        typed = scenario.enter("echo 'open")
        assert (typed.exit_status, typed.stderr) == (2, "sh: Syntax error: Unterminated quoted string\n")
        box.close()
    finally:
        server.stop()


def test_a_console_opens_only_from_a_line_of_its_own(host):
    scenario = Scenario(host, {})
    for line in ("qjail install", "qjail create -4 10.0.10.10 v10", "qjail start v10"):
        scenario.enter(line)
    typed = scenario.enter("qjail console v10 && hostname")
    assert typed.exit_status == 2 and "type it on a line of its own" in typed.stderr
    assert scenario.console is None
    scenario.enter("qjail console v10")
    assert scenario.console == "v10" and scenario.enter("hostname").stdout == "v10\n"
    assert scenario.end_of_input() and scenario.console is None     # ^D
    assert scenario.enter("hostname").stdout == "desktop.lan\n"
    scenario.enter("qjail console v10")
    assert scenario.enter("exit 3").exit_status == 3 and scenario.console is None
    assert scenario.enter("echo $?").stdout == "3\n"


def test_a_step_that_ends_runs_to_its_end_within_the_default_limit(host):
    scenario = Scenario(host, {"gateway": "10.0.10.1"})
    typed = scenario.enter("ping -c 100 -q <gateway>")
    assert (typed.exit_status, typed.stderr) == (0, "")
    assert "100 packets transmitted, 100 packets received" in typed.stdout
