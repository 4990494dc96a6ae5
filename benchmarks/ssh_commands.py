"""Per-command latency of Host.run("true") over one paramiko connection,
against a new ssh process per command and a local subprocess, in one run.

    .venv/bin/python benchmarks/ssh_commands.py [--runs N]

Starts its own OpenSSH sshd on 127.0.0.1 (as the tests do). Targets: under
3 ms per command over ssh://, and at least 50 times faster than a new ssh
process per command."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jailkit  # noqa: E402
from tests.sshd import start_sshd  # noqa: E402


def timed(action, runs: int) -> list[float]:
    action()   # warm up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    runs = parser.parse_args().runs
    server = start_sshd()
    try:
        host = jailkit.connect(server.url())
        paramiko_ms = timed(lambda: host.run("true").check(), runs)
        host.close()
        ssh_argv = ["ssh", "-q", "-i", str(server.key), "-p", str(server.port),
                    "-o", f"UserKnownHostsFile={server.known_hosts}", "-o", "BatchMode=yes",
                    f"{server.user}@127.0.0.1", "true"]
        ssh_ms = timed(lambda: subprocess.run(ssh_argv, check=True), max(runs // 10, 10))
        local_ms = timed(lambda: subprocess.run(["true"], check=True), runs)
    finally:
        server.stop()
    rows = [("Host.run('true') over one paramiko connection", paramiko_ms),
            ("a new ssh process per command", ssh_ms),
            ("local subprocess.run(['true'])", local_ms)]
    print(f"{'':48} {'median ms':>10} {'mean ms':>10} {'runs':>6}")
    for label, samples in rows:
        print(f"{label:48} {statistics.median(samples):10.2f} {statistics.mean(samples):10.2f} "
              f"{len(samples):6d}")
    ratio = statistics.median(ssh_ms) / statistics.median(paramiko_ms)
    print(f"paramiko is {ratio:.0f}x faster than a new ssh process per command")
    print(f"target under 3 ms: {'met' if statistics.median(paramiko_ms) < 3 else 'NOT met'}; "
          f"target 50x: {'met' if ratio >= 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
