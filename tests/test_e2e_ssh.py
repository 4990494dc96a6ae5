"""End to end over a real network protocol: OpenSSH sshd on 127.0.0.1 whose
ForceCommand is a persistent bare sim (jailkit.sim.serve), and the
qjail-vnet howto run against it over ssh:// with paramiko: the lab is built
over ssh, the howto runs, and the box is left as it was."""

from __future__ import annotations

import pytest

import jailkit
from tests.conftest import PROVISION
from tests.sshd import start_sshd
from tests.test_scenarios import FEATURE, run_feature


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


# Over ssh every command is a round trip that loads and saves the whole sim,
# so this runs the howto's steps and two troubleshooting items (NAT through
# the lab built over ssh; a firewall in the jail), not the whole feature
# (the suite runs all of it on sim:// and on a bare sim box). The ssh login
# item needs a path from the harness into the box's jails, which a sim
# behind sshd does not have; tests/test_ssh.py tests that login on a real sshd.
OVER_SSH = "steps_1_to_11 or troubleshooting_1 or troubleshooting_7"


def test_the_howto_runs_over_ssh(pytester, sim_box):
    result = run_feature(pytester, FEATURE, "--host", sim_box.url(), "-k", OVER_SSH)
    result.assert_outcomes(passed=3, errors=0)
    after = jailkit.connect(sim_box.url())
    assert after.run("ifconfig -l").stdout == "em0 lo0\n"        # the lab is taken down
    assert after.run("jls name").stdout == ""
    assert after.run("ls /usr/jails").exit_status == 1            # qjail's set-up removed
    after.close()
