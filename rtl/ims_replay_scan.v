/*
 * Replay scanner.
 *
 * Walks the pending RAM one 32-bit word per pipeline slot it is granted and,
 * for every set bit, issues a candidate check op for that slot.  The check
 * itself (slot unmasked, ENABLE = 1, FUNC_MASK = 0, bit still set) and the
 * atomic clear + replay message happen in ims_msg_pipe; the scanner only
 * produces op requests.
 *
 * A scan is requested (scan_req) on every write that can make a pending slot
 * eligible: slot CTRL dword writes and CTRL register writes.  scan_req is
 * sampled on the edge the write lands; the first word read of the scan is
 * issued at least one edge later, so it sees (through the pending store's
 * forwarding) every pend-set of a trigger that looked the slot up before the
 * write.  A request during a scan queues one complete rescan.  A scan is
 * skipped when nothing can be replayed (pend_any low: no pending bit set, or
 * ENABLE = 0 or FUNC_MASK = 1), which keeps configuration writes from
 * stealing trigger cycles in the common case.
 *
 * res_bits are the word's pending bits of UNMASKED slots (the pending RAM
 * keeps a copy of the mask bits), so masked pending slots are skipped at 32
 * per cycle like empty ones.
 *
 * Word reads are issued back to back, so empty words cost one cycle each
 * (32 non-pending slots per cycle).  When a word with set bits comes back,
 * its bits are loaded into cand_bits and checked lowest first; the word
 * reads already issued behind it are squashed (each word read carries the
 * scanner's epoch bit, which flips on every load) and the pointer rewound.
 */

`default_nettype none

module ims_replay_scan #(
    parameter SLOT_WIDTH = 11,
    parameter WORD_WIDTH = 6,     // pending word index width
    parameter PEND_WORDS = 64
) (
    input  wire                  clk,
    input  wire                  rst,

    input  wire                  scan_req,
    input  wire                  pend_any,

    // replay FIFO space available for one more candidate check
    input  wire                  cand_credit_ok,

    // op request into the shared pipeline
    output wire                  op_valid,
    output wire                  op_is_cand,   // 1: candidate check, 0: word read
    output wire [WORD_WIDTH-1:0] op_word,
    output wire [SLOT_WIDTH-1:0] op_slot,
    output wire                  op_tag,
    input  wire                  op_ready,

    // a scan is requested or running: the replays it finds are owed now
    output wire                  scan_busy,

    // result of a word read op (pipeline stage B)
    input  wire                  res_valid,
    input  wire                  res_tag,
    input  wire [WORD_WIDTH-1:0] res_word,
    input  wire [31:0]           res_bits
);

reg                  scan_pending_reg;
reg                  active_reg;
reg [WORD_WIDTH:0]   ptr_reg;
// Candidates of the loaded word move through two stages so that no cycle has
// to both pick the lowest bit and encode it:
//   rem  -> pick (lowest set bit, one carry chain) -> nxt (one-hot)
//   nxt  -> encode (OR trees)                      -> cur (presented op)
reg [31:0]           rem_bits_reg;       // candidates not yet picked
reg                  nxt_valid_reg;
reg [31:0]           nxt_onehot_reg;
reg [WORD_WIDTH-1:0] cand_word_reg;
reg                  cur_valid_reg;      // cur_bit_reg is presented as an op
reg [4:0]            cur_bit_reg;
reg                  cand_busy_reg;      // cur, nxt or rem holds a candidate
reg [2:0]            words_in_flight_reg;
reg                  epoch_reg;

wire [31:0] ptr_ext = {{(31-WORD_WIDTH){1'b0}}, ptr_reg};
wire ptr_in_range = ptr_ext < PEND_WORDS;

// pick: x & (x - 1) clears the lowest set bit, x & ~(x - 1) isolates it;
// both share one carry chain.
wire [31:0] rem_minus1 = rem_bits_reg - 32'd1;
wire [31:0] rem_lowest = rem_bits_reg & ~rem_minus1;
wire [31:0] rem_rest   = rem_bits_reg & rem_minus1;
wire        rem_any    = |rem_bits_reg;

// encode the picked one-hot bit with OR trees (a priority loop would
// synthesise into a 32-deep mux chain)
reg [4:0] nxt_bit;
integer i;
always @* begin
    nxt_bit = 5'd0;
    for (i = 0; i < 32; i = i + 1) begin
        nxt_bit = nxt_bit | ({5{nxt_onehot_reg[i]}} & i[4:0]);
    end
end

/* verilator lint_off UNUSEDSIGNAL */
wire [WORD_WIDTH+4:0] cand_slot_full = {cand_word_reg, cur_bit_reg};
/* verilator lint_on UNUSEDSIGNAL */

assign op_is_cand = cand_busy_reg;
assign op_valid   = active_reg && (cand_busy_reg ? (cur_valid_reg && cand_credit_ok) : ptr_in_range);
assign op_word    = cand_busy_reg ? cand_word_reg : ptr_reg[WORD_WIDTH-1:0];
assign op_slot    = cand_slot_full[SLOT_WIDTH-1:0];
assign op_tag     = epoch_reg;
assign scan_busy  = scan_pending_reg || active_reg;

wire issue_word = op_ready && !op_is_cand;
wire issue_cand = op_ready && op_is_cand;

// word read results are registered before they are looked at, so the
// pending RAM's forwarding mux does not feed the scanner's control logic
reg                  res_valid_reg;
reg                  res_tag_reg;
reg [WORD_WIDTH-1:0] res_word_reg;
reg [31:0]           res_bits_reg;

always @(posedge clk) begin
    res_valid_reg <= res_valid && !rst;
    res_tag_reg   <= res_tag;
    res_word_reg  <= res_word;
    res_bits_reg  <= res_bits;
end

wire res_use   = res_valid_reg && res_tag_reg == epoch_reg;
wire load_cand = res_use && (|res_bits_reg);

// the presented candidate / the picked one is free to be replaced on this edge
wire cur_take = !cur_valid_reg || issue_cand;
wire nxt_take = !nxt_valid_reg || cur_take;

always @(posedge clk) begin
    // word reads between issue and registered result: at most 4
    words_in_flight_reg <= words_in_flight_reg + {2'b0, issue_word} - {2'b0, res_valid_reg};

    if (load_cand) begin
        // word reads are only issued while no candidate is held, so nothing
        // is held here
        rem_bits_reg  <= res_bits_reg;
        nxt_valid_reg <= 1'b0;
        cand_word_reg <= res_word_reg;
        cur_valid_reg <= 1'b0;
        cand_busy_reg <= 1'b1;
        epoch_reg     <= !epoch_reg;
        ptr_reg       <= {1'b0, res_word_reg} + 1'b1;
    end else begin
        if (cur_take) begin
            cur_valid_reg <= nxt_valid_reg;
            cur_bit_reg   <= nxt_bit;
            if (!nxt_valid_reg && !rem_any) begin
                cand_busy_reg <= 1'b0;
            end
        end
        if (nxt_take) begin
            nxt_valid_reg  <= rem_any;
            nxt_onehot_reg <= rem_lowest;
            rem_bits_reg   <= rem_rest;
        end
        if (issue_word) begin
            ptr_reg <= ptr_reg + 1'b1;
        end
    end

    if (!active_reg) begin
        if (scan_pending_reg) begin
            scan_pending_reg <= 1'b0;
            if (pend_any) begin
                active_reg <= 1'b1;
                ptr_reg    <= 0;
            end
        end
    end else if (!ptr_in_range && words_in_flight_reg == 3'd0 && !cand_busy_reg) begin
        active_reg <= 1'b0;
    end

    // a request always wins, so one arriving at any point gets a full scan
    if (scan_req) begin
        scan_pending_reg <= 1'b1;
    end

    if (rst) begin
        scan_pending_reg    <= 1'b0;
        active_reg          <= 1'b0;
        ptr_reg             <= 0;
        rem_bits_reg        <= 32'd0;
        nxt_valid_reg       <= 1'b0;
        nxt_onehot_reg      <= 32'd0;
        cur_valid_reg       <= 1'b0;
        cur_bit_reg         <= 5'd0;
        cand_word_reg       <= 0;
        cand_busy_reg       <= 1'b0;
        words_in_flight_reg <= 3'd0;
        epoch_reg           <= 1'b0;
    end
end

endmodule

`resetall
