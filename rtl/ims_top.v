/*
 * Interrupt Message Store (IMS) block, top level.
 *
 * Contract: shared spec "IMS block - hardware contract", revision 1.
 *
 *   s_axil_*  AXI4-Lite register / slot table access   -> ims_regs
 *   s_irq_*   trigger stream                           -> ims_msg_pipe
 *   m_axi_*   AXI4 write master for interrupt messages <- ims_axi_wr_master
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
    parameter AXI_ID_WIDTH    = 4
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
    output wire                       m_axi_bready
);

localparam SLOT_WIDTH = (NUM_SLOTS > 1) ? $clog2(NUM_SLOTS) : 1;
localparam PEND_WORDS = (NUM_SLOTS > 32) ? NUM_SLOTS / 32 : 1;
localparam WORD_WIDTH = (SLOT_WIDTH > 5) ? SLOT_WIDTH - 5 : 1;

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

wire        direct_cand;
wire        replay_cand;
wire        direct_msg;
wire        replay_msg;
wire        cand_msg;
wire [63:0] msg_addr;
wire [31:0] msg_data;
wire        direct_pop;
wire        replay_pop;

ims_regs #(
    .NUM_SLOTS(NUM_SLOTS),
    .AXIL_ADDR_WIDTH(AXIL_ADDR_WIDTH),
    .SLOT_WIDTH(SLOT_WIDTH),
    .WORD_WIDTH(WORD_WIDTH),
    .PEND_WORDS(PEND_WORDS)
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
    .ev_drop_disabled(ev_drop_disabled)
);

ims_msg_pipe #(
    .NUM_SLOTS(NUM_SLOTS),
    .IRQ_INDEX_WIDTH(IRQ_INDEX_WIDTH),
    .SLOT_WIDTH(SLOT_WIDTH),
    .WORD_WIDTH(WORD_WIDTH),
    .PEND_WORDS(PEND_WORDS),
    .DIRECT_FIFO_DEPTH(2**DIRECT_FIFO_ADDR_WIDTH),
    .REPLAY_FIFO_DEPTH(2**REPLAY_FIFO_ADDR_WIDTH)
) msg_pipe_inst (
    .clk(clk),
    .rst(rst),
    .busy(busy),
    .s_irq_valid(s_irq_valid),
    .s_irq_ready(s_irq_ready),
    .s_irq_index(s_irq_index),
    .s_irq_pasid_valid(s_irq_pasid_valid),
    .s_irq_pasid(s_irq_pasid),
    .ctrl_enable(ctrl_enable),
    .ctrl_func_mask(ctrl_func_mask),
    .ctrl_scan_req(ctrl_scan_req),
    .scan_busy(scan_busy),
    .reg_op_valid(reg_op_valid),
    .reg_op_ready(reg_op_ready),
    .reg_op_kind(reg_op_kind),
    .reg_op_slot(reg_op_slot),
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
    .msg_addr(msg_addr),
    .msg_data(msg_data),
    .direct_pop(direct_pop),
    .replay_pop(replay_pop)
);

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
