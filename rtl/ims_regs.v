/*
 * AXI4-Lite register front end.
 *
 * Holds CTRL, STATUS and the counters; slot and PENDING accesses become ops
 * of the shared pipeline (ims_msg_pipe), because only the pipeline may touch
 * the slot and pending RAMs.
 *
 * AW and W are captured independently, in any order.  One write and one read
 * are handled at a time; at most one pipeline op is outstanding.  Register
 * accesses are answered while BUSY (so STATUS.BUSY can be polled); slot and
 * PENDING accesses wait in the pipeline until initialisation has finished.
 *
 * Write visibility: BVALID rises one edge after the edge that updated the
 * register or wrote the slot RAM, so every trigger accepted after BVALID
 * uses the new value.
 */

`default_nettype none

module ims_regs #(
    parameter NUM_SLOTS       = 2048,
    parameter AXIL_ADDR_WIDTH = 16,
    parameter SLOT_WIDTH      = 11,
    parameter WORD_WIDTH      = 6,
    parameter PEND_WORDS      = 64
) (
    input  wire                       clk,
    input  wire                       rst,

    input  wire [AXIL_ADDR_WIDTH-1:0] s_axil_awaddr,
    input  wire                       s_axil_awvalid,
    output wire                       s_axil_awready,
    input  wire [31:0]                s_axil_wdata,
    input  wire [3:0]                 s_axil_wstrb,
    input  wire                       s_axil_wvalid,
    output wire                       s_axil_wready,
    output wire [1:0]                 s_axil_bresp,
    output wire                       s_axil_bvalid,
    input  wire                       s_axil_bready,
    input  wire [AXIL_ADDR_WIDTH-1:0] s_axil_araddr,
    input  wire                       s_axil_arvalid,
    output wire                       s_axil_arready,
    output wire [31:0]                s_axil_rdata,
    output wire [1:0]                 s_axil_rresp,
    output wire                       s_axil_rvalid,
    input  wire                       s_axil_rready,

    input  wire                       busy,

    output wire                       ctrl_enable,
    output wire                       ctrl_func_mask,
    output wire                       ctrl_scan_req,
    input  wire                       scan_busy,

    // pipeline op
    output wire                       op_valid,
    input  wire                       op_ready,
    output wire [1:0]                 op_kind,     // 0 slot read, 1 slot write, 2 PENDING read
    output wire [SLOT_WIDTH-1:0]      op_slot,
    output wire [1:0]                 op_dword,
    output wire [WORD_WIDTH-1:0]      op_word,
    output wire [31:0]                op_wdata,
    output wire [3:0]                 op_wstrb,
    input  wire                       rsp_valid,
    input  wire [31:0]                rsp_rdata,

    // events
    input  wire                       ev_sent,
    input  wire                       ev_wr_err,
    input  wire                       ev_pended,
    input  wire                       ev_drop_range,
    input  wire                       ev_drop_pasid,
    input  wire                       ev_drop_disabled
);

localparam AW = AXIL_ADDR_WIDTH;

localparam [1:0] RESP_OKAY = 2'b00, RESP_SLVERR = 2'b10;

localparam [1:0] OPK_SLOT_RD = 2'd0, OPK_SLOT_WR = 2'd1, OPK_PEND_RD = 2'd2;

// address classes
localparam [2:0]
    DEC_ERR  = 3'd0,   // unlisted: SLVERR
    DEC_RO   = 3'd1,   // read-only register (write ignored, OKAY)
    DEC_CTRL = 3'd2,
    DEC_STAT = 3'd3,
    DEC_PEND = 3'd4,   // PENDING[k], k < PEND_WORDS
    DEC_SLOT = 3'd5;   // slot dword, slot < NUM_SLOTS

function [2:0] decode;
    input [AW-1:0] addr;
    reg [31:0] off;
    reg [31:0] slot;
    reg [31:0] word;
    begin
        off  = {{(33-AW){1'b0}}, addr[AW-2:2], 2'b00};
        slot = {{(37-AW){1'b0}}, addr[AW-2:4]};
        word = {22'd0, addr[11:2]};
        decode = DEC_ERR;
        if (addr[AW-1]) begin
            if (slot < NUM_SLOTS) decode = DEC_SLOT;
        end else if (off[31:12] == 20'd1) begin
            if (word < PEND_WORDS) decode = DEC_PEND;
        end else begin
            case (off)
                32'h000, 32'h004, 32'h008,
                32'h020, 32'h024, 32'h028, 32'h02c, 32'h030, 32'h034: decode = DEC_RO;
                32'h010: decode = DEC_CTRL;
                32'h014: decode = DEC_STAT;
                default: decode = DEC_ERR;
            endcase
        end
    end
endfunction

// --------------------------------------------------------------------------
// registers
// --------------------------------------------------------------------------

reg        ctrl_enable_reg;
reg        ctrl_func_mask_reg;
reg [3:0]  status_reg;
reg [31:0] cnt_sent_reg;
reg [31:0] cnt_pended_reg;
reg [31:0] cnt_drop_range_reg;
reg [31:0] cnt_drop_pasid_reg;
reg [31:0] cnt_drop_disabled_reg;
reg [31:0] cnt_wr_err_reg;

assign ctrl_enable    = ctrl_enable_reg;
assign ctrl_func_mask = ctrl_func_mask_reg;

// bit0 RANGE_ERR, bit1 PASID_ERR, bit2 WRITE_ERR, bit3 DISABLED_DROP
wire [3:0] status_set = {ev_drop_disabled, ev_wr_err, ev_drop_pasid, ev_drop_range};

function [31:0] reg_value;
    input [3:0] word;   // offset bits 5:2, the decode has checked the rest
    begin
        case (word)
            4'h0:    reg_value = 32'h494D5331;
            4'h1:    reg_value = 32'h00010000;
            4'h2:    reg_value = NUM_SLOTS;
            4'h4:    reg_value = {30'd0, ctrl_func_mask_reg, ctrl_enable_reg};
            4'h5:    reg_value = {busy, 27'd0, status_reg};
            4'h8:    reg_value = cnt_sent_reg;
            4'h9:    reg_value = cnt_pended_reg;
            4'ha:    reg_value = cnt_drop_range_reg;
            4'hb:    reg_value = cnt_drop_pasid_reg;
            4'hc:    reg_value = cnt_drop_disabled_reg;
            4'hd:    reg_value = cnt_wr_err_reg;
            default: reg_value = 32'd0;
        endcase
    end
endfunction

// --------------------------------------------------------------------------
// write channel
// --------------------------------------------------------------------------

localparam [1:0] WR_IDLE = 2'd0, WR_OP = 2'd1, WR_WAIT = 2'd2, WR_RESP = 2'd3;

reg [1:0]    wr_state_reg;
reg          aw_held_reg;
reg [AW-1:0] aw_addr_reg;
reg          w_held_reg;
reg [31:0]   w_data_reg;
reg [3:0]    w_strb_reg;
reg          bvalid_reg;
reg          bdelay_reg;   // register updated, BVALID on the next edge
reg [1:0]    bresp_reg;

// address class decoded when the address is captured, so the decode stays
// off the path from these registers into the pipeline's RAM address mux
reg  [2:0] wr_dec_reg;
wire [2:0] wr_dec = wr_dec_reg;

assign s_axil_awready = !rst && wr_state_reg == WR_IDLE && !aw_held_reg;
assign s_axil_wready  = !rst && wr_state_reg == WR_IDLE && !w_held_reg;
assign s_axil_bvalid  = bvalid_reg && !rst;
assign s_axil_bresp   = bresp_reg;

// A scan decides each candidate with the CTRL and slot MASK values at check time, so a
// write that could make a slot ineligible again (CTRL, slot table) waits until the scan
// that the previous write requested has finished: every replay owed by that write is
// then sent before its slot can be masked again (held back, a later pend-set of the same
// slot would merge into the owed replay's pending bit and one message would be lost).
wire wr_hold  = scan_busy && (wr_dec == DEC_CTRL || wr_dec == DEC_SLOT);
wire wr_start = wr_state_reg == WR_IDLE && aw_held_reg && w_held_reg && !bdelay_reg && !wr_hold;
wire wr_reg_apply = wr_start && wr_dec != DEC_SLOT;
wire ctrl_write = wr_reg_apply && wr_dec == DEC_CTRL;
wire stat_write = wr_reg_apply && wr_dec == DEC_STAT;

// a CTRL write can make pending slots eligible (ENABLE set, FUNC_MASK clear)
assign ctrl_scan_req = ctrl_write;

// --------------------------------------------------------------------------
// read channel
// --------------------------------------------------------------------------

localparam [1:0] RD_IDLE = 2'd0, RD_OP = 2'd1, RD_WAIT = 2'd2, RD_RESP = 2'd3;

reg [1:0]    rd_state_reg;
reg          ar_held_reg;
reg [AW-1:0] ar_addr_reg;
reg [31:0]   rdata_reg;
reg [1:0]    rresp_reg;

reg  [2:0] rd_dec_reg;
wire [2:0] rd_dec = rd_dec_reg;

assign s_axil_arready = !rst && rd_state_reg == RD_IDLE && !ar_held_reg;
assign s_axil_rvalid  = rd_state_reg == RD_RESP && !rst;
assign s_axil_rdata   = rdata_reg;
assign s_axil_rresp   = rresp_reg;

// --------------------------------------------------------------------------
// pipeline op (write first; only one outstanding)
// --------------------------------------------------------------------------

wire op_outstanding = wr_state_reg == WR_WAIT || rd_state_reg == RD_WAIT;
wire wr_op_valid = wr_state_reg == WR_OP;
wire rd_op_valid = rd_state_reg == RD_OP;

/* verilator lint_off UNUSEDSIGNAL */
wire [AW-1:0] op_addr = wr_op_valid ? aw_addr_reg : ar_addr_reg;
/* verilator lint_on UNUSEDSIGNAL */

assign op_valid = !op_outstanding && (wr_op_valid || rd_op_valid);
assign op_kind  = wr_op_valid ? OPK_SLOT_WR : (rd_dec == DEC_PEND ? OPK_PEND_RD : OPK_SLOT_RD);
assign op_slot  = op_addr[SLOT_WIDTH+3:4];
assign op_dword = op_addr[3:2];
assign op_word  = op_addr[WORD_WIDTH+1:2];
assign op_wdata = w_data_reg;
assign op_wstrb = w_strb_reg;

wire wr_op_go = op_valid && op_ready && wr_op_valid;
wire rd_op_go = op_valid && op_ready && !wr_op_valid;

always @(posedge clk) begin
    // ---------------- write ----------------
    if (s_axil_awvalid && s_axil_awready) begin
        aw_held_reg <= 1'b1;
        aw_addr_reg <= s_axil_awaddr;
        wr_dec_reg  <= decode(s_axil_awaddr);
    end
    if (s_axil_wvalid && s_axil_wready) begin
        w_held_reg <= 1'b1;
        w_data_reg <= s_axil_wdata;
        w_strb_reg <= s_axil_wstrb;
    end

    bdelay_reg <= 1'b0;

    case (wr_state_reg)
        WR_IDLE: begin
            if (bdelay_reg) begin
                bvalid_reg   <= 1'b1;
                wr_state_reg <= WR_RESP;
            end else if (wr_start) begin
                bresp_reg <= wr_dec == DEC_ERR ? RESP_SLVERR : RESP_OKAY;
                if (wr_dec == DEC_SLOT) begin
                    wr_state_reg <= WR_OP;
                end else begin
                    bdelay_reg <= 1'b1;
                end
            end
        end
        WR_OP: begin
            if (wr_op_go) begin
                wr_state_reg <= WR_WAIT;
            end
        end
        WR_WAIT: begin
            // rsp_valid: the slot RAM was written on the previous edge
            if (rsp_valid) begin
                bvalid_reg   <= 1'b1;
                wr_state_reg <= WR_RESP;
            end
        end
        default: begin
            if (s_axil_bready) begin
                bvalid_reg   <= 1'b0;
                aw_held_reg  <= 1'b0;
                w_held_reg   <= 1'b0;
                wr_state_reg <= WR_IDLE;
            end
        end
    endcase

    if (ctrl_write && w_strb_reg[0]) begin
        ctrl_enable_reg    <= w_data_reg[0];
        ctrl_func_mask_reg <= w_data_reg[1];
    end

    // a new error event wins over a write-1-to-clear of the same bit
    status_reg <= (status_reg & ~((stat_write && w_strb_reg[0]) ? w_data_reg[3:0] : 4'd0)) | status_set;

    // ---------------- read ----------------
    if (s_axil_arvalid && s_axil_arready) begin
        ar_held_reg <= 1'b1;
        ar_addr_reg <= s_axil_araddr;
        rd_dec_reg  <= decode(s_axil_araddr);
    end

    case (rd_state_reg)
        RD_IDLE: begin
            if (ar_held_reg) begin
                if (rd_dec == DEC_SLOT || rd_dec == DEC_PEND) begin
                    rd_state_reg <= RD_OP;
                end else begin
                    rdata_reg    <= rd_dec == DEC_ERR ? 32'd0 : reg_value(ar_addr_reg[5:2]);
                    rresp_reg    <= rd_dec == DEC_ERR ? RESP_SLVERR : RESP_OKAY;
                    rd_state_reg <= RD_RESP;
                end
            end
        end
        RD_OP: begin
            if (rd_op_go) begin
                rd_state_reg <= RD_WAIT;
            end
        end
        RD_WAIT: begin
            if (rsp_valid) begin
                rdata_reg    <= rsp_rdata;
                rresp_reg    <= RESP_OKAY;
                rd_state_reg <= RD_RESP;
            end
        end
        default: begin
            if (s_axil_rready) begin
                ar_held_reg  <= 1'b0;
                rd_state_reg <= RD_IDLE;
            end
        end
    endcase

    // ---------------- counters ----------------
    cnt_sent_reg          <= cnt_sent_reg + {31'd0, ev_sent};
    cnt_pended_reg        <= cnt_pended_reg + {31'd0, ev_pended};
    cnt_drop_range_reg    <= cnt_drop_range_reg + {31'd0, ev_drop_range};
    cnt_drop_pasid_reg    <= cnt_drop_pasid_reg + {31'd0, ev_drop_pasid};
    cnt_drop_disabled_reg <= cnt_drop_disabled_reg + {31'd0, ev_drop_disabled};
    cnt_wr_err_reg        <= cnt_wr_err_reg + {31'd0, ev_wr_err};

    if (rst) begin
        wr_state_reg          <= WR_IDLE;
        aw_held_reg           <= 1'b0;
        w_held_reg            <= 1'b0;
        bvalid_reg            <= 1'b0;
        bdelay_reg            <= 1'b0;
        bresp_reg             <= RESP_OKAY;
        rd_state_reg          <= RD_IDLE;
        ar_held_reg           <= 1'b0;
        rdata_reg             <= 32'd0;
        rresp_reg             <= RESP_OKAY;
        ctrl_enable_reg       <= 1'b0;
        ctrl_func_mask_reg    <= 1'b0;
        status_reg            <= 4'd0;
        cnt_sent_reg          <= 32'd0;
        cnt_pended_reg        <= 32'd0;
        cnt_drop_range_reg    <= 32'd0;
        cnt_drop_pasid_reg    <= 32'd0;
        cnt_drop_disabled_reg <= 32'd0;
        cnt_wr_err_reg        <= 32'd0;
    end
end

endmodule

`resetall
