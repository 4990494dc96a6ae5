"""The sim's daemons and the commands around them: service and the rc.d
scripts, sysrc, pw, sockstat, whois, ssh, tcpdump, inetd, local-unbound
and sshd, with FreeBSD's messages, errors and exit statuses."""

from __future__ import annotations

import pytest

from jailkit.qjail import Qjail
from tests.conftest import run


# -- service and rc.d ---------------------------------------------------------------------

def test_service_status_start_and_stop(host):
    pid = run(host, "cat /var/run/sshd.pid")[1].strip()
    assert run(host, "service sshd status") == (0, f"sshd is running as pid {pid}.\n", "")
    assert run(host, "service sshd start") == (1, "", f"sshd already running?  (pid={pid}).\n")
    assert run(host, "service sshd stop") == (0, f"Stopping sshd.\nWaiting for PIDS: {pid}.\n", "")
    assert run(host, "service sshd status") == (1, "sshd is not running.\n", "")
    assert run(host, "service sshd stop") == (1, "", "sshd not running? (check /var/run/sshd.pid).\n")


def test_service_refuses_a_disabled_script_unless_one(host):
    # rc.subr run_rc_command: the advice on standard output, then return 0
    assert run(host, "service pf start") == (0, "Cannot 'start' pf. Set pf_enable to YES in "
                                                "/etc/rc.conf or use 'onestart' instead of 'start'.\n", "")
    assert run(host, "service pf onestart") == (1, "", "/etc/rc.d/pf: WARNING: /etc/pf.conf is not readable.\n")
    host.run("echo 'pass all' > /etc/pf.conf").check()
    assert run(host, "service pf onestart") == (0, "Enabling pf.\n", "")
    assert "pf" in run(host, "kldstat")[1]             # rc.d/pf loaded the module
    assert run(host, "pfctl -s Running")[1] == "Enabled\n"


def test_service_knows_its_scripts(host):
    assert run(host, "service nosuch start") == (1, "", "nosuch does not exist in /etc/rc.d or the local "
                                                        "startup\ndirectories (/usr/local/etc/rc.d), or is "
                                                        "not executable.\n")
    assert run(host, "service")[0] == 1
    assert run(host, "service -e")[1] == "/etc/rc.d/syslogd\n/etc/rc.d/sshd\n/etc/rc.d/cron\n"
    assert run(host, "service sshd rcvar")[1] == '# sshd\n#\nsshd_enable="YES"\n'


def test_ipfw_service_loads_rc_firewall(host):
    host.run("sysrc firewall_enable=YES firewall_type=open firewall_quiet=YES").check()
    assert run(host, "service ipfw start") == (0, "Firewall rules loaded.\n", "")
    assert run(host, "ipfw list 65000")[1] == "65000 allow ip from any to any\n"
    assert host.run("ping -c 1 10.0.10.1").succeeded


def test_a_jails_rc_starts_what_its_rc_conf_enables(jail):
    jail.run("jexec v10 sysrc sshd_enable=YES").check()
    Qjail(jail).restart("v10")
    log = run(jail, "cat /var/log/qjail.v10.console.log")[1]
    assert "Generating ED25519 host key.\n" in log and "Starting sshd.\n" in log
    assert run(jail, "jexec v10 service sshd status")[1].startswith("sshd is running as pid ")


def test_nojailvnet_scripts_do_nothing_in_a_plain_jail(host):
    host.run("jail -c name=plain persist").check()
    assert run(host, "jexec plain service pf onestart") == (0, "", "")


# -- sysrc ------------------------------------------------------------------------------------

def test_sysrc_reads_and_writes_rc_conf(host):
    assert run(host, "sysrc sshd_enable") == (0, "sshd_enable: YES\n", "")
    assert run(host, "sysrc gateway_enable=YES") == (0, "gateway_enable: NO -> YES\n", "")
    assert run(host, "sysrc -n gateway_enable") == (0, "YES\n", "")
    assert 'gateway_enable="YES"' in run(host, "cat /etc/rc.conf")[1]
    assert run(host, "sysrc gateway_enable=NO")[1] == "gateway_enable: YES -> NO\n"
    assert run(host, "cat /etc/rc.conf")[1].count("gateway_enable=") == 1
    assert run(host, "sysrc nonesuch") == (1, "", "sysrc: unknown variable 'nonesuch'\n")
    assert run(host, "sysrc -x gateway_enable") == (0, "", "")
    assert run(host, "sysrc -f /etc/other.conf jail_list+=v10")[1] == "jail_list:  -> v10\n"


# -- pw ------------------------------------------------------------------------------------------

def test_pw_adds_shows_and_deletes_users(host):
    assert run(host, "pw adduser test -m -w yes") == (0, "", "")
    assert run(host, "pw usershow test") == (0, "test:*:1001:1001::0:0:User &:/home/test:/bin/sh\n", "")
    assert run(host, "id test")[1] == "uid=1001(test) gid=1001(test) groups=1001(test)\n"
    assert run(host, "ls -a /home/test")[1].split() == [".", "..", ".profile", ".shrc"]
    assert run(host, "pw adduser test") == (65, "", "pw: user 'test' already exists\n")
    assert run(host, "pw useradd second -w bogus") == (65, "", "pw: invalid value for '-w': 'bogus'\n")
    assert run(host, "pw user add -n second")[0] == 0
    assert run(host, "pw usershow second")[1].startswith("second:*:1002:1002:")
    assert run(host, "pw userdel test -r") == (0, "", "")
    assert run(host, "pw usershow test") == (67, "", "pw: no such user `test'\n")


# -- sockstat -------------------------------------------------------------------------------

def test_sockstat_columns(host):
    lines = run(host, "sockstat -4")[1].splitlines()
    assert lines[0] == ("USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         "
                        "FOREIGN ADDRESS      ")
    sshd = next(line for line in lines if " sshd " in line)
    pid = run(host, "cat /var/run/sshd.pid")[1].strip()
    assert sshd == f"root     sshd       {pid:>5} 4   tcp4   *:22                  *:*"
    assert all("tcp6" not in line for line in lines)


def test_sockstat_in_and_for_a_jail(jail):
    jail.run("jexec v10 sysrc sshd_enable=YES && jexec v10 service sshd start > /dev/null").check()
    inside = run(jail, "jexec v10 sockstat -4 -l")[1]
    assert inside == run(jail, "sockstat -4 -l -j v10")[1]
    assert "*:22" in inside and "udp4" not in inside          # qjail's syslogd runs with -ss
    assert run(jail, "sockstat -j nosuch") == (1, "", 'sockstat: jail_getid: jail "nosuch" not found\n')


# -- whois, ssh, tcpdump -----------------------------------------------------------------------

def test_whois_asks_the_right_server(host):
    status, out, _ = run(host, "whois freebsd.org")
    assert status == 0 and "domain:       FREEBSD.ORG" in out
    assert run(host, "whois") == (64, "", "usage: whois [-aAbfgiIklmPQrRS] [-c country-code | "
                                         "-h hostname] [-p port] name ...\n")
    # -a asks ARIN, which the lab does not have
    status, _, err = run(host, "whois -a 192.0.2.1")
    assert status == 68 and err.startswith("whois: whois.arin.net: Name does not resolve")
    assert run(host, "whois -h www.freebsd.org x") == (71, "", "whois: connect(): Operation timed out\n")


def test_ssh_client_failures(jail):
    assert run(jail, "ssh -l test 10.0.10.10 id") == (
        255, "", "ssh: connect to host 10.0.10.10 port 22: Connection refused\n")
    assert run(jail, "ssh nowhere.example id") == (
        255, "", "ssh: Could not resolve hostname nowhere.example: Name does not resolve\n")
    jail.run("jexec v10 sysrc sshd_enable=YES > /dev/null && jexec v10 pw adduser test -w yes && "
             "jexec v10 service sshd start > /dev/null").check()
    assert run(jail, "ssh -l test 10.0.10.10 id") == (255, "", "Host key verification failed.\n")
    assert run(jail, "ssh -o StrictHostKeyChecking=accept-new -l test 10.0.10.10 id") == (
        255, "", "Warning: Permanently added '10.0.10.10' (ED25519) to the list of known hosts.\n"
                 "test@10.0.10.10: Permission denied (publickey,keyboard-interactive).\n")


def test_ssh_client_with_askpass_logs_in(jail):
    jail.run("jexec v10 sysrc sshd_enable=YES > /dev/null && jexec v10 pw adduser test -w yes && "
             "jexec v10 service sshd start > /dev/null && "
             "printf '#!/bin/sh\\necho test\\n' > /root/pw && chmod +x /root/pw").check()
    assert run(jail, "SSH_ASKPASS=/root/pw SSH_ASKPASS_REQUIRE=force ssh -o StrictHostKeyChecking=no "
                     "-p 22 -l test 10.0.10.10 'id -un; hostname'")[:2] == (0, "test\nv10\n")


def test_tcpdump_needs_bpf(jail):
    assert run(jail, "jexec v10 tcpdump -n -i epair1b") == (1, "", "tcpdump: (there are no BPF devices)\n")
    assert run(jail, "tcpdump -i nosuch0")[2] == (
        "tcpdump: nosuch0: No such device exists\n(BIOCSETIF failed: Device not configured)\n")
    status, out, err = run(jail, "timeout 2 tcpdump -n -i fxp0")
    # SIGTERM breaks the loop: a newline on stdout (a line may be cut), then the counters
    assert (status, out) == (124, "\n")
    assert err == ("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n"
                   "listening on fxp0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n"
                   "0 packets captured\n0 packets received by filter\n0 packets dropped by kernel\n")


# -- inetd, local-unbound, sshd ----------------------------------------------------------------

def test_inetd_runs_a_program_per_connection(host):
    host.run("printf '#!/bin/sh\\nread q; echo \"you asked: $q\"\\n' > /root/echo43 && "
             "printf 'whois stream tcp nowait root /bin/sh sh /root/echo43\\n"
             "bogus stream tcp nowait root /bin/cat cat\\n' > /root/inetd.conf && "
             "inetd -p /root/inetd.pid /root/inetd.conf").check()
    assert run(host, "whois -h 127.0.0.1 something") == (0, "you asked: something\r\n", "")
    assert "bogus/tcp: unknown service" in run(host, "cat /var/log/messages")[1]
    assert run(host, "inetd /nonexistent") == (1, "", "inetd: /nonexistent: No such file or directory\n")


def test_local_unbound_answers_its_names(host):
    host.run("printf 'server:\\n\\tinterface: 127.0.0.1\\n\\tlocal-zone: \".\" static\\n"
             "\\tlocal-data: \"box.lab. A 192.0.2.9\"\\n' > /root/unbound.conf && "
             "local-unbound -c /root/unbound.conf && "
             "echo 'nameserver 127.0.0.1' > /etc/resolv.conf").check()
    assert run(host, "ping -c 1 box.lab")[1].startswith("PING box.lab (192.0.2.9)")
    assert run(host, "ping -c 1 other.lab")[2] == "ping: cannot resolve other.lab: Name does not resolve\n"
    status, _, err = run(host, "local-unbound -c /nonexistent")
    assert status == 1 and "fatal error: Could not read config file: /nonexistent" in err


def test_a_resolver_nobody_answers(host):
    host.run("echo 'nameserver 10.0.10.9' > /etc/resolv.conf").check()
    start = host.machine.kernel.clock
    assert run(host, "ping -c 1 www.freebsd.org") == (
        68, "", "ping: cannot resolve www.freebsd.org: Name could not be resolved at this time\n")
    assert host.machine.kernel.clock - start == pytest.approx(10.0)   # 2 tries of 5 s


def test_sshd_by_hand(host):
    host.run("jail -c name=s path=/ persist").check()
    assert run(host, "sshd -o ListenAddress=10.0.10.2")[0] == 0
    assert "10.0.10.2:22" in run(host, "sockstat -4 -l")[1]
    host.run("mv /etc/ssh /etc/ssh.off").check()
    assert run(host, "sshd") == (1, "", "sshd: no hostkeys available -- exiting.\n")


def test_service_jail_starts_the_jails_of_jail_conf(host):
    host.run("printf 'www {\\n\\tpath = /;\\n\\tpersist;\\n}\\n' > /etc/jail.conf").check()
    assert run(host, "service jail start www") == (0, "Cannot 'start' jail. Set jail_enable to YES "
                                                      "in /etc/rc.conf or use 'onestart' instead "
                                                      "of 'start'.\n", "")
    host.run("sysrc jail_enable=YES jail_list=www > /dev/null").check()
    assert run(host, "service jail start") == (0, "Starting jails: www.\n", "")
    assert run(host, "jls name")[1] == "www\n"
    assert run(host, "service jail stop www") == (0, "Stopping jails: www.\n", "")
    assert run(host, "jls name")[1] == ""
    assert run(host, "jail -c name=inner persist && jexec inner service jail start") == (0, "", "")
