"""pyuvm environment of the IMS block: agents, scoreboard, reset and end-of-test check.

Layers (see README, "Verification IP"):
  components  tb/trigger_stream.py, tb/axi_message.py, tb/lean_stream.py (shared with the
              directed bench and the generic suite), typed transactions in tb/transactions.py,
              one per-edge loop tb/edge_sampler.py
  agents      tb/uvm/agents.py: RegisterAgent, TriggerAgent, MessageMonitorAgent, MemoryAgent,
              created through the factory
  env         ImsEnv (this file): builds and connects them, the ScoreboardComponent subscribes
              to every monitor's analysis port
  sequences   tb/uvm/sequences.py: ImsBaseSequence, the virtual sequence that owns reset and
              configuration and offers hooks; tests/impl/hdl/uvm_tests.py picks sequences and knobs

Cycle numbers count rising edges of clk since the env started; a handshake "at cycle c" is
sampled just after edge c (cocotb reads the values the flops saw at that edge).
"""

from __future__ import annotations

import os

from cocotb.triggers import ClockCycles, RisingEdge, Timer
from models.regmap import PENDING_STRIDE, REG_STATUS, STATUS_BUSY
from models.regs import load as load_regs
from pyuvm import ConfigDB, uvm_analysis_port, uvm_env, uvm_subscriber

from tb.edge_sampler import EdgeSampler
from tb.transactions import MessageTxn, ResetTxn, TriggerTxn
from tb.uvm.agents import (MemoryAgent, MessageMonitorAgent, RegisterAccess, RegisterAgent, TriggerAgent,
                           TriggerItem, idle_gaps)
from tb.uvm.config import EnvConfig
from tb.uvm.coverage import BACKPRESSURE_WINDOW, ImsCoverage
from tb.uvm.scoreboard import REG_PENDING, ImsScoreboard

__all__ = ["ImsEnv", "ScoreboardComponent", "TriggerItem", "idle_gaps"]


# ------------------------------------------------------------------------------- scoreboard
class ScoreboardComponent(uvm_subscriber):
    """Feeds every monitor's transactions (single, or a list from a batching monitor) to
    ImsScoreboard, in the order they arrive (the EdgeSampler keeps that the edge order)."""

    def build_phase(self):
        self.cfg: EnvConfig = ConfigDB().get(self, "", "cfg")
        cfg = self.cfg
        self.sb = ImsScoreboard(cfg.num_slots, platform=None, sid=cfg.requester_id,
                                axil_addr_width=cfg.axil_addr_width,
                                irq_index_width=cfg.irq_index_width, repro=cfg.repro(),
                                log=self.logger, mem_max_entries=cfg.mem_max_entries,
                                fetch_errors_anywhere=cfg.fetch_error_rate > 0)
        # a parked trigger's fetch may queue behind others: allow for the latency and R pauses
        self.sb.await_grace = max(self.sb.await_grace, 16 * (cfg.fetch_latency + 4))
        self.coverage = ImsCoverage(self.cfg.num_slots)
        self.sb.coverage = self.coverage
        self.tap = None   # fault injection hook: fn(txn) -> txn | None
        # IMS_UVM_TRACE=FIRST:LAST logs every transaction in that cycle range (debugging a
        # mismatch: rerun with its seed and the cycles around the one in the report).
        lo, _, hi = os.environ.get("IMS_UVM_TRACE", "").partition(":")
        self.trace = (int(lo), int(hi)) if lo and hi else None

    def write(self, t):
        batch = t if type(t) is list else (t,)
        sb, tap, trace = self.sb, self.tap, self.trace
        for e in batch:
            if trace is not None and trace[0] <= e.cycle <= trace[1]:
                self.logger.info(f"txn {e!r}  worlds={len(sb.worlds)}")
            if tap is not None:
                e = tap(e)
                if e is None:
                    continue
            # The two streaming kinds inline (tens of thousands per second); the rest via observe().
            k = type(e)
            if k is TriggerTxn:
                sb.trigger(e.cycle, e.index, e.pasid)
            elif k is MessageTxn:
                sb.message(e.cycle, e.addr, e.data)
                if e.bresp is not None:
                    sb.message_response(e.cycle, e.bresp)
            else:
                sb.observe(e)


# -------------------------------------------------------------------------------------- env
class ImsEnv(uvm_env):
    def build_phase(self):
        self.cfg: EnvConfig = ConfigDB().get(self, "", "cfg")
        self.dut = ConfigDB().get(self, "", "dut")
        self.reg_agent = RegisterAgent.create("reg_agent", self)
        self.trigger_agent = TriggerAgent.create("trigger_agent", self)
        self.mem_agent = MemoryAgent.create("mem_agent", self)
        self.msg_agent = None if self.cfg.lean else MessageMonitorAgent.create("msg_agent", self)
        self.scoreboard = ScoreboardComponent.create("scoreboard", self)
        self.reset_ap = uvm_analysis_port("reset_ap", self)
        self.in_reset = True       # until reset_dut releases the first reset

    def connect_phase(self):
        export = self.scoreboard.analysis_export
        # Connection order does not matter: the EdgeSampler orders the writes.
        for ap in (self.reg_agent.monitor.ap, self.trigger_agent.monitor.ap, self.mem_agent.ap, self.reset_ap):
            ap.connect(export)
        if self.msg_agent is not None:
            self.msg_agent.ap.connect(export)
        self.mem_agent.fetch_ap.connect(export)

    def start_of_simulation_phase(self):
        dut = self.dut
        dut.rst.value = 1
        # Per edge, in this order: register port (a write completing at edge c is applied
        # before a trigger of edge c is judged), trigger stream, message port.
        self.sampler = EdgeSampler(dut.clk, lambda: self.in_reset)
        self.reg_agent.bind(dut, "s_axil", dut.clk, dut.rst, self.sampler)
        self.trigger_agent.bind(dut, {}, self.sampler, step=not self.cfg.lean)
        on_bp = self.scoreboard.coverage.on_backpressure
        if self.cfg.lean:
            self.mem_agent.bind_lean(dut, "m_axi", self.trigger_agent.bus, self.trigger_agent.source,
                                     self.sampler)
            self.mem_agent.lean.monitor.on_backpressure = on_bp
            self.message_side = self.mem_agent
        else:
            self.mem_agent.bind_functional(dut, "m_axi", dut.clk, dut.rst)
            self.msg_agent.bind(dut, "m_axi", self.mem_agent.target, self.sampler)
            self.msg_agent.monitor.on_backpressure = on_bp
            self.msg_agent.monitor.window = BACKPRESSURE_WINDOW
            self.message_side = self.msg_agent
        if self.cfg.mem_max_entries:
            # after the message port: a fetch completing at edge c is judged after that edge's
            # trigger (which it cannot have served) and register response
            self.mem_agent.bind_fetches(dut, "m_axi", dut.clk, dut.rst, self.sampler)
        self.sampler.start()

    # -- what sequences use
    @property
    def cycle(self) -> int:
        return self.sampler.cycle

    def flush(self) -> None:
        """Hand every held-back transaction to the scoreboard now."""
        self.sampler.flush()

    @property
    def last_message_cycle(self) -> int:
        return self.message_side.last_message_cycle

    @property
    def protocol_errors(self) -> list[str]:
        return self.message_side.violations

    @property
    def regs(self) -> RegisterAccess:
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
        self._mark_reset()
        await ClockCycles(dut.clk, max(1, cycles - 1))
        dut.rst.value = 0
        await RisingEdge(dut.clk)
        self.in_reset = False

    def _mark_reset(self) -> None:
        self.in_reset = True
        self.flush()
        self.reset_ap.write(ResetTxn(self.cycle))
        self.reg_agent.monitor.reset()
        if self.mem_agent.fetch_monitor is not None:
            self.mem_agent.fetch_monitor.reset()
        if self.cfg.lean:
            self.mem_agent.lean.reset()
        else:
            self.msg_agent.monitor.clear()

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
            self.flush()
            sb = self.sb
            sb.advance(self.cycle)
            owed = sum(len(w.direct) + len(w.replays) for w in sb.worlds)
            fm = self.mem_agent.fetch_monitor
            undecided = fm is not None and (fm.outstanding or not any(
                not w.parked and not w.reexams for w in sb.worlds))
            if drv.idle and not owed and not sb.held and not undecided and \
                    self.cycle - self.last_message_cycle >= quiet_cycles:
                return True
        return False

    async def settle_histories(self, max_cycles: int = 400) -> None:
        """Wait (traffic may go on) until the observations have decided every timing window,
        i.e. the scoreboard is back to one possible history. Storm sequences call this
        between bursts of register writes so the set of histories stays small."""
        for _ in range(max_cycles // 8):
            self.flush()
            if len(self.sb.worlds) == 1:
                return
            await ClockCycles(self.dut.clk, 8)

    async def final_check(self) -> None:
        """Read CNT_* and PENDING through the RTL and compare with the model."""
        await self.drain()
        counters = {}
        for name, off in self.sb.counter_map().items():
            counters[name] = await self.regs.read32(off)
        pending = []
        words = (self.sb.model.pending_words if self.cfg.mem_max_entries
                 else load_regs(self.cfg.num_slots, self.cfg.axil_addr_width).PENDING.count)
        for k in range(words):
            pending.append(await self.regs.read32(REG_PENDING + PENDING_STRIDE * k))
        await ClockCycles(self.dut.clk, 4)
        self.flush()
        self.sb.final_check(self.cycle, counters, pending)
        for text in self.protocol_errors[:10]:
            self.sb.error("AXI_PROTOCOL", self.cycle, text)
        for text in self.mem_agent.fetch_problems[:10]:
            self.sb.error("AXI_FETCH_PROTOCOL", self.cycle, f"§7 fetch: {text}")
