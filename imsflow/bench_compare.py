"""`make bench-compare BASE=<rev>`: is this tree's verification environment slower than <rev>'s?

Runs the `bench env` measurement (UvmLeanStream, seed 1: 20,000 back-to-back messages, each
checked through the device, IR, APIC and Linux-irq models) of this tree and of a git worktree of
<rev> IN PAIRS: both runs of a pair start together and are pinned to the same logical CPU, so
both see the same machine. The figure compared is checked messages per CPU second of each
simulation process.

Why pairs: on a 2-vCPU machine the CPU-second figure of one code moves by 25 % with what runs
on the sibling CPU (a busy sibling hyperthread slows every instruction), more than the
differences worth finding; run alone, one after the other, two versions are compared across
different loads. In a pair they share the load, and the per-pair ratio is what is printed
(its median is the verdict).

Both trees build the same parameters (default NUM_SLOTS=64, MEM_MAX_ENTRIES=0, the revision-1
build the env bench uses); each its own build directory. Each tree simulates its own rtl/
unless --same-rtl copies this tree's rtl/ into the base worktree, so that only the environment
differs. <rev> must have the CPU-second figure
in its results (commits since the `bench env` line printed it); older ones are refused with
one line.

  python -m imsflow.bench_compare --base <rev> [--sim verilator] [--pairs 4] [--cpu 1] [--same-rtl]

The worktree lives in sim_build/bench-base-<sha>; after `make clean`, `git worktree prune`
forgets it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from imsflow import sim as sim_mod

ROOT = Path(__file__).resolve().parent.parent
PARAMS = {"NUM_SLOTS": 64, "MEM_MAX_ENTRIES": 0}

# Run in each tree's own directory with this interpreter: that tree's imsflow, tb and RTL.
CHILD = """
import json
from imsflow import sim
from tb.uvm.config import last_result
res = sim.run("tests.impl.hdl.uvm_tests", sim={sim!r}, parameters={params!r}, testcase="UvmLeanStream",
              seed=1, run_tag="bench-compare")
rec = last_result(res.test_dir) or {{}}
print("RESULT " + json.dumps({{k: rec.get(k) for k in ("status", "messages_checked", "traffic_msgs_per_s",
                                                     "traffic_msgs_per_cpu_s")}}))
"""


def base_tree(rev: str) -> Path:
    """A detached worktree of `rev` under sim_build (made once per commit)."""
    sha = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT, capture_output=True,
                         text=True)
    if sha.returncode != 0:
        raise SystemExit(f"bench-compare: {rev!r} is not a commit of this repository")
    sha = sha.stdout.strip()
    tree = sim_mod.BUILD_ROOT / f"bench-base-{sha[:12]}"
    if not (tree / ".git").exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), sha], cwd=ROOT, check=True,
                       capture_output=True)
    if not (tree / "imsflow" / "sim.py").exists():
        raise SystemExit(f"bench-compare: {rev} has no imsflow/sim.py (older layout); compare with a later commit")
    return tree


def start(tree: Path, sim: str, params: dict, cpu: int | None) -> subprocess.Popen:
    pin = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
    return subprocess.Popen([sys.executable, "-c", CHILD.format(sim=sim, params=params)], cwd=tree,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=pin)


def result(name: str, p: subprocess.Popen) -> dict:
    out, err = p.communicate()
    lines = [ln for ln in out.splitlines() if ln.startswith("RESULT ")]
    rec = json.loads(lines[-1][7:]) if lines else {}
    if not rec.get("traffic_msgs_per_cpu_s"):
        tail = (err or out).strip().splitlines()[-1:] or ["no output"]
        raise SystemExit(f"bench-compare: the {name} run gave no checked-msg-per-CPU-second figure "
                         f"(status {rec.get('status')!r}; {tail[0]})")
    return rec


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="commit (or branch, tag) to compare against")
    ap.add_argument("--sim", choices=sim_mod.SIMULATORS, default="verilator")
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--cpu", type=int, default=max(os.sched_getaffinity(0)),
                    help="logical CPU both runs of a pair are pinned to (-1: not pinned)")
    ap.add_argument("--same-rtl", action="store_true", help="simulate this tree's rtl/ in both")
    ap.add_argument("--param", action="append", default=[], help="NAME=VALUE over NUM_SLOTS=64 MEM_MAX_ENTRIES=0")
    args = ap.parse_args(argv)
    if args.pairs < 1:
        ap.error("--pairs must be at least 1")
    params = dict(PARAMS, **sim_mod.parse_params(args.param)) if args.param else dict(PARAMS)
    cpu = None if args.cpu < 0 else args.cpu
    base = base_tree(args.base)
    if args.same_rtl:
        shutil.rmtree(base / "rtl")
        shutil.copytree(ROOT / "rtl", base / "rtl")
    trees = {"this tree": ROOT, args.base: base}
    print(f"bench-compare {args.sim} {sim_mod.param_tag(params)}: {args.pairs} pairs, this tree vs {args.base} "
          f"({base}{', with this rtl/' if args.same_rtl else ''}), both runs of a pair at once on CPU "
          f"{cpu if cpu is not None else 'any'}", flush=True)
    rates = {name: [] for name in trees}
    ratios = []
    for k in range(args.pairs):
        procs = {name: start(tree, args.sim, params, cpu) for name, tree in trees.items()}
        try:
            recs = {name: result(name, p) for name, p in procs.items()}
        finally:                  # a failed run stops the pair: no orphaned partner run
            for p in procs.values():
                if p.poll() is None:
                    p.kill()
        for name, rec in recs.items():
            rates[name].append(rec["traffic_msgs_per_cpu_s"])
        ratios.append(rates["this tree"][-1] / rates[args.base][-1])
        print(f"bench-compare pair {k + 1}: this tree {rates['this tree'][-1] / 1000:.2f}k, {args.base} "
              f"{rates[args.base][-1] / 1000:.2f}k checked msg per CPU s, ratio {ratios[-1]:.3f}", flush=True)
    med = statistics.median(ratios)
    verdict = ("not slower" if min(ratios) >= 1.0 else
               "slower in every pair" if max(ratios) < 1.0 else
               "mixed: slower in some pairs")
    print(f"bench-compare {args.sim}: this tree {statistics.median(rates['this tree']) / 1000:.2f}k vs {args.base} "
          f"{statistics.median(rates[args.base]) / 1000:.2f}k checked msg per CPU s (medians); per-pair ratio "
          f"median {med:.3f} ({' '.join(f'{r:.3f}' for r in ratios)}): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
