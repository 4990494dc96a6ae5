"""jib(8) from /usr/share/examples/jails on the sim: where FreeBSD 14 puts it
and with which mode, its usage and messages, addm's epairs, bridge and
derived MAC addresses, show, destroy, and jib in jail.conf's exec.prestart
and exec.poststop as the vnet-jib-pf-nat howto uses it."""

from __future__ import annotations

import pytest

import jailkit
from jailkit.host import Host
from jailkit.parsers.ifconfig import parse_ifconfig
from jailkit.sim.commands.jib import bsd_sum, derive_mac
from jailkit.sim.proc import Buffer, Input, Proc, root_env
from tests.conftest import run

USAGE = ("Usage: jib action [arguments]\n"
         "Actions:\n"
         "\taddm [-b BRIDGE_NAME] NAME [!]iface0 [[!]iface1 ...]\n"
         "\t\tCreates e0b_NAME [e1b_NAME ...]\n"
         "\tshow\n"
         "\t\tList possible NAME values for `show NAME'\n"
         "\tshow NAME\n"
         "\t\tLists e0b_NAME [e1b_NAME ...]\n"
         "\tdestroy NAME\n"
         "\t\tDestroy e0b_NAME [e1b_NAME ...]\n")
ADDM_USAGE = "Usage: jib addm [-b BRIDGE_NAME] NAME [!]iface0 [[!]iface1 ...]\n"
ADDM_DESCR = "\tCreates e0b_NAME [e1b_NAME ...]\n"
DESTROY_USAGE = "Usage: jib destroy NAME\n"
DESTROY_DESCR = "\tDestroy e0b_NAME [e1b_NAME ...]\n"
# The lab's vtnet0 is fa:16:3e:4f:6e:11; sum(1) of "jamulus" is 41186
# (0xa0e2), as `echo -n jamulus | sum` prints it.
E0A_JAMULUS = "02:a0:e2:4f:6e:11"
E0B_JAMULUS = "0e:a0:e2:4f:6e:11"


@pytest.fixture
def vm() -> Host:
    """The howto's cloud VM with jib installed as the howto installs it."""
    host = jailkit.connect("sim://?lab=vnet-jib-pf-nat")
    host.run("install /usr/share/examples/jails/jib /usr/local/bin").check()
    return host


def interfaces(host: Host) -> list[str]:
    return run(host, "ifconfig -l")[1].split()


# -- where FreeBSD puts it ----------------------------------------------------
def test_the_examples_directory_holds_what_share_examples_installs_read_only(host):
    listing = run(host, "ls -l /usr/share/examples/jails")[1].splitlines()[1:]
    assert [line.split()[-1] for line in listing] == [
        "README", "VIMAGE", "jail.xxx.conf", "jib", "jng", "rc.conf.jails", "rcjail.xxx.conf"]
    assert {line.split()[0] for line in listing} == {"-r--r--r--"}


def test_the_shipped_jib_is_not_executable_until_installed(host):
    status, _, err = run(host, "/usr/share/examples/jails/jib show")
    assert status == 126 and err.endswith("/usr/share/examples/jails/jib: Permission denied\n")
    assert run(host, "jib show")[0] == 127
    host.run("install /usr/share/examples/jails/jib /usr/local/bin").check()
    assert run(host, "ls -l /usr/local/bin/jib")[1].startswith("-rwxr-xr-x ")
    assert run(host, "jib show") == (0, "", "")


def test_a_copy_made_executable_and_sh_on_the_file_run_jib(host):
    host.run("cp /usr/share/examples/jails/jib /root/jib && chmod 755 /root/jib").check()
    assert run(host, "/root/jib") == (1, "", USAGE)
    assert run(host, "sh /usr/share/examples/jails/jib") == (1, "", USAGE)


def test_the_jail_conf_examples_name_jib_as_the_if_bridge_alternative(host):
    text = run(host, "cat /usr/share/examples/jails/jail.xxx.conf")[1]
    assert '\t#exec.prestart += "jib addm xxx em0";' in text
    assert '\t#vnet.interface = "e0b_xxx";' in text
    readme = run(host, "cat /usr/share/examples/jails/README")[1]
    assert readme.startswith("# Shortened stand-in for FreeBSD's file")


# -- usage and messages -------------------------------------------------------
@pytest.mark.parametrize("command", ["jib", "jib frob", "jib show1", "jib addm_usage"])
def test_no_or_unknown_action_prints_usage_and_exits_1(vm, command):
    assert run(vm, command) == (1, "", USAGE)


@pytest.mark.parametrize("command, shell_says", [
    ("jib addm", ""),
    ("jib addm jamulus", ""),
    ("jib addm ja-mulus vtnet0", ""),
    ("jib addm '' vtnet0", ""),
    ("jib addm -x jamulus vtnet0", "Illegal option -x\n"),
    ("jib addm -b", "No arg for -b option\n"),
])
def test_addm_usage_goes_to_stderr_and_its_description_to_stdout(vm, command, shell_says):
    assert run(vm, command) == (1, ADDM_DESCR, shell_says + ADDM_USAGE)
    assert "e0a_jamulus" not in interfaces(vm)


@pytest.mark.parametrize("command", ["jib destroy", "jib destroy a b", "jib destroy 'a.b'"])
def test_destroy_usage(vm, command):
    assert run(vm, command) == (1, DESTROY_DESCR, DESTROY_USAGE)


def test_show_with_an_option_has_no_description_line(vm):
    assert run(vm, "jib show -v") == (1, "\t\n", "Illegal option -v\nUsage: jib show [NAME]\n")


def test_a_missing_interface_is_ifconfigs_error_and_leaves_nothing(vm):
    before = interfaces(vm)
    assert run(vm, "jib addm jamulus vtnet9") == (
        1, "", "ifconfig: interface vtnet9 does not exist\n")
    assert interfaces(vm) == before


def test_only_root_may_add_or_destroy(vm):
    machine = vm.machine    # type: ignore[attr-defined]
    kernel = machine.kernel
    out, err = Buffer(), Buffer()
    www = Proc(kernel, kernel.prison0, "/", root_env(), Input(""), out, err, user="www")
    status = www.execvp(["jib", "addm", "jamulus", "vtnet0"])
    assert (status, out.getvalue(), err.getvalue()) == (1, "", "Must run as root!\n")
    assert "e0a_jamulus" not in interfaces(vm)


# -- addm ---------------------------------------------------------------------
def test_addm_makes_the_bridge_and_the_epair_as_the_howto_needs_them(vm):
    assert run(vm, "jib addm jamulus vtnet0") == (
        0, "vtnet0bridge\ne0a_jamulus\ne0b_jamulus\n", "")
    parsed = parse_ifconfig(run(vm, "ifconfig")[1])
    bridge = parsed["vtnet0bridge"]
    assert sorted(m.name for m in bridge.members) == ["e0a_jamulus", "vtnet0"]
    assert "UP" in bridge.flag_names
    for end in ("e0a_jamulus", "e0b_jamulus"):
        assert "UP" in parsed[end].flag_names
    assert (parsed["e0a_jamulus"].ether, parsed["e0b_jamulus"].ether) == (E0A_JAMULUS, E0B_JAMULUS)
    assert "UP" in parsed["vtnet0"].flag_names


def test_addm_uses_the_bridge_rc_conf_made(vm):
    vm.run("ifconfig bridge create name vtnet0bridge && "
           "ifconfig vtnet0bridge inet 10.192.0.1/24").check()
    assert run(vm, "jib addm jamulus vtnet0") == (0, "e0a_jamulus\ne0b_jamulus\n", "")
    parsed = parse_ifconfig(run(vm, "ifconfig vtnet0bridge")[1])
    assert [m.name for m in parsed["vtnet0bridge"].members] == ["e0a_jamulus"]
    assert "bridge0" not in interfaces(vm)


def test_addm_twice_changes_nothing(vm):
    vm.run("jib addm jamulus vtnet0").check()
    before = run(vm, "ifconfig")[1]
    assert run(vm, "jib addm jamulus vtnet0") == (0, "", "")
    assert run(vm, "ifconfig")[1] == before


def test_a_second_interface_on_the_same_parent_counts_in_the_first_nibble(vm):
    assert run(vm, "jib addm -b br web vtnet0 vtnet0")[0] == 0
    parsed = parse_ifconfig(run(vm, "ifconfig")[1])
    assert sorted(m.name for m in parsed["vtnet0br"].members) == ["e0a_web", "e1a_web", "vtnet0"]
    checksum = 16562       # as `echo -n web | sum` prints it
    suffix = f":{checksum >> 8:02x}:{checksum & 255:02x}:4f:6e:11"
    assert parsed["e0a_web"].ether == "02" + suffix and parsed["e0b_web"].ether == "0e" + suffix
    assert parsed["e1a_web"].ether == "12" + suffix and parsed["e1b_web"].ether == "1e" + suffix


def test_a_bang_keeps_epairs_own_addresses(vm):
    vm.run("jib addm jamulus '!vtnet0'").check()
    parsed = parse_ifconfig(run(vm, "ifconfig")[1])
    assert parsed["e0a_jamulus"].ether.endswith(":0a")
    assert parsed["e0b_jamulus"].ether.endswith(":0b")


def test_derived_addresses_follow_the_parents_private_nibble():
    # derive_mac: P is 2/e normally, a/e after a parent with 2, 2/6 after e.
    assert derive_mac("fa:16:3e:4f:6e:11", "jamulus", 0) == (E0A_JAMULUS, E0B_JAMULUS)
    assert derive_mac("02:00:00:11:22:0a", "jamulus", 0) == (
        "0a:a0:e2:11:22:0a", "0e:a0:e2:11:22:0a")
    assert derive_mac("0E:00:00:11:22:0b", "jamulus", 17) == (
        "12:a0:e2:11:22:0b", "16:a0:e2:11:22:0b")


def test_sum_is_the_bsd_checksum():
    # Values as sum(1) prints them (the same algorithm as GNU sum -r).
    assert (bsd_sum(b""), bsd_sum(b"abc"), bsd_sum(b"jamulus"), bsd_sum(b"web")) == \
        (0, 16556, 41186, 16562)


# -- show and destroy ---------------------------------------------------------
def test_show_lists_jail_names_and_a_jails_interfaces(vm):
    vm.run("jib addm zeta vtnet0; jib addm alpha vtnet0 vtnet0").check()
    assert run(vm, "jib show") == (0, "alpha\nzeta\n", "")
    assert run(vm, "jib show alpha") == (0, "e0a_alpha\ne1a_alpha\n", "")
    assert run(vm, "jib show nobody") == (0, "", "")


def test_destroy_removes_both_ends_and_keeps_the_bridge(vm):
    vm.run("jib addm jamulus vtnet0 && jib addm other vtnet0").check()
    assert run(vm, "jib destroy jamulus") == (0, "", "")
    assert interfaces(vm) == ["vtnet0", "lo0", "vtnet0bridge", "e0a_other", "e0b_other"]
    assert run(vm, "jib destroy jamulus") == (0, "", "")


# -- jib in jail.conf ---------------------------------------------------------
JAIL_CONF = """\
jamulus {
        host.hostname = "jamulus.beastie.local";
        path = "/jail/jamulus";
        exec.clean;
        mount.devfs;
        persist;
        vnet;
        vnet.interface = "e0b_jamulus";
        exec.prestart += "jib addm jamulus vtnet0";
        exec.poststop += "jib destroy jamulus";
        exec.start += "/sbin/ifconfig e0b_jamulus inet 10.192.0.10/24 up";
}
"""


def test_jail_conf_prestart_gives_the_jail_its_interface_and_poststop_takes_it(vm):
    vm.run("ifconfig bridge create name vtnet0bridge && "
           "ifconfig vtnet0bridge inet 10.192.0.1/24 up").check()
    # exec.clean reads root's passwd entry in the jail and starts in its home
    vm.run("mkdir -p /jail/jamulus/dev /jail/jamulus/usr /jail/jamulus/root && cp -R /bin /sbin "
           "/lib /libexec /etc /jail/jamulus/ && cp -R /usr/bin /usr/sbin /usr/lib /jail/jamulus/usr/").check()
    vm.run("cat > /etc/jail.conf", stdin=JAIL_CONF).check()
    assert run(vm, "jail -c jamulus") == (0, "e0a_jamulus\ne0b_jamulus\njamulus: created\n", "")
    assert "e0b_jamulus" not in interfaces(vm)
    inside = parse_ifconfig(run(vm, "jexec jamulus ifconfig e0b_jamulus")[1])["e0b_jamulus"]
    assert inside.ether == E0B_JAMULUS and inside.inet[0].address == "10.192.0.10"
    assert run(vm, "jexec jamulus ping -c 1 10.192.0.1")[0] == 0
    assert run(vm, "jail -r jamulus") == (0, "jamulus: removed\n", "")
    assert interfaces(vm) == ["vtnet0", "lo0", "vtnet0bridge"]


def test_a_bang_alone_leaves_ifconfig_without_an_interface(vm):
    # for iface in $*; ifconfig $iface up: "!" leaves an empty, unquoted word
    assert run(vm, "jib addm jamulus '!'") == (1, "", "ifconfig: interface up does not exist\n")
