/*
 * Pending bits: one word per 32 slots in a simple dual-port block RAM (one
 * word, high bits unused, when NUM_SLOTS < 32).
 *
 * Each word also carries a copy of the 32 slots' MASK bits, kept in step
 * with the slot RAM by the same slot CTRL write op.  The replay scanner reads
 * pending & ~mask, so pending bits of masked slots cost it nothing: a scan
 * takes one cycle per word plus one per eligible slot, however many masked
 * slots hold a pending bit.
 *
 * The RAM read has a latency of two edges (BRAM register + output register).
 * Every pending update is a read-modify-write: the word is read when an op
 * enters the pipeline (edge E) and written back three edges later (E+3,
 * from ims_msg_pipe's stage W register).  An op read at E therefore misses
 * the write-backs landing at E (the RAM is read-first) and at E+1 (after the
 * BRAM register); this wrapper forwards those, the newer one winning.  The
 * op issued just before it is still in stage W; ims_msg_pipe forwards its
 * one changed bit.  With that, back-to-back RMWs of the same word never lose
 * an update, and a scanner read sees every pend-set of every op that entered
 * the pipeline before it.
 */

`default_nettype none

module ims_pending_store #(
    parameter NUM_SLOTS  = 2048,
    parameter SLOT_WIDTH = 11,
    parameter PEND_WORDS = 64,
    parameter WORD_WIDTH = 6     // address width of the pending word index
) (
    input  wire                  clk,

    input  wire                  wr_en,
    input  wire [WORD_WIDTH-1:0] wr_word,
    input  wire [31:0]           wr_bits,
    input  wire [31:0]           wr_mask_bits,
    // bit copy: the slot whose pending bit is set to wr_slot_bit (every word
    // write-back changes at most that one bit)
    input  wire                  wr_slot_en,
    input  wire [SLOT_WIDTH-1:0] wr_slot,
    input  wire                  wr_slot_bit,

    input  wire [WORD_WIDTH-1:0] rd_word,
    // rd_word == wr_word with wr_en, and rd_slot == wr_slot with wr_slot_en,
    // on this edge: the owner compares each of its read sources before
    // choosing one, which keeps the compares off its issue mux (checked in
    // simulation)
    input  wire                  rd_word_hits_wr,
    input  wire                  rd_slot_hits_wr,
    output wire [31:0]           rd_bits,
    output wire [31:0]           rd_mask_bits,
    input  wire [SLOT_WIDTH-1:0] rd_slot,
    output wire                  rd_slot_bit
);

wire [63:0] wr_data = {wr_mask_bits, wr_bits};
wire [63:0] ram_rd_data;

// first stage: write at the read edge
reg [WORD_WIDTH-1:0] rd_word_reg;
reg                  fwd1_reg;
reg [63:0]           fwd1_data_reg;
// second stage: the newest matching write at either edge
reg                  fwd2_reg;
reg [63:0]           fwd2_data_reg;

assign {rd_mask_bits, rd_bits} = fwd2_reg ? fwd2_data_reg : ram_rd_data;

always @(posedge clk) begin
    rd_word_reg   <= rd_word;
    fwd1_reg      <= rd_word_hits_wr;
    fwd1_data_reg <= wr_data;

    if (wr_en && (wr_word == rd_word_reg)) begin
        fwd2_reg      <= 1'b1;
        fwd2_data_reg <= wr_data;
    end else begin
        fwd2_reg      <= fwd1_reg;
        fwd2_data_reg <= fwd1_data_reg;
    end
end

// Per-slot copy of the pending bits (NUM_SLOTS x 1, one block RAM tile at
// 2048 slots), written with every word write-back.  The pipeline's decision
// needs just the one bit of its slot; reading it here saves a 32:1 mux after
// the word RAM's output on the critical path.  Same forwarding as the words,
// keyed by slot.
reg [SLOT_WIDTH-1:0] rd_slot_reg;
reg                  bit_fwd1_reg;
reg                  bit_fwd1_val_reg;
reg                  bit_fwd2_reg;
reg                  bit_fwd2_val_reg;
wire                 bit_ram_rd;

assign rd_slot_bit = bit_fwd2_reg ? bit_fwd2_val_reg : bit_ram_rd;

always @(posedge clk) begin
    rd_slot_reg      <= rd_slot;
    bit_fwd1_reg     <= rd_slot_hits_wr;
    bit_fwd1_val_reg <= wr_slot_bit;

    if (wr_slot_en && (wr_slot == rd_slot_reg)) begin
        bit_fwd2_reg     <= 1'b1;
        bit_fwd2_val_reg <= wr_slot_bit;
    end else begin
        bit_fwd2_reg     <= bit_fwd1_reg;
        bit_fwd2_val_reg <= bit_fwd1_val_reg;
    end
end

`ifndef SYNTHESIS
always @(posedge clk) begin
    if (^{wr_en, wr_word, rd_word, rd_word_hits_wr} !== 1'bx &&
        rd_word_hits_wr != (wr_en && wr_word == rd_word)) begin
        $fatal(1, "ims_pending_store: rd_word_hits_wr=%0d but write %0d word %0d, read word %0d (%m)",
               rd_word_hits_wr, wr_en, wr_word, rd_word);
    end
    if (^{wr_slot_en, wr_slot, rd_slot, rd_slot_hits_wr} !== 1'bx &&
        rd_slot_hits_wr != (wr_slot_en && wr_slot == rd_slot)) begin
        $fatal(1, "ims_pending_store: rd_slot_hits_wr=%0d but write %0d slot %0d, read slot %0d (%m)",
               rd_slot_hits_wr, wr_slot_en, wr_slot, rd_slot);
    end
end
`endif

ims_ram_sdp #(
    .DATA_WIDTH(1),
    .ADDR_WIDTH(SLOT_WIDTH),
    .DEPTH(NUM_SLOTS),
    .OUTPUT_REG(1),
    .READ_FIRST(0)      // collisions take bit_fwd1 above
) pending_bit_ram (
    .clk(clk),
    .wr_en(wr_slot_en),
    .wr_addr(wr_slot),
    .wr_data(wr_slot_bit),
    .rd_en(1'b1),
    .rd_addr(rd_slot),
    .rd_data(bit_ram_rd)
);

ims_ram_sdp #(
    .DATA_WIDTH(64),
    .ADDR_WIDTH(WORD_WIDTH),
    .DEPTH(PEND_WORDS),
    .OUTPUT_REG(1),
    // a read that meets a write of its word on the same edge takes fwd1 above, never the RAM
    .READ_FIRST(0)
) pending_ram (
    .clk(clk),
    .wr_en(wr_en),
    .wr_addr(wr_word),
    .wr_data(wr_data),
    .rd_en(1'b1),
    .rd_addr(rd_word),
    .rd_data(ram_rd_data)
);

endmodule

`resetall
