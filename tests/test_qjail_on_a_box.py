"""qjail on a box as installworld leaves it (the provisioned bare sim box):
system-immutable base files, /etc/motd a link to /var/run/motd. What qjail
makes there can be removed again, and nothing of the host's is written
through the template."""

from __future__ import annotations

import pytest

import jailkit
from jailkit.cleanup import Journal
from jailkit.qjail import Qjail
from tests.conftest import PROVISIONED_BOX, run


@pytest.fixture
def box():
    return jailkit.connect(PROVISIONED_BOX)


def test_the_shared_base_keeps_the_flags_and_still_goes_away(box):
    journal = Journal(box)
    with journal.watching():
        Qjail(box).install()
    # cp -Rp kept installworld's flag on the copy, as on FreeBSD
    assert run(box, "stat -f %Sf /usr/jails/sharedfs/lib/libc.so.7") == (0, "schg\n", "")
    journal.undo()
    assert run(box, "test -e /usr/jails") == (1, "", "")
    # and a second run of the howto installs again
    assert Qjail(box).install() == "Successfully installed qjail system.\n"


def test_delete_removes_a_jail_whatever_its_flags(box):
    qjail = Qjail(box)
    qjail.install()
    qjail.create("v10", ["10.0.10.10"])
    run(box, "chflags schg /usr/jails/v10/etc/rc.conf")
    assert qjail.delete("v10") == "Successfully deleted  v10\n"
    assert run(box, "test -e /usr/jails/v10") == (1, "", "")


def test_create_never_writes_through_the_templates_motd_link(box):
    host_motd = run(box, "cat /var/run/motd")
    assert run(box, "readlink /etc/motd") == (0, "/var/run/motd\n", "")
    qjail = Qjail(box)
    qjail.install()
    qjail.create("v10", ["10.0.10.10"])
    assert run(box, "cat /var/run/motd") == host_motd
    assert run(box, "test -L /usr/jails/v10/etc/motd")[0] == 1
    qjail.start("v10")
    assert qjail.console("v10") == "Welcome to your FreeBSD jail.\n"


def test_the_templates_tmp_is_sticky_and_world_writable(box):
    Qjail(box).install()
    for path in ("/usr/jails/template/tmp", "/usr/jails/template/var/tmp"):
        assert run(box, f"stat -f %Sp {path}") == (0, "drwxrwxrwt\n", "")
