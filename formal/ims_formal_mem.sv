/*
 * Formal harness for the section 7 rules (memory-resident entries), run by
 * formal/run_formal.py (properties mem_freshness, mem_fetch_error).
 *
 * Build: NUM_SLOTS = 4, MEM_MAX_ENTRIES = 4, MEM_CACHE_ENTRIES = 2,
 * IRQ_INDEX_WIDTH = 3 (indices 4..7 are the memory entries 0..3),
 * AXIL_ADDR_WIDTH = 14, AXI_ID_WIDTH = 1.  MEM_BASE = 0 (its reset value).
 *
 * Start: rst held 3 cycles; CTRL.ENABLE and MEM_ENTRIES come out of reset as 1
 * and 4 (run_formal.py sets the synchronous reset values of those two flops of
 * ims_regs, as software would have programmed them); no BUSY sweep (its BUSY
 * flops reset to 0, run_formal.py _sweep_done; the pending RAMs assumed to hold
 * what it leaves, see below).
 *
 * Environment (inputs only):
 *  - AXI4-Lite master rules (VALID and payload held until READY; W never
 *    before its AW; one write at a time); the only writes are MEM_INVAL (any
 *    data, all strobes); reads are free;
 *  - AXI4 slave rules on the message master (B only after AW and W; W ready
 *    only for a message whose AW went: legal for a slave), and a prompt slave:
 *    AWREADY high, WREADY the cycle after its AW, BVALID the cycle after W;
 *  - the read channel answers like a prompt memory: ARREADY high (low while 4
 *    fetches are outstanding), RVALID high whenever a fetch is outstanding,
 *    RID 0, beats in order, four per fetch, RLAST on the
 *    fourth, RVALID and payload held until RREADY; a beat answered OKAY
 *    carries the memory word (entry = ARADDR[5:4], MEM_BASE being 0): ADDR_LO,
 *    ADDR_HI, DATA, CTRL; RRESP is OKAY in mem_freshness and free in
 *    mem_fetch_error (an error beat's data is free);
 *  - memory: entry j's address is a free constant (bits 1:0 zero); its DATA
 *    is free at the start and may change at any cycle (input f_mem_chg);
 *    CTRL is 0 (MASK 0, PASID_EN 0) in mem_freshness, a free constant in
 *    mem_fetch_error;
 *  - triggers go to memory indices only (index bit 2 set).
 * Narrowings of mem_freshness: memory entry j does not change while a trigger
 * of entry j whose DATA is checked (accepted in or after the first BVALID cycle
 * of a MEM_INVAL naming j) is offered or owed (so the value the block fetches
 * for it is the one memory holds at its acceptance); at most 4 triggers owed
 * at once; a budget (2 triggers, 1 change, 1 MEM_INVAL, no reads, below).
 *
 * PROPS: bit 0 mem_freshness, bit 1 mem_fetch_error.
 *  mem_freshness: with ENABLE = 1, FUNC_MASK = 0 and MASK = 0 in memory every
 *    accepted trigger sends one message, in trigger order (section 7 rule 5):
 *    its address is its entry's (mem_cause); a trigger accepted after the
 *    BVALID of a MEM_INVAL naming its entry (or ALL) carries a DATA memory
 *    held after that MEM_INVAL was accepted (W handshake): the value at the
 *    acceptance or the one after a later change (checked while at most one
 *    change happened since; more changes switch the check off for that entry).
 *  mem_fetch_error: a fetch with RRESP != OKAY on any beat gives nothing:
 *    no message (every message's address is that of an entry an OKAY fetch
 *    returned), no pending bit (PENDING bit of entry j read 1 only after an
 *    OKAY fetch of j), CNT_FETCH_ERR read over AXI-Lite lies between the
 *    harness's count of errored fetches 8 cycles before AR and at R, and
 *    STATUS.FETCH_ERR likewise (0 before any, 1 after).
 */

`default_nettype none

module ims_formal_mem #(
    parameter PROPS = 3
) (
    input  wire        clk,
    input  wire        rst,

    input  wire [13:0] s_axil_awaddr,
    input  wire        s_axil_awvalid,
    input  wire [31:0] s_axil_wdata,
    input  wire [3:0]  s_axil_wstrb,
    input  wire        s_axil_wvalid,
    input  wire        s_axil_bready,
    input  wire [13:0] s_axil_araddr,
    input  wire        s_axil_arvalid,
    input  wire        s_axil_rready,

    input  wire        s_irq_valid,
    input  wire [2:0]  s_irq_index,
    input  wire        s_irq_pasid_valid,
    input  wire [19:0] s_irq_pasid,

    input  wire        m_axi_awready,
    input  wire        m_axi_wready,
    input  wire [1:0]  m_axi_bresp,
    input  wire        m_axi_bvalid,

    input  wire        m_axi_arready,
    input  wire [31:0] m_axi_rdata,
    input  wire [1:0]  m_axi_rresp,
    input  wire        m_axi_rlast,
    input  wire        m_axi_rvalid,
    input  wire        m_axi_rid,

    // the memory changes entry f_mem_chg_entry's DATA to f_mem_chg_data
    input  wire        f_mem_chg,
    input  wire [1:0]  f_mem_chg_entry,
    input  wire [31:0] f_mem_chg_data
);

localparam N = 4, M = 4;
localparam EN_FRESH = PROPS & 1;
localparam EN_FERR  = (PROPS >> 1) & 1;
localparam RST_CYCLES = 3;

wire        s_axil_awready, s_axil_wready, s_axil_bvalid, s_axil_arready, s_axil_rvalid;
wire [1:0]  s_axil_bresp, s_axil_rresp;
wire [31:0] s_axil_rdata;
wire        s_irq_ready;
wire [63:0] m_axi_awaddr;
wire        m_axi_awvalid;
wire [31:0] m_axi_wdata;
wire        m_axi_wvalid;
wire        m_axi_bready;
wire [63:0] m_axi_araddr;
wire        m_axi_arvalid;
wire        m_axi_rready;
/* verilator lint_off PINCONNECTEMPTY */
ims_top #(
    .NUM_SLOTS(N),
    .IRQ_INDEX_WIDTH(3),
    .AXIL_ADDR_WIDTH(14),
    .AXI_ID_WIDTH(1),
    .MEM_MAX_ENTRIES(M),
    .MEM_CACHE_ENTRIES(2)
) dut (
    .clk(clk), .rst(rst),
    .s_axil_awaddr(s_axil_awaddr), .s_axil_awprot(3'd0), .s_axil_awvalid(s_axil_awvalid),
    .s_axil_awready(s_axil_awready), .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb),
    .s_axil_wvalid(s_axil_wvalid), .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp),
    .s_axil_bvalid(s_axil_bvalid), .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr),
    .s_axil_arprot(3'd0), .s_axil_arvalid(s_axil_arvalid), .s_axil_arready(s_axil_arready),
    .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp), .s_axil_rvalid(s_axil_rvalid),
    .s_axil_rready(s_axil_rready),
    .s_irq_valid(s_irq_valid), .s_irq_ready(s_irq_ready), .s_irq_index(s_irq_index),
    .s_irq_pasid_valid(s_irq_pasid_valid), .s_irq_pasid(s_irq_pasid),
    .m_axi_awid(), .m_axi_awaddr(m_axi_awaddr), .m_axi_awlen(),
    .m_axi_awsize(), .m_axi_awburst(), .m_axi_awlock(),
    .m_axi_awcache(), .m_axi_awprot(), .m_axi_awvalid(m_axi_awvalid),
    .m_axi_awready(m_axi_awready), .m_axi_wdata(m_axi_wdata), .m_axi_wstrb(),
    .m_axi_wlast(), .m_axi_wvalid(m_axi_wvalid), .m_axi_wready(m_axi_wready),
    .m_axi_bid(1'b0), .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid),
    .m_axi_bready(m_axi_bready),
    .m_axi_arid(), .m_axi_araddr(m_axi_araddr), .m_axi_arlen(), .m_axi_arsize(),
    .m_axi_arburst(), .m_axi_arlock(), .m_axi_arcache(), .m_axi_arprot(),
    .m_axi_arvalid(m_axi_arvalid), .m_axi_arready(m_axi_arready),
    .m_axi_rid(m_axi_rid), .m_axi_rdata(m_axi_rdata), .m_axi_rresp(m_axi_rresp),
    .m_axi_rlast(m_axi_rlast), .m_axi_rvalid(m_axi_rvalid), .m_axi_rready(m_axi_rready)
);
/* verilator lint_on PINCONNECTEMPTY */

// ---------------------------------------------------------------------------
// environment
// ---------------------------------------------------------------------------
reg [2:0] f_age = 3'd0;
always @(posedge clk) if (f_age != 3'd7) f_age <= f_age + 1'b1;
wire f_run = f_age >= RST_CYCLES;
always @* begin
    if (!f_run) assume(rst);
    else        assume(!rst);
end
reg f_prev_run = 1'b0;
always @(posedge clk) f_prev_run <= f_run;

wire aw_hs  = s_axil_awvalid && s_axil_awready;
wire w_hs   = s_axil_wvalid && s_axil_wready;
wire ar_hs  = s_axil_arvalid && s_axil_arready;
wire r_hs   = s_axil_rvalid && s_axil_rready;
wire trig   = s_irq_valid && s_irq_ready;
wire maw_hs = m_axi_awvalid && m_axi_awready;
wire mw_hs  = m_axi_wvalid && m_axi_wready;
wire mb_hs  = m_axi_bvalid && m_axi_bready;
wire far_hs = m_axi_arvalid && m_axi_arready;
wire fr_hs  = m_axi_rvalid && m_axi_rready;

// memory: entry addresses (free constants), DATA (free start, changes), CTRL
(* anyconst *) wire [255:0] f_mem_addr;
(* anyconst *) wire [127:0] f_mem_ctrl_free;
reg  [127:0] mem_data_reg;   // no reset: free at the start
wire [127:0] f_mem_ctrl = EN_FRESH ? 128'd0 : f_mem_ctrl_free;
integer j;
always @* for (j = 0; j < M; j = j + 1) assume(f_mem_addr[64*j +: 2] == 2'b00);
always @(posedge clk) if (f_mem_chg) mem_data_reg[32*f_mem_chg_entry +: 32] <= f_mem_chg_data;

// no BUSY sweep: run_formal.py resets the BUSY flops to 0 and drives these wires from the
// pending RAMs' words (their only reader is this assumption): what the sweep would leave
wire [7:0]  f_ram_pend_bit;    // slots 0-3, entries 0-3
wire [63:0] f_ram_pend_word;   // {MASK copies, pending bits}
always @* if (f_age == RST_CYCLES) assume(f_ram_pend_bit == 8'd0 && f_ram_pend_word == {32'hffff_ffff, 32'd0});

// AXI4-Lite master: MEM_INVAL writes only (0x04C), all strobes, W not before its AW
reg wr_aw_reg = 1'b0, wr_w_reg = 1'b0;
reg [31:0] wr_data_reg;
always @(posedge clk) begin
    if (aw_hs) wr_aw_reg <= 1'b1;
    if (w_hs) begin wr_w_reg <= 1'b1; wr_data_reg <= s_axil_wdata; end
    if (s_axil_bvalid && s_axil_bready) begin wr_aw_reg <= 1'b0; wr_w_reg <= 1'b0; end
    if (rst) begin wr_aw_reg <= 1'b0; wr_w_reg <= 1'b0; end
end
// the MEM_INVAL's BVALID, first cycle
reg b_seen_reg = 1'b0;
always @(posedge clk) b_seen_reg <= rst ? 1'b0 : (s_axil_bvalid && !s_axil_bready) ? 1'b1 : (s_axil_bvalid ? 1'b0 : b_seen_reg);
wire b_first = s_axil_bvalid && !b_seen_reg;
always @* begin
    if (f_run) begin
        if (s_axil_awvalid) assume(s_axil_awaddr == 14'h04c && !wr_aw_reg);
        if (s_axil_wvalid)  assume(s_axil_wstrb == 4'hf && (wr_aw_reg || aw_hs) && !wr_w_reg);
    end
end
// VALID and payload held until READY (wstrb is 4'hf above anyway)
`include "ims_formal_axil.vh"

// triggers: memory indices only
always @* if (f_run && s_irq_valid) assume(s_irq_index[2]);
wire [1:0] t_entry = s_irq_index[1:0];

// message master: B after AW and W, W ready only behind its AW
reg [2:0] awn_reg = 0, wn_reg = 0, bn_reg = 0;
always @(posedge clk) begin
    awn_reg <= awn_reg + maw_hs;
    wn_reg  <= wn_reg + mw_hs;
    bn_reg  <= bn_reg + mb_hs;
    if (rst) begin awn_reg <= 0; wn_reg <= 0; bn_reg <= 0; end
end
always @* begin
    if (f_run) begin
        if (m_axi_wready) assume(awn_reg != wn_reg);
        if (m_axi_bvalid) assume(bn_reg != wn_reg);
    end
end
always @(posedge clk)
    if (f_run && f_prev_run && $past(m_axi_bvalid && !m_axi_bready))
        assume(m_axi_bvalid && m_axi_bresp == $past(m_axi_bresp));

// read channel: a memory with up to 4 fetches outstanding, in order
reg [1:0] fq_reg [0:3];
reg [1:0] fq_rd_reg = 0, fq_wr_reg = 0;
reg [2:0] fq_cnt_reg = 0;
reg [1:0] beat_reg = 0;
reg       ferr_acc_reg = 1'b0;
wire [1:0] f_head = fq_reg[fq_rd_reg];
reg [31:0] mem_word;
always @* begin
    case (beat_reg)
        2'd0: mem_word = f_mem_addr[64*f_head +: 32];
        2'd1: mem_word = f_mem_addr[64*f_head + 32 +: 32];
        2'd2: mem_word = mem_data_reg[32*f_head +: 32];
        default: mem_word = f_mem_ctrl[32*f_head +: 32];
    endcase
end
always @* begin
    if (f_run) begin
        if (fq_cnt_reg == 4) assume(!m_axi_arready);
        if (fq_cnt_reg == 0) assume(!m_axi_rvalid);
        if (m_axi_rvalid) begin
            assume(m_axi_rid == 1'b0 && m_axi_rlast == (beat_reg == 2'd3));
            if (EN_FRESH) assume(m_axi_rresp == 2'b00);
            if (m_axi_rresp == 2'b00) assume(m_axi_rdata == mem_word);
        end
    end
end
always @(posedge clk)
    if (f_run && f_prev_run && $past(m_axi_rvalid && !m_axi_rready))
        assume(m_axi_rvalid && m_axi_rdata == $past(m_axi_rdata) && m_axi_rresp == $past(m_axi_rresp));

// fetch outcomes
reg [M-1:0] ok_seen_reg = 0;   // an OKAY fetch of the entry has completed
reg [3:0]   fe_cnt_reg = 0;    // fetches answered with an error on some beat
wire        fetch_end = fr_hs && beat_reg == 2'd3;
wire        fetch_err = ferr_acc_reg || m_axi_rresp != 2'b00;
always @(posedge clk) begin
    if (far_hs) begin fq_reg[fq_wr_reg] <= m_axi_araddr[5:4]; fq_wr_reg <= fq_wr_reg + 1'b1; end
    fq_cnt_reg <= fq_cnt_reg + far_hs - fetch_end;
    if (fr_hs) begin
        beat_reg <= beat_reg + 1'b1;
        ferr_acc_reg <= fetch_end ? 1'b0 : fetch_err;
    end
    if (fetch_end) begin
        fq_rd_reg <= fq_rd_reg + 1'b1;
        if (fetch_err) fe_cnt_reg <= fe_cnt_reg + 1'b1;
        else ok_seen_reg[f_head] <= 1'b1;
    end
    if (rst) begin
        fq_rd_reg <= 0; fq_wr_reg <= 0; fq_cnt_reg <= 0; beat_reg <= 0; ferr_acc_reg <= 1'b0;
        ok_seen_reg <= 0; fe_cnt_reg <= 0;
    end
end

// ---------------------------------------------------------------------------
// freshness shadow
// ---------------------------------------------------------------------------
// MEM_INVAL accepted (its W handshake, AW went before or with it): entries it names
wire [M-1:0] inval_names;
genvar g;
generate for (g = 0; g < M; g = g + 1) begin : g_names
    assign inval_names[g] = s_axil_wdata[31] || s_axil_wdata[15:0] == g;
end endgenerate
reg [M-1:0] open_names_reg = 0;     // names of the MEM_INVAL accepted, BVALID not yet seen
reg [M-1:0] armed_reg = 0;          // a MEM_INVAL naming the entry has answered
reg [31:0]  accp_val_reg [0:M-1];   // memory value at the open MEM_INVAL's acceptance
reg [1:0]   accp_chg_reg [0:M-1];   // changes since then (saturating at 2)
reg [31:0]  acc_val_reg  [0:M-1];   // ... for the last answered one
reg [1:0]   acc_chg_reg  [0:M-1];
wire [M-1:0] chg_now;
generate for (g = 0; g < M; g = g + 1) begin : g_chg
    assign chg_now[g] = f_mem_chg && f_mem_chg_entry == g;
end endgenerate

// owed messages in trigger order (4 at most: narrowing)
localparam DQ = 4;
reg [1:0]  dq_entry_reg [0:DQ-1];
reg        dq_fresh_reg [0:DQ-1];
reg [31:0] dq_v1_reg [0:DQ-1], dq_v2_reg [0:DQ-1];
reg [1:0]  dq_rd_reg = 0, dq_wr_reg = 0;
reg [2:0]  dq_cnt_reg = 0;
// as armed / acc_* but with the MEM_INVAL answering this cycle applied: a trigger accepted in
// the first BVALID cycle is after the response
reg [M-1:0] armed_now;
reg [31:0]  acc_val_now [0:M-1];
reg [1:0]   acc_chg_now [0:M-1];
always @* begin
    for (j = 0; j < M; j = j + 1) begin
        armed_now[j]   = armed_reg[j] || (b_first && open_names_reg[j]);
        acc_val_now[j] = (b_first && open_names_reg[j]) ? accp_val_reg[j] : acc_val_reg[j];
        acc_chg_now[j] = (b_first && open_names_reg[j]) ? accp_chg_reg[j] : acc_chg_reg[j];
    end
end
// entries with an owed trigger whose DATA is checked (accepted after a MEM_INVAL naming the
// entry answered): the block fetches at a time the harness does not see, so memory does not
// change under such a trigger; a trigger whose DATA is not checked does not restrict changes
reg [M-1:0] owed_fresh_entry;
integer q;
always @* begin
    owed_fresh_entry = 0;
    for (q = 0; q < DQ; q = q + 1)
        if (q < dq_cnt_reg && dq_fresh_reg[(dq_rd_reg + q) % DQ])
            owed_fresh_entry[dq_entry_reg[(dq_rd_reg + q) % DQ]] = 1'b1;
end
always @* begin
    if (EN_FRESH && f_run) begin
        if (s_irq_valid) assume(dq_cnt_reg < DQ);
        if (f_mem_chg) assume(!owed_fresh_entry[f_mem_chg_entry] &&
                              !(s_irq_valid && t_entry == f_mem_chg_entry && armed_now[t_entry]));
    end
end
// budget narrowing (mem_freshness): at most 2 triggers, 1 memory change and 1 MEM_INVAL per
// run, no register reads. A freshness violation needs a cached fill, a change, a MEM_INVAL
// answered ~14 cycles after its W, and a trigger behind it (~28 steps); with every input free
// each step past ~15 doubles the solver time. The events are still free in time and content.
reg [1:0] n_trig_reg = 0, n_chg_reg = 0, n_inval_reg = 0;
always @(posedge clk) begin
    if (trig && n_trig_reg != 3) n_trig_reg <= n_trig_reg + 1'b1;
    if (f_mem_chg && n_chg_reg != 3) n_chg_reg <= n_chg_reg + 1'b1;
    if (w_hs && n_inval_reg != 3) n_inval_reg <= n_inval_reg + 1'b1;
end
always @* begin
    if (EN_FRESH && f_run) begin
        if (n_trig_reg >= 2) assume(!s_irq_valid);
        if (n_chg_reg >= 1) assume(!f_mem_chg);
        if (n_inval_reg >= 1) assume(!s_axil_wvalid);
        assume(!s_axil_arvalid);
    end
end
// prompt slaves (both properties): the message slave takes AW at once, W the cycle after its
// AW and answers B the cycle after W; the memory takes every AR (up to 4 outstanding) and has a
// beat ready whenever a fetch is outstanding (RRESP still free per beat in mem_fetch_error).
// Freshness is about which DATA a message carries and the fetch-error rules about what an
// errored fetch leads to, not when the bus moves (simulation's read target pauses AR/R);
// without this each step past ~16 doubled the solver time: the freshness mutant was not caught
// in 10 min and mem_fetch_error reached depth 19 of 24 in 600 s.
always @* begin
    if (f_run) begin
        assume(m_axi_awready);
        assume(m_axi_wready == (awn_reg != wn_reg));
        assume(m_axi_bvalid == (bn_reg != wn_reg));
        assume(m_axi_arready == (fq_cnt_reg != 4));
        assume(m_axi_rvalid == (fq_cnt_reg != 0));
    end
end
wire [1:0]  hd_entry = dq_entry_reg[dq_rd_reg];
// the message whose AW went, waiting for its W (W ready only behind its AW)
reg        wq_fresh_reg [0:3];
reg [31:0] wq_v1_reg [0:3], wq_v2_reg [0:3];

always @(posedge clk) begin
    for (j = 0; j < M; j = j + 1) begin
        if (chg_now[j]) begin
            if (accp_chg_reg[j] != 2'd2) accp_chg_reg[j] <= accp_chg_reg[j] + 1'b1;
            if (acc_chg_reg[j] != 2'd2)  acc_chg_reg[j]  <= acc_chg_reg[j] + 1'b1;
        end
        if (w_hs && inval_names[j]) begin
            accp_val_reg[j] <= mem_data_reg[32*j +: 32];
            accp_chg_reg[j] <= chg_now[j] ? 2'd1 : 2'd0;
        end
        if (b_first && open_names_reg[j]) begin
            armed_reg[j]   <= 1'b1;
            acc_val_reg[j] <= accp_val_reg[j];
            acc_chg_reg[j] <= (accp_chg_reg[j] == 2'd2 || (accp_chg_reg[j] == 2'd1 && chg_now[j])) ? 2'd2
                              : accp_chg_reg[j] + chg_now[j];
        end
    end
    if (w_hs) open_names_reg <= inval_names;
    if (b_first) open_names_reg <= 0;
    if (trig) begin
        dq_entry_reg[dq_wr_reg] <= t_entry;
        dq_fresh_reg[dq_wr_reg] <= armed_now[t_entry] && acc_chg_now[t_entry] != 2'd2;
        dq_v1_reg[dq_wr_reg]    <= acc_val_now[t_entry];
        dq_v2_reg[dq_wr_reg]    <= mem_data_reg[32*t_entry +: 32];
        dq_wr_reg <= dq_wr_reg + 1'b1;
    end
    if (maw_hs) begin
        dq_rd_reg <= dq_rd_reg + 1'b1;
        wq_fresh_reg[awn_reg[1:0]] <= dq_fresh_reg[dq_rd_reg];
        wq_v1_reg[awn_reg[1:0]]    <= dq_v1_reg[dq_rd_reg];
        wq_v2_reg[awn_reg[1:0]]    <= dq_v2_reg[dq_rd_reg];
    end
    dq_cnt_reg <= dq_cnt_reg + trig - (maw_hs && dq_cnt_reg != 0);
    if (rst) begin
        open_names_reg <= 0; armed_reg <= 0;
        dq_rd_reg <= 0; dq_wr_reg <= 0; dq_cnt_reg <= 0;
    end
end

// ---------------------------------------------------------------------------
// fetch-error bookkeeping: errored-fetch count history for the register reads
// ---------------------------------------------------------------------------
localparam HIST = 8;
reg [3:0] fe_hist_reg [0:HIST-1];
reg [3:0] rd_lo_reg;
reg [1:0] rd_kind_reg = 0;     // 0 other, 1 CNT_FETCH_ERR, 2 STATUS, 3 PENDING[0]
integer h;
always @(posedge clk) begin
    fe_hist_reg[0] <= fe_cnt_reg;
    for (h = 1; h < HIST; h = h + 1) fe_hist_reg[h] <= fe_hist_reg[h-1];
    if (ar_hs) begin
        rd_kind_reg <= s_axil_araddr == 14'h038 ? 2'd1 : s_axil_araddr == 14'h014 ? 2'd2 :
                       s_axil_araddr == 14'h1000 ? 2'd3 : 2'd0;
        rd_lo_reg   <= fe_hist_reg[HIST-1];
    end
    if (rst) begin
        rd_kind_reg <= 0;
        for (h = 0; h < HIST; h = h + 1) fe_hist_reg[h] <= 0;
    end
end

// ---------------------------------------------------------------------------
// properties
// ---------------------------------------------------------------------------
reg msg_from_ok;   // the message's address is that of an entry an OKAY fetch returned
always @* begin
    msg_from_ok = 1'b0;
    for (j = 0; j < M; j = j + 1)
        if (ok_seen_reg[j] && m_axi_awaddr == f_mem_addr[64*j +: 64]) msg_from_ok = 1'b1;
end
wire [1:0] wq_i = wn_reg[1:0];

always @* begin
    if (f_run) begin
        // ---- freshness (and the order/cause it rests on)
        if (EN_FRESH && maw_hs)
            mem_cause: assert(dq_cnt_reg != 0 && m_axi_awaddr == f_mem_addr[64*hd_entry +: 64]);
        if (EN_FRESH && mw_hs && wq_fresh_reg[wq_i])
            mem_freshness: assert(m_axi_wdata == wq_v1_reg[wq_i] || m_axi_wdata == wq_v2_reg[wq_i]);
        // ---- fetch errors
        if (EN_FERR && maw_hs)
            ferr_no_message: assert(msg_from_ok);
        if (EN_FERR && r_hs && rd_kind_reg == 2'd3)
            ferr_no_pend: assert((s_axil_rdata[7:4] & ~ok_seen_reg) == 4'd0);
        if (EN_FERR && r_hs && rd_kind_reg == 2'd1)
            ferr_counter: assert(s_axil_rresp == 2'b00 && s_axil_rdata[31:4] == 0 &&
                                 s_axil_rdata[3:0] >= rd_lo_reg && s_axil_rdata[3:0] <= fe_cnt_reg);
        if (EN_FERR && r_hs && rd_kind_reg == 2'd2)
            ferr_status: assert((rd_lo_reg == 0 || s_axil_rdata[4]) && (fe_cnt_reg != 0 || !s_axil_rdata[4]));
    end
end

always @* begin
    if (f_run) begin
        cover_trigger: cover(trig);
        cover_fetch_done: cover(fetch_end);
        cover_message: cover(maw_hs);
        cover_inval_answered: cover(b_first);
        cover_fetch_error: cover(fetch_end && fetch_err);
        cover_fresh_message: cover(mw_hs && wq_fresh_reg[wq_i]);
    end
end

endmodule

`resetall
