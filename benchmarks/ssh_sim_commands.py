"""Per-command cost of ssh:// to the sim behind a real sshd (its forced
command handing each command to one persistent sim, jailkit.sim.serve),
beside the same sshd running `true` itself and the forced command run
without ssh, in one run.

    .venv/bin/python benchmarks/ssh_sim_commands.py [--runs N]

Starts its own OpenSSH sshd on 127.0.0.1 (as the tests do). Target: at
most 5 ms a command over ssh:// to the sim."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jailkit  # noqa: E402
from tests.sshd import start_sshd  # noqa: E402
from ssh_commands import timed  # noqa: E402  (this directory is on sys.path: run as a script)

TARGET_MS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    runs = parser.parse_args().runs
    sim, plain = start_sshd(sim=True), start_sshd()
    try:
        host = jailkit.connect(sim.url())
        sim_ms = timed(lambda: host.run("true").check(), runs)
        lab_ms = timed(lambda: host.run("ifconfig -a").check(), runs)
        host.close()
        shell = jailkit.connect(plain.url())
        plain_ms = timed(lambda: shell.run("true").check(), runs)
        shell.close()
        forced = [str(sim.workdir / "serve-client"), str(sim.workdir / "sim" / "sim.sock")]
        env = {**os.environ, "SSH_ORIGINAL_COMMAND": "true"}
        client_ms = timed(lambda: subprocess.run(forced, env=env, stdin=subprocess.DEVNULL,
                                                 check=True), runs)
    finally:
        sim.stop()
        plain.stop()
    rows = [("Host.run('true') over ssh:// to the sim", sim_ms),
            ("Host.run('ifconfig -a') over ssh:// to the sim", lab_ms),
            ("Host.run('true') over ssh://, sshd's own sh", plain_ms),
            ("the forced command alone, no ssh", client_ms)]
    print(f"{'':48} {'median ms':>10} {'mean ms':>10} {'runs':>6}")
    for label, samples in rows:
        print(f"{label:48} {statistics.median(samples):10.2f} {statistics.mean(samples):10.2f} "
              f"{len(samples):6d}")
    median = statistics.median(sim_ms)
    print(f"target at most {TARGET_MS:g} ms a command: {'met' if median <= TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
