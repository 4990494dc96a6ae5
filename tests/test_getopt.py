"""jailkit.getopt: BSD getopt(3) and the views commands take of its options."""

from __future__ import annotations

from jailkit.getopt import getopt, option_arguments, option_flags, option_values


def test_flags_name_every_option_given():
    opts, operands = getopt(["-n", "-j", "v10", "-q", "name"], "j:nq")
    assert option_flags(opts) == {"n", "j", "q"}
    assert operands == ["name"]


def test_values_hold_only_options_with_an_argument_and_the_last_one_counts():
    opts, _ = getopt(["-f", "/etc/a", "-x", "-f/etc/b"], "f:x")
    assert option_values(opts) == {"f": "/etc/b"}


def test_arguments_of_a_repeated_option_keep_their_order():
    opts, _ = getopt(["-e", "b", "-i", "-ea", "-f", "x"], "e:f:i")
    assert option_arguments(opts, "e") == ["b", "a"]
    assert option_arguments(opts, "i") == []
