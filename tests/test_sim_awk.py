"""awk(1) on the sim: the one-true-awk language the regression tests, the
howtos and rc(8) use, and its messages for bad programs and run-time errors."""

from __future__ import annotations

import pytest

from tests.conftest import run


@pytest.mark.parametrize("command, stdout", [
    # what FreeBSD's regression tests ask of awk
    ("ifconfig lo0 | awk '/inet6/ {print $2}'", "::1\nfe80::1%lo0\n"),
    ("printf '1 2 3\\n4 5 6\\n' | awk '{addr=$3} END {print addr}'", "6\n"),
    ("printf 'a b\\n' | awk '{ print $2; }'", "b\n"),
    ("echo 'x y z' | awk -v i=3 '{print $i}'", "z\n"),
    # fields, separators, records
    ("echo 'a:b:c' | awk -F: '{print $2, NF}'", "b 3\n"),
    ("echo 'a1b22c' | awk -F'[0-9]+' '{print $3}'", "c\n"),
    ("echo 'a b c' | awk '{$2 = \"X\"; print; print NF}'", "a X c\n3\n"),
    ("echo 'a b c' | awk '{NF = 2; print}'", "a b\n"),
    ("echo 'a b c' | awk 'BEGIN {OFS=\"-\"} {$1=$1; print}'", "a-b-c\n"),
    ("printf 'a\\nb\\nc\\n' | awk 'NR==2'", "b\n"),
    ("printf 'a\\nb\\nc\\nd\\n' | awk '/b/,/c/'", "b\nc\n"),
    ("awk 'END { print NR, FNR }' /etc/hosts /etc/hosts", "4 2\n"),
    ("awk 'BEGIN { getline; print \"first:\", $1 }' < /etc/hosts", "first: ::1\n"),
    # numbers, strings and comparisons
    ("printf '3\\n1\\n2\\n' | awk '{s+=$1} END {print s, s/NR}'", "6 2\n"),
    ("echo '10 9' | awk '{print ($1 < $2)}'", "0\n"),            # fields compare as numbers
    ("awk 'BEGIN {print (\"10\" < \"9\")}'", "1\n"),              # constants as strings
    ("awk 'BEGIN { print 1/3, 2^10, 7%3, -2^2, -3 % 2, int(-3.7) }'", "0.333333 1024 1 -4 -1 -3\n"),
    ("awk 'BEGIN { print 1e6, 0.1+0.2, 100000000000000000000 }'", "1000000 0.3 1e+20\n"),
    ("awk 'BEGIN { if (!x) print \"unset\"; if (x == 0 && x == \"\") print \"both\" }'", "unset\nboth\n"),
    ("awk 'BEGIN { x++; ++x; print x--; print x }'", "2\n1\n"),
    # the built-in functions
    ("awk 'BEGIN {printf \"%5.2f|%-4s|%d|%x|%c|%05d\\n\", 3.14159, \"ab\", 42.9, 255, 65, 42}'",
     " 3.14|ab  |42|ff|A|00042\n"),
    ("awk 'BEGIN {n = split(\"a,b,c\", arr, \",\"); print n, arr[1] arr[3]}'", "3 ac\n"),
    ("awk 'BEGIN {s = \"hello world\"; gsub(/o/, \"0\", s); sub(/w/, \"[&]\", s); print s}'",
     "hell0 [w]0rld\n"),
    ("awk 'BEGIN {print substr(\"hello\", 2, 3), substr(\"hello\", 0), index(\"hello\", \"ll\"), "
     "length(\"abc\"), toupper(\"x\")}'", "ell hello 3 3 X\n"),
    ("awk 'BEGIN {if (match(\"foobar\", /ob/)) print RSTART, RLENGTH}'", "3 2\n"),
    ("awk 'BEGIN { print (\"a\" ~ /^a$/), (\"b\" !~ \"b\") }'", "1 0\n"),
    # statements, arrays, functions
    ("awk 'function f(a, b) { return a * b } BEGIN { print f(3, 4) }'", "12\n"),
    ("awk 'BEGIN { a[\"x\"]; a[\"y\"] = 2; delete a[\"x\"]; for (k in a) print k; print (\"y\" in a) }'",
     "y\n1\n"),
    ("awk 'BEGIN { x[1,2] = 3; for (k in x) { split(k, p, SUBSEP); print p[1], p[2] } }'", "1 2\n"),
    ("awk 'BEGIN { while (i < 3) { i++; if (i == 2) continue; print i } }'", "1\n3\n"),
    ("awk 'BEGIN { do { i++ } while (i < 5); print i }'", "5\n"),
    # redirections and getline
    ("awk 'BEGIN { print \"x\" > \"/tmp/o\"; print \"y\" > \"/tmp/o\"; close(\"/tmp/o\"); "
     "while ((getline line < \"/tmp/o\") > 0) print \"got\", line }'", "got x\ngot y\n"),
    ("awk 'BEGIN { \"echo hi\" | getline v; print v }'", "hi\n"),
    ("awk 'BEGIN { print \"b\\na\" | \"sort\" }'", "a\nb\n"),
    ("awk 'BEGIN { system(\"echo from sh\") }'", "from sh\n"),
    ("printf 'a\\na\\nb\\n' | awk '!seen[$0]++'", "a\nb\n"),
    ("echo 'a b c' | awk '{print $(NF-1), $NF}'", "b c\n"),
    ("awk 'function g(arr) { arr[\"k\"] = 1 } BEGIN { g(a); print a[\"k\"] }'", "1\n"),
    ("awk 'function f(x) { x = 5; return x } BEGIN { print f(y), \"[\" y \"]\" }'", "5 []\n"),
    ("echo 65 | awk '{ printf \"%c\\n\", $1 }'", "A\n"),
    ("awk 'BEGIN { s = \"aaa\"; n = gsub(/a/, \"b&\", s); print n, s }'", "3 bababa\n"),
    ("awk 'BEGIN { OFMT=\"%.2f\"; print 3.14159 }'", "3.14\n"),
])
def test_programs(host, command, stdout):
    assert run(host, command) == (0, stdout, "")


def test_exit_status_and_end(host):
    assert run(host, "awk 'BEGIN { exit 3 } END { print \"end\" }'") == (3, "end\n", "")


USAGE = "usage: awk [-F fs][-v var=value][-safe][-V] ['prog' | -f progfile] [file ...]\n"


@pytest.mark.parametrize("command, status, stderr", [
    ("awk", 1, USAGE),
    ("awk '{print $'", 2, "awk: syntax error at source line 1\n context is\n\t{print >>>  $ <<< \n"
                          "\tmissing }\n"),
    ("awk 'BEGIN { x = }'", 2, "awk: syntax error at source line 1\n context is\n\tBEGIN { x = >>>  } <<< \n"),
    ("awk 'BEGIN { print \"abc }'", 2, "awk: non-terminated string abc }... at source line 1\n"),
    ("awk 'BEGIN { print 1/0 }'", 2, "awk: division by zero\n source line number 1\n"),
    ("echo a | awk '{ print 1/0 }'", 2, "awk: division by zero\n input record number 1, file \n"
                                        " source line number 1\n"),
    ("awk '{print}' /nonexistent", 2, "awk: can't open file /nonexistent\n source line number 1\n"),
    ("awk 'BEGIN { f() }'", 2, "awk: calling undefined function f\n source line number 1\n"),
    ("awk -safe 'BEGIN { }'", 2, "awk: -safe: part of FreeBSD, but not modelled by the jailkit sim; "
                                 "run this step on a real FreeBSD host (--host ssh://... or vagrant://)\n"),
])
def test_errors(host, command, status, stderr):
    assert run(host, command) == (status, "", stderr)
