"""AXI4 read target that serves the IMS block's memory-entry fetches (contract §7) from the
models' HostMemory (models/memory.py).

Built on cocotbext-axi's AR sink and R source (the channel drivers of AxiSlaveRead), with a
scheduler of its own: cocotbext-axi's AxiSlaveRead handles one burst at a time, so a read
latency would serialise fetches, while §7's performance paragraph is about several fetches in
flight. Here every AR handshake is timestamped, memory is read at that moment (a fetch sees
memory "as read at its fetch"), and the burst's four R beats are queued `latency` cycles
later, so bursts overlap and the first beat follows the AR handshake by `latency` cycles when
nothing is ahead of it (L in §7).

Knobs:
* `latency`: cycles from the AR handshake to the first R beat (>= 1).
* `set_backpressure(ar=..., r=...)`: iterables of 0/1 per cycle (1 = pause): arready low /
  rvalid gaps; None removes the pattern.
* RRESP errors: `memory.fail_reads(addr, length)`; each 4-byte beat that overlaps a failing
  range is answered SLVERR with data 0 (so an error on one beat only is possible).

`fetches` records every burst (cycle of the AR handshake, address, per-beat (data, resp));
`problems` lists §7 burst-shape violations (arlen 3, arsize 2, INCR, 16-byte aligned), which a
test must check is empty.
"""

from __future__ import annotations

import collections
import logging
from dataclasses import dataclass, field

import cocotb
from cocotb.triggers import RisingEdge
from cocotbext.axi import AxiARBus, AxiRBus
from cocotbext.axi.axi_channels import AxiARSink, AxiRSource

from models.memory import HostMemory, MemoryReadError

OKAY, SLVERR = 0, 2
BEATS = 4


@dataclass
class Fetch:
    cycle: int                 # AR handshake (the target's cycle count)
    addr: int
    beats: list = field(default_factory=list)   # (data, resp) per beat

    @property
    def error(self) -> bool:
        return any(resp != OKAY for _, resp in self.beats)


def burst_problems(cycle: int, addr: int, arlen: int, arsize: int, arburst: int) -> list[str]:
    """§7: a fetch is one INCR burst of four 32-bit beats at a 16-byte aligned address."""
    out = []
    if arlen != BEATS - 1:
        out.append(f"cycle {cycle}: arlen={arlen}, §7 wants 3 (four beats)")
    if arsize != 2:
        out.append(f"cycle {cycle}: arsize={arsize}, §7 wants 2 (32-bit beats)")
    if arburst != 1:
        out.append(f"cycle {cycle}: arburst={arburst}, §7 wants INCR (1)")
    if addr & 0xF:
        out.append(f"cycle {cycle}: araddr=0x{addr:x} not 16-byte aligned (§7)")
    return out


class MemReadTarget:
    def __init__(self, dut, clk, rst, memory: HostMemory, prefix: str = "m_axi", latency: int = 4,
                 reset_active_level: bool = True):
        if latency < 1:
            raise ValueError("latency must be >= 1 cycle")
        self.memory = memory
        self.latency = latency
        self.clk = clk
        self.ar = AxiARSink(AxiARBus.from_prefix(dut, prefix), clk, rst, reset_active_level)
        self.r = AxiRSource(AxiRBus.from_prefix(dut, prefix), clk, rst, reset_active_level)
        self.ar.log.setLevel(logging.WARNING)
        self.r.log.setLevel(logging.WARNING)
        self.r.queue_occupancy_limit = 64
        self.cycle = 0
        self.fetches: list[Fetch] = []
        self.problems: list[str] = []
        self._due: collections.deque = collections.deque()
        cocotb.start_soon(self._count())
        cocotb.start_soon(self._take_ar())
        cocotb.start_soon(self._send_r())

    def set_backpressure(self, ar=None, r=None) -> None:
        self.ar.set_pause_generator(iter(ar) if ar is not None else None)
        self.r.set_pause_generator(iter(r) if r is not None else None)

    def clear(self) -> None:
        self.fetches.clear()
        self.problems.clear()

    async def _count(self):
        while True:
            await RisingEdge(self.clk)
            self.cycle += 1

    def _read_beats(self, addr: int) -> list:
        beats = []
        for k in range(BEATS):
            try:
                beats.append((self.memory.read32((addr + 4 * k) & ((1 << 64) - 1)), OKAY))
            except MemoryReadError:
                beats.append((0, SLVERR))
        return beats

    async def _take_ar(self):
        while True:
            ar = await self.ar.recv()
            cycle = self.cycle
            addr = int(ar.araddr)
            self.problems += burst_problems(cycle, addr, int(ar.arlen), int(ar.arsize), int(ar.arburst))
            f = Fetch(cycle, addr, self._read_beats(addr & ~0xF))
            self.fetches.append(f)
            self._due.append((cycle + self.latency, int(getattr(ar, "arid", 0)), f))

    async def _send_r(self):
        while True:
            await RisingEdge(self.clk)
            # queued one cycle ahead: the source drives the beat on the next edge
            while self._due and self._due[0][0] <= self.cycle + 1:
                _, arid, f = self._due.popleft()
                for k, (data, resp) in enumerate(f.beats):
                    t = self.r._transaction_obj()
                    t.rid = arid
                    t.rdata = data
                    t.rresp = resp
                    t.rlast = int(k == BEATS - 1)
                    self.r.send_nowait(t)
