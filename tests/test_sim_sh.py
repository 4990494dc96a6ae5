"""The sim's sh: the grammar, expansions and redirections the howtos and
jail.conf hooks use, and sh's own errors and exit statuses."""

from __future__ import annotations

import pytest

import jailkit

from tests.conftest import run as out



def test_lists_and_status(host):
    assert out(host, "false; echo $?") == (0, "1\n", "")
    assert out(host, "true && echo yes || echo no") == (0, "yes\n", "")
    assert out(host, "false && echo yes || echo no") == (0, "no\n", "")
    assert out(host, "! false")[0] == 0
    assert out(host, "exit 3")[0] == 3


def test_unknown_command_is_127_with_shs_message(host):
    assert out(host, "frobnicate --now") == (127, "", "sh: frobnicate: not found\n")


def test_quoting(host):
    assert out(host, """echo 'a  b' "c  $HOME" \\$x "\\"q\\"" ''""")[1] == "a  b c  /root $x \"q\" \n"


def test_variables_and_parameter_expansion(host):
    script = ('ifname=epair0a; echo ${ifname%a}b ${ifname#ep} ${#ifname} '
              '${unset:-dflt} ${ifname:+set} ${x:=new} $x')
    assert out(host, script)[1] == "epair0b air0a 7 dflt set new new\n"


def test_command_substitution_and_field_splitting(host):
    assert out(host, 'n=$(ifconfig epair create); echo "${n%a}"; set -- $(echo a b c); echo $#')[1] \
        == "epair0\n3\n"


def test_arithmetic(host):
    assert out(host, "i=3; echo $((i * 2 + 1)) $(( (7 / 2) % 2 )) $((i > 2 && i < 4))")[1] == "7 1 1\n"


def test_pipes_and_redirections(host):
    assert out(host, "printf 'b\\na\\nb\\n' | sort | uniq -c")[1] == "   1 a\n   2 b\n"
    assert out(host, "echo one > /tmp/f; echo two >> /tmp/f; cat /tmp/f")[1] == "one\ntwo\n"
    assert out(host, "cat /nonexistent 2>&1 | grep -c 'No such'")[1] == "1\n"
    assert out(host, "ls /nonexistent > /dev/null 2>&1; echo $?")[1] == "1\n"
    assert out(host, "read a b < /etc/hosts; echo $a")[1] == "::1\n"


def test_redirect_into_missing_directory(host):
    status, _, err = out(host, "echo x > /no/such/file")
    assert status == 1 and err == "sh: cannot create /no/such/file: No such file or directory\n"


def test_compound_commands(host):
    script = """
for i in 1 2 3; do
  if [ $i -eq 2 ]; then continue; fi
  echo $i
done
n=0
while [ $n -lt 2 ]; do n=$((n + 1)); done
echo n=$n
case epair0a in
  bridge*) echo bridge ;;
  epair*a|epair*b) echo epair ;;
esac
f() { local v=inner; echo "$1:$v"; return 4; }
f arg; echo $?
{ echo grouped; } > /tmp/g; cat /tmp/g
(cd /etc && pwd); pwd
"""
    assert out(host, script)[1] == "1\n3\nn=2\nepair\narg:inner\n4\ngrouped\n/etc\n/root\n"


def test_here_document(host):
    assert out(host, "x=v; cat <<EOF\nvalue $x\nEOF\ncat <<'EOF'\nraw $x\nEOF")[1] == "value v\nraw $x\n"


def test_globbing(host):
    assert out(host, "echo /etc/rc*")[1] == "/etc/rc /etc/rc.conf /etc/rc.firewall /etc/rc.shutdown /etc/rc.subr\n"
    assert out(host, "echo /nomatch*")[1] == "/nomatch*\n"


def test_set_e_stops_at_the_first_failure(host):
    assert out(host, "set -e; false; echo not reached") == (1, "", "")
    assert out(host, "set -e; false || true; echo reached")[1] == "reached\n"


@pytest.mark.parametrize("script, message", [
    ("echo 'open", "Unterminated quoted string"),
    ("if true; then echo x", 'end of file unexpected (expecting "fi")'),
    ("fi", '"fi" unexpected'),
    ("echo a |", "end of file unexpected"),
])
def test_syntax_errors_exit_2_with_shs_wording(host, script, message):
    status, _, err = out(host, script)
    assert status == 2 and err == f"sh: Syntax error: {message}\n"


def test_test_builtin(host):
    assert out(host, "[ -d /etc ] && [ -f /etc/rc.conf ] && [ ! -e /nope ] && [ abc = abc ] && echo ok")[1] == "ok\n"
    assert out(host, "[ 1 -lt ]")[0] == 2
    status, _, err = out(host, "[ a -eq 1 ]")
    assert status == 2 and err == "[: a: bad number\n"
    assert out(host, "[ 1 = 1")[2] == "[: missing ]\n"


def test_sh_runs_scripts_and_stdin(host):
    host.run("printf '#!/bin/sh\\necho script $1\\n' > /root/s.sh; chmod +x /root/s.sh").check()
    assert out(host, "/root/s.sh arg")[1] == "script arg\n"
    assert out(host, "sh /root/s.sh x")[1] == "script x\n"
    assert out(host, "sh", stdin="echo from stdin\n")[1] == "from stdin\n"
    assert out(host, "sh /nonexistent") == (127, "", "sh: cannot open /nonexistent: No such file or directory\n")


def test_non_executable_file_is_126(host):
    host.run("echo 'echo hi' > /root/plain").check()
    assert out(host, "/root/plain") == (126, "", "sh: /root/plain: Permission denied\n")


def test_printf_formats(host):
    assert out(host, "printf '%s=%5d|%-4s|%x|%%\\n' a 42 b 255")[1] == "a=   42|b   |ff|%\n"
    assert out(host, "printf '%s\\n' x y z")[1] == "x\ny\nz\n"
    status, _, err = out(host, "printf '%d\\n' zz")
    assert status == 1 and err == "printf: zz: expected numeric value\n"


def _typed(session, line: str) -> tuple[int, str, str]:
    out: list[str] = []
    err: list[str] = []
    status = session.run(line, out=out.append, err=err.append)
    return status, "".join(out), "".join(err)


def test_sigint_reaches_the_foreground_line_at_its_limit(host):
    session = host.session(limit=2)
    # sleep dies of it: the rest of the line is abandoned, $? is 128 + SIGINT
    status, out, err = _typed(session, "sleep 100000; echo after")
    assert (status, out) == (130, "")
    assert err.startswith("jailkit sim: `sleep 100000; echo after` ran past its limit (2 virtual")
    # ping catches it, prints finish()'s statistics, and the line goes on
    status, out, _ = _typed(session, "ping 10.0.10.1; echo after $?")
    assert status == 0
    assert out.endswith("2 packets transmitted, 2 packets received, 0.0% packet loss\n"
                        f"{out.splitlines()[-2]}\nafter 0\n")
    # a pipeline dies with its interrupted stage, after the others read its output
    assert _typed(session, "ping 10.0.10.1 | grep -c ttl=64")[:2] == (130, "2\n")
    # a loop that never waits still ends
    assert _typed(session, "while :; do :; done")[0] == 130
    assert _typed(session, "# a comment")[0] == 130     # leaves $? as it was
    assert _typed(session, "echo $?")[1] == "130\n"


def test_a_background_job_is_stopped_without_stopping_the_line(host):
    session = host.session(limit=600)
    status, out, err = _typed(session, "sleep 100000 & echo started; sleep 1; echo done")
    assert (status, out, err) == (0, "started\ndone\n", "")


def test_an_endless_tcpdump_prints_its_counters_on_sigint(host):
    status, out, err = _typed(host.session(limit=3), "tcpdump -n -i fxp0")
    assert (status, out) == (0, "\n")
    assert ("listening on fxp0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n"
            "0 packets captured\n0 packets received by filter\n0 packets dropped by kernel\n") in err


def test_a_pattern_ending_in_a_slash_matches_directories_and_keeps_the_slash():
    # bin/sh expand.c expmeta(): only directories (a link to one too) match
    host = jailkit.connect("sim://")
    host.run("mkdir -p /tmp/g/adir && touch /tmp/g/afile && ln -s adir /tmp/g/alink").check()
    assert host.run("echo /tmp/g/a*/").stdout == "/tmp/g/adir/ /tmp/g/alink/\n"
    assert host.run("echo /tmp/g/afi*/").stdout == "/tmp/g/afi*/\n"      # no match: left as written
    assert host.run("echo /tmp/g/a*").stdout == "/tmp/g/adir /tmp/g/afile /tmp/g/alink\n"


def test_words_that_are_themselves_and_words_that_expand(host):
    # a quoted word, or one without a pattern character or a leading
    # tilde, is itself; set -f keeps a pattern as it is (sh(1))
    assert out(host, "echo ~ ~/x '~' \"*\" '/et*' /et\\* /et*")[1] == \
        "/root /root/x ~ * /et* /et* /etc\n"
    assert out(host, "set -f; echo /et*; set +f; echo /et*")[1] == "/et*\n/etc\n"
    assert out(host, "x=/et; echo $x* \"$x*\"")[1] == "/etc /et*\n"


def test_file_tests_follow_links_but_L_and_h(host):
    setup = "ln -s /etc/rc.conf /tmp/l; ln -s /nowhere /tmp/d; "
    checks = ["test -L /tmp/l", "test -h /tmp/d", "[ -L /tmp/none ]", "test -f /tmp/l",
              "test -e /tmp/d", "test ! -f /tmp/l", "test -d /tmp", "test -f /tmp/none",
              "test -f", "[ -d /etc -a ! -e /tmp/d ]"]
    script = setup + "".join(f"{check}; echo $?; " for check in checks)
    assert out(host, script)[1].split() == ["0", "0", "1", "0", "1", "1", "0", "1", "0", "0"]
