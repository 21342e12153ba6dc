/*
 * Slot table storage: one entry per IMS slot in a simple dual-port block RAM.
 *
 * Entry fields (116 bits): ADDR_LO[31:2], ADDR_HI, DATA, MASK, PASID_EN,
 * PASID.  The PENDING bit is not stored here (see ims_pending_store) so that
 * a trigger can set it without rewriting the whole entry.
 *
 * Register writes are applied by the pipeline as a full-entry
 * read-modify-write, so the RAM needs no byte enables.  Reads have a latency
 * of two edges (BRAM register + output register) and are read-first on a
 * same-address collision; no forwarding is needed because a slot write's
 * BVALID is only raised after the write has landed.
 */

`default_nettype none

module ims_slot_store #(
    parameter NUM_SLOTS  = 2048,
    parameter SLOT_WIDTH = 11
) (
    input  wire                  clk,

    input  wire                  wr_en,
    input  wire [SLOT_WIDTH-1:0] wr_slot,
    input  wire [29:0]           wr_addr_lo,   // address bits 31:2
    input  wire [31:0]           wr_addr_hi,
    input  wire [31:0]           wr_data,
    input  wire                  wr_mask,
    input  wire                  wr_pasid_en,
    input  wire [19:0]           wr_pasid,

    input  wire [SLOT_WIDTH-1:0] rd_slot,
    output wire [29:0]           rd_addr_lo,
    output wire [31:0]           rd_addr_hi,
    output wire [31:0]           rd_data,
    output wire                  rd_mask,
    output wire                  rd_pasid_en,
    output wire [19:0]           rd_pasid
);

localparam ENTRY_WIDTH = 30 + 32 + 32 + 1 + 1 + 20;

wire [ENTRY_WIDTH-1:0] ram_wr_entry = {wr_pasid, wr_pasid_en, wr_mask, wr_data, wr_addr_hi, wr_addr_lo};
wire [ENTRY_WIDTH-1:0] ram_rd_entry;

assign {rd_pasid, rd_pasid_en, rd_mask, rd_data, rd_addr_hi, rd_addr_lo} = ram_rd_entry;

ims_ram_sdp #(
    .DATA_WIDTH(ENTRY_WIDTH),
    .ADDR_WIDTH(SLOT_WIDTH),
    .DEPTH(NUM_SLOTS),
    .OUTPUT_REG(1)
) slot_ram (
    .clk(clk),
    .wr_en(wr_en),
    .wr_addr(wr_slot),
    .wr_data(ram_wr_entry),
    .rd_en(1'b1),
    .rd_addr(rd_slot),
    .rd_data(ram_rd_entry)
);

endmodule

`resetall
