"""make bench-compare refuses what it cannot compare with one line and a non-zero exit (the
measurement itself is a benchmark, run by hand: it prints figures, it asserts none)."""

from __future__ import annotations

import subprocess
import sys

from imsflow import bench_compare


def _run(*args):
    return subprocess.run([sys.executable, "-m", "imsflow.bench_compare", *args], cwd=bench_compare.ROOT,
                          capture_output=True, text=True, timeout=120)


def test_unknown_revision_is_one_line_and_fails():
    p = _run("--base", "no-such-revision-xyz")
    assert p.returncode != 0
    assert p.stderr.strip().splitlines() == ["bench-compare: 'no-such-revision-xyz' is not a commit of this repository"]


def test_pairs_must_be_positive():
    p = _run("--base", "HEAD", "--pairs", "0")
    assert p.returncode == 2 and "--pairs must be at least 1" in p.stderr
