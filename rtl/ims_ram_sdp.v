/*
 * Simple dual-port RAM: one write port, one read port, one clock.
 *
 * The read is registered (data appears after the clock edge that samples
 * rd_addr), which is what block RAM primitives provide, so Yosys, Vivado and
 * Quartus infer a BRAM.  With OUTPUT_REG = 1 a second register follows with
 * no logic in between (read latency 2): the block RAM clock-to-output time
 * (about 6 ns on ECP5 without its output register) then ends at a flip-flop
 * instead of feeding decision logic, and vendor flows can absorb it into the
 * BRAM's own output register.  The array itself has no reset: block RAM
 * cannot be cleared in one cycle, so the owner initialises it after reset.
 *
 * A read and a write of the same address on the same edge return the OLD
 * contents (read-first); owners that need the new value forward it.
 * READ_FIRST = 0 declares that the owner discards the read data of such a
 * collision (it forwards the written value instead); the generic RAM still
 * returns the old contents, the ECP5 mapping below then saves its collision
 * logic.
 *
 * Technology mapping for ECP5 (`define IMS_ECP5_BRAM, set by synth/synth.py
 * for ECP5 runs only; simulation and every other FPGA use the generic
 * inferred RAM above, which stays the default): Yosys maps an inferred ECP5
 * block RAM without its output register, leaving the ~5.8 ns EBR
 * clock-to-output in front of the OUTPUT_REG flop.  With the define and
 * OUTPUT_REG = 1 the same RAM is built from DP16KD tiles with
 * REGMODE_B = "OUTREG", whose output register takes the place of the second
 * register: same read latency, same read-first behaviour, same ports.
 *  - Tile shape: the widest DP16KD configuration whose depth covers DEPTH
 *    (512x36, 1024x18, 2048x9, 4096x4, 8192x2, 16384x1), so a 2048-deep RAM
 *    needs no output multiplexer; deeper RAMs use banks of 16384x1 tiles and
 *    a bank multiplexer after the output register.
 *  - Pseudo-dual-port use: port A writes, port B reads (x36: data on both
 *    ports' pins, as the DP16KD pseudo-dual-port mode defines, and both ports'
 *    output registers on).
 *  - The DP16KD does not define the data read on port B while port A writes
 *    the same address on the same edge.  For READ_FIRST = 1 the
 *    write is therefore applied one edge late (held in a register) and a read
 *    of the address being written takes the held data from a bypass
 *    register: the RAM contents seen through the read port are exactly those
 *    of the generic RAM at every edge.  READ_FIRST = 0 skips both.
 * tests/impl/hdl/ecp5_dp16kd_model.v is a behavioural DP16KD used to simulate this
 * path (tests/impl/test_ecp5_ram.py); it returns X for such collisions.
 */

`default_nettype none

module ims_ram_sdp #(
    parameter DATA_WIDTH        = 32,
    parameter ADDR_WIDTH        = 8,
    parameter DEPTH             = 256,
    parameter OUTPUT_REG        = 1,
    parameter READ_FIRST        = 1        // 0: owner ignores same-edge collision data
) (
    input  wire                  clk,

    input  wire                  wr_en,
    input  wire [ADDR_WIDTH-1:0] wr_addr,
    input  wire [DATA_WIDTH-1:0] wr_data,

    input  wire                  rd_en,
    input  wire [ADDR_WIDTH-1:0] rd_addr,
    output wire [DATA_WIDTH-1:0] rd_data
);

initial begin
    if (DEPTH < 1 || DEPTH > (1 << ADDR_WIDTH)) begin
        $error("Error: ims_ram_sdp DEPTH must be 1 .. 2**ADDR_WIDTH (instance %m)");
        $finish;
    end
    if (OUTPUT_REG != 0 && OUTPUT_REG != 1) begin
        $error("Error: ims_ram_sdp OUTPUT_REG must be 0 or 1 (instance %m)");
        $finish;
    end
    if (READ_FIRST != 0 && READ_FIRST != 1) begin
        $error("Error: ims_ram_sdp READ_FIRST must be 0 or 1 (instance %m)");
        $finish;
    end
end

`ifdef IMS_ECP5_BRAM
localparam USE_ECP5 = OUTPUT_REG == 1;
`else
localparam USE_ECP5 = 0;
`endif

generate
if (!USE_ECP5) begin : g_generic

    (* ram_style = "block" *)
    reg [DATA_WIDTH-1:0] mem [0:DEPTH-1];

    reg [DATA_WIDTH-1:0] rd_data_reg;
    reg [DATA_WIDTH-1:0] rd_data_out_reg;

    always @(posedge clk) begin
        if (wr_en) begin
            mem[wr_addr] <= wr_data;
        end
        if (rd_en) begin
            rd_data_reg <= mem[rd_addr];
        end
        rd_data_out_reg <= rd_data_reg;
    end

    if (OUTPUT_REG != 0) begin : g_out_reg
        assign rd_data = rd_data_out_reg;
    end else begin : g_no_out_reg
        assign rd_data = rd_data_reg;
        wire unused_out_reg = ^rd_data_out_reg;
    end

end
`ifdef IMS_ECP5_BRAM
else begin : g_ecp5
    // tile pins, pad bits and bank address bits that a given geometry leaves unused
    /* verilator lint_off UNUSEDSIGNAL */

    // DP16KD configuration: data width per tile and address bits per tile.
    localparam TILE_WIDTH = DEPTH <= 512  ? 36 :
                            DEPTH <= 1024 ? 18 :
                            DEPTH <= 2048 ? 9  :
                            DEPTH <= 4096 ? 4  :
                            DEPTH <= 8192 ? 2  : 1;
    localparam TILE_ABITS = TILE_WIDTH == 36 ? 9  :
                            TILE_WIDTH == 18 ? 10 :
                            TILE_WIDTH == 9  ? 11 :
                            TILE_WIDTH == 4  ? 12 :
                            TILE_WIDTH == 2  ? 13 : 14;
    localparam TILE_DEPTH = 1 << TILE_ABITS;
    localparam COLS       = (DATA_WIDTH + TILE_WIDTH - 1) / TILE_WIDTH;
    localparam BANKS      = (DEPTH + TILE_DEPTH - 1) / TILE_DEPTH;
    localparam BANK_BITS  = BANKS > 1 ? $clog2(BANKS) : 1;
    // address bits below the tile address: byte enables (write) / unused (read)
    localparam LOW_BITS   = 14 - TILE_ABITS;
    localparam EMULATE_READ_FIRST = READ_FIRST != 0;

    // ---- write port, delayed by one edge when read-first is emulated
    wire                  ram_wr_en;
    wire [ADDR_WIDTH-1:0] ram_wr_addr;
    wire [DATA_WIDTH-1:0] ram_wr_data;
    // the held write matched the read address at the read edge (aligned with the output)
    wire                  bypass_sel;
    wire [DATA_WIDTH-1:0] bypass_data;

    if (EMULATE_READ_FIRST) begin : g_read_first
        reg                  wr_en_d_reg;
        reg [ADDR_WIDTH-1:0] wr_addr_d_reg;
        reg [DATA_WIDTH-1:0] wr_data_d_reg;
        reg                  byp1_reg;
        reg [DATA_WIDTH-1:0] byp1_data_reg;
        reg                  byp2_reg;
        reg [DATA_WIDTH-1:0] byp2_data_reg;

        always @(posedge clk) begin
            wr_en_d_reg   <= wr_en;
            wr_addr_d_reg <= wr_addr;
            wr_data_d_reg <= wr_data;
            // The generic RAM's read at this edge sees the write of the previous edge; here
            // that write lands in the tile only now, so its data comes from the bypass.
            if (rd_en) begin
                byp1_reg      <= wr_en_d_reg && wr_addr_d_reg == rd_addr;
                byp1_data_reg <= wr_data_d_reg;
            end
            byp2_reg      <= byp1_reg;
            byp2_data_reg <= byp1_data_reg;
        end

        assign ram_wr_en   = wr_en_d_reg;
        assign ram_wr_addr = wr_addr_d_reg;
        assign ram_wr_data = wr_data_d_reg;
        assign bypass_sel  = byp2_reg;
        assign bypass_data = byp2_data_reg;
    end else begin : g_no_read_first
        assign ram_wr_en   = wr_en;
        assign ram_wr_addr = wr_addr;
        assign ram_wr_data = wr_data;
        assign bypass_sel  = 1'b0;
        assign bypass_data = {DATA_WIDTH{1'b0}};
    end

    // ---- tiles: BANKS x COLS DP16KD
    wire [COLS*TILE_WIDTH-1:0] wr_data_padded;
    wire [TILE_ABITS-1:0]      wr_tile_addr;
    wire [TILE_ABITS-1:0]      rd_tile_addr;
    wire [BANK_BITS-1:0]       wr_bank;
    wire [BANK_BITS-1:0]       rd_bank;

    assign wr_data_padded[DATA_WIDTH-1:0] = ram_wr_data;
    if (COLS*TILE_WIDTH > DATA_WIDTH) begin : g_pad
        assign wr_data_padded[COLS*TILE_WIDTH-1:DATA_WIDTH] = {(COLS*TILE_WIDTH-DATA_WIDTH){1'b0}};
    end

    if (ADDR_WIDTH >= TILE_ABITS) begin : g_addr_wide
        assign wr_tile_addr = ram_wr_addr[TILE_ABITS-1:0];
        assign rd_tile_addr = rd_addr[TILE_ABITS-1:0];
    end else begin : g_addr_narrow
        assign wr_tile_addr = {{(TILE_ABITS-ADDR_WIDTH){1'b0}}, ram_wr_addr};
        assign rd_tile_addr = {{(TILE_ABITS-ADDR_WIDTH){1'b0}}, rd_addr};
    end

    if (BANKS > 1) begin : g_bank_addr
        assign wr_bank = ram_wr_addr[ADDR_WIDTH-1:TILE_ABITS];
        assign rd_bank = rd_addr[ADDR_WIDTH-1:TILE_ABITS];
    end else begin : g_one_bank
        assign wr_bank = 1'b0;
        assign rd_bank = 1'b0;
    end

    wire [BANKS*COLS*TILE_WIDTH-1:0] bank_q;

    genvar bank, col;
    for (bank = 0; bank < BANKS; bank = bank + 1) begin : g_bank
        wire bank_wr_en = ram_wr_en && wr_bank == bank;
        for (col = 0; col < COLS; col = col + 1) begin : g_col
            wire [35:0] di36;
            wire [35:0] do36;
            wire [13:0] ada;
            wire [13:0] adb;
            wire [17:0] doa;
            wire [17:0] dob;

            assign di36[TILE_WIDTH-1:0] = wr_data_padded[col*TILE_WIDTH +: TILE_WIDTH];
            if (TILE_WIDTH < 36) begin : g_di_pad
                assign di36[35:TILE_WIDTH] = {(36-TILE_WIDTH){1'b0}};
            end
            assign ada[13:LOW_BITS] = wr_tile_addr;
            assign adb[13:LOW_BITS] = rd_tile_addr;
            // x18 / x36: the lowest address bits of the write port are byte enables (all
            // set: whole words are written; CEA is the write enable)
            if (TILE_WIDTH == 36) begin : g_be36
                assign ada[LOW_BITS-1:0] = 5'b01111;
            end else if (TILE_WIDTH == 18) begin : g_be18
                assign ada[LOW_BITS-1:0] = {2'b00, 2'b11};
            end else if (LOW_BITS > 0) begin : g_low_zero
                assign ada[LOW_BITS-1:0] = {LOW_BITS{1'b0}};
            end
            if (LOW_BITS > 0) begin : g_rd_low
                assign adb[LOW_BITS-1:0] = {LOW_BITS{1'b0}};
            end
            // x36: the write data uses both ports' DI pins, the read data both ports' DO pins
            wire [17:0] dia = di36[17:0];
            wire [17:0] dib = TILE_WIDTH == 36 ? di36[35:18] : 18'd0;
            assign do36 = TILE_WIDTH == 36 ? {dob, doa} : {18'd0, dob};
            assign bank_q[(bank*COLS+col)*TILE_WIDTH +: TILE_WIDTH] = do36[TILE_WIDTH-1:0];

            DP16KD #(
                .DATA_WIDTH_A(TILE_WIDTH),
                .DATA_WIDTH_B(TILE_WIDTH),
                // x36: DOA carries read bits 17:0, registered by port A's output register
                .REGMODE_A(TILE_WIDTH == 36 ? "OUTREG" : "NOREG"),
                .REGMODE_B("OUTREG"),
                .RESETMODE("SYNC"),
                .ASYNC_RESET_RELEASE("SYNC"),
                .CSDECODE_A("0b000"),
                .CSDECODE_B("0b000"),
                .WRITEMODE_A("NORMAL"),
                .WRITEMODE_B("NORMAL"),
                .GSR("DISABLED")
            ) tile (
                .CLKA(clk), .CEA(bank_wr_en), .OCEA(TILE_WIDTH == 36), .RSTA(1'b0),
                .WEA(TILE_WIDTH == 36 ? 1'b1 : bank_wr_en),
                .CSA2(1'b0), .CSA1(1'b0), .CSA0(1'b0),
                .ADA13(ada[13]), .ADA12(ada[12]), .ADA11(ada[11]), .ADA10(ada[10]),
                .ADA9(ada[9]), .ADA8(ada[8]), .ADA7(ada[7]), .ADA6(ada[6]), .ADA5(ada[5]),
                .ADA4(ada[4]), .ADA3(ada[3]), .ADA2(ada[2]), .ADA1(ada[1]), .ADA0(ada[0]),
                .DIA17(dia[17]), .DIA16(dia[16]), .DIA15(dia[15]), .DIA14(dia[14]),
                .DIA13(dia[13]), .DIA12(dia[12]), .DIA11(dia[11]), .DIA10(dia[10]),
                .DIA9(dia[9]), .DIA8(dia[8]), .DIA7(dia[7]), .DIA6(dia[6]), .DIA5(dia[5]),
                .DIA4(dia[4]), .DIA3(dia[3]), .DIA2(dia[2]), .DIA1(dia[1]), .DIA0(dia[0]),
                .DOA17(doa[17]), .DOA16(doa[16]), .DOA15(doa[15]), .DOA14(doa[14]),
                .DOA13(doa[13]), .DOA12(doa[12]), .DOA11(doa[11]), .DOA10(doa[10]),
                .DOA9(doa[9]), .DOA8(doa[8]), .DOA7(doa[7]), .DOA6(doa[6]), .DOA5(doa[5]),
                .DOA4(doa[4]), .DOA3(doa[3]), .DOA2(doa[2]), .DOA1(doa[1]), .DOA0(doa[0]),

                .CLKB(clk), .CEB(rd_en), .OCEB(1'b1), .RSTB(1'b0), .WEB(1'b0),
                .CSB2(1'b0), .CSB1(1'b0), .CSB0(1'b0),
                .ADB13(adb[13]), .ADB12(adb[12]), .ADB11(adb[11]), .ADB10(adb[10]),
                .ADB9(adb[9]), .ADB8(adb[8]), .ADB7(adb[7]), .ADB6(adb[6]), .ADB5(adb[5]),
                .ADB4(adb[4]), .ADB3(adb[3]), .ADB2(adb[2]), .ADB1(adb[1]), .ADB0(adb[0]),
                .DIB17(dib[17]), .DIB16(dib[16]), .DIB15(dib[15]), .DIB14(dib[14]),
                .DIB13(dib[13]), .DIB12(dib[12]), .DIB11(dib[11]), .DIB10(dib[10]),
                .DIB9(dib[9]), .DIB8(dib[8]), .DIB7(dib[7]), .DIB6(dib[6]), .DIB5(dib[5]),
                .DIB4(dib[4]), .DIB3(dib[3]), .DIB2(dib[2]), .DIB1(dib[1]), .DIB0(dib[0]),
                .DOB17(dob[17]), .DOB16(dob[16]), .DOB15(dob[15]), .DOB14(dob[14]),
                .DOB13(dob[13]), .DOB12(dob[12]), .DOB11(dob[11]), .DOB10(dob[10]),
                .DOB9(dob[9]), .DOB8(dob[8]), .DOB7(dob[7]), .DOB6(dob[6]), .DOB5(dob[5]),
                .DOB4(dob[4]), .DOB3(dob[3]), .DOB2(dob[2]), .DOB1(dob[1]), .DOB0(dob[0])
            );
        end
    end

    // ---- bank select, aligned with the tiles' output register
    wire [COLS*TILE_WIDTH-1:0] ram_q;
    if (BANKS > 1) begin : g_bank_mux
        reg [BANK_BITS-1:0] rd_bank1_reg;
        reg [BANK_BITS-1:0] rd_bank2_reg;
        always @(posedge clk) begin
            if (rd_en) begin
                rd_bank1_reg <= rd_bank;
            end
            rd_bank2_reg <= rd_bank1_reg;
        end
        assign ram_q = bank_q[rd_bank2_reg*COLS*TILE_WIDTH +: COLS*TILE_WIDTH];
    end else begin : g_no_bank_mux
        assign ram_q = bank_q;
    end

    assign rd_data = bypass_sel ? bypass_data : ram_q[DATA_WIDTH-1:0];
    /* verilator lint_on UNUSEDSIGNAL */

end
`endif
endgenerate

endmodule

`resetall
