"""rc.conf read again and again (rc, devd's check of each new interface,
service, sysrc): every read sees the file as it is now, and a file that
runs a command runs it at each read, as sourcing it does."""

from __future__ import annotations

from jailkit.host import Host
from jailkit.hosts.sim import SimHost
from jailkit.sim import rcconf
from jailkit.sim.proc import Input, Proc, Sink, root_env
from jailkit.sim.sh.shell import Shell
from jailkit.sim.vfs import File
from tests.conftest import run


def test_each_read_sees_the_file_as_it_is_now(host: Host) -> None:
    assert run(host, "sysrc -n hostname")[1] == "desktop.lan\n"
    run(host, "echo 'hostname=\"b.lan\"' >> /etc/rc.conf")
    assert run(host, "sysrc -n hostname")[1] == "b.lan\n"
    run(host, "echo 'sshd_enable=\"NO\"' >> /etc/rc.conf")
    assert run(host, "service sshd rcvar")[1] == '# sshd\n#\nsshd_enable="NO"\n'


def test_a_command_in_rc_conf_runs_at_every_read(host: Host) -> None:
    run(host, "echo 'x=$(echo run >> /tmp/runs)' >> /etc/rc.conf")
    run(host, "sysrc -n hostname; sysrc -n hostname; service sshd rcvar")
    assert run(host, "cat /tmp/runs")[1] == "run\nrun\nrun\n"


def test_a_variable_of_the_environment_is_read_at_every_read(host: Host) -> None:
    run(host, "echo 'hostname=\"$HOME.lan\"' >> /etc/rc.conf")
    assert run(host, "sysrc -n hostname")[1] == "/root.lan\n"
    assert run(host, "HOME=/x sysrc -n hostname")[1] == "/x.lan\n"


TEXTS = [
    'a="x y"  # a comment\nb=plain/word.1\nc=\n\n   # indented comment\nd="" \n',
    'a="x"#not-a-comment\n',           # one word: x#not-a-comment
    'a=b c\n',                          # a command run with a=b in its environment
    'a="$HOME"\nb=~\n',                 # an expansion each
    'a="multi\nline"\n',                # a string over two lines
    'a=1\r\n',                          # a carriage return is part of the word
    'hostname="one"\nhostname="two"\n',
]


def test_rc_variables_are_what_sourcing_the_files_sets(host: Host) -> None:
    """Plain assignments are read without the shell's parser: the
    variables, and their order, are exactly those a shell sourcing the
    files with "." ends with."""
    assert isinstance(host, SimHost)
    kernel = host.machine.kernel
    for text in TEXTS:
        run(host, "cat > /etc/rc.conf", stdin=text)
        proc = Proc(kernel, kernel.prison0, "/", root_env(), Input(""), Sink(), Sink())
        shell = Shell(proc.child(), name="rc")
        for path in ("/etc/defaults/rc.conf", "/etc/rc.conf"):
            node = kernel.vfs.lookup(path)
            assert isinstance(node, File)
            shell.source(path, node)
        assert list(rcconf.rc_variables(proc).items()) == list(shell.vars.items()), text
