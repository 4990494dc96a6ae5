"""Shared fixtures: a fresh sim host per test, and a way to read test data."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

import jailkit
from jailkit.host import Host

pytest_plugins = ["pytester"]

DATA = Path(__file__).parent / "data"
PROVISION = Path(__file__).parents[1] / "vagrant" / "provision.sh"
# A fresh FreeBSD Vagrant box after `vagrant up` ran vagrant/provision.sh on it.
PROVISIONED_BOX = f"sim://?bare=1&provision={quote(str(PROVISION), safe='')}"
# TEMPORARY (issue 8): the same box without installworld's schg flags, for
# the howto's qjail install and jailkit's cleanup, which cannot yet remove
# copies of schg files; use PROVISIONED_BOX once they can.
HOWTO_BOX = PROVISIONED_BOX + "&schg=0"


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


def run(host: Host, command, stdin: str | None = None) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of a command, for exact comparisons."""
    result = host.run(command, stdin=stdin)
    return result.exit_status, result.stdout, result.stderr
