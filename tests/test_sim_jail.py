"""jail(8), jexec(8) and jls(8) on the sim: jail.conf, the order of the
exec hooks, rollback on failure, messages and exit statuses."""

from __future__ import annotations

import re

from jailkit.files import write_file
from tests.conftest import run



ORDER_CONF = """\
# every hook says when it runs, and where
exec.prestart = 'echo prestart $JNAME';
exec.created = "echo created";
exec.start = "echo start in `hostname`";
exec.poststart = 'echo poststart JID=$JID';
exec.prestop = "echo prestop";
exec.stop = "echo stop";
exec.poststop = "echo poststop";
persist;
path = "/";
t { host.hostname = "t.example"; }
"""


def test_exec_hooks_run_in_freebsds_order(host):
    write_file(host, "/etc/jail.conf", ORDER_CONF)
    status, stdout, stderr = run(host, "jail -c t")
    assert (status, stderr) == (0, "")
    assert stdout == "prestart t\nt: created\ncreated\nstart in t.example\npoststart JID=1\n"
    assert run(host, "jail -r t") == (0, "prestop\nstop\nt: removed\npoststop\n", "")


def test_quiet_and_verbose(host):
    write_file(host, "/etc/jail.conf", ORDER_CONF)
    assert run(host, "jail -qc t")[1] == "prestart t\ncreated\nstart in t.example\npoststart JID=1\n"
    verbose = run(host, "jail -vr t")[1]
    # No shell metacharacter: jail(8) execs the words itself (command.c).
    assert "t: run command: echo prestop\n" in verbose
    assert "t: run command in jail: echo stop\n" in verbose


def test_command_line_jails_say_nothing(host):
    # jail_basic_test "list": stdout must stay empty for a command-line jail.
    assert run(host, "jail -c name=basejail persist") == (0, "", "")
    assert run(host, "jls -j basejail name")[1] == "basejail\n"
    assert run(host, "jail -r basejail") == (0, "", "")


def test_already_exists_and_not_found(host):
    host.run("jail -c name=a persist").check()
    assert run(host, "jail -c name=a persist") == (1, "", 'jail: "a" already exists\n')
    assert run(host, "jail -r nope") == (1, "", 'jail: "nope" not found\n')
    assert run(host, "jexec nope true") == (1, "", 'jexec: jail "nope" not found\n')
    assert run(host, "jls -j nope") == (1, "", 'jls: jail "nope" not found\n')


def test_a_jail_must_persist_or_have_something_to_run(host):
    assert run(host, "jail -c name=x") == (1, "", "jail: new jail must persist or attach\n")
    # With a command and no persist, the jail lives while the command runs.
    assert run(host, "jail -c name=y path=/ command=/bin/echo hi") == (0, "hi\n", "")
    assert run(host, "jls")[1] == "   JID  IP Address      Hostname                      Path\n"


def test_unknown_parameter(host):
    assert run(host, "jail -c name=x persist colour=blue") == (1, "", "jail: unknown parameter: colour\n")


def test_path_must_exist(host):
    write_file(host, "/etc/jail.conf", 'p { path = "/nonexistent"; persist; }\n')
    assert run(host, "jail -c p") == (1, "", "jail: p: path /nonexistent: No such file or directory\n")


def test_a_failing_exec_start_undoes_the_creation(host):
    write_file(host, "/etc/jail.conf", 'f { path = "/"; persist; mount.devfs; exec.start = "false"; }\n')
    host.run("mkdir -p /dev").check()
    status, stdout, stderr = run(host, "jail -c f")
    assert status == 1 and stdout == "f: created\n"
    assert stderr == "jail: f: false: failed\n"
    assert run(host, "jls -j f")[0] == 1


def test_a_missing_program_is_reported_by_jail(host):
    write_file(host, "/etc/jail.conf", 'm { path = "/"; persist; exec.prestart = "nosuchcmd"; }\n')
    status, _, stderr = run(host, "jail -c m")
    assert status == 1
    assert stderr == "jail: m: exec nosuchcmd: No such file or directory\njail: m: nosuchcmd: failed\n"


def test_jail_conf_syntax_error(host):
    write_file(host, "/etc/j.conf", "x {\n  path = /;\n  persist\n}\n")
    assert run(host, "jail -f /etc/j.conf -c x") == (1, "", "jail: /etc/j.conf line 4: }: syntax error\n")


def test_double_quotes_expand_jail_conf_variables(host):
    # In jail.conf "$X" names a parameter; the environment's $JID needs '...'.
    write_file(host, "/etc/jail.conf", 'u { path = "/"; persist; exec.start = "echo $JID"; }\n')
    assert run(host, "jail -c u") == (1, "", 'jail: u: exec.start: unknown variable "JID"\n')


def test_variables_and_appends(host):
    conf = ('v { path = "/"; persist; host.hostname = "$name.lan"; '
            'exec.poststart = "echo one"; exec.poststart += "echo two ${host.hostname}"; }\n')
    write_file(host, "/etc/jail.conf", conf)
    assert run(host, "jail -qc v")[1] == "one\ntwo v.lan\n"


def test_restart_and_modify(host):
    host.run("jail -c name=r persist host.hostname=one").check()
    host.run("jail -m name=r host.hostname=two").check()
    assert run(host, "jls -j r host.hostname")[1] == "two\n"
    assert run(host, "jail -m name=r vnet") == (1, "", "jail: vnet cannot be changed after creation\n")
    first = run(host, "jls -j r jid")[1]
    host.run("jail -rc name=r persist").check()
    assert run(host, "jls -j r jid")[1] != first


def test_jids_keep_growing(host):
    for _ in range(3):
        host.run("jail -c name=g persist && jail -r g").check()
    host.run("jail -c name=g persist").check()
    assert run(host, "jls -j g jid")[1] == "4\n"


def test_vnet_interface_moves_in_and_comes_back_home(host):
    host.run("ifconfig epair create").check()
    host.run("jail -c name=v persist vnet vnet.interface=epair0b").check()
    assert run(host, "jexec v ifconfig -l")[1] == "lo0 epair0b\n"
    assert "epair0b" not in run(host, "ifconfig -l")[1]
    host.run("jail -r v").check()
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 epair0a epair0b\n"


def test_a_missing_vnet_interface_fails_the_jail(host):
    status, _, stderr = run(host, "jail -c name=v persist vnet vnet.interface=epair7b")
    assert status == 1
    # A command-line jail has no jail.conf name to prefix jail's messages.
    assert stderr == ("ifconfig: interface epair7b does not exist\n"
                      "jail: /sbin/ifconfig epair7b vnet v: failed\n")
    assert run(host, "jls -j v")[0] == 1


def test_jexec_runs_inside(host):
    host.run("mkdir -p /j/bin /j/etc && cp /bin/sh /bin/echo /j/bin/ && "
             "jail -c name=in path=/j persist host.hostname=inside").check()
    assert run(host, "jexec in /bin/echo hello") == (0, "hello\n", "")
    assert run(host, "jexec in /bin/sh -c 'echo $0; cd /; echo *'")[1] == "/bin/sh\nbin etc\n"
    assert run(host, "jexec in ifconfig") == (1, "", "jexec: execvp: ifconfig: No such file or directory\n")
    assert run(host, "jexec in /bin/sh -c ifconfig") == (127, "", "sh: ifconfig: not found\n")


def test_jls_formats(host):
    host.run("jail -c name=www host.hostname=www persist ip4.addr=192.0.2.5 path=/").check()
    host.run("jail -c name=vj persist vnet path=/").check()
    listing = run(host, "jls")[1].splitlines()
    assert listing[0] == "   JID  IP Address      Hostname                      Path"
    assert listing[1] == "     1  192.0.2.5       www                           /"
    # A VNET jail has no IPv4 address: the column is blank (outputs.md §2).
    assert listing[2] == "     2                  desktop.lan                   /"
    verbose = run(host, "jls -v")[1].splitlines()
    assert verbose[:4] == ["   JID  Hostname                      Path", "        Name                          State",
                           "        CPUSetID", "        IP Address(es)"]
    assert verbose[5] == "        www                           ACTIVE"
    assert verbose[7] == "        192.0.2.5      "
    assert re.fullmatch(r"jid=2 name=vj path=/ host\.hostname=desktop\.lan vnet=new .*persist .*",
                        run(host, "jls -n -j vj")[1].strip())
    assert run(host, "jls -j www jid name")[1] == "1 www\n"
    assert run(host, "jls colour") == (1, "", "jls: unknown parameter: colour\n")


def test_nested_jail_limits(host):
    # jail_basic_test "nested": the kernel's wording is what jail prints.
    host.run("jail -c name=basejail persist children.max=1 path=/").check()
    assert run(host, "jexec basejail jail -c name=nestedjail persist") == (0, "", "")
    assert run(host, "jexec basejail jail -c name=second persist") == \
        (1, "", "jail: prison limit exceeded\n")
    host.run("jail -c name=nochild persist path=/").check()
    assert run(host, "jexec nochild jail -c name=nestedjail persist") == \
        (1, "", "jail: jail_set: Operation not permitted\n")


def test_ip4_addr_with_interface_adds_and_removes_the_alias(host):
    write_file(host, "/etc/jail.conf", 'w { path = "/"; persist; interface = fxp0; ip4.addr = 10.0.10.5; }\n')
    host.run("jail -c w").check()
    assert "\tinet 10.0.10.5 netmask 0xffffffff broadcast 10.0.10.5\n" in run(host, "ifconfig fxp0")[1]
    # Without allow.raw_sockets a non-VNET jail may not ping.
    assert run(host, "jexec w ping -c 1 10.0.10.1") == (71, "", "ping: socket: Operation not permitted\n")
    host.run("jail -r w").check()
    assert "10.0.10.5" not in run(host, "ifconfig fxp0")[1]


def test_removing_a_command_line_jail_leaves_its_alias(host):
    # Without jail.conf, "jail -r" knows no interface: the alias stays (jail(8) -r/-R).
    host.run("jail -c name=w persist interface=fxp0 ip4.addr=10.0.10.5 path=/").check()
    host.run("jail -r w").check()
    assert "10.0.10.5" in run(host, "ifconfig fxp0")[1]


def test_an_interface_goes_home_even_where_its_name_is_taken(host):
    """vnet_if_return() moves a jail's borrowed interfaces home without the
    name check of `ifconfig -vnet`: the host then has two of that name."""
    host.run("ifconfig epair0 create").check()
    host.run("jail -c name=j vnet persist path=/ vnet.interface=epair0b").check()
    host.run("jexec j ifconfig epair0b name lan0").check()
    host.run("ifconfig epair1 create && ifconfig epair1a name lan0").check()
    assert host.run("jail -r j").succeeded
    assert host.run("ifconfig -l").stdout.split().count("lan0") == 2


def test_a_jail_sets_its_host_name_only_when_allowed(host):
    """hostname(1) and sysctl kern.hostname ask the kernel the same thing
    (kern_mib.c sysctl_hostname): a jail needs allow.set_hostname."""
    host.run("jail -c name=locked persist host.hostname=locked.lan && "
             "jail -c name=free persist host.hostname=free.lan allow.set_hostname").check()
    assert run(host, "jexec locked hostname other") == \
        (1, "", "hostname: sethostname: Operation not permitted\n")
    assert run(host, "jexec locked sysctl kern.hostname=other") == \
        (1, "", "sysctl: kern.hostname=other: Operation not permitted\n")
    assert run(host, "jexec locked hostname") == (0, "locked.lan\n", "")
    assert run(host, "jexec free hostname new.lan && jexec free hostname") == (0, "new.lan\n", "")
    assert run(host, "jexec free sysctl kern.hostname=newer.lan") == \
        (0, "kern.hostname: new.lan -> newer.lan\n", "")
    assert run(host, "jls -j free host.hostname") == (0, "newer.lan\n", "")


def test_a_console_log_on_a_device_swallows_the_output(host):
    """exec.consolelog=/dev/null: the commands' output goes to the device,
    which keeps nothing (it used to crash the sim)."""
    assert run(host, 'jail -c name=j persist exec.consolelog=/dev/null exec.start="/bin/echo hi"') \
        == (0, "", "")
    assert run(host, "jls name")[1] == "j\n"


def test_jls_N_shows_the_jails_name_in_place_of_its_jid(host):
    # jls.c PRINT_JAIL_NAME: " %-15s " for the name, its own header
    host.run("jail -c name=w path=/ host.hostname=w.example persist").check()
    assert host.run("jls -N").stdout == (
        " JID             IP Address      Hostname                      Path\n"
        " w                               w.example                     /\n")


def test_a_name_is_looked_up_among_the_jails_the_caller_sees(host):
    """jail_getid() by name or jid: a child's name is unique under its
    parent only; from the host the lowest jid of that name answers, from a
    jail only its own descendants; a removed name is gone, and a new jail
    may take it."""
    host.run("jail -c name=a persist children.max=2 path=/").check()
    host.run("jail -c name=b persist children.max=1 path=/").check()
    assert run(host, "jexec a jail -c name=x persist") == (0, "", "")
    assert run(host, "jexec b jail -c name=x persist") == (0, "", "")
    jids = run(host, "jls jid name")[1]
    assert jids == "1 a\n2 b\n3 x\n4 x\n"
    assert run(host, "jls -j x jid")[1] == "3\n"
    assert run(host, "jexec b jls -j x jid")[1] == "4\n"
    assert run(host, "jexec b jls -j 3 jid") == (1, "", 'jls: jail "3" not found\n')
    assert run(host, "jexec b jls -j a") == (1, "", 'jls: jail "a" not found\n')
    host.run("jail -r 3").check()
    assert run(host, "jls -j x jid")[1] == "4\n"
    assert run(host, "jexec a jls -j x") == (1, "", 'jls: jail "x" not found\n')
    assert run(host, "jexec a jail -c name=x persist") == (0, "", "")
    assert run(host, "jexec a jls -j x jid")[1] == "5\n"
    assert run(host, "jls -j x jid")[1] == "4\n"
