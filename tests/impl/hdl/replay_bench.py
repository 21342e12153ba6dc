"""Replay-rate benchmark of ims_top (issue 12 point 3): how fast pending slots are replayed
after the CTRL write that clears FUNC_MASK.

Three patterns, each in a fresh reset of the block (NUM_SLOTS from the design):
  sparse  one pending slot in every 32-slot pending word (a different bit in each word)
  dense   64 pending slots filling two pending words (words 0 and 1; the whole table when
          it has fewer than 64 slots)
  end     one pending slot, the table's last
Slots are unmasked and programmed with distinct address/data, the triggers pend them while
CTRL.FUNC_MASK = 1, PENDING is read back, then CTRL is written with ENABLE = 1, FUNC_MASK = 0.

Measured by a per-edge sampler of the ports (no BFM in the timing): the "acceptance" edge of
that CTRL write is the edge on which the later of its AW and W handshakes happens; each
replay's time is the edge on which its AW handshake happens (awready held high, so that is
the first edge AWVALID is sampled high). Figures:
  span     edges from the write's acceptance to the last replay's AW handshake
  msg/clk  (replays - 1) / (edges from the first to the last replay's AW handshake): the rate
           of the replay stream itself (the issue's "0.11 msg/clk" sparse figure is this rate)
Every replay is checked: exactly the pending slots, each once, with its programmed
address/data, PENDING all clear afterwards, and no further message in a quiet window.

IMS_REPLAY_BENCH_OUT (default ./replay_bench.json) receives the figures for imsflow/bench.py.
"""

from __future__ import annotations

import json
import os

import cocotb
from cocotb.triggers import RisingEdge
from cocotbext.axi import AxiLiteBus, AxiLiteMaster

from tb.ims_tb import CTRL_ENABLE, CTRL_FUNC_MASK, OKAY, REG, STATUS_BUSY, regression_seed
from tests.impl.hdl.ims_bench import LeanPort, program_slots
from models.regmap import pending_words, table_base as regmap_table_base
from models.regs import load as load_regs
from tb.clock import start_clock

QUIET_CYCLES = 200


def slot_message(slot: int) -> tuple[int, int]:
    """Distinct address/data per slot (ADDR_HI non-zero, so the whole address is checked)."""
    return (0x0000_0456_0000_0000 | 0xFEE0_0000 | slot << 4), (0xC0000000 | slot)


def pattern_slots(pattern: str, num_slots: int) -> list[int]:
    words = pending_words(num_slots)
    if pattern == "sparse":
        # bit (7*w mod 32) of word w, clipped to the table
        return [s for s in (32 * w + (7 * w) % 32 for w in range(words)) if s < num_slots]
    if pattern == "dense":
        return list(range(min(64, num_slots)))
    if pattern == "end":
        return [num_slots - 1]
    raise ValueError(pattern)


class Port(LeanPort):
    """The RTL bench's lean per-edge port (tests/impl/hdl/ims_bench.py: message sink with AWREADY /
    WREADY high and in-order OKAY responses, trigger driver), plus the AXI-Lite write handshake
    edges (the CTRL write's acceptance is where a storm's clock starts) and a trigger queue."""

    def __init__(self, dut):
        super().__init__(dut)
        self.axil_aw: list[int] = []
        self.axil_w: list[int] = []
        self.to_trigger: list[int] = []
        self.next_index = lambda: self.to_trigger.pop(0) if self.to_trigger else None

    async def run(self) -> None:
        d = self.dut
        while True:
            await self.step()
            if str(d.rst.value) != "0":
                continue
            if int(d.s_axil_awvalid.value) and int(d.s_axil_awready.value):
                self.axil_aw.append(self.cycle)
            if int(d.s_axil_wvalid.value) and int(d.s_axil_wready.value):
                self.axil_w.append(self.cycle)


async def measure(dut, pattern: str, seed: int, reproduce: str) -> dict:
    dut.rst.value = 1
    axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
    axil.write_if.log.setLevel("WARNING")
    axil.read_if.log.setLevel("WARNING")
    port = Port(dut)
    sampler = cocotb.start_soon(port.run())
    table_base = regmap_table_base(len(dut.s_axil_awaddr))

    def where() -> str:
        return f"pattern {pattern}, cycle {port.cycle}, seed {seed}; rerun: {reproduce}"

    async def read(addr: int) -> int:
        r = await axil.read(addr, 4)
        assert int(r.resp) == OKAY, f"replay bench: read at 0x{addr:x} answered {int(r.resp)} ({where()})"
        return int.from_bytes(r.data, "little")

    async def write(addr: int, value: int) -> None:
        r = await axil.write(addr, value.to_bytes(4, "little"))
        assert int(r.resp) == OKAY, f"replay bench: write at 0x{addr:x} answered {int(r.resp)} ({where()})"

    async def edges(n: int) -> None:
        for _ in range(n):
            await RisingEdge(dut.clk)

    await edges(5)
    dut.rst.value = 0
    await edges(1)
    while (await read(REG["STATUS"])) & STATUS_BUSY:
        pass
    num_slots = await read(REG["NUM_SLOTS"])
    slots = pattern_slots(pattern, num_slots)
    pending = load_regs(num_slots=num_slots, axil_addr_width=len(dut.s_axil_awaddr)).PENDING

    def pending_addr(w: int) -> int:
        return int(pending) + pending.stride * w
    await program_slots(write, table_base, slots, slot_message)
    await write(REG["CTRL"], CTRL_ENABLE | CTRL_FUNC_MASK)
    port.to_trigger.extend(slots)
    for _ in range(20 * len(slots) + 100):
        if len(port.accepted) == len(slots):
            break
        await edges(1)
    assert len(port.accepted) == len(slots), f"replay bench: {len(port.accepted)} of {len(slots)} triggers accepted ({where()})"
    await edges(20)
    assert not port.aw, f"replay bench: {len(port.aw)} messages while FUNC_MASK=1 ({where()})"
    pend = 0
    for w in range(pending_words(num_slots)):
        pend |= (await read(pending_addr(w))) << (32 * w)
    expected_bitmap = sum(1 << s for s in slots)
    assert pend == expected_bitmap, (f"replay bench: PENDING 0x{pend:x} before the replay, expected 0x{expected_bitmap:x} "
                                     f"({where()})")

    n_aw_w, n_w_w = len(port.axil_aw), len(port.axil_w)
    await write(REG["CTRL"], CTRL_ENABLE)
    # the CTRL write is the only AXI-Lite write in flight: its AW and W handshakes are the ones
    # recorded after n_aw_w / n_w_w
    accept = max(port.axil_aw[n_aw_w], port.axil_w[n_w_w])
    for _ in range(40 * len(slots) + 20 * num_slots + 1000):
        if len(port.aw) >= len(slots) and len(port.w) >= len(slots):
            break
        await edges(1)
    assert len(port.aw) >= len(slots), f"replay bench: {len(port.aw)} of {len(slots)} replays arrived ({where()})"
    await edges(QUIET_CYCLES)
    assert len(port.aw) == len(slots), (f"replay bench: {len(port.aw)} messages for {len(slots)} pending slots "
                                        f"(a duplicated replay) ({where()})")
    got = sorted(zip((a for _, a in port.aw), (d for _, d in port.w)))
    exp = sorted(slot_message(s) for s in slots)
    missing = sorted(set(exp) - set(got))
    assert got == exp, (f"replay bench: replays differ from the pending slots' messages: missing "
                        f"{[hex(d & 0xFFFF) for _, d in missing][:8]} ({where()})")
    for w in range(pending_words(num_slots)):
        left = await read(pending_addr(w))
        assert left == 0, f"replay bench: PENDING word {w} = 0x{left:x} after the replays ({where()})"
    sampler.cancel()
    times = [c for c, _ in port.aw]
    stream = times[-1] - times[0]
    return {
        "pattern": pattern,
        "num_slots": num_slots,
        "replays": len(slots),
        "accept_cycle": accept,
        "first_aw": times[0] - accept,
        "span": times[-1] - accept,
        "msg_per_clk": (len(slots) - 1) / stream if stream else None,
    }


@cocotb.test()
async def replay_rates(dut):
    """Sparse, dense and single-slot-at-end replay storms after a FUNC_MASK clear."""
    sim = os.environ.get("IMS_SIM", "icarus")
    seed = regression_seed("tests.impl.hdl.replay_bench.replay_rates")
    reproduce = f"python -m imsflow.bench --sim {sim} --param {os.environ.get('IMS_PARAMS', '')}"
    start_clock(dut.clk, 10)
    figures = {}
    for pattern in ("sparse", "dense", "end"):
        figures[pattern] = await measure(dut, pattern, seed, reproduce)
        dut._log.info("replay bench: %s", json.dumps(figures[pattern]))
    out = os.environ.get("IMS_REPLAY_BENCH_OUT", os.path.join(os.getcwd(), "replay_bench.json"))
    with open(out, "w") as f:
        json.dump({"sim": sim, "params": os.environ.get("IMS_PARAMS", ""), "figures": figures}, f, indent=1)
