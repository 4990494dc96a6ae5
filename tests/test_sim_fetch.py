"""fetch(1) on the sim for http:// URLs: the body, the file it writes, the
transfer report, and libfetch's error texts; from the lab's machines, the
host and a jail alike."""

from __future__ import annotations

import pytest

import jailkit
from tests.conftest import run

OUTSIDE = "device.example.org"
PAGE = "<html><body>FreeBSD</body></html>\n"


@pytest.fixture
def box():
    return jailkit.connect("sim://?lab=qjail-howto")


def on(box, command: str, machine: str = OUTSIDE) -> tuple[int, str, str]:
    result = box.run_on(machine, command)
    return result.exit_status, result.stdout, result.stderr


def test_quiet_to_standard_output(box):
    assert on(box, "fetch -qo - http://www.freebsd.org/") == (0, PAGE, "")
    assert on(box, "fetch -qo - http://198.51.100.80:80/index.html") == (0, PAGE, "")


def test_the_transfer_report_and_the_file(box):
    status, out, err = on(box, "cd /tmp && fetch http://www.freebsd.org/ && cat fetch.out")
    assert (status, out) == (0, PAGE)
    assert err == "fetch.out" + " " * 37 + "        " + "  34  B ?? Bps\n"
    assert on(box, "fetch -q -o /tmp/page http://www.freebsd.org/ && cat /tmp/page") == (
        0, PAGE, "")


@pytest.mark.parametrize("url, error", [
    ("http://203.0.113.20:6188/", "Connection refused"),      # the qjail host, no forward yet
    ("http://nowhere.example/", "No address record"),
    ("http://203.0.113.20:22/", "Protocol error"),            # sshd's banner is not HTTP
    ("http://www.freebsd.org:0/", None),
])
def test_failures_are_libfetchs(box, url, error):
    status, out, err = on(box, f"fetch -qo - {url}")
    assert (status, out) == (1, "")
    if error is not None:
        assert err == f"fetch: {url}: {error}\n"
    else:
        assert err.startswith(f"fetch: {url}: ")


def test_other_schemes_are_not_modelled(box):
    assert on(box, "fetch -qo - https://www.freebsd.org/") == (
        1, "", "fetch: part of FreeBSD, but not modelled by the jailkit sim for https:// URLs "
               "(only http://); run this step on a real FreeBSD host (--host ssh://... or "
               "vagrant://)\n")


def test_a_connection_never_answered_times_out(box):
    box.run("kldload ipfw").check()          # the default rule drops the SYN
    assert on(box, "fetch -T 5 -qo - http://203.0.113.20:22/") == (
        1, "", "fetch: http://203.0.113.20:22/: Operation timed out\n")
    # without -T: TCP gives up after net.inet.tcp.keepinit (75 s)
    before = box.machine.kernel.clock
    assert on(box, "fetch -qo - http://203.0.113.20:22/")[2].endswith(": Operation timed out\n")
    assert 75 <= box.machine.kernel.clock - before < 76


def test_usage_and_options(box):
    status, _, err = run(box, "fetch")
    assert status == 1 and err.startswith("usage: fetch [-146AadFlMmnPpqRrsUv]")
    assert run(box, "fetch -z http://x/")[2].startswith("fetch: illegal option -- z\nusage: ")
    assert run(box, "fetch -T x http://x/") == (1, "", "fetch: invalid timeout (x)\n")
    assert run(box, "fetch -r http://x/") == (
        1, "", "fetch: option -r is not modelled by the jailkit sim\n")


def test_fetch_from_the_host_and_a_jail(jail):
    page = "<html><body>FreeBSD: the jailkit lab's web server</body></html>\n"   # qjail-vnet's
    assert run(jail, "fetch -qo - http://www.freebsd.org/") == (0, page, "")
    jail.run("jexec v10 route add default 10.0.10.1").check()
    assert run(jail, "jexec v10 fetch -qo - http://www.freebsd.org/") == (0, page, "")
