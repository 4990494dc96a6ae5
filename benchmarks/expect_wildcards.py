"""Time of expect.line_matches as wildcards are added to an expected line
that does not match a line of 60 words (the worst case: every placement of
the wildcards has to be ruled out).

    .venv/bin/python benchmarks/expect_wildcards.py [--runs N] [--wildcards N]

Target: linear in the line's length whatever the number of wildcards; well
under a millisecond per line here. The backtracking regex the matcher used
before had not finished after 100 s for 8 wildcards on this line (2026-12-01)."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jailkit.expect import line_matches  # noqa: E402

LINE = " ".join(f"word{i}" for i in range(60))


def timed(expected: str, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        assert not line_matches(expected, LINE)
        samples.append((time.perf_counter() - started) * 1_000_000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--wildcards", type=int, default=32)
    options = parser.parse_args()
    print(f"{'wildcards':>9}  {'median µs':>10}  {'mean µs':>8}")
    for count in sorted({1, 2, 4, 8, 16, options.wildcards}):
        samples = timed(" ".join(["<...>"] * count) + " nothere", options.runs)
        print(f"{count:>9}  {statistics.median(samples):>10.2f}  {statistics.mean(samples):>8.2f}")


if __name__ == "__main__":
    main()
