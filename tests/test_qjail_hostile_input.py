"""Hostile and malformed input to every qjail verb and option: each is
refused with a non-zero exit and a message naming the problem, the host is
left exactly as it was, and nothing smuggled into a value ever runs.

The corpus runs on sim:// (a qjail set-up with a running vnet jail and a
stopped classic one, so refusals have something to harm) and through
ssh:// to a real OpenSSH sshd whose remote shell is a real /bin/sh, where
every command qjail sends meets real shell parsing."""

from __future__ import annotations

import os
import uuid

import pytest

import jailkit
from jailkit.host import Host
from jailkit.qjail import Qjail
from tests.sshd import start_sshd

# Where a smuggled command would leave its trace. A fresh name per run, on
# the sim and on this machine alike (the ssh box is this machine).
MARKER = f"/tmp/pw{uuid.uuid4().hex[:8]}"
TOUCH = f"touch {MARKER}"

# Payloads that run TOUCH if any shell, jail.conf or sourced record ever
# reads them as syntax.
SMUGGLED = [
    f"v;{TOUCH}", f"v$({TOUCH})", f"v`{TOUCH}`", f'v"; {TOUCH}; "', f"v'; {TOUCH}; '",
    f"v\n{TOUCH}", f"v&&{TOUCH}", f"v|{TOUCH}", f"v>{MARKER}",
    f'v33 {{ exec.prestart = "{TOUCH}"; }} v33',
]
# Names that are not jail names, and why qjail says so.
BAD_NAMES = [(name, "Only underscore, dash and alphanumeric") for name in SMUGGLED + [
    "v 10", "..", ".", "../qjail.local/v20", "../../etc/passwd", "/etc", "v10/..", "",
    "jäil", "v10\n", "\tv10", "v10|10.0.10.9", "*", "{", "v10.sub", "ｖ10",
]] + [
    ("-rf", "may not begin with a dash"),
    ("--", "may not begin with a dash"),
    ("x" * 300, "exceeds the 50 character maximum"),
    ("1234", "Numeric jail names are invalid"),
]
BAD_IPV4 = [f"10.0.10.10;{TOUCH}", f"$({TOUCH})", "10.0.10.300", "10.0.10", "10.0.10.10/24",
            "10.0.10.10\n", " 10.0.10.10", "010.0.10.10", "0x0a000001", "::1", "ten",
            "10.0.10.10,", "١٠.0.10.10"]
BAD_IPV6 = ['fe80::1%x"\nname="v33 {\nexec.prestart = "' + TOUCH + '"; } v33',
            f"fe80::1%$({TOUCH})", f"fe80::1%`{TOUCH}`", "fe80::1%em0;x", "fe80::1%",
            "fe80:::1", "gggg::1", "10.0.10.10", f"fe80::1;{TOUCH}", "fe80::1%0em"]
BAD_NICS = [f"fxp0;{TOUCH}", f"$({TOUCH})", "0fxp", "a" * 16, "fxp0\n", "fx p0", "-rf", "",
            "../fxp0", "fxp0|bridge10", "fxpé"]
BAD_FIREWALLS = ["pfsense", "PF", f"pf;{TOUCH}", "", "ipfw\n", "ipfilter", "-v"]
BAD_RULESETS = ["abc", f"50;{TOUCH}", "0", "70000", "５０", "-1", "", "50\n", "5 0", "0x32"]
BAD_BASES = ["--use-compress-program=" + TOUCH, "-oevil", "../base.txz", "base.txz",
             f"http://mirror/$({TOUCH})", "ftp://mirror/a b", "/tmp/../etc/base.txz",
             "/tmp/base\n.txz", "gopher://mirror/base.txz"]
BAD_MIRRORS = [f"mirror;{TOUCH}", "-o", "a..b", "", "x" * 300, "ftp.freebsd.org/pub",
               f"$({TOUCH})", "mirror\n"]


def corpus() -> list[tuple[list[str], str, bool]]:
    """(argv, a fragment the message must hold, whether qjail can refuse it
    from the words alone, before asking the host anything)."""
    cases: list[tuple[list[str], str, bool]] = []
    for name, why in BAD_NAMES:
        cases += [(["create", "-4", "10.0.10.11", "--", name], why, True),
                  (["config", "-v", "none", "--", name], why, True),
                  (["config", "-b", "50", "--", name], why, True),
                  (["start", "--", name], why, True),
                  (["stop", "--", name], why, True),
                  (["restart", "--", name], why, True),
                  (["list", "--", name], why, True),
                  (["console", "--", name], why, True),
                  (["console", "-c", "id", "--", name], why, True),
                  (["delete", "--", name], why, True)]
    cases += [(["create", "-4", ip, "v30"], "is not a valid IP address", True) for ip in BAD_IPV4]
    cases += [(["create", "-6", ip, "v30"], "-6", True) for ip in BAD_IPV6]
    cases += [(["create", "-n", nic, "-4", "10.0.10.11", "v30"],
               "Entered -n interface device name is not valid", True) for nic in BAD_NICS]
    cases += [(["config", "-w", nic, "v20"], "Entered -w interface device name is not valid", True)
              for nic in BAD_NICS]
    cases += [(["config", "-v", fw, "v20"], "The -v value must be none, ipfw, pf or ipf", True)
              for fw in BAD_FIREWALLS]
    cases += [(["config", "-b", rs, "v20"], "is not a devfs ruleset number", True)
              for rs in BAD_RULESETS]
    cases += [(["install", "-f", base], "is neither a URL nor an absolute path", True)
              for base in BAD_BASES]
    cases += [(["install", "-h", mirror], "is not a host name", True) for mirror in BAD_MIRRORS]
    cases += [
        (["create", "-4", "10.0.10.11"], "exactly one jailname", True),
        (["create", "-4", "10.0.10.11", "a", "b"], "exactly one jailname", True),
        (["create", "v30"], "An -4 or -6 IP address is mandatory", True),
        (["create", "-4", "", "v30"], "An -4 or -6 IP address is mandatory", True),
        (["create", "-Z", "v30"], "illegal option -- Z", True),
        (["create", "-4"], "option requires an argument -- 4", True),
        (["create", "-z", "zone", "-4", "10.0.10.11", "v30"], "is not rebuilt by jailkit", True),
        (["config", "-q", "v20"], "is not rebuilt by jailkit", True),
        (["list", "-x"], "illegal option -- x", True),
        (["console"], "exactly one jailname", True),
        (["console", "v10", "v20"], "exactly one jailname", True),
        (["frobnicate"], "unknown command", True),
        ([f"$({TOUCH})"], "unknown command", True),
        (["delete", "-A", "-Z"], "illegal option -- Z", True),
    ]
    # Well-formed, but wrong for this host: only the host can say so.
    cases += [
        (["list", "nosuch"], "This jail name don't exist. nosuch", False),
        (["start", "nosuch"], "This jail name don't exist. nosuch", False),
        (["config", "-b", "61", "v20"], "devfs.rules # 61 does not exist", False),
        (["config", "-w", "em9", "v20"], "Entered -w interface device name is not valid", False),
        (["create", "-n", "em9", "-4", "10.0.10.11", "v30"],
         "Entered -n interface device name is not valid", False),
        (["create", "-4", "10.0.10.11", "v20"], "Jailname already exists. v20", False),
        (["config", "-v", "none", "v10"], "Jail is running", False),
        (["console", "v20"], "Jail is not running", False),
        (["install"], "already been installed", False),
    ]
    return cases


CORPUS = corpus()


def test_the_corpus_is_large_and_covers_every_verb():
    assert len(CORPUS) >= 100
    verbs = {argv[0] for argv, _, _ in CORPUS}
    assert {"install", "create", "config", "start", "stop", "restart", "list", "console",
            "delete"} <= verbs


def state(host: Host) -> str:
    """All that a qjail verb could touch, as the host prints it."""
    return host.run(
        "ifconfig -a; jls; mount -p; devfs rule showsets;"
        " for s in $(devfs rule showsets); do devfs rule -s $s show; done;"
        " ls -laR /usr/local/etc /usr/jails/v10/etc /usr/jails/v20/etc /var/run /var/log /tmp;"
        " cat /usr/local/etc/qjail.local/* /usr/local/etc/qjail.config/* /etc/devfs.rules"
        " /etc/rc.conf /usr/jails/v10/etc/rc.conf /usr/local/etc/qjail.vnetctl").stdout


@pytest.fixture(scope="module")
def set_up() -> Host:
    """qjail installed, vnet jail v10 running, classic jail v20 stopped."""
    host = jailkit.connect("sim://")
    qjail = Qjail(host)
    qjail.install()
    qjail.create("v10", ["10.0.10.10"])
    qjail.config("v10", vnet_nic="fxp0", firewall="none")
    qjail.start("v10")
    qjail.create("v20", ["10.0.10.20"])
    return host


def shown(argv: list[str]) -> str:
    return ascii(id_of(" ".join(argv)))[1:41]


def id_of(text: str) -> str:
    """``text`` with the marker as MARKER: a test's id must be the same in
    every process that collects it (pytest-xdist's workers), the marker is
    each process's own."""
    return text.replace(MARKER, "MARKER")


def refused(host: Host, argv: list[str], why: str, before: str, look, marked) -> None:
    """qjail refuses ``argv`` with a message holding ``why``; what ``look``
    sees of the host is still ``before``, and the marker was never made."""
    outcome = Qjail(host).command(argv)
    assert outcome.exit_status != 0, outcome.output
    assert why in outcome.output
    assert look(host) == before
    assert not marked()


@pytest.mark.parametrize("argv, why, _", CORPUS, ids=[shown(c[0]) for c in CORPUS])
def test_refused_on_the_sim_and_nothing_changes(set_up, argv, why, _):
    refused(set_up, argv, why, state(set_up), state,
            lambda: set_up.run(["test", "-e", MARKER]).succeeded)


@pytest.fixture(scope="module")
def real_sh() -> Host:
    """A real OpenSSH sshd on 127.0.0.1 whose login shell is the real /bin/sh."""
    server = start_sshd()
    host = jailkit.connect(server.url())
    yield host
    host.close()
    server.stop()


WORDS_ONLY = [case for case in CORPUS if case[2]]


def qjail_paths(host: Host) -> str:
    return host.run("ls -d /usr/jails /usr/local/etc/qjail.* /var/run/qjail.* 2>/dev/null").stdout


@pytest.fixture(scope="module")
def real_sh_before(real_sh: Host) -> str:
    """What qjail could leave on the real box, as it was before the first
    refusal: every refusal must leave it so. Taken once (each look is an
    ssh command: taken before each test, it was a third of their cost);
    a test that changed it fails itself, as would every one after it."""
    return qjail_paths(real_sh)


@pytest.mark.parametrize("argv, why, _", WORDS_ONLY, ids=[shown(c[0]) for c in WORDS_ONLY])
def test_refused_through_a_real_shell(real_sh, real_sh_before, argv, why, _):
    refused(real_sh, argv, why, real_sh_before, qjail_paths, lambda: os.path.exists(MARKER))


def test_the_payloads_run_when_a_shell_reads_them(real_sh, set_up):
    """The corpus is worth something only if its payloads would leave the
    marker when read as syntax: they do, on the real sh and on the sim's."""
    for host, exists in ((real_sh, lambda: os.path.exists(MARKER)),
                         (set_up, lambda: set_up.run(["test", "-e", MARKER]).succeeded)):
        for payload in (f"v;{TOUCH}", f"v$({TOUCH})", f"v`{TOUCH}`", f"v\n{TOUCH}"):
            host.run(f"echo {payload} >/dev/null")
            assert exists(), payload
            host.run(["rm", "-f", MARKER]).check()


def test_a_record_tampered_with_on_the_box_is_refused_not_run(set_up):
    """A definition record is sourced by qjail's own shell: one whose values
    are not what qjail writes is reported, and none of it reaches jail(8)."""
    record = "/usr/local/etc/qjail.local/v20"
    original = set_up.run(["cat", record]).check().stdout
    tampered = original.replace('interface=""', f'interface="fxp0;{TOUCH}"')
    assert tampered != original
    set_up.run(f"cat > {record}", stdin=tampered).check()
    try:
        outcome = Qjail(set_up).command(["start", "v20"])
        assert outcome.exit_status == 3
        assert outcome.output == ("Error: The definition record /usr/local/etc/qjail.local/v20 "
                                  f'is damaged: interface="fxp0;{TOUCH}"\n')
        assert set_up.run(["jls", "-j", "v20"]).exit_status != 0
        assert not set_up.run(["test", "-e", MARKER]).succeeded
    finally:
        set_up.run(f"cat > {record}", stdin=original).check()


@pytest.mark.parametrize("value", [f'x"; exec.prestart = "{TOUCH}"; "', "a\nb", f"$({TOUCH})",
                                   "back\\slash", "tab\there", "${path}", "';'"], ids=id_of)
def test_jail_conf_values_read_back_as_one_string(value):
    from jailkit.jailconf import expand, parse, render
    conf = parse(render("j", [("exec.start", value, False)]))
    [param] = conf.params_for("j")
    assert [expand(v, lambda name: "EXPANDED") for v in param.values] == [value]


@pytest.mark.parametrize("value", ['a"b', "a$b", "a`b`", "a\\b", "a\nb", "a\x00b"])
def test_a_record_never_writes_what_sh_would_read_as_syntax(value):
    from jailkit.qjail.record import Record
    with pytest.raises(ValueError, match="would be read back as sh syntax"):
        Record("v1", ip6=value).render()
