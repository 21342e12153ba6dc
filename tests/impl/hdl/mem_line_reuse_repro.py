"""Directed reproduction of an RTL defect found by the pyuvm scoreboard (UvmMemFetchErrors,
seed 6, Icarus): a trigger that hits the entry cache while the park queue is not empty keeps
the number of its cache line (rtl/ims_mem_front.v: pk_line_reg <= hit_line, state ST_GO), but
nothing stops a fetch issued after its acceptance from reallocating that line (round robin,
alloc_reg). When that fetch answers before the parked hit is presented, the hit is judged with
the other entry's image (contract §7 rule 2: rules 2-5 must use the entry's own fields).

Scenario (MEM_CACHE_ENTRIES = 16): entries 0..15 fill lines 0..15 (alloc_reg wraps to 0);
with AR held off, entry 16 and entry 17 miss (their fetches wait), entry 1 hits line 1 and
parks behind them; AR is released: entry 16's fetch takes line 0, entry 17's takes line 1 and
overwrites entry 1's image before entry 1's trigger is presented. Expected (model): entry 16,
entry 17, entry 1 messages; the defect sends entry 17's message twice.

The direct-mapped front end (a parked hit's line is not refilled while it waits; each park slot
has an image line of its own) passes it; `make test` runs it as a regression
(tests/impl/test_mem_directed.py::test_mem_parked_hit_line_not_reallocated). Run alone:
    .venv/bin/python -m imsflow.sim --module tests.impl.hdl.mem_line_reuse_repro --sim icarus \
        --param NUM_SLOTS=64 --param MEM_MAX_ENTRIES=64
This file must not be named test_*.py: it runs inside the simulator, not under pytest.
"""

from __future__ import annotations

import itertools

import cocotb
from cocotb.triggers import ClockCycles

from tests.impl.hdl.mem_directed import start


@cocotb.test()
async def mem_parked_hit_line_not_reallocated(dut):
    w = await start(dut, "mem_parked_hit_line_not_reallocated", "free")
    tb = w.tb
    tb.check(w.cache == 16, f"the scenario is written for MEM_CACHE_ENTRIES=16 (got {w.cache})")
    await w.setup(32)
    for j in range(18):
        w.put_entry(j)
    await w.ctrl(enable=True)
    for j in range(16):                 # lines 0..15 <- entries 0..15, allocation wraps to line 0
        w.trigger(w.n + j)
    await w.check("cache filled with entries 0..15")
    fetched = len(w.target.fetches)
    w.target.set_backpressure(ar=itertools.repeat(1))     # AR held off: misses wait for their fetch
    for j in (16, 17, 1):               # two misses, then a hit on line 1 parked behind them
        w.trigger(w.n + j)
    await tb.wait_until(tb.triggers.idle, 2000, "the three triggers accepted")
    await ClockCycles(tb.clk, 10)
    w.target.set_backpressure(ar=itertools.repeat(0))   # (None would leave the last pause standing)
    await w.check("entry 1 hit parked behind the misses of entries 16 and 17")
    tb.check_eq(len(w.target.fetches) - fetched, 2, "fetches for the misses of entries 16 and 17 only")
