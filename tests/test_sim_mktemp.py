"""mktemp(1) on the sim: unique names from templates, the modes, the errors."""

from __future__ import annotations

import re

from tests.conftest import run

USAGE = ("usage: mktemp [-d] [-p tmpdir] [-q] [-t prefix] [-u] template ...\n"
         "       mktemp [-d] [-p tmpdir] [-q] [-u] -t prefix \n")


def test_default_template_in_tmp_and_unique(host):
    status, out, err = run(host, "mktemp; mktemp")
    names = out.split()
    assert status == 0 and err == "" and len(set(names)) == 2
    assert all(re.fullmatch(r"/tmp/tmp\.[0-9A-Za-z]{8}", n) for n in names)
    assert run(host, f"ls -l {names[0]}")[1].startswith("-rw------- ")


def test_template_prefix_directory_and_tmpdir(host):
    status, out, _ = run(host, "mktemp /tmp/state.XXXX")
    assert status == 0 and re.fullmatch(r"/tmp/state\.[0-9A-Za-z]{4}\n", out)
    status, out, _ = run(host, "mktemp -d -t lab")
    assert status == 0 and re.fullmatch(r"/tmp/lab\.[0-9A-Za-z]{8}\n", out)
    assert run(host, f"ls -ld {out.strip()}")[1].startswith("drwx------ ")
    assert run(host, "TMPDIR=/var mktemp -t z")[1].startswith("/var/z.")
    status, out, _ = run(host, "mktemp -u /tmp/gone.XXX")
    assert status == 0 and run(host, f"test -e {out.strip()}")[0] == 1


def test_errors(host):
    assert run(host, "mktemp /nonexistent/a.XXX") == \
        (1, "", "mktemp: mkstemp failed on /nonexistent/a.XXX: No such file or directory\n")
    assert run(host, "mktemp -q /nonexistent/a.XXX") == (1, "", "")
    assert run(host, "touch /tmp/fixed; mktemp /tmp/fixed") == \
        (1, "", "mktemp: mkstemp failed on /tmp/fixed: File exists\n")
    assert run(host, "mktemp -x") == (1, "", "mktemp: illegal option -- x\n" + USAGE)
