"""jailkit's qjail: its messages, its files, its refusals, and that a refusal
changes nothing on the host."""

from __future__ import annotations

import shlex

import pytest

from jailkit.cleanup import snapshot
from jailkit.files import read_file
from jailkit.jailconf import parse
from jailkit.parsers.qjail_list import parse_qjail_list
from jailkit.qjail import Qjail


@pytest.fixture
def qjail(host) -> Qjail:
    return Qjail(host)


PRESTART_ADDM = ("added=$(ifconfig bridge10 addm fxp0 2>&1) || case $added in "
                 "*': File exists') ;; *) echo \"$added\" >&2; false ;; esac")


def q(qjail: Qjail, line: str) -> tuple[int, str]:
    outcome = qjail.command(shlex.split(line))
    return outcome.exit_status, outcome.output


def everything(host):
    """What qjail may have touched: the snapshot plus the files' contents."""
    state = snapshot(host)
    listing = host.run("ls -R /usr/jails /usr/local/etc 2>/dev/null").stdout
    return state, listing


@pytest.fixture
def installed(qjail):
    assert q(qjail, "qjail install") == (0, "Successfully installed qjail system.\n")
    return qjail


@pytest.fixture
def vnet_jail(installed):
    assert q(installed, "qjail create -4 10.0.10.10 v10") == (0, "Successfully created  v10\n")
    assert q(installed, "qjail config -w fxp0 -v none v10")[0] == 0
    return installed


def test_install_builds_the_environment(installed, host):
    assert read_file(host, "/usr/local/etc/qjail.vnetctl") == 'count="0"\n'
    for path in ("/usr/jails/sharedfs/bin/sh", "/usr/jails/sharedfs/usr/sbin/jail",
                 "/usr/jails/template/etc/rc", "/usr/jails/flavors/default/etc/rc.conf"):
        assert host.run(["test", "-f", path]).succeeded, path
    assert host.run("ls -l /usr/jails/template/bin").stdout.rstrip().endswith("-> /sharedfs/bin")
    # The host's own rc.conf is not the template's.
    assert read_file(host, "/usr/jails/template/etc/rc.conf") == ""
    assert q(installed, "qjail install") == (3, "Error: The qjail system has already been installed.\n")


def test_create_writes_qjails_files(installed, host):
    q(installed, "qjail create -4 10.0.10.20 web")
    record = read_file(host, "/usr/local/etc/qjail.local/web")
    assert 'name="web"\nip4="10.0.10.20"\n' in record and 'path="/usr/jails/web"\n' in record
    assert read_file(host, "/usr/local/etc/qjail.global/web") == record
    assert read_file(host, "/usr/local/etc/qjail.fstab/web") == \
        "/usr/jails/sharedfs /usr/jails/web/sharedfs nullfs ro 0 0\n"
    assert read_file(host, "/usr/jails/web/etc/motd") == "Welcome to your FreeBSD jail.\n"
    conf = parse(read_file(host, "/usr/local/etc/qjail.config/web")).jails["web"]
    assert {p.name: p.values for p in conf}["ip4.addr"] == ["10.0.10.20"]


def test_config_v_numbers_vnet_jails_permanently(vnet_jail, host):
    assert read_file(host, "/usr/local/etc/qjail.vnetctl") == 'count="1"\n'
    assert 'vnet="be|none|1"\n' in read_file(host, "/usr/local/etc/qjail.local/v10")
    q(vnet_jail, "qjail create -4 10.0.10.11 v11")
    assert q(vnet_jail, "qjail config -w fxp0 -v ipfw v11") == (
        0, "Successfully enabled vnet.interface for v11\nSuccessfully enabled vnet for v11\n")
    assert 'vnet="be|ipfw|2"\n' in read_file(host, "/usr/local/etc/qjail.local/v11")
    # Changing the firewall keeps the number.
    q(vnet_jail, "qjail config -v pf v11")
    assert 'vnet="be|pf|2"\n' in read_file(host, "/usr/local/etc/qjail.local/v11")
    assert read_file(host, "/usr/local/etc/qjail.vnetctl") == 'count="2"\n'


def test_start_list_stop_cycle(vnet_jail, host):
    assert q(vnet_jail, "qjail start v10") == (0, "Jail successfully started  v10\n")
    assert q(vnet_jail, "qjail start v10") == (0, "Jail already running.      v10\n")
    [row] = parse_qjail_list(q(vnet_jail, "qjail list")[1])
    assert (row.status, row.jid, row.nic, row.ip, row.name) == ("DRV 0", 1, "fxp0", "10.0.10.10", "v10")
    assert read_file(host, "/var/run/qjail.v10.pid") == "1\n"
    assert q(vnet_jail, "qjail stop v10") == (0, "Jail successfully stopped  v10\n")
    assert q(vnet_jail, "qjail stop v10") == (0, "Jail already stopped.      v10\n")
    [row] = parse_qjail_list(q(vnet_jail, "qjail list")[1])
    assert (row.status, row.jid) == ("DSV 0", None)
    # Stopping took epair1 and bridge10 away again.
    assert host.run("ifconfig -l").stdout == "fxp0 lo0\n"
    assert host.run("mount -p").stdout.count("\n") == 2


def test_the_jail_keeps_running_on_its_daemons(vnet_jail, host):
    vnet_jail.start("v10")
    assert host.run("jls -j v10 persist").stdout == "false\n"
    assert "Starting cron." in read_file(host, "/var/log/qjail.v10.console.log")


def test_restart_gives_a_new_jid(vnet_jail):
    vnet_jail.start("v10")
    status, output = q(vnet_jail, "qjail restart v10")
    assert (status, output) == (0, "Jail successfully stopped  v10\nJail successfully started  v10\n")
    assert parse_qjail_list(vnet_jail.list())[0].jid == 2


def test_console(vnet_jail):
    assert q(vnet_jail, "qjail console v10") == (3, "Error: Jail is not running & it needs to be. v10\n")
    vnet_jail.start("v10")
    assert q(vnet_jail, "qjail console v10") == (0, "Welcome to your FreeBSD jail.\n")
    assert q(vnet_jail, "qjail console -c 'hostname; pwd' v10") == (0, "v10\n/root\n")
    assert q(vnet_jail, "qjail console -c 'exit 4' v10") == (4, "")
    assert q(vnet_jail, "qjail console nope") == (3, "Error: This jail name don't exist. nope\n")


def test_delete(vnet_jail, host):
    vnet_jail.start("v10")
    assert q(vnet_jail, "qjail delete v10") == (0, "Bypassed running jail v10\n")
    vnet_jail.stop("v10")
    assert q(vnet_jail, "qjail delete v10") == (0, "Successfully deleted  v10\n")
    assert host.run("ls /usr/jails /usr/local/etc/qjail.local").stdout.split() == \
        ["/usr/jails:", "archive", "flavors", "sharedfs", "template", "/usr/local/etc/qjail.local:"]
    assert q(vnet_jail, "qjail delete v10") == (3, "Error: This jail name don't exist. v10\n")


def test_delete_all_resets_the_vnet_counter(vnet_jail, host):
    assert q(vnet_jail, "qjail delete -A") == (0, "Successfully deleted  v10\n")
    assert read_file(host, "/usr/local/etc/qjail.vnetctl") == 'count="0"\n'


def test_b_50_defines_the_bpf_ruleset_once(vnet_jail, host):
    assert q(vnet_jail, "qjail config -b 50 v10") == (0, "Successfully enabled devfs.rules for v10\n")
    assert "50" in host.run("devfs rule showsets").stdout.split()
    assert "[devfsrules_qjail_bpf50=50]" in read_file(host, "/etc/devfs.rules")
    vnet_jail.start("v10")
    assert "bpf" in host.run("ls /usr/jails/v10/dev").stdout.split()


REFUSALS = [
    ("qjail create v10", "Error; An -4 or -6 IP address is mandatory."),
    ("qjail create -4 10.0.10.300 v10", "Error: -4 10.0.10.300 is not a valid IP address."),
    ("qjail create -4 10.0.10.10 'v 10'", "Error: Only underscore, dash and alphanumeric characters are valid."),
    ("qjail create -4 10.0.10.10 'v10;reboot'", "Error: Only underscore, dash and alphanumeric characters are valid."),
    ("qjail create -4 10.0.10.10 1234", "Error: Numeric jail names are invalid. Jail name 1234"),
    ("qjail create -4 10.0.10.10 " + "x" * 51, "Error: jail name size exceeds the 50 character maximum."),
    ("qjail create -n em9 -4 10.0.10.10 web", "Entered -n interface device name is not valid."),
    ("qjail create -n 'fxp0;ls' -4 10.0.10.10 web", "Entered -n interface device name is not valid."),
    ("qjail create -4 10.0.10.12 v10", "Error: Jailname already exists. v10"),
    ("qjail config -w em9 v10", "Entered -w interface device name is not valid."),
    # asking whether epair7 exists loads no if_epair (ifconfig -n)
    ("qjail config -w epair7 v10", "Entered -w interface device name is not valid."),
    ("qjail create -n epair7 -4 10.0.10.10 web", "Entered -n interface device name is not valid."),
    ("qjail config -v pfsense v10", "Error: The -v value must be none, ipfw, pf or ipf."),
    ("qjail config -b 61 v10", "Error; devfs.rules # 61 does not exist.\n"
                               "It must first be defined in the hosts /etc/devfs.rules."),
    ("qjail config -v none nope", "Error: This jail name don't exist. nope"),
    ("qjail start nope", "Error: This jail name don't exist. nope"),
]


@pytest.mark.parametrize("line, message", REFUSALS, ids=[r[0][:40] for r in REFUSALS])
def test_refusals_change_nothing(vnet_jail, host, line, message):
    before = everything(host)
    assert q(vnet_jail, line) == (3, message + "\n")
    assert everything(host) == before


def test_vnet_needs_a_nic_and_a_short_name(installed, host):
    q(installed, "qjail create -4 10.0.10.10 averylongname1")
    assert q(installed, "qjail config -v none averylongname1") == (
        3, "Error: jail name size exceeds the 12 character maximum\nfor vnet jail names.\n")
    q(installed, "qjail create -4 10.0.10.11 v11")
    assert q(installed, "qjail config -v none v11") == (3, (
        "The vnet interface -w option has to be populated first\n"
        "with the device name of the physical interface facing\n"
        "the public internet or the private LAN.\n"))


def test_config_of_a_running_jail_is_refused(vnet_jail):
    vnet_jail.start("v10")
    assert q(vnet_jail, "qjail config -v ipfw v10") == (
        3, "Error: Jail is running & it needs to be stopped. v10\n")


def test_commands_before_install(qjail):
    assert q(qjail, "qjail create -4 10.0.10.10 v10") == (3, "Error: qjail install has not been run yet.\n")
    assert q(qjail, "qjail list") == (3, "Error: qjail install has not been run yet.\n")


def test_options_not_rebuilt_are_refused_by_name(installed):
    assert q(installed, "qjail create -f ssh-default -4 10.0.10.10 v10") == (
        1, "qjail create: option -f of qjail(8) is not rebuilt by jailkit\n")
    status, output = q(installed, "qjail frobnicate")
    assert status == 1 and output.startswith("qjail: unknown command 'frobnicate'")


def test_address_already_in_use_is_a_warning(installed):
    q(installed, "qjail create -4 10.0.10.10 one")
    assert q(installed, "qjail create -4 10.0.10.10 two") == (
        0, "Warning: Existing jail one is already assigned IP address 10.0.10.10\nSuccessfully created  two\n")


def test_only_a_whole_address_of_a_jails_list_is_a_warning(installed):
    q(installed, "qjail create -4 10.0.10.10,10.0.10.2 one")
    assert q(installed, "qjail create -4 10.0.10.1 two") == (0, "Successfully created  two\n")
    assert q(installed, "qjail create -4 10.0.10.2,10.0.10.11 three") == (
        0, "Warning: Existing jail one is already assigned IP address 10.0.10.2\n"
           "Successfully created  three\n")


def test_a_failing_start_reports_jails_error(vnet_jail, host):
    host.run("ifconfig epair1 create").check()   # left behind by someone else
    status, output = q(vnet_jail, "qjail start v10")
    assert status == 3
    assert output == ("ifconfig: interface epair1 already exists\n"
                      "jail: v10: /bin/sh -c ifconfig epair1 create > /dev/null: failed\n"
                      "Error: /usr/sbin/jail failed to start jail v10.\n"
                      "because of errors in jail.conf file.\n")
    assert host.run("jls").stdout.count("\n") == 1


def test_install_from_base_txz_needs_fetch_and_tar(qjail, host):
    # The sim does not model fetch(1) and tar(1): the install stops there,
    # names the program, and takes back what it had made.
    before = everything(host)
    status, output = q(qjail, "qjail install -h download.freebsd.org")
    assert status == 3
    assert output.startswith("Error: fetching https://download.freebsd.org/pub/FreeBSD/releases/"
                             "amd64/amd64/14.3-RELEASE/base.txz failed: fetch: part of FreeBSD, but not "
                             "modelled by the jailkit sim")
    assert everything(host) == before
    status, output = q(qjail, "qjail install -f /root/base.txz")
    assert status == 3 and "Error: unpacking /root/base.txz failed: tar: part of FreeBSD" in output
    assert everything(host) == before


def test_a_base_directory_that_cannot_be_copied_stops_install_and_leaves_nothing(qjail, host):
    """install puts the base directories into sharedfs with one script: the
    first that fails stops it, the error names it with the command's own
    message, and what install made is taken back, inside a /usr/jails of
    the user's too (here one whose sharedfs holds a file named usr, so
    /usr/bin, after bin, lib, libexec and sbin, cannot be copied)."""
    host.run("mkdir -p /usr/jails/sharedfs && echo mine > /usr/jails/sharedfs/usr").check()
    before = everything(host)
    assert q(qjail, "qjail install") == (
        3, "Error: copying /usr/bin failed: mkdir: /usr/jails/sharedfs/usr: File exists\n")
    assert everything(host) == before
    host.run("rm /usr/jails/sharedfs/usr").check()
    assert q(qjail, "qjail install") == (0, "Successfully installed qjail system.\n")


def test_a_template_link_that_cannot_be_made_stops_install_and_leaves_nothing(qjail, host):
    host.run("mkdir -p /usr/jails/template/usr && : > /usr/jails/template/usr/sbin").check()
    before = everything(host)
    assert q(qjail, "qjail install") == (
        3, "Error: ln failed: ln: /usr/jails/template/usr/sbin: File exists\n")
    assert everything(host) == before


@pytest.mark.parametrize("firewall, knobs, rules, ruleset", [
    ("ipfw", ['firewall_enable="YES"', 'firewall_script="/etc/ipfw.vnet.rules"'],
     "/etc/ipfw.vnet.rules", "4"),
    ("pf", ['pf_enable="YES"', 'pf_rules="/etc/pf.vnet.rules.script"'],
     "/etc/pf.vnet.rules.script", "70"),
    ("ipf", ['ipfilter_enable="YES"', 'ipfilter_rules="/etc/ipf.vnet.boot.rules"'],
     "/etc/ipf.vnet.boot.rules", "60"),
])
def test_v_puts_the_firewall_into_the_jail(vnet_jail, host, firewall, knobs, rules, ruleset):
    assert q(vnet_jail, f"qjail config -v {firewall} v10")[0] == 0
    rc_conf = read_file(host, "/usr/jails/v10/etc/rc.conf")
    assert all(knob in rc_conf for knob in knobs)
    assert read_file(host, f"/usr/jails/v10{rules}")
    assert f'devfs_ruleset = "{ruleset}";' in read_file(host, "/usr/local/etc/qjail.config/v10")
    if ruleset != "4":
        assert ruleset in host.run("devfs rule showsets").stdout.split()
    # switching to none takes the knobs out again
    q(vnet_jail, "qjail config -v none v10")
    rc_conf = read_file(host, "/usr/jails/v10/etc/rc.conf")
    assert not any(knob in rc_conf for knob in knobs)
    assert 'devfs_ruleset = "4";' in read_file(host, "/usr/local/etc/qjail.config/v10")


def test_the_jail_starts_its_firewall(vnet_jail, host):
    host.run("kldload pf").check()
    q(vnet_jail, "qjail config -v pf v10")
    vnet_jail.start("v10")
    assert "Enabling pf." in read_file(host, "/var/log/qjail.v10.console.log")
    assert host.run("jexec v10 pfctl -s rules").stdout == "pass all flags S/SA keep state\n"


def test_a_bridge10_of_the_box_outlives_the_vnet_jail(installed, host):
    """qjail's poststop destroys only a bridge10 that a qjail prestart made;
    the box's own bridge10 (no epair on it) stays when the jail stops."""
    host.run("ifconfig bridge10 create up").check()
    q(installed, "qjail create -4 10.0.10.10 v10")
    q(installed, "qjail config -w fxp0 -v none v10")
    assert q(installed, "qjail start v10")[0] == 0
    assert "member: fxp0 " in host.run("ifconfig bridge10").stdout
    assert q(installed, "qjail stop v10")[0] == 0
    assert "bridge10" in host.run("ifconfig -l").stdout.split()
    assert "epair1a" not in host.run("ifconfig -l").stdout.split()


def test_the_nic_joins_bridge10_once_and_a_nic_on_another_bridge_fails_the_start(vnet_jail, host):
    """The prestart adds the -w NIC to bridge10 unless it is a member
    already (addm's EEXIST); any other refusal of addm fails the start with
    ifconfig's message."""
    assert q(vnet_jail, "qjail start v10")[0] == 0
    q(vnet_jail, "qjail create -4 10.0.10.11 v11")
    q(vnet_jail, "qjail config -w fxp0 -v none v11")
    assert q(vnet_jail, "qjail start v11") == (0, "Jail successfully started  v11\n")
    assert host.run("ifconfig bridge10").stdout.count("member: fxp0 ") == 1
    q(vnet_jail, "qjail stop v10 v11")      # the last one takes bridge10 with it
    host.run("ifconfig bridge11 create addm fxp0").check()
    assert q(vnet_jail, "qjail start v10") == (
        3, "ifconfig: BRDGADD fxp0: Device busy\n"
           f"jail: v10: /bin/sh -c {PRESTART_ADDM}: failed\n"
           "Error: /usr/sbin/jail failed to start jail v10.\n"
           "because of errors in jail.conf file.\n")
    assert host.run("jls").stdout.count("\n") == 1


def test_a_bridge10_qjail_made_goes_with_its_last_vnet_jail(installed, host):
    q(installed, "qjail create -4 10.0.10.10 v10")
    q(installed, "qjail config -w fxp0 -v none v10")
    assert q(installed, "qjail start v10")[0] == 0
    assert "bridge10" in host.run("ifconfig -l").stdout.split()
    assert q(installed, "qjail stop v10")[0] == 0
    assert "bridge10" not in host.run("ifconfig -l").stdout.split()
    assert not host.run("test -e /var/run/qjail.bridge10").succeeded
