"""`make test`, the README's second command, on a fresh clone: the whole
suite and the type check, timed after set-up.

    .venv/bin/python benchmarks/make_test.py [--runs N]

It clones this checkout's HEAD (what is committed, not the working tree)
into a temporary directory, sets it up once as a newcomer would (`make
.venv/bin/pytest`: the venv and its packages; then `.ci/setup-host`), and
runs `make test` --runs times (3), each from the state of a fresh clone
after set-up: before each, everything git ignores but the venv and the
package's egg-info (compiled modules, mypy's cache, the sim sshd's
compiled programs) is removed. The clone goes at the end, also after a
failure or Ctrl-C.

Target (issue 14): `make test` at most 60 s after set-up (wall clock).
Printed beside it: pytest's own count, and the CPU time of the whole run
(the suite needs more CPU than the wall clock shows: it runs on pytest-xdist
workers), the figure to compare when the machine is shared."""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 60.0
# what a fresh clone after set-up has beside the committed files
KEPT = ["/.venv", "/*.egg-info"]


def set_up(clone: Path) -> float:
    """Clone HEAD and set it up; the seconds it took."""
    started = time.perf_counter()
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    for step in (["make", "--no-print-directory", ".venv/bin/pytest"], [".ci/setup-host"]):
        done = subprocess.run(step, cwd=clone, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
        if done.returncode != 0:
            sys.stdout.write(done.stdout[-3000:])
            raise SystemExit(f"make_test: the set-up's {' '.join(step)} failed "
                             f"(exit {done.returncode})")
    return time.perf_counter() - started


def as_cloned(clone: Path) -> None:
    """The clone as it was right after set-up."""
    excludes = [word for path in KEPT for word in ("-e", path)]
    subprocess.run(["git", "clean", "-xdfq", *excludes], cwd=clone, check=True)


def make_test(clone: Path) -> tuple[float, float, float]:
    """One `make test`: its wall clock, pytest's own count and the CPU time
    (user and system, every process it started)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # a session of its own: on Ctrl-C or a failure here, every process it
    # started (pytest's workers, the test sshds and sims) is stopped with it
    run = subprocess.Popen(["make", "--no-print-directory", "test"], cwd=clone, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = run.communicate()
    except BaseException:
        stop(run)
        raise
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        sys.stdout.write(output[-3000:])
        raise SystemExit(f"make_test: `make test` failed (exit {run.returncode}); not timed")
    counted = re.findall(r" passed.* in ([0-9.]+)s", output)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, float(counted[-1]) if counted else float("nan"), cpu


def stop(run: subprocess.Popen) -> None:
    """Interrupt the run's whole session as Ctrl-C would (pytest then tears
    its fixtures down: sshds, users, sims); kill what is left after a minute."""
    for signal_number, grace in ((signal.SIGINT, 60), (signal.SIGKILL, 10)):
        try:
            os.killpg(run.pid, signal_number)
        except ProcessLookupError:
            return
        try:
            run.wait(grace)
            # make has gone; wait for the rest of its session too
            deadline = time.monotonic() + grace
            while _session_alive(run.pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if not _session_alive(run.pid):
                return
        except subprocess.TimeoutExpired:
            continue


def _session_alive(session: int) -> bool:
    try:
        os.killpg(session, 0)
    except ProcessLookupError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="runs of make test (median)")
    options = parser.parse_args()
    if options.runs < 1:
        parser.error("--runs is at least 1")
    place = Path(tempfile.mkdtemp(prefix="jailkit-make-test-"))
    try:
        clone = place / "jailkit"
        print(f"set-up (clone, venv, .ci/setup-host): {set_up(clone):.1f} s, not counted")
        runs = []
        for _ in range(options.runs):
            as_cloned(clone)
            runs.append(make_test(clone))
            wall, counted, cpu = runs[-1]
            print(f"make test: {wall:.1f} s wall (pytest counted {counted:.1f} s), {cpu:.1f} s CPU")
    finally:
        shutil.rmtree(place, ignore_errors=True)
    walls = [run[0] for run in runs]
    median = statistics.median(walls)
    print(f"make test on a fresh clone after set-up: median {median:.1f} s "
          f"(min {min(walls):.1f}, max {max(walls):.1f}; {options.runs} runs), "
          f"CPU median {statistics.median(run[2] for run in runs):.1f} s")
    print(f"target at most {TARGET_S:g} s: {'met' if median <= TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
