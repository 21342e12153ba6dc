"""cocotb test of ims_ram_sdp against its contract, cycle by cycle (tests/impl/test_ecp5_ram.py).

The same random traffic runs on the generic inferred RAM and on its ECP5 DP16KD mapping
(`define IMS_ECP5_BRAM, with tests/impl/hdl/ecp5_dp16kd_model.v), so both are held to one
reference: read latency 2 (read edge + output register), rd_en gating the read edge,
read-first on a same-edge same-address write. The traffic is concentrated on a small
pool of addresses (ends of the range, bank boundaries) so same-edge and next-edge
collisions happen often.

Environment (set by the pytest entry point): IMS_RAM_EXPECT = "old" (default: every read is
checked, collisions return the old word) or "dont_care" (a read that collided with a write
is not checked; with IMS_RAM_EXPECT_X=1 at least one of them must come back unresolved,
which shows the DP16KD model's collision rule - the one the "OLD" mapping works around -
is live). IMS_RAM_CYCLES sets the traffic length.
"""

from __future__ import annotations

import os
import random

import cocotb
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from tb.ims_tb import regression_seed
from tb.clock import start_clock

PERIOD_NS = 10


def _repro(seed: int) -> str:
    params = " ".join(f"--param {kv}" for kv in os.environ.get("IMS_PARAMS", "").split(",") if kv)
    variant = "with the ECP5 mapping (sim.run defines={'IMS_ECP5_BRAM': 1}, model source) " \
        if os.environ.get("IMS_RAM_ECP5") == "1" else ""
    return (f"WAVES=1 .venv/bin/python -m pytest tests/impl/test_ecp5_ram.py (seed {seed}, "
            f"{variant}toplevel ram_sdp_harness {params})")


def _address_pool(depth: int, rng: random.Random) -> list[int]:
    pool = {0, depth - 1, depth // 2, max(depth // 2 - 1, 0)}
    for boundary in range(16384, depth, 16384):     # DP16KD x1 bank boundaries
        pool.update({boundary - 1, boundary})
    while len(pool) < min(depth, 12):
        pool.add(rng.randrange(depth))
    return sorted(pool)


@cocotb.test()
async def ram_matches_reference(dut):
    seed = regression_seed(f"{__name__}.ram_matches_reference")
    rng = random.Random(cocotb.RANDOM_SEED)
    width = len(dut.wr_data)
    params = dict(kv.split("=") for kv in os.environ.get("IMS_PARAMS", "").split(",") if kv)
    depth = int(params.get("DEPTH", 2048))
    expect = os.environ.get("IMS_RAM_EXPECT", "old")
    want_x = os.environ.get("IMS_RAM_EXPECT_X", "0") == "1"
    cycles = int(os.environ.get("IMS_RAM_CYCLES", "3000"))
    pool = _address_pool(depth, rng)

    start_clock(dut.clk, PERIOD_NS)
    dut.wr_en.value = 0
    dut.rd_en.value = 0
    dut.wr_addr.value = 0
    dut.rd_addr.value = 0
    dut.wr_data.value = 0

    mem: dict[int, int] = {}
    stage1 = None          # (value or None for "not checked", address, read cycle)
    stage1_valid = False   # a read has ever happened (before that the output is unknown)
    out = None
    checked = collisions_unresolved = collisions = 0
    cycle = 0

    # Fill the pool first, then random traffic; one loop, the reference steps each edge.
    fill = list(pool)
    while cycle < cycles + len(pool) + 4:
        await FallingEdge(dut.clk)      # drive between edges (never in the ReadOnly phase)
        if fill:
            wr = (True, fill.pop(0), rng.getrandbits(width))
            rd = (False, pool[0])
        else:
            wr = (rng.random() < 0.6, rng.choice(pool), rng.getrandbits(width))
            # bias reads towards the word written now or just before (the collision cases)
            rd_addr = wr[1] if rng.random() < 0.3 else rng.choice(pool)
            rd = (rng.random() < 0.85, rd_addr)
        dut.wr_en.value = int(wr[0])
        dut.wr_addr.value = wr[1]
        dut.wr_data.value = wr[2]
        dut.rd_en.value = int(rd[0])
        dut.rd_addr.value = rd[1]
        await RisingEdge(dut.clk)
        cycle += 1
        # reference: output register takes stage 1; a read samples the array before the write
        out = stage1
        if rd[0]:
            collided = wr[0] and wr[1] == rd[1]
            value = mem.get(rd[1])
            if collided and expect == "dont_care":
                value = "collision"
            stage1 = (value, rd[1], cycle)
            stage1_valid = True
        if wr[0]:
            mem[wr[1]] = wr[2]
        await ReadOnly()
        if out is None or not stage1_valid:
            continue
        value, addr, rd_cycle = out
        got = dut.rd_data.value
        if value == "collision":
            collisions += 1
            if not got.is_resolvable:
                collisions_unresolved += 1
            continue
        if value is None:
            continue
        assert got.is_resolvable and int(got) == value, (
            f"ims_ram_sdp {os.environ.get('IMS_PARAMS', '')} sim={os.environ.get('IMS_SIM')}: "
            f"read of address {addr} at edge {rd_cycle} (t={rd_cycle * PERIOD_NS} ns) returned "
            f"{got} at edge {cycle}, expected 0x{value:x} (read-first, latency 2); seed {seed}; "
            f"reproduce: {_repro(seed)}")
        checked += 1

    dut._log.info("checked %d reads, %d collisions (%d unresolved)", checked, collisions,
                  collisions_unresolved)
    assert checked > cycles // 3, f"only {checked} reads checked in {cycles} cycles"
    if expect == "dont_care":
        assert collisions > 10, f"only {collisions} collisions generated"
    if want_x:
        assert collisions_unresolved > 0, (
            f"no collision read came back X in {collisions} collisions: the DP16KD model's "
            f"undefined-collision rule is not active, so the read-first emulation is untested")
