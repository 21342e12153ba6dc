/*
 * Trigger admission and queue credits: s_irq_ready, and the credit counters
 * that keep the write master's direct and replay queues from overflowing.
 *
 * s_irq_ready is high when, after this cycle, none of these hold:
 *  - rst or BUSY;
 *  - every direct-queue credit is out: each accepted trigger holds one from
 *    its acceptance until it is resolved without a message (trig_nomsg) or
 *    its message has left on the AXI bus (direct_pop), so a long AW/W stall
 *    never loses a trigger;
 *  - a trigger was accepted on this edge while an op waits in the skid
 *    buffer (head_valid): the op gets the next cycle, so triggers and
 *    maintenance alternate and neither starves.
 * Candidate checks (cand_take) hold a replay-queue credit likewise, returned
 * by cand_nomsg or replay_pop; cand_credit_ok (a flop) says one more may be
 * taken next cycle.
 *
 * Timing: s_irq_ready and trig_go are one gate of the s_irq_valid port and
 * flops (the next-state choice is ims_issue_mux: both cases of the late
 * accept precomputed); ready_iss is a copy of the ready flop for the issue
 * stage's RAM address choice only (fan-out).  Pops are registered first (a
 * credit comes back one cycle late: the AXI ready inputs stay out of the
 * s_irq_ready logic, and free space is only ever under-counted).
 *   trig_go     a trigger is accepted on this edge (s_irq_valid && ready).
 *   trig_nomsg, cand_nomsg   one-cycle pulses from the pipeline's flops.
 *   direct_pop, replay_pop   the write master popped a queue entry (a
 *               message left on the bus) this cycle.
 */

`default_nettype none

module ims_trig_admit #(
    parameter DIRECT_FIFO_DEPTH = 8,
    parameter REPLAY_FIFO_DEPTH = 8
) (
    input  wire clk,
    input  wire rst,

    input  wire busy,             // BUSY (a flop of its own, see ims_init_sweep busy_adm)
    input  wire s_irq_valid,
    output wire s_irq_ready,
    output wire trig_go,
    output wire ready_iss,        // copy of the ready flop, for the RAM address choice

    input  wire head_valid,       // an op waits in the skid buffer (flop, ims_op_skid head_valid_adm)
    input  wire cand_take,        // a candidate check takes a replay credit this cycle
    input  wire trig_nomsg,       // a trigger resolved without a message
    input  wire cand_nomsg,       // a candidate check did not replay
    input  wire direct_pop,
    input  wire replay_pop,
    output wire cand_credit_ok
);

// (the credit counters check their own DEPTH: 3 .. 64)

reg s_irq_ready_reg;
reg s_irq_ready_iss_reg;   // the same, for the RAM address choice only

assign s_irq_ready = s_irq_ready_reg && !rst;
assign ready_iss   = s_irq_ready_iss_reg;

// (rst need not gate trig_go here: every stage's valid bit is reset anyway.)
assign trig_go = s_irq_valid && s_irq_ready_reg;

// registered: the compare of the replay credit counter's next value, so the
// scanner's op_valid (and through it the issue choice) starts at a flop
reg cand_credit_ok_reg;
assign cand_credit_ok = cand_credit_ok_reg;

// queue pops return their credit one cycle late: this keeps the AXI ready
// inputs out of the s_irq_ready logic and only ever under-counts free space
reg direct_pop_reg;
reg replay_pop_reg;

always @(posedge clk) begin
    direct_pop_reg <= direct_pop && !rst;
    replay_pop_reg <= replay_pop && !rst;
end

wire direct_ok_if_trig;
wire direct_ok_no_trig;
wire replay_ok_if_cand;
wire replay_ok_no_cand;

// every accepted trigger holds a direct-queue credit until it is resolved
// without a message or its message has left on the AXI bus
ims_credit #(
    .DEPTH(DIRECT_FIFO_DEPTH)
) direct_credit_inst (
    .clk(clk),
    .rst(rst),
    .take(trig_go),
    .ret_a(trig_nomsg),
    .ret_b(direct_pop_reg),
    .ok_if_take(direct_ok_if_trig),
    .ok_if_no_take(direct_ok_no_trig)
);

// every candidate check taken holds a replay-queue credit likewise
ims_credit #(
    .DEPTH(REPLAY_FIFO_DEPTH)
) replay_credit_inst (
    .clk(clk),
    .rst(rst),
    .take(cand_take),
    .ret_a(cand_nomsg),
    .ret_b(replay_pop_reg),
    .ok_if_take(replay_ok_if_cand),
    .ok_if_no_take(replay_ok_no_cand)
);

// After a trigger, a held maintenance op gets the next cycle (triggers and
// maintenance alternate, neither starves).
// (rst is folded in here rather than as the flops' reset: the choice below
// then is the last gate before them)
wire ready_if_trig = !rst && !busy && direct_ok_if_trig && !head_valid;
wire ready_no_trig = !rst && !busy && direct_ok_no_trig;

// the accept term folded into the choice itself (one gate of the port); one
// choice gate per ready flop, so each can sit beside its flop (the copy's
// flop is placed near the RAM address logic, far from the other)
wire s_irq_ready_next;
wire s_irq_ready_iss_next;
ims_issue_mux #(
    .WIDTH(1)
) ready_mux_inst (
    .valid(s_irq_valid),
    .ready(s_irq_ready_reg),
    .trig(ready_if_trig),
    .held(ready_no_trig),
    .out(s_irq_ready_next)
);

ims_issue_mux #(
    .WIDTH(1)
) ready_iss_mux_inst (
    .valid(s_irq_valid),
    .ready(s_irq_ready_iss_reg),
    .trig(ready_if_trig),
    .held(ready_no_trig),
    .out(s_irq_ready_iss_next)
);

// s_irq_ready_reg and its copy are kept apart (synthesis would merge them)
(* keep *)
always @(posedge clk) begin
    s_irq_ready_reg <= s_irq_ready_next;
end

(* keep *)
always @(posedge clk) begin
    s_irq_ready_iss_reg <= s_irq_ready_iss_next;
end

always @(posedge clk) begin
    cand_credit_ok_reg <= cand_take ? replay_ok_if_cand : replay_ok_no_cand;

    if (rst) begin
        cand_credit_ok_reg <= 1'b1;
    end
end

endmodule

`resetall
