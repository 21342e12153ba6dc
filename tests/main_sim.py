"""`make sim`: the main simulation, end to end, with a short summary of what was checked.

Builds ims_top (default NUM_SLOTS=2048, the contract's default) and runs the pyuvm smoke and
random-traffic and mask-storm tests: the modelled Linux driver allocates and requests IMS interrupts through
AXI-Lite, clients fire triggers, and the scoreboard sends every emitted memory write through
the VT-d interrupt-remapping and local-APIC models to the Linux irq that must run, then
compares the block's counters and pending bits with the device model.
"""

from __future__ import annotations

import argparse
import sys
import time

from tb.uvm.config import read_results
from tests import sim as sim_mod

MODULE = "tests.hdl.uvm_tests"
TESTS = ["UvmSmoke", "UvmRandomTraffic", "UvmMaskStorm"]
# Another design (make sim DUT=<profile>): the generic suite, through the profile.
GENERIC_MODULE = "tests.hdl.generic_suite"


def main_generic(args) -> int:
    """`make sim DUT=<profile>`: the generic suite on the profile's design, with every check
    the design could not take listed (features its profile says it lacks)."""
    from tb.generic import format_not_applicable, read_not_applicable

    prof = sim_mod.PROFILE
    params = sim_mod.parse_params(args.param)
    t0 = time.perf_counter()
    print(f"sim: {prof.summary()}", flush=True)
    print(f"sim: building {prof.top} {sim_mod.param_tag(params)} for {args.sim} and running the generic "
          f"suite (seed {args.seed}) ...", flush=True)
    res = sim_mod.run(GENERIC_MODULE, sim=args.sim, parameters=params, seed=args.seed, waves=args.waves,
                      run_tag=f"main-sim-generic-{args.seed}", check=False)
    print(f"sim: {args.sim} {prof.top} {sim_mod.param_tag(params)}, {time.perf_counter() - t0:.0f} s wall")
    for name in res.passed:
        print(f"  PASS {name}")
    for name in res.skipped:
        print(f"  SKIP {name} (not applicable)")
    items = read_not_applicable(res.test_dir)
    print(f"sim: {len(items)} check(s) not applicable to {prof.name} (not run, not passed):")
    if items:
        print(format_not_applicable(items))
    print(res.summary())
    return 0 if res.ok else 1


def describe(rec: dict) -> str:
    stats = rec.get("stats", {})
    outcomes = ", ".join(f"{k.lower()} {v}" for k, v in sorted(stats.get("outcomes", {}).items()))
    return (f"  {rec['test']:<18} {rec['result'].upper():<4} seed {rec['seed']}: "
            f"{stats.get('triggers', 0)} triggers ({outcomes or 'none'}), "
            f"{rec.get('messages_checked', 0)} writes checked "
            f"({stats.get('replays', 0)} replays) -> {stats.get('delivered', 0)} delivered to the right "
            f"Linux irq, {stats.get('faulted', 0)} IR faults (as predicted); "
            f"counters and pending bits match the model; {rec.get('sim_time_ns', 0) / 1000:.1f} us simulated")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sim", default="icarus", choices=sim_mod.SIMULATORS)
    ap.add_argument("--param", action="append", default=[], help="NAME=VALUE (default NUM_SLOTS=2048)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--waves", action="store_true")
    args = ap.parse_args(argv)
    if not sim_mod.PROFILE.is_bundled:
        return main_generic(args)
    params = sim_mod.parse_params(args.param) or {"NUM_SLOTS": 2048}
    t0 = time.perf_counter()
    print(f"sim: building ims_top {sim_mod.param_tag(params)} for {args.sim} and running "
          f"{', '.join(TESTS)} (seed {args.seed}) ...", flush=True)
    res = sim_mod.run(MODULE, sim=args.sim, parameters=params, testcase=",".join(TESTS),
                      seed=args.seed, waves=args.waves, run_tag=f"main-sim-{args.seed}", check=False)
    records = read_results(res.test_dir)
    print(f"sim: {args.sim} {sim_mod.param_tag(params)}, {time.perf_counter() - t0:.0f} s wall")
    for rec in records:
        print(describe(rec))
    print(res.summary())
    if not res.ok:
        print(f"sim: FAILED; reproduce with waves: make waves TEST=<test> SEED={args.seed} "
              f"SIM={args.sim} " + " ".join(f"{k}={v}" for k, v in params.items()))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
