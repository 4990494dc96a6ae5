"""local:// runs commands on this machine with /bin/sh (on FreeBSD, the
howtos; here, the mechanics: streams, stdin, status, deadlines)."""

from __future__ import annotations

import time

import pytest

import jailkit
from jailkit import HostTimeout, HostURLError
from jailkit.files import replace_file
from tests.processes import wait_until_gone


@pytest.fixture
def local():
    return jailkit.connect("local://")


def test_streams_status_and_stdin(local):
    result = local.run("echo out; echo err >&2; exit 3")
    assert (result.exit_status, result.stdout, result.stderr) == (3, "out\n", "err\n")
    assert local.run(["printf", "%s|", "a b", "$HOME"]).stdout == "a b|$HOME|"
    assert local.run("wc -c", stdin="y" * 50_000).stdout.strip() == "50000"


def test_a_byte_that_is_no_utf8_reads_as_on_the_sim_and_goes_back_as_itself(local):
    # every host keeps such a byte as a lone surrogate (jailkit.host.text_of)
    shown = jailkit.connect("sim://").run("printf 'a\\377b\\303'").stdout
    assert local.run("printf 'a\\377b\\303'").stdout == shown == "a\udcffb\udcc3"
    assert local.run("od -An -tx1", stdin=shown).stdout.split() == ["61", "ff", "62", "c3"]
    session = local.session()
    try:
        out: list[str] = []
        session.run("printf 'a\\377b\\303'", out=out.append, err=print)
        assert "".join(out) == shown
    finally:
        session.close()


def test_a_deadline_kills_the_command_and_what_it_started(local, tmp_path):
    marker = tmp_path / "late"
    started = time.monotonic()
    with pytest.raises(HostTimeout, match="did not finish within 1 s"):
        local.run(f"(sleep 2; touch {marker}) & sleep 3", timeout=1)
    assert time.monotonic() - started < 2
    wait_until_gone(str(marker))    # the shell and the subshell it started
    assert not marker.exists()


def test_bad_local_urls():
    with pytest.raises(HostURLError, match="local:// takes only"):
        jailkit.connect("local://somewhere")


def test_login_goes_straight_to_the_address(local):
    # On the box itself there is no tunnel: jailkit connects to the jail's
    # sshd directly. A real sshd on 127.0.0.1 stands in for the jail's.
    from tests.sshd import start_sshd
    server = start_sshd()
    try:
        if server.password_login is not None:
            user, password = server.password_login
            assert local.login("127.0.0.1", user, password, "id -un", port=server.port).stdout == f"{user}\n"
        with pytest.raises(jailkit.LoginError, match="Permission denied"):
            local.login("127.0.0.1", server.user, "wrong", "true", port=server.port)
    finally:
        server.stop()


def test_a_file_replaced_whole_keeps_a_byte_that_is_no_utf8(local, tmp_path):
    target = tmp_path / "f"
    target.write_bytes(b"old\n")
    replace_file(local, str(target), "a\udcffb\n")
    assert target.read_bytes() == b"a\xffb\n"
