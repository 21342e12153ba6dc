// dsa_ims message engine: takes one request or one replay at a time, decides it in the next
// cycle with the IMS rules (range, enable, PASID, mask) and sends at most one single-beat
// write, waiting for its response before taking the next. Replays and requests alternate when
// both wait, so neither starves.
`default_nettype none

module dsa_ims_engine #(
    parameter integer NSLOT = 16,
    parameter integer SW = 4,
    parameter integer IDX_W = 8,
    parameter integer ID_W = 2
) (
    input  wire             aclk,
    input  wire             aresetn,
    input  wire             req,
    output wire             gnt,
    input  wire [IDX_W-1:0] vec,
    input  wire             has_pasid,
    input  wire [19:0]      pasid,
    input  wire             enable,
    output wire [SW-1:0]    rd_idx,
    input  wire [29:0]      rd_addr_lo,
    input  wire [31:0]      rd_addr_hi,
    input  wire [31:0]      rd_data,
    input  wire             rd_mask,
    input  wire             rd_pend,
    input  wire             rd_pasid_en,
    input  wire [19:0]      rd_pasid,
    output reg              pend_set,
    output reg              pend_clr,
    output reg  [SW-1:0]    pend_idx,
    input  wire [NSLOT-1:0] replay_ready,
    output wire [ID_W-1:0]  awid,
    output wire [63:0]      awaddr,
    output wire [7:0]       awlen,
    output wire [2:0]       awsize,
    output wire [1:0]       awburst,
    output wire [3:0]       awcache,
    output wire [2:0]       awprot,
    output wire             awvalid,
    input  wire             awready,
    output wire [31:0]      wdata,
    output wire [3:0]       wstrb,
    output wire             wlast,
    output wire             wvalid,
    input  wire             wready,
    input  wire             bvalid,
    output wire             bready
);
    localparam [2:0] S_IDLE = 3'd0, S_DECIDE = 3'd1, S_REPLAY = 3'd2, S_SEND = 3'd3, S_RESP = 3'd4;

    reg [2:0]       state_reg;
    reg [IDX_W-1:0] vec_reg;
    reg             has_pasid_reg;
    reg [19:0]      pasid_reg;
    reg [SW-1:0]    replay_idx_reg;
    reg             last_was_replay_reg;
`ifdef PLANT_BUG_LOST_REPLAY
    reg             replay_contended_reg;   // the planted bug's trigger condition
`endif
    reg [63:0]      msg_addr_reg;
    reg [31:0]      msg_data_reg;
    reg             aw_done_reg;
    reg             w_done_reg;
`ifdef PLANT_BUG_SLOW_SEND
    reg             send_wait_reg;          // one idle cycle in S_SEND before AWVALID/WVALID
`endif

    // Lowest entry whose pending bit is set and mask clear.
    reg [SW-1:0] first_ready;
    integer k;
    always @(*) begin
        first_ready = {SW{1'b0}};
        for (k = NSLOT - 1; k >= 0; k = k - 1)
            if (replay_ready[k]) first_ready = k[SW-1:0];
    end
    wire replay_avail = enable && (|replay_ready);
    wire take_replay = (state_reg == S_IDLE) && replay_avail && (!req || !last_was_replay_reg);
    assign gnt = aresetn && (state_reg == S_IDLE) && !take_replay;
    wire accept = gnt && req;

    assign rd_idx = (state_reg == S_REPLAY) ? replay_idx_reg : vec_reg[SW-1:0];

    // The rules, in the contract's order, for the request held in vec_reg.
    wire [31:0] vec_wide = {{(32 - IDX_W){1'b0}}, vec_reg};   // IDX_W < 32
`ifdef PLANT_BUG_NO_RANGE_CHECK
    wire in_range = 1'b1 | (vec_wide < NSLOT);     // the index is truncated to SW bits
`else
    wire in_range = vec_wide < NSLOT;
`endif
`ifdef PLANT_BUG_PASID_BIT19
    wire pasid_match = has_pasid_reg && (pasid_reg[18:0] == rd_pasid[18:0]);
`else
    wire pasid_match = has_pasid_reg && (pasid_reg == rd_pasid);
`endif
    wire pasid_ok = !rd_pasid_en || pasid_match;
`ifdef PLANT_BUG_MASKED_FIRES
    wire masked = rd_mask && !rd_idx[SW-1];
`else
    wire masked = rd_mask;
`endif

    assign awid = {ID_W{1'b0}};
    assign awaddr = msg_addr_reg;
    assign awlen = 8'd0;
    assign awsize = 3'd2;
    assign awburst = 2'b01;
    assign awcache = 4'b0001;
    assign awprot = 3'b010;
`ifdef PLANT_BUG_SLOW_SEND
    assign awvalid = (state_reg == S_SEND) && !aw_done_reg && !send_wait_reg;
    assign wvalid = (state_reg == S_SEND) && !w_done_reg && !send_wait_reg;
`else
    assign awvalid = (state_reg == S_SEND) && !aw_done_reg;
    assign wvalid = (state_reg == S_SEND) && !w_done_reg;
`endif
    assign wdata = msg_data_reg;
    assign wstrb = 4'hF;
    assign wlast = 1'b1;
    assign bready = aresetn;

    always @(posedge aclk) begin
        // pend_set / pend_clr and pend_idx are registered together: the storage applies them
        // one edge later, when rd_idx may already point elsewhere.
        pend_set <= 1'b0;
        pend_clr <= 1'b0;
        pend_idx <= rd_idx;
        if (!aresetn) begin
            state_reg <= S_IDLE;
            vec_reg <= {IDX_W{1'b0}};
            has_pasid_reg <= 1'b0;
            pasid_reg <= 20'b0;
            replay_idx_reg <= {SW{1'b0}};
            last_was_replay_reg <= 1'b0;
`ifdef PLANT_BUG_LOST_REPLAY
            replay_contended_reg <= 1'b0;
`endif
            msg_addr_reg <= 64'b0;
            msg_data_reg <= 32'b0;
            aw_done_reg <= 1'b0;
            w_done_reg <= 1'b0;
`ifdef PLANT_BUG_SLOW_SEND
            send_wait_reg <= 1'b0;
`endif
        end else begin
`ifdef PLANT_BUG_SLOW_SEND
            send_wait_reg <= (state_reg != S_SEND);
`endif
            case (state_reg)
                S_IDLE: begin
                    if (take_replay) begin
                        replay_idx_reg <= first_ready;
`ifdef PLANT_BUG_LOST_REPLAY
                        replay_contended_reg <= req;
`endif
                        last_was_replay_reg <= 1'b1;
                        state_reg <= S_REPLAY;
                    end else if (accept) begin
                        vec_reg <= vec;
                        has_pasid_reg <= has_pasid;
                        pasid_reg <= pasid;
                        last_was_replay_reg <= 1'b0;
                        state_reg <= S_DECIDE;
                    end
                end
                S_DECIDE: begin
`ifdef PLANT_BUG_ENABLE_IGNORED
                    if (!in_range || !pasid_ok) begin
`else
                    if (!in_range || !enable || !pasid_ok) begin
`endif
                        state_reg <= S_IDLE;                 // dropped
                    end else if (masked) begin
                        pend_set <= 1'b1;                    // pended
                        state_reg <= S_IDLE;
                    end else begin
                        msg_addr_reg <= {rd_addr_hi, rd_addr_lo, 2'b00};
                        msg_data_reg <= rd_data;
                        aw_done_reg <= 1'b0;
                        w_done_reg <= 1'b0;
                        state_reg <= S_SEND;
                    end
                end
                S_REPLAY: begin
                    // Re-checked: a register write may have masked it or cleared ENABLE since.
                    if (enable && rd_pend && !rd_mask) begin
                        pend_clr <= 1'b1;
                        msg_addr_reg <= {rd_addr_hi, rd_addr_lo, 2'b00};
                        msg_data_reg <= rd_data;
                        aw_done_reg <= 1'b0;
                        w_done_reg <= 1'b0;
                        state_reg <= S_SEND;
`ifdef PLANT_BUG_LOST_REPLAY
                        if (replay_contended_reg) state_reg <= S_IDLE;
`endif
                    end else begin
                        state_reg <= S_IDLE;
                    end
                end
                S_SEND: begin
                    if (awvalid && awready) aw_done_reg <= 1'b1;
                    if (wvalid && wready) w_done_reg <= 1'b1;
`ifdef PLANT_BUG_SLOW_SEND
                    if ((aw_done_reg || (awvalid && awready)) && (w_done_reg || (wvalid && wready))) state_reg <= S_RESP;
`else
                    if ((aw_done_reg || awready) && (w_done_reg || wready)) state_reg <= S_RESP;
`endif
                end
                S_RESP: begin
                    if (bvalid) state_reg <= S_IDLE;
                end
                default: state_reg <= S_IDLE;
            endcase
        end
    end
endmodule

`default_nettype wire
