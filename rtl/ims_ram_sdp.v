/*
 * Simple dual-port RAM: one write port, one read port, one clock.
 *
 * The read is registered (data appears after the clock edge that samples
 * rd_addr), which is what block RAM primitives provide, so Yosys, Vivado and
 * Quartus infer a BRAM.  The array itself has no reset: block RAM cannot be
 * cleared in one cycle, so the owner initialises it after reset instead.
 *
 * A read and a write of the same address on the same edge return the OLD
 * contents (read-first); owners that need the new value forward it.
 */

`default_nettype none

module ims_ram_sdp #(
    parameter DATA_WIDTH = 32,
    parameter ADDR_WIDTH = 8,
    parameter DEPTH      = 256
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
end

(* ram_style = "block" *)
reg [DATA_WIDTH-1:0] mem [0:DEPTH-1];

reg [DATA_WIDTH-1:0] rd_data_reg;

assign rd_data = rd_data_reg;

always @(posedge clk) begin
    if (wr_en) begin
        mem[wr_addr] <= wr_data;
    end
    if (rd_en) begin
        rd_data_reg <= mem[rd_addr];
    end
end

endmodule

`resetall
