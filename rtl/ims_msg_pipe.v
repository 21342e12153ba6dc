/*
 * Trigger lookup / decision pipeline.
 *
 * Every op that touches the slot RAM or the pending RAM goes through this
 * one pipeline, one op per clock:
 *
 *   issue (edge N)  : a trigger straight from the s_irq handshake, else the
 *                     head of a two-entry queue of register ops (slot read,
 *                     slot write RMW, PENDING read) and scanner ops (pending
 *                     word read, candidate check); its slot / pending word
 *                     address both RAMs.
 *   stage R (N..N+1): the RAMs read (BRAM register at N, output register at
 *                     N+1); the rule terms that do not depend on the slot
 *                     are combined with the op's flags.
 *   stage B (N+1..N+2): one gate after the RAM word: the PASID compare in
 *                     seven slices and the per-case rule flops; the pending
 *                     store registers the word / bit as of this op.
 *   stage C (N+2..N+3): decide (ims_msg_decide, two gates from flops): the
 *                     write master has the candidate {addr, data} from flops
 *                     and puts it on the bus at once when its queues are
 *                     empty; the pending bit / word as of this op; events.
 *   stage D (= C)   : register ops from flops: slot dword value, a slot
 *                     write's byte-lane merge, the AXI-Lite response.
 *   stage W (N+3..N+4): the pending write-back (in the RAM at N+4).
 *
 * A trigger accepted at edge N has m_axi_awvalid high once the stage-C
 * decision settles after edge N+2 (first sampled high at edge N+3).
 *
 * Sharing: triggers win the issue slot when s_irq_ready is high; when any
 * other op waits and a trigger took the slot, s_irq_ready drops for the next
 * cycle, so triggers and maintenance alternate and neither starves.
 * s_irq_ready also drops when the direct FIFO could overflow: a credit
 * counter covers every accepted trigger until it is resolved without a
 * message or its message has left on the AXI bus.
 *
 * After reset the block is BUSY for NUM_SLOTS cycles while it writes reset
 * values into every slot and clears every pending word (the RAMs have no
 * reset).  No op is issued while BUSY.
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
    parameter LINE_WIDTH         = 1     // memory-entry image line number width
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
    output reg                        mem_rsp_valid,

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
    output reg                        reg_rsp_valid,
    output reg  [31:0]                reg_rsp_rdata,

    // events for counters / status (one cycle pulses)
    output reg                        ev_pended,
    output reg                        ev_drop_range,
    output reg                        ev_drop_pasid,
    output reg                        ev_drop_disabled,

    // message candidate to the write master (stage C): *_cand from flops,
    // *_msg decided late in the cycle
    output wire                       direct_cand,
    output wire                       replay_cand,
    output wire                       direct_msg,
    output wire                       replay_msg,
    output wire                       cand_msg,     // direct_msg || replay_msg
    output reg  [63:0]                msg_addr,
    output reg  [31:0]                msg_data,
    input  wire                       direct_pop,
    input  wire                       replay_pop
);

localparam [2:0]
    OP_TRIG      = 3'd0,
    OP_SLOT_RD   = 3'd1,
    OP_SLOT_WR   = 3'd2,
    OP_PEND_RD   = 3'd3,
    OP_SCAN_WORD = 3'd4,
    OP_CAND      = 3'd5;

// trigger index widened so the range check works for any IRQ_INDEX_WIDTH
localparam INDEX_EXT_WIDTH = (IRQ_INDEX_WIDTH > SLOT_WIDTH) ? IRQ_INDEX_WIDTH + 1 : SLOT_WIDTH + 1;

// --------------------------------------------------------------------------
// post-reset initialisation (BUSY)
// --------------------------------------------------------------------------

reg                  busy_reg;
reg [SLOT_WIDTH-1:0] init_slot_reg;

assign busy = busy_reg;

wire [31:0] init_slot_ext = {{(32-SLOT_WIDTH){1'b0}}, init_slot_reg};
localparam NUM_BITS = 1 << SLOT_WIDTH;   // pending bits: slots, then memory entries
wire init_last = init_slot_ext == NUM_BITS - 1;

always @(posedge clk) begin
    if (busy_reg) begin
        init_slot_reg <= init_slot_reg + 1'b1;
        if (init_last) begin
            busy_reg <= 1'b0;
        end
    end
    if (rst) begin
        busy_reg      <= 1'b1;
        init_slot_reg <= 0;
    end
end

// --------------------------------------------------------------------------
// issue
// --------------------------------------------------------------------------

reg s_irq_ready_reg;
reg s_irq_ready_iss_reg;   // the same, for the RAM address choice only

assign s_irq_ready = s_irq_ready_reg && !rst;

wire scan_op_valid;
wire scan_op_is_cand;
wire [WORD_WIDTH-1:0] scan_op_word;
wire [SLOT_WIDTH-1:0] scan_op_slot;

// A trigger issues straight from the port (its slot is the RAM address at
// the accepting edge: the N+3 latency needs it).  Register and scanner ops
// are first taken into a two-entry op queue (mt = head, mt2 = second), so
// the issue choice is one gate level between the port and flops (the RAM
// address pins see nothing deeper), and taking an op depends on flops only
// (the queue is not full), not on whether a trigger arrives: the scanner's
// and the register block's handshakes stay off the s_irq_valid port.  The
// head issues on every cycle without a trigger.
// (rst need not gate trig_go here: every stage's valid bit is reset anyway.)
wire trig_go = s_irq_valid && s_irq_ready_reg;

// registered: the compare of the replay credit counter's next value, so the
// scanner's op_valid (and through it the issue choice) starts at a flop
reg  cand_credit_ok_reg;
wire cand_credit_ok = cand_credit_ok_reg;

reg                  mt_valid_reg;
reg [2:0]            mt_kind_reg;
reg [SLOT_WIDTH-1:0] mt_slot_reg;
reg [WORD_WIDTH-1:0] mt_word_reg;
reg [1:0]            mt_dword_reg;
reg [31:0]           mt_wdata_reg;
reg [3:0]            mt_wstrb_reg;
reg                  mt_mem_reg;
reg                  mt_int_reg;
reg [LINE_WIDTH-1:0] mt_line_reg;

reg                  mt2_valid_reg;
reg [2:0]            mt2_kind_reg;
reg [SLOT_WIDTH-1:0] mt2_slot_reg;
reg [WORD_WIDTH-1:0] mt2_word_reg;
reg [1:0]            mt2_dword_reg;
reg [31:0]           mt2_wdata_reg;
reg [3:0]            mt2_wstrb_reg;
reg                  mt2_mem_reg;
reg                  mt2_int_reg;
reg [LINE_WIDTH-1:0] mt2_line_reg;

wire mt_go   = mt_valid_reg && !busy_reg && !trig_go;
wire reg_go  = !mt2_valid_reg && reg_op_valid;
// a memory candidate check holds a replay credit like the scanner's
wire mem_op_ok = mem_op_valid && (mem_op_kind != 2'd0 || cand_credit_ok);
wire mem_go  = !mt2_valid_reg && !reg_op_valid && mem_op_ok;
wire scan_go = !mt2_valid_reg && !reg_op_valid && !mem_op_ok && scan_op_valid;
wire mt_take = reg_go || mem_go || scan_go;

assign mem_op_ready = mem_go;

assign reg_op_ready = reg_go;

/* verilator lint_off UNUSEDSIGNAL */
wire [INDEX_EXT_WIDTH-1:0] trig_index_ext = {{(INDEX_EXT_WIDTH-IRQ_INDEX_WIDTH){1'b0}}, s_irq_index};
/* verilator lint_on UNUSEDSIGNAL */
wire [SLOT_WIDTH-1:0] trig_slot = trig_index_ext[SLOT_WIDTH-1:0];
wire trig_range_err = |trig_index_ext[INDEX_EXT_WIDTH-1:SS_WIDTH] && !s_irq_mem;

// slot number -> pending word and bit
/* verilator lint_off UNUSEDSIGNAL */
wire [SLOT_WIDTH+4:0] trig_slot_ext = {5'd0, trig_slot};
wire [SLOT_WIDTH+4:0] reg_slot_ext  = {5'd0, reg_op_slot};
/* verilator lint_on UNUSEDSIGNAL */
wire [WORD_WIDTH-1:0] trig_word = trig_slot_ext[WORD_WIDTH+4:5];
wire [WORD_WIDTH-1:0] reg_word  = reg_op_kind == 2'd2 ? reg_op_word : reg_slot_ext[WORD_WIDTH+4:5];

// the op being taken, in pipeline form
reg [2:0]            in_kind;
reg [SLOT_WIDTH-1:0] in_slot;
reg [WORD_WIDTH-1:0] in_word;
reg [1:0]            in_dword;
reg [31:0]           in_wdata;
reg [3:0]            in_wstrb;
reg                  in_mem;
reg                  in_int;
/* verilator lint_off UNUSEDSIGNAL */
wire [SLOT_WIDTH+4:0] mem_slot_ext = {5'd0, mem_op_index};
/* verilator lint_on UNUSEDSIGNAL */
always @* begin
    in_dword = reg_op_dword;
    in_wdata = reg_op_wdata;
    in_wstrb = reg_op_wstrb;
    in_mem   = 1'b0;
    in_int   = 1'b0;
    if (!reg_op_valid && mem_op_ok) begin
        // a pending-bit clear is a slot CTRL write of MASK=1, PENDING=1 (byte 0 only):
        // the MASK copy stays 1 (memory entries are never scanner candidates) and
        // the slot RAM write is suppressed for a memory op
        case (mem_op_kind)
            2'd0:    in_kind = OP_CAND;
            2'd1:    in_kind = OP_SLOT_WR;
            default: in_kind = OP_PEND_RD;
        endcase
        in_slot  = mem_op_index;
        in_word  = mem_op_kind == 2'd2 ? mem_op_word : mem_slot_ext[WORD_WIDTH+4:5];
        in_dword = 2'd3;
        in_wdata = 32'd3;
        in_wstrb = 4'd1;
        in_mem   = mem_op_kind != 2'd2;
        in_int   = 1'b1;
    end else if (reg_op_valid) begin
        case (reg_op_kind)
            2'd0:    in_kind = OP_SLOT_RD;
            2'd1:    in_kind = OP_SLOT_WR;
            default: in_kind = OP_PEND_RD;
        endcase
        in_slot = reg_op_slot;
        in_word = reg_word;
    end else begin
        in_kind = scan_op_is_cand ? OP_CAND : OP_SCAN_WORD;
        in_slot = scan_op_slot;
        // the scanner's word is the candidate's word for a candidate check
        in_word = scan_op_word;
    end
end

always @(posedge clk) begin
    // head: refilled when empty or issuing, from the second entry first
    if (!mt_valid_reg || mt_go) begin
        mt_valid_reg <= mt2_valid_reg || mt_take;
        if (mt2_valid_reg) begin
            mt_kind_reg  <= mt2_kind_reg;
            mt_mem_reg   <= mt2_mem_reg;
            mt_int_reg   <= mt2_int_reg;
            mt_line_reg  <= mt2_line_reg;
            mt_slot_reg  <= mt2_slot_reg;
            mt_word_reg  <= mt2_word_reg;
            mt_dword_reg <= mt2_dword_reg;
            mt_wdata_reg <= mt2_wdata_reg;
            mt_wstrb_reg <= mt2_wstrb_reg;
        end else begin
            mt_kind_reg  <= in_kind;
            mt_slot_reg  <= in_slot;
            mt_word_reg  <= in_word;
            mt_dword_reg <= in_dword;
            mt_wdata_reg <= in_wdata;
            mt_wstrb_reg <= in_wstrb;
            mt_mem_reg   <= in_mem;
            mt_int_reg   <= in_int;
            mt_line_reg  <= mem_op_line;
        end
    end
    // second entry: takes the new op when the head stays occupied
    if (mt2_valid_reg) begin
        if (mt_go) begin
            mt2_valid_reg <= mt_take;
        end
    end else begin
        mt2_valid_reg <= mt_take && mt_valid_reg && !mt_go;
    end
    // (an empty second entry captures the op on offer whether or not it is
    // needed: its load enable is then a flop)
    if (!mt2_valid_reg) begin
        mt2_kind_reg  <= in_kind;
        mt2_slot_reg  <= in_slot;
        mt2_word_reg  <= in_word;
        mt2_dword_reg <= in_dword;
        mt2_wdata_reg <= in_wdata;
        mt2_wstrb_reg <= in_wstrb;
        mt2_mem_reg   <= in_mem;
        mt2_int_reg   <= in_int;
        mt2_line_reg  <= mem_op_line;
    end
    if (rst) begin
        mt_valid_reg  <= 1'b0;
        mt2_valid_reg <= 1'b0;
    end
end

wire                  iss_valid = trig_go || mt_go;
wire [2:0]            iss_kind  = trig_go ? OP_TRIG : mt_kind_reg;
wire                  iss_mem   = trig_go ? s_irq_mem : mt_mem_reg;
wire                  iss_int   = !trig_go && mt_int_reg;
assign mem_rd_line = trig_go ? s_irq_line : mt_line_reg;
wire [SLOT_WIDTH-1:0] iss_slot;
wire [WORD_WIDTH-1:0] iss_word;

// the RAM read address, from a copy of s_irq_ready_reg of its own (fan-out)
ims_issue_mux #(
    .WIDTH(SLOT_WIDTH + WORD_WIDTH)
) issue_mux_inst (
    .valid(s_irq_valid),
    .ready(s_irq_ready_iss_reg),
    .trig({trig_slot, trig_word}),
    .held({mt_slot_reg, mt_word_reg}),
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
    r_dword_reg       <= mt_dword_reg;
    r_wdata_reg       <= mt_wdata_reg;
    r_wstrb_reg       <= mt_wstrb_reg;
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

// --------------------------------------------------------------------------
// storage
// --------------------------------------------------------------------------

wire [29:0] s_addr_lo;
wire [31:0] s_addr_hi;
wire [31:0] s_data;
wire        s_mask;
wire        s_pasid_en;
wire [19:0] s_pasid;
// the slot entry before the store's bypass mux (decision path, see stage B)
wire        s_raw_mask;
wire        s_raw_pasid_en;
wire [19:0] s_raw_pasid;
wire        b_byp_sel;
wire        r_byp_mask;
wire        r_byp_pasid_en;
wire [19:0] r_byp_pasid;
reg                  slot_we;
reg [29:0]           slot_wr_addr_lo;
reg [31:0]           slot_wr_addr_hi;
reg [31:0]           slot_wr_data;
reg                  slot_wr_mask;
reg                  slot_wr_pasid_en;
reg [19:0]           slot_wr_pasid;

// stage W: the pending write-back, registered on edge N+3 from stage C and
// written into the RAM on edge N+4.  It holds the word stage C saw and the
// one slot it changes (pending bit: new value; MASK copy: only on a slot
// CTRL write).  Declared ahead of stage C, which forwards from it.
reg                  w_we_reg;
reg [WORD_WIDTH-1:0] w_word_reg;
reg [SLOT_WIDTH-1:0] w_slot_reg;
reg [31:0]           w_bits_reg;
reg [31:0]           w_mask_bits_reg;
reg [31:0]           w_onehot_reg;
reg                  w_new_pend_reg;
reg                  w_mask_we_reg;
reg                  w_mask_val_reg;

ims_slot_store #(
    .NUM_SLOTS(NUM_SLOTS),
    .SLOT_WIDTH(SS_WIDTH)
) slot_store_inst (
    .clk(clk),
    .wr_en(busy_reg || slot_we),
    .wr_slot(busy_reg ? init_slot_reg[SS_WIDTH-1:0] : d_slot_reg[SS_WIDTH-1:0]),
    .wr_addr_lo(busy_reg ? 30'd0 : slot_wr_addr_lo),
    .wr_addr_hi(busy_reg ? 32'd0 : slot_wr_addr_hi),
    .wr_data(busy_reg ? 32'd0 : slot_wr_data),
    .wr_mask(busy_reg ? 1'b1 : slot_wr_mask),
    .wr_pasid_en(busy_reg ? 1'b0 : slot_wr_pasid_en),
    .wr_pasid(busy_reg ? 20'd0 : slot_wr_pasid),
    .rd_slot(iss_slot[SS_WIDTH-1:0]),
    .rd_addr_lo(ss_s_addr_lo),
    .rd_addr_hi(ss_s_addr_hi),
    .rd_data(ss_s_data),
    .rd_mask(ss_s_mask),
    .rd_pasid_en(ss_s_pasid_en),
    .rd_pasid(ss_s_pasid),
    .raw_mask(ss_s_raw_mask),
    .raw_pasid_en(ss_s_raw_pasid_en),
    .raw_pasid(ss_s_raw_pasid),
    .byp_sel(ss_b_byp_sel),
    .byp_early_mask(r_byp_mask),
    .byp_early_pasid_en(r_byp_pasid_en),
    .byp_early_pasid(r_byp_pasid)
);

// A memory entry's fields come from its fetched image instead of the slot RAM
// (same read latency); the slot store's bypass never applies to it.
wire [29:0] ss_s_addr_lo;
wire [31:0] ss_s_addr_hi;
wire [31:0] ss_s_data;
wire        ss_s_mask;
wire        ss_s_pasid_en;
wire [19:0] ss_s_pasid;
wire        ss_s_raw_mask;
wire        ss_s_raw_pasid_en;
wire [19:0] ss_s_raw_pasid;
wire        ss_b_byp_sel;
wire [29:0] m_addr_lo  = mem_rd_entry[29:0];
wire [31:0] m_addr_hi  = mem_rd_entry[61:30];
wire [31:0] m_data     = mem_rd_entry[93:62];
wire        m_mask     = mem_rd_entry[94];
wire        m_pasid_en = mem_rd_entry[95];
wire [19:0] m_pasid    = mem_rd_entry[115:96];
assign s_addr_lo      = b_mem_reg ? m_addr_lo  : ss_s_addr_lo;
assign s_addr_hi      = b_mem_reg ? m_addr_hi  : ss_s_addr_hi;
assign s_data         = b_mem_reg ? m_data     : ss_s_data;
assign s_mask         = b_mem_reg ? m_mask     : ss_s_mask;
assign s_pasid_en     = b_mem_reg ? m_pasid_en : ss_s_pasid_en;
assign s_pasid        = b_mem_reg ? m_pasid    : ss_s_pasid;
assign s_raw_mask     = b_mem_reg ? m_mask     : ss_s_raw_mask;
assign s_raw_pasid_en = b_mem_reg ? m_pasid_en : ss_s_raw_pasid_en;
assign s_raw_pasid    = b_mem_reg ? m_pasid    : ss_s_raw_pasid;
assign b_byp_sel      = ss_b_byp_sel && !b_mem_reg;

// --------------------------------------------------------------------------
// stage B: register the slot entry and the decision's first gate level
// --------------------------------------------------------------------------

// After the BRAM output register only one or two gate levels fit before a
// flop (the RAM's clock-to-out and its routing take most of the cycle), so
// stage B does not decide anything: it registers the entry, the PASID
// compare as seven 3-bit equalities, and every other term of the rules
// already combined with the op's flops.  Stage C decides from flops.

wire [31:0] b_bit_onehot = 32'd1 << b_bit_reg;

wire b_trig = b_valid_reg && b_kind_reg == OP_TRIG;
wire b_cand = b_valid_reg && b_kind_reg == OP_CAND;
wire b_wr   = b_valid_reg && b_kind_reg == OP_SLOT_WR;

// The slot store may serve the entry from its bypass instead of the RAM; the
// bypass entry's own PASID test was made in stage R (from flops), so the
// bypass mux costs the compare no gate level.
wire r_byp_pasid_ok = !r_byp_pasid_en || (r_pasid_valid_reg && r_pasid_reg == r_byp_pasid);
reg  b_byp_pasid_ok_reg;

always @(posedge clk) begin
    b_byp_pasid_ok_reg <= r_byp_pasid_ok;
end

// The rule terms that do not depend on the slot entry are registered beside
// the RAM read, so that after the RAM only one gate level is left.  ENABLE
// and FUNC_MASK are sampled on the edge after the trigger was accepted (a
// CTRL write answered before the trigger was accepted has landed by then).
// The terms are combined with the op's own flags ahead, for each of the
// cases the RAM word can still decide (bp_*: the trigger passed rules 1 and
// 2, combined with FUNC_MASK, pasid_valid and the bypass entry's tests).
wire r_passed  = r_valid_reg && r_kind_reg == OP_TRIG && !r_range_err_reg && ctrl_enable && !s_irq_kill;
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
    b_cand_ok_reg   <= r_valid_reg && r_kind_reg == OP_CAND && ctrl_enable && !ctrl_func_mask;
    bp_pass_reg     <= r_passed;
    bp_msg_reg      <= r_passed && !r_trig_fm;
    bp_fm_reg       <= r_passed && r_trig_fm;
    bp_msg_pv_reg   <= r_passed && !r_trig_fm && r_pasid_valid_reg;
    bp_fm_pv_reg    <= r_passed && r_trig_fm && r_pasid_valid_reg;
    bp_pv_reg       <= r_passed && r_pasid_valid_reg;
    bp_nopv_reg     <= r_passed && !r_pasid_valid_reg;
    bp_byp_msg_reg  <= r_passed && !r_trig_fm && !r_byp_mask;
    bp_byp_pend_reg <= r_passed && (r_trig_fm || r_byp_mask);
    bp_cand_byp_reg <= r_valid_reg && r_kind_reg == OP_CAND && ctrl_enable && !ctrl_func_mask && !r_byp_mask;
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
reg         c_fire_gate_reg;      // candidate check: eligible if still pending

integer k;
always @(posedge clk) begin
    for (k = 0; k < 6; k = k + 1) begin
        c_pasid_eq_reg[k] <= s_raw_pasid[3*k +: 3] == b_pasid_reg[3*k +: 3];
    end
    c_pasid_eq_reg[6] <= s_raw_pasid[19:18] == b_pasid_reg[19:18];
    // one gate after the RAM word (s_raw_pasid_en, s_raw_mask) each
    if (b_byp_sel) begin
        c_ok_pre_msg_reg  <= bp_byp_msg_reg && b_byp_pasid_ok_reg;
        c_ok_cmp_msg_reg  <= 1'b0;
        c_ok_pre_pend_reg <= bp_byp_pend_reg && b_byp_pasid_ok_reg;
        c_ok_cmp_pend_reg <= 1'b0;
        c_drop_pre_reg    <= bp_pass_reg && !b_byp_pasid_ok_reg;
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

// op fields into stage C
reg                  c_trig_reg;
reg                  c_cand_reg;
reg                  c_pend_we_reg;    // trigger, candidate check or slot write: writes its word back
reg                  c_ctrl_reg;       // slot CTRL write
reg                  c_clear_reg;      // ... writing 1 to PENDING
reg                  c_mask_val_reg;   // MASK after the op (slot CTRL write)
reg [SLOT_WIDTH-1:0] c_slot_reg;
reg [WORD_WIDTH-1:0] c_word_reg;
reg [31:0]           c_onehot_reg;

wire b_ctrl  = b_wr && b_dword_reg == 2'd3;
wire b_slot_ctrl = b_ctrl && !b_mem_reg;   // a memory pending clear requests no slot scan

always @(posedge clk) begin
    c_trig_reg     <= b_trig;
    c_cand_reg     <= b_cand;
    c_pend_we_reg  <= b_trig || b_cand || b_wr;
    c_ctrl_reg     <= b_ctrl;
    c_clear_reg    <= b_ctrl && b_wstrb_reg[0] && b_wdata_reg[1];
    // MASK after a slot CTRL write (byte 0 bit 0), for the pending word's copy
    c_mask_val_reg <= b_wstrb_reg[0] ? b_wdata_reg[0] : s_mask;
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
// stage C: decide (from flops), pending word as of this op
// --------------------------------------------------------------------------

wire c_pasid_match = &c_pasid_eq_reg;

// contract section 4, rules in order (range and ENABLE were settled in B)
wire t_msg;          // from ims_msg_decide below
wire t_pend       = c_ok_pre_pend_reg || (c_ok_cmp_pend_reg && c_pasid_match);
wire t_pasid_drop = c_drop_pre_reg    || (c_drop_cmp_reg    && !c_pasid_match);

// The pending word / bit this op sees: the store's value (every write-back
// that landed after the read, forwarded) with the one bit changed by the op
// just ahead, now in stage W.
reg         c_wfwd_word_reg;       // the op in W writes our word back (its bit: w_onehot)
reg         c_wfwd_mask_reg;       // ... and changes its MASK copy bit (slot CTRL write)
reg         c_wfwd_bit_reg;        // the op in W is for our slot
wire [31:0] st_bits;
wire [31:0] st_mask_bits;
// the replay scanner's read port into the pending store's scan copy
localparam SCAN_LINE_WIDTH = (WORD_WIDTH > 1) ? WORD_WIDTH - 1 : 1;
wire [SCAN_LINE_WIDTH-1:0] scan_line;
wire [63:0]                scan_bits;
wire        st_slot_bit;

wire [31:0] c_wfwd_sel      = c_wfwd_word_reg ? w_onehot_reg : 32'd0;
wire [31:0] c_wfwd_mask_sel = c_wfwd_mask_reg ? w_onehot_reg : 32'd0;
wire [31:0] pend_bits      = (c_wfwd_sel & {32{w_new_pend_reg}}) | (~c_wfwd_sel & st_bits);
wire [31:0] pend_mask_bits = (c_wfwd_mask_sel & {32{w_mask_val_reg}}) | (~c_wfwd_mask_sel & st_mask_bits);
wire        pend_bit       = c_wfwd_bit_reg ? w_new_pend_reg : st_slot_bit;

// replay candidate: still pending and now eligible
wire c_fire;
wire c_msg;

ims_msg_decide decide_inst (
    .ok_pre_msg(c_ok_pre_msg_reg),
    .ok_cmp_msg(c_ok_cmp_msg_reg),
    .pasid_eq(c_pasid_eq_reg),
    .fire_gate(c_fire_gate_reg),
    .wfwd_bit(c_wfwd_bit_reg),
    .w_new_pend(w_new_pend_reg),
    .st_slot_bit(st_slot_bit),
    .direct_msg(t_msg),
    .replay_msg(c_fire),
    .cand_msg(c_msg)
);

wire [31:0] w_wr_bits      = (w_bits_reg & ~w_onehot_reg) | (w_new_pend_reg ? w_onehot_reg : 32'd0);
wire [31:0] w_wr_mask_bits = !w_mask_we_reg ? w_mask_bits_reg :
                             (w_mask_bits_reg & ~w_onehot_reg) | (w_mask_val_reg ? w_onehot_reg : 32'd0);

// Every op that may change a pending bit (trigger, candidate check, slot
// write) writes its word back, changed or not: the write enable and the
// forwarding selects then depend on registers only.  A slot CTRL write also
// updates the slot's copy of MASK in the word.
always @(posedge clk) begin
    w_we_reg        <= c_pend_we_reg;
    w_word_reg      <= c_word_reg;
    w_slot_reg      <= c_slot_reg;
    w_bits_reg      <= pend_bits;
    w_mask_bits_reg <= pend_mask_bits;
    w_onehot_reg    <= c_onehot_reg;
    // set by a rule-4 trigger, else kept unless replayed (c_fire =
    // c_fire_gate_reg && pend_bit) or cleared
    w_new_pend_reg  <= t_pend || (pend_bit && !c_fire_gate_reg && !c_clear_reg);
    w_mask_we_reg   <= c_ctrl_reg;
    w_mask_val_reg  <= c_mask_val_reg;
    // forwarding for the op entering stage C now (the op entering W is ahead of it)
    c_wfwd_word_reg     <= c_pend_we_reg && c_word_reg == b_word_reg;
    c_wfwd_mask_reg     <= c_ctrl_reg && c_word_reg == b_word_reg;
    c_wfwd_bit_reg      <= c_pend_we_reg && c_slot_reg == b_slot_reg;
    // BUSY: reset every pending bit and word (MASK copy set), one slot per
    // cycle; once the slot number passes the last word, word 0 is written
    // again, harmlessly.  No op is in the pipeline then.
    if (busy_reg) begin
        w_we_reg        <= 1'b1;
        w_word_reg      <= (init_slot_ext < PEND_WORDS) ? init_slot_reg[WORD_WIDTH-1:0] : {WORD_WIDTH{1'b0}};
        w_slot_reg      <= init_slot_reg;
        w_bits_reg      <= 32'd0;
        w_mask_bits_reg <= 32'hffffffff;
        w_new_pend_reg  <= 1'b0;
        w_mask_we_reg   <= 1'b0;
    end
    if (rst) begin
        w_we_reg            <= 1'b0;
        w_mask_we_reg       <= 1'b0;
        c_wfwd_word_reg     <= 1'b0;
        c_wfwd_mask_reg     <= 1'b0;
        c_wfwd_bit_reg      <= 1'b0;
    end
end

ims_pending_store #(
    .NUM_SLOTS(NUM_BITS),
    .SLOT_WIDTH(SLOT_WIDTH),
    .PEND_WORDS(PEND_WORDS),
    .WORD_WIDTH(WORD_WIDTH),
    .LINE_WIDTH(SCAN_LINE_WIDTH)
) pending_store_inst (
    .clk(clk),
    .wr_en(w_we_reg),
    .wr_word(w_word_reg),
    .wr_bits(w_wr_bits),
    .wr_mask_bits(w_wr_mask_bits),
    .wr_slot_en(w_we_reg),
    .wr_slot(w_slot_reg),
    .wr_slot_bit(w_new_pend_reg),
    .nx_en(c_pend_we_reg),
    .nx_word(c_word_reg),
    .nx_slot(c_slot_reg),
    .rd_word(iss_word),
    .rd_bits(st_bits),
    .rd_mask_bits(st_mask_bits),
    .rd_slot(iss_slot),
    .rd_slot_bit(st_slot_bit),
    .scan_line(scan_line),
    .scan_bits(scan_bits)
);

// Register ops finish in stage D (= stage C, from flops): the slot entry and
// op fields are registered at N+2, the slot dword value and a slot write's
// byte-lane merge are formed from those flops, the merged entry is written
// at N+3 and the response registered at N+3.  A slot write's BVALID still
// follows the write, and no register op is on the message path.
reg                  d_valid_reg;
reg                  d_int_reg;
reg                  d_mem_reg;
reg [2:0]            d_kind_reg;
/* verilator lint_off UNUSEDSIGNAL */
reg [SLOT_WIDTH-1:0] d_slot_reg;     // (the slot RAM takes its low SS_WIDTH bits)
/* verilator lint_on UNUSEDSIGNAL */
reg [1:0]            d_dword_reg;
reg [31:0]           d_wdata_reg;
reg [3:0]            d_wstrb_reg;
reg [29:0]           d_addr_lo_reg;
reg [31:0]           d_addr_hi_reg;
reg [31:0]           d_data_reg;
reg                  d_mask_reg;
reg                  d_pasid_en_reg;
reg [19:0]           d_pasid_reg;

always @(posedge clk) begin
    d_valid_reg     <= b_valid_reg && (b_kind_reg == OP_SLOT_RD || b_kind_reg == OP_SLOT_WR ||
                                       b_kind_reg == OP_PEND_RD || b_int_reg);
    d_int_reg       <= b_int_reg;
    d_mem_reg       <= b_mem_reg;
    d_kind_reg      <= b_kind_reg;
    d_slot_reg      <= b_slot_reg;
    d_dword_reg     <= b_dword_reg;
    d_wdata_reg     <= b_wdata_reg;
    d_wstrb_reg     <= b_wstrb_reg;
    d_addr_lo_reg   <= s_addr_lo;
    d_addr_hi_reg   <= s_addr_hi;
    d_data_reg      <= s_data;
    d_mask_reg      <= s_mask;
    d_pasid_en_reg  <= s_pasid_en;
    d_pasid_reg     <= s_pasid;
    if (rst) begin
        d_valid_reg <= 1'b0;
    end
end

// current slot dword as software sees it (the PENDING bit is not stored in
// the slot RAM: a slot write's merge below never uses it)
reg [31:0] d_dword_value;
always @* begin
    case (d_dword_reg)
        2'd0:    d_dword_value = {d_addr_lo_reg, 2'b00};
        2'd1:    d_dword_value = d_addr_hi_reg;
        2'd2:    d_dword_value = d_data_reg;
        default: d_dword_value = {d_pasid_reg, 8'd0, d_pasid_en_reg, 1'b0, pend_bit, d_mask_reg};
    endcase
end

// Byte-lane merge of a slot write: a bit of the entry takes the written
// value when its dword is the one addressed and its byte lane is strobed,
// else keeps the stored value (the stored value *is* the old dword, so no
// dword mux is needed on the write path).
wire [3:0] d_lane_dw0 = (d_dword_reg == 2'd0) ? d_wstrb_reg : 4'd0;
wire [3:0] d_lane_dw1 = (d_dword_reg == 2'd1) ? d_wstrb_reg : 4'd0;
wire [3:0] d_lane_dw2 = (d_dword_reg == 2'd2) ? d_wstrb_reg : 4'd0;
wire [3:0] d_lane_dw3 = (d_dword_reg == 2'd3) ? d_wstrb_reg : 4'd0;

function [31:0] lane_merge(input [3:0] lanes, input [31:0] wdata, input [31:0] old);
    integer l;
    begin
        for (l = 0; l < 4; l = l + 1) begin
            lane_merge[8*l +: 8] = lanes[l] ? wdata[8*l +: 8] : old[8*l +: 8];
        end
    end
endfunction

/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] d_addr_lo_merged = lane_merge(d_lane_dw0, d_wdata_reg, {d_addr_lo_reg, 2'b00});
wire [31:0] d_ctrl_merged    = lane_merge(d_lane_dw3, d_wdata_reg,
                                          {d_pasid_reg, 8'd0, d_pasid_en_reg, 2'b00, d_mask_reg});
/* verilator lint_on UNUSEDSIGNAL */

always @* begin
    slot_we          = d_valid_reg && d_kind_reg == OP_SLOT_WR && !d_mem_reg;
    slot_wr_addr_lo  = d_addr_lo_merged[31:2];
    slot_wr_addr_hi  = lane_merge(d_lane_dw1, d_wdata_reg, d_addr_hi_reg);
    slot_wr_data     = lane_merge(d_lane_dw2, d_wdata_reg, d_data_reg);
    slot_wr_mask     = d_ctrl_merged[0];
    slot_wr_pasid_en = d_ctrl_merged[3];
    slot_wr_pasid    = d_ctrl_merged[31:12];
end

// pending bit population, only to know whether a scan can find anything
localparam PEND_COUNT_WIDTH = SLOT_WIDTH + 1;

reg [PEND_COUNT_WIDTH-1:0] pend_count_reg;

// registered first: the decision feeds only flops, the counter adds a cycle later
reg pend_inc_reg;
reg pend_dec_reg;

always @(posedge clk) begin
    pend_inc_reg <= t_pend && !pend_bit;
    pend_dec_reg <= c_fire || (c_clear_reg && pend_bit);
    if (pend_inc_reg && !pend_dec_reg) begin
        pend_count_reg <= pend_count_reg + 1'b1;
    end else if (pend_dec_reg && !pend_inc_reg) begin
        pend_count_reg <= pend_count_reg - 1'b1;
    end
    if (rst) begin
        pend_inc_reg   <= 1'b0;
        pend_dec_reg   <= 1'b0;
        pend_count_reg <= 0;
    end
end

// --------------------------------------------------------------------------
// stage C outputs: message candidate, events, register responses
// --------------------------------------------------------------------------

// The message goes to the write master as a candidate from flops (stage C's
// op kind, address and data) plus the late decision, which the write master
// only lets commit a queue entry and raise AWVALID.
assign direct_cand = c_trig_reg;
assign replay_cand = c_cand_reg;
assign direct_msg  = t_msg;
assign replay_msg  = c_fire;
assign cand_msg    = c_msg;

reg trig_nomsg_reg;   // trigger resolved without a direct message
reg b_kill_reg, c_kill_reg;   // a taken-back trigger returns its credit like one
reg cand_nomsg_reg;   // candidate check that did not replay

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

    reg_rsp_valid <= d_valid_reg && !d_int_reg;
    mem_rsp_valid <= d_valid_reg && d_int_reg;
    reg_rsp_rdata <= (d_kind_reg == OP_PEND_RD) ? pend_bits : (d_kind_reg == OP_SLOT_RD ? d_dword_value : 32'd0);

    if (rst) begin
        ev_pended        <= 1'b0;
        ev_drop_range    <= 1'b0;
        ev_drop_pasid    <= 1'b0;
        ev_drop_disabled <= 1'b0;
        trig_nomsg_reg   <= 1'b0;
        b_kill_reg       <= 1'b0;
        c_kill_reg       <= 1'b0;
        cand_nomsg_reg   <= 1'b0;
        reg_rsp_valid    <= 1'b0;
        mem_rsp_valid    <= 1'b0;
    end
end

// --------------------------------------------------------------------------
// replay scanner
// --------------------------------------------------------------------------



// registered: the compare of the counter's next value, so the scanner's
// op_valid (and through it the issue choice) starts at a flop


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
    .pend_any((pend_count_reg != 0 || pend_inc_reg || c_trig_reg || b_trig ||
               (r_valid_reg && r_kind_reg == OP_TRIG))
              && ctrl_enable && !ctrl_func_mask),
    .cand_credit_ok(cand_credit_ok),
    .op_valid(scan_op_valid),
    .op_is_cand(scan_op_is_cand),
    .op_word(scan_op_word_ss),
    .op_slot(scan_op_slot_ss),
    .op_ready(scan_go),
    .scan_busy(scan_busy),
    .scan_line(scanner_line),
    .scan_bits(scan_bits)
);

// --------------------------------------------------------------------------
// credits and s_irq_ready
// --------------------------------------------------------------------------

wire cand_go = (scan_go && scan_op_is_cand) || (mem_go && mem_op_kind == 2'd0);

// queue pops return their credit one cycle late: this keeps the AXI ready
// inputs out of the s_irq_ready logic and only ever under-counts free space
reg direct_pop_reg;
reg replay_pop_reg;

always @(posedge clk) begin
    direct_pop_reg <= direct_pop && !rst;
    replay_pop_reg <= replay_pop && !rst;
end

wire direct_ok_if_trig;
wire direct_ok_no_trig;
wire replay_ok_if_cand;
wire replay_ok_no_cand;

// every accepted trigger holds a direct-queue credit until it is resolved
// without a message or its message has left on the AXI bus
ims_credit #(
    .DEPTH(DIRECT_FIFO_DEPTH)
) direct_credit_inst (
    .clk(clk),
    .rst(rst),
    .take(trig_go),
    .ret_a(trig_nomsg_reg),
    .ret_b(direct_pop_reg),
    .ok_if_take(direct_ok_if_trig),
    .ok_if_no_take(direct_ok_no_trig)
);

// every candidate check taken holds a replay-queue credit likewise
ims_credit #(
    .DEPTH(REPLAY_FIFO_DEPTH)
) replay_credit_inst (
    .clk(clk),
    .rst(rst),
    .take(cand_go),
    .ret_a(cand_nomsg_reg),
    .ret_b(replay_pop_reg),
    .ok_if_take(replay_ok_if_cand),
    .ok_if_no_take(replay_ok_no_cand)
);

// After a trigger, a held maintenance op gets the next cycle (triggers and
// maintenance alternate, neither starves).
// (rst is folded in here rather than as the flops' reset: the choice below
// then is the last gate before them)
wire ready_if_trig = !rst && !busy_reg && direct_ok_if_trig && !mt_valid_reg;
wire ready_no_trig = !rst && !busy_reg && direct_ok_no_trig;

// the accept term folded into the choice itself (one gate of the port)
wire s_irq_ready_next;
ims_issue_mux #(
    .WIDTH(1)
) ready_mux_inst (
    .valid(s_irq_valid),
    .ready(s_irq_ready_reg),
    .trig(ready_if_trig),
    .held(ready_no_trig),
    .out(s_irq_ready_next)
);

// s_irq_ready_reg and its copy are kept apart (synthesis would merge them)
(* keep *)
always @(posedge clk) begin
    s_irq_ready_reg <= s_irq_ready_next;
end

(* keep *)
always @(posedge clk) begin
    s_irq_ready_iss_reg <= s_irq_ready_next;
end

always @(posedge clk) begin
    cand_credit_ok_reg <= cand_go ? replay_ok_if_cand : replay_ok_no_cand;

    if (rst) begin
        cand_credit_ok_reg <= 1'b1;
    end
end

endmodule

`resetall
