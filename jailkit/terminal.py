"""A howto being followed: the learner's terminal. Commands are typed as the
howto says them, into one shell session that lasts (host.session(): its
directory, variables, functions and $? carry from line to line); ``qjail
...`` is jailkit's qjail, a qjail console makes the following lines run in
the jail's own session until ``exit`` (or end of input), and the howto's
``<names>`` come from the lab.

qjail is rebuilt in Python, so it is not a program on the host: the terminal
reads each line with sh's grammar, and a line that runs qjail is split into
its and-or lists and pipelines. The terminal runs qjail's stages itself (its
words expanded by the session's shell, as sh would) and hands everything
else to the session, qjail's output as the next stage's standard input; &&,
||, ! and $? follow qjail's exit status. qjail inside if/while/for/case,
( ), { }, a function or $( ) would need the host's sh to run it, and is
refused with a message. All of this goes through host.run and
host.session, so it is the same on every kind of host."""

from __future__ import annotations

import re
import secrets
import shlex
from dataclasses import dataclass
from typing import Callable, Iterator

from . import expect
from .getopt import GetoptError, getopt
from .host import Host, LoginError
from .qjail import Qjail
from .session import Session, Write
from .sim.sh import syntax      # FreeBSD sh's grammar (a parser, no host in it)

# Lab values are lower-case names; FreeBSD's own <FLAGS> are upper case.
VARIABLE = re.compile(r"<([a-z_][a-z0-9_]*)>")


class TerminalError(Exception):
    pass


@dataclass
class Typed:
    """One command line typed at the terminal and what came back."""

    command: str
    where: str                # "host", the jail whose console it was typed at, or a lab machine
    exit_status: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


# qjail-howto's stand-in for apache24 (pkg cannot run offline): a script
# inetd(8) runs for each connection to port 80, as its feature writes it.
ITWORKS = """#!/bin/sh
# Stands in for apache24: inetd(8) runs this for each connection to
# port 80, with the request on standard input.
while read -r line; do
	case $line in
	""|"$(printf '\\r')") break ;;
	esac
done
printf 'HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: 10\\r\\nConnection: close\\r\\n\\r\\nIt works!\\n'
"""


def _askpass(place: str, password: str, new: str | None) -> str:
    """An SSH_ASKPASS program: it notes each prompt and answers it (the
    answers single-quoted, so they stay text whatever they hold)."""
    renewal = f"*'New Password:') printf '%s\\n' {shlex.quote(new)} ;;\n" if new is not None else ""
    return ("#!/bin/sh\n"
            f"printf '%s\\n' \"$1\" >> {place}/prompts\n"
            "case $1 in\n"
            f"{renewal}"
            f"*) printf '%s\\n' {shlex.quote(password)} ;;\n"
            "esac\n")


class Terminal:
    def __init__(self, host: Host, variables: dict[str, str],
                 echo: Callable[[Typed], None] | None = None, *, terminal: bool = False,
                 limit: float | None = None, show: tuple[Write, Write] | None = None) -> None:
        """``terminal``: a learner types at a terminal (^C stops a line);
        ``limit``: how long a line may run without one (host.session());
        ``show``: where output goes as it comes (stdout, stderr writers)."""
        self.host = host
        self.variables = variables
        self.qjail = Qjail(host)
        self.console: str | None = None
        # "qjail" (qjail console) or "jexec" (jexec NAME sh): whose shell the console is
        self.console_kind: str | None = None
        self.console_hostname = ""    # the jail's host.hostname, for the prompt
        self.last: Typed | None = None
        self.transcript: list[Typed] = []
        self.echo = echo
        self.terminal = terminal
        self.limit = limit
        self.show = show
        self.logged_out = False       # exit ran in the host's shell
        self._host_session: Session | None = None
        self._console_session: Session | None = None

    def substitute(self, text: str) -> str:
        """Replace ``<name>`` with the lab's value; ``<...>`` stays a wildcard."""
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.variables:
                raise TerminalError(f"<{name}> is not a lab value; known: "
                                    + ", ".join(f"<{k}>" for k in sorted(self.variables)))
            return self.variables[name]
        return VARIABLE.sub(value, text)

    # -- the sessions -----------------------------------------------------------
    @property
    def session(self) -> Session:
        """The shell typed lines go to now: the console's, or the host's."""
        if self._console_session is not None:
            return self._console_session
        if self._host_session is None:
            self._host_session = self.host.session(terminal=self.terminal, limit=self.limit)
            self.logged_out = False
        return self._host_session

    def interrupt(self) -> None:
        """^C at the terminal: SIGINT for the line running now."""
        self.session.interrupt()

    def end_of_input(self) -> bool:
        """^D at the terminal: the console's shell ends and the learner is
        back on the host (True); on the host it means leaving (False)."""
        if self.console is None:
            return False
        self._leave_console()
        return True

    def cwd(self) -> str | None:
        return self.session.cwd

    def close(self) -> None:
        for session in (self._console_session, self._host_session):
            if session is not None:
                session.close()
        self._console_session = self._host_session = None
        self.console = None

    def _leave_console(self) -> None:
        if self._console_session is not None:
            self._console_session.close()
        self._console_session = None
        self.console = self.console_kind = None
        self.console_hostname = ""

    def _open_console(self, jail: str, kind: str) -> None:
        self._console_session = self.host.session(jail, terminal=self.terminal, limit=self.limit)
        self.console, self.console_kind = jail, kind
        # asked aside (host.run), so the learner's $? and output stay as they were
        found = self.host.run(["jls", "-j", jail, "host.hostname"])
        self.console_hostname = found.stdout.strip() if found.exit_status == 0 else jail

    # -- typing a line ----------------------------------------------------------
    def enter(self, line: str, stdin: str | None = None) -> Typed:
        """Type one command line (with ``stdin`` as its input, if given)."""
        command = self.substitute(line).strip()
        stdin = self.substitute(stdin) if stdin is not None else None
        where = self.console or "host"
        out: list[str] = []
        err: list[str] = []

        def write_out(text: str) -> None:
            out.append(text)
            if self.show:
                self.show[0](text)

        def write_err(text: str) -> None:
            err.append(text)
            if self.show:
                self.show[1](text)
        if self.console is not None:
            status = self.session.run(command, stdin=stdin, out=write_out, err=write_err)
            if self.session.ended:
                self._leave_console()
                # qjail console ends with its shell's status: the host's $?
                self.session.set_status(status)
        else:
            status = self._host_line(command, stdin, write_out, write_err)
        return self._record(Typed(command, where, status, "".join(out), "".join(err)))

    def _host_line(self, command: str, stdin: str | None, out: Write, err: Write) -> int:
        session = self.session
        try:
            tree = syntax.parse(command)
        except syntax.ShellSyntaxError:
            tree = None     # the shell itself says what is wrong with the line
        console = _jexec_console(tree) if tree is not None and stdin is None else None
        if console is not None:
            status = self._jexec_line(console, out, err)
        elif tree is None or not any(_is_qjail(c) for top in (True, False)
                                     for c in _simple_commands(tree, top)):
            status = session.run(command, stdin=stdin, out=out, err=err)
        else:
            status = self._qjail_line(command, tree, stdin, out, err)
        if session.ended:
            session.close()
            self._host_session = None
            self.logged_out = True
        return status

    def _jexec_line(self, console: tuple[list[str], str], out: Write, err: Write) -> int:
        """`jexec [-l] [-u root] NAME sh` (or /bin/sh, `login -f root`, no
        command) typed alone at the terminal: an interactive shell in the
        jail, so the following lines run there until `exit`, as in qjail
        console. jexec itself first runs `sh -c :` there with the same
        options, so that what jexec refuses (no such jail, no sh) is
        refused with its own words and status; then the jail's login
        shell opens (Host.session)."""
        options, jail = console
        probe = shlex.join(["jexec", *options, jail, "/bin/sh", "-c", ":"])
        status = self.session.run(probe, out=out, err=err)
        if status == 0:
            self._open_console(jail, "jexec")
        return status

    def _qjail_line(self, command: str, tree: syntax.CommandList, stdin: str | None,
                    out: Write, err: Write) -> int:
        session = self.session
        nested = [c for c in _simple_commands(tree, top=False) if _is_qjail(c)]
        if nested:
            err("jailkit: qjail is jailkit's own (rebuilt in Python), not a program on the "
                "host: it runs as a command of a line, a list (&& || ;) or a pipeline, not "
                "inside if, while, for, case, ( ), { }, a function or $( )\n")
            session.set_status(2)
            return 2
        first = tree.items[0][0]
        alone = len(tree.items) == 1 and not first.rest and len(first.first.commands) == 1
        status = 0
        for and_or, _background in tree.items:   # no job control: & runs it to its end
            status = self._and_or(command, and_or, stdin, out, err, alone)
            stdin = None
            if session.ended or session.abandoned:
                break
        return status

    def _and_or(self, command: str, and_or: syntax.AndOr, stdin: str | None,
                out: Write, err: Write, alone: bool) -> int:
        status = 0
        for index, (op, pipeline) in enumerate([("", and_or.first)] + and_or.rest):
            if index and (status == 0) != (op == "&&"):
                continue
            status = self._pipeline(command, pipeline, stdin, out, err, alone)
            stdin = None
            if self.session.ended or self.session.abandoned:
                break
        return status

    def _pipeline(self, command: str, pipeline: syntax.Pipeline, stdin: str | None,
                  out: Write, err: Write, alone: bool) -> int:
        session = self.session
        stages = list(zip(pipeline.commands, pipeline.spans))
        if not any(_is_qjail(stage) for stage, _ in stages):
            text = command[stages[0][1][0]:stages[-1][1][1]]
            return session.run(("! " if pipeline.negate else "") + text, stdin=stdin,
                               out=out, err=err)
        data, status = stdin, 0
        groups = _groups(stages)
        for index, group in enumerate(groups):
            last = index == len(groups) - 1
            captured: list[str] = []
            if _is_qjail(group[0][0]):
                status, data = self._qjail_stage(command, group[0][0], alone, err)
                if last:
                    out(data)
            else:
                text = " | ".join(command[start:end] for _, (start, end) in group)
                status = session.run(text, stdin=data, out=out if last else captured.append,
                                     err=err)
                data = "".join(captured)
                if session.ended or session.abandoned:
                    return status
        if pipeline.negate:
            status = 0 if status else 1
        session.set_status(status)
        return status

    def _qjail_stage(self, command: str, stage: syntax.Simple, alone: bool,
                     err: Write) -> tuple[int, str]:
        """Run one qjail command of a line: (exit status, its output).
        ``alone``: it is the whole line (where a console can open)."""
        words = " ".join(command[start:end] for start, end in stage.word_spans)
        argv, status, problem = self.session.expand(words)
        if argv is None:
            err(problem or f"jailkit: the shell could not expand {words}\n")
            return status or 2, ""
        opens_console = argv[1:2] == ["console"] and "-c" not in argv
        if opens_console and not alone:
            err("jailkit: `qjail console NAME` opens the jail's shell: type it on a line "
                "of its own\n")
            return 2, ""
        outcome = self.qjail.command(argv)
        output = outcome.output
        if opens_console and outcome.exit_status == 0:
            self._open_console(argv[-1], "qjail")
        if not stage.redirect_spans:
            return outcome.exit_status, output
        # qjail's output goes where its redirections say, through cat
        redirects = " ".join(command[start:end] for start, end in stage.redirect_spans)
        captured: list[str] = []
        status = self.session.run(f"cat {redirects}", stdin=output, out=captured.append, err=err)
        return status or outcome.exit_status, "".join(captured)

    def enter_on(self, machine: str, line: str) -> Typed:
        """Type one command line at root's shell on another machine of the
        lab (``machine``: its name, or a lab value such as ``<outside>``),
        through Host.run_on: from outside, as the howtos test from there."""
        name = self.substitute(machine)
        command = self.substitute(line).strip()
        result = self.host.run_on(name, command)
        if self.show:
            self.show[0](result.stdout)
            self.show[1](result.stderr)
        return self._record(Typed(command, name, result.exit_status, result.stdout, result.stderr))

    def login_on(self, machine: str, line: str, password: str, new: str | None = None) -> Typed:
        """`ssh ...` typed on another machine of the lab and answered as a
        person would: ``password`` at the password prompt, ``new`` at
        pam_unix's "New Password:" and "Retype New Password:". Without a
        terminal ssh reads every answer from an SSH_ASKPASS program; it is
        written for this one login into a directory of its own on that
        machine, with the known_hosts ssh keeps, and removed afterwards. The
        prompts ssh asked come first in the output."""
        name = self.substitute(machine)
        command = self.substitute(line).strip()
        words = shlex.split(command)
        if words[:1] != ["ssh"] or len(words) < 2:
            raise TerminalError(f"not an ssh command line: {command}")
        for answer in (password, new or ""):
            if "\n" in answer or "\0" in answer:
                raise TerminalError("a password is one line")
        place = f"/tmp/jailkit-login.{secrets.token_hex(6)}"
        self.host.run_on(name, ["mkdir", "-m", "700", place]).check()
        try:
            self.host.run_on(name, f"cat > {place}/askpass && chmod 700 {place}/askpass",
                             stdin=_askpass(place, password, new)).check()
            ssh = ["env", f"SSH_ASKPASS={place}/askpass", "SSH_ASKPASS_REQUIRE=force", "ssh",
                   "-o", f"UserKnownHostsFile={place}/known_hosts",
                   "-o", "StrictHostKeyChecking=accept-new", *words[1:]]
            result = self.host.run_on(name, ssh)
            asked = self.host.run_on(name, f"cat {place}/prompts 2>/dev/null").stdout
        finally:
            self.host.run_on(name, ["rm", "-rf", place])
        return self._record(Typed(command, name, result.exit_status, asked + result.stdout,
                                  result.stderr))

    def _record(self, typed: Typed) -> Typed:
        self.last = typed
        self.transcript.append(typed)
        if self.echo is not None:
            self.echo(typed)
        return typed

    def build_howto_jail(self, name: str, firewall: str) -> None:
        """Steps 2 to 5 of qjail-vnet-howto(8) for jail ``name``, typed as the
        howto types them; each must succeed."""
        self._enter_all([(line, None) for line in (
            "qjail install", f"qjail create -4 <jail_ip> {name}",
            f"qjail config -w <lan_nic> -v {firewall} {name}", f"qjail start {name}")])

    def build_qjail_howto_jails(self) -> None:
        """Steps 2 to 9 of qjail-howto(8) as its feature's first scenario
        types them: the ssh jail and the www jail on <jail_nic>, the www
        jail's stand-in web server running; each line must succeed."""
        lines: list[tuple[str, str | None]] = [
            ("qjail install", None), ("sysrc cloned_interfaces+=<jail_nic>", None),
            ("ifconfig <jail_nic> create", None),
            ("qjail create -n <jail_nic> -4 <ssh_jail_ip> -c ssh", None),
            ("qjail create -n <jail_nic> -4 <www_jail_ip> www", None),
            ("qjail start ssh", None), ("qjail restart ssh", None), ("qjail start www", None),
            ("qjail console www", None), ("mkdir -p /usr/local/libexec", None),
            ("cat > /usr/local/libexec/itworks", ITWORKS),
            ("chmod 555 /usr/local/libexec/itworks", None),
            ("echo 'http stream tcp nowait www /usr/local/libexec/itworks itworks'"
             " >> /etc/inetd.conf", None),
            ('echo "inetd_enable="YES"" >> /etc/rc.conf', None), ("exit", None),
            ("qjail restart www", None)]
        self._enter_all(lines)

    def copy_host_world(self, path: str) -> None:
        """A jail's world at ``path`` with no network needed: the host's own,
        copied with cp -Rp (system flags kept) as qjail install copies it,
        less the host's identity (ssh host keys, jail.conf, rc.conf); on a box
        of one's own `bsdinstall jail PATH` does the same from media. Each
        line must succeed."""
        usr = "/usr/bin /usr/lib /usr/libdata /usr/libexec /usr/sbin /usr/share"
        empty = " ".join(f"{path}/{name}" for name in (
            "dev", "tmp", "root", "var/log", "var/run", "var/tmp", "var/db", "var/empty",
            "var/cron/tabs"))
        self._enter_all([(line, None) for line in (
            f"mkdir -p {path}/usr", f"cp -Rp /bin /lib /libexec /sbin /etc {path}/",
            f"cp -Rp {usr} {path}/usr/", f"mkdir -p {empty}",
            f"chmod 1777 {path}/tmp {path}/var/tmp",
            f"rm -f {path}/etc/ssh/ssh_host_* {path}/etc/jail.conf {path}/etc/rc.conf")])

    def _enter_all(self, lines: list[tuple[str, str | None]]) -> None:
        """Type each line (with its input, if any); each must succeed."""
        for line, stdin in lines:
            typed = self.enter(line, stdin)
            if typed.exit_status != 0:
                raise AssertionError(f"`{typed.command}` failed:\n{typed.output}")

    def login(self, line: str, password: str) -> Typed:
        """`ssh [-p PORT] [-l USER] ADDRESS [COMMAND]` typed on the host and
        answered with ``password``: the host logs in for the learner
        (through its own network, as Host.login does)."""
        command = self.substitute(line).strip()
        if self.console is not None:
            raise TerminalError("log in from the host: leave the jail's console with exit first")
        try:
            words = shlex.split(command)
        except ValueError:      # an unbalanced quote
            return self._record(Typed(command, "host", 2, "",
                                      "sh: Syntax error: Unterminated quoted string\n"))
        try:
            opts, args = getopt(words[1:], "l:o:p:")
        except GetoptError as exc:
            raise TerminalError(f"{command}: {exc}") from None
        if words[:1] != ["ssh"] or not args:
            raise TerminalError(f"not an ssh command line: {command}")
        values = {option: value for option, value in opts if value is not None}   # all take one
        user, address = values.get("l", "root"), args[0]
        if "@" in address:
            user, address = address.rsplit("@", 1)
        # ssh(1) joins its command words with spaces for the remote shell
        remote = " ".join(args[1:]) if args[1:] else "echo logged in"
        try:
            result = self.host.login(address, user, password, remote, port=int(values.get("p", 22)))
            typed = Typed(command, "host", result.exit_status, result.stdout, result.stderr)
        except LoginError as exc:
            typed = Typed(command, "host", 255, "", f"{exc}\n")
        return self._record(typed)

    def expect_output(self, expected: str) -> None:
        typed = self._last()
        mismatch = expect.match(self.substitute(expected), typed.output, expect.kind_of(typed.command))
        if mismatch is not None:
            raise AssertionError(f"after `{typed.command}`:\n{mismatch}")

    def expect_exit_status(self, status: int) -> None:
        typed = self._last()
        if typed.exit_status != status:
            raise AssertionError(f"`{typed.command}` exited {typed.exit_status}, not {status}; "
                                 f"output:\n{typed.output}")

    def expect_status(self, succeeded: bool) -> None:
        typed = self._last()
        if (typed.exit_status == 0) != succeeded:
            state = "succeeded" if typed.exit_status == 0 else f"failed (exit status {typed.exit_status})"
            raise AssertionError(f"`{typed.command}` {state}; output:\n{typed.output}")

    def _last(self) -> Typed:
        if self.last is None:
            raise TerminalError("no command has been entered yet")
        return self.last


# What jexec runs as an interactive shell when typed at a terminal: sh
# itself, login(1) as root, or no command (jexec runs $SHELL, root's /bin/sh).
SHELLS: tuple[list[str], ...] = (["sh"], ["/bin/sh"], ["login", "-f", "root"], ["/usr/bin/login", "-f", "root"], [])


def _jexec_console(tree: syntax.CommandList) -> tuple[list[str], str] | None:
    """(jexec's options, the jail) when the line is a lone `jexec [-l] [-u
    root | -U root] NAME SHELL` of plain words, else None (it runs as any
    line does: without a terminal, sh in the jail reads its empty input and
    exits at once, as it does on FreeBSD)."""
    if len(tree.items) != 1 or tree.items[0][1]:
        return None
    and_or = tree.items[0][0]
    if and_or.rest or and_or.first.negate or len(and_or.first.commands) != 1:
        return None
    command = and_or.first.commands[0]
    if not isinstance(command, syntax.Simple) or command.assigns or command.redirects:
        return None
    words = [word.literal() for word in command.words]
    if not words or words[0] not in ("jexec", "/usr/sbin/jexec") or None in words:
        return None
    try:
        opts, args = getopt([str(w) for w in words[1:]], "lu:U:")
    except GetoptError:
        return None
    if not args or args[1:] not in SHELLS or any(v not in (None, "root") for _, v in opts):
        return None
    return [word for flag, value in opts for word in [f"-{flag}"] + ([value] if value else [])], args[0]


def _is_qjail(command) -> bool:
    return (isinstance(command, syntax.Simple) and bool(command.words)
            and command.words[0].literal() == "qjail")


def _groups(stages: list) -> list[list]:
    """A pipeline's stages in runs: each qjail stage alone, the host's
    stages between them together."""
    groups: list[list] = []
    for stage in stages:
        if _is_qjail(stage[0]) or not groups or _is_qjail(groups[-1][0][0]):
            groups.append([stage])
        else:
            groups[-1].append(stage)
    return groups


def _simple_commands(tree: syntax.CommandList, top: bool = True) -> Iterator[syntax.Simple]:
    """The simple commands of a line: with ``top``, the stages of its
    pipelines; otherwise those nested in compound commands, functions and
    command substitutions."""
    for and_or, _ in tree.items:
        for _, pipeline in [("", and_or.first)] + and_or.rest:
            for command in pipeline.commands:
                if isinstance(command, syntax.Simple):
                    if top:
                        yield command
                    else:
                        yield from _substituted(command)
                elif not top:
                    yield from _nested(command)


def _nested(node) -> Iterator[syntax.Simple]:
    """Every simple command inside a compound command or a function."""
    if isinstance(node, syntax.Simple):
        yield node
        yield from _substituted(node)
        return
    if isinstance(node, syntax.FuncDef):
        yield from _nested(node.body)
        return
    bodies: list[syntax.CommandList | None] = []
    if isinstance(node, syntax.Group):
        bodies = [node.body]
    elif isinstance(node, syntax.If):
        bodies = [part for branch in node.branches for part in branch]
        bodies.append(node.otherwise)
    elif isinstance(node, syntax.Loop):
        bodies = [node.cond, node.body]
    elif isinstance(node, (syntax.For,)):
        bodies = [node.body]
    elif isinstance(node, syntax.Case):
        bodies = [body for _, body in node.items]
    for body in bodies:
        if body is not None:
            yield from _simple_commands(body, top=True)
            yield from _simple_commands(body, top=False)


def _substituted(command: syntax.Simple) -> Iterator[syntax.Simple]:
    """The simple commands of the $( ) and `...` in a command's words."""
    words = list(command.words) + [value for _, value in command.assigns]
    words += [r.target for r in command.redirects if r.target is not None]
    for word in words:
        for part in _parts(word):
            if isinstance(part, syntax.CmdSub):
                try:
                    inner = syntax.parse(part.source)
                except syntax.ShellSyntaxError:
                    continue
                yield from _simple_commands(inner, top=True)
                yield from _simple_commands(inner, top=False)


def _parts(word: syntax.Word) -> Iterator:
    for part in word.parts:
        yield part
        if isinstance(part, syntax.Param) and part.arg is not None:
            yield from _parts(part.arg)
