"""The matcher: what it accepts, what it refuses, and what it says then."""

from __future__ import annotations

import random

import pytest

from jailkit.expect import ExpectError, kind_of, line_matches, match, match_ifconfig, match_text
from tests.conftest import data

PING = data("ping_12_ok.txt")
BRIDGE = data("ifconfig_14_bridge.txt")


def test_wildcard_stands_for_one_value():
    assert line_matches("64 bytes from 127.0.0.1: icmp_seq=0 ttl=64 time=<...> ms",
                        "64 bytes from 127.0.0.1: icmp_seq=0 ttl=64 time=0.022 ms")
    assert not line_matches("ttl=<...> time=1 ms", "ttl=64 time=2 ms")
    assert not line_matches("ether <...>", "ether")  # a wildcard needs a value


def test_runs_of_blanks_compare_equal_but_words_do_not():
    assert line_matches("member:   epair1a    flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>",
                        "\tmember: epair1a flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>")
    assert not line_matches("holdcut 5", "holdcnt 6")


def test_regex_characters_in_expected_text_are_literal():
    assert not line_matches("flags=143<LEARNING.DISCOVER>", "flags=143<LEARNINGxDISCOVER>")
    assert line_matches("round-trip min/avg/max/stddev = <...> ms",
                        "round-trip min/avg/max/stddev = 0.022/0.033/0.041/0.008 ms")


def test_text_lines_must_come_in_order_with_gaps_allowed():
    assert match_text("PING 127.0.0.1 (127.0.0.1): 56 data bytes\n"
                      "3 packets transmitted, 3 packets received, 0.0% packet loss\n", PING) is None
    wrong_order = match_text("3 packets transmitted, 3 packets received, 0.0% packet loss\n"
                             "PING 127.0.0.1 (127.0.0.1): 56 data bytes\n", PING)
    assert wrong_order is not None and "in this order" in str(wrong_order)


def test_text_mismatch_report_names_the_line_and_its_closest_neighbour():
    mismatch = match_text("2 packets transmitted, 2 packets received, 0.0% packet loss", PING)
    report = str(mismatch)
    assert "✗ 2 packets transmitted, 2 packets received, 0.0% packet loss" in report
    assert "the closest line printed was" in report
    assert "3 packets transmitted, 3 packets received, 0.0% packet loss" in report
    assert "  | --- 127.0.0.1 ping statistics ---" in report


def test_unordered_lines_for_qjail_list():
    listing = "STATUS JID\n------ ----\nDRV 0  1    fxp0 10.0.10.10 v10\n"
    assert match("DRV 0 <...> fxp0 10.0.10.10 v10\nSTATUS JID\n", listing, kind="qjail-list") is None
    assert match("DSV 0 N/A fxp0 10.0.10.10 v10\n", listing, kind="qjail-list") is not None


def test_ifconfig_interfaces_in_any_order_and_lines_in_any_order():
    expected = """\
e0a_jail01: flags=1008943<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
        groups: epair
        ether <...>
bridge0: flags=1008943<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
        member: vtnet0 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>
                ifmaxaddr 0 port 1 priority 128 path cost 2000
        groups: bridge
"""
    assert match_ifconfig(expected, BRIDGE) is None


def test_ifconfig_member_detail_belongs_to_its_member():
    # port 14 is e0a_jail04's, not vtnet0's: the pair must match together.
    expected = """\
bridge0: flags=<...> metric 0 mtu 1500
        member: vtnet0 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>
                ifmaxaddr 0 port 14 priority 128 path cost 2000
"""
    mismatch = match_ifconfig(expected, BRIDGE)
    assert mismatch is not None
    assert "closest printed: member: vtnet0" in str(mismatch)


def test_ifconfig_missing_interface_is_named_with_what_is_there():
    mismatch = match_ifconfig("epair1a: flags=<...> metric 0 mtu 1500\n", BRIDGE)
    assert "Interface epair1a is not there; FreeBSD listed: vtnet0, lo0, bridge0, e0a_jail01." in str(mismatch)


def test_the_howtos_own_epair1b_block_does_not_pass_on_freebsd_14():
    # As printed in qjail-vnet-howto(8) step 9 (11.0, with its misprints).
    howto = """\
epair1b: flags=8843<UP.BTOADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0
ether 02:C1:00:00:05:0B
staatus: active
"""
    actual = """\
epair1b: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
\tether 02:c1:00:00:05:0b
\tstatus: active
"""
    report = str(match_ifconfig(howto, actual))
    for line in ("✗ epair1b: flags=8843<UP.BTOADCAST", "✗ ether 02:C1:00:00:05:0B", "✗ staatus: active"):
        assert line in report
    assert "closest printed: status: active" in report


def test_kind_follows_the_command():
    assert kind_of("ifconfig -a") == "ifconfig"
    assert kind_of("jexec v10 ifconfig epair1b") == "ifconfig"
    assert kind_of("qjail list") == "qjail-list"
    assert kind_of("ping -c 2 10.0.10.1") == "text"


@pytest.mark.parametrize("expected", ["", "\n", "   \n\t\n", "<...>", "  <...>  \n<...> <...>\n"])
@pytest.mark.parametrize("kind", ["text", "ifconfig", "qjail-list"])
def test_an_expected_block_with_nothing_to_look_for_is_refused(expected, kind):
    # It would pass any output: a check that cannot fail is a mistake in the feature.
    with pytest.raises(ExpectError, match="would pass"):
        match(expected, PING, kind=kind)


def test_the_refusal_says_what_to_write():
    with pytest.raises(ExpectError, match="the expected output is empty: .* write the lines the howto shows"):
        match_text("  \n", "")
    with pytest.raises(ExpectError, match=r"shows nothing but <\.\.\.>"):
        match_ifconfig("<...>\n", BRIDGE)


def test_a_wildcard_beside_text_is_still_a_check():
    assert match("<...> ms\n", PING) is None
    assert match("<...> seconds\n", PING) is not None


WORDS = " ".join(f"word{i}" for i in range(60))


def test_many_wildcards_against_a_long_line():
    # Eight wildcards on a 60-word line: a backtracking matcher tries the
    # ways of placing them (billions) before it can say no.
    expected = " ".join(["<...>"] * 8) + " nothere"
    assert not line_matches(expected, WORDS)
    assert line_matches(" ".join(["<...>"] * 8) + " word59", WORDS)
    assert line_matches("word0 <...> word7 <...> word30 <...> <...> word59", WORDS)
    assert not line_matches("word0 <...> word30 <...> word7 <...> word59", WORDS)


def test_many_wildcards_against_a_very_long_line():
    # Far beyond what backtracking could finish; the answer comes at once.
    line = " ".join(f"w{i}" for i in range(20000))
    assert not line_matches(" ".join(["<...>"] * 300) + " absent", line)
    assert line_matches("<...> w1000 <...> w19999", line)


def _reference(pieces: list[str], actual: str) -> bool:
    """The wildcard rule by its definition: try every length for the first
    wildcard. Exponential; fine for a few characters."""
    if len(pieces) == 1:
        return actual == pieces[0]
    head, *rest = pieces
    if not actual.startswith(head):
        return False
    tail = actual[len(head):]
    return any(_reference(rest, tail[size:]) for size in range(1, len(tail) + 1))


def test_the_linear_matcher_agrees_with_the_definition():
    chooser = random.Random(7)
    for _ in range(4000):
        expected = "".join(chooser.choice(["a", "b", " ", "<...>", "ab"])
                           for _ in range(chooser.randint(0, 6)))
        actual = "".join(chooser.choice("ab ") for _ in range(chooser.randint(0, 9)))
        normal_expected, normal_actual = " ".join(expected.split()), " ".join(actual.split())
        assert line_matches(expected, actual) == _reference(normal_expected.split("<...>"), normal_actual), \
            (expected, actual)
