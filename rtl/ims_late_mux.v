/*
 * A 2:1 choice by a signal that arrives late in the cycle (the message
 * decision), kept as its own module (keep_hierarchy) so that synthesis
 * leaves it as the last gate before the flops it feeds, instead of folding
 * the late signal deeper into the logic that forms the two choices.
 */

`default_nettype none

(* keep_hierarchy *)
module ims_late_mux #(
    parameter WIDTH = 1
) (
    input  wire             sel,       // late
    input  wire [WIDTH-1:0] if_sel,
    input  wire [WIDTH-1:0] if_not,
    output wire [WIDTH-1:0] out
);

assign out = sel ? if_sel : if_not;

endmodule

`resetall
