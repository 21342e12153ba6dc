"""RTL benchmark of ims_top (contract §5): sustained messages per clock, trigger-to-AWVALID
latency, and wall-clock messages per second of a lean sampling loop.

The message port is driven directly (m_axi_awready/wready held high, a minimal in-order B
responder) by one coroutine that awaits RisingEdge and samples handshakes: no cocotbext-axi on
that side, so the wall-clock figure measures the simulator plus the DUT, not a BFM stack.
AXI-Lite (programming and CNT_SENT reads) uses cocotbext-axi's AxiLiteMaster.

Environment: IMS_BENCH_MESSAGES (default 4096) messages in the throughput phase;
IMS_BENCH_OUT (default ./bench_rtl.json) where the figures are written for imsflow/bench_rtl.py.
Every message is also checked against the slot it was triggered for, so a fast but wrong
DUT does not produce a figure.
"""

from __future__ import annotations

import json
import os
import time

import cocotb
from cocotb.triggers import RisingEdge
from cocotbext.axi import AxiLiteBus, AxiLiteMaster

from tb.ims_tb import (CTRL_ENABLE, OKAY, REG, SLOT_FIELD, STATUS_BUSY, regression_seed, slot_ctrl)
from models.regmap import SLOT_BYTES, table_base as regmap_table_base
from tb.clock import start_clock

LATENCY_SAMPLES = 16


class LeanPort:
    """Per-edge sampler/driver of s_irq_* and m_axi_* (the only RisingEdge waiter of the bench)."""

    def __init__(self, dut):
        self.dut = dut
        self.cycle = 0
        self.aw: list[tuple[int, int]] = []       # (cycle, awaddr)
        self.w: list[tuple[int, int]] = []        # (cycle, wdata)
        self.latency_accept: int | None = None     # accept edge of the trigger being timed
        self.latency_awvalid: int | None = None    # first edge with AWVALID high from then on
        self.time_next_accept = False
        self.accepted: list[tuple[int, int]] = []  # (cycle, index)
        self.b_done = 0
        self.bvalid = 0
        self.next_index = None                     # callable -> index or None (no trigger)
        self.offered = None
        dut.m_axi_awready.value = 1
        dut.m_axi_wready.value = 1
        dut.m_axi_bvalid.value = 0
        dut.m_axi_bresp.value = 0
        dut.m_axi_bid.value = 0
        dut.s_irq_valid.value = 0
        dut.s_irq_pasid_valid.value = 0
        dut.s_irq_pasid.value = 0
        dut.s_irq_index.value = 0

    async def step(self) -> None:
        d = self.dut
        await RisingEdge(d.clk)
        self.cycle += 1
        if str(d.rst.value) != "0":
            return                       # outputs may be X inside reset; nothing to sample
        awvalid = int(d.m_axi_awvalid.value)
        if awvalid and int(d.m_axi_awready.value):
            self.aw.append((self.cycle, int(d.m_axi_awaddr.value)))
        if int(d.m_axi_wvalid.value) and int(d.m_axi_wready.value):
            self.w.append((self.cycle, int(d.m_axi_wdata.value)))
        if self.bvalid and int(d.m_axi_bready.value):
            self.b_done += 1
        if self.offered is not None and int(d.s_irq_ready.value):
            self.accepted.append((self.cycle, self.offered))
            self.offered = None
            if self.time_next_accept:
                self.time_next_accept = False
                self.latency_accept = self.cycle
        if self.latency_accept is not None and self.latency_awvalid is None and awvalid:
            self.latency_awvalid = self.cycle
        # B: one OKAY response per message whose AW and W have both completed, in order.
        self.bvalid = 1 if min(len(self.aw), len(self.w)) > self.b_done else 0
        d.m_axi_bvalid.value = self.bvalid
        if self.offered is None and self.next_index is not None:
            self.offered = self.next_index()
        if self.offered is None:
            d.s_irq_valid.value = 0
        else:
            d.s_irq_valid.value = 1
            d.s_irq_index.value = self.offered


async def program_slots(write, table_base: int, slots, message) -> None:
    """Write each slot's message (message(slot) -> (address, data)) and an unmasked CTRL."""
    for s in slots:
        addr, data = message(s)
        base = table_base + SLOT_BYTES * s
        await write(base + SLOT_FIELD["ADDR_LO"], addr & 0xFFFFFFFF)
        await write(base + SLOT_FIELD["ADDR_HI"], addr >> 32)
        await write(base + SLOT_FIELD["DATA"], data)
        await write(base + SLOT_FIELD["CTRL"], slot_ctrl(mask=False))


def slot_message(slot: int) -> tuple[int, int]:
    """Distinct address/data per slot (upper address bits set to exercise ADDR_HI)."""
    return (0x0000_0123_0000_0000 | 0xFEE0_0000 | slot << 4), (0xB0000000 | slot)


@cocotb.test()
async def bench_throughput_latency(dut):
    """Throughput (>= IMS_BENCH_MESSAGES messages, trigger every cycle) and latency figures."""
    messages = int(os.environ.get("IMS_BENCH_MESSAGES", "4096"))
    sim = os.environ.get("IMS_SIM", "icarus")
    seed = regression_seed("tests.impl.hdl.ims_bench.bench_throughput_latency")
    reproduce = f"python imsflow/bench_rtl.py --sim {sim} --param {os.environ.get('IMS_PARAMS', '')}"
    dut.rst.value = 1
    start_clock(dut.clk, 10)
    axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
    axil.write_if.log.setLevel("WARNING")
    axil.read_if.log.setLevel("WARNING")
    port = LeanPort(dut)
    table_base = regmap_table_base(len(dut.s_axil_awaddr))

    async def steps_until(cond, limit: int, what: str):
        for _ in range(limit):
            if cond():
                return
            await port.step()
        raise AssertionError(f"bench: timeout after {limit} cycles waiting for {what} "
                             f"(cycle {port.cycle}, seed {seed}; rerun: {reproduce})")

    async def axil_op(coro_factory):
        """Run one AXI-Lite access while the lean loop keeps stepping (it owns RisingEdge)."""
        task = cocotb.start_soon(coro_factory())
        await steps_until(task.done, 5000, "an AXI-Lite access")
        return task.result()

    async def read(addr: int) -> int:
        r = await axil_op(lambda: axil.read(addr, 4))
        assert int(r.resp) == OKAY, f"bench: read at 0x{addr:x} answered {int(r.resp)}"
        return int.from_bytes(r.data, "little")

    async def write(addr: int, value: int) -> None:
        r = await axil_op(lambda: axil.write(addr, value.to_bytes(4, "little")))
        assert int(r.resp) == OKAY, f"bench: write at 0x{addr:x} answered {int(r.resp)}"

    for _ in range(5):
        await port.step()
    dut.rst.value = 0
    while (await read(REG["STATUS"])) & STATUS_BUSY:
        pass
    num_slots = await read(REG["NUM_SLOTS"])
    slots = list(range(min(num_slots, 64)))
    await program_slots(write, table_base, slots, slot_message)
    await write(REG["CTRL"], CTRL_ENABLE)

    # --- latency: one trigger at a time into an idle block --------------------------------
    latencies = []
    for k in range(LATENCY_SAMPLES):
        s = slots[k % len(slots)]
        port.latency_accept = port.latency_awvalid = None
        port.time_next_accept = True
        sent = [False]

        def one_shot(s=s, sent=sent):
            if sent[0]:
                return None
            sent[0] = True
            return s
        # The block is idle (previous message completed), so the first AWVALID seen from the
        # accept edge on belongs to this trigger.
        n_aw = len(port.aw)
        port.next_index = one_shot
        await steps_until(lambda: port.latency_awvalid is not None, 1000, "AWVALID after a latency trigger")
        port.next_index = None
        latencies.append(port.latency_awvalid - port.latency_accept)
        assert len(port.aw) <= n_aw + 1, "bench: more than one message for one latency trigger"
        n_msgs = n_aw + 1
        await steps_until(lambda: port.b_done >= n_msgs and len(port.w) >= n_msgs, 1000,
                          "the latency message to complete")
        for _ in range(8):
            await port.step()

    # --- throughput: offer a trigger every cycle ---------------------------------------------
    start_msgs = len(port.aw)
    first_trigger = len(port.accepted)
    counter = [0]

    def every_cycle():
        if counter[0] >= messages:
            return None
        s = slots[counter[0] % len(slots)]
        counter[0] += 1
        return s

    cnt_reads: list[tuple[int, int]] = []
    read_points = (start_msgs + messages // 4, start_msgs + 3 * messages // 4)
    pending_read = None
    wall0 = time.perf_counter()
    port.next_index = every_cycle
    while len(port.aw) < start_msgs + messages:
        await port.step()
        if pending_read is None and len(cnt_reads) < 2 and len(port.aw) >= read_points[len(cnt_reads)]:
            pending_read = axil.init_read(REG["CNT_SENT"], 4)
        if pending_read is not None and pending_read.is_set():
            cnt_reads.append((port.cycle, int.from_bytes(pending_read.data.data, "little")))
            pending_read = None
        if port.cycle > 100 * messages + 10000:
            raise AssertionError(f"bench: throughput phase stalled at {len(port.aw) - start_msgs} "
                                 f"of {messages} messages (cycle {port.cycle}, seed {seed}; rerun: {reproduce})")
    wall = time.perf_counter() - wall0
    port.next_index = None
    await steps_until(lambda: port.b_done >= len(port.aw) and len(port.w) >= len(port.aw), 2000,
                      "the last messages to complete")

    # Every message must be the one its trigger asked for, in order.
    triggered = [idx for _, idx in port.accepted]
    for k, ((aw_cycle, addr), (_, data)) in enumerate(zip(port.aw, port.w)):
        exp = slot_message(triggered[k])
        assert (addr, data) == exp, (
            f"bench: message {k} at cycle {aw_cycle} is addr 0x{addr:x} data 0x{data:x}, expected "
            f"slot {triggered[k]}'s addr 0x{exp[0]:x} data 0x{exp[1]:x} (seed {seed}; rerun: {reproduce})")
    cnt_sent = await read(REG["CNT_SENT"])
    assert cnt_sent == len(port.aw), f"bench: CNT_SENT {cnt_sent} != {len(port.aw)} AW handshakes"

    window = port.aw[start_msgs:start_msgs + messages]
    span = window[-1][0] - window[0][0] + 1
    aw_per_clk = len(window) / span
    (c0, n0), (c1, n1) = cnt_reads
    cnt_per_clk = (n1 - n0) / (c1 - c0)
    accept_cycles = [c for c, _ in port.accepted[first_trigger:]]
    accept_span = accept_cycles[-1] - accept_cycles[0] + 1
    result = {
        "sim": sim,
        "params": os.environ.get("IMS_PARAMS", ""),
        "num_slots": num_slots,
        "messages": len(window),
        "cycles": span,
        "msg_per_clk": aw_per_clk,
        "cnt_sent_per_clk": cnt_per_clk,
        "triggers_per_clk": len(accept_cycles) / accept_span,
        "latency_max": max(latencies),
        "latency_min": min(latencies),
        "latencies": latencies,
        "wall_s": wall,
        "wall_msg_per_s": len(window) / wall,
        "seed": seed,
    }
    out = os.environ.get("IMS_BENCH_OUT", os.path.join(os.getcwd(), "bench_rtl.json"))
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    dut._log.info("bench: %s", json.dumps(result))
