"""A stand-in for atf-sh(1) and kyua(1): FreeBSD's own shell test programs,
run unmodified on fresh sim:// hosts.

The test programs are read from a copy of FreeBSD's source tree (ROOT, laid
out as freebsd-src is) and installed where FreeBSD installs them, under
/usr/tests (tests/sys/net/X.sh becomes /usr/tests/sys/net/X, sbin/ping/tests/X.sh
/usr/tests/sbin/ping/X), with every other file of ROOT beside them, so that a
program's ``. $(atf_get_srcdir)/../common/vnet.subr`` finds its helpers.

Each test case runs as kyua runs it: on a host of its own (a fresh
``sim://``), in a work directory of its own; a process loads the program
and runs the case's head and body, then another loads it again and runs
the cleanup (atf-test-case(4)). The atf-sh API (atf-sh(3)) is given to the
program as shell functions, as libatf-sh.subr gives them; they are written
here in Python over the sim's sh. As with the real atf-sh:

- the body does not run under ``set -e``: a command that fails does not end
  it; atf_fail, atf_skip, atf_pass and a failing atf_check do (they exit the
  shell they run in, so inside $(...) only that subshell);
- a body that returns a non-zero status fails the case;
- the last result written wins (the results file);
- atf_check runs its command as a program (execvp, not a shell function),
  checks its exit status and output as atf-check(1) does, defaulting to
  ``-s exit:0 -o empty -e empty``, and prints what differed on stderr.

Usage: ``python -m tests.atf_sh ROOT PROGRAM [CASE ...]`` (PROGRAM relative
to ROOT, e.g. tests/sys/net/if_bridge_test.sh); ``-v NAME=VALUE`` sets a
configuration variable (atf_config_get); ``-k MODULE`` loads a kernel module on
each host first, ``-k NAME=VALUE`` sets a loader tunable before (FreeBSD's test
machines load pf, ipfw ... with net.inet.ip.fw.default_to_accept=1);
``--output`` shows what a case that did not pass wrote. From Python:
run_program()."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import jailkit
from jailkit.hosts.sim import SimHost
from jailkit.sim.errno import OSErr
from jailkit.sim.kernel import Deadline, Interrupted
from jailkit.sim.proc import Buffer, FileOutput, Input, Output, Proc, root_env, signal_number
from jailkit.sim.sh.shell import ExitShell, Shell, ShellError
from jailkit.sim.vfs import File

INSTALL_ROOT = "/usr/tests"
# kyua's default timeout for a test case (kyua.conf(5)), in virtual seconds.
DEFAULT_TIMEOUT = 300.0
# What a case ends as (kyua's result types).
PASSED, FAILED, SKIPPED, XFAIL, BROKEN = (
    "passed", "failed", "skipped", "expected_failure", "broken")


@dataclass
class CaseResult:
    program: str
    case: str
    result: str             # PASSED, FAILED, SKIPPED, XFAIL or BROKEN
    reason: str = ""
    stdout: str = ""
    stderr: str = ""

    def __str__(self) -> str:
        line = f"{self.program}:{self.case}  {self.result}"
        return f"{line}: {self.reason}" if self.reason else line


def installed_path(source: str) -> str:
    """Where FreeBSD installs a file of its tests: tests/X goes to
    /usr/tests/X, DIR/tests/X to /usr/tests/DIR/X (share/mk/bsd.test.mk
    TESTSDIR); a test program loses its .sh."""
    path = PurePosixPath(source)
    parts = list(path.parts)
    if parts[0] == "tests":
        parts = parts[1:]
    elif "tests" in parts:
        parts.remove("tests")
    return str(PurePosixPath(INSTALL_ROOT, *parts))


def program_path(source: str) -> str:
    installed = installed_path(source)
    return installed[:-3] if installed.endswith(".sh") else installed


def install(host: SimHost, root: Path, program: str) -> str:
    """Copy every file of ROOT into the host's /usr/tests, the program
    executable and without its .sh; returns the program's path there."""
    vfs = host.machine.kernel.vfs
    target = program_path(program)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in PurePosixPath(relative).parts):
            continue
        is_program = relative == program
        where = target if is_program else installed_path(relative)
        vfs.mkdir(str(PurePosixPath(where).parent), parents=True)
        vfs.write(where, path.read_text(), mode=0o755 if is_program else 0o644)
    return target


# -- one test program's atf-sh ------------------------------------------------------
class Finished(ExitShell):
    """atf_pass, atf_fail or atf_skip: the shell exits (0, or 1 for a failure)."""


@dataclass
class Case:
    """What libatf-sh keeps of a test case while its program runs."""
    name: str
    has_cleanup: bool = False
    vars: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    """The results file: the last result written wins."""
    result: str | None = None
    reason: str = ""
    expect: str = "pass"
    expect_reason: str = ""

    def write(self, result: str, reason: str = "") -> None:
        self.result, self.reason = result, reason


class AtfSh:
    """The atf-sh API of one process that loads ``program``: shell functions
    in Python, installed into the shell that reads the program."""

    def __init__(self, program: str, outcome: Outcome, config: dict[str, str]) -> None:
        self.program = program
        self.srcdir = str(PurePosixPath(program).parent)
        self.outcome = outcome
        self.config = config
        self.cases: dict[str, Case] = {}
        self.added: list[str] = []
        self.current: Case | None = None
        self.in_head = False

    def functions(self) -> dict[str, Callable[[Shell, list[str]], int]]:
        return {
            "atf_test_case": self.test_case, "atf_add_test_case": self.add_test_case,
            "atf_set": self.set, "atf_get": self.get, "atf_get_srcdir": self.get_srcdir,
            "atf_config_get": self.config_get, "atf_config_has": self.config_has,
            "atf_check": self.check, "atf_check_equal": self.check_equal,
            "atf_check_not_equal": self.check_not_equal,
            "atf_fail": self.fail, "atf_skip": self.skip, "atf_pass": self.pass_,
            "atf_expect_fail": self.expect_fail, "atf_expect_pass": self.expect_pass,
            "atf_require_prog": self.require_prog,
        }

    # -- definitions ---------------------------------------------------------------
    def test_case(self, sh: Shell, args: list[str]) -> int:
        """atf_test_case NAME [cleanup]: the case's parts default to a head
        that sets nothing, a body that fails and a cleanup that does nothing."""
        name = args[0]
        case = self.cases[name] = Case(name, has_cleanup=args[1:2] == ["cleanup"])
        sh.functions[f"{name}_head"] = _nothing
        sh.functions[f"{name}_body"] = lambda s, a: self.fail(s, ["Test case not implemented"])
        sh.functions[f"{name}_cleanup"] = _nothing if case.has_cleanup else self._no_cleanup
        return 0

    def _no_cleanup(self, sh: Shell, args: list[str]) -> int:
        return self._error(sh, "test case declared without a cleanup routine")

    def add_test_case(self, sh: Shell, args: list[str]) -> int:
        self.added.append(args[0])
        return 0

    def set(self, sh: Shell, args: list[str]) -> int:
        if not self.in_head or self.current is None:
            return self._error(sh, "atf_set called from the test case's body")
        self.current.vars[args[0]] = " ".join(args[1:])
        return 0

    def get(self, sh: Shell, args: list[str]) -> int:
        value = self.current.vars.get(args[0], "") if self.current else ""
        sh.proc.write(value + "\n")
        return 0

    def get_srcdir(self, sh: Shell, args: list[str]) -> int:
        sh.proc.write(self.srcdir + "\n")
        return 0

    def config_get(self, sh: Shell, args: list[str]) -> int:
        if args[0] in self.config:
            sh.proc.write(self.config[args[0]] + "\n")
            return 0
        if len(args) > 1:
            sh.proc.write(args[1] + "\n")
            return 0
        return self._error(sh, f"Could not find configuration variable `{args[0]}'")

    def config_has(self, sh: Shell, args: list[str]) -> int:
        return 0 if args[0] in self.config else 1

    # -- results -------------------------------------------------------------------
    def fail(self, sh: Shell, args: list[str]) -> int:
        message = " ".join(args)
        if self.outcome.expect == "fail":
            self.outcome.write(XFAIL, f"{self.outcome.expect_reason}: {message}")
            raise Finished(0)
        self.outcome.write(FAILED, message)
        raise Finished(1)

    def skip(self, sh: Shell, args: list[str]) -> int:
        self.outcome.write(SKIPPED, " ".join(args))
        raise Finished(0)

    def pass_(self, sh: Shell, args: list[str]) -> int:
        if self.outcome.expect == "fail":
            self.outcome.expect = "pass"
            return self.fail(sh, ["Test case was expecting a failure but got a pass instead"])
        self.outcome.write(PASSED)
        raise Finished(0)

    def expect_fail(self, sh: Shell, args: list[str]) -> int:
        self.outcome.expect, self.outcome.expect_reason = "fail", " ".join(args)
        return 0

    def expect_pass(self, sh: Shell, args: list[str]) -> int:
        self.outcome.expect, self.outcome.expect_reason = "pass", ""
        return 0

    def require_prog(self, sh: Shell, args: list[str]) -> int:
        prog = args[0]
        if "/" in prog and not prog.startswith("/"):
            return self.fail(sh, [f"atf_require_prog does not accept relative path names `{prog}'"])
        if not _found(sh.proc, prog):
            return self.skip(sh, [f"The required program {prog} could not be found in the PATH"])
        return 0

    def _error(self, sh: Shell, message: str) -> int:
        sh.proc.error(f"{PurePosixPath(self.program).name}: ERROR: {message}\n")
        raise ExitShell(1)

    # -- checks --------------------------------------------------------------------
    def check_equal(self, sh: Shell, args: list[str]) -> int:
        left, right = (sh.expand_heredoc(a) for a in args[:2])
        if left != right:
            return self.fail(sh, [f"{args[0]} != {args[1]} ({left} != {right})"])
        return 0

    def check_not_equal(self, sh: Shell, args: list[str]) -> int:
        left, right = (sh.expand_heredoc(a) for a in args[:2])
        if left == right:
            return self.fail(sh, [f"{args[0]} == {args[1]} ({left} == {right})"])
        return 0

    def check(self, sh: Shell, args: list[str]) -> int:
        """atf_check: atf-check(1), then atf_fail when a check failed."""
        try:
            spec = CheckSpec.parse(args)
        except ValueError as exc:
            sh.proc.error(f"atf-check: {exc}\n")
            return self.fail(sh, ["atf-check failed; see the output of the test for details"])
        status, out, err = _run(sh, spec.command, spec.shell)
        problems = spec.status_problems(status)
        problems += spec.output_problems(sh, "stdout", spec.stdout, out)
        problems += spec.output_problems(sh, "stderr", spec.stderr, err)
        if not problems:
            return 0
        shown = " ".join(spec.command)
        sh.proc.error(f"Executing command [ {shown} ]\n")
        for problem in problems:
            sh.proc.error(f"Fail: {problem}\n")
        sh.proc.error(_shown("stdout", out) + _shown("stderr", err))
        return self.fail(sh, [f"atf-check failed: [ {shown} ]: {problems[0]}"])


def _nothing(sh: Shell, args: list[str]) -> int:
    return 0


def _found(proc: Proc, prog: str) -> bool:
    try:
        proc.find_executable(prog)
    except OSErr:
        return False
    return True


def _shown(name: str, text: str) -> str:
    return f"{name}:\n{text}" + ("" if not text or text.endswith("\n") else "\n")


def _run(sh: Shell, command: list[str], shell: bool) -> tuple[int, str, str]:
    """Run ``command`` as a child of ``sh`` (execvp; -x: with /bin/sh -c),
    catching what it writes."""
    out, err = Buffer(), Buffer()
    saved = sh.proc
    sh.proc = saved.child(stdout=out, stderr=err)
    try:
        argv = ["/bin/sh", "-c", " ".join(command)] if shell else command
        status = sh.exec_external(argv, sh.environ())
    finally:
        sh.proc = saved
    return status, out.getvalue(), err.getvalue()


# atf-check(1)'s backslash escapes in inline: (atf-c++'s text decoding)
ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
           "v": "\v", "\\": "\\", "'": "'", '"': '"'}

def decode(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in ESCAPES:
                out.append(ESCAPES[nxt])
                i += 2
                continue
            if nxt == "0":
                digits = re.match(r"[0-7]{1,3}", text[i + 2:])
                value = digits.group() if digits else "0"
                out.append(chr(int(value, 8)))
                i += 2 + (len(digits.group()) if digits else 0)
                continue
        out.append(char)
        i += 1
    return "".join(out)


def posix_regex(pattern: str) -> re.Pattern[str]:
    """A POSIX extended regular expression as FreeBSD's regcomp(3) takes it,
    for Python: its word boundaries \\< \\> and bracket classes."""
    translated = pattern.replace(r"\<", r"\b").replace(r"\>", r"\b")
    for name, chars in (("space", r"\s"), ("digit", r"\d"), ("alpha", "a-zA-Z"),
                        ("alnum", "a-zA-Z0-9"), ("upper", "A-Z"), ("lower", "a-z"),
                        ("xdigit", "0-9A-Fa-f"), ("blank", " \\t"), ("punct", r"!-/:-@\[-`{-~")):
        translated = translated.replace(f"[:{name}:]", chars)
    return re.compile(translated)


@dataclass
class CheckSpec:
    status: list[str]
    stdout: list[str]
    stderr: list[str]
    shell: bool
    command: list[str]

    @classmethod
    def parse(cls, args: list[str]) -> "CheckSpec":
        """atf-check's options (getopt "+s:o:e:x"), then the command."""
        status: list[str] = []
        stdout: list[str] = []
        stderr: list[str] = []
        shell = False
        rest = list(args)
        while rest and rest[0].startswith("-") and rest[0] != "-":
            arg = rest.pop(0)
            if arg == "--":
                break
            flag, value = arg[1], arg[2:]
            if flag == "x" and not value:
                shell = True
                continue
            if flag not in "soe":
                raise ValueError(f"unknown option -{flag}")
            if not value:
                if not rest:
                    raise ValueError(f"option -{flag} requires an argument")
                value = rest.pop(0)
            {"s": status, "o": stdout, "e": stderr}[flag].append(value)
        if not rest:
            raise ValueError("no command given")
        return cls(status or ["exit:0"], stdout or ["empty"], stderr or ["empty"], shell, rest)

    def status_problems(self, status: int) -> list[str]:
        # The sim's programs report death by a signal as sh does, 128 + N.
        signo = status - 128 if 128 < status <= 128 + 32 else None
        problems = []
        for check in self.status:
            negate = check.startswith("not-")
            kind, _, value = check.removeprefix("not-").partition(":")
            if kind == "ignore":
                continue
            if kind == "exit":
                ok = signo is None and (not value or status == int(value))
                what = f"exit status: {status}, expected: {check}"
            elif kind == "signal":
                wanted = signal_number(value) if value else None
                ok = signo is not None and (wanted is None or signo == wanted)
                what = f"termination status: {status}, expected: {check}"
            else:
                problems.append(f"unknown status check {check}")
                continue
            if ok == negate:
                problems.append(f"incorrect {what}")
        return problems

    def output_problems(self, sh: Shell, name: str, checks: list[str], text: str) -> list[str]:
        problems = []
        for check in checks:
            negate = check.startswith("not-")
            kind, _, value = check.removeprefix("not-").partition(":")
            if kind == "ignore":
                continue
            if kind == "save":
                sh.proc.kernel.vfs.write(value, text, **sh.proc.where())
                continue
            if kind == "empty":
                ok, what = text == "", f"{name} is not empty"
            elif kind == "inline":
                ok = text == decode(value)
                what = f"{name} is not the inline text {decode(value)!r}"
            elif kind == "file":
                try:
                    expected = sh.proc.kernel.vfs.read(value, **sh.proc.where())
                except OSErr as exc:
                    problems.append(f"cannot read {value}: {exc.strerror}")
                    continue
                ok, what = text == expected, f"{name} does not match the contents of {value}"
            elif kind == "match":
                regex = posix_regex(value)
                ok = any(regex.search(line) for line in text.split("\n"))
                what = f"{name} does not match regexp '{value}'"
            else:
                problems.append(f"unknown output check {check}")
                continue
            if ok == negate:
                problems.append(what if not negate else f"{name} matches '{check}', "
                                                        "which it must not")
        return problems


# -- running a case -----------------------------------------------------------------
def _process(host: SimHost, cwd: str, out: Output, err: Output) -> Proc:
    """A process as kyua starts a test: root, in the work directory, which is
    also its HOME and TMPDIR (kyua's isolation)."""
    kernel = host.machine.kernel
    env = root_env()
    env.update(HOME=cwd, TMPDIR=cwd, PWD=cwd)
    return Proc(kernel, kernel.prison0, cwd, env, Input(""), out, err, argv0="atf-sh")


class Loaded:
    """A process that read the program (and ran atf_init_test_cases). Its
    output goes to files beside the work directory, as kyua's does: a
    background job that goes on writing (nc -l, tcpdump) is nobody's pipe."""

    def __init__(self, host: SimHost, program: str, cwd: str, config: dict[str, str],
                 part: str = "body") -> None:
        vfs = host.machine.kernel.vfs
        control = str(PurePosixPath(cwd).parent)
        self.out, self.err = (FileOutput(_new_file(host, f"{control}/{part}.{name}"))
                              for name in ("stdout", "stderr"))
        self.outcome = Outcome()
        self.api = AtfSh(program, self.outcome, config)
        proc = _process(host, cwd, self.out, self.err)
        self.shell = Shell(proc, name=program, command_name=program, script=True)
        self.shell.functions.update(self.api.functions())
        source = host.machine.kernel.vfs.read(program)
        self.status = self.shell.run_source(source)
        if self.status == 0 and "atf_init_test_cases" in self.shell.functions:
            self.status = self.call("atf_init_test_cases")

    def call(self, function: str) -> int:
        try:
            return self.shell.call_function(function, [])
        except ExitShell as done:
            return done.status
        except ShellError:
            return 2

    def head(self, name: str) -> Case:
        case = self.api.cases.get(name) or Case(name)
        self.api.current = case
        self.api.in_head = True
        try:
            self.call(f"{name}_head")
        finally:
            self.api.in_head = False
        return case


class NotLoaded(Exception):
    """The program could not be read (a syntax error, a failing command at
    its top level): kyua reports it broken."""


def list_cases(root: Path, program: str, config: dict[str, str] | None = None,
               kmods: Iterable[str] = ()) -> list[str]:
    """The cases the program adds, in its order (atf-sh -l)."""
    host = _fresh_host(kmods)
    path = install(host, root, program)
    loaded = Loaded(host, path, _workdir(host, "list"), config or {})
    if loaded.status != 0:
        raise NotLoaded(f"exit status {loaded.status}: {loaded.err.node.data.strip()}")
    if not loaded.api.added:
        raise NotLoaded(f"it adds no test case: {loaded.err.node.data.strip()}")
    return list(loaded.api.added)


def run_case(root: Path, program: str, name: str, config: dict[str, str] | None = None,
             kmods: Iterable[str] = ()) -> CaseResult:
    """One case on a fresh host (with ``kmods`` loaded first, as FreeBSD's
    test machines load the modules the tests need): head, requirements,
    body, then cleanup."""
    config = config or {}
    host = _fresh_host(kmods)
    path = install(host, root, program)
    cwd = _workdir(host, name)
    body = Loaded(host, path, cwd, config)
    if body.status != 0:
        return _result(program, name, BROKEN, "the program did not load (exit status "
                       f"{body.status})", body)
    if name not in body.api.added:
        return _result(program, name, BROKEN, f"the program has no test case {name!r}", body)
    case = body.head(name)
    unmet = _unmet(body.shell, case, config)
    if unmet:
        return _result(program, name, SKIPPED, unmet, body)
    timeout = float(case.vars.get("timeout", DEFAULT_TIMEOUT))
    result, reason = _run_part(host, body, f"{name}_body", timeout)
    outputs = [body]
    if case.has_cleanup:
        cleanup = Loaded(host, path, cwd, config, part="cleanup")
        cleanup.head(name)
        status, _ = _run_part(host, cleanup, f"{name}_cleanup", timeout, cleanup=True)
        outputs.append(cleanup)
        if status != PASSED and result == PASSED:
            result, reason = BROKEN, "the test case cleanup did not succeed"
    return _result(program, name, result, reason, *outputs)


def _run_part(host: SimHost, loaded: Loaded, function: str, timeout: float,
              cleanup: bool = False) -> tuple[str, str]:
    outcome = loaded.outcome
    kernel = host.machine.kernel
    try:
        with kernel.deadline(timeout):
            status = loaded.shell.call_function(function, [])
    except Finished:
        status = None
    except ExitShell as done:
        if cleanup:
            return (PASSED, "") if done.status == 0 else (FAILED, f"exit {done.status}")
        if outcome.result is None:
            return BROKEN, f"premature exit with status {done.status}"
        status = None
    except ShellError:
        status = 2
    except Deadline:
        return BROKEN, "the test case timed out"
    except Interrupted:
        return BROKEN, "the test case got SIGINT"
    if cleanup:
        return (PASSED, "") if not status else (FAILED, f"returned {status}")
    if status is not None:
        if status != 0:
            outcome.expect = "pass"
            outcome.write(FAILED, "Test case body returned a non-ok exit code, but this is "
                                  "not allowed")
        elif outcome.expect == "fail":
            outcome.expect = "pass"
            outcome.write(FAILED, "Test case was expecting a failure but none were raised")
        else:
            outcome.write(PASSED)
    return outcome.result or BROKEN, outcome.reason


def _unmet(sh: Shell, case: Case, config: dict[str, str]) -> str:
    """kyua's check of a case's requirements: why it is skipped, or ''."""
    user = case.vars.get("require.user", "")
    if user == "unprivileged":
        return "Requires an unprivileged user"
    for prog in case.vars.get("require.progs", "").split():
        if not _found(sh.proc, prog):
            return f"Required program '{prog}' not found in PATH"
    for name in case.vars.get("require.config", "").split():
        if name not in config:
            return f"Required configuration property '{name}' not defined"
    for kmod in case.vars.get("require.kmods", "").split():
        if _run(sh, ["kldstat", "-q", "-m", kmod], False)[0] != 0:
            return f"Required kmod '{kmod}' not loaded"
    return ""


def _new_file(host: SimHost, path: str) -> File:
    node = host.machine.kernel.vfs.write(path, "")
    assert isinstance(node, File)
    return node


def _fresh_host(kmods: Iterable[str] = ()) -> SimHost:
    """A new sim host; ``kmods`` are kernel modules to load first, or
    NAME=VALUE loader tunables to set before them (kenv)."""
    host = jailkit.connect("sim://")
    assert isinstance(host, SimHost)
    for kmod in kmods:
        host.run(["kenv", kmod] if "=" in kmod else ["kldload", "-n", kmod]).check()
    return host


def _workdir(host: SimHost, name: str) -> str:
    path = f"/tmp/kyua.{name}/work"
    host.machine.kernel.vfs.mkdir(path, parents=True)
    return path


def _result(program: str, name: str, result: str, reason: str, *parts: Loaded) -> CaseResult:
    return CaseResult(program, name, result, reason, "".join(p.out.node.data for p in parts),
                      "".join(p.err.node.data for p in parts))


def run_program(root: Path, program: str, cases: Iterable[str] = (),
                config: dict[str, str] | None = None,
                kmods: Iterable[str] = ()) -> list[CaseResult]:
    """Every case of ``program`` (or those named), each on a fresh host; a
    program that does not load is one broken result named "(program)"."""
    kmods = list(kmods)
    try:
        names = list(cases) or list_cases(root, program, config, kmods)
    except NotLoaded as exc:
        return [CaseResult(program, "(program)", BROKEN, f"it does not load: {exc}")]
    return [run_case(root, program, name, config, kmods) for name in names]


def summary(results: list[CaseResult]) -> str:
    """"P passed / R runnable (S skipped, X expected failures)"; runnable:
    not skipped."""
    count = {kind: sum(r.result == kind for r in results) for kind in
             (PASSED, FAILED, SKIPPED, XFAIL, BROKEN)}
    runnable = len(results) - count[SKIPPED]
    return (f"{count[PASSED]} passed / {runnable} runnable ({count[SKIPPED]} skipped, "
            f"{count[XFAIL]} expected failures, {count[FAILED]} failed, {count[BROKEN]} broken)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.atf_sh", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("root", type=Path, help="a copy of FreeBSD's source tree (its test files)")
    parser.add_argument("program", help="the test program, relative to ROOT")
    parser.add_argument("cases", nargs="*", help="the cases to run (default: all)")
    parser.add_argument("-v", dest="config", action="append", default=[], metavar="NAME=VALUE",
                        help="a configuration variable")
    parser.add_argument("-k", dest="kmods", action="append", default=[], metavar="MODULE",
                        help="a kernel module to load on each host first (kldload -n), or "
                             "a loader tunable NAME=VALUE to set before (kenv)")
    parser.add_argument("--output", action="store_true",
                        help="show what each case that did not pass wrote")
    args = parser.parse_args(argv)
    config = dict(item.partition("=")[::2] for item in args.config)
    results = run_program(args.root, args.program, args.cases, config, args.kmods)
    for result in results:
        print(result)
        written = (result.stdout + result.stderr).rstrip()
        if args.output and written and result.result not in (PASSED, SKIPPED):
            print("  " + written.replace("\n", "\n  "))
    print(summary(results))
    return 0 if all(r.result in (PASSED, SKIPPED, XFAIL) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
