"""Options of the service and file programs that the sim once took and
ignored: each is now done as FreeBSD does it, or refused as not modelled
(never accepted and silently dropped)."""

from __future__ import annotations

from jailkit.host import Host
from tests.conftest import run


def test_sshd_t_checks_and_starts_nothing(host: Host) -> None:
    before = run(host, "sockstat -4l")
    assert run(host, "sshd -t") == (0, "", "")
    assert run(host, "sockstat -4l") == before
    run(host, "rm /etc/ssh/sshd_config")
    assert run(host, "sshd -t") == (1, "", "/etc/ssh/sshd_config: No such file or directory\n")


def test_sshd_t_needs_the_host_keys(host: Host) -> None:
    assert run(host, "sshd -t") == (0, "", "")
    run(host, "rm /etc/ssh/ssh_host_*_key")
    assert run(host, "sshd -t") == (1, "", "sshd: no hostkeys available -- exiting.\n")


def test_sshd_refuses_the_options_it_does_not_model(host: Host) -> None:
    for option in ("-T", "-d", "-D", "-f /etc/ssh/other"):
        status, out, err = run(host, f"sshd {option}")
        assert (status, out) == (1, "")
        assert err == f"sshd: option {option[:2]} is not modelled by the jailkit sim\n"


def test_ssh_o_port_and_user_are_honoured(host: Host) -> None:
    assert run(host, "ssh -o Port=2222 -o StrictHostKeyChecking=no root@127.0.0.1 true") == (
        255, "", "ssh: connect to host 127.0.0.1 port 2222: Connection refused\n")
    status, _, err = run(host, "ssh -o StrictHostKeyChecking=no -o User=nobody 127.0.0.1 true")
    assert status == 255 and err.endswith("nobody@127.0.0.1: Permission denied "
                                          "(publickey,keyboard-interactive).\n")


def test_ssh_o_unknown_keyword_is_a_bad_option(host: Host) -> None:
    assert run(host, "ssh -o BogusOption=1 127.0.0.1 true") == (
        255, "", "command-line: line 0: Bad configuration option: bogusoption\n")


def test_ssh_refuses_unmodelled_options_and_keywords(host: Host) -> None:
    assert run(host, "ssh -o Ciphers=aes128-ctr 127.0.0.1 true") == (
        255, "", "ssh: option -o ciphers is not modelled by the jailkit sim\n")
    for flag in ("-q", "-v", "-L 8080:127.0.0.1:80", "-J 127.0.0.2", "-i /root/key"):
        assert run(host, f"ssh {flag} 127.0.0.1 true") == (
            255, "", f"ssh: option {flag[:2]} is not modelled by the jailkit sim\n")


def test_ssh_t_and_T_decide_the_terminal_warning(host: Host) -> None:
    run(host, "ssh -o StrictHostKeyChecking=no 127.0.0.1 true")
    denied = "root@127.0.0.1: Permission denied (publickey,keyboard-interactive).\n"
    warning = "Pseudo-terminal will not be allocated because stdin is not a terminal.\n"
    assert run(host, "ssh -t 127.0.0.1 true") == (255, "", warning + denied)
    assert run(host, "ssh -T 127.0.0.1") == (255, "", denied)


def test_basename_s_and_a(host: Host) -> None:
    assert run(host, "basename -s .conf /etc/rc.conf /a/b.conf .conf") == (0, "rc\nb\n.conf\n", "")
    assert run(host, "basename -a /x/y/ z /") == (0, "y\nz\n/\n", "")
    assert run(host, "basename /etc/rc.conf .conf") == (0, "rc\n", "")


def test_touch_r_needs_the_reference_file(host: Host) -> None:
    assert run(host, "touch -r /nonexistent /tmp/t") == (
        1, "", "touch: /nonexistent: No such file or directory\n")
    assert run(host, "ls /tmp") == (0, "", "")
    assert run(host, "touch -r /etc/rc.conf /tmp/t && ls /tmp") == (0, "t\n", "")
    assert run(host, "touch -t 202001010000 /tmp/u") == (
        1, "", "touch: option -t is not modelled by the jailkit sim\n")


HEADER = ("USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS      \n")
SSHD4 = "root     sshd        1013 4   tcp4   *:22                  *:*\n"
SYSLOGD4 = "root     syslogd     1009 7   udp4   *:514                 *:*\n"


def test_sockstat_p_keeps_the_listed_ports(host: Host) -> None:
    assert run(host, "sockstat -4l -p 22") == (0, HEADER + SSHD4, "")
    assert run(host, "sockstat -4l -p 500-600") == (0, HEADER + SYSLOGD4, "")
    assert run(host, "sockstat -p 22-") == (1, "", "sockstat: invalid port number\n")
    assert run(host, "sockstat -p x") == (1, "", "sockstat: syntax error in port range\n")


def test_sockstat_P_keeps_the_protocols_and_no_unix_sockets(host: Host) -> None:
    assert run(host, "sockstat -P udp") == (
        0, HEADER + "root     syslogd     1009 6   udp6   *:514                 *:*\n" + SYSLOGD4, "")


def test_sockstat_L_leaves_out_loopback_sockets(host: Host) -> None:
    run(host, "service sshd onestop; sshd -o ListenAddress=127.0.0.1")
    listed = run(host, "sockstat -4l")[1]
    assert "127.0.0.1:22" in listed
    assert run(host, "sockstat -4lL") == (0, HEADER + SYSLOGD4, "")


def test_sockstat_refuses_the_columns_it_does_not_model(host: Host) -> None:
    for flag in "sSnwCv":
        assert run(host, f"sockstat -{flag}") == (
            1, "", f"sockstat: option -{flag} is not modelled by the jailkit sim\n")


def test_sysrc_c_compares_and_never_writes(host: Host) -> None:
    before = run(host, "cat /etc/rc.conf")[1]
    assert run(host, "sysrc -c sshd_enable=YES") == (0, "", "")
    assert run(host, "sysrc -c sshd_enable=NO") == (1, "", "")
    assert run(host, "sysrc -c nosuch_enable=YES") == (1, "", "")
    assert run(host, "sysrc -c sshd_enable") == (0, "", "")
    assert run(host, "cat /etc/rc.conf")[1] == before


def test_sysrc_e_and_N_shape_the_output(host: Host) -> None:
    assert run(host, "sysrc -e sshd_enable") == (0, 'sshd_enable="YES"\n', "")
    assert run(host, "sysrc -N sshd_enable") == (0, "sshd_enable\n", "")
    assert run(host, "sysrc -e sshd_enable=NO") == (0, 'sshd_enable="YES" # -> "NO"\n', "")
    assert run(host, "sysrc -n sshd_enable") == (0, "NO\n", "")


def test_sysrc_i_keeps_quiet_about_unknown_variables_but_fails(host: Host) -> None:
    assert run(host, "sysrc -i nosuchvar") == (1, "", "")
    assert run(host, "sysrc nosuchvar") == (1, "", "sysrc: unknown variable 'nosuchvar'\n")


def test_sysrc_h_and_the_unmodelled_options(host: Host) -> None:
    status, out, err = run(host, "sysrc -h")
    assert (status, out) == (1, "") and err.startswith("Usage: sysrc [OPTIONS]")
    for flag in "aAdDFv":
        assert run(host, f"sysrc -{flag} sshd_enable") == (
            1, "", f"sysrc: option -{flag} is not modelled by the jailkit sim\n")


def test_ipfw_n_checks_the_rule_and_adds_nothing(host: Host) -> None:
    run(host, "kldload ipfw")
    assert run(host, "ipfw -n add 150 allow ip from any to any") == (
        0, "00150 allow ip from any to any\n", "")
    assert run(host, "ipfw list") == (0, "65535 deny ip from any to any\n", "")
    assert run(host, "ipfw -n list") == (0, "", "Testing only, list disabled\n")
    assert run(host, "ipfw -n add 150 bogus")[0] != 0


def test_ipfw_refuses_the_listing_options_it_does_not_model(host: Host) -> None:
    run(host, "kldload ipfw")
    for flag in "tTSdcbNv":
        assert run(host, f"ipfw -{flag} show") == (
            64, "", f"ipfw: option -{flag} is not modelled by the jailkit sim\n")
    assert run(host, "ipfw -e list") == (0, "65535 deny ip from any to any\n", "")


def test_mount_t_without_operands_lists_that_type(host: Host) -> None:
    assert run(host, "mount -t devfs") == (0, "devfs on /dev (devfs)\n", "")
    assert run(host, "mount -t nodevfs") == (0, "/dev/ada0p2 on / (ufs, local, soft-updates)\n", "")
    assert run(host, "mount -p -t devfs") == (0, "devfs\t\t\t/dev\t\t\tdevfs\trw\t\t0 0\n", "")


def test_mount_and_umount_refuse_what_they_do_not_model(host: Host) -> None:
    run(host, "mkdir /tmp/src /tmp/dst")
    assert run(host, "mount -d -t nullfs /tmp/src /tmp/dst") == (
        1, "", "mount: option -d is not modelled by the jailkit sim\n")
    assert run(host, "mount -t nullfs") == (0, "", "")
    assert run(host, "mount -a") == (1, "", "mount: option -a is not modelled by the jailkit sim\n")
    assert run(host, "umount -a") == (1, "", "umount: option -a is not modelled by the jailkit sim\n")


def test_diff_b_and_w_compare_without_blanks(host: Host) -> None:
    run(host, "printf 'a  b \\nc\\n' > /tmp/x; printf 'a b\\nc\\n' > /tmp/y; printf 'ab\\nc\\n' > /tmp/z")
    assert run(host, "diff -b /tmp/x /tmp/y") == (0, "", "")
    assert run(host, "diff -b /tmp/x /tmp/z") == (1, "1c1\n< a  b \n---\n> ab\n", "")
    assert run(host, "diff -w /tmp/x /tmp/z") == (0, "", "")
    assert run(host, "diff /tmp/x /tmp/y")[0] == 1


def test_diff_N_reads_an_absent_file_as_empty(host: Host) -> None:
    run(host, "printf 'a\\n' > /tmp/x")
    assert run(host, "diff -N /tmp/x /tmp/missing") == (1, "1d0\n< a\n", "")
    assert run(host, "diff -N /tmp/missing /tmp/x") == (1, "0a1\n> a\n", "")
    assert run(host, "diff -N /tmp/gone /tmp/missing") == (
        2, "", "diff: /tmp/gone: No such file or directory\n"
               "diff: /tmp/missing: No such file or directory\n")


def test_diff_t_expands_tabs_and_B_T_are_refused(host: Host) -> None:
    run(host, "printf 'a\\tb\\n' > /tmp/x")
    assert run(host, "diff -t /tmp/x /dev/null") == (1, "1d0\n< a       b\n", "")
    for flag in "BT":
        assert run(host, f"diff -{flag} /tmp/x /tmp/x") == (
            2, "", f"diff: option -{flag} is not modelled by the jailkit sim\n")


CMP_SETUP = "printf 'ab\\ncd\\n' > /tmp/a; printf 'ab\\nxd\\n' > /tmp/b; printf 'ab\\n' > /tmp/c; "


def test_cmp_x_b_and_z(host: Host) -> None:
    assert run(host, CMP_SETUP + "cmp -x /tmp/a /tmp/b") == (1, "00000003 63 78\n", "")
    assert run(host, CMP_SETUP + "cmp -b /tmp/a /tmp/b") == (
        1, "/tmp/a /tmp/b differ: char 4, line 2 is 143 c 170 x\n", "")
    assert run(host, CMP_SETUP + "cmp -lb /tmp/a /tmp/b") == (1, "     4 143 c 170 x\n", "")
    assert run(host, CMP_SETUP + "cmp -z /tmp/a /tmp/c") == (1, "/tmp/a /tmp/c differ: size\n", "")
    assert run(host, CMP_SETUP + "cmp -xs /tmp/a /tmp/b") == (
        2, "", "cmp: specifying -s with -l or -x is not permitted\n")


def test_cmp_i_skips_and_n_limits(host: Host) -> None:
    assert run(host, CMP_SETUP + "cmp -n 3 /tmp/a /tmp/b") == (0, "", "")
    assert run(host, CMP_SETUP + "cmp -i 3 /tmp/a /tmp/b") == (1, "/tmp/a /tmp/b differ: char 1, line 1\n", "")
    assert run(host, CMP_SETUP + "cmp -i 4:4 /tmp/a /tmp/b 5 5") == (0, "", "")
    assert run(host, CMP_SETUP + "cmp -i 1k /tmp/a /tmp/b") == (1, "", "cmp: EOF on /tmp/a\n")
    status, _, err = run(host, CMP_SETUP + "cmp -i x /tmp/a /tmp/b")
    assert status == 2 and err.startswith("Invalid --ignore-initial: x\nusage: cmp ")
    assert run(host, CMP_SETUP + "cmp -h /tmp/a /tmp/b") == (
        2, "", "cmp: option -h is not modelled by the jailkit sim\n")


def test_service_v_says_where_the_scripts_are(host: Host) -> None:
    status, out, _ = run(host, "service -v -l")
    assert status == 0 and out.startswith("From /etc/rc.d:\ncron\n")
    assert out.endswith("syslogd\nFrom /usr/local/etc/rc.d:\n")
    assert run(host, "service -l")[1].startswith("cron\n")
    assert run(host, "service -v sshd status") == (
        0, "sshd is located in /etc/rc.d\nsshd is running as pid 1013.\n", "")


def test_service_r_and_R_are_refused(host: Host) -> None:
    for flag in "rR":
        assert run(host, f"service -{flag}") == (
            1, "", f"service: option -{flag} is not modelled by the jailkit sim\n")


def test_pfctl_h_prints_the_usage_and_fails(host: Host) -> None:
    status, out, err = run(host, "pfctl -h")
    assert (status, out) == (1, "") and err.startswith("usage: pfctl [-AdeghMmNnOPqRrvz]")
    for flag in "gr":
        assert run(host, f"pfctl -{flag} -s rules") == (
            1, "", f"pfctl: -{flag} is not modelled by the jailkit sim\n")


def test_jail_refuses_h_J_u_U(host: Host) -> None:
    for option in ("-h", "-J /tmp/jid", "-u root", "-U root"):
        assert run(host, f"jail {option} -c name=j1 path=/ persist") == (
            1, "", f"jail: option {option[:2]} is not modelled by the jailkit sim\n")
    assert run(host, "jls name") == (0, "", "")


def test_review_fixes_sysrc_c_never_deletes_and_append_adds_new_words_only(host: Host) -> None:
    run(host, "sysrc gateway_enable=YES >/dev/null")
    assert run(host, "sysrc -c -x gateway_enable; echo $?; sysrc -n gateway_enable")[1] == "0\nYES\n"
    run(host, "sysrc cloned_interfaces=bridge0 >/dev/null")
    assert run(host, "sysrc -c cloned_interfaces+=bridge0")[0] == 0
    assert run(host, "sysrc cloned_interfaces+=bridge0")[1] == "cloned_interfaces: bridge0 -> bridge0\n"
    # -q silences unknown names only
    assert run(host, "sysrc -q foo=bar")[1] == "foo:  -> bar\n"


def test_review_fixes_ssh_takes_the_first_user_given(host: Host) -> None:
    # ssh.c: -l and -o User keep the first; user@host only when none was given
    out = run(host, "ssh -o StrictHostKeyChecking=no -o BatchMode=yes -l a -l b 127.0.0.1 id")[2]
    assert "a@127.0.0.1" in out and "b@127.0.0.1" not in out
