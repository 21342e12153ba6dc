"""§7 performance figures of ims_top in memory mode (run by imsflow/bench.py `bench_mem`):

* hit: triggers on consecutive edges to entries the cache holds, m_axi_awready/wready high:
  messages per clock between the first and the last AW handshake, and the accept -> AWVALID
  latency of a lone hit (goal: 1 msg/clk, AWVALID at N + 3);
* miss latency: a lone trigger to an uncached entry, accept edge N -> first AWVALID edge
  (goal: N + L + 7, L = cycles from the fetch's AR handshake to its first R beat, measured
  on the bus here);
* miss stream: MEM_BENCH_MISSES (64) triggers on consecutive edges to distinct uncached
  entries: (messages - 1) / (cycles between the first and last AW handshake)
  (goal: min(0.25, 4 / (L + 4))).

Every message is also checked against the device model (address and data, in order), so a
fast but wrong block cannot post a figure. Figures go to ./mem_bench.json.
"""

from __future__ import annotations

import json
import os

import cocotb

from tests.impl.hdl.mem_directed import MemWorld, start

MISSES = int(os.environ.get("MEM_BENCH_MISSES", "64"))


def record_handshakes(dut, tb) -> dict[str, list[int]]:
    """Edges of the read master's AR handshakes, of each fetch's first R beat (four beats a
    fetch) and of the register port's AW and W handshakes, appended as they happen."""
    hs = {"ar": [], "r_first": [], "axil_aw": [], "axil_w": []}
    r_beat = [0]

    def hook(cycle, _in_reset):
        if int(dut.m_axi_arvalid.value) and int(dut.m_axi_arready.value):
            hs["ar"].append(cycle)
        if int(dut.m_axi_rvalid.value) and int(dut.m_axi_rready.value):
            if r_beat[0] % 4 == 0:
                hs["r_first"].append(cycle)
            r_beat[0] += 1
        if int(dut.s_axil_awvalid.value) and int(dut.s_axil_awready.value):
            hs["axil_aw"].append(cycle)
        if int(dut.s_axil_wvalid.value) and int(dut.s_axil_wready.value):
            hs["axil_w"].append(cycle)
    tb.sampler.add(hook)
    return hs


@cocotb.test()
async def mem_bench(dut):
    w: MemWorld = await start(dut, "mem_bench", "free")
    tb = w.tb
    hs = record_handshakes(dut, tb)

    m = min(w.mmax, max(MISSES, w.cache))
    await w.setup(m)
    for j in range(m):
        w.put_entry(j)
    await w.ctrl(enable=True)

    def aw_cycles():
        return [a.cycle for a in tb.monitor.aws]

    # --- hit: warm the cache, then back-to-back hits ---------------------------------------
    hot = list(range(min(w.cache, m)))
    for j in hot:
        w.trigger(w.n + j)
    await w.check("warm the cache")
    n0 = len(tb.monitor.aws)
    fetches0 = len(w.target.fetches)
    for k in range(16 * len(hot)):
        w.trigger(w.n + hot[k % len(hot)])
    await w.check("back-to-back hits")
    cyc = aw_cycles()[n0:]
    hit_rate = (len(cyc) - 1) / (cyc[-1] - cyc[0]) if len(cyc) > 1 and cyc[-1] > cyc[0] else 0.0
    hit_fetches = len(w.target.fetches) - fetches0
    # lone hit latency
    a0 = len(tb.triggers.accepted)
    p0 = len(tb.monitor.aw_present_cycles)
    w.trigger(w.n + hot[0])
    await w.check("lone hit")
    hit_latency = tb.monitor.aw_present_cycles[p0] - tb.triggers.accepted[a0].cycle

    # --- lone miss latency -----------------------------------------------------------------
    await w.write("MEM_INVAL", 0x8000_0000)
    a0, p0, ar0, r0 = len(tb.triggers.accepted), len(tb.monitor.aw_present_cycles), len(hs["ar"]), len(hs["r_first"])
    w.trigger(w.n + 1)
    await w.check("lone miss")
    miss_latency = tb.monitor.aw_present_cycles[p0] - tb.triggers.accepted[a0].cycle
    bus_l = hs["r_first"][r0] - hs["ar"][ar0]

    # --- miss stream -------------------------------------------------------------------------
    await w.write("MEM_INVAL", 0x8000_0000)
    n0 = len(tb.monitor.aws)
    fetches0 = len(w.target.fetches)
    for j in range(MISSES):
        w.trigger(w.n + (j % m))
    await w.check(f"{MISSES} back-to-back misses")
    cyc = aw_cycles()[n0:]
    stream_rate = (len(cyc) - 1) / (cyc[-1] - cyc[0]) if len(cyc) > 1 and cyc[-1] > cyc[0] else 0.0
    stream_fetches = len(w.target.fetches) - fetches0

    fig = {"sim": tb.sim, "latency_L": bus_l, "target_latency": w.target.latency,
           "hit_msg_per_clk": hit_rate, "hit_latency": hit_latency, "hit_fetches": hit_fetches,
           "miss_latency": miss_latency, "miss_stream_msg_per_clk": stream_rate,
           "miss_stream_messages": len(cyc), "miss_stream_fetches": stream_fetches,
           "params": os.environ.get("IMS_PARAMS", "")}
    tb.log.info("mem bench: %s", fig)
    with open("mem_bench.json", "w") as f:
        json.dump(fig, f)


REPLAYS = int(os.environ.get("MEM_REPLAY_BENCH_ENTRIES", "64"))


@cocotb.test()
async def mem_replay_bench(dut):
    """§7 rule 4 replay storm of memory entries (issue 12 point 3; run by imsflow/bench.py
    `bench_mem_replay`): MEM_REPLAY_BENCH_ENTRIES (64) distinct entries pend (MASK = 1 in
    memory), are unmasked in memory, and one MEM_INVAL ALL re-examines them all (each one
    fetched afresh, rule 4, so every replay is a miss: the best rate the contract allows is the
    miss stream's, min(0.25, 4 / (L + 4))).

    rate = replays / edges from the MEM_INVAL write's acceptance (the edge of the later of its
    AXI-Lite AW and W handshakes) to the last replay's AW handshake (awready held high).
    Also reported: the stream rate (replays - 1) / (first -> last replay AW handshake).
    Every replay is checked against the device model (address, data, order), and PENDING,
    counters and STATUS after the storm. Figures go to ./mem_replay_bench.json."""
    w: MemWorld = await start(dut, "mem_replay_bench", "free")
    tb = w.tb
    hs = record_handshakes(dut, tb)

    m = min(w.mmax, REPLAYS)
    await w.pend_masked(m)
    await w.check(f"pend {m} masked entries")
    for j in range(m):
        w.put_entry(j, mask=False, salt=1)
    n_aw, n_w = len(hs["axil_aw"]), len(hs["axil_w"])
    m0, ar0, r0 = len(tb.monitor.aws), len(hs["ar"]), len(hs["r_first"])
    fetches0 = len(w.target.fetches)
    await w.write("MEM_INVAL", 0x8000_0000)
    accept = max(hs["axil_aw"][n_aw], hs["axil_w"][n_w])
    await w.check(f"MEM_INVAL ALL replays {m} entries")
    cyc = [a.cycle for a in tb.monitor.aws[m0:]]
    tb.check(len(cyc) == m, f"mem replay bench: {len(cyc)} replays, expected {m} (model)")
    span = cyc[-1] - accept
    rate = len(cyc) / span if span > 0 else 0.0
    stream = (len(cyc) - 1) / (cyc[-1] - cyc[0]) if len(cyc) > 1 and cyc[-1] > cyc[0] else 0.0
    bus_l = hs["r_first"][r0] - hs["ar"][ar0]
    fig = {"sim": tb.sim, "latency_L": bus_l, "target_latency": w.target.latency,
           "replays": len(cyc), "accept_to_last_aw": span, "accept_to_first_aw": cyc[0] - accept,
           "msg_per_clk": rate, "stream_msg_per_clk": stream,
           "fetches": len(w.target.fetches) - fetches0, "params": os.environ.get("IMS_PARAMS", "")}
    tb.log.info("mem replay bench: %s", fig)
    with open("mem_replay_bench.json", "w") as f:
        json.dump(fig, f)
