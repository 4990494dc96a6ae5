"""Every feature, twice in a row, on one freshly provisioned box with the
lab built by labbuild: both runs pass, and afterwards the box is as it was
(files with their modes and flags, modules, firewall rules, routes,
resolv.conf, /var/run/motd, interfaces, jails, mounts)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import jailkit
from tests.conftest import PROVISIONED_BOX
from tests.test_box_survives import run_feature_on

pytestmark = pytest.mark.long

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
LOOKS = ["ls -loR /etc /boot /usr/local/etc /var/run /lib /libexec /sbin /usr/bin",
         "test -e /usr/jails && echo /usr/jails is there", "cat /boot/loader.conf /etc/rc.conf",
         "cat /etc/resolv.conf /var/run/motd /etc/devfs.rules", "kldstat", "kenv",
         "ipfw list", "pfctl -s Running; pfctl -s nat; pfctl -s rules", "ipfstat -io", "ipnat -l",
         "route -n get default", "ifconfig -a", "jls", "mount -p", "devfs rule showsets",
         "sysctl net.inet.ip.forwarding"]
# ls's modification time: files jailkit put back are new files with the old
# contents, mode, owner and flags.
MTIME = re.compile(r" [A-Z][a-z]{2} [ \d]\d (?:\d\d:\d\d| \d{4}) ")


def looks(box) -> dict[str, str]:
    return {command: MTIME.sub(" ", box.run(command + " 2>&1").stdout) for command in LOOKS}


def test_every_feature_twice_on_one_box_and_the_box_as_it_was(pytester, monkeypatch):
    box = jailkit.connect(PROVISIONED_BOX)
    before = looks(box)
    for feature in sorted(SCENARIOS.glob("*.feature")):
        text = feature.read_text()
        for _ in range(2):
            outcome = run_feature_on(box, pytester, monkeypatch, text, name=feature.stem)
            passed, skipped, failed = outcome.listoutcomes()
            assert not failed and not skipped, [r.longreprtext for r in failed][:1]
            assert len(passed) == text.count("\n  Scenario:")
            after = looks(box)
            for command in LOOKS:
                assert after[command] == before[command], command
