// AXI4-Lite master rules on the block's register port, shared by the formal harnesses
// (formal/ims_formal.sv, formal/ims_formal_mem.sv), which `include this inside their module.
// Inputs only: AWVALID / WVALID / ARVALID, once high, stay high with a stable payload until
// their READY. The includer defines clk, the s_axil_* ports and
//   f_run       the block is out of reset (handshake rules apply),
//   f_prev_run  f_run in the previous cycle (so $past never reaches into reset).
always @(posedge clk) begin
    if (f_run && f_prev_run) begin
        if ($past(s_axil_awvalid && !s_axil_awready))
            assume(s_axil_awvalid && s_axil_awaddr == $past(s_axil_awaddr));
        if ($past(s_axil_wvalid && !s_axil_wready))
            assume(s_axil_wvalid && s_axil_wdata == $past(s_axil_wdata) && s_axil_wstrb == $past(s_axil_wstrb));
        if ($past(s_axil_arvalid && !s_axil_arready))
            assume(s_axil_arvalid && s_axil_araddr == $past(s_axil_araddr));
    end
end
