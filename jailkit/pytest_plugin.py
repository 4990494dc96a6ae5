"""pytest plugin: which host the scenarios run on, the lab, a clean host for
every scenario, and a live view of the steps for people who watch.

    --host URL      sim:// (default), ssh://..., vagrant://..., local://, or JAILKIT_HOST
    --lab NAME      the lab (default qjail-vnet), or JAILKIT_LAB
    --destroy WHEN  never (default), always or passing: a vagrant:// box after the run
    --steps         print each Gherkin step as it passes or fails
    --transcript    also print every command a step types and its output
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_bdd.compat import get_fixture_names, getfixturedefs
from pytest_bdd.steps import step_function_context_registry

from .cleanup import Journal
from .host import Host, HostError, HostTimeout
from .hosts import connect
from .lab import DEFAULT_LAB, Lab, LabError, load_lab
from .labbuild import LabRecord, build_lab, remove_lab
from .terminal import Terminal, Typed


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


# The lab --lab names, read when pytest starts.
LAB = pytest.StashKey[Lab]()


def pytest_configure(config: pytest.Config) -> None:
    """Read the lab file before any test: a broken one is one clear error
    (file, key, problem), not a traceback in every scenario."""
    try:
        config.stash[LAB] = load_lab(config.getoption("lab"))
    except LabError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def jailkit_host(request: pytest.FixtureRequest) -> Iterator[Host]:
    """The host of the session, with its lab ready: modelled by the host
    (the sim), or built around it here (a real box, a bare sim box)."""
    config = request.config
    host = connect(config.getoption("host"), lab=config.stash[LAB], destroy=config.getoption("destroy"))
    lab = _lab(host, config)
    # what this session built, so only that is taken down (a lab found
    # already there was built by someone else and stays)
    built: LabRecord | None = None
    try:
        if not host.models_lab:
            built = build_lab(host, lab)
        yield host
    finally:
        # also after an interrupt or a lost connection: the lab was built by
        # this session and goes with it (a failed build took itself down)
        try:
            if built is not None:
                remove_lab(host, lab, built)
        finally:
            host.close(passed=request.session.testsfailed == 0)


@pytest.fixture(scope="session")
def jailkit_lab(jailkit_host: Host, pytestconfig: pytest.Config) -> Lab:
    """The lab of the host (a sim:// URL may have chosen its own)."""
    return _lab(jailkit_host, pytestconfig)


def _lab(host: Host, config: pytest.Config) -> Lab:
    """The host's own lab (a sim:// URL's ?lab=), else the one --lab names."""
    return host.lab if host.lab is not None else config.stash[LAB]


@pytest.fixture
def scenario(jailkit_host: Host, jailkit_lab: Lab, pytestconfig: pytest.Config,
             request: pytest.FixtureRequest) -> Iterator[Terminal]:
    """A scenario on a host that is put back as it was afterwards, whether
    the scenario passed, failed or was interrupted: its journal records what
    each step created and changed (see jailkit.cleanup), and exactly that
    is undone."""
    journal = Journal(jailkit_host)
    request.node.stash[JOURNAL] = journal
    journal.open()
    typed = pytestconfig.stash.setdefault(TYPED, [])
    echo = typed.append if pytestconfig.getoption("transcript") else None
    current = Terminal(jailkit_host, jailkit_lab.variables(), echo)
    try:
        yield current
    finally:
        current.close()         # its shells end before the host is put back
        journal.undo()


# The journal of the scenario now running: a window per step.
JOURNAL = pytest.StashKey[Journal]()


def _journal(request: pytest.FixtureRequest) -> Journal | None:
    return request.node.stash.get(JOURNAL, None)


def _end_window(request: pytest.FixtureRequest) -> None:
    """End the step's window. A host that cannot be reached now leaves it
    open for the scenario's undo (the step's own error is the one to see)."""
    journal = _journal(request)
    if journal is not None:
        try:
            journal.close()
        except (HostError, HostTimeout):
            pass


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


def pytest_bdd_before_step(request, feature, scenario, step, step_func) -> None:
    journal = _journal(request)
    if journal is not None:
        journal.open()


def pytest_bdd_before_scenario(request, feature, scenario) -> None:
    if request.config.getoption("steps"):
        _write(request.config, f"\nFeature: {feature.name}\n  Scenario: {scenario.name}\n")


def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args) -> None:
    _end_window(request)
    if request.config.getoption("steps"):
        _write(request.config, f"    ✓ {step.keyword} {step.name}\n" + _transcript(request.config))


def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args, exception) -> None:
    _end_window(request)
    if request.config.getoption("steps"):
        _write(request.config, f"    ✗ {step.keyword} {step.name}\n" + _transcript(request.config))


def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception) -> None:
    """A misspelt or unknown step: say where it is (feature file and line)
    and which known step is closest, rather than pytest-bdd's bare message
    and a traceback of its internals."""
    if request.config.getoption("steps"):
        _write(request.config, f"    ✗ {step.keyword} {step.name}\n")
    place = _feature_path(feature.filename, request.config.rootpath)
    known = _known_steps(request, step.type)
    close = max(known, key=lambda text: difflib.SequenceMatcher(None, step.name, text).ratio(),
                default=None)
    hint = (f"the closest known {step.type} step is: {step.keyword} {close}" if close
            else f"no {step.type} step is defined at all")
    pytest.fail(f"{place}:{step.line_number}: no step definition matches "
                f"'{step.keyword} {step.name}'; {hint}", pytrace=False)


def _feature_path(filename: str, root: Path) -> str:
    path = Path(filename)
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


# A named group of a step's regex, as the step reads to a person: {name}.
_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")


def _known_steps(request: pytest.FixtureRequest, kind: str) -> list[str]:
    """The step definitions this test can see that take a ``kind`` step
    (given, when, then), as text."""
    manager = request._fixturemanager   # pytest has no public listing; pytest-bdd reads it too
    steps = []
    for name in get_fixture_names(manager):
        for fixturedef in getfixturedefs(manager, name, request.node) or ():
            context = step_function_context_registry.get(fixturedef.func)
            if context is not None and context.type in (None, kind):
                steps.append(_GROUP.sub(r"{\1}", context.parser.name).replace("\\", ""))
    return sorted(set(steps))
