"""jng(8) from /usr/share/examples/jails on the sim (share/examples/jails/jng):
usage and messages, bridge's ng_bridge and ng_eiface on a NIC's ng_ether
node, its derived MAC address, show, shutdown, stats, graph, and jng in
jail.conf's exec.prestart and exec.poststop as its header comment shows."""

from __future__ import annotations

import pytest

from jailkit.host import Host
from jailkit.sim.commands.jng import bsd_sum, derive_mac
from jailkit.sim.proc import Buffer, Input, Proc, root_env
from tests.conftest import run

USAGE = ("Usage: jng action [arguments]\n"
         "Actions:\n"
         "\tbridge [-b BRIDGE_NAME] NAME [=]iface0 [[=]iface1 ...]\n"
         "\t\tCreate ng0_NAME [ng1_NAME ...]\n"
         "\tgraph [-f] [-T type] [-o output]\n"
         "\t\tGenerate network graph (default output is `jng.svg')\n"
         "\tshow\n"
         "\t\tList possible NAME values for `show NAME'\n"
         "\tshow NAME\n"
         "\t\tLists ng0_NAME [ng1_NAME ...]\n"
         "\tshutdown NAME\n"
         "\t\tShutdown ng0_NAME [ng1_NAME ...]\n"
         "\tstats NAME\n"
         "\t\tShow ng_bridge link statistics for NAME interfaces\n")
BRIDGE_USAGE = "Usage: jng bridge [-b BRIDGE_NAME] NAME [=]iface0 [[=]iface1 ...]\n"
FXP0 = "00:0c:f1:cd:55:ea"        # the default lab's NIC


@pytest.fixture
def jng(host: Host) -> Host:
    """The host with jng installed as jng's own header says, and ng_ether in."""
    host.run("install /usr/share/examples/jails/jng /usr/local/bin && kldload ng_ether").check()
    return host


def nodes(host: Host) -> list[str]:
    listing = run(host, "ngctl list")[1].splitlines()[1:]
    return sorted(" ".join(line.split()[1:4:2]) for line in listing if "socket" not in line)


@pytest.mark.parametrize("command", ["jng", "jng frob", "jng show1"])
def test_no_or_unknown_action_prints_usage_on_stderr_and_exits_1(jng, command):
    assert run(jng, command) == (1, "", USAGE)


@pytest.mark.parametrize("command, shell_says", [
    ("jng bridge xxx", ""), ("jng bridge 'x-y' fxp0", ""), ("jng bridge -b", "No arg for -b option\n"),
    ("jng bridge -q xxx fxp0", "Illegal option -q\n"), ("jng bridge -b '' xxx fxp0", "")])
def test_bridge_usage(jng, command, shell_says):
    assert run(jng, command) == (1, "", shell_says + BRIDGE_USAGE)


def test_shutdown_and_show_usage(jng):
    assert run(jng, "jng shutdown") == (1, "", "Usage: jng shutdown NAME\n")
    assert run(jng, "jng show -x") == (1, "", "Illegal option -x\nUsage: jng show [NAME]\n")


def test_without_ng_ether_bridge_fails_at_its_first_message(host):
    # jng loads nothing: the NIC has no netgraph node until ng_ether is in
    host.run("install /usr/share/examples/jails/jng /usr/local/bin").check()
    assert run(host, "jng bridge xxx fxp0") == (71, "", "ngctl: send msg: No such file or directory\n")


def test_only_root_may_bridge(jng):
    machine = jng.machine    # type: ignore[attr-defined]
    kernel = machine.kernel
    out, err = Buffer(), Buffer()
    www = Proc(kernel, kernel.prison0, "/", root_env(), Input(""), out, err, user="www")
    status = www.execvp(["jng", "bridge", "xxx", "fxp0"])
    assert (status, out.getvalue(), err.getvalue()) == (1, "", "Must run as root!\n")


def test_bridge_makes_the_nics_bridge_and_the_jails_eiface(jng):
    # ifconfig ngethN name ng0_xxx prints the new name
    assert run(jng, "jng bridge xxx fxp0") == (0, "ng0_xxx\n", "")
    assert nodes(jng) == ["fxp0 ether", "fxp0bridge bridge", "ng0_xxx eiface"]
    shown = run(jng, "ngctl show fxp0bridge:")[1]
    assert "  link2           ng0_xxx         eiface" in shown
    assert [line.split()[:3] + line.split()[4:] for line in shown.splitlines()[-2:]] == [
        ["link1", "fxp0", "ether", "upper"], ["link0", "fxp0", "ether", "lower"]]
    # setpromisc 1, setautosrc 0 on the NIC's node
    assert run(jng, "ngctl msg fxp0: getpromisc")[1].endswith("Args:\t1\n")
    assert "PROMISC" in run(jng, "ifconfig fxp0")[1].split(">")[0]
    listing = run(jng, "ifconfig ng0_xxx")[1]
    assert listing.startswith("ng0_xxx: flags=1008843<UP,")
    assert f"\tether {derive_mac(FXP0, 'xxx', 0)}\n" in listing


def test_bridge_twice_changes_nothing_and_a_second_jail_takes_the_next_link(jng):
    jng.run("jng bridge xxx fxp0").check()
    assert run(jng, "jng bridge xxx fxp0") == (0, "", "")
    assert run(jng, "jng bridge yyy fxp0 =fxp0") == (0, "ng0_yyy\nng1_yyy\n", "")
    shown = run(jng, "ngctl show fxp0bridge:")[1]
    assert "  link3           ng0_yyy " in shown and "  link4           ng1_yyy " in shown
    # "=" clones the NIC's own address
    assert f"\tether {FXP0}\n" in run(jng, "ifconfig ng1_yyy")[1]


def test_b_hangs_a_second_bridge_on_the_first(jng):
    assert run(jng, "jng bridge -b priv xxx fxp0") == (0, "ng0_xxx\n", "")
    assert nodes(jng) == ["fxp0 ether", "fxp0bridge bridge", "fxp0priv bridge", "ng0_xxx eiface"]
    assert "  link2           fxp0priv        bridge" in run(jng, "ngctl show fxp0bridge:")[1]


def test_show_shutdown_and_stats(jng):
    jng.run("jng bridge xxx fxp0 && jng bridge yyy fxp0").check()
    assert run(jng, "jng show") == (0, "xxx\nyyy\n", "")
    assert run(jng, "jng show xxx") == (0, "ng0_xxx\n", "")
    assert run(jng, "jng stats xxx") == (0, "ng0_xxx:\n", "")
    assert run(jng, "jng shutdown xxx") == (0, "", "")
    # the eiface and its interface go; the NIC's bridge stays for yyy
    assert nodes(jng) == ["fxp0 ether", "fxp0bridge bridge", "ng0_yyy eiface"]
    assert run(jng, "ifconfig -l")[1] == "fxp0 lo0 ng0_yyy\n"
    assert run(jng, "jng shutdown nobody") == (0, "", "")


def test_graph_needs_graphvizs_dot(jng):
    assert run(jng, "jng graph") == (127, "", "jng: dot: not found\n")
    jng.run("touch jng.svg").check()
    assert run(jng, "jng graph") == (1, "", "jng.svg: Already exists (use `-f' to overwrite)\n")


def test_derive_mac_and_sum():
    checksum = bsd_sum(b"jamulus")
    assert checksum == 41186          # `echo -n jamulus | sum`, as jib's tests have it
    # NP:SS:SS:II:II:II, jng shifting the sum twice: a0e2 gives 00:e2
    assert derive_mac("fa:16:3e:4f:6e:11", "jamulus", 0) == "02:00:e2:4f:6e:11"
    assert derive_mac("02:16:3e:4f:6e:11", "jamulus", 1) == "1a:00:e2:4f:6e:11"


# -- jng in jail.conf, as its header shows ------------------------------------------
JAIL_CONF = """\
xxx {
        host.hostname = "xxx.yyy";
        path = "/";
        persist;
        vnet;
        vnet.interface = "ng0_xxx";
        exec.prestart += "jng bridge xxx fxp0";
        exec.poststop += "jng shutdown xxx";
        exec.start += "/sbin/ifconfig ng0_xxx inet 10.0.10.7/28 up";
}
"""


def test_jail_conf_prestart_gives_the_jail_its_eiface_and_poststop_takes_it(jng):
    jng.run("cat > /etc/jail.conf", stdin=JAIL_CONF).check()
    assert run(jng, "jail -c xxx") == (0, "ng0_xxx\nxxx: created\n", "")
    assert "ng0_xxx" not in run(jng, "ifconfig -l")[1]
    # through the NIC's bridge onto the LAN: the gateway answers
    assert run(jng, "jexec xxx ping -c 1 10.0.10.1")[0] == 0
    assert run(jng, "jail -r xxx") == (0, "xxx: removed\n", "")
    assert run(jng, "ifconfig -l")[1] == "fxp0 lo0\n"
    assert nodes(jng) == ["fxp0 ether", "fxp0bridge bridge"]
