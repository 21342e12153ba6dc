/*
 * Small synchronous FIFO for the message queues in front of the AXI write
 * master, first word fall through.
 *
 * The queues are a few entries deep whatever NUM_SLOTS is, so the entries
 * live in distributed RAM / flops and the head is visible combinationally.
 *
 * Timing: the pipeline decides whether a message exists late in the cycle
 * (ims_msg_pipe stage C), so the push is split in two.  in_write (from a
 * flop) writes the candidate entry at the tail on every cycle it is high;
 * in_valid (late) only decides whether the tail pointer moves past it.  An
 * entry written but not committed is overwritten by the next candidate.
 * The producer holds a credit for every candidate, so the tail slot is
 * never the head of a full FIFO.  Occupancy is a thermometer code (one flop
 * per entry, "more than k entries"), so out_valid is a flop and the next
 * occupancy is one gate level after push / pop.
 *
 * Bypass: out_pop in a cycle where the FIFO is empty but in_valid is high
 * consumes the entry being pushed (the consumer took it straight from
 * in_data), so the push never depends on the consumer.
 */

`default_nettype none

module ims_fifo #(
    parameter WIDTH      = 96,
    parameter ADDR_WIDTH = 3     // depth = 2**ADDR_WIDTH
) (
    input  wire             clk,
    input  wire             rst,

    input  wire             in_write,
    input  wire             in_valid,
    input  wire [WIDTH-1:0] in_data,

    output wire             out_valid,
    output wire             out_valid_next,   // out_valid after this edge
    output wire [WIDTH-1:0] out_data,
    // the pop, given separately for both values of the late in_valid
    // (so in_valid is the last choice before every flop)
    input  wire             out_pop_if_in,
    input  wire             out_pop_if_no_in
);

localparam DEPTH = 1 << ADDR_WIDTH;

initial begin
    if (ADDR_WIDTH < 1 || ADDR_WIDTH > 8) begin
        $error("Error: ims_fifo ADDR_WIDTH must be 1 .. 8 (instance %m)");
        $finish;
    end
end

reg [WIDTH-1:0] mem [0:DEPTH-1];

reg [ADDR_WIDTH-1:0] wr_ptr_reg;
reg [ADDR_WIDTH-1:0] rd_ptr_reg;
// occ_reg[k]: the FIFO holds more than k entries
reg [DEPTH-1:0]      occ_reg;

assign out_valid = occ_reg[0];
assign out_data  = mem[rd_ptr_reg];

wire out_pop = in_valid ? out_pop_if_in : out_pop_if_no_in;

// a pop with the FIFO empty takes the entry being pushed: occupancy unchanged
wire [DEPTH-1:0] occ_grown  = {occ_reg[DEPTH-2:0], 1'b1};
wire [DEPTH-1:0] occ_shrunk = {1'b0, occ_reg[DEPTH-1:1]};
wire [DEPTH-1:0] occ_if_in    = out_pop_if_in ? occ_reg : occ_grown;
wire [DEPTH-1:0] occ_if_no_in = out_pop_if_no_in ? occ_shrunk : occ_reg;
wire [ADDR_WIDTH-1:0] rd_ptr_inc = rd_ptr_reg + 1'b1;
wire [ADDR_WIDTH-1:0] rd_ptr_if_in    = out_pop_if_in ? rd_ptr_inc : rd_ptr_reg;
wire [ADDR_WIDTH-1:0] rd_ptr_if_no_in = out_pop_if_no_in ? rd_ptr_inc : rd_ptr_reg;

assign out_valid_next = in_valid ? occ_if_in[0] : occ_if_no_in[0];

always @(posedge clk) begin
    if (in_write) begin
        mem[wr_ptr_reg] <= in_data;
    end
    if (in_valid) begin
        wr_ptr_reg <= wr_ptr_reg + 1'b1;
    end
    rd_ptr_reg <= in_valid ? rd_ptr_if_in : rd_ptr_if_no_in;
    occ_reg    <= in_valid ? occ_if_in : occ_if_no_in;

    if (rst) begin
        wr_ptr_reg <= 0;
        rd_ptr_reg <= 0;
        occ_reg    <= 0;
    end
end

`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst) begin
        if (in_valid && !in_write) begin
            $fatal(1, "ims_fifo: in_valid without in_write (%m)");
        end
        if (in_write && occ_reg[DEPTH-1]) begin
            $fatal(1, "ims_fifo: candidate written into a full FIFO (credit error) (%m)");
        end
        if (out_pop && !occ_reg[0] && !in_valid) begin
            $fatal(1, "ims_fifo: pop from an empty FIFO (%m)");
        end
    end
end
`endif

endmodule

`resetall
