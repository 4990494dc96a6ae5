"""Options of the network tools that the sim once took and ignored: each
now acts as FreeBSD's sbin/ping, sbin/sysctl, sbin/ifconfig, sbin/route,
sbin/kldstat, sbin/kldunload and usr.sbin/jls act on it, or is refused as
not modelled (never accepted and silently dropped)."""

from __future__ import annotations

import pytest

from jailkit.host import Host
from tests.conftest import run


def _statistics(stdout: str) -> str:
    return stdout.split("ping statistics ---\n", 1)[1].splitlines()[0]


def test_ping_o_stops_at_the_first_reply(host: Host) -> None:
    status, out, err = run(host, "ping -c 3 -o 127.0.0.1")
    assert (status, err) == (0, "")
    assert out.count("bytes from 127.0.0.1") == 1
    assert _statistics(out) == "1 packets transmitted, 1 packets received, 0.0% packet loss"
    assert _statistics(run(host, "ping -6 -o -c 3 ::1")[1]).startswith("1 packets transmitted")


def test_ping_o_keeps_sending_while_nothing_answers(host: Host) -> None:
    # 192.0.2.9 is nobody's: -o only ends the run once a reply came
    status, out, _ = run(host, "ping -o -c 2 -t 5 192.0.2.9")
    assert status == 2
    assert _statistics(out).startswith("2 packets transmitted, 0 packets received")


def test_ping_W_counts_late_replies_without_printing_them(host: Host) -> None:
    status, out, _ = run(host, "ping -c 2 -W 0 127.0.0.1")
    assert status == 0
    assert "bytes from" not in out
    assert _statistics(out) == ("2 packets transmitted, 2 packets received, 0.0% packet loss, "
                                "2 packets out of wait time")
    # -q returns before the -W check in pr_pack(): nothing counts as late
    assert "wait time" not in run(host, "ping -q -c 1 -W 0 127.0.0.1")[1]
    assert run(host, "ping -W soon 127.0.0.1") == (64, "", "ping: invalid timing interval: `soon'\n")


def test_ping_p_echoes_the_pattern_and_wants_hex(host: Host) -> None:
    status, out, _ = run(host, "ping -c 1 -p ab1 127.0.0.1")
    assert status == 0
    assert out.startswith("PATTERN: 0xab01\nPING 127.0.0.1 (127.0.0.1): 56 data bytes\n")
    assert not run(host, "ping -q -c 1 -p ff 127.0.0.1")[1].startswith("PATTERN")
    assert run(host, "ping -c 1 -p xyz 127.0.0.1") == (
        64, "", "ping: patterns must be specified as hex digits\n")


@pytest.mark.parametrize("option", ["-f", "-m 3", "-z 16", "-R", "-r", "-v", "-a", "-A", "-l 2",
                                    "-G 64", "-M m", "-T 2", "-D"])
def test_ping_refuses_what_the_sim_does_not_model(host: Host, option: str) -> None:
    letter = option[1]
    assert run(host, f"ping -c 1 {option} 127.0.0.1") == (
        64, "", f"ping: option -{letter} is not modelled by the jailkit sim\n")


def test_sysctl_N_prints_names_only(host: Host) -> None:
    assert run(host, "sysctl -N net.inet.ip") == (0, "net.inet.ip.forwarding\nnet.inet.ip.ttl\n", "")
    assert run(host, "sysctl -Na")[1].splitlines()[:2] == ["hw.machine", "hw.ncpu"]
    # sysctl.c main(): -N and -n together are a usage error
    status, out, err = run(host, "sysctl -Nn kern.ostype")
    assert (status, out) == (1, "") and err.startswith("usage: sysctl")


def test_sysctl_e_joins_name_and_value_with_an_equals_sign(host: Host) -> None:
    assert run(host, "sysctl -e net.inet.ip.forwarding kern.ostype") == (
        0, "net.inet.ip.forwarding=0\nkern.ostype=FreeBSD\n", "")
    assert run(host, "sysctl -en kern.ostype") == (0, "FreeBSD\n", "")
    # sysctl.8: -e is ignored when a variable is being set
    assert run(host, "sysctl -e net.inet.ip.forwarding=1") == (0, "net.inet.ip.forwarding: 0 -> 1\n", "")


def test_sysctl_A_is_o_and_a_and_a_gives_way_to_names(host: Host) -> None:
    assert run(host, "sysctl -A kern.ostype") == (0, "kern.ostype: FreeBSD\n", "")
    assert run(host, "sysctl -A")[1] == run(host, "sysctl -a")[1]


@pytest.mark.parametrize("option", ["-d", "-t", "-T", "-W", "-b", "-x", "-h", "-f /etc/sysctl.conf"])
def test_sysctl_refuses_what_the_sim_mib_does_not_keep(host: Host, option: str) -> None:
    assert run(host, f"sysctl {option} net.inet.ip.forwarding") == (
        1, "", f"sysctl: option -{option[1]} is not modelled by the jailkit sim\n")
    assert run(host, "sysctl -N net.inet.ip.forwarding=1") == (
        1, "", "sysctl: option -N is not modelled by the jailkit sim\n")
    assert run(host, "sysctl -n net.inet.ip.forwarding") == (0, "0\n", "")


def test_ifconfig_C_lists_the_cloners_on_one_line(host: Host) -> None:
    assert run(host, "ifconfig -C") == (0, "vlan gif tap lo\n", "")
    # a module's cloner joins at the head of the list when it loads
    host.run("ifconfig epair create && ifconfig bridge create && kldload if_lagg").check()
    assert run(host, "ifconfig -C") == (0, "lagg bridge epair vlan gif tap lo\n", "")


@pytest.mark.parametrize("command", ["ifconfig -m lo0", "ifconfig -v", "ifconfig -a -v"])
def test_ifconfig_refuses_media_lists_and_verbose_status(host: Host, command: str) -> None:
    letter = command.split()[-1][1] if command.endswith("-v") else "m"
    assert run(host, command) == (1, "", f"ifconfig: option -{letter} is not modelled by the jailkit sim\n")


def test_kldunload_v_says_which_file_goes_and_n_does_nothing(host: Host) -> None:
    host.run("kldload if_bridge").check()
    assert run(host, "kldunload -v -n if_bridge") == (0, "Unloading if_bridge.ko, id=2\n", "")
    assert "if_bridge" not in run(host, "kldstat")[1]


def test_kldunload_i_takes_file_ids(host: Host) -> None:
    host.run("kldload if_bridge if_epair").check()
    assert run(host, "kldunload -v -i 4") == (0, "Unloading if_epair.ko, id=4\n", "")
    assert "if_epair" not in run(host, "kldstat")[1]
    # -v's kldstat(2) of an id no file has fails before any unload
    assert run(host, "kldunload -v -i 9") == (1, "", "kldunload: can't stat file: No such file or directory\n")
    assert run(host, "kldunload -i 9") == (1, "", "kldunload: can't unload file: No such file or directory\n")


def test_kldunload_usage_exits_ex_usage(host: Host) -> None:
    usage = "usage: kldunload [-fv] -i id ...\n       kldunload [-fv] [-n] name ...\n"
    assert run(host, "kldunload") == (64, "", usage)
    assert run(host, "kldunload -x pf") == (64, "", "kldunload: illegal option -- x\n" + usage)


def test_kldunload_stops_at_the_first_failure(host: Host) -> None:
    host.run("kldload if_epair").check()
    assert run(host, "kldunload nosuch if_epair") == (1, "", "kldunload: can't find file nosuch\n")
    assert "if_epair.ko" in run(host, "kldstat")[1]


@pytest.mark.parametrize("command", ["kldstat -v", "kldstat -v -n kernel", "kldunload -f if_bridge"])
def test_kld_tools_refuse_module_lists_and_forced_unloads(host: Host, command: str) -> None:
    program, option = command.split()[:2]
    assert run(host, command) == (1, "", f"{program}: option {option} is not modelled by the jailkit sim\n")


def _two_jails(host: Host) -> None:
    host.run("jail -c name=j1 host.hostname='my host' persist ip4.addr=192.0.2.5 path=/").check()
    host.run("jail -c name=v vnet persist path=/").check()


def test_jls_h_prints_the_parameter_names_first(host: Host) -> None:
    _two_jails(host)
    assert run(host, "jls -h name jid") == (0, "name jid\nj1 1\nv 2\n", "")
    assert run(host, "jls -h -n name name") == (0, "name\nname=j1\nname=v\n", "")


def test_jls_q_quotes_values_with_blanks_and_empty_lists(host: Host) -> None:
    _two_jails(host)
    assert run(host, "jls -q name host.hostname") == (0, 'j1 "my host"\nv desktop.lan\n', "")
    assert run(host, "jls name host.hostname") == (0, "j1 my host\nv desktop.lan\n", "")
    # special_print(): an empty address list is "-", "" under -q, nothing after "name="
    assert run(host, "jls ip4.addr")[1] == "192.0.2.5\n-\n"
    assert run(host, "jls -q ip4.addr")[1] == '192.0.2.5\n""\n'
    assert run(host, "jls -n -j v ip4.addr persist")[1] == "ip4.addr= persist\n"
    assert 'host.hostname="my host"' in run(host, "jls -nq -j j1")[1]


def test_jls_later_print_options_override_earlier_ones(host: Host) -> None:
    _two_jails(host)
    # -v after -n clears -n (jls.c main()): the verbose listing
    assert run(host, "jls -n -v")[1].startswith("   JID  Hostname                      Path\n")
    assert run(host, "jls -v -n")[1].startswith("jid=1 name=j1 ")


@pytest.mark.parametrize("command, letter", [("jls -s", "s"), ("jls -h", "h"), ("jls -v -h", "h"),
                                             ("jls -s name", "s")])
def test_jls_refuses_listings_of_every_parameter(host: Host, command: str, letter: str) -> None:
    assert run(host, command) == (1, "", f"jls: option -{letter} is not modelled by the jailkit sim\n")


@pytest.mark.parametrize("command", ["route -6 get default", "route -d add default 10.0.2.1",
                                     "route -t delete default", "route -v get default"])
def test_route_refuses_ipv6_and_the_test_and_verbose_modes(host: Host, command: str) -> None:
    before = run(host, "route -n get default")
    assert before[0] == 0
    assert run(host, command) == (1, "", f"route: option {command.split()[1]} is not modelled by the jailkit sim\n")
    assert run(host, "route -n get default") == before


def test_route_4_is_the_ipv4_table_the_sim_has(host: Host) -> None:
    assert run(host, "route -4 -n get default") == run(host, "route -n get default")


def test_review_fixes_sysctl_n_shows_the_old_and_the_new_value_bare(host: Host) -> None:
    # sysctl.c parse(): show_var() of the old value, " -> ", the new one
    assert run(host, "sysctl -n net.inet.ip.forwarding=1")[1] == "0 -> 1\n"
