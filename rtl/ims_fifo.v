/*
 * Small synchronous FIFO built from flip-flops, first word fall through.
 *
 * Used for the message queues in front of the AXI write master.  They are a
 * few entries deep whatever NUM_SLOTS is, so flops are cheaper than a BRAM
 * and the head is visible combinationally (out_data is valid whenever
 * out_valid is high), which keeps the trigger to AWVALID latency short.
 *
 * The producer must not push into a full FIFO: the users keep credit
 * counters that guarantee this, so there is no in_ready port.
 *
 * Bypass: out_pop in a cycle where the FIFO is empty but in_valid is high
 * consumes the entry being pushed (the consumer took it straight from
 * in_data), so the push enable never depends on the consumer.
 */

`default_nettype none

module ims_fifo #(
    parameter WIDTH      = 96,
    parameter ADDR_WIDTH = 3     // depth = 2**ADDR_WIDTH
) (
    input  wire             clk,
    input  wire             rst,

    input  wire             in_valid,
    input  wire [WIDTH-1:0] in_data,

    output wire             out_valid,
    output wire [WIDTH-1:0] out_data,
    input  wire             out_pop
);

initial begin
    if (ADDR_WIDTH < 1 || ADDR_WIDTH > 8) begin
        $error("Error: ims_fifo ADDR_WIDTH must be 1 .. 8 (instance %m)");
        $finish;
    end
end

reg [WIDTH-1:0] mem [0:(1 << ADDR_WIDTH)-1];

// one extra pointer bit tells full from empty
reg [ADDR_WIDTH:0] wr_ptr_reg;
reg [ADDR_WIDTH:0] rd_ptr_reg;

assign out_valid = wr_ptr_reg != rd_ptr_reg;
assign out_data  = mem[rd_ptr_reg[ADDR_WIDTH-1:0]];

always @(posedge clk) begin
    if (in_valid) begin
        mem[wr_ptr_reg[ADDR_WIDTH-1:0]] <= in_data;
        wr_ptr_reg <= wr_ptr_reg + 1'b1;
    end
    if (out_pop && (out_valid || in_valid)) begin
        rd_ptr_reg <= rd_ptr_reg + 1'b1;
    end

    if (rst) begin
        wr_ptr_reg <= 0;
        rd_ptr_reg <= 0;
    end
end

endmodule

`resetall
