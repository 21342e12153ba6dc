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
  range is answered SLVERR with data 0 (so an error on one beat only is possible). That is
  per-entry injection (every fetch of the entry fails). Per-fetch injection: `fail_fetch(n,
  addr) -> beat or None`, asked once per fetch (n counts fetches from 0): a beat number
  answers that one beat SLVERR (data 0) whatever memory holds, None leaves the fetch alone.
* `memory` may be replaced between fetches (the pyuvm environment hands it the platform's).

`FetchMonitor` is the passive side: it samples the AR and R handshakes each edge (stepped by
the bench's EdgeSampler, so fetches are time-stamped on the same edge counter as everything
else) and publishes one tb.transactions.FetchTxn per burst at its last beat.

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
        self.fail_fetch = None          # per-fetch error injection, see the module doc
        self.injected = 0               # fetches answered with an injected error
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
            if self.fail_fetch is not None:
                beat = self.fail_fetch(len(self.fetches), addr)
                if beat is not None:
                    f.beats[beat] = (0, SLVERR)
                    self.injected += 1
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


class FetchMonitor:
    """AR/R handshakes of the entry-fetch read master -> FetchTxn (see the module doc).
    Responses are taken in AR order (the block's arid may be constant, §7, and the target
    answers in order); `problems` collects burst-shape and protocol violations."""

    def __init__(self, dut, prefix: str, publish) -> None:
        from tb.transactions import FetchTxn   # (kept local: the target is used without it)
        self._txn = FetchTxn
        self.publish = publish
        g = lambda n: getattr(dut, f"{prefix}_{n}")   # noqa: E731
        self.arvalid, self.arready, self.araddr = g("arvalid"), g("arready"), g("araddr")
        self.arlen, self.arsize, self.arburst = g("arlen"), g("arsize"), g("arburst")
        self.rvalid, self.rready, self.rdata = g("rvalid"), g("rready"), g("rdata")
        self.rresp, self.rlast = g("rresp"), g("rlast")
        self.problems: list[str] = []
        self.count = 0
        self.errors = 0
        self.last_cycle = -1
        self.reset()

    def reset(self) -> None:
        self._ar: collections.deque = collections.deque()   # (cycle, addr) awaiting R beats
        self._beats: list = []

    @property
    def outstanding(self) -> int:
        return len(self._ar)

    def sample(self, cycle: int, in_reset: bool) -> None:
        if in_reset:
            return
        if self.arvalid.value and self.arready.value:
            addr = int(self.araddr.value)
            self.problems += burst_problems(cycle, addr, int(self.arlen.value), int(self.arsize.value),
                                            int(self.arburst.value))
            self._ar.append((cycle, addr))
        if self.rvalid.value and self.rready.value:
            if not self._ar:
                self.problems.append(f"cycle {cycle}: R beat with no fetch outstanding")
                return
            self._beats.append((int(self.rdata.value), int(self.rresp.value)))
            last = int(self.rlast.value)
            if last != (len(self._beats) == BEATS):
                self.problems.append(f"cycle {cycle}: rlast={last} on beat {len(self._beats)} of a "
                                     f"{BEATS}-beat fetch")
            if len(self._beats) == BEATS:
                ar_cycle, addr = self._ar.popleft()
                words = tuple(d for d, _ in self._beats)
                resps = tuple(r for _, r in self._beats)
                self._beats = []
                t = self._txn(cycle, ar_cycle, addr, words, resps)
                self.count += 1
                self.errors += t.error
                self.last_cycle = cycle
                self.publish(t)
