/*
 * Pending read-modify-write: stage W of the pipeline, the forwarding that
 * lets back-to-back read-modify-writes of one pending word see each other,
 * the post-reset clear of every pending word, and the pending population
 * count the replay scanner uses to skip empty scans.
 *
 * Every op that may change a pending bit (trigger, candidate check, slot
 * write: c_pend_we) writes its word back at edge N+3 (stage W register,
 * in ims_pending_store's RAM at N+4), changed or not, so the write enable
 * and the forwarding selects depend on registers only.  A slot CTRL write
 * (c_ctrl) also updates the slot's copy of MASK in the word.
 *
 * Ports and timing (N = the op's issue edge; stage C = N+2..N+3):
 *   c_* (inputs)       the op in stage C (ims_rule_eval's flops).
 *   b_slot, b_word     the op in stage B (flops): compared with stage C's
 *                      op at edge N+2 to forward the one bit of the op ahead.
 *   t_pend, c_fire     stage C's late decisions (rule 4 sets the bit; the
 *                      replay clears it), registered at N+3.
 *   st_bits, st_mask_bits, st_slot_bit   the pending store's read as of
 *                      stage C (every earlier write-back forwarded except the
 *                      op just ahead, which is in W now).
 *   pend_bits, pend_mask_bits, pend_bit   the word / bit as of this op,
 *                      combinational in stage C (pend_bits: the PENDING read).
 *   wfwd_bit, w_new_pend   flops for ims_msg_decide's replay term.
 *   wr_* / nx_*        ims_pending_store's write port (W, flops) and the
 *                      announcement of the next write (stage C's flops).
 *   busy, init_slot    ims_init_sweep: while busy, W writes word init_slot
 *                      (all pending 0, MASK copies 1), one per cycle; once
 *                      init_slot passes the last word, word 0 again.
 *   pend_count_any     from flops: some pending bit is set, or stage W set one
 *                      that the count (one cycle behind W) does not hold yet.
 */

`default_nettype none

module ims_pend_rmw #(
    parameter SLOT_WIDTH = 11,
    parameter WORD_WIDTH = 6,
    parameter PEND_WORDS = 64
) (
    input  wire                  clk,
    input  wire                  rst,

    input  wire                  busy,
    input  wire [SLOT_WIDTH-1:0] init_slot,

    // stage B (forwarding compare)
    input  wire [SLOT_WIDTH-1:0] b_slot,
    input  wire [WORD_WIDTH-1:0] b_word,

    // stage C
    input  wire                  c_pend_we,
    input  wire                  c_ctrl,
    input  wire                  c_clear,
    input  wire                  c_mask_val,
    input  wire                  c_fire_gate,
    input  wire [SLOT_WIDTH-1:0] c_slot,
    input  wire [WORD_WIDTH-1:0] c_word,
    input  wire [31:0]           c_onehot,
    input  wire                  t_pend,
    input  wire                  c_fire,

    // the pending store's read
    input  wire [31:0]           st_bits,
    input  wire [31:0]           st_mask_bits,
    input  wire                  st_slot_bit,

    output wire [31:0]           pend_bits,
    output wire                  pend_bit,
    output wire                  wfwd_bit,
    output wire                  w_new_pend,

    // the pending store's write port and next-write announcement
    output wire                  wr_en,
    output wire [WORD_WIDTH-1:0] wr_word,
    output wire [31:0]           wr_bits,
    output wire [31:0]           wr_mask_bits,
    output wire [SLOT_WIDTH-1:0] wr_slot,
    output wire                  wr_slot_bit,
    output wire                  nx_en,
    output wire [WORD_WIDTH-1:0] nx_word,
    output wire [SLOT_WIDTH-1:0] nx_slot,

    output wire                  pend_count_any
);

initial begin
    if (WORD_WIDTH < 1 || WORD_WIDTH > SLOT_WIDTH || PEND_WORDS < 1 || PEND_WORDS > (1 << WORD_WIDTH)) begin
        $error("Error: ims_pend_rmw needs 1 <= WORD_WIDTH <= SLOT_WIDTH, 1 <= PEND_WORDS <= 2**WORD_WIDTH (instance %m)");
        $finish;
    end
end

// stage W: the pending write-back, registered on edge N+3 from stage C and
// written into the RAM on edge N+4.  It holds the word stage C saw and the
// one slot it changes (pending bit: new value; MASK copy: only on a slot
// CTRL write).
reg                  w_we_reg;
reg [WORD_WIDTH-1:0] w_word_reg;
reg [SLOT_WIDTH-1:0] w_slot_reg;
reg [31:0]           w_bits_reg;
reg [31:0]           w_mask_bits_reg;
reg [31:0]           w_onehot_reg;
reg                  w_new_pend_reg;
reg                  w_mask_we_reg;
reg                  w_mask_val_reg;

// The pending word / bit this op sees: the store's value (every write-back
// that landed after the read, forwarded) with the one bit changed by the op
// just ahead, now in stage W.
reg         c_wfwd_word_reg;       // the op in W writes our word back (its bit: w_onehot)
reg         c_wfwd_mask_reg;       // ... and changes its MASK copy bit (slot CTRL write)
reg         c_wfwd_bit_reg;        // the op in W is for our slot

wire [31:0] c_wfwd_sel      = c_wfwd_word_reg ? w_onehot_reg : 32'd0;
wire [31:0] c_wfwd_mask_sel = c_wfwd_mask_reg ? w_onehot_reg : 32'd0;
assign      pend_bits      = (c_wfwd_sel & {32{w_new_pend_reg}}) | (~c_wfwd_sel & st_bits);
wire [31:0] pend_mask_bits = (c_wfwd_mask_sel & {32{w_mask_val_reg}}) | (~c_wfwd_mask_sel & st_mask_bits);
assign      pend_bit       = c_wfwd_bit_reg ? w_new_pend_reg : st_slot_bit;

assign wfwd_bit   = c_wfwd_bit_reg;
assign w_new_pend = w_new_pend_reg;

/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] init_slot_ext = {{(32-SLOT_WIDTH){1'b0}}, init_slot};
/* verilator lint_on UNUSEDSIGNAL */

// BUSY sweep: "init_slot is a pending word number" as a flop, so the write
// word is one gate of flops rather than a compare after init_slot.  The
// sweep counts up from 0 (rst) by one per busy cycle, so the flag is set by
// rst and falls when the last word is passed; the sweep only starts again
// from rst, so the flag need not follow init_slot's wrap at its end.
reg  init_in_words_reg;
wire init_last_word     = init_slot_ext == PEND_WORDS - 1;
wire init_in_words_next = rst ? 1'b1 : !(busy && init_last_word) && init_in_words_reg;

always @(posedge clk) begin
    init_in_words_reg <= init_in_words_next;
end

`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst && busy && init_in_words_reg != (init_slot_ext < PEND_WORDS)) begin
        $fatal(1, "ims_pend_rmw: init_in_words_reg does not match init_slot (%m)");
    end
end
`endif

always @(posedge clk) begin
    w_we_reg        <= c_pend_we;
    w_word_reg      <= c_word;
    w_slot_reg      <= c_slot;
    w_bits_reg      <= pend_bits;
    w_mask_bits_reg <= pend_mask_bits;
    w_onehot_reg    <= c_onehot;
    // set by a rule-4 trigger, else kept unless replayed (c_fire =
    // c_fire_gate && pend_bit) or cleared
    w_new_pend_reg  <= t_pend || (pend_bit && !c_fire_gate && !c_clear);
    w_mask_we_reg   <= c_ctrl;
    w_mask_val_reg  <= c_mask_val;
    // forwarding for the op entering stage C now (the op entering W is ahead of it)
    c_wfwd_word_reg     <= c_pend_we && c_word == b_word;
    c_wfwd_mask_reg     <= c_ctrl && c_word == b_word;
    c_wfwd_bit_reg      <= c_pend_we && c_slot == b_slot;
    // BUSY: reset every pending bit and word (MASK copy set), one slot per
    // cycle; once the slot number passes the last word, word 0 is written
    // again, harmlessly.  No op is in the pipeline then.
    if (busy) begin
        w_we_reg        <= 1'b1;
        w_word_reg      <= init_in_words_reg ? init_slot[WORD_WIDTH-1:0] : {WORD_WIDTH{1'b0}};
        w_slot_reg      <= init_slot;
        w_bits_reg      <= 32'd0;
        w_mask_bits_reg <= 32'hffffffff;
        w_new_pend_reg  <= 1'b0;
        w_mask_we_reg   <= 1'b0;
    end
    if (rst) begin
        w_we_reg            <= 1'b0;
        w_mask_we_reg       <= 1'b0;
        c_wfwd_word_reg     <= 1'b0;
        c_wfwd_mask_reg     <= 1'b0;
        c_wfwd_bit_reg      <= 1'b0;
    end
end

assign wr_en        = w_we_reg;
assign wr_word      = w_word_reg;
assign wr_bits      = (w_bits_reg & ~w_onehot_reg) | (w_new_pend_reg ? w_onehot_reg : 32'd0);
assign wr_mask_bits = !w_mask_we_reg ? w_mask_bits_reg :
                      (w_mask_bits_reg & ~w_onehot_reg) | (w_mask_val_reg ? w_onehot_reg : 32'd0);
assign wr_slot      = w_slot_reg;
assign wr_slot_bit  = w_new_pend_reg;
assign nx_en        = c_pend_we;
assign nx_word      = c_word;
assign nx_slot      = c_slot;

// pending bit population, only to know whether a scan can find anything
localparam PEND_COUNT_WIDTH = SLOT_WIDTH + 1;

reg [PEND_COUNT_WIDTH-1:0] pend_count_reg;

// registered first: the decision feeds only flops, the counter adds a cycle later
reg pend_inc_reg;
reg pend_dec_reg;

always @(posedge clk) begin
    pend_inc_reg <= t_pend && !pend_bit;
    pend_dec_reg <= c_fire || (c_clear && pend_bit);
    if (pend_inc_reg && !pend_dec_reg) begin
        pend_count_reg <= pend_count_reg + 1'b1;
    end else if (pend_dec_reg && !pend_inc_reg) begin
        pend_count_reg <= pend_count_reg - 1'b1;
    end
    if (rst) begin
        pend_inc_reg   <= 1'b0;
        pend_dec_reg   <= 1'b0;
        pend_count_reg <= 0;
    end
end

assign pend_count_any = pend_count_reg != 0 || pend_inc_reg;

endmodule

`resetall
