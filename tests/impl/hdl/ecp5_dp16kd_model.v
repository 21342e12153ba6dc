/*
 * Behavioural model of the Lattice ECP5 DP16KD block RAM, for simulating the
 * ECP5 technology mapping of rtl/ims_ram_sdp.v (`define IMS_ECP5_BRAM).  The
 * Yosys ECP5 cell library only has a black box for DP16KD, so this model was
 * written for the project from the DP16KD description in Lattice's ECP5
 * sysMEM usage guide (FPGA-TN-02204).  It covers the subset ims_ram_sdp uses
 * and stops the simulation on anything else:
 *  - pseudo-dual-port: port A writes, port B reads, same width on both ports;
 *  - widths 1, 2, 4, 9, 18 (data on DIx/DOx[w-1:0], address ADx[13:14-abits])
 *    and 36 (write data DIA = bits 17:0, DIB = bits 35:18; read data
 *    DOA = bits 17:0, DOB = bits 35:18; address ADx[13:5]);
 *  - x18 / x36 writes: ADA[1:0] / ADA[3:0] are byte enables (9-bit bytes);
 *  - CEx clock enable, WEA write enable, OCEB output register enable,
 *    REGMODE_B "NOREG" or "OUTREG", RSTB synchronous reset of the output;
 *  - chip selects tied to CSDECODE (always selected).
 * A port B read of the word port A writes on the same edge returns X: the
 * primitive does not define that data, so a design that uses it shows X.
 */

`default_nettype none

module DP16KD (
    input  wire DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9,
    input  wire DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0,
    input  wire ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5,
    input  wire ADA4, ADA3, ADA2, ADA1, ADA0,
    input  wire CEA, OCEA, CLKA, WEA, RSTA,
    input  wire CSA2, CSA1, CSA0,
    output wire DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9,
    output wire DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0,

    input  wire DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9,
    input  wire DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0,
    input  wire ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5,
    input  wire ADB4, ADB3, ADB2, ADB1, ADB0,
    input  wire CEB, OCEB, CLKB, WEB, RSTB,
    input  wire CSB2, CSB1, CSB0,
    output wire DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9,
    output wire DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0
);

parameter DATA_WIDTH_A = 18;
parameter DATA_WIDTH_B = 18;
parameter REGMODE_A = "NOREG";
parameter REGMODE_B = "NOREG";
parameter RESETMODE = "SYNC";
parameter ASYNC_RESET_RELEASE = "SYNC";
parameter CSDECODE_A = "0b000";
parameter CSDECODE_B = "0b000";
parameter WRITEMODE_A = "NORMAL";
parameter WRITEMODE_B = "NORMAL";
parameter GSR = "ENABLED";

localparam W     = DATA_WIDTH_A;
localparam ABITS = W == 36 ? 9 : W == 18 ? 10 : W == 9 ? 11 : W == 4 ? 12 : W == 2 ? 13 : 14;
localparam WORDS = 1 << ABITS;

wire [17:0] dia = {DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9,
                   DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0};
wire [17:0] dib = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9,
                   DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0};
wire [13:0] ada = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5,
                   ADA4, ADA3, ADA2, ADA1, ADA0};
wire [13:0] adb = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5,
                   ADB4, ADB3, ADB2, ADB1, ADB0};

initial begin
    if (DATA_WIDTH_A != DATA_WIDTH_B ||
        !(W == 1 || W == 2 || W == 4 || W == 9 || W == 18 || W == 36)) begin
        $error("DP16KD model: only equal port widths 1/2/4/9/18/36 are modelled (%m)");
        $finish;
    end
    // x36 reads come out on DOA and DOB: both ports' output registers must agree
    if ((W == 36 ? REGMODE_A != REGMODE_B : REGMODE_A != "NOREG") ||
        (REGMODE_B != "NOREG" && REGMODE_B != "OUTREG") ||
        RESETMODE != "SYNC" || CSDECODE_A != "0b000" || CSDECODE_B != "0b000") begin
        $error("DP16KD model: unmodelled REGMODE/RESETMODE/CSDECODE (%m)");
        $finish;
    end
end

reg [35:0] mem [0:WORDS-1];

wire [ABITS-1:0] wr_word = ada[13:14-ABITS];
wire [ABITS-1:0] rd_word = adb[13:14-ABITS];
wire [35:0]      wr_data = W == 36 ? {dib, dia} : {18'd0, dia};
// byte enables of the 9-bit bytes (x18: ADA[1:0], x36: ADA[3:0]); narrower: whole word
wire [3:0]       wr_be   = W == 36 ? ada[3:0] : W == 18 ? {2'b00, ada[1:0]} : 4'b0001;
wire             wr_fire = CEA === 1'b1 && WEA === 1'b1 && {CSA2, CSA1, CSA0} === 3'b000;
// a write that changes at least one byte of the word (the collision rule below)
wire             wr_any  = wr_fire && (W == 36 ? |wr_be : W == 18 ? |wr_be[1:0] : 1'b1);
wire             rd_fire = CEB === 1'b1 && WEB !== 1'b1 && {CSB2, CSB1, CSB0} === 3'b000;

reg [35:0] latch_q;     // array output latch (NOREG output)
reg [35:0] out_q;       // output register (OUTREG)
integer b;

always @(posedge CLKA) begin
    if (WEA === 1'bx || CEA === 1'bx) begin
        // an unknown write enable may have written any word: poison the addressed one
        mem[wr_word] <= {36{1'bx}};
    end else if (wr_fire) begin
        for (b = 0; b < 4; b = b + 1) begin
            if (W < 18 ? b == 0 : wr_be[b]) begin
                mem[wr_word][b*9 +: 9] <= wr_data[b*9 +: 9];
            end
        end
    end
end

always @(posedge CLKB) begin
    if (RSTB === 1'b1) begin
        latch_q <= 36'd0;
    end else if (rd_fire) begin
        if (wr_any && wr_word == rd_word) begin
            latch_q <= {36{1'bx}};      // same-edge write of the read word: undefined
        end else begin
            latch_q <= mem[rd_word];
        end
    end
    if (RSTB === 1'b1) begin
        out_q <= 36'd0;
    end else if (OCEB === 1'b1) begin
        out_q <= latch_q;
    end
end

wire [35:0] q = REGMODE_B == "OUTREG" ? out_q : latch_q;
wire [35:0] q_masked = W == 36 ? q : (q & ((36'd1 << W) - 1));
wire [17:0] doa = W == 36 ? q_masked[17:0] : 18'd0;
wire [17:0] dob = W == 36 ? q_masked[35:18] : q_masked[17:0];

assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9,
        DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0} = doa;
assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9,
        DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0} = dob;

wire unused_ok = &{OCEA, CLKA, RSTA, dib[0], 1'b0};

endmodule

`resetall
