"""End to end over a real network protocol: OpenSSH sshd on 127.0.0.1 whose
forced command hands each command to one persistent bare sim
(jailkit.sim.serve), and every howto's feature run against it over ssh://
with paramiko: each lab is built over ssh, the howto runs, and the box is
left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

import jailkit
from tests.conftest import PROVISION, bind_feature
from tests.sshd import start_sshd

pytestmark = pytest.mark.long


@pytest.fixture(scope="module")
def sim_box():
    server = start_sshd(sim=True)
    # A fresh box is provisioned over ssh, as a user would: ssh box sh -s < provision.sh
    box = jailkit.connect(server.url())
    box.run("sh -s", stdin=PROVISION.read_text()).check()
    box.close()
    yield server
    server.stop()


def test_state_persists_between_connections(sim_box):
    first = jailkit.connect(sim_box.url())
    first.run("ifconfig bridge7 create && echo kept > /root/note").check()
    first.close()
    second = jailkit.connect(sim_box.url())
    assert second.run("ifconfig -l; cat /root/note").stdout == "em0 lo0 bridge7\nkept\n"
    second.run("ifconfig bridge7 destroy; rm /root/note").check()
    second.close()


def test_a_timeout_over_ssh_ends_the_command_on_the_sim(sim_box):
    host = jailkit.connect(sim_box.url())
    with pytest.raises(jailkit.HostTimeout):
        host.run("ping 10.0.2.2", timeout=3)
    assert host.run("uname -r").stdout == "14.3-RELEASE\n"
    host.close()


SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FEATURES = sorted(SCENARIOS.glob("*.feature"))


@pytest.mark.parametrize("feature", FEATURES, ids=[feature.stem for feature in FEATURES])
def test_every_feature_runs_over_ssh(pytester, sim_box, feature):
    # Every scenario of the feature, its lab built over ssh and taken down
    # at the end, in a pytest-bdd run of its own: one part per feature, so
    # that the parts spread over the test workers (the labs taking turns on
    # one box within a run: tests/test_pytest_plugin.py); qjail-vnet's
    # item 4 logs in to the jail through the sshd's tunnel into the sim.
    bind_feature(pytester, feature.read_text(), feature.stem)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--host", sim_box.url())
    result.assert_outcomes(passed=feature.read_text().count("\n  Scenario:"), errors=0)
    after = jailkit.connect(sim_box.url())
    assert after.run("ifconfig -l").stdout == "em0 lo0\n"        # the lab is taken down
    assert after.run("jls name").stdout == ""
    assert after.run("ls /usr/jails").exit_status == 1            # qjail's set-up removed
    after.close()
