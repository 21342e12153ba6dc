"""pyuvm agents of the IMS interfaces, built on the shared interface components.

  RegisterAgent       sequencer + driver (cocotbext-axi AxiLiteMaster) + monitor on the AXI-Lite
                      port. Every access is an AxiLiteItem through the sequencer: the register
                      layer's adapter (tb/uvm/reg_model.py) and the Linux model's RegisterAccess
                      (`agent.regs`, read32/write32/write8) both use it.
  TriggerAgent        sequencer + driver (tb/trigger_stream.py TriggerSource) + monitor
                      (TriggerMonitor). Items are bursts of (index, pasid) with idle gaps.
  MessageMonitorAgent passive: tb/axi_message.py MessageMonitor, every AW/W/B rule.
  MemoryAgent         the memory side of the message port: tb/axi_message.py MemoryTarget
                      (BRESP and pacing) with cocotbext-axi's AxiSlaveWrite, or in lean mode
                      the tb/lean_stream.py driver/monitor pair (which then also drives and
                      samples the trigger stream, one step per edge). In a build with memory
                      entries (contract §7) it also serves the entry fetches of the read
                      master from host memory (tb/mem_read_target.py MemReadTarget: read
                      latency, AR/R pauses, per-entry and per-fetch RRESP errors) and
                      publishes every fetch it saw (FetchMonitor) on `fetch_ap`.

Monitors publish typed transactions (tb/transactions.py) on their analysis port `ap`; the lean
monitor publishes lists of them (batches). Per-edge work is stepped by the env's EdgeSampler.
"""

from __future__ import annotations

import itertools
import random

from cocotbext.axi import AxiLiteBus, AxiLiteMaster
from pyuvm import ConfigDB, uvm_agent, uvm_analysis_port, uvm_component, uvm_driver, uvm_sequence, \
    uvm_sequence_item, uvm_sequencer

from models.errors import BusError
from tb.axi_message import MemoryTarget, MessageMonitor
from tb.lean_stream import LeanStream
from tb.mem_read_target import FetchMonitor, MemReadTarget
from models.memory import HostMemory
from tb.transactions import RegReadTxn, RegWriteRespTxn, RegWriteTxn, Trigger
from tb.trigger_stream import TriggerBus, TriggerMonitor, TriggerSource
from tb.uvm.config import EnvConfig


# =========================================================================== register agent
class AxiLiteItem(uvm_sequence_item):
    """One AXI-Lite access: write (data, strb) or read; `resp` and read `data` filled by the driver."""

    def __init__(self, name: str = "axil", write: bool = False, addr: int = 0, data: int = 0,
                 strb: int = 0xF) -> None:
        super().__init__(name)
        self.write, self.addr, self.data, self.strb = write, addr, data, strb
        self.resp: int | None = None

    def __str__(self) -> str:
        kind = f"write {self.data:#010x} strb {self.strb:#x}" if self.write else "read"
        return f"{kind} @{self.addr:#x} -> resp {self.resp}" + ("" if self.write else f" data {self.data:#010x}")


def strb_lanes(strb: int) -> tuple[int, int]:
    """(first lane, byte count) of a contiguous WSTRB (cocotbext-axi derives WSTRB from the
    address and length, so only contiguous strobes can be issued)."""
    if not 0 < strb <= 0xF:
        raise ValueError(f"WSTRB {strb:#x}: must be a non-zero 4-bit mask")
    lanes = [k for k in range(4) if strb >> k & 1]
    if lanes != list(range(lanes[0], lanes[-1] + 1)):
        raise ValueError(f"WSTRB {strb:#x} is not contiguous; cocotbext-axi's AxiLiteMaster cannot issue it")
    return lanes[0], len(lanes)


class RegisterMonitor(uvm_component):
    """AXI-Lite handshakes -> RegWriteTxn (AW and W done), RegWriteRespTxn (BVALID first seen),
    RegReadTxn (R handshake). Sampled only while the driver is busy (plus a short tail: the
    B/R handshake edge may be processed after the master wakes), which saves reads per edge."""

    def build_phase(self):
        self.ap = uvm_analysis_port("ap", self)
        self.active = 0
        self.tail = 0
        self.sampler = None
        self.reset()

    def bind(self, dut, prefix: str, sampler) -> None:
        self.sampler = sampler
        self.ax = {n: getattr(dut, f"{prefix}_{n}") for n in (
            "awvalid", "awready", "awaddr", "wvalid", "wready", "wdata", "wstrb", "bvalid",
            "bready", "bresp", "arvalid", "arready", "araddr", "rvalid", "rready", "rdata", "rresp")}

    def begin(self) -> None:
        self.active += 1
        if self.sampler is not None:
            self.sampler.enable(self.sample, True)

    def end(self) -> None:
        self.active -= 1
        self.tail = 3

    def reset(self) -> None:
        self._aw_q: list = []
        self._w_q: list = []
        self._ar_q: list = []
        self._b_seen = False

    def _publish(self, txn) -> None:
        # Batching monitors hand over what they hold first: transactions arrive in edge order.
        self.sampler.flush()
        self.ap.write(txn)

    def sample(self, cycle: int, in_reset: bool) -> None:
        if not self.active:
            if not self.tail:
                self.sampler.enable(self.sample, False)    # idle: off the per-edge path
                return
            self.tail -= 1
        if in_reset:
            return
        ax = self.ax
        if ax["awvalid"].value and ax["awready"].value:
            self._aw_q.append(int(ax["awaddr"].value))
        if ax["wvalid"].value and ax["wready"].value:
            self._w_q.append((int(ax["wdata"].value), int(ax["wstrb"].value)))
        while self._aw_q and self._w_q:
            addr = self._aw_q.pop(0)
            data, strb = self._w_q.pop(0)
            self._publish(RegWriteTxn(cycle, addr, data, strb))
        if ax["bvalid"].value:
            if not self._b_seen:
                self._publish(RegWriteRespTxn(cycle, int(ax["bresp"].value)))
                self._b_seen = True
            if ax["bready"].value:
                self._b_seen = False
        if ax["arvalid"].value and ax["arready"].value:
            self._ar_q.append(int(ax["araddr"].value))
        if ax["rvalid"].value and ax["rready"].value and self._ar_q:
            self._publish(RegReadTxn(cycle, self._ar_q.pop(0), int(ax["rdata"].value), int(ax["rresp"].value)))


class RegisterDriver(uvm_driver):
    """Runs AxiLiteItems on the cocotbext-axi master; marks the monitor busy meanwhile."""

    def build_phase(self):
        self.accesses = 0

    def bind(self, master: AxiLiteMaster, monitor: RegisterMonitor) -> None:
        self.master, self.monitor = master, monitor

    async def run_phase(self):
        while True:
            item = await self.seq_item_port.get_next_item()
            self.monitor.begin()
            try:
                addr = item.addr & ~3
                if item.write:
                    first, n = strb_lanes(item.strb)
                    r = await self.master.write(addr + first, item.data.to_bytes(4, "little")[first:first + n])
                else:
                    r = await self.master.read(addr, 4)
                    item.data = int.from_bytes(r.data, "little")
                item.resp = int(r.resp)
            finally:
                self.monitor.end()
            self.accesses += 1
            self.seq_item_port.item_done()


class RegisterAccess:
    """models.linux.ims.RegisterAccess through the register agent's sequencer (SLVERR raises
    BusError), so the Linux model's accesses are sequence items like any other."""

    def __init__(self, seqr: uvm_sequencer) -> None:
        self._seq = uvm_sequence("linux_regs")
        self._seq.sequencer = seqr
        self.accesses = 0

    async def _run(self, item: AxiLiteItem) -> AxiLiteItem:
        await self._seq.start_item(item)
        await self._seq.finish_item(item)
        self.accesses += 1
        if item.resp != 0:
            kind = "write" if item.write else "read"
            raise BusError(f"{kind} {item.addr:#x}: resp {item.resp}")
        return item

    async def read32(self, offset: int) -> int:
        return (await self._run(AxiLiteItem("read32", write=False, addr=offset))).data

    async def write32(self, offset: int, value: int) -> None:
        await self._run(AxiLiteItem("write32", write=True, addr=offset, data=value & 0xFFFFFFFF))

    async def write8(self, offset: int, value: int) -> None:
        """One byte lane (WSTRB has one bit set): e.g. a slot CTRL byte 0 write."""
        lane = offset & 3
        await self._run(AxiLiteItem("write8", write=True, addr=offset & ~3,
                                    data=(value & 0xFF) << (8 * lane), strb=1 << lane))


class RegisterAgent(uvm_agent):
    def build_phase(self):
        self.seqr = uvm_sequencer.create("seqr", self)
        self.driver = RegisterDriver.create("driver", self)
        self.monitor = RegisterMonitor.create("monitor", self)

    def connect_phase(self):
        self.driver.seq_item_port.connect(self.seqr.seq_item_export)
        self.regs = RegisterAccess(self.seqr)

    def bind(self, dut, prefix: str, clk, rst, sampler, reset_active_level: bool = True) -> None:
        self.master = AxiLiteMaster(AxiLiteBus.from_prefix(dut, prefix), clk, rst,
                                    reset_active_level=reset_active_level)
        self.monitor.bind(dut, prefix, sampler)
        self.driver.bind(self.master, self.monitor)
        sampler.add(self.monitor.sample, enabled=False)   # the driver switches it on


# ============================================================================ trigger agent
class TriggerItem(uvm_sequence_item):
    """A burst of triggers: triggers[k] = (index, pasid or None), offered after gaps[k] idle cycles."""

    def __init__(self, name="triggers", triggers=None, gaps=None):
        super().__init__(name)
        # (index, pasid) pairs: with pasid None the PASID bus is left as it was (a don't-care).
        self.triggers = [t if isinstance(t, Trigger) else Trigger(t[0], t[1], None) for t in (triggers or [])]
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


class TriggerDriver(uvm_driver):
    """Hands each burst to the TriggerSource; item_done when every trigger was accepted."""

    def build_phase(self):
        self.source: TriggerSource | None = None

    @property
    def offered(self) -> int:
        return self.source.offered

    @property
    def idle(self) -> bool:
        return self.source.idle()

    async def run_phase(self):
        while True:
            item = await self.seq_item_port.get_next_item()
            self.source.send_burst(item.triggers, item.gaps)
            await self.source.wait_idle()
            self.seq_item_port.item_done()


class TriggerMonitorComponent(uvm_component):
    def build_phase(self):
        self.ap = uvm_analysis_port("ap", self)
        self.monitor: TriggerMonitor | None = None

    def bind(self, bus: TriggerBus) -> None:
        self.monitor = TriggerMonitor(bus, self.ap.write)


class TriggerAgent(uvm_agent):
    """`bind(..., step=False)`: another component (the lean pair) steps source and sampling."""

    def build_phase(self):
        self.seqr = uvm_sequencer.create("seqr", self)
        self.driver = TriggerDriver.create("driver", self)
        self.monitor = TriggerMonitorComponent.create("monitor", self)

    def connect_phase(self):
        self.driver.seq_item_port.connect(self.seqr.seq_item_export)

    def bind(self, dut, names: dict, sampler, step: bool = True) -> None:
        self.bus = TriggerBus(dut, names)
        self.source = self.driver.source = TriggerSource(self.bus)
        self.monitor.bind(self.bus)
        if step:
            sampler.add(self.edge)

    def edge(self, cycle: int, in_reset: bool) -> None:
        accepted = self.monitor.monitor.sample(cycle, in_reset)
        self.source.drive(accepted, in_reset)


# ==================================================================== message monitor agent
class MessageMonitorAgent(uvm_agent):
    """Passive agent: the one message monitor (every AW/W/B beat and handshake rule)."""

    def build_phase(self):
        self.ap = uvm_analysis_port("ap", self)
        self.monitor: MessageMonitor | None = None

    def bind(self, dut, prefix: str, target: MemoryTarget, sampler) -> None:
        self.monitor = MessageMonitor(dut, prefix, target=target, publish=self.ap.write)
        sampler.add(self.monitor.sample)

    @property
    def violations(self) -> list[str]:
        return self.monitor.violations

    @property
    def last_message_cycle(self) -> int:
        return self.monitor.last_message_cycle


# ============================================================================= memory agent
class MemoryAgent(uvm_agent):
    """The memory side of the message port (see the module doc for the two modes)."""

    def build_phase(self):
        self.cfg: EnvConfig = ConfigDB().get(self, "", "cfg")
        self.ap = uvm_analysis_port("ap", self)      # lean mode: batches of transactions
        # Its own generator, so that changing another knob does not reshuffle the errors.
        self.target = MemoryTarget(error_rate=self.cfg.bresp_error_rate,
                                   rng=random.Random(self.cfg.test_seed * 7 + 1),
                                   aw_ready=self.cfg.aw_ready_pattern, w_ready=self.cfg.w_ready_pattern)
        self.lean: LeanStream | None = None
        self.fetch_ap = uvm_analysis_port("fetch_ap", self)   # FetchTxn per entry fetch
        self.fetch_target: MemReadTarget | None = None
        self.fetch_monitor: FetchMonitor | None = None

    def bind_functional(self, dut, prefix: str, clk, rst) -> None:
        self.target.attach(dut, prefix, clk, rst)

    def bind_fetches(self, dut, prefix: str, clk, rst, sampler) -> None:
        """§7 read side: serve fetches (from a placeholder memory until the sequence hands
        over the platform's, `serve_from`) and monitor them."""
        cfg = self.cfg
        self.fetch_target = MemReadTarget(dut, clk, rst, HostMemory(), prefix=prefix,
                                          latency=cfg.fetch_latency)
        self.fetch_target.set_backpressure(
            ar=itertools.cycle(cfg.ar_pause) if cfg.ar_pause else None,
            r=itertools.cycle(cfg.r_pause) if cfg.r_pause else None)
        if cfg.fetch_error_rate:
            # its own generator: the injected fetches do not move with other knobs
            rng = random.Random(cfg.test_seed * 7 + 3)
            self.fetch_target.fail_fetch = lambda n, addr: (rng.randrange(4) if rng.random() < cfg.fetch_error_rate
                                                            else None)
        self.fetch_monitor = FetchMonitor(dut, prefix, self.fetch_ap.write)
        sampler.add(self.fetch_monitor.sample)

    def serve_from(self, memory: HostMemory) -> None:
        self.fetch_target.memory = memory

    @property
    def fetch_problems(self) -> list[str]:
        if self.fetch_target is None:
            return []
        return self.fetch_target.problems + self.fetch_monitor.problems

    def bind_lean(self, dut, prefix: str, trigger_bus: TriggerBus, source: TriggerSource, sampler) -> None:
        self.lean = LeanStream(dut, trigger_bus, prefix, source, self.target, self.ap.write)
        sampler.add(self.lean.edge)
        sampler.add_batcher(self.lean)

    @property
    def violations(self) -> list[str]:
        return self.lean.monitor.violations

    @property
    def last_message_cycle(self) -> int:
        return self.lean.monitor.last_message_cycle
