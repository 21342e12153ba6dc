"""Quick bounded subset of the formal checks (formal/run_formal.py, SymbiYosys + yices).

`make formal` runs the full set (NUM_SLOTS 4 and 8, deeper bounds); here every property runs
at NUM_SLOTS=4 with the quick bound and must hold, and every property must FAIL on its RTL
mutant (imsflow/mutants.py), so none of them is a check that cannot fail. A failure names the
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
    covered = {p.name for m in FORMAL_MUTANTS for p in rf.mutant_runs(m.formal, rf.PROPS)}
    missing = [p.name for p in rf.PROPS if p.name not in covered]
    assert not missing, f"formal property runs without an RTL mutant showing they can fail: {missing}"
    unknown = [m.name for m in FORMAL_MUTANTS if not rf.mutant_runs(m.formal, rf.PROPS)]
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
    missing = sorted({p.rule for p in rf.PROPS} - quick_rules - set(FULL_ONLY))
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
