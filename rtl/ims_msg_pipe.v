/*
 * The trigger / register-op pipeline: wiring only.  Each job is a module of
 * its own (see rtl/README.md, "Module map", for the timing narrative):
 *
 *   ims_init_sweep    post-reset sweep (BUSY): one slot / pending word per cycle
 *   ims_trig_admit    s_irq_ready, trigger acceptance, direct / replay credits
 *   ims_op_skid       two-entry skid buffer of register, maintenance and
 *                     scanner ops waiting for the issue slot
 *   ims_rule_eval     issue (trigger or skid head -> RAM addresses), stages
 *                     R, B, C: the contract's §4 rules over precomputed flops,
 *                     the message candidate and the decision (ims_msg_decide)
 *   ims_pend_rmw      pending read-modify-write: stage W, forwarding, BUSY clear
 *   ims_slot_rmw      stage D: register ops, slot byte-lane merge, slot RAM
 *                     write port, responses
 *   ims_slot_store, ims_pending_store   the RAMs (slot entries; pending words
 *                     with MASK copies, per-slot bits and the scan copy)
 *   ims_replay_scan   the replay scanner
 *
 * Stage timing, for an op issued at edge N: issue N, R N..N+1 (RAM read),
 * B N+1..N+2, C (= D) N+2..N+3, W N+3..N+4 (pending RAM written at N+4).  A
 * trigger accepted at edge N has m_axi_awvalid high once the stage-C decision
 * settles after edge N+2 (first sampled high at edge N+3).
 *
 * Kept as a module (rather than wiring the jobs in ims_top) so that ims_top,
 * its §7 front end and the formal harness keep one pipeline instance with
 * one port list, and the RAM instance paths (msg_pipe_inst.slot_store_inst,
 * msg_pipe_inst.pending_store_inst) stay where the tools look for them.
 */

`default_nettype none

module ims_msg_pipe #(
    parameter NUM_SLOTS          = 2048,
    parameter IRQ_INDEX_WIDTH    = 16,
    parameter SLOT_WIDTH         = 11,
    parameter WORD_WIDTH         = 6,
    parameter PEND_WORDS         = 64,
    parameter DIRECT_FIFO_DEPTH  = 8,
    parameter REPLAY_FIFO_DEPTH  = 4,
    // section 7: SLOT_WIDTH / WORD_WIDTH / PEND_WORDS then span the slots and the
    // memory entries' pending bits; the slot RAM and the replay scanner keep the slots'
    parameter SS_WIDTH           = 11,   // slot RAM address width
    parameter SCAN_WORD_WIDTH    = 6,
    parameter SCAN_PEND_WORDS    = 64,
    parameter LINE_WIDTH         = 1,    // memory-entry image line number width
    // 0: built without section 7 (MEM_MAX_ENTRIES = 0): no op is a memory
    // entry's, so the entry image mux after the slot RAM is left out
    parameter MEM_BUILT          = 1
) (
    input  wire                       clk,
    input  wire                       rst,

    output wire                       busy,

    // trigger stream
    input  wire                       s_irq_valid,
    output wire                       s_irq_ready,
    input  wire [IRQ_INDEX_WIDTH-1:0] s_irq_index,
    input  wire                       s_irq_pasid_valid,
    input  wire [19:0]                s_irq_pasid,
    input  wire                       s_irq_mem,    // memory entry: its image is in line s_irq_line
    input  wire [LINE_WIDTH-1:0]      s_irq_line,
    input  wire                       s_irq_kill,   // section 7: the trigger in stage R is taken back (no outcome, credit returned)

    // memory-entry images (ims_mem_front's entry RAM, same read latency as the slot RAM)
    output wire [LINE_WIDTH-1:0]      mem_rd_line,
    input  wire [115:0]               mem_rd_entry,

    // maintenance ops from ims_mem_maint (0 candidate check of a memory entry with
    // its image in line mem_op_line, 1 pending-bit clear, 2 PENDING word read)
    input  wire                       mem_op_valid,
    output wire                       mem_op_ready,
    input  wire [1:0]                 mem_op_kind,
    input  wire [SLOT_WIDTH-1:0]      mem_op_index,
    input  wire [WORD_WIDTH-1:0]      mem_op_word,
    input  wire [LINE_WIDTH-1:0]      mem_op_line,
    output wire                       mem_rsp_valid,

    // global control
    input  wire                       ctrl_enable,
    input  wire                       ctrl_func_mask,
    input  wire                       ctrl_scan_req,
    output wire                       scan_busy,

    // register ops from ims_regs
    input  wire                       reg_op_valid,
    output wire                       reg_op_ready,
    input  wire [1:0]                 reg_op_kind,   // 0 slot read, 1 slot write, 2 PENDING read
    input  wire [SLOT_WIDTH-1:0]      reg_op_slot,
    input  wire [1:0]                 reg_op_dword,
    input  wire [WORD_WIDTH-1:0]      reg_op_word,
    input  wire [31:0]                reg_op_wdata,
    input  wire [3:0]                 reg_op_wstrb,
    output wire                       reg_rsp_valid,
    output wire [31:0]                reg_rsp_rdata,

    // events for counters / status (one cycle pulses)
    output wire                       ev_pended,
    output wire                       ev_drop_range,
    output wire                       ev_drop_pasid,
    output wire                       ev_drop_disabled,

    // message candidate to the write master (stage C): *_cand from flops,
    // *_msg decided late in the cycle
    output wire                       direct_cand,
    output wire                       replay_cand,
    output wire                       direct_msg,
    output wire                       replay_msg,
    output wire                       cand_msg,     // direct_msg || replay_msg
    output wire [3:0]                 cand_msg_parts, // {pre, lo, hi, replay}: cand_msg = pre || (lo && hi) || replay
    output wire [63:0]                msg_addr,
    output wire [31:0]                msg_data,
    input  wire                       direct_pop,
    input  wire                       replay_pop
);


initial begin
    if (SS_WIDTH > SLOT_WIDTH || SCAN_WORD_WIDTH > WORD_WIDTH || WORD_WIDTH > SLOT_WIDTH) begin
        $error("Error: ims_msg_pipe needs SS_WIDTH <= SLOT_WIDTH, SCAN_WORD_WIDTH <= WORD_WIDTH <= SLOT_WIDTH (instance %m)");
        $finish;
    end
end

localparam NUM_BITS = 1 << SLOT_WIDTH;   // pending bits: slots, then memory entries

// --------------------------------------------------------------------------
// post-reset sweep (BUSY)
// --------------------------------------------------------------------------

wire                  busy_int;
wire                  busy_adm;
wire [SLOT_WIDTH-1:0] init_slot;

assign busy = busy_int;

ims_init_sweep #(
    .SLOT_WIDTH(SLOT_WIDTH)
) init_sweep_inst (
    .clk(clk),
    .rst(rst),
    .busy(busy_int),
    .init_slot(init_slot),
    .busy_adm(busy_adm)
);

// --------------------------------------------------------------------------
// trigger admission and credits
// --------------------------------------------------------------------------

wire trig_go;
wire ready_iss;
wire head_valid;
wire cand_take;
wire trig_nomsg;
wire cand_nomsg;
wire cand_credit_ok;

ims_trig_admit #(
    .DIRECT_FIFO_DEPTH(DIRECT_FIFO_DEPTH),
    .REPLAY_FIFO_DEPTH(REPLAY_FIFO_DEPTH)
) trig_admit_inst (
    .clk(clk),
    .rst(rst),
    .busy(busy_adm),
    .s_irq_valid(s_irq_valid),
    .s_irq_ready(s_irq_ready),
    .trig_go(trig_go),
    .ready_iss(ready_iss),
    .head_valid(head_valid),
    .cand_take(cand_take),
    .trig_nomsg(trig_nomsg),
    .cand_nomsg(cand_nomsg),
    .direct_pop(direct_pop),
    .replay_pop(replay_pop),
    .cand_credit_ok(cand_credit_ok)
);

// --------------------------------------------------------------------------
// op skid buffer (register, maintenance and scanner ops)
// --------------------------------------------------------------------------

wire                  scan_op_valid;
wire                  scan_op_ready;
wire                  scan_op_is_cand;
wire [WORD_WIDTH-1:0] scan_op_word;
wire [SLOT_WIDTH-1:0] scan_op_slot;

wire                  head_go;
wire [2:0]            head_kind;
wire [SLOT_WIDTH-1:0] head_slot;
wire [WORD_WIDTH-1:0] head_word;
wire [1:0]            head_dword;
wire [31:0]           head_wdata;
wire [3:0]            head_wstrb;
wire                  head_mem;
wire                  head_int;
wire [LINE_WIDTH-1:0] head_line;

ims_op_skid #(
    .SLOT_WIDTH(SLOT_WIDTH),
    .WORD_WIDTH(WORD_WIDTH),
    .LINE_WIDTH(LINE_WIDTH)
) op_skid_inst (
    .clk(clk),
    .rst(rst),
    .busy(busy_int),
    .trig_go(trig_go),
    .cand_credit_ok(cand_credit_ok),
    .reg_op_valid(reg_op_valid),
    .reg_op_ready(reg_op_ready),
    .reg_op_kind(reg_op_kind),
    .reg_op_slot(reg_op_slot),
    .reg_op_dword(reg_op_dword),
    .reg_op_word(reg_op_word),
    .reg_op_wdata(reg_op_wdata),
    .reg_op_wstrb(reg_op_wstrb),
    .mem_op_valid(mem_op_valid),
    .mem_op_ready(mem_op_ready),
    .mem_op_kind(mem_op_kind),
    .mem_op_index(mem_op_index),
    .mem_op_word(mem_op_word),
    .mem_op_line(mem_op_line),
    .scan_op_valid(scan_op_valid),
    .scan_op_ready(scan_op_ready),
    .scan_op_is_cand(scan_op_is_cand),
    .scan_op_slot(scan_op_slot),
    .scan_op_word(scan_op_word),
    .cand_take(cand_take),
    .head_valid(head_valid),
    .head_go(head_go),
    .head_kind(head_kind),
    .head_slot(head_slot),
    .head_word(head_word),
    .head_dword(head_dword),
    .head_wdata(head_wdata),
    .head_wstrb(head_wstrb),
    .head_mem(head_mem),
    .head_int(head_int),
    .head_line(head_line)
);

// --------------------------------------------------------------------------
// issue and rule evaluation (stages issue, R, B, C)
// --------------------------------------------------------------------------

wire [SLOT_WIDTH-1:0] iss_slot;
wire [WORD_WIDTH-1:0] iss_word;

// the slot store's read
wire [29:0] ss_addr_lo;
wire [31:0] ss_addr_hi;
wire [31:0] ss_data;
wire        ss_mask;
wire        ss_pasid_en;
wire [19:0] ss_pasid;
wire        ss_raw_mask;
wire        ss_raw_pasid_en;
wire [19:0] ss_raw_pasid;
wire        ss_byp_sel;
wire        r_byp_mask;
wire        r_byp_pasid_en;
wire [19:0] r_byp_pasid;

// stage B
wire                  r_trig;
wire                  b_trig;
wire                  b_valid;
wire [2:0]            b_kind;
wire [SLOT_WIDTH-1:0] b_slot;
wire [WORD_WIDTH-1:0] b_word;
wire [1:0]            b_dword;
wire [31:0]           b_wdata;
wire [3:0]            b_wstrb;
wire                  b_mem;
wire                  b_int;
wire                  b_slot_ctrl;
wire [29:0]           s_addr_lo;
wire [31:0]           s_addr_hi;
wire [31:0]           s_data;
wire                  s_mask;
wire                  s_pasid_en;
wire [19:0]           s_pasid;

// stage C
wire                  c_trig;
wire                  c_cand;
wire                  c_pend_we;
wire                  c_ctrl;
wire                  c_clear;
wire                  c_mask_val;
wire [SLOT_WIDTH-1:0] c_slot;
wire [WORD_WIDTH-1:0] c_word;
wire [31:0]           c_onehot;
wire                  c_fire_gate;
wire                  t_pend;
wire                  t_msg;
wire                  c_fire;
wire                  c_msg;

// the pending bit as of stage C's op
wire                  wfwd_bit;
wire                  w_new_pend;
wire                  st_slot_bit;
wire [31:0]           st_bits;
wire [31:0]           st_mask_bits;
wire [31:0]           pend_bits;
wire                  pend_bit;

ims_rule_eval #(
    .IRQ_INDEX_WIDTH(IRQ_INDEX_WIDTH),
    .SLOT_WIDTH(SLOT_WIDTH),
    .WORD_WIDTH(WORD_WIDTH),
    .SS_WIDTH(SS_WIDTH),
    .LINE_WIDTH(LINE_WIDTH),
    .MEM_BUILT(MEM_BUILT)
) rule_eval_inst (
    .clk(clk),
    .rst(rst),
    .trig_go(trig_go),
    .ready_iss(ready_iss),
    .s_irq_valid(s_irq_valid),
    .s_irq_index(s_irq_index),
    .s_irq_pasid_valid(s_irq_pasid_valid),
    .s_irq_pasid(s_irq_pasid),
    .s_irq_mem(s_irq_mem),
    .s_irq_line(s_irq_line),
    .s_irq_kill(s_irq_kill),
    .head_go(head_go),
    .head_kind(head_kind),
    .head_slot(head_slot),
    .head_word(head_word),
    .head_dword(head_dword),
    .head_wdata(head_wdata),
    .head_wstrb(head_wstrb),
    .head_mem(head_mem),
    .head_int(head_int),
    .head_line(head_line),
    .ctrl_enable(ctrl_enable),
    .ctrl_func_mask(ctrl_func_mask),
    .iss_slot(iss_slot),
    .iss_word(iss_word),
    .mem_rd_line(mem_rd_line),
    .ss_addr_lo(ss_addr_lo),
    .ss_addr_hi(ss_addr_hi),
    .ss_data(ss_data),
    .ss_mask(ss_mask),
    .ss_pasid_en(ss_pasid_en),
    .ss_pasid(ss_pasid),
    .ss_raw_mask(ss_raw_mask),
    .ss_raw_pasid_en(ss_raw_pasid_en),
    .ss_raw_pasid(ss_raw_pasid),
    .ss_byp_sel(ss_byp_sel),
    .r_byp_mask(r_byp_mask),
    .r_byp_pasid_en(r_byp_pasid_en),
    .r_byp_pasid(r_byp_pasid),
    .mem_rd_entry(mem_rd_entry),
    .r_trig(r_trig),
    .b_trig(b_trig),
    .b_valid(b_valid),
    .b_kind(b_kind),
    .b_slot(b_slot),
    .b_word(b_word),
    .b_dword(b_dword),
    .b_wdata(b_wdata),
    .b_wstrb(b_wstrb),
    .b_mem(b_mem),
    .b_int(b_int),
    .b_slot_ctrl(b_slot_ctrl),
    .s_addr_lo(s_addr_lo),
    .s_addr_hi(s_addr_hi),
    .s_data(s_data),
    .s_mask(s_mask),
    .s_pasid_en(s_pasid_en),
    .s_pasid(s_pasid),
    .c_trig_reg(c_trig),
    .c_cand_reg(c_cand),
    .c_pend_we_reg(c_pend_we),
    .c_ctrl_reg(c_ctrl),
    .c_clear_reg(c_clear),
    .c_mask_val_reg(c_mask_val),
    .c_slot_reg(c_slot),
    .c_word_reg(c_word),
    .c_onehot_reg(c_onehot),
    .c_fire_gate_reg(c_fire_gate),
    .wfwd_bit(wfwd_bit),
    .w_new_pend(w_new_pend),
    .st_slot_bit(st_slot_bit),
    .t_pend(t_pend),
    .t_msg(t_msg),
    .c_fire(c_fire),
    .c_msg(c_msg),
    .c_msg_parts(cand_msg_parts),
    .msg_addr(msg_addr),
    .msg_data(msg_data),
    .ev_pended(ev_pended),
    .ev_drop_range(ev_drop_range),
    .ev_drop_pasid(ev_drop_pasid),
    .ev_drop_disabled(ev_drop_disabled),
    .trig_nomsg_reg(trig_nomsg),
    .cand_nomsg_reg(cand_nomsg)
);

// The message goes to the write master as a candidate from flops (stage C's
// op kind, address and data) plus the late decision, which the write master
// only lets commit a queue entry and raise AWVALID.
assign direct_cand = c_trig;
assign replay_cand = c_cand;
assign direct_msg  = t_msg;
assign replay_msg  = c_fire;
assign cand_msg    = c_msg;

// --------------------------------------------------------------------------
// slot read-modify-write and register ops (stage D), slot store
// --------------------------------------------------------------------------

wire                slot_wr_en;
wire [SS_WIDTH-1:0] slot_wr_slot;
wire [29:0]         slot_wr_addr_lo;
wire [31:0]         slot_wr_addr_hi;
wire [31:0]         slot_wr_data;
wire                slot_wr_mask;
wire                slot_wr_pasid_en;
wire [19:0]         slot_wr_pasid;

ims_slot_rmw #(
    .SLOT_WIDTH(SLOT_WIDTH),
    .SS_WIDTH(SS_WIDTH)
) slot_rmw_inst (
    .clk(clk),
    .rst(rst),
    .busy(busy_int),
    .init_slot(init_slot),
    .b_valid(b_valid),
    .b_kind(b_kind),
    .b_slot(b_slot),
    .b_dword(b_dword),
    .b_wdata(b_wdata),
    .b_wstrb(b_wstrb),
    .b_mem(b_mem),
    .b_int(b_int),
    .s_addr_lo(s_addr_lo),
    .s_addr_hi(s_addr_hi),
    .s_data(s_data),
    .s_mask(s_mask),
    .s_pasid_en(s_pasid_en),
    .s_pasid(s_pasid),
    .pend_bit(pend_bit),
    .pend_bits(pend_bits),
    .wr_en(slot_wr_en),
    .wr_slot(slot_wr_slot),
    .wr_addr_lo(slot_wr_addr_lo),
    .wr_addr_hi(slot_wr_addr_hi),
    .wr_data(slot_wr_data),
    .wr_mask(slot_wr_mask),
    .wr_pasid_en(slot_wr_pasid_en),
    .wr_pasid(slot_wr_pasid),
    .reg_rsp_valid(reg_rsp_valid),
    .reg_rsp_rdata(reg_rsp_rdata),
    .mem_rsp_valid(mem_rsp_valid)
);

ims_slot_store #(
    .NUM_SLOTS(NUM_SLOTS),
    .SLOT_WIDTH(SS_WIDTH)
) slot_store_inst (
    .clk(clk),
    .wr_en(slot_wr_en),
    .wr_slot(slot_wr_slot),
    .wr_addr_lo(slot_wr_addr_lo),
    .wr_addr_hi(slot_wr_addr_hi),
    .wr_data(slot_wr_data),
    .wr_mask(slot_wr_mask),
    .wr_pasid_en(slot_wr_pasid_en),
    .wr_pasid(slot_wr_pasid),
    .rd_slot(iss_slot[SS_WIDTH-1:0]),
    .rd_addr_lo(ss_addr_lo),
    .rd_addr_hi(ss_addr_hi),
    .rd_data(ss_data),
    .rd_mask(ss_mask),
    .rd_pasid_en(ss_pasid_en),
    .rd_pasid(ss_pasid),
    .raw_mask(ss_raw_mask),
    .raw_pasid_en(ss_raw_pasid_en),
    .raw_pasid(ss_raw_pasid),
    .byp_sel(ss_byp_sel),
    .byp_early_mask(r_byp_mask),
    .byp_early_pasid_en(r_byp_pasid_en),
    .byp_early_pasid(r_byp_pasid)
);

// --------------------------------------------------------------------------
// pending read-modify-write (stage W), pending store
// --------------------------------------------------------------------------

wire                  pend_wr_en;
wire [WORD_WIDTH-1:0] pend_wr_word;
wire [31:0]           pend_wr_bits;
wire [31:0]           pend_wr_mask_bits;
wire [SLOT_WIDTH-1:0] pend_wr_slot;
wire                  pend_wr_slot_bit;
wire                  pend_nx_en;
wire [WORD_WIDTH-1:0] pend_nx_word;
wire [SLOT_WIDTH-1:0] pend_nx_slot;
wire                  pend_count_any;

ims_pend_rmw #(
    .SLOT_WIDTH(SLOT_WIDTH),
    .WORD_WIDTH(WORD_WIDTH),
    .PEND_WORDS(PEND_WORDS)
) pend_rmw_inst (
    .clk(clk),
    .rst(rst),
    .busy(busy_int),
    .init_slot(init_slot),
    .b_slot(b_slot),
    .b_word(b_word),
    .c_pend_we(c_pend_we),
    .c_ctrl(c_ctrl),
    .c_clear(c_clear),
    .c_mask_val(c_mask_val),
    .c_fire_gate(c_fire_gate),
    .c_slot(c_slot),
    .c_word(c_word),
    .c_onehot(c_onehot),
    .t_pend(t_pend),
    .c_fire(c_fire),
    .st_bits(st_bits),
    .st_mask_bits(st_mask_bits),
    .st_slot_bit(st_slot_bit),
    .pend_bits(pend_bits),
    .pend_bit(pend_bit),
    .wfwd_bit(wfwd_bit),
    .w_new_pend(w_new_pend),
    .wr_en(pend_wr_en),
    .wr_word(pend_wr_word),
    .wr_bits(pend_wr_bits),
    .wr_mask_bits(pend_wr_mask_bits),
    .wr_slot(pend_wr_slot),
    .wr_slot_bit(pend_wr_slot_bit),
    .nx_en(pend_nx_en),
    .nx_word(pend_nx_word),
    .nx_slot(pend_nx_slot),
    .pend_count_any(pend_count_any)
);

// the replay scanner's read port into the pending store's scan copy
localparam SCAN_LINE_WIDTH = (WORD_WIDTH > 1) ? WORD_WIDTH - 1 : 1;
wire [SCAN_LINE_WIDTH-1:0] scan_line;
wire [63:0]                scan_bits;

ims_pending_store #(
    .NUM_SLOTS(NUM_BITS),
    .SLOT_WIDTH(SLOT_WIDTH),
    .PEND_WORDS(PEND_WORDS),
    .WORD_WIDTH(WORD_WIDTH),
    .LINE_WIDTH(SCAN_LINE_WIDTH)
) pending_store_inst (
    .clk(clk),
    .wr_en(pend_wr_en),
    .wr_word(pend_wr_word),
    .wr_bits(pend_wr_bits),
    .wr_mask_bits(pend_wr_mask_bits),
    .wr_slot_en(pend_wr_en),
    .wr_slot(pend_wr_slot),
    .wr_slot_bit(pend_wr_slot_bit),
    .nx_en(pend_nx_en),
    .nx_word(pend_nx_word),
    .nx_slot(pend_nx_slot),
    .rd_word(iss_word),
    .rd_bits(st_bits),
    .rd_mask_bits(st_mask_bits),
    .rd_slot(iss_slot),
    .rd_slot_bit(st_slot_bit),
    .scan_line(scan_line),
    .scan_bits(scan_bits)
);

// --------------------------------------------------------------------------
// replay scanner
// --------------------------------------------------------------------------

// the scanner covers the slots only: memory entries are re-examined by
// ims_mem_maint (section 7 rule 4), and their MASK copies stay 1
wire [SS_WIDTH-1:0]        scan_op_slot_ss;
wire [SCAN_WORD_WIDTH-1:0] scan_op_word_ss;
assign scan_op_slot = {{(SLOT_WIDTH-SS_WIDTH){1'b0}}, scan_op_slot_ss};
assign scan_op_word = {{(WORD_WIDTH-SCAN_WORD_WIDTH){1'b0}}, scan_op_word_ss};
// the scanner's line numbers are the pending store's (two words a line, slots first),
// only narrower: it never reads a line past the slots
localparam SCANNER_LINE_WIDTH = (SCAN_WORD_WIDTH > 1) ? SCAN_WORD_WIDTH - 1 : 1;
wire [SCANNER_LINE_WIDTH-1:0] scanner_line;
assign scan_line = {{(SCAN_LINE_WIDTH-SCANNER_LINE_WIDTH){1'b0}}, scanner_line};

ims_replay_scan #(
    .SLOT_WIDTH(SS_WIDTH),
    .WORD_WIDTH(SCAN_WORD_WIDTH),
    .PEND_WORDS(SCAN_PEND_WORDS),
    .LINE_WIDTH(SCANNER_LINE_WIDTH)
) replay_scan_inst (
    .clk(clk),
    .rst(rst),
    .scan_req(ctrl_scan_req || b_slot_ctrl),
    // nothing can be eligible while ENABLE = 0 or FUNC_MASK = 1; changing
    // either is a CTRL write, which requests a new scan.  A trigger in stage
    // R, B or C may still set a bit, and a set in W is not counted yet, so they
    // count as pending too (from flops only: a scan started for nothing just
    // finds no bit).
    .pend_any((pend_count_any || c_trig || b_trig || r_trig) && ctrl_enable && !ctrl_func_mask),
    .cand_credit_ok(cand_credit_ok),
    .op_valid(scan_op_valid),
    .op_is_cand(scan_op_is_cand),
    .op_word(scan_op_word_ss),
    .op_slot(scan_op_slot_ss),
    .op_ready(scan_op_ready),
    .scan_busy(scan_busy),
    .scan_line(scanner_line),
    .scan_bits(scan_bits)
);

endmodule

`resetall
