"""ls(1) on the sim as bin/ls/ls.c's main() and traverse() print: files
first, then each directory, its path after a blank line once something is
printed; -R goes down the tree depth first, past no link; root lists
hidden names unless -I; options the sim does not model are refused, not
ignored."""

from __future__ import annotations

import pytest

from tests.conftest import run

TREE = ("mkdir -p /t/a/b /t/a/.h/x /t/c && touch /t/a/f /t/a/.hf /t/a/b/g /t/top "
        "&& ln -s /t/c /t/a/l && ln -s /nowhere /t/dang")


@pytest.fixture
def tree(host):
    host.run(TREE).check()
    return host


def test_minus_r_lists_each_subdirectory_after_its_parent_depth_first_hidden_ones_too_for_root(tree):
    assert run(tree, "ls -R /t") == (0, (
        "a\nc\ndang\ntop\n\n/t/a:\n.h\n.hf\nb\nf\nl\n\n/t/a/.h:\nx\n\n/t/a/.h/x:\n\n"
        "/t/a/b:\ng\n\n/t/c:\n"), "")


def test_minus_i_hides_dot_names_but_minus_r_still_goes_through_a_hidden_directory(tree):
    # traverse(): a hidden directory is not listed, but fts goes on into it
    assert run(tree, "ls -IR /t/a") == (0, "b\nf\nl\n\n/t/a/.h/x:\n\n/t/a/b:\ng\n", "")
    assert run(tree, "ls -I /root") == (0, "", "")
    assert run(tree, "ls /root")[1] == ".profile\n"


def test_minus_r_with_several_operands_names_each_directory_files_first(tree):
    assert run(tree, "ls -R /t/a/b /t/top /t/c") == (0, "/t/top\n\n/t/a/b:\ng\n\n/t/c:\n", "")


def test_minus_a_adds_dot_and_dot_dot_which_minus_r_does_not_go_into(tree):
    assert run(tree, "ls -aR /t/a/.h") == (0, ".\n..\nx\n\n/t/a/.h/x:\n.\n..\n", "")


def test_the_last_of_minus_1_and_minus_l_wins_and_minus_g_does_nothing(tree):
    assert run(tree, "ls -l1 /t/a/b") == (0, "g\n", "")
    assert run(tree, "ls -1l /t/a/b") == (
        0, "total 0\n-rw-r--r--  1 root  wheel  0 Nov 22 18:00 g\n", "")
    assert run(tree, "ls -g /t/a/b") == run(tree, "ls /t/a/b")


def test_a_link_to_nothing_is_listed_and_errors_come_in_name_order(tree):
    assert run(tree, "ls /t/dang /nope2 /nope1") == (1, "/t/dang\n", (
        "ls: /nope1: No such file or directory\nls: /nope2: No such file or directory\n"))
    assert run(tree, "ls -d /t/dang") == (0, "/t/dang\n", "")


def test_an_empty_operand_is_fts_opens_error_and_nothing_is_listed(tree):
    assert run(tree, "ls '' /t") == (1, "", "ls: fts_open: No such file or directory\n")


def test_one_trailing_slash_is_taken_off_a_path_before_a_name(tree):
    assert run(tree, "ls -R /t/a/b/") == (0, "g\n", "")
    assert run(tree, "ls -IR /t/a//")[1] == "b\nf\nl\n\n/t/a//.h/x:\n\n/t/a//b:\ng\n"


def test_minus_r_goes_through_a_mount_point(tree):
    tree.run("mkdir -p /m && mount -t nullfs /t/a/b /m").check()
    assert run(tree, "ls -R /m") == (0, "g\n", "")
    tree.run("mkdir /t/c/in && mount -t nullfs /t/a/b /t/c/in").check()
    assert run(tree, "ls -R /t/c") == (0, "in\n\n/t/c/in:\ng\n", "")


def test_a_directory_that_is_its_own_ancestor_is_named_and_not_gone_into(tree):
    """The sim's nullfs shows the mounts inside its source tree (FreeBSD's
    shows what is underneath them), so these two mounts make a loop: ls
    names it as fts's FTS_DC does and ends."""
    tree.run("mkdir -p /u/q /m && mount -t nullfs /u /m && mount -t nullfs /m /u/q").check()
    assert run(tree, "ls -R /u") == (0, "q\n", "ls: q: directory causes a cycle\n")


def test_nullfs_will_not_mount_a_directory_below_itself(tree):
    assert run(tree, "mkdir /t/a/b/up && mount -t nullfs /t/a /t/a/b/up") == (
        1, "", "mount_nullfs: /t/a/b/up: Resource deadlock avoided\n")


@pytest.mark.parametrize("option", list("BCFGHLPSTUWZbcfhikmnpqrstuvwxy"))
def test_an_option_the_sim_does_not_model_is_refused(tree, option):
    assert run(tree, f"ls -{option} /t") == (
        1, "", f"ls: option -{option} is not modelled by the jailkit sim\n")
