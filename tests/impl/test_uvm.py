"""pytest entry point of the pyuvm end-to-end tests (tests/impl/hdl/uvm_tests.py).

`make test` runs every test once, with one seed, on both simulators at NUM_SLOTS=64, and the
scale test at NUM_SLOTS=2048. The tests of one simulator and parameter set share one
simulator invocation per group (several cocotb tests per run), so the build and start-up cost
is paid a few times, not once per test; the groups are separate pytest items so
`pytest -n auto` spreads them over the cores.

Regressions: IMS_SEEDS=N (or `regress_cases(N)` from a script) turns every test into N
seeds, one simulator run per (test, seed), each writing its JSON line into its run directory
(sim_build/<sim>/<build>/runs/uvm-<test>-<seed>/uvm_results.jsonl). The seeds are
1..N offset by IMS_SEED_BASE (default 1), so a regression is reproducible too.
"""

from __future__ import annotations

import os

import pytest

from tb.uvm.config import last_result
from imsflow import sim as sim_mod
from tests.conftest import for_build, parameter_override, seed_override, selected_sims, small_params

MODULE = "tests.impl.hdl.uvm_tests"

# Tests that need a big table run at 2048 only; everything else at 64.
SCALE_TESTS = ["UvmScale"]
POSITIVE_TESTS = [
    "UvmSmoke", "UvmRandomTraffic", "UvmMaskStorm", "UvmFuncMaskStorm", "UvmStateSweep", "UvmAllocChurn",
    "UvmAffinityChurn", "UvmAffinityInFlight", "UvmPasidAttack", "UvmIrFaults", "UvmBackpressureErrors",
    "UvmResetMidTraffic", "UvmGuestPosted", "UvmLeanStream", "UvmLeanBackpressure",
]
INJECTED_TESTS = [
    "UvmInjectedDroppedWrite", "UvmInjectedCorruptData", "UvmInjectedMaskedSlotWrite",
    "UvmInjectedWrongVector", "UvmInjectedRhIgnored", "UvmInjectedReservationMode",
]
ALL_TESTS = POSITIVE_TESTS + INJECTED_TESTS + SCALE_TESTS

# `make test`: groups of tests per simulator run (balanced for two workers).
GROUPS = {
    "traffic": ["UvmSmoke", "UvmRandomTraffic", "UvmPasidAttack", "UvmIrFaults", "UvmGuestPosted",
                "UvmBackpressureErrors", "UvmStateSweep"],
    "storms": ["UvmMaskStorm", "UvmFuncMaskStorm", "UvmAllocChurn", "UvmAffinityChurn",
               "UvmAffinityInFlight", "UvmResetMidTraffic", "UvmLeanBackpressure"],
    "lean_injected": ["UvmLeanStream"] + INJECTED_TESTS,
}
DEFAULT_SEED = 1


def params_for(test: str) -> dict:
    override = parameter_override()
    if override:
        return override
    return for_build({"NUM_SLOTS": 2048}) if test in SCALE_TESTS else small_params()


def regress_cases(seeds: int, base: int = 1, tests: list[str] | None = None) -> list[tuple[str, int]]:
    """Every (test, seed) pair of a regression; `make regress` can map sim.run over these."""
    return [(t, base + k) for t in (tests or ALL_TESTS) for k in range(seeds)]


def run_one(sim: str, test: str, seed: int) -> sim_mod.SimResult:
    return sim_mod.run(MODULE, sim=sim, parameters=params_for(test), testcase=test, seed=seed,
                       run_tag=f"uvm-{test}-{seed}")


SEEDS = int(os.environ.get("IMS_SEEDS", "0") or 0)
SEED_BASE = int(os.environ.get("IMS_SEED_BASE", "1"))

if SEEDS:
    @pytest.mark.parametrize("sim", selected_sims())
    @pytest.mark.parametrize("test,seed", regress_cases(SEEDS, SEED_BASE),
                             ids=[f"{t}-s{s}" for t, s in regress_cases(SEEDS, SEED_BASE)])
    def test_uvm_regress(sim, test, seed):
        res = run_one(sim, test, seed)
        line = last_result(res.test_dir)
        assert line is not None and line["result"] == "pass", f"{test} seed {seed}: {line}"
else:
    @pytest.mark.parametrize("sim", selected_sims())
    @pytest.mark.parametrize("group", list(GROUPS))
    def test_uvm(sim, group):
        seed = seed_override() or DEFAULT_SEED
        tests = GROUPS[group]
        if parameter_override():
            # A parameter override (make test NUM_SLOTS=...) applies to every group.
            params = parameter_override()
        else:
            params = small_params()
        res = sim_mod.run(MODULE, sim=sim, parameters=params, testcase=",".join(tests), seed=seed,
                          run_tag=f"uvm-{group}-{seed}")
        assert sorted(res.passed) == sorted(tests), res.summary()

    @pytest.mark.parametrize("sim", selected_sims())
    def test_uvm_scale(sim):
        seed = seed_override() or DEFAULT_SEED
        params = parameter_override() or {"NUM_SLOTS": 2048}
        if params.get("NUM_SLOTS", 2048) < 512:
            pytest.skip("UvmScale needs NUM_SLOTS >= 512")
        res = run_one(sim, "UvmScale", seed)
        line = last_result(res.test_dir)
        assert line and line["result"] == "pass", res.summary()


# ------------------------------------------------- memory-resident entries (contract §7)
# One simulator run per simulator for the four §7 tests, at the size the §7 directed suite
# builds (tests/impl/test_mem_directed.py), MEM_MAX_ENTRIES explicit (not the RTL default).
MEM_PARAMS = {"NUM_SLOTS": 64, "AXIL_ADDR_WIDTH": 14, "MEM_MAX_ENTRIES": 64}
MEM_TESTS = ["UvmMemMixed", "UvmMemChurn", "UvmMemFetchErrors", "UvmMemFuncMaskStorm"]
# The planted §7 bug the pyuvm scoreboard must catch, and the mismatch kinds that say so.
MEM_MUTANT = "mem_fetch_error_ignored"
MEM_MUTANT_KINDS = ("FETCH_ERROR_SENT",)


def mem_params() -> dict:
    params = {**MEM_PARAMS, **(parameter_override() or {})}
    if not params.get("MEM_MAX_ENTRIES"):
        pytest.skip(f"the §7 pyuvm tests need MEM_MAX_ENTRIES > 0; this run overrides the "
                    f"parameters to {params}")
    return params


@pytest.mark.parametrize("sim", selected_sims())
def test_uvm_mem(sim):
    seed = seed_override() or DEFAULT_SEED
    res = sim_mod.run(MODULE, sim=sim, parameters=mem_params(), testcase=",".join(MEM_TESTS), seed=seed,
                      run_tag=f"uvm-mem-{seed}")
    assert sorted(res.passed) == sorted(MEM_TESTS), res.summary()


def test_uvm_mem_mutant_caught(tmp_path):
    """The pyuvm scoreboard catches a planted §7 RTL bug (imsflow/mutants.py): the RTL that
    ignores RRESP sends messages of entries whose fetch failed. UvmMemMutantCaught passes
    only if the scoreboard reports FETCH_ERROR_SENT; the same sequence on the unmodified RTL
    passes clean in test_uvm_mem (UvmMemFetchErrors). Icarus only (CI time)."""
    from imsflow.mutants import MEM_MUTANTS, apply_mutant, copy_rtl
    mutant = next(m for m in MEM_MUTANTS if m.name == MEM_MUTANT)
    names = {p.name for p in sim_mod.rtl_sources()}
    sources = [p for p in copy_rtl(tmp_path / "rtl") if p.name in names]
    apply_mutant(sources, mutant)
    res = sim_mod.run(MODULE, sim="icarus", parameters=mem_params(), testcase="UvmMemMutantCaught",
                      seed=seed_override() or DEFAULT_SEED, sources=sources, variant=f"uvm-mutant-{mutant.name}",
                      extra_env={"IMS_UVM_EXPECT_KINDS": ",".join(MEM_MUTANT_KINDS)}, run_tag="uvm-mem-mutant",
                      check=False)
    assert res.passed == ["UvmMemMutantCaught"], (
        f"NOT CAUGHT by the pyuvm scoreboard: mutant {mutant.name} ({mutant.rule}); {res.summary()}")
