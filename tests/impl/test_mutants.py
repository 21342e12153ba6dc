"""Mutation checks: the directed tests (tests/impl/hdl/ims_directed.py) fail on wrong RTL.

Each mutant breaks one rule of the contract (../shared/spec/ims-block.md) with a one-place
text edit of a copy of rtl/*.v. The copy is built in its own directory
(sim_build/icarus/ims_top-NUM_SLOTS=64-mutant-<name>) and only the directed tests aimed at that
rule run (Icarus, NUM_SLOTS=64, seed 1, both traffic patterns). A mutant counts as caught only
when one of those tests fails with a message naming what the mutant broke, or when one of the
RTL's own simulation assertions ($fatal) stops the run with such a message; a build error or
any other simulator crash does not count. The control test runs the unmodified copy through the same
path and the same filters and must pass, so a broken harness cannot make every mutant "caught".

The mutants live in imsflow/mutants.py, shared with the formal checks (tests/impl/test_formal.py);
the ones listing directed tests run here. When the RTL is rewritten and a mutant's text no
longer occurs exactly once, the test fails and says so: update that mutant's `original` (and
`replacement`) there to the new RTL text.

Run: .venv/bin/python -m pytest -n 2 tests/impl/test_mutants.py
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tb.ims_tb import TRAFFIC_PATTERNS
from imsflow import sim as sim_mod
from imsflow.mutants import MUTANTS as ALL_MUTANTS, Mutant, apply_mutant
from imsflow.mutants import copy_rtl as _copy_rtl
from tests.conftest import small_params

DIRECTED = "tests.impl.hdl.ims_directed"
# the mutants some directed test is aimed at (the others are for the formal checks only)
MUTANTS = [m for m in ALL_MUTANTS if m.tests]
SIM = "icarus"
# The revision-1 build of the directed suite's small set: the catalogue mutates revision-1 paths,
# and a memory build bypasses two of them (ims_regs' register-zone decode has a §7 variant; the
# trigger port's ready comes from ims_mem_front), so there they could not be caught at all.
PARAMS = dict(small_params(), MEM_MAX_ENTRIES=0)
SEED = 1


def filter_regex(tests: tuple[str, ...]) -> str:
    """The COCOTB_TEST_FILTER regex selecting `tests` in every traffic pattern."""
    return rf"\.({'|'.join(re.escape(t) for t in tests)})/traffic=[^/]*$"


def selected_names(tests: tuple[str, ...]) -> set[str]:
    return {f"{t}/traffic={p}" for t in tests for p in TRAFFIC_PATTERNS}


def copy_rtl(dest: Path) -> list[Path]:
    """rtl/*.v copied into dest (the simulation runner's source list, fresh modification times)."""
    copies = _copy_rtl(dest)
    names = {p.name for p in sim_mod.rtl_sources()}
    return [p for p in copies if p.name in names]


def run_directed(sources: list[Path], variant: str, tests: tuple[str, ...]) -> sim_mod.SimResult:
    return sim_mod.run(DIRECTED, sim=SIM, parameters=PARAMS, sources=sources, variant=variant,
                       test_filter=filter_regex(tests), seed=SEED, check=False)


def rtl_assertions_fired(variant: str) -> list[str]:
    """The $fatal lines of the RTL's simulation assertions in the run's simulator log."""
    log = (sim_mod.build_dir_for(SIM, PARAMS, False, variant=variant) / "runs" /
           f"{DIRECTED.rsplit('.', 1)[-1]}-all-{SEED}" / "sim.log")
    if not log.exists():
        return []
    return [line.strip() for line in log.read_text(errors="replace").splitlines()
            if line.startswith("FATAL:")]


def reproduce_hint(variant: str) -> str:
    return (f"build dir {sim_mod.build_dir_for(SIM, PARAMS, False, variant=variant)}; "
            f"rerun: .venv/bin/python -m pytest tests/impl/test_mutants.py -k {variant.removeprefix('mutant-')}")


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught(mutant: Mutant, tmp_path: Path):
    sources = copy_rtl(tmp_path / "rtl")
    apply_mutant(sources, mutant)
    variant = f"mutant-{mutant.name}"
    try:
        res = run_directed(sources, variant, mutant.tests)
    except RuntimeError as exc:
        # the simulator stopped: caught only if an RTL assertion stopped it, naming the rule
        fatal = rtl_assertions_fired(variant)
        assert any(mutant.expect in line for line in fatal), (
            f"mutant {mutant.name}: the simulator stopped ({exc}) without an RTL assertion naming "
            f"{mutant.expect!r}; assertions: {fatal}; {reproduce_hint(variant)}")
        return
    wanted = selected_names(mutant.tests)
    failed = dict(res.failed)
    ran = set(res.passed) | set(failed) | set(res.skipped)
    context = f"mutant {mutant.name} ({mutant.rule}); {reproduce_hint(variant)}\n{res.summary()}"
    # A build error or crash reports '<simulation>' and no test: that is not a catch.
    assert ran == wanted, f"expected exactly the tests {sorted(wanted)} to run, got {sorted(ran)}; {context}"
    assert failed, f"NOT CAUGHT: every selected directed test passed on the mutant; {context}"
    naming = [n for n, msg in failed.items() if mutant.expect in msg]
    assert naming, (f"the mutant made tests fail, but no failure message mentions "
                    f"{mutant.expect!r} (the thing it broke); {context}")


def test_control_unmodified_rtl_passes(tmp_path: Path):
    """The same copy/build/filter path with no mutation: every selected test passes."""
    sources = copy_rtl(tmp_path / "rtl")
    tests = tuple(dict.fromkeys(t for m in MUTANTS for t in m.tests))
    res = run_directed(sources, "mutant-control", tests)
    ran = set(res.passed)
    assert not res.failed and not res.skipped, f"unmodified RTL copy: {res.summary()}"
    assert ran == selected_names(tests), (
        f"unmodified RTL copy ran {sorted(ran)}, expected {sorted(selected_names(tests))}\n{res.summary()}")
