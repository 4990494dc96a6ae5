"""ng_ether's flags on a NIC as FreeBSD 14 keeps them (sys/netgraph/ng_ether.c):
promiscuous mode only through setpromisc, turned off again when the node is
reset (ngctl shutdown, or its last hook gone); autosrc off from the start and
left alone by a reset; ng_ether.ko busy while an Ethernet interface has its
node."""

from __future__ import annotations

from tests.conftest import run


def flags(host, node: str = "fxp0") -> tuple[str, str]:
    return (run(host, f"ngctl msg {node}: getpromisc")[1].split()[-1],
            run(host, f"ngctl msg {node}: getautosrc")[1].split()[-1])


def promiscuous(host, nic: str = "fxp0") -> bool:
    return "PROMISC" in run(host, f"ifconfig {nic}")[1].split(">")[0]


def test_hooks_alone_do_not_make_the_nic_promiscuous(host):
    host.run("kldload ng_ether").check()
    assert flags(host) == ("0", "0")
    host.run("ngctl mkpeer fxp0: bridge lower link0 && ngctl name fxp0:lower br "
             "&& ngctl connect fxp0: br: upper link1").check()
    assert flags(host) == ("0", "0") and not promiscuous(host)


def test_the_last_hook_going_resets_promisc_but_not_autosrc(host):
    host.run("kldload ng_ether && ngctl mkpeer fxp0: bridge lower link0 "
             "&& ngctl name fxp0:lower br && ngctl connect fxp0: br: upper link1").check()
    host.run("ngctl msg fxp0: setpromisc 1 && ngctl msg fxp0: setautosrc 1").check()
    assert flags(host) == ("1", "1") and promiscuous(host)
    host.run("ngctl rmhook fxp0: lower").check()
    assert flags(host) == ("1", "1")          # upper is still there
    host.run("ngctl shutdown br:").check()     # upper goes with the bridge
    assert flags(host) == ("0", "1") and not promiscuous(host)
    assert "Name: fxp0 " in run(host, "ngctl list")[1]


def test_shutdown_of_the_ether_node_resets_it_and_it_stays(host):
    host.run("kldload ng_ether && ngctl msg fxp0: setpromisc 1").check()
    assert promiscuous(host)
    assert run(host, "ngctl shutdown fxp0:") == (0, "", "")
    assert flags(host) == ("0", "0") and not promiscuous(host)
    assert "Name: fxp0 " in run(host, "ngctl list")[1]


def test_ng_ether_cannot_be_unloaded_while_an_ethernet_nic_has_its_node(host):
    host.run("kldload ng_ether").check()
    assert run(host, "kldunload ng_ether") == (
        1, "", "kldunload: can't unload file: Device busy\n")
    assert run(host, "kldunload netgraph")[2] == "kldunload: can't unload file: Device busy\n"
    assert "ng_ether.ko" in run(host, "kldstat")[1]
