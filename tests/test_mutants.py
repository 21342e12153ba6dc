"""Mutation checks: the directed tests (tests/hdl/ims_directed.py) fail on wrong RTL.

Each mutant breaks one rule of the contract (../shared/spec/ims-block.md) with a one-place
text edit of a copy of rtl/*.v. The copy is built in its own directory
(sim_build/icarus/ims_top-NUM_SLOTS=64-mutant-<name>) and only the directed tests aimed at that
rule run (Icarus, NUM_SLOTS=64, seed 1, both traffic patterns). A mutant counts as caught only
when one of those tests fails with a message naming what the mutant broke, or when one of the
RTL's own simulation assertions ($fatal) stops the run with such a message; a build error or
any other simulator crash does not count. The control test runs the unmodified copy through the same
path and the same filters and must pass, so a broken harness cannot make every mutant "caught".

When the RTL is rewritten and a mutant's text no longer occurs exactly once, the test fails
and says so: update that mutant's `original` (and `replacement`) to the new RTL text.

Run: .venv/bin/python -m pytest -n 2 tests/test_mutants.py
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tb.ims_tb import TRAFFIC_PATTERNS
from tests import sim as sim_mod

DIRECTED = "tests.hdl.ims_directed"
SIM = "icarus"
PARAMS = {"NUM_SLOTS": 64}
SEED = 1


@dataclass(frozen=True)
class Mutant:
    name: str
    rtl_file: str          # file name under rtl/
    original: str          # exact RTL text, must occur exactly once
    replacement: str
    tests: tuple[str, ...]  # directed tests (cocotb names without the traffic suffix) aimed at it
    rule: str              # the contract rule the mutant breaks
    expect: str            # a failure message of a selected test must contain this


MUTANTS = [
    Mutant(
        name="pasid_valid_ignored",
        rtl_file="ims_msg_pipe.v",
        original="r_pasid_valid_reg <= s_irq_pasid_valid;",
        replacement="r_pasid_valid_reg <= 1'b1;",
        tests=("drop_pasid",),
        rule="§4 rule 3: a PASID_EN slot fires only for pasid_valid=1 with its PASID",
        expect="PASID",
    ),
    Mutant(
        name="disabled_before_range",
        rtl_file="ims_msg_pipe.v",
        original=("    c_range_reg       <= b_trig && b_range_err_reg;\n"
                  "    c_disabled_reg    <= b_trig && !b_range_err_reg && !b_enable_reg;"),
        replacement=("    c_range_reg       <= b_trig && b_range_err_reg && ctrl_enable;\n"
                     "    c_disabled_reg    <= b_trig && !b_enable_reg;"),
        tests=("drop_range",),
        rule="§4 rule order: rule 1 (index >= NUM_SLOTS) applies before rule 2 (ENABLE = 0)",
        expect="CNT_DROP_RANGE",
    ),
    Mutant(
        name="func_mask_ignored",
        rtl_file="ims_msg_pipe.v",
        original="wire r_trig_fm = ctrl_func_mask;   // FUNC_MASK as rule 4 sees it",
        replacement="wire r_trig_fm = 1'b0;",
        tests=("pend_by_func_mask_and_clear_replay",),
        rule="§4 rule 4: CTRL.FUNC_MASK = 1 pends the trigger instead of sending it",
        expect="FUNC_MASK",
    ),
    Mutant(
        name="cnt_sent_saturates",
        rtl_file="ims_regs.v",
        original="cnt_sent_reg          <= cnt_sent_reg + {31'd0, ev_reg[EV_SENT]};",
        replacement="cnt_sent_reg          <= (&cnt_sent_reg) ? cnt_sent_reg : cnt_sent_reg + {31'd0, ev_reg[EV_SENT]};",
        tests=("counter_wrap",),
        rule="§2 counters are 32-bit and wrap",
        expect="CNT_SENT",
    ),
    Mutant(
        name="axil_low_addr_bits_decoded",
        rtl_file="ims_regs.v",
        original="zone[ZONE_REGS] = !addr[AW-1] && addr[AW-2:6] == 0;",
        replacement="zone[ZONE_REGS] = !addr[AW-1] && addr[AW-2:6] == 0 && addr[1:0] == 2'b00;",
        tests=("reg_identity", "reg_ctrl_bits"),
        rule="§4 byte lanes: the low two address bits of an AXI-Lite access are ignored",
        expect="RESP",
    ),
    Mutant(
        name="pending_clear_ignored",
        rtl_file="ims_msg_pipe.v",
        original="    c_clear_reg    <= b_ctrl && b_wstrb_reg[0] && b_wdata_reg[1];",
        replacement="    c_clear_reg    <= 1'b0;",
        tests=("pending_clear",),
        rule="§4 software pending clear: slot CTRL bit1 write 1 clears the pending bit",
        expect="PENDING",
    ),
    Mutant(
        name="irq_ready_not_gated_by_rst",
        rtl_file="ims_msg_pipe.v",
        original="assign s_irq_ready = s_irq_ready_reg && !rst;",
        replacement="assign s_irq_ready = s_irq_ready_reg;",
        tests=("reset_mid_traffic",),
        rule="§4 reset: while rst is high all ready outputs are low (not only after a reset edge)",
        expect="s_irq_ready",
    ),
    Mutant(
        name="direct_credit_one_too_many",
        rtl_file="ims_msg_pipe.v",
        original="    .DEPTH(DIRECT_FIFO_DEPTH)\n) direct_credit_inst (",
        replacement="    .DEPTH(DIRECT_FIFO_DEPTH + 1)\n) direct_credit_inst (",
        tests=("no_loss_under_backpressure",),
        rule="§4 no trigger lost: s_irq_ready falls before the direct queue can overflow",
        expect="candidate written into a full FIFO",
    ),
]


def filter_regex(tests: tuple[str, ...]) -> str:
    """The COCOTB_TEST_FILTER regex selecting `tests` in every traffic pattern."""
    return rf"\.({'|'.join(re.escape(t) for t in tests)})/traffic=[^/]*$"


def selected_names(tests: tuple[str, ...]) -> set[str]:
    return {f"{t}/traffic={p}" for t in tests for p in TRAFFIC_PATTERNS}


def copy_rtl(dest: Path) -> list[Path]:
    """rtl/*.v copied into dest (fresh modification times, so the variant build is redone)."""
    dest.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(src, dest / src.name)) for src in sim_mod.rtl_sources()]


def apply_mutant(sources: list[Path], mutant: Mutant) -> None:
    target = next((p for p in sources if p.name == mutant.rtl_file), None)
    assert target is not None, (
        f"mutant {mutant.name}: rtl/{mutant.rtl_file} does not exist any more; "
        f"update the mutant in {__file__}")
    text = target.read_text()
    count = text.count(mutant.original)
    assert count == 1, (
        f"mutant {mutant.name}: its original text occurs {count} times in rtl/{mutant.rtl_file} "
        f"(must be exactly once): the RTL changed; update the mutant's original/replacement in "
        f"{__file__} to the current RTL text.\n  original: {mutant.original!r}")
    assert mutant.replacement != mutant.original, f"mutant {mutant.name} changes nothing"
    target.write_text(text.replace(mutant.original, mutant.replacement))


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
            f"rerun: .venv/bin/python -m pytest tests/test_mutants.py -k {variant.removeprefix('mutant-')}")


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
