"""The ``jailkit`` command.

    jailkit sim [--lab NAME] [--seed N] [--bare]

A FreeBSD 14 VIMAGE host on the sim, with its lab, to try any howto without
a FreeBSD box. One shell session lasts for the whole run (directory,
variables, functions, $?), and one for each jail console. At a terminal it
is an interactive shell (a prompt, line editing and history, `qjail console
NAME` or `jexec NAME sh` to step into a jail and `exit` or ^D to step out,
`exit` or ^D on the host to leave); a command runs in virtual time at the pace of real time
until it ends or ^C stops it (that command only). Otherwise it reads
command lines from standard input, prints what each prints, as FreeBSD
would, stops a command still running after --limit virtual seconds with
SIGINT, and exits with the status of the last line. `<names>` of the lab (<jail_ip>,
<gateway> ...) may be written in commands, as in the scenarios; `labs`
lists the labs."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from pathlib import Path

from .host import ConnectionLost, bytes_of
from .hosts import connect
from .lab import DEFAULT_LAB, Lab, LabError, lab_path, load_lab
from .terminal import Terminal, TerminalError

# Without a terminal, a command still running after this many virtual
# seconds gets SIGINT: a minute of `ping <gateway>` is plenty to read.
LIMIT = 60.0
SSH_LOST = 255     # ssh's exit status when its connection is lost
HISTORY = Path(os.environ.get("JAILKIT_HISTORY", Path.home() / ".jailkit_history"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jailkit", description="FreeBSD jail-networking "
                                     "howtos as executable documentation")
    commands = parser.add_subparsers(dest="command", required=True)
    sim = commands.add_parser("sim", help="a shell on the embedded FreeBSD sim")
    sim.add_argument("--lab", default=DEFAULT_LAB, help=f"the lab (default {DEFAULT_LAB})")
    sim.add_argument("--seed", type=int, default=0, help="seed of the sim's random choices")
    sim.add_argument("--bare", action="store_true",
                     help="a bare box (its own uplink only) instead of the lab's machine")
    sim.add_argument("--limit", type=float, default=LIMIT, metavar="SECONDS",
                     help="without a terminal, a command still running after this many "
                     f"virtual seconds gets SIGINT, as ^C would send (default {LIMIT:g})")
    commands.add_parser("labs", help="list the labs")
    args = parser.parse_args(argv)
    if args.command == "labs":
        for path in sorted(lab_path("x").parent.glob("*.yaml")):
            lab = load_lab(path.stem)
            print(f"{lab.name}\t{lab.description}")
        return 0
    try:
        lab = load_lab(args.lab)
    except LabError as exc:
        print(f"jailkit: {exc}", file=sys.stderr)
        return 2
    host = connect(f"sim://?seed={args.seed}" + ("&bare=1" if args.bare else ""), lab=lab)
    at_terminal = sys.stdin.isatty()
    terminal = Terminal(host, lab.variables(), terminal=at_terminal, limit=args.limit,
                        show=(_write(sys.stdout), _write(sys.stderr)))
    try:
        return interactive(terminal, lab) if at_terminal else batch(terminal, sys.stdin)
    finally:
        terminal.close()


def _write(stream):
    """Text as the bytes it stands for (a byte that is no UTF-8 too), whatever
    the stream's own error handler."""
    def write(text: str) -> None:
        stream.flush()
        stream.buffer.write(bytes_of(text))
        stream.buffer.flush()
    return write


def prompt(terminal: Terminal, lab: Lab) -> str:
    """root's sh prompt on FreeBSD 14 (/root/.shrc: user@host:dir # ), on
    the host or in the jail a `jexec` line entered (its own hostname), or
    the qjail console's (jail dir > )."""
    cwd = terminal.cwd() or "/root"
    if terminal.console_kind == "qjail":
        return f"{terminal.console} {cwd} > "
    hostname = terminal.console_hostname if terminal.console is not None else lab.host.hostname
    home = "~" + cwd[len("/root"):] if cwd == "/root" or cwd.startswith("/root/") else cwd
    return f"root@{hostname.split('.')[0]}:{home} # "


def run_line(terminal: Terminal, line: str) -> int:
    """One line, its output shown as it comes; ^C meanwhile stops the line,
    not jailkit. A failure of jailkit itself is reported and the session,
    with every jail built so far, goes on."""
    previous = signal.signal(signal.SIGINT, lambda *_: terminal.interrupt())
    try:
        return terminal.enter(line).exit_status
    except TerminalError as exc:
        print(f"jailkit: {exc}", file=sys.stderr)
        return 2
    except ConnectionLost as exc:
        # a bare box's ssh session cut by the line: it ends, as ssh's does
        print(f"jailkit: {exc}", file=sys.stderr)
        terminal.logged_out = True
        return SSH_LOST
    except Exception:      # a bug of jailkit's: say so, keep the learner's work
        traceback.print_exc()
        print("jailkit: internal error (please report it); the session goes on", file=sys.stderr)
        return 70   # EX_SOFTWARE
    finally:
        signal.signal(signal.SIGINT, previous)


def batch(terminal: Terminal, lines) -> int:
    status = 0
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        status = run_line(terminal, line)
        if terminal.logged_out:
            break
    return status


def interactive(terminal: Terminal, lab: Lab) -> int:
    import readline
    try:
        readline.read_history_file(HISTORY)
    except OSError:
        pass
    print(f"jailkit sim: FreeBSD {lab.release} on the {lab.name} lab ({lab.description})\n"
          "Type commands as a howto says them; `qjail console NAME` or `jexec NAME sh` "
          "enters a jail, "
          "`exit` or ^D leaves it, `exit` or ^D on the host quits; ^C stops a command.")
    status = 0
    try:
        while not terminal.logged_out:
            try:
                line = input(prompt(terminal, lab))
            except EOFError:
                print()
                if terminal.end_of_input():
                    continue        # ^D ended the jail's shell: back on the host
                break
            except KeyboardInterrupt:
                print()
                continue
            if line.strip():
                try:
                    status = run_line(terminal, line)
                except KeyboardInterrupt:   # ^C before the line took it over
                    print()
    finally:
        try:
            readline.write_history_file(HISTORY)
        except OSError:
            pass
    return status


if __name__ == "__main__":
    sys.exit(main())
