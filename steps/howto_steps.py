"""The steps a howto is written in. Thin: the words of the step go to a
jailkit.terminal.Terminal, which does the work."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from jailkit.boxcheck import ipfw_default_refusal
from jailkit.files import exists
from jailkit.qjail.record import LOCAL
from jailkit.terminal import Terminal


@given("a FreeBSD host with VIMAGE on the howto's LAN")
def vimage_host(scenario: Terminal) -> None:
    vimage = scenario.host.run(["sysctl", "-n", "kern.features.vimage"]).stdout.strip()
    assert vimage == "1", f"kern.features.vimage is {vimage!r}: this kernel has no VIMAGE"
    nics = scenario.host.run(["ifconfig", "-l"]).stdout.split()
    nic = scenario.variables["lan_nic"]
    assert nic in nics, f"the lab's LAN NIC {nic} is not on the host (it has {' '.join(nics)})"


@given("a FreeBSD host on the internet with its public address on the howto's NIC")
def public_host(scenario: Terminal) -> None:
    nic, address = scenario.variables["lan_nic"], scenario.variables["host_ip"]
    shown = scenario.host.run(["ifconfig", nic])
    assert shown.succeeded, f"the lab's NIC {nic} is not on the host: {shown.stderr.strip()}"
    assert f"inet {address} " in shown.stdout, f"{nic} does not have the host's address {address}"


@given("the ssh and www jails of steps 1 to 9")
def qjail_howto_jails(scenario: Terminal) -> None:
    scenario.build_qjail_howto_jails()


@given(parsers.re(r'a jail world at (?P<path>/\S+), the host\'s own copied'))
def host_world(scenario: Terminal, path: str) -> None:
    scenario.copy_host_world(path)


@given("a FreeBSD server with the article's NICs on its LAN")
def server_with_nics(scenario: Terminal) -> None:
    nics = scenario.host.run(["ifconfig", "-l"]).stdout.split()
    wanted = [scenario.variables[name] for name in ("lan_nic", "lagg_port", "jail_nic")]
    missing = [nic for nic in wanted if nic not in nics]
    assert not missing, f"the lab's NICs {' '.join(missing)} are not on the host (it has {' '.join(nics)})"


@given("loading ipfw cannot cut jailkit's session to this host")
def ipfw_accepts(scenario: Terminal) -> None:
    refusal = ipfw_default_refusal(scenario.host)
    assert refusal is None, refusal


@given(parsers.re(r'step 1 "(?P<command>.+)" is played by jailkit\'s qjail'))
def qjail_from_jailkit(scenario: Terminal, command: str) -> None:
    # jailkit's qjail stands in for the port; step 2 needs a host where
    # qjail's environment does not exist yet.
    assert not exists(scenario.host, LOCAL), (
        f"{LOCAL} exists: qjail is already set up on this host, so the howto cannot start "
        "from a fresh 'qjail install'")


@when(parsers.re(r'I enter "(?P<command>.*)"'))
def enter(scenario: Terminal, command: str) -> None:
    scenario.enter(command)


@when(parsers.re(r'on (?P<machine>\S+) I enter "(?P<command>.*)"'))
def enter_on(scenario: Terminal, machine: str, command: str) -> None:
    scenario.enter_on(machine, command)


@when(parsers.re(r'I enter "(?P<command>.*)" with this input:'))
def enter_with_input(scenario: Terminal, command: str, docstring: str) -> None:
    scenario.enter(command, stdin=docstring + "\n")


@when(parsers.re(r'I build vnet jail (?P<name>\S+) as in steps 2 to 5 with firewall "(?P<firewall>\w+)"'))
def build_jail(scenario: Terminal, name: str, firewall: str) -> None:
    scenario.build_howto_jail(name, firewall)


@when(parsers.re(r'on (?P<machine>\S+) I log in with "(?P<command>[^"]*)" and the password '
                 r'"(?P<password>[^"]*)"(?:, changed to "(?P<new>[^"]*)")?'))
def log_in_on(scenario: Terminal, machine: str, command: str, password: str,
              new: str | None) -> None:
    scenario.login_on(machine, command, password, new)


@when(parsers.re(r'I log in with "(?P<command>.*)" and the password "(?P<password>.*)"'))
def log_in(scenario: Terminal, command: str, password: str) -> None:
    scenario.login(command, password)


@then("the output shows:")
def output_shows(scenario: Terminal, docstring: str) -> None:
    scenario.expect_output(docstring)


@then(parsers.re(r'qjail says "(?P<text>.*)"'))
def qjail_says(scenario: Terminal, text: str) -> None:
    scenario.expect_status(succeeded=True)
    scenario.expect_output(text)


@then("the command succeeds")
def succeeds(scenario: Terminal) -> None:
    scenario.expect_status(succeeded=True)


@then(parsers.re(r"the command exits with status (?P<status>\d+)"))
def exits_with(scenario: Terminal, status: str) -> None:
    scenario.expect_exit_status(int(status))


@then("the command fails")
def fails(scenario: Terminal) -> None:
    scenario.expect_status(succeeded=False)


@then(parsers.re(r"I am at the console of jail (?P<name>\S+)"))
def at_console(scenario: Terminal, name: str) -> None:
    assert scenario.console == name, f"the console is {scenario.console or 'closed'}, not {name}"


@then("I am back on the host")
def back_on_host(scenario: Terminal) -> None:
    assert scenario.console is None, f"still at the console of jail {scenario.console}"
