"""The sim sshd's forced command (jailkit/sim/serve_client.c) in both of
its forms: `serve-client SOCKET`, and as the login shell of the sim's user,
`serve-client -c 'PATH/serve-client SOCKET'`, which is how sshd runs the
ForceCommand with that shell. In the second form it takes nothing but its
own command line: anything else is refused before the sim hears of it."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.sshd import Sshd, start_sshd


@pytest.fixture(scope="module")
def box():
    server = start_sshd(sim=True)
    yield server
    server.stop()


def forced(server: Sshd, *argv: str, command: str = "echo hi") -> subprocess.CompletedProcess:
    return subprocess.run([str(server.workdir / "serve-client"), *argv], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL,
                          env={**os.environ, "SSH_ORIGINAL_COMMAND": command})


def test_both_forms_hand_the_command_to_the_sim(box):
    sock = str(box.workdir / "sim" / "sim.sock")
    for argv in ([sock], ["-c", f"{box.workdir}/serve-client {sock}"]):
        done = forced(box, *argv)
        assert (done.returncode, done.stdout, done.stderr) == (0, "hi\n", ""), argv


@pytest.mark.parametrize("line", ["{client} {sock}; touch /tmp/jailkit-never",
                                  "{client} {sock} more", "/bin/sh {sock}", "{client}",
                                  "{client}  {sock}", "{client} '{sock}'", "{client} $HOME"])
def test_the_shell_form_takes_only_its_own_command_line(box, line):
    sock = str(box.workdir / "sim" / "sim.sock")
    done = forced(box, "-c", line.format(client=box.workdir / "serve-client", sock=sock),
                  command="touch /root/reached")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: serve-client SOCKET\n")
    assert forced(box, sock, command="test -e /root/reached").returncode == 1
