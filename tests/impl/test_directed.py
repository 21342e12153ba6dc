"""pytest entry points for the directed cocotb tests (tests/impl/hdl/ims_directed.py) and the §5
performance check (tests/impl/hdl/ims_bench.py), on both simulators and both parameter sets,
plus simulator-free tests proving that the message-port checker rules can fail.

The cocotb runs use a fixed seed (SEED=n on the make command line overrides it) so CI is
reproducible; a failure names the test, slot, cycle, seed and a `make waves` command.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from imsflow import sim as sim_mod
from imsflow.bench_rtl import GOAL_LATENCY, GOAL_MSG_PER_CLK, run_bench
from tests.conftest import (parameter_override, rev1_mode, seed_override, selected_param_sets,
                            selected_sims, small_params)
from tb.ims_tb import (AwBeat, MessageMonitor, WBeat, aw_beat_problems, hold_problems,
                       w_beat_problems)

SIMS = selected_sims()
PARAM_SETS = selected_param_sets(sim_mod.PARAM_SETS)
DEFAULT_SEED = 1
BENCH_MESSAGES = 2048


def _seed() -> int:
    seed = seed_override()
    return DEFAULT_SEED if seed is None else seed


@pytest.mark.parametrize("sim", SIMS)
@pytest.mark.parametrize("params", list(PARAM_SETS.values()), ids=list(PARAM_SETS))
def test_directed(sim, params):
    res = sim_mod.run("tests.impl.hdl.ims_directed", sim=sim, parameters=params, seed=_seed())
    # Every contract rule has its test; a run that silently collected fewer is a failure.
    assert len(res.passed) + len(res.skipped) >= 46, res.summary()


# §6 "Built with MEM_MAX_ENTRIES = 0 the block is revision 1 exactly": the other build in
# `make test`, the directed suite at the small set on both simulators (the full cross of that
# build, both sets and the pyuvm, register and generic suites, is `make test-rev1`, IMS_REV1=1,
# where PARAM_SETS above already are revision-1 builds, so this adds nothing there).
REV1_PARAMS = dict(small_params(), MEM_MAX_ENTRIES=0)
_REV1_COVERED = ("make test-rev1: test_directed[n64] runs this build" if rev1_mode() else
                 "a parameter override: test_directed runs the one set given" if parameter_override() else None)
REV1_SIMS = [pytest.param(s, marks=pytest.mark.skip(reason=_REV1_COVERED)) if _REV1_COVERED else s for s in SIMS]


@pytest.mark.parametrize("sim", REV1_SIMS)
def test_directed_rev1_build(sim):
    res = sim_mod.run("tests.impl.hdl.ims_directed", sim=sim, parameters=REV1_PARAMS, seed=_seed())
    assert len(res.passed) + len(res.skipped) >= 46, res.summary()


@pytest.mark.parametrize("sim", SIMS)
@pytest.mark.parametrize("params", list(PARAM_SETS.values()), ids=list(PARAM_SETS))
def test_performance(sim, params):
    """§5: one message per clock sustained and trigger-to-AWVALID latency <= 3 edges."""
    fig = run_bench(sim, params, messages=BENCH_MESSAGES, seed=_seed())
    assert fig["messages"] >= BENCH_MESSAGES
    assert fig["msg_per_clk"] >= GOAL_MSG_PER_CLK, (
        f"{sim} {params}: {fig['msg_per_clk']:.3f} msg/clk over {fig['messages']} messages "
        f"({fig['cycles']} cycles); contract §5 wants 1 per clock. Rerun: python imsflow/bench_rtl.py --sim {sim}")
    assert fig["cnt_sent_per_clk"] >= GOAL_MSG_PER_CLK * 0.99, fig
    assert fig["latency_max"] <= GOAL_LATENCY, (
        f"{sim} {params}: trigger-to-AWVALID latency {fig['latencies']} cycles; contract §5 wants <= 3")


# --- the monitor's checker rules fail on wrong behaviour -----------------------------------

GOOD_AW = AwBeat(cycle=7, addr=0xFEE00010, awid=0, awlen=0, awsize=2, awburst=1)
GOOD_W = WBeat(cycle=7, data=0x1234, strb=0xF, last=1)


def test_good_beats_pass():
    assert aw_beat_problems(GOOD_AW) == []
    assert w_beat_problems(GOOD_W) == []


@pytest.mark.parametrize("field,value,needle", [
    ("awlen", 1, "awlen=1"), ("awsize", 3, "awsize=3"), ("awburst", 0, "awburst=0"),
    ("addr", 0xFEE00012, "not dword aligned")])
def test_bad_aw_beat_reported(field, value, needle):
    problems = aw_beat_problems(GOOD_AW.__class__(**{**GOOD_AW.__dict__, field: value}))
    assert len(problems) == 1 and needle in problems[0] and "cycle 7" in problems[0]


@pytest.mark.parametrize("field,value,needle", [("strb", 0x7, "wstrb=0x7"), ("last", 0, "wlast=0")])
def test_bad_w_beat_reported(field, value, needle):
    problems = w_beat_problems(GOOD_W.__class__(**{**GOOD_W.__dict__, field: value}))
    assert len(problems) == 1 and needle in problems[0]


def test_hold_rules_reported():
    assert hold_problems("AW", 3, (1, 2), 1, (1, 2)) == []
    assert "dropped" in hold_problems("AW", 3, (1, 2), 0, (1, 2))[0]
    assert "changed while stalled" in hold_problems("W", 3, (1, 2), 1, (1, 5))[0]


class FakeSignal:
    def __init__(self, value=0):
        self.value = value


def fake_port(**values):
    names = ("awvalid awready awaddr awid awlen awsize awburst wvalid wready wdata wstrb wlast "
             "bvalid bready bresp").split()
    base = dict.fromkeys(names, 0)
    base.update(awsize=2, awburst=1, wstrb=0xF, wlast=1, bready=1)
    base.update(values)
    return SimpleNamespace(**{f"m_axi_{k}": FakeSignal(v) for k, v in base.items()})


def test_monitor_pairs_and_flags_stall_violation():
    dut = fake_port(awvalid=1, awready=0, awaddr=0x100)
    mon = MessageMonitor(dut)
    mon.sample(1, in_reset=False)                 # AW stalled with addr 0x100
    dut.m_axi_awaddr.value = 0x200                # wrong: payload changes while stalled
    dut.m_axi_awready.value = 1
    dut.m_axi_wvalid.value, dut.m_axi_wready.value, dut.m_axi_wdata.value = 1, 1, 0xAB
    mon.sample(2, in_reset=False)
    assert any("changed while stalled" in v and "cycle 2" in v for v in mon.violations)
    assert [(m.addr, m.data, m.aw_cycle) for m in mon.messages] == [(0x200, 0xAB, 2)]


def test_monitor_flags_early_b_response():
    dut = fake_port(bvalid=1, bready=1)
    mon = MessageMonitor(dut)
    mon.sample(1, in_reset=False)
    assert any("B handshake without a completed message" in v for v in mon.violations)


@pytest.mark.parametrize("sim", SIMS)
def test_replay_rate(sim):
    """Issue 12 point 3: replay storms after a FUNC_MASK clear at 2048 slots (every replay checked
    by tests/impl/hdl/replay_bench.py) meet the rates: >= 0.5 msg/clk with one pending slot per word,
    >= 0.9 for dense words, the table's last slot in <= 72 cycles from the write's acceptance."""
    from imsflow.bench import bench_replay

    lines, missed = bench_replay(sim, {"NUM_SLOTS": 2048})
    assert not missed, ("; ".join(missed) + "\n" + "\n".join(lines) +
                        f"\nRerun: python -m imsflow.bench --sim {sim} --param NUM_SLOTS=2048")
