/*
 * Memory-entry maintenance (contract section 7): invalidation commands and
 * re-examination of pending memory entries.
 *
 * Interface contract:
 *   cmd_*   one command from ims_regs, held until cmd_done (one pulse):
 *           CMD_INVAL (MEM_INVAL: entry / ALL / CLEAR_PENDING from cmd_wdata),
 *           CMD_BASE (MEM_BASE_LO/HI written: drop every line),
 *           CMD_SIZE (MEM_ENTRIES written, mem_entries already the new M: drop
 *           every line, clear the pending bits of entries M .. MEM_MAX_ENTRIES-1).
 *           A command is taken only when no re-examination runs.  It holds
 *           trigger admission (hold), waits until the park queue is empty and
 *           every trigger handed to the pipeline has been decided (DRAIN_CYCLES
 *           after the last one), drops the lines, clears pending bits through
 *           pipeline ops, then pulses cmd_done (the register block then issues
 *           BVALID) and releases hold.
 *   rx_all_req  a CTRL write changed FUNC_MASK 1->0 or ENABLE 0->1: re-examine
 *           every pending entry (remembered while busy).
 *   op_*    pipeline ops: OPM_CAND (candidate check of index NUM_SLOTS+j with
 *           the image in entry-RAM line op_line), OPM_CLEAR (clear the pending
 *           bit), OPM_PEND_RD (read pending word op_word); each answers one
 *           rsp_valid, in op order.  Several OPM_CAND may be outstanding; an
 *           OPM_PEND_RD's answer is told apart by counting the answers due
 *           before it.
 *   mf_*    re-examination fetches (ims_mem_front), accepted and answered in
 *           request order; mf_stage names the staging line (STAGE_LINE0 +
 *           mf_stage) the next answer's image is written to.
 * Re-examination (rule 4): pending words are read through the pipeline, and
 * each pending entry (lowest first) is fetched afresh into a staging line of
 * its own (2**STAGE_WIDTH of them, used in a ring), with up to RX_FETCHES
 * fetches outstanding; as the answers come back, in fetch order, a candidate
 * check emits the entry if MASK = 0 (and ENABLE = 1, FUNC_MASK = 0) and
 * clears the bit, else leaves it; a fetch error leaves the bit (counted by the
 * front end).  A staging line is reused only after the candidate check that
 * reads it has answered (lines are freed in ring order: an errored answer is
 * passed only when no check is outstanding).  The next pending word is read
 * once the current one's candidates are all fetched.  A re-examination runs
 * until its last check has answered; a command waits for that.  The fetch
 * happens whatever ENABLE and FUNC_MASK are, as in the device model
 * (models/ims_device.py _reexamine).
 */

`default_nettype none

module ims_mem_maint #(
    parameter NUM_SLOTS       = 64,
    parameter MEM_MAX_ENTRIES = 64,
    parameter ENTRY_WIDTH     = 6,
    parameter IDX_WIDTH       = 8,
    parameter WORD_WIDTH      = 3,
    parameter LINE_WIDTH      = 5,      // entry-RAM line number width (ims_mem_front)
    parameter STAGE_LINE0     = 24,     // the first staging line
    parameter STAGE_WIDTH     = 3,      // 2**STAGE_WIDTH staging lines
    parameter RX_FETCHES      = 4       // re-examination fetches outstanding at most
) (
    input  wire                   clk,
    input  wire                   rst,

    input  wire                   cmd_valid,
    input  wire [1:0]             cmd_kind,
    input  wire [31:0]            cmd_wdata,
    output reg                    cmd_done,
    input  wire                   rx_all_req,

    input  wire [ENTRY_WIDTH:0]   mem_entries,
    output wire                   hold,
    input  wire                   park_empty,
    input  wire                   trig_to_pipe,

    output reg                    inv_valid,
    output reg                    inv_all,
    output reg  [ENTRY_WIDTH-1:0] inv_entry,

    output reg                    mf_req_valid,
    input  wire                   mf_req_ready,
    output reg  [ENTRY_WIDTH-1:0] mf_req_entry,
    input  wire                   mf_rsp_valid,
    input  wire                   mf_rsp_err,
    output wire [STAGE_WIDTH-1:0] mf_stage,

    output reg                    op_valid,
    input  wire                   op_ready,
    output reg  [1:0]             op_kind,
    output reg  [IDX_WIDTH-1:0]   op_index,
    output reg  [WORD_WIDTH-1:0]  op_word,
    output reg  [LINE_WIDTH-1:0]  op_line,
    input  wire                   rsp_valid,
    input  wire [31:0]            rsp_rdata
);

// command kinds (CMD_BASE = 2'd1 needs no test of its own: every kind but CMD_INVAL drops all lines)
localparam [1:0] CMD_INVAL = 2'd0, CMD_SIZE = 2'd2;
localparam [1:0] OPM_CAND = 2'd0, OPM_CLEAR = 2'd1, OPM_PEND_RD = 2'd2;
localparam DRAIN_CYCLES = 6;
// index arithmetic width: NUM_SLOTS + MEM_MAX_ENTRIES fits, and a word number has a bit
localparam XW = (IDX_WIDTH + 1 > 6) ? IDX_WIDTH + 1 : 6;
/* verilator lint_off WIDTH */
localparam [XW-1:0] NS = NUM_SLOTS;
/* verilator lint_on WIDTH */

localparam [3:0]
    S_IDLE    = 4'd0,
    S_HOLD    = 4'd1,   // wait for the park queue to empty and the pipeline to decide
    S_INV     = 4'd2,
    S_CLR     = 4'd3,   // clear op for entry clr_j
    S_CLR_W   = 4'd4,
    S_DONE    = 4'd5,
    S_RX      = 4'd6,   // a re-examination runs (word walk, fetches and checks: below)
    S_CMD     = 4'd13;  // a command taken: decoded from flops set while it waited in S_IDLE

// the re-examination's word walk
localparam [2:0]
    WK_RD     = 3'd0,   // read pending word rx_word (when the op port is free)
    WK_WAIT   = 3'd1,   // its answer
    WK_SET    = 3'd2,   // the word's candidates registered: their lowest bit is formed
    WK_SET2   = 3'd3,   // ... and encoded
    WK_BITS   = 3'd4,   // fetch each candidate (lowest first), then the next word
    WK_END    = 3'd5;   // every word walked: the re-examination ends when its lines are free

localparam NST = 1 << STAGE_WIDTH;
/* verilator lint_off WIDTH */
localparam [STAGE_WIDTH:0] NST_X   = NST;
localparam [2:0]           RXF_X   = RX_FETCHES;
localparam [LINE_WIDTH-1:0] STAGE0 = STAGE_LINE0;
/* verilator lint_on WIDTH */

initial begin
    if (STAGE_WIDTH < 1 || RX_FETCHES < 1 || RX_FETCHES > 7 || RX_FETCHES > NST) begin
        $error("Error: ims_mem_maint needs STAGE_WIDTH >= 1 and 1 <= RX_FETCHES <= min(7, 2**STAGE_WIDTH) (instance %m)");
        $finish;
    end
end

reg [3:0]  state_reg;
reg [3:0]  drain_reg;
reg [1:0]  kind_reg;
reg        all_reg;        // command / re-examination names every entry
reg        clear_reg;
reg [ENTRY_WIDTH:0] j_reg;        // named entry (inval), or current entry (clear loop)
reg [ENTRY_WIDTH:0] clr_end_reg;
reg        rx_again_reg;   // a CTRL re-examination request is waiting
reg [31:0] rx_bits_reg;    // remaining candidates of the word being re-examined
reg [31:0] rx_mask_reg;    // the bits of word rx_word that belong to the entries re-examined
reg [XW-6:0] rx_word_reg;  // pending word number being re-examined
reg [XW-6:0] rx_last_word_reg;
reg [4:0]  rx_bit_reg;     // the lowest candidate's number (formed from rx_iso)
reg [2:0]  wk_reg;
reg        rx_cool_reg;    // a candidate was taken on the last edge (its iso / bit not formed yet)
// staging ring: a line is taken (fetch requested), answered, checked (candidate check
// issued, or passed on a fetch error), freed (check answered / error passed), in ring order
reg [IDX_WIDTH-1:0] rg_idx_reg [0:NST-1];   // the entry's trigger index
reg [NST-1:0]       rg_ans_reg;             // answered, not yet checked
reg [NST-1:0]       rg_err_reg;             // ... with a fetch error
reg [STAGE_WIDTH-1:0] iss_ptr_reg, rsp_ptr_reg, chk_ptr_reg;
reg [2:0]           fetch_cnt_reg;          // fetches requested, not answered
reg [STAGE_WIDTH:0] line_cnt_reg;           // lines taken, not freed
reg [STAGE_WIDTH:0] cand_out_reg;           // candidate checks issued, not answered
reg                 rx_cool2_reg;           // ... two edges ago (its bit number not formed yet)
reg                 rd_out_reg;             // a pending-word read is outstanding
reg [STAGE_WIDTH:0] rd_before_reg;          // candidate-check answers due before its answer
// formed one edge ahead from flops (timing: the state decode sees no compare
// or carry chain): the command's named entry exists, M = 0, the clear loop's
// next step, the last word reached, the lowest candidate isolated
reg        named_ok_reg;
reg        m_zero_reg;
reg        clr_go_reg;     // clear_reg and j < clr_end
reg        clr_more_reg;   // j + 1 < clr_end
reg        rx_at_last_reg; // rx_word == rx_last_word
reg        rx_any_reg;     // rx_bits != 0
reg [31:0] rx_iso_reg;     // rx_bits' lowest set bit alone

assign hold = state_reg == S_HOLD || state_reg == S_INV || state_reg == S_CLR ||
              state_reg == S_CLR_W || state_reg == S_DONE;

/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] m_ext = {{(31-ENTRY_WIDTH){1'b0}}, mem_entries};
wire [31:0] named_j = {16'd0, cmd_wdata[15:0]};
/* verilator lint_on UNUSEDSIGNAL */
wire named_ok = cmd_wdata[31] || named_j < m_ext;

// the number of the one set bit of iso (an OR per bit)
function [4:0] encode_one(input [31:0] iso);
    integer b;
    begin
        encode_one = 5'd0;
        for (b = 0; b < 32; b = b + 1) begin
            encode_one = encode_one | (iso[b] ? b[4:0] : 5'd0);
        end
    end
endfunction

function [31:0] ones_below(input [4:0] k);
    begin
        ones_below = (32'd1 << k) - 32'd1;
    end
endfunction

/* verilator lint_off UNUSEDSIGNAL */
wire [XW-1:0] m_x     = {{(XW-ENTRY_WIDTH-1){1'b0}}, mem_entries};
wire [XW-1:0] hi_all  = NS + m_x;                // first index past the memory entries
wire [XW-1:0] hi_m1   = hi_all - 1'b1;
wire [XW-1:0] j_x     = {{(XW-ENTRY_WIDTH-1){1'b0}}, j_reg};
wire [XW-1:0] rx_idx  = {rx_word_reg, rx_bit_reg};
wire [XW-1:0] rx_jx   = rx_idx - NS;
wire [XW-1:0] clr_idx = NS + j_x;                // the entry cleared, or the one named entry re-examined
/* verilator lint_on UNUSEDSIGNAL */
wire [ENTRY_WIDTH-1:0] rx_j = rx_jx[ENTRY_WIDTH-1:0];
wire [XW-6:0] first_word   = NS[XW-1:5];
wire [XW-6:0] hi_last_word = hi_m1[XW-1:5];
wire [XW-6:0] named_word   = clr_idx[XW-1:5];

// the bits of word rx_word belonging to the entries re-examined: all of them
// between NUM_SLOTS and NUM_SLOTS + M, or the one named entry (registered
// while the word is read, so the answer meets only an AND)
// (the entry count's end and the named entry's bit are registered ahead: M and
// the named entry stay put for many cycles before a word is read)
reg  [XW-6:0] hi_word_reg;
reg  [31:0]   hi_mask_reg;
reg  [31:0]   one_mask_reg;
reg           trig_q_reg;      // a trigger entered the pipeline on the previous edge
wire [31:0] rx_mask_all = (rx_word_reg == first_word ? ~ones_below(NS[4:0]) : 32'hFFFF_FFFF) &
                          (rx_word_reg == hi_word_reg ? hi_mask_reg : 32'hFFFF_FFFF);
wire [31:0] rx_mask_one = one_mask_reg;

// re-examination steps this edge (each a few gates of flops; the counters only
// reach flop inputs: the fetch request mf_req_valid is itself a flop; a fetch
// may be taken on the edge another one's answer frees its count)
wire rx_run    = state_reg == S_RX;
wire rsp_is_rd = rd_out_reg && rd_before_reg == 0;            // this answer is the word read's
wire cand_rsp  = rx_run && rsp_valid && !rsp_is_rd;           // ... else a candidate check's
wire chk_ans   = rg_ans_reg[chk_ptr_reg];
wire chk_err   = rg_err_reg[chk_ptr_reg];
// the oldest answered line: a candidate check, or (fetch error) passed once no
// check is outstanding, so lines are freed in ring order
wire chk_issue = rx_run && chk_ans && !chk_err && !op_valid;
wire chk_pass  = rx_run && chk_ans && chk_err && cand_out_reg == 0;
wire rd_issue  = rx_run && wk_reg == WK_RD && !op_valid && !chk_issue;
wire take      = rx_run && wk_reg == WK_BITS && rx_any_reg && !rx_cool_reg && !rx_cool2_reg &&
                 !mf_req_valid && (fetch_cnt_reg != RXF_X || mf_rsp_valid) && line_cnt_reg != NST_X;
wire wk_empty  = rx_run && wk_reg == WK_BITS && !rx_any_reg && !rx_cool_reg && !rx_cool2_reg;
assign mf_stage = rsp_ptr_reg;

always @(posedge clk) begin
    hi_word_reg  <= hi_all[XW-1:5];
    hi_mask_reg  <= (hi_all[4:0] != 5'd0) ? ones_below(hi_all[4:0]) : 32'hFFFF_FFFF;
    one_mask_reg <= 32'd1 << clr_idx[4:0];
    // (a trigger counts one edge late: the drain then waits one cycle longer)
    trig_q_reg   <= trig_to_pipe;
    named_ok_reg   <= named_ok;
    m_zero_reg     <= mem_entries == 0;
    clr_go_reg     <= clear_reg && j_reg < clr_end_reg;
    clr_more_reg   <= j_reg + 1'b1 < clr_end_reg;
    rx_at_last_reg <= rx_word_reg == rx_last_word_reg;
    rx_any_reg     <= rx_bits_reg != 32'd0;
    rx_iso_reg     <= rx_bits_reg & (~rx_bits_reg + 32'd1);   // v & -v
    cmd_done  <= 1'b0;
    inv_valid <= 1'b0;
    if (rx_all_req) begin
        rx_again_reg <= 1'b1;
    end
    if (op_valid && op_ready) begin
        op_valid <= 1'b0;
    end
    if (mf_req_valid && mf_req_ready) begin
        mf_req_valid <= 1'b0;
    end

    case (state_reg)
        S_IDLE: begin
            // (cmd_valid, cmd_wdata and mem_entries are set on the same edge and
            // held until cmd_done: named_ok_reg is the command's in S_CMD)
            if (cmd_valid && !cmd_done) begin
                state_reg <= S_CMD;
            end else if (rx_again_reg || rx_all_req) begin
                rx_again_reg <= 1'b0;
                all_reg      <= 1'b1;
                rx_word_reg      <= first_word;
                rx_last_word_reg <= hi_last_word;
                wk_reg       <= WK_RD;
                state_reg    <= m_zero_reg ? S_IDLE : S_RX;
            end
        end
        S_CMD: begin
            kind_reg  <= cmd_kind;
            all_reg   <= cmd_kind != CMD_INVAL || cmd_wdata[31];
            clear_reg <= cmd_kind == CMD_SIZE || (cmd_kind == CMD_INVAL && cmd_wdata[30] && named_ok_reg);
            j_reg     <= cmd_kind == CMD_SIZE ? mem_entries :
                         (cmd_wdata[31] ? {(ENTRY_WIDTH+1){1'b0}} : cmd_wdata[ENTRY_WIDTH:0]);
            clr_end_reg <= cmd_kind == CMD_SIZE ? MEM_MAX_ENTRIES[ENTRY_WIDTH:0] :
                           (cmd_wdata[31] ? mem_entries : cmd_wdata[ENTRY_WIDTH:0] + 1'b1);
            drain_reg <= DRAIN_CYCLES[3:0];
            state_reg <= S_HOLD;
        end
        S_HOLD: begin
            if (!park_empty || trig_q_reg) begin
                drain_reg <= DRAIN_CYCLES[3:0];
            end else if (drain_reg != 0) begin
                drain_reg <= drain_reg - 1'b1;
            end else begin
                state_reg <= S_INV;
            end
        end
        S_INV: begin
            // (clr_go_reg: j and clr_end were set in S_CMD, at least DRAIN_CYCLES edges ago)
            inv_valid <= kind_reg != CMD_INVAL || named_ok_reg;
            inv_all   <= all_reg;
            inv_entry <= j_reg[ENTRY_WIDTH-1:0];
            state_reg <= clr_go_reg ? S_CLR : S_DONE;
        end
        S_CLR: begin
            op_valid  <= 1'b1;
            op_kind   <= OPM_CLEAR;
            op_index  <= clr_idx[IDX_WIDTH-1:0];
            state_reg <= S_CLR_W;
        end
        S_CLR_W: begin
            // (clr_more_reg: j was set at least two edges before the answer)
            if (rsp_valid) begin
                j_reg     <= j_reg + 1'b1;
                state_reg <= clr_more_reg ? S_CLR : S_DONE;
            end
        end
        S_DONE: begin
            cmd_done  <= 1'b1;
            state_reg <= S_IDLE;
            // rule 4: a MEM_INVAL re-examines the entries it names (CLEAR_PENDING
            // leaves none pending); base / size writes re-examine nothing
            if (kind_reg == CMD_INVAL && !clear_reg && named_ok_reg && !m_zero_reg) begin
                if (!all_reg) begin
                    j_reg <= cmd_wdata[ENTRY_WIDTH:0];
                end
                rx_word_reg      <= all_reg ? first_word : named_word;
                rx_last_word_reg <= all_reg ? hi_last_word : named_word;
                wk_reg           <= WK_RD;
                state_reg        <= S_RX;
            end
        end
        S_RX: begin
            // (the re-examination's steps follow the case statement)
            if (wk_reg == WK_END && line_cnt_reg == 0) begin
                state_reg <= S_IDLE;
            end
        end
        default: state_reg <= S_IDLE;
    endcase

    // --- re-examination (state S_RX) ---
    rx_bit_reg   <= encode_one(rx_iso_reg);
    rx_cool_reg  <= take;
    rx_cool2_reg <= rx_cool_reg;
    // word walk
    if (rd_issue) begin
        rx_mask_reg   <= all_reg ? rx_mask_all : rx_mask_one;
        op_valid      <= 1'b1;
        op_kind       <= OPM_PEND_RD;
        op_word       <= rx_word_reg[WORD_WIDTH-1:0];
        rd_out_reg    <= 1'b1;
        rd_before_reg <= cand_out_reg - {{STAGE_WIDTH{1'b0}}, cand_rsp};
        wk_reg        <= WK_WAIT;
    end
    if (rx_run && rsp_valid && rd_out_reg) begin
        if (rsp_is_rd) begin
            rd_out_reg  <= 1'b0;
            rx_bits_reg <= rsp_rdata & rx_mask_reg;
            wk_reg      <= WK_SET;
        end else begin
            rd_before_reg <= rd_before_reg - 1'b1;
        end
    end
    if (rx_run && wk_reg == WK_SET) begin
        wk_reg <= WK_SET2;
    end
    if (rx_run && wk_reg == WK_SET2) begin
        wk_reg <= WK_BITS;
    end
    if (wk_empty) begin
        if (rx_at_last_reg) begin
            wk_reg <= WK_END;
        end else begin
            rx_word_reg <= rx_word_reg + 1'b1;
            wk_reg      <= WK_RD;
        end
    end
    // take the lowest candidate: its fetch, into the next staging line
    if (take) begin
        rx_bits_reg  <= rx_bits_reg & ~rx_iso_reg;
        mf_req_valid <= 1'b1;
        mf_req_entry <= rx_j;
        rg_idx_reg[iss_ptr_reg] <= rx_idx[IDX_WIDTH-1:0];
        iss_ptr_reg  <= iss_ptr_reg + 1'b1;
    end
    // check the oldest answered line (clear before the answer below sets a flag)
    if (chk_issue || chk_pass) begin
        rg_ans_reg[chk_ptr_reg] <= 1'b0;
        chk_ptr_reg <= chk_ptr_reg + 1'b1;
    end
    if (chk_issue) begin
        op_valid <= 1'b1;
        op_kind  <= OPM_CAND;
        op_index <= rg_idx_reg[chk_ptr_reg];
        op_line  <= STAGE0 + {{(LINE_WIDTH-STAGE_WIDTH){1'b0}}, chk_ptr_reg};
    end
    // a fetch answered (in request order): its line is answered
    if (mf_rsp_valid) begin
        rg_ans_reg[rsp_ptr_reg] <= 1'b1;
        rg_err_reg[rsp_ptr_reg] <= mf_rsp_err;
        rsp_ptr_reg <= rsp_ptr_reg + 1'b1;
    end
    fetch_cnt_reg <= fetch_cnt_reg + {2'd0, take} - {2'd0, mf_rsp_valid};
    line_cnt_reg  <= line_cnt_reg + {{STAGE_WIDTH{1'b0}}, take}
                                  - {{STAGE_WIDTH{1'b0}}, chk_pass} - {{STAGE_WIDTH{1'b0}}, cand_rsp};
    cand_out_reg  <= cand_out_reg + {{STAGE_WIDTH{1'b0}}, chk_issue} - {{STAGE_WIDTH{1'b0}}, cand_rsp};

    if (rst) begin
        state_reg    <= S_IDLE;
        cmd_done     <= 1'b0;
        inv_valid    <= 1'b0;
        rx_again_reg <= 1'b0;
        op_valid     <= 1'b0;
        mf_req_valid <= 1'b0;
        wk_reg       <= WK_END;
        rx_cool_reg  <= 1'b0;
        rx_cool2_reg <= 1'b0;
        rg_ans_reg   <= {NST{1'b0}};
        iss_ptr_reg  <= {STAGE_WIDTH{1'b0}};
        rsp_ptr_reg  <= {STAGE_WIDTH{1'b0}};
        chk_ptr_reg  <= {STAGE_WIDTH{1'b0}};
        fetch_cnt_reg <= 3'd0;
        line_cnt_reg <= {(STAGE_WIDTH+1){1'b0}};
        cand_out_reg <= {(STAGE_WIDTH+1){1'b0}};
        rd_out_reg   <= 1'b0;
    end
end

wire unused_wdata = ^cmd_wdata[29:16];

endmodule

`resetall
