"""diff(1) on the sim: the normal and unified formats, -q, exit statuses."""

from __future__ import annotations

from tests.conftest import run

SETUP = ("printf 'a\\nb\\nc\\nd\\ne\\nf\\ng\\nh\\ni\\nj\\n' > /tmp/1; "
         "printf 'a\\nB\\nc\\nd\\ne\\nf\\ng\\nh\\ni\\nj\\nk\\n' > /tmp/2; printf 'x' > /tmp/3; cp /tmp/1 /tmp/4; ")


def test_identical_files_are_silent(host):
    assert run(host, SETUP + "diff -u /tmp/1 /tmp/4") == (0, "", "")


def test_normal_format(host):
    assert run(host, SETUP + "diff /tmp/1 /tmp/2") == (1, "2c2\n< b\n---\n> B\n10a11\n> k\n", "")
    assert run(host, SETUP + "diff /tmp/2 /tmp/1") == (1, "2c2\n< B\n---\n> b\n11d10\n< k\n", "")


def test_unified_format_hunks_and_headers(host):
    status, out, _ = run(host, SETUP + "diff -u /tmp/1 /tmp/2")
    header, body = out.split("\n", 2)[:2], out.split("\n", 2)[2]
    assert status == 1
    assert header[0].startswith("--- /tmp/1\t") and header[1].startswith("+++ /tmp/2\t")
    assert body == "@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n@@ -8,3 +8,4 @@\n h\n i\n j\n+k\n"
    status, out, _ = run(host, SETUP + "diff -u -L old -L new /tmp/3 /tmp/4")
    assert out.startswith("--- old\n+++ new\n@@ -1 +1,10 @@\n-x\n\\ No newline at end of file\n+a\n")


def test_brief_and_errors(host):
    assert run(host, SETUP + "diff -q /tmp/1 /tmp/2") == (1, "Files /tmp/1 and /tmp/2 differ\n", "")
    assert run(host, SETUP + "diff /tmp/1 /nope") == (2, "", "diff: /nope: No such file or directory\n")
    status, _, err = run(host, "diff /tmp/1")
    assert status == 2 and err.startswith("usage: diff ")
