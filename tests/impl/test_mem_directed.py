"""pytest entry points for the §7 (memory-resident entries) directed cocotb tests
(tests/impl/hdl/mem_directed.py), on both simulators, with ims_top built in memory mode at a small
size (NUM_SLOTS 64, MEM_MAX_ENTRIES 64), plus a revision-1 build check: with MEM_MAX_ENTRIES=0
the §7 registers answer SLVERR and VERSION reads 0x00010000 (same module, its rev1 test).

A failure names the test, entry, cycle, seed and a `make waves` command.
"""

from __future__ import annotations

import pytest

from imsflow import sim as sim_mod
from tests.conftest import seed_override, selected_sims, small_params

SIMS = selected_sims()
MEM_PARAMS = {"NUM_SLOTS": 64, "AXIL_ADDR_WIDTH": 14, "MEM_MAX_ENTRIES": 64}
# every §7 rule has its test, each crossed with two traffic patterns (tests/testplan.md §7)
MEM_TESTS = 12


def _seed() -> int:
    seed = seed_override()
    return 1 if seed is None else seed


@pytest.mark.parametrize("sim", SIMS)
def test_mem_directed(sim):
    res = sim_mod.run("tests.impl.hdl.mem_directed", sim=sim, parameters=MEM_PARAMS, seed=_seed())
    assert res.ok and len(res.passed) >= 2 * MEM_TESTS + 1, res.summary()


def test_mem_directed_small_cache():
    """The same tests at NUM_SLOTS=16 (memory pending bits share PENDING word 0 with slots) and
    MEM_CACHE_ENTRIES=2 (a two-entry park queue, lines reused constantly); Icarus only."""
    params = {"NUM_SLOTS": 16, "MEM_MAX_ENTRIES": 64, "MEM_CACHE_ENTRIES": 2}
    res = sim_mod.run("tests.impl.hdl.mem_directed", sim="icarus", parameters=params, seed=_seed(),
                      test_filter=r"/traffic=free$")   # (CI time: the throttled half runs above)
    assert res.ok and len(res.passed) >= MEM_TESTS, res.summary()


def test_mem_parked_hit_line_not_reallocated():
    """Regression for a §7 rule-2 defect the pyuvm scoreboard found (UvmMemFetchErrors seed 6,
    UvmMemChurn seed 7, Icarus, on the fully associative front end): a parked cache hit was
    judged with the image a later fetch wrote into its line. tests/impl/hdl/mem_line_reuse_repro.py
    drives that case (entry 17 and entry 1 share a line; entry 1's hit parks behind 16's and
    17's misses): the model's three messages in order, entry 17's not twice. Icarus only."""
    res = sim_mod.run("tests.impl.hdl.mem_line_reuse_repro", sim="icarus", parameters=MEM_PARAMS,
                      seed=_seed())
    assert res.ok and len(res.passed) == 1, res.summary()


@pytest.mark.parametrize("sim", SIMS)
def test_rev1_build_register_window(sim):
    """§6: built with MEM_MAX_ENTRIES = 0 the block is revision 1 exactly (model-checked)."""
    # the same build as the revision-1 directed suite's (tests/impl/test_directed.py REV1_PARAMS)
    params = dict(small_params(), MEM_MAX_ENTRIES=0)
    res = sim_mod.run("tests.impl.hdl.mem_directed", sim=sim, parameters=params, seed=_seed(),
                      testcase="register_window_vs_model")
    assert res.ok and len(res.passed) == 1, res.summary()


# --- the §7 tests catch planted RTL bugs (imsflow/mutants.py MEM_MUTANTS) ---------------------

from imsflow.mutants import MEM_MUTANTS, apply_mutant, copy_rtl  # noqa: E402


def _mem_filter(tests) -> str:
    return rf"\.({'|'.join(tests)})/traffic=free$"


def _run_mutant(sources, variant: str, tests, defines: dict | None = None):
    """The selected tests on a mutated RTL copy; a run that an RTL `$fatal` ends (the simulator
    exits non-zero, which the runner raises) is returned as a failure carrying the FATAL line."""
    kwargs = dict(sim="icarus", parameters=MEM_PARAMS, sources=sources, variant=variant,
                  test_filter=_mem_filter(tests), seed=1, defines=defines)
    try:
        return sim_mod.run("tests.impl.hdl.mem_directed", check=False, **kwargs)
    except RuntimeError as exc:
        bdir = sim_mod.build("icarus", MEM_PARAMS, sources=sources, defines=defines, variant=variant)
        test_dir = bdir / "runs" / "mem_directed-all-1"
        res = sim_mod.parse_results(test_dir / "results.xml", "icarus", test_dir)
        log = (test_dir / "sim.log").read_text(errors="replace").splitlines()
        fatal = [line for line in log if line.startswith("FATAL") or "%Fatal" in line]   # Icarus, Verilator
        res.failed.append(("<$fatal>", fatal[0] if fatal else f"simulator exited non-zero: {exc}"))
        return res


@pytest.mark.parametrize("mutant", MEM_MUTANTS, ids=[m.name for m in MEM_MUTANTS])
def test_mem_mutant_is_caught(mutant, tmp_path):
    names = {p.name for p in sim_mod.rtl_sources()}
    sources = [p for p in copy_rtl(tmp_path / "rtl") if p.name in names]
    apply_mutant(sources, mutant)
    res = _run_mutant(sources, f"mutant-{mutant.name}", mutant.tests)
    ran = set(res.passed) | {n for n, _ in res.failed if n != "<$fatal>"}
    assert ran == {f"{t}/traffic=free" for t in mutant.tests}, f"mutant {mutant.name}: ran {ran}; {res.summary()}"
    assert res.failed, f"NOT CAUGHT: mutant {mutant.name} ({mutant.rule}); {res.summary()}"
    if mutant.sim_check:
        # caught first by the RTL's own check; then, with the checks compiled out, by the scoreboard
        assert any(mutant.sim_check in msg for _, msg in res.failed), (
            f"mutant {mutant.name}: the RTL check {mutant.sim_check!r} did not stop it; {res.summary()}")
        if not mutant.expect:
            return
        res = _run_mutant(sources, f"mutant-{mutant.name}-nochecks", mutant.tests, defines={"SYNTHESIS": 1})
        assert res.failed, f"NOT CAUGHT by the scoreboard (checks out): mutant {mutant.name}; {res.summary()}"
        assert not any(n == "<$fatal>" for n, _ in res.failed), f"a $fatal with SYNTHESIS defined; {res.summary()}"
    assert any(mutant.expect in msg for _, msg in res.failed), (
        f"mutant {mutant.name}: no failure message mentions {mutant.expect!r}; {res.summary()}")


def test_mem_mutant_control(tmp_path):
    """The unmodified RTL through the same path and filters passes (the harness is sound)."""
    names = {p.name for p in sim_mod.rtl_sources()}
    sources = [p for p in copy_rtl(tmp_path / "rtl") if p.name in names]
    tests = sorted({t for m in MEM_MUTANTS for t in m.tests})
    res = sim_mod.run("tests.impl.hdl.mem_directed", sim="icarus", parameters=MEM_PARAMS, sources=sources,
                      variant="mutant-control", test_filter=_mem_filter(tests), seed=1, check=False)
    assert res.ok and len(res.passed) == len(tests), res.summary()
