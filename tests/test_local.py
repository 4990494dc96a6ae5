"""local:// runs commands on this machine with /bin/sh (on FreeBSD, the
howtos; here, the mechanics: streams, stdin, status, deadlines)."""

from __future__ import annotations

import time

import pytest

import jailkit
from jailkit import HostTimeout, HostURLError


@pytest.fixture
def local():
    return jailkit.connect("local://")


def test_streams_status_and_stdin(local):
    result = local.run("echo out; echo err >&2; exit 3")
    assert (result.exit_status, result.stdout, result.stderr) == (3, "out\n", "err\n")
    assert local.run(["printf", "%s|", "a b", "$HOME"]).stdout == "a b|$HOME|"
    assert local.run("wc -c", stdin="y" * 50_000).stdout.strip() == "50000"


def test_a_deadline_kills_the_command_and_what_it_started(local, tmp_path):
    marker = tmp_path / "late"
    started = time.monotonic()
    with pytest.raises(HostTimeout, match="did not finish within 1 s"):
        local.run(f"(sleep 2; touch {marker}) & sleep 3", timeout=1)
    assert time.monotonic() - started < 2
    time.sleep(2.5)
    assert not marker.exists()


def test_bad_local_urls():
    with pytest.raises(HostURLError, match="local:// takes only"):
        jailkit.connect("local://somewhere")
