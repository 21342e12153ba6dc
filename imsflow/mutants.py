"""RTL mutants shared by simulation (tests/impl/test_mutants.py) and formal (formal/run_formal.py).

Each mutant breaks one rule of the contract (../shared/spec/ims-block.md) with a one-place text
edit of a copy of rtl/*.v. `tests` names the directed tests (tests/impl/hdl/ims_directed.py) aimed at
it, with `expect` a word their failure message must contain; `formal` names the formal property
(formal/run_formal.py) that must fail on it. A mutant may serve either or both.

When the RTL is rewritten and a mutant's text no longer occurs exactly once, apply_mutant fails
and says so: update that mutant's `original` (and `replacement`) to the new RTL text.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

RTL_DIR = Path(__file__).resolve().parent.parent / "rtl"


@dataclass(frozen=True)
class Mutant:
    name: str
    rtl_file: str          # file name under rtl/
    original: str          # exact RTL text, must occur exactly once
    replacement: str
    tests: tuple[str, ...]  # directed tests (cocotb names without the traffic suffix) aimed at it
    rule: str              # the contract rule the mutant breaks
    expect: str            # a failure message of a selected test must contain this
    formal: str = ""       # the formal property (formal/run_formal.py) that must fail on it
    # §7 front end only: the RTL's own simulation check (`ifndef SYNTHESIS $fatal) that stops a
    # run with the checks compiled in; set, tests/impl/test_mem_directed.py then requires that
    # $fatal there and looks for `expect` in a second run built with SYNTHESIS defined (checks
    # out: the scoreboard's catch); `expect` empty says the mutant changes no output (only a
    # check sees it)
    sim_check: str = ""


MUTANTS = [
    Mutant(
        name="pasid_valid_ignored",
        rtl_file="ims_rule_eval.v",
        original="r_pasid_valid_reg <= s_irq_pasid_valid;",
        replacement="r_pasid_valid_reg <= 1'b1;",
        tests=("drop_pasid",),
        rule="§4 rule 3: a PASID_EN slot fires only for pasid_valid=1 with its PASID",
        expect="PASID",
        formal="rule3_pasid_isolation",
    ),
    Mutant(
        name="disabled_before_range",
        rtl_file="ims_rule_eval.v",
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
        rtl_file="ims_rule_eval.v",
        original="wire r_trig_fm = ctrl_func_mask;   // FUNC_MASK as rule 4 sees it",
        replacement="wire r_trig_fm = 1'b0;",
        tests=("pend_by_func_mask_and_clear_replay",),
        rule="§4 rule 4: CTRL.FUNC_MASK = 1 pends the trigger instead of sending it",
        expect="FUNC_MASK",
        formal="rule4_masked_and_replay",
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
        rtl_file="ims_rule_eval.v",
        original="    c_clear_reg    <= b_ctrl && b_wstrb_reg[0] && b_wdata_reg[`IMS_SLOT_CTRL_PENDING];",
        replacement="    c_clear_reg    <= 1'b0;",
        tests=("pending_clear",),
        rule="§4 software pending clear: slot CTRL bit1 write 1 clears the pending bit",
        expect="PENDING",
    ),
    Mutant(
        name="irq_ready_not_gated_by_rst",
        rtl_file="ims_trig_admit.v",
        original="assign s_irq_ready = s_irq_ready_reg && !rst;",
        replacement="assign s_irq_ready = s_irq_ready_reg;",
        tests=("reset_mid_traffic",),
        rule="§4 reset: while rst is high all ready outputs are low (not only after a reset edge)",
        expect="s_irq_ready",
        formal="ready_low_in_reset",
    ),
    Mutant(
        name="direct_credit_one_too_many",
        rtl_file="ims_trig_admit.v",
        original="    .DEPTH(DIRECT_FIFO_DEPTH)\n) direct_credit_inst (",
        replacement="    .DEPTH(DIRECT_FIFO_DEPTH + 1)\n) direct_credit_inst (",
        tests=("no_loss_under_backpressure",),
        rule="§4 no trigger lost: s_irq_ready falls before the direct queue can overflow",
        expect="candidate written into a full FIFO",
    ),
    Mutant(
        name="pasid_bit19_ignored",
        rtl_file="ims_rule_eval.v",
        original="    c_pasid_eq_reg[6] <= s_raw_pasid[19:18] == b_pasid_reg[19:18];",
        replacement="    c_pasid_eq_reg[6] <= s_raw_pasid[18] == b_pasid_reg[18];",
        tests=("pasid_walk",),
        rule="§4 rule 3: the PASID compare covers all 20 bits (this one ignores bit 19)",
        expect="PASID",
        formal="rule3_pasid_isolation",
    ),
    Mutant(
        name="awvalid_drops_while_stalled",
        rtl_file="ims_axi_wr_master.v",
        original="assign m_axi_awvalid = (queued ? !aw_done_reg : cand_msg) && !rst;",
        replacement="assign m_axi_awvalid = (queued ? !aw_done_reg && !w_done_reg : cand_msg) && !rst;",
        tests=(),
        rule="§1 AXI: AWVALID stays high until AWREADY (this one drops it once W went)",
        expect="",
        formal="axi_stable_while_stalled",
    ),
    Mutant(
        name="enable_ignored",
        rtl_file="ims_rule_eval.v",
        original="wire r_passed  = r_valid_reg && r_kind_reg == `IMS_OP_TRIG && !r_range_err_reg && ctrl_enable && !s_irq_kill;",
        replacement="wire r_passed  = r_valid_reg && r_kind_reg == `IMS_OP_TRIG && !r_range_err_reg && !s_irq_kill;",
        tests=(),
        rule="§4 rule 2: a trigger while ENABLE = 0 is dropped (this one also sends it)",
        expect="",
        formal="no_message_without_cause",
    ),
    Mutant(
        name="range_drop_not_counted",
        rtl_file="ims_rule_eval.v",
        original="    ev_drop_range    <= c_range_reg;",
        replacement="    ev_drop_range    <= 1'b0;",
        tests=(),
        rule="§4 no trigger lost: an index >= NUM_SLOTS ends as a counted range drop",
        expect="",
        formal="no_trigger_lost",
    ),
    Mutant(
        name="fifo_reads_second_entry",
        rtl_file="ims_fifo.v",
        original="assign out_data  = mem[rd_ptr_reg];",
        replacement="assign out_data  = mem[rd_ptr_reg + {{(ADDR_WIDTH-1){1'b0}}, occ_reg[0] && commit_reg}];",
        tests=(),
        rule="§4 ordering: queued direct messages leave in trigger order",
        expect="",
        formal="direct_order",
    ),
    Mutant(
        name="slot_bypass_off",
        rtl_file="ims_slot_store.v",
        original="    byp2_reg       <= byp1_en_reg && byp1_slot_reg == rd_slot_reg;",
        replacement="    byp2_reg       <= 1'b0;",
        tests=(),
        rule="§4 a slot write takes effect for triggers accepted after its BVALID (read-first bypass off)",
        expect="",
        # only a read issued on the edge right after a slot write lands needs the bypass, e.g.
        # the first op after BUSY reading the last slot the sweep wrote; a trigger in a write's
        # first BVALID cycle is issued one edge later and the harness's N1 keeps triggers out of
        # the write itself, so the formal run that reaches it is the from-reset one
        formal="write_visibility_from_reset",
    ),
    Mutant(
        name="slot_write_early_bvalid",
        rtl_file="ims_regs.v",
        original=("            // rsp_valid: the slot RAM was written on the previous edge\n"
                  "            if (rsp_valid) begin"),
        replacement="            if (1'b1) begin",
        tests=(),
        rule="§4 a slot write takes effect for triggers accepted after its BVALID (this one raises "
             "BVALID as the write enters the pipeline, before the slot RAM holds it)",
        expect="",
        formal="write_visibility",
    ),
    Mutant(
        name="scan_pick_skips_bit",
        rtl_file="ims_replay_scan.v",
        original="                rem_reg       <= rem_reg & minus1[15:0];",
        replacement="                rem_reg       <= rem_reg & minus1[15:0] & (minus1[15:0] - 16'd1);",
        tests=("replay_storm_sparse", "replay_storm_dense"),
        rule="§4 replay: every pending slot that becomes eligible is replayed (this scanner drops "
             "the bit after each one it picks in a lane: a lost replay)",
        expect="replay storm",
    ),
    Mutant(
        name="replay_keeps_pending",
        rtl_file="ims_pend_rmw.v",
        original="    w_new_pend_reg  <= t_pend || (pend_bit && !c_fire_gate && !c_clear);",
        replacement="    w_new_pend_reg  <= t_pend || (pend_bit && !c_clear);",
        tests=("replay_storm_sparse", "replay_storm_dense"),
        rule="§4 replay: the replay clears the pending bit, so it is emitted once (this one leaves "
             "it set: the slot is replayed again at the next scan, a duplicated replay)",
        expect="PENDING after the replay storm",
    ),
    Mutant(
        name="decision_reset_dropped",
        rtl_file="ims_rule_eval.v",
        original="        c_ok_pre_msg_reg  <= 1'b0;\n",
        replacement="",
        tests=(),
        rule="§4 reset: after rst (even a single cycle) no message leaves without a trigger "
             "(this one leaves a stage-C decision flop unreset)",
        expect="",
        formal="one_cycle_reset",
    ),
]


def copy_rtl(dest: Path) -> list[Path]:
    """rtl/*.v copied into dest (fresh modification times, so a variant build is redone); the
    headers they include (rtl/*.vh) are copied beside them but not returned (never compiled
    on their own)."""
    dest.mkdir(parents=True, exist_ok=True)
    for header in sorted(RTL_DIR.glob("*.vh")):
        shutil.copy(header, dest / header.name)
    return [Path(shutil.copy(src, dest / src.name)) for src in sorted(RTL_DIR.glob("*.v"))]


def by_name(name: str) -> Mutant:
    for m in MUTANTS + MEM_MUTANTS:
        if m.name == name:
            return m
    raise KeyError(f"no mutant named {name!r}; known: {', '.join(m.name for m in MUTANTS + MEM_MUTANTS)}")


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


# §7 (memory-resident entries) mutants: aimed at tests/impl/hdl/mem_directed.py on a memory-mode
# build; tests/impl/test_mem_directed.py runs them (tests/impl/test_mutants.py keeps to MUTANTS above).
MEM_MUTANTS = [
    Mutant(
        name="mem_fetch_error_ignored",
        rtl_file="ims_axi_rd_master.v",
        original="assign rsp_err   = err_reg || m_axi_rresp != 2'b00;",
        replacement="assign rsp_err   = 1'b0;",
        tests=("mem_fetch_error",),
        rule="§7 rule 2: a fetch answered RRESP != OKAY drops the trigger (no message, no pend)",
        expect="messages",
        formal="mem_fetch_error",
    ),
    Mutant(
        name="mem_inval_drops_nothing",
        rtl_file="ims_mem_maint.v",
        original="inv_valid <= kind_reg != CMD_INVAL || named_ok_reg;",
        replacement="inv_valid <= 1'b0;",
        tests=("mem_inval_freshness",),
        rule="§7 rule 3: a trigger after MEM_INVAL's response uses values read after the MEM_INVAL",
        expect="messages",
        formal="mem_freshness",
    ),
    Mutant(
        name="mem_reexamine_skipped",
        rtl_file="ims_mem_maint.v",
        original="if (kind_reg == CMD_INVAL && !clear_reg && named_ok_reg && !m_zero_reg) begin",
        replacement="if (1'b0) begin",
        tests=("mem_reexamine",),
        rule="§7 rule 4: MEM_INVAL(j) re-examines pending entry j (MASK = 0 in memory: one message)",
        expect="MEM_INVAL(5)",
    ),
]

# The §7 front end's retimed flags (commits 301ba1b..7fcb4a5) at the edges that the tests above
# did not reach (tests/impl/hdl/mem_directed.py mem_park_refill_on_pop / mem_reexamine_during_fetches).
MEM_MUTANTS += [
    Mutant(
        name="mem_head_fields_refill_on_pop",
        rtl_file="ims_mem_front.v",
        original="    if (pop ? e1 : e0) begin\n        hd_index_reg <= t1_index_reg;",
        replacement="    if (e0) begin\n        hd_index_reg <= t1_index_reg;",
        tests=("mem_park_refill_on_pop",),
        rule="§7 rule 5 order: the trigger pushed on the edge the last parked entry leaves is the "
             "next one presented (this one loads the head's fields from the stale park slot)",
        expect="messages",
        sim_check="head fields differ from park slot",
    ),
    Mutant(
        name="mem_reexam_ahead_ignores_answer",
        rtl_file="ims_mem_front.v",
        # (until the memory-build timing work of issue 12 point 7 this mutated own_mf_next, the
        # oldest owner after an answer; that term now lives only in the simulation checks'
        # reference (hd_rsp_next), so the mutant moved to the design term it describes: the head's
        # answer arm must see a re-examination fetch ahead of its own)
        original="wire       arm_next = f_rsp_arm_next && !own_mf0 && (pop_nr ? wait_b : wait_a);",
        replacement="wire       arm_next = f_rsp_arm_next && (pop_nr ? wait_b : wait_a);",
        tests=("mem_reexamine_during_fetches",),
        rule="§7 rule 4 re-examination fetches between trigger fetches: the oldest fetch outstanding "
             "answers first; a waiting head is armed only when that fetch is its own (this one arms it "
             "on a re-examination's answer, so the head would go before its image is written)",
        expect="messages",
        sim_check="hd_arm next",
    ),
]

# §7 rule 4 with several re-examination fetches in flight (rtl/ims_mem_maint.v staging ring):
# the candidate checks must read each answer's own staging line, in fetch order, and a failed
# re-examination fetch must leave its bit.
MEM_MUTANTS += [
    Mutant(
        name="mem_reexam_wrong_stage_line",
        rtl_file="ims_mem_maint.v",
        original="op_line  <= STAGE0 + {{(LINE_WIDTH-STAGE_WIDTH){1'b0}}, chk_ptr_reg};",
        replacement="op_line  <= STAGE0 + {{(LINE_WIDTH-STAGE_WIDTH){1'b0}}, rsp_ptr_reg};",
        tests=("mem_reexamine_storm",),
        rule="§7 rule 4: a re-examined entry is judged (and replayed) with the values fetched for it "
             "(this one's candidate check reads the staging line of the next answer in the ring)",
        expect="messages",
    ),
    Mutant(
        name="mem_reexam_error_checked",
        rtl_file="ims_mem_maint.v",
        original="wire chk_issue = rx_run && chk_ans && !chk_err && !op_valid;",
        replacement="wire chk_issue = rx_run && chk_ans && !op_valid;",
        tests=("mem_reexamine_storm",),
        rule="§7 rule 4: a re-examination fetch answered with an error leaves the bit set (this one "
             "runs the candidate check on the failed answer's stale staging line)",
        expect="MEM_INVAL ALL",
    ),
]
