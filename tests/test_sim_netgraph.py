"""netgraph(4) on the sim: kldload of its node types, ngctl(8)'s commands,
output and errors, the node types' hook rules, ng_eiface's interfaces, and
frames through a graph between the LAN, the host's stack and a VNET jail
(sys/netgraph/ng_base.c, ng_socket.c, ng_ether.c, ng_bridge.c,
ng_eiface.c; usr.sbin/ngctl)."""

from __future__ import annotations

import pickle

from jailkit.files import write_file
from tests.conftest import run

GRAPH = ("ngctl mkpeer fxp0: bridge lower link0 && ngctl name fxp0:lower bridge0"
         " && ngctl connect fxp0: bridge0: upper link1"
         " && ngctl mkpeer bridge0: eiface link2 ether")


def _load(host) -> None:
    host.run("kldload ng_ether ng_bridge ng_eiface").check()


def _nodes(host) -> list[str]:
    """(name, type) of every node but ngctl's own, from ngctl list."""
    out = run(host, "ngctl list")[1]
    return [" ".join(line.split()[1:4:2]) for line in out.splitlines()[1:]
            if "Type: socket" not in line]


# -- kldload ------------------------------------------------------------------------

def test_kldload_brings_netgraph_ko_with_the_node_types(host):
    """kern_linker.c: ng_ether.ko is made first (the next file id), then
    linker_load_dependencies loads netgraph.ko after it; the later node
    types find netgraph in and take a reference on it, and every file one
    on the kernel."""
    _load(host)
    assert run(host, "kldstat") == (0, (
        "Id Refs Address                Size Name\n"
        " 1   35 0xffffffff80200000  1f3c6c8 kernel\n"
        " 2    1 0xffffffff82a20000     5f70 ng_ether.ko\n"
        " 3    3 0xffffffff82a26000    1c9a8 netgraph.ko\n"
        " 4    1 0xffffffff82a43000     7a38 ng_bridge.ko\n"
        " 5    1 0xffffffff82a4b000     4b48 ng_eiface.ko\n"), "")


def test_ng_ether_attaches_to_every_ethernet_nic_and_to_each_new_one(host):
    _load(host)
    assert _nodes(host) == ["fxp0 ether"]
    host.run("ifconfig epair create").check()
    assert _nodes(host) == ["fxp0 ether", "epair0a ether", "epair0b ether"]


def test_an_ether_node_follows_its_interface_name_and_goes_with_it(host):
    _load(host)
    host.run("ifconfig epair create && ifconfig epair0a name lan0").check()
    assert "lan0 ether" in _nodes(host)
    host.run("ifconfig lan0 destroy").check()
    assert _nodes(host) == ["fxp0 ether"]


def test_ngctl_without_netgraph_loads_the_socket_type_itself(host):
    status, out, err = run(host, "ngctl list")
    assert (status, err) == (0, "")
    assert out.startswith("There are 1 total nodes:\n  Name: ngctl")
    assert "ng_socket.ko" in run(host, "kldstat")[1]


def test_ngctl_in_a_jail_cannot_load_the_socket_type(host):
    write_file(host, "/etc/jail.conf", 'w { path = "/"; persist; vnet; }\n')
    host.run("jail -c w").check()
    assert run(host, "jexec w ngctl list") == (
        71, "", "ngctl: can't create node: Operation not permitted\n")


# -- the graph -----------------------------------------------------------------------

def test_the_howto_graph_as_ngctl_list_and_show_print_it(host):
    _load(host)
    host.run(GRAPH).check()
    status, out, _ = run(host, "ngctl list")
    lines = out.splitlines()
    assert lines[0] == "There are 4 total nodes:"
    assert lines[1] == "  Name: fxp0            Type: ether           ID: 00000001   Num hooks: 2"
    assert lines[2] == "  Name: bridge0         Type: bridge          ID: 00000003   Num hooks: 3"
    # ng_eiface names its node after its interface, so ng_ether makes none for it
    assert lines[3].startswith("  Name: ngeth0          Type: eiface          ID: ")
    assert run(host, "ngctl show -n fxp0:")[1] == lines[1] + "\n"
    show = run(host, "ngctl show bridge0:")[1].splitlines()
    assert show[3].split()[:3] == ["link2", "ngeth0", "eiface"]
    assert show[1:3] == [
        "  Local hook      Peer name       Peer type    Peer ID         Peer hook      ",
        "  ----------      ---------       ---------    -------         ---------      "]
    assert [row.split()[0] for row in show[3:]] == ["link2", "link1", "link0"]
    assert show[5].split() == ["link0", "fxp0", "ether", "00000001", "lower"]


def test_getifname_answers_from_the_nodes_id_and_expr_picks_the_name(host):
    _load(host)
    host.run(GRAPH).check()
    status, out, err = run(host, "ngctl msg bridge0:link2 getifname")
    assert status == 0 and err == ""
    assert out.splitlines()[1] == 'Args:\t"ngeth0"'
    assert out.startswith('Rec\'d response "getifname" (1) from "[')
    picked = run(host, """expr "$(ngctl msg bridge0:link2 getifname)" : """
                       """'.*Args:.*"\\([a-zA-Z]*[0-9]*\\)"'""")
    assert picked == (0, "ngeth0\n", "")
    assert run(host, "ngctl msg fxp0: getifname")[1].endswith('Args:\t"fxp0"\n')


def _eiface_ids(host) -> list[str]:
    out = run(host, "ngctl list")[1]
    return [line.split()[5] for line in out.splitlines() if "Type: eiface" in line]


def test_eiface_takes_the_first_free_ngeth_unit_and_can_be_renamed(host):
    _load(host)
    for _ in range(3):
        host.run("ngctl mkpeer . eiface e ether").check()
    # ngctl's node went when it exited; the eiface nodes stay, unhooked
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 ngeth0 ngeth1 ngeth2\n"
    host.run("ifconfig ngeth0 name virt0").check()
    host.run(f"ngctl shutdown [{_eiface_ids(host)[1]}]:").check()
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 virt0 ngeth2\n"
    host.run("ngctl mkpeer . eiface e ether").check()
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 virt0 ngeth2 ngeth1\n"
    # the node keeps the name its interface was born with
    assert run(host, "ngctl msg ngeth0: getifname")[1].endswith('Args:\t"virt0"\n')
    flags = run(host, "ifconfig ngeth1")[1].splitlines()[0]
    assert flags == "ngeth1: flags=8802<BROADCAST,SIMPLEX,MULTICAST> metric 0 mtu 1500"


def test_a_scripts_comments_start_in_the_first_column(host):
    """main.c ReadFile skips a line starting with '#'; an indented one is
    read as the command "#", which is unknown: the file stops there."""
    _load(host)
    script = "# a comment\nmkpeer . bridge virt link0\nname virt bridge1\n" \
             "mkpeer bridge1: eiface link2 ether\n"
    assert run(host, "ngctl -f -", stdin=script) == (0, "", "")
    assert "bridge1 bridge" in _nodes(host)
    indented = "mkpeer . bridge virt link0\nname virt bridge2\n    # indented\n" \
               "mkpeer bridge2: eiface link2 ether\n"
    assert run(host, "ngctl -f -", stdin=indented) == (
        71, "", 'ngctl: "#": unknown command\nngctl: line 3: error in file\n')
    # bridge2 lost its only hook when ngctl's node went, and shut itself down
    assert "bridge2 bridge" not in _nodes(host)


def test_errors_are_ngctls_own(host):
    _load(host)
    host.run(GRAPH).check()
    assert run(host, "ngctl shutdown nosuch:") == (
        71, "", "ngctl: send msg: No such file or directory\n")
    assert run(host, "ngctl show bridge0") == (
        71, "", "ngctl: send msg: No such file or directory\n")
    assert run(host, "ngctl mkpeer bridge0: eiface port3 ether") == (
        71, "", "ngctl: send msg: Invalid argument\n")
    assert run(host, "ngctl mkpeer bridge0: bridge link5 uplink0")[2] == \
        "ngctl: send msg: Invalid argument\n"
    assert run(host, "ngctl mkpeer bridge0: eiface link3 eth")[2] == \
        "ngctl: send msg: Protocol family not supported\n"
    assert run(host, "ngctl mkpeer bridge0: eiface link2 ether")[2] == \
        "ngctl: send msg: File exists\n"
    assert run(host, "ngctl name fxp0: bridge0")[2] == "ngctl: send msg: Address already in use\n"
    assert run(host, "ngctl msg fxp0: frobnicate")[2] == \
        "ngctl: send msg: Function not implemented\n"
    assert run(host, "ngctl bogus") == (71, "", 'ngctl: "bogus": unknown command\n')
    assert run(host, "ngctl name fxp0:") == (
        64, "", "ngctl: usage: name <path> <name>\n")
    assert run(host, "ngctl -x") == (
        64, "", "ngctl: illegal option -- x\nusage: ngctl [-d] [-f file] [-n name] [command ...]\n")
    assert run(host, "ngctl")[2] == ("ngctl: no command specified\n"
                                     "usage: ngctl [-d] [-f file] [-n name] [command ...]\n")
    assert run(host, "ngctl -f /nonexistent") == (
        66, "", "ngctl: /nonexistent: No such file or directory\n")
    # the article's type names carry the module prefix: the kernel looks
    # for ng_ng_bridge.ko and finds none
    assert run(host, "ngctl mkpeer fxp0: ng_bridge orphans link0") == (
        71, "", "ngctl: send msg: No such file or directory\n")
    # nothing was left half-made: no new interface, no extra hook
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 ngeth0\n"
    assert run(host, "ngctl show -n bridge0:")[1].split()[-1] == "3"


def test_shutdown_of_the_bridge_leaves_the_eifaces_and_the_nic(host):
    """ng_eiface outlives its hook (ng_eiface_disconnect); ng_ether's node
    is persistent (ng_ether_shutdown revives it, hooks gone)."""
    _load(host)
    host.run(GRAPH).check()
    host.run("ngctl shutdown bridge0:").check()
    assert _nodes(host) == ["fxp0 ether", "ngeth0 eiface"]
    assert run(host, "ngctl show -n fxp0:")[1].split()[-1] == "0"
    host.run(f"ngctl shutdown [{_eiface_ids(host)[0]}]:").check()
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0\n"
    assert _nodes(host) == ["fxp0 ether"]


# -- frames through the graph ----------------------------------------------------------

JAIL = 'w { path = "/"; persist; vnet; vnet.interface += "ngeth0"; }\n'


def _jail_on_the_graph(host) -> None:
    _load(host)
    host.run(GRAPH).check()
    write_file(host, "/etc/jail.conf", JAIL)
    host.run("jail -c w").check()
    host.run("jexec w ifconfig ngeth0 inet 10.0.10.7/24 up").check()


def test_the_host_keeps_its_lan_through_lower_bridge_and_upper(host):
    _load(host)
    host.run(GRAPH).check()
    assert run(host, "ping -c 1 -t 1 10.0.10.1")[0] == 0


def test_a_jail_on_an_ngeth_reaches_the_host_but_the_lan_needs_setpromisc(host):
    _jail_on_the_graph(host)
    assert run(host, "jexec w ping -c 1 10.0.10.2")[0] == 0
    assert run(host, "ping -c 1 10.0.10.7")[0] == 0
    # the NIC's own filter drops frames for the jail's address
    assert run(host, "jexec w ping -c 1 10.0.10.1")[0] == 2
    host.run("ngctl msg fxp0: setpromisc 1").check()
    assert run(host, "ngctl msg fxp0: getpromisc")[1].endswith("Args:\t1\n")
    assert "PROMISC" in run(host, "ifconfig fxp0")[1].splitlines()[0]
    assert run(host, "jexec w ping -c 1 10.0.10.1")[0] == 0


def test_without_the_bridge_the_jail_is_cut_off_and_the_host_is_not(host):
    _jail_on_the_graph(host)
    host.run("ngctl msg fxp0: setpromisc 1").check()
    host.run("ngctl shutdown bridge0:").check()
    assert run(host, "jexec w ping -c 1 10.0.10.1")[0] == 2
    assert run(host, "jexec w ping -c 1 10.0.10.2")[0] == 2
    assert run(host, "ping -c 1 10.0.10.1")[0] == 0


def test_lower_alone_cuts_the_hosts_stack_off_the_wire(host):
    _load(host)
    host.run("ngctl mkpeer fxp0: bridge lower link0 && ngctl name fxp0:lower b").check()
    host.run("ngctl mkpeer b: eiface link1 ether").check()
    assert run(host, "ping -c 1 10.0.10.1")[0] == 2
    host.run("ngctl connect fxp0: b: upper link2").check()
    assert run(host, "ping -c 1 10.0.10.1")[0] == 0


def test_a_node_type_stays_loaded_while_it_has_nodes(host):
    """ng_base.c ng_mod_event: a type with nodes is busy, and ng_ether has
    one for every Ethernet interface, so it stays while fxp0 does."""
    _load(host)
    host.run("ngctl mkpeer . eiface e ether").check()
    assert run(host, "kldunload netgraph") == (
        1, "", "kldunload: can't unload file: Device busy\n")
    assert run(host, "kldunload ng_ether")[2] == "kldunload: can't unload file: Device busy\n"
    assert run(host, "kldunload ng_eiface")[0] == 1
    assert run(host, "kldunload ng_bridge") == (0, "", "")
    host.run(f"ngctl shutdown [{_eiface_ids(host)[0]}]:").check()
    assert run(host, "kldunload ng_eiface") == (0, "", "")
    assert "ng_eiface.ko" not in run(host, "kldstat")[1]


def test_an_ngeth_lent_to_a_jail_comes_home_with_its_node_in_the_hosts_graph(host):
    _jail_on_the_graph(host)
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0\n"
    assert run(host, "ngctl msg ngeth0: getifname")[1].endswith('Args:\t"ngeth0"\n')
    host.run("jail -r w").check()
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0 ngeth0\n"
    assert _nodes(host) == ["fxp0 ether", "bridge0 bridge", "ngeth0 eiface"]


def test_types_counts_the_living_nodes_of_each_loaded_type(host):
    _load(host)
    host.run(GRAPH).check()
    lines = run(host, "ngctl types")[1].splitlines()
    assert lines[:3] == ["There are 4 total types:", "      Type name   Number of living nodes",
                         "      ---------   ----------------------"]
    assert sorted(lines[3:]) == sorted(["         socket       1", "          ether       1",
                                        "         bridge       1", "         eiface       1"])


def test_a_vnet_jails_graph_is_its_own_and_dies_with_it(host):
    _load(host)
    write_file(host, "/etc/jail.conf", 'w { path = "/"; persist; vnet; }\n'
                                        'c { path = "/"; persist; }\n')
    host.run("jail -c w && jail -c c").check()
    assert run(host, "jexec w ngctl list")[2] == \
        "ngctl: can't create node: Operation not permitted\n"      # no kldload in a jail
    host.run("ngctl list").check()              # the host's ngctl loads ng_socket.ko
    host.run("jexec w ngctl mkpeer . eiface e ether").check()
    assert run(host, "jexec w ifconfig -l")[1] == "lo0 ngeth0\n"
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0\n"
    assert _nodes(host) == ["fxp0 ether"]
    assert run(host, "jexec c ngctl list") == (
        71, "", "ngctl: can't create node: Operation not permitted\n")
    host.run("jail -r w").check()
    assert run(host, "ifconfig -l")[1] == "fxp0 lo0\n"


def test_a_machine_with_a_graph_still_pickles(host):
    _load(host)
    host.run(GRAPH).check()
    host.run("ngctl mkpeer bridge0: eiface link5 ether").check()
    copy = pickle.loads(pickle.dumps(host.machine))
    assert "ngeth0" in [i.name for i in copy.kernel.prison0.vnet.ifnets]
