/*
 * Memory-entry trigger front end (contract section 7): trigger admission,
 * entry cache and in-order park queue, in front of ims_msg_pipe.
 *
 * Interface contract:
 *   s_irq_*  the trigger port.  An index in [NUM_SLOTS, NUM_SLOTS + M) is a
 *            memory entry j = index - NUM_SLOTS; every other index (a slot
 *            or a range error) passes to the pipeline unchanged.
 *   p_*      triggers to the pipeline, in acceptance order.  p_mem marks a
 *            memory entry whose fetched image sits in cache line p_line of
 *            the entry RAM (read by the pipeline through rd_line/rd_entry,
 *            two-edge latency like the slot RAM).  p_valid may depend on
 *            s_irq_valid (bypass when nothing is parked).
 *   A memory trigger accepted while ENABLE = 0 is dropped here (rule 2 is
 *   checked before any fetch: ev_drop_disabled).  A miss parks the trigger
 *   (and every trigger behind it, so direct messages keep acceptance order)
 *   and fetches the entry; a fetch answered with an error drops the trigger
 *   (ev_fetch_err).  mf_* is a second fetch port for re-examinations
 *   (ims_mem_maint): its image goes to the staging line STAGE_LINE, never
 *   into the cache.  inv_* drops cache lines; hold stops trigger admission.
 *
 * Cache: MEM_CACHE_ENTRIES lines, fully associative, allocated round robin,
 * one (valid, entry) tag flop set per line; the images live in block RAM.
 * A parked trigger's line cannot be reallocated before it is presented,
 * because the park queue holds at most PARK_DEPTH <= MEM_CACHE_ENTRIES
 * triggers and each allocates at most one line.
 */

`default_nettype none

module ims_mem_front #(
    parameter NUM_SLOTS         = 64,
    parameter MEM_CACHE_ENTRIES = 16,
    parameter IRQ_INDEX_WIDTH   = 16,
    parameter ENTRY_WIDTH       = 6,     // width of an entry number j
    parameter LINE_WIDTH        = 5,     // width of a line number (cache lines + staging line)
    parameter PARK_DEPTH        = 8,
    parameter MAX_OUTSTANDING   = 8
) (
    input  wire                       clk,
    input  wire                       rst,

    input  wire                       ctrl_enable,
    input  wire [ENTRY_WIDTH:0]       mem_entries,
    input  wire [63:0]                mem_base,
    input  wire                       hold,
    output wire                       park_empty,

    // trigger port
    input  wire                       s_irq_valid,
    output wire                       s_irq_ready,
    input  wire [IRQ_INDEX_WIDTH-1:0] s_irq_index,
    input  wire                       s_irq_pasid_valid,
    input  wire [19:0]                s_irq_pasid,

    // to the pipeline
    output wire                       p_valid,
    input  wire                       p_ready,
    output wire [IRQ_INDEX_WIDTH-1:0] p_index,
    output wire                       p_pasid_valid,
    output wire [19:0]                p_pasid,
    output wire                       p_mem,
    output wire [LINE_WIDTH-1:0]      p_line,

    // entry RAM read (pipeline)
    input  wire [LINE_WIDTH-1:0]      rd_line,
    output wire [115:0]               rd_entry,

    // invalidation
    input  wire                       inv_valid,
    input  wire                       inv_all,
    input  wire [ENTRY_WIDTH-1:0]     inv_entry,

    // re-examination fetches
    input  wire                       mf_req_valid,
    output wire                       mf_req_ready,
    input  wire [ENTRY_WIDTH-1:0]     mf_req_entry,
    output reg                        mf_rsp_valid,
    output reg                        mf_rsp_err,

    output reg                        ev_drop_disabled,
    output reg                        ev_fetch_err,

    // read master
    output wire                       f_req_valid,
    input  wire                       f_req_ready,
    output wire [63:0]                f_req_addr,
    input  wire                       f_rsp_valid,
    input  wire [127:0]               f_rsp_entry,
    input  wire                       f_rsp_err
);

localparam C          = MEM_CACHE_ENTRIES;
localparam STAGE_LINE = C;
localparam CW         = $clog2(C);      // cache line number width (the staging line needs one more bit)
/* verilator lint_off WIDTH */
localparam [CW-1:0] C_LAST = C - 1;
localparam [32:0]   N33    = NUM_SLOTS;
/* verilator lint_on WIDTH */
localparam PW         = $clog2(PARK_DEPTH);
localparam OW         = $clog2(MAX_OUTSTANDING);

initial begin
    if (PARK_DEPTH > C || (PARK_DEPTH & (PARK_DEPTH - 1)) != 0 || PARK_DEPTH < 2) begin
        $error("Error: ims_mem_front PARK_DEPTH must be a power of two, 2 .. MEM_CACHE_ENTRIES (instance %m)");
        $finish;
    end
end

// park entry states
localparam [1:0] ST_NEED = 2'd0,   // memory entry, fetch not issued
                 ST_WAIT = 2'd1,   // fetch issued
                 ST_GO   = 2'd2,   // may go to the pipeline (slot, range error, or image in its line)
                 ST_ERR  = 2'd3;   // fetch failed: dropped at the head

// --------------------------------------------------------------------------
// classification and cache lookup of the port trigger
// --------------------------------------------------------------------------

/* verilator lint_off UNUSEDSIGNAL */
wire [32:0] idx_ext = {{(33-IRQ_INDEX_WIDTH){1'b0}}, s_irq_index};
wire [32:0] j_ext   = idx_ext - NUM_SLOTS;
/* verilator lint_on UNUSEDSIGNAL */
wire        in_mem  = idx_ext >= N33 && idx_ext < N33 + {{(32-ENTRY_WIDTH){1'b0}}, mem_entries};
wire [ENTRY_WIDTH-1:0] in_j = j_ext[ENTRY_WIDTH-1:0];

reg [C-1:0]           tag_valid_reg;
reg [C*ENTRY_WIDTH-1:0] tag_entry_reg;   // line i at [i*ENTRY_WIDTH +: ENTRY_WIDTH]

reg                  hit;
reg [LINE_WIDTH-1:0] hit_line;
integer i;
always @* begin
    hit      = 1'b0;
    hit_line = {LINE_WIDTH{1'b0}};
    for (i = C - 1; i >= 0; i = i - 1) begin
        if (tag_valid_reg[i] && tag_entry_reg[i*ENTRY_WIDTH +: ENTRY_WIDTH] == in_j) begin
            hit      = 1'b1;
            hit_line = i[LINE_WIDTH-1:0];
        end
    end
end

// --------------------------------------------------------------------------
// park queue
// --------------------------------------------------------------------------

reg [IRQ_INDEX_WIDTH-1:0] pk_index_reg [0:PARK_DEPTH-1];
reg                       pk_pv_reg    [0:PARK_DEPTH-1];
reg [19:0]                pk_pasid_reg [0:PARK_DEPTH-1];
reg                       pk_mem_reg   [0:PARK_DEPTH-1];
reg [LINE_WIDTH-1:0]      pk_line_reg  [0:PARK_DEPTH-1];
reg [1:0]                 pk_st_reg    [0:PARK_DEPTH-1];

reg [PW:0] head_reg, tail_reg, fi_reg;
wire [PW-1:0] head = head_reg[PW-1:0];
wire [PW-1:0] fi   = fi_reg[PW-1:0];

assign park_empty = head_reg == tail_reg;
wire park_full = (head_reg ^ tail_reg) == {1'b1, {PW{1'b0}}};

assign s_irq_ready = !rst && !hold && (park_empty ? p_ready : !park_full);
wire acc = s_irq_valid && s_irq_ready;

wire acc_drop  = in_mem && !ctrl_enable;
wire acc_byp   = park_empty && !acc_drop && (!in_mem || hit);
wire acc_park  = acc && !acc_drop && !acc_byp;

// the head goes in the cycle its fetch answers (the entry RAM forwards the
// image written on that edge), or later from ST_GO
wire rsp_for_head;
wire head_go   = !park_empty && (pk_st_reg[head] == ST_GO || rsp_for_head);
wire head_err  = !park_empty && pk_st_reg[head] == ST_ERR;

assign p_valid       = park_empty ? (s_irq_valid && s_irq_ready && acc_byp) : head_go;
assign p_index       = park_empty ? s_irq_index : pk_index_reg[head];
assign p_pasid_valid = park_empty ? s_irq_pasid_valid : pk_pv_reg[head];
assign p_pasid       = park_empty ? s_irq_pasid : pk_pasid_reg[head];
assign p_mem         = park_empty ? in_mem : pk_mem_reg[head];
assign p_line        = park_empty ? hit_line : pk_line_reg[head];

wire pop = head_err || (head_go && p_ready);

// --------------------------------------------------------------------------
// fetches: trigger misses (in park order) first, then re-examinations
// --------------------------------------------------------------------------

reg [CW-1:0] alloc_reg;

wire fi_any   = fi_reg != tail_reg;
wire fi_need  = fi_any && pk_st_reg[fi] == ST_NEED;
// a miss at the port fetches on its acceptance edge when no parked miss waits
// for its fetch (one cycle off the miss latency)
wire port_miss = acc_park && in_mem && !hit && !fi_any;
wire [ENTRY_WIDTH-1:0] fi_j;
/* verilator lint_off UNUSEDSIGNAL */
wire [32:0] fi_j_ext = {{(33-IRQ_INDEX_WIDTH){1'b0}}, pk_index_reg[fi]} - NUM_SLOTS;
/* verilator lint_on UNUSEDSIGNAL */
assign fi_j = fi_j_ext[ENTRY_WIDTH-1:0];

// outstanding fetch owners, in issue order: {re-examination, park entry}
reg [PW:0]  own_q_reg [0:MAX_OUTSTANDING-1];
reg [OW:0]  own_cnt_reg;
/* verilator lint_off UNUSEDSIGNAL */
wire [OW:0] own_push_at = own_cnt_reg - {{OW{1'b0}}, f_rsp_valid};
/* verilator lint_on UNUSEDSIGNAL */
wire own_full = own_cnt_reg == MAX_OUTSTANDING;

wire [ENTRY_WIDTH-1:0] f_j = fi_need ? fi_j : (port_miss ? in_j : mf_req_entry);
assign f_req_valid  = !own_full && (fi_need || port_miss || mf_req_valid);
/* verilator lint_off UNUSEDSIGNAL */
wire [63:0] f_j_off = {{(64-ENTRY_WIDTH){1'b0}}, f_j} << 4;
/* verilator lint_on UNUSEDSIGNAL */
assign f_req_addr   = mem_base + f_j_off;
assign mf_req_ready = !own_full && !fi_need && !port_miss && f_req_ready;
wire f_go    = f_req_valid && f_req_ready;
wire f_trig  = f_go && fi_need;
wire f_port  = f_go && !fi_need && port_miss;

wire fi_adv  = fi_any && (!fi_need || f_trig);

wire             rsp_mf   = own_q_reg[0][PW];
wire [PW-1:0]    rsp_slot = own_q_reg[0][PW-1:0];
assign rsp_for_head = f_rsp_valid && !f_rsp_err && !rsp_mf && rsp_slot == head;

// entry image in the slot-store layout {PASID, PASID_EN, MASK, DATA, ADDR_HI, ADDR_LO[31:2]}
wire [115:0] f_image = {f_rsp_entry[127:108], f_rsp_entry[99], f_rsp_entry[96],
                        f_rsp_entry[95:64], f_rsp_entry[63:32], f_rsp_entry[31:2]};
wire unused_f = ^{f_rsp_entry[107:100], f_rsp_entry[98:97], f_rsp_entry[1:0]};

wire                  ram_we   = f_rsp_valid && !f_rsp_err;
/* verilator lint_off UNUSEDSIGNAL */
wire [LINE_WIDTH-1:0] rsp_line = pk_line_reg[rsp_slot];
/* verilator lint_on UNUSEDSIGNAL */
wire [CW-1:0]         rsp_line_c = rsp_line[CW-1:0];   // a trigger's line is a cache line
wire [LINE_WIDTH-1:0] ram_line = rsp_mf ? STAGE_LINE[LINE_WIDTH-1:0] : pk_line_reg[rsp_slot];

wire [115:0] ram_rd_entry;

ims_ram_sdp #(
    .DATA_WIDTH(116),
    .ADDR_WIDTH(LINE_WIDTH),
    .DEPTH(C + 1),
    .OUTPUT_REG(1),
    .READ_FIRST(0)
) entry_ram_inst (
    .clk(clk),
    .wr_en(ram_we),
    .wr_addr(ram_line),
    .wr_data(f_image),
    .rd_en(1'b1),
    .rd_addr(rd_line),
    .rd_data(ram_rd_entry)
);

// write-first forwarding: a read of the line written on the same edge (a
// parked trigger that goes in its fetch's answer cycle) gets the new image,
// delayed like the RAM's two read registers
reg         fwd1_reg, fwd2_reg;
reg [115:0] fwd1_data_reg, fwd2_data_reg;
always @(posedge clk) begin
    fwd1_reg      <= ram_we && ram_line == rd_line;
    fwd1_data_reg <= f_image;
    fwd2_reg      <= fwd1_reg;
    fwd2_data_reg <= fwd1_data_reg;
    if (rst) begin
        fwd1_reg <= 1'b0;
        fwd2_reg <= 1'b0;
    end
end
assign rd_entry = fwd2_reg ? fwd2_data_reg : ram_rd_entry;

integer k;
always @(posedge clk) begin
    ev_drop_disabled <= acc && acc_drop;
    ev_fetch_err     <= f_rsp_valid && f_rsp_err;
    mf_rsp_valid     <= f_rsp_valid && rsp_mf;
    mf_rsp_err       <= f_rsp_err;

    if (acc_park) begin
        pk_index_reg[tail_reg[PW-1:0]] <= s_irq_index;
        pk_pv_reg[tail_reg[PW-1:0]]    <= s_irq_pasid_valid;
        pk_pasid_reg[tail_reg[PW-1:0]] <= s_irq_pasid;
        pk_mem_reg[tail_reg[PW-1:0]]   <= in_mem;
        pk_line_reg[tail_reg[PW-1:0]]  <= hit_line;
        pk_st_reg[tail_reg[PW-1:0]]    <= (!in_mem || hit) ? ST_GO : (f_port ? ST_WAIT : ST_NEED);
        if (f_port) begin
            pk_line_reg[tail_reg[PW-1:0]] <= {{(LINE_WIDTH-CW){1'b0}}, alloc_reg};
        end
        tail_reg <= tail_reg + 1'b1;
    end
    if (pop) begin
        head_reg <= head_reg + 1'b1;
    end
    if (fi_adv) begin
        fi_reg <= fi_reg + 1'b1;
    end
    if (acc_park && !fi_any) begin
        // the new entry needs no fetch or just got it: the pointer passes it
        // (a miss whose port fetch was refused is left for the pointer)
        fi_reg <= (f_port || !(in_mem && !hit)) ? tail_reg + 1'b1 : tail_reg;
    end

    // fetch issue: a trigger miss takes the next line (round robin), dropping its old tag
    if (f_port) begin
        tag_valid_reg[alloc_reg] <= 1'b0;
        alloc_reg <= (alloc_reg == C_LAST) ? {CW{1'b0}} : alloc_reg + 1'b1;
    end
    if (f_trig) begin
        pk_st_reg[fi]            <= ST_WAIT;
        pk_line_reg[fi]          <= {{(LINE_WIDTH-CW){1'b0}}, alloc_reg};
        tag_valid_reg[alloc_reg] <= 1'b0;
        alloc_reg <= (alloc_reg == C_LAST) ? {CW{1'b0}} : alloc_reg + 1'b1;
    end

    // owner queue: push on issue, pop on response
    for (k = 0; k < MAX_OUTSTANDING - 1; k = k + 1) begin
        if (f_rsp_valid) begin
            own_q_reg[k] <= own_q_reg[k + 1];
        end
    end
    if (f_go) begin
        own_q_reg[own_push_at[OW-1:0]] <= {!fi_need && !port_miss, (port_miss && !fi_need) ? tail_reg[PW-1:0] : fi};
    end
    own_cnt_reg <= own_cnt_reg + {{OW{1'b0}}, f_go} - {{OW{1'b0}}, f_rsp_valid};

    // fetch response: a trigger's image becomes a cache line and its trigger may go
    if (f_rsp_valid && !rsp_mf) begin
        pk_st_reg[rsp_slot] <= f_rsp_err ? ST_ERR : ST_GO;
        if (!f_rsp_err) begin
            tag_valid_reg[rsp_line_c] <= 1'b1;
            tag_entry_reg[rsp_line_c*ENTRY_WIDTH +: ENTRY_WIDTH] <= fi_j_of(pk_index_reg[rsp_slot]);
        end
    end

    if (inv_valid) begin
        for (k = 0; k < C; k = k + 1) begin
            if (inv_all || tag_entry_reg[k*ENTRY_WIDTH +: ENTRY_WIDTH] == inv_entry) begin
                tag_valid_reg[k] <= 1'b0;
            end
        end
    end

    if (rst) begin
        head_reg         <= 0;
        tail_reg         <= 0;
        fi_reg           <= 0;
        alloc_reg        <= 0;
        own_cnt_reg      <= 0;
        tag_valid_reg    <= {C{1'b0}};
        ev_drop_disabled <= 1'b0;
        ev_fetch_err     <= 1'b0;
        mf_rsp_valid     <= 1'b0;
    end
end

/* verilator lint_off UNUSEDSIGNAL */
function [ENTRY_WIDTH-1:0] fi_j_of(input [IRQ_INDEX_WIDTH-1:0] index);
    reg [32:0] e;
    begin
        e = {{(33-IRQ_INDEX_WIDTH){1'b0}}, index} - NUM_SLOTS;
        fi_j_of = e[ENTRY_WIDTH-1:0];
    end
endfunction
/* verilator lint_on UNUSEDSIGNAL */

endmodule

`resetall
