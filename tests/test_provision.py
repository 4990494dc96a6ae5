"""vagrant/provision.sh run where a real box would run it: on a fresh sim
FreeBSD Vagrant box (sim://?bare=1), by the box's own sh, sysrc, kenv and
kldload; then the box rebooted (the loader reads /boot/loader.conf again),
the lab built and a scenario run on it."""

from __future__ import annotations

import pytest

import jailkit
from jailkit.host import ConnectionLost, HostError
from jailkit.hosts import HostURLError
from jailkit.labbuild import build_lab, remove_lab
from tests.conftest import PROVISION, PROVISIONED_BOX, run

FRESH = "sim://?bare=1"
# kldstat lists the files in the order provision.sh loaded them, each
# dependency after the file that needed it (if_bridge's bridgestp,
# ng_ether's netgraph); the loader preloads them in the same order.
MODULES = ["if_bridge.ko", "bridgestp.ko", "if_epair.ko", "ipfw.ko", "pf.ko", "pflog.ko", "ipl.ko",
           "ng_ether.ko", "netgraph.ko"]
TUNABLE = "net.inet.ip.fw.default_to_accept"


def modules(box) -> list[str]:
    return [line.split()[-1] for line in box.run("kldstat").stdout.splitlines()[1:]]


def provision(box):
    """What Vagrant's shell provisioner does with the script."""
    box.run("cat > /tmp/vagrant-shell && chmod +x /tmp/vagrant-shell",
            stdin=PROVISION.read_text()).check()
    return box.run("/tmp/vagrant-shell")


@pytest.fixture
def fresh():
    return jailkit.connect(FRESH)


def test_a_fresh_box_has_no_module_and_no_tunable(fresh):
    assert modules(fresh) == ["kernel"]
    assert run(fresh, f"kenv {TUNABLE}") == (255, "", f"kenv: unable to get {TUNABLE}\n")
    assert run(fresh, "cat /boot/loader.conf") == (0, 'autoboot_delay="-1"\n', "")


def test_provision_runs_to_the_end_on_a_fresh_box(fresh):
    result = provision(fresh)
    assert (result.exit_status, result.stderr) == (0, "")
    assert modules(fresh) == ["kernel"] + MODULES
    assert run(fresh, f"kenv {TUNABLE}") == (0, "1\n", "")
    # ipfw came up with its default rule accepting: the box (and the
    # harness's ssh session) is still reachable.
    assert run(fresh, "ipfw list") == (0, "65535 allow ip from any to any\n", "")
    assert fresh.run("ping -c 1 10.0.2.2").succeeded
    assert fresh.run("sysctl -n net.inet.ip.forwarding").stdout == "0\n"
    assert run(fresh, f"sysctl {TUNABLE}") == (0, f"{TUNABLE}: 1\n", "")


def test_loader_conf_holds_what_the_loader_reads(fresh):
    provision(fresh).check()
    assert fresh.run("cat /boot/loader.conf").stdout == (
        'autoboot_delay="-1"\n'
        'if_bridge_load="YES"\n'
        'if_epair_load="YES"\n'
        f'{TUNABLE}="1"\n'
        'ipfw_load="YES"\n'
        'pf_load="YES"\n'
        'pflog_load="YES"\n'
        'ipl_load="YES"\n'
        'ng_ether_load="YES"\n')


def test_provisioning_twice_changes_nothing(fresh):
    provision(fresh).check()
    before = [fresh.run(c).stdout for c in ("cat /boot/loader.conf", "kldstat", "kenv")]
    assert provision(fresh).exit_status == 0
    assert [fresh.run(c).stdout for c in ("cat /boot/loader.conf", "kldstat", "kenv")] == before


def test_after_a_reboot_the_loader_brings_it_all_back(fresh):
    provision(fresh).check()
    fresh.machine.reboot()
    assert modules(fresh) == ["kernel"] + MODULES
    assert run(fresh, f"kenv {TUNABLE}") == (0, "1\n", "")
    assert run(fresh, "ipfw list") == (0, "65535 allow ip from any to any\n", "")
    assert fresh.machine.console == []
    assert fresh.run("ping -c 1 10.0.2.2").succeeded


def test_the_loader_preloads_a_file_then_its_dependency_both_the_users(fresh):
    """kern_linker.c linker_preload: a preloaded file's dependency takes a
    reference even when the loader brought it along, and
    linker_preload_finish gives every preloaded file a user reference: so
    kldunload pf only drops that one, and pf stays for pflog."""
    fresh.run("sysrc -f /boot/loader.conf pflog_load=YES").check()
    fresh.machine.reboot()
    listing = ("Id Refs Address                Size Name\n"
               " 1   33 0xffffffff80200000  1f3c6c8 kernel\n"
               " 2    1 0xffffffff82a20000     2610 pflog.ko\n"
               " 3    %d 0xffffffff82a23000    5a4e8 pf.ko\n")
    assert run(fresh, "kldstat") == (0, listing % 2, "")
    assert run(fresh, "kldunload pf") == (0, "", "")
    assert run(fresh, "kldstat") == (0, listing % 1, "")


def test_the_provisioned_box_url_and_a_failing_script(tmp_path):
    box = jailkit.connect(PROVISIONED_BOX)
    assert modules(box) == ["kernel"] + MODULES
    failing = tmp_path / "provision.sh"
    failing.write_text("#!/bin/sh\nset -e\nsysrc -f /boot/loader.conf a.b=1\necho never\n")
    with pytest.raises(HostError, match="exited with status 1: sysrc: a.b: name contains "
                                        "characters not allowed in shell"):
        jailkit.connect(f"sim://?bare=1&provision={failing}")


@pytest.mark.parametrize("query, message", [
    ("bare=1&provision=/nonexistent/provision.sh",
     "cannot read the provisioning script /nonexistent/provision.sh: No such file or directory"),
])
def test_bad_provisioning_options_are_refused(query, message):
    with pytest.raises(HostURLError, match=message):
        jailkit.connect(f"sim://?{query}")


def test_the_lab_and_a_scenario_run_on_the_provisioned_box(pytester):
    # the lab built (jailkit.labbuild) on the box provision.sh prepared,
    # then the howto's steps through pytest-bdd, then the lab removed.
    from tests.test_scenarios import FEATURE, run_feature
    result = run_feature(pytester, FEATURE, "--host", PROVISIONED_BOX, "-k", "steps_1_to_11")
    result.assert_outcomes(passed=1)


def test_the_lab_builds_on_the_provisioned_box():
    box = jailkit.connect(PROVISIONED_BOX)
    record = build_lab(box, box.lab)
    assert box.run("ping -c 1 10.0.10.1").succeeded
    assert box.run("jexec jk_gateway ipnat -l").succeeded
    remove_lab(box, box.lab, record)
    assert box.run("ifconfig -l").stdout == "em0 lo0\n"


# The loader and kenv as provision.sh relies on them.

def test_a_tunable_in_loader_conf_waits_for_the_next_boot(fresh):
    fresh.run(f"echo '{TUNABLE}=\"1\"' >> /boot/loader.conf").check()
    assert fresh.run(f"kenv {TUNABLE}").exit_status == 255
    fresh.machine.reboot()
    assert run(fresh, f"kenv -v {TUNABLE}") == (0, f'{TUNABLE}="1"\n', "")


def test_ipfw_loaded_at_boot_without_the_tunable_cuts_the_box(fresh):
    # What today's provision.sh left behind when it stopped at sysrc:
    # ipfw_load="YES" without the tunable, and the next boot denies everything.
    fresh.run("sysrc -f /boot/loader.conf ipfw_load=YES").check()
    fresh.machine.reboot()
    # the harness cannot log in again; the box's console shows why
    with pytest.raises(ConnectionLost, match="sshd cannot be reached since the box booted"):
        fresh.run("ipfw list")
    assert fresh.machine.run("ipfw list") == (0, "65535 deny ip from any to any\n", "")
    assert fresh.machine.run("ping -c 1 10.0.2.2")[0] != 0


def test_the_tunable_is_read_only_once_ipfw_is_loaded(fresh):
    assert run(fresh, f"sysctl {TUNABLE}") == (1, "", f"sysctl: unknown oid '{TUNABLE}'\n")
    # ipfw without the tunable denies the harness's session too: the box's
    # console (Machine.run) is where one goes on
    with pytest.raises(ConnectionLost, match="cut while 'kldload ipfw' ran"):
        fresh.run("kldload ipfw")
    console = fresh.machine.run
    assert console(f"sysctl -n {TUNABLE}") == (0, "0\n", "")
    assert console(f"sysctl {TUNABLE}=1") == (1, "", (
        f"sysctl: oid '{TUNABLE}' is a read only tunable\n"
        "sysctl: Tunable values are set in /boot/loader.conf\n"))


def test_kenv_before_kldload_sets_the_default_rule(fresh):
    assert run(fresh, f"kenv {TUNABLE}=1") == (0, f'{TUNABLE}="1"\n', "")
    fresh.run("kldload ipfw").check()
    assert run(fresh, "ipfw list")[1] == "65535 allow ip from any to any\n"
    # read once, when the module loads (CTLFLAG_RDTUN)
    with pytest.raises(ConnectionLost):
        fresh.run(f"kenv {TUNABLE}=0 && kldunload ipfw && kenv -u {TUNABLE} && kldload ipfw")
    assert fresh.machine.run("ipfw list")[1] == "65535 deny ip from any to any\n"


def test_the_loader_skips_a_malformed_line(fresh):
    # loader.conf(5): values in double quotes; a bare number is taken too.
    fresh.run("printf 'ipfw_load=YES\\nkern.maxproc=4000\\n' >> /boot/loader.conf").check()
    fresh.machine.reboot()
    assert fresh.machine.console == ["Malformed line (2):\n\t'ipfw_load=YES'"]
    assert modules(fresh) == ["kernel"]
    assert fresh.run("kenv kern.maxproc").stdout == "4000\n"


@pytest.mark.parametrize("command, expected", [
    ("kenv nosuch", (255, "", "kenv: unable to get nosuch\n")),
    ("kenv -q nosuch", (255, "", "")),
    ("kenv -u nosuch", (255, "", "kenv: unable to unset nosuch\n")),
    ("kenv -h smbios.system.product", (1, "", "usage: kenv [-hNq]\n       kenv [-qv] "
                                                "variable[=value]\n       kenv [-q] -u variable\n")),
    ("kenv smbios.system.product", (0, "VirtualBox\n", "")),
    ("kenv -h", (0, 'hint.fdc.0.at="isa"\n', "")),
])
def test_kenv_answers_as_freebsds(fresh, command, expected):
    status, out, err = run(fresh, command)
    assert (status, out[:len(expected[1])], err) == expected


def test_a_jail_cannot_set_the_kernel_environment(fresh):
    fresh.run("jail -c name=j path=/ persist").check()
    assert run(fresh, "jexec j kenv a=1") == (255, "", "kenv: unable to set a to 1\n")
    assert run(fresh, "jexec j kenv smbios.system.product") == (0, "VirtualBox\n", "")


def test_after_provisioning_new_interfaces_get_no_dhclient():
    """The box's own NIC keeps DHCP by name; an epair made later gets no
    dhclient and no 0.0.0.0 from devd."""
    box = jailkit.connect(PROVISIONED_BOX)
    assert run(box, "sysrc -n ifconfig_em0") == (0, "SYNCDHCP\n", "")
    assert run(box, "sysrc -n ifconfig_DEFAULT")[0] == 1
    box.run("ifconfig epair9 create").check()
    assert "inet " not in box.run("ifconfig epair9a").stdout
    assert run(box, "ls /var/run/dhclient") == (0, "dhclient.em0.pid\n", "")
