/*
 * Interrupt Message Store (IMS) block, top level.
 *
 * Contract: shared spec "IMS block - hardware contract", revision 2 (section 7,
 * memory-resident entries, built when MEM_MAX_ENTRIES > 0; with 0 the block is
 * the revision-1 block exactly: no read-master activity, VERSION 0x00010000).
 * MEM_MAX_ENTRIES defaults to the contract's section 7 rule (mem_max_entries_default
 * below): 2048 for the default NUM_SLOTS and IRQ_INDEX_WIDTH.
 *
 *   s_axil_*  AXI4-Lite register / slot table access   -> ims_regs
 *   s_irq_*   trigger stream                           -> ims_msg_pipe
 *   m_axi_*   AXI4 write master for interrupt messages <- ims_axi_wr_master
 *   m_axi_ar*, m_axi_r*  AXI4 read master for entry fetches <- ims_axi_rd_master
 *
 * Section 7: ims_mem_front sits between the trigger port and ims_msg_pipe
 * (classification, entry cache, in-order park queue, fetches), ims_mem_maint
 * runs MEM_INVAL / base / size commands and re-examinations through
 * pipeline ops.  Memory pending bits live in the pending RAM above the slots'.
 *
 * ims_msg_pipe owns the slot RAM (ims_slot_store) and the pending RAM
 * (ims_pending_store) and the replay scanner (ims_replay_scan); ims_regs
 * reaches them only through pipeline ops, so there is exactly one read port
 * and one write port per RAM.
 */

`default_nettype none

module ims_top #(
    parameter NUM_SLOTS       = 2048,
    parameter IRQ_INDEX_WIDTH = 16,
    parameter AXIL_ADDR_WIDTH = 16,
    parameter AXI_ID_WIDTH    = 4,
    // contract section 7 default; pass 0 for the revision-1 block
    parameter MEM_MAX_ENTRIES = mem_max_entries_default(NUM_SLOTS, IRQ_INDEX_WIDTH),
    parameter MEM_CACHE_ENTRIES = 16
) (
    input  wire                       clk,
    input  wire                       rst,

    // AXI4-Lite slave: registers and slot table
    input  wire [AXIL_ADDR_WIDTH-1:0] s_axil_awaddr,
    input  wire [2:0]                 s_axil_awprot,
    input  wire                       s_axil_awvalid,
    output wire                       s_axil_awready,
    input  wire [31:0]                s_axil_wdata,
    input  wire [3:0]                 s_axil_wstrb,
    input  wire                       s_axil_wvalid,
    output wire                       s_axil_wready,
    output wire [1:0]                 s_axil_bresp,
    output wire                       s_axil_bvalid,
    input  wire                       s_axil_bready,
    input  wire [AXIL_ADDR_WIDTH-1:0] s_axil_araddr,
    input  wire [2:0]                 s_axil_arprot,
    input  wire                       s_axil_arvalid,
    output wire                       s_axil_arready,
    output wire [31:0]                s_axil_rdata,
    output wire [1:0]                 s_axil_rresp,
    output wire                       s_axil_rvalid,
    input  wire                       s_axil_rready,

    // trigger stream
    input  wire                       s_irq_valid,
    output wire                       s_irq_ready,
    input  wire [IRQ_INDEX_WIDTH-1:0] s_irq_index,
    input  wire                       s_irq_pasid_valid,
    input  wire [19:0]                s_irq_pasid,

    // AXI4 write-only master: interrupt messages
    output wire [AXI_ID_WIDTH-1:0]    m_axi_awid,
    output wire [63:0]                m_axi_awaddr,
    output wire [7:0]                 m_axi_awlen,
    output wire [2:0]                 m_axi_awsize,
    output wire [1:0]                 m_axi_awburst,
    output wire                       m_axi_awlock,
    output wire [3:0]                 m_axi_awcache,
    output wire [2:0]                 m_axi_awprot,
    output wire                       m_axi_awvalid,
    input  wire                       m_axi_awready,
    output wire [31:0]                m_axi_wdata,
    output wire [3:0]                 m_axi_wstrb,
    output wire                       m_axi_wlast,
    output wire                       m_axi_wvalid,
    input  wire                       m_axi_wready,
    input  wire [AXI_ID_WIDTH-1:0]    m_axi_bid,
    input  wire [1:0]                 m_axi_bresp,
    input  wire                       m_axi_bvalid,
    output wire                       m_axi_bready,

    // AXI4 read master: memory-entry fetches (section 7)
    output wire [AXI_ID_WIDTH-1:0]    m_axi_arid,
    output wire [63:0]                m_axi_araddr,
    output wire [7:0]                 m_axi_arlen,
    output wire [2:0]                 m_axi_arsize,
    output wire [1:0]                 m_axi_arburst,
    output wire                       m_axi_arlock,
    output wire [3:0]                 m_axi_arcache,
    output wire [2:0]                 m_axi_arprot,
    output wire                       m_axi_arvalid,
    input  wire                       m_axi_arready,
    input  wire [AXI_ID_WIDTH-1:0]    m_axi_rid,
    input  wire [31:0]                m_axi_rdata,
    input  wire [1:0]                 m_axi_rresp,
    input  wire                       m_axi_rlast,
    input  wire                       m_axi_rvalid,
    output wire                       m_axi_rready
);

// Contract section 7, MEM_MAX_ENTRIES default: "the largest power of two <= 2048 that keeps
// both limits (NUM_SLOTS + MEM_MAX_ENTRIES <= 2^IRQ_INDEX_WIDTH and <= 32768), 0 if none".
// A constant function so Icarus 11, Verilator 5 and Yosys all evaluate it in the header;
// models/contract_params.py mem_max_entries_default is the same rule for the testbench, and
// tests/impl/test_mem_default.py checks the two agree.
function integer mem_max_entries_default;
    input integer arg_num_slots;
    input integer arg_index_width;
    integer limit;
    integer cand;
    begin
        limit = (arg_index_width >= 15) ? 32768 : (1 << arg_index_width);
        cand = 2048;
        while (cand > 0 && arg_num_slots + cand > limit)
            cand = cand / 2;
        mem_max_entries_default = cand;
    end
endfunction

localparam SLOT_WIDTH = (NUM_SLOTS > 1) ? $clog2(NUM_SLOTS) : 1;
localparam SCAN_PEND_WORDS = (NUM_SLOTS > 32) ? NUM_SLOTS / 32 : 1;
localparam SCAN_WORD_WIDTH = (SLOT_WIDTH > 5) ? SLOT_WIDTH - 5 : 1;
localparam MEM = MEM_MAX_ENTRIES > 0;
// the pipeline's index (and pending-bit) space: slots, then memory entries
localparam IDX_WIDTH  = MEM ? $clog2(NUM_SLOTS + MEM_MAX_ENTRIES) : SLOT_WIDTH;
localparam PEND_WORDS = ((1 << IDX_WIDTH) > 32) ? (1 << IDX_WIDTH) / 32 : 1;
localparam WORD_WIDTH = (IDX_WIDTH > 5) ? IDX_WIDTH - 5 : 1;
localparam ENTRY_WIDTH = (MEM_MAX_ENTRIES > 1) ? $clog2(MEM_MAX_ENTRIES) : 1;
localparam PARK_DEPTH  = (MEM_CACHE_ENTRIES < 8) ? MEM_CACHE_ENTRIES : 8;
// entry RAM lines: the cache, one per park-queue slot, the staging lines
// (2**RX_STAGE_WIDTH re-examination images; the revision-1 build keeps its one)
localparam RX_STAGE_WIDTH = 3;
localparam LINE_WIDTH  = MEM ? $clog2(MEM_CACHE_ENTRIES + PARK_DEPTH + (1 << RX_STAGE_WIDTH))
                             : $clog2(MEM_CACHE_ENTRIES + PARK_DEPTH + 1);

// message queues: a handful of entries, independent of NUM_SLOTS
localparam DIRECT_FIFO_ADDR_WIDTH = 3;
localparam REPLAY_FIFO_ADDR_WIDTH = 3;

initial begin
    if (NUM_SLOTS < 2 || NUM_SLOTS > 32768 || (NUM_SLOTS & (NUM_SLOTS - 1)) != 0) begin
        $error("Error: NUM_SLOTS must be a power of two, 2 .. 32768 (instance %m)");
        $finish;
    end
    if (AXIL_ADDR_WIDTH < 14 || AXIL_ADDR_WIDTH < SLOT_WIDTH + 5 || AXIL_ADDR_WIDTH > 32) begin
        $error("Error: AXIL_ADDR_WIDTH must be >= max(14, log2(NUM_SLOTS) + 5) and <= 32 (instance %m)");
        $finish;
    end
    if (IRQ_INDEX_WIDTH < 1 || IRQ_INDEX_WIDTH > 32) begin
        $error("Error: IRQ_INDEX_WIDTH must be 1 .. 32 (instance %m)");
        $finish;
    end
    if (MEM_MAX_ENTRIES < 0 || (MEM_MAX_ENTRIES & (MEM_MAX_ENTRIES - 1)) != 0 ||
        (MEM_MAX_ENTRIES > 0 && (NUM_SLOTS + MEM_MAX_ENTRIES > 32768 ||
                                 (IRQ_INDEX_WIDTH < 32 && NUM_SLOTS + MEM_MAX_ENTRIES > (1 << IRQ_INDEX_WIDTH))))) begin
        $error("Error: MEM_MAX_ENTRIES must be 0 or a power of two with NUM_SLOTS + MEM_MAX_ENTRIES <= min(2**IRQ_INDEX_WIDTH, 32768) (instance %m)");
        $finish;
    end
    if (MEM_CACHE_ENTRIES < 2 || MEM_CACHE_ENTRIES > 256 || (MEM_CACHE_ENTRIES & (MEM_CACHE_ENTRIES - 1)) != 0) begin
        $error("Error: MEM_CACHE_ENTRIES must be a power of two, 2 .. 256 (instance %m)");
        $finish;
    end
    if (AXI_ID_WIDTH < 1) begin
        $error("Error: AXI_ID_WIDTH must be >= 1 (instance %m)");
        $finish;
    end
end

// AXI-Lite protection attributes carry no meaning for this block
wire unused_axil_prot = ^{s_axil_awprot, s_axil_arprot};

wire        busy;
wire        ctrl_enable;
wire        ctrl_func_mask;
wire        ctrl_scan_req;
wire        scan_busy;

wire                  reg_op_valid;
wire                  reg_op_ready;
wire [1:0]            reg_op_kind;
wire [SLOT_WIDTH-1:0] reg_op_slot;
wire [IDX_WIDTH-1:0]  reg_op_index = {{(IDX_WIDTH-SLOT_WIDTH){1'b0}}, reg_op_slot};
wire [1:0]            reg_op_dword;
wire [WORD_WIDTH-1:0] reg_op_word;
wire [31:0]           reg_op_wdata;
wire [3:0]            reg_op_wstrb;
wire                  reg_rsp_valid;
wire [31:0]           reg_rsp_rdata;

wire ev_sent;
wire ev_wr_err;
wire ev_pended;
wire ev_drop_range;
wire ev_drop_pasid;
wire ev_drop_disabled;

// section 7
wire                   ev_drop_disabled_mem;
wire                   ev_fetch_err;
wire [ENTRY_WIDTH:0]   mem_entries;
wire [63:0]            mem_base;
wire                   mem_cmd_valid;
wire [1:0]             mem_cmd_kind;
wire [31:0]            mem_cmd_wdata;
wire                   mem_cmd_done;
wire                   mem_rx_all_req;

wire                       p_valid;
wire                       p_ready;
wire [IRQ_INDEX_WIDTH-1:0] p_index;
wire                       p_pasid_valid;
wire [19:0]                p_pasid;
wire                       p_mem;
wire [LINE_WIDTH-1:0]      p_line;
wire                       p_kill;
wire [LINE_WIDTH-1:0]      mem_rd_line;
wire [115:0]               mem_rd_entry;
wire                       mem_op_valid;
wire                       mem_op_ready;
wire [1:0]                 mem_op_kind;
wire [IDX_WIDTH-1:0]       mem_op_index;
wire [WORD_WIDTH-1:0]      mem_op_word;
wire [LINE_WIDTH-1:0]      mem_op_line;
wire                       mem_rsp_valid;

wire        direct_cand;
wire        replay_cand;
wire        direct_msg;
wire        replay_msg;
wire        cand_msg;
wire [3:0]  cand_msg_parts;
wire [63:0] msg_addr;
wire [31:0] msg_data;
wire        direct_pop;
wire        replay_pop;

ims_regs #(
    .NUM_SLOTS(NUM_SLOTS),
    .AXIL_ADDR_WIDTH(AXIL_ADDR_WIDTH),
    .SLOT_WIDTH(SLOT_WIDTH),
    .WORD_WIDTH(WORD_WIDTH),
    .MEM_MAX_ENTRIES(MEM_MAX_ENTRIES),
    .ENTRY_WIDTH(ENTRY_WIDTH)
) regs_inst (
    .clk(clk),
    .rst(rst),
    .s_axil_awaddr(s_axil_awaddr),
    .s_axil_awvalid(s_axil_awvalid),
    .s_axil_awready(s_axil_awready),
    .s_axil_wdata(s_axil_wdata),
    .s_axil_wstrb(s_axil_wstrb),
    .s_axil_wvalid(s_axil_wvalid),
    .s_axil_wready(s_axil_wready),
    .s_axil_bresp(s_axil_bresp),
    .s_axil_bvalid(s_axil_bvalid),
    .s_axil_bready(s_axil_bready),
    .s_axil_araddr(s_axil_araddr),
    .s_axil_arvalid(s_axil_arvalid),
    .s_axil_arready(s_axil_arready),
    .s_axil_rdata(s_axil_rdata),
    .s_axil_rresp(s_axil_rresp),
    .s_axil_rvalid(s_axil_rvalid),
    .s_axil_rready(s_axil_rready),
    .busy(busy),
    .ctrl_enable(ctrl_enable),
    .ctrl_func_mask(ctrl_func_mask),
    .ctrl_scan_req(ctrl_scan_req),
    .scan_busy(scan_busy),
    .op_valid(reg_op_valid),
    .op_ready(reg_op_ready),
    .op_kind(reg_op_kind),
    .op_slot(reg_op_slot),
    .op_dword(reg_op_dword),
    .op_word(reg_op_word),
    .op_wdata(reg_op_wdata),
    .op_wstrb(reg_op_wstrb),
    .rsp_valid(reg_rsp_valid),
    .rsp_rdata(reg_rsp_rdata),
    .ev_sent(ev_sent),
    .ev_wr_err(ev_wr_err),
    .ev_pended(ev_pended),
    .ev_drop_range(ev_drop_range),
    .ev_drop_pasid(ev_drop_pasid),
    .ev_drop_disabled(ev_drop_disabled),
    .ev_drop_disabled_mem(ev_drop_disabled_mem),
    .ev_fetch_err(ev_fetch_err),
    .mem_entries(mem_entries),
    .mem_base(mem_base),
    .mem_cmd_valid(mem_cmd_valid),
    .mem_cmd_kind(mem_cmd_kind),
    .mem_cmd_wdata(mem_cmd_wdata),
    .mem_cmd_done(mem_cmd_done),
    .mem_rx_all_req(mem_rx_all_req)
);

ims_msg_pipe #(
    .NUM_SLOTS(NUM_SLOTS),
    .IRQ_INDEX_WIDTH(IRQ_INDEX_WIDTH),
    .SLOT_WIDTH(IDX_WIDTH),
    .WORD_WIDTH(WORD_WIDTH),
    .PEND_WORDS(PEND_WORDS),
    .DIRECT_FIFO_DEPTH(2**DIRECT_FIFO_ADDR_WIDTH),
    .REPLAY_FIFO_DEPTH(2**REPLAY_FIFO_ADDR_WIDTH),
    .SS_WIDTH(SLOT_WIDTH),
    .SCAN_WORD_WIDTH(SCAN_WORD_WIDTH),
    .SCAN_PEND_WORDS(SCAN_PEND_WORDS),
    .LINE_WIDTH(LINE_WIDTH),
    .MEM_BUILT(MEM ? 1 : 0)
) msg_pipe_inst (
    .clk(clk),
    .rst(rst),
    .busy(busy),
    .s_irq_valid(p_valid),
    .s_irq_ready(p_ready),
    .s_irq_index(p_index),
    .s_irq_pasid_valid(p_pasid_valid),
    .s_irq_pasid(p_pasid),
    .s_irq_mem(p_mem),
    .s_irq_line(p_line),
    .s_irq_kill(p_kill),
    .mem_rd_line(mem_rd_line),
    .mem_rd_entry(mem_rd_entry),
    .mem_op_valid(mem_op_valid),
    .mem_op_ready(mem_op_ready),
    .mem_op_kind(mem_op_kind),
    .mem_op_index(mem_op_index),
    .mem_op_word(mem_op_word),
    .mem_op_line(mem_op_line),
    .mem_rsp_valid(mem_rsp_valid),
    .ctrl_enable(ctrl_enable),
    .ctrl_func_mask(ctrl_func_mask),
    .ctrl_scan_req(ctrl_scan_req),
    .scan_busy(scan_busy),
    .reg_op_valid(reg_op_valid),
    .reg_op_ready(reg_op_ready),
    .reg_op_kind(reg_op_kind),
    .reg_op_slot(reg_op_index),
    .reg_op_dword(reg_op_dword),
    .reg_op_word(reg_op_word),
    .reg_op_wdata(reg_op_wdata),
    .reg_op_wstrb(reg_op_wstrb),
    .reg_rsp_valid(reg_rsp_valid),
    .reg_rsp_rdata(reg_rsp_rdata),
    .ev_pended(ev_pended),
    .ev_drop_range(ev_drop_range),
    .ev_drop_pasid(ev_drop_pasid),
    .ev_drop_disabled(ev_drop_disabled),
    .direct_cand(direct_cand),
    .replay_cand(replay_cand),
    .direct_msg(direct_msg),
    .replay_msg(replay_msg),
    .cand_msg(cand_msg),
    .cand_msg_parts(cand_msg_parts),
    .msg_addr(msg_addr),
    .msg_data(msg_data),
    .direct_pop(direct_pop),
    .replay_pop(replay_pop)
);

// --------------------------------------------------------------------------
// section 7: memory-resident entries
// --------------------------------------------------------------------------

// the entry RAM's staging lines (re-examination images), after the cache and park lines
/* verilator lint_off WIDTH */
localparam [LINE_WIDTH-1:0] C_STAGE_LINE = MEM_CACHE_ENTRIES + PARK_DEPTH;
/* verilator lint_on WIDTH */

generate
if (MEM) begin : g_mem

    wire        hold;
    wire        park_empty;
    wire        inv_valid;
    wire        inv_all;
    wire [ENTRY_WIDTH-1:0] inv_entry;
    wire        mf_req_valid;
    wire        mf_req_ready;
    wire [ENTRY_WIDTH-1:0] mf_req_entry;
    wire        mf_rsp_valid;
    wire        mf_rsp_err;
    wire [RX_STAGE_WIDTH-1:0] mf_stage;
    wire        f_req_valid;
    wire        f_req_ready;
    wire [63:0] f_req_addr;
    wire        f_rsp_valid;
    wire [127:0] f_rsp_entry;
    wire        f_rsp_err;
    wire        f_idle;
    wire        f_rsp_arm_next;
    wire        f_rsp_beat_ok;

    ims_mem_front #(
        .NUM_SLOTS(NUM_SLOTS),
        .MEM_CACHE_ENTRIES(MEM_CACHE_ENTRIES),
        .IRQ_INDEX_WIDTH(IRQ_INDEX_WIDTH),
        .ENTRY_WIDTH(ENTRY_WIDTH),
        .LINE_WIDTH(LINE_WIDTH),
        .PARK_DEPTH(PARK_DEPTH),
        .STAGE_WIDTH(RX_STAGE_WIDTH),
        .MAX_OUTSTANDING(8)
    ) mem_front_inst (
        .clk(clk),
        .rst(rst),
        .ctrl_enable(ctrl_enable),
        .mem_entries(mem_entries),
        .mem_base(mem_base),
        .hold(hold || busy),
        .park_empty(park_empty),
        .s_irq_valid(s_irq_valid),
        .s_irq_ready(s_irq_ready),
        .s_irq_index(s_irq_index),
        .s_irq_pasid_valid(s_irq_pasid_valid),
        .s_irq_pasid(s_irq_pasid),
        .p_valid(p_valid),
        .p_ready(p_ready),
        .p_index(p_index),
        .p_pasid_valid(p_pasid_valid),
        .p_pasid(p_pasid),
        .p_mem(p_mem),
        .p_line(p_line),
        .p_kill(p_kill),
        .rd_line(mem_rd_line),
        .rd_entry(mem_rd_entry),
        .inv_valid(inv_valid),
        .inv_all(inv_all),
        .inv_entry(inv_entry),
        .mf_req_valid(mf_req_valid),
        .mf_req_ready(mf_req_ready),
        .mf_req_entry(mf_req_entry),
        .mf_rsp_valid(mf_rsp_valid),
        .mf_rsp_err(mf_rsp_err),
        .mf_stage(mf_stage),
        .ev_drop_disabled(ev_drop_disabled_mem),
        .ev_fetch_err(ev_fetch_err),
        .f_req_valid(f_req_valid),
        .f_req_ready(f_req_ready),
        .f_req_addr(f_req_addr),
        .f_rsp_valid(f_rsp_valid),
        .f_rsp_entry(f_rsp_entry),
        .f_rsp_err(f_rsp_err),
        .f_rsp_arm_next(f_rsp_arm_next),
        .f_rsp_beat_ok(f_rsp_beat_ok)
    );

    ims_mem_maint #(
        .NUM_SLOTS(NUM_SLOTS),
        .MEM_MAX_ENTRIES(MEM_MAX_ENTRIES),
        .ENTRY_WIDTH(ENTRY_WIDTH),
        .IDX_WIDTH(IDX_WIDTH),
        .WORD_WIDTH(WORD_WIDTH),
        .LINE_WIDTH(LINE_WIDTH),
        .STAGE_LINE0(MEM_CACHE_ENTRIES + PARK_DEPTH),
        .STAGE_WIDTH(RX_STAGE_WIDTH),
        .RX_FETCHES(5)      // five: a fetch counts from its request, two cycles before its AR (rtl/README.md)
    ) mem_maint_inst (
        .clk(clk),
        .rst(rst),
        .cmd_valid(mem_cmd_valid),
        .cmd_kind(mem_cmd_kind),
        .cmd_wdata(mem_cmd_wdata),
        .cmd_done(mem_cmd_done),
        .rx_all_req(mem_rx_all_req),
        .mem_entries(mem_entries),
        .hold(hold),
        .park_empty(park_empty),
        .trig_to_pipe(p_valid && p_ready),
        .inv_valid(inv_valid),
        .inv_all(inv_all),
        .inv_entry(inv_entry),
        .mf_req_valid(mf_req_valid),
        .mf_req_ready(mf_req_ready),
        .mf_req_entry(mf_req_entry),
        .mf_rsp_valid(mf_rsp_valid),
        .mf_rsp_err(mf_rsp_err),
        .mf_stage(mf_stage),
        .op_valid(mem_op_valid),
        .op_ready(mem_op_ready),
        .op_kind(mem_op_kind),
        .op_index(mem_op_index),
        .op_word(mem_op_word),
        .op_line(mem_op_line),
        .rsp_valid(mem_rsp_valid),
        .rsp_rdata(reg_rsp_rdata)
    );

    ims_axi_rd_master #(
        .AXI_ID_WIDTH(AXI_ID_WIDTH),
        .MAX_OUTSTANDING(8)
    ) rd_master_inst (
        .clk(clk),
        .rst(rst),
        .req_valid(f_req_valid),
        .req_ready(f_req_ready),
        .req_addr(f_req_addr),
        .rsp_valid(f_rsp_valid),
        .rsp_entry(f_rsp_entry),
        .rsp_err(f_rsp_err),
        .idle(f_idle),
        .rsp_arm_next(f_rsp_arm_next),
        .rsp_beat_ok(f_rsp_beat_ok),
        .m_axi_arid(m_axi_arid),
        .m_axi_araddr(m_axi_araddr),
        .m_axi_arlen(m_axi_arlen),
        .m_axi_arsize(m_axi_arsize),
        .m_axi_arburst(m_axi_arburst),
        .m_axi_arlock(m_axi_arlock),
        .m_axi_arcache(m_axi_arcache),
        .m_axi_arprot(m_axi_arprot),
        .m_axi_arvalid(m_axi_arvalid),
        .m_axi_arready(m_axi_arready),
        .m_axi_rid(m_axi_rid),
        .m_axi_rdata(m_axi_rdata),
        .m_axi_rresp(m_axi_rresp),
        .m_axi_rlast(m_axi_rlast),
        .m_axi_rvalid(m_axi_rvalid),
        .m_axi_rready(m_axi_rready)
    );

    wire unused_mem = f_idle;

end else begin : g_rev1

    // revision 1 exactly: the trigger port goes straight to the pipeline and
    // the read master is idle (its inputs ignored)
    assign s_irq_ready          = p_ready;
    assign p_valid              = s_irq_valid;
    assign p_index              = s_irq_index;
    assign p_pasid_valid        = s_irq_pasid_valid;
    assign p_pasid              = s_irq_pasid;
    assign p_mem                = 1'b0;
    assign p_line               = {LINE_WIDTH{1'b0}};
    assign p_kill               = 1'b0;
    assign mem_rd_entry         = 116'd0;
    assign mem_op_valid         = 1'b0;
    assign mem_op_kind          = 2'd0;
    assign mem_op_index         = {IDX_WIDTH{1'b0}};
    assign mem_op_word          = {WORD_WIDTH{1'b0}};
    assign mem_op_line          = C_STAGE_LINE;
    assign mem_cmd_done         = 1'b0;
    assign ev_drop_disabled_mem = 1'b0;
    assign ev_fetch_err         = 1'b0;
    assign m_axi_arid           = {AXI_ID_WIDTH{1'b0}};
    assign m_axi_araddr         = 64'd0;
    assign m_axi_arlen          = 8'd0;
    assign m_axi_arsize         = 3'd0;
    assign m_axi_arburst        = 2'd0;
    assign m_axi_arlock         = 1'b0;
    assign m_axi_arcache        = 4'd0;
    assign m_axi_arprot         = 3'd0;
    assign m_axi_arvalid        = 1'b0;
    assign m_axi_rready         = 1'b0;
    wire unused_rev1 = ^{m_axi_arready, m_axi_rid, m_axi_rdata, m_axi_rresp, m_axi_rlast, m_axi_rvalid,
                         mem_rd_line, mem_op_ready, mem_rsp_valid, mem_entries, mem_base, mem_cmd_valid,
                         mem_cmd_kind, mem_cmd_wdata, mem_rx_all_req};

end
endgenerate

ims_axi_wr_master #(
    .AXI_ID_WIDTH(AXI_ID_WIDTH),
    .DIRECT_FIFO_ADDR_WIDTH(DIRECT_FIFO_ADDR_WIDTH),
    .REPLAY_FIFO_ADDR_WIDTH(REPLAY_FIFO_ADDR_WIDTH)
) wr_master_inst (
    .clk(clk),
    .rst(rst),
    .direct_cand(direct_cand),
    .replay_cand(replay_cand),
    .direct_msg(direct_msg),
    .replay_msg(replay_msg),
    .cand_msg(cand_msg),
    .cand_msg_parts(cand_msg_parts),
    .msg_addr(msg_addr),
    .msg_data(msg_data),
    .direct_pop(direct_pop),
    .replay_pop(replay_pop),
    .ev_sent(ev_sent),
    .ev_wr_err(ev_wr_err),
    .m_axi_awid(m_axi_awid),
    .m_axi_awaddr(m_axi_awaddr),
    .m_axi_awlen(m_axi_awlen),
    .m_axi_awsize(m_axi_awsize),
    .m_axi_awburst(m_axi_awburst),
    .m_axi_awlock(m_axi_awlock),
    .m_axi_awcache(m_axi_awcache),
    .m_axi_awprot(m_axi_awprot),
    .m_axi_awvalid(m_axi_awvalid),
    .m_axi_awready(m_axi_awready),
    .m_axi_wdata(m_axi_wdata),
    .m_axi_wstrb(m_axi_wstrb),
    .m_axi_wlast(m_axi_wlast),
    .m_axi_wvalid(m_axi_wvalid),
    .m_axi_wready(m_axi_wready),
    .m_axi_bid(m_axi_bid),
    .m_axi_bresp(m_axi_bresp),
    .m_axi_bvalid(m_axi_bvalid),
    .m_axi_bready(m_axi_bready)
);

endmodule

`resetall
