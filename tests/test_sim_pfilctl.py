"""pfilctl(8) on the sim (sbin/pfilctl, sys/net/pfil.c): the heads and the
hooks linked on them, the registered hooks, and link/unlink with the
kernel's errors; an IPv4 hook taken off the inet head stops filtering."""

from __future__ import annotations

from tests.conftest import run

HEADER = " Intercept point     Type Dir             Hook\n"


def test_usage_and_command_prefixes(host):
    assert run(host, "pfilctl") == (0, "", "usage: pfilctl (heads|hooks|link|unlink)\n")
    assert run(host, "pfilctl h") == (1, "", "pfilctl: ambiguous command: h\n")
    assert run(host, "pfilctl x") == (1, "", "pfilctl: unknown command: x\n")
    assert run(host, "pfilctl li -i") == (0, "", "usage: pfilctl (heads|hooks|link|unlink)\n")
    assert run(host, "pfilctl link ipfw:default inet")[0] == 0    # no -i/-o: help


def test_heads_of_a_vnet_without_firewalls(host):
    assert run(host, "pfilctl heads") == (0, HEADER + (
        "     inet6-local     IPv6\n           inet6     IPv6\n      inet-local     IPv4\n"
        "            inet     IPv4\n        ethernet Ethernet\n"), "")
    assert run(host, "pfilctl hooks") == (0, "            Hook                      Type\n", "")


def test_a_firewalls_hooks_are_listed_on_its_heads(host):
    host.run("kldload ipfw").check()
    out = run(host, "pfilctl heads")[1]
    assert ("            inet     IPv4\n"
            "                           In             ipfw:default\n"
            "                          Out             ipfw:default\n") in out
    assert "            ipfw:default              IPv4\n" in run(host, "pfilctl hooks")[1]


def test_link_and_unlink_errors(host):
    host.run("kldload ipfw").check()
    assert run(host, "pfilctl link -o ipfw:default inet") == (
        1, "", "pfilctl: ioctl(PFILIOC_LINK): File exists\n")
    assert run(host, "pfilctl link -o ipfw:default inet6") == (
        1, "", "pfilctl: ioctl(PFILIOC_LINK): Invalid argument\n")     # an IPv4 hook
    assert run(host, "pfilctl link -o nosuch:hook inet") == (
        1, "", "pfilctl: ioctl(PFILIOC_LINK): No such file or directory\n")
    assert run(host, "pfilctl link -o ipfw:default nohead")[0] == 1
    assert run(host, "pfilctl unlink -o ipfw:default inet-local") == (
        1, "", "pfilctl: ioctl(PFILIOC_LINK): No such file or directory\n")


def test_a_link_on_another_head_is_listed_and_unlinked(host):
    host.run("kldload ipfw").check()
    assert run(host, "pfilctl link -o ipfw:default inet-local") == (0, "", "")
    assert ("      inet-local     IPv4\n                          Out             ipfw:default\n"
            in run(host, "pfilctl heads")[1])
    assert run(host, "pfilctl unlink -o ipfw:default inet-local") == (0, "", "")
    assert "      inet-local     IPv4\n            inet" in run(host, "pfilctl heads")[1]


def test_unlinking_a_hook_from_inet_stops_its_filtering_there(host):
    host.run("kldload ipfw").check()          # its default rule denies
    assert run(host, "ping -c 1 127.0.0.1")[0] == 2
    host.run("pfilctl unlink -i -o ipfw:default inet").check()
    assert "ipfw:default\n" not in run(host, "pfilctl heads")[1].split("inet     IPv4")[1]
    assert run(host, "ping -c 1 127.0.0.1")[0] == 0
    host.run("pfilctl link -i -o ipfw:default inet").check()
    assert run(host, "ping -c 1 127.0.0.1")[0] == 2

