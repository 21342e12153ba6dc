// dsa_ims register port and entry storage (flip-flops; the table is small).
// Map (dsa_ims.rdl): 0x000 IMS_CAP (RO, SLOTS[15:0] = NSLOT), 0x004 INTR_CTRL (EN bit 0),
// 0x080 + 4k PEND[k] (RO), 0x2000 + 16 i entry i: +0 ECTRL {PASID_EN[31], PASID[27:8], PND[1]
// (write 1 clears), MSK[0]}, +4 MDATA, +8 MADDR_LO (bits 31:2), +C MADDR_HI. Unlisted: SLVERR,
// data 0. A software clear of PND wins over the engine setting it in the same cycle.
// A write updates storage on the edge that raises BVALID, so a trigger accepted after it sees it.
`default_nettype none

module dsa_ims_csr #(
    parameter integer NSLOT = 16,
    parameter integer SW = 4
) (
    input  wire             aclk,
    input  wire             aresetn,
    input  wire [13:0]      awaddr,
    input  wire             awvalid,
    output wire             awready,
    input  wire [31:0]      wdata,
    input  wire [3:0]       wstrb,
    input  wire             wvalid,
    output wire             wready,
    output reg  [1:0]       bresp,
    output reg              bvalid,
    input  wire             bready,
    input  wire [13:0]      araddr,
    input  wire             arvalid,
    output wire             arready,
    output reg  [31:0]      rdata,
    output reg  [1:0]       rresp,
    output reg              rvalid,
    input  wire             rready,
    output reg              enable,
    // engine side
    input  wire [SW-1:0]    rd_idx,
    output wire [29:0]      rd_addr_lo,
    output wire [31:0]      rd_addr_hi,
    output wire [31:0]      rd_data,
    output wire             rd_mask,
    output wire             rd_pend,
    output wire             rd_pasid_en,
    output wire [19:0]      rd_pasid,
    input  wire             pend_set,
    input  wire             pend_clr,
    input  wire [SW-1:0]    pend_idx,
    output wire [NSLOT-1:0] replay_ready
);
`include "dsa_ims_map.vh"
    localparam [13:0] TABLE = DSA_IMS_TABLE_BASE;
    localparam [13:0] PEND_BASE = DSA_IMS_PEND_BASE;
    localparam integer PEND_WORDS = (NSLOT + 31) / 32;

    reg [29:0]      addr_lo_reg [0:NSLOT-1];
    reg [31:0]      addr_hi_reg [0:NSLOT-1];
    reg [31:0]      data_reg    [0:NSLOT-1];
    reg [19:0]      pasid_reg   [0:NSLOT-1];
    reg [NSLOT-1:0] pasid_en_reg;
    reg [NSLOT-1:0] mask_reg;
    reg [NSLOT-1:0] pend_reg;

    assign rd_addr_lo = addr_lo_reg[rd_idx];
    assign rd_addr_hi = addr_hi_reg[rd_idx];
    assign rd_data = data_reg[rd_idx];
    assign rd_mask = mask_reg[rd_idx];
    assign rd_pend = pend_reg[rd_idx];
    assign rd_pasid_en = pasid_en_reg[rd_idx];
    assign rd_pasid = pasid_reg[rd_idx];
    assign replay_ready = pend_reg & ~mask_reg;

    // ---------------------------------------------------------------- address decode
    // kind: 0 unlisted, 1 IMS_CAP, 2 INTR_CTRL, 3 PEND word, 4 entry dword
    // (The low two address bits are ignored: lanes come from the strobes.)
    function [2:0] kind_of(input [11:0] dword);
        reg [31:0] d;
        begin
            d = {18'b0, dword, 2'b00};
            if (d == 32'h0) kind_of = 3'd1;
            else if (d == 32'h4) kind_of = 3'd2;
            else if (d >= {18'b0, PEND_BASE} && d < {18'b0, PEND_BASE} + 4 * PEND_WORDS) kind_of = 3'd3;
            else if (d >= {18'b0, TABLE} && d < {18'b0, TABLE} + 16 * NSLOT) kind_of = 3'd4;
            else kind_of = 3'd0;
        end
    endfunction

    function [31:0] strobed(input [31:0] old, input [31:0] new_v, input [3:0] strb);
        integer b;
        begin
            for (b = 0; b < 4; b = b + 1)
                strobed[8*b +: 8] = strb[b] ? new_v[8*b +: 8] : old[8*b +: 8];
        end
    endfunction

    // Offsets from the table and PEND bases; only the index and dword bits matter.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [2:0]    w_kind = kind_of(awaddr[13:2]);
    wire [13:0]   w_rel = awaddr - TABLE;
    wire [SW-1:0] w_idx = w_rel[SW+3:4];
    wire [2:0]    r_kind = kind_of(araddr[13:2]);
    wire [13:0]   r_rel = araddr - TABLE;
    wire [SW-1:0] r_idx = r_rel[SW+3:4];
    wire [13:0]   r_pend_rel = araddr - PEND_BASE;
    wire [4:0]    r_word = r_pend_rel[6:2];
    /* verilator lint_on UNUSEDSIGNAL */

    // Write: address and data are taken together, one write at a time.
    wire do_write = aresetn && awvalid && wvalid && !bvalid;
    assign awready = do_write;
    assign wready = do_write;
    wire do_read = aresetn && arvalid && !rvalid;
    assign arready = do_read;

    // ECTRL after a strobed write (PND is write-1-clear, handled below; reserved bits read 0).
    /* verilator lint_off UNUSEDSIGNAL */
    wire [31:0] ectrl_w_old = {pasid_en_reg[w_idx], 3'b000, pasid_reg[w_idx], 6'b0, pend_reg[w_idx], mask_reg[w_idx]};
    wire [31:0] ectrl_w_new = strobed(ectrl_w_old, wdata, wstrb);
    wire [31:0] addr_lo_w_new = strobed({addr_lo_reg[w_idx], 2'b00}, wdata, wstrb);
    /* verilator lint_on UNUSEDSIGNAL */

    // PEND word k as read (bits at or above NSLOT read 0).
    function [31:0] pend_word(input [4:0] k, input [NSLOT-1:0] bits);
        integer j;
        begin
            pend_word = 32'b0;
            for (j = 0; j < 32; j = j + 1)
                if (32 * k + j < NSLOT) pend_word[j] = bits[32 * k + j];
        end
    endfunction

`ifdef PLANT_BUG_LATE_MASK
    // A MASK write reaches the entry two edges after the edge that raises BVALID.
    reg [1:0]    late_mask_v;
    reg [SW-1:0] late_mask_idx [0:1];
    reg          late_mask_val [0:1];
`endif
`ifdef PLANT_BUG_LATE_CLEAR
    // A pending clear reaches the entry four edges after the edge that raises BVALID.
    reg [3:0]    late_clr_v;
    reg [SW-1:0] late_clr_idx [0:3];
`endif
`ifdef PLANT_BUG_RESET_KEEPS_PENDING
    // Pending bits are cleared by the first reset only (power-on), not by a later one.
    /* verilator lint_off PROCASSINIT */
    reg          por_done = 1'b0;           // power-on value: the bug needs to tell the first reset
    /* verilator lint_on PROCASSINIT */
`endif

    integer i;
    always @(posedge aclk) begin
        if (!aresetn) begin
            bvalid <= 1'b0;
            bresp <= 2'b00;
            rvalid <= 1'b0;
            rresp <= 2'b00;
            rdata <= 32'b0;
            enable <= 1'b0;
`ifdef PLANT_BUG_MASK_RESET_0
            mask_reg <= {NSLOT{1'b0}};
`else
            mask_reg <= {NSLOT{1'b1}};
`endif
`ifdef PLANT_BUG_RESET_KEEPS_PENDING
            if (!por_done) pend_reg <= {NSLOT{1'b0}};
`else
            pend_reg <= {NSLOT{1'b0}};
`endif
`ifdef PLANT_BUG_LATE_MASK
            late_mask_v <= 2'b00;
`endif
`ifdef PLANT_BUG_LATE_CLEAR
            late_clr_v <= 4'b0000;
`endif
            pasid_en_reg <= {NSLOT{1'b0}};
            for (i = 0; i < NSLOT; i = i + 1) begin
                addr_lo_reg[i] <= 30'b0;
                addr_hi_reg[i] <= 32'b0;
                data_reg[i] <= 32'b0;
                pasid_reg[i] <= 20'b0;
            end
        end else begin
`ifdef PLANT_BUG_RESET_KEEPS_PENDING
            por_done <= 1'b1;
`endif
`ifdef PLANT_BUG_LATE_MASK
            late_mask_v <= {late_mask_v[0], 1'b0};
            late_mask_idx[1] <= late_mask_idx[0];
            late_mask_val[1] <= late_mask_val[0];
            if (late_mask_v[1]) mask_reg[late_mask_idx[1]] <= late_mask_val[1];
`endif
            if (bvalid && bready) bvalid <= 1'b0;
            if (rvalid && rready) rvalid <= 1'b0;
            // The engine's pending updates; a software clear below comes later and so wins a
            // same-cycle collision with pend_set (contract §4).
            if (pend_set) pend_reg[pend_idx] <= 1'b1;
            if (pend_clr) pend_reg[pend_idx] <= 1'b0;
`ifdef PLANT_BUG_LATE_CLEAR
            late_clr_v <= {late_clr_v[2:0], 1'b0};
            late_clr_idx[1] <= late_clr_idx[0];
            late_clr_idx[2] <= late_clr_idx[1];
            late_clr_idx[3] <= late_clr_idx[2];
            if (late_clr_v[3]) pend_reg[late_clr_idx[3]] <= 1'b0;
`endif
            if (do_write) begin
                bvalid <= 1'b1;
                bresp <= (w_kind == 3'd0) ? 2'b10 : 2'b00;
                if (w_kind == 3'd2 && wstrb[0]) enable <= wdata[0];
                if (w_kind == 3'd4) begin
                    case (w_rel[3:2])
                        2'd0: begin
`ifdef PLANT_BUG_LATE_MASK
                            late_mask_v[0] <= 1'b1;
                            late_mask_idx[0] <= w_idx;
                            late_mask_val[0] <= ectrl_w_new[0];
`else
                            mask_reg[w_idx] <= ectrl_w_new[0];
`endif
                            if (wstrb[0] && wdata[1]) begin
`ifdef PLANT_BUG_LATE_CLEAR
                                late_clr_v[0] <= 1'b1;
                                late_clr_idx[0] <= w_idx;
`else
                                pend_reg[w_idx] <= 1'b0;
`endif
                            end
                            pasid_reg[w_idx] <= ectrl_w_new[27:8];
                            pasid_en_reg[w_idx] <= ectrl_w_new[31];
                        end
`ifdef PLANT_BUG_STRB_IGNORED
                        2'd1: data_reg[w_idx] <= wdata;          // every lane written, strobes ignored
`else
                        2'd1: data_reg[w_idx] <= strobed(data_reg[w_idx], wdata, wstrb);
`endif
                        2'd2: addr_lo_reg[w_idx] <= addr_lo_w_new[31:2];
                        default: addr_hi_reg[w_idx] <= strobed(addr_hi_reg[w_idx], wdata, wstrb);
                    endcase
                end
            end
            if (do_read) begin
                rvalid <= 1'b1;
                rresp <= (r_kind == 3'd0) ? 2'b10 : 2'b00;
                case (r_kind)
                    3'd1: rdata <= NSLOT;
                    3'd2: rdata <= {31'b0, enable};
                    3'd3: rdata <= pend_word(r_word, pend_reg);
                    3'd4: case (r_rel[3:2])
                        2'd0: rdata <= {pasid_en_reg[r_idx], 3'b000, pasid_reg[r_idx], 6'b0, pend_reg[r_idx], mask_reg[r_idx]};
                        2'd1: rdata <= data_reg[r_idx];
                        2'd2: rdata <= {addr_lo_reg[r_idx], 2'b00};
                        default: rdata <= addr_hi_reg[r_idx];
                    endcase
                    default: rdata <= 32'b0;
                endcase
            end
        end
    end
endmodule

`default_nettype wire
