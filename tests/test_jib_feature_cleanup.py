"""The jib howto's feature, cut short while its jail runs, on a freshly
provisioned box with the lab built: the cleanup takes away the jail, jib's
epair (the end lent to the jail included), the bridge, pf, jib itself, the
jail's tree and rc.d/jail's files, and puts rc.conf, pf.conf and jail.conf
back, so the box looks as it did."""

from __future__ import annotations

from pathlib import Path

import pytest

import jailkit
from tests.conftest import PROVISIONED_BOX
from tests.test_box_survives import interrupt_after, run_feature_on
from tests.test_box_twice import looks

FEATURE = (Path(__file__).resolve().parents[1] / "scenarios" / "vnet_jib_pf_nat.feature").read_text()


@pytest.mark.parametrize("text", ["service jail start", "nc -u -l 22124"])
def test_cut_short_while_the_jail_runs_the_box_is_as_it_was(pytester, monkeypatch, text):
    box = jailkit.connect(PROVISIONED_BOX)
    before = looks(box)
    hit = interrupt_after(box, text, RuntimeError("cut short"))
    outcome = run_feature_on(box, pytester, monkeypatch, FEATURE, name="jib")
    passed, skipped, failed = outcome.listoutcomes()
    assert hit and len(failed) == 1 and not passed
    # no error in the cleanup after the scenario
    assert not [r for r in outcome.getreports("pytest_runtest_logreport")
                if r.when == "teardown" and r.failed]
    after = looks(box)
    for command, shown in before.items():
        assert after[command] == shown, command
    assert box.run("ls -d /jail /usr/local/bin/jib /var/log/jail_jamulus_console.log").exit_status == 1
