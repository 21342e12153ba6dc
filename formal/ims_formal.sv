/*
 * Formal harness around ims_top (SymbiYosys; run by formal/run_formal.py).
 *
 * Contract: shared spec "IMS block - hardware contract" sections 1-5 (the
 * section 7 memory entries are not in the RTL yet, so no property here covers
 * them).  Everything the harness knows about the block comes from its ports:
 * assumptions constrain inputs only, and the expected behaviour comes from a
 * shadow model of the contract fed by the same inputs.
 *
 * Build: NUM_SLOTS = 4 or 8, IRQ_INDEX_WIDTH = log2(NUM_SLOTS) + 1 (so
 * out-of-range indices exist), AXIL_ADDR_WIDTH = 14 (the minimum),
 * AXI_ID_WIDTH = 1.  PASIDs are the full 20 bits everywhere.
 *
 * PROPS selects the assertion groups (one bit per property, so each property
 * is its own proof and its own counterexample):
 *   0 ready_low_in_reset        every ready output is low while rst is high
 *   1 axi_stable_while_stalled  m_axi AW/W and s_axil B/R hold VALID and payload until READY
 *   2 rule3_pasid_isolation     a trigger refused by the PASID check never produces a message
 *   3 rule4_masked_and_replay   a masked / function-masked slot never emits; a pending bit
 *                               is replayed at most once after it becomes eligible, and is
 *                               replayed (bounded drain below)
 *   4 no_message_without_cause  every message matches an accepted trigger's send or an owed
 *                               replay, with that cause's address and data
 *   5 no_trigger_lost           counters (read over AXI-Lite) agree with the shadow's
 *                               outcomes; a quiet, unstalled bus drains every expected message
 *   6 direct_order              direct messages leave in trigger order with their own data
 *   7 write_visibility          a trigger accepted after a write's BVALID sees the write
 *
 * Environment (inputs only):
 *  - rst high in the first RST_CYCLES cycles (FREE_RST = 1: rst free afterwards
 *    too, used for ready_low_in_reset; otherwise low afterwards);
 *  - IMS_FORMAL_PRELOAD defined: the run starts from a free programmed table
 *    instead of BUSY ("PRELOAD start" below);
 *  - AXI4-Lite master rules: AWVALID/WVALID/ARVALID stay high with a stable
 *    payload until their READY; one write at a time (the block accepts one);
 *  - AXI4 slave rules on the message master: BVALID only for a write whose AW
 *    and W have both handshaken, held with BRESP until BREADY;
 *  - the trigger stream is free, except for the narrowings below.
 * Narrowings (documented in tests/testplan.md; each keeps the expected result
 * of every trigger exact, so the checks need no "either old or new" slack):
 *  N1 no trigger is offered while an AXI-Lite write is under way (AW or W
 *     valid or handshaken, BVALID not yet high), and no write starts within
 *     4 cycles after an accepted trigger (the trigger's rules are applied and
 *     its address/data captured by then);
 *  N2 a trigger is not offered to a slot whose address equals that of a slot
 *     owing a replay (the slot itself included), until the replay has left: a
 *     message is then a replay exactly when its address is an owed replay's,
 *     which separates replays from direct messages without looking inside;
 *  N3 ADDR_LO / ADDR_HI / DATA of a slot are rewritten only while it is masked
 *     and owes no replay (drivers mask before rewriting, as Linux does);
 *  N4 a write that makes a pending slot eligible is only made while no direct
 *     message is outstanding (with N2: "direct" and "replay" never share an address);
 *  N5 no trigger is offered while 8 direct messages are owed (the block's own credit
 *     limit; keeps the shadow queue at 8 entries).
 */

`default_nettype none

module ims_formal #(
    parameter NUM_SLOTS = 4,
    parameter PROPS     = 255,
    parameter FREE_RST  = 0,
    // cycles rst is held at the start: 1 is enough for the block (run_formal's one_cycle_reset
    // checks it); 3 by default, which the PRELOAD start needs (see there)
    parameter RST_CYCLES = 3,
    // 1: the narrowings N1-N4 below (the shadow-model properties need them); 0: none, for the
    // properties that hold for every input (ready_low_in_reset, axi_stable_while_stalled)
    parameter NARROW    = 1,
    // quiet cycles (no trigger, no write, AW/W ready) after which every expected message
    // has left: direct queue (8) and replay queue (4) alternating, plus pipeline and scan
    parameter QUIET     = 24
) (
    input  wire        clk,
    input  wire        rst,

    input  wire [13:0] s_axil_awaddr,
    input  wire [2:0]  s_axil_awprot,
    input  wire        s_axil_awvalid,
    input  wire [31:0] s_axil_wdata,
    input  wire [3:0]  s_axil_wstrb,
    input  wire        s_axil_wvalid,
    input  wire        s_axil_bready,
    input  wire [13:0] s_axil_araddr,
    input  wire [2:0]  s_axil_arprot,
    input  wire        s_axil_arvalid,
    input  wire        s_axil_rready,

    input  wire        s_irq_valid,
    input  wire [$clog2(NUM_SLOTS):0] s_irq_index,
    input  wire        s_irq_pasid_valid,
    input  wire [19:0] s_irq_pasid,

    input  wire        m_axi_awready,
    input  wire        m_axi_wready,
    input  wire [0:0]  m_axi_bid,
    input  wire [1:0]  m_axi_bresp,
    input  wire        m_axi_bvalid
);

localparam N  = NUM_SLOTS;
`ifdef IMS_FORMAL_PRELOAD
localparam PRELOAD = 1;
`else
localparam PRELOAD = 0;
`endif
localparam SW = $clog2(NUM_SLOTS);
localparam IW = SW + 1;

localparam P_READY   = 0, P_STABLE = 1, P_RULE3 = 2, P_RULE4 = 3, P_CAUSE = 4,
           P_LOST    = 5, P_ORDER  = 6, P_VIS   = 7;
localparam EN_READY  = (PROPS >> P_READY) & 1;
localparam EN_STABLE = (PROPS >> P_STABLE) & 1;
localparam EN_RULE3  = (PROPS >> P_RULE3) & 1;
localparam EN_RULE4  = (PROPS >> P_RULE4) & 1;
localparam EN_CAUSE  = (PROPS >> P_CAUSE) & 1;
localparam EN_LOST   = (PROPS >> P_LOST) & 1;
localparam EN_ORDER  = (PROPS >> P_ORDER) & 1;
localparam EN_VIS    = (PROPS >> P_VIS) & 1;

// ---------------------------------------------------------------------------
// the block
// ---------------------------------------------------------------------------
wire        s_axil_awready, s_axil_wready, s_axil_bvalid, s_axil_arready, s_axil_rvalid;
wire [1:0]  s_axil_bresp, s_axil_rresp;
wire [31:0] s_axil_rdata;
wire        s_irq_ready;
wire [0:0]  m_axi_awid;
wire [63:0] m_axi_awaddr;
wire [7:0]  m_axi_awlen;
wire [2:0]  m_axi_awsize;
wire [1:0]  m_axi_awburst;
wire        m_axi_awlock;
wire [3:0]  m_axi_awcache;
wire [2:0]  m_axi_awprot;
wire        m_axi_awvalid;
wire [31:0] m_axi_wdata;
wire [3:0]  m_axi_wstrb;
wire        m_axi_wlast;
wire        m_axi_wvalid;
wire        m_axi_bready;

ims_top #(
    .NUM_SLOTS(NUM_SLOTS),
    .IRQ_INDEX_WIDTH(IW),
    .AXIL_ADDR_WIDTH(14),
    .AXI_ID_WIDTH(1),
    // revision 1 (no section 7): explicit, not the RTL default (which follows the contract's)
    .MEM_MAX_ENTRIES(0)
) dut (
    .clk(clk), .rst(rst),
    .s_axil_awaddr(s_axil_awaddr), .s_axil_awprot(s_axil_awprot), .s_axil_awvalid(s_axil_awvalid),
    .s_axil_awready(s_axil_awready), .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb),
    .s_axil_wvalid(s_axil_wvalid), .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp),
    .s_axil_bvalid(s_axil_bvalid), .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr),
    .s_axil_arprot(s_axil_arprot), .s_axil_arvalid(s_axil_arvalid), .s_axil_arready(s_axil_arready),
    .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp), .s_axil_rvalid(s_axil_rvalid),
    .s_axil_rready(s_axil_rready),
    .s_irq_valid(s_irq_valid), .s_irq_ready(s_irq_ready), .s_irq_index(s_irq_index),
    .s_irq_pasid_valid(s_irq_pasid_valid), .s_irq_pasid(s_irq_pasid),
    .m_axi_awid(m_axi_awid), .m_axi_awaddr(m_axi_awaddr), .m_axi_awlen(m_axi_awlen),
    .m_axi_awsize(m_axi_awsize), .m_axi_awburst(m_axi_awburst), .m_axi_awlock(m_axi_awlock),
    .m_axi_awcache(m_axi_awcache), .m_axi_awprot(m_axi_awprot), .m_axi_awvalid(m_axi_awvalid),
    .m_axi_awready(m_axi_awready), .m_axi_wdata(m_axi_wdata), .m_axi_wstrb(m_axi_wstrb),
    .m_axi_wlast(m_axi_wlast), .m_axi_wvalid(m_axi_wvalid), .m_axi_wready(m_axi_wready),
    .m_axi_bid(m_axi_bid), .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid),
    .m_axi_bready(m_axi_bready)
);

// ---------------------------------------------------------------------------
// environment
// ---------------------------------------------------------------------------
reg [2:0] f_age = 3'd0;   // cycles since the start, saturating
always @(posedge clk) if (f_age != 3'd7) f_age <= f_age + 1'b1;
wire f_past_valid = f_age >= RST_CYCLES;

always @* begin
    if (!f_past_valid) assume(rst);
    if (!FREE_RST && f_past_valid) assume(!rst);
end

// "in reset or just out of it": handshake rules restart after a reset
wire f_run = f_past_valid && !rst;
reg  f_prev_run = 1'b0;
always @(posedge clk) f_prev_run <= f_run;

wire aw_hs  = s_axil_awvalid && s_axil_awready;
wire w_hs   = s_axil_wvalid && s_axil_wready;
wire b_hs   = s_axil_bvalid && s_axil_bready;
wire ar_hs  = s_axil_arvalid && s_axil_arready;
wire r_hs   = s_axil_rvalid && s_axil_rready;
wire trig   = s_irq_valid && s_irq_ready;
wire maw_hs = m_axi_awvalid && m_axi_awready;
wire mw_hs  = m_axi_wvalid && m_axi_wready;
wire mb_hs  = m_axi_bvalid && m_axi_bready;

// AXI4-Lite master: valid and payload held until ready
`include "ims_formal_axil.vh"

// the write under way (one at a time), applied to the shadow when BVALID first shows
reg        wr_open_reg = 1'b0;   // AW or W handshaken, BVALID not yet seen
reg        wr_aw_reg = 1'b0, wr_w_reg = 1'b0;
reg [13:0] wr_addr_reg;
reg [31:0] wr_data_reg;
reg [3:0]  wr_strb_reg;
wire       apply_now = wr_open_reg && s_axil_bvalid;

always @(posedge clk) begin
    if (aw_hs) begin wr_aw_reg <= 1'b1; wr_addr_reg <= s_axil_awaddr; end
    if (w_hs)  begin wr_w_reg  <= 1'b1; wr_data_reg <= s_axil_wdata; wr_strb_reg <= s_axil_wstrb; end
    if (aw_hs || w_hs) wr_open_reg <= 1'b1;
    if (apply_now) begin wr_open_reg <= 1'b0; wr_aw_reg <= 1'b0; wr_w_reg <= 1'b0; end
    if (rst) begin wr_open_reg <= 1'b0; wr_aw_reg <= 1'b0; wr_w_reg <= 1'b0; end
end

// N1: triggers and writes do not overlap
reg [3:0] trig_hist_reg = 4'd0;
always @(posedge clk) trig_hist_reg <= rst ? 4'd0 : {trig_hist_reg[2:0], trig};
always @* begin
    if (NARROW && f_run) begin
        assume(!(s_irq_valid && (s_axil_awvalid || s_axil_wvalid || (wr_open_reg && !apply_now))));
        assume(!((s_axil_awvalid || s_axil_wvalid) && trig_hist_reg != 0));
    end
end

// AXI4 slave side of the message master: B only for a write whose AW and W both went
reg [4:0] maw_cnt_reg = 0, mw_cnt_reg = 0, mb_cnt_reg = 0;
always @(posedge clk) begin
    maw_cnt_reg <= maw_cnt_reg + maw_hs;
    mw_cnt_reg  <= mw_cnt_reg + mw_hs;
    mb_cnt_reg  <= mb_cnt_reg + mb_hs;
    if (rst) begin maw_cnt_reg <= 0; mw_cnt_reg <= 0; mb_cnt_reg <= 0; end
end
wire [4:0] m_done = (maw_cnt_reg < mw_cnt_reg) ? maw_cnt_reg : mw_cnt_reg;
always @* if (f_run && m_axi_bvalid) assume(m_done != mb_cnt_reg);
always @(posedge clk) begin
    if (f_run && f_prev_run && $past(m_axi_bvalid && !m_axi_bready))
        assume(m_axi_bvalid && m_axi_bresp == $past(m_axi_bresp) && m_axi_bid == $past(m_axi_bid));
end

// ---------------------------------------------------------------------------
// shadow model of the contract (sections 2-4)
// ---------------------------------------------------------------------------
reg        sh_enable_reg, sh_fm_reg;
reg [63:0] sh_addr_reg  [0:N-1];
reg [31:0] sh_data_reg  [0:N-1];
reg        sh_mask_reg  [0:N-1];
reg        sh_pen_reg   [0:N-1];
reg [19:0] sh_pasid_reg [0:N-1];
reg        sh_pend_reg  [0:N-1];
reg [1:0]  owed_reg     [0:N-1];     // replays owed (pending bit met eligibility)
reg [63:0] owed_addr_reg [0:N-1];
reg [31:0] owed_data_reg [0:N-1];
reg [2:0]  last_out_reg [0:N-1];     // outcome of the slot's last trigger
reg        last_vis_reg [0:N-1];     // ... accepted within 2 cycles of a write's BVALID
reg [3:0]  exp_cnt_reg  [0:N-1];     // direct messages of the slot still expected

localparam [2:0] O_SEND = 3'd0, O_RANGE = 3'd1, O_DIS = 3'd2, O_PASID = 3'd3, O_PEND = 3'd4;

// the write being applied this cycle, decoded (AXIL_ADDR_WIDTH = 14: table at 0x2000)
wire        wa_table = wr_addr_reg[13];
wire [8:0]  wa_slot  = wr_addr_reg[12:4];
wire [1:0]  wa_dword = wr_addr_reg[3:2];
wire        wa_slot_ok = wa_table && wa_slot < N;
wire        wa_ctrl_reg = !wr_addr_reg[13] && wr_addr_reg[12:2] == 11'h004;

function [31:0] merge(input [31:0] old, input [31:0] wd, input [3:0] st);
    integer l;
    begin
        for (l = 0; l < 4; l = l + 1) merge[8*l +: 8] = st[l] ? wd[8*l +: 8] : old[8*l +: 8];
    end
endfunction

// effective shadow this cycle: registered state with the write applied when BVALID shows
reg        e_enable, e_fm;
reg [63:0] e_addr  [0:N-1];
reg [31:0] e_data  [0:N-1];
reg        e_mask  [0:N-1];
reg        e_pen   [0:N-1];
reg [19:0] e_pasid [0:N-1];
reg        e_pend  [0:N-1];
reg [31:0] e_ctrl_dw;
integer s;
always @* begin
    e_enable = sh_enable_reg;
    e_fm     = sh_fm_reg;
    if (apply_now && wa_ctrl_reg && wr_strb_reg[0]) begin
        e_enable = wr_data_reg[0];
        e_fm     = wr_data_reg[1];
    end
    for (s = 0; s < N; s = s + 1) begin
        e_addr[s]  = sh_addr_reg[s];
        e_data[s]  = sh_data_reg[s];
        e_mask[s]  = sh_mask_reg[s];
        e_pen[s]   = sh_pen_reg[s];
        e_pasid[s] = sh_pasid_reg[s];
        e_pend[s]  = sh_pend_reg[s];
        e_ctrl_dw = {sh_pasid_reg[s], 8'd0, sh_pen_reg[s], 2'b00, sh_mask_reg[s]};
        if (apply_now && wa_slot_ok && wa_slot == s) begin
            case (wa_dword)
                2'd0: begin
                    e_addr[s][31:0] = merge(sh_addr_reg[s][31:0], wr_data_reg, wr_strb_reg) & 32'hffff_fffc;
                end
                2'd1: e_addr[s][63:32] = merge(sh_addr_reg[s][63:32], wr_data_reg, wr_strb_reg);
                2'd2: e_data[s] = merge(sh_data_reg[s], wr_data_reg, wr_strb_reg);
                default: begin
                    e_ctrl_dw  = merge(e_ctrl_dw, wr_data_reg, wr_strb_reg);
                    e_mask[s]  = e_ctrl_dw[0];
                    e_pen[s]   = e_ctrl_dw[3];
                    e_pasid[s] = e_ctrl_dw[31:12];
                    if (wr_strb_reg[0] && wr_data_reg[1]) e_pend[s] = 1'b0;
                end
            endcase
        end
    end
end

// N3: assumptions on the write being applied (its AW/W inputs, latched)
reg dfifo_empty;
always @* begin
    if (NARROW && f_run && apply_now && wa_slot_ok) begin
        if (wa_dword != 2'd3)
            assume(sh_mask_reg[wa_slot[SW-1:0]] && owed_reg[wa_slot[SW-1:0]] == 0);
    end
end

// trigger prediction (contract section 4, rules in order) from the effective shadow
wire          t_in_range = s_irq_index < N;
wire [SW-1:0] t_slot = s_irq_index[SW-1:0];
reg  [2:0]    t_out;
always @* begin
    if (!t_in_range)                                   t_out = O_RANGE;
    else if (!e_enable)                                t_out = O_DIS;
    else if (e_pen[t_slot] && !(s_irq_pasid_valid && s_irq_pasid == e_pasid[t_slot]))
                                                       t_out = O_PASID;
    else if (e_mask[t_slot] || e_fm)                   t_out = O_PEND;
    else                                               t_out = O_SEND;
end

// N2: no trigger to a slot sharing its address with a slot that owes a replay
reg t_addr_owed;
always @* begin
    t_addr_owed = 1'b0;
    for (s = 0; s < N; s = s + 1)
        if (owed_reg[s] != 0 && owed_addr_reg[s] == e_addr[t_slot]) t_addr_owed = 1'b1;
end
always @* if (NARROW && f_run && s_irq_valid && t_in_range) assume(!t_addr_owed);

// expected direct messages, in trigger order: at most 8 are owed at once by a block that
// keeps its direct-queue credit (8 entries, constant in NUM_SLOTS) from acceptance until the
// message left; N5 (an input narrowing): no trigger is offered while 8 are outstanding, so the
// shadow queue never wraps.
localparam DQ = 8;
reg [63:0] dq_addr_reg [0:DQ-1];
reg [31:0] dq_data_reg [0:DQ-1];
reg [SW-1:0] dq_slot_reg [0:DQ-1];
reg [2:0]  dq_rd_reg = 0, dq_wr_reg = 0;
reg [4:0]  dq_cnt_reg = 0;
always @* dfifo_empty = dq_cnt_reg == 0;
always @* if (NARROW && f_run && s_irq_valid) assume(dq_cnt_reg < DQ);
wire [63:0] dq_head_addr = dq_addr_reg[dq_rd_reg];
wire [31:0] dq_head_data = dq_data_reg[dq_rd_reg];

// which pending slots become eligible now (a replay becomes owed)
reg [N-1:0] becomes_owed;
always @* begin
    for (s = 0; s < N; s = s + 1)
        becomes_owed[s] = e_pend[s] && e_enable && !e_fm && !e_mask[s];
end
always @* if (NARROW && f_run && apply_now && becomes_owed != 0) assume(dfifo_empty);

// recently applied write (write_visibility attribution)
reg [1:0] since_apply_reg = 2'd3;
always @(posedge clk) since_apply_reg <= apply_now ? 2'd0 : (since_apply_reg == 2'd3 ? 2'd3 : since_apply_reg + 1'b1);
wire near_apply = apply_now || since_apply_reg < 2'd2;

// message observation: a replay when its address is an owed replay's (N2), else direct
reg          m_replay;
reg [SW-1:0] m_slot;     // the owed slot it replays (the lowest of equal addresses)
always @* begin
    m_replay = 1'b0;
    m_slot   = {SW{1'b0}};
    for (s = N - 1; s >= 0; s = s - 1)
        if (owed_reg[s] != 0 && owed_addr_reg[s] == m_axi_awaddr) begin
            m_replay = 1'b1;
            m_slot   = s;
        end
end
wire       m_direct = !m_replay;
wire       m_head_ok = !dfifo_empty && dq_head_addr == m_axi_awaddr;
reg        m_any_ok;   // some expected direct message has this address
integer q;
always @* begin
    m_any_ok = 1'b0;
    for (q = 0; q < DQ; q = q + 1)
        if (q < dq_cnt_reg && dq_addr_reg[(dq_rd_reg + q) % DQ] == m_axi_awaddr) m_any_ok = 1'b1;
end

// W data expected for the message whose AW went (AW and W of one message may go in any order)
reg [31:0] exp_wd_reg [0:1];
reg        exp_direct_reg [0:1];
reg [31:0] got_wd_reg [0:1];
reg [1:0]  awn_reg = 0, wn_reg = 0;
wire [31:0] m_exp_data = m_replay ? owed_data_reg[m_slot] : dq_head_data;

// data checks: when the second of a message's AW / W handshakes happens
wire w_ahead  = wn_reg == awn_reg + 2'd1;
wire aw_ahead = awn_reg == wn_reg + 2'd1;
reg        d_check, d_direct;
reg [31:0] d_exp, d_got;
always @* begin
    d_check = 1'b0; d_direct = 1'b0; d_exp = 32'd0; d_got = 32'd0;
    if (maw_hs && mw_hs && awn_reg == wn_reg) begin
        d_check = 1'b1; d_direct = m_direct; d_exp = m_exp_data; d_got = m_axi_wdata;
    end else if (maw_hs && w_ahead) begin            // W went first
        d_check = 1'b1; d_direct = m_direct; d_exp = m_exp_data; d_got = got_wd_reg[awn_reg[0]];
    end else if (mw_hs && aw_ahead) begin            // AW went first
        d_check = 1'b1; d_direct = exp_direct_reg[wn_reg[0]]; d_exp = exp_wd_reg[wn_reg[0]]; d_got = m_axi_wdata;
    end
end

// replay bound: quiet cycles
reg [5:0] quiet_reg = 0;
wire quiet_now = !trig && !wr_open_reg && !s_axil_awvalid && !s_axil_wvalid && m_axi_awready && m_axi_wready;
always @(posedge clk) quiet_reg <= (rst || !quiet_now) ? 6'd0 : (quiet_reg == 6'd63 ? 6'd63 : quiet_reg + 1'b1);
reg any_owed;
always @* begin
    any_owed = 1'b0;
    for (s = 0; s < N; s = s + 1) if (owed_reg[s] != 0) any_owed = 1'b1;
end

// counters (8-bit shadow; BMC depths stay far below 256), with a history for the read window
localparam C_SENT = 0, C_PEND = 1, C_RANGE = 2, C_PASID = 3, C_DIS = 4;
reg [7:0] cnt_reg [0:4];
localparam HIST = 8;
reg [7:0] cnt_hist_reg [0:5*HIST-1];   // counter c, h+1 cycles ago: [c*HIST + h]
reg [7:0] rd_lo_reg;
reg [2:0] rd_cnt_reg;
reg       rd_is_cnt_reg = 1'b0;
wire [3:0] ar_word = s_axil_araddr[5:2];
wire       ar_regs = !s_axil_araddr[13] && s_axil_araddr[12:6] == 0;
wire [7:0] sent_now = m_done;   // messages with AW and W done (low 5 bits are enough)
reg  [2:0] ar_cnt;
always @* begin
    case (ar_word)
        4'h8: ar_cnt = C_SENT;
        4'h9: ar_cnt = C_PEND;
        4'ha: ar_cnt = C_RANGE;
        4'hb: ar_cnt = C_PASID;
        4'hc: ar_cnt = C_DIS;
        default: ar_cnt = 3'd7;
    endcase
end

integer h, c;
always @(posedge clk) begin
    // ---- shadow registers
    sh_enable_reg <= e_enable;
    sh_fm_reg     <= e_fm;
    for (s = 0; s < N; s = s + 1) begin
        sh_addr_reg[s]  <= e_addr[s];
        sh_data_reg[s]  <= e_data[s];
        sh_mask_reg[s]  <= e_mask[s];
        sh_pen_reg[s]   <= e_pen[s];
        sh_pasid_reg[s] <= e_pasid[s];
        sh_pend_reg[s]  <= e_pend[s] && !becomes_owed[s];
        if (becomes_owed[s]) begin
            owed_reg[s]      <= owed_reg[s] + 1'b1 - (maw_hs && m_replay && m_slot == s);
            owed_addr_reg[s] <= e_addr[s];
            owed_data_reg[s] <= e_data[s];
        end else if (maw_hs && m_replay && m_slot == s) begin
            owed_reg[s] <= owed_reg[s] - 1'b1;
        end
    end
    if (trig && t_in_range) begin
        last_out_reg[t_slot] <= t_out;
        last_vis_reg[t_slot] <= near_apply;
        if (t_out == O_PEND) sh_pend_reg[t_slot] <= 1'b1;
    end
    // ---- expected direct messages
    if (trig && t_out == O_SEND) begin
        dq_addr_reg[dq_wr_reg] <= e_addr[t_slot];
        dq_data_reg[dq_wr_reg] <= e_data[t_slot];
        dq_slot_reg[dq_wr_reg] <= t_slot;
        dq_wr_reg <= dq_wr_reg + 1'b1;
    end
    if (maw_hs && m_direct && !dfifo_empty) dq_rd_reg <= dq_rd_reg + 1'b1;
    dq_cnt_reg <= dq_cnt_reg + (trig && t_out == O_SEND) - (maw_hs && m_direct && !dfifo_empty);
    for (s = 0; s < N; s = s + 1)
        exp_cnt_reg[s] <= exp_cnt_reg[s] + (trig && t_out == O_SEND && t_slot == s)
                        - (maw_hs && m_direct && !dfifo_empty && dq_slot_reg[dq_rd_reg] == s);
    // ---- W data pairing
    if (maw_hs) begin
        exp_wd_reg[awn_reg[0]]     <= m_exp_data;
        exp_direct_reg[awn_reg[0]] <= m_direct;
        awn_reg <= awn_reg + 1'b1;
    end
    if (mw_hs) begin
        got_wd_reg[wn_reg[0]] <= m_axi_wdata;
        wn_reg <= wn_reg + 1'b1;
    end
    // ---- counters and their history
    cnt_reg[C_SENT]  <= sent_now;
    cnt_reg[C_PEND]  <= cnt_reg[C_PEND]  + (trig && t_out == O_PEND);
    cnt_reg[C_RANGE] <= cnt_reg[C_RANGE] + (trig && t_out == O_RANGE);
    cnt_reg[C_PASID] <= cnt_reg[C_PASID] + (trig && t_out == O_PASID);
    cnt_reg[C_DIS]   <= cnt_reg[C_DIS]   + (trig && t_out == O_DIS);
    for (c = 0; c < 5; c = c + 1) begin
        cnt_hist_reg[c*HIST] <= cnt_reg[c];
        for (h = 1; h < HIST; h = h + 1) cnt_hist_reg[c*HIST + h] <= cnt_hist_reg[c*HIST + h - 1];
    end
    if (ar_hs) begin
        rd_is_cnt_reg <= ar_regs && ar_cnt != 3'd7;
        rd_cnt_reg    <= ar_cnt;
        rd_lo_reg     <= (ar_cnt < 5) ? cnt_hist_reg[ar_cnt*HIST + HIST-1] : 8'd0;
    end
    if (r_hs) rd_is_cnt_reg <= 1'b0;

    if (rst) begin
        sh_enable_reg <= PRELOAD ? 1'b1 : 1'b0;   // PRELOAD: ENABLE's reset value is 1 there
        sh_fm_reg     <= 1'b0;
        for (s = 0; s < N; s = s + 1) begin
            // PRELOAD: the table is the free initial one (kept through rst, as the RAM keeps it)
            if (!PRELOAD) begin
                sh_addr_reg[s] <= 64'd0;
                sh_data_reg[s] <= 32'd0;
                sh_mask_reg[s] <= 1'b1;
                sh_pen_reg[s]  <= 1'b0;
                sh_pasid_reg[s] <= 20'd0;
            end
            sh_pend_reg[s] <= 1'b0;
            owed_reg[s]    <= 2'd0;
            last_out_reg[s] <= O_SEND;
            last_vis_reg[s] <= 1'b0;
            exp_cnt_reg[s] <= 4'd0;
        end
        dq_rd_reg <= 0; dq_wr_reg <= 0; dq_cnt_reg <= 0;
        awn_reg <= 0; wn_reg <= 0;
        for (c = 0; c < 5; c = c + 1) begin
            cnt_reg[c] <= 8'd0;
            for (h = 0; h < HIST; h = h + 1) cnt_hist_reg[c*HIST + h] <= 8'd0;
        end
        rd_is_cnt_reg <= 1'b0;
    end
end

// ---------------------------------------------------------------------------
// PRELOAD start: an arbitrary programmed table instead of BUSY + AXI-Lite programming
// ---------------------------------------------------------------------------
// With IMS_FORMAL_PRELOAD defined, run_formal.py's script (after `flatten`) gives the
// sweep's BUSY flops (msg_pipe_inst.init_sweep_inst: busy_reg and its admission copy
// busy_adm_reg; run_formal.py _sweep_done) the reset value 0, so the post-reset sweep that
// writes reset values into the RAMs does not run (the cover job preload_trigger_to_message
// shows a trigger still reaches its AW from this start), and drives the f_ram_* wires below from the RAM words
// (`connect -set`; the harness only reads them).  The RAMs have no reset, so they start
// from free values; the assumption below makes them the table the shadow starts from
// (itself free: its table is not reset in this mode), with no pending bit and every
// MASK copy of the pending word equal to its slot's MASK, as BUSY followed by AXI-Lite
// slot writes would leave them.  Every other flop of the block is reset by rst as usual
// (held RST_CYCLES cycles, which also flushes a stray RAM write of the unreset
// write-port flops).  CTRL starts at its reset value (ENABLE = 0): software enables it
// over AXI-Lite, so every property still sees that write's visibility rule.
// What this start leaves out (the from-reset runs check it): the BUSY sweep itself.
`ifdef IMS_FORMAL_PRELOAD
wire [116*8-1:0] f_ram_slot;    // slot s: [116*s +: 116] = {PASID, PASID_EN, MASK, DATA, ADDR_HI, ADDR_LO[31:2]}
wire [63:0]      f_ram_pend_word;   // {MASK copies, pending bits} of slots 0..31
wire [7:0]       f_ram_pend_bit;    // the per-slot pending bit RAM
reg  [31:0]      f_mask_copy;
always @* begin
    f_mask_copy = 32'hffff_ffff;
    for (s = 0; s < N; s = s + 1) f_mask_copy[s] = sh_mask_reg[s];
end
always @* begin
    if (f_age == RST_CYCLES) begin
        for (s = 0; s < N; s = s + 1) begin
            assume(f_ram_slot[116*s +: 116] == {sh_pasid_reg[s], sh_pen_reg[s], sh_mask_reg[s],
                   sh_data_reg[s], sh_addr_reg[s][63:32], sh_addr_reg[s][31:2]});
            assume(sh_addr_reg[s][1:0] == 2'b00);
            assume(!f_ram_pend_bit[s]);
        end
        assume(f_ram_pend_word == {f_mask_copy, 32'd0});
    end
end
`endif

// ---------------------------------------------------------------------------
// properties
// ---------------------------------------------------------------------------
wire unexpected = maw_hs && m_direct && !m_head_ok;   // a direct message nobody expected here
// the slots a direct message nobody expected may belong to (same address, none expected),
// and whether one of them last saw a trigger that was refused / pended / just after a write
reg unexp_pasid, unexp_pend, unexp_vis;
always @* begin
    unexp_pasid = 1'b0; unexp_pend = 1'b0; unexp_vis = 1'b0;
    for (s = 0; s < N; s = s + 1)
        if (sh_addr_reg[s] == m_axi_awaddr && exp_cnt_reg[s] == 0) begin
            if (last_out_reg[s] == O_PASID) unexp_pasid = 1'b1;
            if (last_out_reg[s] == O_PEND)  unexp_pend  = 1'b1;
            if (last_vis_reg[s])            unexp_vis   = 1'b1;
        end
end

always @* begin
    // ---- every ready output low while rst is high
    if (EN_READY && rst) begin
        ready_low: assert(!s_irq_ready && !s_axil_awready && !s_axil_wready && !s_axil_arready && !m_axi_bready);
    end
    // from the first cycle out of reset (these compare this cycle's ports with the shadow, no $past)
    if (f_run) begin
        // ---- rule 3: a trigger the PASID check refused never produces a message
        if (EN_RULE3 && unexpected)
            rule3: assert(!unexp_pasid);
        // ---- rule 4: masked / function-masked slots never emit; replays at most once
        if (EN_RULE4 && unexpected)
            rule4_direct: assert(!unexp_pend);
        if (EN_RULE4 && quiet_reg >= QUIET)
            rule4_replayed: assert(!any_owed);
        // ---- no message without a cause (address at AW, data at the pair's second handshake)
        if (EN_CAUSE && maw_hs)
            cause: assert(m_replay || m_any_ok);
        if (EN_CAUSE && d_check)
            cause_data: assert(d_got == d_exp);
        // ---- direct messages in trigger order, each with its own data
        if (EN_ORDER && maw_hs && m_direct && m_any_ok)
            order: assert(m_head_ok);
        if (EN_ORDER && d_check && d_direct)
            order_data: assert(d_got == d_exp);
        // ---- no trigger lost: counters agree, and a quiet bus drains every expected message
        if (EN_LOST && r_hs && rd_is_cnt_reg)
            lost_counter: assert(s_axil_rresp == 2'b00 && s_axil_rdata[31:8] == 24'd0 &&
                                 s_axil_rdata[7:0] >= rd_lo_reg && s_axil_rdata[7:0] <= cnt_reg[rd_cnt_reg < 5 ? rd_cnt_reg : 3'd0]);
        if (EN_LOST && quiet_reg >= QUIET)
            lost_drain: assert(dfifo_empty);
        // ---- a write takes effect for triggers accepted after its BVALID
        if (EN_VIS && unexpected)
            visibility: assert(!unexp_vis);
        if (EN_VIS && quiet_reg >= QUIET && !dfifo_empty)
            visibility_drain: assert(!last_vis_reg[dq_slot_reg[dq_rd_reg]]);
        // ---- one message on the bus at a time: AW and W counts never differ by more than one
        if (EN_STABLE)
            stable_pairing: assert(awn_reg - wn_reg != 2'd2);
    end
end

// AXI outputs stable while stalled
always @(posedge clk) begin
    if (EN_STABLE && f_run && f_prev_run) begin
        if ($past(m_axi_awvalid && !m_axi_awready))
            stable_aw: assert(m_axi_awvalid && m_axi_awaddr == $past(m_axi_awaddr));
        if ($past(m_axi_wvalid && !m_axi_wready))
            stable_w: assert(m_axi_wvalid && m_axi_wdata == $past(m_axi_wdata));
        if ($past(s_axil_bvalid && !s_axil_bready))
            stable_b: assert(s_axil_bvalid && s_axil_bresp == $past(s_axil_bresp));
        if ($past(s_axil_rvalid && !s_axil_rready))
            stable_r: assert(s_axil_rvalid && s_axil_rdata == $past(s_axil_rdata) && s_axil_rresp == $past(s_axil_rresp));
    end
end

// ---------------------------------------------------------------------------
// covers: the testplan points this harness reaches
// ---------------------------------------------------------------------------
always @* begin
    if (f_run) begin
        cover_direct_message: cover(maw_hs && m_direct && m_head_ok);
        cover_replay:         cover(maw_hs && m_replay);
        cover_pasid_drop:     cover(trig && t_out == O_PASID);
        cover_pend:           cover(trig && t_out == O_PEND);
        cover_range_drop:     cover(trig && t_out == O_RANGE);
        cover_counter_read:   cover(r_hs && rd_is_cnt_reg);
        cover_backpressure:   cover(s_irq_valid && !s_irq_ready && !dfifo_empty);
    end
end

endmodule

`resetall
