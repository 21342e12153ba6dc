"""ECP5 block RAM mapping of ims_ram_sdp (`define IMS_ECP5_BRAM, used by synth/synth.py for
ECP5) is functionally the generic RAM.

* test_ram_equivalence: the same random traffic and the same reference (read latency 2,
  read-first) on the generic RAM and on the DP16KD mapping, for every DP16KD tile shape the
  mapping can pick (512x36 ... 16384x1, two banks), with READ_FIRST = 1 and 0.
* test_collision_rule_can_fail: fault injection for the two rules the mapping relies on: the
  DP16KD model returns X for a same-edge read of the word being written (so the "OLD"
  emulation is really exercised), and a RAM without that emulation fails the read-first check.
* test_directed_ecp5_bram: the whole directed suite on ims_top built with the mapping.

Icarus only: the DP16KD model's undefined-collision rule needs 4-state X.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from imsflow import sim as sim_mod
from tests.conftest import parameter_override, selected_param_sets, selected_sims

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "tests" / "impl" / "hdl" / "ecp5_dp16kd_model.v"
HARNESS = ROOT / "tests" / "impl" / "hdl" / "ram_sdp_harness.v"
RAM_SOURCES = [ROOT / "rtl" / "ims_ram_sdp.v", HARNESS]
ECP5 = {"IMS_ECP5_BRAM": 1}
SEED = 1

# (DATA_WIDTH, ADDR_WIDTH, DEPTH): the slot and pending RAMs at 64 and 2048 slots, a 1-word
# pending RAM (2 slots), and one of each remaining tile shape; 32768 needs two banks.
GEOMETRIES = {
    "x36-slots64": (116, 6, 64),
    "x36-pending2048": (64, 6, 64),
    "x36-pending2": (64, 1, 1),
    "x18": (116, 10, 1024),
    "x9-slots2048": (116, 11, 2048),
    "x4": (20, 12, 4096),
    "x2": (7, 13, 8192),
    "x1-2banks": (5, 15, 32768),
}


def _params(geometry, dont_care: bool) -> dict:
    width, abits, depth = geometry
    return {"DATA_WIDTH": width, "ADDR_WIDTH": abits, "DEPTH": depth,
            "RDW_DONT_CARE": int(dont_care)}


def _run(params: dict, ecp5: bool, expect: str, want_x: bool = False, check: bool = True):
    return sim_mod.run(
        "tests.impl.hdl.ram_sdp_equiv", sim="icarus", parameters=params, seed=SEED,
        toplevel="ram_sdp_harness",
        sources=RAM_SOURCES + ([MODEL] if ecp5 else []),
        defines=ECP5 if ecp5 else None, variant="ecp5bram" if ecp5 else "generic",
        extra_env={"IMS_RAM_EXPECT": expect, "IMS_RAM_EXPECT_X": "1" if want_x else "0",
                   "IMS_RAM_ECP5": "1" if ecp5 else "0"},
        # tests sharing a build run with different expectations: one run directory each, or
        # parallel workers (pytest -n) overwrite each other's results file
        run_tag=f"ram_sdp_equiv-{expect}{'-x' if want_x else ''}-{SEED}",
        check=check)


@pytest.mark.parametrize("mapping", ["generic", "ecp5"])
@pytest.mark.parametrize("geometry", list(GEOMETRIES.values()), ids=list(GEOMETRIES))
def test_ram_equivalence(geometry, mapping):
    res = _run(_params(geometry, dont_care=False), mapping == "ecp5", "old")
    assert len(res.passed) == 1, res.summary()


@pytest.mark.parametrize("geometry", [GEOMETRIES["x36-pending2048"], GEOMETRIES["x9-slots2048"]],
                         ids=["x36", "x9"])
def test_dont_care_mode(geometry):
    """The pending RAM's mode: every non-colliding read still matches; colliding ones are X
    in the DP16KD model (the owner forwards the written word instead)."""
    res = _run(_params(geometry, dont_care=True), True, "dont_care", want_x=True)
    assert len(res.passed) == 1, res.summary()


def test_collision_rule_can_fail():
    """A mapping without the read-first emulation (READ_FIRST = 0) judged as read-first fails, and
    the report names the address, edge and seed."""
    res = _run(_params(GEOMETRIES["x9-slots2048"], dont_care=True), True, "old", check=False)
    assert res.failed, res.summary()
    message = res.failed[0][1]
    assert "read of address" in message and "seed 1" in message, message


def _ecp5_sets() -> dict[str, dict]:
    """The directed suite's sets, except that the 2048-slot run builds revision 1
    (MEM_MAX_ENTRIES = 0) unless a run names its parameters: the DP16KD model's job here is the
    slot and pending RAM mapping at full table depth, and the memory build's 4096-bit pending
    sweep made every reset of that run twice as long on Icarus (215 s against about 130 s in
    `make test`). The memory build's mapping runs at 64 slots (the n64 set builds memory mode)."""
    sets = selected_param_sets(sim_mod.PARAM_SETS)
    if parameter_override():
        return sets
    chosen = {}
    for name, params in sets.items():
        if params.get("NUM_SLOTS", 0) >= 2048:
            name, params = f"{name}-rev1", dict(params, MEM_MAX_ENTRIES=0)
        chosen[name] = params
    return chosen


ECP5_PARAM_SETS = _ecp5_sets()


@pytest.mark.skipif("icarus" not in selected_sims(), reason="the DP16KD model runs on Icarus only")
@pytest.mark.parametrize("params", list(ECP5_PARAM_SETS.values()), ids=list(ECP5_PARAM_SETS))
def test_directed_ecp5_bram(params):
    res = sim_mod.run("tests.impl.hdl.ims_directed", sim="icarus", parameters=params, seed=SEED,
                      sources=sim_mod.rtl_sources() + [MODEL], defines=ECP5, variant="ecp5bram")
    assert len(res.passed) + len(res.skipped) >= 46, res.summary()
