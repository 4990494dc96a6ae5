"""pytest plugin: which host the scenarios run on, the lab, a clean host for
every scenario, and a live view of the steps for people who watch.

    --host URL      sim:// (default), ssh://..., vagrant://..., local://, or JAILKIT_HOST
    --lab NAME      the lab (default qjail-vnet), or JAILKIT_LAB
    --destroy WHEN  never (default), always or passing: a vagrant:// box after the run
    --steps         print each Gherkin step as it passes or fails
    --transcript    also print every command a step types and its output
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .cleanup import restore, snapshot
from .host import Host
from .hosts import connect
from .lab import DEFAULT_LAB, Lab, load_lab
from .scenario import Scenario, Typed


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("jailkit")
    group.addoption("--host", default=os.environ.get("JAILKIT_HOST", "sim://"),
                    help="where scenarios run: sim:// (default), ssh://, vagrant://, local://")
    group.addoption("--lab", default=os.environ.get("JAILKIT_LAB", DEFAULT_LAB),
                    help=f"the lab the howtos assume (default {DEFAULT_LAB})")
    group.addoption("--destroy", choices=("never", "always", "passing"),
                    default=os.environ.get("JAILKIT_DESTROY", "never"),
                    help="what happens to a vagrant:// box after the run (default never: "
                         "keep it, so the next run starts at once)")
    group.addoption("--steps", action="store_true", help="print Gherkin steps as they run")
    group.addoption("--transcript", action="store_true",
                    help="print the commands the steps type and their output")


@pytest.fixture(scope="session")
def jailkit_host(request: pytest.FixtureRequest) -> Iterator[Host]:
    """The host of the session, with its lab ready (built on a real box)."""
    config = request.config
    host = connect(config.getoption("host"), lab=load_lab(config.getoption("lab")),
                   destroy=config.getoption("destroy"))
    try:
        host.prepare_lab()
        yield host
        host.remove_lab()
    finally:
        host.close(passed=request.session.testsfailed == 0)


@pytest.fixture(scope="session")
def jailkit_lab(jailkit_host: Host) -> Lab:
    """The lab of the host (a sim:// URL may have chosen its own)."""
    return jailkit_host.lab


@pytest.fixture
def scenario(jailkit_host: Host, jailkit_lab: Lab, pytestconfig: pytest.Config) -> Iterator[Scenario]:
    """A scenario on a host that is put back as it was afterwards, whether
    the scenario passed, failed or was interrupted."""
    before = snapshot(jailkit_host)
    typed = pytestconfig.stash.setdefault(TYPED, [])
    echo = typed.append if pytestconfig.getoption("transcript") else None
    current = Scenario(jailkit_host, jailkit_lab.variables(), echo)
    try:
        yield current
    finally:
        current.close()         # its shells end before the host is put back
        restore(jailkit_host, before)


# Commands typed during the step now running, shown under it once it ends.
TYPED = pytest.StashKey[list]()


def _write(config: pytest.Config, text: str) -> None:
    """Write to the terminal while pytest captures the test's output."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return
    if capture is None:
        reporter.write(text, flush=True)
        return
    with capture.global_and_fixture_disabled():
        reporter.write(text, flush=True)


def _transcript(config: pytest.Config) -> str:
    typed: list[Typed] = config.stash.get(TYPED, [])
    text = ""
    for entry in typed:
        prompt = "#" if entry.where == "host" else f"{entry.where} /root >"
        text += f"          {prompt} {entry.command}\n"
        text += "".join(f"          {line}\n" for line in entry.output.rstrip("\n").splitlines())
    typed.clear()
    return text


def pytest_bdd_before_scenario(request, feature, scenario) -> None:
    if request.config.getoption("steps"):
        _write(request.config, f"\nFeature: {feature.name}\n  Scenario: {scenario.name}\n")


def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args) -> None:
    if request.config.getoption("steps"):
        _write(request.config, f"    ✓ {step.keyword} {step.name}\n" + _transcript(request.config))


def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args, exception) -> None:
    if request.config.getoption("steps"):
        _write(request.config, f"    ✗ {step.keyword} {step.name}\n" + _transcript(request.config))
