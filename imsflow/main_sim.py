"""`make sim`: the main simulation, end to end, with a short summary of what was checked.

Builds ims_top (default NUM_SLOTS=2048, the contract's default) and runs the pyuvm smoke and
random-traffic and mask-storm tests: the modelled Linux driver allocates and requests IMS interrupts through
AXI-Lite, clients fire triggers, and the scoreboard sends every emitted memory write through
the VT-d interrupt-remapping and local-APIC models to the Linux irq that must run, then
compares the block's counters and pending bits with the device model.

What it prints is what the run established: the end-of-test verdict on counters and pending
bits comes from the scoreboard's own comparison (tb/uvm/scoreboard.py Stats.end_checked,
counter_mismatches, pending_mismatches), and a failing test lists its first mismatches (rule,
slot, cycle, Linux irq) and the exact command that reruns it with waves.

`--mutant NAME` (make sim MUTANT=NAME) runs on a deliberately broken copy of rtl/ (one of
tests/impl/test_mutants.py MUTANTS), to see what a failure looks like.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from tb.uvm.config import read_results
from imsflow import sim as sim_mod

MODULE = "tests.impl.hdl.uvm_tests"
TESTS = ["UvmSmoke", "UvmRandomTraffic", "UvmMaskStorm"]
SHOW_MISMATCHES = 5


def end_verdict(rec: dict) -> str:
    """The counters/pending sentence, true to what the scoreboard compared."""
    stats = rec.get("stats", {})
    if not stats.get("end_checked"):
        return "counters and pending bits NOT compared (the test stopped before its end check)"
    cnt, pend = stats.get("counter_mismatches") or [], int(stats.get("pending_mismatches") or 0)
    if not cnt and not pend:
        return "counters and pending bits match the model"
    parts = []
    if cnt:
        parts.append(f"counter{'s' if len(cnt) > 1 else ''} {', '.join(cnt)} differ from the model")
    if pend:
        parts.append(f"{pend} pending bit{'s' if pend > 1 else ''} differ from the model")
    return "; ".join(parts)


# Another design (make sim DUT=<profile>): the generic suite, through the profile.
GENERIC_MODULE = "tests.generic.hdl.generic_suite"


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
            f"{end_verdict(rec)}; {rec.get('sim_time_ns', 0) / 1000:.1f} us simulated")


def failure_messages(results_xml: Path) -> dict[str, str]:
    """test -> the full failure text cocotb recorded (the scoreboard's list of mismatches)."""
    out = {}
    if not results_xml.exists():
        return out
    for case in ET.parse(results_xml).getroot().iter("testcase"):
        f = case.find("failure")
        if f is None:
            f = case.find("error")
        if f is not None:
            out[case.get("name", "?")] = "\n".join(filter(None, [f.get("message") or "", f.text or ""]))
    return out


def repro(test: str, seed: int, sim: str, params: dict, mutant: str | None = None) -> str:
    p = " ".join(f"{k}={v}" for k, v in sorted(params.items()))
    return f"make waves TEST={test} SEED={seed} SIM={sim} {p}".rstrip() + (f" MUTANT={mutant}" if mutant else "")


def failure_lines(res: sim_mod.SimResult, seed: int, sim: str, params: dict, mutant: str | None) -> list[str]:
    from imsflow.regress import format_mismatch, parse_mismatches
    lines = []
    texts = failure_messages(res.results_xml)
    for name, _ in res.failed:
        text = texts.get(name, "")
        mm = parse_mismatches(text, limit=SHOW_MISMATCHES)
        m_total = re.search(r"(\d+) scoreboard mismatch", text)
        total = m_total.group(1) if m_total else len(mm)
        lines.append(f"FAILED {name} (seed {seed}, {sim}): "
                     + (f"{total} scoreboard mismatch(es); first {len(mm)}:" if mm else text.splitlines()[0] if text else "failed"))
        for m in mm:
            lines.append(f"    {format_mismatch(m)}")
        if name != "<simulation>":
            lines.append(f"  reproduce with waves: {repro(name, seed, sim, params, mutant)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sim", default="icarus", choices=sim_mod.SIMULATORS)
    ap.add_argument("--param", action="append", default=[], help="NAME=VALUE (default NUM_SLOTS=2048)")
    ap.add_argument("--seed", type=int, default=1, help="cocotb seed (default 1)")
    ap.add_argument("--random-seed", action="store_true", help="draw a random seed (printed)")
    ap.add_argument("--waves", action="store_true")
    ap.add_argument("--mutant", default=None, help="run on a deliberately broken copy of rtl/")
    args = ap.parse_args(argv)
    if not sim_mod.PROFILE.is_bundled:
        return main_generic(args)
    params = sim_mod.parse_params(args.param) or {"NUM_SLOTS": 2048}
    seed = random.SystemRandom().randrange(1, 1 << 31) if args.random_seed else args.seed
    extra = {}
    if args.mutant:
        from imsflow.regress import mutant_sources
        extra = mutant_sources(args.mutant)
    t0 = time.perf_counter()
    print(f"sim: building ims_top {sim_mod.param_tag(params)} for {args.sim} and running "
          f"{', '.join(TESTS)} (seed {seed}{', random' if args.random_seed else ''})"
          f"{f' on RTL mutant {args.mutant}' if args.mutant else ''} ...", flush=True)
    res = sim_mod.run(MODULE, sim=args.sim, parameters=params, testcase=",".join(TESTS),
                      seed=seed, waves=args.waves, run_tag=f"main-sim-{seed}", check=False, **extra)
    records = read_results(res.test_dir)
    print(f"sim: {args.sim} {sim_mod.param_tag(params)}, seed {seed}, {time.perf_counter() - t0:.0f} s wall")
    for rec in records:
        print(describe(rec))
    missing = [t for t in TESTS if t not in {r["test"] for r in records}]
    for t in missing:
        print(f"  {t:<18} no result line: the test did not reach its check phase")
    print(res.summary())
    if not res.ok:
        for line in failure_lines(res, seed, args.sim, params, args.mutant):
            print(line)
        print(f"sim: FAILED (seed {seed}); full log: {res.test_dir / 'sim.log'}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
