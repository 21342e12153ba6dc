/*
 * Op skid buffer: register, maintenance and scanner ops wait here (two
 * entries) for the pipeline's issue slot.
 *
 * Triggers issue straight from the s_irq port (the N+3 latency needs their
 * slot on the RAM address at the accepting edge); every other op is first
 * taken into this two-entry skid buffer (head = mt_*, second = mt2_*), so
 *  - the issue choice is one gate between the port and the head's flops
 *    (ims_issue_mux in ims_rule_eval), and
 *  - taking an op depends on flops only (the second entry is empty), not on
 *    whether a trigger arrives: the register block's, the maintenance unit's
 *    and the scanner's handshakes never see s_irq_valid.
 * The second entry captures the op on offer whenever it is empty (its load
 * enable is then a flop); it is valid only when the head stayed occupied.
 *
 * Sources in priority order: register ops (ims_regs), maintenance ops
 * (ims_mem_maint), scanner ops (ims_replay_scan).  A candidate check (a
 * scanner candidate or a maintenance IMS_MEM_OP_CAND) needs a replay-queue
 * credit (cand_credit_ok, a flop of ims_trig_admit) to be taken.
 *
 * Handshakes (valid/ready, taken on the rising edge where both are high):
 *   reg_op_*   ready = second entry empty (a flop) and reg_op_valid.
 *   mem_op_*   ready = second entry empty, no register op, the credit if a
 *              candidate check.
 *   scan_op_*  ready (scan_op_ready) = second entry empty, no register or
 *              maintenance op; combinational from flops and the other two
 *              sources' valids (the scanner presents from flops).
 *   cand_take  a candidate check is taken this cycle (takes a replay credit).
 * Head (to the issue stage, all flops except head_go):
 *   head_valid, head_*  the oldest waiting op in pipeline form (kind is an
 *              IMS_OP_* code; mem: the op is for a memory entry; int: an
 *              internal op, its response goes to ims_mem_maint).
 *   head_go    the head issues this cycle: valid, not BUSY and no trigger
 *              accepted on this edge (trig_go); it leaves at that edge.
 *   head_valid is a copy of the head's valid flop (same value), for the
 *              s_irq_ready next state only: the original also enables every
 *              head field's load, a large fan-out.
 */

`default_nettype none

`include "ims_defs.vh"

module ims_op_skid #(
    parameter SLOT_WIDTH = 11,
    parameter WORD_WIDTH = 6,
    parameter LINE_WIDTH = 1
) (
    input  wire                  clk,
    input  wire                  rst,

    input  wire                  busy,
    input  wire                  trig_go,          // a trigger is accepted on this edge (late)
    input  wire                  cand_credit_ok,   // a replay-queue credit is free (flop)

    // register ops from ims_regs
    input  wire                  reg_op_valid,
    output wire                  reg_op_ready,
    input  wire [1:0]            reg_op_kind,      // IMS_REG_OP_*
    input  wire [SLOT_WIDTH-1:0] reg_op_slot,
    input  wire [1:0]            reg_op_dword,
    input  wire [WORD_WIDTH-1:0] reg_op_word,
    input  wire [31:0]           reg_op_wdata,
    input  wire [3:0]            reg_op_wstrb,

    // maintenance ops from ims_mem_maint
    input  wire                  mem_op_valid,
    output wire                  mem_op_ready,
    input  wire [1:0]            mem_op_kind,      // IMS_MEM_OP_*
    input  wire [SLOT_WIDTH-1:0] mem_op_index,
    input  wire [WORD_WIDTH-1:0] mem_op_word,
    input  wire [LINE_WIDTH-1:0] mem_op_line,

    // scanner ops from ims_replay_scan
    input  wire                  scan_op_valid,
    output wire                  scan_op_ready,
    input  wire                  scan_op_is_cand,  // candidate check, else pending word read
    input  wire [SLOT_WIDTH-1:0] scan_op_slot,
    input  wire [WORD_WIDTH-1:0] scan_op_word,

    output wire                  cand_take,

    // head of the buffer
    output wire                  head_valid,
    output wire                  head_go,
    output wire [2:0]            head_kind,
    output wire [SLOT_WIDTH-1:0] head_slot,
    output wire [WORD_WIDTH-1:0] head_word,
    output wire [1:0]            head_dword,
    output wire [31:0]           head_wdata,
    output wire [3:0]            head_wstrb,
    output wire                  head_mem,
    output wire                  head_int,
    output wire [LINE_WIDTH-1:0] head_line
);

initial begin
    if (SLOT_WIDTH < 1 || WORD_WIDTH < 1 || WORD_WIDTH > SLOT_WIDTH || LINE_WIDTH < 1) begin
        $error("Error: ims_op_skid needs 1 <= WORD_WIDTH <= SLOT_WIDTH, LINE_WIDTH >= 1 (instance %m)");
        $finish;
    end
end

reg                  mt_valid_reg;
reg [2:0]            mt_kind_reg;
reg [SLOT_WIDTH-1:0] mt_slot_reg;
reg [WORD_WIDTH-1:0] mt_word_reg;
reg [1:0]            mt_dword_reg;
reg [31:0]           mt_wdata_reg;
reg [3:0]            mt_wstrb_reg;
reg                  mt_mem_reg;
reg                  mt_int_reg;
reg [LINE_WIDTH-1:0] mt_line_reg;

reg                  mt2_valid_reg;
reg [2:0]            mt2_kind_reg;
reg [SLOT_WIDTH-1:0] mt2_slot_reg;
reg [WORD_WIDTH-1:0] mt2_word_reg;
reg [1:0]            mt2_dword_reg;
reg [31:0]           mt2_wdata_reg;
reg [3:0]            mt2_wstrb_reg;
reg                  mt2_mem_reg;
reg                  mt2_int_reg;
reg [LINE_WIDTH-1:0] mt2_line_reg;

// (rst need not gate trig_go here: every stage's valid bit is reset anyway.)
wire mt_go   = mt_valid_reg && !busy && !trig_go;
wire reg_go  = !mt2_valid_reg && reg_op_valid;
// a memory candidate check holds a replay credit like the scanner's
wire mem_op_ok = mem_op_valid && (mem_op_kind != `IMS_MEM_OP_CAND || cand_credit_ok);
wire mem_go  = !mt2_valid_reg && !reg_op_valid && mem_op_ok;
// (a scanner op is offered only with a credit (ims_replay_scan: op_valid ANDs
// cand_credit_ok), so a maintenance op held back for want of a credit never
// has a scanner op beside it: testing mem_op_valid instead of mem_op_ok here
// and in the field choice below changes nothing and keeps the credit flop off
// the scanner's handshake and the skid fields; checked in simulation)
wire scan_go = !mt2_valid_reg && !reg_op_valid && !mem_op_valid && scan_op_valid;
wire mt_take = reg_go || mem_go || scan_go;

assign reg_op_ready  = reg_go;
assign mem_op_ready  = mem_go;
assign scan_op_ready = scan_go;
assign cand_take     = (scan_go && scan_op_is_cand) || (mem_go && mem_op_kind == `IMS_MEM_OP_CAND);

(* keep *) reg mt_valid_adm_reg;   // = mt_valid_reg (kept apart: synthesis would merge them)
assign head_valid = mt_valid_adm_reg;

(* keep *)
always @(posedge clk) begin
    if (!mt_valid_reg || mt_go) begin
        mt_valid_adm_reg <= mt2_valid_reg || mt_take;
    end
    if (rst) begin
        mt_valid_adm_reg <= 1'b0;
    end
end
assign head_go    = mt_go;
assign head_kind  = mt_kind_reg;
assign head_slot  = mt_slot_reg;
assign head_word  = mt_word_reg;
assign head_dword = mt_dword_reg;
assign head_wdata = mt_wdata_reg;
assign head_wstrb = mt_wstrb_reg;
assign head_mem   = mt_mem_reg;
assign head_int   = mt_int_reg;
assign head_line  = mt_line_reg;

// slot number -> pending word
/* verilator lint_off UNUSEDSIGNAL */
wire [SLOT_WIDTH+4:0] reg_slot_ext = {5'd0, reg_op_slot};
wire [SLOT_WIDTH+4:0] mem_slot_ext = {5'd0, mem_op_index};
/* verilator lint_on UNUSEDSIGNAL */
wire [WORD_WIDTH-1:0] reg_word  = reg_op_kind == `IMS_REG_OP_PEND_RD ? reg_op_word : reg_slot_ext[WORD_WIDTH+4:5];

// the op being taken, in pipeline form
reg [2:0]            in_kind;
reg [SLOT_WIDTH-1:0] in_slot;
reg [WORD_WIDTH-1:0] in_word;
reg [1:0]            in_dword;
reg [31:0]           in_wdata;
reg [3:0]            in_wstrb;
reg                  in_mem;
reg                  in_int;
always @* begin
    in_dword = reg_op_dword;
    in_wdata = reg_op_wdata;
    in_wstrb = reg_op_wstrb;
    in_mem   = 1'b0;
    in_int   = 1'b0;
    if (!reg_op_valid && mem_op_valid) begin
        // a pending-bit clear is a slot CTRL write of MASK=1, PENDING=1 (byte 0 only):
        // the MASK copy stays 1 (memory entries are never scanner candidates) and
        // the slot RAM write is suppressed for a memory op
        case (mem_op_kind)
            `IMS_MEM_OP_CAND:  in_kind = `IMS_OP_CAND;
            `IMS_MEM_OP_CLEAR: in_kind = `IMS_OP_SLOT_WR;
            default:           in_kind = `IMS_OP_PEND_RD;
        endcase
        in_slot  = mem_op_index;
        in_word  = mem_op_kind == `IMS_MEM_OP_PEND_RD ? mem_op_word : mem_slot_ext[WORD_WIDTH+4:5];
        in_dword = `IMS_SLOT_DW_CTRL;
        in_wdata = (32'd1 << `IMS_SLOT_CTRL_MASK) | (32'd1 << `IMS_SLOT_CTRL_PENDING);
        in_wstrb = 4'd1;
        in_mem   = mem_op_kind != `IMS_MEM_OP_PEND_RD;
        in_int   = 1'b1;
    end else if (reg_op_valid) begin
        case (reg_op_kind)
            `IMS_REG_OP_SLOT_RD: in_kind = `IMS_OP_SLOT_RD;
            `IMS_REG_OP_SLOT_WR: in_kind = `IMS_OP_SLOT_WR;
            default:             in_kind = `IMS_OP_PEND_RD;
        endcase
        in_slot = reg_op_slot;
        in_word = reg_word;
    end else begin
        in_kind = scan_op_is_cand ? `IMS_OP_CAND : `IMS_OP_SCAN_WORD;
        in_slot = scan_op_slot;
        // the scanner's word is the candidate's word for a candidate check
        in_word = scan_op_word;
    end
end

always @(posedge clk) begin
    // head: refilled when empty or issuing, from the second entry first
    if (!mt_valid_reg || mt_go) begin
        mt_valid_reg <= mt2_valid_reg || mt_take;
        if (mt2_valid_reg) begin
            mt_kind_reg  <= mt2_kind_reg;
            mt_mem_reg   <= mt2_mem_reg;
            mt_int_reg   <= mt2_int_reg;
            mt_line_reg  <= mt2_line_reg;
            mt_slot_reg  <= mt2_slot_reg;
            mt_word_reg  <= mt2_word_reg;
            mt_dword_reg <= mt2_dword_reg;
            mt_wdata_reg <= mt2_wdata_reg;
            mt_wstrb_reg <= mt2_wstrb_reg;
        end else begin
            mt_kind_reg  <= in_kind;
            mt_slot_reg  <= in_slot;
            mt_word_reg  <= in_word;
            mt_dword_reg <= in_dword;
            mt_wdata_reg <= in_wdata;
            mt_wstrb_reg <= in_wstrb;
            mt_mem_reg   <= in_mem;
            mt_int_reg   <= in_int;
            mt_line_reg  <= mem_op_line;
        end
    end
    // second entry: takes the new op when the head stays occupied
    if (mt2_valid_reg) begin
        if (mt_go) begin
            mt2_valid_reg <= mt_take;
        end
    end else begin
        mt2_valid_reg <= mt_take && mt_valid_reg && !mt_go;
    end
    // (an empty second entry captures the op on offer whether or not it is
    // needed: its load enable is then a flop)
    if (!mt2_valid_reg) begin
        mt2_kind_reg  <= in_kind;
        mt2_slot_reg  <= in_slot;
        mt2_word_reg  <= in_word;
        mt2_dword_reg <= in_dword;
        mt2_wdata_reg <= in_wdata;
        mt2_wstrb_reg <= in_wstrb;
        mt2_mem_reg   <= in_mem;
        mt2_int_reg   <= in_int;
        mt2_line_reg  <= mem_op_line;
    end
    if (rst) begin
        mt_valid_reg  <= 1'b0;
        mt2_valid_reg <= 1'b0;
    end
end

`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst && scan_op_valid && !cand_credit_ok) begin
        $fatal(1, "ims_op_skid: a scanner op offered without a replay credit (%m)");
    end
end
`endif

endmodule

`resetall
