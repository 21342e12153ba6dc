"""`make regress SEEDS=N [SIM=verilator|icarus] [NUM_SLOTS=n]`: every pyuvm test and the
directed module over N seeds, in parallel, with functional and (Verilator) code coverage.

Runs: every test of tests/test_uvm.py ALL_TESTS with its own parameter set (UvmScale at
NUM_SLOTS=2048, the others at 64; a NUM_SLOTS=... override applies to all, and UvmScale is
skipped below 512 slots), plus tests.hdl.ims_directed as one simulator run per seed (at 64
slots unless overridden), each x seeds seed_base .. seed_base+N-1. One simulator process per
run; `-j` of them at a time (auto = one per core). With Verilator every run uses the coverage
build (`-cov` build dirs, line + toggle) and leaves a coverage.dat in its run directory.

Reports (also written under sim_build/regress/):
  * a progress line per finished run, then a results table (test, seed, result, messages
    checked, simulated time, wall time) and, for each failure, the command that reruns it with
    waves;
  * junit.xml, one testcase per run;
  * the merged functional coverage of the pyuvm runs (tb/uvm/coverage.py; runs of the
    injected-fault tests are left out, their scoreboard is tampered with on purpose):
    functional_coverage.json and a per-coverpoint summary;
  * the merged Verilator code coverage (tests/coverage_report.py): coverage.dat,
    code_coverage.txt (every point never hit) and a summary;
  * as the last line: `regress: P passed, F failed, M messages checked`.
Exit status 1 when any run failed (or no run passed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tb.uvm.config import last_result
from tests import coverage_report, sim

ROOT = sim.ROOT
REGRESS_DIR = sim.BUILD_ROOT / "regress"
UVM_MODULE = "tests.hdl.uvm_tests"
DIRECTED_MODULE = "tests.hdl.ims_directed"
DIRECTED_NAME = "ims_directed"
DIRECTED_PARAMS = {"NUM_SLOTS": 64}
SCALE_MIN_SLOTS = 512


@dataclass
class Case:
    """One simulator run of a regression."""
    test: str                 # pyuvm test class, or DIRECTED_NAME for the whole directed module
    seed: int
    params: dict
    module: str

    @property
    def run_tag(self) -> str:
        return f"regress-{self.test}-{self.seed}"


@dataclass
class Outcome:
    case: Case
    passed: bool
    messages: int = 0
    sim_time_ns: float = 0.0
    wall_s: float = 0.0
    detail: str = ""                                  # why it failed
    failed_tests: list[str] = field(default_factory=list)
    run_dir: Path | None = None
    testcases: int = 0


def uvm_tests() -> tuple[list[str], list[str], list[str]]:
    """(all tests, scale tests, injected tests) as tests/test_uvm.py lists them."""
    from tests import test_uvm
    return list(test_uvm.ALL_TESTS), list(test_uvm.SCALE_TESTS), list(test_uvm.INJECTED_TESTS)


def plan(seeds: int, seed_base: int, override: dict, tests: list[str] | None = None,
         directed: bool = True) -> tuple[list[Case], list[str]]:
    """The runs of a regression, and the tests skipped (with why)."""
    all_tests, scale, _ = uvm_tests()
    cases, skipped = [], []
    for t in tests or all_tests:
        if t not in all_tests:
            raise SystemExit(f"regress: unknown pyuvm test {t!r}; known: {', '.join(all_tests)}")
        params = dict(override) if override else ({"NUM_SLOTS": 2048} if t in scale else {"NUM_SLOTS": 64})
        if t in scale and params.get("NUM_SLOTS", 2048) < SCALE_MIN_SLOTS:
            skipped.append(f"{t}: needs NUM_SLOTS >= {SCALE_MIN_SLOTS}")
            continue
        cases += [Case(t, seed_base + k, params, UVM_MODULE) for k in range(seeds)]
    if directed:
        params = dict(override) if override else dict(DIRECTED_PARAMS)
        cases += [Case(DIRECTED_NAME, seed_base + k, params, DIRECTED_MODULE) for k in range(seeds)]
    return cases, skipped


def repro(case: Case, sim_name: str, test: str | None = None) -> str:
    params = " ".join(f"{k}={v}" for k, v in sorted(case.params.items()))
    return f"make waves TEST={test or case.test} SEED={case.seed} SIM={sim_name} {params}".rstrip()


def _sim_time_of(results_xml: Path) -> float:
    """Sum of the cocotb tests' simulated time (ns) in a results file."""
    total = 0.0
    if not results_xml.exists():
        return total
    for case in ET.parse(results_xml).getroot().iter("testcase"):
        for prop in case.iter("property"):
            if prop.get("name") == "sim_time_duration":
                total += float(prop.get("value", 0) or 0)
    return total


def judge(case: Case, res: sim.SimResult, wall: float) -> Outcome:
    """A run passed when the simulator reported every test passed and, for a pyuvm test, its
    results line says pass (the injected-fault tests pass only when the fault was caught)."""
    out = Outcome(case, passed=res.ok, wall_s=wall, run_dir=res.test_dir,
                  sim_time_ns=_sim_time_of(res.results_xml),
                  testcases=len(res.passed) + len(res.failed))
    out.failed_tests = [name for name, _ in res.failed]
    if res.failed:
        out.detail = "; ".join(f"{name}: {msg}" for name, msg in res.failed[:3])
    if case.module == UVM_MODULE:
        line = last_result(res.test_dir)
        if line is None:
            out.passed = False
            out.detail = out.detail or "no uvm_results.jsonl line (the test did not reach its check phase)"
        else:
            out.messages = int(line.get("messages_checked", 0))
            out.sim_time_ns = float(line.get("sim_time_ns", out.sim_time_ns))
            if line.get("result") != "pass":
                out.passed = False
                out.detail = out.detail or f"results line says {line.get('result')!r}"
    elif not res.passed:
        out.passed = False
    return out


def run_case(case: Case, sim_name: str, coverage: bool) -> Outcome:
    t0 = time.perf_counter()
    try:
        res = sim.run(case.module, sim=sim_name, parameters=case.params,
                      testcase=None if case.module == DIRECTED_MODULE else case.test,
                      seed=case.seed, run_tag=case.run_tag, check=False, coverage=coverage)
    except Exception as exc:  # a build error or a runner crash is this run's failure, not the regression's
        return Outcome(case, passed=False, wall_s=time.perf_counter() - t0,
                       detail=f"{type(exc).__name__}: {exc}".splitlines()[0])
    return judge(case, res, time.perf_counter() - t0)


def progress_line(done: int, total: int, o: Outcome) -> str:
    w = len(str(total))
    what = f"{o.messages} msgs" if o.case.module == UVM_MODULE else f"{o.testcases} tests"
    return (f"[{done:>{w}}/{total}] {o.case.test} seed {o.case.seed}: "
            f"{'PASS' if o.passed else 'FAIL'} {what} {o.wall_s:.1f} s")


def results_table(outcomes: list[Outcome]) -> str:
    rows = [("test", "seed", "result", "messages", "sim time", "wall")]
    for o in sorted(outcomes, key=lambda o: (o.case.test, o.case.seed)):
        rows.append((o.case.test, str(o.case.seed), "PASS" if o.passed else "FAIL",
                     str(o.messages) if o.case.module == UVM_MODULE else "-",
                     f"{o.sim_time_ns / 1000:.1f} us", f"{o.wall_s:.1f} s"))
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.ljust(widths[k]) if k == 0 else c.rjust(widths[k]) for k, c in enumerate(r)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def failure_report(outcomes: list[Outcome], sim_name: str) -> str:
    lines = []
    for o in outcomes:
        if o.passed:
            continue
        lines.append(f"FAILED {o.case.test} seed {o.case.seed}: {o.detail or 'failed'}")
        for t in (o.failed_tests if o.case.module == DIRECTED_MODULE else [o.case.test])[:5]:
            lines.append(f"  reproduce: {repro(o.case, sim_name, t)}")
        if o.run_dir is not None:
            lines.append(f"  log: {o.run_dir / 'sim.log'}")
    return "\n".join(lines)


def write_junit(outcomes: list[Outcome], path: Path, sim_name: str) -> None:
    """One testcase per run; a failure carries its reason and the repro command."""
    failures = sum(1 for o in outcomes if not o.passed)
    suite = ET.Element("testsuite", name=f"regress-{sim_name}", tests=str(len(outcomes)),
                       failures=str(failures), errors="0",
                       time=f"{sum(o.wall_s for o in outcomes):.3f}")
    for o in outcomes:
        tc = ET.SubElement(suite, "testcase", classname=o.case.module,
                           name=f"{o.case.test}[seed={o.case.seed}]", time=f"{o.wall_s:.3f}")
        props = ET.SubElement(tc, "properties")
        for k, v in (("seed", o.case.seed), ("messages_checked", o.messages),
                     ("sim_time_ns", o.sim_time_ns),
                     ("params", ",".join(f"{a}={b}" for a, b in sorted(o.case.params.items())))):
            ET.SubElement(props, "property", name=k, value=str(v))
        if not o.passed:
            f = ET.SubElement(tc, "failure", message=o.detail or "failed")
            f.text = "\n".join(repro(o.case, sim_name, t) for t in (o.failed_tests or [o.case.test]))
    path.parent.mkdir(parents=True, exist_ok=True)
    top = ET.Element("testsuites")
    top.append(suite)
    ET.ElementTree(top).write(path, encoding="utf-8", xml_declaration=True)


def final_line(outcomes: list[Outcome]) -> str:
    p = sum(1 for o in outcomes if o.passed)
    f = len(outcomes) - p
    m = sum(o.messages for o in outcomes)
    return f"regress: {p} passed, {f} failed, {m} messages checked"


def functional_coverage(outcomes: list[Outcome], out_dir: Path) -> str:
    from tb.uvm import coverage as fcov
    _, _, injected = uvm_tests()
    paths = [p for o in outcomes if o.run_dir is not None and o.case.test not in injected
             for p in sorted(o.run_dir.glob(f"{fcov.REPORT_FILE_PREFIX}-*.json"))]
    if not paths:
        return "functional coverage: no pyuvm run wrote a coverage file"
    merged = fcov.merge_reports(fcov.load_reports(paths))
    (out_dir / "functional_coverage.json").write_text(json.dumps(merged, indent=1))
    return (f"functional coverage ({len(paths)} pyuvm runs, injected-fault tests left out):\n"
            + fcov.format_summary(merged))


def code_coverage(outcomes: list[Outcome], out_dir: Path) -> str:
    dats = [o.run_dir / "coverage.dat" for o in outcomes
            if o.run_dir is not None and (o.run_dir / "coverage.dat").exists()]
    if not dats:
        return "code coverage: no coverage.dat (Verilator coverage builds only)"
    counts = coverage_report.merge(dats)
    cov = coverage_report.summarise(counts)
    coverage_report.write_dat(counts, out_dir / "coverage.dat")
    coverage_report.write_annotation(cov, out_dir / "code_coverage.txt")
    return (coverage_report.format_summary(cov)
            + f"\n  ({len(dats)} runs merged into {out_dir / 'coverage.dat'}; points never hit: "
              f"{out_dir / 'code_coverage.txt'})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=10, help="seeds per test (default 10)")
    ap.add_argument("--seed-base", type=int, default=1, help="first seed (default 1)")
    ap.add_argument("--sim", default="verilator", choices=sim.SIMULATORS)
    ap.add_argument("--param", action="append", default=[], help="NAME=VALUE for every run, repeatable")
    ap.add_argument("-j", "--jobs", default="auto", help="parallel runs (auto: one per core)")
    ap.add_argument("--tests", default=None, help="comma-separated pyuvm tests (default: all)")
    ap.add_argument("--no-directed", action="store_true", help="leave out the directed module")
    ap.add_argument("--no-coverage", action="store_true", help="Verilator: no coverage build")
    args = ap.parse_args(argv)
    if args.seeds < 1:
        raise SystemExit("regress: --seeds must be >= 1")
    jobs = (os.cpu_count() or 1) if args.jobs == "auto" else int(args.jobs)
    # The simulator's Python must find tests/, tb/ and models/ however we were started.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(ROOT)])
    coverage = args.sim == "verilator" and not args.no_coverage
    override = sim.parse_params(args.param)
    cases, skipped = plan(args.seeds, args.seed_base, override,
                          args.tests.split(",") if args.tests else None, not args.no_directed)
    print(f"regress: {len(cases)} runs on {args.sim} (seeds {args.seed_base}..{args.seed_base + args.seeds - 1}, "
          f"{jobs} at a time{', coverage build' if coverage else ''})", flush=True)
    for s in skipped:
        print(f"  skipped {s}")
    t0 = time.perf_counter()
    # Build each configuration once, before the runs compete for the cores.
    for params in {tuple(sorted(c.params.items())) for c in cases}:
        try:
            sim.build(args.sim, dict(params), coverage=coverage)
        except Exception as exc:
            print(f"regress: build for {dict(params)} failed: {exc}", flush=True)
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(run_case, c, args.sim, coverage) for c in cases]
        for fut in as_completed(futures):
            o = fut.result()
            outcomes.append(o)
            print(progress_line(len(outcomes), len(cases), o), flush=True)
    wall = time.perf_counter() - t0
    REGRESS_DIR.mkdir(parents=True, exist_ok=True)
    print()
    print(results_table(outcomes))
    fails = failure_report(outcomes, args.sim)
    if fails:
        print()
        print(fails)
    write_junit(outcomes, REGRESS_DIR / "junit.xml", args.sim)
    print()
    print(functional_coverage(outcomes, REGRESS_DIR))
    if coverage:
        print()
        print(code_coverage(outcomes, REGRESS_DIR))
    print()
    print(f"wall time {wall:.0f} s; JUnit: {REGRESS_DIR / 'junit.xml'}")
    print(final_line(outcomes))
    return 0 if outcomes and all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
