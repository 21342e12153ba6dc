/*
 * Simulation toplevel for the ims_ram_sdp equivalence test (tests/impl/test_ecp5_ram.py):
 * ims_ram_sdp with integer parameters only (the runner passes them with -P/-G), so one
 * cocotb module can drive the generic RAM and its ECP5 DP16KD mapping alike.
 */

`default_nettype none

module ram_sdp_harness #(
    parameter DATA_WIDTH    = 116,
    parameter ADDR_WIDTH    = 11,
    parameter DEPTH         = 2048,
    parameter RDW_DONT_CARE = 0     // 1: READ_FIRST = 0 (collision data is don't-care)
) (
    input  wire                  clk,
    input  wire                  wr_en,
    input  wire [ADDR_WIDTH-1:0] wr_addr,
    input  wire [DATA_WIDTH-1:0] wr_data,
    input  wire                  rd_en,
    input  wire [ADDR_WIDTH-1:0] rd_addr,
    output wire [DATA_WIDTH-1:0] rd_data
);

ims_ram_sdp #(
    .DATA_WIDTH(DATA_WIDTH),
    .ADDR_WIDTH(ADDR_WIDTH),
    .DEPTH(DEPTH),
    .OUTPUT_REG(1),
    .READ_FIRST(RDW_DONT_CARE != 0 ? 0 : 1)
) ram (
    .clk(clk),
    .wr_en(wr_en),
    .wr_addr(wr_addr),
    .wr_data(wr_data),
    .rd_en(rd_en),
    .rd_addr(rd_addr),
    .rd_data(rd_data)
);

endmodule

`resetall
