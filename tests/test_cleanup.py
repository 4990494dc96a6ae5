"""The journal: a scenario leaves the host as it found it, removing only
what its steps were seen to create and putting back what they changed, and
says so when it cannot. Most tests run on a box that is somebody's
(tests/ownbox.py)."""

from __future__ import annotations

import re

import pytest

from jailkit.cleanup import CleanupError, Journal
from jailkit.files import read_file
from jailkit.qjail import Qjail

from .ownbox import BOX_PF, own_box, still_all_there, what_it_has


def state(host) -> dict[str, str]:
    """Everything observable that a howto may change."""
    commands = ["ifconfig -a", "jls -n", "mount -p", "devfs rule showsets", "cat /etc/devfs.rules",
                "ls -R /usr/jails /usr/local/etc /var/log /var/run", "sysctl net.inet.ip.forwarding"]
    return {c: host.run(c + " 2>&1").stdout for c in commands}


def howto_until_the_console(host) -> None:
    qjail = Qjail(host)
    qjail.install()
    qjail.create("v10", ["10.0.10.10"])
    qjail.config("v10", vnet_nic="fxp0", firewall="none", ruleset="50")
    qjail.start("v10")
    host.run("sysctl net.inet.ip.forwarding=1").check()


def test_restore_after_a_howto_left_half_way(host):
    before_state = state(host)
    journal = Journal(host)
    with journal.watching():
        howto_until_the_console(host)
    assert state(host) != before_state
    commands = journal.undo()
    # by jid, without qjail's jail.conf and its exec.poststop
    assert "jail -R 1" in commands
    assert state(host) == before_state


def test_what_was_there_before_stays(host):
    # Someone's own qjail, jail and epair, made before the scenario.
    Qjail(host).install()
    host.run("ifconfig epair create && jail -c name=theirs persist").check()
    before_state = state(host)
    journal = Journal(host)
    with journal.watching():
        qjail = Qjail(host)
        qjail.create("v10", ["10.0.10.10"])
        qjail.config("v10", vnet_nic="fxp0", firewall="none")
        qjail.start("v10")
        host.run("ifconfig bridge create").check()
    journal.undo()
    assert state(host) == before_state
    assert host.run("jls -j theirs").succeeded
    assert read_file(host, "/usr/local/etc/qjail.vnetctl") == 'count="0"\n'


def test_restore_says_what_it_could_not_undo(host):
    journal = Journal(host)
    with journal.watching():
        host.run("ifconfig fxp0 name lan0").check()   # a rename cannot be destroyed away
    with pytest.raises(CleanupError, match="could not remove what the scenario created: interfaces: lan0"):
        journal.undo()


def test_nothing_to_do_on_an_untouched_host(host):
    journal = Journal(host)
    with journal.watching():
        host.run("ifconfig -a; jls").check()
    assert journal.undo() == []


def test_modules_and_host_firewalls_are_put_back(host):
    journal = Journal(host)
    with journal.watching():
        host.run("kldload ipfw_nat && kldload pf && kldload ipl").check()
        host.run("ipfw -q add 100 allow ip from any to any && ipfw nat 1 config if fxp0 > /dev/null").check()
        host.run("pfctl -q -f - && pfctl -q -e", stdin="pass all\n").check()
        host.run("ipf -E -f - && ipnat -f -", stdin="pass in all\n").check()
    journal.undo()
    assert host.run("kldstat").stdout == "Id Refs Address                Size Name\n" \
        " 1   31 0xffffffff80200000  1f3c6c8 kernel\n"


def test_a_dependency_that_went_with_its_file_is_not_unloaded_again(host):
    """kldload pflog brings pf.ko, and kldunload pflog takes it along (the
    kernel loaded it, nothing else needs it): the journal does not ask for
    pf again; if_bridge and bridgestp alike."""
    journal = Journal(host)
    with journal.watching():
        host.run("kldload pflog if_bridge").check()
    assert [c for c in journal.undo() if c.startswith("kldunload")] == [
        "kldunload pflog", "kldunload if_bridge"]
    assert host.run("kldstat").stdout == "Id Refs Address                Size Name\n" \
        " 1   31 0xffffffff80200000  1f3c6c8 kernel\n"


def test_rules_of_a_box_whose_firewalls_were_loaded_stay(host):
    # A box provisioned with ipfw and pf: their rules are the box's; a
    # scenario's additions go, the box's come back, and ipfw is never flushed.
    host.run("kldload ipfw && kldload pf").check()
    host.run("ipfw -q add 100 allow ip from any to any via lo0 && "
             "ipfw -q add 65000 allow ip from any to any").check()
    host.run("pfctl -q -f -", stdin="pass all\n").check()
    box_rules = host.run("ipfw list; pfctl -s rules").stdout
    journal = Journal(host)
    with journal.watching():
        host.run("ipfw -q add 900 deny ip from any to any").check()
        host.run("pfctl -q -f - && pfctl -q -e", stdin="block all\n").check()
    commands = journal.undo()
    assert "ipfw -q flush" not in commands and "ipfw -q -f flush" not in commands
    assert host.run("ipfw list; pfctl -s rules").stdout == box_rules
    assert host.run("pfctl -s Running").stdout == "Disabled\n"
    assert "ipfw" in host.run("kldstat").stdout



# -- on a box that is somebody's (tests/ownbox.py) ------------------------------------------

def logged(host) -> list[str]:
    """Every command line the host is sent from now on."""
    real, lines = host._run, []

    def run(line, stdin, timeout):
        lines.append(line)
        return real(line, stdin, timeout)
    host._run = run
    return lines


def test_nothing_is_flushed_and_the_boxs_rules_come_back():
    # What troubleshooting 5 and 6 do to a host's firewalls, on a box whose
    # firewalls are in use: its states and NAT sessions must live on.
    box = own_box()
    before = what_it_has(box)
    journal = Journal(box)
    with journal.watching():
        box.run("pfctl -f -", stdin="pass all\nblock return out quick on em0 proto tcp from any "
                                    "to any port 43\n").check()
        box.run("ipf -f -", stdin="block return-rst out quick on em0 proto tcp from any to any "
                                  "port = 43\n").check()
        box.run("ipnat -f -", stdin="map em0 10.77.0.0/24 -> 0/32\n").check()
        box.run("ipfw -q add 900 deny icmp from any to any via epair1a").check()
    sent = logged(box)
    journal.undo()
    assert not [line for line in sent if " -F" in line or " -C" in line or " -CF" in line
                or "flush" in line]
    still_all_there(before, what_it_has(box))


def test_an_ipfw_number_the_box_uses_is_never_deleted():
    box = own_box()
    box_rules = box.run("ipfw list").stdout
    journal = Journal(box)
    with journal.watching():
        box.run("ipfw -q add 500 allow ip from any to any && ipfw -q add 900 deny ip from any to "
                "any via epair1a").check()
    with pytest.raises(CleanupError, match="ipfw rule 500: the box has rules of its own"):
        journal.undo()
    # the box's rule 500, apostrophe and all, is there; the scenario's 900 went
    assert box.run("ipfw list").stdout.replace("00500 allow ip from any to any\n", "") == box_rules


def test_a_box_rule_the_scenario_deleted_is_named_not_readded():
    box = own_box()
    journal = Journal(box)
    with journal.watching():
        box.run("ipfw -q delete 500").check()
    sent = logged(box)
    with pytest.raises(CleanupError, match="removed the box's ipfw rule .00500 allow tcp"):
        journal.undo()
    assert not [line for line in sent if "ipfw" in line and " add " in line]


def test_jails_are_not_stopped_through_qjails_jail_conf():
    # The box's bridge10 holds no epair: qjail's exec.poststop would destroy it.
    box = own_box(bridge_with_epair=False)
    before = what_it_has(box)
    journal = Journal(box)
    with journal.watching():
        qjail = Qjail(box)
        qjail.install()
        qjail.create("v10", ["10.0.10.10"])
        qjail.config("v10", vnet_nic="wan0", firewall="none")
        qjail.start("v10")
    assert "member: epair1a" in box.run("ifconfig bridge10").stdout
    commands = journal.undo()
    assert [c for c in commands if c.startswith("jail ")] == ["jail -R 2"]
    still_all_there(before, what_it_has(box))


def test_only_what_a_step_created_goes(host):
    journal = Journal(host)
    with journal.watching():
        host.run("ifconfig epair create > /dev/null && jail -c name=mine persist").check()
    # between steps, the box's owner makes a jail and a bridge of their own
    host.run("jail -c name=theirs persist && ifconfig bridge create > /dev/null").check()
    theirs = host.run("jls -j theirs; ifconfig bridge0").stdout
    with journal.watching():
        host.run("jls").check()
    journal.undo()
    assert host.run("jls -j theirs; ifconfig bridge0").stdout == theirs
    assert host.run("ifconfig -l").stdout == "fxp0 lo0 bridge0\n"
    assert not host.run("jls -j mine").succeeded


def test_a_name_that_stands_for_another_interface_now_stays(host):
    journal = Journal(host)
    with journal.watching():
        host.run("ifconfig epair7 create").check()
    host.run("ifconfig epair7a destroy && ifconfig epair7 create").check()
    again = host.run("ifconfig epair7a; ifconfig epair7b").stdout
    journal.undo()
    assert host.run("ifconfig epair7a; ifconfig epair7b").stdout == again


def test_a_file_comes_back_whole_through_a_temporary_file():
    box = own_box()            # its rc.conf has no final newline
    rc_conf = box.run("cat /etc/rc.conf").stdout
    journal = Journal(box)
    with journal.watching():
        box.run("sysrc gateway_enable=YES > /dev/null").check()
    sent = logged(box)
    journal.undo()
    assert box.run("cat /etc/rc.conf").stdout == rc_conf
    written = [line for line in sent if "/etc/rc.conf" in line and "cat >" in line]
    assert len(written) == 1 and "cat > /etc/.rc.conf.jailkit-" in written[0]
    assert "mv -f /etc/.rc.conf.jailkit-" in written[0] and written[0].endswith("exit 1; }")
    assert box.run("ls -a /etc").stdout.count("jailkit") == 0


def test_a_file_changed_again_after_the_scenario_is_left():
    box = own_box()
    journal = Journal(box)
    with journal.watching():
        box.run("echo 'ifconfig_wan0=\"up\"' >> /etc/rc.conf").check()
    box.run("echo 'ntpd_enable=\"YES\"' >> /etc/rc.conf").check()   # the owner's, later
    now = box.run("cat /etc/rc.conf").stdout
    with pytest.raises(CleanupError, match="file /etc/rc.conf changed again"):
        journal.undo()
    assert box.run("cat /etc/rc.conf").stdout == now


def test_a_replaced_pf_ruleset_comes_back_from_the_boxs_pf_conf():
    # pf.conf holds what the listing lacks (set skip); it loads back to the
    # box's rules, so it is the copy loaded (4 lines, not the listing's 3).
    box = own_box()
    box.run("cat > /etc/pf.conf && pfctl -q -f /etc/pf.conf", stdin="set skip on lo0\n" + BOX_PF).check()
    before = what_it_has(box)
    journal = Journal(box)
    with journal.watching():
        box.run("pfctl -f -", stdin="pass all\n").check()
    assert journal.undo() == ["pfctl -q -f - <<< 4 lines"]
    still_all_there(before, what_it_has(box))


SSH_AND_BLOCK = "pass in quick on em0 proto tcp to any port 22 flags any keep state\nblock all\n"


def test_a_pf_ruleset_with_no_copy_that_loads_back_is_left_and_named():
    box = own_box()
    box.run("cat > /etc/pf.conf", stdin="pass all\n").check()      # not what is loaded
    journal = Journal(box)
    with journal.watching():
        # a ruleset that blocks by default keeps the admin's own ssh session
        # (no state for it yet; "flags any" makes one mid-stream)
        box.run("pfctl -f -", stdin=SSH_AND_BLOCK).check()
    # the box's listing is made unparsable for the test: a rule the sim
    # prints but cannot read back stands for one pfctl cannot
    journal.record.changed["pf rules"].original = "pass all label \"x\n"
    with pytest.raises(CleanupError, match="pf rules: the scenario replaced the box's main ruleset"):
        journal.undo()
    assert box.run("pfctl -s rules").stdout == ("pass in quick on em0 proto tcp from any to any "
                                                "port = ssh flags any keep state\nblock drop all\n")


def test_interfaces_that_come_home_from_the_scenarios_jails_go_the_boxs_stay():
    box = own_box()
    before = what_it_has(box)
    journal = Journal(box)
    with journal.watching():
        # within one step: a bridge made and moved into a new vnet jail, and
        # the box's own lan0 lent to it
        box.run("jail -c name=j7 vnet persist path=/ && ifconfig bridge7 create > /dev/null && "
                "ifconfig bridge7 vnet j7 && ifconfig lan0 vnet j7").check()
    assert "bridge7" not in box.run("ifconfig -l").stdout
    commands = journal.undo()
    assert "ifconfig bridge7 destroy" in commands and "ifconfig lan0 destroy" not in commands
    after = what_it_has(box)
    # lan0 is back as it was, listed last now (an interface that comes home
    # is attached again at the end of the list, as on FreeBSD)
    assert sorted(blocks(after.pop("ifconfig -a"))) == sorted(blocks(before.pop("ifconfig -a")))
    assert after == before


def blocks(listing: str) -> list[str]:
    """ifconfig -a, one text per interface (each starts at column 0)."""
    return [part for part in re.split(r"(?m)^(?=\S)", listing) if part]


def test_the_scenarios_nat_sessions_go_when_the_box_had_no_nat(host):
    # ipnat makes a session only through a rule: with no rule and no session
    # on the box when the scenario began, every session left is the
    # scenario's, and ipnat -F takes exactly those (the module is the box's)
    host.run("kldload ipl && ipf -E").check()
    journal = Journal(host)
    with journal.watching():
        host.run("ipnat -f -", stdin="map fxp0 10.0.10.0/28 -> 0/32\n").check()
        host.run("whois -h whois.iana.org FREEBSD.ORG").check()
    assert "\nMAP 10.0.10.2 " in host.run("ipnat -l").stdout
    assert "ipnat -F" in journal.undo()
    assert host.run("ipnat -l").stdout.endswith("List of active sessions:\n")
    assert "ipl" in host.run("kldstat -n ipl").stdout


def test_an_ipf_rule_on_an_interface_the_scenario_destroyed_is_removed(host):
    # the epair goes with the jail before the firewalls are put back, and
    # ipfstat then lists the rule "on epair7a(!)", which ipf -r cannot read
    host.run("kldload ipl").check()
    journal = Journal(host)
    with journal.watching():
        host.run("ifconfig epair7 create").check()
        host.run("ipf -f -", stdin="pass in quick on epair7a all\n").check()
    host.run("ifconfig epair7a destroy").check()
    assert "on epair7a(!)" in host.run("ipfstat -i").stdout
    journal.undo()
    assert "epair7a" not in host.run("ipfstat -io").stdout


def test_a_jail_conf_guides_files_and_jail_directory_go(host):
    # The box's own jail.conf is put back; the guide's new files, its jail
    # directory and the jail's fstab go.
    host.run("echo 'theirs { path = /usr/theirs; }' > /etc/jail.conf").check()
    before_state = state(host)
    journal = Journal(host)
    with journal.watching():
        host.run("echo 'testjail { path = /jails/testjail; }' > /etc/jail.conf && "
                 "echo 'interface fxp0' > /etc/natd.conf && echo '#!/bin/sh' > /etc/ipfw.conf && "
                 "mkdir -p /jails/testjail/etc && touch /etc/fstab.testjail.local").check()
    journal.undo()
    assert state(host) == before_state
    assert host.run("cat /etc/jail.conf").stdout == "theirs { path = /usr/theirs; }\n"
    gone = host.run("ls -d /jails /etc/natd.conf /etc/ipfw.conf /etc/fstab.testjail.local")
    assert gone.stdout == "" and gone.exit_status == 1


def test_a_natd_the_scenario_started_is_stopped_before_ipdivert_goes(host):
    journal = Journal(host)
    with journal.watching():
        host.run("echo 'interface fxp0' > /etc/natd.conf && kldload ipfw ipdivert && "
                 "natd -f /etc/natd.conf").check()
    commands = journal.undo()
    assert commands.index("service natd onestop") < commands.index("kldunload ipdivert")
    assert host.run("service natd onestatus").stdout == "natd is not running.\n"
    assert host.run("test -e /var/run/natd.pid").exit_status == 1
    assert "ipdivert" not in host.run("kldstat").stdout


def test_a_natd_that_was_running_stays(host):
    host.run("echo 'interface fxp0' > /etc/natd.conf && kldload ipfw ipdivert && "
             "natd -f /etc/natd.conf").check()
    pid = host.run("cat /var/run/natd.pid").stdout
    journal = Journal(host)
    with journal.watching():
        assert "already running" in host.run("service natd onestart").stderr
    assert "service natd onestop" not in journal.undo()
    assert host.run("cat /var/run/natd.pid").stdout == pid


def test_the_scenarios_netgraph_nodes_are_shut_down_and_the_boxs_stay(host):
    # nodes by ID (never reused): the scenario's bridge and eiface go (and
    # ngeth0 with its eiface), the box's own bridge and ether nodes stay
    host.run("kldload ng_ether ng_bridge ng_eiface").check()
    host.run("ngctl mkpeer fxp0: bridge lower link0 && ngctl name fxp0:lower boxbr").check()
    journal = Journal(host)
    with journal.watching():
        host.run("ngctl mkpeer boxbr: eiface link1 ether && ngctl mkpeer boxbr: bridge link2 link0"
                 " && ngctl name boxbr:link2 scenbr").check()
    assert "ngeth0" in host.run("ifconfig -l").stdout
    done = journal.undo()
    assert len([c for c in done if c.startswith("ngctl shutdown ")]) == 2
    listing = host.run("ngctl list").stdout
    assert "Name: boxbr " in listing and "Name: fxp0 " in listing
    assert "scenbr" not in listing and "eiface" not in listing
    assert "ngeth0" not in host.run("ifconfig -l").stdout


# The article's graph (its ng_bridge type name written "bridge", as ngctl
# wants it): a bridge on fxp0's lower and upper hooks, three eifaces on it, a
# second bridge anchored on ngctl's own socket with three more.
ARTICLE_GRAPH = """\
mkpeer fxp0: bridge lower link0
name fxp0:lower bridge0
connect fxp0: bridge0: upper link1
mkpeer bridge0: eiface link2 ether
mkpeer bridge0: eiface link3 ether
mkpeer bridge0: eiface link4 ether
mkpeer . bridge virt link0
name virt bridge1
mkpeer bridge1: eiface link2 ether
mkpeer bridge1: eiface link3 ether
mkpeer bridge1: eiface link4 ether
"""


def ng_flags(host, node: str) -> tuple[str, str]:
    promisc, autosrc = (host.run(f"ngctl msg {node}: get{flag}").stdout.split()[-1]
                        for flag in ("promisc", "autosrc"))
    return promisc, autosrc


def test_the_articles_graph_goes_and_the_nic_is_as_before(host):
    before = host.run("ifconfig -a").stdout
    journal = Journal(host)
    with journal.watching():
        host.run("kldload ng_ether ng_bridge ng_eiface").check()
        host.run("ngctl -f -", stdin=ARTICLE_GRAPH).check()
        host.run("ngctl msg fxp0: setpromisc 1 && ngctl msg fxp0: setautosrc 1").check()
        host.run("ifconfig ngeth0 name phys0 && ifconfig ngeth3 name virt0").check()
    assert "PROMISC" in host.run("ifconfig fxp0").stdout
    done = journal.undo()            # no CleanupError: ng_ether busy is no failure
    assert host.run("ifconfig -a").stdout == before
    listing = host.run("ngctl list").stdout
    assert [line.split()[3] for line in listing.splitlines()[1:]
            if "socket" not in line] == ["ether"]
    # the bridges' shutdown reset fxp0's node (promisc off); autosrc is set back
    assert ng_flags(host, "fxp0") == ("0", "0")
    assert "ngctl msg fxp0: setautosrc 0" in done
    # FreeBSD keeps ng_ether (and netgraph under it) while fxp0 has its node
    assert "kldunload ng_bridge" in done and "kldunload ng_ether" in done
    assert any(line.startswith("ng_ether: the kernel keeps it busy (kldunload: can't unload "
                               "file: Device busy)") for line in done)
    modules = host.run("kldstat").stdout
    assert "ng_ether.ko" in modules and "netgraph.ko" in modules
    assert "ng_bridge.ko" not in modules and "ng_eiface.ko" not in modules


def test_the_boxs_own_ng_ether_flags_and_module_stay(host):
    host.run("kldload ng_ether && ngctl msg fxp0: setpromisc 1").check()
    journal = Journal(host)
    with journal.watching():
        host.run("ngctl mkpeer fxp0: bridge lower link0 && ngctl name fxp0:lower br "
                 "&& ngctl connect fxp0: br: upper link1").check()
    done = journal.undo()
    # shutting the scenario's bridge down reset fxp0's node: promisc back on
    assert "ngctl msg fxp0: setpromisc 1" in done
    assert ng_flags(host, "fxp0") == ("1", "0")
    assert "PROMISC" in host.run("ifconfig fxp0").stdout
    # mkpeer loaded ng_bridge for the scenario; ng_ether is the box's
    assert [c for c in done if c.startswith("kldunload")] == ["kldunload ng_bridge"]
    assert "ng_ether.ko" in host.run("kldstat").stdout



NETGRAPH_RC_D = """\
#!/bin/sh
# PROVIDE: netgraph
# BEFORE: netif

. /etc/rc.subr

name="netgraph"
rcvar="netgraph_enable"
start_cmd="netgraph_start"
stop_cmd="netgraph_stop"

netgraph_start() {
  for module in ng_bridge ng_eiface ng_ether; do load_kld $module; done
  ngctl -f- <<EOF
""" + ARTICLE_GRAPH + """\
EOF
}

netgraph_stop() {
  ngctl shutdown bridge0:
  ngctl shutdown bridge1:
}

load_rc_config $name
run_rc_command "$1"
"""


def test_the_articles_rc_d_script_and_its_jail_leave_nothing(host):
    before = host.run("ifconfig -a").stdout
    journal = Journal(host)
    with journal.watching():
        host.run("mkdir -p /usr/local/etc/rc.d && cat > /usr/local/etc/rc.d/netgraph && "
                 "chmod 555 /usr/local/etc/rc.d/netgraph", stdin=NETGRAPH_RC_D).check()
        host.run("sysrc netgraph_enable=YES && service netgraph start").check()
        host.run("ifconfig ngeth3 name virt0").check()
        host.run("jail -c name=www path=/ vnet vnet.interface=ngeth0 persist").check()
        host.run("service netgraph stop").check()     # the eifaces outlive their bridges
    done = journal.undo()
    assert host.run("ifconfig -a").stdout == before
    listing = host.run("ngctl list").stdout
    assert listing.count("Type: ether") == 1 and "Type: eiface" not in listing
    assert ng_flags(host, "fxp0") == ("0", "0")
    assert host.run("ls /usr/local/etc/rc.d").exit_status != 0
    assert "netgraph_enable" not in host.run("cat /etc/rc.conf").stdout
    assert any(c.startswith("jail -R ") for c in done)


def test_jngs_bridge_and_promiscuous_nic_go_with_its_jail(host):
    before = host.run("ifconfig -a").stdout
    journal = Journal(host)
    with journal.watching():
        host.run("kldload ng_ether && install /usr/share/examples/jails/jng /usr/local/bin "
                 "&& jng bridge www fxp0").check()
        host.run("jail -c name=www path=/ vnet vnet.interface=ng0_www persist").check()
    assert "PROMISC" in host.run("ifconfig fxp0").stdout
    journal.undo()
    # jng shutdown was never run: cleanup shuts the bridge and the eiface
    # down, and fxp0's node, losing its last hook, leaves promiscuous mode
    assert host.run("ifconfig -a").stdout == before
    assert "Type: bridge" not in host.run("ngctl list").stdout
    assert host.run("ls /usr/local/bin/jng").exit_status != 0


def test_the_knobs_a_howto_turned_are_put_back(host):
    # jails-and-networking turns the bridge's pfil sysctls off and DAD off;
    # a knob of a module the box had not loaded (lagg) is left alone
    host.run("kldload if_bridge").check()
    knobs = ("net.link.bridge.pfil_member net.link.bridge.pfil_onlyip net.inet6.ip6.dad_count "
             "net.link.lagg.failover_rx_all")
    before = host.run(f"sysctl {knobs} 2>&1").stdout
    journal = Journal(host)
    with journal.watching():
        host.run("sysctl net.link.bridge.pfil_member=0 net.link.bridge.pfil_onlyip=0").check()
        host.run("sysctl net.inet6.ip6.dad_count=0 && kldload if_lagg").check()
        host.run("sysctl net.link.lagg.failover_rx_all=1").check()
    commands = journal.undo()
    assert "sysctl net.link.bridge.pfil_member=1" in commands
    assert host.run(f"sysctl {knobs} 2>&1").stdout == before
