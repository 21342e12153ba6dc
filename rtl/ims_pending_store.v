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
 * enters the pipeline (edge E) and written back two edges later (E+2).  An
 * op read at E therefore misses the write-backs landing at E (the RAM is
 * read-first) and at E+1 (after the BRAM register); this wrapper forwards
 * those, the newer one winning.  With that, back-to-back RMWs of the same
 * word never lose an update, and a scanner read sees every pend-set of every
 * op that entered the pipeline before it.
 */

`default_nettype none

module ims_pending_store #(
    parameter PEND_WORDS = 64,
    parameter WORD_WIDTH = 6     // address width of the pending word index
) (
    input  wire                  clk,

    input  wire                  wr_en,
    input  wire [WORD_WIDTH-1:0] wr_word,
    input  wire [31:0]           wr_bits,
    input  wire [31:0]           wr_mask_bits,

    input  wire [WORD_WIDTH-1:0] rd_word,
    output wire [31:0]           rd_bits,
    output wire [31:0]           rd_mask_bits
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
    fwd1_reg      <= wr_en && (wr_word == rd_word);
    fwd1_data_reg <= wr_data;

    if (wr_en && (wr_word == rd_word_reg)) begin
        fwd2_reg      <= 1'b1;
        fwd2_data_reg <= wr_data;
    end else begin
        fwd2_reg      <= fwd1_reg;
        fwd2_data_reg <= fwd1_data_reg;
    end
end

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
