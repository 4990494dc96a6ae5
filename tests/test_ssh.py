"""ssh:// over paramiko against a real OpenSSH sshd on 127.0.0.1 (started
here, with the login user's own /bin/sh running the commands)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

import jailkit
from jailkit import ConnectionLost, HostTimeout
from jailkit.hosts import HostURLError
from jailkit.hosts.ssh import HostAuthError, HostKeyError
from tests.processes import wait_until_gone
from tests.sshd import Sshd, start_sshd


@pytest.fixture(scope="module")
def sshd():
    server = start_sshd()
    yield server
    server.stop()


@pytest.fixture
def box(sshd: Sshd):
    host = jailkit.connect(sshd.url())
    yield host
    host.close()


def test_one_connection_serves_every_command(box, sshd):
    assert box.run("echo hi").stdout == "hi\n"
    transport = box._connection.transport
    for _ in range(5):
        box.run("true").check()
    assert box._connection.transport is transport
    sock = transport.sock
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


def test_streams_status_and_stdin(box):
    result = box.run("echo out; echo err >&2; exit 7")
    assert (result.exit_status, result.stdout, result.stderr) == (7, "out\n", "err\n")
    assert box.run("wc -c", stdin="x" * 100_000).stdout.strip() == "100000"
    assert box.run("cat", stdin="").stdout == ""


def test_a_byte_that_is_no_utf8_comes_and_goes_as_itself(box):
    # as on the sim: kept as a lone surrogate, written back as the byte
    assert box.run("printf 'a\\377b'").stdout == "a\udcffb"
    assert box.run("od -An -tx1", stdin="a\udcffb").stdout.split() == ["61", "ff", "62"]
    assert box.run(["printf", "%s", "a\udcffb"]).stdout == "a\udcffb"     # in the command too


def test_argv_quoting_survives_the_remote_shell(box):
    words = ["printf", "%s|", "a b", "$HOME", "`id`", "it's", ";", ""]
    assert box.run(words).stdout == "a b|$HOME|`id`|it's|;||"


def test_megabytes_on_both_streams_do_not_hang(box):
    size = 8 * 1024 * 1024
    result = box.run(f"head -c {size} /dev/zero | tr '\\0' o; head -c {size} /dev/zero | tr '\\0' e >&2",
                     timeout=60)
    assert len(result.stdout) == size and len(result.stderr) == size


def test_a_deadline_really_ends_the_remote_command(box, sshd):
    late = sshd.scratch / "late"
    started = time.monotonic()
    with pytest.raises(HostTimeout, match=rf"'sleep 3; touch {late}' did not finish within 1 s"):
        box.run(f"sleep 3; touch {late}", timeout=1)
    assert time.monotonic() - started < 2.5
    wait_until_gone(str(late))     # ended on the box: it never comes to the touch
    assert not late.exists()
    assert box.run("echo still usable").stdout == "still usable\n"


def test_a_dead_connection_is_reopened_before_a_command_starts(box, sshd):
    count = sshd.scratch / "count"
    box.run("true").check()
    box._connection.transport.close()      # gone before the next command
    box.run(f"echo x >> {count}").check()
    assert count.read_text() == "x\n"


def test_a_connection_lost_while_a_command_runs_is_an_error(sshd):
    host = jailkit.connect(sshd.url())
    host.run("true").check()
    threading.Timer(0.5, sshd.drop_connections).start()
    with pytest.raises(ConnectionLost, match="may or may not have finished"):
        host.run("sleep 5")
    assert host.run("echo back").stdout == "back\n"   # the next command reconnects
    host.close()


def test_unknown_host_key_is_refused_unless_accepted(sshd, tmp_path):
    empty = tmp_path / "known_hosts"
    with pytest.raises(HostKeyError, match=r"not in .*known_hosts; check it and add it there, "
                                           r"or connect once with \?accept_new_key=1"):
        jailkit.connect(sshd.url(known_hosts=str(empty))).run("true")
    recorded = jailkit.connect(sshd.url(known_hosts=str(empty), accept_new_key="1"))
    recorded.run("true").check()
    recorded.close()
    assert empty.read_text().split()[1:] == sshd.host_key_line().split()[1:]
    jailkit.connect(sshd.url(known_hosts=str(empty))).run("true").check()


def test_a_changed_host_key_is_refused_even_with_accept(sshd, tmp_path):
    other = tmp_path / "known_hosts"
    other.write_text(f"[127.0.0.1]:{sshd.port} ssh-ed25519 "
                     "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n")
    for extra in ({}, {"accept_new_key": "1"}):
        with pytest.raises(HostKeyError, match="is not the one in"):
            jailkit.connect(sshd.url(known_hosts=str(other), **extra)).run("true")


def test_wrong_password(sshd):
    url = f"ssh://{sshd.user}:wrong@127.0.0.1:{sshd.port}?known_hosts={sshd.known_hosts}"
    with pytest.raises(HostAuthError, match="authentication with password failed"):
        jailkit.connect(url).run("true")


def test_nothing_listening():
    with pytest.raises(jailkit.host.HostError, match="cannot reach 127.0.0.1:1"):
        jailkit.connect("ssh://nobody@127.0.0.1:1?timeout=2").run("true")


def test_bad_ssh_urls():
    with pytest.raises(HostURLError, match="unknown option"):
        jailkit.connect("ssh://box?colour=red")
    with pytest.raises(HostURLError, match="no host name"):
        jailkit.connect("ssh://")
    with pytest.raises(HostURLError, match="timeout must be a number of seconds above 0, not 'soon'"):
        jailkit.connect("ssh://box?timeout=soon")


def test_sftp_put_and_get(box, sshd, tmp_path):
    local = tmp_path / "up.txt"
    local.write_text("over sftp\n")
    remote = str(sshd.scratch / "up.txt")
    box.put_file(local, remote)
    assert box.run(f"cat {remote}").stdout == "over sftp\n"
    back = tmp_path / "down.txt"
    box.get_file(remote, back)
    assert back.read_text() == "over sftp\n"


def test_a_tunnel_through_the_host(box):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def echo_once() -> None:
        peer, _ = server.accept()
        peer.sendall(peer.recv(100).upper())
        peer.close()
    threading.Thread(target=echo_once, daemon=True).start()
    tunnel = box.open_tunnel("127.0.0.1", server.getsockname()[1])
    tunnel.sendall(b"through the box")
    assert tunnel.recv(100) == b"THROUGH THE BOX"
    tunnel.close()
    server.close()


def test_sudo_wraps_every_command():
    # Against a sim behind sshd, whose sudo logs what it ran, as sudo does.
    server = start_sshd(sim=True)
    try:
        host = jailkit.connect(server.url(sudo="1"))
        assert host.run(["printf", "%s|", "a b", "it's"]).stdout == "a b|it's|"
        log = host.run("cat /var/log/auth.log").stdout
        assert "COMMAND=/bin/sh -c printf '%s|' 'a b' 'it'\"'\"'s'\n" in log
        host.close()
    finally:
        server.stop()


def test_login_to_a_jail_through_the_box(box, sshd):
    # The howto's "ssh -p 22 -l test <jail address>": the box opens a
    # direct-tcpip channel to the address and jailkit logs in over it. Here
    # the "jail" is the same sshd, reached from the box's side.
    if sshd.password_login is not None:
        user, password = sshd.password_login
        result = box.login("127.0.0.1", user, password, "id -un; echo $SSH_CONNECTION", port=sshd.port)
        assert result.exit_status == 0 and result.stdout.startswith(f"{user}\n127.0.0.1 ")
    with pytest.raises(jailkit.LoginError, match=r"@127.0.0.1: Permission denied"):
        box.login("127.0.0.1", sshd.user, "not the password", "true", port=sshd.port)


def test_login_where_nothing_listens(box):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(jailkit.LoginError, match=f"ssh: connect to host 127.0.0.1 port {port}: "
                                                 "Connection refused"):
        box.login("127.0.0.1", "test", "test", "true", port=port)
