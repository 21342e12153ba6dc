/*
 * AXI4 write-only master for interrupt messages.
 *
 * Two queues feed it: direct messages (in trigger order) and replays.  When
 * both hold a message they are served alternately, so replays are not
 * starved by a trigger storm and vice versa.  Each message is one beat
 * (AWLEN 0, AWSIZE 2, INCR, WSTRB 0xF, WLAST 1).
 *
 * AW and W are presented together and handshake independently: once a
 * message is on the bus its queue choice is locked until both channels have
 * handshaken (AXI forbids changing AWADDR/WDATA while VALID waits), then the
 * queue is popped and the next message goes out on the same edge, so with
 * AWREADY and WREADY high one message completes every clock.
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

    // messages from the pipeline (stage C)
    input  wire                    msg_valid,
    input  wire                    msg_is_replay,
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

// Each queue is a FIFO plus a bypass: when the FIFO is empty, the message
// arriving from the pipeline this cycle is offered on the bus at once.  It
// is pushed all the same; if it completes in this cycle the pop consumes it
// (see ims_fifo), otherwise it is the FIFO head on the next cycle, so
// AWADDR/WDATA stay stable.  This saves one cycle of trigger to AWVALID
// latency.
wire        direct_in = msg_valid && !msg_is_replay;
wire        replay_in = msg_valid && msg_is_replay;

wire        direct_fifo_valid;
wire [95:0] direct_fifo_head;
wire        replay_fifo_valid;
wire [95:0] replay_fifo_head;

wire        direct_valid = direct_fifo_valid || direct_in;
wire [95:0] direct_head  = direct_fifo_valid ? direct_fifo_head : {msg_addr, msg_data};
wire        replay_valid = replay_fifo_valid || replay_in;
wire [95:0] replay_head  = replay_fifo_valid ? replay_fifo_head : {msg_addr, msg_data};

ims_fifo #(
    .WIDTH(96),
    .ADDR_WIDTH(DIRECT_FIFO_ADDR_WIDTH)
) direct_fifo_inst (
    .clk(clk),
    .rst(rst),
    .in_valid(direct_in),
    .in_data({msg_addr, msg_data}),
    .out_valid(direct_fifo_valid),
    .out_data(direct_fifo_head),
    .out_pop(direct_pop)
);

ims_fifo #(
    .WIDTH(96),
    .ADDR_WIDTH(REPLAY_FIFO_ADDR_WIDTH)
) replay_fifo_inst (
    .clk(clk),
    .rst(rst),
    .in_valid(replay_in),
    .in_data({msg_addr, msg_data}),
    .out_valid(replay_fifo_valid),
    .out_data(replay_fifo_head),
    .out_pop(replay_pop)
);

reg locked_reg;          // a message is on the bus, queue choice fixed
reg locked_replay_reg;   // ... and it is the replay queue's head
reg last_replay_reg;     // last completed message was a replay
reg aw_done_reg;
reg w_done_reg;
reg bready_reg;

// alternate when both queues wait
wire pick_replay = locked_reg ? locked_replay_reg
                 : (replay_valid && (!direct_valid || !last_replay_reg));

wire cur_valid = pick_replay ? replay_valid : direct_valid;
wire [95:0] cur_msg = pick_replay ? replay_head : direct_head;

wire aw_hs = m_axi_awvalid && m_axi_awready;
wire w_hs  = m_axi_wvalid && m_axi_wready;
wire complete = cur_valid && (aw_done_reg || aw_hs) && (w_done_reg || w_hs);

assign direct_pop = complete && !pick_replay;
assign replay_pop = complete && pick_replay;

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
    if (complete) begin
        locked_reg      <= 1'b0;
        last_replay_reg <= pick_replay;
        aw_done_reg     <= 1'b0;
        w_done_reg      <= 1'b0;
    end else if (cur_valid) begin
        locked_reg        <= 1'b1;
        locked_replay_reg <= pick_replay;
        aw_done_reg       <= aw_done_reg || aw_hs;
        w_done_reg        <= w_done_reg || w_hs;
    end

    ev_sent    <= complete;
    ev_wr_err  <= m_axi_bvalid && m_axi_bready && m_axi_bresp != 2'b00;
    bready_reg <= 1'b1;

    if (rst) begin
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
