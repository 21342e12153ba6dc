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
 * Every pending update is a read-modify-write spread over two pipeline
 * stages: the word is read when an op enters the pipeline and written back
 * one cycle later.  The op entering on that write edge reads the RAM while
 * it is being written, and the RAM returns the old word there, so this
 * wrapper forwards the written word instead (write-first behaviour).  With
 * that, back-to-back RMWs of the same word never lose an update, and a
 * scanner read always sees every pend-set that entered the pipeline before it.
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

    input  wire                  rd_en,
    input  wire [WORD_WIDTH-1:0] rd_word,
    output wire [31:0]           rd_bits,
    output wire [31:0]           rd_mask_bits
);

wire [63:0] ram_rd_word;

reg        fwd_reg;
reg [63:0] fwd_word_reg;

assign {rd_mask_bits, rd_bits} = fwd_reg ? fwd_word_reg : ram_rd_word;

always @(posedge clk) begin
    if (rd_en) begin
        fwd_reg      <= wr_en && (wr_word == rd_word);
        fwd_word_reg <= {wr_mask_bits, wr_bits};
    end
end

ims_ram_sdp #(
    .DATA_WIDTH(64),
    .ADDR_WIDTH(WORD_WIDTH),
    .DEPTH(PEND_WORDS)
) pending_ram (
    .clk(clk),
    .wr_en(wr_en),
    .wr_addr(wr_word),
    .wr_data({wr_mask_bits, wr_bits}),
    .rd_en(rd_en),
    .rd_addr(rd_word),
    .rd_data(ram_rd_word)
);

endmodule

`resetall
