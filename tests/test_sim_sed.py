"""sed(1) on the sim: the subset the regression tests, the howtos and rc(8)
use, and sed's own messages for scripts it cannot compile."""

from __future__ import annotations

import pytest

from tests.conftest import run


@pytest.mark.parametrize("command, stdout", [
    ("echo hello | sed 's/l/L/'", "heLlo\n"),
    ("echo hello | sed 's/l/L/g'", "heLLo\n"),
    ("echo hello | sed 's/l/L/2'", "helLo\n"),
    ("echo baaac | sed 's/a*/x/g'", "xbxcx\n"),        # no empty match right after a match
    ("echo abc | sed 's/b/[&]/'", "a[b]c\n"),
    ("echo abc | sed 's/\\(a\\)\\(b\\)/\\2\\1/'", "bac\n"),
    ("echo abc | sed -E 's/(a)(b)/\\2\\1/'", "bac\n"),
    ("echo a.b | sed 's/\\./X/'", "aXb\n"),
    ("echo aXb | sed 's/x/-/I'", "a-b\n"),
    ("echo 'ttl=64 hlim=255' | sed -e 's/ttl=[0-9][0-9]*/ttl=/' -e 's/hlim=[0-9][0-9]*/hlim=/'", "ttl= hlim=\n"),
    ("echo '127.0.0.1' | sed 's/[0-9]\\{1,3\\}\\(\\.[0-9]\\{1,3\\}\\)\\{1,3\\}/IP/'", "IP\n"),
    ("echo hello world | sed 's/\\<w/W/'", "hello World\n"),
    ("echo a/b | sed 's|/|:|'", "a:b\n"),
    ("echo abc | sed 'y/abc/xyz/'", "xyz\n"),
    ("printf '1\\n2\\n3\\n4\\n' | sed -n '2,3p'", "2\n3\n"),
    ("printf '1\\n2\\n3\\n4\\n' | sed '2,3!d'", "2\n3\n"),
    ("printf '1\\n2\\n3\\n' | sed -n '$p'", "3\n"),
    ("printf '1\\n2\\n3\\n' | sed '1d;$d'", "2\n"),
    ("printf 'a\\nb\\nc\\n' | sed -n '/b/,$p'", "b\nc\n"),
    ("printf 'a\\nb\\n' | sed -n '/a/{p;p;}'", "a\na\n"),
    ("printf 'a\\nb\\n' | sed '1a\\\nadded'", "a\nadded\nb\n"),
    ("printf 'a\\nb\\n' | sed '1i\\\ninserted'", "inserted\na\nb\n"),
    ("printf 'a\\nb\\n' | sed '1c\\\nchanged'", "changed\nb\n"),
    ("printf 'a\\nb\\nc\\n' | sed 'N;P;D'", "a\nb\n"),       # BSD's N quits at the end unprinted
    ("printf 'a\\nb\\n' | sed 1q", "a\n"),
    ("printf 'a\\nb\\n' | sed =", "1\na\n2\nb\n"),
    ("printf 'a\\nb\\n' | sed -n 'h;n;G;p'", "b\na\n"),
    ("echo aaa | sed -e ':a' -e 's/a/b/' -e 'ta'", "bbb\n"),
    ("printf 'no newline' | sed s/no/yes/", "yes newline"),
    ("echo a | sed 's/a/x\\\ny/'", "x\ny\n"),        # an escaped newline in the replacement
    ("echo a | sed 's/a/\\n/'", "n\n"),               # BSD sed: \n there is n
    ("printf '#n\\np\\n' > /tmp/s; echo x | sed -f /tmp/s", "x\n"),
])
def test_editing(host, command, stdout):
    assert run(host, command) == (0, stdout, "")


def test_in_place_without_and_with_backup(host):
    # tests/sys/common/vnet.subr renames an interface in created_jails.lst so
    assert run(host, "printf 'a x\\none epair0b\\n' > /tmp/l; sed -i '' '/^one/s/epair0b/eth0/' /tmp/l; "
                     "cat /tmp/l; ls /tmp") == (0, "a x\none eth0\nl\n", "")
    assert run(host, "printf 'x\\ny\\n' > /tmp/l; sed -i .bak '/^y$/d' /tmp/l; cat /tmp/l /tmp/l.bak") \
        == (0, "x\nx\ny\n", "")
    assert run(host, "echo a | sed -i '' p") == (1, "", "sed: -I or -i may not be used with stdin\n")


USAGE = ("usage: sed script [-Ealnru] [-i extension] [file ...]\n"
         "\tsed [-Ealnu] [-i extension] [-e script] ... [-f script_file] ... [file ...]\n")


@pytest.mark.parametrize("command, stderr", [
    ("sed", USAGE),
    ("sed -x p", "sed: illegal option -- x\n" + USAGE),
    ("sed 's/a/b'", 'sed: 1: "s/a/b": unterminated substitute in regular expression\n'),
    # -e adds a newline to its script, which compile_subst() meets first
    ("sed -e 's/a/b'", 'sed: 1: "s/a/b\n": unescaped newline inside substitute pattern\n'),
    ("sed 's/a'", 'sed: 1: "s/a": unterminated substitute pattern\n'),
    ("sed k", 'sed: 1: "k": invalid command code k\n'),
    ("sed 's/a/b/x'", "sed: 1: \"s/a/b/x\": bad flag in substitute command: 'x'\n"),
    ("sed 's/a/b/gg'", "sed: 1: \"s/a/b/gg\": more than one number or 'g' in substitute flags\n"),
    ("sed 's/\\(a/b/'", 'sed: 1: "s/\\(a/b/": RE error: parentheses not balanced\n'),
    ("sed 's/a/\\1/'", 'sed: 1: "s/a/\\1/": \\1 not defined in the RE\n'),
    ("sed '{p'", "sed: 1: \"{p\": unexpected EOF (pending }'s)\n"),
    ("sed '}'", 'sed: 1: "}": unexpected }\n'),
    ("sed 'pq'", 'sed: 1: "pq": extra characters at the end of p command\n'),
    ("sed '1,2='", 'sed: 1: "1,2=": command = expects up to 1 address(es), found 2\n'),
    ("sed 'y/ab/x/'", 'sed: 1: "y/ab/x/": transform strings are not the same length\n'),
    ("sed 'b nowhere'", "sed: 1: \"b nowhere\": undefined label 'nowhere'\n"),
    ("sed -e 's/a/this is a very long replacement/x'",
     "sed: 1: \"s/a/this is a very long ...\": bad flag in substitute command: 'x'\n"),
    ("sed 'r /etc/hosts'", "sed: the r command: part of FreeBSD, but not modelled by the jailkit sim; "
                           "run this step on a real FreeBSD host (--host ssh://... or vagrant://)\n"),
])
def test_errors(host, command, stderr):
    assert run(host, "echo a | " + command) == (1, "", stderr)


def test_unreadable_file_is_reported_and_the_rest_edited(host):
    assert run(host, "echo b > /tmp/b; sed s/b/B/ /nonexistent /tmp/b") == \
        (1, "B\n", "sed: /nonexistent: No such file or directory\n")
