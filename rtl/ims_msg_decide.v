/*
 * The message decision of the pipeline's stage C (ims_rule_eval), as its own module.
 *
 * Whether stage C's op sends a message is known late in the cycle: it ends
 * the PASID compare (seven 3-bit equalities registered in stage B) and the
 * replay check (the pending bit as of this op).  The write master puts the
 * candidate on the bus in this same cycle when its queues are empty (the
 * contract's N+3 latency), so only two gate levels may lead to it: the
 * compare's two groups and the replay term, then one 4-input gate.  Kept as a
 * separate module (keep_hierarchy) so that synthesis maps exactly these
 * functions from stage C's flops and does not fold them into the logic
 * behind them, which made the decision up to two levels deeper.
 */

`default_nettype none

(* keep_hierarchy *)
module ims_msg_decide (
    // stage C flops
    input  wire       ok_pre_msg,   // trigger sends without the PASID compare
    input  wire       ok_cmp_msg,   // trigger sends if the PASIDs match
    input  wire [6:0] pasid_eq,     // 3-bit slices (the last 2-bit) of slot.PASID == trigger PASID
    input  wire       fire_gate,    // candidate check: replays if still pending
    input  wire       wfwd_bit,     // the op in stage W is for this slot ...
    input  wire       w_new_pend,   // ... and leaves its pending bit so
    input  wire       st_slot_bit,  // the pending store's bit for the slot

    output wire       direct_msg,   // the trigger sends a message
    output wire       replay_msg,   // the candidate check replays
    output wire       cand_msg,     // either
    // cand_msg = pre || (lo && hi) || replay_msg, its parts one gate of the
    // flops (pre is ok_pre_msg itself), for a consumer that folds the last OR
    // into its own gate (the write master's queue state)
    output wire       part_lo,
    output wire       part_hi
);

wire pasid_lo  = &pasid_eq[3:0];
wire pasid_hi  = &pasid_eq[6:4] && ok_cmp_msg;

assign direct_msg = ok_pre_msg || (pasid_lo && pasid_hi);
assign replay_msg = fire_gate && (wfwd_bit ? w_new_pend : st_slot_bit);
assign cand_msg   = direct_msg || replay_msg;
assign part_lo    = pasid_lo;
assign part_hi    = pasid_hi;

endmodule

`resetall
