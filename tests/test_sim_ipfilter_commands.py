"""ipf, ipnat and ipfstat as the qjail howto uses them, with the formats of
FreeBSD's sources: printfr.c (ipfstat -i/-o), printnat.c and
printactivenat.c (ipnat -l), ipfstat.c (-h, -n, -s, "# empty list"),
ipf.c (-y, -n, -F), lexer.c yyerror() (syntax errors with their line)."""

from __future__ import annotations

import pytest

from tests.conftest import run

HOWTO_IPF = ("pass in quick on fxp0 proto tcp from any to any port = 6188 flags S keep state\n"
             "pass in quick on fxp0 proto tcp from any to any port = 6122 flags S keep state\n"
             "pass in quick on fxp0 proto tcp from any to port = 22 flags S keep state\n"
             "pass in quick on fxp0 proto tcp from any to port = 80 flags S keep state\n")
HOWTO_IPNAT = ("map fxp0 10.0.0.0/24 -> 0/32\n"
               "rdr fxp0 0/0 port 6122 -> 10.0.0.2 port 22 tcp\n"
               "rdr fxp0 0/0 port 6188 -> 10.0.0.3 port 80 tcp\n")


@pytest.fixture
def ipl(host):
    host.run("kldload ipl && ipf -E").check()
    host.run("mkdir -p /etc && cat > /etc/ipf.rules", stdin=HOWTO_IPF).check()
    host.run("cat > /etc/ipnat.rules", stdin=HOWTO_IPNAT).check()
    return host


def test_ipfstat_prints_flags_keep_state_and_rule_numbers(ipl):
    assert run(ipl, "ipf -FS -Fa -f /etc/ipf.rules") == (0, "", "")
    # printfr(): "flags S" gets the mask FSRPAU; "to port = 22" prints "to any";
    # printportcmp() names a tcp port from /etc/services
    assert run(ipl, "ipfstat -hni") == (0, (
        "0 @1 pass in quick on fxp0 proto tcp from any to any port = 6188 flags S/FSRPAU keep state\n"
        "0 @2 pass in quick on fxp0 proto tcp from any to any port = 6122 flags S/FSRPAU keep state\n"
        "0 @3 pass in quick on fxp0 proto tcp from any to any port = ssh flags S/FSRPAU keep state\n"
        "0 @4 pass in quick on fxp0 proto tcp from any to any port = http flags S/FSRPAU keep state\n"), "")
    assert run(ipl, "ipfstat -hno") == (0, "", "# empty list for ipfilter(out)\n")


def test_ipfstat_prints_log_inet_masks_and_missing_interfaces(ipl):
    rules = ("block in log first level auth.info on fxp0 from 10.0.0.0/8 to any\n"
             "pass out log body quick on rl0 proto udp from 10.0.10.2 to !192.0.2.0/24 port = 53 keep state\n"
             "pass in all head 100\n")
    ipl.run("ipf -Fa -f -", stdin=rules).check()
    assert run(ipl, "ipfstat -io")[1].splitlines() == [
        # rl0 does not exist here: printifname() marks it "(!)"
        "pass out log body quick on rl0(!) inet proto udp from 10.0.10.2/32 to !192.0.2.0/24 port = domain keep state",
        "block in log first level auth.info on fxp0 inet from 10.0.0.0/8 to any",
        "pass in all head 100"]
    assert run(ipl, "ipfstat -vo")[1] == (
        "pass out log body quick on rl0(!) inet proto udp from 10.0.10.2/32 to !192.0.2.0/24 "
        "port = domain keep state # count 0\n")


def test_hits_count_the_packets_each_rule_matched(ipl):
    ipl.run("ipf -Fa -f -", stdin="pass out quick on fxp0 proto icmp from any to any keep state\n"
                                  "pass out on fxp0 all\n").check()
    assert ipl.run("ping -c 1 10.0.10.1").succeeded
    assert ipl.run("ping -c 1 10.0.10.1").succeeded
    # two echo requests matched rule 1 and made two state entries
    assert run(ipl, "ipfstat -hno")[1] == (
        "2 @1 pass out quick on fxp0 proto icmp from any to any keep state\n"
        "0 @2 pass out on fxp0 all\n")
    stats = run(ipl, "ipfstat -s")[1]
    assert stats.startswith("2\tactive state table entries\n")
    assert "\n2\tcheck success\n" in stats          # the two echo replies
    assert "IP states added:\n2\ticmp\n\nState table bucket statistics:\n2\tin use\n" in stats
    assert stats.endswith("TCP Entries per state\n" + "".join(f" {i:5d}" for i in range(11)) + "\n"
                          + "     0" * 11 + "\n")
    assert run(ipl, "ipf -v -FS") == (0, "2 state entries removed\n", "")


def test_ipf_y_syncs_and_n_only_parses(ipl):
    assert run(ipl, "ipf -y") == (0, "filter sync'd\n", "")
    assert run(ipl, "ipf -n -f /etc/ipf.rules") == (0, "", "")
    assert run(ipl, "ipfstat -i") == (0, "", "# empty list for ipfilter(in)\n")
    # -nv shows the rules as parsed; userland has no interface pointers: "(!)"
    out = run(ipl, "ipf -nv -f /etc/ipf.rules")[1].splitlines()
    assert out[0] == "pass in quick on fxp0(!) proto tcp from any to any port = 6188 flags S/FSRPAU keep state"
    # flushfilter(): with -n, opendevice() returns -2 and ipf exits 1, silently
    assert run(ipl, "ipf -n -Fa") == (1, "", "")


def test_a_syntax_error_names_the_word_and_line_and_keeps_the_rules_before(ipl):
    ipl.run("ipf -f /etc/ipf.rules").check()
    # the howto's rule as written: no "on" before rl0, no "proto" before tcp
    broken = HOWTO_IPF + "pass in quick rl0 tcp from any to any port = 6188 flags S keep state\n"
    assert run(ipl, "ipf -f -", stdin=broken) == (1, "", 'syntax error at "rl0", line 5\n')
    assert len(run(ipl, "ipfstat -i")[1].splitlines()) == 8
    # ipf -Fa -f: the flush happened, the lines before the error are loaded
    assert run(ipl, "ipf -Fa -f -", stdin=broken)[0] == 1
    assert len(run(ipl, "ipfstat -i")[1].splitlines()) == 4


@pytest.mark.parametrize("text, message", [
    ("pass in proto udp from any to any flags S\n", 'flags with non-TCP rule error at "flags", line 1'),
    ("pass in proto icmp from any to any port = 22\n", 'port use incorrect error at "port", line 1'),
    ("pass in proto tcp from any to any port = nosuch\n", 'service unknown error at "nosuch", line 1'),
    # yacc looks one word ahead (for "tcp/udp") before the check runs
    ("pass in proto bogus all\n", 'protocol unknown error at "all", line 1'),
    # a rule cut short: yacc reads on into the next line's first word...
    ("pass in quick on\npass out all\n", 'syntax error at "pass", line 2'),
    # ...or to the end, where lexer.c has set yylineNum back to 1
    ("pass in quick on\n", 'syntax error at "on", line 1'),
])
def test_ipf_error_messages(ipl, text, message):
    assert run(ipl, "ipf -f -", stdin=text) == (1, "", message + "\n")


def test_a_file_ipf_cannot_open(ipl):
    # ipf_parsefile() reports it and ipf's exit status stays 0; ipnat's
    # main() returns ipnat_parsefile()'s -1
    assert run(ipl, "ipf -f /etc/nope") == (0, "", "fopen(/etc/nope) failed: No such file or directory\n")
    assert run(ipl, "ipnat -f /etc/nope") == (255, "", "fopen(/etc/nope) failed: No such file or directory\n")


def test_ipnat_FC_f_loads_and_l_lists(ipl):
    assert run(ipl, "ipnat -FC -f /etc/ipnat.rules") == (
        0, "0 entries flushed from NAT table\n0 entries flushed from NAT list\n", "")
    assert run(ipl, "ipnat -FC -f /etc/ipnat.rules")[1].endswith("3 entries flushed from NAT list\n")
    # printnat(): 0/32 prints as "0/32", a target address with its mask
    assert run(ipl, "ipnat -l") == (0, (
        "List of active MAP/Redirect filters:\n"
        "map fxp0 10.0.0.0/24 -> 0/32\n"
        "rdr fxp0 0/0 port 6122 -> 10.0.0.2/32 port 22 tcp\n"
        "rdr fxp0 0/0 port 6188 -> 10.0.0.3/32 port 80 tcp\n"
        "\nList of active sessions:\n"), "")


def test_ipnat_lhd_prints_hits_and_the_kernel_fields(ipl):
    ipl.run("ipnat -f /etc/ipnat.rules").check()
    lines = run(ipl, "ipnat -lhd")[1].splitlines()
    assert lines[1] == "0 map fxp0 10.0.0.0/24 -> 0/32"
    assert lines[2] == "\tnextip 0.0.0.0 pnext 0"
    assert lines[3] == "\tspace 1 use 1 hits 0 flags 0 proto 0/0 hv 0/0"
    assert lines[4].startswith("\tifp[0] 0x") and lines[4].endswith(" apr 0x0")
    assert lines[5] == "\ttqehead 0x0/0x0 comment 0x0"
    assert lines[6:8] == ["0 rdr fxp0 0/0 port 6122 -> 10.0.0.2/32 port 22 tcp", "\tpmax 22"]
    assert lines[8] == "\tspace 1 use 1 hits 0 flags 0x1 proto 6/6 hv 0/0"


@pytest.mark.parametrize("text, message", [
    # the howto's rdr lines lost their addresses: "port" stands where one belongs
    ("rdr rl0 port 6122 -> port 22 tcp\n", 'syntax error at "port", line 1'),
    ("rdr rl0 0/0 port 6122 -> port 22 tcp\n", 'syntax error at "port", line 1'),
    ("map rl0 -> 0/32 # for normal lan + all jails\n", 'syntax error at "->", line 1'),
    ("map rl0 10.0.0.0/24 -> 0/32\nrdr rl0 0/0 port 99999 -> 10.0.0.2 port 22 tcp\n",
     'invalid port number error at "99999", line 2'),
    ("rdr rl0 0/0 port 80 -> 10.0.0.0/24 port 80 tcp\n", 'dest ip bitmask not /32 error at "24", line 1'),
    ("rdr rl0 0/0 port 80 -> 10.0.0.2 port 80 tcpish\n", 'unknown protocol error at "tcpish", line 1'),
])
def test_ipnat_syntax_errors(ipl, text, message):
    assert run(ipl, "ipnat -f -", stdin=text) == (1, "", message + "\n")


def test_ipnat_keeps_the_rules_before_an_error(ipl):
    text = HOWTO_IPNAT + "rdr fxp0 port 6180 -> port 80 tcp\n"
    assert run(ipl, "ipnat -CF -f -", stdin=text)[2] == 'syntax error at "port", line 4\n'
    assert len(run(ipl, "ipnat -l")[1].split("\n\n")[0].splitlines()) == 4


def test_ipnat_n_parses_without_the_device(host):
    # no ipl.ko: -n opens nothing; -C's count stays at the ioctl's initial 1
    assert run(host, "ipnat -n -CF -f -", stdin=HOWTO_IPNAT) == (
        0, "0 entries flushed from NAT table\n1 entries flushed from NAT list\n", "")
    assert run(host, "ipnat -n -f -", stdin="map rl0 -> 0/32\n")[0] == 1


def test_ipnat_s_prints_both_sides_and_the_totals(ipl):
    ipl.run("ipnat -f /etc/ipnat.rules").check()
    out = run(ipl, "ipnat -s")[1].splitlines()
    assert out[0] == "0\tproxy create fail in"
    assert "0\tinuse in" in out and "0.00%\tbucket usage out" in out
    assert out[-4:] == ["3\trule count", "1\tmap rules", "2\trdr rules", "0\twilds"]


def test_ipfstat_without_the_device(host):
    assert run(host, "ipfstat -i") == (255, "", "open(IPSTATE_NAME): No such file or directory\n")


def test_ipnat_options_the_sim_does_not_model_say_so(ipl):
    for command in ("ipnat -lv", "ipnat -d -f /etc/ipnat.rules", "ipnat -p -r -f /etc/ipnat.rules"):
        status, _, err = run(ipl, command)
        assert status == 1 and "is not modelled by the jailkit sim" in err
    assert run(ipl, "ipnat -p -f /etc/ipnat.rules") == (1, "", "ipnat: -p must be used with -r\n")


def test_ipfstat_R_prints_ports_as_numbers(ipl):
    ipl.run("ipf -f /etc/ipf.rules").check()
    assert run(ipl, "ipfstat -Ri")[1].splitlines()[2] == (
        "pass in quick on fxp0 proto tcp from any to any port = 22 flags S/FSRPAU keep state")


def test_count_rules_are_the_accounting_list(ipl):
    ipl.run("ipf -f -", stdin="count out on fxp0 proto icmp from any to any\npass out all\n").check()
    assert ipl.run("ping -c 1 10.0.10.1").succeeded
    assert run(ipl, "ipfstat -ho") == (0, "1 pass out all\n", "")
    # -a prints each rule's bytes after its hits: one 84-byte echo request
    assert run(ipl, "ipfstat -aho") == (0, "1 84 count out on fxp0 proto icmp from any to any\n", "")
    assert run(ipl, "ipfstat -ai") == (0, "", "# empty list for ipacct(in)\n")
