/*
 * The issue stage's RAM address choice: the trigger's slot when a trigger is
 * accepted on this edge (s_irq_valid && s_irq_ready), else the held op's.
 * Kept as its own module (keep_hierarchy) so that each address bit is one
 * 4-input gate of the port and three flops; left to itself, synthesis
 * shares the accept term as a separate gate with a large fan-out in front
 * of the block-RAM address pins.
 */

`default_nettype none

(* keep_hierarchy *)
module ims_issue_mux #(
    parameter WIDTH = 1
) (
    input  wire             valid,      // s_irq_valid (port)
    input  wire             ready,      // s_irq_ready (flop)
    input  wire [WIDTH-1:0] trig,
    input  wire [WIDTH-1:0] held,
    output wire [WIDTH-1:0] out
);

assign out = (valid && ready) ? trig : held;

endmodule

`resetall
