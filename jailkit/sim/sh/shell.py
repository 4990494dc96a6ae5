"""The interpreter of the sim's sh: expansion, redirection, pipelines,
compound commands and functions, over the sim's processes and files.

Pipelines run their stages one after the other, each reading what the
previous one wrote: the sim's programs are not concurrent. A stage without
an end (ping without -c) runs until SIGINT (^C, or its session's limit);
the SIGINT reaches the whole pipeline, so the later stages still read what
it wrote and then die of it too."""

from __future__ import annotations

import fnmatch
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from ..errno import EACCES, EBADF, EEXIST, EISDIR, ENOENT, OSErr
from ..proc import (SIGINT_STATUS, SOURCED, Buffer, FileOutput, Input, Interrupted, Output, Proc,
                    Sink, running)
from ..vfs import Device, File
from . import syntax as S
from .arith import ArithError, evaluate

IFS_WHITESPACE = " \t\n"
# the characters that make a word a pattern for pathname expansion
_GLOB_CHARS = S.PATTERN_CHARS


# sh's built-in commands by name; sh/builtins.py registers them
# (bin/sh/builtins.def). SPECIAL: POSIX's special built-ins, whose
# assignments stay and which come before functions.
Builtin = Callable[["Shell", list[str]], int]
BUILTINS: dict[str, Builtin] = {}
# A shell function: a parsed body, or Python for a modelled library's
# functions (rc.subr's, see rcconf).
Function = Builtin | S.Command
SPECIAL = {":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly",
           "return", "set", "shift", "trap", "unset"}


def builtin(*names: str) -> Callable[[Builtin], Builtin]:
    """Register the decorated function as the built-in ``names``."""
    def register(func: Builtin) -> Builtin:
        for name in names:
            BUILTINS[name] = func
        return func
    return register


class ExitShell(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class ReturnFromFunction(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class LoopControl(Exception):
    def __init__(self, kind: str, levels: int) -> None:
        super().__init__(kind)
        self.kind = kind
        self.levels = levels


# bin/sh/options.h: the options by letter and name, in the order $- and
# `set -o` show them; the last three have no letter.
OPTIONS = [("e", "errexit"), ("f", "noglob"), ("I", "ignoreeof"), ("i", "interactive"),
           ("m", "monitor"), ("n", "noexec"), ("s", "stdin"), ("x", "xtrace"), ("v", "verbose"),
           ("V", "vi"), ("E", "emacs"), ("C", "noclobber"), ("a", "allexport"), ("b", "notify"),
           ("u", "nounset"), ("p", "privileged"), ("T", "trapsasync"), ("P", "physical"),
           ("h", "trackall"), ("", "nolog"), ("", "pipefail"), ("", "verify")]
OPTION_NAMES = {letter: name for letter, name in OPTIONS if letter}


class ShellError(Exception):
    """An error that ends a non-interactive shell (exit status 2)."""


@dataclass
class Job:
    """A background job (cmd &) of this shell, as jobs(1) numbers it.

    The sim runs a job in place when it starts, to its end; what it leaves
    running (a listening nc, a tcpdump capture: programs that wait for
    packets, not for time) goes on while the shell does, as a process with
    ``pid``. The job is running while that process is."""
    number: int
    pid: int
    command: str
    status: int | None = None       # None while running


# Turns a job's loops may take before the job counts as one that never ends
# (`while true; do ...; done &`, which runs until it is killed): the sim runs
# a job in place, so such a job is stopped there and left as a process.
JOB_TURNS = 1000


class JobLimit:
    """The bound of a job run in place: its loops' turns, and the time a
    job of a login session may run (BACKGROUND_LIMIT)."""

    def __init__(self) -> None:
        self.turns = 0

    def turn(self) -> None:
        self.turns += 1
        if self.turns > JOB_TURNS:
            raise JobStopped()


class JobStopped(Exception):
    """A job that does not end by itself was stopped where it ran: it goes
    on, as far as the shell can tell, until it is killed."""


def _job_text(node: S.AndOr) -> str:
    """The job's command as jobs(1) shows it (the words, unexpanded)."""
    def words(pipeline: S.Pipeline) -> str:
        return " | ".join(" ".join(_word_text(w) for w in c.words) if isinstance(c, S.Simple)
                          else "(...)" for c in pipeline.commands)
    text = words(node.first)
    for op, pipeline in node.rest:
        text += f" {op} {words(pipeline)}"
    return text


def _word_text(word: S.Word) -> str:
    def part(p: S.Part) -> str:
        if isinstance(p, S.Lit):
            return f"'{p.text}'" if p.quoted else p.text
        if isinstance(p, S.Param):
            return f"${{{p.name}}}" if p.op else f"${p.name}"
        return "$(...)" if isinstance(p, S.CmdSub) else "$((...))"
    return "".join(part(p) for p in word.parts)


class Shell:
    def __init__(self, proc: Proc, *, name: str = "sh", args: list[str] | None = None,
                 command_name: str | None = None, script: bool = False) -> None:
        self.proc = proc
        self.vars: dict[str, str] = dict(proc.env)
        self.exported: set[str] = set(proc.env)
        self.functions: dict[str, Function] = {}
        self.name = name
        self.args = list(args or [])
        self.status = 0
        self.last_bg = ""
        self.jobs: list[Job] = []
        # trap(1)'s actions by condition (EXIT, INT, TERM ...); "" ignores it.
        self.traps: dict[str, str] = {}
        self.exited = False             # the EXIT trap ran (it runs once)
        self.job_limit: JobLimit | None = None  # inside a job: its bound
        self.options: set[str] = set()       # set -o's names of those that are on
        self.in_condition = 0
        self.substituted: int | None = None     # the last $(...)'s status in this command
        self.locals: list[dict[str, str | None]] = []
        self.readonly: set[str] = set()         # readonly's names: no assignment changes them
        self.command_name = command_name or name  # prefix of error messages
        self.script = script                      # reading a file: messages carry line numbers
        # bin/sh/cd.c pwd_init(): PWD is the working directory from the
        # start, and exported.
        self.vars["PWD"] = proc.cwd
        self.exported.add("PWD")
        self.vars.setdefault("IFS", IFS_WHITESPACE)
        self.vars.setdefault("PS1", "# " if proc.user == "root" else "$ ")

    @property
    def umask(self) -> int:
        """umask(2) of the shell's process, as the umask built-in sets and
        shows it; what the shell starts inherits it."""
        return self.proc.umask

    @umask.setter
    def umask(self, mask: int) -> None:
        self.proc.umask = mask

    @property
    def errexit(self) -> bool:
        return "errexit" in self.options

    @errexit.setter
    def errexit(self, on: bool) -> None:
        self.set_option("errexit", on)

    def set_option(self, name: str, on: bool) -> None:
        """setoption(): vi and emacs editing exclude each other."""
        if on:
            self.options.add(name)
            self.options.discard({"vi": "emacs", "emacs": "vi"}.get(name, ""))
        else:
            self.options.discard(name)

    # -- entry points -----------------------------------------------------------
    def run_source(self, source: str) -> int:
        if "verbose" in self.options:
            # -v: the input as it is read (the sim reads all of it at once)
            self.proc.error(source if source.endswith("\n") or not source else source + "\n")
        try:
            tree = S.parse(source)
        except S.ShellSyntaxError as exc:
            self.proc.error(f"{self._prefix(exc.line)}Syntax error: {exc}\n")
            return 2
        try:
            status = self.run_list(tree)
        except ExitShell as done:
            status = done.status
        except ReturnFromFunction as ret:
            # return outside a function or dot script stops reading the
            # script, as at its end (bin/sh/main.c cmdloop() on SKIPRETURN).
            status = ret.status
        except ShellError:
            status = 2
        return self.exiting(status)

    def _prefix(self, line: int | None = None) -> str:
        # bin/sh synerror(): "script: LINE: " for a script, "sh: " for -c.
        if self.script and line is not None:
            return f"{self.command_name}: {line}: "
        return f"{self.command_name}: "

    def as_process(self, run: Callable[[], int]) -> int:
        """``run()`` in this shell as the process of its own it is on
        FreeBSD (a ( ) subshell, a pipeline stage, a job): exit ends it
        with its status, an error with 2, neither the shell that forked it."""
        try:
            return run()
        except ExitShell as done:
            return done.status
        except ShellError:
            return 2

    def subshell(self, proc: Proc | None = None) -> "Shell":
        """A copy of this shell for ( ), $( ) and pipeline stages: what it
        changes (variables, directory) stays in it."""
        clone = Shell(proc or self.proc.child(env=self.proc.env), name=self.name, args=self.args,
                      command_name=self.command_name, script=self.script)
        clone.vars = dict(self.vars)
        clone.exported = set(self.exported)
        clone.functions = dict(self.functions)
        clone.status = self.status
        clone.options = set(self.options)
        clone.readonly = set(self.readonly)
        clone.job_limit = self.job_limit
        # A subshell resets the traps it has actions for; ignored ones stay
        # ignored (POSIX "Shell Execution Environment").
        clone.traps = {name: action for name, action in self.traps.items() if action == ""}
        return clone

    def exiting(self, status: int) -> int:
        """The shell ends with ``status``: its EXIT trap runs first, once
        (bin/sh/trap.c exitshell_savedstatus()); an exit in the trap sets
        the status."""
        action = self.traps.get("EXIT")
        if self.exited or not action:
            return status
        self.exited = True
        self.status = status
        try:
            self.run_list(S.parse(action))
        except ExitShell as done:
            return done.status
        except (ReturnFromFunction, ShellError, S.ShellSyntaxError):
            pass
        return status

    def environ(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in self.vars.items() if k in self.exported}
        env.update(extra or {})
        return env

    # -- lists and compound commands --------------------------------------------
    def run_list(self, node: S.CommandList) -> int:
        status = 0
        for and_or, background in node.items:
            if "noexec" in self.options:
                break       # -n: commands are read, not run (eval.c evaltree())
            if background:
                self.start_job(and_or)
                status = 0
            else:
                status = self.run_and_or(and_or)
            self.status = status
        return status

    def start_job(self, node: S.AndOr) -> Job:
        """``cmd &``: the job runs in a subshell, in place, to its end (the
        sim runs one program at a time, deterministically); a program it
        leaves waiting for packets (nc -l, tcpdump) goes on as the job's
        process. $! names that process, or the job's own when none is left."""
        kernel = self.proc.kernel
        before = {p.pid for p in kernel.processes}
        status: int | None
        job = self.subshell()
        job.job_limit = JobLimit()
        with kernel.background():
            try:
                status = job.as_process(lambda: job.run_and_or(node))
            except Interrupted:
                status = SIGINT_STATUS      # stopped at its limit
            except JobStopped:
                # it would go on until killed: its process stays
                kernel.spawn(self.proc.prison.jid, "sh", self.proc.user)
                status = None
        left = [p for p in kernel.processes if p.pid not in before]
        if left:
            pid, status = left[-1].pid, None
        else:
            pid = kernel.next_pid
        # the first free slot of the job table (bin/sh/jobs.c makejob())
        taken = {j.number for j in self.jobs}
        number = next(n for n in range(1, len(taken) + 2) if n not in taken)
        record = Job(number, pid, _job_text(node), status)
        self.jobs.append(record)
        self.last_bg = str(pid)
        return record

    def job_status(self, job: Job) -> int | None:
        """The job's exit status, or None while its process runs (one that
        ended by itself, a peer served, exits 0)."""
        if job.status is None and not running(self.proc.kernel, job.pid):
            job.status = 0
        return job.status

    def wait_job(self, job: Job) -> int:
        """wait(1) for one job: time passes until its process is gone (a
        signal or a deadline can end the wait)."""
        while self.job_status(job) is None:
            self.proc.kernel.advance(1.0)
        status = job.status
        assert status is not None
        return status

    def run_and_or(self, node: S.AndOr) -> int:
        if not node.rest:
            status = self.status = self.run_pipeline(node.first)
            return status
        # Every pipeline but the last of an && / || list is a condition:
        # its failure does not trigger set -e.
        steps = [("", node.first)] + node.rest
        status = 0
        for index, (op, pipeline) in enumerate(steps):
            if index and not ((op == "&&" and status == 0) or (op == "||" and status != 0)):
                continue
            last = index == len(steps) - 1
            self.in_condition += 0 if last else 1
            try:
                status = self.run_pipeline(pipeline)
            finally:
                self.in_condition -= 0 if last else 1
        self.status = status
        return status

    def run_pipeline(self, node: S.Pipeline) -> int:
        if node.negate:
            self.in_condition += 1
        try:
            if len(node.commands) == 1:
                status = self.run_command(node.commands[0])
            else:
                status = self._run_stages(node.commands)
        finally:
            if node.negate:
                self.in_condition -= 1
        if node.negate:
            status = 0 if status else 1
        self.status = status
        return status

    def _run_stages(self, commands: list[S.Command]) -> int:
        data_in = self.proc.stdin
        status = failed = 0
        signals = self.proc.kernel.sigints
        for index, command in enumerate(commands):
            last = index == len(commands) - 1
            piped = Buffer()
            out: Output = self.proc.stdout if last else piped
            stage = self.subshell(self.proc.child(stdin=data_in, stdout=out))
            status = stage.as_process(lambda: stage.run_command(command))
            failed = status or failed
            if not last:
                data_in = Input(piped.getvalue())
        if self.proc.kernel.sigints != signals:
            raise Interrupted()     # the stages after the interrupted one die of it
        # pipefail: the status of the last stage that failed
        return (status or failed) if "pipefail" in self.options else status

    def run_command(self, node: S.Command) -> int:
        if isinstance(node, S.Simple):
            status = self.run_simple(node)
        elif isinstance(node, S.FuncDef):
            self.functions[node.name] = node.body
            status = 0
        elif not node.redirects:
            status = self._run_compound(node)
        else:
            with self.redirected(node.redirects) as ok:
                if not ok:
                    return 1
                status = self._run_compound(node)
        if status and self.errexit and not self.in_condition and not isinstance(node, S.FuncDef):
            raise ExitShell(status)
        return status

    def _run_compound(self, node: S.Group | S.If | S.Loop | S.For | S.Case) -> int:
        if isinstance(node, S.Group):
            if node.subshell:
                child = self.subshell()
                return child.as_process(lambda: child.run_list(node.body))
            return self.run_list(node.body)
        if isinstance(node, S.If):
            for cond, body in node.branches:
                if self._condition(cond) == 0:
                    return self.run_list(body)
            return self.run_list(node.otherwise) if node.otherwise else 0
        if isinstance(node, S.Loop):
            return self._loop(lambda: (self._condition(node.cond) == 0) != node.until, node.body)
        if isinstance(node, S.For):
            values = self.expand_words(node.words) if node.words is not None else list(self.args)
            items = iter(values)

            def next_item() -> bool:
                try:
                    self.set_var(node.var, next(items))
                    return True
                except StopIteration:
                    return False
            return self._loop(next_item, node.body)
        if isinstance(node, S.Case):
            subject = self.expand_word(node.word)
            for patterns, branch in node.items:
                if any(fnmatch.fnmatchcase(subject, self.expand_pattern(p)) for p in patterns):
                    return self.run_list(branch) if branch else 0
            return 0
        raise TypeError(node)

    def _condition(self, cond: S.CommandList) -> int:
        self.in_condition += 1
        try:
            return self.run_list(cond)
        finally:
            self.in_condition -= 1

    def _loop(self, proceed: Callable[[], bool], body: S.CommandList) -> int:
        status = 0
        while proceed():
            # An interactive shell takes ^C between commands too, so a loop
            # that never waits can still be stopped.
            self.proc.kernel.take_signal(spin=True)
            if self.job_limit is not None:
                self.job_limit.turn()
            try:
                status = self.run_list(body)
            except LoopControl as ctl:
                if ctl.levels > 1:
                    ctl.levels -= 1
                    raise
                if ctl.kind == "break":
                    break
        return status

    # -- simple commands --------------------------------------------------------
    def run_simple(self, node: S.Simple) -> int:
        self.substituted = None
        try:
            argv = self.expand_words(node.words)
            assigns = {name: self.expand_word(value) for name, value in node.assigns} \
                if node.assigns else {}
        except ArithError as exc:
            self.proc.error(f"{self._prefix()}arithmetic expression: {exc}\n")
            raise ShellError() from exc
        if "xtrace" in self.options:
            self._trace(assigns, argv)
        try:
            for key in assigns:
                self.assignable(key)    # for a command's own environment too
        except ShellError:
            # eval.c evalcommand(): fatal only for a special builtin or no
            # command; before any other command it fails that command alone
            if not argv or argv[0] in SPECIAL:
                raise
            return 2
        if not argv:
            # No command name: the status is the last command
            # substitution's, if there was one (POSIX "Simple Commands";
            # `false` alone, x=$(false)).
            status = self.substituted or 0
            for name, value in assigns.items():
                self.set_var(name, value)
            return self._redirecting(node.redirects, lambda: status)
        name = argv[0]
        if name in SPECIAL:
            for key, value in assigns.items():
                self.set_var(key, value)
            if name == "exec" and len(argv) == 1:
                return self._exec_redirects(node.redirects)
            return self._redirecting(node.redirects, lambda: BUILTINS[name](self, argv))
        if name in self.functions:
            return self._redirecting(node.redirects, lambda: self.call_function(name, argv[1:]))
        if name in BUILTINS:
            if not assigns and not node.redirects:
                return self._regular_builtin(name, argv)    # (most: echo, test, [)
            saved = {k: self.vars.get(k) for k in assigns}
            for key, value in assigns.items():
                self.vars[key] = value
            try:
                return self._redirecting(node.redirects, lambda: self._regular_builtin(name, argv))
            finally:
                for key, old in saved.items():
                    if old is None:
                        self.vars.pop(key, None)
                    else:
                        self.vars[key] = old
        return self._redirecting(node.redirects,
                                 lambda: self.exec_external(argv, self.environ(assigns)))

    def _trace(self, assigns: dict[str, str], argv: list[str]) -> None:
        """-x: PS4, then the assignments and words as the shell could read
        them again (eval.c evalcommand(), output.c outqstr())."""
        words = [f"{name}={_reinput(value)}" for name, value in assigns.items()]
        words += [_reinput(word) for word in argv]
        self.proc.error(self.vars.get("PS4", "+ ") + " ".join(words) + "\n")

    def _regular_builtin(self, name: str, argv: list[str]) -> int:
        """A builtin that is not special: an error in it fails the command
        (status 2), not the shell (eval.c evalcommand())."""
        try:
            return BUILTINS[name](self, argv)
        except ShellError:
            return 2

    def _redirecting(self, redirects: list[S.Redirect], run: Callable[[], int]) -> int:
        """``run()`` with ``redirects`` in place; 1 when one cannot be made.
        Most commands have none: they run as they are."""
        if not redirects:
            return run()
        with self.redirected(redirects) as ok:
            return run() if ok else 1

    def exec_external(self, argv: list[str], env: dict[str, str]) -> int:
        proc = self.proc.child(env=env, argv0=argv[0])
        try:
            path, node = proc.find_executable(argv[0])
        except OSErr as exc:
            if exc.errno == EACCES:
                self.proc.error(f"{self._prefix()}{argv[0]}: Permission denied\n")
                return 126
            self.proc.error(f"{self._prefix()}{argv[0]}: not found\n")
            return 127
        return proc.exec_file(path, node, argv)

    def source(self, path: str, node: File) -> int:
        """The ``.`` command: read a file into this shell. Modelled
        libraries (rc.subr) define their functions directly. A syntax error
        in the file ends a non-interactive shell, as any error of a special
        built-in does; return ends the file."""
        if node.program is not None and node.program in SOURCED:
            return SOURCED[node.program](self)
        try:
            tree = S.parse(node.data)
        except S.ShellSyntaxError as exc:
            self.proc.error(f"{path}: {exc.line}: Syntax error: {exc}\n")
            raise ShellError() from exc
        try:
            return self.run_list(tree)
        except ReturnFromFunction as ret:
            return ret.status

    def assignable(self, name: str) -> None:
        """bin/sh/var.c setvar(): assigning a read-only variable is an
        error, which ends a non-interactive shell."""
        if name in self.readonly:
            self.proc.error(f"{self._prefix()}{name}: is read only\n")
            raise ShellError()

    def call_function(self, name: str, args: list[str]) -> int:
        body = self.functions[name]
        if callable(body):
            # A function of a modelled library (rc.subr), written in Python.
            return body(self, args)
        saved_args = self.args
        self.args = list(args)
        self.locals.append({})
        try:
            return self.run_command(body)
        except ReturnFromFunction as ret:
            return ret.status
        finally:
            for key, value in self.locals.pop().items():
                if value is None:
                    self.vars.pop(key, None)
                else:
                    self.vars[key] = value
            self.args = saved_args

    def set_var(self, name: str, value: str) -> None:
        self.assignable(name)
        self.vars[name] = value
        if "allexport" in self.options:
            self.exported.add(name)

    # -- redirections -----------------------------------------------------------
    @contextmanager
    def redirected(self, redirects: list[S.Redirect]) -> Iterator[bool]:
        if not redirects:
            yield True
            return
        saved = self.proc
        proc = self.proc.child(env=self.proc.env)
        try:
            for redirect in redirects:
                self._apply(proc, redirect)
        except (OSErr, ShellError) as exc:
            if isinstance(exc, OSErr):
                target = self.expand_word(redirect.target) if redirect.target else ""
                verb = "open" if redirect.op == "<" else "create"
                self.proc.error(f"{self._prefix()}cannot {verb} {target}: {exc.strerror}\n")
            yield False
            return
        self.proc = proc
        try:
            yield True
        finally:
            self.proc = saved

    def _exec_redirects(self, redirects: list[S.Redirect]) -> int:
        proc = self.proc.child(env=self.proc.env)
        try:
            for redirect in redirects:
                self._apply(proc, redirect)
        except OSErr as exc:
            self.proc.error(f"{self._prefix()}cannot open: {exc.strerror}\n")
            return 2
        self.proc = proc
        return 0

    def _apply(self, proc: Proc, redirect: S.Redirect) -> None:
        op = redirect.op
        if op in ("<<", "<<-"):
            heredoc = redirect.heredoc
            text = heredoc.body if heredoc else ""
            if heredoc and heredoc.expand:
                text = self.expand_heredoc(text)
            proc.stdin = Input(text)
            return
        target = self.expand_word(redirect.target)
        if op in (">&", "<&"):
            if target == "-":
                self._set_fd(proc, redirect.fd, Sink())
                return
            if not target.isdigit():
                if op == ">&":
                    stream = self._open_write(proc, target, append=False)
                    self._set_fd(proc, 1, stream)
                    self._set_fd(proc, 2, stream)
                    return
                raise ShellError()
            source = int(target)
            self._set_fd(proc, redirect.fd, self._get_fd(proc, source))
            return
        if op == "<":
            node = proc.kernel.vfs.lookup(target, **proc.where())
            if isinstance(node, Device):
                proc.stdin = Input("")
            elif isinstance(node, File):
                proc.stdin = Input(node.data)
            else:
                raise OSErr(EISDIR)
            return
        if op == "<>":
            self._open_write(proc, target, append=True)
            return
        if op == ">" and "noclobber" in self.options:
            # -C: > creates, never truncates a regular file (redir.c: O_EXCL)
            existing = proc.kernel.vfs.find(target, **proc.where())
            if isinstance(existing, File):
                raise OSErr(EEXIST)
        self._set_fd(proc, redirect.fd, self._open_write(proc, target, append=op == ">>"))

    @staticmethod
    def _open_write(proc: Proc, target: str, append: bool) -> Output:
        vfs = proc.kernel.vfs
        found = vfs.resolve(target, **proc.where())
        if isinstance(found.node, Device):
            if found.node.name == "stdout":
                return proc.stdout
            if found.node.name == "stderr":
                return proc.stderr
            return Sink()
        if found.node is None and found.parent is None:
            raise OSErr(ENOENT)
        node = vfs.write(target, "", append=append, mode=proc.created(), **proc.where())
        assert isinstance(node, File)
        return FileOutput(node)

    @staticmethod
    def _get_fd(proc: Proc, fd: int) -> Output | Input:
        if fd == 1:
            return proc.stdout
        if fd == 2:
            return proc.stderr
        if fd == 0:
            return proc.stdin
        raise OSErr(EBADF)

    @staticmethod
    def _set_fd(proc: Proc, fd: int, stream: Output | Input) -> None:
        # The sim's descriptors go one way. A dup across directions (>&0,
        # <&1) keeps the descriptor as it was: at a terminal, 0, 1 and 2 are
        # the same tty, so the text lands where it would anyway.
        if isinstance(stream, Input):
            if fd == 0:
                proc.stdin = stream
        elif fd == 1:
            proc.stdout = stream
        elif fd == 2:
            proc.stderr = stream

    # -- expansion --------------------------------------------------------------
    def expand_words(self, words: list[S.Word]) -> list[str]:
        fields: list[str] = []
        for word in words:
            fixed = word.fixed()
            if fixed is not None:
                fields.append(fixed)
            else:
                fields.extend(self._fields(word))
        return fields

    def expand_word(self, word: S.Word | None) -> str:
        """Expansion without field splitting or pathname expansion
        (assignments, redirection targets, case subjects)."""
        if word is None:
            return ""
        return "".join(text for _, text in self._pieces(word.parts, split_at=False))

    def expand_pattern(self, word: S.Word) -> str:
        """A case or ${x%pat} pattern: quoted characters match literally."""
        out: list[str] = []
        for kind, text in self._pieces(word.parts, split_at=False):
            out.append(_escape_glob(text) if kind == "q" else text)
        return "".join(out)

    def expand_heredoc(self, text: str) -> str:
        lexer = S.Lexer(text)
        word = lexer.read_word(stop=set(), quoted=True)
        while lexer.pos < len(text):  # a stray double quote in the body
            lexer.pos += 1
            word.parts.extend(lexer.read_word(stop=set(), quoted=True).parts)
        return self.expand_word(word)

    def _pieces(self, parts: list[S.Part], split_at: bool) -> list[tuple[str, str]]:
        """Each part as (kind, text): "lit" unquoted literal, "q" quoted,
        "exp" unquoted expansion (split and globbed), "break" a field end
        ("$@")."""
        out: list[tuple[str, str]] = []
        for index, part in enumerate(parts):
            if isinstance(part, S.Lit):
                text = part.text
                if not part.quoted and index == 0 and text.startswith("~"):
                    text = self._tilde(text)
                out.append(("q" if part.quoted else "lit", text))
            elif isinstance(part, S.Param):
                if part.name == "@" and part.quoted and split_at and part.op == "":
                    for i, arg in enumerate(self.args):
                        if i:
                            out.append(("break", ""))
                        out.append(("q", arg))
                    if not self.args:
                        out.append(("drop", ""))
                    continue
                value = self._param(part)
                out.append(("q" if part.quoted else "exp", value))
            elif isinstance(part, S.CmdSub):
                out.append(("q" if part.quoted else "exp", self.command_substitution(part.source)))
            elif isinstance(part, S.Arith):
                expr = self.expand_word(part.expr)
                value = str(evaluate(expr, self.vars, self.set_var))
                out.append(("q" if part.quoted else "exp", value))
        return out

    def _fields(self, word: S.Word) -> list[str]:
        parts = word.parts
        if len(parts) == 1 and isinstance(parts[0], S.Lit) and not parts[0].quoted \
                and not parts[0].text.startswith("~"):
            # One unquoted literal, with nothing to split, that is a pattern
            # (Word.fixed() took the others): the paths it matches, or
            # itself when none does or under set -f.
            text = parts[0].text
            if "noglob" in self.options:
                return [text]
            return self.proc.kernel.vfs.glob(text, **self.proc.where()) or [text]
        pieces = self._pieces(parts, split_at=True)
        ifs = self.vars.get("IFS", IFS_WHITESPACE)
        fields: list[list[tuple[str, bool]]] = []
        current: list[tuple[str, bool]] | None = None
        dropped = False
        for kind, text in pieces:
            if kind == "drop":
                dropped = True
                continue
            if kind == "break":
                fields.append(current or [("", False)])
                current = []
                continue
            if kind != "exp":
                current = (current or []) + [(text, kind == "lit")]
                continue
            if not ifs:
                current = (current or []) + [(text, True)]
                continue
            chunks = re.split(f"[{re.escape(ifs)}]+", text)
            for i, chunk in enumerate(chunks):
                if i:
                    if current:
                        fields.append(current)
                    current = None
                if chunk:
                    current = (current or []) + [(chunk, True)]
        if current is not None:
            fields.append(current)
        elif dropped and not fields:
            return []
        result: list[str] = []
        for field in fields:
            text = "".join(t for t, _ in field)
            globbable = any(g and _GLOB_CHARS.search(t) for t, g in field)
            if globbable and "noglob" not in self.options:
                pattern = "".join(t if g else _escape_glob(t) for t, g in field)
                matches = self.proc.kernel.vfs.glob(pattern, **self.proc.where())
                if matches:
                    result.extend(matches)
                    continue
            result.append(text)
        return result

    def _tilde(self, text: str) -> str:
        user, _, rest = text[1:].partition("/")
        if user:
            return text
        home = self.vars.get("HOME", "/")
        return home + ("/" + rest if rest or text.endswith("/") else "")

    def _lookup(self, name: str) -> str | None:
        if name == "?":
            return str(self.status)
        if name == "$":
            return str(self.proc.kernel.next_pid)
        if name == "#":
            return str(len(self.args))
        if name in ("@", "*"):
            return " ".join(self.args)
        if name == "!":
            return self.last_bg
        if name == "-":
            return "".join(letter for letter, option in OPTIONS
                           if letter and option in self.options)
        if name == "0":
            return self.name
        if name.isdigit():
            index = int(name)
            return self.args[index - 1] if index <= len(self.args) else None
        return self.vars.get(name)

    def _param(self, part: S.Param) -> str:
        value = self._lookup(part.name)
        op = part.op
        if value is None and "nounset" in self.options and part.name not in ("@", "*") \
                and op not in ("-", ":-", "=", ":=", "+", ":+", "?", ":?"):
            # -u: expanding an unset parameter is an error (expand.c varvalue())
            self.proc.error(f"{self._prefix()}{part.name}: parameter not set\n")
            raise ShellError()
        if op == "len":
            return str(len(value or ""))
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                return self.expand_word(part.arg)
            return value
        if op in (":=", "="):
            if value is None or (op == ":=" and value == ""):
                value = self.expand_word(part.arg)
                self.set_var(part.name, value)
            return value
        if op in (":+", "+"):
            is_set = value is not None and (op == "+" or value != "")
            return self.expand_word(part.arg) if is_set else ""
        if op in (":?", "?"):
            if value is None or (op == ":?" and value == ""):
                message = self.expand_word(part.arg) or "parameter not set"
                self.proc.error(f"{self._prefix()}{part.name}: {message}\n")
                raise ShellError()
            return value
        if op in ("%", "%%", "#", "##"):
            return _trim(value or "", self.expand_pattern(part.arg) if part.arg else "", op)
        return value or ""

    def command_substitution(self, source: str) -> str:
        out = Buffer()
        child = self.subshell(self.proc.child(stdout=out, env=self.proc.env))
        status = child.run_source(source)
        self.status = self.substituted = status
        return out.getvalue().rstrip("\n")


def _reinput(word: str) -> str:
    """outqstr(): a word as is, unless empty or holding a character the
    shell would read as syntax; then in single quotes."""
    if word and not _SPECIAL_CHARS.search(word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


_SPECIAL_CHARS = re.compile(r"[|&;<>()$`\\\"' \t\n*?\[~#=%]")


def _escape_glob(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _trim(value: str, pattern: str, op: str) -> str:
    """${v%p} ${v%%p} ${v#p} ${v##p}: remove the shortest/longest match."""
    positions = range(len(value) + 1)
    if op in ("#", "##"):
        order = positions if op == "#" else reversed(positions)
        for i in order:
            if fnmatch.fnmatchcase(value[:i], pattern):
                return value[i:]
        return value
    order = reversed(positions) if op == "%" else positions
    for i in order:
        if fnmatch.fnmatchcase(value[i:], pattern):
            return value[:i]
    return value
