/*
 * Issue and rule evaluation: stages issue, R, B and C of the pipeline.
 *
 * One op per clock enters here: a trigger accepted on this edge (trig_go),
 * else the head of the op skid buffer (head_go).  Its slot and pending word
 * address both RAMs at once (iss_slot, iss_word: one gate of s_irq_valid,
 * ims_issue_mux); its fields travel beside the RAM read, and the contract's
 * §4 rules are evaluated over precomputed flops:
 *
 *   issue (edge N)    the op's index is the RAM read address.
 *   R (N..N+1)        RAM read; the rule terms that do not depend on the
 *                     slot (range, ENABLE, FUNC_MASK, pasid_valid, the slot
 *                     store's bypass entry's PASID test) combined with the
 *                     op's flags into the bp_* flops.
 *   B (N+1..N+2)      one gate after the RAM word: the PASID compare in seven
 *                     3-bit slices, MASK / PASID_EN folded into per-case
 *                     flops (c_ok_*, c_drop_*, c_fire_gate).
 *   C (N+2..N+3)      decide from flops (ims_msg_decide, two gates): t_msg
 *                     (direct message), c_fire (replay), t_pend (rule 4 sets
 *                     the pending bit), t_pasid_drop.
 *
 * Ports and timing (N = the op's issue edge):
 *   iss_slot, iss_word, mem_rd_line   combinational, valid in the issue cycle
 *                     (before edge N): the RAM read addresses.
 *   ss_* / raw_* / byp_*   the slot store's read at N+1..N+2 (its ports of
 *                     the same names); mem_rd_entry likewise for memory ops.
 *   b_*, s_*          the op in stage B and its entry (slot or memory image),
 *                     valid after edge N+1: for ims_slot_rmw (register ops)
 *                     and ims_pend_rmw (forwarding compares).
 *   c_* (flops), t_pend, t_msg, c_fire, c_msg   stage C, after edge N+2;
 *                     t_msg / c_fire / c_msg settle late in that cycle (they
 *                     end at the write master's commit flops and AWVALID).
 *   wfwd_bit, w_new_pend, st_slot_bit   the pending bit as of this op (from
 *                     ims_pend_rmw's stage W and the pending store), stage C.
 *   msg_addr, msg_data   the message candidate, flops after edge N+2.
 *   ev_*, trig_nomsg, cand_nomsg   one-cycle pulses registered at edge N+3.
 *   r_trig, b_trig, c_trig   a trigger is in stage R / B / C (flops).
 */

`default_nettype none

`include "ims_defs.vh"

module ims_rule_eval #(
    parameter IRQ_INDEX_WIDTH = 16,
    parameter SLOT_WIDTH      = 11,   // pipeline index width (slots, then memory entries)
    parameter WORD_WIDTH      = 6,
    parameter SS_WIDTH        = 11,   // slot RAM address width (indices beyond: range error)
    parameter LINE_WIDTH      = 1,
    // 0: no memory entries (MEM_MAX_ENTRIES = 0): b_mem is constant 0, so the
    // entry image mux after the slot RAM is not built (one level less on
    // every stage-B path from the RAM)
    parameter MEM_BUILT       = 1
) (
    input  wire                       clk,
    input  wire                       rst,

    // trigger port (accepted when trig_go)
    input  wire                       trig_go,
    input  wire                       ready_iss,      // s_irq_ready's copy (flop)
    input  wire                       s_irq_valid,
    input  wire [IRQ_INDEX_WIDTH-1:0] s_irq_index,
    input  wire                       s_irq_pasid_valid,
    input  wire [19:0]                s_irq_pasid,
    input  wire                       s_irq_mem,
    input  wire [LINE_WIDTH-1:0]      s_irq_line,
    input  wire                       s_irq_kill,      // section 7: the trigger in stage R is taken back (ims_mem_front's miss: no outcome, credit returned)

    // the op skid buffer's head (flops; issues when head_go)
    input  wire                       head_go,
    input  wire [2:0]                 head_kind,
    input  wire [SLOT_WIDTH-1:0]      head_slot,
    input  wire [WORD_WIDTH-1:0]      head_word,
    input  wire [1:0]                 head_dword,
    input  wire [31:0]                head_wdata,
    input  wire [3:0]                 head_wstrb,
    input  wire                       head_mem,
    input  wire                       head_int,
    input  wire [LINE_WIDTH-1:0]      head_line,

    input  wire                       ctrl_enable,
    input  wire                       ctrl_func_mask,

    // RAM read addresses
    output wire [SLOT_WIDTH-1:0]      iss_slot,
    output wire [WORD_WIDTH-1:0]      iss_word,
    output wire [LINE_WIDTH-1:0]      mem_rd_line,

    // the slot store's read (see ims_slot_store) and the memory entry image
    input  wire [29:0]                ss_addr_lo,
    input  wire [31:0]                ss_addr_hi,
    input  wire [31:0]                ss_data,
    input  wire                       ss_mask,
    input  wire                       ss_pasid_en,
    input  wire [19:0]                ss_pasid,
    input  wire                       ss_raw_mask,
    input  wire                       ss_raw_pasid_en,
    input  wire [19:0]                ss_raw_pasid,
    input  wire                       ss_byp_sel,
    input  wire                       r_byp_mask,
    input  wire                       r_byp_pasid_en,
    input  wire [19:0]                r_byp_pasid,
    input  wire [115:0]               mem_rd_entry,

    // stage B: op fields and the entry
    output wire                       r_trig,
    output wire                       b_trig,
    output wire                       b_valid,
    output wire [2:0]                 b_kind,
    output wire [SLOT_WIDTH-1:0]      b_slot,
    output wire [WORD_WIDTH-1:0]      b_word,
    output wire [1:0]                 b_dword,
    output wire [31:0]                b_wdata,
    output wire [3:0]                 b_wstrb,
    output wire                       b_mem,
    output wire                       b_int,
    output wire                       b_slot_ctrl,    // a slot CTRL write (requests a scan)
    output wire [29:0]                s_addr_lo,
    output wire [31:0]                s_addr_hi,
    output wire [31:0]                s_data,
    output wire                       s_mask,
    output wire                       s_pasid_en,
    output wire [19:0]                s_pasid,

    // stage C
    output reg                        c_trig_reg,
    output reg                        c_cand_reg,
    output reg                        c_pend_we_reg,  // trigger, candidate check or slot write: writes its word back
    output reg                        c_ctrl_reg,     // slot CTRL write
    output reg                        c_clear_reg,    // ... writing 1 to PENDING
    output reg                        c_mask_val_reg, // MASK after the op (slot CTRL write)
    output reg  [SLOT_WIDTH-1:0]      c_slot_reg,
    output reg  [WORD_WIDTH-1:0]      c_word_reg,
    output reg  [31:0]                c_onehot_reg,
    output reg                        c_fire_gate_reg, // candidate check: eligible if still pending
    input  wire                       wfwd_bit,
    input  wire                       w_new_pend,
    input  wire                       st_slot_bit,
    output wire                       t_pend,
    output wire                       t_msg,
    output wire                       c_fire,
    output wire                       c_msg,
    output wire [3:0]                 c_msg_parts,    // {ok_pre, lo, hi, replay}: c_msg = pre || (lo && hi) || replay

    output reg  [63:0]                msg_addr,
    output reg  [31:0]                msg_data,
    output reg                        ev_pended,
    output reg                        ev_drop_range,
    output reg                        ev_drop_pasid,
    output reg                        ev_drop_disabled,
    output reg                        trig_nomsg_reg,  // trigger resolved without a direct message
    output reg                        cand_nomsg_reg   // candidate check that did not replay
);

initial begin
    if (SS_WIDTH < 1 || SS_WIDTH > SLOT_WIDTH || WORD_WIDTH < 1 || IRQ_INDEX_WIDTH < 1 || LINE_WIDTH < 1) begin
        $error("Error: ims_rule_eval needs 1 <= SS_WIDTH <= SLOT_WIDTH, WORD_WIDTH, IRQ_INDEX_WIDTH, LINE_WIDTH >= 1 (instance %m)");
        $finish;
    end
end

// trigger index widened so the range check works for any IRQ_INDEX_WIDTH
localparam INDEX_EXT_WIDTH = (IRQ_INDEX_WIDTH > SLOT_WIDTH) ? IRQ_INDEX_WIDTH + 1 : SLOT_WIDTH + 1;

// --------------------------------------------------------------------------
// issue
// --------------------------------------------------------------------------

/* verilator lint_off UNUSEDSIGNAL */
wire [INDEX_EXT_WIDTH-1:0] trig_index_ext = {{(INDEX_EXT_WIDTH-IRQ_INDEX_WIDTH){1'b0}}, s_irq_index};
/* verilator lint_on UNUSEDSIGNAL */
wire [SLOT_WIDTH-1:0] trig_slot = trig_index_ext[SLOT_WIDTH-1:0];
wire trig_range_err = |trig_index_ext[INDEX_EXT_WIDTH-1:SS_WIDTH] && !s_irq_mem;

// slot number -> pending word and bit
/* verilator lint_off UNUSEDSIGNAL */
wire [SLOT_WIDTH+4:0] trig_slot_ext = {5'd0, trig_slot};
/* verilator lint_on UNUSEDSIGNAL */
wire [WORD_WIDTH-1:0] trig_word = trig_slot_ext[WORD_WIDTH+4:5];

wire                  iss_valid = trig_go || head_go;
wire [2:0]            iss_kind  = trig_go ? `IMS_OP_TRIG : head_kind;
wire                  iss_mem   = (MEM_BUILT != 0) && (trig_go ? s_irq_mem : head_mem);
wire                  iss_int   = !trig_go && head_int;
assign mem_rd_line = trig_go ? s_irq_line : head_line;

// the RAM read address, from a copy of s_irq_ready_reg of its own (fan-out)
ims_issue_mux #(
    .WIDTH(SLOT_WIDTH + WORD_WIDTH)
) issue_mux_inst (
    .valid(s_irq_valid),
    .ready(ready_iss),
    .trig({trig_slot, trig_word}),
    .held({head_slot, head_word}),
    .out({iss_slot, iss_word})
);

/* verilator lint_off UNUSEDSIGNAL */
wire [SLOT_WIDTH+4:0] iss_slot_ext = {5'd0, iss_slot};
/* verilator lint_on UNUSEDSIGNAL */
wire [4:0]            iss_bit  = iss_slot_ext[4:0];

// --------------------------------------------------------------------------
// stage R and stage B registers (op fields travel beside the RAM read)
// --------------------------------------------------------------------------

reg                  r_valid_reg;
reg [2:0]            r_kind_reg;
reg [SLOT_WIDTH-1:0] r_slot_reg;
reg [WORD_WIDTH-1:0] r_word_reg;
reg [4:0]            r_bit_reg;
reg                  r_range_err_reg;
reg                  r_pasid_valid_reg;
reg [19:0]           r_pasid_reg;
reg [1:0]            r_dword_reg;
reg [31:0]           r_wdata_reg;
reg [3:0]            r_wstrb_reg;
reg                  r_mem_reg;
reg                  r_int_reg;

reg                  b_valid_reg;
reg [2:0]            b_kind_reg;
reg [SLOT_WIDTH-1:0] b_slot_reg;
reg [WORD_WIDTH-1:0] b_word_reg;
reg [4:0]            b_bit_reg;
reg                  b_range_err_reg;
reg [19:0]           b_pasid_reg;
reg [1:0]            b_dword_reg;
reg [31:0]           b_wdata_reg;
reg [3:0]            b_wstrb_reg;
reg                  b_mem_reg;
reg                  b_int_reg;

always @(posedge clk) begin
    r_valid_reg       <= iss_valid;
    r_kind_reg        <= iss_kind;
    r_slot_reg        <= iss_slot;
    r_word_reg        <= iss_word;
    r_bit_reg         <= iss_bit;
    r_range_err_reg   <= trig_range_err;
    r_pasid_valid_reg <= s_irq_pasid_valid;
    r_pasid_reg       <= s_irq_pasid;
    r_dword_reg       <= head_dword;
    r_wdata_reg       <= head_wdata;
    r_wstrb_reg       <= head_wstrb;
    r_mem_reg         <= iss_mem;
    r_int_reg         <= iss_int;

    b_valid_reg       <= r_valid_reg && !s_irq_kill;
    b_kind_reg        <= r_kind_reg;
    b_slot_reg        <= r_slot_reg;
    b_word_reg        <= r_word_reg;
    b_bit_reg         <= r_bit_reg;
    b_range_err_reg   <= r_range_err_reg;
    b_pasid_reg       <= r_pasid_reg;
    b_dword_reg       <= r_dword_reg;
    b_wdata_reg       <= r_wdata_reg;
    b_wstrb_reg       <= r_wstrb_reg;
    b_mem_reg         <= r_mem_reg;
    b_int_reg         <= r_int_reg;

    if (rst) begin
        r_valid_reg <= 1'b0;
        b_valid_reg <= 1'b0;
    end
end

assign r_trig  = r_valid_reg && r_kind_reg == `IMS_OP_TRIG;
assign b_valid = b_valid_reg;
assign b_kind  = b_kind_reg;
assign b_slot  = b_slot_reg;
assign b_word  = b_word_reg;
assign b_dword = b_dword_reg;
assign b_wdata = b_wdata_reg;
assign b_wstrb = b_wstrb_reg;
// constant 0 without section 7 (not left to a flop whose power-up value
// synthesis cannot know)
wire   b_mem_op = (MEM_BUILT != 0) && b_mem_reg;
assign b_mem   = b_mem_op;
assign b_int   = b_int_reg;

// --------------------------------------------------------------------------
// the entry: slot store, or a memory entry's fetched image
// --------------------------------------------------------------------------

// A memory entry's fields come from its fetched image instead of the slot RAM
// (same read latency); the slot store's bypass never applies to it.
wire [29:0] m_addr_lo  = mem_rd_entry[`IMS_ENTRY_ADDR_LO];
wire [31:0] m_addr_hi  = mem_rd_entry[`IMS_ENTRY_ADDR_HI];
wire [31:0] m_data     = mem_rd_entry[`IMS_ENTRY_DATA];
wire        m_mask     = mem_rd_entry[`IMS_ENTRY_MASK];
wire        m_pasid_en = mem_rd_entry[`IMS_ENTRY_PASID_EN];
wire [19:0] m_pasid    = mem_rd_entry[`IMS_ENTRY_PASID];
// the slot entry before the store's bypass mux (decision path, see stage B)
wire        s_raw_mask;
wire        s_raw_pasid_en;
wire [19:0] s_raw_pasid;
wire        b_byp_sel;
assign s_addr_lo      = b_mem_op ? m_addr_lo  : ss_addr_lo;
assign s_addr_hi      = b_mem_op ? m_addr_hi  : ss_addr_hi;
assign s_data         = b_mem_op ? m_data     : ss_data;
assign s_mask         = b_mem_op ? m_mask     : ss_mask;
assign s_pasid_en     = b_mem_op ? m_pasid_en : ss_pasid_en;
assign s_pasid        = b_mem_op ? m_pasid    : ss_pasid;
assign s_raw_mask     = b_mem_op ? m_mask     : ss_raw_mask;
assign s_raw_pasid_en = b_mem_op ? m_pasid_en : ss_raw_pasid_en;
assign s_raw_pasid    = b_mem_op ? m_pasid    : ss_raw_pasid;
assign b_byp_sel      = ss_byp_sel && !b_mem_op;

// --------------------------------------------------------------------------
// stage B: register the slot entry and the decision's first gate level
// --------------------------------------------------------------------------

// After the BRAM output register only one or two gate levels fit before a
// flop (the RAM's clock-to-out and its routing take most of the cycle), so
// stage B does not decide anything: it registers the entry, the PASID
// compare as seven 3-bit equalities, and every other term of the rules
// already combined with the op's flops.  Stage C decides from flops.

wire [31:0] b_bit_onehot = 32'd1 << b_bit_reg;

assign b_trig = b_valid_reg && b_kind_reg == `IMS_OP_TRIG;
wire   b_cand = b_valid_reg && b_kind_reg == `IMS_OP_CAND;
wire   b_wr   = b_valid_reg && b_kind_reg == `IMS_OP_SLOT_WR;

// The slot store may serve the entry from its bypass instead of the RAM; the
// bypass entry's own PASID test was made in stage R (from flops), so the
// bypass mux costs the compare no gate level.
// The 20-bit compare is registered as two halves (each a 10-bit compare
// and one more term: two levels of an ECP5 slice instead of three), ANDed
// in stage B: !en || (pv && lo && hi) == (!en || (pv && lo)) && (!en || hi).
reg  b_byp_pasid_ok_lo_reg;
reg  b_byp_pasid_ok_hi_reg;

always @(posedge clk) begin
    b_byp_pasid_ok_lo_reg <= !r_byp_pasid_en || (r_pasid_valid_reg && r_pasid_reg[9:0] == r_byp_pasid[9:0]);
    b_byp_pasid_ok_hi_reg <= !r_byp_pasid_en || r_pasid_reg[19:10] == r_byp_pasid[19:10];
end

wire b_byp_pasid_ok = b_byp_pasid_ok_lo_reg && b_byp_pasid_ok_hi_reg;

// The rule terms that do not depend on the slot entry are registered beside
// the RAM read, so that after the RAM only one gate level is left.  ENABLE
// and FUNC_MASK are sampled on the edge after the trigger was accepted (a
// CTRL write answered before the trigger was accepted has landed by then).
// The terms are combined with the op's own flags ahead, for each of the
// cases the RAM word can still decide (bp_*: the trigger passed rules 1 and
// 2, combined with FUNC_MASK, pasid_valid and the bypass entry's tests).
wire r_passed  = r_valid_reg && r_kind_reg == `IMS_OP_TRIG && !r_range_err_reg && ctrl_enable && !s_irq_kill;
wire r_trig_fm = ctrl_func_mask;   // FUNC_MASK as rule 4 sees it

reg b_enable_reg;
reg b_cand_ok_reg;    // a candidate check with ENABLE = 1 and FUNC_MASK = 0
reg bp_pass_reg;      // passed rules 1, 2
reg bp_msg_reg;       // ... and FUNC_MASK = 0
reg bp_fm_reg;        // ... and FUNC_MASK = 1
reg bp_msg_pv_reg;    // ... FUNC_MASK = 0, pasid_valid
reg bp_fm_pv_reg;     // ... FUNC_MASK = 1, pasid_valid
reg bp_pv_reg;        // ... pasid_valid
reg bp_nopv_reg;      // ... no pasid_valid
reg bp_byp_msg_reg;   // bypass entry: unmasked, FUNC_MASK = 0 (PASID test apart)
reg bp_byp_pend_reg;  // bypass entry: masked or FUNC_MASK = 1 (PASID test apart)
reg bp_cand_byp_reg;  // candidate check, bypass entry unmasked

always @(posedge clk) begin
    b_enable_reg    <= ctrl_enable;
    b_cand_ok_reg   <= r_valid_reg && r_kind_reg == `IMS_OP_CAND && ctrl_enable && !ctrl_func_mask;
    bp_pass_reg     <= r_passed;
    bp_msg_reg      <= r_passed && !r_trig_fm;
    bp_fm_reg       <= r_passed && r_trig_fm;
    bp_msg_pv_reg   <= r_passed && !r_trig_fm && r_pasid_valid_reg;
    bp_fm_pv_reg    <= r_passed && r_trig_fm && r_pasid_valid_reg;
    bp_pv_reg       <= r_passed && r_pasid_valid_reg;
    bp_nopv_reg     <= r_passed && !r_pasid_valid_reg;
    bp_byp_msg_reg  <= r_passed && !r_trig_fm && !r_byp_mask;
    bp_byp_pend_reg <= r_passed && (r_trig_fm || r_byp_mask);
    bp_cand_byp_reg <= r_valid_reg && r_kind_reg == `IMS_OP_CAND && ctrl_enable && !ctrl_func_mask && !r_byp_mask;
    // every decision term is reset (not only flushed by r_valid_reg): after a
    // 1-cycle reset, power-up values here would reach stage C one edge later
    // and emit a message, pend or count a drop with no trigger (found by formal)
    if (rst) begin
        b_cand_ok_reg   <= 1'b0;
        bp_pass_reg     <= 1'b0;
        bp_msg_reg      <= 1'b0;
        bp_fm_reg       <= 1'b0;
        bp_msg_pv_reg   <= 1'b0;
        bp_fm_pv_reg    <= 1'b0;
        bp_pv_reg       <= 1'b0;
        bp_nopv_reg     <= 1'b0;
        bp_byp_msg_reg  <= 1'b0;
        bp_byp_pend_reg <= 1'b0;
        bp_cand_byp_reg <= 1'b0;
    end
end

// 3-bit slices (the last 2-bit) of slot.PASID == trigger PASID: a 3-bit
// compare is one 6-input LUT (a slice's wide-LUT mux, no general routing
// inside), and seven flops let the decision after them be 4-input gates
reg  [6:0]  c_pasid_eq_reg;
reg         c_ok_pre_msg_reg;     // passes rule 3 without the compare, rule 5
reg         c_ok_cmp_msg_reg;     // passes rule 3 iff the PASIDs match, rule 5
reg         c_ok_pre_pend_reg;    // ... rule 4
reg         c_ok_cmp_pend_reg;
reg         c_drop_pre_reg;       // fails rule 3 unless the compare saves it
reg         c_drop_cmp_reg;       // fails rule 3 iff the PASIDs differ
reg         c_range_reg;
reg         c_disabled_reg;

integer k;
always @(posedge clk) begin
    for (k = 0; k < 6; k = k + 1) begin
        c_pasid_eq_reg[k] <= s_raw_pasid[3*k +: 3] == b_pasid_reg[3*k +: 3];
    end
    c_pasid_eq_reg[6] <= s_raw_pasid[19:18] == b_pasid_reg[19:18];
    // one gate after the RAM word (s_raw_pasid_en, s_raw_mask) each
    if (b_byp_sel) begin
        c_ok_pre_msg_reg  <= bp_byp_msg_reg && b_byp_pasid_ok;
        c_ok_cmp_msg_reg  <= 1'b0;
        c_ok_pre_pend_reg <= bp_byp_pend_reg && b_byp_pasid_ok;
        c_ok_cmp_pend_reg <= 1'b0;
        c_drop_pre_reg    <= bp_pass_reg && !b_byp_pasid_ok;
        c_drop_cmp_reg    <= 1'b0;
        c_fire_gate_reg   <= bp_cand_byp_reg;
    end else begin
        c_ok_pre_msg_reg  <= bp_msg_reg && !s_raw_pasid_en && !s_raw_mask;
        c_ok_cmp_msg_reg  <= bp_msg_pv_reg && s_raw_pasid_en && !s_raw_mask;
        c_ok_pre_pend_reg <= !s_raw_pasid_en && (bp_fm_reg || (bp_msg_reg && s_raw_mask));
        c_ok_cmp_pend_reg <= s_raw_pasid_en && (bp_fm_pv_reg || (bp_msg_pv_reg && s_raw_mask));
        c_drop_pre_reg    <= bp_nopv_reg && s_raw_pasid_en;
        c_drop_cmp_reg    <= bp_pv_reg && s_raw_pasid_en;
        c_fire_gate_reg   <= b_cand_ok_reg && !s_raw_mask;
    end
    c_range_reg       <= b_trig && b_range_err_reg;
    c_disabled_reg    <= b_trig && !b_range_err_reg && !b_enable_reg;
    // the decisions themselves (message, pend, drop events): reset like the
    // terms above, so no power-up value survives a 1-cycle reset
    if (rst) begin
        c_ok_pre_msg_reg  <= 1'b0;
        c_ok_cmp_msg_reg  <= 1'b0;
        c_ok_pre_pend_reg <= 1'b0;
        c_ok_cmp_pend_reg <= 1'b0;
        c_drop_pre_reg    <= 1'b0;
        c_drop_cmp_reg    <= 1'b0;
        c_fire_gate_reg   <= 1'b0;
        c_range_reg       <= 1'b0;
        c_disabled_reg    <= 1'b0;
    end
end

// MASK after the op, for the pending word's copy: the RAM's word is one gate
// from the flop (a kept 2:1 choice whose select and other input come from
// flops); the slot store's bypass entry is the early copy registered beside
// its own (byp2_entry_reg takes byp1's entry on every edge).
reg  b_byp_mask_reg;
always @(posedge clk) begin
    b_byp_mask_reg <= r_byp_mask;
end
wire c_mask_from_ram = !b_wstrb_reg[0] && !b_mem_op && !ss_byp_sel;
wire c_mask_other    = b_wstrb_reg[0] ? b_wdata_reg[`IMS_SLOT_CTRL_MASK]
                     : (b_mem_op ? m_mask : b_byp_mask_reg);
wire c_mask_val_next;
ims_late_mux #(
    .WIDTH(1)
) mask_val_mux_inst (
    .sel(c_mask_from_ram),
    .if_sel(ss_raw_mask),
    .if_not(c_mask_other),
    .out(c_mask_val_next)
);

`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst && b_valid_reg &&
        c_mask_val_next !== (b_wstrb_reg[0] ? b_wdata_reg[`IMS_SLOT_CTRL_MASK] : s_mask)) begin
        $fatal(1, "ims_rule_eval: c_mask_val_next differs from the written MASK / s_mask (%m)");
    end
end
`endif

// op fields into stage C
wire b_ctrl  = b_wr && b_dword_reg == `IMS_SLOT_DW_CTRL;
assign b_slot_ctrl = b_ctrl && !b_mem_op;   // a memory pending clear requests no slot scan

always @(posedge clk) begin
    c_trig_reg     <= b_trig;
    c_cand_reg     <= b_cand;
    c_pend_we_reg  <= b_trig || b_cand || b_wr;
    c_ctrl_reg     <= b_ctrl;
    c_clear_reg    <= b_ctrl && b_wstrb_reg[0] && b_wdata_reg[`IMS_SLOT_CTRL_PENDING];
    // MASK after a slot CTRL write (byte 0), for the pending word's copy
    // (b_wstrb_reg[0] ? written MASK : s_mask; see c_mask_val_next)
    c_mask_val_reg <= c_mask_val_next;
    c_slot_reg     <= b_slot_reg;
    c_word_reg     <= b_word_reg;
    c_onehot_reg   <= b_bit_onehot;
    if (rst) begin
        c_trig_reg    <= 1'b0;
        c_cand_reg    <= 1'b0;
        c_pend_we_reg <= 1'b0;
        c_ctrl_reg    <= 1'b0;
        c_clear_reg   <= 1'b0;
    end
end

// --------------------------------------------------------------------------
// stage C: decide (from flops)
// --------------------------------------------------------------------------

wire c_pasid_match = &c_pasid_eq_reg;

// contract section 4, rules in order (range and ENABLE were settled in B)
assign t_pend        = c_ok_pre_pend_reg || (c_ok_cmp_pend_reg && c_pasid_match);
wire   t_pasid_drop  = c_drop_pre_reg    || (c_drop_cmp_reg    && !c_pasid_match);

wire c_part_lo;
wire c_part_hi;
ims_msg_decide decide_inst (
    .ok_pre_msg(c_ok_pre_msg_reg),
    .ok_cmp_msg(c_ok_cmp_msg_reg),
    .pasid_eq(c_pasid_eq_reg),
    .fire_gate(c_fire_gate_reg),
    .wfwd_bit(wfwd_bit),
    .w_new_pend(w_new_pend),
    .st_slot_bit(st_slot_bit),
    .direct_msg(t_msg),
    .replay_msg(c_fire),
    .cand_msg(c_msg),
    .part_lo(c_part_lo),
    .part_hi(c_part_hi)
);
assign c_msg_parts = {c_ok_pre_msg_reg, c_part_lo, c_part_hi, c_fire};

// The message goes to the write master as a candidate from flops (stage C's
// op kind, address and data) plus the late decision, which the write master
// only lets commit a queue entry and raise AWVALID.
reg b_kill_reg, c_kill_reg;   // a taken-back trigger returns its credit like one that sent nothing

always @(posedge clk) begin
    msg_addr <= {s_addr_hi, s_addr_lo, 2'b00};
    msg_data <= s_data;

    ev_pended        <= t_pend;
    ev_drop_range    <= c_range_reg;
    ev_drop_pasid    <= t_pasid_drop;
    ev_drop_disabled <= c_disabled_reg;

    trig_nomsg_reg <= (c_trig_reg && !t_msg) || c_kill_reg;
    b_kill_reg     <= s_irq_kill;
    c_kill_reg     <= b_kill_reg;
    cand_nomsg_reg <= c_cand_reg && !c_fire;

    if (rst) begin
        ev_pended        <= 1'b0;
        ev_drop_range    <= 1'b0;
        ev_drop_pasid    <= 1'b0;
        ev_drop_disabled <= 1'b0;
        trig_nomsg_reg   <= 1'b0;
        b_kill_reg       <= 1'b0;
        c_kill_reg       <= 1'b0;
        cand_nomsg_reg   <= 1'b0;
    end
end

endmodule

`resetall
