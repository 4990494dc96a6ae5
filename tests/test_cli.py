"""`jailkit sim`: commands from standard input, printed as FreeBSD prints
them; and the interactive shell, driven through a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from jailkit.cli import main

HOWTO = """\
# the howto's steps, typed into the sim
qjail install
qjail create -4 <jail_ip> v10
qjail config -w <lan_nic> -v none v10
qjail start v10
qjail console v10
route add default <gateway>
ping -c 1 <internet_host>
exit
qjail list
"""


def test_commands_from_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Lines(HOWTO))
    assert main(["sim"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Successfully installed qjail system.\n")
    assert "add net default: gateway 10.0.10.1\n" in out
    assert "64 bytes from 198.51.100.80: icmp_seq=0 ttl=63" in out
    assert "DRV 0  1    fxp0   10.0.10.10      v10\n" in out


def test_the_status_is_the_last_commands(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Lines("true\nnosuchcommand\n"))
    assert main(["sim"]) == 127
    assert capsys.readouterr().err == "sh: nosuchcommand: not found\n"


def test_other_labs_and_bad_ones(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Lines("ifconfig -l\n"))
    assert main(["sim", "--lab", "vnet-jib-pf-nat"]) == 0
    assert capsys.readouterr().out == "vtnet0 lo0\n"
    assert main(["sim", "--lab", "nowhere"]) == 2
    assert "no lab named 'nowhere'" in capsys.readouterr().err
    assert main(["labs"]) == 0
    assert capsys.readouterr().out.startswith("qjail-vnet\tA FreeBSD 14 desktop")


def test_the_interactive_shell(tmp_path):
    """A real terminal: the prompt, a command, the console prompt, exit."""
    env = {**os.environ, "JAILKIT_HISTORY": str(tmp_path / "history"), "TERM": "dumb"}
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", "jailkit.cli", "sim"], env)
    try:
        seen = _until(fd, "root@desktop:~ # ")
        assert "jailkit sim: FreeBSD 14.3-RELEASE on the qjail-vnet lab" in seen
        os.write(fd, b"hostname\n")
        assert "desktop.lan" in _until(fd, "root@desktop:~ # ")
        for line in (b"qjail install\n", b"qjail create -4 10.0.10.10 v10\n",
                     b"qjail config -w fxp0 -v none v10\n", b"qjail start v10\n"):
            os.write(fd, line)
            _until(fd, "root@desktop:~ # ")
        os.write(fd, b"qjail console v10\n")
        assert "Welcome to your FreeBSD jail." in _until(fd, "v10 /root > ")
        os.write(fd, b"hostname\n")
        assert "v10" in _until(fd, "v10 /root > ")
        os.write(fd, b"exit\n")
        _until(fd, "root@desktop:~ # ")
        os.write(fd, b"exit\n")
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0
        assert (tmp_path / "history").read_text().splitlines()[-1] == "exit"
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)


def test_the_console_script_is_installed():
    found = subprocess.run([os.path.join(os.path.dirname(sys.executable), "jailkit"), "labs"],
                           capture_output=True, text=True)
    assert found.returncode == 0 and "vnet-jib-pf-nat" in found.stdout


class _Lines:
    """A non-terminal standard input."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)

    def isatty(self) -> bool:
        return False

    def __iter__(self):
        return iter(self.lines)


def _until(fd: int, text: str, seconds: float = 30) -> str:
    seen = ""
    deadline = time.monotonic() + seconds
    while text not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {text!r} in {seen!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            seen += os.read(fd, 4096).decode(errors="replace")
    return seen
