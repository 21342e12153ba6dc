/*
 * Simple dual-port RAM: one write port, one read port, one clock.
 *
 * The read is registered (data appears after the clock edge that samples
 * rd_addr), which is what block RAM primitives provide, so Yosys, Vivado and
 * Quartus infer a BRAM.  With OUTPUT_REG = 1 a second register follows with
 * no logic in between (read latency 2): the block RAM clock-to-output time
 * (about 6 ns on ECP5 without its output register) then ends at a flip-flop
 * instead of feeding decision logic, and vendor flows can absorb it into the
 * BRAM's own output register.  The array itself has no reset: block RAM
 * cannot be cleared in one cycle, so the owner initialises it after reset.
 *
 * A read and a write of the same address on the same edge return the OLD
 * contents (read-first); owners that need the new value forward it.
 */

`default_nettype none

module ims_ram_sdp #(
    parameter DATA_WIDTH = 32,
    parameter ADDR_WIDTH = 8,
    parameter DEPTH      = 256,
    parameter OUTPUT_REG = 1
) (
    input  wire                  clk,

    input  wire                  wr_en,
    input  wire [ADDR_WIDTH-1:0] wr_addr,
    input  wire [DATA_WIDTH-1:0] wr_data,

    input  wire                  rd_en,
    input  wire [ADDR_WIDTH-1:0] rd_addr,
    output wire [DATA_WIDTH-1:0] rd_data
);

initial begin
    if (DEPTH < 1 || DEPTH > (1 << ADDR_WIDTH)) begin
        $error("Error: ims_ram_sdp DEPTH must be 1 .. 2**ADDR_WIDTH (instance %m)");
        $finish;
    end
    if (OUTPUT_REG != 0 && OUTPUT_REG != 1) begin
        $error("Error: ims_ram_sdp OUTPUT_REG must be 0 or 1 (instance %m)");
        $finish;
    end
end

(* ram_style = "block" *)
reg [DATA_WIDTH-1:0] mem [0:DEPTH-1];

reg [DATA_WIDTH-1:0] rd_data_reg;
reg [DATA_WIDTH-1:0] rd_data_out_reg;

always @(posedge clk) begin
    if (wr_en) begin
        mem[wr_addr] <= wr_data;
    end
    if (rd_en) begin
        rd_data_reg <= mem[rd_addr];
    end
    rd_data_out_reg <= rd_data_reg;
end

generate
    if (OUTPUT_REG != 0) begin : g_out_reg
        assign rd_data = rd_data_out_reg;
    end else begin : g_no_out_reg
        assign rd_data = rd_data_reg;
        wire unused_out_reg = ^rd_data_out_reg;
    end
endgenerate

endmodule

`resetall
