/*
 * AXI4 read master for memory-entry fetches (contract section 7).
 *
 * Interface contract:
 *   req_*  one fetch per handshake: the 16-byte entry at req_addr (bits 3:0
 *          ignored, the entry is 16-byte aligned).  Issued as one INCR burst
 *          of four 32-bit beats (arlen 3, arsize 2), arid constant 0, so the
 *          responses return in request order.
 *   rsp_*  one pulse per fetch, in request order, in the cycle of its last R
 *          beat (combinational from the R channel: the §7 miss latency has no
 *          cycle to spare): the four beats as one 128-bit word (beat 0 in bits
 *          31:0) and rsp_err when any beat had RRESP != OKAY.  The owner takes
 *          every response (no ready).
 *   idle   no fetch issued and unanswered.
 * At most MAX_OUTSTANDING fetches are in flight; the R channel is always
 * ready (rready high out of reset): the owner takes each entry at once.
 * A request taken while no AR waits goes onto the AR channel in the same
 * cycle (m_axi_arvalid / m_axi_araddr combinational from req_*): the owner
 * decides a miss one cycle after the trigger's acceptance and the section 7
 * miss latency has no cycle to spare; an AR not accepted at once is held in
 * registers until its handshake (AXI: valid stays high).
 *
 * Sidebands: arcache 0011 (normal non-cacheable bufferable: the entry is
 * plain host memory that the driver writes), arprot 010, arlock 0.
 */

`default_nettype none

module ims_axi_rd_master #(
    parameter AXI_ID_WIDTH    = 4,
    parameter MAX_OUTSTANDING = 8
) (
    input  wire                    clk,
    input  wire                    rst,

    input  wire                    req_valid,
    output wire                    req_ready,
    input  wire [63:0]             req_addr,

    output wire                    rsp_valid,
    output wire [127:0]            rsp_entry,
    output wire                    rsp_err,
    output wire                    idle,
    // for an owner that lets a waiting trigger go in its answer's cycle from
    // flops: after this edge the next beat is the last and no error came yet
    // (rsp_arm_next), and the beat now is there without error (rsp_beat_ok);
    // rsp_valid && !rsp_err == (armed on the last edge) && rsp_beat_ok
    output wire                    rsp_arm_next,
    output wire                    rsp_beat_ok,

    output wire [AXI_ID_WIDTH-1:0] m_axi_arid,
    output wire [63:0]             m_axi_araddr,
    output wire [7:0]              m_axi_arlen,
    output wire [2:0]              m_axi_arsize,
    output wire [1:0]              m_axi_arburst,
    output wire                    m_axi_arlock,
    output wire [3:0]              m_axi_arcache,
    output wire [2:0]              m_axi_arprot,
    output wire                    m_axi_arvalid,
    input  wire                    m_axi_arready,
    input  wire [AXI_ID_WIDTH-1:0] m_axi_rid,
    input  wire [31:0]             m_axi_rdata,
    input  wire [1:0]              m_axi_rresp,
    input  wire                    m_axi_rlast,
    input  wire                    m_axi_rvalid,
    output wire                    m_axi_rready
);

localparam CNT_WIDTH = $clog2(MAX_OUTSTANDING + 1);

initial begin
    if (MAX_OUTSTANDING < 1) begin
        $error("Error: ims_axi_rd_master MAX_OUTSTANDING must be >= 1 (instance %m)");
        $finish;
    end
end

reg                 arvalid_reg, arvalid_next;
reg [63:0]          araddr_reg, araddr_next;
reg [CNT_WIDTH-1:0] outstanding_reg, outstanding_next;
reg [1:0]           beat_reg, beat_next;
reg [95:0]          beats_reg, beats_next;
reg                 err_reg, err_next;
reg                 rready_reg;
// req_ready as a flop (timing: the owner's request is several gates deep and
// feeds this block's own state; its ready must not add a compare after it)
reg                 req_ready_reg;

wire req_go  = req_valid && req_ready;
wire ar_done = m_axi_arvalid && m_axi_arready;
wire r_beat  = m_axi_rvalid && rready_reg;
// the last beat of a burst is counted here (beat 3), not taken from rlast:
// every fetch is exactly four beats
// (beat3_reg: the next beat is the fourth, from flops, so an answer is one
// gate of the R channel for the owner's head-goes term)
reg  beat3_reg;
wire r_last  = m_axi_rvalid && beat3_reg;
// fetches taken and not yet answered (a held AR included: the request's
// handshake counts, not the AR's, so the AXI ready stays out of the count),
// one-hot: bit n set when n are out
reg  [MAX_OUTSTANDING:0] taken_oh_reg;
wire [MAX_OUTSTANDING:0] taken_oh_next =
    (req_go && !r_last) ? {taken_oh_reg[MAX_OUTSTANDING-1:0], 1'b0} :
    ((!req_go && r_last) ? {1'b0, taken_oh_reg[MAX_OUTSTANDING:1]} : taken_oh_reg);
wire unused_r = ^{m_axi_rid, m_axi_rlast, req_addr[3:0]};

assign req_ready = req_ready_reg;
assign rsp_valid = r_last;
assign rsp_entry = {m_axi_rdata, beats_reg};
assign rsp_err   = err_reg || m_axi_rresp != 2'b00;
assign idle      = taken_oh_reg[0];
assign rsp_arm_next = beat_next == 2'd3 && !err_next && !rst;
assign rsp_beat_ok  = m_axi_rvalid && m_axi_rresp == 2'b00;

assign m_axi_arid    = {AXI_ID_WIDTH{1'b0}};
assign m_axi_araddr  = arvalid_reg ? araddr_reg : {req_addr[63:4], 4'd0};
assign m_axi_arlen   = 8'd3;
assign m_axi_arsize  = 3'd2;
assign m_axi_arburst = 2'b01;
assign m_axi_arlock  = 1'b0;
assign m_axi_arcache = 4'b0011;
assign m_axi_arprot  = 3'b010;
assign m_axi_arvalid = arvalid_reg || req_go;
assign m_axi_rready  = rready_reg;

always @* begin
    arvalid_next     = arvalid_reg;
    araddr_next      = araddr_reg;
    outstanding_next = outstanding_reg;
    beat_next        = beat_reg;
    beats_next       = beats_reg;
    err_next         = err_reg;

    // the held address follows the request while no AR is held (no load
    // enable from the late request term)
    if (!arvalid_reg) begin
        araddr_next      = {req_addr[63:4], 4'd0};
    end
    if (req_go) begin
        // handed over at once unless the AR channel is not ready
        arvalid_next     = !m_axi_arready;
    end else if (ar_done) begin
        arvalid_next     = 1'b0;
    end

    if (r_beat) begin
        beat_next = beat_reg + 2'd1;
        if (r_last) begin
            err_next   = 1'b0;
        end else begin
            beats_next = {m_axi_rdata, beats_reg[95:32]};
            err_next   = err_reg || m_axi_rresp != 2'b00;
        end
    end

    // issued on the AR handshake, answered on the last beat (the checks' count)
    outstanding_next = outstanding_reg + {{(CNT_WIDTH-1){1'b0}}, ar_done}
                                       - {{(CNT_WIDTH-1){1'b0}}, r_last};
end

always @(posedge clk) begin
    arvalid_reg     <= arvalid_next;
    araddr_reg      <= araddr_next;
    outstanding_reg <= outstanding_next;
    beat_reg        <= beat_next;
    beats_reg       <= beats_next;
    err_reg         <= err_next;
    rready_reg      <= 1'b1;
    beat3_reg       <= beat_next == 2'd3;
    taken_oh_reg    <= taken_oh_next;
    // (!arvalid_next && outstanding_next < MAX_OUTSTANDING: with no AR held
    // after the edge, the taken count is the outstanding one)
    req_ready_reg   <= !arvalid_next && !taken_oh_next[MAX_OUTSTANDING];

    if (rst) begin
        arvalid_reg     <= 1'b0;
        outstanding_reg <= 0;
        beat_reg        <= 2'd0;
        err_reg         <= 1'b0;
        rready_reg      <= 1'b0;
        beat3_reg       <= 1'b0;
        req_ready_reg   <= 1'b0;
        taken_oh_reg    <= {{MAX_OUTSTANDING{1'b0}}, 1'b1};
    end
end

`ifndef SYNTHESIS
// req_ready_reg against its definition (from the second edge out of reset)
reg rst_q;
always @(posedge clk) begin
    rst_q <= rst;
    if (!rst && taken_oh_reg != ({{MAX_OUTSTANDING{1'b0}}, 1'b1} << (outstanding_reg + arvalid_reg))) begin
        $fatal(1, "ims_axi_rd_master: taken count %b, held AR %b, %0d outstanding (%m)",
               taken_oh_reg, arvalid_reg, outstanding_reg);
    end
    if (!rst && !rst_q && req_ready_reg != (!arvalid_reg && outstanding_reg < MAX_OUTSTANDING)) begin
        $fatal(1, "ims_axi_rd_master: req_ready %b, held AR %b, %0d outstanding (%m)",
               req_ready_reg, arvalid_reg, outstanding_reg);
    end
end
`endif

endmodule

`resetall
