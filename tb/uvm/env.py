"""pyuvm environment of the IMS block: agents, monitors, scoreboard component.

Agents
  RegisterAgent  cocotbext-axi AxiLiteMaster on s_axil_*, exposed as an async RegisterAccess
                 (read32/write32, plus write8 for single-byte strobes) that the models' Linux IMS
                 irq_chip uses to mask / write-message / unmask through the RTL.
  TriggerAgent   sequencer + driver on s_irq_*; items are bursts of (slot, pasid) with an idle
                 gap per trigger, so "clients" carrying PASIDs and idle patterns are sequences.
  MemoryAgent    answers the message writes on m_axi_*: either cocotbext-axi's AxiSlaveWrite
                 (pause generators on AW and W, BRESP errors by making the target refuse the
                 write, which AxiSlaveWrite answers with SLVERR) or the "lean" per-edge slave.
Monitor
  EdgeMonitor    one coroutine per clock edge that samples the s_irq and s_axil handshakes (and,
                 in lean mode, drives m_axi ready/B and samples AW/W itself), stamps events with
                 the cycle number and publishes them in batches on an analysis port.
Scoreboard
  ScoreboardComponent  uvm_subscriber around tb.uvm.scoreboard.ImsScoreboard.

Cycle numbers count rising edges of clk since the monitor started; a handshake "at cycle c" is
sampled just after edge c (cocotb reads the values the flops saw at that edge).
"""

from __future__ import annotations

import itertools
import os
import random
from collections import deque

import cocotb
from cocotb.triggers import ClockCycles, Event, RisingEdge, Timer
from cocotbext.axi import AxiLiteBus, AxiLiteMaster, AxiSlaveWrite, AxiWriteBus
from models.regmap import PENDING_STRIDE, REG_STATUS, STATUS_BUSY
from models.regs import load as load_regs
from pyuvm import (ConfigDB, uvm_agent, uvm_analysis_port, uvm_component, uvm_driver, uvm_env,
                   uvm_sequence_item, uvm_sequencer, uvm_subscriber)

from models.errors import BusError
from tb.uvm.config import EnvConfig
from tb.uvm.coverage import BACKPRESSURE_WINDOW, ImsCoverage
from tb.uvm.scoreboard import COUNTERS, REG_PENDING, ImsScoreboard

BATCH_CYCLES = 256   # lean mode: events reach the scoreboard at least this often


def _fast_reader(handle):
    """A zero-argument function returning the signal as an int.

    cocotb's `handle.value` builds a LogicArray per read; the lean loop reads ~10 signals per
    cycle, so it asks the simulator for the bit string directly. X/Z bits raise ValueError
    (an unknown on a handshake signal is a DUT bug worth stopping for)."""
    raw = getattr(handle, "_handle", None)
    if raw is None or not hasattr(raw, "get_signal_val_binstr"):
        return lambda: int(handle.value)
    get = raw.get_signal_val_binstr
    return lambda: int(get(), 2)


def _bit_reader(handle):
    """A zero-argument function: True when a 1-bit signal is 1 (X/Z read as False). For
    coverage sampling, which must not stop a run on the unknowns before the first reset."""
    raw = getattr(handle, "_handle", None)
    if raw is None or not hasattr(raw, "get_signal_val_binstr"):
        return lambda: str(handle.value) == "1"
    get = raw.get_signal_val_binstr
    return lambda: get() == "1"


# --------------------------------------------------------------------------- register agent
class RegisterAccessAdapter:
    """models.linux.ims.RegisterAccess over the RTL's AXI-Lite port (SLVERR raises BusError)."""

    def __init__(self, master: AxiLiteMaster, monitor: "EdgeMonitor") -> None:
        self.master = master
        self.monitor = monitor
        self.accesses = 0

    async def read32(self, offset: int) -> int:
        self.monitor.axil_begin()
        try:
            r = await self.master.read(offset, 4)
        finally:
            self.monitor.axil_end()
        self.accesses += 1
        if int(r.resp) != 0:
            raise BusError(f"read {offset:#x}: resp {int(r.resp)}")
        return int.from_bytes(r.data, "little")

    async def write32(self, offset: int, value: int) -> None:
        await self._write(offset, value.to_bytes(4, "little"))

    async def write8(self, offset: int, value: int) -> None:
        """One byte lane (WSTRB has one bit set): e.g. a slot CTRL byte 0 write."""
        await self._write(offset, bytes([value & 0xFF]))

    async def _write(self, offset: int, data: bytes) -> None:
        self.monitor.axil_begin()
        try:
            r = await self.master.write(offset, data)
        finally:
            self.monitor.axil_end()
        self.accesses += 1
        if int(r.resp) != 0:
            raise BusError(f"write {offset:#x}: resp {int(r.resp)}")


class RegisterAgent(uvm_agent):
    def build_phase(self):
        self.cfg: EnvConfig = ConfigDB().get(self, "", "cfg")
        self.dut = ConfigDB().get(self, "", "dut")

    def start(self, monitor: "EdgeMonitor") -> None:
        dut = self.dut
        self.master = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
        self.regs = RegisterAccessAdapter(self.master, monitor)


# ---------------------------------------------------------------------------- trigger agent
class TriggerItem(uvm_sequence_item):
    """A burst of triggers: triggers[k] = (index, pasid or None), offered after gaps[k] idle cycles."""

    def __init__(self, name="triggers", triggers=None, gaps=None):
        super().__init__(name)
        self.triggers = list(triggers or [])
        self.gaps = list(gaps) if gaps is not None else [0] * len(self.triggers)

    def __str__(self):
        return f"{len(self.triggers)} triggers"


def idle_gaps(rng: random.Random, n: int, pattern: str) -> list[int]:
    """Idle cycles before each trigger: back-to-back, random, or bursts separated by pauses."""
    if pattern == "none":
        return [0] * n
    if pattern == "random":
        return [rng.choice((0, 0, 1, 2, 5)) for _ in range(n)]
    if pattern == "bursty":
        return [rng.randint(8, 40) if rng.random() < 0.06 else 0 for _ in range(n)]
    raise ValueError(f"unknown idle pattern {pattern!r}")


class TriggerPayload:
    """Drives s_irq_index / s_irq_pasid_valid / s_irq_pasid, writing a handle only when its
    value changes (handle writes are what a per-edge loop pays for). Shared by the trigger
    driver and the lean per-edge loop so both present a trigger the same way."""

    __slots__ = ("_index_h", "_pv_h", "_pasid_h", "_index", "_pv", "_pasid")

    def __init__(self, dut) -> None:
        self._index_h, self._pv_h, self._pasid_h = dut.s_irq_index, dut.s_irq_pasid_valid, dut.s_irq_pasid
        self._index = self._pv = self._pasid = None

    def present(self, index: int, pasid: int | None) -> None:
        if index != self._index:
            self._index_h.value = self._index = index
        pv = 0 if pasid is None else 1
        if pv != self._pv:
            self._pv_h.value = self._pv = pv
        if pv and pasid != self._pasid:
            self._pasid_h.value = self._pasid = pasid


class TriggerDriver(uvm_driver):
    def build_phase(self):
        self.dut = ConfigDB().get(self, "", "dut")
        self.offered = 0
        self.idle = True

    async def run_phase(self):
        dut = self.dut
        clk = dut.clk
        valid, ready = dut.s_irq_valid, dut.s_irq_ready
        payload = TriggerPayload(dut)
        valid.value = 0
        edge = RisingEdge(clk)
        monitor = ConfigDB().get(self, "", "monitor")
        while True:
            item = await self.seq_item_port.get_next_item()
            self.idle = False
            if monitor.lean:
                # Lean mode: the monitor's per-edge loop drives s_irq too (one coroutine
                # wake-up per cycle instead of two); this driver only hands over the burst.
                await monitor.lean_offer(item.triggers, item.gaps)
                self.offered += len(item.triggers)
                self.idle = True
                self.seq_item_port.item_done()
                continue
            for (index, pasid), gap in zip(item.triggers, item.gaps):
                if gap:
                    valid.value = 0
                    for _ in range(gap):
                        await edge
                payload.present(index, pasid)
                valid.value = 1
                await edge
                while not ready.value:
                    await edge
                self.offered += 1
            valid.value = 0
            self.idle = True
            self.seq_item_port.item_done()


class TriggerAgent(uvm_agent):
    def build_phase(self):
        self.seqr = uvm_sequencer("seqr", self)
        self.driver = TriggerDriver("driver", self)

    def connect_phase(self):
        self.driver.seq_item_port.connect(self.seqr.seq_item_export)


# ----------------------------------------------------------------------------- memory agent
class MessageTarget:
    """AxiSlaveWrite's target: publishes each completed message write, refuses some (SLVERR)."""

    def __init__(self, agent: "MemoryAgent") -> None:
        self.agent = agent

    async def write(self, address: int, data: bytes) -> None:
        a = self.agent
        cycle = a.monitor.cycle
        value = int.from_bytes(data, "little")
        error = a.error_rng.random() < a.cfg.bresp_error_rate
        a.monitor.publish_message(cycle, address, value, 2 if error else 0, len(data))
        if error:
            raise OSError("injected write error")   # AxiSlaveWrite answers SLVERR


class MemoryAgent(uvm_agent):
    """The host memory side of m_axi_*; see the module docstring for the two modes."""

    def build_phase(self):
        self.cfg: EnvConfig = ConfigDB().get(self, "", "cfg")
        self.dut = ConfigDB().get(self, "", "dut")
        # Separate generators so that changing one knob does not reshuffle the others.
        self.error_rng = random.Random(self.cfg.test_seed * 7 + 1)
        self.slave = None

    def start(self, monitor: "EdgeMonitor") -> None:
        self.monitor = monitor
        if self.cfg.lean:
            monitor.enable_lean_memory(self.cfg, random.Random(self.cfg.test_seed * 7 + 1))
            return
        dut = self.dut
        self.slave = AxiSlaveWrite(AxiWriteBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst,
                                   target=MessageTarget(self))
        self.slave.aw_channel.set_pause_generator(
            itertools.cycle([not r for r in self.cfg.aw_ready_pattern]))
        self.slave.w_channel.set_pause_generator(
            itertools.cycle([not r for r in self.cfg.w_ready_pattern]))


# ---------------------------------------------------------------------------------- monitor
class EdgeMonitor(uvm_component):
    """Per-edge sampler of every interface; publishes event tuples in batches (see module doc).

    Events: ("T", cycle, index, pasid|None)    trigger handshake
            ("RQ", cycle, offset, value, strb)  AXI-Lite write request complete (AW and W)
            ("RS", cycle, bresp)               AXI-Lite BVALID first seen
            ("RR", cycle, offset, data, rresp)  AXI-Lite read answered
            ("M", cycle, addr, data, bresp)    message write (AW and W done); bresp we answer
            ("RST", cycle)                     reset asserted
    """

    def build_phase(self):
        self.cfg: EnvConfig = ConfigDB().get(self, "", "cfg")
        self.dut = ConfigDB().get(self, "", "dut")
        self.ap = uvm_analysis_port("ap", self)
        self.cycle = 0
        self.events: list = []
        self.axil_active = 0
        self.axil_tail = 0
        self.in_reset = False
        self.lean = False
        self.last_message_cycle = 0
        self.protocol_errors: list[str] = []
        self._aw_q: list = []
        self._w_q: list = []
        self._ar_q: list = []
        self._b_seen = False
        self.coverage: ImsCoverage | None = None   # set by the env (backpressure sampling)
        # AW/W stalled and valid cycles of the current coverage window
        self._bp = [0, 0, 0, 0]

    # -- called by the agents
    def axil_begin(self):
        self.axil_active += 1

    def axil_end(self):
        self.axil_active -= 1
        self.axil_tail = 3   # the B/R handshake edge may be processed after the master wakes

    def publish_message(self, cycle, addr, data, bresp, nbytes=4):
        if nbytes != 4:
            self.protocol_errors.append(f"cycle {cycle}: message write of {nbytes} bytes at {addr:#x}")
        self.last_message_cycle = cycle
        self.flush()
        self.ap.write([("M", cycle, addr, data, bresp)])

    def flush(self):
        # The run loop holds a reference to this list: copy and clear, never rebind.
        if self.events:
            ev = self.events[:]
            self.events.clear()
            self.ap.write(ev)

    def mark_reset(self, asserted: bool):
        self.in_reset = asserted
        if asserted:
            self.flush()
            self.events.append(("RST", self.cycle))
            self.flush()
            self._aw_q.clear(); self._w_q.clear(); self._ar_q.clear(); self._b_seen = False
            if self.lean:
                self._lean_reset()

    # -- lean memory slave
    def enable_lean_memory(self, cfg: EnvConfig, rng: random.Random):
        self.lean = True
        self._drive_plan: deque = deque()
        self._drive_done = Event()
        self._aw_pat = [int(bool(x)) for x in cfg.aw_ready_pattern]
        self._w_pat = [int(bool(x)) for x in cfg.w_ready_pattern]
        self._err_rng = rng
        self._lean_reset()

    async def lean_offer(self, triggers, gaps) -> None:
        """Queue a burst for the lean loop to drive; returns when all were accepted."""
        plan = self._drive_plan
        for (index, pasid), gap in zip(triggers, gaps):
            plan.extend([None] * gap)          # None: one idle cycle
            plan.append((index, pasid))
        self._drive_done.clear()
        await self._drive_done.wait()

    def _lean_reset(self):
        self._m_aw: list = []
        self._m_w: list = []
        self._m_b: list = []     # bresp owed, in order
        self._bvalid = 0
        self._bresp = 0
        self._awr = self._wr = 0
        self.lean_idle_outputs()

    async def run_phase(self):
        dut = self.dut
        edge = RisingEdge(dut.clk)
        ev = self.events
        irq_valid, irq_ready = dut.s_irq_valid, dut.s_irq_ready
        irq_index, irq_pv, irq_pasid = dut.s_irq_index, dut.s_irq_pasid_valid, dut.s_irq_pasid
        ax = {n: getattr(dut, f"s_axil_{n}") for n in (
            "awvalid", "awready", "awaddr", "wvalid", "wready", "wdata", "wstrb", "bvalid",
            "bready", "bresp", "arvalid", "arready", "araddr", "rvalid", "rready", "rdata", "rresp")}
        m = {n: getattr(dut, f"m_axi_{n}") for n in (
            "awvalid", "awready", "awaddr", "awlen", "awsize", "awburst", "awid", "wvalid",
            "wready", "wdata", "wstrb", "wlast", "bvalid", "bready", "bresp", "bid")}
        if self.lean:
            await self._run_lean(ax, m)
            return
        r_awvalid, r_awready = _bit_reader(m["awvalid"]), _bit_reader(m["awready"])
        r_wvalid, r_wready = _bit_reader(m["wvalid"]), _bit_reader(m["wready"])
        bp = self._bp
        while True:
            await edge
            self.cycle = cycle = self.cycle + 1
            if self.in_reset:
                continue
            # Backpressure coverage: cycles with valid high, and those of them with ready low.
            if r_awvalid():
                bp[1] += 1
                if not r_awready():
                    bp[0] += 1
            if r_wvalid():
                bp[3] += 1
                if not r_wready():
                    bp[2] += 1
            if not cycle % BACKPRESSURE_WINDOW:
                self._backpressure_window()
            # s_axil first (only sampled while the register agent is busy: saves reads per
            # cycle): a write whose request completes at this edge opens its window before a
            # trigger accepted at the same edge is judged, since the RTL may already apply it.
            if self.axil_active or self.axil_tail:
                if not self.axil_active:
                    self.axil_tail -= 1
                self._sample_axil(ax, cycle)
            # s_irq
            if irq_valid.value and irq_ready.value:
                pasid = int(irq_pasid.value) if irq_pv.value else None
                ev.append(("T", cycle, int(irq_index.value), pasid))
            if ev:
                self.flush()

    async def _run_lean(self, ax, m):
        """The lean loop: one wake-up per clock edge drives s_irq and the m_axi slave side and
        samples every handshake. Reads go through `_fast_reader` (plain ints, no LogicArray
        objects); writes happen only when a value changes; events are handed over in batches.

        AXI checks sampled: awlen/awsize/awburst/wstrb/wlast are read on the first 256
        messages and then on every 16th (they are constants in any sane RTL and reading them
        on every beat would cost a third of the loop); every other check is per message."""
        dut = self.dut
        edge = RisingEdge(dut.clk)
        ev = self.events
        r_ivalid, r_iready = _fast_reader(dut.s_irq_valid), _fast_reader(dut.s_irq_ready)
        r_index, r_pv, r_pasid = (_fast_reader(dut.s_irq_index), _fast_reader(dut.s_irq_pasid_valid),
                                  _fast_reader(dut.s_irq_pasid))
        r_awvalid, r_awaddr, r_awid = (_fast_reader(m["awvalid"]), _fast_reader(m["awaddr"]),
                                       _fast_reader(m["awid"]))
        r_wvalid, r_wdata = _fast_reader(m["wvalid"]), _fast_reader(m["wdata"])
        r_bready = _fast_reader(m["bready"])
        # Stall sampling for coverage reads valid while ready is low, also before the first
        # reset, where a 4-state simulator shows X: those reads treat X as 0.
        s_awvalid, s_wvalid = _bit_reader(m["awvalid"]), _bit_reader(m["wvalid"])
        h_valid = dut.s_irq_valid
        payload = TriggerPayload(dut)
        h_awready, h_wready, h_bvalid, h_bresp, h_bid = (m["awready"], m["wready"], m["bvalid"],
                                                         m["bresp"], m["bid"])
        aw_pat, w_pat = self._aw_pat, self._w_pat
        aw_len, w_len = len(aw_pat), len(w_pat)
        err_rate = self.cfg.bresp_error_rate
        err_rng = self._err_rng
        plan = self._drive_plan
        cur = None                 # (index, pasid) being offered
        drv_valid = 0
        next_flush = BATCH_CYCLES
        n_msgs = 0
        awid = 0
        bp = self._bp
        while True:
            await edge
            self.cycle = cycle = self.cycle + 1
            if self.in_reset:
                cur = None     # an offer that was never accepted is simply withdrawn
                continue
            # --- s_axil first while the register agent is busy (see run_phase for why)
            if self.axil_active or self.axil_tail:
                if not self.axil_active:
                    self.axil_tail -= 1
                self._sample_axil(ax, cycle)
            # --- s_irq: sample the handshake, then decide what to offer next
            accepted = r_ivalid() and r_iready()
            if accepted:
                ev.append(("T", cycle, r_index(), r_pasid() if r_pv() else None))
                cur = None
            if cur is None:
                if plan:
                    nxt = plan.popleft()
                    if nxt is None:
                        if drv_valid:
                            h_valid.value = drv_valid = 0
                    else:
                        cur = nxt
                        payload.present(*nxt)
                        if not drv_valid:
                            h_valid.value = drv_valid = 1
                else:
                    if drv_valid:
                        h_valid.value = drv_valid = 0
                    if not self._drive_done.is_set():
                        self._drive_done.set()
            # --- m_axi slave side
            if self._awr:
                if r_awvalid():
                    bp[1] += 1
                    if n_msgs < 256 or not n_msgs & 15:
                        awid = r_awid()
                        self._check_aw(m, cycle)
                    self._m_aw.append(r_awaddr())
            elif s_awvalid():
                bp[0] += 1      # stalled: counted as a valid cycle too
                bp[1] += 1
            if not self._wr:
                if s_wvalid():
                    bp[2] += 1
                    bp[3] += 1
            elif r_wvalid():
                bp[3] += 1
                if n_msgs < 256 or not n_msgs & 15:
                    wstrb, wlast = int(m["wstrb"].value), int(m["wlast"].value)
                    if wstrb != 0xF or not wlast:
                        self.protocol_errors.append(f"cycle {cycle}: W beat wstrb={wstrb:#x} wlast={wlast}")
                self._m_w.append(r_wdata())
            if self._m_aw and self._m_w:
                bresp = 2 if err_rate and err_rng.random() < err_rate else 0
                ev.append(("M", cycle, self._m_aw.pop(0), self._m_w.pop(0), bresp))
                self._m_b.append(bresp)
                self.last_message_cycle = cycle
                n_msgs += 1
            if self._bvalid and r_bready():
                self._m_b.pop(0)
                if self._m_b:
                    if self._m_b[0] != self._bresp:
                        h_bresp.value = self._bresp = self._m_b[0]
                else:
                    h_bvalid.value = self._bvalid = 0
            elif not self._bvalid and self._m_b:
                h_bid.value = awid
                if self._m_b[0] != self._bresp:
                    h_bresp.value = self._bresp = self._m_b[0]
                h_bvalid.value = self._bvalid = 1
            awr = aw_pat[cycle % aw_len]
            if awr != self._awr:
                h_awready.value = self._awr = awr
            wr = w_pat[cycle % w_len]
            if wr != self._wr:
                h_wready.value = self._wr = wr
            if not cycle % BACKPRESSURE_WINDOW:
                self._backpressure_window()
            if cycle >= next_flush or self.axil_active:
                next_flush = cycle + BATCH_CYCLES
                self.flush()

    def _backpressure_window(self):
        bp = self._bp
        if self.coverage is not None and (bp[1] or bp[3]):
            self.coverage.on_backpressure(*bp)
        bp[:] = [0, 0, 0, 0]

    def _sample_axil(self, ax, cycle):
        ev = self.events
        if ax["awvalid"].value and ax["awready"].value:
            self._aw_q.append(int(ax["awaddr"].value))
        if ax["wvalid"].value and ax["wready"].value:
            self._w_q.append((int(ax["wdata"].value), int(ax["wstrb"].value)))
        while self._aw_q and self._w_q:
            addr = self._aw_q.pop(0)
            data, strb = self._w_q.pop(0)
            ev.append(("RQ", cycle, addr, data, strb))
        if ax["bvalid"].value:
            if not self._b_seen:
                ev.append(("RS", cycle, int(ax["bresp"].value)))
                self._b_seen = True
            if ax["bready"].value:
                self._b_seen = False
        if ax["arvalid"].value and ax["arready"].value:
            self._ar_q.append(int(ax["araddr"].value))
        if ax["rvalid"].value and ax["rready"].value and self._ar_q:
            ev.append(("RR", cycle, self._ar_q.pop(0), int(ax["rdata"].value), int(ax["rresp"].value)))

    def _check_aw(self, m, cycle):
        # One-beat INCR writes of 4 bytes (contract §1). Read only on an AW handshake.
        awlen, awsize, awburst = int(m["awlen"].value), int(m["awsize"].value), int(m["awburst"].value)
        if (awlen, awsize, awburst) != (0, 2, 1):
            self.protocol_errors.append(
                f"cycle {cycle}: AW awlen={awlen} awsize={awsize} awburst={awburst}, expected 0/2/1")

    def lean_idle_outputs(self):
        m = self.dut
        m.m_axi_awready.value = 0
        m.m_axi_wready.value = 0
        m.m_axi_bvalid.value = 0
        m.m_axi_bresp.value = 0
        m.m_axi_bid.value = 0


# ------------------------------------------------------------------------------- scoreboard
class ScoreboardComponent(uvm_subscriber):
    """Feeds the monitor's event batches to ImsScoreboard, in order."""

    def build_phase(self):
        self.cfg: EnvConfig = ConfigDB().get(self, "", "cfg")
        self.sb = ImsScoreboard(self.cfg.num_slots, platform=None, sid=self.cfg.requester_id,
                                axil_addr_width=self.cfg.axil_addr_width,
                                irq_index_width=self.cfg.irq_index_width, repro=self.cfg.repro(),
                                log=self.logger)
        self.coverage = ImsCoverage(self.cfg.num_slots)
        self.sb.coverage = self.coverage
        self.tap = None   # fault injection hook: fn(event) -> event | None
        # IMS_UVM_TRACE=FIRST:LAST logs every monitor event in that cycle range (debugging a
        # mismatch: rerun with its seed and the cycles around the one in the report).
        lo, _, hi = os.environ.get("IMS_UVM_TRACE", "").partition(":")
        self.trace = (int(lo), int(hi)) if lo and hi else None

    def write(self, batch):
        sb = self.sb
        tap = self.tap
        trace = self.trace
        for e in batch:
            if trace is not None and trace[0] <= e[1] <= trace[1]:
                self.logger.info("event " + " ".join(hex(x) if isinstance(x, int) and x > 255 else str(x) for x in e)
                                 + f"  worlds={len(sb.worlds)}")
            if tap is not None:
                e = tap(e)
                if e is None:
                    continue
            k = e[0]
            if k == "T":
                sb.trigger(e[1], e[2], e[3])
            elif k == "M":
                sb.message(e[1], e[2], e[3])
                sb.message_response(e[1], e[4])
            elif k == "RQ":
                sb.reg_write_request(e[1], e[2], e[3], e[4])
            elif k == "RS":
                sb.reg_write_response(e[1], e[2])
            elif k == "RR":
                sb.reg_read(e[1], e[2], e[3], e[4])
            elif k == "RST":
                sb.reset(e[1])


# -------------------------------------------------------------------------------------- env
class ImsEnv(uvm_env):
    def build_phase(self):
        self.cfg: EnvConfig = ConfigDB().get(self, "", "cfg")
        self.dut = ConfigDB().get(self, "", "dut")
        self.reg_agent = RegisterAgent("reg_agent", self)
        self.trigger_agent = TriggerAgent("trigger_agent", self)
        self.mem_agent = MemoryAgent("mem_agent", self)
        self.monitor = EdgeMonitor("monitor", self)
        ConfigDB().set(None, "*", "monitor", self.monitor)
        self.scoreboard = ScoreboardComponent("scoreboard", self)

    def connect_phase(self):
        self.monitor.ap.connect(self.scoreboard.analysis_export)
        self.monitor.coverage = self.scoreboard.coverage

    def start_of_simulation_phase(self):
        dut = self.dut
        dut.rst.value = 1
        dut.s_irq_valid.value = 0
        if self.cfg.lean:
            self.monitor.lean_idle_outputs()
        self.reg_agent.start(self.monitor)
        self.mem_agent.start(self.monitor)

    @property
    def regs(self) -> RegisterAccessAdapter:
        return self.reg_agent.regs

    @property
    def sb(self) -> ImsScoreboard:
        return self.scoreboard.sb

    async def reset_dut(self, cycles: int = 8) -> None:
        """Synchronous reset; the scoreboard forgets what was owed (the contract allows loss)."""
        dut = self.dut
        dut.rst.value = 1
        # Handshakes at the first edge that samples rst=1 still happen (the readies were high
        # before it): they belong to the old history. Let everything that edge wakes up
        # (cocotbext-axi delivers the write to its target in that time step) report first.
        await RisingEdge(dut.clk)
        await Timer(1, unit="ps")
        self.monitor.mark_reset(True)
        await ClockCycles(dut.clk, max(1, cycles - 1))
        dut.rst.value = 0
        await RisingEdge(dut.clk)
        self.monitor.mark_reset(False)

    async def wait_not_busy(self, max_cycles: int = 200_000) -> None:
        for _ in range(max_cycles // 16):
            if not (await self.regs.read32(REG_STATUS)) & STATUS_BUSY:
                return
            await ClockCycles(self.dut.clk, 16)
        raise AssertionError(f"STATUS.BUSY still set {max_cycles} cycles after reset")

    async def drain(self, quiet_cycles: int = 48, max_cycles: int = 20_000) -> bool:
        """Wait until triggers are all offered, nothing is owed and the bus has been quiet."""
        clk = self.dut.clk
        drv = self.trigger_agent.driver
        waited = 0
        while waited < max_cycles:
            await ClockCycles(clk, 16)
            waited += 16
            self.monitor.flush()
            sb = self.sb
            owed = sum(len(w.direct) + len(w.replays) for w in sb.worlds)
            if drv.idle and not owed and not sb.held and \
                    self.monitor.cycle - self.monitor.last_message_cycle >= quiet_cycles:
                return True
        return False

    async def settle_histories(self, max_cycles: int = 400) -> None:
        """Wait (traffic may go on) until the observations have decided every timing window,
        i.e. the scoreboard is back to one possible history. Storm sequences call this
        between bursts of register writes so the set of histories stays small."""
        for _ in range(max_cycles // 8):
            self.monitor.flush()
            if len(self.sb.worlds) == 1:
                return
            await ClockCycles(self.dut.clk, 8)

    async def final_check(self) -> None:
        """Read CNT_* and PENDING through the RTL and compare with the model."""
        await self.drain()
        counters = {}
        for name, off in COUNTERS.items():
            counters[name] = await self.regs.read32(off)
        pending = []
        for k in range(load_regs(self.cfg.num_slots, self.cfg.axil_addr_width).PENDING.count):
            pending.append(await self.regs.read32(REG_PENDING + PENDING_STRIDE * k))
        await ClockCycles(self.dut.clk, 4)
        self.monitor.flush()
        self.sb.final_check(self.monitor.cycle, counters, pending)
        for text in self.monitor.protocol_errors[:10]:
            self.sb.error("AXI_PROTOCOL", self.monitor.cycle, text)
