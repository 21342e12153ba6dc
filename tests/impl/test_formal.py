"""Quick bounded subset of the formal checks (formal/run_formal.py, SymbiYosys + yices).

`make formal` runs the full set (NUM_SLOTS 4 and 8, deeper bounds); here every property runs
at NUM_SLOTS=4 with the quick bound and must hold, and every property must FAIL on its RTL
mutant (imsflow/mutants.py), so none of them is a check that cannot fail. The cover jobs
(non-vacuity of the starts that skip the post-reset sweep) must reach their cover, and the
preloaded one must not when a copy of BUSY is left set. A failure names the
property, the counterexample VCD (open it with gtkwave, or print it with
`python -m formal.vcd_table <vcd>`) and the command that reruns it.

Run alone: .venv/bin/python -m pytest -n 2 tests/impl/test_formal.py
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from formal import run_formal as rf
from imsflow.mutants import MEM_MUTANTS, MUTANTS, apply_mutant, copy_rtl

SLOTS = 4
QUICK = SimpleNamespace(depth=None, quick=True)
FORMAL_MUTANTS = [m for m in MUTANTS + MEM_MUTANTS if m.formal]
# the safety properties (each shown to fail on an RTL mutant) and the non-vacuity covers (each
# shown unreachable when the start that skips the sweep leaves a BUSY copy set)
SAFETY = [p for p in rf.PROPS if p.mode != "cover"]
COVERS = [p for p in rf.PROPS if p.mode == "cover"]


def _rerun(prop: str, mutant: str | None = None) -> str:
    if mutant:
        return f".venv/bin/python -m formal.run_formal --quick --mutant {mutant}"
    return f".venv/bin/python -m formal.run_formal --quick --prop {prop} --slots {SLOTS}"


@pytest.mark.parametrize("prop", rf.PROPS, ids=[p.name for p in rf.PROPS])
def test_property_holds(prop: rf.Prop, tmp_path):
    sources = copy_rtl(tmp_path / "rtl")
    slots = rf.MEM_SLOTS if prop.mem else SLOTS
    r = rf.run_one(prop, slots, rf.depth_for(prop, slots, QUICK), sources, f"test-{tmp_path.name}")
    print(rf.line_for(r) + rf.detail_for(r))
    want = "PROVEN" if prop.mode == "prove" else "PASS"
    assert r.status == want, f"{rf.line_for(r)}{rf.detail_for(r)}\nrerun: {_rerun(prop.name)}"


def test_every_property_has_a_mutant():
    covered = {p.name for m in FORMAL_MUTANTS for p in rf.mutant_runs(m.formal, SAFETY)}
    missing = [p.name for p in SAFETY if p.name not in covered]
    assert not missing, f"formal property runs without an RTL mutant showing they can fail: {missing}"
    unknown = [m.name for m in FORMAL_MUTANTS if not rf.mutant_runs(m.formal, SAFETY)]
    assert not unknown, f"mutants naming no formal property: {unknown}"


# (mutant, property run) pairs: a mutant must fail the run it names, or every run of the rule it
# names (the runs marked quick_mutant=False fail on it in `make formal` only; each rule keeps
# at least one here unless FULL_ONLY says why not)
MUTANT_RUNS = [(m, p) for m in FORMAL_MUTANTS for p in rf.mutant_runs(m.formal, rf.PROPS)
               if p.quick_mutant]


# rules whose every mutant run is too deep for the quick subset (make formal runs it)
FULL_ONLY = {"mem_freshness": "its mutant's counterexample is 28 steps deep (MEM_INVAL answers "
                              "14 cycles after its W): ~9 min of solver time"}


def test_every_rule_fails_on_a_mutant_in_the_quick_subset():
    quick_rules = {p.rule for _, p in MUTANT_RUNS}
    missing = sorted({p.rule for p in SAFETY} - quick_rules - set(FULL_ONLY))
    assert not missing, f"rules with no mutant run in the quick subset: {missing}"
    stale = sorted(set(FULL_ONLY) & quick_rules)
    assert not stale, f"FULL_ONLY lists rules that do have a quick mutant run: {stale}"


@pytest.mark.parametrize("mutant,prop", MUTANT_RUNS, ids=[f"{m.name}-{p.name}" for m, p in MUTANT_RUNS])
def test_property_fails_on_mutant(mutant, prop, tmp_path):
    sources = copy_rtl(tmp_path / "rtl")
    apply_mutant(sources, mutant)
    slots = rf.MEM_SLOTS if prop.mem else SLOTS
    r = rf.run_one(prop, slots, rf.depth_for(prop, slots, QUICK, mutant=True), sources,
                   f"test-mutant-{mutant.name}")
    print(rf.line_for(r, mutant.name) + rf.detail_for(r))
    assert r.status == "FAIL", (f"{rf.line_for(r, mutant.name)}{rf.detail_for(r)} ({mutant.rule})\n"
                                f"rerun: {_rerun(prop.name, mutant.name)}")
    assert r.trace and r.trace.endswith(".vcd"), f"no counterexample VCD reported: {rf.line_for(r, mutant.name)}"


def test_every_start_without_the_sweep_has_a_cover():
    starts = {"preload": any(p.preload for p in SAFETY), "mem": any(p.mem for p in SAFETY)}
    have = {"preload": any(p.preload for p in COVERS), "mem": any(p.mem for p in COVERS)}
    missing = [k for k, used in starts.items() if used and not have[k]]
    assert not missing, f"starts that skip the sweep with no non-vacuity cover: {missing}"


# The preloaded start with the tie of the last session (only busy_reg): the admission copy
# busy_adm_reg keeps its reset value 1, s_irq_ready never rises, and every preloaded property
# held without a trigger. The cover must see it (one run: both starts share _sweep_done;
# the memory start's cover is unreachable the same way, by hand).
@pytest.mark.parametrize("prop", [p for p in COVERS if p.preload], ids=lambda p: p.name)
def test_cover_unreachable_with_busy_copy_untied(prop, tmp_path, monkeypatch):
    assert "busy_adm_reg" in rf.SWEEP_BUSY_FLOPS
    monkeypatch.setattr(rf, "SWEEP_BUSY_FLOPS",
                        tuple(f for f in rf.SWEEP_BUSY_FLOPS if f != "busy_adm_reg"))
    sources = copy_rtl(tmp_path / "rtl")
    tag = f"test-untied-{tmp_path.name}"
    r = rf.run_one(prop, SLOTS, rf.depth_for(prop, SLOTS, QUICK), sources, tag)
    print(rf.line_for(r) + rf.detail_for(r))
    log = (rf.BUILD / f"{tag}-{prop.name}-n{SLOTS}" / "logfile.txt").read_text()
    assert r.status == "FAIL" and f"Unreached cover statement at ims_formal: {prop.cover}" in log, (
        f"{prop.name} with busy_adm_reg left set (s_irq_ready held low): {rf.line_for(r)}"
        f"{rf.detail_for(r)}; its cover must be unreachable\nrerun: {_rerun(prop.name)} "
        f"with SWEEP_BUSY_FLOPS = (\"busy_reg\",) in formal/run_formal.py")


def test_sweep_guard_fails_when_the_sweep_changes(tmp_path, monkeypatch):
    """A sweep with a flop more or less than _sweep_done knows stops the job in Yosys."""
    prop = next(p for p in COVERS if p.preload)
    monkeypatch.setattr(rf, "SWEEP_FLOPS", rf.SWEEP_FLOPS + 1)
    sources = copy_rtl(tmp_path / "rtl")
    r = rf.run_one(prop, SLOTS, rf.depth_for(prop, SLOTS, QUICK), sources, f"test-guard-{tmp_path.name}")
    assert r.status == "ERROR" and "Assertion failed: selection contains" in r.detail, (
        f"{rf.line_for(r)}{rf.detail_for(r)}: the sweep flop count guard did not stop the job")


def test_half_without_the_memory_harness_says_what_it_leaves(capsys, monkeypatch):
    """`make formal NUM_SLOTS=8` (one half of a complete run) leaves the section 7 harness's
    property and mutant jobs to the NUM_SLOTS=4 half, says so, and runs no solver for them."""
    mem_prop = next(p for p in rf.PROPS if p.mem and p.mode != "cover")
    ran = []
    monkeypatch.setattr(rf, "run_one", lambda *a, **k: ran.append(a) or pytest.fail("a job ran"))
    rc = rf.main(["--slots", "8", "--prop", mem_prop.name, "--mutants"])
    out = capsys.readouterr().out
    assert not ran and rc == 0, out
    assert f"formal {mem_prop.name} NUM_SLOTS={rf.MEM_SLOTS}: not run" in out, out
    mutants = [m.name for m in FORMAL_MUTANTS if mem_prop in rf.mutant_runs(m.formal, rf.PROPS)]
    assert mutants, f"{mem_prop.name} has no mutant"
    for name in mutants:
        assert f"mutant {name}: not run" in out, out
