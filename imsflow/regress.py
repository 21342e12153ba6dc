"""`make regress SEEDS=N [SIM=verilator|icarus] [NUM_SLOTS=n] [SHARD=i/N] [SCHEDULER=tcp://h:p | CLUSTER=slurm|lsf|pbs|sge]`:
every pyuvm test and the directed module over N seeds, on Dask, with functional and
(Verilator) code coverage and an HTML report.

Runs: every test of tests/impl/test_uvm.py ALL_TESTS with its own parameter set (UvmScale at
NUM_SLOTS=2048, the others at 64; a NUM_SLOTS=... override applies to all, and UvmScale is
skipped below 512 slots), plus tests.impl.hdl.ims_directed as one simulator run per seed (at 64
slots unless overridden), each x seeds seed_base .. seed_base+N-1. SHARD=i/N keeps every Nth
run of that list, starting at the i-th (1-based): a fixed slice, the same on every machine.
With DUT=<profile> (another design, $IMS_DUT) the runs are the generic suite
(tests.generic.hdl.generic_suite), one per seed and [parameters.sweep] set of the profile (or
the override); its not-applicable checks are listed in the output and the report, and each
failure's repro is `make waves TEST=... DUT=... [DEFINES=...] SIM=... PARAMS="..." SEED=...`.

Where the runs execute (imsflow/regress_dask.py): an embedded Dask LocalCluster by default
(`-j` single-threaded workers, auto = one per core), an existing Dask cluster
(`--scheduler`), or batch jobs started by dask-jobqueue (`--cluster`, options from
`--cluster-config`). Each simulator run is one task with a time limit (`--timeout`); a
worker lost mid-run has its runs re-executed and each run is reported once. With Verilator
every run uses the coverage build (`-cov` build dirs, line + toggle).

Failures: each failing run is rerun once with waves (Verilator writes VCD) and the report
draws the trigger, register and memory-write signals around the first mismatch's cycle.

Reports, in sim_build/regress/ (sim_build/regress/shard-i-of-N/ for a shard; `--merge`
combines shards, see imsflow/regress_report.py):
  * a progress bar on a terminal (a line per finished run otherwise), then a results table
    and, for each failure, its first mismatches and the command that reruns it with waves;
  * results.json (every run, for merging and the report), junit.xml (one testcase per run);
  * the merged functional coverage of the pyuvm runs (tb/uvm/coverage.py; runs of the
    injected-fault tests are left out, their scoreboard is tampered with on purpose):
    functional_coverage.json and a per-coverpoint summary;
  * the merged Verilator code coverage (imsflow/coverage_report.py): coverage.dat,
    code_coverage.txt (every point never hit) and a summary;
  * report.html: one self-contained page of all of the above;
  * as the last line: `regress: P passed, F failed, M messages checked`.
Exit status 1 when any run failed (or no run passed), 130 after Ctrl-C (partial report written).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import xml.etree.ElementTree as ET
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tb import dut_profile
from tb.uvm.config import last_result
from imsflow import coverage_report, sim

ROOT = sim.ROOT
REGRESS_DIR = sim.BUILD_ROOT / "regress"
UVM_MODULE = "tests.impl.hdl.uvm_tests"
DIRECTED_MODULE = "tests.impl.hdl.ims_directed"
DIRECTED_NAME = "ims_directed"
DIRECTED_PARAMS = {"NUM_SLOTS": 64}
# DUT=<profile> other than the bundled block: the generic suite, one simulator run per seed and
# parameter set of the profile's sweep (the pyuvm tests and the directed module are ims_top's own).
GENERIC_MODULE = "tests.generic.hdl.generic_suite"
GENERIC_NAME = "generic_suite"
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

    @property
    def run_id(self) -> str:
        """Unique within a regression and across shards: test, seed and parameter set."""
        return f"{self.test}-s{self.seed}-{sim.param_tag(self.params)}"


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
    status: str = ""                                  # pass | fail | timeout | error (empty: from passed)
    mismatches: list[dict] = field(default_factory=list)   # first failures: kind, cycle, slot, irq, text
    worker: str = ""
    drawing: dict | None = None                       # failure waveform: svg, wavedrom, cycle, file
    not_applicable: list[dict] = field(default_factory=list)   # generic suite: checks the DUT lacks

    @property
    def verdict(self) -> str:
        return self.status.upper() if self.status and not self.passed else ("PASS" if self.passed else "FAIL")


def uvm_tests() -> tuple[list[str], list[str], list[str]]:
    """(all tests, scale tests, injected tests) as tests/impl/test_uvm.py lists them."""
    from tests.impl import test_uvm
    return list(test_uvm.ALL_TESTS), list(test_uvm.SCALE_TESTS), list(test_uvm.INJECTED_TESTS)


def plan(seeds: int, seed_base: int, override: dict, tests: list[str] | None = None,
         directed: bool = True) -> tuple[list[Case], list[str]]:
    """The runs of a regression, and the tests skipped (with why)."""
    if not sim.PROFILE.is_bundled:
        return plan_generic(seeds, seed_base, override, tests)
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


def plan_generic(seeds: int, seed_base: int, override: dict, tests: list[str] | None) -> tuple[list[Case], list[str]]:
    """DUT=<profile>: the generic suite at each of the profile's sweep sets (or the override)."""
    prof = sim.PROFILE
    if tests:
        raise SystemExit(f"regress: --tests/TESTS= names pyuvm tests of the bundled ims_top; DUT={prof.display_path()} "
                         f"runs the generic suite only")
    sets = [dict(override)] if override else [dict(v) for v in prof.sweep.values()] or [{}]
    cases = [Case(GENERIC_NAME, seed_base + k, params, GENERIC_MODULE) for params in sets for k in range(seeds)]
    skipped = [f"pyuvm tests and the directed module: tests of the bundled ims_top, not run on DUT={prof.display_path()}"]
    return cases, skipped


def dut_payload() -> dict:
    """The design selection every run carries (a remote worker may not have make's environment)."""
    return {"dut": str(sim.PROFILE.path.resolve()),
            "defines": os.environ.get(dut_profile.ENV_DEFINES, "")}


MUTANT: str | None = None    # set by main() for a regression on an RTL mutant: part of every repro


def repro(case: Case, sim_name: str, test: str | None = None, mutant: str | None = None) -> str:
    mutant = mutant or MUTANT
    if case.module == GENERIC_MODULE:
        prof = sim.PROFILE
        params = " ".join(f"{k}={v}" for k, v in sorted(case.params.items()))
        defines = os.environ.get(dut_profile.ENV_DEFINES, "").strip()
        if (test or case.test) == GENERIC_NAME:
            args = " ".join(f"--param {k}={v}" for k, v in sorted(case.params.items()))
            return (f"IMS_DUT={prof.display_path()}" + (f" IMS_DEFINES='{defines}'" if defines else "")
                    + f" .venv/bin/python -m imsflow.sim --module {GENERIC_MODULE} --sim {sim_name} {args} "
                    f"--seed {case.seed} --waves")
        return (f"make waves TEST={test} DUT={prof.display_path()}" + (f" DEFINES='{defines}'" if defines else "")
                + f" SIM={sim_name}" + (f' PARAMS="{params}"' if params else "") + f" SEED={case.seed}")
    if (test or case.test) == DIRECTED_NAME:   # the whole directed module (no single test failed)
        args = " ".join(f"--param {k}={v}" for k, v in sorted(case.params.items()))
        return (f".venv/bin/python -m imsflow.sim --module {DIRECTED_MODULE} --sim {sim_name} {args} "
                f"--seed {case.seed} --waves" + (f"  (RTL mutant {mutant}: make regress MUTANT={mutant})" if mutant else ""))
    params = " ".join(f"{k}={v}" for k, v in sorted(case.params.items()))
    return (f"make waves TEST={test or case.test} SEED={case.seed} SIM={sim_name} {params}".rstrip()
            + (f" MUTANT={mutant}" if mutant else ""))


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
    if case.module == GENERIC_MODULE:
        from tb.generic import read_not_applicable
        out.not_applicable = read_not_applicable(res.test_dir)
    return out


def not_applicable_summary(outcomes: list[Outcome]) -> str:
    """Checks the generic suite could not apply (features the profile lacks): listed, never
    counted as passed."""
    from tb.generic import format_not_applicable
    items = [i for o in outcomes for i in o.not_applicable]
    if not any(o.case.module == GENERIC_MODULE for o in outcomes):
        return ""
    if not items:
        return "generic suite: every check applied (no feature absent from the DUT profile)"
    checks = {(i["check"], i["reason"]) for i in items}
    return (f"generic suite: {len(checks)} check(s) not applicable (feature absent from DUT={sim.PROFILE.display_path()}; "
            f"not run, not passed):\n" + format_not_applicable(items))


def mutant_sources(name: str | None) -> dict:
    """sim.run/build keyword arguments for a run on a deliberately broken copy of rtl/ (one of
    tests/impl/test_mutants.py MUTANTS): a demonstration that the regression reports a real RTL bug.
    The copy lives in sim_build/mutants/<name>/ and is rewritten only when it changed."""
    if not name:
        return {}
    import fcntl
    from tests.impl import test_mutants
    mutant = next((m for m in test_mutants.MUTANTS if m.name == name), None)
    if mutant is None:
        raise SystemExit(f"regress: unknown mutant {name!r}; known: {', '.join(m.name for m in test_mutants.MUTANTS)}")
    dest = sim.BUILD_ROOT / "mutants" / name
    dest.mkdir(parents=True, exist_ok=True)
    with open(dest / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        out = []
        for src in sim.rtl_sources():
            text = src.read_text()
            if src.name == mutant.rtl_file:
                if text.count(mutant.original) != 1:
                    raise SystemExit(f"regress: mutant {name}: its text no longer occurs once in rtl/{src.name}")
                text = text.replace(mutant.original, mutant.replacement)
            target = dest / src.name
            if not target.exists() or target.read_text() != text:
                target.write_text(text)
            out.append(target)
    return {"sources": out, "variant": f"mutant-{name}"}


def run_case(case: Case, sim_name: str, coverage: bool, mutant: str | None = None) -> Outcome:
    t0 = time.perf_counter()
    try:
        res = sim.run(case.module, sim=sim_name, parameters=case.params,
                      testcase=None if case.module in (DIRECTED_MODULE, GENERIC_MODULE) else case.test,
                      toplevel=sim.PROFILE.top,
                      seed=case.seed, run_tag=case.run_tag, check=False, coverage=coverage,
                      **mutant_sources(mutant))
    except Exception as exc:  # a build error or a runner crash is this run's failure, not the regression's
        return Outcome(case, passed=False, wall_s=time.perf_counter() - t0,
                       detail=f"{type(exc).__name__}: {exc}".splitlines()[0])
    return judge(case, res, time.perf_counter() - t0)


def progress_line(done: int, total: int, o: Outcome) -> str:
    w = len(str(total))
    what = f"{o.messages} msgs" if o.case.module == UVM_MODULE else f"{o.testcases} tests"
    return (f"[{done:>{w}}/{total}] {o.case.test} seed {o.case.seed}: "
            f"{o.verdict} {what} {o.wall_s:.1f} s")


def results_table(outcomes: list[Outcome]) -> str:
    rows = [("test", "seed", "result", "messages", "sim time", "wall")]
    for o in sorted(outcomes, key=lambda o: (o.case.test, o.case.seed)):
        rows.append((o.case.test, str(o.case.seed), o.verdict,
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
        lines.append(f"{'FAILED' if o.verdict == 'FAIL' else o.verdict} {o.case.test} seed {o.case.seed}: "
                     f"{o.detail or 'failed'}")
        for m in o.mismatches[:3]:
            lines.append(f"  {format_mismatch(m)}")
        for t in ((o.failed_tests or [o.case.test]) if o.case.module in (DIRECTED_MODULE, GENERIC_MODULE)
                  else [o.case.test])[:5]:
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
    """Merge the pyuvm runs' coverage files (copied under out_dir/runs/<run id>/)."""
    from tb.uvm import coverage as fcov
    _, _, injected = uvm_tests()
    paths = [p for o in outcomes if o.case.test not in injected
             for p in sorted((out_dir / "runs" / o.case.run_id).glob(f"{fcov.REPORT_FILE_PREFIX}-*.json"))]
    if not paths:
        return "functional coverage: no pyuvm run wrote a coverage file"
    merged = fcov.merge_reports(fcov.load_reports(paths))
    (out_dir / "functional_coverage.json").write_text(json.dumps(merged, indent=1))
    return (f"functional coverage ({len(paths)} pyuvm runs, injected-fault tests left out):\n"
            + fcov.format_summary(merged))


def code_coverage(merged: "CodeCoverageMerge", out_dir: Path) -> str:
    if not merged.runs:
        return "code coverage: no coverage.dat (Verilator coverage builds only)" + (
            f"; unreadable: {'; '.join(merged.errors[:3])}" if merged.errors else "")
    counts = merged.counts
    cov = coverage_report.summarise(counts)
    coverage_report.write_dat(counts, out_dir / "coverage.dat")
    coverage_report.write_annotation(cov, out_dir / "code_coverage.txt")
    return (coverage_report.format_summary(cov)
            + f"\n  ({merged.runs} runs merged into {out_dir / 'coverage.dat'}; points never hit: "
              f"{out_dir / 'code_coverage.txt'})"
            + (f"\n  unreadable coverage from: {'; '.join(merged.errors[:3])}" if merged.errors else ""))


# ------------------------------------------------------------------------ failure details
_SB_LINE = re.compile(r"\[([A-Z][A-Z_]+)\] cycle (\d+)(?:, slot (\d+))?(?:, Linux irq (\d+))?: (.*)")
_TB_CTX = re.compile(r"^(.*?) \[([^:\]]+): (?:slot (\d+), )?cycle (\d+), sim time")
MAX_MISMATCHES = 5


def parse_mismatches(log_text: str, messages: list[str] = (), limit: int = MAX_MISMATCHES) -> list[dict]:
    """The first failures of a run, in order: scoreboard lines (`[KIND] cycle C, slot S, Linux
    irq I: text`) from the log, then directed-test messages (`what [test: slot S, cycle C, ...]`)."""
    out, seen = [], set()
    for line in log_text.splitlines():
        m = _SB_LINE.search(line)
        if not m:
            continue
        kind, cyc, slot, irq, text = m.groups()
        key = (kind, cyc, slot, text.strip())
        if key in seen:
            continue
        seen.add(key)
        out.append({"rule": kind, "cycle": int(cyc), "slot": int(slot) if slot else None,
                    "irq": int(irq) if irq else None, "text": text.strip()})
    for msg in messages:
        m = _TB_CTX.match(msg)
        if m:
            what, test, slot, cyc = m.groups()
            out.append({"rule": test, "cycle": int(cyc), "slot": int(slot) if slot else None,
                        "irq": None, "text": what.strip()})
    return out[:limit]


def format_mismatch(m: dict) -> str:
    where = [f"cycle {m['cycle']}"] + ([f"slot {m['slot']}"] if m.get("slot") is not None else []) \
        + ([f"Linux irq {m['irq']}"] if m.get("irq") is not None else [])
    return f"[{m['rule']}] {', '.join(where)}: {m['text']}"


# ------------------------------------------------------------------------ (de)serialising
def case_from_dict(d: dict) -> Case:
    return Case(d["test"], int(d["seed"]), dict(d["params"]), d["module"])


def outcome_to_dict(o: Outcome) -> dict:
    return {"run_id": o.case.run_id, "case": vars(o.case), "passed": o.passed,
            "status": o.status or ("pass" if o.passed else "fail"), "messages": o.messages,
            "sim_time_ns": o.sim_time_ns, "wall_s": o.wall_s, "detail": o.detail,
            "failed_tests": o.failed_tests, "run_dir": str(o.run_dir) if o.run_dir else None,
            "testcases": o.testcases, "mismatches": o.mismatches, "worker": o.worker,
            "drawing": o.drawing, "not_applicable": o.not_applicable}


def outcome_from_dict(d: dict, case: Case | None = None) -> Outcome:
    case = case or case_from_dict(d["case"])
    status = d.get("status", "error")
    return Outcome(case, passed=bool(d.get("passed")) and status == "pass",
                   messages=int(d.get("messages", 0)), sim_time_ns=float(d.get("sim_time_ns", 0.0)),
                   wall_s=float(d.get("wall_s", 0.0)), detail=d.get("detail", ""),
                   failed_tests=list(d.get("failed_tests", [])),
                   run_dir=Path(d["run_dir"]) if d.get("run_dir") else None,
                   testcases=int(d.get("testcases", 0)), status=status,
                   mismatches=list(d.get("mismatches", [])), worker=d.get("worker", ""),
                   drawing=d.get("drawing"), not_applicable=list(d.get("not_applicable", [])))


# ------------------------------------------------------------------------ the tasks' bodies
def execute_payload(payload: dict) -> dict:
    """One run, inside the task's child process on a worker: run, judge, and return the outcome
    with the files the report needs (the submitter may not share this worker's disk)."""
    import socket
    case = case_from_dict(payload["case"])
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(ROOT)])
    if payload.get("mode") == "waves":
        return waves_payload(case, payload)
    o = run_case(case, payload["sim"], bool(payload.get("coverage")), payload.get("mutant"))
    if o.passed:
        o.status = "pass"
    else:
        o.status = "fail" if o.run_dir is not None else "error"
        log = ""
        if o.run_dir is not None and (o.run_dir / "sim.log").exists():
            log = (o.run_dir / "sim.log").read_text(errors="replace")
        msgs = []
        if o.run_dir is not None and (o.run_dir / "results.xml").exists():
            msgs = [m for _, m in sim.parse_results(o.run_dir / "results.xml", payload["sim"], o.run_dir).failed]
        o.mismatches = parse_mismatches(log, msgs)
    o.worker = socket.gethostname()
    res = outcome_to_dict(o)
    arts = {}
    if o.run_dir is not None:
        for p in sorted(o.run_dir.glob("functional_coverage-*.json")):
            arts[p.name] = p.read_text()
        if (o.run_dir / "coverage.dat").exists():
            # 2-3 MB of text per run, about a tenth compressed; merged as it arrives
            import base64, zlib
            arts[COVERAGE_ARTIFACT] = base64.b64encode(zlib.compress((o.run_dir / "coverage.dat").read_bytes(), 6)).decode()
    res["artifacts"] = arts
    return res


def waves_payload(case: Case, payload: dict) -> dict:
    """Rerun a failed run with waves (same seed, same stimulus) and draw the window around
    `cycle`. Verilator writes VCD here (no lz4.h); an FST file is reported, not drawn."""
    from imsflow import vcd_wavedrom
    sim_name, cycle = payload["sim"], int(payload["cycle"])
    test = payload.get("failed_test")
    kwargs = {"testcase": case.test, "toplevel": sim.PROFILE.top} if case.module == UVM_MODULE else \
        {"test_filter": rf"\.{re.escape(test)}$" if test else None, "toplevel": sim.PROFILE.top}
    try:
        res = sim.run(case.module, sim=sim_name, parameters=case.params, seed=case.seed, waves=True,
                      run_tag=case.run_tag + "-waves", check=False, **kwargs,
                      **mutant_sources(payload.get("mutant")))
    except Exception as exc:
        return {"error": f"rerun with waves failed: {exc}".splitlines()[0]}
    if res.waves is None:
        return {"error": "the rerun with waves wrote no waveform file"}
    try:
        doc, svg = vcd_wavedrom.failure_drawing(res.waves, cycle, title=payload.get("title", ""))
    except (vcd_wavedrom.WaveError, OSError) as exc:
        return {"error": str(exc), "file": str(res.waves)}
    return {"svg": svg, "wavedrom": doc, "cycle": cycle, "file": str(res.waves),
            "rerun_failed": not res.ok}


# ------------------------------------------------------------------------ planning
def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise SystemExit(f"regress: SHARD={text!r}: expected i/N with 1 <= i <= N, e.g. SHARD=2/4")
    return int(m.group(1)), int(m.group(2))


def shard_cases(cases: list[Case], shard: tuple[int, int] | None) -> list[Case]:
    """Every Nth run starting at the i-th, of the plan's fixed order (tests x seeds)."""
    if shard is None:
        return list(cases)
    i, n = shard
    return [c for k, c in enumerate(cases) if k % n == i - 1]


def defaults_line(cases: list[Case], sim_name: str, seeds: int, seed_base: int, where: str,
                  timeout: float, coverage: bool, shard: tuple[int, int] | None, total: int) -> str:
    """The first line of `make regress`: what it will run, with which defaults."""
    by_params: dict[str, list[str]] = {}
    for c in cases:
        tag = ",".join(f"{k}={v}" for k, v in sorted(c.params.items()))
        if c.test not in by_params.setdefault(tag, []):
            by_params[tag].append(c.test)
    groups = "; ".join(f"{tag}: {len(t)} test{'s' if len(t) != 1 else ''}"
                       + (f" ({', '.join(t)})" if len(t) <= 3 else "") for tag, t in by_params.items())
    shard_txt = f", shard {shard[0]}/{shard[1]} = {len(cases)} of {total} runs" if shard else ""
    return (f"regress: {len(cases)} run{'s' if len(cases) != 1 else ''} on {sim_name}, seeds {seed_base}..{seed_base + seeds - 1} "
            f"({seeds} per test){shard_txt}; {groups}; {where}; time limit {timeout:g} s per run"
            f"{'; Verilator coverage build' if coverage else ''}")


# ------------------------------------------------------------------------ progress
class Progress:
    """A bar on a terminal (runs done, failures so far, time left); a line per run otherwise."""

    def __init__(self, total: int, stream=None, tty: bool | None = None, width: int = 30) -> None:
        self.total, self.done, self.failed = total, 0, 0
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.width = width
        self.t0 = time.perf_counter()

    def bar(self, now: float | None = None) -> str:
        elapsed = (now if now is not None else time.perf_counter()) - self.t0
        frac = self.done / self.total if self.total else 1.0
        filled = int(round(frac * self.width))
        left = elapsed / self.done * (self.total - self.done) if self.done else None
        eta = "--:--" if left is None else f"{int(left) // 60:02d}:{int(left) % 60:02d}"
        return (f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} runs, "
                f"{self.failed} failed, {int(elapsed) // 60:02d}:{int(elapsed) % 60:02d} elapsed, "
                f"~{eta} left")

    def update(self, o: Outcome) -> None:
        self.done += 1
        self.failed += 0 if o.passed else 1
        if self.tty:
            if not o.passed:   # a failure stays visible above the bar
                self.stream.write("\r\033[K" + progress_line(self.done, self.total, o) + "\n")
            self.stream.write("\r\033[K" + self.bar())
        else:
            self.stream.write(progress_line(self.done, self.total, o) + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


# ------------------------------------------------------------------------ the regression
MAX_DRAWN_FAILURES = 10


COVERAGE_ARTIFACT = "coverage.dat.zlib.b64"


class CodeCoverageMerge:
    """The runs' Verilator coverage, summed as the results arrive (not kept per run)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.runs = 0
        self.errors: list[str] = []

    def add(self, rid: str, blob: str) -> None:
        import base64, zlib
        try:
            coverage_report.parse_dat(zlib.decompress(base64.b64decode(blob)).decode(errors="replace"),
                                      self.counts, f"{rid}/coverage.dat")
            self.runs += 1
        except (ValueError, zlib.error) as exc:
            self.errors.append(f"{rid}: {exc}")


RESULT_FILES = ("results.json", "junit.xml", "functional_coverage.json", "coverage.dat",
                "code_coverage.txt", "report.html")


def clean_results_dir(out_dir: Path) -> None:
    """Forget a previous regression's results here (shard-*/ subdirectories are kept)."""
    for name in RESULT_FILES:
        (out_dir / name).unlink(missing_ok=True)
    shutil.rmtree(out_dir / "runs", ignore_errors=True)


def store_artifacts(out_dir: Path, rid: str, res: dict, codecov: CodeCoverageMerge | None = None) -> None:
    """A run's files in out_dir/runs/<run id>/ (coverage.dat goes into the running merge)."""
    d = out_dir / "runs" / rid
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    for name, text in (res.pop("artifacts", None) or {}).items():
        if name == COVERAGE_ARTIFACT:
            if codecov is not None:
                codecov.add(rid, text)
            continue
        (d / Path(name).name).write_text(text)


def outcome_of(case: Case, res: dict) -> Outcome:
    """A task's answer as an Outcome (timeouts and lost tasks carry no case of their own)."""
    o = outcome_from_dict({**res, "case": vars(case)}, case)
    if o.status == "timeout":
        o.detail = f"{res.get('detail', 'timed out')}; reproduce: {repro(case, res.get('sim', ''))}"
    return o


def draw_failures(client, outcomes: list[Outcome], sim_name: str, timeout: float, runner: str | None,
                  out_dir: Path, mutant: str | None = None) -> str:
    """Rerun failing runs with waves (a task each) and attach the drawing around the first
    failure's cycle. Returns one line saying what was drawn and what was not."""
    from imsflow import regress_dask
    todo = [o for o in outcomes if o.verdict == "FAIL" and o.mismatches][:MAX_DRAWN_FAILURES]
    if not todo:
        return ""
    subs, by_rid = {}, {}
    for o in todo:
        m = o.mismatches[0]
        failed_test = o.failed_tests[0] if o.case.module == DIRECTED_MODULE and o.failed_tests else None
        payload = {"mode": "waves", "case": vars(o.case), "sim": sim_name, "cycle": m["cycle"],
                   "failed_test": failed_test,
                   "mutant": mutant, "title": f"{o.case.test} seed {o.case.seed}: {format_mismatch(m)[:90]}"}
        rid = o.case.run_id
        by_rid[rid] = o
        subs[rid] = client.submit(regress_dask.execute, payload, timeout, runner, None, key=f"waves-{rid}")
    got = regress_dask.collect(client, subs)
    drawn, why_not = 0, []
    for rid, res in got.results.items():
        o = by_rid[rid]
        if res.get("svg"):
            drawn += 1
            (out_dir / "runs" / rid).mkdir(parents=True, exist_ok=True)
            (out_dir / "runs" / rid / "waves.svg").write_text(res["svg"])
            (out_dir / "runs" / rid / "wavedrom.json").write_text(json.dumps(res["wavedrom"]))
            o.drawing = {"svg": res["svg"], "cycle": res["cycle"], "file": res.get("file"),
                         "rerun_failed": res.get("rerun_failed")}
        else:
            o.drawing = {"error": res.get("error") or res.get("detail") or "no drawing", "file": res.get("file")}
            why_not.append(f"{o.case.test} seed {o.case.seed}: {o.drawing['error']}")
    more = len([o for o in outcomes if o.verdict == "FAIL"]) - len(todo)
    return (f"waves: {drawn} of {len(todo)} failures drawn from a rerun with waves"
            + (f"; {more} more failures not rerun (first {MAX_DRAWN_FAILURES} only)" if more > 0 else "")
            + (f"; not drawn: {why_not[0]}" + (f" (+{len(why_not) - 1} more)" if len(why_not) > 1 else "")
               if why_not else "")
            + ("; interrupted" if got.interrupted else ""))


def main(argv: list[str] | None = None) -> int:
    from imsflow import regress_dask, regress_report
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=10, help="seeds per test (default 10)")
    ap.add_argument("--seed-base", type=int, default=1, help="first seed (default 1)")
    ap.add_argument("--sim", default="verilator", choices=sim.SIMULATORS)
    ap.add_argument("--param", action="append", default=[], help="NAME=VALUE for every run, repeatable")
    ap.add_argument("-j", "--jobs", default="auto", help="local cluster workers (auto: one per core)")
    ap.add_argument("--tests", default=None, help="comma-separated pyuvm tests (default: all)")
    ap.add_argument("--no-directed", action="store_true", help="leave out the directed module")
    ap.add_argument("--no-coverage", action="store_true", help="Verilator: no coverage build")
    ap.add_argument("--shard", default=None, help="i/N: run the i-th of N fixed slices")
    ap.add_argument("--scheduler", default=None, help="tcp://host:port of an existing Dask scheduler")
    ap.add_argument("--cluster", default=None, choices=sorted(regress_dask.JOBQUEUE),
                    help="start workers as batch jobs with dask-jobqueue")
    ap.add_argument("--cluster-config", default=None, help=f"YAML file (default {regress_dask.DEFAULT_CLUSTER_CONFIG.name})")
    ap.add_argument("--print-job-script", action="store_true", help="with --cluster: print the job script, submit nothing")
    ap.add_argument("--build-on", choices=("shared", "worker"), default="shared",
                    help="shared: one build task per configuration (shared filesystem); "
                         "worker: every worker builds what it needs on its own disk")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per run before it is killed (default 900)")
    ap.add_argument("--no-waves", action="store_true", help="do not rerun failures with waves")
    ap.add_argument("--out", default=None, help="results directory (default sim_build/regress[/shard-i-of-N])")
    ap.add_argument("--mutant", default=None, help="run on a deliberately broken RTL copy (tests/impl/test_mutants.py)")
    ap.add_argument("--runner", default=None, help=argparse.SUPPRESS)   # tests: module:function instead of a simulator
    args = ap.parse_args(argv)
    if args.seeds < 1:
        raise SystemExit("regress: --seeds must be >= 1")
    if args.mutant and not sim.PROFILE.is_bundled:
        raise SystemExit(f"regress: MUTANT= edits the bundled rtl/; DUT={sim.PROFILE.display_path()} plants bugs with "
                         f"DEFINES= instead")
    if args.timeout <= 0:
        raise SystemExit("regress: --timeout must be > 0")
    if args.cluster and args.print_job_script:
        jc = regress_dask.jobqueue_cluster(args.cluster, regress_dask.load_cluster_config(args.cluster, args.cluster_config),
                                           dry_run=True)
        try:
            print(jc.job_script())
        finally:
            jc.close()
        return 0
    jobs = (os.cpu_count() or 1) if args.jobs == "auto" else int(args.jobs)
    shard = parse_shard(args.shard)
    global MUTANT
    MUTANT = args.mutant
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(ROOT)])
    coverage = args.sim == "verilator" and not args.no_coverage
    override = sim.parse_params(args.param)
    all_cases, skipped = plan(args.seeds, args.seed_base, override,
                              args.tests.split(",") if args.tests else None, not args.no_directed)
    cases = shard_cases(all_cases, shard)
    out_dir = Path(args.out) if args.out else (
        REGRESS_DIR / f"shard-{shard[0]}-of-{shard[1]}" if shard else REGRESS_DIR)
    where_txt = (f"Dask scheduler {args.scheduler}" if args.scheduler else
                 f"dask-jobqueue {args.cluster}" if args.cluster else f"local Dask cluster of {jobs} worker{'s' if jobs != 1 else ''}")
    print(defaults_line(cases, args.sim, args.seeds, args.seed_base, where_txt, args.timeout, coverage,
                        shard, len(all_cases)), flush=True)
    for s in skipped:
        print(f"  skipped {s}")
    if not cases:
        print("regress: this shard has no runs")
    clean_results_dir(out_dir)
    t0 = time.perf_counter()
    where = regress_dask.connect(jobs, args.scheduler, args.cluster, args.cluster_config)
    progress = Progress(len(cases))
    got = regress_dask.Collected()
    outcomes: list[Outcome] = []
    by_rid = {c.run_id: c for c in cases}
    codecov = CodeCoverageMerge()
    waves_note = ""
    try:
        client = where.client
        builds = {}
        if args.build_on == "shared" and not args.runner:
            for params in sorted({tuple(sorted(c.params.items())) for c in cases}):
                builds[params] = client.submit(regress_dask.build_task, args.sim, dict(params), coverage, args.mutant,
                                               dut_payload(),
                                               key=f"build-{args.sim}-{sim.param_tag(dict(params))}"
                                                   f"{'-cov' if coverage else ''}")
        subs = {}
        for c in cases:
            payload = {"case": vars(c), "sim": args.sim, "coverage": coverage, "mutant": args.mutant,
                       **dut_payload()}
            subs[c.run_id] = client.submit(regress_dask.execute, payload, args.timeout, args.runner,
                                           builds.get(tuple(sorted(c.params.items()))), key=f"run-{c.run_id}")

        def on_result(rid: str, res: dict) -> None:
            store_artifacts(out_dir, rid, res, codecov)
            res.setdefault("sim", args.sim)
            o = outcome_of(by_rid[rid], res)
            outcomes.append(o)
            progress.update(o)

        out_dir.mkdir(parents=True, exist_ok=True)
        got = regress_dask.collect(client, subs, on_result)
        progress.finish()
    except KeyboardInterrupt:           # outside the wait (submitting): the same partial report
        progress.finish()
        got.interrupted = True
        got.not_run = [c.run_id for c in cases if c.run_id not in {o.case.run_id for o in outcomes}]
    try:
        if got.interrupted:
            print(f"regress: interrupted (Ctrl-C): {len(outcomes)} of {len(cases)} runs finished; "
                  f"writing the partial report", flush=True)
        elif not args.no_waves:
            try:
                waves_note = draw_failures(where.client, outcomes, args.sim, args.timeout, args.runner, out_dir,
                                           args.mutant)
            except KeyboardInterrupt:
                waves_note = "waves: interrupted"
                got.interrupted = True
    except KeyboardInterrupt:
        got.interrupted = True
    finally:
        where.close()
    wall = time.perf_counter() - t0
    order = {c.run_id: k for k, c in enumerate(cases)}
    outcomes.sort(key=lambda o: order[o.case.run_id])
    print()
    print(results_table(outcomes))
    fails = failure_report(outcomes, args.sim)
    if fails:
        print()
        print(fails)
    if waves_note:
        print(waves_note)
    write_junit(outcomes, out_dir / "junit.xml", args.sim)
    na = not_applicable_summary(outcomes)
    if na:
        print()
        print(na)
    print()
    print(functional_coverage(outcomes, out_dir))
    if coverage:
        print()
        print(code_coverage(codecov, out_dir))
    meta = {"sim": args.sim, "seeds": args.seeds, "seed_base": args.seed_base,
            "defaults": defaults_line(cases, args.sim, args.seeds, args.seed_base, where.description,
                                      args.timeout, coverage, shard, len(all_cases)),
            "where": where.description, "shard": list(shard) if shard else None, "planned": len(cases),
            "interrupted": got.interrupted, "not_run": got.not_run, "duplicates": got.duplicates,
            "wall_s": round(wall, 1), "skipped": skipped, "mutant": args.mutant,
            "notes": [f"RTL mutant {args.mutant} (deliberately broken copy of rtl/, tests/impl/test_mutants.py): "
                      f"failures are expected; every repro command below carries MUTANT={args.mutant}"] if args.mutant else []}
    meta["notes"] += [na] if na else []
    regress_report.write_results(out_dir, meta, outcomes)
    report = regress_report.write_report(out_dir)
    print()
    print(f"wall time {wall:.0f} s; {where.description}; duplicates dropped {got.duplicates}; "
          f"JUnit: {out_dir / 'junit.xml'}; report: {report}")
    print(final_line(outcomes))
    if got.interrupted:
        return 130
    return 0 if outcomes and all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
