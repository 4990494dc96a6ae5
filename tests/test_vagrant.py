"""vagrant:// and the Vagrantfile, with the real vagrant command line.

No hypervisor can run here: `vagrant validate` checks the Vagrantfile, and
a stand-in VBoxManage (answering only its version and empty listings) lets
the real vagrant reach the machine-state and box stages where jailkit's
errors are decided. Vagrant runs in the suite's no-network environment
(tests/netguard.py): no version check, Vagrant Cloud and every proxy a
closed port on 127.0.0.1, a home of the session's own."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import jailkit
from jailkit.hosts import HostURLError
from jailkit.vagrant import Vagrant, VagrantError
from tests import netguard

PROJECT = Path(__file__).resolve().parents[1]
VBOXMANAGE = """#!/bin/sh
# stand-in for VirtualBox's VBoxManage, which cannot run here
case "$1" in --version) echo "7.0.14r161095";; list) exit 0;; *) exit 1;; esac
"""


@pytest.fixture
def box_dir(tmp_path) -> Path:
    """A copy of vagrant/, so that .vagrant/ state stays out of the tree."""
    copy = tmp_path / "vagrant"
    shutil.copytree(PROJECT / "vagrant", copy)
    return copy


@pytest.fixture
def stand_in_virtualbox(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "VBoxManage").write_text(VBOXMANAGE)
    (bin_dir / "VBoxManage").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")


def test_the_vagrantfile_validates(box_dir):
    Vagrant(box_dir).validate()


def test_a_broken_vagrantfile_does_not(box_dir):
    text = (box_dir / "Vagrantfile").read_text().replace('config.ssh.shell = "sh"',
                                                         'config.ssh.shel = "sh"')
    (box_dir / "Vagrantfile").write_text(text)
    with pytest.raises(VagrantError, match="vagrant validate failed"):
        Vagrant(box_dir).validate()


def test_what_the_vagrantfile_sets(box_dir):
    text = (box_dir / "Vagrantfile").read_text()
    for setting in ('config.ssh.shell = "sh"', 'config.vm.synced_folder ".", "/vagrant", disabled: true',
                    "config.vm.provider :virtualbox", "config.vm.provider :libvirt",
                    'config.vm.provision "shell", path: "provision.sh"', "FreeBSD-14"):
        assert setting in text
    provision = (box_dir / "provision.sh").read_text()
    assert "net.inet.ip.fw.default_to_accept=1" in provision.split("kldload -n ipfw")[0]


def test_missing_vagrant(box_dir, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(VagrantError, match="vagrant is not installed"):
        jailkit.connect(f"vagrant://default?dir={box_dir}")


def test_no_usable_provider(box_dir, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")   # vagrant, but no hypervisor at all
    with pytest.raises(VagrantError, match="no usable Vagrant provider"):
        jailkit.connect(f"vagrant://default?dir={box_dir}")


def test_machine_not_running(box_dir, stand_in_virtualbox):
    with pytest.raises(VagrantError, match=r"the machine 'default' in .* is not running "
                                           r"\(state: not_created\); run vagrant up there"):
        jailkit.connect(f"vagrant://default?dir={box_dir}&up=0")


def test_box_not_downloaded(box_dir, stand_in_virtualbox, tmp_path, monkeypatch, capsys):
    # The box comes from a local file that is not there: vagrant stops
    # before any download, and nothing is looked up on the network.
    monkeypatch.setenv("JAILKIT_BOX_URL", f"file://{tmp_path}/FreeBSD-14.3-RELEASE.box")
    with pytest.raises(VagrantError, match="the box is not downloaded and could not be fetched") as error:
        jailkit.connect(f"vagrant://default?dir={box_dir}")
    assert f"Couldn't open file {tmp_path}/FreeBSD-14.3-RELEASE.box" in str(error.value)
    assert "point JAILKIT_BOX_URL at a box file" in str(error.value)
    # Progress was shown while vagrant worked.
    assert "vagrant: Bringing machine 'default' up with 'virtualbox' provider..." in capsys.readouterr().err


def test_vagrant_cloud_is_the_loopback_in_the_tests(box_dir, stand_in_virtualbox):
    # A box name with no box URL is looked up on Vagrant Cloud; in the test
    # suite's environment (tests/netguard.py) that is a closed port on
    # 127.0.0.1, so the real vagrant asks nothing outside the machine.
    assert os.environ["VAGRANT_SERVER_URL"] == netguard.NOWHERE
    with pytest.raises(VagrantError, match="the box is not downloaded and could not be fetched") as error:
        jailkit.connect(f"vagrant://default?dir={box_dir}")
    assert f'URL: ["{netguard.NOWHERE}/freebsd/FreeBSD-14.3-RELEASE"]' in str(error.value)
    assert "Failed to connect to 127.0.0.1 port 9" in str(error.value)


def test_no_vagrantfile(tmp_path):
    with pytest.raises(VagrantError, match="no Vagrantfile in"):
        jailkit.connect(f"vagrant://default?dir={tmp_path}")


@pytest.mark.parametrize("url, settings, message", [
    ("vagrant://default?colour=red", {}, "vagrant:// takes a machine name"),
    ("vagrant://user@default", {}, "vagrant:// takes a machine name"),
    ("vagrant://default", {"destroy": "sometimes"}, "destroy must be one of never, always, passing"),
    ("vagrant://-f", {}, "'-f' is not a Vagrant machine name"),
    ("vagrant://default?provider=--debug", {}, "'--debug' is not a Vagrant provider name"),
])
def test_bad_vagrant_urls(url, settings, message):
    with pytest.raises(HostURLError, match=message):
        jailkit.connect(url, **settings)
