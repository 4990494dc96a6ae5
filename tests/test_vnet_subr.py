"""jailkit.vnet_subr beyond what the ported regression tests use: units
asked for, jail parameters, and a subclass that says how a step fails."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from jailkit.host import CommandFailed
from jailkit.vnet_subr import VnetSubr


@pytest.fixture
def vnet(host):
    helper = VnetSubr(host)
    yield helper
    helper.cleanup()
    assert host.run("ifconfig -l").stdout.split() == ["fxp0", "lo0"]
    assert host.run("jls name").stdout == ""


def test_units_asked_for_are_the_ones_made_and_recorded(vnet):
    assert vnet.mkepair(unit=200) == "epair200"
    assert vnet.mkbridge(unit=200) == "bridge200"     # ifconfig prints nothing for it
    assert vnet.mkbridge() == "bridge0"
    assert vnet.interfaces == ["epair200a", "epair200b", "bridge200", "bridge0"]
    assert vnet.sh("ifconfig -l").stdout.split() == ["fxp0", "lo0", "epair200a", "epair200b",
                                                     "bridge200", "bridge0"]


def test_a_taken_unit_fails_and_is_not_recorded(vnet):
    vnet.mkepair(unit=5)
    with pytest.raises(CommandFailed, match="epair5"):
        vnet.mkepair(unit=5)
    assert vnet.interfaces == ["epair5a", "epair5b"]


def test_a_jail_with_parameters(vnet):
    epair = vnet.mkepair()
    vnet.mkjail("one", f"{epair}b", params={"host.hostname": "one.example", "path": "/"})
    assert vnet.sh("jls -j one host.hostname path vnet").stdout == "one.example / new\n"
    assert vnet.sh("jexec one ifconfig -l").stdout.split() == ["lo0", f"{epair}b"]


class Strict(VnetSubr):
    def must(self, command: Sequence[str]) -> str:
        result = self.sh(command)
        if not result.succeeded:
            raise RuntimeError(f"step failed: {result.command}")
        return result.stdout


def test_a_subclass_says_how_a_step_fails(host):
    vnet = Strict(host)
    vnet.mkbridge(unit=7)
    with pytest.raises(RuntimeError, match=r"step failed: \('ifconfig', 'bridge7', 'create'\)"):
        vnet.mkbridge(unit=7)
    vnet.cleanup()
    assert host.run("ifconfig -l").stdout.split() == ["fxp0", "lo0"]
