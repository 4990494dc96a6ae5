"""The persistent sim behind a real OpenSSH sshd (jailkit.sim.serve and its
forced command, serve_client.c): one sim process per sshd, started and
stopped with it, answering each command over a Unix socket with the
command's bytes, status and standard input carried faithfully."""

from __future__ import annotations

import os
import pwd
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import paramiko
import pytest

import jailkit
from tests.sshd import PROJECT, Sshd, start_sshd, sweep_leftovers, _stop_stale_sshd

EVERY_BYTE = bytes(range(256))


@pytest.fixture(scope="module")
def box():
    server = start_sshd(sim=True)
    yield server
    server.stop()


def exchange(server: Sshd, command: str | None, stdin: bytes = b"") -> tuple[int, bytes, bytes]:
    """A raw session on the sshd: ``command`` exec'd (None: a shell
    request with no command), ``stdin`` sent, then EOF; the bytes back."""
    client = paramiko.SSHClient()
    client.load_host_keys(str(server.known_hosts))
    client.connect("127.0.0.1", server.port, server.user, key_filename=str(server.key),
                   allow_agent=False, look_for_keys=False)
    try:
        channel = client.get_transport().open_session()
        channel.exec_command(command) if command is not None else channel.invoke_shell()
        channel.sendall(stdin)
        channel.shutdown_write()
        out = channel.makefile("rb").read()
        err = channel.makefile_stderr("rb").read()
        return channel.recv_exit_status(), out, err
    finally:
        client.close()


def sim_socket(server: Sshd) -> Path:
    return server.workdir / "sim" / "sim.sock"


def test_one_sim_per_sshd_on_a_private_socket(box):
    assert box.sim is not None and box.sim.poll() is None
    found = os.stat(sim_socket(box))
    assert oct(found.st_mode & 0o777) == oct(0o600)
    assert found.st_uid == pwd.getpwnam(box.user).pw_uid
    assert oct(os.stat(sim_socket(box).parent).st_mode & 0o777) == oct(0o700)


def test_every_byte_comes_back_as_sent(box):
    payload = EVERY_BYTE * 4
    assert exchange(box, "cat", payload) == (0, payload, b"")
    assert exchange(box, "cat >&2", payload) == (0, b"", payload)


def test_large_output_and_input(box):
    payload = os.urandom(3 << 20)
    status, out, err = exchange(box, "cat", payload)
    assert (status, len(out), out == payload, err) == (0, len(payload), True, b"")


def test_exit_status_and_both_streams(box):
    assert exchange(box, "echo out; echo err >&2; exit 7") == (7, b"out\n", b"err\n")
    assert exchange(box, "false")[0] == 1
    status, out, err = exchange(box, "ls /nonexistent")
    assert (status, out, err) == (1, b"", b"ls: /nonexistent: No such file or directory\n")


def test_a_command_reads_its_standard_input(box):
    assert exchange(box, "read a b; echo $b $a", b"one two\n") == (0, b"two one\n", b"")


def test_without_a_command_standard_input_is_the_script(box):
    assert exchange(box, None, b"echo from the script\nexit 3\n") == (3, b"from the script\n", b"")


def test_state_is_kept_in_the_one_sim(box):
    assert exchange(box, "echo kept > /root/serve-note")[0] == 0
    host = jailkit.connect(box.url())
    try:
        assert host.run("cat /root/serve-note; rm /root/serve-note").stdout == "kept\n"
    finally:
        host.close()


def test_commands_run_one_at_a_time(box):
    # Each command reads, adds and writes back a counter: run side by side
    # by 8 threads over one connection, no increment is lost.
    host = jailkit.connect(box.url())
    host.run("echo 0 > /root/counter").check()

    def add() -> None:
        for _ in range(5):
            host.run("n=$(cat /root/counter); echo $((n + 1)) > /root/counter").check()

    threads = [threading.Thread(target=add) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert host.run("cat /root/counter; rm /root/counter").stdout == "40\n"
    finally:
        host.close()


def request(command: bytes, stdin: bytes = b"") -> bytes:
    return (struct.pack(">BI", 1, len(command)) + command + struct.pack(">Q", len(stdin)) + stdin)


def test_the_sim_outlives_clients_that_go_away(box):
    # (root reaches the login user's socket; anyone else is that user)
    with socket.socket(socket.AF_UNIX) as cut_short:      # gone mid-request
        cut_short.connect(str(sim_socket(box)))
        cut_short.sendall(request(b"echo never > /root/half")[:9])
    with socket.socket(socket.AF_UNIX) as impatient:      # gone before the answer
        impatient.connect(str(sim_socket(box)))
        impatient.sendall(request(b"cat", b"x" * (1 << 20)))
    host = jailkit.connect(box.url())
    try:
        assert host.run("uname -r").stdout == "14.3-RELEASE\n"
        assert host.run("ls /root/half").exit_status == 1     # a request cut short ran nothing
    finally:
        host.close()


def test_a_sim_that_is_gone_is_said_so():
    server = start_sshd(sim=True)
    try:
        assert server.sim is not None
        server.sim.kill()
        server.sim.wait()
        status, out, err = exchange(server, "true")
        assert (status, out) == (255, b"")
        assert err == f"jailkit sim: no sim answers at {sim_socket(server)}: Connection refused\n".encode()
    finally:
        server.stop()


def test_stopping_the_sshd_leaves_nothing_behind():
    server = start_sshd(sim=True)
    assert server.sim is not None
    sim, place = server.sim, sim_socket(server)
    assert exchange(server, "true")[0] == 0
    server.stop()
    assert sim.poll() == 0                       # it ended itself, on end of file
    assert not place.exists() and not server.workdir.exists()


# A run that dies without stopping its sshd: the sim goes with it.
ABANDON = """
import os, sys
sys.path.insert(0, sys.argv[1])
from tests.sshd import start_sshd
server = start_sshd(sim=True)
print(server.sim.pid, server.workdir, flush=True)
os._exit(0)
"""


@pytest.mark.long
def test_a_run_that_dies_takes_its_sim_along():
    done = subprocess.run([sys.executable, "-c", ABANDON, str(PROJECT)], capture_output=True,
                          text=True, check=True)
    pid, workdir = done.stdout.split()
    try:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists()
        assert not (Path(workdir) / "sim" / "sim.sock").exists()
    finally:
        # what the next run's first sshd sweeps: the dead run's sshd and users
        if os.geteuid() == 0:
            sweep_leftovers()
        _stop_stale_sshd(Path(workdir))
        subprocess.run(["rm", "-rf", workdir], check=True)


def test_sigterm_stops_the_sim_and_removes_its_socket(tmp_path):
    place = tmp_path / "sim.sock"
    sim = subprocess.Popen([sys.executable, "-m", "jailkit.sim.serve", str(place), "--bare"],
                           cwd=PROJECT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert sim.stdout is not None and sim.stdout.readline() == b"ready\n"
        assert place.is_socket()
        sim.send_signal(signal.SIGTERM)
        assert sim.wait(timeout=10) == 0
        assert not place.exists()
    finally:
        if sim.poll() is None:
            sim.kill()
        sim.wait()


# -- the sshd's tunnels (direct-tcpip) go through the sim's network ------------------------------
@pytest.fixture(scope="module")
def tester(box):
    """A user of the sim's own, with a password, for its own sshd (the
    bare box runs one on *:22)."""
    host = jailkit.connect(box.url())
    host.run("echo secret | pw useradd tester -m -h 0").check()
    yield host
    host.run("pw userdel tester -r").check()
    host.close()


def test_a_login_through_the_box_reaches_the_sims_sshd(tester):
    result = tester.login("10.0.2.15", "tester", "secret", "id -un; hostname")
    assert (result.exit_status, result.stdout, result.stderr) == (0, "tester\ndesktop.lan\n", "")
    assert tester.login("10.0.2.15", "tester", "secret", "exit 4").exit_status == 4


def test_the_sims_sshd_refuses_as_freebsds_does(tester):
    with pytest.raises(jailkit.LoginError, match=r"^tester@10.0.2.15: Permission denied "
                                                 r"\(publickey,keyboard-interactive\)\.$"):
        tester.login("10.0.2.15", "tester", "wrong", "true")
    with pytest.raises(jailkit.LoginError, match="^ssh: connect to host 10.0.2.15 port 2222: "
                                                 "Connection refused$"):
        tester.login("10.0.2.15", "tester", "secret", "true", port=2222)


def test_a_tunnel_never_reaches_the_machine_under_the_sim(tester):
    # A port listening here on 127.0.0.1: through the box, 127.0.0.1 is the
    # box's own lo0, where nothing listens on it.
    with socket.socket() as here:
        here.bind(("127.0.0.1", 0))
        here.listen()
        with pytest.raises(jailkit.LoginError, match="Connection refused"):
            tester.login("127.0.0.1", "tester", "secret", "true", port=here.getsockname()[1])
    assert tester.login("127.0.0.1", "tester", "secret", "id -un").stdout == "tester\n"


def test_a_tunnel_left_mid_handshake_costs_only_itself(tester):
    tunnel = tester.open_tunnel("10.0.2.15", 22)
    assert tunnel.recv(100) == b"SSH-2.0-OpenSSH_9.9 FreeBSD-20250219\r\n"    # the sim's sshd
    tunnel.close()
    assert tester.run("uname -r", timeout=5).stdout == "14.3-RELEASE\n"
