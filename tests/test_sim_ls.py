"""ls(1) on the sim as bin/ls traverse() prints: files first, then each
directory, its path after a blank line once something is printed; -R goes
down the tree depth first, past no link and into no hidden directory
without -a or -A; options the sim does not model are refused, not
ignored."""

from __future__ import annotations

import pytest

from tests.conftest import run

TREE = "mkdir -p /t/a/b /t/a/.h/x /t/c && touch /t/a/f /t/a/b/g /t/top && ln -s /t/c /t/a/l"


@pytest.fixture
def tree(host):
    host.run(TREE).check()
    return host


def test_minus_r_lists_each_subdirectory_after_its_parent_depth_first(tree):
    assert run(tree, "ls -R /t") == (0, "a\nc\ntop\n\n/t/a:\nb\nf\nl\n\n/t/a/b:\ng\n\n/t/c:\n", "")


def test_minus_r_with_several_operands_names_each_directory_files_first(tree):
    assert run(tree, "ls -R /t/a/b /t/top /t/c") == (0, "/t/top\n\n/t/a/b:\ng\n\n/t/c:\n", "")


def test_minus_a_shows_dot_entries_and_goes_down_hidden_directories_not_dot_ones(tree):
    assert run(tree, "ls -aR /t/a/.h") == (0, ".\n..\nx\n\n/t/a/.h/x:\n.\n..\n", "")
    assert run(tree, "ls -AR /t/a")[1] == (
        ".h\nb\nf\nl\n\n/t/a/.h:\nx\n\n/t/a/.h/x:\n\n/t/a/b:\ng\n")


def test_minus_r_goes_through_a_mount_point(tree):
    tree.run("mkdir -p /m && mount -t nullfs /t/a/b /m").check()
    assert run(tree, "ls -R /m") == (0, "g\n", "")
    tree.run("mkdir /t/c/in && mount -t nullfs /t/a/b /t/c/in").check()
    assert run(tree, "ls -R /t/c") == (0, "in\n\n/t/c/in:\ng\n", "")


def test_nullfs_will_not_mount_a_directory_below_itself_so_no_tree_has_a_cycle(tree):
    assert run(tree, "mkdir /t/a/b/up && mount -t nullfs /t/a /t/a/b/up") == (
        1, "", "mount_nullfs: /t/a/b/up: Resource deadlock avoided\n")


@pytest.mark.parametrize("option", list("BCFGHILPSTUWZbcfghikmnpqrstuvwxy"))
def test_an_option_the_sim_does_not_model_is_refused(tree, option):
    assert run(tree, f"ls -{option} /t") == (
        1, "", f"ls: option -{option} is not modelled by the jailkit sim\n")
