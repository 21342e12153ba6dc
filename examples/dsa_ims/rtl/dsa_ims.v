// dsa_ims: a small IMS block written to prove that the testbench verifies designs other than
// ims_top. Structured unlike ims_top on purpose: entries in flip-flops, a multi-cycle
// generator that sends one message at a time, a DSA-style entry table at 0x2000 with its own
// field order, no STATUS, no counters, no function mask; active-low reset; other port names.
// Register map: dsa_ims.rdl. Profile: dsa_ims.toml.
//
// Planted bugs (off by default; `make sim DUT=examples/dsa_ims/dsa_ims.toml DEFINES=<name>`):
//   PLANT_BUG_MASKED_FIRES  a masked entry in the upper half of the table sends instead of pending
//   PLANT_BUG_PASID_BIT19   the PASID check ignores PASID bit 19
//   PLANT_BUG_LOST_REPLAY   a replay that wins against a waiting trigger clears its pending bit
//                           and sends nothing
// and three more that show other generic checks fail (tests/generic/test_generic.py):
//   PLANT_BUG_NO_RANGE_CHECK  an index >= NSLOT fires the entry its low bits name
//   PLANT_BUG_ENABLE_IGNORED  INTR_CTRL.EN = 0 does not drop requests
//   PLANT_BUG_MASK_RESET_0    entries come out of reset unmasked
//   PLANT_BUG_SLOW_SEND       one idle cycle before AWVALID: latency and rate below the profile's
//                             [performance] figures (contract §5)
//   PLANT_BUG_RESET_KEEPS_PENDING  pending bits survive a reset after the first one
//   PLANT_BUG_LATE_MASK       a MASK write reaches the entry two edges after its BVALID
//   PLANT_BUG_STRB_IGNORED    MDATA writes ignore the byte strobes
//   PLANT_BUG_LATE_CLEAR      a pending clear reaches the entry four edges after its BVALID, so it
//                             wipes the bit a trigger accepted after the BVALID has just set
`default_nettype none

module dsa_ims #(
    parameter integer NSLOT = 16,     // entries: a power of two, 2 .. 64
    parameter integer IDX_W = 8,      // trigger index width (indices >= NSLOT are dropped)
    parameter integer ID_W = 2        // AXI ID width of the message master
) (
    input  wire             aclk,
    input  wire             aresetn,
    // AXI4-Lite register port
    input  wire [13:0]      csr_awaddr,
    input  wire             csr_awvalid,
    output wire             csr_awready,
    input  wire [31:0]      csr_wdata,
    input  wire [3:0]       csr_wstrb,
    input  wire             csr_wvalid,
    output wire             csr_wready,
    output wire [1:0]       csr_bresp,
    output wire             csr_bvalid,
    input  wire             csr_bready,
    input  wire [13:0]      csr_araddr,
    input  wire             csr_arvalid,
    output wire             csr_arready,
    output wire [31:0]      csr_rdata,
    output wire [1:0]       csr_rresp,
    output wire             csr_rvalid,
    input  wire             csr_rready,
    // interrupt requests: accepted on an edge where intr_req and intr_gnt are both high
    input  wire             intr_req,
    output wire             intr_gnt,
    input  wire [IDX_W-1:0] intr_vec,
    input  wire             intr_has_pasid,
    input  wire [19:0]      intr_pasid,
    // AXI4 write master for messages (one beat each)
    output wire [ID_W-1:0]  msg_awid,
    output wire [63:0]      msg_awaddr,
    output wire [7:0]       msg_awlen,
    output wire [2:0]       msg_awsize,
    output wire [1:0]       msg_awburst,
    output wire [3:0]       msg_awcache,
    output wire [2:0]       msg_awprot,
    output wire             msg_awvalid,
    input  wire             msg_awready,
    output wire [31:0]      msg_wdata,
    output wire [3:0]       msg_wstrb,
    output wire             msg_wlast,
    output wire             msg_wvalid,
    input  wire             msg_wready,
    // The write response is accepted and ignored: this design has no error reporting, and
    // with one write outstanding at a time the ID carries nothing.
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [ID_W-1:0]  msg_bid,
    input  wire [1:0]       msg_bresp,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire             msg_bvalid,
    output wire             msg_bready
);
    localparam integer SW = (NSLOT <= 2) ? 1 : $clog2(NSLOT);

    wire [SW-1:0]    rd_idx;
    wire [29:0]      rd_addr_lo;
    wire [31:0]      rd_addr_hi;
    wire [31:0]      rd_data;
    wire             rd_mask;
    wire             rd_pend;
    wire             rd_pasid_en;
    wire [19:0]      rd_pasid;
    wire             pend_set;
    wire             pend_clr;
    wire [SW-1:0]    pend_idx;
    wire [NSLOT-1:0] replay_ready;
    wire             enable;

    dsa_ims_csr #(.NSLOT(NSLOT), .SW(SW)) csr_inst (
        .aclk(aclk), .aresetn(aresetn),
        .awaddr(csr_awaddr), .awvalid(csr_awvalid), .awready(csr_awready),
        .wdata(csr_wdata), .wstrb(csr_wstrb), .wvalid(csr_wvalid), .wready(csr_wready),
        .bresp(csr_bresp), .bvalid(csr_bvalid), .bready(csr_bready),
        .araddr(csr_araddr), .arvalid(csr_arvalid), .arready(csr_arready),
        .rdata(csr_rdata), .rresp(csr_rresp), .rvalid(csr_rvalid), .rready(csr_rready),
        .enable(enable), .rd_idx(rd_idx), .rd_addr_lo(rd_addr_lo), .rd_addr_hi(rd_addr_hi),
        .rd_data(rd_data), .rd_mask(rd_mask), .rd_pend(rd_pend), .rd_pasid_en(rd_pasid_en),
        .rd_pasid(rd_pasid), .pend_set(pend_set), .pend_clr(pend_clr), .pend_idx(pend_idx),
        .replay_ready(replay_ready)
    );

    dsa_ims_engine #(.NSLOT(NSLOT), .SW(SW), .IDX_W(IDX_W), .ID_W(ID_W)) engine_inst (
        .aclk(aclk), .aresetn(aresetn),
        .req(intr_req), .gnt(intr_gnt), .vec(intr_vec), .has_pasid(intr_has_pasid), .pasid(intr_pasid),
        .enable(enable), .rd_idx(rd_idx), .rd_addr_lo(rd_addr_lo), .rd_addr_hi(rd_addr_hi),
        .rd_data(rd_data), .rd_mask(rd_mask), .rd_pend(rd_pend), .rd_pasid_en(rd_pasid_en),
        .rd_pasid(rd_pasid), .pend_set(pend_set), .pend_clr(pend_clr), .pend_idx(pend_idx),
        .replay_ready(replay_ready),
        .awid(msg_awid), .awaddr(msg_awaddr), .awlen(msg_awlen), .awsize(msg_awsize),
        .awburst(msg_awburst), .awcache(msg_awcache), .awprot(msg_awprot), .awvalid(msg_awvalid),
        .awready(msg_awready), .wdata(msg_wdata), .wstrb(msg_wstrb), .wlast(msg_wlast),
        .wvalid(msg_wvalid), .wready(msg_wready), .bvalid(msg_bvalid), .bready(msg_bready)
    );
endmodule

`default_nettype wire
