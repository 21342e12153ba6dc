/*
 * Replay scanner.
 *
 * Finds the slots whose pending bit is set while MASK = 0 ("eligible") and,
 * for each, issues a candidate check op into the shared pipeline.  The check
 * itself (slot unmasked, ENABLE = 1, FUNC_MASK = 0, bit still set) and the
 * atomic clear + replay message happen in the pipeline (ims_rule_eval, ims_pend_rmw); the scanner only
 * produces op requests, so a candidate found from a stale copy costs one
 * pipeline slot and never a wrong or second message.
 *
 * Where the eligible bits come from: the pending store keeps a scan copy of
 * pending & ~MASK per 32-slot word in two block-RAM banks (even and odd
 * words) with a read port of their own (scan_line -> scan_bits, two words,
 * read latency two edges, read-first).  So the scanner never spends
 * pipeline slots on word reads: the pipeline only carries candidate checks,
 * one per cycle, and the scan copy is read one line (64 slots) per cycle.
 *
 * A scan is requested (scan_req) on every write that can make a pending slot
 * eligible: slot CTRL dword writes (from ims_rule_eval's stage B, before the
 * slot and pending RAMs take the write) and CTRL register writes (from
 * ims_regs one edge after CTRL changed).  scan_busy is high from the edge
 * scan_req is sampled (S); the request is pending one edge later, taken up
 * (pend_any sampled) when no scan runs, and the scan starts one edge after
 * that.  The first line read is sampled by the copy's RAM at edge S+6 or
 * later (START_HOLD): every write-back of an op that saw the slot before the
 * write has landed in the copy by then (the latest: a trigger issued at
 * S+1, the last edge that reads the old slot entry, writes its pend-set back
 * at S+5).  A request during a scan queues one complete rescan.  A scan is
 * skipped when nothing can be replayed (pend_any low on the take-up edge:
 * no pending bit set, or ENABLE = 0 or FUNC_MASK = 1).
 *
 * Pipeline (every stage from flops, one candidate per cycle):
 *   read   rd_line_reg -> copy RAM (2 edges) -> ln, lp (the line registered
 *          twice; empty lines are dropped at lp, so the FIFO's write enable
 *          is a flop) -> line FIFO (8 x {line, 64 bits},
 *          distributed RAM; reads are issued only while the FIFO has room
 *          for everything in flight)
 *   rem    the head line, once the previous line's bits have all been
 *          picked: four 16-bit lanes, each with its own short carry chain
 *   nxt_k  per lane: the lowest set bit, one-hot (x & ~(x - 1)); the lane's
 *          remaining bits x & (x - 1)
 *   enc_k  per lane: the bit number (OR trees)
 *   enc    the lowest lane holding a candidate: {line, lane, bit}
 *   skid / cur   cur is presented as the op; skid takes enc when cur waits
 * Each lane stage moves when its successor is empty or moving, and carries
 * its line number, so the next line enters rem while the last one's
 * candidates still drain.  Whether rem is empty is known from flops only
 * (rem_was_empty_reg: the lanes' carry chains said so during the last cycle,
 * and rem was not reloaded on the last edge), which costs one cycle per
 * non-empty line: a line with one bit per word yields 2 candidates in 3
 * cycles, a dense line 64 in about 64.  Replays come out in slot order
 * within a lane, not strictly across lanes; the contract orders only direct
 * messages.
 *
 * Timing: every op field is a flop and op_valid one gate over flops (it does
 * not look at op_ready).  op_ready, which comes late through ims_op_skid's issue
 * choice, only reaches the presented op's flops, through one gate: the clock
 * enable of the presented candidate (cur_*) and the D input of
 * skid_valid_reg.  The stages before skid move whenever skid is empty, which
 * is known from a flop.  The late scan_req and pend_any inputs each only
 * feed a flop; the copy's RAM output only feeds the ln registers (the line,
 * and the OR of each 4 bits: one gate; when PEND_WORDS is odd, one AND
 * blanks the missing last odd word).
 * A scan costs about ceil(PEND_WORDS / 2) + 12 cycles + 1 per eligible slot
 * + 1 per non-empty line when the scanner gets every pipeline slot it asks
 * for.
 */

`default_nettype none

module ims_replay_scan #(
    parameter SLOT_WIDTH = 11,
    parameter WORD_WIDTH = 6,     // pending word index width
    parameter PEND_WORDS = 64,
    // line index width of the scan copy (2 words per line); at least 1
    parameter LINE_WIDTH = (WORD_WIDTH > 1) ? WORD_WIDTH - 1 : 1
) (
    input  wire                  clk,
    input  wire                  rst,

    input  wire                  scan_req,
    input  wire                  pend_any,

    // replay FIFO space available for one more candidate check
    input  wire                  cand_credit_ok,

    // op request into the shared pipeline (candidate checks only)
    output wire                  op_valid,
    output wire                  op_is_cand,   // always 1: no word read ops any more
    output wire [WORD_WIDTH-1:0] op_word,
    output wire [SLOT_WIDTH-1:0] op_slot,
    input  wire                  op_ready,

    // a scan is requested or running: the replays it finds are owed now
    output wire                  scan_busy,

    // the pending store's scan copy: line scan_line (words 2l, 2l+1) is
    // on scan_bits two edges after it was sampled
    output wire [LINE_WIDTH-1:0] scan_line,
    input  wire [63:0]           scan_bits
);

localparam SCAN_LINES = (PEND_WORDS + 1) / 2;
localparam FIFO_AW    = 3;
localparam FIFO_DEPTH = 1 << FIFO_AW;
localparam IDX_WIDTH  = LINE_WIDTH + 6;     // {line, lane, bit}: a slot number
// edges between the scan start and the first line read (see the header)
localparam [1:0] START_HOLD = 2'd2;
localparam [LINE_WIDTH:0] LINES_END = SCAN_LINES[LINE_WIDTH:0];

initial begin
    if (SCAN_LINES > (1 << LINE_WIDTH)) begin
        $error("Error: ims_replay_scan LINE_WIDTH too small for PEND_WORDS (instance %m)");
        $finish;
    end
end

reg                  scan_req_reg;
reg                  scan_pending_reg;
reg                  starting_reg;       // a requested scan starts on the next edge
reg                  pend_any_reg;
reg                  active_reg;
reg [1:0]            hold_reg;           // edges left before the first line read

// ---------------------------------------------------------------- read side
reg [LINE_WIDTH:0]   rd_line_reg;        // next line to read
reg                  rd_v1_reg;          // a line read was sampled by the RAM last edge
reg                  rd_v2_reg;          // ... its data is on scan_bits now
reg [LINE_WIDTH:0]   rd_l1_reg;          // the line of each (odd PEND_WORDS: blanking)
reg [LINE_WIDTH:0]   rd_l2_reg;
reg [FIFO_AW:0]      out_cnt_reg;        // reads issued and not yet taken from the FIFO
reg                  drained_reg;        // drained during the last cycle

/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] rd_line_ext = {{(31-LINE_WIDTH){1'b0}}, rd_line_reg};
wire [31:0] rd_l2_ext   = {{(31-LINE_WIDTH){1'b0}}, rd_l2_reg};
/* verilator lint_on UNUSEDSIGNAL */
// rd_done = (rd_line_ext == SCAN_LINES), kept as a flop (set by rst, cleared
// when a scan starts, set by the read of the last line), so the read issue
// below is one gate of flops
reg  rd_done_reg;
wire rd_done = rd_done_reg;
// at most FIFO_DEPTH - 1 lines in flight or held (a full FIFO would look empty)
wire rd_go   = active_reg && hold_reg == 2'd0 && !rd_done && out_cnt_reg < FIFO_DEPTH - 1;

assign scan_line = rd_line_reg[LINE_WIDTH-1:0];

// the odd word of the last line does not exist when PEND_WORDS is odd (its
// RAM word is never written)
wire        hi_exists = (PEND_WORDS % 2 == 0) || (rd_l2_ext != SCAN_LINES - 1);

// The line read, registered twice before the FIFO, so that the FIFO's write
// enable and the in-flight count's decrement come from flops: ln holds the
// line and the OR of each 4 bits (one gate after the RAM output register),
// lp the line and whether it has any bit (two gates after ln).
reg                  ln_valid_reg;
reg [LINE_WIDTH-1:0] ln_line_reg;
reg [63:0]           ln_bits_reg;
reg [15:0]           ln_or4_reg;
reg                  lp_push_reg;        // lp holds a non-empty line: into the FIFO
reg                  lp_drop_reg;        // lp held an empty line: dropped
reg [LINE_WIDTH-1:0] lp_line_reg;
reg [63:0]           lp_bits_reg;

wire [63:0] ln_in = {scan_bits[63:32] & {32{hi_exists}}, scan_bits[31:0]};
integer q;
always @(posedge clk) begin
    ln_valid_reg <= rd_v2_reg && !rst;
    ln_line_reg  <= rd_l2_reg[LINE_WIDTH-1:0];
    ln_bits_reg  <= ln_in;
    for (q = 0; q < 16; q = q + 1) begin
        ln_or4_reg[q] <= |ln_in[4*q +: 4];
    end
    lp_push_reg  <= ln_valid_reg && (|ln_or4_reg) && !rst;
    lp_drop_reg  <= ln_valid_reg && !(|ln_or4_reg) && !rst;
    lp_line_reg  <= ln_line_reg;
    lp_bits_reg  <= ln_bits_reg;
end

// line FIFO of the non-empty lines, {line, bits} (no reset on the array:
// distributed RAM)
reg [LINE_WIDTH+63:0] fifo_mem [0:FIFO_DEPTH-1];
reg [FIFO_AW-1:0]     fifo_wr_reg;
reg [FIFO_AW-1:0]     fifo_rd_reg;
wire                  fifo_any  = fifo_wr_reg != fifo_rd_reg;
wire [LINE_WIDTH+63:0] fifo_head = fifo_mem[fifo_rd_reg];

always @(posedge clk) begin
    if (lp_push_reg) begin
        fifo_mem[fifo_wr_reg] <= {lp_line_reg, lp_bits_reg};
    end
end

// ---------------------------------------------------------------- lanes
// lane g holds bits [16g +: 16] of a line; its rem / nxt / enc_k flops are
// in g_lane[g]
reg [LINE_WIDTH-1:0]   rem_line_reg;       // the line in rem
reg                    rem_was_empty_reg;  // rem held no bit during the last cycle
reg                    load_reg;           // rem was loaded on the last edge
wire [3:0]             nxt_valid;
wire [3:0]             enck_valid;

reg                  enc_valid_reg;
reg [IDX_WIDTH-1:0]  enc_idx_reg;
reg                  skid_valid_reg;
reg [IDX_WIDTH-1:0]  skid_idx_reg;
reg                  cur_valid_reg;      // cur_idx_reg is presented as an op
reg [IDX_WIDTH-1:0]  cur_idx_reg;

// Encode a lane's one-hot candidate with OR trees (a priority loop would
// synthesise into a deep mux chain): bit b of the number is the OR of the 8
// positions with bit b set.  Written as masks, not as a loop, because the
// simulators evaluate it on every edge (a 64-iteration loop per lane made
// Icarus 3x slower for the whole block); the logic is the same.
function [3:0] encode16(input [15:0] onehot);
    begin
        encode16 = {|(onehot & 16'hFF00), |(onehot & 16'hF0F0),
                    |(onehot & 16'hCCCC), |(onehot & 16'hAAAA)};
    end
endfunction

// enc takes the lowest lane with a candidate whenever skid is empty
wire       cand_move = !skid_valid_reg;
wire [3:0] sel;
assign sel[0] = enck_valid[0];
assign sel[1] = enck_valid[1] && !enck_valid[0];
assign sel[2] = enck_valid[2] && !(|enck_valid[1:0]);
assign sel[3] = enck_valid[3] && !(|enck_valid[2:0]);
// a lane's enc_k / nxt_k move when empty or when their successor takes them
wire [3:0] enck_move = ~enck_valid | (sel & {4{cand_move}});
wire [3:0] nxt_move  = ~nxt_valid | enck_move;

wire [3:0]           lane_any;
wire [IDX_WIDTH-1:0] pick_term [0:3];

// The next line enters rem once every lane has handed its last bit on.  Known
// from flops only (the lanes' carry chains feed just rem_was_empty_reg), at
// the cost of one cycle per line: rem was empty during the last cycle and
// was not loaded on the last edge, so it is empty now.
//   load = rem_was_empty_reg && !load_reg && fifo_any
// with the last two terms registered a cycle ahead (load_ok_reg), so the
// refill is one gate of two flops; each lane has its own copy of
// load_ok_reg (its 16 rem flops' clock enable and data choice are the wide
// fan-out).
reg load_ok_reg;   // = !load_reg && fifo_any
wire load = rem_was_empty_reg && load_ok_reg;
// registered: !load && the FIFO holds a line after this edge (the pointer
// compare as of the next edge: rd only moves on a load, which makes it 0)
wire load_ok_next = !load && ((fifo_wr_reg + {{(FIFO_AW-1){1'b0}}, lp_push_reg}) != fifo_rd_reg);

genvar g;
generate
    for (g = 0; g < 4; g = g + 1) begin : g_lane
        reg [15:0]           rem_reg;
        reg                  nxt_valid_reg;
        reg [15:0]           nxt_reg;      // one-hot, 0 when not valid
        reg [LINE_WIDTH-1:0] nxt_line_reg;
        reg                  lane_enc_valid_reg;
        reg [3:0]            lane_enc_bit_reg;
        reg [LINE_WIDTH-1:0] lane_enc_line_reg;
        // this lane's copy of load_ok_reg (kept apart: synthesis would merge
        // identical flops), so its refill is one gate of two flops
        (* keep *) reg       lane_load_ok_reg;
        wire                 lane_load = rem_was_empty_reg && lane_load_ok_reg;

        // pick: x & (x - 1) clears the lowest set bit, x & ~(x - 1) isolates
        // it; both share one carry chain, whose borrow out says x was 0
        wire [16:0] minus1 = {1'b0, rem_reg} - 17'd1;
        wire [1:0]  lane   = g;
        assign lane_any[g]       = !minus1[16];
        assign nxt_valid[g]      = nxt_valid_reg;
        assign enck_valid[g] = lane_enc_valid_reg;
        assign pick_term[g] = sel[g] ? {lane_enc_line_reg, lane, lane_enc_bit_reg} : {IDX_WIDTH{1'b0}};

        always @(posedge clk) begin
            if (nxt_move[g]) begin
                nxt_valid_reg <= lane_any[g];
                nxt_reg       <= rem_reg & ~minus1[15:0];
                nxt_line_reg  <= rem_line_reg;
                rem_reg       <= rem_reg & minus1[15:0];
            end
            if (enck_move[g]) begin
                lane_enc_valid_reg <= nxt_valid_reg;
                lane_enc_bit_reg   <= encode16(nxt_reg);
                lane_enc_line_reg  <= nxt_line_reg;
            end
            if (lane_load) begin
                rem_reg <= fifo_head[16*g +: 16];
            end
            // rst folded into D (a kept flop's synchronous reset would be a
            // gate after this logic)
            lane_load_ok_reg   <= load_ok_next && !rst;
            if (rst) begin
                rem_reg       <= 16'd0;
                nxt_reg       <= 16'd0;
                nxt_valid_reg <= 1'b0;
                lane_enc_valid_reg <= 1'b0;
            end
        end
    end
endgenerate

wire [IDX_WIDTH-1:0] enc_pick = pick_term[0] | pick_term[1] | pick_term[2] | pick_term[3];

/* verilator lint_off UNUSEDSIGNAL */
wire [IDX_WIDTH+31:0] cur_idx_ext = {32'd0, cur_idx_reg};
/* verilator lint_on UNUSEDSIGNAL */

assign op_valid   = cur_valid_reg && cand_credit_ok;
assign op_is_cand = 1'b1;
assign op_word    = cur_idx_ext[5 +: WORD_WIDTH];
assign op_slot    = cur_idx_ext[SLOT_WIDTH-1:0];
assign scan_busy  = scan_req_reg || scan_pending_reg || starting_reg || active_reg;

// A request is taken up when no scan runs; the scan starts, or is skipped,
// one edge later from pend_any sampled on the take-up edge (scan_req and
// pend_any come through several levels of pipeline logic: each only feeds a
// flop).
wire scan_start = !active_reg && !starting_reg && scan_pending_reg;

// cur moves (from skid, else from enc) when it is taken or empty
wire cur_take = op_ready || !cur_valid_reg;
(* keep *) wire skid_fill;
assign skid_fill = cur_valid_reg && (skid_valid_reg || enc_valid_reg);

// everything the scan found has been presented and taken
wire drained = rd_done && out_cnt_reg == 0 && rem_was_empty_reg && !load_reg && !(|nxt_valid) &&
               !(|enck_valid) && !enc_valid_reg && !skid_valid_reg && !cur_valid_reg;

always @(posedge clk) begin
    // read side: a read is counted from its issue until its line leaves the FIFO
    rd_v1_reg   <= rd_go;
    rd_v2_reg   <= rd_v1_reg;
    rd_l1_reg   <= rd_line_reg;
    rd_l2_reg   <= rd_l1_reg;
    // a line leaves the count one edge after it left the FIFO (from flops;
    // the count only errs high, which only delays a read) or as it is dropped
    out_cnt_reg <= out_cnt_reg + {{FIFO_AW{1'b0}}, rd_go} - {{FIFO_AW{1'b0}}, load_reg}
                               - {{FIFO_AW{1'b0}}, lp_drop_reg};
    rem_was_empty_reg <= !(|lane_any);
    load_reg          <= load;
    load_ok_reg       <= load_ok_next;
    if (rd_go) begin
        rd_line_reg <= rd_line_reg + 1'b1;
        rd_done_reg <= rd_line_ext == SCAN_LINES - 1;
    end
    if (hold_reg != 2'd0) begin
        hold_reg <= hold_reg - 2'd1;
    end
    if (lp_push_reg) begin
        fifo_wr_reg <= fifo_wr_reg + 1'b1;
    end

    if (load) begin
        rem_line_reg  <= fifo_head[LINE_WIDTH+63:64];
        fifo_rd_reg   <= fifo_rd_reg + 1'b1;
    end

    // enc -> skid / cur
    if (cur_take) begin
        cur_valid_reg <= skid_valid_reg || enc_valid_reg;
        cur_idx_reg   <= skid_valid_reg ? skid_idx_reg : enc_idx_reg;
    end
    skid_valid_reg <= !op_ready && skid_fill;
    if (cand_move) begin
        skid_idx_reg  <= enc_idx_reg;
        enc_valid_reg <= |enck_valid;
        enc_idx_reg   <= enc_pick;
    end

    // scan control
    scan_req_reg <= scan_req;
    pend_any_reg <= pend_any;
    drained_reg  <= drained;
    starting_reg <= scan_start;
    if (starting_reg) begin
        active_reg <= pend_any_reg;
        if (pend_any_reg) begin
            hold_reg      <= START_HOLD;
            rd_line_reg   <= 0;
            rd_done_reg   <= 1'b0;
        end
    // (registered: once drained with every line read, nothing can refill the
    // stages, so a one-cycle-old drained is still true)
    end else if (active_reg && hold_reg == 2'd0 && drained_reg) begin
        active_reg <= 1'b0;
    end
    // a request always wins, so one arriving at any point gets a full scan
    if (scan_req_reg) begin
        scan_pending_reg <= 1'b1;
    end else if (scan_start) begin
        scan_pending_reg <= 1'b0;
    end

    if (rst) begin
        scan_req_reg     <= 1'b0;
        scan_pending_reg <= 1'b0;
        starting_reg     <= 1'b0;
        active_reg       <= 1'b0;
        hold_reg         <= 2'd0;
        rd_line_reg      <= LINES_END;
        rd_done_reg      <= 1'b1;
        rd_v1_reg        <= 1'b0;
        rd_v2_reg        <= 1'b0;
        out_cnt_reg      <= 0;
        drained_reg      <= 1'b1;
        fifo_wr_reg      <= 0;
        fifo_rd_reg      <= 0;
        rem_was_empty_reg <= 1'b1;
        load_reg          <= 1'b0;
        load_ok_reg       <= 1'b0;
        rem_line_reg     <= 0;
        enc_valid_reg    <= 1'b0;
        skid_valid_reg   <= 1'b0;
        cur_valid_reg    <= 1'b0;
    end
end

`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst) begin
        if (rd_done_reg != (rd_line_ext == SCAN_LINES)) begin
            $fatal(1, "ims_replay_scan: rd_done_reg does not match rd_line_reg (%m)");
        end
        if (load_ok_reg != (!load_reg && fifo_any)) begin
            $fatal(1, "ims_replay_scan: load_ok_reg does not match its definition (%m)");
        end
        if (lp_push_reg && fifo_wr_reg + 1'b1 == fifo_rd_reg) begin
            $fatal(1, "ims_replay_scan: line FIFO overflow (%m)");
        end
        if (starting_reg && !drained) begin
            $fatal(1, "ims_replay_scan: a scan starts while the last one still holds candidates (%m): rd_done %b out_cnt %0d lanes %b nxt %b enck %b enc %b skid %b cur %b",
                   rd_done, out_cnt_reg, lane_any, nxt_valid, enck_valid, enc_valid_reg, skid_valid_reg, cur_valid_reg);
        end
    end
end
`endif

endmodule

`resetall
