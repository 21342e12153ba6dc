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
 * eligible: slot CTRL dword writes and CTRL register writes.  scan_req
 * comes from ims_regs one edge after a CTRL register write lands, and from
 * ims_msg_pipe's stage B for a slot CTRL write (before the slot and pending
 * RAMs take it; the word reads that follow see it through forwarding).
 * scan_busy is high from the edge scan_req is sampled; the request is
 * pending one edge later, taken up (pend_any sampled) when no scan runs, and
 * the scan starts one edge after that, so its first word read is issued at
 * least four edges after the request and sees (through the pending store's
 * forwarding) every pend-set of a trigger that looked the slot up before
 * the write.  A request during a scan queues one complete
 * rescan.  A scan is skipped when nothing can be replayed (pend_any low on
 * the take-up edge: no pending bit set, or ENABLE = 0 or FUNC_MASK = 1),
 * which keeps configuration writes from stealing trigger cycles in the
 * common case.
 *
 * res_bits are the word's pending bits of UNMASKED slots (the pending RAM
 * keeps a copy of the mask bits), so masked pending slots are skipped at 32
 * per cycle like empty ones.
 *
 * Word reads are issued back to back, so empty words cost one cycle each
 * (32 non-pending slots per cycle).  A word read's result is registered, and
 * loaded into rem_*_reg if its epoch is current.  If it had set bits, the
 * epoch bit flips on that edge, so the word reads already issued behind the
 * word are squashed when they come back (each carries the epoch it was
 * issued in), and one edge later (hit_reg) the scanner enters candidate
 * mode (cand_busy_reg) and rewinds the pointer to the word.  Its bits are
 * checked lowest first, one candidate per cycle; after the last one is
 * issued the word reads go on from the next word.
 *
 * Timing: every op field is a flop and op_valid one gate over flops (it
 * does not look at op_ready).  op_ready, which comes late through msg_pipe's
 * issue choice, only reaches the presented op's flops, through one gate:
 * the clock enables of ptr_reg / word_valid_reg / cand_busy_reg and of the
 * presented candidate (cur_*), and the D inputs of skid_valid_reg and
 * word_issued_reg.  A skid register behind cur takes the candidate when cur
 * is not taken, so the pick and encode stages move whenever the skid
 * register is empty, which is known from flops.  The late scan_req,
 * pend_any and res_bits inputs each only feed a flop.  Each scan costs
 * NUM_SLOTS / 32 cycles + 1 per eligible slot + 6 per word that holds
 * eligible slots (the word's result round trip, during which the word reads
 * behind it are squashed, and the pick, encode and present stages), when
 * the scanner gets every cycle.
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

reg                  scan_req_reg;
reg                  scan_pending_reg;
reg                  starting_reg;       // a requested scan starts on the next edge
reg                  pend_any_reg;
reg                  active_reg;
// word mode: the next word to read; candidate mode: the candidates' word.
// It is presented as op_word either way, so the op fields come from flops.
reg [WORD_WIDTH:0]   ptr_reg;
reg                  word_valid_reg;     // word read of ptr_reg presented
reg                  cand_busy_reg;      // candidate mode: the loaded word's candidates are not all issued
reg                  hit_reg;            // rem_*_reg were just loaded with a non-empty word
reg                  word_issued_reg;    // a word read was taken on the last edge
reg [2:0]            words_in_flight_reg; // word reads after that, before their registered result
reg                  epoch_reg;
// Candidates of the loaded word move through stages so that no cycle has to
// both pick the lowest bit and encode it, and so that op_ready only reaches
// the presented candidate (cur) and the skid register behind it:
//   rem -> pick (lowest set bit, carry chain) -> nxt (one-hot)  per half
//   nxt -> encode (OR trees)                  -> enc (bit number)
//   enc -> cur (presented) or skid (when cur is not taken)
// The word's two 16-bit halves are picked in two lanes side by side (two
// short carry chains, neither waiting for the other); enc takes the low
// lane's candidate while there is one, and the high lane's pick waits in
// nxt_hi meanwhile.  The stages before skid move whenever skid is empty
// (known from flops).  A *_last flag marks the word's last candidate:
// nothing was left behind it as it moved into enc.
reg [15:0]           rem_lo_reg;         // candidates not yet picked, per half
reg [15:0]           rem_hi_reg;
reg [WORD_WIDTH-1:0] rem_word_reg;       // the word rem_*_reg came from
reg                  nxt_lo_valid_reg;
reg [15:0]           nxt_lo_reg;         // one-hot, 0 when not valid
reg                  nxt_hi_valid_reg;
reg [15:0]           nxt_hi_reg;
reg                  enc_valid_reg;
reg [4:0]            enc_bit_reg;
reg                  enc_last_reg;
reg                  skid_valid_reg;
reg [4:0]            skid_bit_reg;
reg                  skid_last_reg;
reg                  cur_valid_reg;      // cur_bit_reg is presented as an op
reg [4:0]            cur_bit_reg;
reg                  cur_last_reg;

wire [31:0] ptr_ext = {{(31-WORD_WIDTH){1'b0}}, ptr_reg};
// ptr_reg (a word: a presented word read or the candidates' word) is not the
// last one, so ptr_reg + 1 is a word too
wire ptr_next_in_range = ptr_ext != PEND_WORDS - 1;

// pick: x & (x - 1) clears the lowest set bit, x & ~(x - 1) isolates it;
// both share one carry chain, whose borrow out says x was 0
wire [16:0] lo_minus1 = {1'b0, rem_lo_reg} - 17'd1;
wire [16:0] hi_minus1 = {1'b0, rem_hi_reg} - 17'd1;
wire        lo_any    = !lo_minus1[16];
wire        hi_any    = !hi_minus1[16];

// Encode the lanes' one-hot candidates with OR trees (a priority loop would
// synthesise into a deep mux chain): bit k of the bit number is the OR of
// the 8 positions that have bit k set, made of two 4-input ORs per lane
// ([2k] and [2k+1]), kept as nets so that synthesis does not make a chain
// of LUTs.  enc takes the low lane's candidate, else the high lane's
// (nxt_lo_reg is 0 when not valid); bit 4 is the lane.
(* keep *) reg [7:0] nxt_lo_or4;
(* keep *) reg [7:0] nxt_hi_or4;
integer i, b, half;
always @* begin
    nxt_lo_or4 = 8'd0;
    nxt_hi_or4 = 8'd0;
    for (i = 0; i < 16; i = i + 1) begin
        for (b = 0; b < 4; b = b + 1) begin
            // the 8 positions with bit b set, halved by another bit
            half = (b == 3) ? (i >> 2) & 1 : (i >> 3) & 1;
            if (((i >> b) & 1) == 1) begin
                nxt_lo_or4[2*b + half] = nxt_lo_or4[2*b + half] | nxt_lo_reg[i];
                nxt_hi_or4[2*b + half] = nxt_hi_or4[2*b + half] | nxt_hi_reg[i];
            end
        end
    end
end
reg [3:0] nxt_pick_bit;
always @* begin
    for (b = 0; b < 4; b = b + 1) begin
        nxt_pick_bit[b] = nxt_lo_or4[2*b] || nxt_lo_or4[2*b + 1] ||
                          (!nxt_lo_valid_reg && (nxt_hi_or4[2*b] || nxt_hi_or4[2*b + 1]));
    end
end

/* verilator lint_off UNUSEDSIGNAL */
wire [WORD_WIDTH+4:0] cand_slot_full = {ptr_reg[WORD_WIDTH-1:0], cur_bit_reg};
/* verilator lint_on UNUSEDSIGNAL */

// word_valid_reg and cur_valid_reg are only set while active_reg is.  No
// word read is taken while hit_reg is high: the epoch has flipped already,
// so it would not be squashed, and the pointer is about to be rewound.
assign op_valid   = (word_valid_reg && !hit_reg) || (cur_valid_reg && cand_credit_ok);
assign op_is_cand = cand_busy_reg;
assign op_word    = ptr_reg[WORD_WIDTH-1:0];
assign op_slot    = cand_slot_full[SLOT_WIDTH-1:0];
assign op_tag     = epoch_reg;
assign scan_busy  = scan_req_reg || scan_pending_reg || starting_reg || active_reg;

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

// A result of the current epoch only arrives in word mode, when all candidate
// stages are empty, and is loaded into rem as it is.  Whether the word has
// candidates (hit) only feeds two flops: the epoch flips on that edge, so
// the results behind the word are stale from the next cycle on (those words
// are read again after the rewind), and hit_reg, which is acted on one edge
// later.
wire res_use = res_valid_reg && res_tag_reg == epoch_reg;

// the OR over the result's bits as a tree of 4-input ORs, kept as nets so
// that synthesis does not make it a chain of LUTs
(* keep *) reg [7:0] res_bits_or4;
(* keep *) reg [1:0] res_bits_or16;
integer k;
always @* begin
    for (k = 0; k < 8; k = k + 1) begin
        res_bits_or4[k] = |res_bits_reg[4*k +: 4];
    end
    for (k = 0; k < 2; k = k + 1) begin
        res_bits_or16[k] = |res_bits_or4[4*k +: 4];
    end
end
wire hit = res_use && (|res_bits_or16);

// A request is taken up when no scan runs; the scan starts, or is skipped,
// one edge later from pend_any sampled on the take-up edge (scan_req and
// pend_any come through several levels of msg_pipe logic: each only feeds a
// flop).
wire scan_start = !active_reg && !starting_reg && scan_pending_reg;

// op_ready is late (it comes through msg_pipe's issue choice): it only
// drives clock enables and one gate in front of skid_valid_reg and
// word_issued_reg, each together with terms made from flops that are
// kept as nets of their own, so synthesis cannot bury op_ready under further
// logic.  op_valid is low while hit_reg is high or no scan runs, so a taken
// op excludes hit_reg and starting_reg, and the loads below need not look at
// op_ready.

// cur holds a candidate only in candidate mode, so with cur valid a taken op
// is that candidate: cur (from skid, else from enc) moves when it is taken
// or empty
wire cur_take = op_ready || !cur_valid_reg;
(* keep *) wire skid_fill;
assign skid_fill = cur_valid_reg && (skid_valid_reg || enc_valid_reg);
// enc and the low lane move whenever skid is empty; the high lane's nxt
// moves into enc once the low lane's is empty
wire cand_move = !skid_valid_reg;
wire hi_move   = cand_move && (!nxt_hi_valid_reg || !nxt_lo_valid_reg);

// ptr_reg, word_valid_reg and cand_busy_reg change when a taken word read,
// or a taken candidate that was the word's last, moves the pointer on to the
// next word read, and on the loads (hit_reg, starting_reg)
(* keep *) wire taken_moves_ptr;
assign taken_moves_ptr = !cand_busy_reg || cur_last_reg;
(* keep *) wire ptr_load;
assign ptr_load = hit_reg || starting_reg;
wire ptr_ce = (op_ready && taken_moves_ptr) || ptr_load;

wire [WORD_WIDTH:0] ptr_inc = ptr_reg + 1'b1;

always @(posedge clk) begin
    // a word read is counted from the edge after it is taken until its
    // registered result is looked at; in between it may wait in the
    // pipeline's two-entry op queue, then passes stages R, B and C: at most 6
    word_issued_reg     <= op_ready && !cand_busy_reg;
    words_in_flight_reg <= words_in_flight_reg + {2'b0, word_issued_reg} - {2'b0, res_valid_reg};

    if (cur_take) begin
        cur_valid_reg <= skid_valid_reg || enc_valid_reg;
        cur_bit_reg   <= skid_valid_reg ? skid_bit_reg : enc_bit_reg;
        cur_last_reg  <= skid_valid_reg ? skid_last_reg : enc_last_reg;
    end
    skid_valid_reg <= !op_ready && skid_fill;
    if (cand_move) begin
        skid_bit_reg   <= enc_bit_reg;
        skid_last_reg  <= enc_last_reg;
        enc_valid_reg    <= nxt_lo_valid_reg || nxt_hi_valid_reg;
        enc_bit_reg      <= {!nxt_lo_valid_reg, nxt_pick_bit};
        enc_last_reg     <= nxt_lo_valid_reg ? !lo_any && !nxt_hi_valid_reg && !hi_any : !hi_any;
        nxt_lo_valid_reg <= lo_any;
        nxt_lo_reg       <= rem_lo_reg & ~lo_minus1[15:0];
        rem_lo_reg       <= rem_lo_reg & lo_minus1[15:0];
    end
    if (hi_move) begin
        nxt_hi_valid_reg <= hi_any;
        nxt_hi_reg       <= rem_hi_reg & ~hi_minus1[15:0];
        rem_hi_reg       <= rem_hi_reg & hi_minus1[15:0];
    end
    if (res_use) begin
        rem_lo_reg   <= res_bits_reg[15:0];
        rem_hi_reg   <= res_bits_reg[31:16];
        rem_word_reg <= res_word_reg;
    end
    hit_reg <= hit;
    if (hit) begin
        epoch_reg <= !epoch_reg;
    end

    if (ptr_ce) begin
        if (hit_reg) begin
            // candidate mode: present the word's candidates, and read on
            // from the next word afterwards
            ptr_reg        <= {1'b0, rem_word_reg};
            word_valid_reg <= 1'b0;
        end else if (starting_reg) begin
            ptr_reg        <= 0;
            word_valid_reg <= pend_any_reg;
        end else begin
            ptr_reg        <= ptr_inc;
            word_valid_reg <= ptr_next_in_range;
        end
        cand_busy_reg <= hit_reg;
    end

    scan_req_reg <= scan_req;
    pend_any_reg <= pend_any;
    starting_reg <= scan_start;
    if (starting_reg) begin
        active_reg <= pend_any_reg;
    end else if (active_reg && !word_valid_reg && !hit_reg && !cand_busy_reg &&
                 !word_issued_reg && words_in_flight_reg == 3'd0) begin
        active_reg <= 1'b0;
    end
    // a request always wins, so one arriving at any point gets a full scan
    if (scan_req_reg) begin
        scan_pending_reg <= 1'b1;
    end else if (scan_start) begin
        scan_pending_reg <= 1'b0;
    end

    if (rst) begin
        scan_req_reg        <= 1'b0;
        scan_pending_reg    <= 1'b0;
        starting_reg        <= 1'b0;
        active_reg          <= 1'b0;
        ptr_reg             <= 0;
        word_valid_reg      <= 1'b0;
        cand_busy_reg       <= 1'b0;
        hit_reg             <= 1'b0;
        word_issued_reg     <= 1'b0;
        words_in_flight_reg <= 3'd0;
        epoch_reg           <= 1'b0;
        rem_lo_reg          <= 16'd0;
        rem_hi_reg          <= 16'd0;
        rem_word_reg        <= 0;
        nxt_lo_valid_reg    <= 1'b0;
        nxt_lo_reg          <= 16'd0;
        nxt_hi_valid_reg    <= 1'b0;
        nxt_hi_reg          <= 16'd0;
        enc_valid_reg       <= 1'b0;
        enc_bit_reg         <= 5'd0;
        enc_last_reg        <= 1'b0;
        skid_valid_reg      <= 1'b0;
        skid_bit_reg        <= 5'd0;
        skid_last_reg       <= 1'b0;
        cur_valid_reg       <= 1'b0;
        cur_bit_reg         <= 5'd0;
        cur_last_reg        <= 1'b0;
    end
end

`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst && word_issued_reg && !res_valid_reg && &words_in_flight_reg) begin
        $fatal(1, "ims_replay_scan: more word reads in flight than words_in_flight_reg counts (%m)");
    end
end
`endif

endmodule

`resetall
