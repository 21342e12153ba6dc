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
 * whether it really is a message (cand_msg, the end of the trigger
 * decision; with the candidate's kind it says which queue, so direct_msg /
 * replay_msg are only checked in simulation).  Only one gate may follow
 * cand_msg, so:
 *  - the candidate is written into its queue's tail unconditionally and
 *    cand_msg only commits it (ims_fifo);
 *  - when both queues are empty the candidate itself is on the bus (AWVALID
 *    rises right after the edge that registered it: trigger at edge N,
 *    AWVALID sampled high at N+3); which source drives AWADDR/WDATA is
 *    chosen from flops only, never from the late decision;
 *  - otherwise the bus shows a queue head, which stays until both AW and W
 *    have handshaken (AXI forbids changing AWADDR/WDATA while VALID waits).
 *    A message on the bus that did not complete in its first cycle is in its
 *    queue by the next one, so "both queues empty" also means "nothing
 *    half done";
 *  - every flop that must see the decision at the next edge (queued, queue
 *    choice, the queues' commit) takes it as the last mux between two next
 *    values formed from flops and the AXI ready inputs; the rest follows a
 *    cycle later from those flops (queue occupancy, the held-message count)
 *    or from cand_msg registered (credit return and ev_sent of a message
 *    that went straight through: one edge later than for a queued one).
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
    // the same decision in its parts: {pre, lo, hi, rep}, cand_msg = pre ||
    // (lo && hi) || rep (ims_msg_decide), for the queue-state flops
    input  wire [3:0]              cand_msg_parts,
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

localparam TOTAL_DEPTH = (1 << DIRECT_FIFO_ADDR_WIDTH) + (1 << REPLAY_FIFO_ADDR_WIDTH);

wire        direct_fifo_valid;
wire        direct_fifo_more;
wire        direct_fifo_newest;
wire [95:0] direct_fifo_head;
wire        bypass_taken;
wire        direct_head_pop;
wire        replay_head_pop;
wire        replay_fifo_valid;
wire        replay_fifo_more;
wire        replay_fifo_newest;
wire [95:0] replay_fifo_head;

ims_fifo #(
    .WIDTH(96),
    .ADDR_WIDTH(DIRECT_FIFO_ADDR_WIDTH)
) direct_fifo_inst (
    .clk(clk),
    .rst(rst),
    .in_write(direct_cand),
    .in_valid(cand_msg),
    .in_taken(bypass_taken),
    .in_data({msg_addr, msg_data}),
    .out_valid(direct_fifo_valid),
    .out_more(direct_fifo_more),
    .out_newest(direct_fifo_newest),
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
    .in_valid(cand_msg),
    .in_taken(bypass_taken),
    .in_data({msg_addr, msg_data}),
    .out_valid(replay_fifo_valid),
    .out_more(replay_fifo_more),
    .out_newest(replay_fifo_newest),
    .out_data(replay_fifo_head),
    .out_pop(replay_head_pop)
);

// Messages held in both queues together.  "A queue holds a message" is a
// flop (queued_reg, its complement is the bypass condition) whose next value
// is one mux on the late cand_msg.  The count itself is kept as a
// thermometer of the messages other than the one committed at the last edge
// (older_reg[k]: more than k), which follows that commit a cycle later, from
// the queues' commit flops, like the queues' own occupancy.
reg  [TOTAL_DEPTH-1:0] older_reg;
reg                    queued_reg;
wire queued    = queued_reg;
wire newest    = direct_fifo_newest || replay_fifo_newest;
wire held_more = older_reg[1] || (older_reg[0] && newest);   // two or more
reg  pick_replay_reg;    // the queue head on the bus is the replay queue's
// AW / W of the queue head on the bus have handshaken (meaningful only while
// queued: set from the AXI inputs alone while bypassing, so that they do not
// wait for the late decision)
reg  aw_done_reg;
reg  w_done_reg;
reg  bready_reg;

// The AWADDR/WDATA mux (96 bits) takes its selects from their own copies of
// queued_reg and pick_replay_reg, so the wide fan-out stays off the
// control logic.
reg         queued_data_reg;
reg         pick_replay_data_reg;
wire [95:0] cur_msg    = !queued_data_reg ? {msg_addr, msg_data}
                       : (pick_replay_data_reg ? replay_fifo_head : direct_fifo_head);

// The queue head on the bus completes this cycle if both channels are (or
// were) ready; the candidate, if it is a message, if both are ready now.
wire aw_ok          = aw_done_reg || m_axi_awready;
wire w_ok           = w_done_reg || m_axi_wready;
wire head_complete  = aw_ok && w_ok;
wire queue_complete = queued && head_complete;
wire bypass_ready   = m_axi_awready && m_axi_wready;
assign bypass_taken = !queued && bypass_ready;

assign direct_head_pop = queue_complete && !pick_replay_reg;
assign replay_head_pop = queue_complete && pick_replay_reg;

// Credit returns: a queue head left, or (a cycle later, so that the late
// cand_msg meets one flop here) a message went straight through.  The cycle
// after a bypass nothing is queued, so the two never coincide.
reg msg_reg;             // cand_msg, registered
reg bypass_direct_reg;   // a direct candidate was on the bus and taken
reg bypass_replay_reg;   // ... a replay candidate
assign direct_pop = direct_head_pop || (bypass_direct_reg && msg_reg);
assign replay_pop = replay_head_pop || (bypass_replay_reg && msg_reg);

// Next state for both values of the late cand_msg, from flops and the AXI
// inputs (at most two gates); cand_msg only chooses (one gate after it).
wire queued_if_msg = queued || !bypass_ready;
wire queued_no_msg = queued && (!head_complete || held_more);

wire [TOTAL_DEPTH+1:0] older_ext = {1'b0, older_reg, 1'b1};
wire [TOTAL_DEPTH-1:0] older_next = (newest && !queue_complete) ? older_ext[TOTAL_DEPTH-1:0]
                                  : (!newest && queue_complete) ? older_ext[TOTAL_DEPTH+1:2]
                                  : older_reg;

// Queue choice: a head stays on the bus until it completes (AXI forbids
// changing AWADDR/WDATA while VALID waits); after a completion the other
// queue is served if it holds a message, so the two alternate when both
// wait.  A candidate that does not complete straight from the bus is
// locked as the head of its own queue.
// The choice only matters while a queue holds a message (queued_reg): with
// nothing queued no pop looks at it and the bus shows the candidate.  So it
// is formed for the next cycle's queued case only, and "nothing queued now"
// needs no term of its own: both queues are empty then (checked below in
// simulation), where "serve the candidate's queue" is exactly what the
// completion terms give.  That leaves each next value one 2:1 choice (head
// held, else the completion terms) over two functions of flops.
wire head_hold     = queued && !head_complete;
wire pick_go_if_msg = pick_replay_reg ? (replay_cand && !direct_fifo_valid)
                                      : (replay_cand || replay_fifo_valid);
wire pick_go_no_msg = pick_replay_reg ? (replay_fifo_more && !direct_fifo_valid)
                                      : replay_fifo_valid;

wire aw_done_next = queued ? (!head_complete && aw_ok) : (m_axi_awready && !m_axi_wready);
wire w_done_next  = queued ? (!head_complete && w_ok)  : (m_axi_wready && !m_axi_awready);

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
assign m_axi_awvalid = (queued ? !aw_done_reg : cand_msg) && !rst;
assign m_axi_wdata   = cur_msg[31:0];
assign m_axi_wstrb   = 4'hf;
assign m_axi_wlast   = 1'b1;
assign m_axi_wvalid  = (queued ? !w_done_reg : cand_msg) && !rst;
assign m_axi_bready  = bready_reg && !rst;

wire unused_inputs = ^{m_axi_bid, direct_fifo_more};

// The late decision as the last gate before the queue state flops, taken in
// its parts (ims_late_or_mux, kept): the decision's last OR and the choice
// are one 6-input gate beside the flops, so the route from stage C ends one
// gate earlier.  rst is folded into the choices (for the queue choice with
// the held head: value 0), not a reset of the flops, so nothing follows the
// choice (a synchronous reset of a kept flop becomes a gate after it).  The
// data-mux copies are flops of their own (kept: synthesis would merge
// identical flops).
wire queued_next;
wire pick_replay_next;
// queued takes the decision's parts: its last OR is folded into the choice
ims_late_or_mux late_queued_inst (
    .parts(cand_msg_parts),
    .if_sel(queued_if_msg && !rst),
    .if_not(queued_no_msg && !rst),
    .out(queued_next)
);

wire state_hold = head_hold || rst;
wire pick_hold_val = pick_replay_reg && !rst;
ims_late_or_mux late_pick_inst (
    .parts(cand_msg_parts),
    .if_sel(state_hold ? pick_hold_val : pick_go_if_msg),
    .if_not(state_hold ? pick_hold_val : pick_go_no_msg),
    .out(pick_replay_next)
);

(* keep *)
always @(posedge clk) begin
    queued_reg      <= queued_next;
    pick_replay_reg <= pick_replay_next;
end

(* keep *)
always @(posedge clk) begin
    queued_data_reg      <= queued_next;
    pick_replay_data_reg <= pick_replay_next;
end

always @(posedge clk) begin
    older_reg            <= older_next;
    aw_done_reg          <= aw_done_next;
    w_done_reg           <= w_done_next;
    msg_reg              <= cand_msg;
    bypass_direct_reg    <= direct_cand && bypass_taken;
    bypass_replay_reg    <= replay_cand && bypass_taken;
    // as the credit returns, a bypass completion is counted a cycle late
    ev_sent    <= queue_complete || ((bypass_direct_reg || bypass_replay_reg) && msg_reg);
    ev_wr_err  <= m_axi_bvalid && m_axi_bready && m_axi_bresp != 2'b00;
    bready_reg <= 1'b1;

    if (rst) begin
        older_reg            <= 0;
        aw_done_reg          <= 1'b0;
        w_done_reg           <= 1'b0;
        msg_reg              <= 1'b0;
        bypass_direct_reg    <= 1'b0;
        bypass_replay_reg    <= 1'b0;
        ev_sent              <= 1'b0;
        ev_wr_err            <= 1'b0;
        bready_reg           <= 1'b0;
    end
end

`ifndef SYNTHESIS
// The queues and the credit returns take the late decision as cand_msg and
// the candidate's kind (a flop): one op per cycle is in stage C.
always @(posedge clk) begin
    if (!rst) begin
        if (direct_cand && replay_cand) begin
            $fatal(1, "ims_axi_wr_master: direct and replay candidate in one cycle (%m)");
        end
        if (cand_msg != (cand_msg_parts[3] || (cand_msg_parts[2] && cand_msg_parts[1]) || cand_msg_parts[0])) begin
            $fatal(1, "ims_axi_wr_master: cand_msg_parts do not make cand_msg (%m)");
        end
        // the queue choice above relies on it: nothing queued, both queues empty
        if (!queued_reg && (direct_fifo_valid || replay_fifo_valid)) begin
            $fatal(1, "ims_axi_wr_master: a queue holds a message while queued_reg is low (%m)");
        end
        if (cand_msg != ((direct_msg && direct_cand) || (replay_msg && replay_cand)) ||
            (direct_msg && !direct_cand) || (replay_msg && !replay_cand)) begin
            $fatal(1, "ims_axi_wr_master: cand_msg does not match direct_msg / replay_msg (%m)");
        end
    end
end
`endif

endmodule

`resetall
