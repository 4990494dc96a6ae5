"""Shared fixtures: a fresh sim host per test, a way to read test data, and
the guard that keeps every test on the loopback (tests/netguard.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

import jailkit
from jailkit.host import Host
from tests import netguard, sshd

netguard.install()

pytest_plugins = ["pytester"]

DATA = Path(__file__).parent / "data"
PROVISION = Path(__file__).parents[1] / "vagrant" / "provision.sh"
# A fresh FreeBSD Vagrant box after `vagrant up` ran vagrant/provision.sh on it.
PROVISIONED_BOX = f"sim://?bare=1&provision={quote(str(PROVISION), safe='')}"


@pytest.fixture
def host() -> Host:
    return jailkit.connect("sim://")


@pytest.fixture
def jail(host: Host) -> Host:
    """The howto's vnet jail v10 (steps 2 to 5), running, on a fresh sim host."""
    from jailkit.qjail import Qjail
    qjail = Qjail(host)
    qjail.install()
    qjail.create("v10", ["10.0.10.10"])
    qjail.config("v10", vnet_nic="fxp0", firewall="none")
    qjail.start("v10")
    return host


def data(name: str) -> str:
    return (DATA / name).read_text()


def bind_feature(pytester: pytest.Pytester, feature: str, name: str = "howto") -> None:
    """``feature`` as NAME.feature in the pytester directory, bound to the
    howto steps as steps/test_howtos.py binds the project's features."""
    pytester.makefile(".feature", **{name: feature})
    pytester.makepyfile(**{f"test_{name}": (
        "from pytest_bdd import scenarios\n"
        "from steps.howto_steps import *  # noqa\n"
        f"scenarios('{name}.feature')\n")})


def run(host: Host, command, stdin: str | None = None) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of a command, for exact comparisons."""
    result = host.run(command, stdin=stdin)
    return result.exit_status, result.stdout, result.stderr


@pytest.fixture(scope="session", autouse=True)
def no_network_for_subprocesses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The environment every program the tests start inherits: it cannot
    reach beyond the loopback (see tests/netguard.py). Vagrant's home is
    the session's own, so no box or cache of the user's is used or left."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in netguard.ENVIRONMENT.items():
            patch.setenv(name, value)
        for name in netguard.UNSET:
            patch.delenv(name, raising=False)
        patch.setenv("VAGRANT_HOME", str(tmp_path_factory.mktemp("vagrant.d")))
        yield


def _stays_on_the_loopback() -> Iterator[None]:
    """Fails the test (in the phase where it happened) that tried to send
    anything outside 127.0.0.0/8, even if its code caught the refusal."""
    before = len(netguard.attempts)
    try:
        return (yield)
    finally:
        tried = netguard.attempts[before:]
        if tried:
            pytest.fail("the test tried to leave the loopback:\n  " + "\n  ".join(tried), pytrace=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests (marked long) first, in the order found: spread over
    the workers from the start (pytest-xdist hands out tests in this order),
    none of them is left to end the run alone on one worker."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive once the tests are collected (jailkit, pytest, the
    test modules and their items) lives until the run ends: kept out of
    the garbage collector's passes, and those come ten times less often
    than Python's default (700 allocations): the collector walked the same
    objects again and again. The tests free what they make as they go
    (reference counting); only cycles wait longer for the collector."""
    gc.freeze()
    gc.set_threshold(7000, 10, 10)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Once a run with test workers has ended (pytest-xdist has stopped them
    all, or killed those that did not stop in time), what a worker killed or
    interrupted mid-way left: users, sshd processes and directories (those
    of a worker that ended well are gone already)."""
    if hasattr(config, "workerinput"):
        return      # a worker: its own fixtures and tests/sshd.py's atexit clean up
    sshd.sweep_leftovers()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    return (yield from _stays_on_the_loopback())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    return (yield from _stays_on_the_loopback())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    return (yield from _stays_on_the_loopback())
