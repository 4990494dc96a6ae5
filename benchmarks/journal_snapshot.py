"""What a scenario's cleanup journal costs on the sim: one snapshot (the
look at the host around each step) on a host with qjail and N running vnet
jails, and `pytest steps` (every scenario of every feature) as a user runs
it: pytest's own time, the wall time with start-up, and the CPU time (the
figure to compare on a machine others use too), in one run.

    .venv/bin/python benchmarks/journal_snapshot.py [--runs N] [--jails N] [--steps N]

Target (issue 14): `pytest steps` in at most 1 s. A snapshot is one sh
command line of about fifty commands. On the sim the journal looks again
only when something may have run on the host since its last look
(Host.generation), and ends a step's window only when something other than
the next step runs first (Host.before_next_change), so `pytest steps` takes
about 80 snapshots (1,355 when it looked before and after every step); a
snapshot's cost times 80 is the journal's share."""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import jailkit  # noqa: E402
from jailkit.cleanup import snapshot  # noqa: E402
from jailkit.host import Host  # noqa: E402
from jailkit.qjail import Qjail  # noqa: E402

TARGET_S = 1.0


def host_with_jails(count: int) -> Host:
    """The howto's set-up: qjail installed, ``count`` vnet jails running."""
    host = jailkit.connect("sim://")
    qjail = Qjail(host)
    qjail.install()
    for index in range(count):
        name = f"v{index}"
        qjail.create(name, [f"10.0.10.{10 + index}"])
        qjail.config(name, vnet_nic="fxp0", firewall="none")
        qjail.start(name)
    return host


def snapshot_ms(host: Host, runs: int) -> list[float]:
    snapshot(host)      # warm up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        snapshot(host)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def steps_seconds() -> tuple[float, float, float]:
    """`pytest -q steps` as a user runs it: the time pytest reports (its
    session, without start-up), the wall time with start-up, and the CPU
    time (user and system) of the whole run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "steps", "-p", "no:cacheprovider"],
                          cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reported = re.search(r" in ([0-9.]+)s", done.stdout.splitlines()[-1])
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return float(reported.group(1)) if reported else float("nan"), wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--jails", type=int, default=3)
    parser.add_argument("--steps", type=int, default=3, help="runs of pytest steps")
    options = parser.parse_args()
    print(f"{'jails':>5}  {'snapshot median ms':>18}  {'min ms':>7}")
    for count in sorted({0, options.jails}):
        samples = snapshot_ms(host_with_jails(count), options.runs)
        print(f"{count:>5}  {statistics.median(samples):>18.3f}  {min(samples):>7.3f}")
    runs = [steps_seconds() for _ in range(options.steps)]
    for label, index in (("pytest's time", 0), ("wall", 1), ("CPU", 2)):
        values = [run[index] for run in runs]
        print(f"pytest -q steps, {label}: median {statistics.median(values):.2f} s "
              f"(min {min(values):.2f} s, {options.steps} runs)")
    counted = statistics.median(run[0] for run in runs)
    print(f"target `pytest steps` at most {TARGET_S:g} s (as pytest counts it, median): "
          f"{'met' if counted <= TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
