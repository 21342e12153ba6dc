/*
 * A 2:1 choice by the message decision taken in its parts: out =
 * (pre || (lo && hi) || rep) ? if_sel : if_not, where the decision
 * cand_msg = pre || (lo && hi) || rep (ims_msg_decide) and each part is a
 * flop or one gate of flops.  Kept as its own module (keep_hierarchy) so
 * that the decision's last OR and the choice are one 6-input function (an
 * ECP5 slice pair's LUT4s and wide-function muxes, no general routing
 * inside) beside the flop it feeds, rather than a gate near the pipeline's
 * stage C and a second one here with a long route between them.
 */

`default_nettype none

(* keep_hierarchy *)
module ims_late_or_mux (
    input  wire [3:0] parts,     // {pre, lo, hi, rep} (late)
    input  wire       if_sel,
    input  wire       if_not,
    output wire       out
);

assign out = (parts[3] || (parts[2] && parts[1]) || parts[0]) ? if_sel : if_not;

endmodule

`resetall
