/*
 * Credit counter for a message queue: how many queue entries are promised
 * (ops in the pipeline that may still produce a message, plus messages not
 * yet popped), and whether one more op may take a credit next cycle.
 *
 * The count is a thermometer code (count_reg[k]: more than k credits out),
 * so "one more fits" is a bit lookup rather than an adder and a compare.
 * Returns (ret_a, ret_b: flops of the owner, up to two per cycle) are known
 * early; take (an op entering the pipeline now) arrives late, through the
 * s_irq_valid port, so every result is formed for both values of take and
 * take only chooses.
 */

`default_nettype none

module ims_credit #(
    parameter DEPTH = 8
) (
    input  wire clk,
    input  wire rst,

    input  wire take,           // late: an op takes a credit this cycle
    input  wire ret_a,          // early: credits returned this cycle
    input  wire ret_b,

    // after this cycle's take / returns: one more op may take a credit
    output wire ok_if_take,
    output wire ok_if_no_take
);

initial begin
    if (DEPTH < 3 || DEPTH > 64) begin
        $error("Error: ims_credit DEPTH must be 3 .. 64 (instance %m)");
        $finish;
    end
end

reg [DEPTH-1:0] count_reg;

// count minus the returns (0, 1 or 2 of them)
wire [DEPTH-1:0] count_ret = (ret_a && ret_b) ? {2'b00, count_reg[DEPTH-1:2]} :
                             (ret_a || ret_b) ? {1'b0, count_reg[DEPTH-1:1]} : count_reg;
wire [DEPTH-1:0] count_ret_take = {count_ret[DEPTH-2:0], 1'b1};

// one more fits when fewer than DEPTH credits are out afterwards
assign ok_if_no_take = !count_ret[DEPTH-1];
assign ok_if_take    = !count_ret[DEPTH-2];

always @(posedge clk) begin
    count_reg <= take ? count_ret_take : count_ret;
    if (rst) begin
        count_reg <= {DEPTH{1'b0}};
    end
end

`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst) begin
        if (take && count_ret[DEPTH-1]) begin
            $fatal(1, "ims_credit: credit taken with all %0d out (%m)", DEPTH);
        end
        if ((ret_a || ret_b) && !count_reg[0]) begin
            $fatal(1, "ims_credit: credit returned with none out (%m)");
        end
        if (ret_a && ret_b && !count_reg[1]) begin
            $fatal(1, "ims_credit: two credits returned with fewer than two out (%m)");
        end
    end
end
`endif

endmodule

`resetall
