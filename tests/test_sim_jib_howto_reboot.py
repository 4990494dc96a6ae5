"""vnet-jib-pf-nat.txt's "put it in rc.conf", rebooted: the sim's rc(8)
brings back the renamed bridge with its address, pf's nat and rdr, IP
forwarding and the jail that jib wires, reached from outside through the
rdr. (The feature cannot reboot a box whose lab jailkit built: the lab's
vtnet0, an epair, does not survive the reboot there.)"""

from __future__ import annotations

import pytest

import jailkit
from jailkit.host import ConnectionLost, Host
from tests.conftest import run

RC_CONF = """\
cloned_interfaces="bridge0"                # bridge for jails
ifconfig_bridge0_name="vtnet0bridge"       # renamed interface
ifconfig_vtnet0bridge="inet 10.192.0.1/24" # IP address of the bridge interface
pf_enable="YES"
gateway_enable="YES"
jail_enable="YES"
jail_list="jamulus"
"""
PF_CONF = """\
ext_if="vtnet0"       # physical interface
int_if="vtnet0bridge" # bridge interface

nat pass on $ext_if from $int_if:network to any -> ($ext_if)
rdr pass on $ext_if inet proto udp from any to $ext_if port 22124 -> 10.192.0.10
"""
JAIL_CONF = """\
jamulus {
        host.hostname = "jamulus.beastie.local";
        path = "/jail/jamulus";
        exec.clean;
        mount.devfs;
        vnet;
        vnet.interface = "e0b_jamulus";
        exec.prestart += "jib addm jamulus vtnet0";
        exec.poststop += "jib destroy jamulus";
        exec.start += "/bin/sh /etc/rc";
        exec.stop = "/bin/sh /etc/rc.shutdown jail";
        exec.consolelog = "/var/log/jail_jamulus_console.log";
}
"""
# the feature's stand-in for the jail's world: the host's, copied
WORLD = ("mkdir -p /jail/jamulus/usr /jail/jamulus/dev /jail/jamulus/tmp /jail/jamulus/root"
         " /jail/jamulus/var/log /jail/jamulus/var/run /jail/jamulus/var/db"
         " && cp -Rp /bin /lib /libexec /sbin /etc /jail/jamulus/"
         " && cp -Rp /usr/bin /usr/lib /usr/libexec /usr/sbin /jail/jamulus/usr/"
         " && rm -f /jail/jamulus/etc/rc.conf /jail/jamulus/etc/jail.conf")
JAIL_RC_CONF = 'defaultrouter="10.192.0.1"\nifconfig_e0b_jamulus="10.192.0.10"\n'


@pytest.fixture
def vm() -> Host:
    """The howto's cloud VM with everything of the howto in its files only."""
    vm = jailkit.connect("sim://?lab=vnet-jib-pf-nat")
    vm.run("install /usr/share/examples/jails/jib /usr/local/bin").check()
    vm.run(WORLD).check()
    vm.run("cat > /jail/jamulus/etc/rc.conf", stdin=JAIL_RC_CONF).check()
    vm.run("cat > /etc/jail.conf", stdin=JAIL_CONF).check()
    vm.run("cat > /etc/pf.conf", stdin=PF_CONF).check()
    vm.run("cat >> /etc/rc.conf", stdin=RC_CONF).check()
    return vm


def reboot(vm: Host, command: str) -> None:
    with pytest.raises(ConnectionLost):
        vm.run(command)


def test_after_the_reboot_the_bridge_the_nat_and_the_jail_are_there(vm):
    reboot(vm, "reboot")
    bridge = run(vm, "ifconfig vtnet0bridge")[1]
    assert "\tinet 10.192.0.1 netmask 0xffffff00 broadcast 10.192.0.255\n" in bridge
    assert "\tmember: e0a_jamulus flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n" in bridge
    assert run(vm, "pfctl -s Running")[1] == "Enabled\n"
    assert run(vm, "pfctl -s nat")[1] == (
        "nat pass on vtnet0 inet from 10.192.0.0/24 to any -> (vtnet0) round-robin\n"
        "rdr pass on vtnet0 inet proto udp from any to 203.0.113.10 port = 22124 -> 10.192.0.10\n")
    assert run(vm, "sysctl -n net.inet.ip.forwarding")[1] == "1\n"
    assert run(vm, "jls name path")[1] == "jamulus /jail/jamulus\n"
    # out through the nat, in through the rdr
    assert run(vm, "jexec jamulus fetch -qo - http://www.freebsd.org/")[1] == \
        "<html><body>FreeBSD</body></html>\n"
    vm.run("jexec jamulus sh -c 'nc -u -l 22124 > /tmp/udp.log 2>&1 &'").check()
    assert vm.run_on("device.example.org", "echo hi | nc -u -w 1 203.0.113.10 22124").succeeded
    assert run(vm, "jexec jamulus cat /tmp/udp.log")[1] == "hi\n"

