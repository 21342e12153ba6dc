/*
 * Post-reset sweep (STATUS.BUSY).
 *
 * The slot and pending RAMs have no reset.  After rst falls this module
 * counts one index per cycle through every pending bit (NUM_BITS, slots
 * then memory entries); the owner writes the reset entry into the slot RAM
 * and clears the pending word at that index while busy is high.
 *
 * Ports (all from flops):
 *   busy       high from the edge that samples rst high until the edge that
 *              writes the last index (NUM_BITS cycles after rst falls), then
 *              low until the next reset.  No pipeline op may issue meanwhile.
 *   init_slot  the index being written in this cycle (valid while busy);
 *              0 .. NUM_BITS-1, one per cycle.
 *   busy_adm   the same value as busy, from a flop of its own: for the
 *              s_irq_ready next state only (ims_trig_admit).  busy also
 *              drives the stage flops' synchronous resets, and synthesis
 *              shared that gate with the ready logic, a level and a long
 *              route more on the s_irq_ready path.
 */

`default_nettype none

module ims_init_sweep #(
    parameter SLOT_WIDTH = 11    // index width: NUM_BITS = 2**SLOT_WIDTH indices swept
) (
    input  wire                  clk,
    input  wire                  rst,

    output wire                  busy,
    output wire [SLOT_WIDTH-1:0] init_slot,
    output wire                  busy_adm
);

initial begin
    if (SLOT_WIDTH < 1 || SLOT_WIDTH > 31) begin
        $error("Error: ims_init_sweep SLOT_WIDTH must be 1 .. 31 (instance %m)");
        $finish;
    end
end

reg                  busy_reg;
reg [SLOT_WIDTH-1:0] init_slot_reg;

assign busy      = busy_reg;
assign init_slot = init_slot_reg;

(* keep *) reg busy_adm_reg;   // = busy_reg (kept apart: synthesis would merge them)
assign busy_adm  = busy_adm_reg;

wire [31:0] init_slot_ext = {{(32-SLOT_WIDTH){1'b0}}, init_slot_reg};
localparam NUM_BITS = 1 << SLOT_WIDTH;   // pending bits: slots, then memory entries
wire init_last = init_slot_ext == NUM_BITS - 1;

always @(posedge clk) begin
    if (busy_reg) begin
        init_slot_reg <= init_slot_reg + 1'b1;
        if (init_last) begin
            busy_reg <= 1'b0;
        end
    end
    if (rst) begin
        busy_reg      <= 1'b1;
        init_slot_reg <= 0;
    end
end

(* keep *)
always @(posedge clk) begin
    if (busy_reg && init_last) begin
        busy_adm_reg <= 1'b0;
    end
    if (rst) begin
        busy_adm_reg <= 1'b1;
    end
end

endmodule

`resetall
