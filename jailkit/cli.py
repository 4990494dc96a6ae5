"""The ``jailkit`` command.

    jailkit sim [--lab NAME] [--seed N] [--bare]

A FreeBSD 14 VIMAGE host on the sim, with its lab, to try any howto without
a FreeBSD box. At a terminal it is an interactive shell (a prompt, line
editing and history, `qjail console NAME` to step into a jail and `exit`
to step out, `exit` on the host to leave); otherwise it reads command lines
from standard input and prints what each prints, as FreeBSD would, and
exits with the status of the last one. `<names>` of the lab (<jail_ip>,
<gateway> ...) may be written in commands, as in the scenarios; `labs`
lists the labs."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .hosts import connect
from .lab import DEFAULT_LAB, LabError, lab_path, load_lab
from .scenario import Scenario, ScenarioError

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
    terminal = Scenario(host, lab.variables())
    if sys.stdin.isatty():
        return interactive(terminal)
    return batch(terminal, sys.stdin)


def prompt(terminal: Scenario) -> str:
    """root's sh prompt on FreeBSD 14 (/root/.shrc), or the jail console's."""
    if terminal.console is not None:
        return f"{terminal.console} /root > "
    return f"root@{terminal.host.lab.host.hostname.split('.')[0]}:~ # "


def run_line(terminal: Scenario, line: str) -> int:
    try:
        typed = terminal.enter(line)
    except ScenarioError as exc:
        print(f"jailkit: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(typed.stdout)
    sys.stdout.flush()
    sys.stderr.write(typed.stderr)
    return typed.exit_status


def batch(terminal: Scenario, lines) -> int:
    status = 0
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.strip() in ("exit", "logout") and terminal.console is None:
            break
        status = run_line(terminal, line)
    return status


def interactive(terminal: Scenario) -> int:
    import readline
    try:
        readline.read_history_file(HISTORY)
    except OSError:
        pass
    lab = terminal.host.lab
    print(f"jailkit sim: FreeBSD {lab.release} on the {lab.name} lab ({lab.description})\n"
          "Type commands as a howto says them; `qjail console NAME` enters a jail, "
          "`exit` leaves it, `exit` on the host quits.")
    status = 0
    try:
        while True:
            try:
                line = input(prompt(terminal))
            except EOFError:
                print()
                break
            except KeyboardInterrupt:
                print()
                continue
            if line.strip() in ("exit", "logout") and terminal.console is None:
                break
            if line.strip():
                status = run_line(terminal, line)
    finally:
        try:
            readline.write_history_file(HISTORY)
        except OSError:
            pass
    return status


if __name__ == "__main__":
    sys.exit(main())
