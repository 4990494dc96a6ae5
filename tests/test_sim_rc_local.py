"""Shell scripts in /usr/local/etc/rc.d, run with rc.subr as FreeBSD 14 runs
them: service(8) (start, onestart, stop, restart, rcvar, status, -l, -e),
rc(8) at boot in rcorder's place, and rc.subr's run_rc_command, load_kld,
checkyesno, load_rc_config, warn and err."""

from __future__ import annotations

import pytest

from jailkit.host import ConnectionLost, Host
from tests.conftest import run

SCRIPT = "/usr/local/etc/rc.d/netgraph"

# The article's script as a user would install it: its lost lines filled in
# (rc.subr's boilerplate, the heredoc's end), load_kld in place of kld_load,
# the NIC of the sim's lab, the comments flush left for ngctl -f.
NETGRAPH = """\
#!/bin/sh
# PROVIDE: netgraph
# BEFORE: netif

. /etc/rc.subr

name="netgraph"
rcvar="netgraph_enable"
start_cmd="netgraph_start"
stop_cmd="netgraph_stop"

netgraph_start() {
  # Ensure the kernel modules are loaded
  for module in ng_bridge ng_eiface ng_ether; do
    load_kld $module
  done
  # Destroy any lingering pieces
  ngctl shutdown bridge0: 2>/dev/null
  ngctl -f- <<EOF
# Create the bridge by extending from the hardware device.
mkpeer fxp0: bridge lower link0
# Bridges don't have a name by default, so assign it one.
name fxp0:lower bridge0

# With our bridge now named, we can finish connecting the hardware device.
connect fxp0: bridge0: upper link1
mkpeer bridge0: eiface link2 ether
EOF
}

netgraph_stop() {
  # All the instances of eiface will vanish once the bridge is gone
  ngctl shutdown bridge0:
}

load_rc_config $name
run_rc_command "$1"
"""


def install(host: Host, text: str = NETGRAPH, mode: str = "555") -> None:
    host.run(f"mkdir -p /usr/local/etc/rc.d && cat > {SCRIPT} && chmod {mode} {SCRIPT}",
             stdin=text).check()


def nodes(host: Host) -> list[str]:
    """The names and types of ``ngctl list`` (ngctl's own socket left out)."""
    listing = run(host, "ngctl list")[1].splitlines()[1:]
    return sorted(" ".join(line.split()[1:4:2]) for line in listing if "socket" not in line)


def test_start_without_the_knob_is_refused_as_rc_subr_says(host):
    install(host)
    status, out, err = run(host, f"service netgraph start")
    # the knob is not even in rc.conf: checkyesno warns, run_rc_command advises
    assert (status, out) == (0, "Cannot 'start' netgraph. Set netgraph_enable to YES in "
                                "/etc/rc.conf or use 'onestart' instead of 'start'.\n")
    assert err == (f"{SCRIPT}: WARNING: $netgraph_enable is not set properly - "
                   "see rc.conf(5).\n")
    assert "ng_ether.ko" not in run(host, "kldstat")[1]


def test_onestart_builds_the_graph_and_stop_takes_it_down(host):
    install(host)
    assert run(host, "service netgraph onestart") == (0, "", "")
    assert nodes(host) == ["bridge0 bridge", "fxp0 ether", "ngeth0 eiface"]
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 ngeth0\n"
    host.run("sysrc netgraph_enable=YES").check()
    assert run(host, "service netgraph stop") == (0, "", "")
    # the script's comment says the eifaces vanish with the bridge: on 14
    # ng_eiface only loses its link (ng_eiface_disconnect), ngeth0 stays
    assert nodes(host) == ["fxp0 ether", "ngeth0 eiface"]
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 ngeth0\n"
    assert "\tstatus: no carrier\n" in run(host, "ifconfig ngeth0")[1]


def test_restart_stops_then_starts(host):
    install(host)
    host.run("sysrc netgraph_enable=YES").check()
    # stop first: there is no bridge0 yet, and ngctl says so
    assert run(host, "service netgraph restart") == (
        0, "", "ngctl: send msg: No such file or directory\n")
    assert nodes(host) == ["bridge0 bridge", "fxp0 ether", "ngeth0 eiface"]
    assert run(host, "service netgraph restart")[0] == 0
    # the old ngeth0 outlives its bridge: the new eiface is ngeth1
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 ngeth0 ngeth1\n"


def test_status_rcvar_and_an_unknown_verb(host):
    install(host)
    usage = (f"Usage: {SCRIPT} [fast|force|one|quiet](start|stop|restart|rcvar|enable|disable|"
             "delete|enabled|describe|extracommands)\n")
    # no command and no status_cmd: status is not one of the script's verbs
    assert run(host, "service netgraph status") == (
        1, "", f"{SCRIPT}: unknown directive 'status'.\n" + usage)
    assert run(host, "service netgraph bogus")[2] == f"{SCRIPT}: unknown directive 'bogus'.\n" + usage
    host.run("sysrc netgraph_enable=YES").check()
    assert run(host, "service netgraph rcvar") == (
        0, '# netgraph\n#\nnetgraph_enable="YES"\n#   (default: "")\n\n', "")
    assert run(host, "service netgraph enabled")[0] == 0


def test_service_lists_the_local_script_and_its_knob(host):
    install(host)
    assert run(host, "service -l")[1].splitlines()[-1] == "netgraph"
    assert SCRIPT not in run(host, "service -e")[1]
    host.run("sysrc netgraph_enable=YES").check()
    # rcorder: BEFORE: netif puts it ahead of the base system's scripts
    assert run(host, "service -e")[1].splitlines()[0] == SCRIPT


def test_a_script_that_is_not_executable_is_not_a_service(host):
    install(host, mode="444")
    assert run(host, "service netgraph onestart") == (
        1, "", "netgraph does not exist in /etc/rc.d or the local startup\n"
               "directories (/usr/local/etc/rc.d), or is not executable.\n")


def test_at_boot_it_runs_before_netif_which_configures_its_interface(host):
    install(host)
    host.run("sysrc netgraph_enable=YES ifconfig_ngeth0='inet 10.9.0.1/24'").check()
    with pytest.raises(ConnectionLost):
        host.run("reboot")
    assert nodes(host) == ["bridge0 bridge", "fxp0 ether", "ngeth0 eiface"]
    # netif found ngeth0 there and gave it rc.conf's address
    assert "\tinet 10.9.0.1 netmask 0xffffff00 " in run(host, "ifconfig ngeth0")[1]


def test_at_boot_a_disabled_script_says_nothing_and_does_nothing(host):
    install(host)
    host.run("sysrc netgraph_enable=NO").check()
    with pytest.raises(ConnectionLost):
        host.run("reboot")
    assert "ng_bridge.ko" not in run(host, "kldstat")[1]


# The article's own lines, as printed: FreeBSD's rc.subr has load_kld, not
# kld_load, and ngctl -f takes only a line that starts with '#' for a comment.
ARTICLE_START = """\
#!/bin/sh
. /etc/rc.subr
name="netgraph"
rcvar="netgraph_enable"
start_cmd="netgraph_start"
netgraph_start() {
  kld_load ng_bridge ng_eiface ng_ether
  ngctl -f- <<EOF
    # Create the bridge by extending from the hardware device.
    mkpeer fxp0: ng_bridge lower link0
EOF
}
load_rc_config $name
run_rc_command "$1"
"""


def test_the_articles_kld_load_and_indented_comments_fail_as_on_freebsd(host):
    install(host, ARTICLE_START)
    assert run(host, "service netgraph onestart") == (
        1, "", f"{SCRIPT}: kld_load: not found\n"
               'ngctl: "#": unknown command\n'
               "ngctl: line 1: error in file\n")


def test_load_kld_loads_once_and_warns_for_a_module_that_is_not_there(host):
    install(host, "#!/bin/sh\n. /etc/rc.subr\nname=t\nstart_cmd='load_kld if_bridge; "
                  "load_kld if_bridge; load_kld nosuch'\nrun_rc_command \"$1\"\n")
    assert run(host, "service netgraph onestart") == (
        1, "", "kldload: can't load nosuch: No such file or directory\n"
               f"{SCRIPT}: WARNING: Unable to load kernel module nosuch\n")
    assert "if_bridge.ko" in run(host, "kldstat")[1]


def test_run_rc_command_without_a_name_is_rc_subrs_error(host):
    install(host, "#!/bin/sh\n. /etc/rc.subr\nrun_rc_command \"$1\"\necho not reached\n")
    assert run(host, "service netgraph start") == (
        3, "", f"{SCRIPT}: ERROR: run_rc_command: $name is not set.\n")
