/*
 * Trigger lookup / decision pipeline.
 *
 * Every op that touches the slot RAM or the pending RAM goes through this
 * one pipeline, one op per clock:
 *
 *   issue (edge N)  : choose one op: a trigger (s_irq handshake), a register
 *                     op from ims_regs (slot read, slot write RMW, PENDING
 *                     read) or a scanner op (pending word read, candidate
 *                     check); present its slot / pending word to both RAMs.
 *   stage R (N..N+1): the RAMs read (BRAM register at N, output register at
 *                     N+1; nothing but flops after the BRAM clock-to-out).
 *   stage B (N+1..N+2): decide the contract's rule for a trigger, check a
 *                     replay candidate.  On edge N+2 register the pending
 *                     write-back (stage W, in the RAM at N+3), the outcome
 *                     (stage C) and register ops' slot data (stage D).
 *   stage D (N+2..N+3): register ops from flops: slot dword value, a slot
 *                     write's byte-lane merge (slot RAM write at N+3), the
 *                     AXI-Lite response.
 *   stage C (N+2..) : message {addr, data} to the write master (which puts
 *                     it on the bus at once when its queue is empty),
 *                     counter / status events, register read data.
 *
 * A trigger accepted at edge N has m_axi_awvalid high right after edge N+2
 * (first sampled high at edge N+3).  The logic after the BRAM output
 * register is the 20-bit PASID compare and a few gates (the slot store's
 * bypass mux is folded into them); it is the design's critical path, as the
 * N+3 latency leaves it exactly one cycle.
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
    parameter REPLAY_FIFO_DEPTH  = 4
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

    // messages to the write master (stage C)
    output reg                        msg_valid,
    output reg                        msg_is_replay,
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
wire init_last = init_slot_ext == NUM_SLOTS - 1;
wire init_pend_we = busy_reg && (init_slot_ext < PEND_WORDS);

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

assign s_irq_ready = s_irq_ready_reg && !rst;

wire scan_op_valid;
wire scan_op_is_cand;
wire scan_op_tag;
wire [WORD_WIDTH-1:0] scan_op_word;
wire [SLOT_WIDTH-1:0] scan_op_slot;

wire trig_go = s_irq_valid && s_irq_ready;
wire reg_go  = !busy_reg && !trig_go && reg_op_valid;
wire scan_go = !busy_reg && !trig_go && !reg_op_valid && scan_op_valid;

assign reg_op_ready = reg_go;

/* verilator lint_off UNUSEDSIGNAL */
wire [INDEX_EXT_WIDTH-1:0] trig_index_ext = {{(INDEX_EXT_WIDTH-IRQ_INDEX_WIDTH){1'b0}}, s_irq_index};
/* verilator lint_on UNUSEDSIGNAL */
wire [SLOT_WIDTH-1:0] trig_slot = trig_index_ext[SLOT_WIDTH-1:0];
wire trig_range_err = |trig_index_ext[INDEX_EXT_WIDTH-1:SLOT_WIDTH];

reg  [2:0]            iss_kind;
reg  [SLOT_WIDTH-1:0] iss_slot;
reg  [WORD_WIDTH-1:0] iss_word;

// slot number -> pending word and bit
/* verilator lint_off UNUSEDSIGNAL */
wire [SLOT_WIDTH+4:0] trig_slot_ext = {5'd0, trig_slot};
wire [SLOT_WIDTH+4:0] reg_slot_ext  = {5'd0, reg_op_slot};
/* verilator lint_on UNUSEDSIGNAL */
// each source's pending word is formed before the issue choice (from flops or
// the trigger port), so the RAM address and forwarding compares see one mux
wire [WORD_WIDTH-1:0] trig_word = trig_slot_ext[WORD_WIDTH+4:5];
wire [WORD_WIDTH-1:0] reg_word  = reg_op_kind == 2'd2 ? reg_op_word : reg_slot_ext[WORD_WIDTH+4:5];

always @* begin
    iss_kind = OP_TRIG;
    iss_slot = trig_slot;
    iss_word = trig_word;
    if (!trig_go) begin
        if (reg_op_valid) begin
            iss_slot = reg_op_slot;
            iss_word = reg_word;
            case (reg_op_kind)
                2'd0:    iss_kind = OP_SLOT_RD;
                2'd1:    iss_kind = OP_SLOT_WR;
                default: iss_kind = OP_PEND_RD;
            endcase
        end else begin
            iss_kind = scan_op_is_cand ? OP_CAND : OP_SCAN_WORD;
            iss_slot = scan_op_slot;
            // the scanner's word is the candidate's word for a candidate check
            iss_word = scan_op_word;
        end
    end
end

// Forwarding compares of the read address against the RAM writes, made for
// each read source in parallel (the written slot / word comes from flops)
// and then chosen like the address: the stores take the result.
wire                  pend_wr_en_now   = init_pend_we || w_we_reg;
wire [WORD_WIDTH-1:0] pend_wr_word_now = busy_reg ? init_slot_reg[WORD_WIDTH-1:0] : w_word_reg;
wire                  bit_wr_en_now    = busy_reg || w_we_reg;
wire [SLOT_WIDTH-1:0] bit_wr_slot_now  = busy_reg ? init_slot_reg : w_slot_reg;
reg                   slot_wr_en_last_reg;     // the slot store's write of the previous edge
reg  [SLOT_WIDTH-1:0] slot_wr_slot_last_reg;

wire iss_word_hits_pend_wr = pend_wr_en_now &&
    (trig_go ? trig_word == pend_wr_word_now :
     reg_op_valid ? reg_word == pend_wr_word_now : scan_op_word == pend_wr_word_now);
wire iss_slot_hits_bit_wr = bit_wr_en_now &&
    (trig_go ? trig_slot == bit_wr_slot_now :
     reg_op_valid ? reg_op_slot == bit_wr_slot_now : scan_op_slot == bit_wr_slot_now);
wire iss_slot_hits_slot_wr = slot_wr_en_last_reg &&
    (trig_go ? trig_slot == slot_wr_slot_last_reg :
     reg_op_valid ? reg_op_slot == slot_wr_slot_last_reg : scan_op_slot == slot_wr_slot_last_reg);

/* verilator lint_off UNUSEDSIGNAL */
wire [SLOT_WIDTH+4:0] iss_slot_ext = {5'd0, iss_slot};
/* verilator lint_on UNUSEDSIGNAL */
wire [4:0]            iss_bit  = iss_slot_ext[4:0];

wire iss_valid = trig_go || reg_go || scan_go;

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
reg                  r_tag_reg;

reg                  b_valid_reg;
reg [2:0]            b_kind_reg;
reg [SLOT_WIDTH-1:0] b_slot_reg;
reg [WORD_WIDTH-1:0] b_word_reg;
reg [4:0]            b_bit_reg;
reg                  b_range_err_reg;
reg                  b_pasid_valid_reg;
reg [19:0]           b_pasid_reg;
reg [1:0]            b_dword_reg;
reg [31:0]           b_wdata_reg;
reg [3:0]            b_wstrb_reg;
reg                  b_tag_reg;

always @(posedge clk) begin
    r_valid_reg       <= iss_valid;
    r_kind_reg        <= iss_kind;
    r_slot_reg        <= iss_slot;
    r_word_reg        <= iss_word;
    r_bit_reg         <= iss_bit;
    r_range_err_reg   <= trig_range_err;
    r_pasid_valid_reg <= s_irq_pasid_valid;
    r_pasid_reg       <= s_irq_pasid;
    r_dword_reg       <= reg_op_dword;
    r_wdata_reg       <= reg_op_wdata;
    r_wstrb_reg       <= reg_op_wstrb;
    r_tag_reg         <= scan_op_tag;

    b_valid_reg       <= r_valid_reg;
    b_kind_reg        <= r_kind_reg;
    b_slot_reg        <= r_slot_reg;
    b_word_reg        <= r_word_reg;
    b_bit_reg         <= r_bit_reg;
    b_range_err_reg   <= r_range_err_reg;
    b_pasid_valid_reg <= r_pasid_valid_reg;
    b_pasid_reg       <= r_pasid_reg;
    b_dword_reg       <= r_dword_reg;
    b_wdata_reg       <= r_wdata_reg;
    b_wstrb_reg       <= r_wstrb_reg;
    b_tag_reg         <= r_tag_reg;

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
wire        r_byp_sel;
wire        r_byp_mask;
wire        r_byp_pasid_en;
wire [19:0] r_byp_pasid;
wire [31:0] pend_bits;          // the word as stage B sees it (all earlier ops applied)
wire [31:0] pend_mask_bits;
wire [31:0] pend_ram_bits;      // from ims_pending_store (ops up to two ahead applied)
wire [31:0] pend_ram_mask_bits;

reg                  slot_we;
reg [29:0]           slot_wr_addr_lo;
reg [31:0]           slot_wr_addr_hi;
reg [31:0]           slot_wr_data;
reg                  slot_wr_mask;
reg                  slot_wr_pasid_en;
reg [19:0]           slot_wr_pasid;

reg                  pend_we;

// stage W: the pending write-back is registered on edge N+2 and lands in the
// RAM on edge N+3, so the stage-B decision ends at flops instead of at the
// RAM's data pins.  W holds the word stage B saw and the one slot it changes
// (pending bit: new value; MASK copy: only on a slot CTRL write).
reg                  w_we_reg;
reg [WORD_WIDTH-1:0] w_word_reg;
reg [SLOT_WIDTH-1:0] w_slot_reg;
reg [31:0]           w_bits_reg;
reg [31:0]           w_mask_bits_reg;
reg [31:0]           w_onehot_reg;
// the new pending bit, kept as its two terms: set by a rule-4 trigger (the
// deep PASID/MASK decision ends at its own flop) or kept from before
reg                  w_pend_set_reg;
reg                  w_pend_keep_reg;
wire                 w_new_pend = w_pend_set_reg || w_pend_keep_reg;
reg                  w_mask_we_reg;
reg                  w_mask_val_reg;
// the op now in W changes this bit of the word / this slot the op in B reads
reg [31:0]           w_fwd_sel_reg;
reg [31:0]           w_fwd_mask_sel_reg;
reg                  w_fwd_bit_reg;

wire [31:0] w_wr_bits      = (w_bits_reg & ~w_onehot_reg) | (w_new_pend ? w_onehot_reg : 32'd0);
wire [31:0] w_wr_mask_bits = !w_mask_we_reg ? w_mask_bits_reg :
                             (w_mask_bits_reg & ~w_onehot_reg) | (w_mask_val_reg ? w_onehot_reg : 32'd0);

// The store forwards the write-backs landing on the read edge and the next
// one (ops issued up to two ahead); the op issued just ahead is still in W
// during stage B and differs from the stored word in its one bit only.
wire        pend_ram_slot_bit;
assign pend_bits      = (w_fwd_sel_reg & {32{w_new_pend}}) | (~w_fwd_sel_reg & pend_ram_bits);
assign pend_mask_bits = (w_fwd_mask_sel_reg & {32{w_mask_val_reg}}) |
                        (~w_fwd_mask_sel_reg & pend_ram_mask_bits);
wire        pend_slot_bit = w_fwd_bit_reg ? w_new_pend : pend_ram_slot_bit;

ims_slot_store #(
    .NUM_SLOTS(NUM_SLOTS),
    .SLOT_WIDTH(SLOT_WIDTH)
) slot_store_inst (
    .clk(clk),
    .wr_en(busy_reg || slot_we),
    .wr_slot(busy_reg ? init_slot_reg : d_slot_reg),
    .wr_addr_lo(busy_reg ? 30'd0 : slot_wr_addr_lo),
    .wr_addr_hi(busy_reg ? 32'd0 : slot_wr_addr_hi),
    .wr_data(busy_reg ? 32'd0 : slot_wr_data),
    .wr_mask(busy_reg ? 1'b1 : slot_wr_mask),
    .wr_pasid_en(busy_reg ? 1'b0 : slot_wr_pasid_en),
    .wr_pasid(busy_reg ? 20'd0 : slot_wr_pasid),
    .rd_slot(iss_slot),
    .rd_hits_last_wr(iss_slot_hits_slot_wr),
    .rd_addr_lo(s_addr_lo),
    .rd_addr_hi(s_addr_hi),
    .rd_data(s_data),
    .rd_mask(s_mask),
    .rd_pasid_en(s_pasid_en),
    .rd_pasid(s_pasid),
    .raw_mask(s_raw_mask),
    .raw_pasid_en(s_raw_pasid_en),
    .raw_pasid(s_raw_pasid),
    .byp_early_sel(r_byp_sel),
    .byp_early_mask(r_byp_mask),
    .byp_early_pasid_en(r_byp_pasid_en),
    .byp_early_pasid(r_byp_pasid)
);

ims_pending_store #(
    .NUM_SLOTS(NUM_SLOTS),
    .SLOT_WIDTH(SLOT_WIDTH),
    .PEND_WORDS(PEND_WORDS),
    .WORD_WIDTH(WORD_WIDTH)
) pending_store_inst (
    .clk(clk),
    .wr_en(init_pend_we || w_we_reg),
    .wr_word(busy_reg ? init_slot_reg[WORD_WIDTH-1:0] : w_word_reg),
    .wr_bits(busy_reg ? 32'd0 : w_wr_bits),
    .wr_mask_bits(busy_reg ? 32'hffffffff : w_wr_mask_bits),
    .wr_slot_en(busy_reg || w_we_reg),
    .wr_slot(busy_reg ? init_slot_reg : w_slot_reg),
    .wr_slot_bit(busy_reg ? 1'b0 : w_new_pend),
    .rd_word(iss_word),
    .rd_word_hits_wr(iss_word_hits_pend_wr),
    .rd_slot_hits_wr(iss_slot_hits_bit_wr),
    .rd_bits(pend_ram_bits),
    .rd_mask_bits(pend_ram_mask_bits),
    .rd_slot(iss_slot),
    .rd_slot_bit(pend_ram_slot_bit)
);

// --------------------------------------------------------------------------
// stage B: decide
// --------------------------------------------------------------------------

wire [31:0] b_bit_onehot = 32'd1 << b_bit_reg;
wire        b_pend_bit   = pend_slot_bit;

wire b_trig = b_valid_reg && b_kind_reg == OP_TRIG;
wire b_cand = b_valid_reg && b_kind_reg == OP_CAND;
wire b_wr   = b_valid_reg && b_kind_reg == OP_SLOT_WR;

// The decision reads MASK, PASID_EN and PASID straight from the RAM; when
// the slot store serves the entry from its bypass instead, the same test was
// already made on the bypass entry in stage R (from flops), so the bypass
// mux after the RAM costs the decision no logic level.
wire r_byp_pasid_ok = !r_byp_pasid_en || (r_pasid_valid_reg && r_pasid_reg == r_byp_pasid);
reg  b_byp_sel_reg;
reg  b_byp_mask_reg;
reg  b_byp_pasid_ok_reg;

always @(posedge clk) begin
    b_byp_sel_reg      <= r_byp_sel;
    b_byp_mask_reg     <= r_byp_mask;
    b_byp_pasid_ok_reg <= r_byp_pasid_ok;
end

wire ram_pasid_ok = !s_raw_pasid_en || (b_pasid_valid_reg && b_pasid_reg == s_raw_pasid);
wire dec_mask     = b_byp_sel_reg ? b_byp_mask_reg : s_raw_mask;

// contract section 4, rules in order
wire pasid_ok     = b_byp_sel_reg ? b_byp_pasid_ok_reg : ram_pasid_ok;
wire t_range      = b_trig && b_range_err_reg;
wire t_disabled   = b_trig && !b_range_err_reg && !ctrl_enable;
wire t_passed     = b_trig && !b_range_err_reg && ctrl_enable;
wire t_pasid_drop = t_passed && !pasid_ok;
wire t_pend       = t_passed && pasid_ok && (dec_mask || ctrl_func_mask);
wire t_msg        = t_passed && pasid_ok && !dec_mask && !ctrl_func_mask;

// replay candidate: still pending and now eligible
wire c_fire = b_cand && b_pend_bit && !dec_mask && ctrl_enable && !ctrl_func_mask;

// slot CTRL write: write 1 to bit 1 clears the pending bit
wire w_ctrl  = b_wr && b_dword_reg == 2'd3;
wire w_clear = w_ctrl && b_wstrb_reg[0] && b_wdata_reg[1];

// Register ops finish one stage later (stage D, from flops): the slot entry,
// pending bit and op fields are registered at N+2, the slot dword value and a
// slot write's byte-lane merge are formed from those flops, the merged entry
// is written at N+3 and the response registered at N+3.  A slot write's
// BVALID still follows the write, and no register op is on the message path.
reg                  d_valid_reg;
reg [2:0]            d_kind_reg;
reg [SLOT_WIDTH-1:0] d_slot_reg;
reg [1:0]            d_dword_reg;
reg [31:0]           d_wdata_reg;
reg [3:0]            d_wstrb_reg;
reg [29:0]           d_addr_lo_reg;
reg [31:0]           d_addr_hi_reg;
reg [31:0]           d_data_reg;
reg                  d_mask_reg;
reg                  d_pasid_en_reg;
reg [19:0]           d_pasid_reg;
reg                  d_pend_bit_reg;
reg [31:0]           d_pend_bits_reg;

always @(posedge clk) begin
    d_valid_reg     <= b_valid_reg && (b_kind_reg == OP_SLOT_RD || b_kind_reg == OP_SLOT_WR ||
                                       b_kind_reg == OP_PEND_RD);
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
    d_pend_bit_reg  <= b_pend_bit;
    d_pend_bits_reg <= pend_bits;
    if (rst) begin
        d_valid_reg <= 1'b0;
    end
end

// current slot dword as software sees it
reg [31:0] d_dword_value;
always @* begin
    case (d_dword_reg)
        2'd0:    d_dword_value = {d_addr_lo_reg, 2'b00};
        2'd1:    d_dword_value = d_addr_hi_reg;
        2'd2:    d_dword_value = d_data_reg;
        default: d_dword_value = {d_pasid_reg, 8'd0, d_pasid_en_reg, 1'b0, d_pend_bit_reg, d_mask_reg};
    endcase
end

// byte-lane merge of a slot write
wire [31:0] d_merged = {
    d_wstrb_reg[3] ? d_wdata_reg[31:24] : d_dword_value[31:24],
    d_wstrb_reg[2] ? d_wdata_reg[23:16] : d_dword_value[23:16],
    d_wstrb_reg[1] ? d_wdata_reg[15:8]  : d_dword_value[15:8],
    d_wstrb_reg[0] ? d_wdata_reg[7:0]   : d_dword_value[7:0]
};

always @(posedge clk) begin
    slot_wr_en_last_reg   <= busy_reg || slot_we;
    slot_wr_slot_last_reg <= busy_reg ? init_slot_reg : d_slot_reg;
end

always @* begin
    slot_we          = d_valid_reg && d_kind_reg == OP_SLOT_WR;
    slot_wr_addr_lo  = d_addr_lo_reg;
    slot_wr_addr_hi  = d_addr_hi_reg;
    slot_wr_data     = d_data_reg;
    slot_wr_mask     = d_mask_reg;
    slot_wr_pasid_en = d_pasid_en_reg;
    slot_wr_pasid    = d_pasid_reg;
    case (d_dword_reg)
        2'd0: slot_wr_addr_lo = d_merged[31:2];
        2'd1: slot_wr_addr_hi = d_merged;
        2'd2: slot_wr_data    = d_merged;
        default: begin
            slot_wr_mask     = d_merged[0];
            slot_wr_pasid_en = d_merged[3];
            slot_wr_pasid    = d_merged[31:12];
        end
    endcase
end

// Every op that may change a pending bit (trigger, candidate check, slot
// write) writes its word back, changed or not: the write enable and the
// forwarding selects then depend on registers only, and the decision logic
// reaches just the one bit it may change.  A slot CTRL write also updates
// the slot's copy of MASK in the word.

always @* begin
    pend_we = b_trig || b_cand || b_wr;
end

always @(posedge clk) begin
    w_we_reg           <= pend_we;
    w_word_reg         <= b_word_reg;
    w_slot_reg         <= b_slot_reg;
    w_bits_reg         <= pend_bits;
    w_mask_bits_reg    <= pend_mask_bits;
    w_onehot_reg       <= b_bit_onehot;
    w_pend_set_reg     <= t_pend;
    w_pend_keep_reg    <= b_pend_bit && !(c_fire || w_clear);
    w_mask_we_reg      <= w_ctrl;
    // MASK after a slot CTRL write (byte 0 bit 0), for the pending word's copy
    w_mask_val_reg     <= b_wstrb_reg[0] ? b_wdata_reg[0] : s_mask;
    w_fwd_sel_reg      <= (pend_we && b_word_reg == r_word_reg) ? b_bit_onehot : 32'd0;
    w_fwd_mask_sel_reg <= (w_ctrl && b_word_reg == r_word_reg) ? b_bit_onehot : 32'd0;
    w_fwd_bit_reg      <= pend_we && b_slot_reg == r_slot_reg;
    if (rst) begin
        w_we_reg           <= 1'b0;
        w_mask_we_reg      <= 1'b0;
        w_fwd_sel_reg      <= 32'd0;
        w_fwd_mask_sel_reg <= 32'd0;
        w_fwd_bit_reg      <= 1'b0;
    end
end

// pending bit population, only to know whether a scan can find anything
localparam PEND_COUNT_WIDTH = SLOT_WIDTH + 1;

reg [PEND_COUNT_WIDTH-1:0] pend_count_reg;

wire pend_inc = t_pend && !b_pend_bit;
wire pend_dec = c_fire || (w_clear && b_pend_bit);

// registered first: the decision feeds only flops, the counter adds a cycle later
reg pend_inc_reg;
reg pend_dec_reg;

always @(posedge clk) begin
    pend_inc_reg <= pend_inc;
    pend_dec_reg <= pend_dec;
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
// stage C registers
// --------------------------------------------------------------------------

reg trig_nomsg_reg;   // trigger resolved without a direct message
reg cand_nomsg_reg;   // candidate check that did not replay

always @(posedge clk) begin
    msg_valid     <= t_msg || c_fire;
    msg_is_replay <= c_fire;
    msg_addr      <= {s_addr_hi, s_addr_lo, 2'b00};
    msg_data      <= s_data;

    ev_pended        <= t_pend;
    ev_drop_range    <= t_range;
    ev_drop_pasid    <= t_pasid_drop;
    ev_drop_disabled <= t_disabled;

    trig_nomsg_reg <= b_trig && !t_msg;
    cand_nomsg_reg <= b_cand && !c_fire;

    reg_rsp_valid <= d_valid_reg;
    reg_rsp_rdata <= (d_kind_reg == OP_PEND_RD) ? d_pend_bits_reg : (d_kind_reg == OP_SLOT_RD ? d_dword_value : 32'd0);

    if (rst) begin
        msg_valid        <= 1'b0;
        ev_pended        <= 1'b0;
        ev_drop_range    <= 1'b0;
        ev_drop_pasid    <= 1'b0;
        ev_drop_disabled <= 1'b0;
        trig_nomsg_reg   <= 1'b0;
        cand_nomsg_reg   <= 1'b0;
        reg_rsp_valid    <= 1'b0;
    end
end

// --------------------------------------------------------------------------
// replay scanner
// --------------------------------------------------------------------------

localparam REPLAY_CREDIT_WIDTH = $clog2(REPLAY_FIFO_DEPTH + 1);
localparam DIRECT_CREDIT_WIDTH = $clog2(DIRECT_FIFO_DEPTH + 1);

reg [REPLAY_CREDIT_WIDTH-1:0] replay_inflight_reg;
reg [DIRECT_CREDIT_WIDTH-1:0] direct_inflight_reg;

// registered: the compare of the counter's next value, so the scanner's
// op_valid (and through it the issue choice) starts at a flop
reg  cand_credit_ok_reg;
wire cand_credit_ok = cand_credit_ok_reg;

ims_replay_scan #(
    .SLOT_WIDTH(SLOT_WIDTH),
    .WORD_WIDTH(WORD_WIDTH),
    .PEND_WORDS(PEND_WORDS)
) replay_scan_inst (
    .clk(clk),
    .rst(rst),
    .scan_req(ctrl_scan_req || w_ctrl),
    // nothing can be eligible while ENABLE = 0 or FUNC_MASK = 1; changing
    // either is a CTRL write, which requests a new scan.  A trigger in stage
    // R or B may still set a bit, and a set in W is not counted yet, so they
    // count as pending too (from flops only: a scan started for nothing just
    // finds no bit).
    .pend_any((pend_count_reg != 0 || pend_inc_reg || b_trig || (r_valid_reg && r_kind_reg == OP_TRIG))
              && ctrl_enable && !ctrl_func_mask),
    .cand_credit_ok(cand_credit_ok),
    .op_valid(scan_op_valid),
    .op_is_cand(scan_op_is_cand),
    .op_word(scan_op_word),
    .op_slot(scan_op_slot),
    .op_tag(scan_op_tag),
    .op_ready(scan_go),
    .scan_busy(scan_busy),
    .res_valid(b_valid_reg && b_kind_reg == OP_SCAN_WORD),
    .res_tag(b_tag_reg),
    .res_word(b_word_reg),
    .res_bits(pend_bits & ~pend_mask_bits)
);

// --------------------------------------------------------------------------
// credits and s_irq_ready
// --------------------------------------------------------------------------

wire cand_go = scan_go && scan_op_is_cand;

// queue pops return their credit one cycle late: this keeps the AXI ready
// inputs out of the s_irq_ready logic and only ever under-counts free space
reg direct_pop_reg;
reg replay_pop_reg;

always @(posedge clk) begin
    direct_pop_reg <= direct_pop && !rst;
    replay_pop_reg <= replay_pop && !rst;
end

wire [REPLAY_CREDIT_WIDTH-1:0] replay_inflight_next =
    replay_inflight_reg + {{(REPLAY_CREDIT_WIDTH-1){1'b0}}, cand_go}
                        - {{(REPLAY_CREDIT_WIDTH-1){1'b0}}, cand_nomsg_reg}
                        - {{(REPLAY_CREDIT_WIDTH-1){1'b0}}, replay_pop_reg};

wire [DIRECT_CREDIT_WIDTH-1:0] direct_inflight_next =
    direct_inflight_reg + {{(DIRECT_CREDIT_WIDTH-1){1'b0}}, trig_go}
                        - {{(DIRECT_CREDIT_WIDTH-1){1'b0}}, trig_nomsg_reg}
                        - {{(DIRECT_CREDIT_WIDTH-1){1'b0}}, direct_pop_reg};

// one more trigger may be accepted next cycle only if it still has a FIFO slot
wire direct_credit_ok = {{(32-DIRECT_CREDIT_WIDTH){1'b0}}, direct_inflight_next} < DIRECT_FIFO_DEPTH;

// a maintenance op waits and a trigger took this cycle: give it the next one
wire maint_turn = trig_go && (reg_op_valid || scan_op_valid);

always @(posedge clk) begin
    replay_inflight_reg <= replay_inflight_next;
    cand_credit_ok_reg  <= {{(32-REPLAY_CREDIT_WIDTH){1'b0}}, replay_inflight_next} < REPLAY_FIFO_DEPTH;
    direct_inflight_reg <= direct_inflight_next;
    s_irq_ready_reg     <= !busy_reg && direct_credit_ok && !maint_turn;

    if (rst) begin
        replay_inflight_reg <= 0;
        cand_credit_ok_reg  <= 1'b1;
        direct_inflight_reg <= 0;
        s_irq_ready_reg     <= 1'b0;
    end
end

endmodule

`resetall
