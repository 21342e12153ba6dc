"""Directed cocotb tests of contract §7 (memory-resident entries) on ims_top built with
MEM_MAX_ENTRIES > 0 (tests/impl/test_mem_directed.py builds NUM_SLOTS=64, MEM_MAX_ENTRIES=64).

Every expected value comes from the device model (models/ims_device.py with
mem_max_entries): each test applies the same register writes, host-memory edits and triggers
to the model and to the RTL, then compares every message (address, data, order), every
counter, STATUS, every PENDING word and every register the test touched. The entry fetches
are served from the model's HostMemory by tb/mem_read_target.py, so model and RTL read the
same memory. Each test is crossed with `traffic` (free / throttled: idle cycles on the TB's
sources, backpressure on its sinks, AR-ready and R-valid pauses on the read target) and runs
with the read latency MEM_LATENCY (default 6 cycles).

Tests avoid the one freedom the model leaves the RTL (which copy a trigger uses when memory
changed without a MEM_INVAL): memory is only edited while nothing caches the entry, or
followed by a MEM_INVAL naming it, so the model's default choice is the only legal one.
This file must not be named test_*.py: it runs inside the simulator, not under pytest.
"""

from __future__ import annotations

import os

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge

from models.ims_device import ImsDevice
from models.memory import HostMemory
from tb.ims_tb import (CTRL_ENABLE, CTRL_FUNC_MASK, SLVERR, TRAFFIC_PATTERNS, ImsTB, Trigger,
                       _pattern)
from tb.mem_read_target import MemReadTarget

traffic_cross = cocotb.parametrize(traffic=TRAFFIC_PATTERNS)

SLOT_CTRL_MASK, SLOT_CTRL_PASID_EN, SLOT_CTRL_PASID_SHIFT = 0x1, 0x8, 12
MEM_BASE = 0x0000_0012_3456_7000     # 64-byte aligned, above 4 GiB (exercises MEM_BASE_HI)
COUNTERS = ("CNT_SENT", "CNT_PENDED", "CNT_DROP_RANGE", "CNT_DROP_PASID", "CNT_DROP_DISABLED",
            "CNT_WR_ERR", "CNT_FETCH_ERR")


def latency() -> int:
    return int(os.environ.get("MEM_LATENCY", "6"))


class MemWorld:
    """The RTL (through ImsTB and the read target) and the device model, driven together."""

    def __init__(self, tb: ImsTB, traffic: str):
        self.tb = tb
        params = tb._run_parameters()
        self.n = tb.num_slots
        self.mmax = int(params.get("MEM_MAX_ENTRIES", 0))
        self.cache = int(params.get("MEM_CACHE_ENTRIES", 16))
        if not self.mmax:
            tb.fail("mem_directed needs a build with MEM_MAX_ENTRIES > 0")
        self.memory = HostMemory()
        self.model = ImsDevice(num_slots=self.n, axil_addr_width=tb.axil_addr_width,
                               irq_index_width=tb.irq_index_width, mem_max_entries=self.mmax,
                               memory=self.memory)
        self.target = MemReadTarget(tb.dut, tb.clk, tb.rst, self.memory, latency=latency())
        if traffic == "throttled":
            self.target.set_backpressure(ar=_pattern("0110"), r=_pattern("00101"))
        self.expected: list = []     # model messages, in emission order
        self.checked = 0             # messages already compared

    # -- registers -----------------------------------------------------------------------

    def addr(self, reg) -> int:
        return self.tb.addr_of(reg)

    async def write(self, reg, value: int, strb: int = 0xF) -> int:
        a = self.addr(reg)
        got = await self.tb.write_resp(a, value, strb)
        exp = self.model.write(a, value, strb)
        self.tb.check_eq(got, exp, f"BRESP of write 0x{value:x} strb 0x{strb:x} to {reg} (model)")
        self.expected += self.model.take_replays()
        return got

    async def check_read(self, reg, what: str = "") -> int:
        a = self.addr(reg)
        data, resp = await self.tb.read_resp(a)
        exp_data, exp_resp = self.model.read(a)
        self.tb.check_eq(resp, exp_resp, f"RRESP of {reg} at 0x{a:x} {what}(model)")
        self.tb.check_eq(data, exp_data, f"{reg} at 0x{a:x} {what}(model)")
        return data

    async def ctrl(self, enable: bool = True, func_mask: bool = False) -> None:
        await self.write("CTRL", (CTRL_ENABLE if enable else 0) | (CTRL_FUNC_MASK if func_mask else 0))

    async def setup(self, entries: int, base: int = MEM_BASE) -> None:
        await self.write("MEM_BASE_LO", base & 0xFFFFFFFF)
        await self.write("MEM_BASE_HI", base >> 32)
        await self.write("MEM_ENTRIES", entries)

    # -- host memory ---------------------------------------------------------------------

    def entry_msg(self, j: int, salt: int = 0) -> tuple[int, int]:
        addr = (0xFEE0_0000 | (j << 6) | (salt << 14)) + ((0x10 + j) << 32)
        return addr & ~3, (0xD000_0000 | (salt << 16) | j)

    def put_entry(self, j: int, mask: bool = False, pasid_en: bool = False, pasid: int = 0,
                  salt: int = 0) -> tuple[int, int]:
        addr, data = self.entry_msg(j, salt)
        ctrl = (SLOT_CTRL_MASK if mask else 0) | (SLOT_CTRL_PASID_EN if pasid_en else 0) | \
            (pasid << SLOT_CTRL_PASID_SHIFT)
        # reserved bits and CTRL bit1 set in memory: §7 says they are ignored
        ctrl |= 0x2 | 0x4 | 0xF0
        a = self.model.entry_address(j)
        self.memory.write32(a, (addr & 0xFFFFFFFF) | 0x3)    # ADDR_LO bits 1:0 ignored
        self.memory.write32(a + 4, addr >> 32)
        self.memory.write32(a + 8, data)
        self.memory.write32(a + 12, ctrl)
        return addr, data

    async def pend_masked(self, entries: int, pend=None) -> None:
        """Memory mode with `entries` entries, every entry MASK = 1 in memory, ENABLE on, and one
        trigger for each entry in `pend` (default: all), so those entries' pending bits set."""
        await self.setup(entries)
        for j in range(entries):
            self.put_entry(j, mask=True)
        await self.ctrl(enable=True)
        for j in (range(entries) if pend is None else pend):
            self.trigger(self.n + j)

    # -- triggers ------------------------------------------------------------------------

    def trigger(self, index: int, pasid: int | None = None) -> None:
        self.tb.triggers.send(Trigger(index, pasid))
        r = self.model.trigger(index, pasid)
        if r.message is not None:
            self.expected.append(r.message)

    async def settle(self, quiet: int = 60, timeout: int = 20000) -> None:
        """Every trigger accepted, then `quiet` cycles without a new message or fetch."""
        tb = self.tb
        await tb.wait_until(tb.triggers.idle, timeout, "all triggers accepted")
        last = (len(tb.monitor.messages), len(self.target.fetches))
        still = 0
        for _ in range(timeout):
            await RisingEdge(tb.clk)
            now = (len(tb.monitor.messages), len(self.target.fetches))
            still = still + 1 if now == last else 0
            last = now
            if still >= quiet:
                return
        tb.fail("the block did not go quiet (messages or fetches keep coming)")

    async def check(self, what: str) -> None:
        """Messages since the last check (exact order), counters, STATUS, PENDING, fetch shape."""
        tb = self.tb
        await self.settle()
        got = [(m.addr, m.data) for m in tb.monitor.messages[self.checked:]]
        exp = [(m.addr, m.data) for m in self.expected[self.checked:]]
        if got != exp:
            tb.fail(f"{what}: messages (addr, data) in order: expected "
                    f"{[(hex(a), hex(d)) for a, d in exp]}, got {[(hex(a), hex(d)) for a, d in got]} "
                    f"(model indices {[m.slot for m in self.expected[self.checked:]]})")
        self.checked = len(self.expected)
        for name in COUNTERS + ("STATUS", "MEM_ENTRIES", "MEM_BASE_LO", "MEM_BASE_HI"):
            await self.check_read(name, f"after {what} ")
        for k in range(self.model.regmap.PENDING.count):
            await self.check_read(tb.pending_addr(k), f"(PENDING[{k}]) after {what} ")
        tb.check(not self.target.problems, f"{what}: fetch bursts break §7: {self.target.problems[:4]}")
        tb.check(not tb.monitor.violations, f"{what}: write-channel violations {tb.monitor.violations[:4]}")


async def start(dut, name: str, traffic: str) -> MemWorld:
    tb = ImsTB(dut, f"{name}/traffic={traffic}", module="tests.impl.hdl.mem_directed")
    tb.apply_traffic(traffic)
    w = MemWorld(tb, traffic)
    await tb.reset()
    return w


# =============================================================================================
# §7 registers
# =============================================================================================

@cocotb.test()
@traffic_cross
async def mem_registers(dut, traffic):
    """§6/§7 registers: VERSION, MEM_BASE_LO bits 5:0, MEM_BASE_HI, MEM_ENTRIES (SLVERR above
    MEM_MAX_ENTRIES, unchanged), MEM_INVAL reads 0, 0x03C unlisted, PENDING word count
    ceil((NUM_SLOTS + M) / 32), STATUS.FETCH_ERR / CNT_FETCH_ERR reset values."""
    w = await start(dut, "mem_registers", traffic)
    for name in ("VERSION", "CNT_FETCH_ERR", "STATUS", "MEM_BASE_LO", "MEM_BASE_HI", "MEM_ENTRIES",
                 "MEM_INVAL"):
        await w.check_read(name, "after reset ")
    await w.check_read(0x03C, "(unlisted 0x03C) ")
    await w.write("MEM_BASE_LO", 0xFFFF_FFFF)
    await w.write("MEM_BASE_HI", 0x8765_4321)
    await w.write("MEM_BASE_LO", 0x1234_5678, strb=0x3)
    for m in (w.mmax + 1, 0xFFFF_FFFF, w.mmax, 1, 33, 0):
        resp = await w.write("MEM_ENTRIES", m)
        if m > w.mmax:
            w.tb.check_eq(resp, SLVERR, f"MEM_ENTRIES={m} above MEM_MAX_ENTRIES={w.mmax} (§7 SLVERR)")
        await w.check_read("MEM_ENTRIES", f"after writing {m} ")
        # the PENDING words that exist now, and the first one beyond
        for k in range(w.model.regmap.PENDING.count):
            await w.check_read(w.tb.pending_addr(k), f"(PENDING[{k}], M={m}) ")
    await w.write("MEM_INVAL", 0x8000_0000)
    await w.check_read("MEM_INVAL", "after a write ")
    await w.check("register writes")


# =============================================================================================
# §7 rules 1-3 and 5: triggers to memory entries
# =============================================================================================

@cocotb.test()
@traffic_cross
async def mem_trigger_miss_then_hit(dut, traffic):
    """§7 rule 2: a memory index fetches its entry (one 4-beat INCR burst at MEM_BASE + 16 j)
    and sends a message with the fetched address and data; a second trigger uses the cached
    copy (no fetch for entries the cache holds)."""
    w = await start(dut, "mem_trigger_miss_then_hit", traffic)
    m = 8
    await w.setup(m)
    for j in range(m):
        w.put_entry(j)
    await w.ctrl(enable=True)
    for j in range(m):
        w.trigger(w.n + j)
    await w.check("first triggers (misses)")
    tb = w.tb
    addrs = sorted(f.addr for f in w.target.fetches)
    tb.check_eq(addrs, sorted(w.model.entry_address(j) for j in range(m)),
                "fetch addresses: one per entry, at MEM_BASE + 16 j")
    before = len(w.target.fetches)
    for j in reversed(range(m)):
        w.trigger(w.n + j)
    await w.check("second triggers (hits)")
    if m <= w.cache:
        tb.check_eq(len(w.target.fetches) - before, 0,
                    f"fetches for {m} entries already cached (MEM_CACHE_ENTRIES={w.cache})")


@cocotb.test()
@traffic_cross
async def mem_rules(dut, traffic):
    """§7 rules 1-4 on memory entries: index >= NUM_SLOTS + M is a range drop; ENABLE = 0 drops
    before any fetch; PASID_EN in memory checks the trigger's PASID; MASK in memory or
    FUNC_MASK pends (PENDING bit NUM_SLOTS + j); memory CTRL bit1 and reserved bits ignored."""
    w = await start(dut, "mem_rules", traffic)
    m = 12
    await w.setup(m)
    w.put_entry(0)
    w.put_entry(1, pasid_en=True, pasid=0x1234)
    w.put_entry(2, mask=True)
    w.put_entry(3)
    # rule 2 first: ENABLE = 0, nothing fetched
    w.trigger(w.n + 0)
    w.trigger(w.n + 3)
    await w.check("triggers while ENABLE = 0")
    w.tb.check_eq(len(w.target.fetches), 0, "fetches while ENABLE = 0 (§7 rule 2: checked before any fetch)")
    await w.ctrl(enable=True)
    for idx in (w.n + m, w.n + m + 5, w.n + w.mmax - 1):     # rule 1 with M
        if idx < (1 << w.tb.irq_index_width):
            w.trigger(idx)
    w.trigger(w.n + 1, pasid=0x1234)
    w.trigger(w.n + 1, pasid=0x1235)
    w.trigger(w.n + 1)
    w.trigger(w.n + 2)
    w.trigger(w.n + 2)
    w.trigger(w.n + 0)
    w.trigger(5)                # a slot (masked after reset): pends
    await w.check("rules 1-5 on memory entries")
    await w.ctrl(enable=True, func_mask=True)
    w.trigger(w.n + 3)
    w.trigger(w.n + 0)
    await w.check("FUNC_MASK = 1")


@cocotb.test()
@traffic_cross
async def mem_fetch_error(dut, traffic):
    """§7 rule 2: a fetch answered RRESP != OKAY on any beat (here: one beat only) drops the
    trigger: STATUS.FETCH_ERR, CNT_FETCH_ERR + 1, nothing cached, pended or sent; the next
    trigger fetches again."""
    w = await start(dut, "mem_fetch_error", traffic)
    await w.setup(4)
    w.put_entry(1)
    w.put_entry(2, mask=True)
    await w.ctrl(enable=True)
    a1 = w.model.entry_address(1)
    w.memory.fail_reads(a1 + 8, 4)          # the DATA beat only
    w.memory.fail_reads(w.model.entry_address(2), 4)
    w.trigger(w.n + 1)
    w.trigger(w.n + 2)
    w.trigger(w.n + 1)
    await w.check("fetch errors")
    w.memory.clear_read_faults()
    w.trigger(w.n + 1)
    w.trigger(w.n + 2)
    await w.check("after the faults are gone (nothing was cached)")
    await w.write("STATUS", 0x10)
    await w.check("STATUS.FETCH_ERR cleared")


@cocotb.test()
@traffic_cross
async def mem_order_mixed(dut, traffic):
    """§7 rule 5: direct messages leave in trigger-acceptance order across slots and memory
    entries: a miss delays the slot messages behind it; several fetches in flight."""
    w = await start(dut, "mem_order_mixed", traffic)
    m = 24
    await w.setup(m)
    for j in range(m):
        w.put_entry(j)
    for s in range(4):
        await w.tb.program_slot(s)
        w.model.write(w.tb.slot_addr(s, "CTRL"), 0x1)
        a, d = w.tb.message_for(s)
        w.model.write(w.tb.slot_addr(s, "ADDR_LO"), a & 0xFFFFFFFF)
        w.model.write(w.tb.slot_addr(s, "ADDR_HI"), a >> 32)
        w.model.write(w.tb.slot_addr(s, "DATA"), d)
        w.model.write(w.tb.slot_addr(s, "CTRL"), 0x0)
    await w.ctrl(enable=True)
    seq = []
    for j in range(m):
        seq += [w.n + j, j % 4]
    seq += [w.n + j for j in range(m)] + [3, 2, 1, 0]
    for idx in seq:
        w.trigger(idx)
    await w.check("mixed slots and memory entries")


# =============================================================================================
# §7 invalidation, freshness, the BVALID rule
# =============================================================================================

@cocotb.test()
@traffic_cross
async def mem_inval_freshness(dut, traffic):
    """§7 rule 3: after MEM_INVAL(j), MEM_INVAL(ALL), a MEM_BASE or MEM_ENTRIES write, a trigger
    uses the entry as read from memory after the write (no stale cached copy); j >= M is
    ignored (OKAY)."""
    w = await start(dut, "mem_inval_freshness", traffic)
    m = 6
    await w.setup(m)
    for j in range(m):
        w.put_entry(j)
    await w.ctrl(enable=True)
    for j in range(m):
        w.trigger(w.n + j)
    await w.check("warm the cache")
    w.put_entry(1, salt=1)
    await w.write("MEM_INVAL", 1)
    await w.write("MEM_INVAL", m + 3)           # ignored
    w.trigger(w.n + 1)
    await w.check("after MEM_INVAL(1)")
    for j in range(m):
        w.put_entry(j, salt=2)
    await w.write("MEM_INVAL", 0x8000_0000)
    for j in range(m):
        w.trigger(w.n + j)
    await w.check("after MEM_INVAL(ALL)")
    for j in range(m):
        w.put_entry(j, salt=3)
    await w.write("MEM_BASE_HI", MEM_BASE >> 32)
    w.trigger(w.n + 2)
    await w.check("after a MEM_BASE_HI write")
    for j in range(m):
        w.put_entry(j, salt=4)
    await w.write("MEM_ENTRIES", m)
    w.trigger(w.n + 3)
    await w.check("after a MEM_ENTRIES write")


@cocotb.test()
@traffic_cross
async def mem_inval_bvalid_rule(dut, traffic):
    """§7: MEM_INVAL's BVALID comes only once every trigger accepted before it is decided:
    misses still being fetched when the write arrives have set their pending bits (masked
    entries) by the time BVALID is seen, and a trigger accepted after the response to a
    MEM_INVAL of an entry whose memory changed uses the new values."""
    w = await start(dut, "mem_inval_bvalid_rule", traffic)
    m = 8
    await w.pend_masked(m)
    await w.tb.wait_until(w.tb.triggers.idle, 2000, "triggers accepted")
    await w.write("MEM_INVAL", 0x8000_0000 | 0x4000_0000 * 0)   # ALL, keep pending bits
    # immediately after BVALID: every pending bit set (read before any settle)
    for k in range(w.model.regmap.PENDING.count):
        await w.check_read(w.tb.pending_addr(k), f"(PENDING[{k}]) right after MEM_INVAL's BVALID ")
    await w.check("pends decided before BVALID")


# =============================================================================================
# §7 rule 4: re-examination
# =============================================================================================

@cocotb.test()
@traffic_cross
async def mem_reexamine(dut, traffic):
    """§7 rule 4: pending memory entries are re-examined (fetched afresh) after MEM_INVAL naming
    them, after FUNC_MASK 1 -> 0 and after ENABLE 0 -> 1, and at no other time; MASK = 0 then
    emits once and clears the bit; a fetch error leaves the bit (FETCH_ERR); CLEAR_PENDING
    clears without a message; MEM_ENTRIES clears the bits at or above the new M."""
    w = await start(dut, "mem_reexamine", traffic)
    m = 40
    pend = [0, 5, 31, 32, 39]
    await w.pend_masked(m, pend)
    await w.check("pend five entries")
    # unmask in memory: nothing happens without a re-examination moment
    for j in pend:
        w.put_entry(j, mask=False, salt=1)
    await w.ctrl(enable=True)                 # no change of ENABLE / FUNC_MASK
    await w.check("a CTRL write that is no rule-4 moment")
    await w.write("MEM_INVAL", 5)
    await w.check("MEM_INVAL(5) replays entry 5")
    await w.ctrl(enable=True, func_mask=True)
    await w.ctrl(enable=True, func_mask=False)
    await w.check("FUNC_MASK 1 -> 0 replays the pending entries")
    # pend again, fail one re-examination fetch, then ENABLE 0 -> 1
    for j in pend:
        w.put_entry(j, mask=True, salt=2)
    await w.write("MEM_INVAL", 0x8000_0000)
    for j in pend:
        w.trigger(w.n + j)
    await w.check("pend again")
    for j in pend:
        w.put_entry(j, mask=False, salt=3)
    w.memory.fail_reads(w.model.entry_address(31) + 12, 4)
    await w.ctrl(enable=False)
    await w.ctrl(enable=True)
    await w.check("ENABLE 0 -> 1 replays; a failed re-examination fetch keeps its bit")
    w.memory.clear_read_faults()
    await w.write("MEM_INVAL", 0x4000_0000 | 31)
    await w.check("MEM_INVAL(31, CLEAR_PENDING) clears without a message")
    for j in (2, 36, 38):
        w.put_entry(j, mask=True, salt=4)
    await w.write("MEM_INVAL", 0x8000_0000)
    for j in (2, 36, 38):
        w.trigger(w.n + j)
    await w.check("pend 2, 36, 38")
    await w.write("MEM_ENTRIES", 37)
    await w.check("MEM_ENTRIES = 37 clears bits of entries 37 and up")


@cocotb.test()
@traffic_cross
async def mem_park_refill_on_pop(dut, traffic):
    """§7 rule 5 order across the park queue's 1 -> 0 -> 1 edge: a miss parks (the queue leaves
    bypass) and a stream of hits follows in bursts of three with one idle cycle between, so
    after the miss's answer the queue drains by one per burst down to a single entry, and from
    then on the entry at the head leaves on the same edge as the next trigger is pushed (the
    pushed one becomes the new head: rtl/ims_mem_front.v loads the head's fields from t1
    there). Every message must be the model's, in order. (A burst's idle cycle is an explicit
    idle item in the trigger queue, so the pattern holds under either traffic.)"""
    w = await start(dut, "mem_park_refill_on_pop", traffic)
    tb = w.tb
    m = w.mmax
    await w.setup(m)
    for j in range(m):
        w.put_entry(j, salt=j % 3)
    await w.ctrl(enable=True)
    half = max(1, w.cache // 2)
    # the hits cycle over half - 1 entries, so a park slot's next trigger (PARK_DEPTH, a power
    # of two, pushes later) is another entry than its last one: a stale slot read shows
    hot = max(1, half - 1)
    for j in range(hot):                     # cache the lines the hits use
        w.trigger(w.n + j)
    await w.check("cache the hit entries")
    for r in range(3):
        miss = half + r % max(1, w.cache - half) + w.cache * (1 + r)   # a line the hits do not use
        w.trigger(w.n + miss % m)
        # (None: one idle cycle at the port after each burst, however long a burst waits for
        # room; the queue holds at most PARK_DEPTH, so 12 bursts bring it down to one entry)
        for k in range(12):
            for i in range(3):
                w.trigger(w.n + (3 * k + i + r) % hot)
            tb.triggers.send([None])
        await w.check(f"round {r}: miss on entry {miss % m}, then bursts of hits")


@cocotb.test()
@traffic_cross
async def mem_reexamine_during_fetches(dut, traffic):
    """§7 rule 4 re-examination fetches interleaved with trigger fetches: 24 pending entries
    (MASK = 1 in memory: each re-examination fetches and keeps the bit) are re-examined after
    FUNC_MASK 1 -> 0 and after ENABLE 0 -> 1 while a stream of misses (entries of other lines,
    spaced 1..6 cycles) fetches too, so a re-examination fetch sits ahead of or behind a waiting
    head's fetch and answers on the edges the head's state changes. The stream's messages in
    order, nothing for the masked entries, PENDING and counters as the model."""
    w = await start(dut, "mem_reexamine_during_fetches", traffic)
    tb = w.tb
    m = w.mmax
    await w.setup(m)
    pend = list(range(0, 48, 2))          # even entries pend (masked), odd ones stream
    stream = [j for j in range(1, m, 2)]
    for j in range(m):
        w.put_entry(j, mask=(j in pend), salt=j % 3)
    await w.ctrl(enable=True)
    for j in pend:
        w.trigger(w.n + j)
    await w.check("pend the masked entries")
    k = 0
    for gap, moment in ((1, "func_mask"), (3, "enable"), (6, "func_mask"), (2, "enable")):
        # drop every line first so each stream trigger misses, then the rule-4 moment: its
        # re-examination runs after BVALID, while the stream goes
        await w.write("MEM_INVAL", 0x8000_0000)
        if moment == "func_mask":
            await w.ctrl(enable=True, func_mask=True)
            await w.ctrl(enable=True, func_mask=False)
        else:
            await w.ctrl(enable=False)
            await w.ctrl(enable=True)
        for _ in range(16):
            w.trigger(w.n + stream[k % len(stream)])
            k += 1
            await ClockCycles(tb.clk, gap)
        await w.check(f"re-examination after {moment} with misses every {gap} cycles")


@cocotb.test()
@traffic_cross
async def mem_reexamine_storm(dut, traffic):
    """§7 rule 4 with several re-examination fetches in flight (rtl/ims_mem_maint.v: up to RX_FETCHES
    fetches, five in ims_top, eight staging lines in a ring, candidate checks in fetch order): every entry pends
    (MASK = 1), then two of every three are unmasked in memory with distinct values and one
    MEM_INVAL ALL re-examines all of them, with re-examination fetches of two entries failing
    (one beat each) among the others in flight; then the rest are unmasked and FUNC_MASK 1 -> 0
    re-examines again (the ring wraps several times). Each replay must carry its own entry's
    fresh values, in the model's order; the masked and the failed ones keep their bits
    (CNT_FETCH_ERR + 2); PENDING and counters as the model."""
    w = await start(dut, "mem_reexamine_storm", traffic)
    m = min(w.mmax, 64)
    await w.pend_masked(m)
    await w.check(f"pend all {m} entries")
    for j in range(m):
        if j % 3:
            w.put_entry(j, mask=False, salt=1)
    failing = (m // 3 + 1, (2 * m) // 3 + 2)    # unmasked entries (j % 3 != 0) mid-storm
    for j in failing:
        w.memory.fail_reads(w.model.entry_address(j) + 4, 4)
    await w.write("MEM_INVAL", 0x8000_0000)
    await w.check("MEM_INVAL ALL: the unmasked entries replay, the failed and masked ones stay")
    w.memory.clear_read_faults()
    for j in range(m):
        w.put_entry(j, mask=False, salt=2)
    await w.ctrl(enable=True, func_mask=True)
    await w.ctrl(enable=True, func_mask=False)
    await w.check("FUNC_MASK 1 -> 0: every entry still pending replays with its fresh values")


# =============================================================================================
# §6: the register window against the model, for any build (MEM_MAX_ENTRIES = 0 included)
# =============================================================================================

@cocotb.test()
async def register_window_vs_model(dut):
    """§6: every offset 0x000..0x07C answers as the model of this build does: with
    MEM_MAX_ENTRIES = 0 that is the revision-1 block exactly (VERSION 0x00010000, the §7
    offsets SLVERR); with memory mode built VERSION 0x00020000 and the §7 registers; writes of
    all-ones to the §7 offsets (SLVERR or not) leave the same values as in the model. The read
    master stays idle throughout (no AR handshake while MEM_ENTRIES = 0)."""
    tb = ImsTB(dut, "register_window_vs_model", module="tests.impl.hdl.mem_directed")
    params = tb._run_parameters()
    mmax = int(params.get("MEM_MAX_ENTRIES", 0))
    model = ImsDevice(num_slots=tb.num_slots, axil_addr_width=tb.axil_addr_width,
                      irq_index_width=tb.irq_index_width, mem_max_entries=mmax,
                      memory=HostMemory() if mmax else None)
    arvalid_seen = []
    tb.sampler.add(lambda c, _r: arvalid_seen.append(c) if int(dut.m_axi_arvalid.value) else None)
    await tb.reset()

    async def compare(what: str) -> None:
        for off in range(0, 0x80, 4):
            data, resp = await tb.read_resp(off)
            exp_data, exp_resp = model.read(off)
            tb.check_eq((data, resp), (exp_data, exp_resp), f"(data, RRESP) at 0x{off:03x} {what} "
                        f"(model, MEM_MAX_ENTRIES={mmax})")

    await compare("after reset")
    for off in (0x038, 0x03C, 0x040, 0x044, 0x04C):
        got = await tb.write_resp(off, 0xFFFF_FFFF)
        tb.check_eq(got, model.write(off, 0xFFFF_FFFF), f"BRESP of an all-ones write at 0x{off:03x}")
    await compare("after writes to the §7 offsets")
    tb.check_eq(arvalid_seen, [], "cycles with m_axi_arvalid high while MEM_ENTRIES = 0 (§7)")


# =============================================================================================
# §7 rule 5 with §4 no-loss: the write channel stalls while misses and slots are in flight
# =============================================================================================

@cocotb.test()
@traffic_cross
async def mem_no_loss_stalled(dut, traffic):
    """§7 rule 5 / §4 no trigger lost: m_axi AW and W stalled while 120 triggers mix memory
    misses, hits, masked entries, fetch errors, slots and out-of-range indices: s_irq_ready
    falls, nothing is lost; after the release every outcome matches the model, messages in
    acceptance order."""
    w = await start(dut, "mem_no_loss_stalled", traffic)
    tb = w.tb
    m = 48
    await w.setup(m)
    for j in range(m):
        w.put_entry(j, mask=(j % 7 == 3), salt=j % 3)
    w.memory.fail_reads(w.model.entry_address(13), 4)
    for s in (0, 9):
        a, d = tb.message_for(s)
        for reg, v in (("CTRL", 1), ("ADDR_LO", a & 0xFFFFFFFF), ("ADDR_HI", a >> 32), ("DATA", d), ("CTRL", 0)):
            await w.write(tb.slot_addr(s, reg), v)
    await w.ctrl(enable=True)
    for ch in (tb.mem.aw_channel, tb.mem.w_channel):
        ch.clear_pause_generator()
        ch.pause = True
    for k in range(120):
        r = tb.rng.random()
        if r < 0.65:
            w.trigger(w.n + tb.rng.randrange(m))
        elif r < 0.85:
            w.trigger(tb.rng.choice((0, 9)))
        else:
            w.trigger(w.n + m + tb.rng.randrange(8))
    await tb.wait_until(lambda: tb.triggers.stall_cycles >= 50, 5000,
                        "s_irq_ready to fall while the write channel is stalled")
    for ch in (tb.mem.aw_channel, tb.mem.w_channel):
        ch.pause = False
    tb.apply_traffic(traffic)
    await w.check("stalled write channel, mixed triggers")
