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
 * same-address collision (below); no forwarding to the writer is needed
 * because a slot write's BVALID is only raised after the write has landed.
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
    output wire [19:0]           rd_pasid,

    // The same read before its last mux, for the trigger decision, which
    // folds the mux into its own logic (see ims_rule_eval): the RAM's word,
    // whether the entry comes from the bypass instead (aligned with the RAM
    // output register), and the bypass entry's decision fields one edge
    // early (aligned with the RAM's first read register), so they can be
    // judged a cycle ahead.
    output wire                  raw_mask,
    output wire                  raw_pasid_en,
    output wire [19:0]           raw_pasid,
    output wire                  byp_sel,
    output wire                  byp_early_mask,
    output wire                  byp_early_pasid_en,
    output wire [19:0]           byp_early_pasid
);

localparam ENTRY_WIDTH = 30 + 32 + 32 + 1 + 1 + 20;

// Read-first, done here rather than in the RAM: the write is applied one
// edge late and a read of the slot being written takes the written entry
// from a bypass register.  Reads see exactly the read-first contents at
// every edge, the RAM itself never serves a same-edge read of the word it
// writes (ECP5 block RAM leaves that undefined), and the decision logic
// gets the bypass a cycle early.
reg                   wr_en_d_reg;
reg [SLOT_WIDTH-1:0]  wr_slot_d_reg;
reg [ENTRY_WIDTH-1:0] wr_entry_d_reg;
reg                   byp1_en_reg;
reg [SLOT_WIDTH-1:0]  byp1_slot_reg;
reg [ENTRY_WIDTH-1:0] byp1_entry_reg;
reg [SLOT_WIDTH-1:0]  rd_slot_reg;
reg                   byp2_reg;
reg [ENTRY_WIDTH-1:0] byp2_entry_reg;

wire [ENTRY_WIDTH-1:0] wr_entry = {wr_pasid, wr_pasid_en, wr_mask, wr_data, wr_addr_hi, wr_addr_lo};
wire [ENTRY_WIDTH-1:0] ram_rd_entry;
wire [ENTRY_WIDTH-1:0] rd_entry = byp2_reg ? byp2_entry_reg : ram_rd_entry;

always @(posedge clk) begin
    wr_en_d_reg    <= wr_en;
    wr_slot_d_reg  <= wr_slot;
    wr_entry_d_reg <= wr_entry;
    // a read on edge E must see the write of edge E-1, which the RAM only
    // takes at E: keep that write, and compare its slot with the read's on
    // edge E+1 (two registers compared, nothing on the issue path)
    byp1_en_reg    <= wr_en_d_reg;
    byp1_slot_reg  <= wr_slot_d_reg;
    byp1_entry_reg <= wr_entry_d_reg;
    rd_slot_reg    <= rd_slot;
    byp2_reg       <= byp1_en_reg && byp1_slot_reg == rd_slot_reg;
    byp2_entry_reg <= byp1_entry_reg;
end

assign {rd_pasid, rd_pasid_en, rd_mask, rd_data, rd_addr_hi, rd_addr_lo} = rd_entry;

/* verilator lint_off UNUSEDSIGNAL */
wire [ENTRY_WIDTH-1:0] byp1_fields = byp1_entry_reg;
/* verilator lint_on UNUSEDSIGNAL */
assign {raw_pasid, raw_pasid_en, raw_mask} = ram_rd_entry[ENTRY_WIDTH-1:ENTRY_WIDTH-22];
assign byp_sel = byp2_reg;
assign {byp_early_pasid, byp_early_pasid_en, byp_early_mask} = byp1_fields[ENTRY_WIDTH-1:ENTRY_WIDTH-22];

ims_ram_sdp #(
    .DATA_WIDTH(ENTRY_WIDTH),
    .ADDR_WIDTH(SLOT_WIDTH),
    .DEPTH(NUM_SLOTS),
    .OUTPUT_REG(1),
    .READ_FIRST(0)      // collisions are resolved above
) slot_ram (
    .clk(clk),
    .wr_en(wr_en_d_reg),
    .wr_addr(wr_slot_d_reg),
    .wr_data(wr_entry_d_reg),
    .rd_en(1'b1),
    .rd_addr(rd_slot),
    .rd_data(ram_rd_entry)
);

endmodule

`resetall
