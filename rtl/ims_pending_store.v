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
 * The RAM read has a latency of two edges (BRAM register + output register);
 * the result is registered once more here, with forwarding, so the owner
 * sees it from flops in its stage C (edge E+2 .. E+3 for a read issued at
 * edge E).  Every pending update is a read-modify-write: the word is read
 * when an op enters the pipeline (edge E) and written back four edges later
 * (E+4, from ims_pend_rmw's stage W register).  An op read at E therefore
 * misses the write-backs landing at E (the RAM read is not read-first), E+1
 * and E+2; this wrapper forwards those, the newest winning.  The op issued
 * just before it is in stage W during its stage C; ims_pend_rmw forwards its
 * one changed bit.  With that, back-to-back RMWs of the same word never lose
 * an update, and a scanner read sees every pend-set of every op that entered
 * the pipeline before it.
 *
 * Every forwarding decision compares two registers: the write that landed
 * at E is kept here one edge longer (wr_*_d1), and the write that will land
 * at E+2 is announced by the owner one edge ahead (nx_*: the op then in its
 * stage C, which enters stage W next).
 */

`default_nettype none

module ims_pending_store #(
    parameter NUM_SLOTS  = 2048,
    parameter SLOT_WIDTH = 11,
    parameter PEND_WORDS = 64,
    parameter WORD_WIDTH = 6,    // address width of the pending word index
    parameter LINE_WIDTH = (WORD_WIDTH > 1) ? WORD_WIDTH - 1 : 1
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

    // the write-back after the current one (the owner's stage C op)
    input  wire                  nx_en,
    input  wire [WORD_WIDTH-1:0] nx_word,
    input  wire [SLOT_WIDTH-1:0] nx_slot,

    input  wire [WORD_WIDTH-1:0] rd_word,
    output wire [31:0]           rd_bits,
    output wire [31:0]           rd_mask_bits,
    input  wire [SLOT_WIDTH-1:0] rd_slot,
    output wire                  rd_slot_bit,

    // scan copy: eligible bits (pending & ~MASK copy) of words 2l and 2l+1
    // on scan_bits two edges after line l was sampled; read-first
    input  wire [LINE_WIDTH-1:0] scan_line,
    output wire [63:0]           scan_bits
);

wire [63:0] wr_data = {wr_mask_bits, wr_bits};
wire [63:0] ram_rd_data;

// the writes of the last two edges (the RAM has taken them)
reg                  wr_en_d1_reg;
reg [WORD_WIDTH-1:0] wr_word_d1_reg;
reg [63:0]           wr_data_d1_reg;
reg [63:0]           wr_data_d2_reg;
reg                  wr_slot_en_d1_reg;
reg [SLOT_WIDTH-1:0] wr_slot_d1_reg;
reg                  wr_slot_bit_d1_reg;
reg                  wr_slot_bit_d2_reg;

always @(posedge clk) begin
    wr_en_d1_reg       <= wr_en;
    wr_word_d1_reg     <= wr_word;
    wr_data_d1_reg     <= wr_data;
    wr_data_d2_reg     <= wr_data_d1_reg;
    wr_slot_en_d1_reg  <= wr_slot_en;
    wr_slot_d1_reg     <= wr_slot;
    wr_slot_bit_d1_reg <= wr_slot_bit;
    wr_slot_bit_d2_reg <= wr_slot_bit_d1_reg;
end

// Word read issued at edge E (rd_word_reg during E .. E+1).  On edge E+1 the
// hits are registered; on edge E+2 the write that landed at E is in
// wr_data_d2, the one that landed at E+1 in wr_data_d1 and the one landing
// at E+2 on the write port, so the final choice needs no data capture.
reg [WORD_WIDTH-1:0] rd_word_reg;
reg                  hit_e0_reg;
reg                  hit_e1_reg;
reg                  hit_e2_reg;
reg [63:0]           rd_data_reg;

assign {rd_mask_bits, rd_bits} = rd_data_reg;

always @(posedge clk) begin
    rd_word_reg <= rd_word;
    // edge E+1
    hit_e0_reg  <= wr_en_d1_reg && wr_word_d1_reg == rd_word_reg;   // landed at E
    hit_e1_reg  <= wr_en && wr_word == rd_word_reg;                 // lands at E+1
    hit_e2_reg  <= nx_en && nx_word == rd_word_reg;                 // will land at E+2
    // edge E+2, newest first
    if (hit_e2_reg) begin
        rd_data_reg <= wr_data;
    end else if (hit_e1_reg) begin
        rd_data_reg <= wr_data_d1_reg;
    end else if (hit_e0_reg) begin
        rd_data_reg <= wr_data_d2_reg;
    end else begin
        rd_data_reg <= ram_rd_data;
    end
end

// the same for the per-slot copy of the pending bits
reg [SLOT_WIDTH-1:0] rd_slot_reg;
reg                  bit_hit_e0_reg;
reg                  bit_hit_e1_reg;
reg                  bit_hit_e2_reg;
reg                  rd_slot_bit_reg;
wire                 bit_ram_rd;

assign rd_slot_bit = rd_slot_bit_reg;

always @(posedge clk) begin
    rd_slot_reg    <= rd_slot;
    bit_hit_e0_reg <= wr_slot_en_d1_reg && wr_slot_d1_reg == rd_slot_reg;
    bit_hit_e1_reg <= wr_slot_en && wr_slot == rd_slot_reg;
    bit_hit_e2_reg <= nx_en && nx_slot == rd_slot_reg;
    if (bit_hit_e2_reg) begin
        rd_slot_bit_reg <= wr_slot_bit;
    end else if (bit_hit_e1_reg) begin
        rd_slot_bit_reg <= wr_slot_bit_d1_reg;
    end else if (bit_hit_e0_reg) begin
        rd_slot_bit_reg <= wr_slot_bit_d2_reg;
    end else begin
        rd_slot_bit_reg <= bit_ram_rd;
    end
end

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

// Scan copy for the replay scanner (ims_replay_scan): per word, the pending
// bits of unmasked slots, written by every word write-back alongside the
// pending RAM, in two banks (even / odd words) read at the same line, so the
// scanner reads 64 slots per cycle through a port of its own and never takes
// a pipeline slot for a word read.  It is read-first like the generic RAM
// (the ECP5 mapping emulates that): a line read at edge E holds every
// write-back landed before E, which is what the scanner's start delay
// counts on.  Words that do not exist (odd PEND_WORDS) are never written;
// the scanner blanks them.
localparam SCAN_LINES = (PEND_WORDS + 1) / 2;

/* verilator lint_off UNUSEDSIGNAL */
wire [LINE_WIDTH+WORD_WIDTH:0] wr_word_wide = {{(LINE_WIDTH+1){1'b0}}, wr_word};
/* verilator lint_on UNUSEDSIGNAL */
wire [31:0] wr_elig = wr_bits & ~wr_mask_bits;

genvar bank;
generate
    for (bank = 0; bank < 2; bank = bank + 1) begin : g_scan_bank
        ims_ram_sdp #(
            .DATA_WIDTH(32),
            .ADDR_WIDTH(LINE_WIDTH),
            .DEPTH(SCAN_LINES),
            .OUTPUT_REG(1),
            .READ_FIRST(1)
        ) scan_ram (
            .clk(clk),
            .wr_en(wr_en && (bank == 1 ? wr_word_wide[0] : !wr_word_wide[0])),
            .wr_addr(wr_word_wide[LINE_WIDTH:1]),
            .wr_data(wr_elig),
            .rd_en(1'b1),
            .rd_addr(scan_line),
            .rd_data(scan_bits[32*bank +: 32])
        );
    end
endgenerate

endmodule

`resetall
