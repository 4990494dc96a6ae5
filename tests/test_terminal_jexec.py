"""`jexec NAME sh` typed at the learner's terminal (jailkit.terminal): the
following lines run in the jail's shell until `exit`, as after `qjail
console`; what jexec refuses is refused with its words; `jailkit sim`'s
prompt names the jail."""

from __future__ import annotations

import sys

import pytest

import jailkit
from jailkit.cli import main, prompt
from jailkit.lab import load_lab
from jailkit.terminal import Terminal


@pytest.fixture
def terminal() -> Terminal:
    host = jailkit.connect("sim://")
    lab = load_lab("qjail-vnet")
    typed = Terminal(host, lab.variables())
    for line in ("mkdir -p /jail/j/usr /jail/j/root /jail/j/tmp",
                 "cp -Rp /bin /lib /libexec /sbin /etc /jail/j/",
                 "cp -Rp /usr/bin /usr/lib /usr/libexec /usr/sbin /usr/share /jail/j/usr/",
                 "jail -c path=/jail/j name=j host.hostname=j.example.org persist"):
        assert typed.enter(line).exit_status == 0, line
    return typed


@pytest.mark.parametrize("line", ["jexec j sh", "jexec j /bin/sh", "jexec -l j login -f root",
                                  "jexec -l -u root j", "jexec j"])
def test_jexec_enters_the_jails_shell_until_exit(terminal, line):
    typed = terminal.enter(line)
    assert (typed.exit_status, typed.output, terminal.console) == (0, "", "j")
    assert terminal.enter("hostname").stdout == "j.example.org\n"
    assert terminal.enter("cd /tmp; X=1").where == "j"
    assert terminal.enter("echo $X $(pwd)").stdout == "1 /tmp\n"
    assert terminal.enter("exit 3").exit_status == 3
    assert terminal.console is None
    assert terminal.enter("echo $? $X").stdout == "3\n"
    assert terminal.enter("hostname").stdout == "desktop.lan\n"


def test_what_jexec_refuses_is_refused_on_the_host(terminal):
    typed = terminal.enter("jexec nope sh")
    assert (typed.exit_status, typed.stderr, terminal.console) == (1, 'jexec: jail "nope" not found\n', None)
    terminal.enter("mkdir -p /jail/bare && jail -c path=/jail/bare name=bare persist")
    typed = terminal.enter("jexec bare sh")
    assert (typed.exit_status, terminal.console) == (1, None)
    assert typed.stderr == "jexec: execvp: /bin/sh: No such file or directory\n"


@pytest.mark.parametrize("line", ["jexec j sh -c hostname", "jexec j hostname", "jexec j sh | cat",
                                  "jexec -u nobody j sh", "jexec j sh && echo back"])
def test_other_jexec_lines_run_as_commands(terminal, line):
    typed = terminal.enter(line)
    assert terminal.console is None
    assert "j.example.org" in typed.stdout or typed.stdout in ("", "back\n")


def test_the_prompt_shows_the_jail(terminal):
    lab = load_lab("qjail-vnet")
    assert prompt(terminal, lab) == "root@desktop:~ # "
    terminal.enter("jexec j sh")
    assert prompt(terminal, lab) == "root@j:~ # "
    terminal.enter("cd /etc")
    assert prompt(terminal, lab) == "root@j:/etc # "
    terminal.enter("exit")
    assert prompt(terminal, lab) == "root@desktop:~ # "


class _Lines:
    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)

    def __iter__(self):
        return iter(self.lines)

    def isatty(self) -> bool:
        return False


def test_jailkit_sim_reads_the_following_lines_in_the_jail(monkeypatch, capsys):
    script = ("mkdir -p /jail/j/usr /jail/j/root\n"
              "cp -Rp /bin /lib /libexec /sbin /etc /jail/j/\n"
              "jail -c path=/jail/j name=j host.hostname=j.example.org persist\n"
              "jexec j sh\nhostname\nexit\nhostname\n")
    monkeypatch.setattr(sys, "stdin", _Lines(script))
    assert main(["sim"]) == 0
    assert capsys.readouterr().out == "j.example.org\ndesktop.lan\n"
