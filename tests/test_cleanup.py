"""Snapshot and restore: a scenario leaves the host as it found it, removing
only what it created, and says so when it cannot."""

from __future__ import annotations

import pytest

from jailkit.cleanup import CleanupError, restore, snapshot
from jailkit.files import read_file
from jailkit.qjail import Qjail


def state(host) -> dict[str, str]:
    """Everything observable that a howto may change."""
    commands = ["ifconfig -a", "jls -n", "mount -p", "devfs rule showsets", "cat /etc/devfs.rules",
                "ls -R /usr/jails /usr/local/etc /var/log /var/run", "sysctl net.inet.ip.forwarding"]
    return {c: host.run(c + " 2>&1").stdout for c in commands}


def howto_until_the_console(host) -> None:
    qjail = Qjail(host)
    qjail.install()
    qjail.create("v10", ["10.0.10.10"])
    qjail.config("v10", vnet_nic="fxp0", firewall="none", ruleset="50")
    qjail.start("v10")
    host.run("sysctl net.inet.ip.forwarding=1").check()


def test_restore_after_a_howto_left_half_way(host):
    before_state = state(host)
    before = snapshot(host)
    howto_until_the_console(host)
    assert state(host) != before_state
    commands = restore(host, before)
    assert "jail -q -f /usr/local/etc/qjail.config/v10 -r v10" in commands
    assert state(host) == before_state


def test_what_was_there_before_stays(host):
    # Someone's own qjail, jail and epair, made before the scenario.
    Qjail(host).install()
    host.run("ifconfig epair create && jail -c name=theirs persist").check()
    before_state = state(host)
    before = snapshot(host)
    qjail = Qjail(host)
    qjail.create("v10", ["10.0.10.10"])
    qjail.config("v10", vnet_nic="fxp0", firewall="none")
    qjail.start("v10")
    host.run("ifconfig bridge create").check()
    restore(host, before)
    assert state(host) == before_state
    assert host.run("jls -j theirs").succeeded
    assert read_file(host, "/usr/local/etc/qjail.vnetctl") == 'count="0"\n'


def test_restore_says_what_it_could_not_undo(host):
    before = snapshot(host)
    host.run("ifconfig fxp0 name lan0").check()   # a rename cannot be destroyed away
    with pytest.raises(CleanupError, match="could not remove what the scenario created: interfaces: lan0"):
        restore(host, before)


def test_nothing_to_do_on_an_untouched_host(host):
    assert restore(host, snapshot(host)) == []
