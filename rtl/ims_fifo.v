/*
 * Small synchronous FIFO for the message queues in front of the AXI write
 * master, first word fall through.
 *
 * The queues are a few entries deep whatever NUM_SLOTS is, so the entries
 * live in distributed RAM / flops and the head is visible combinationally.
 *
 * Timing: the pipeline decides whether a message exists late in the cycle
 * (ims_msg_pipe stage C).  So the push is split: in_write (from a flop)
 * writes the candidate entry at the tail on every cycle it is high, and the
 * late in_valid (a message) / in_taken (the consumer took it straight off
 * the input this cycle) only set one flop, commit_reg: "the entry written
 * last cycle stays".  Pointers and occupancy follow commit_reg and the pop
 * of the head (out_pop, which must not depend on in_valid) a cycle later,
 * from flops.  The entry not committed is overwritten by the next candidate.
 * The producer holds a credit for every candidate, so the tail slot is
 * never the head of a full FIFO.  Occupancy is a thermometer code (one flop
 * per entry, "more than k entries").
 */

`default_nettype none

module ims_fifo #(
    parameter WIDTH      = 96,
    parameter ADDR_WIDTH = 3     // depth = 2**ADDR_WIDTH
) (
    input  wire             clk,
    input  wire             rst,

    input  wire             in_write,   // early: a candidate is on in_data
    input  wire             in_valid,   // late: it is a message (ignored without in_write)
    input  wire             in_taken,   // late: ... and the consumer took it from in_data
    input  wire [WIDTH-1:0] in_data,

    output wire             out_valid,  // one gate from flops: at least one entry
    output wire             out_more,   // ... at least two entries
    output wire             out_newest, // flop: one of them is the entry committed last edge
    output wire [WIDTH-1:0] out_data,
    input  wire             out_pop     // the head (out_valid) leaves
);

localparam DEPTH = 1 << ADDR_WIDTH;

initial begin
    if (ADDR_WIDTH < 1 || ADDR_WIDTH > 8) begin
        $error("Error: ims_fifo ADDR_WIDTH must be 1 .. 8 (instance %m)");
        $finish;
    end
end

reg [WIDTH-1:0] mem [0:DEPTH-1];

reg [ADDR_WIDTH-1:0] wr_ptr_reg;   // one past the last committed entry
reg [ADDR_WIDTH-1:0] rd_ptr_reg;
reg                  commit_reg;   // the entry at wr_ptr_reg was committed last cycle
// occ_reg[k]: more than k entries, not counting commit_reg's
reg [DEPTH-1:0]      occ_reg;

wire [ADDR_WIDTH-1:0] tail = wr_ptr_reg + {{(ADDR_WIDTH-1){1'b0}}, commit_reg};

// in_valid (late) as the last gate before commit_reg
wire commit_next;
ims_late_mux #(
    .WIDTH(1)
) commit_mux_inst (
    .sel(in_valid),
    .if_sel(in_write && !in_taken),
    .if_not(1'b0),
    .out(commit_next)
);

assign out_valid = occ_reg[0] || commit_reg;
assign out_more  = occ_reg[1] || (occ_reg[0] && commit_reg);
assign out_newest = commit_reg;
assign out_data  = mem[rd_ptr_reg];

always @(posedge clk) begin
    if (in_write) begin
        mem[tail] <= in_data;
    end
    wr_ptr_reg <= tail;
    commit_reg <= commit_next;
    if (out_pop) begin
        rd_ptr_reg <= rd_ptr_reg + 1'b1;
    end
    if (commit_reg && !out_pop) begin
        occ_reg <= {occ_reg[DEPTH-2:0], 1'b1};
    end else if (out_pop && !commit_reg) begin
        occ_reg <= {1'b0, occ_reg[DEPTH-1:1]};
    end

    if (rst) begin
        wr_ptr_reg <= 0;
        rd_ptr_reg <= 0;
        commit_reg <= 1'b0;
        occ_reg    <= 0;
    end
end

`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst) begin
        // full: DEPTH entries, counting the one committed last edge (commit_reg); a
        // candidate written then lands on the head, unless the head leaves on this edge
        if (in_write && (occ_reg[DEPTH-1] || (commit_reg && occ_reg[DEPTH-2] && !out_pop))) begin
            $fatal(1, "ims_fifo: candidate written into a full FIFO (credit error) (%m)");
        end
        if (out_pop && !out_valid) begin
            $fatal(1, "ims_fifo: pop from an empty FIFO (%m)");
        end
    end
end
`endif

endmodule

`resetall
