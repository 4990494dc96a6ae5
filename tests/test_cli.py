"""`jailkit sim`: commands from standard input, printed as FreeBSD prints
them; and the interactive shell, driven through a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest

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


def test_a_line_that_cuts_a_bare_boxs_session_ends_it(monkeypatch, capsys):
    # ipfw without its tunable: the box's ssh is gone, as ssh would leave it
    monkeypatch.setattr(sys, "stdin", _Lines("echo before\nkldload ipfw\necho after\n"))
    assert main(["sim", "--bare"]) == 255
    seen = capsys.readouterr()
    assert seen.out == "before\n"
    assert "jailkit: sim://?seed=0&bare=1: the ssh session to the box was cut while " in seen.err
    assert "internal error" not in seen.err


def test_other_labs_and_bad_ones(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Lines("ifconfig -l\n"))
    assert main(["sim", "--lab", "vnet-jib-pf-nat"]) == 0
    assert capsys.readouterr().out == "vtnet0 lo0\n"
    assert main(["sim", "--lab", "nowhere"]) == 2
    assert "no lab named 'nowhere'" in capsys.readouterr().err
    assert main(["labs"]) == 0
    assert "\nqjail-vnet\tA FreeBSD 14 desktop" in capsys.readouterr().out


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


class _Terminal:
    """`jailkit sim` on a real pseudo-terminal, typed at as a learner types:
    ^C (\\x03) and ^D (\\x04) go through the terminal's line discipline."""

    HOST = "root@desktop:~ # "

    def __init__(self, tmp_path) -> None:
        env = {**os.environ, "JAILKIT_HISTORY": str(tmp_path / "history"), "TERM": "dumb"}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(sys.executable, [sys.executable, "-m", "jailkit.cli", "sim"], env)
        self.expect(self.HOST)

    def expect(self, text: str) -> str:
        return _until(self.fd, text).replace("\r\n", "\n")

    def type(self, line: str, until: str = HOST) -> str:
        """Type a line and wait for ``until``; what the terminal showed."""
        os.write(self.fd, line.encode() + b"\n")
        return self.expect(until)

    def press(self, key: bytes, until: str) -> str:
        os.write(self.fd, key)
        return self.expect(until)

    def build_jail(self) -> None:
        for line in ("qjail install", "qjail create -4 10.0.10.10 v10",
                     "qjail config -w fxp0 -v none v10", "qjail start v10"):
            self.type(line)

    def close(self) -> None:
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


@pytest.fixture
def terminal(tmp_path):
    term = _Terminal(tmp_path)
    yield term
    term.close()


def test_ctrl_c_stops_ping_only_and_shows_its_statistics(terminal):
    terminal.build_jail()
    shown = terminal.type("ping 10.0.10.1", until="icmp_seq=1 ttl=64")
    assert "PING 10.0.10.1 (10.0.10.1): 56 data bytes" in shown
    shown = terminal.press(b"\x03", until=terminal.HOST)
    assert "--- 10.0.10.1 ping statistics ---" in shown
    assert re.search(r"\n(\d+) packets transmitted, \1 packets received, 0\.0% packet loss\n"
                     r"round-trip min/avg/max/stddev = ", shown)
    # ping.c finish(): 0 when a reply came; jailkit and the jail are still there
    assert "\n0\n" in terminal.type("echo $?")
    assert "DRV 0  1    fxp0   10.0.10.10      v10" in terminal.type("qjail list")


def test_ctrl_c_kills_sleep_and_abandons_the_rest_of_the_line(terminal):
    # "go" shows the line is running; then ^C
    terminal.type("echo go; sleep 100000; echo after", until="go\r\n")
    shown = terminal.press(b"\x03", until=terminal.HOST)
    assert "after" not in shown
    assert "\n130\n" in terminal.type("echo $?")


def test_ctrl_c_stops_tcpdump_which_prints_its_counters(terminal):
    terminal.type("tcpdump -n -i fxp0", until="snapshot length 262144 bytes\r\n")
    shown = terminal.press(b"\x03", until=terminal.HOST)
    assert "0 packets captured\n0 packets received by filter\n0 packets dropped by kernel\n" in shown
    assert "\n0\n" in terminal.type("echo $?")


def test_ctrl_d_in_a_console_goes_back_to_the_host(terminal):
    terminal.build_jail()
    terminal.type("qjail console v10", until="v10 /root > ")
    terminal.press(b"\x04", until=terminal.HOST)
    assert "desktop.lan" in terminal.type("hostname")
    terminal.press(b"\x04", until="\n")
    _, status = os.waitpid(terminal.pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def test_one_shell_session_on_the_host_and_in_each_console(terminal):
    terminal.type("cd /etc", until="root@desktop:/etc # ")
    terminal.type("X=5; f() { echo f$1; }", until="root@desktop:/etc # ")
    terminal.type("false", until="root@desktop:/etc # ")
    assert "\n1 5 /etc f1\n" in terminal.type("echo $? $X $(pwd) $(f 1)", until="/etc # ")
    terminal.type("cd", until=terminal.HOST)
    terminal.build_jail()
    terminal.type("qjail console v10", until="v10 /root > ")
    terminal.type("cd /tmp; Y=7", until="v10 /tmp > ")
    assert "\n7 /tmp\n" in terminal.type("echo $Y $(pwd)", until="v10 /tmp > ")
    terminal.type("exit", until=terminal.HOST)
    assert "\n5\n" in terminal.type("echo $X")


def test_qjail_in_pipelines_and_lists(terminal):
    terminal.build_jail()
    shown = terminal.type("qjail list | grep v10")
    assert "DRV 0  1    fxp0   10.0.10.10      v10" in shown and "STATUS" not in shown
    assert "Jail successfully stopped  v10\nok\n" in terminal.type("qjail stop v10 && echo ok")
    shown = terminal.type("qjail list | wc -l | tr -d ' '; ! qjail start v10; echo $?")
    # five lines of qjail list counted by wc; ! turns start's 0 into 1
    assert shown.endswith("\n5\nJail successfully started  v10\n1\n" + terminal.HOST)


def test_an_unbalanced_quote_is_shs_syntax_error(terminal):
    shown = terminal.type("qjail create -4 '10.0.0.1 v11")
    assert "sh: Syntax error: Unterminated quoted string" in shown
    assert "Traceback" not in shown
    assert "\n2\n" in terminal.type("echo $?")


def test_without_a_terminal_an_endless_command_is_stopped_at_the_limit(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Lines("qjail install\nsleep 100000\necho $?\n"
                                             "ping <gateway>\nqjail list\n"))
    assert main(["sim", "--limit", "5"]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("ran past its limit (5 virtual seconds") == 2
    assert "jailkit sim: `sleep 100000` ran past its limit" in captured.err
    assert "\n130\n" in captured.out
    assert "5 packets transmitted, 5 packets received, 0.0% packet loss" in captured.out
    assert captured.out.endswith("STATUS JID  NIC    IP              Jailname\n"
                                 "------ ---- ------ --------------- "
                                 "-------------------------------\n\n")
    assert "Traceback" not in captured.err


def test_the_console_script_is_installed():
    found = subprocess.run([os.path.join(os.path.dirname(sys.executable), "jailkit"), "labs"],
                           capture_output=True, text=True)
    assert found.returncode == 0 and "vnet-jib-pf-nat" in found.stdout


def test_a_byte_that_is_no_utf8_reaches_stdout_as_itself():
    # whatever the stream's error handler (PYTHONIOENCODING=utf-8 is strict)
    found = subprocess.run([os.path.join(os.path.dirname(sys.executable), "jailkit"), "sim"],
                           input=b"printf 'a\\377b\\n'\n", capture_output=True,
                           env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert (found.returncode, found.stdout) == (0, b"a\xffb\n")


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
