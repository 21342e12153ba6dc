/*
 * Memory-entry trigger front end (contract section 7): trigger admission,
 * entry cache and in-order park queue, in front of ims_msg_pipe.
 *
 * Interface contract:
 *   s_irq_*  the trigger port.  An index in [NUM_SLOTS, NUM_SLOTS + M) is a
 *            memory entry j = index - NUM_SLOTS; every other index (a slot
 *            or a range error) passes to the pipeline unchanged.
 *   p_*      triggers to the pipeline, in acceptance order.  p_mem marks a
 *            memory entry whose image sits in line p_line of the entry RAM
 *            (read by the pipeline through rd_line/rd_entry, two-edge latency
 *            like the slot RAM).  p_valid may depend on s_irq_valid (bypass).
 *   p_kill   the trigger handed to the pipeline on the previous edge (now in
 *            its stage R) is taken back: it has no outcome there (no event,
 *            no pending bit, no message; its credit returns) and this block
 *            presents it again later from the park queue.
 *   A memory trigger whose entry is not cached is dropped here while
 *   ENABLE = 0 (rule 2 is checked before any fetch: ev_drop_disabled).  A
 *   miss parks the trigger (and every trigger behind it, so direct messages
 *   keep acceptance order) and fetches the entry; a fetch answered with an
 *   error drops the trigger (ev_fetch_err).  mf_* is a second fetch port for
 *   re-examinations (ims_mem_maint): its image goes to staging line
 *   STAGE_LINE + mf_stage (mf_stage as the answer comes), never into the
 *   cache.  inv_* drops cache lines; hold stops trigger admission.
 *
 * Timing: the hit test is off the issue path.  With nothing parked
 * ("bypass"), a trigger goes to the pipeline on its acceptance edge N
 * (speculatively), reading cache line j mod MEM_CACHE_ENTRIES (index bits:
 * direct mapped, no compare before the RAM address).  The line's tag is
 * registered on edge N and compared in cycle N..N+1; a miss takes the
 * trigger back (p_kill), parks it and requests its fetch in that same cycle
 * (the read master can hand the AR over at once), and the trigger accepted
 * on edge N+1, already in the pipeline too, is taken back and parked behind
 * it.  Parked triggers enter the pipeline from the queue head.
 *
 * Entry RAM lines: 0 .. C-1 the cache (direct mapped), C .. C+PARK_DEPTH-1
 * one image line per park-queue slot (a parked miss's fetched image: no later
 * fetch can overwrite it before it is presented), C+PARK_DEPTH ..
 * C+PARK_DEPTH+2**STAGE_WIDTH-1 the staging lines (re-examinations).  A
 * fetched image is written into its park line on the answer edge and
 * into its cache line one edge later (fill), unless a parked or just
 * accepted trigger still reads that cache line as a hit (the fill is then
 * skipped and the line keeps its old, still valid, entry).
 */

`default_nettype none

module ims_mem_front #(
    parameter NUM_SLOTS         = 64,
    parameter MEM_CACHE_ENTRIES = 16,
    parameter IRQ_INDEX_WIDTH   = 16,
    parameter ENTRY_WIDTH       = 6,     // width of an entry number j
    parameter LINE_WIDTH        = 5,     // width of a line number (cache, park and staging lines)
    parameter PARK_DEPTH        = 8,
    parameter STAGE_WIDTH       = 3,     // 2**STAGE_WIDTH staging lines (re-examination images)
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
    output wire                       p_kill,

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
    input  wire [STAGE_WIDTH-1:0]     mf_stage,         // the next re-examination answer's staging line

    output reg                        ev_drop_disabled,
    output reg                        ev_fetch_err,

    // read master
    output wire                       f_req_valid,
    input  wire                       f_req_ready,
    output wire [63:0]                f_req_addr,
    input  wire                       f_rsp_valid,
    input  wire [127:0]               f_rsp_entry,
    input  wire                       f_rsp_err,
    input  wire                       f_rsp_arm_next,   // read master: the next beat ends a fetch, no error yet
    input  wire                       f_rsp_beat_ok     // ... a beat without error is there now
);

localparam C          = MEM_CACHE_ENTRIES;
localparam CW         = $clog2(C);          // cache line number width
localparam P          = PARK_DEPTH;
localparam PW         = $clog2(P);
// entry numbers at least one bit wider than a line number, so the tag has a bit
localparam JW         = (ENTRY_WIDTH > CW) ? ENTRY_WIDTH : CW + 1;
// a line's tag: bits JW-1..CW of its entry's trigger index NUM_SLOTS + j
// (with the line, j mod C, they name j: memory indices lie in a window of
// 2^ENTRY_WIDTH <= 2^JW consecutive values, so an index there is named by its
// value mod 2^JW, and two indices on one line agree in bits CW-1..0), so the
// port's index is compared as it comes, without the subtraction j = index -
// NUM_SLOTS on the way, and over JW - CW bits only (the hit is ANDed with
// in_mem, so the index's upper bits need no compare)
/* verilator lint_off WIDTH */
localparam [LINE_WIDTH-1:0] PARK_LINE0 = C;
localparam [LINE_WIDTH-1:0] STAGE_LINE = C + P;
localparam XW = (IRQ_INDEX_WIDTH + 1 > JW) ? IRQ_INDEX_WIDTH + 1 : JW;   // index arithmetic width
localparam [XW-1:0]         NSX        = NUM_SLOTS;
// address sums: the low LO bits added, the high bits chosen (+1 precomputed)
localparam LO  = XW + 5;
localparam LOM = ENTRY_WIDTH + 5;
localparam [PW+1:0]         P_LAST     = P - 1;
/* verilator lint_on WIDTH */
localparam OW         = $clog2(MAX_OUTSTANDING);

initial begin
    if ((P & (P - 1)) != 0 || P < 2) begin
        $error("Error: ims_mem_front PARK_DEPTH must be a power of two >= 2 (instance %m)");
        $finish;
    end
    if (C + P + (1 << STAGE_WIDTH) > (1 << LINE_WIDTH)) begin
        $error("Error: ims_mem_front LINE_WIDTH too narrow for MEM_CACHE_ENTRIES + PARK_DEPTH + 2**STAGE_WIDTH lines (instance %m)");
        $finish;
    end
end

// park entry states
localparam [1:0] ST_NEED = 2'd0,   // memory entry, fetch not issued
                 ST_WAIT = 2'd1,   // fetch issued
                 ST_GO   = 2'd2,   // may go to the pipeline (slot, range error, hit, or image in its park line)
                 ST_ERR  = 2'd3;   // fetch failed: dropped at the head

// --------------------------------------------------------------------------
// the port trigger: classification and line (index bits only)
// --------------------------------------------------------------------------

/* verilator lint_off UNUSEDSIGNAL */
wire [XW-1:0] idx_x = {{(XW-IRQ_INDEX_WIDTH){1'b0}}, s_irq_index};
wire [XW-1:0] j_x   = idx_x - NSX;
/* verilator lint_on UNUSEDSIGNAL */

// NUM_SLOTS + M, registered (a MEM_ENTRIES write holds triggers for longer
// than the one edge this lags)
reg  [XW-1:0] mem_lim_reg;
wire        in_mem  = idx_x >= NSX && idx_x < mem_lim_reg;
wire [CW-1:0] in_line = j_x[CW-1:0];
/* verilator lint_off UNUSEDSIGNAL */
// entry j's address = MEM_BASE + 16 j = (MEM_BASE - 16 NUM_SLOTS) + 16 index
reg  [63:0]    base_adj_reg;
reg  [63:LO]   base_adj_hi1_reg;   // its high bits + 1
reg  [63:LOM]  base_hi1_reg;       // MEM_BASE's high bits + 1
wire [LO:0]    t1_lo  = {1'b0, base_adj_reg[LO-1:0]} + {2'd0, idx_x, 4'd0};
wire [63:0]    in_addr = {t1_lo[LO] ? base_adj_hi1_reg : base_adj_reg[63:LO], t1_lo[LO-1:0]};
wire [LOM:0]   mf_lo  = {1'b0, mem_base[LOM-1:0]} + {2'd0, mf_req_entry, 4'd0};
wire [63:0]    mf_addr = {mf_lo[LOM] ? base_hi1_reg : mem_base[63:LOM], mf_lo[LOM-1:0]};
/* verilator lint_on UNUSEDSIGNAL */

/* verilator lint_off UNUSEDSIGNAL */
wire [32:0]   inv_x = {{(33-ENTRY_WIDTH){1'b0}}, inv_entry};
/* verilator lint_on UNUSEDSIGNAL */
wire [JW-1:0] inv_entry_ext = inv_x[JW-1:0];
/* verilator lint_off UNUSEDSIGNAL */
wire [XW-1:0] inv_idx = NSX + {{(XW-JW){1'b0}}, inv_entry_ext};   // the entry's trigger index
/* verilator lint_on UNUSEDSIGNAL */

reg [C-1:0]    tag_valid_reg;
localparam TW = JW - CW;
reg [TW-1:0]   tag_reg [0:C-1];

// --------------------------------------------------------------------------
// mode, t1 (the trigger accepted on the last edge) and the park queue
// --------------------------------------------------------------------------

reg byp_reg;        // nothing parked: port triggers go to the pipeline on acceptance
// the port's admission from flops: hold is sampled one edge late (the
// maintenance waits for the pipeline to see no trigger for a few cycles
// after raising it, so a trigger taken in that edge is drained like any)
reg open_reg;       // bypass and not held
reg park_rdy_reg;   // park mode, room, not held

reg                       t1_valid_reg;
reg                       t1_spec_reg;    // went to the pipeline on acceptance
reg [IRQ_INDEX_WIDTH-1:0] t1_index_reg;
reg                       t1_pv_reg;
reg [19:0]                t1_pasid_reg;
reg                       t1_mem_reg;
reg [CW-1:0]              t1_line_reg;
reg                       t1_tag_hit_reg; // its line holds its entry (no fill on that line at acceptance)
// two kept copies (synthesis would merge them) so that the take-back to the
// pipeline (p_kill) and the fetch request each have a flop of their own
// instead of sharing one net with the park-queue state
(* keep *) reg            t1_tag_hit_k_reg;   // = t1_tag_hit_reg, for kill
(* keep *) reg            t1_tag_hit_f_reg;   // = t1_tag_hit_reg, for t1_fetch
reg                       t1_vm_reg;      // t1_valid_reg && t1_mem_reg (one flop for the fetch request)
reg [63:0]                t1_addr_reg;    // its entry's address in memory

reg [IRQ_INDEX_WIDTH-1:0] pk_index_reg [0:P-1];
reg                       pk_pv_reg    [0:P-1];
reg [19:0]                pk_pasid_reg [0:P-1];
reg                       pk_mem_reg   [0:P-1];
reg [P-1:0]               pk_hit_reg;     // parked as a hit: reads its cache line
reg [P*CW-1:0]            pk_cline_reg;   // slot q's cache line at [q*CW +: CW]
reg [LINE_WIDTH-1:0]      pk_line_reg  [0:P-1];
reg [63:4]                pk_addr_reg  [0:P-1];   // a miss's entry address (as computed at acceptance)
reg [2*P-1:0]             pk_st_reg;      // slot q's state at [2*q +: 2]
reg [P-1:0]               pk_live_reg;

reg [PW:0] head_reg, tail_reg, fi_reg;
wire [PW-1:0] head = head_reg[PW-1:0];
wire [PW-1:0] tail = tail_reg[PW-1:0];
wire [PW-1:0] fi   = fi_reg[PW-1:0];
// occupancy (tail - head, 0..PARK_DEPTH) one-hot in flops: the empty / one /
// two entries / room tests are single flops
reg  [P:0] occ_oh_reg;
wire q_empty = occ_oh_reg[0];

// t1 counts as parked until it is pushed or known to stay in the pipeline
assign park_empty  = q_empty && !t1_valid_reg;
assign s_irq_ready = !rst && (open_reg ? p_ready : park_rdy_reg);
wire acc = s_irq_valid && s_irq_ready;

// t1's hit test (one edge after acceptance)
wire t1_hit   = t1_mem_reg && t1_tag_hit_reg;
wire t1_miss  = t1_mem_reg && !t1_hit;
// taken back: a miss that would use the image (ENABLE = 1: with ENABLE = 0 the
// pipeline drops it by rule 2 without reading the image, as the ENABLE sample
// both use is the same), or anything that followed a take-back into the pipeline
wire kill     = t1_valid_reg && t1_spec_reg &&
                (!byp_reg || (t1_mem_reg && !t1_tag_hit_k_reg && ctrl_enable));
wire t1_push  = t1_valid_reg && (!t1_spec_reg || kill);
wire t1_drop  = t1_push && t1_miss && !ctrl_enable;    // rule 2 before any fetch
wire t1_park  = t1_push && !t1_drop;
assign p_kill = kill;

// the head goes in the cycle its fetch answers (the entry RAM forwards the
// image written on that edge), or later from ST_GO
// whether the head may go is a flop (p_valid feeds the pipeline's issue
// choice), or the head's own fetch answering now
reg  hd_go_reg;     // the head is ST_GO
reg  hd_err_reg;    // the head is ST_ERR
// (hd_arm_reg: the head is ST_WAIT, the oldest fetch outstanding is its own
// and its next beat is the last without error so far: its answer is one
// gate of the R channel)
reg  hd_arm_reg;
wire rsp_for_head = hd_arm_reg && f_rsp_beat_ok;
wire head_go   = hd_go_reg || rsp_for_head;
wire head_err  = hd_err_reg;

// (no rst term: the pipeline resets every stage's valid bit itself)
assign p_valid       = (open_reg && s_irq_valid) || head_go;
// the head's fields are kept in flops of their own (formed from the next head
// and the entry pushed on the same edge), so the RAM addresses see one mux
reg [IRQ_INDEX_WIDTH-1:0] hd_index_reg;
reg                       hd_pv_reg;
reg [19:0]                hd_pasid_reg;
reg                       hd_mem_reg;
reg [LINE_WIDTH-1:0]      hd_line_reg;
assign p_index       = byp_reg ? s_irq_index : hd_index_reg;
assign p_pasid_valid = byp_reg ? s_irq_pasid_valid : hd_pv_reg;
assign p_pasid       = byp_reg ? s_irq_pasid : hd_pasid_reg;
assign p_mem         = byp_reg ? in_mem : hd_mem_reg;
assign p_line        = byp_reg ? {{(LINE_WIDTH-CW){1'b0}}, in_line} : hd_line_reg;

wire pop = !byp_reg && (head_err || (head_go && p_ready));

// --------------------------------------------------------------------------
// fetches: parked misses (in park order) first, then re-examinations
// --------------------------------------------------------------------------

// (fi_any / fi_need: flops formed from the next state below, so the fetch
// request is a few gates of flops: fi_reg != tail_reg, and the entry at fi
// needs its fetch)
reg  fi_any_reg, fi_need_reg;
wire fi_any   = fi_any_reg;
wire fi_need  = fi_need_reg;
// t1's miss fetches in its push cycle when no older parked miss waits for its fetch
// (t1_park && t1_miss == t1 valid, a miss, ENABLE = 1: such a miss is always pushed)
wire t1_fetch = t1_vm_reg && !t1_tag_hit_f_reg && ctrl_enable && !fi_any;
// re-examination address, registered from mf_req_entry (taken from the second
// cycle of its request on: mf_seen_reg)
reg  [63:0] mf_addr_reg;
reg         mf_seen_reg;
// a re-examination fetch goes only when no parked miss and no memory trigger in t1 may fetch,
// so the address choice below depends on flops only
wire mf_go_ok = mf_seen_reg && !fi_need && !t1_vm_reg;

// outstanding fetch owners, in issue order: {re-examination, park slot}
reg [PW:0]  own_q_reg [0:MAX_OUTSTANDING-1];
reg [OW:0]  own_cnt_reg;
/* verilator lint_off UNUSEDSIGNAL */
wire [OW:0] own_push_at = own_cnt_reg - {{OW{1'b0}}, f_rsp_valid};
/* verilator lint_on UNUSEDSIGNAL */
reg  own_full_reg;   // own_cnt_reg == MAX_OUTSTANDING
wire own_full = own_full_reg;

assign f_req_valid  = !own_full && (fi_need || t1_fetch || (mf_req_valid && mf_go_ok));
assign f_req_addr   = fi_need ? {pk_addr_reg[fi], 4'd0} :
                      (t1_vm_reg ? t1_addr_reg : mf_addr_reg);
assign mf_req_ready = !own_full && mf_go_ok && f_req_ready;
// (the handshake per requester, each a flat AND of flops and t1_fetch:
// the request is the first of fi_need, t1_fetch, the re-examination)
wire can_go  = f_req_ready && !own_full;
wire f_trig  = can_go && fi_need;
wire f_t1    = can_go && !fi_need && t1_fetch;
wire f_mf    = can_go && !fi_need && !t1_vm_reg && mf_seen_reg && mf_req_valid;
wire f_go    = f_trig || f_t1 || f_mf;

wire fi_adv  = fi_any && (!fi_need || f_trig);

wire             rsp_mf   = own_q_reg[0][PW];
wire [PW-1:0]    rsp_slot = own_q_reg[0][PW-1:0];

// next states (written below), from which the head's flops are formed
// (t1 fetches only while fi == tail)
wire [PW:0] own_push_val = {!fi_need && !t1_fetch, fi};
wire [OW:0] own_cnt_next = own_cnt_reg + {{OW{1'b0}}, f_go} - {{OW{1'b0}}, f_rsp_valid};
wire [PW:0] own0_next    = (f_go && own_push_at == 0) ? own_push_val :
                           (f_rsp_valid ? own_q_reg[1] : own_q_reg[0]);
reg [2*P-1:0] st_next;
integer n;
always @* begin
    st_next = pk_st_reg;
    for (n = 0; n < P; n = n + 1) begin
        if (f_trig && fi == n[PW-1:0]) begin
            st_next[2*n +: 2] = ST_WAIT;
        end
        if (f_rsp_valid && !rsp_mf && rsp_slot == n[PW-1:0]) begin
            st_next[2*n +: 2] = f_rsp_err ? ST_ERR : ST_GO;
        end
        // (the tail slot is written on every edge while the queue is not
        // full: it is not live then, so without a push the write changes
        // nothing that is read, and t1_park stays off its enable; a full
        // queue takes no push: checked below)
        if (!occ_oh_reg[P] && tail == n[PW-1:0]) begin
            st_next[2*n +: 2] = !t1_miss ? ST_GO : (f_t1 ? ST_WAIT : ST_NEED);
        end
    end
end

// entry image in the slot-store layout {PASID, PASID_EN, MASK, DATA, ADDR_HI, ADDR_LO[31:2]}
wire [115:0] f_image = {f_rsp_entry[127:108], f_rsp_entry[99], f_rsp_entry[96],
                        f_rsp_entry[95:64], f_rsp_entry[63:32], f_rsp_entry[31:2]};
wire unused_f = ^{f_rsp_entry[107:100], f_rsp_entry[98:97], f_rsp_entry[1:0]};

// fill: the image of a trigger's fetch, written into its cache line one edge
// after the answer (the answer edge writes the park line)
reg          fill_valid_reg;
reg [CW-1:0] fill_line_reg;
reg [TW-1:0] fill_tag_reg;
reg [115:0]  fill_data_reg;

// a cache line still read as a hit by a parked trigger, by t1 or by the trigger
// accepted on the answer edge keeps its entry: decided on the answer edge for
// the fill one edge later (from the line the answer fills)
// (the entry of the oldest fetch outstanding, registered: an answer comes at
// least four edges after its fetch became the oldest, and its park slot's
// index was written no later than that)
/* verilator lint_off UNUSEDSIGNAL */
wire [32:0] own0_j_ext = {{(33-IRQ_INDEX_WIDTH){1'b0}}, pk_index_reg[rsp_slot]} - NUM_SLOTS;
/* verilator lint_on UNUSEDSIGNAL */
reg  [CW-1:0] own0_line_reg;  // its cache line
reg  [TW-1:0] own0_tag_reg;   // its trigger index's upper bits (the tag)
/* verilator lint_off UNUSEDSIGNAL */
wire [XW-1:0] own0_idx_x = {{(XW-IRQ_INDEX_WIDTH){1'b0}}, pk_index_reg[rsp_slot]};
/* verilator lint_on UNUSEDSIGNAL */
wire [CW-1:0] rsp_line_c = own0_line_reg;
reg pin_now;
reg fill_pinned_reg;
integer q;
always @* begin
    // (the trigger accepted on the answer edge is t1 in the fill's cycle: it
    // is compared there, from flops, instead of from the port here)
    pin_now = t1_vm_reg && t1_line_reg == rsp_line_c;
    for (q = 0; q < P; q = q + 1) begin
        if (pk_live_reg[q] && pk_hit_reg[q] && pk_cline_reg[q*CW +: CW] == rsp_line_c) begin
            pin_now = 1'b1;
        end
    end
end
wire fill_we = fill_valid_reg && !fill_pinned_reg && !(t1_vm_reg && t1_line_reg == fill_line_reg);

// answers never come on consecutive edges (four beats each), so the fill
// never meets an answer's write
wire                  rsp_we   = f_rsp_valid && !f_rsp_err;
wire [LINE_WIDTH-1:0] stage_off = {{(LINE_WIDTH-STAGE_WIDTH){1'b0}}, mf_stage};
wire [LINE_WIDTH-1:0] rsp_line = rsp_mf ? STAGE_LINE + stage_off : PARK_LINE0 + {{(LINE_WIDTH-PW){1'b0}}, rsp_slot};
wire                  ram_we   = rsp_we || fill_we;
// (address and data chosen by fill_valid_reg, a flop, rather than by the
// answer: a fill's cycle never has an answer, and without either write the
// port's address and data are unused; the 116-bit choice stays off the R channel)
wire [LINE_WIDTH-1:0] ram_line = fill_valid_reg ? {{(LINE_WIDTH-CW){1'b0}}, fill_line_reg} : rsp_line;
wire [115:0]          ram_data = fill_valid_reg ? fill_data_reg : f_image;

wire [115:0] ram_rd_entry;

ims_ram_sdp #(
    .DATA_WIDTH(116),
    .ADDR_WIDTH(LINE_WIDTH),
    .DEPTH(C + P + (1 << STAGE_WIDTH)),
    .OUTPUT_REG(1),
    .READ_FIRST(0)
) entry_ram_inst (
    .clk(clk),
    .wr_en(ram_we),
    .wr_addr(ram_line),
    .wr_data(ram_data),
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
    // (the only read of a line written on the same edge: the head going in
    // its answer cycle, from its park line)
    fwd1_reg      <= rsp_for_head && p_ready && !byp_reg;
    fwd1_data_reg <= f_image;
    fwd2_reg      <= fwd1_reg;
    fwd2_data_reg <= fwd1_data_reg;
    if (rst) begin
        fwd1_reg <= 1'b0;
        fwd2_reg <= 1'b0;
    end
end
assign rd_entry = fwd2_reg ? fwd2_data_reg : ram_rd_entry;

// --------------------------------------------------------------------------
// state
// --------------------------------------------------------------------------

wire [PW:0]   tail_next = tail_reg + {{PW{1'b0}}, t1_park};
wire [PW:0]   head_next;

// --- next-state terms formed with the late signals last (timing) ---
// The late terms are f_go (the fetch handshake), the R channel (f_rsp_*) and
// pop (p_ready, R): each next-state flag below is a choice between cases
// precomputed from flops.  They rest on the queue's invariants (fi lies
// between head and tail; a slot in ST_NEED has no fetch outstanding; a push
// never lands on a live slot); the simulation-only checks at the end compare
// each with its plain definition from st_next / head_next / fi_next.
wire [PW:0]   head1    = head_reg + 1'b1;
wire [PW:0]   fi1      = fi_reg + 1'b1;
wire          e0       = occ_oh_reg[0];           // head == tail
wire          e1       = occ_oh_reg[1];           // head + 1 == tail
wire [1:0]    st_h0    = pk_st_reg[2*head +: 2];
wire [1:0]    st_h1    = pk_st_reg[2*head1[PW-1:0] +: 2];
wire          rsp_trig = f_rsp_valid && !rsp_mf;  // a trigger fetch answers now
wire          rh0      = rsp_slot == head;
wire          rh1      = rsp_slot == head1[PW-1:0];
wire          fh0      = fi_reg == head_reg;
wire          fh1      = fi_reg == head1;
// the head's flags after this edge, from the slot at head (a) and at head + 1
// (b), with these invariants (each flag is checked against the plain
// definition from st_next below): a slot becomes ST_ERR only by its fetch's
// answer and ST_GO by that answer or by a push that needs no fetch (so the
// fetch handshake f_trig, which finds its slot in ST_NEED, is not in them); a
// push onto the empty queue lands at the head, and a push's state is ST_GO
// exactly when t1 is no miss (t1_park && !t1_miss: t1 valid, no miss, and
// pushed, which a non-miss is unless it stays in the pipeline in bypass)
wire       push_go = t1_valid_reg && !t1_miss && (!t1_spec_reg || !byp_reg);
// (a trigger fetch's answer is the head's exactly when the head waits: trigger
// fetches answer in park order, and every slot ahead of the oldest waiting one
// is ST_GO or ST_ERR; hd_wait_reg: the head is ST_WAIT, a flop like hd_go_reg)
reg        hd_wait_reg;
wire       ans_a   = rsp_trig && hd_wait_reg;   // the head's fetch answers now
wire       ans_b   = rsp_trig && rh1;
wire       go_a    = e0 ? push_go : (ans_a ? !f_rsp_err : hd_go_reg);
wire       go_b    = e1 ? push_go : (ans_b ? !f_rsp_err : st_h1 == ST_GO);
wire       err_a   = !e0 && (ans_a ? f_rsp_err : hd_err_reg);
wire       err_b   = !e1 && (ans_b ? f_rsp_err : st_h1 == ST_ERR);
wire       hd_go_next  = pop ? go_b : go_a;
wire       hd_err_next = pop ? err_b : err_a;
// the owner queue's count one-hot (bit n: n fetches outstanding; own_cnt_reg
// kept for the checks), so each owner slot's write enable is one gate of the
// handshake and two flops
reg  [MAX_OUTSTANDING:0] own_oh_reg;
// the owner pushed with a fetch, from flops: with a handshake, the fetch is a
// re-examination exactly when no parked miss waits at fi and t1 is no memory
// trigger (a re-examination goes only then, and a memory t1 then has the
// handshake as f_t1), so t1's hit test is not in it
wire [PW:0] own_push_fl = {!fi_need && !t1_vm_reg, fi};
// the oldest fetch outstanding is a re-examination (when the head waits, its
// own fetch is outstanding, so the queue is not empty then)
wire own_mf0 = !own_oh_reg[0] && own_q_reg[0][PW];
// hd_arm_reg's next state needs the head-answer arm only when the read
// master's next beat ends a fetch (f_rsp_arm_next): then no fetch answers on
// this edge (that beat would be the last, and the count would restart), so the
// head does not go by its answer now and no state changes by an answer: the
// head waits after the edge when it is pushed now with its fetch (f_t1: a
// miss fetched in its push cycle is always pushed), is fetched now (f_trig at
// fi), or already waits
wire       pop_nr  = !byp_reg && (hd_err_reg || (hd_go_reg && p_ready));
wire       wait_a  = e0 ? f_t1 : ((f_trig && fh0) || hd_wait_reg);
wire       wait_b  = e1 ? f_t1 : ((f_trig && fh1) || st_h1 == ST_WAIT);
wire       arm_next = f_rsp_arm_next && !own_mf0 && (pop_nr ? wait_b : wait_a);
// hd_wait_reg's next state: the same cases with the answers (an answered slot
// leaves ST_WAIT)
wire       hd_wait_next = pop ? (!ans_b && wait_b) : (!ans_a && wait_a);
// fi after this edge: passes a pushed t1 that needs no fetch or got it; walks
// one entry per cycle otherwise
// (with fi_need the request is fi's: f_go == can_go; without fi_any, fi ==
// tail, fi_need is 0 and a pushed miss is t1_fetch: f_go == can_go again)
wire fi_adv_c  = !fi_need || can_go;              // with fi_any: fi advances
wire fi_inc    = fi_any ? fi_adv_c : (t1_park && (!t1_miss || can_go));
wire st_fi1_need = pk_st_reg[2*fi1[PW-1:0] +: 2] == ST_NEED;
wire fi1_tail    = fi1 == tail_reg;
wire fi_tail1    = fi_reg == tail_reg + 1'b1;
wire fi_any_next  = !fi_any ? (t1_fetch && !can_go) :
                    (fi_adv_c ? (t1_park || !fi1_tail) : (!t1_park || !fi_tail1));
wire fi_need_next = !fi_any ? (t1_fetch && !can_go) :
                    (fi_adv_c ? (fi1_tail ? (t1_park && t1_miss) : st_fi1_need) : 1'b1);
// owner count after this edge, one-hot
wire [MAX_OUTSTANDING:0] own_oh_next =
    (f_go && !f_rsp_valid) ? {own_oh_reg[MAX_OUTSTANDING-1:0], 1'b0} :
    ((!f_go && f_rsp_valid) ? {1'b0, own_oh_reg[MAX_OUTSTANDING:1]} : own_oh_reg);
// occupancy (parked entries) now: tail - head
wire [P:0] occ_oh_next = (t1_park && !pop) ? {occ_oh_reg[P-1:0], 1'b0} :
                         ((!t1_park && pop) ? {1'b0, occ_oh_reg[P:1]} : occ_oh_reg);
wire [LINE_WIDTH-1:0] push_line = t1_hit ? {{(LINE_WIDTH-CW){1'b0}}, t1_line_reg}
                                         : PARK_LINE0 + {{(LINE_WIDTH-PW){1'b0}}, tail};
assign head_next = head_reg + {{PW{1'b0}}, pop};
/* verilator lint_off UNUSEDSIGNAL */
wire [PW+1:0] occ_next  = {1'b0, tail_next - head_reg} + {{(PW+1){1'b0}}, acc};
/* verilator lint_on UNUSEDSIGNAL */

// mode: leave bypass on a take-back; return once nothing is parked and no
// trigger accepted in park mode waits in t1
// (tail_next == head_next: occupancy + push - pop == 0; a push onto a full queue never happens)
wire q_empty_next = t1_park ? (pop && e0) : (pop ? e1 : e0);
wire byp_next  = byp_reg ? !kill : (q_empty_next && !acc);
// next cycle, with no pop counted: parked + t1 <= PARK_DEPTH - 1
wire room0 = !occ_oh_reg[P];
wire room1 = !occ_oh_reg[P] && !occ_oh_reg[P-1];
wire room2 = !occ_oh_reg[P] && !occ_oh_reg[P-1] && !occ_oh_reg[P-2];
wire room_next = (t1_park && acc) ? room2 : ((t1_park || acc) ? room1 : room0);

// t1's hit copies apart from the rest (keep: synthesis would merge them)
wire t1_tag_hit_d = tag_valid_reg[in_line] && !(fill_we && fill_line_reg == in_line) &&
                    tag_reg[in_line] == idx_x[JW-1:CW];
(* keep *)
always @(posedge clk) begin
    t1_tag_hit_k_reg <= t1_tag_hit_d;
end
(* keep *)
always @(posedge clk) begin
    t1_tag_hit_f_reg <= t1_tag_hit_d;
end

integer k;
always @(posedge clk) begin
    mem_lim_reg      <= NSX + {{(XW-ENTRY_WIDTH-1){1'b0}}, mem_entries};
    // (these lag MEM_BASE by up to two edges: a base write holds triggers for longer)
    base_adj_reg     <= mem_base - {{(60-XW){1'b0}}, NSX, 4'd0};
    base_adj_hi1_reg <= base_adj_reg[63:LO] + 1'b1;
    base_hi1_reg     <= mem_base[63:LOM] + 1'b1;
    ev_drop_disabled <= t1_drop;
    ev_fetch_err     <= f_rsp_valid && f_rsp_err;
    mf_rsp_valid     <= f_rsp_valid && rsp_mf;
    mf_rsp_err       <= f_rsp_err;

    // t1: every accepted trigger, with its line's tag as of acceptance (a fill
    // of that line on the same edge counts as no tag: the RAM read and the
    // fill would collide)
    t1_valid_reg <= acc;
    t1_spec_reg  <= byp_reg;
    t1_index_reg <= s_irq_index;
    t1_pv_reg    <= s_irq_pasid_valid;
    t1_pasid_reg <= s_irq_pasid;
    t1_mem_reg   <= in_mem;
    t1_line_reg  <= in_line;
    // (without in_mem, a carry chain of its own: t1_hit ANDs it)
    t1_tag_hit_reg <= t1_tag_hit_d;
    t1_addr_reg  <= in_addr;
    mf_addr_reg  <= mf_addr;
    mf_seen_reg  <= mf_req_valid && !(mf_req_ready && mf_req_valid);
    fill_pinned_reg <= pin_now;
    own0_line_reg   <= own0_j_ext[CW-1:0];
    own0_tag_reg    <= own0_idx_x[JW-1:CW];

    byp_reg      <= byp_next;
    open_reg     <= byp_next && !hold;
    park_rdy_reg <= !byp_next && room_next && !hold;

    // (written on every edge while the queue is not full, like the tail's
    // state: the tail slot is not live then)
    if (!occ_oh_reg[P]) begin
        pk_index_reg[tail] <= t1_index_reg;
        pk_pv_reg[tail]    <= t1_pv_reg;
        pk_pasid_reg[tail] <= t1_pasid_reg;
        pk_mem_reg[tail]   <= t1_mem_reg;
        pk_hit_reg[tail]   <= t1_hit;
        pk_cline_reg[tail*CW +: CW] <= t1_line_reg;
        pk_addr_reg[tail]  <= t1_addr_reg[63:4];
        pk_line_reg[tail]  <= push_line;
    end
    // (the head's fields: t1 when the queue is empty after a pop or without
    // one (whether t1 is pushed or not: if not, the queue stays empty and the
    // fields are unused, so t1_park is not on this path), the entry behind the
    // head on a pop (read at head + 1, from flops), else kept)
    if (pop ? e1 : e0) begin
        hd_index_reg <= t1_index_reg;
        hd_pv_reg    <= t1_pv_reg;
        hd_pasid_reg <= t1_pasid_reg;
        hd_mem_reg   <= t1_mem_reg;
        hd_line_reg  <= push_line;
    end else if (pop) begin
        hd_index_reg <= pk_index_reg[head1[PW-1:0]];
        hd_pv_reg    <= pk_pv_reg[head1[PW-1:0]];
        hd_pasid_reg <= pk_pasid_reg[head1[PW-1:0]];
        hd_mem_reg   <= pk_mem_reg[head1[PW-1:0]];
        hd_line_reg  <= pk_line_reg[head1[PW-1:0]];
    end
    tail_reg <= tail_next;
    occ_oh_reg <= occ_oh_next;
    head_reg <= head_next;
    pk_live_reg <= (pk_live_reg | ({{(P-1){1'b0}}, t1_park} << tail))
                               & ~({{(P-1){1'b0}}, pop} << head);
    // (with fi == tail, a new entry that needs no fetch or just got it is
    // passed; a miss whose fetch was refused is left for the pointer)
    fi_reg <= fi_reg + {{PW{1'b0}}, fi_inc};
    pk_st_reg  <= st_next;
    hd_go_reg  <= hd_go_next;
    hd_err_reg <= hd_err_next;
    hd_wait_reg <= hd_wait_next;
    fi_any_reg  <= fi_any_next;
    fi_need_reg <= fi_need_next;
    own_full_reg <= own_oh_next[MAX_OUTSTANDING];
    own_oh_reg   <= own_oh_next;
    t1_vm_reg    <= acc && in_mem;
    // (trigger fetches answer in park order, so a waiting head's fetch is the
    // oldest trigger fetch outstanding: only a re-examination ahead of it matters)
    hd_arm_reg <= arm_next;

    // owner queue: push on issue, pop on answer
    // (the push lands at the count after the answer's pop: slot k when k
    // fetches remain, one-hot; that slot is written on every edge, push or
    // not: it is free then, so without a push the write changes nothing that
    // is read, and the fetch handshake stays off the owner slots)
    for (k = 0; k < MAX_OUTSTANDING; k = k + 1) begin
        if (f_rsp_valid ? own_oh_reg[k + 1] : own_oh_reg[k]) begin
            own_q_reg[k] <= own_push_fl;
        end else if (f_rsp_valid && k < MAX_OUTSTANDING - 1) begin
            own_q_reg[k] <= own_q_reg[(k + 1) % MAX_OUTSTANDING];
        end
    end
    own_cnt_reg <= own_cnt_next;

    // answer: the trigger may go; its image is filled into its cache line next
    fill_valid_reg <= 1'b0;
    if (f_rsp_valid && !rsp_mf) begin
        fill_valid_reg      <= !f_rsp_err;
    end
    fill_line_reg <= rsp_line_c;
    fill_tag_reg  <= own0_tag_reg;
    fill_data_reg <= f_image;
    if (fill_we) begin
        tag_valid_reg[fill_line_reg] <= 1'b1;
        tag_reg[fill_line_reg]       <= fill_tag_reg;
    end

    if (inv_valid) begin
        for (k = 0; k < C; k = k + 1) begin
            if (inv_all || (tag_reg[k] == inv_idx[JW-1:CW] && k[CW-1:0] == inv_entry_ext[CW-1:0])) begin
                tag_valid_reg[k] <= 1'b0;
            end
        end
    end

    if (rst) begin
        byp_reg          <= 1'b1;
        open_reg         <= 1'b0;
        park_rdy_reg     <= 1'b0;
        t1_valid_reg     <= 1'b0;
        head_reg         <= 0;
        tail_reg         <= 0;
        occ_oh_reg       <= {{P{1'b0}}, 1'b1};
        fi_reg           <= 0;
        pk_live_reg      <= {P{1'b0}};
        own_cnt_reg      <= 0;
        fill_valid_reg   <= 1'b0;
        hd_go_reg        <= 1'b0;
        hd_err_reg       <= 1'b0;
        hd_wait_reg      <= 1'b0;
        fi_any_reg       <= 1'b0;
        fi_need_reg      <= 1'b0;
        own_full_reg     <= 1'b0;
        own_oh_reg       <= {{MAX_OUTSTANDING{1'b0}}, 1'b1};
        t1_vm_reg        <= 1'b0;
        hd_arm_reg       <= 1'b0;
        tag_valid_reg    <= {C{1'b0}};
        ev_drop_disabled <= 1'b0;
        ev_fetch_err     <= 1'b0;
        mf_rsp_valid     <= 1'b0;
        mf_seen_reg      <= 1'b0;
    end
end

`ifndef SYNTHESIS
// The flags above formed from precomputed cases against their plain
// definitions (a broken queue invariant shows here first).
// the state after this edge of the slot at head (a) and at head + 1 (b), and
// whether that slot is then live (the pushed t1 lands there when it is the tail)
wire [1:0] push_st = !t1_miss ? ST_GO : (f_t1 ? ST_WAIT : ST_NEED);
wire [1:0] st_a = e0 ? push_st :
                  (rsp_trig && rh0) ? (f_rsp_err ? ST_ERR : ST_GO) :
                  (f_trig && fh0) ? ST_WAIT : st_h0;
wire [1:0] st_b = e1 ? push_st :
                  (rsp_trig && rh1) ? (f_rsp_err ? ST_ERR : ST_GO) :
                  (f_trig && fh1) ? ST_WAIT : st_h1;
wire live_a = !e0 || t1_park;
wire live_b = !e1 || t1_park;
wire [1:0] hd_st_next   = pop ? st_b : st_a;
wire       hd_live_next = pop ? live_b : live_a;
// the head waits for its answer after this edge, and the oldest fetch
// outstanding then is not a re-examination (hd_arm_reg's definition without
// the read master's beat count)
wire own_mf1 = own_cnt_reg > 1 && own_q_reg[1][PW];
wire own_mf_next = f_rsp_valid ? own_mf1 : own_mf0;
wire hd_rsp_next = hd_live_next && hd_st_next == ST_WAIT && !own_mf_next;
wire [PW:0] fi_next_ref = (t1_park && !fi_any) ? ((f_t1 || !t1_miss) ? tail_reg + 1'b1 : tail_reg) :
                          (fi_adv ? fi_reg + 1'b1 : fi_reg);
always @(posedge clk) begin
    if (!rst) begin
        if ((tail_next == head_next) != q_empty_next ||
            (tail_next != head_next && st_next[2*head_next[PW-1:0] +: 2] != hd_st_next) ||
            ((tail_next != head_next) != hd_live_next)) begin
            $fatal(1, "ims_mem_front: head state next %b/%b vs %b/%b (%m)",
                   tail_next != head_next, st_next[2*head_next[PW-1:0] +: 2], hd_live_next, hd_st_next);
        end
        if (hd_go_next != (hd_live_next && hd_st_next == ST_GO) ||
            hd_err_next != (hd_live_next && hd_st_next == ST_ERR)) begin
            $fatal(1, "ims_mem_front: head go/error next %b/%b differ from their definition (%m)",
                   hd_go_next, hd_err_next);
        end
        if (pk_live_reg[tail] != occ_oh_reg[P] || (t1_park && occ_oh_reg[P]) || own_oh_reg != ({{MAX_OUTSTANDING{1'b0}}, 1'b1} << own_cnt_reg) ||
            t1_tag_hit_k_reg != t1_tag_hit_reg || t1_tag_hit_f_reg != t1_tag_hit_reg) begin
            $fatal(1, "ims_mem_front: tail slot live %b / full %b / push %b, owner count one-hot %b (%0d), t1 hit copies %b %b %b (%m)",
                   pk_live_reg[tail], occ_oh_reg[P], t1_park, own_oh_reg, own_cnt_reg, t1_tag_hit_reg, t1_tag_hit_k_reg, t1_tag_hit_f_reg);
        end
        if (hd_wait_reg != (!q_empty && st_h0 == ST_WAIT) || ans_a != (rsp_trig && rh0) ||
            hd_wait_next != (hd_live_next && hd_st_next == ST_WAIT)) begin
            $fatal(1, "ims_mem_front: head-waits flag %b (next %b) differs from its definition (%m)",
                   hd_wait_reg, hd_wait_next);
        end
        if (f_go && own_push_fl != own_push_val) begin
            $fatal(1, "ims_mem_front: owner pushed %b differs from its definition %b (%m)",
                   own_push_fl, own_push_val);
        end
        if (rsp_we && fill_valid_reg) begin
            $fatal(1, "ims_mem_front: an answer meets a fill (%m)");
        end
        if (hd_rsp_next != (tail_next != head_next && st_next[2*head_next[PW-1:0] +: 2] == ST_WAIT &&
                            own_cnt_next != 0 && !own0_next[PW])) begin
            $fatal(1, "ims_mem_front: head-answer arm differs from its definition (%m)");
        end
        if (fi_any_next != (fi_next_ref != tail_next) ||
            fi_need_next != (fi_next_ref != tail_next && st_next[2*fi_next_ref[PW-1:0] +: 2] == ST_NEED)) begin
            $fatal(1, "ims_mem_front: fetch pointer flags next %b/%b differ from their definition (%m)",
                   fi_any_next, fi_need_next);
        end
        if (arm_next != (hd_rsp_next && f_rsp_arm_next)) begin
            $fatal(1, "ims_mem_front: hd_arm next %b differs from its definition (%m)", arm_next);
        end
        if (fi_reg + {{PW{1'b0}}, fi_inc} != fi_next_ref) begin
            $fatal(1, "ims_mem_front: fetch pointer step differs from its definition (%m)");
        end
        if (occ_oh_reg != ({{P{1'b0}}, 1'b1} << (tail_reg - head_reg)) ||
            f_go != (f_req_valid && f_req_ready) || (f_t1 && fi_reg != tail_reg)) begin
            $fatal(1, "ims_mem_front: occupancy / handshake flags differ from their definition (%m)");
        end
        if (!q_empty && (hd_index_reg != pk_index_reg[head] || hd_pv_reg != pk_pv_reg[head] ||
                         hd_pasid_reg != pk_pasid_reg[head] || hd_mem_reg != pk_mem_reg[head] ||
                         hd_line_reg != pk_line_reg[head])) begin
            $fatal(1, "ims_mem_front: head fields differ from park slot %0d (%m)", head);
        end
        if (room_next != (occ_next <= P_LAST)) begin
            $fatal(1, "ims_mem_front: room next differs from its definition (%m)");
        end
        if (f_rsp_valid && !rsp_mf && (own0_line_reg != own0_j_ext[CW-1:0] ||
                                        own0_tag_reg != own0_idx_x[JW-1:CW])) begin
            $fatal(1, "ims_mem_front: answered entry %0d, registered line %0d tag %0d (%m)",
                   own0_j_ext[JW-1:0], own0_line_reg, own0_tag_reg);
        end
        if (fi_any != (fi_reg != tail_reg) || own_full != (own_cnt_reg == MAX_OUTSTANDING) ||
            t1_vm_reg != (t1_valid_reg && t1_mem_reg)) begin
            $fatal(1, "ims_mem_front: a request flag differs from its definition (%m)");
        end
    end
end
`endif

endmodule

`resetall
