"""pytest plugin: which host the scenarios run on, the lab, a clean host for
every scenario, and a live view of the steps for people who watch.

A feature names the lab its howto assumes with a tag, ``@lab:qjail-howto``;
a feature without one runs in the --lab lab. A host that models labs (the
sim) gets one connection per lab; around any other host (a real box, a bare
sim box) one lab at a time is built, and taken down before the next one
and at the end.

    --host URL      sim:// (default), ssh://..., vagrant://..., local://, or JAILKIT_HOST
    --lab NAME      the lab of features that name none (default qjail-vnet), or JAILKIT_LAB
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
from urllib.parse import parse_qs, urlsplit

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
    config.addinivalue_line("markers", "jailkit_lab(name): the lab a feature's howto assumes "
                                       "(the feature's @lab:NAME tag)")
    try:
        config.stash[LAB] = load_lab(_url_lab(config.getoption("host")) or config.getoption("lab"))
    except LabError as exc:
        raise pytest.UsageError(str(exc)) from None


def _url_lab(url: str) -> str | None:
    """The lab a sim:// URL chooses (``?lab=NAME``): it stands for --lab."""
    parts = urlsplit(url)
    return parse_qs(parts.query).get("lab", [None])[-1] if parts.scheme == "sim" else None


LAB_TAG = "lab:"
# Every lab a collected feature names, read once collection is done.
TAGGED = pytest.StashKey[dict[str, Lab]]()


@pytest.hookimpl(tryfirst=True)     # before pytest-bdd's own, which makes every tag a mark
def pytest_bdd_apply_tag(tag: str, function: object) -> object | None:
    """``@lab:NAME`` marks the feature's scenarios with the lab they need."""
    if not tag.startswith(LAB_TAG):
        return None
    return pytest.mark.jailkit_lab(tag.removeprefix(LAB_TAG))(function)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Read every lab a feature names before anything runs: a misspelt tag
    is one clear error, not a failure in each of its scenarios."""
    labs = config.stash.setdefault(TAGGED, {})
    for item in items:
        for mark in item.iter_markers("jailkit_lab"):
            name = mark.args[0]
            if name not in labs:
                try:
                    labs[name] = load_lab(name)
                except LabError as exc:
                    raise pytest.UsageError(f"{item.nodeid}: @lab:{name}: {exc}") from None


class Labs:
    """The session's hosts and labs: a connection per lab on a host that
    models them; otherwise one connection with the lab of the scenario now
    running built around it, recorded, and taken down before another lab is
    built and when the session ends (also after a failure or an interrupt)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.hosts: dict[str, Host] = {}
        self.box: Host | None = None              # the one host that does not model labs
        self.current: Lab | None = None           # the lab around the box now
        self.record: LabRecord | None = None       # what of it this session built

    def host_for(self, lab: Lab) -> Host:
        if lab.name in self.hosts:
            return self.hosts[lab.name]
        if self.box is None:
            host = self._connect(lab)
            if host.models_lab:
                self._check_lab(host, lab)
                self.hosts[lab.name] = host
                return host
            self.box = host
        self._build(self.box, lab)
        return self.box

    def _connect(self, lab: Lab) -> Host:
        return connect(self.config.getoption("host"), lab=lab,
                       destroy=self.config.getoption("destroy"))

    @staticmethod
    def _check_lab(host: Host, lab: Lab) -> None:
        if host.lab is not None and host.lab.name != lab.name:
            pytest.fail(f"this feature's howto needs the lab {lab.name}, but the --host URL "
                        f"sets lab={host.lab.name}", pytrace=False)

    def _build(self, box: Host, lab: Lab) -> None:
        """The lab around the box: kept when it is the one there, else the
        previous one taken down and this one built (a lab found already on
        the box was built by someone else: it is used, and stays)."""
        if self.current is not None and self.current.name == lab.name:
            return
        self._take_down()
        self.record = build_lab(box, lab)
        self.current = box.lab = lab      # the machines run_on reaches are this lab's

    def _take_down(self) -> None:
        lab, record, self.current, self.record = self.current, self.record, None, None
        if self.box is not None and lab is not None and record is not None:
            remove_lab(self.box, lab, record)

    def close(self, passed: bool) -> None:
        try:
            self._take_down()
        finally:
            for host in [*self.hosts.values(), *([self.box] if self.box else [])]:
                host.close(passed=passed)


@pytest.fixture(scope="session")
def jailkit_labs(request: pytest.FixtureRequest) -> Iterator[Labs]:
    labs = Labs(request.config)
    try:
        yield labs
    finally:
        labs.close(passed=request.session.testsfailed == 0)


@pytest.fixture
def jailkit_lab(request: pytest.FixtureRequest) -> Lab:
    """The lab the feature names (@lab:NAME), else the --lab one."""
    mark = request.node.get_closest_marker("jailkit_lab")
    if mark is None:
        return request.config.stash[LAB]
    return request.config.stash[TAGGED][mark.args[0]]


@pytest.fixture
def jailkit_host(jailkit_labs: Labs, jailkit_lab: Lab) -> Host:
    """The host, with the scenario's lab ready: modelled by the host (the
    sim), or built around it (a real box, a bare sim box)."""
    return jailkit_labs.host_for(jailkit_lab)


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
        try:
            current.close()         # its shells end before the host is put back
        finally:
            try:
                journal.undo()
            finally:
                # the item outlives its run; its journal would keep the host's
                # whole machine alive for every garbage collection after it
                del request.node.stash[JOURNAL]


# The journal of the scenario now running: a window per step (on a host
# that says when it next changes, steps with nothing between them share one).
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
