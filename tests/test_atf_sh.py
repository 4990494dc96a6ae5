"""The atf-sh stand-in (tests/atf_sh.py) on a small atf-sh program of our
own (tests/data/atf): each way a case ends, and atf_check's checks."""

from __future__ import annotations

import pytest

from tests.atf_sh import (BROKEN, FAILED, PASSED, SKIPPED, XFAIL, CheckSpec, decode,
                          installed_path, list_cases, main, program_path, run_program)
from tests.conftest import DATA

ROOT = DATA / "atf"
PROGRAM = "tests/sys/sample/sample_test.sh"


@pytest.fixture(scope="module")
def results():
    return {r.case: r for r in run_program(ROOT, PROGRAM)}


def test_the_cases_are_those_the_program_adds_in_its_order():
    assert list_cases(ROOT, PROGRAM) == ["checks", "mismatch", "missing", "known_bug",
                                         "bad_status", "skip_in_body", "background",
                                         "bad_cleanup"]


def test_each_way_a_case_ends(results):
    assert {name: r.result for name, r in results.items()} == {
        "checks": PASSED, "mismatch": FAILED, "missing": SKIPPED, "known_bug": XFAIL,
        "bad_status": FAILED, "skip_in_body": SKIPPED, "background": PASSED,
        "bad_cleanup": BROKEN}


def test_the_reasons(results):
    assert results["mismatch"].reason == (
        "atf-check failed: [ echo actual ]: stdout is not the inline text 'expected\\n'")
    assert results["missing"].reason == "Required program 'no_such_program_here' not found in PATH"
    assert results["known_bug"].reason == "PR 0: not fixed yet: 1 != 2 (1 != 2)"
    assert results["bad_status"].reason == ("Test case body returned a non-ok exit code, but "
                                            "this is not allowed")
    assert results["skip_in_body"].reason == "no_such_module is not loaded"


def test_a_failed_check_says_what_differed_and_ends_the_body(results):
    stderr = results["mismatch"].stderr
    assert "Fail: stdout is not the inline text 'expected\\n'\nstdout:\nactual\n" in stderr
    assert "not reached" not in results["mismatch"].stdout


def test_programs_are_installed_where_freebsd_installs_them():
    assert installed_path("tests/sys/common/vnet.subr") == "/usr/tests/sys/common/vnet.subr"
    assert program_path("tests/sys/net/if_bridge_test.sh") == "/usr/tests/sys/net/if_bridge_test"
    assert program_path("sbin/ifconfig/tests/inet6.sh") == "/usr/tests/sbin/ifconfig/inet6"
    # so that inet6.sh's $(atf_get_srcdir)/../../sys/common/vnet.subr is vnet.subr
    assert installed_path("usr.sbin/jail/tests/commands.jail.conf") \
        == "/usr/tests/usr.sbin/jail/commands.jail.conf"


def test_atf_check_defaults_and_escapes():
    spec = CheckSpec.parse(["-o", "ignore", "ls", "-l"])
    assert (spec.status, spec.stdout, spec.stderr, spec.command) == (
        ["exit:0"], ["ignore"], ["empty"], ["ls", "-l"])
    assert CheckSpec.parse(["-x", "a | b"]).shell
    assert decode("a\\tb\\n\\\\") == "a\tb\n\\"
    with pytest.raises(ValueError):
        CheckSpec.parse(["-s", "exit:0"])


def test_the_command_line(capsys):
    status = main([str(ROOT), PROGRAM, "checks", "missing"])
    assert status == 0
    assert capsys.readouterr().out == (
        f"{PROGRAM}:checks  passed\n"
        f"{PROGRAM}:missing  skipped: Required program 'no_such_program_here' not found in PATH\n"
        "1 passed / 1 runnable (1 skipped, 0 expected failures, 0 failed, 0 broken)\n")
    assert main([str(ROOT), PROGRAM, "mismatch"]) == 1


def test_a_program_that_does_not_load_is_broken(tmp_path):
    program = tmp_path / "tests" / "bad_test.sh"
    program.parent.mkdir()
    program.write_text("atf_init_test_cases()\n{\n\tif true; then\n}\n")
    [result] = run_program(tmp_path, "tests/bad_test.sh")
    assert (result.case, result.result) == ("(program)", BROKEN)
    assert "Syntax error" in result.reason
