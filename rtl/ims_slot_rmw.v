/*
 * Slot read-modify-write and register-op completion: stage D of the
 * pipeline (the same cycle as stage C, from flops), and the slot RAM's
 * write port (including the post-reset sweep's reset entries).
 *
 * Register ops (slot dword read, slot dword write, PENDING word read) and
 * internal ops (ims_mem_maint's pending clears, candidate checks and
 * PENDING reads) finish here: their fields and the slot entry are
 * registered at edge N+2; the dword value, or a slot write's byte-lane
 * merge, is formed from those flops; the merged entry is written at N+3
 * and the response registered at N+3.  A slot write's BVALID therefore
 * follows the RAM write, and no register op is on the message path.
 *
 * Ports and timing (N = the op's issue edge):
 *   b_*, s_*          the op in stage B and its entry (ims_rule_eval), valid
 *                     after edge N+1, registered here at N+2.
 *   pend_bit, pend_bits   the slot's pending bit / the PENDING word as of
 *                     this op (ims_pend_rmw, combinational in stage C = D).
 *   wr_*              the slot store's write port (combinational from
 *                     flops): stage D's merged entry (a slot write of a
 *                     slot, not a memory entry) or, while busy, the reset
 *                     entry (MASK = 1, all else 0) of slot init_slot.
 *   reg_rsp_valid, reg_rsp_rdata   one-cycle pulse at N+3 for a register
 *                     op, with the slot dword / PENDING word (0 for a write).
 *   mem_rsp_valid     the same pulse for an internal op (ims_mem_maint).
 */

`default_nettype none

`include "ims_defs.vh"

module ims_slot_rmw #(
    parameter SLOT_WIDTH = 11,   // pipeline index width
    parameter SS_WIDTH   = 11    // slot RAM address width
) (
    input  wire                  clk,
    input  wire                  rst,

    input  wire                  busy,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [SLOT_WIDTH-1:0] init_slot,      // (the slot RAM takes its low SS_WIDTH bits)
    /* verilator lint_on UNUSEDSIGNAL */

    // stage B
    input  wire                  b_valid,
    input  wire [2:0]            b_kind,
    input  wire [SLOT_WIDTH-1:0] b_slot,
    input  wire [1:0]            b_dword,
    input  wire [31:0]           b_wdata,
    input  wire [3:0]            b_wstrb,
    input  wire                  b_mem,
    input  wire                  b_int,
    input  wire [29:0]           s_addr_lo,
    input  wire [31:0]           s_addr_hi,
    input  wire [31:0]           s_data,
    input  wire                  s_mask,
    input  wire                  s_pasid_en,
    input  wire [19:0]           s_pasid,

    // stage C / D
    input  wire                  pend_bit,
    input  wire [31:0]           pend_bits,

    // slot store write port
    output wire                  wr_en,
    output wire [SS_WIDTH-1:0]   wr_slot,
    output wire [29:0]           wr_addr_lo,
    output wire [31:0]           wr_addr_hi,
    output wire [31:0]           wr_data,
    output wire                  wr_mask,
    output wire                  wr_pasid_en,
    output wire [19:0]           wr_pasid,

    output reg                   reg_rsp_valid,
    output reg  [31:0]           reg_rsp_rdata,
    output reg                   mem_rsp_valid
);

initial begin
    if (SS_WIDTH < 1 || SS_WIDTH > SLOT_WIDTH) begin
        $error("Error: ims_slot_rmw needs 1 <= SS_WIDTH <= SLOT_WIDTH (instance %m)");
        $finish;
    end
end

reg                  d_valid_reg;
reg                  d_int_reg;
reg                  d_mem_reg;
reg [2:0]            d_kind_reg;
/* verilator lint_off UNUSEDSIGNAL */
reg [SLOT_WIDTH-1:0] d_slot_reg;     // (the slot RAM takes its low SS_WIDTH bits)
/* verilator lint_on UNUSEDSIGNAL */
reg [1:0]            d_dword_reg;
reg [31:0]           d_wdata_reg;
reg [3:0]            d_wstrb_reg;
reg [29:0]           d_addr_lo_reg;
reg [31:0]           d_addr_hi_reg;
reg [31:0]           d_data_reg;
reg                  d_mask_reg;
reg                  d_pasid_en_reg;
reg [19:0]           d_pasid_reg;

always @(posedge clk) begin
    d_valid_reg     <= b_valid && (b_kind == `IMS_OP_SLOT_RD || b_kind == `IMS_OP_SLOT_WR ||
                                   b_kind == `IMS_OP_PEND_RD || b_int);
    d_int_reg       <= b_int;
    d_mem_reg       <= b_mem;
    d_kind_reg      <= b_kind;
    d_slot_reg      <= b_slot;
    d_dword_reg     <= b_dword;
    d_wdata_reg     <= b_wdata;
    d_wstrb_reg     <= b_wstrb;
    d_addr_lo_reg   <= s_addr_lo;
    d_addr_hi_reg   <= s_addr_hi;
    d_data_reg      <= s_data;
    d_mask_reg      <= s_mask;
    d_pasid_en_reg  <= s_pasid_en;
    d_pasid_reg     <= s_pasid;
    if (rst) begin
        d_valid_reg <= 1'b0;
    end
end

// the CTRL dword as software sees it, from its fields
function [31:0] ctrl_dword(input [19:0] pasid, input pasid_en, input pending, input mask);
    begin
        ctrl_dword = 32'd0;
        ctrl_dword[`IMS_SLOT_CTRL_PASID]    = pasid;
        ctrl_dword[`IMS_SLOT_CTRL_PASID_EN] = pasid_en;
        ctrl_dword[`IMS_SLOT_CTRL_PENDING]  = pending;
        ctrl_dword[`IMS_SLOT_CTRL_MASK]     = mask;
    end
endfunction

// current slot dword as software sees it (the PENDING bit is not stored in
// the slot RAM: a slot write's merge below never uses it)
reg [31:0] d_dword_value;
always @* begin
    case (d_dword_reg)
        `IMS_SLOT_DW_ADDR_LO: d_dword_value = {d_addr_lo_reg, 2'b00};
        `IMS_SLOT_DW_ADDR_HI: d_dword_value = d_addr_hi_reg;
        `IMS_SLOT_DW_DATA:    d_dword_value = d_data_reg;
        default:              d_dword_value = ctrl_dword(d_pasid_reg, d_pasid_en_reg, pend_bit, d_mask_reg);
    endcase
end

// Byte-lane merge of a slot write: a bit of the entry takes the written
// value when its dword is the one addressed and its byte lane is strobed,
// else keeps the stored value (the stored value *is* the old dword, so no
// dword mux is needed on the write path).
wire [3:0] d_lane_dw0 = (d_dword_reg == `IMS_SLOT_DW_ADDR_LO) ? d_wstrb_reg : 4'd0;
wire [3:0] d_lane_dw1 = (d_dword_reg == `IMS_SLOT_DW_ADDR_HI) ? d_wstrb_reg : 4'd0;
wire [3:0] d_lane_dw2 = (d_dword_reg == `IMS_SLOT_DW_DATA)    ? d_wstrb_reg : 4'd0;
wire [3:0] d_lane_dw3 = (d_dword_reg == `IMS_SLOT_DW_CTRL)    ? d_wstrb_reg : 4'd0;

function [31:0] lane_merge(input [3:0] lanes, input [31:0] wdata, input [31:0] old);
    integer l;
    begin
        for (l = 0; l < 4; l = l + 1) begin
            lane_merge[8*l +: 8] = lanes[l] ? wdata[8*l +: 8] : old[8*l +: 8];
        end
    end
endfunction

/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] d_addr_lo_merged = lane_merge(d_lane_dw0, d_wdata_reg, {d_addr_lo_reg, 2'b00});
wire [31:0] d_ctrl_merged    = lane_merge(d_lane_dw3, d_wdata_reg,
                                          ctrl_dword(d_pasid_reg, d_pasid_en_reg, 1'b0, d_mask_reg));
/* verilator lint_on UNUSEDSIGNAL */

wire slot_we = d_valid_reg && d_kind_reg == `IMS_OP_SLOT_WR && !d_mem_reg;

// the BUSY sweep writes the reset entry (MASK = 1) into every slot
assign wr_en       = busy || slot_we;
assign wr_slot     = busy ? init_slot[SS_WIDTH-1:0] : d_slot_reg[SS_WIDTH-1:0];
assign wr_addr_lo  = busy ? 30'd0 : d_addr_lo_merged[31:2];
assign wr_addr_hi  = busy ? 32'd0 : lane_merge(d_lane_dw1, d_wdata_reg, d_addr_hi_reg);
assign wr_data     = busy ? 32'd0 : lane_merge(d_lane_dw2, d_wdata_reg, d_data_reg);
assign wr_mask     = busy ? 1'b1  : d_ctrl_merged[`IMS_SLOT_CTRL_MASK];
assign wr_pasid_en = busy ? 1'b0  : d_ctrl_merged[`IMS_SLOT_CTRL_PASID_EN];
assign wr_pasid    = busy ? 20'd0 : d_ctrl_merged[`IMS_SLOT_CTRL_PASID];

always @(posedge clk) begin
    reg_rsp_valid <= d_valid_reg && !d_int_reg;
    mem_rsp_valid <= d_valid_reg && d_int_reg;
    reg_rsp_rdata <= (d_kind_reg == `IMS_OP_PEND_RD) ? pend_bits :
                     (d_kind_reg == `IMS_OP_SLOT_RD ? d_dword_value : 32'd0);
    if (rst) begin
        reg_rsp_valid <= 1'b0;
        mem_rsp_valid <= 1'b0;
    end
end

endmodule

`resetall
