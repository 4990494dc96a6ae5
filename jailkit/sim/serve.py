"""A sim behind a real sshd, as its ForceCommand:

    ForceCommand python3 -m jailkit.sim.serve /path/state.pickle [--lab NAME] [--bare]
        [--client on-link|routed]

Every ssh command (SSH_ORIGINAL_COMMAND; without one, a script on standard
input) runs on the machine kept in the state file, which is created on first
use and saved back after each command, under a lock: the sim is one
persistent FreeBSD host across connections. A bare box's harness session
(--client, see jailkit.sim.harness) is the one its commands see in
$SSH_CONNECTION; whether it is cut is not looked at here."""

from __future__ import annotations

import argparse
import fcntl
import os
import pickle
import sys
import tempfile
from pathlib import Path

from ..lab import load_lab
from .harness import CLIENTS
from .machine import Deadline, Machine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jailkit.sim.serve")
    parser.add_argument("state", type=Path)
    parser.add_argument("--lab", default="qjail-vnet")
    parser.add_argument("--bare", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--client", choices=CLIENTS, default="on-link")
    args = parser.parse_args(argv)
    command = os.environ.get("SSH_ORIGINAL_COMMAND")
    stdin = sys.stdin.read()
    if command is None:
        command, stdin = stdin, ""
    with open(args.state.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if args.state.exists():
            machine = pickle.loads(args.state.read_bytes())
        else:
            machine = Machine(load_lab(args.lab), args.seed, args.bare, args.client)
        try:
            status, out, err = machine.run(command, stdin)
        except Deadline:
            status, out, err = 124, "", "jailkit sim: the command ran for a virtual day; stopped\n"
        handle, temporary = tempfile.mkstemp(dir=args.state.parent)
        with os.fdopen(handle, "wb") as saved:
            pickle.dump(machine, saved)
        os.replace(temporary, args.state)
    sys.stdout.write(out)
    sys.stderr.write(err)
    return status


if __name__ == "__main__":
    sys.exit(main())
