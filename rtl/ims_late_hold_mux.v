/*
 * A state flop's next value when a late signal (the message decision)
 * chooses between two next values and a hold term (from flops) overrides
 * both: out = hold ? hold_val : (sel ? if_sel : if_not), per bit.
 *
 * Kept as its own module (keep_hierarchy) so that synthesis maps exactly
 * this 5-input function per bit as the last gate before the flop (an ECP5
 * slice's two LUT4s and their PFUMX), with the late sel entering that gate
 * directly, instead of folding sel deeper into the logic that forms the
 * choices or the hold term into the choices (one more level on each).
 */

`default_nettype none

(* keep_hierarchy *)
module ims_late_hold_mux #(
    parameter WIDTH = 1
) (
    input  wire             sel,       // late
    input  wire [WIDTH-1:0] hold,
    input  wire [WIDTH-1:0] hold_val,
    input  wire [WIDTH-1:0] if_sel,
    input  wire [WIDTH-1:0] if_not,
    output wire [WIDTH-1:0] out
);

assign out = (hold & hold_val) | (~hold & (sel ? if_sel : if_not));

endmodule

`resetall
