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
 * Timing structure: every output towards the pipeline (op_*, ctrl_*) and the
 * AXI-Lite response data come straight from flops, and the pipeline's late
 * op_ready only selects op_valid's next value.  Addresses are sorted into
 * zones at the handshake and classified one edge later; a register read
 * selects its register into two flops (one AND-OR level pair each), then the
 * response register picks that or the pipeline's read data.  Response
 * latency, counted from the AR handshake or the later of AW and W:
 *   register write: applied 2 edges later, BVALID 3 edges later (was 1 / 2)
 *   register read:  RVALID 3 edges later (was 1)
 *   slot / PENDING: op offered 2 edges later (was 1), response as before
 *
 * Write visibility: BVALID rises one edge after the edge that updated the
 * register or wrote the slot RAM, so every trigger accepted after BVALID
 * uses the new value.
 */

`default_nettype none

`include "ims_defs.vh"

module ims_regs #(
    parameter NUM_SLOTS       = 2048,
    parameter AXIL_ADDR_WIDTH = 16,
    parameter SLOT_WIDTH      = 11,
    parameter WORD_WIDTH      = 6,
    parameter MEM_MAX_ENTRIES = 0,
    parameter ENTRY_WIDTH     = 1    // width of an entry number (MEM_ENTRIES has one bit more)
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
    output wire [1:0]                 op_kind,     // `IMS_REG_OP_* (ims_defs.vh)
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
    input  wire                       ev_drop_disabled,

    // section 7 (MEM_MAX_ENTRIES > 0; constant 0 / ignored otherwise)
    input  wire                       ev_drop_disabled_mem,
    input  wire                       ev_fetch_err,
    output wire [ENTRY_WIDTH:0]       mem_entries,
    output wire [63:0]                mem_base,
    output wire                       mem_cmd_valid,
    output wire [1:0]                 mem_cmd_kind,
    output wire [31:0]                mem_cmd_wdata,
    input  wire                       mem_cmd_done,
    output wire                       mem_rx_all_req
);

localparam MEM = MEM_MAX_ENTRIES > 0;

localparam AW = AXIL_ADDR_WIDTH;
// held address bits: the op fields (slot, dword, PENDING word) and the register offset
// (bits 11:2 cover every PENDING word offset)
localparam ADDR_HI = (SLOT_WIDTH + 3 > 11) ? SLOT_WIDTH + 3 : 11;

localparam [1:0] RESP_OKAY = 2'b00, RESP_SLVERR = 2'b10;


// Address zones, decoded from the address port at the handshake; the register
// offset (bits 5:2) inside the register zone is classified one edge later.
// Bits 1:0 are never decoded: byte lanes come from WSTRB (spec section 4).
localparam ZONE_REGS = 0,   // offsets 0x000..0x03c (0x07c with section 7)
           ZONE_PEND = 1,   // PENDING[k], k < PEND_WORDS
           ZONE_SLOT = 2;   // slot dword, slot < NUM_SLOTS

function [2:0] zone;
    input [AW-1:0] addr;
    reg [31:0] slot;
    reg [31:0] word;
    begin
        slot = {{(37-AW){1'b0}}, addr[AW-2:4]};
        word = {22'd0, addr[11:2]};
        zone[ZONE_REGS] = !addr[AW-1] && addr[AW-2:6] == 0;
        if (MEM) begin
            zone[ZONE_REGS] = !addr[AW-1] && addr[AW-2:7] == 0;   // 0x000..0x07c (section 7)
        end
        zone[ZONE_PEND] = !addr[AW-1] && addr[AW-2:12] == 1 && word < pend_words_now_reg;
        zone[ZONE_SLOT] = addr[AW-1] && slot < NUM_SLOTS;
    end
endfunction

// offsets (bits 5:2) of the register zone that hold a register; the rest answer SLVERR
function reg_listed;
    input [4:0] word;
    begin
        case (word)
            5'h00, 5'h01, 5'h02, 5'h04, 5'h05, 5'h08, 5'h09, 5'h0a, 5'h0b, 5'h0c, 5'h0d: reg_listed = 1'b1;
            5'h0e, 5'h10, 5'h11, 5'h12, 5'h13: reg_listed = MEM;
            default: reg_listed = 1'b0;
        endcase
    end
endfunction

localparam [4:0] WORD_CTRL = 5'h04, WORD_STAT = 5'h05;
localparam [4:0] WORD_MEM_BASE_LO = 5'h10, WORD_MEM_BASE_HI = 5'h11, WORD_MEM_ENTRIES = 5'h12,
                 WORD_MEM_INVAL = 5'h13;

// PENDING words that exist now: ceil((NUM_SLOTS + M) / 32) (section 7), PEND_WORDS at most
reg [31:0] pend_words_now_reg;

// --------------------------------------------------------------------------
// registers
// --------------------------------------------------------------------------

reg        ctrl_enable_reg;
reg        ctrl_func_mask_reg;
reg [4:0]  status_reg;
reg [31:0] cnt_fetch_err_reg;
reg [31:0] mem_base_lo_reg;
reg [31:0] mem_base_hi_reg;
reg [ENTRY_WIDTH:0] mem_entries_reg;
reg [31:0] cnt_sent_reg;
reg [31:0] cnt_pended_reg;
reg [31:0] cnt_drop_range_reg;
reg [31:0] cnt_drop_pasid_reg;
reg [31:0] cnt_drop_disabled_reg;
reg [31:0] cnt_wr_err_reg;

localparam EV_SENT = 0, EV_PENDED = 1, EV_DROP_RANGE = 2, EV_DROP_PASID = 3,
           EV_DROP_DISABLED = 4, EV_WR_ERR = 5, EV_FETCH_ERR = 6, EV_DROP_DISABLED_MEM = 7;
reg [7:0]  ev_reg;

assign ctrl_enable    = ctrl_enable_reg;
assign ctrl_func_mask = ctrl_func_mask_reg;

// bit0 RANGE_ERR, bit1 PASID_ERR, bit2 WRITE_ERR, bit3 DISABLED_DROP, bit4 FETCH_ERR (section 7)
wire [4:0] status_set = {ev_fetch_err && MEM, ev_drop_disabled || ev_drop_disabled_mem, ev_wr_err,
                         ev_drop_pasid, ev_drop_range};

assign mem_entries = mem_entries_reg;
assign mem_base    = {mem_base_hi_reg, mem_base_lo_reg};

// read values of the constant registers (ID, VERSION, NUM_SLOTS), 0 elsewhere
function [31:0] reg_const;
    input [4:0] word;   // offset bits 6:2, the decode checks the rest
    begin
        case (word)
            5'h00:   reg_const = 32'h494D5331;
            5'h01:   reg_const = MEM ? 32'h00020000 : 32'h00010000;
            5'h02:   reg_const = NUM_SLOTS;
            default: reg_const = 32'd0;
        endcase
    end
endfunction

// read selects of the variable registers, one-hot by offset bits 5:2
localparam RSEL_CTRL = 0, RSEL_STAT = 1, RSEL_CNT = 2;   // RSEL_CNT + 0..6: 0x020..0x038
localparam RSEL_BASE_LO = 9, RSEL_BASE_HI = 10, RSEL_ENTRIES = 11;

function [11:0] reg_select;
    input [4:0] word;
    begin
        reg_select = 12'd0;
        case (word)
            5'h04:   reg_select[RSEL_CTRL] = 1'b1;
            5'h05:   reg_select[RSEL_STAT] = 1'b1;
            5'h08:   reg_select[RSEL_CNT + 0] = 1'b1;
            5'h09:   reg_select[RSEL_CNT + 1] = 1'b1;
            5'h0a:   reg_select[RSEL_CNT + 2] = 1'b1;
            5'h0b:   reg_select[RSEL_CNT + 3] = 1'b1;
            5'h0c:   reg_select[RSEL_CNT + 4] = 1'b1;
            5'h0d:   reg_select[RSEL_CNT + 5] = 1'b1;
            5'h0e:   reg_select[RSEL_CNT + 6] = MEM;
            5'h10:   reg_select[RSEL_BASE_LO] = MEM;
            5'h11:   reg_select[RSEL_BASE_HI] = MEM;
            5'h12:   reg_select[RSEL_ENTRIES] = MEM;
            default: reg_select = 12'd0;
        endcase
    end
endfunction

// section 7 maintenance command towards ims_mem_maint, held until mem_cmd_done
reg        mem_cmd_valid_reg;
reg [1:0]  mem_cmd_kind_reg;
reg [31:0] mem_cmd_wdata_reg;
reg        mem_rx_all_req_reg;
assign mem_cmd_valid  = mem_cmd_valid_reg;
assign mem_cmd_kind   = mem_cmd_kind_reg;
assign mem_cmd_wdata  = mem_cmd_wdata_reg;
assign mem_rx_all_req = mem_rx_all_req_reg;

localparam PEND_WORDS_REV1 = (NUM_SLOTS + 31) / 32;

function [31:0] lane_merge(input [3:0] lanes, input [31:0] wdata, input [31:0] old);
    integer l;
    begin
        for (l = 0; l < 4; l = l + 1) begin
            lane_merge[8*l +: 8] = lanes[l] ? wdata[8*l +: 8] : old[8*l +: 8];
        end
    end
endfunction

// --------------------------------------------------------------------------
// write channel
// --------------------------------------------------------------------------

localparam [2:0]
    WR_IDLE = 3'd0,   // collecting AW and W
    WR_REG  = 3'd1,   // register (or SLVERR) write: applied here; CTRL waits out a scan
    WR_BDLY = 3'd2,   // register updated on the last edge, BVALID on the next
    WR_SCAN = 3'd3,   // slot write waiting for the running scan to finish
    WR_OP   = 3'd4,   // slot write op wanted, offered when no read op is outstanding
    WR_WAIT = 3'd5,   // slot write op offered or in the pipeline
    WR_RESP = 3'd6,
    WR_MEM  = 3'd7;   // section 7 write applied; BVALID waits for the maintenance command

reg [2:0]    wr_state_reg;
reg          aw_held_reg;
reg [ADDR_HI:2] aw_addr_reg;
reg [2:0]       aw_zone_reg;
reg          w_held_reg;
reg [31:0]   w_data_reg;
wire [31:0]  entries_merged;
reg [3:0]    w_strb_reg;
reg [1:0]    bresp_reg;

// decoded from the held AW address and W data on every edge; valid from the
// edge after both handshakes, which is when the channel leaves WR_IDLE
reg       wr_is_reg_reg;         // a register, RO included (not SLVERR)
reg       wr_is_ctrl_reg;
reg       wr_ctrl_we_reg;        // CTRL write with byte 0 enabled
reg [4:0] wr_stat_clr_reg;       // STATUS bits this write clears
reg       wr_mem_kind_ok_reg;    // a section 7 register write that starts a maintenance command
reg [1:0] wr_mem_kind_reg;
reg       wr_is_base_lo_reg, wr_is_base_hi_reg, wr_is_entries_reg;

assign s_axil_awready = !rst && wr_state_reg == WR_IDLE && !aw_held_reg;
assign s_axil_wready  = !rst && wr_state_reg == WR_IDLE && !w_held_reg;
assign s_axil_bvalid  = !rst && wr_state_reg == WR_RESP;
assign s_axil_bresp   = bresp_reg;

// A scan decides each candidate with the CTRL and slot MASK values at check time, so a
// write that could make a slot ineligible again (CTRL, slot table) waits until the scan
// that the previous write requested has finished: every replay owed by that write is
// then sent before its slot can be masked again (held back, a later pend-set of the same
// slot would merge into the owed replay's pending bit and one message would be lost).
// scan_busy is taken from a flop and checked once, before the write is applied or its
// op wanted: only this block's writes request scans (CTRL writes here, slot CTRL writes
// in the pipeline) and one write is handled at a time, and the previous write's scan is
// busy before its BVALID, several edges before the next write leaves WR_IDLE; so a
// one-edge-old scan_busy never lets a write through early, and once it is seen low it
// stays low until this write itself requests a scan.
reg  scan_busy_reg;
wire wr_apply = wr_state_reg == WR_REG && !(scan_busy_reg && wr_is_ctrl_reg);

// a CTRL write can make pending slots eligible (ENABLE set, FUNC_MASK clear);
// requested from a flop, so the scanner samples it one edge after CTRL changed
reg ctrl_scan_req_reg;
assign ctrl_scan_req = ctrl_scan_req_reg;

assign entries_merged = lane_merge(w_strb_reg, w_data_reg, {{(31-ENTRY_WIDTH){1'b0}}, mem_entries_reg});

// --------------------------------------------------------------------------
// read channel
// --------------------------------------------------------------------------

localparam [2:0]
    RD_IDLE = 3'd0,
    RD_DEC  = 3'd1,   // address held, being decoded
    RD_SEL  = 3'd2,   // register being selected (rd_var_a_reg, rd_var_b_reg)
    RD_ANS  = 3'd3,   // answer a register (or SLVERR) read
    RD_OP   = 3'd4,   // slot / PENDING read op offered when the op slot is free
    RD_WAIT = 3'd5,   // read op offered or in the pipeline
    RD_RESP = 3'd6;

reg [2:0]    rd_state_reg;
reg [ADDR_HI:2] ar_addr_reg;
reg [2:0]       ar_zone_reg;
reg [11:0]   rd_select_reg;      // reg_select of the address, taken at the AR handshake
reg [31:0]   rd_const_reg;       // reg_const of the address, likewise
reg [31:0]   rdata_reg;
reg [1:0]    rresp_reg;

// decoded from the held AR address on every edge, valid from RD_SEL
reg        rd_is_reg_reg;
// the selected register in two parts, each one AND-OR level pair deep;
// taken in RD_SEL, two edges after the AR handshake, because a counter
// adds an event two edges after its ev_* pulse (ev_reg, then the add):
// the value read counts every event up to the AR handshake
reg [31:0] rd_var_a_reg;
reg [31:0] rd_var_b_reg;

assign s_axil_arready = !rst && rd_state_reg == RD_IDLE;
assign s_axil_rvalid  = !rst && rd_state_reg == RD_RESP;
assign s_axil_rdata   = rdata_reg;
assign s_axil_rresp   = rresp_reg;

// --------------------------------------------------------------------------
// pipeline op (only one outstanding)
// --------------------------------------------------------------------------

// The op fields are loaded from the write while it is in WR_OP and from the
// read otherwise, on every edge without an op outstanding; a read op is
// therefore offered only when the write does not (write first).
reg                     op_active_reg;   // offered or in the pipeline, until rsp_valid
reg                     op_valid_reg;
reg [1:0]               op_kind_reg;
/* verilator lint_off UNUSEDSIGNAL */
reg [ADDR_HI:2]         op_addr_reg;    // (slot ops use the slot bits, PENDING reads the word bits)
/* verilator lint_on UNUSEDSIGNAL */

wire wr_op_want  = wr_state_reg == WR_OP;
wire wr_op_start = wr_op_want && !op_active_reg;
wire rd_op_start = rd_state_reg == RD_OP && !wr_op_want && !op_active_reg;

assign op_valid = op_valid_reg;
assign op_kind  = op_kind_reg;
assign op_slot  = op_addr_reg[SLOT_WIDTH+3:4];
assign op_dword = op_addr_reg[3:2];
assign op_word  = op_addr_reg[WORD_WIDTH+1:2];
assign op_wdata = w_data_reg;
assign op_wstrb = w_strb_reg;

always @(posedge clk) begin
    // ---------------- write ----------------
    // the address and data registers follow the ports until their handshake
    // (enabled by a flop alone: the handshake logic stays off 40 enables)
    if (!aw_held_reg) begin
        aw_addr_reg <= s_axil_awaddr[ADDR_HI:2];
        aw_zone_reg <= zone(s_axil_awaddr);
    end
    if (!w_held_reg) begin
        w_data_reg <= s_axil_wdata;
        w_strb_reg <= s_axil_wstrb;
    end
    if (s_axil_awvalid && s_axil_awready) begin
        aw_held_reg <= 1'b1;
    end
    if (s_axil_wvalid && s_axil_wready) begin
        w_held_reg <= 1'b1;
    end

    wr_is_reg_reg   <= aw_zone_reg[ZONE_REGS] && reg_listed(aw_addr_reg[6:2]);
    wr_is_ctrl_reg  <= aw_zone_reg[ZONE_REGS] && aw_addr_reg[6:2] == WORD_CTRL;
    wr_ctrl_we_reg  <= aw_zone_reg[ZONE_REGS] && aw_addr_reg[6:2] == WORD_CTRL && w_strb_reg[0];
    wr_stat_clr_reg <= (aw_zone_reg[ZONE_REGS] && aw_addr_reg[6:2] == WORD_STAT && w_strb_reg[0]) ?
                       w_data_reg[4:0] : 5'd0;
    wr_is_base_lo_reg <= MEM && aw_zone_reg[ZONE_REGS] && aw_addr_reg[6:2] == WORD_MEM_BASE_LO;
    wr_is_base_hi_reg <= MEM && aw_zone_reg[ZONE_REGS] && aw_addr_reg[6:2] == WORD_MEM_BASE_HI;
    wr_is_entries_reg <= MEM && aw_zone_reg[ZONE_REGS] && aw_addr_reg[6:2] == WORD_MEM_ENTRIES;
    wr_mem_kind_ok_reg <= MEM && aw_zone_reg[ZONE_REGS] && (aw_addr_reg[6:2] == WORD_MEM_BASE_LO ||
                          aw_addr_reg[6:2] == WORD_MEM_BASE_HI || aw_addr_reg[6:2] == WORD_MEM_INVAL ||
                          (aw_addr_reg[6:2] == WORD_MEM_ENTRIES && entries_merged <= MEM_MAX_ENTRIES));
    wr_mem_kind_reg <= aw_addr_reg[6:2] == WORD_MEM_INVAL ? `IMS_MEM_CMD_INVAL :
                       (aw_addr_reg[6:2] == WORD_MEM_ENTRIES ? `IMS_MEM_CMD_SIZE : `IMS_MEM_CMD_BASE);
    pend_words_now_reg <= (NUM_SLOTS + {{(31-ENTRY_WIDTH){1'b0}}, mem_entries_reg} + 31) / 32;
    scan_busy_reg   <= scan_busy;

    case (wr_state_reg)
        WR_IDLE: begin
            if (aw_held_reg && w_held_reg) begin
                wr_state_reg <= !aw_zone_reg[ZONE_SLOT] ? WR_REG : (scan_busy_reg ? WR_SCAN : WR_OP);
            end
        end
        WR_REG: begin
            bresp_reg <= ((wr_is_reg_reg && (!wr_is_entries_reg || wr_mem_kind_ok_reg)) ||
                          aw_zone_reg[ZONE_PEND]) ? RESP_OKAY : RESP_SLVERR;
            if (wr_apply) begin
                wr_state_reg <= wr_mem_kind_ok_reg ? WR_MEM : WR_BDLY;
            end
        end
        WR_MEM: begin
            if (mem_cmd_done) begin
                wr_state_reg <= WR_RESP;
            end
        end
        WR_BDLY: begin
            wr_state_reg <= WR_RESP;
        end
        WR_SCAN: begin
            if (!scan_busy_reg) begin
                wr_state_reg <= WR_OP;
            end
        end
        WR_OP: begin
            bresp_reg <= RESP_OKAY;
            if (wr_op_start) begin
                wr_state_reg <= WR_WAIT;
            end
        end
        WR_WAIT: begin
            // rsp_valid: the slot RAM was written on the previous edge
            if (rsp_valid) begin
                wr_state_reg <= WR_RESP;
            end
        end
        default: begin
            if (s_axil_bready) begin
                aw_held_reg  <= 1'b0;
                w_held_reg   <= 1'b0;
                wr_state_reg <= WR_IDLE;
            end
        end
    endcase

    if (wr_apply && wr_ctrl_we_reg) begin
        ctrl_enable_reg    <= w_data_reg[0];
        ctrl_func_mask_reg <= w_data_reg[1];
    end
    ctrl_scan_req_reg <= wr_apply && wr_is_ctrl_reg;
    // section 7 rule 4: ENABLE 0 -> 1 or FUNC_MASK 1 -> 0 re-examines pending memory entries
    mem_rx_all_req_reg <= MEM && wr_apply && wr_ctrl_we_reg &&
                          ((!ctrl_enable_reg && w_data_reg[0]) || (ctrl_func_mask_reg && !w_data_reg[1]));
    if (wr_apply && wr_is_base_lo_reg) begin
        mem_base_lo_reg <= {lane_merge(w_strb_reg, w_data_reg, mem_base_lo_reg)} & 32'hffffffc0;
    end
    if (wr_apply && wr_is_base_hi_reg) begin
        mem_base_hi_reg <= lane_merge(w_strb_reg, w_data_reg, mem_base_hi_reg);
    end
    if (wr_apply && wr_is_entries_reg && wr_mem_kind_ok_reg) begin
        mem_entries_reg <= entries_merged[ENTRY_WIDTH:0];
    end
    if (wr_apply && wr_mem_kind_ok_reg) begin
        mem_cmd_valid_reg <= 1'b1;
        mem_cmd_kind_reg  <= wr_mem_kind_reg;
        // MEM_INVAL is write-only: unstrobed byte lanes count as 0
        mem_cmd_wdata_reg <= lane_merge(w_strb_reg, w_data_reg, 32'd0);
    end
    if (mem_cmd_done) begin
        mem_cmd_valid_reg <= 1'b0;
    end

    // a new error event wins over a write-1-to-clear of the same bit
    status_reg <= (status_reg & ~(wr_apply ? wr_stat_clr_reg : 5'd0)) | status_set;

    // ---------------- read ----------------
    rd_is_reg_reg  <= ar_zone_reg[ZONE_REGS] && reg_listed(ar_addr_reg[6:2]);
    rd_var_a_reg   <= ({32{rd_select_reg[RSEL_CNT+0]}}  & cnt_sent_reg) |
                      ({32{rd_select_reg[RSEL_CNT+1]}}  & cnt_pended_reg) |
                      ({32{rd_select_reg[RSEL_CNT+2]}}  & cnt_drop_range_reg) |
                      ({32{rd_select_reg[RSEL_CNT+3]}}  & cnt_drop_pasid_reg);
    rd_var_b_reg   <= ({32{rd_select_reg[RSEL_CNT+4]}}  & cnt_drop_disabled_reg) |
                      ({32{rd_select_reg[RSEL_CNT+5]}}  & cnt_wr_err_reg) |
                      ({32{rd_select_reg[RSEL_CTRL]}}   & {30'd0, ctrl_func_mask_reg, ctrl_enable_reg}) |
                      ({32{rd_select_reg[RSEL_STAT]}}   & {busy, 26'd0, status_reg}) |
                      ({32{rd_select_reg[RSEL_CNT+6]}}  & cnt_fetch_err_reg) |
                      ({32{rd_select_reg[RSEL_BASE_LO]}} & mem_base_lo_reg) |
                      ({32{rd_select_reg[RSEL_BASE_HI]}} & mem_base_hi_reg) |
                      ({32{rd_select_reg[RSEL_ENTRIES]}} & {{(31-ENTRY_WIDTH){1'b0}}, mem_entries_reg}) |
                      rd_const_reg;

    if (rd_state_reg == RD_IDLE) begin
        ar_addr_reg   <= s_axil_araddr[ADDR_HI:2];
        ar_zone_reg   <= zone(s_axil_araddr);
        rd_select_reg <= reg_select(s_axil_araddr[6:2]);
        // the constant registers' value, decoded beside rd_select_reg (it
        // equals reg_const(ar_addr_reg[6:2]): taken on the same edges), so
        // that rd_var_b_reg is an AND-OR of flops only
        rd_const_reg  <= reg_const(s_axil_araddr[6:2]);
    end

    case (rd_state_reg)
        RD_IDLE: begin
            if (s_axil_arvalid && s_axil_arready) begin
                rd_state_reg <= RD_DEC;
            end
        end
        RD_DEC: begin
            rd_state_reg <= (ar_zone_reg[ZONE_SLOT] || ar_zone_reg[ZONE_PEND]) ? RD_OP : RD_SEL;
        end
        RD_SEL: begin
            rd_state_reg <= RD_ANS;
        end
        RD_ANS: begin
            rdata_reg    <= rd_is_reg_reg ? (rd_var_a_reg | rd_var_b_reg) : 32'd0;
            rresp_reg    <= rd_is_reg_reg ? RESP_OKAY : RESP_SLVERR;
            rd_state_reg <= RD_RESP;
        end
        RD_OP: begin
            if (rd_op_start) begin
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
                rd_state_reg <= RD_IDLE;
            end
        end
    endcase

    // ---------------- pipeline op ----------------
    if (!op_active_reg) begin
        op_kind_reg <= wr_op_want ? `IMS_REG_OP_SLOT_WR : (ar_zone_reg[ZONE_PEND] ? `IMS_REG_OP_PEND_RD : `IMS_REG_OP_SLOT_RD);
        op_addr_reg <= wr_op_want ? aw_addr_reg : ar_addr_reg;
    end
    // op_ready arrives late in the cycle: it only selects op_valid's next value
    op_valid_reg  <= op_valid_reg ? !op_ready : (wr_op_start || rd_op_start);
    op_active_reg <= op_active_reg ? !rsp_valid : (wr_op_start || rd_op_start);

    // ---------------- counters ----------------
    // the events are registered here first, so each counter's carry chain
    // starts at a flop beside it rather than in the pipeline or write master
    ev_reg                <= {ev_drop_disabled_mem && MEM, ev_fetch_err && MEM, ev_wr_err, ev_drop_disabled,
                              ev_drop_pasid, ev_drop_range, ev_pended, ev_sent};
    cnt_sent_reg          <= cnt_sent_reg + {31'd0, ev_reg[EV_SENT]};
    cnt_pended_reg        <= cnt_pended_reg + {31'd0, ev_reg[EV_PENDED]};
    cnt_drop_range_reg    <= cnt_drop_range_reg + {31'd0, ev_reg[EV_DROP_RANGE]};
    cnt_drop_pasid_reg    <= cnt_drop_pasid_reg + {31'd0, ev_reg[EV_DROP_PASID]};
    cnt_drop_disabled_reg <= cnt_drop_disabled_reg + {31'd0, ev_reg[EV_DROP_DISABLED]}
                                                   + {31'd0, ev_reg[EV_DROP_DISABLED_MEM]};
    cnt_fetch_err_reg     <= cnt_fetch_err_reg + {31'd0, ev_reg[EV_FETCH_ERR]};
    cnt_wr_err_reg        <= cnt_wr_err_reg + {31'd0, ev_reg[EV_WR_ERR]};

    if (rst) begin
        wr_state_reg          <= WR_IDLE;
        aw_held_reg           <= 1'b0;
        w_held_reg            <= 1'b0;
        bresp_reg             <= RESP_OKAY;
        ctrl_scan_req_reg     <= 1'b0;
        rd_state_reg          <= RD_IDLE;
        rdata_reg             <= 32'd0;
        rresp_reg             <= RESP_OKAY;
        op_active_reg         <= 1'b0;
        op_valid_reg          <= 1'b0;
        ev_reg                <= 8'd0;
        cnt_fetch_err_reg     <= 32'd0;
        mem_base_lo_reg       <= 32'd0;
        mem_base_hi_reg       <= 32'd0;
        mem_entries_reg       <= 0;
        mem_cmd_valid_reg     <= 1'b0;
        mem_rx_all_req_reg    <= 1'b0;
        pend_words_now_reg    <= PEND_WORDS_REV1;
        ctrl_enable_reg       <= 1'b0;
        ctrl_func_mask_reg    <= 1'b0;
        status_reg            <= 5'd0;
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
