/*
 * AXI4 write-only master for interrupt messages.
 *
 * Two queues feed it: direct messages (in trigger order) and replays.  When
 * both hold a message they are served alternately, so replays are not
 * starved by a trigger storm and vice versa.  Each message is one beat
 * (AWLEN 0, AWSIZE 2, INCR, WSTRB 0xF, WLAST 1).
 *
 * The pipeline's stage C hands over a message candidate (direct_cand /
 * replay_cand, address and data: flops) and, late in the same cycle,
 * whether it really is a message (direct_msg / replay_msg: the end of the
 * trigger decision).  Only a few gates may follow those late signals, so:
 *  - the candidate is written into its queue's tail unconditionally and the
 *    late signal only commits it (ims_fifo);
 *  - when both queues are empty the candidate itself is on the bus (AWVALID
 *    rises right after the edge that registered it: trigger at edge N,
 *    AWVALID sampled high at N+3); which source drives AWADDR/WDATA is
 *    chosen from flops only (queue occupancy, lock, last served), never
 *    from the late decision;
 *  - otherwise the bus shows a queue head: the queue it was taken from stays
 *    locked until both AW and W have handshaken (AXI forbids changing
 *    AWADDR/WDATA while VALID waits).  A message on the bus that did not
 *    complete in its first cycle is in its queue by the next one, so "both
 *    queues empty" also means "nothing locked".
 * A candidate arriving while the other queue holds messages waits one cycle
 * in its queue, so alternation is decided among queued messages only.
 *
 * B responses are always accepted; BRESP != OKAY is reported, not retried.
 */

`default_nettype none

module ims_axi_wr_master #(
    parameter AXI_ID_WIDTH             = 4,
    parameter DIRECT_FIFO_ADDR_WIDTH   = 3,
    parameter REPLAY_FIFO_ADDR_WIDTH   = 2
) (
    input  wire                    clk,
    input  wire                    rst,

    // message candidate from the pipeline (stage C): *_cand and the
    // message from flops, *_msg decided late in the cycle (implies *_cand)
    input  wire                    direct_cand,
    input  wire                    replay_cand,
    input  wire                    direct_msg,
    input  wire                    replay_msg,
    input  wire                    cand_msg,      // direct_msg || replay_msg
    input  wire [63:0]             msg_addr,
    input  wire [31:0]             msg_data,

    // one queue entry left the bus (credit return)
    output wire                    direct_pop,
    output wire                    replay_pop,

    // events (one cycle pulses)
    output reg                     ev_sent,
    output reg                     ev_wr_err,

    output wire [AXI_ID_WIDTH-1:0] m_axi_awid,
    output wire [63:0]             m_axi_awaddr,
    output wire [7:0]              m_axi_awlen,
    output wire [2:0]              m_axi_awsize,
    output wire [1:0]              m_axi_awburst,
    output wire                    m_axi_awlock,
    output wire [3:0]              m_axi_awcache,
    output wire [2:0]              m_axi_awprot,
    output wire                    m_axi_awvalid,
    input  wire                    m_axi_awready,
    output wire [31:0]             m_axi_wdata,
    output wire [3:0]              m_axi_wstrb,
    output wire                    m_axi_wlast,
    output wire                    m_axi_wvalid,
    input  wire                    m_axi_wready,
    input  wire [AXI_ID_WIDTH-1:0] m_axi_bid,
    input  wire [1:0]              m_axi_bresp,
    input  wire                    m_axi_bvalid,
    output wire                    m_axi_bready
);

wire        direct_fifo_valid;
wire        direct_fifo_occ_next;
wire [95:0] direct_fifo_head;
wire        bypass_taken;
wire        direct_head_pop;
wire        replay_head_pop;
wire        replay_fifo_valid;
wire        replay_fifo_occ_next;
wire [95:0] replay_fifo_head;

ims_fifo #(
    .WIDTH(96),
    .ADDR_WIDTH(DIRECT_FIFO_ADDR_WIDTH)
) direct_fifo_inst (
    .clk(clk),
    .rst(rst),
    .in_write(direct_cand),
    .in_valid(direct_msg),
    .in_taken(bypass_taken),
    .in_data({msg_addr, msg_data}),
    .out_valid(direct_fifo_valid),
    .occ_next(direct_fifo_occ_next),
    .out_data(direct_fifo_head),
    .out_pop(direct_head_pop)
);

ims_fifo #(
    .WIDTH(96),
    .ADDR_WIDTH(REPLAY_FIFO_ADDR_WIDTH)
) replay_fifo_inst (
    .clk(clk),
    .rst(rst),
    .in_write(replay_cand),
    .in_valid(replay_msg),
    .in_taken(bypass_taken),
    .in_data({msg_addr, msg_data}),
    .out_valid(replay_fifo_valid),
    .occ_next(replay_fifo_occ_next),
    .out_data(replay_fifo_head),
    .out_pop(replay_head_pop)
);

reg locked_reg;          // a queue head is on the bus, queue choice fixed
reg locked_replay_reg;   // ... and it is the replay queue's head
reg last_replay_reg;     // last completed message was a replay
reg aw_done_reg;
reg w_done_reg;
reg bready_reg;

// the candidate goes straight to the bus only when nothing is queued
wire bypass = !direct_fifo_valid && !replay_fifo_valid;

// queue heads: alternate when both wait (from flops only)
wire pick_replay_fifo = locked_reg ? locked_replay_reg
                      : (replay_fifo_valid && (!direct_fifo_valid || !last_replay_reg));

wire        cur_replay = bypass ? replay_cand : pick_replay_fifo;
wire        cur_valid  = !bypass || cand_msg;
// The AWADDR/WDATA mux (96 bits) takes its select from its own flop, a copy
// of "a queue holds a message" (its complement is `bypass`), so the wide
// fan-out stays off the control logic.
// The same for the queue choice: pick_replay_data_reg is pick_replay_fifo,
// registered from its next-state terms.
reg         queued_reg;
reg         pick_replay_data_reg;
wire [95:0] cur_msg    = !queued_reg ? {msg_addr, msg_data}
                       : (pick_replay_data_reg ? replay_fifo_head : direct_fifo_head);

// The late decision (cand_msg and the two *_msg) meets only single flops
// and the AXI valid outputs: the queues take it through their commit flop.
// While bypassing nothing is half done (aw_done/w_done are 0).
wire both_ready     = m_axi_awready && m_axi_wready;
wire queue_complete = !bypass && (aw_done_reg || m_axi_awready) && (w_done_reg || m_axi_wready);
// the candidate on the bus completes this cycle if it is a message
assign bypass_taken = bypass && both_ready;

assign direct_head_pop = !pick_replay_fifo && queue_complete;
assign replay_head_pop = pick_replay_fifo && queue_complete;

// credit returns: a queue head left, or a message went straight through
assign direct_pop = direct_head_pop || (direct_msg && bypass_taken);
assign replay_pop = replay_head_pop || (replay_msg && bypass_taken);

// Next state for both values of the late cand_msg, from flops and the AXI
// inputs; cand_msg only chooses (one gate after it).
wire complete_if_msg = queue_complete || bypass_taken;
wire complete        = cand_msg ? complete_if_msg : queue_complete;

wire locked_if_msg = bypass ? !both_ready : !queue_complete;
wire locked_no_msg = !bypass && !queue_complete;

wire aw_done_if_busy = aw_done_reg || m_axi_awready;
wire w_done_if_busy  = w_done_reg || m_axi_wready;

wire last_if_msg = complete_if_msg ? cur_replay : last_replay_reg;
wire last_no_msg = queue_complete ? cur_replay : last_replay_reg;

// queue contents after this edge (a message not taken from the bus is committed)
wire direct_held_if_msg = direct_fifo_occ_next || (direct_cand && !bypass_taken);
wire replay_held_if_msg = replay_fifo_occ_next || (replay_cand && !bypass_taken);
wire queued_if_msg = direct_held_if_msg || replay_held_if_msg;
wire queued_no_msg = direct_fifo_occ_next || replay_fifo_occ_next;
wire pick_if_msg = locked_if_msg ? cur_replay
                 : (replay_held_if_msg && (!direct_held_if_msg || !last_if_msg));
wire pick_no_msg = locked_no_msg ? cur_replay
                 : (replay_fifo_occ_next && (!direct_fifo_occ_next || !last_no_msg));

// Device Bufferable: an interrupt write must reach its target as exactly
// one unmodified DWORD write (non-modifiable), but like a PCIe MSI it is
// posted, so an early response is fine.  Unprivileged, non-secure data.
assign m_axi_awid    = {AXI_ID_WIDTH{1'b0}};
assign m_axi_awaddr  = cur_msg[95:32];
assign m_axi_awlen   = 8'd0;
assign m_axi_awsize  = 3'd2;
assign m_axi_awburst = 2'b01;
assign m_axi_awlock  = 1'b0;
assign m_axi_awcache = 4'b0001;
assign m_axi_awprot  = 3'b010;
assign m_axi_awvalid = cur_valid && !aw_done_reg && !rst;
assign m_axi_wdata   = cur_msg[31:0];
assign m_axi_wstrb   = 4'hf;
assign m_axi_wlast   = 1'b1;
assign m_axi_wvalid  = cur_valid && !w_done_reg && !rst;
assign m_axi_bready  = bready_reg && !rst;

wire unused_bid = ^m_axi_bid;

always @(posedge clk) begin
    locked_reg           <= cand_msg ? locked_if_msg : locked_no_msg;
    locked_replay_reg    <= cur_replay;
    aw_done_reg          <= cand_msg ? (locked_if_msg && aw_done_if_busy) : (locked_no_msg && aw_done_if_busy);
    w_done_reg           <= cand_msg ? (locked_if_msg && w_done_if_busy) : (locked_no_msg && w_done_if_busy);
    last_replay_reg      <= cand_msg ? last_if_msg : last_no_msg;
    queued_reg           <= cand_msg ? queued_if_msg : queued_no_msg;
    pick_replay_data_reg <= cand_msg ? pick_if_msg : pick_no_msg;
    ev_sent    <= complete;
    ev_wr_err  <= m_axi_bvalid && m_axi_bready && m_axi_bresp != 2'b00;
    bready_reg <= 1'b1;

    if (rst) begin
        queued_reg      <= 1'b0;
        pick_replay_data_reg <= 1'b0;
        locked_reg      <= 1'b0;
        last_replay_reg <= 1'b0;
        aw_done_reg     <= 1'b0;
        w_done_reg      <= 1'b0;
        ev_sent         <= 1'b0;
        ev_wr_err       <= 1'b0;
        bready_reg      <= 1'b0;
    end
end

endmodule

`resetall
