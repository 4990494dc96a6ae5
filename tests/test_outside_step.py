"""The step `When on MACHINE I enter "COMMAND"`, run by pytest-bdd: the
command runs on the lab's machine (a lab value like <outside>, or a name)
and the usual Then steps check what it printed. The same feature passes on
the sim's modelled lab and on a bare box with the lab built by labbuild."""

from __future__ import annotations

import pytest

import jailkit
from jailkit.terminal import Terminal

from tests.conftest import PROVISIONED_BOX, bind_feature

FEATURE = '''\
Feature: tested from outside
  Scenario: an internet host reaches the host's public address
    When on <outside> I enter "ping -c 1 <host_ip>"
    Then the command succeeds
    And the output shows:
      """
      PING <host_ip> (<host_ip>): 56 data bytes
      64 bytes from <host_ip>: icmp_seq=0 ttl=63 time=<...> ms
      1 packets transmitted, 1 packets received, 0.0% packet loss
      """
    When on <outside> I enter "nc -z -v <host_ip> 22"
    Then the output shows:
      """
      Connection to <host_ip> 22 port [tcp/ssh] succeeded!
      """
    When on www.freebsd.org I enter "fetch -qo - http://<host_ip>:<www_port>/"
    Then the command exits with status 1
    And the output shows:
      """
      fetch: http://<host_ip>:6188/: Connection refused
      """
    When on <outside> I enter "hostname"
    Then the output shows:
      """
      device.example.org
      """
    When I enter "hostname"
    Then the output shows:
      """
      host.example.net
      """
'''


def run_feature(pytester: pytest.Pytester, feature: str, *args: str) -> pytest.RunResult:
    bind_feature(pytester, feature)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", "--lab", "qjail-howto", *args)


@pytest.mark.parametrize("host", ["sim://", PROVISIONED_BOX])
def test_the_step_runs_on_the_lab_machine(pytester, host):
    result = run_feature(pytester, FEATURE, "--host", host)
    result.assert_outcomes(passed=1)


def test_a_wrong_expectation_on_a_lab_machine_fails_the_step(pytester):
    result = run_feature(pytester, FEATURE.replace("22 port [tcp/ssh]", "23 port [tcp/telnet]"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*after `nc -z -v 203.0.113.20 22`*"])


def test_an_unknown_machine_is_named(pytester):
    result = run_feature(pytester, FEATURE.replace("on www.freebsd.org", "on www.example.com"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*'www.example.com' is not a machine of the lab qjail-howto; "
                                 "its machines are router.isp.example, whois.iana.org, "
                                 "www.freebsd.org, device.example.org*"])


def test_the_transcript_shows_where_the_line_was_typed(pytester):
    result = run_feature(pytester, FEATURE, "--steps", "--transcript")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        '    ✓ When on <outside> I enter "ping -c 1 <host_ip>"',
        "          device.example.org /root > ping -c 1 203.0.113.20",
        "          PING 203.0.113.20 (203.0.113.20): 56 data bytes",
    ])


def test_a_login_from_outside_answers_with_the_passwords_as_text():
    # the answers are the askpass program's text, never its code; the
    # program and the known_hosts of that one login are gone afterwards
    host = jailkit.connect("sim://?lab=qjail-howto")
    odd = "a'b $(touch /tmp/pwned) `id` \\\"c"
    host.run(["sh", "-c", 'printf "%s\\n" "$1" | pw useradd odd -m -h 0', "sh", odd]).check()
    terminal = Terminal(host, host.lab.variables())
    typed = terminal.login_on("<outside>", "ssh -p 22 odd@<host_ip> id -un", odd)
    assert typed.exit_status == 0 and typed.stdout.endswith("odd\n"), typed
    assert typed.stdout.startswith("(odd@203.0.113.20) Password for odd@host.example.net:\n")
    assert host.run_on("device.example.org", "ls /tmp").stdout == ""
    assert not host.run("test -e /tmp/pwned").succeeded
