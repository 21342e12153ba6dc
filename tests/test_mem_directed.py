"""pytest entry points for the §7 (memory-resident entries) directed cocotb tests
(tests/hdl/mem_directed.py), on both simulators, with ims_top built in memory mode at a small
size (NUM_SLOTS 64, MEM_MAX_ENTRIES 64), plus a revision-1 build check: with MEM_MAX_ENTRIES=0
the §7 registers answer SLVERR and VERSION reads 0x00010000 (same module, its rev1 test).

A failure names the test, entry, cycle, seed and a `make waves` command.
"""

from __future__ import annotations

import pytest

from tests import sim as sim_mod
from tests.conftest import seed_override, selected_sims

SIMS = selected_sims()
MEM_PARAMS = {"NUM_SLOTS": 64, "AXIL_ADDR_WIDTH": 14, "MEM_MAX_ENTRIES": 64}
# every §7 rule has its test, each crossed with two traffic patterns (tests/testplan.md §7)
MEM_TESTS = 8


def _seed() -> int:
    seed = seed_override()
    return 1 if seed is None else seed


@pytest.mark.parametrize("sim", SIMS)
def test_mem_directed(sim):
    res = sim_mod.run("tests.hdl.mem_directed", sim=sim, parameters=MEM_PARAMS, seed=_seed())
    assert res.ok and len(res.passed) >= 2 * MEM_TESTS + 1, res.summary()


@pytest.mark.parametrize("sim", SIMS)
def test_rev1_build_register_window(sim):
    """§6: built with MEM_MAX_ENTRIES = 0 the block is revision 1 exactly (model-checked)."""
    params = {"NUM_SLOTS": 64, "AXIL_ADDR_WIDTH": 14, "MEM_MAX_ENTRIES": 0}
    res = sim_mod.run("tests.hdl.mem_directed", sim=sim, parameters=params, seed=_seed(),
                      testcase="register_window_vs_model")
    assert res.ok and len(res.passed) == 1, res.summary()
